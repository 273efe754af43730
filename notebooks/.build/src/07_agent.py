# The cells of 07_agent.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 07 · Agent

In the workflows so far, the code decided the path: which calls, in which order, how often. An **agent**
hands that decision to the model: in a loop, the model looks at the conversation so far and either asks
for tools or answers. The code only runs the tools it asked for and gives back the results.

That makes the number of turns unknown in advance, so the questions become: what did the model decide at
each turn, and with what in front of it? Stepping through the loop answers both.
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
## The tools
"""),
code(r'''
from wfkit.llm import tool


@tool
def multiply(a: int, b: int) -> int:
    """Multiply `a` and `b`.

    Args:
        a: First int
        b: Second int
    """
    return a * b


@tool
def add(a: int, b: int) -> int:
    """Adds `a` and `b`.

    Args:
        a: First int
        b: Second int
    """
    return a + b


@tool
def divide(a: int, b: int) -> float:
    """Divide `a` and `b`.

    Args:
        a: First int
        b: Second int
    """
    return a / b


tools = [add, multiply, divide]
tools_by_name = {tool.name: tool for tool in tools}
llm_with_tools = llm.bind_tools(tools)
'''),
md(r"""
## Graph API

The state is `MessagesState`: one key, `messages`, with the `add_messages` reducer. Two nodes take turns:
`llm_call` (the model decides) and `tool_node` (the tools run). After each model turn, `should_continue`
looks at the last message: tool calls lead to `tool_node`, anything else ends the run. The edge from
`tool_node` back to `llm_call` closes the loop.
"""),
code(r'''
from typing_extensions import Literal
from wfkit import StateGraph, START, END, MessagesState
from wfkit.messages import HumanMessage, SystemMessage, ToolMessage


def llm_call(state: MessagesState):
    """LLM decides whether to call a tool or not"""
    return {"messages": [llm_with_tools.invoke(
        [SystemMessage(content="You are a helpful assistant tasked with performing arithmetic on a set of inputs.")]
        + state["messages"]
    )]}


def tool_node(state: dict):
    """Performs the tool call"""
    result = []
    for tool_call in state["messages"][-1].tool_calls:
        tool = tools_by_name[tool_call["name"]]
        observation = tool.invoke(tool_call["args"])
        result.append(ToolMessage(content=observation, tool_call_id=tool_call["id"]))
    return {"messages": result}


def should_continue(state: MessagesState) -> Literal["tool_node", END]:
    """Decide if we should continue the loop or stop based upon whether the LLM made a tool call"""
    if state["messages"][-1].tool_calls:
        return "tool_node"
    return END


agent_builder = StateGraph(MessagesState)
agent_builder.add_node("llm_call", llm_call)
agent_builder.add_node("tool_node", tool_node)
agent_builder.add_edge(START, "llm_call")
agent_builder.add_conditional_edges("llm_call", should_continue, ["tool_node", END])
agent_builder.add_edge("tool_node", "llm_call")
agent = agent_builder.compile()
agent
'''),
code(r'''
messages = agent.invoke({"messages": [HumanMessage(content="Add 3 and 4.")]})
for m in messages["messages"]:
    m.pretty_print()
'''),
md(r"""
### Why did the model call that tool?

The offline model reads the arithmetic in the question and plans the steps, with the usual precedence;
each reply says which step of the plan it is. It does multi-step questions right, and says so when it
cannot (an operation with no tool bound):
"""),
code(r'''
for question in ["What is 6 times 7 plus 8?", "What is 10 minus 3?"]:
    answer = agent.invoke({"messages": [HumanMessage(content=question)]})["messages"][-1].content
    print(f"{question} -> {answer}")
print()
print(llm.explain(last=4))
'''),
md(r"""
## What the `add_messages` reducer does

Each node returned only its *new* messages, yet the final state has the whole conversation: the reducer
appends. It does one more thing: a message whose `id` is already in the list **replaces** that message
instead of being appended, which is how you correct a message in place.
"""),
code(r'''
from wfkit import add_messages
from wfkit.messages import AIMessage

history = [HumanMessage("Add 3 and 4.", id="q"), AIMessage("It is 8.", id="a")]
history = add_messages(history, [AIMessage("It is 7.", id="a")])  # same id: replaced
history = add_messages(history, [HumanMessage("Thanks!", id="t")])  # new id: appended
[(m.type, m.content) for m in history]
'''),
md(r"""
## Stepping through the loop

A question that needs three tools in a row. The offline model asks for one tool per turn, so the loop
goes round three times: `llm_call` and `tool_node` alternate, one per superstep, and the conditional edge
decides after every model turn.
"""),
code(r'''
run = agent.start({"messages": [HumanMessage(content="Add 3 and 4, then multiply by 5, then divide by 7.")]})
while not run.done:
    record = run.step()
    new = record.writes_of(record.tasks[0].name)["messages"]
    for message in new:
        if getattr(message, "tool_calls", None):
            what = "asks for " + ", ".join(f"{c['name']}({c['args']['a']}, {c['args']['b']})" for c in message.tool_calls)
        else:
            what = repr(message.content)
        print(f"superstep {record.step}: {record.tasks[0].name:9} -> {message.type}: {what}")
'''),
md(r"""
In the Debugger: press **Step** and watch the marks alternate between the two nodes; *next* says each time
why (the conditional edge chose `tool_node`, or the edge back to `llm_call`). A breakpoint on `tool_node`
makes **Run** stop before every tool call, so you can check what the model asked for before it runs.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(agent, {"messages": [HumanMessage(content="Add 3 and 4, then multiply by 5, then divide by 7.")]},
                    breakpoints={"tool_node"})
records = await debugger.run_all()  # stops before the first tool call
debugger
'''),
md(r"""
## Functional API

The same loop as a `while` loop. Each turn's tool calls start together as tasks (they would run in
parallel if the model asked for several at once), and `add_messages` builds the conversation explicitly.
"""),
code(r'''
from wfkit import task, entrypoint
from wfkit.messages import BaseMessage, ToolCall


@task
def call_llm(messages: list[BaseMessage]):
    """LLM decides whether to call a tool or not"""
    return llm_with_tools.invoke(
        [SystemMessage(content="You are a helpful assistant tasked with performing arithmetic on a set of inputs.")]
        + messages
    )


@task
def call_tool(tool_call: ToolCall):
    """Performs the tool call"""
    tool = tools_by_name[tool_call["name"]]
    return tool.invoke(tool_call)


@entrypoint()
def agent_entrypoint(messages: list[BaseMessage]):
    llm_response = call_llm(messages).result()
    while True:
        if not llm_response.tool_calls:
            break
        tool_result_futures = [call_tool(tool_call) for tool_call in llm_response.tool_calls]
        tool_results = [fut.result() for fut in tool_result_futures]
        messages = add_messages(messages, [llm_response, *tool_results])
        llm_response = call_llm(messages).result()
    messages = add_messages(messages, llm_response)
    return messages


for m in agent_entrypoint.invoke([HumanMessage(content="Multiply 6 and 7, then add 8.")]):
    m.pretty_print()
'''),
md(r"""
## Your turn

Fill in each `...`, run the cell, then run the check under it. The checks keep the answers out of sight;
a wrong answer gets a hint on where to look. Supersteps are counted as the Debugger's timeline numbers
them: superstep 0 applies the input, supersteps 1, 2, ... run nodes.
"""),
md(r"""
**1. Review before the tool runs.** Compile the agent as `reviewed_agent` with a checkpointer and a
static breakpoint so that the run stops *before* the first tool call (notebook 08 shows the options).
"""),
code(r'''
reviewed_agent = ...
''', tags=("exercise",)),
code(r'''
from wfkit.exercises import agent as checks

checks.your_turn_1(reviewed_agent)
''', tags=("check",)),
md(r"""
**2. Three tools, answer 42.** Ask the agent a question that takes at least three tool calls and whose
answer is 42.
"""),
code(r'''
my_question = ...
''', tags=("exercise",)),
code(r'''
checks.your_turn_2(my_question, agent)
''', tags=("check",)),
]

SOLUTIONS = [
    '''from wfkit import InMemorySaver

reviewed_agent = agent_builder.compile(checkpointer=InMemorySaver(), interrupt_before=["tool_node"])''',
    '''my_question = "Add 2 and 4, then multiply by 14, then divide by 2."''',
]
