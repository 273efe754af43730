# The cells of 02_prompt_chaining.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 02 · Prompt chaining

Each call works on the output of the one before: write a joke, then improve it, then polish it. Breaking a
task into small steps makes each step easier to check, and between steps plain code can act as a **gate**
that decides whether to go on.

Here the gate looks for a punchline (a `?` or a `!`). A joke that has one is done; one that doesn't goes
through two more calls. The offline model's first draft of a *short* joke is a plain sentence, so on the
default run the gate fails once and the whole chain runs.
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
## Graph API

The state holds every intermediate result, so you can see each link of the chain afterwards. Each node
returns only the key it fills in. The gate is a function of the state given to `add_conditional_edges`:
it returns a label, and the mapping `{"Fail": "improve_joke", "Pass": END}` turns the label into the next
node.
"""),
code(r'''
from typing_extensions import TypedDict
from wfkit import StateGraph, START, END


class State(TypedDict):
    topic: str
    joke: str
    improved_joke: str
    final_joke: str


def generate_joke(state: State):
    """First LLM call to generate initial joke"""
    msg = llm.invoke(f"Write a short joke about {state['topic']}")
    return {"joke": msg.content}


def check_punchline(state: State):
    """Gate function to check if the joke has a punchline"""
    if "?" in state["joke"] or "!" in state["joke"]:
        return "Pass"
    return "Fail"


def improve_joke(state: State):
    """Second LLM call to improve the joke"""
    msg = llm.invoke(f"Make this joke funnier by adding wordplay: {state['joke']}")
    return {"improved_joke": msg.content}


def polish_joke(state: State):
    """Third LLM call for final polish"""
    msg = llm.invoke(f"Add a surprising twist to this joke: {state['improved_joke']}")
    return {"final_joke": msg.content}


workflow = StateGraph(State)
workflow.add_node("generate_joke", generate_joke)
workflow.add_node("improve_joke", improve_joke)
workflow.add_node("polish_joke", polish_joke)
workflow.add_edge(START, "generate_joke")
workflow.add_conditional_edges("generate_joke", check_punchline, {"Fail": "improve_joke", "Pass": END})
workflow.add_edge("improve_joke", "polish_joke")
workflow.add_edge("polish_joke", END)
chain = workflow.compile()
'''),
md(r"""
In the picture the gate's two ways out are **dashed** and labelled with the gate's answers: only one of
them is taken on a run.
"""),
code(r'''
chain
'''),
code(r'''
state = chain.invoke({"topic": "cats"})
state
'''),
md(r"""
The first draft has no `?` or `!`, so the gate said `Fail`: `improve_joke` added wordplay and
`polish_joke` a twist, each working on the output of the one before. The state keeps all three links.
`llm.explain()` shows why the offline model wrote each one (the rule it followed, on which words):
"""),
code(r'''
print(llm.explain(last=3))
'''),
md(r"""
### What if the joke had a punchline?

The gate only looks at the state, so we can ask it directly...
"""),
code(r'''
check_punchline({"joke": "Why did the cats sit on the keyboard? To keep an eye on the mouse!"})
'''),
md(r"""
...or run the chain as if the model had written that joke. With a checkpointer the graph keeps every run's
state under a *thread*. `interrupt_after=["generate_joke"]` stops the run once the first draft is written;
`update_state(..., as_node="generate_joke")` then records the other joke as if `generate_joke` had returned
it, so the gate runs again on it, and `invoke(None, config)` goes on from there. (Notebook 09 covers
threads and checkpoints.)
"""),
code(r'''
from wfkit import InMemorySaver

chain_with_memory = workflow.compile(checkpointer=InMemorySaver(), interrupt_after=["generate_joke"])
config = {"configurable": {"thread_id": "punchline"}}
chain_with_memory.invoke({"topic": "cats"}, config)
print("after the first draft, next:", chain_with_memory.get_state(config).next)

punchline = "Why did the cats sit on the keyboard? To keep an eye on the mouse!"
chain_with_memory.update_state(config, {"joke": punchline}, as_node="generate_joke")
print("the gate now sends the run to:", chain_with_memory.get_state(config).next or "END")

final = chain_with_memory.invoke(None, config)
print(final)
'''),
md(r"""
### Step through it

The Debugger starts a fresh run; the cell below presses **Run**. It goes through three supersteps, one per
link: the picture marks `polish_joke` as the node that just ran and the edges the run took (the gate's
`Fail` way out among them). Select the steps in the timeline to see what each wrote and why the model said
it, or press **Reset** and **Step** to go through it again.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(chain, {"topic": "cats"})
records = await debugger.run_all()  # the same as pressing Run
debugger
'''),
md(r"""
## Functional API

The same chain as a function. The gate is an ordinary `if`, and each `@task` call returns a future:
`.result()` waits for it. (The guide's Functional API sample has the gate's two answers the other way
round, so there a joke *with* a punchline gets improved; here both versions use the same gate.)
"""),
code(r'''
from wfkit import task, entrypoint


@task
def generate_joke_task(topic: str):
    return llm.invoke(f"Write a short joke about {topic}").content


@task
def improve_joke_task(joke: str):
    return llm.invoke(f"Make this joke funnier by adding wordplay: {joke}").content


@task
def polish_joke_task(joke: str):
    return llm.invoke(f"Add a surprising twist to this joke: {joke}").content


def has_punchline(joke: str) -> bool:
    return "?" in joke or "!" in joke


@entrypoint()
def prompt_chaining_workflow(topic: str):
    original_joke = generate_joke_task(topic).result()
    if has_punchline(original_joke):
        return original_joke
    improved_joke = improve_joke_task(original_joke).result()
    return polish_joke_task(improved_joke).result()
'''),
md(r"""
Streaming shows each task as it finishes, then the entrypoint's return value under its own name. Three
tasks ran, because the gate sent the first draft on.
"""),
code(r'''
for step in prompt_chaining_workflow.stream("cats", stream_mode="updates"):
    print(step)
'''),
md(r"""
An entrypoint is drawn as a single box: its control flow is Python code, which the engine cannot see in
advance. What it does see is every task call as it happens: that is what the stream shows.
"""),
code(r'''
prompt_chaining_workflow
'''),
md(r"""
## Your turn

Fill in each `...`, run the cell, then run the check under it. The checks keep the answers out of sight;
a wrong answer gets a hint on where to look. Supersteps are counted as the Debugger's timeline numbers
them: superstep 0 applies the input, supersteps 1, 2, ... run nodes.
"""),
md(r"""
**1. Follow the gate.** Suppose `generate_joke` writes the draft `"Cats sit on keyboards."`. Which nodes
run after it, in order? (Think about what the gate sees, not about the model.)
"""),
code(r'''
my_nodes = ...  # e.g. ["some_node", ...]
''', tags=("exercise",)),
code(r'''
from wfkit.exercises import prompt_chaining

prompt_chaining.your_turn_1(my_nodes, chain)
''', tags=("check",)),
md(r"""
**2. A stricter gate.** Write `check_long_punchline(state)`: `"Pass"` only when the joke has a punchline
*and* at least 12 words, else `"Fail"`. The check tries your gate on a few drafts.
"""),
code(r'''
def check_long_punchline(state: State):
    ...
''', tags=("exercise",)),
code(r'''
prompt_chaining.your_turn_2(check_long_punchline)
''', tags=("check",)),
]

SOLUTIONS = [
    '''my_nodes = ["improve_joke", "polish_joke"]''',
    '''def check_long_punchline(state: State):
    joke = state["joke"]
    return "Pass" if ("?" in joke or "!" in joke) and len(joke.split()) >= 12 else "Fail"''',
]
