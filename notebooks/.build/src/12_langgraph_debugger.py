# The cells of 12_langgraph_debugger.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 12 · Your LangGraph graph in the Debugger

The widgets are not only for wfkit's engine. Give the `Debugger`, `GraphView` or `ReviewPanel` a graph built
with **LangGraph itself** and LangGraph runs it: each Step is one LangGraph superstep, on the graph's own
checkpointer, so what the Debugger shows is what LangGraph did. Nothing of your graph changes, and it needs
no server and no account: `pip install "wfkit[langgraph]"`.

Here is the guide's tool-calling agent written with LangGraph (`from langgraph.graph import StateGraph`),
with wfkit's offline model standing in for the chat model (a small function turns LangChain's messages
into wfkit's and back), so that the notebook runs offline. Before a
tool runs, the agent asks a person with LangGraph's `interrupt()`.
"""),
code(r'''
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from wfkit import messages as wf
from wfkit.llm import default_model, tool


@tool
def add(a: int, b: int) -> int:
    """Adds `a` and `b`.

    Args:
        a: First int
        b: Second int
    """
    return a + b


@tool
def multiply(a: int, b: int) -> int:
    """Multiply `a` and `b`.

    Args:
        a: First int
        b: Second int
    """
    return a * b


tools_by_name = {t.name: t for t in [add, multiply]}
llm_with_tools = default_model().bind_tools([add, multiply])


def as_wfkit(message):
    """A LangChain message as wfkit's, for wfkit's offline model."""
    if isinstance(message, ToolMessage):
        return wf.ToolMessage(message.content, tool_call_id=message.tool_call_id)
    if isinstance(message, AIMessage):
        return wf.AIMessage(message.content, tool_calls=message.tool_calls)
    return wf.HumanMessage(message.content)


def chat_model(messages):
    """The offline model's reply to a LangChain conversation, as a LangChain `AIMessage`."""
    reply = llm_with_tools.invoke([as_wfkit(m) for m in messages])
    return AIMessage(reply.content, tool_calls=reply.tool_calls, id=f"ai-{len(messages)}")
'''),
md(r"""
## The agent, in LangGraph

`llm_call` lets the model decide; `tool_node` asks for approval with `interrupt()`, then runs the tools the
model asked for; `should_continue` loops while the model asks for tools. The graph is compiled with
LangGraph's own `InMemorySaver` (any LangGraph checkpointer works: a `SqliteSaver` file another process
wrote opens where it stands with `wfkit.start(graph, None, {"configurable": {"thread_id": ...}})`).
"""),
code(r'''
from typing_extensions import Literal

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.types import interrupt


def llm_call(state: MessagesState):
    return {"messages": [chat_model(state["messages"])]}


def tool_node(state: MessagesState):
    calls = state["messages"][-1].tool_calls
    verdict = interrupt({"run": [f"{c['name']}({c['args']['a']}, {c['args']['b']})" for c in calls]})
    if verdict is not True:
        return {"messages": [ToolMessage(f"not run: {verdict}", tool_call_id=c["id"], id=f"tool-{c['id']}")
                             for c in calls]}
    return {"messages": [ToolMessage(str(tools_by_name[c["name"]].invoke(c["args"])), tool_call_id=c["id"],
                                     id=f"tool-{c['id']}") for c in calls]}


def should_continue(state: MessagesState) -> Literal["tool_node", END]:
    return "tool_node" if state["messages"][-1].tool_calls else END


builder = StateGraph(MessagesState)
builder.add_node("llm_call", llm_call)
builder.add_node("tool_node", tool_node)
builder.add_edge(START, "llm_call")
builder.add_conditional_edges("llm_call", should_continue, ["tool_node", END])
builder.add_edge("tool_node", "llm_call")
agent = builder.compile(checkpointer=InMemorySaver())
type(agent).__module__
'''),
md(r"""
The picture the widgets draw of it, made from LangGraph's `get_graph()`:
"""),
code(r'''
from wfkit.widgets import GraphView

GraphView(agent).graph
'''),
md(r"""
## Step it

The Debugger takes the LangGraph graph as it takes a wfkit one. The picture comes from LangGraph's
`get_graph()` (the conditional edge dashed). **Step** runs one superstep; *next* says why each task runs, in
the same words as for a wfkit graph. Here two steps: the model asks for `add`, and `tool_node` stops at its
`interrupt()`: the review panel appears under the Debugger.
"""),
code(r'''
from wfkit.widgets import Debugger

question = {"messages": [HumanMessage("Add 3 and 4, then multiply by 5.", id="question")]}
config = {"configurable": {"thread_id": "agent-1"}}
debugger = Debugger(agent, question, config)
await debugger.step()
await debugger.step()
debugger
'''),
md(r"""
## Review

The panel shows the interrupt's payload: the tool call waiting for approval. **Approve** answers `True`; the
answer goes to LangGraph as `Command(resume=True)` and lands in its checkpointer. From Python, as if you had
pressed the button (the run goes on up to the next interrupt, before `multiply`):
"""),
code(r'''
debugger.review.approve(0)
await debugger.pending
print(debugger.status_text())
print("LangGraph's own state:", [m.content or m.tool_calls[0]["name"] for m in agent.get_state(config).values["messages"]])
'''),
md(r"""
## Fork

Go back to the step where the model asked for `add`, change its request to `add(3, 5)`, and step on: the
edit is LangGraph's `update_state`, so stepping on forks a new branch in LangGraph's own history. The
timeline shows both branches.
"""),
code(r'''
debugger.goto(1)
debugger.edit({"messages": [AIMessage("", id="ai-1", tool_calls=[{"name": "add", "args": {"a": 3, "b": 5}, "id": "call-edited"}])]})
await debugger.step()
debugger.review.approve(0)
await debugger.pending
debugger.review.approve(0)
await debugger.pending
print(debugger.status_text())
print(debugger.run.state["messages"][-1].content)
debugger
'''),
md(r"""
## The Debugger's records are LangGraph's history

Everything above came from LangGraph's public API. Each superstep the Debugger recorded, on both branches,
is a checkpoint in LangGraph's own `get_state_history`, with the same step and the same state:
"""),
code(r'''
def said(values):
    return " | ".join(m.content or f"{m.tool_calls[0]['name']}{tuple(m.tool_calls[0]['args'].values())}"
                      for m in values["messages"][1:])


records = {r.checkpoint_id: (r.step, r.branch, said(r.values)) for r in debugger.run.history if r.checkpoint_id}
history = {s.config["configurable"]["checkpoint_id"]: (s.metadata["step"], said(s.values))
           for s in agent.get_state_history(config)}
print("the Debugger's records (step, branch, messages after the question):")
for step, branch, text in sorted(records.values()):
    print(f"  {step} [{branch}] {text}")
print("LangGraph's get_state_history, the same checkpoints:")
for step, text in sorted(history[cid] for cid in records):
    print(f"  {step}     {text}")
print("equal:", all(history[cid] == (step, text) for cid, (step, _, text) in records.items()))
'''),
md(r"""
## LangGraph's Functional API too

An `@entrypoint` from `langgraph.func` is driven the same way. For LangGraph the whole function is one
superstep (step 0; its `@task` calls run inside it), and the run records just that:
"""),
code(r'''
import wfkit
from langgraph.func import entrypoint, task


@task
def call_tool(tool_call):
    return ToolMessage(str(tools_by_name[tool_call["name"]].invoke(tool_call["args"])), tool_call_id=tool_call["id"],
                       id=f"tool-{tool_call['id']}")


@entrypoint(checkpointer=InMemorySaver())
def agent_function(messages):
    reply = chat_model(messages)
    while reply.tool_calls:
        messages = messages + [reply] + [call.result() for call in [call_tool(c) for c in reply.tool_calls]]
        reply = chat_model(messages)
    return reply.content


run = wfkit.start(agent_function, [HumanMessage("Add 3 and 4, then multiply by 5.", id="question")],
                  {"configurable": {"thread_id": "functional-1"}})
for record in run.run():
    print(record.step, [t.name for t in record.tasks])
print(run.state)
'''),
]
