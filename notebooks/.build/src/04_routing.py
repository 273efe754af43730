# The cells of 04_routing.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 04 · Routing

A router looks at the input first and sends it to the one handler that suits it: a pricing question to
the pricing flow, a refund to the refund flow. Each handler can then be simple and specialised.

Here a model call with **structured output** is the router: it must answer with one of `"poem"`,
`"story"` or `"joke"`, so its answer can be used directly to pick the next node.
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
## Graph API

The router node stores its decision in the state; `route_decision`, a function of the state given to
`add_conditional_edges`, turns the decision into a node name. Only one of the three handlers runs.
"""),
code(r'''
from typing_extensions import Literal, TypedDict
from pydantic import BaseModel, Field
from wfkit import StateGraph, START, END
from wfkit.messages import HumanMessage, SystemMessage


class Route(BaseModel):
    step: Literal["poem", "story", "joke"] = Field(None, description="The next step in the routing process")


router = llm.with_structured_output(Route)


class State(TypedDict):
    input: str
    decision: str
    output: str


def llm_call_1(state: State):
    """Write a story"""
    result = llm.invoke(state["input"])
    return {"output": result.content}


def llm_call_2(state: State):
    """Write a joke"""
    result = llm.invoke(state["input"])
    return {"output": result.content}


def llm_call_3(state: State):
    """Write a poem"""
    result = llm.invoke(state["input"])
    return {"output": result.content}


def llm_call_router(state: State):
    """Route the input to the appropriate node"""
    decision = router.invoke([
        SystemMessage(content="Route the input to story, joke, or poem based on the user's request."),
        HumanMessage(content=state["input"]),
    ])
    return {"decision": decision.step}


def route_decision(state: State):
    if state["decision"] == "story":
        return "llm_call_1"
    elif state["decision"] == "joke":
        return "llm_call_2"
    elif state["decision"] == "poem":
        return "llm_call_3"


router_builder = StateGraph(State)
router_builder.add_node("llm_call_1", llm_call_1)
router_builder.add_node("llm_call_2", llm_call_2)
router_builder.add_node("llm_call_3", llm_call_3)
router_builder.add_node("llm_call_router", llm_call_router)
router_builder.add_edge(START, "llm_call_router")
router_builder.add_conditional_edges(
    "llm_call_router",
    route_decision,
    {"llm_call_1": "llm_call_1", "llm_call_2": "llm_call_2", "llm_call_3": "llm_call_3"},
)
router_builder.add_edge("llm_call_1", END)
router_builder.add_edge("llm_call_2", END)
router_builder.add_edge("llm_call_3", END)
router_workflow = router_builder.compile()
router_workflow
'''),
md(r"""
The three dashed edges are the router's possible choices; the mapping given to `add_conditional_edges`
is what lets the picture show them before anything has run.
"""),
code(r'''
for request in ["Write me a joke about cats", "Write me a poem about the sea", "Tell me a story about owls"]:
    state = router_workflow.invoke({"input": request})
    print(f"{request!r} -> {state['decision']}")
    print("   ", state["output"].replace("\n", " / "))
'''),
md(r"""
### Why did it route there?

A real model reads the request; the offline model follows a rule you can see. `llm.explain()` prints what
it was asked, what it answered and why: here a request that names none of the three words, but means one,
and one that means none of them (the router then falls back to the first option, and says so).
"""),
code(r'''
for request in ["Tell me something funny about cats", "Hello there"]:
    state = router_workflow.invoke({"input": request})
    print(f"{request!r} -> {state['decision']}")
print()
print(llm.explain(last=4))
'''),
md(r"""
### Step through it

After the first step, *next* names the handler the conditional edge chose, and the picture marks it. The
other two handlers never run on this input.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(router_workflow, {"input": "Write me a poem about the sea"})
record = await debugger.step()
debugger
'''),
md(r"""
## Routing from inside a node: `Command`

Instead of a decision in the state plus a routing function, the router node can return a `Command`: an
update *and* where to go next, in one value; no conditional edge is needed. The return type
`Command[Literal[...]]` declares the possible destinations, so `compile()` knows that the handlers can be
reached (without it, it would refuse the graph: nothing would lead to them).
"""),
code(r'''
from wfkit import Command

handlers = {"story": "llm_call_1", "joke": "llm_call_2", "poem": "llm_call_3"}


def route_with_command(state: State) -> Command[Literal["llm_call_1", "llm_call_2", "llm_call_3"]]:
    decision = router.invoke([
        SystemMessage(content="Route the input to story, joke, or poem based on the user's request."),
        HumanMessage(content=state["input"]),
    ])
    return Command(update={"decision": decision.step}, goto=handlers[decision.step])


command_builder = StateGraph(State)
command_builder.add_node("router", route_with_command)
command_builder.add_node("llm_call_1", llm_call_1)
command_builder.add_node("llm_call_2", llm_call_2)
command_builder.add_node("llm_call_3", llm_call_3)
command_builder.add_edge(START, "router")
for handler in handlers.values():
    command_builder.add_edge(handler, END)
command_router = command_builder.compile()
'''),
code(r'''
command_router.invoke({"input": "Write me a story about a lighthouse"})
'''),
md(r"""
## Functional API

The router is a plain function call and the choice is an `if`; only the chosen task runs, so the stream
shows exactly one handler.
"""),
code(r'''
from wfkit import task, entrypoint


@task
def write_story(input_: str):
    return llm.invoke(input_).content


@task
def write_joke(input_: str):
    return llm.invoke(input_).content


@task
def write_poem(input_: str):
    return llm.invoke(input_).content


def route(input_: str) -> str:
    decision = router.invoke([
        SystemMessage(content="Route the input to story, joke, or poem based on the user's request."),
        HumanMessage(content=input_),
    ])
    return decision.step


@entrypoint()
def router_entrypoint(input_: str):
    handler = {"story": write_story, "joke": write_joke, "poem": write_poem}[route(input_)]
    return handler(input_).result()


for step in router_entrypoint.stream("Write me a joke about cats", stream_mode="updates"):
    print(step)
'''),
md(r"""
## Your turn

Fill in each `...`, run the cell, then run the check under it. The checks keep the answers out of sight;
a wrong answer gets a hint on where to look. Supersteps are counted as the Debugger's timeline numbers
them: superstep 0 applies the input, supersteps 1, 2, ... run nodes.
"""),
md(r"""
**1. Predict the next superstep.** The router has just decided `"poem"`. Which node does the next
superstep run?
"""),
code(r'''
my_next = ...  # a node name
''', tags=("exercise",)),
code(r'''
from wfkit.exercises import routing

routing.your_turn_1(my_next, router_workflow)
''', tags=("check",)),
md(r"""
**2. Predict a route.** Predict which handler node `command_router` runs for the input
`"A tale about a lighthouse keeper"`.
"""),
code(r'''
my_handler = ...  # "llm_call_1", "llm_call_2" or "llm_call_3"
''', tags=("exercise",)),
code(r'''
routing.your_turn_2(my_handler, command_router)
''', tags=("check",)),
]

SOLUTIONS = [
    '''my_next = "llm_call_3"''',
    '''my_handler = "llm_call_1"''',
]
