# The cells of 01_augmented_llm.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 01 · The augmented LLM

Every workflow in these notebooks is built from one block: a model call, made more useful by

* **structured output**: the reply is an instance of a schema you give, not free text to parse;
* **tools**: the model may ask for a function to be called, with arguments it picked;
* **memory**: the conversation and the state are kept between calls (notebook 09).

This notebook shows the first two on their own, then wires them into a small workflow: ask the model,
run the tools it asked for, ask again with the results.
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
## Structured output

Describe the answer you want as a pydantic model; `with_structured_output` returns a model whose
`invoke` gives an instance of it. The field descriptions are part of the prompt: they tell the model what
to put where.
"""),
code(r'''
from pydantic import BaseModel, Field


class SearchQuery(BaseModel):
    search_query: str = Field(None, description="Query that is optimized web search.")
    justification: str = Field(None, description="Why this query is relevant to the user's request.")


structured_llm = llm.with_structured_output(SearchQuery)
output = structured_llm.invoke("How does Calcium CT score relate to high cholesterol?")
output
'''),
code(r'''
print(output.search_query)
print(type(output).__name__)
'''),
md(r"""
The offline model fills in any schema, but only the guide's examples get meaningful answers: for a
schema it does not know, it picks a choice your message names (or the first one) and writes placeholder
text. That keeps unfamiliar code running without a key; with `ANTHROPIC_API_KEY` set, Claude answers for
real.
"""),
code(r'''
from typing import Literal


class Mood(BaseModel):
    mood: Literal["happy", "sad", "neutral"]
    reason: str


llm.with_structured_output(Mood).invoke("My owl learned a new song, I am so happy!")
'''),
md(r"""
## Tools

`@tool` turns a function into a tool: its name, its description (the docstring) and a pydantic schema
of its arguments (from the signature) are what the model sees.
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


print(multiply.name, "-", multiply.description)
multiply.args_schema.model_json_schema()
'''),
md(r"""
`bind_tools` gives a model that knows the tools. Asked something a tool can do, the model does **not**
run it: it answers with a *tool call*, a request naming the tool and its arguments. Running it is your
code's job.
"""),
code(r'''
llm_with_tools = llm.bind_tools([multiply])
msg = llm_with_tools.invoke("What is 2 times 3?")
msg.tool_calls
'''),
md(r"""
A tool runs with the arguments (`invoke(args)` returns the function's value), or with the whole tool call
(`invoke(tool_call)` returns a `ToolMessage` carrying the call's id, ready to send back to the model).
Arguments are validated first, so a model that asks for nonsense gets a clear error instead of a crash
deep inside your function.
"""),
code(r'''
call = msg.tool_calls[0]
print(multiply.invoke(call["args"]))
multiply.invoke(call).pretty_print()
'''),
code(r'''
try:
    multiply.invoke({"a": 2, "b": "three"})
except Exception as error:
    print(f"{type(error).__name__}: {error}")
'''),
md(r"""
## One round of tool use, as a graph

Now the pieces together. The state is a list of messages (`MessagesState`): each node returns the
messages it adds, and the `add_messages` reducer appends them. `ask` calls the model, `run_tools` runs
every tool call of the model's last message, and `answer` asks the model again, now with the results.

If the model asks for no tool, the dashed edge goes straight to the end. This is a *workflow*: the code
fixes that tools run at most once. Notebook 07 lets the model loop for as long as it wants: an *agent*.
"""),
code(r'''
from wfkit import StateGraph, START, END, MessagesState
from wfkit.messages import HumanMessage

tools_by_name = {multiply.name: multiply}


def ask(state: MessagesState):
    return {"messages": [llm_with_tools.invoke(state["messages"])]}


def needs_tools(state: MessagesState):
    return "run_tools" if state["messages"][-1].tool_calls else END


def run_tools(state: MessagesState):
    calls = state["messages"][-1].tool_calls
    return {"messages": [tools_by_name[call["name"]].invoke(call) for call in calls]}


def answer(state: MessagesState):
    return {"messages": [llm_with_tools.invoke(state["messages"])]}


builder = StateGraph(MessagesState)
builder.add_node("ask", ask)
builder.add_node("run_tools", run_tools)
builder.add_node("answer", answer)
builder.add_edge(START, "ask")
builder.add_conditional_edges("ask", needs_tools, ["run_tools", END])
builder.add_edge("run_tools", "answer")
builder.add_edge("answer", END)
calculator = builder.compile()
calculator
'''),
code(r'''
result = calculator.invoke({"messages": [HumanMessage("What is 6 times 7?")]})
for message in result["messages"]:
    message.pretty_print()
'''),
md(r"""
### Step through it

Step once: `ask` ran and the next superstep is `run_tools`, because the model's reply has a tool call.
Step again to see the tool's result arrive as a new message. The **Step** tab says why each node runs
and what it wrote.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(calculator, {"messages": [HumanMessage("What is 6 times 7?")]})
record = await debugger.step()
debugger
'''),
md(r"""
## The same with the Functional API

With `@task` and `@entrypoint` the workflow is ordinary Python: an `if` instead of a conditional edge, a
list of futures instead of a tool node. Each `@task` call returns a future at once; several tool calls
would run in parallel, and `.result()` waits for them.
"""),
code(r'''
from wfkit import task, entrypoint


@task
def call_model(messages: list):
    return llm_with_tools.invoke(messages)


@task
def call_tool(tool_call: dict):
    return tools_by_name[tool_call["name"]].invoke(tool_call)


@entrypoint()
def calculate(question: str) -> str:
    messages = [HumanMessage(question)]
    reply = call_model(messages).result()
    if reply.tool_calls:
        futures = [call_tool(tool_call) for tool_call in reply.tool_calls]
        messages += [reply, *(future.result() for future in futures)]
        reply = call_model(messages).result()
    return reply.content


calculate.invoke("What is 6 times 7?")
'''),
md(r"""
Streaming in `"updates"` mode shows each task's result as it finishes, then the entrypoint's return value:
the Functional API's view of what ran.
"""),
code(r'''
def show(value):
    if getattr(value, "tool_calls", None):
        return "asks for " + ", ".join(f"{call['name']}({call['args']})" for call in value.tool_calls)
    return getattr(value, "content", value)


for update in calculate.stream("What is 6 times 7?", stream_mode="updates"):
    for name, value in update.items():
        print(f"{name}: {show(value)}")
'''),
md(r"""
## Your own offline replies

To try a workflow of your own without a key, give `ScriptedModel` the replies (a list, used in order) or
a function of the request (`request.messages`, `request.schema`, `request.tools`). That is all the
offline model is: a `ScriptedModel` with replies for these notebooks.
"""),
code(r'''
from wfkit.llm import ScriptedModel

scripted = ScriptedModel(["First canned reply.", "Second canned reply."])
print(scripted.invoke("anything").content)
print(scripted.invoke("anything else").content)
'''),
md(r"""
## Thinking and tokens

With extended thinking on (`Claude(thinking={"type": "enabled", "budget_tokens": 2048})`), Claude's reply
holds its reasoning as a `thinking` block before the answer, and every reply counts its tokens. wfkit keeps
every block: `content` becomes a list of blocks (`.text` is still just the answer), and the blocks go back
unchanged with the conversation, as the API requires when thinking and tool use mix. A scripted reply can
have the same shape, so it shows offline what a live run gives:
"""),
code(r'''
from wfkit.messages import AIMessage

thinking_model = ScriptedModel([AIMessage(
    [{"type": "thinking", "thinking": "6 times 7 is 42; nothing else is asked.", "signature": "sig-offline"},
     {"type": "text", "text": "It is 42."}],
    usage_metadata={"input_tokens": 31, "output_tokens": 18, "total_tokens": 49})])

reply = thinking_model.invoke("What is 6 times 7?")
for block in reply.content:
    print(f"{block['type']:>8}: {block.get('thinking') or block.get('text')}")
print("text:", reply.text)
print("tokens:", reply.usage_metadata)
'''),
md(r"""
Streamed, the thinking arrives first, in blocks marked `"type": "thinking"`; the chunks add up to the same
message. Inside a graph, the Debugger lists each model call under the node that made it, with its tokens
(and, for the offline model, why it answered so). `Claude.count_tokens(messages)` asks the API what a
request would cost before sending it, and `usage_metadata["input_token_details"]` shows prompt-cache
reads and writes (`Claude(cache_prompt=True)` marks the system prompt and tools for caching).
"""),
code(r'''
streamed = ScriptedModel([reply])
for chunk in streamed.stream("What is 6 times 7?"):
    kinds = [b["type"] for b in chunk.content] if isinstance(chunk.content, list) else ["text"]
    print(kinds, chunk.text or "")
'''),
]
