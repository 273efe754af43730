"""Small graphs the widget tests step through: the guide's calculator agent (offline), a review graph with
two interrupts and a join, slow async nodes, a node that fails until told not to, a join that waits across
supersteps, and a Send fan-out."""

import asyncio
import html
import operator
import re
import threading
from typing import Annotated, Literal, TypedDict

import pytest

from wfkit import END, START, MessagesState, Send, StateGraph, interrupt
from wfkit.llm import ScriptedModel, tool
from wfkit.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage


def strip_tags(html_text: str) -> str:
    """The text a browser would show for an HTML fragment (entities decoded, whitespace collapsed)."""
    text = re.sub(r"<[^>]+>", " ", html_text)
    return " ".join(html.unescape(text).split())


@pytest.fixture
def text_of():
    """`text_of(html)`: an HTML fragment's visible text, whitespace collapsed."""
    return strip_tags


@tool
def add(a: int, b: int) -> int:
    """Adds `a` and `b`."""
    return a + b


@tool
def multiply(a: int, b: int) -> int:
    """Multiply `a` and `b`."""
    return a * b


TOOLS = {t.name: t for t in (add, multiply)}


def calculator_replies(request):
    """The offline model of the guide's sample 15: one tool call, then the answer."""
    last = request.messages[-1]
    if isinstance(last, ToolMessage):
        return f"The answer is {last.content}."
    a, b = (int(n) for n in re.findall(r"\d+", last.content)[:2])
    return AIMessage(content="", tool_calls=[{"name": "add", "args": {"a": a, "b": b}, "id": "call_1",
                                              "type": "tool_call"}])


@pytest.fixture
def agent():
    """The guide's calculator agent (sample 15) on a ScriptedModel."""
    llm_with_tools = ScriptedModel(calculator_replies).bind_tools(list(TOOLS.values()))

    def llm_call(state: MessagesState):
        return {"messages": [llm_with_tools.invoke([SystemMessage(content="You do arithmetic.")] + state["messages"])]}

    def tool_node(state: dict):
        return {"messages": [ToolMessage(content=TOOLS[c["name"]].invoke(c["args"]), tool_call_id=c["id"])
                             for c in state["messages"][-1].tool_calls]}

    def should_continue(state: MessagesState) -> Literal["tool_node", END]:
        return "tool_node" if state["messages"][-1].tool_calls else END

    builder = StateGraph(MessagesState)
    builder.add_node("llm_call", llm_call)
    builder.add_node("tool_node", tool_node)
    builder.add_edge(START, "llm_call")
    builder.add_conditional_edges("llm_call", should_continue, ["tool_node", END])
    builder.add_edge("tool_node", "llm_call")
    return builder.compile()


@pytest.fixture
def question():
    return {"messages": [HumanMessage(content="Add 3 and 4.", id="q1")]}


class Notes(TypedDict):
    topic: str
    notes: Annotated[list, operator.add]


@pytest.fixture
def review_app():
    """plan → (ask_a, ask_b in parallel, both interrupt) → join → done."""

    def plan(state):
        return {"notes": ["planned " + state["topic"]]}

    def ask_a(state):
        return {"notes": [f"a:{interrupt({'question': 'Publish?', 'draft': state['topic']})}"]}

    def ask_b(state):
        return {"notes": [f"b:{interrupt('Is **B** fine?')}"]}

    def done(state):
        return {"notes": ["done"]}

    builder = StateGraph(Notes)
    for name, fn in (("plan", plan), ("ask_a", ask_a), ("ask_b", ask_b), ("done", done)):
        builder.add_node(name, fn)
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "ask_a")
    builder.add_edge("plan", "ask_b")
    builder.add_edge(["ask_a", "ask_b"], "done")
    builder.add_edge("done", END)
    return builder.compile()


class Log(TypedDict):
    log: Annotated[list, operator.add]


@pytest.fixture
def slow_app():
    """Two slow async nodes in one superstep, then `merge`."""

    async def slow_a(state):
        await asyncio.sleep(0.3)
        return {"log": ["a"]}

    async def slow_b(state):
        await asyncio.sleep(0.5)
        return {"log": ["b"]}

    def merge(state):
        return {"log": ["merged"]}

    builder = StateGraph(Log)
    builder.add_node("slow_a", slow_a)
    builder.add_node("slow_b", slow_b)
    builder.add_node("merge", merge)
    builder.add_edge(START, "slow_a")
    builder.add_edge(START, "slow_b")
    builder.add_edge(["slow_a", "slow_b"], "merge")
    builder.add_edge("merge", END)
    return builder.compile()


def gated_graph(graphs=None, **compile_options):
    """`slow_app` whose two nodes finish only when the test opens their gates: no timing in the test.
    Built with `graphs` (a module with StateGraph, START and END: wfkit's, or LangGraph's `langgraph.graph`).
    Gives (app, gates, calls): `calls` lists the nodes as they start."""
    gates = {"slow_a": threading.Event(), "slow_b": threading.Event()}
    calls = []

    def gated(name):
        async def node(state):
            calls.append(name)
            for _ in range(2000):  # at most 10 s, so a forgotten gate fails instead of hanging
                if gates[name].is_set():
                    break
                await asyncio.sleep(0.005)
            return {"log": [name[-1]]}
        return node

    builder = (graphs.StateGraph if graphs else StateGraph)(Log)
    start, end = (graphs.START, graphs.END) if graphs else (START, END)
    builder.add_node("slow_a", gated("slow_a"))
    builder.add_node("slow_b", gated("slow_b"))
    builder.add_node("merge", lambda state: {"log": ["merged"]})
    builder.add_edge(start, "slow_a")
    builder.add_edge(start, "slow_b")
    builder.add_edge(["slow_a", "slow_b"], "merge")
    builder.add_edge("merge", end)
    return builder.compile(**compile_options), gates, calls


@pytest.fixture
def gated_app():
    """See `gated_graph`."""
    return gated_graph()


class Counter(TypedDict):
    n: int
    log: Annotated[list, operator.add]


@pytest.fixture
def flaky():
    """first → second → END; `second` raises while `flaky.fail` is true."""

    class Flaky:
        fail = True

    def first(state):
        return {"n": state["n"] + 1, "log": ["first"]}

    def second(state):
        if Flaky.fail:
            raise ValueError(f"second needs n > 5, got {state['n']}")
        return {"log": ["second"]}

    builder = StateGraph(Counter)
    builder.add_node("first", first)
    builder.add_node("second", second)
    builder.add_edge(START, "first")
    builder.add_edge("first", "second")
    builder.add_edge("second", END)
    Flaky.app = builder.compile()
    return Flaky


@pytest.fixture
def join_app():
    """START → a → a2 and START → b; c waits for both a2 and b, so after step 1 the join still waits."""

    def node(name):
        return lambda state: {"log": [name]}

    builder = StateGraph(Log)
    for name in ("a", "a2", "b", "c"):
        builder.add_node(name, node(name))
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    builder.add_edge("a", "a2")
    builder.add_edge(["a2", "b"], "c")
    builder.add_edge("c", END)
    return builder.compile()


@pytest.fixture
def send_app():
    """fan sends one `work` task per item, each with its own input."""

    class Items(TypedDict):
        items: list
        log: Annotated[list, operator.add]

    def fan(state):
        return {}

    def work(arg):
        return {"log": [arg["item"] * 2]}

    builder = StateGraph(Items)
    builder.add_node("fan", fan)
    builder.add_node("work", work)
    builder.add_edge(START, "fan")
    builder.add_conditional_edges("fan", lambda s: [Send("work", {"item": i}) for i in s["items"]], ["work"])
    builder.add_edge("work", END)
    return builder.compile()


@pytest.fixture
def counter_app():
    """One trivial node looping ten times: for timing the debugger's own work per superstep."""

    def inc(state):
        return {"n": state["n"] + 1, "log": [state["n"]]}

    builder = StateGraph(Counter)
    builder.add_node("inc", inc)
    builder.add_edge(START, "inc")
    builder.add_conditional_edges("inc", lambda s: "inc" if s["n"] < 10 else END, ["inc", END])
    return builder.compile()


class LoopState(TypedDict, total=False):
    topic: str
    joke: str
    n: int
    verdict: str


@pytest.fixture
def loop_app():
    """Notebook 06's shape: a generator and an evaluator that sends it back (`Rejected + Feedback`) until
    n reaches 3, then accepts: supersteps generate, evaluate ×3."""
    def generate(state):
        n = state.get("n", 0) + 1
        return {"joke": f"joke {n} about {state.get('topic')}", "n": n}

    def evaluate(state):
        return {"verdict": "good" if state["n"] >= 3 else "again"}

    def route(state):
        return "Accepted" if state["verdict"] == "good" else "Rejected + Feedback"

    builder = StateGraph(LoopState)
    builder.add_node("generate", generate)
    builder.add_node("evaluate", evaluate)
    builder.add_edge(START, "generate")
    builder.add_edge("generate", "evaluate")
    builder.add_conditional_edges("evaluate", route, {"Accepted": END, "Rejected + Feedback": "generate"})
    return builder.compile()
