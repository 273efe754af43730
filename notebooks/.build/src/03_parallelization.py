# The cells of 03_parallelization.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 03 · Parallelization

Independent calls can run at the same time: a joke, a story and a poem about one topic don't need each
other. The graph **fans out** to three nodes and **fans in** to an aggregator that combines their results.

This notebook is also about the engine's clock, the **superstep**: every node that is ready runs in the
same superstep, in parallel; only when all of them have finished are their writes applied to the state,
and the next superstep is planned from that state. Three questions follow from it and are answered below:
why the aggregator runs once, why a join waits, and what a reducer does.
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
## Graph API

Three edges leave `START`, so the three writers start together; three edges lead into `aggregator`.
"""),
code(r'''
from typing_extensions import TypedDict
from wfkit import StateGraph, START, END


class State(TypedDict):
    topic: str
    joke: str
    story: str
    poem: str
    combined_output: str


def call_llm_1(state: State):
    """First LLM call to generate initial joke"""
    msg = llm.invoke(f"Write a joke about {state['topic']}")
    return {"joke": msg.content}


def call_llm_2(state: State):
    """Second LLM call to generate story"""
    msg = llm.invoke(f"Write a story about {state['topic']}")
    return {"story": msg.content}


def call_llm_3(state: State):
    """Third LLM call to generate poem"""
    msg = llm.invoke(f"Write a poem about {state['topic']}")
    return {"poem": msg.content}


def aggregator(state: State):
    """Combine the joke, story and poem into a single output"""
    combined = f"Here's a story, joke, and poem about {state['topic']}!\n\n"
    combined += f"STORY:\n{state['story']}\n\n"
    combined += f"JOKE:\n{state['joke']}\n\n"
    combined += f"POEM:\n{state['poem']}"
    return {"combined_output": combined}


parallel_builder = StateGraph(State)
parallel_builder.add_node("call_llm_1", call_llm_1)
parallel_builder.add_node("call_llm_2", call_llm_2)
parallel_builder.add_node("call_llm_3", call_llm_3)
parallel_builder.add_node("aggregator", aggregator)
parallel_builder.add_edge(START, "call_llm_1")
parallel_builder.add_edge(START, "call_llm_2")
parallel_builder.add_edge(START, "call_llm_3")
parallel_builder.add_edge("call_llm_1", "aggregator")
parallel_builder.add_edge("call_llm_2", "aggregator")
parallel_builder.add_edge("call_llm_3", "aggregator")
parallel_builder.add_edge("aggregator", END)
parallel_workflow = parallel_builder.compile()
parallel_workflow
'''),
code(r'''
state = parallel_workflow.invoke({"topic": "cats"})
print(state["combined_output"])
'''),
md(r"""
### Why the aggregator runs once

Three edges lead into `aggregator`, yet it runs once, not three times. Step through and watch: the first
superstep runs the three writers together. When it ends, all three edges into `aggregator` fire at the
same moment, and a node is scheduled **at most once per superstep**, so they plan a single task. Its
`triggers` list all three edges, and its input is the state with all three writes applied.
"""),
code(r'''
run = parallel_workflow.start({"topic": "cats"})
print("superstep 1 will run:", [task.name for task in run.next])

record = run.step()
print("superstep 1 ran:     ", [task.name for task in record.tasks])
for task in run.next:
    print(f"next: {task.name}, triggered by {task.triggers}")
    print("      its input has:", sorted(task.input))
'''),
md(r"""
Each task's writes are kept apart in the record: what `call_llm_2` wrote, for example.
"""),
code(r'''
record.writes_of("call_llm_2")
'''),
md(r"""
In the Debugger, the picture after the first step marks the three writers as just run and the aggregator
as next; the timeline lists one line per superstep, and the *Step* tab shows each task's writes.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(parallel_workflow, {"topic": "cats"})
record = await debugger.step()
debugger
'''),
md(r"""
## Why a join waits

The aggregator above ran once because its three inputs finished *in the same superstep*. Now give the
branches different lengths: the joke gets an extra `improve_joke` step, the poem does not. With plain
edges, an edge fires whenever its source has run, so the aggregator runs **twice**: once in superstep 2
(triggered by the poem, before the improved joke exists) and again in superstep 3 (triggered by
`improve_joke`). The `log` below records what it saw each time.
"""),
code(r'''
import operator
from typing import Annotated


class Drafts(TypedDict):
    topic: str
    joke: str
    poem: str
    log: Annotated[list, operator.add]  # each run of `combine` appends a line


def write_joke(state: Drafts):
    return {"joke": llm.invoke(f"Write a joke about {state['topic']}").content}


def improve_joke(state: Drafts):
    return {"joke": llm.invoke(f"Make this joke funnier by adding wordplay: {state['joke']}").content}


def write_poem(state: Drafts):
    return {"poem": llm.invoke(f"Write a poem about {state['topic']}").content}


def combine(state: Drafts):
    improved = "improved" if "Pun intended" in state["joke"] else "first draft of the"
    return {"log": [f"combine saw the {improved} joke"]}


def uneven_graph(join: bool):
    builder = StateGraph(Drafts)
    builder.add_node("write_joke", write_joke)
    builder.add_node("improve_joke", improve_joke)
    builder.add_node("write_poem", write_poem)
    builder.add_node("combine", combine)
    builder.add_edge(START, "write_joke")
    builder.add_edge(START, "write_poem")
    builder.add_edge("write_joke", "improve_joke")
    if join:
        builder.add_edge(["improve_joke", "write_poem"], "combine")  # one edge from both: a join
    else:
        builder.add_edge("improve_joke", "combine")
        builder.add_edge("write_poem", "combine")
    builder.add_edge("combine", END)
    return builder.compile()


without_join = uneven_graph(join=False)
without_join.invoke({"topic": "cats"})["log"]
'''),
md(r"""
A **join**, `add_edge(["improve_joke", "write_poem"], "combine")`, is one edge with several sources: it
fires only after *every* source has run. After superstep 1 it has seen `write_poem` and keeps waiting for
`improve_joke`, so superstep 2 runs only `improve_joke`, and `combine` runs once, with the improved joke.
"""),
code(r'''
with_join = uneven_graph(join=True)
run = with_join.start({"topic": "cats"})
while not run.done:
    record = run.step()
    print(f"superstep {record.step} ran {[task.name for task in record.tasks]}")
    for sources, target, seen in run.waiting_joins():
        print(f"    the join into {target} has seen {seen} of {list(sources)}: it waits")
run.state["log"]
'''),
md(r"""
The picture draws both versions the same way (an edge per source), so step through the join version to
see the wait: after the first **Step**, *next* says that `combine` waits for `improve_joke`.
"""),
code(r'''
debugger = Debugger(with_join, {"topic": "cats"})
record = await debugger.step()
debugger
'''),
md(r"""
## What a reducer does

Two nodes of one superstep writing the **same key** is a conflict: which value wins? Without a rule the
engine refuses and names the key and the writers.
"""),
code(r'''
class NoReducer(TypedDict):
    topic: str
    drafts: list


def draft_joke(state):
    return {"drafts": [llm.invoke(f"Write a joke about {state['topic']}").content]}


def draft_poem(state):
    return {"drafts": [llm.invoke(f"Write a poem about {state['topic']}").content]}


builder = StateGraph(NoReducer)
builder.add_node("draft_joke", draft_joke)
builder.add_node("draft_poem", draft_poem)
builder.add_edge(START, "draft_joke")
builder.add_edge(START, "draft_poem")
try:
    builder.compile().invoke({"topic": "cats"})
except Exception as error:
    print(f"{type(error).__name__}: {error}")
'''),
md(r"""
A **reducer** is that rule: `Annotated[list, operator.add]` says "combine the old value and each new write
with `+`". Both drafts survive, in the order of the nodes (not the order they finished in), so the result
is the same on every run. `log` in the join example above used the same reducer to keep one line per run.
"""),
code(r'''
class WithReducer(TypedDict):
    topic: str
    drafts: Annotated[list, operator.add]


builder = StateGraph(WithReducer)
builder.add_node("draft_joke", draft_joke)
builder.add_node("draft_poem", draft_poem)
builder.add_edge(START, "draft_joke")
builder.add_edge(START, "draft_poem")
builder.compile().invoke({"topic": "cats"})
'''),
md(r"""
## Voting: the same task several times

The guide names two forms of parallelization. Above is **sectioning**: different subtasks side by side.
The other is **voting**: the *same* task run several times, and the answers compared, so that one unlucky
answer does not decide. Here five voters classify one request (poem, story or joke) with sampling on
(`temperature=0.8`, a different `seed` each), and a `tally` node takes the majority. `Send` starts one
`vote` task per voter in the same superstep; the `votes` reducer collects their answers.

The offline model samples too: with a temperature above 0, one seeded draw in five slips to a wrong
option, and says so in its reason. That gives the vote something to outvote.
"""),
code(r'''
from collections import Counter
from typing import Literal

from pydantic import BaseModel
from wfkit import Send
from wfkit.messages import HumanMessage, SystemMessage


class Vote(BaseModel):
    step: Literal["poem", "story", "joke"]


class Ballot(TypedDict):
    input: str
    votes: Annotated[list, operator.add]
    decision: str


def ask_voters(state: Ballot):
    return [Send("vote", {"input": state["input"], "seed": seed}) for seed in range(5)]


def vote(voter: dict):
    voter_llm = llm.bind(temperature=0.8, seed=voter["seed"]).with_structured_output(Vote)
    ask = [SystemMessage("Classify the request as a poem, a story or a joke."), HumanMessage(voter["input"])]
    return {"votes": [voter_llm.invoke(ask).step]}


def tally(state: Ballot):
    (winner, count), = Counter(state["votes"]).most_common(1)
    return {"decision": f"{winner} ({count} of {len(state['votes'])} votes)"}


voting_builder = StateGraph(Ballot)
voting_builder.add_node("vote", vote)
voting_builder.add_node("tally", tally)
voting_builder.add_conditional_edges(START, ask_voters, ["vote"])
voting_builder.add_edge("vote", "tally")
voting_builder.add_edge("tally", END)
voting = voting_builder.compile()

ballot = voting.invoke({"input": "Write me a joke about owls"})
print(ballot["votes"])
print("decision:", ballot["decision"])
'''),
md(r"""
Two voters slipped to `poem`; the majority still says `joke`. `llm.explain()` shows each voter's draw and
why it came out as it did:
"""),
code(r'''
print(llm.explain(last=5))
''', tags=("nbval-ignore-output",)),
md(r"""
## Functional API

Calling a `@task` starts it and returns a future at once, so three calls in a row run in parallel;
`.result()` waits. The aggregator receives the three results as arguments: a join in plain Python.
"""),
code(r'''
from wfkit import task, entrypoint


@task
def write_joke_task(topic: str):
    return llm.invoke(f"Write a joke about {topic}").content


@task
def write_story_task(topic: str):
    return llm.invoke(f"Write a story about {topic}").content


@task
def write_poem_task(topic):
    return llm.invoke(f"Write a poem about {topic}").content


@task
def aggregator_task(topic, joke, story, poem):
    combined = f"Here's a story, joke, and poem about {topic}!\n\n"
    combined += f"STORY:\n{story}\n\n"
    combined += f"JOKE:\n{joke}\n\n"
    combined += f"POEM:\n{poem}"
    return combined


@entrypoint()
def parallel_entrypoint(topic: str):
    joke_fut = write_joke_task(topic)
    story_fut = write_story_task(topic)
    poem_fut = write_poem_task(topic)
    return aggregator_task(topic, joke_fut.result(), story_fut.result(), poem_fut.result()).result()
'''),
md(r"""
The stream reports each task when it finishes, so the three writers may come in any order from one run to
the next: that is what running in parallel looks like. The aggregator always comes after them.
"""),
code(r'''
for step in parallel_entrypoint.stream("cats", stream_mode="updates"):
    name, value = next(iter(step.items()))
    print(f"{name}: {value[:45]!r}...")
''', tags=("nbval-ignore-output",)),
code(r'''
print(parallel_entrypoint.invoke("cats"))
'''),
md(r"""
## Your turn

Fill in each `...`, run the cell, then run the check under it. The checks keep the answers out of sight;
a wrong answer gets a hint on where to look. Supersteps are counted as the Debugger's timeline numbers
them: superstep 0 applies the input, supersteps 1, 2, ... run nodes.
"""),
md(r"""
**1. Predict the supersteps.** Which nodes run together in superstep 1 of `parallel_workflow`, and how
many supersteps run nodes in the whole run?
"""),
code(r'''
my_first_superstep = ...  # a set of node names
my_superstep_count = ...
''', tags=("exercise",)),
code(r'''
from wfkit.exercises import parallelization

parallelization.your_turn_1(my_first_superstep, my_superstep_count, parallel_workflow)
''', tags=("check",)),
md(r"""
**2. What a join waits for.** The cell below builds `early_join`: the graph of the join above, but the
join into `combine` now comes from the *first* drafts, `write_joke` and `write_poem`. Predict which of its
sources the join still waits for after superstep 1, and in which superstep `combine` runs.
"""),
code(r'''
early = StateGraph(Drafts)
for name, node in [("write_joke", write_joke), ("improve_joke", improve_joke), ("write_poem", write_poem),
                   ("combine", combine)]:
    early.add_node(name, node)
early.add_edge(START, "write_joke")
early.add_edge(START, "write_poem")
early.add_edge("write_joke", "improve_joke")
early.add_edge(["write_joke", "write_poem"], "combine")  # the join, from the first drafts
early.add_edge("improve_joke", END)
early.add_edge("combine", END)
early_join = early.compile()

my_waiting_for = ...  # after superstep 1: a set of node names (maybe empty: set())
my_combine_superstep = ...
''', tags=("exercise",)),
code(r'''
parallelization.your_turn_2(my_waiting_for, my_combine_superstep, early_join)
''', tags=("check",)),
md(r"""
**3. Seven voters.** Build `voting_7`, the voting graph with seven voters (seeds 0 to 6). How many
`vote` tasks run in superstep 1, and how many supersteps run nodes?
"""),
code(r'''
voting_7 = ...
my_vote_tasks = ...
my_superstep_count = ...
''', tags=("exercise",)),
code(r'''
parallelization.your_turn_3(voting_7, my_vote_tasks, my_superstep_count)
''', tags=("check",)),
]

SOLUTIONS = [
    '''my_first_superstep = {"call_llm_1", "call_llm_2", "call_llm_3"}
my_superstep_count = 2''',
    '''early = StateGraph(Drafts)
for name, node in [("write_joke", write_joke), ("improve_joke", improve_joke), ("write_poem", write_poem),
                   ("combine", combine)]:
    early.add_node(name, node)
early.add_edge(START, "write_joke")
early.add_edge(START, "write_poem")
early.add_edge("write_joke", "improve_joke")
early.add_edge(["write_joke", "write_poem"], "combine")  # the join, from the first drafts
early.add_edge("improve_joke", END)
early.add_edge("combine", END)
early_join = early.compile()

my_waiting_for = set()
my_combine_superstep = 2''',
    '''def ask_seven(state: Ballot):
    return [Send("vote", {"input": state["input"], "seed": seed}) for seed in range(7)]


builder_7 = StateGraph(Ballot)
builder_7.add_node("vote", vote)
builder_7.add_node("tally", tally)
builder_7.add_conditional_edges(START, ask_seven, ["vote"])
builder_7.add_edge("vote", "tally")
builder_7.add_edge("tally", END)
voting_7 = builder_7.compile()
my_vote_tasks = 7
my_superstep_count = 2''',
]
