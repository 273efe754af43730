# The cells of 09_persistence_and_time_travel.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 09 · Persistence and time travel

Compile a graph with a **checkpointer** and it saves a **checkpoint** after every superstep: the state,
what runs next, and a link to the checkpoint before. Checkpoints are grouped by **thread** (the
`thread_id` in the config), one thread per conversation or job. That one mechanism gives:

* **memory**: a new input on the same thread continues from the saved state;
* **resuming**: after an interrupt (notebook 08), or after the kernel died;
* **history**: every earlier state, to inspect;
* **time travel**: run again from any checkpoint, or change the state there and fork a new branch.
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
A three-step joke pipeline. `log` has a reducer, so every node's entry is kept: it shows which nodes
produced the state we are looking at.
"""),
code(r'''
import operator
from typing import Annotated
from typing_extensions import TypedDict
from wfkit import StateGraph, START, END, InMemorySaver


class State(TypedDict):
    topic: str
    joke: str
    log: Annotated[list, operator.add]


def write_joke(state: State):
    return {"joke": llm.invoke(f"Write a joke about {state['topic']}").content, "log": ["write_joke"]}


def improve_joke(state: State):
    return {"joke": llm.invoke(f"Make this joke funnier by adding wordplay: {state['joke']}").content,
            "log": ["improve_joke"]}


def polish_joke(state: State):
    return {"joke": llm.invoke(f"Add a surprising twist to this joke: {state['joke']}").content,
            "log": ["polish_joke"]}


builder = StateGraph(State)
builder.add_sequence([write_joke, improve_joke, polish_joke])
builder.add_edge(START, "write_joke")
builder.add_edge("polish_joke", END)
pipeline = builder.compile(checkpointer=InMemorySaver())
pipeline
'''),
md(r"""
## Threads: memory between runs

Two runs on thread `a`: the second starts from the state the first left. Its new `topic` replaces the old
one, and its `log` entries are *added* to the old ones (the reducer again). Thread `b` knows nothing of
either.
"""),
code(r'''
thread_a = {"configurable": {"thread_id": "a"}}
pipeline.invoke({"topic": "cats"}, thread_a)
state = pipeline.invoke({"topic": "dogs"}, thread_a)
print("thread a:", state["topic"], state["log"])

state = pipeline.invoke({"topic": "owls"}, {"configurable": {"thread_id": "b"}})
print("thread b:", state["topic"], state["log"])
'''),
md(r"""
`get_state` gives the latest checkpoint of a thread as a snapshot: `values` (the state), `next` (nothing
left: the run ended), `config` (which names this checkpoint) and `metadata`.
"""),
code(r'''
snapshot = pipeline.get_state(thread_a)
print("next:    ", snapshot.next)
print("metadata:", snapshot.metadata)
print("joke:    ", snapshot.values["joke"])
'''),
md(r"""
## History

`get_state_history` lists a thread's checkpoints, newest first. A fresh thread makes it easy to read: the
input (step −1), the checkpoint that plans `write_joke` (step 0), then one per superstep.
"""),
code(r'''
config = {"configurable": {"thread_id": "history"}}
pipeline.invoke({"topic": "cats"}, config)

history = list(pipeline.get_state_history(config))
for snap in history:
    print(f"step {snap.metadata['step']:>2} ({snap.metadata['source']:5})  next={snap.next!s:18} log={snap.values.get('log', [])}")
'''),
md(r"""
## Time travel: replay

Pass the config of an earlier checkpoint to `invoke` (with `None` as input) and the run continues *from
there*: here from just before `improve_joke`. The nodes after it run again, and the new checkpoints hang
off the old one: the history is a tree, and the thread's latest state is the end of the newest branch.
"""),
code(r'''
before_improve = next(snap for snap in history if snap.next == ("improve_joke",))
replayed = pipeline.invoke(None, before_improve.config)
print(replayed["log"])
print(len(list(pipeline.get_state_history(config))), "checkpoints now, was", len(history))
'''),
md(r"""
Why **three** new checkpoints when only two nodes ran again? Continuing from a past checkpoint first writes a
copy of it, marked `source: "fork"`: the root of the new branch. The old checkpoint keeps its own children
(the original steps 2 and 3 stay in the history, untouched), and the new branch hangs off the copy; then
come the two replayed supersteps, numbered on from the copy. The newest three checkpoints, newest first:
"""),
code(r'''
newest = list(pipeline.get_state_history(config))[:3]
for snap in newest:
    parent = snap.parent_config["configurable"]["checkpoint_id"] if snap.parent_config else None
    print(f"step {snap.metadata['step']} ({snap.metadata['source']:4})  next={snap.next!s:18} "
          f"child of {'the original step 1' if parent == before_improve.config['configurable']['checkpoint_id'] else 'the checkpoint below'}")
'''),
md(r"""
## Time travel: fork with a change

`update_state(config, values)` writes a new checkpoint on top of the one `config` names, with your change
applied (through the reducers, as if a node had returned it). Continuing from the returned config runs
the rest of the graph on the changed state: a **fork**. The original branch stays in the history.
"""),
code(r'''
fork_config = pipeline.update_state(before_improve.config, {"joke": "Cats sleep sixteen hours a day."})
print("the fork will run:", pipeline.get_state(fork_config).next)

forked = pipeline.invoke(None, fork_config)
print(forked["joke"])
'''),
md(r"""
## Surviving a restart: `SqliteSaver`

`InMemorySaver` lives in the kernel and is gone when it restarts. `SqliteSaver(path)` keeps the
checkpoints in a SQLite file. Below, a second saver and a freshly compiled graph, sharing nothing with
the first but the file, find the thread's state: that is what a new kernel would see. (Try it: restart the
kernel, run the first two code cells, then the last one of this section.)
"""),
code(r'''
import pathlib
import tempfile
from wfkit import SqliteSaver

# In the system's temporary folder, not beside the notebooks; the same path after a kernel restart.
db_path = pathlib.Path(tempfile.gettempdir()) / "wfkit-notebook-09" / "checkpoints.db"
db_path.parent.mkdir(exist_ok=True)
for leftover in db_path.parent.glob("checkpoints.db*"):
    leftover.unlink()  # start from an empty file, so this notebook gives the same output every time

first = builder.compile(checkpointer=SqliteSaver(str(db_path)))
first.invoke({"topic": "penguins"}, {"configurable": {"thread_id": "kept"}})
'''),
code(r'''
import pathlib
import tempfile
from wfkit import SqliteSaver

db_path = pathlib.Path(tempfile.gettempdir()) / "wfkit-notebook-09" / "checkpoints.db"
reopened = builder.compile(checkpointer=SqliteSaver(str(db_path)))
saved = reopened.get_state({"configurable": {"thread_id": "kept"}})
print(saved.values["log"])
print(saved.values["joke"])
'''),
md(r"""
## Time travel while stepping

The stepping API does the same on a single run, without a thread to manage: `run.back()` / `run.goto(n)`
go to an earlier superstep, `run.edit(values)` changes the state there, and stepping on forks. Nothing is
lost: `run.history` keeps every superstep of every branch, numbered by `branch`.
"""),
code(r'''
run = pipeline.start({"topic": "cats"}, {"configurable": {"thread_id": "stepping"}})
run.run()
run.goto(1)  # just after write_joke
run.edit({"joke": "A cat walked into a library and asked for a paws-itive review."})
run.run()
for record in run.history:
    print(f"branch {record.branch}: superstep {record.step} ran {record.tasks[0].name:13} -> {record.values['joke'][:50]}...")
'''),
md(r"""
### Two kinds of edit, named

`update_state` applies a change **through the reducers**, as if a node had returned it: on `log`, whose
reducer appends, a new list is *added* to the old one. To *replace* a value past its reducer, wrap it in
`Overwrite` (as in LangGraph). The Debugger's *Edit state* box always means the second: what you type is
the new value. Both, on a copy of the same checkpoint:
"""),
code(r'''
from wfkit.types import Overwrite

through = pipeline.update_state(before_improve.config, {"log": ["edited"]})
replaced = pipeline.update_state(before_improve.config, {"log": Overwrite(["edited"])})
print("update_state, through the reducer:", pipeline.get_state(through).values["log"])
print("update_state with Overwrite:      ", pipeline.get_state(replaced).values["log"])
'''),
md(r"""
The Debugger draws this: the timeline is a tree of branches. The fork is listed under the line it left,
indented and marked ↳, and the steps of the old line that the run no longer passes through are marked
*off path*. **Back** and *Go to this step* move the run, and *Edit state* changes it: the box shows the
state as JSON (messages and pydantic models too), and what you type there replaces the value, past the
key's reducer (as LangGraph's `Overwrite` does), so an edited list is not appended to the old one. The cell below does with Python what those
buttons do: run to the end, go back to step 1, edit the joke, run again.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(pipeline, {"topic": "cats"}, {"configurable": {"thread_id": "debugger"}})
records = await debugger.run_all()
debugger.goto(1)
debugger.edit({"joke": "A cat walked into a library and asked for a paws-itive review."})
records = await debugger.run_all()
debugger
'''),
md(r"""
## Functional API: `previous`

An entrypoint with a checkpointer remembers, per thread, what its last run returned; a parameter named
`previous` receives it. `entrypoint.final(value=..., save=...)` returns one thing and saves another for
next time, here a counter.
"""),
code(r'''
from wfkit import entrypoint, task


@task
def joke_about(topic: str) -> str:
    return llm.invoke(f"Write a joke about {topic}").content


@entrypoint(checkpointer=InMemorySaver())
def numbered_jokes(topic: str, previous: int | None = None):
    number = (previous or 0) + 1
    return entrypoint.final(value=f"Joke #{number}: {joke_about(topic).result()}", save=number)


config = {"configurable": {"thread_id": "jokes"}}
for topic in ["cats", "dogs", "owls"]:
    print(numbered_jokes.invoke(topic, config))
'''),
]
