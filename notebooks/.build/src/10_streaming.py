# The cells of 10_streaming.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 10 · Streaming

A workflow that takes a minute should not look frozen for a minute. `stream()` hands you the run while
it happens, in the amount of detail you choose with `stream_mode`:

| mode | you get | good for |
|---|---|---|
| `"updates"` (default) | `{node: what it wrote}` as each node finishes | progress, logs |
| `"values"` | the whole state after each superstep | watching the state grow |
| `"messages"` | the model's tokens as they arrive, with the node that asked | chat UIs |
| `"custom"` | whatever a node passes to `get_stream_writer()` | your own progress events |
| `"debug"` | every task start and result and every checkpoint | tooling |

Several at once: pass a list, and you get `(mode, chunk)` pairs.
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
A two-step graph to stream: write a joke, then improve it. `write_joke` also reports its progress
through `get_stream_writer()`, the hook for the `"custom"` mode (with nobody listening, its events go
nowhere).
"""),
code(r'''
from typing_extensions import TypedDict
from wfkit import StateGraph, START, END, get_stream_writer


class State(TypedDict):
    topic: str
    joke: str


def write_joke(state: State):
    writer = get_stream_writer()
    writer({"progress": f"asking the model for a joke about {state['topic']}"})
    joke = llm.invoke(f"Write a joke about {state['topic']}").content
    writer({"progress": f"got {len(joke.split())} words"})
    return {"joke": joke}


def improve_joke(state: State):
    return {"joke": llm.invoke(f"Make this joke funnier by adding wordplay: {state['joke']}").content}


builder = StateGraph(State)
builder.add_node("write_joke", write_joke)
builder.add_node("improve_joke", improve_joke)
builder.add_edge(START, "write_joke")
builder.add_edge("write_joke", "improve_joke")
builder.add_edge("improve_joke", END)
graph = builder.compile()
graph
'''),
md(r"""
## `updates` and `values`

`"updates"` gives one chunk per node, holding only what that node wrote. `"values"` gives the full state
after each superstep, starting with the input.
"""),
code(r'''
for chunk in graph.stream({"topic": "cats"}, stream_mode="updates"):
    print(chunk)
'''),
code(r'''
for state in graph.stream({"topic": "cats"}, stream_mode="values"):
    print(state)
'''),
md(r"""
## `custom`: your own events
"""),
code(r'''
for event in graph.stream({"topic": "cats"}, stream_mode="custom"):
    print(event)
'''),
md(r"""
## `messages`: tokens as they arrive

Nodes call `llm.invoke()` as usual; when the run is streamed in `"messages"` mode, the engine has the
model stream its reply and passes on every chunk, paired with metadata that says which node (and
superstep) it belongs to. The node itself still receives the whole message.
"""),
code(r'''
node = None
for chunk, metadata in graph.stream({"topic": "cats"}, stream_mode="messages"):
    if metadata["langgraph_node"] != node:
        node = metadata["langgraph_node"]
        print(f"\n[{node}]", end="")
    print(f" {chunk.content!r}", end="")
print()
'''),
md(r"""
(The offline model sends one word per chunk; Claude's chunks are whatever its API sends.)

To show tokens the way a chat UI does, update one display in place as they come. Only the final text is
saved in the notebook; run the cell to see it grow.
"""),
code(r'''
from IPython.display import Markdown, display

handle = display(Markdown(""), display_id=True)
text = ""
for chunk, metadata in graph.stream({"topic": "cats"}, stream_mode="messages"):
    if metadata["langgraph_node"] == "improve_joke":
        text += chunk.content
        handle.update(Markdown(f"**improve_joke:** {text}"))
''', tags=("nbval-ignore-output",)),  # nbval does not replay display updates
md(r"""
## Several modes at once

With a list of modes, every chunk comes as `(mode, chunk)`, in the order things happened: the progress
events of `write_joke` arrive before its update.
"""),
code(r'''
for mode, chunk in graph.stream({"topic": "cats"}, stream_mode=["updates", "custom"]):
    print(f"{mode:8} {chunk}")
'''),
md(r"""
## `debug`: everything

One event per task start (`task`) and task result (`task_result`), and with a checkpointer one per
checkpoint (`checkpoint`), as in LangGraph. The events also carry ids and timestamps; here only their type,
step and node.
"""),
code(r'''
for event in graph.stream({"topic": "cats"}, stream_mode="debug"):
    payload = event["payload"]
    print(event["step"], event["type"], payload.get("name", payload.get("next", "")))
'''),
md(r"""
## Async

`astream` is the same with `async for`. A notebook cell can `await` at the top level, so this works in
Jupyter as it is; in an async web server it is the one to use.
"""),
code(r'''
async for chunk in graph.astream({"topic": "owls"}, stream_mode="updates"):
    print(chunk)
'''),
md(r"""
## The model on its own

Outside a graph, `llm.stream()` yields the chunks directly; adding chunks together builds the message.
"""),
code(r'''
chunks = list(llm.stream("Write a poem about owls"))
print(len(chunks), "chunks")
message = chunks[0]
for chunk in chunks[1:]:
    message = message + chunk
print(message.content)
'''),
md(r"""
## Functional API

An entrypoint streams the same modes. In `"updates"` mode each task's result arrives when the task
finishes, then the entrypoint's return value; tasks can use `get_stream_writer()` too.
"""),
code(r'''
from wfkit import task, entrypoint


@task
def write(topic: str) -> str:
    get_stream_writer()({"progress": f"writing about {topic}"})
    return llm.invoke(f"Write a joke about {topic}").content


@task
def improve(joke: str) -> str:
    return llm.invoke(f"Make this joke funnier by adding wordplay: {joke}").content


@entrypoint()
def joke_pipeline(topic: str) -> str:
    return improve(write(topic).result()).result()


for mode, chunk in joke_pipeline.stream("cats", stream_mode=["custom", "updates"]):
    print(f"{mode:8} {chunk}")
'''),
md(r"""
## The Debugger's event log

The Debugger listens to the engine's events, like the streams do. Its **Events** tab lists them:
supersteps planned, tasks started and finished, writes applied, and what nodes passed to
`get_stream_writer()`.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(graph, {"topic": "cats"})
records = await debugger.run_all()
debugger
'''),
]
