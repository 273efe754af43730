# The cells of 00_tour.ipynb; `md` and `code` come from ../build.py, which turns this list into the notebook.
CELLS = [
md(r"""
# wfkit in five minutes

wfkit runs LLM workflows and agents inside Jupyter and lets you watch them run. This notebook shows its
four parts on one small workflow:

1. **a model**: `default_model()` gives Claude when `ANTHROPIC_API_KEY` is set and an offline stand-in
   otherwise, so every notebook here runs without a key;
2. **a graph engine** with LangGraph's API: state, nodes, edges, supersteps;
3. **a picture** of every graph, drawn locally;
4. **stepping**: run a workflow one superstep at a time, look at everything, go back.

Run the cells from top to bottom (*Run ▸ Run All Cells*).
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
It printed which model it picked. The offline model knows the examples of these notebooks (jokes,
stories and poems about a topic, report plans, routing, joke grading, arithmetic with tools) and answers
them the same way every time. With a key, the same cells talk to Claude and the answers change.
"""),
code(r'''
llm.invoke("Write a joke about owls").content
'''),
md(r"""
The offline model is not magic: each reply carries the rule that made it, and `llm.explain()` prints what
it was asked, what it said and why. (The Debugger shows the same under each node that called the model.)
"""),
code(r'''
print(llm.explain())
'''),
md(r"""
## A workflow as a graph

A graph has a **state** (here a `TypedDict`), **nodes** (plain functions that read the state and return
only the keys they change) and **edges** (which node runs after which).

This one writes a joke and a poem about a topic *at the same time*, then a third node picks the shorter
one. Both writers append to `drafts`; the `Annotated[list, operator.add]` on that key is a **reducer**: it
says how to merge two writes that arrive together (add the lists) instead of failing on the conflict.
"""),
code(r'''
import operator
from typing import Annotated
from typing_extensions import TypedDict
from wfkit import StateGraph, START, END


class State(TypedDict):
    topic: str
    drafts: Annotated[list, operator.add]  # a reducer: parallel writes are concatenated
    best: str


def joke(state: State):
    return {"drafts": [llm.invoke(f"Write a joke about {state['topic']}").content]}


def poem(state: State):
    return {"drafts": [llm.invoke(f"Write a poem about {state['topic']}").content]}


def pick(state: State):
    return {"best": min(state["drafts"], key=len)}


builder = StateGraph(State)
builder.add_node("joke", joke)
builder.add_node("poem", poem)
builder.add_node("pick", pick)
builder.add_edge(START, "joke")
builder.add_edge(START, "poem")
builder.add_edge(["joke", "poem"], "pick")  # a join: `pick` waits for both
builder.add_edge("pick", END)
app = builder.compile()
'''),
md(r"""
A compiled graph shows itself as a picture (drawn on your machine by the bundled Graphviz program, no web
service involved):
"""),
code(r'''
app
'''),
md(r"""
## Running it

`invoke` runs the graph to the end and returns the final state. The two drafts are in the order of the
nodes, not in the order they happened to finish: the engine applies the writes of one superstep in a fixed
order, so the result is the same on every run.
"""),
code(r'''
app.invoke({"topic": "owls"})
'''),
md(r"""
`stream` gives you the run as it happens. In `"values"` mode you get the whole state after each
**superstep**: a superstep runs every node that is ready, all at once, and then applies what they wrote.
Three states come out: the input (applied in superstep 0, which runs no node), the state after superstep 1
(`joke` and `poem` together) and after superstep 2 (`pick`). So this run takes **two supersteps**: the
notebooks count, as the Debugger's timeline numbers them, the supersteps that run nodes.
"""),
code(r'''
for state in app.stream({"topic": "owls"}, stream_mode="values"):
    print(state)
'''),
md(r"""
## Stepping through it by hand

`app.start(input)` gives a `Run` that has not done anything yet. `run.next` says what the next superstep
will run, `run.step()` runs exactly that superstep and returns what happened, and `run.back()` returns to
an earlier point (stepping on from there starts a new branch; the old one stays in `run.history`).
"""),
code(r'''
run = app.start({"topic": "owls"})
[task.name for task in run.next]
'''),
code(r'''
record = run.step()
print("superstep", record.step, "ran", [task.name for task in record.tasks])
print("keys written:", record.updated)
print("next:", record.next)
'''),
code(r'''
run.step()
print(run.state["best"])
run.back()
print("back at superstep", run.step_number, "- next:", [task.name for task in run.next])
'''),
md(r"""
## The Debugger

The `Debugger` widget does the same with buttons: **Step**, **Run**, **Back**, breakpoints on nodes, the
timeline of supersteps, and the state with what changed. While a slow superstep runs, the widget lists
the tasks still running and **Stop** cancels it: nothing of it is applied, and the tasks that had
finished keep their results for the next Step. The graph marks what ran, what runs next and the
edges just taken. The cell below steps once from Python (`await debugger.step()` is what the Step
button does), so that the saved notebook shows a run in progress; press the buttons to go on.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(app, {"topic": "owls"})
record = await debugger.step()  # the same as pressing Step once
debugger
'''),
md(r"""
## The same workflow as plain Python

The **Functional API** writes the workflow as an ordinary function: `@task` functions return futures
and run in parallel, `@entrypoint` turns the function into something you can `invoke` and `stream`. No
graph to declare: the control flow is the Python code.
"""),
code(r'''
from wfkit import task, entrypoint


@task
def write(kind: str, topic: str) -> str:
    return llm.invoke(f"Write a {kind} about {topic}").content


@entrypoint()
def joke_or_poem(topic: str) -> str:
    drafts = [write("joke", topic), write("poem", topic)]  # both start at once
    return min((draft.result() for draft in drafts), key=len)


joke_or_poem.invoke("owls")
'''),
md(r"""
## Where next

| notebook | what you see |
|---|---|
| [01 The augmented LLM](01_augmented_llm.ipynb) | structured output and tools, the building blocks |
| [02 Prompt chaining](02_prompt_chaining.ipynb) | calls in sequence, a gate that decides whether to go on |
| [03 Parallelization](03_parallelization.ipynb) | fan-out and fan-in, reducers, why a join waits |
| [04 Routing](04_routing.ipynb) | a structured-output router and conditional edges |
| [05 Orchestrator-worker](05_orchestrator_worker.ipynb) | as many workers as the plan needs, with `Send` |
| [06 Evaluator-optimizer](06_evaluator_optimizer.ipynb) | a loop that stops when the grader is happy |
| [07 Agent](07_agent.ipynb) | the model chooses tools in a loop |
| [08 Human review](08_human_review.ipynb) | `interrupt()`, resuming, the review panel |
| [09 Persistence and time travel](09_persistence_and_time_travel.ipynb) | threads, checkpoints, replay and forks |
| [10 Streaming](10_streaming.ipynb) | updates, values, tokens and your own progress events |
"""),
]
