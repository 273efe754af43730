"""LangGraph's documentation samples for the Graph API (docs/docs/how-tos/graph-api.md, and the node-caching
sample of concepts/low_level.md, as of 23961cff, the commit before the docs left the langgraph repository),
each run on wfkit and on LangGraph with only the imports changed (`m.` names), outputs compared with `same`.
What a sample prints is what the program returns (`print` inside a node appends to a list the program
returns). Changes besides imports: sleeps shortened; the retry sample's SQL database and chat model are
plain functions that fail once (so the policies have something to retry); the `Command` sample's
`random.choice` is a seeded `random.Random`'s; the pydantic error's last line (a URL naming pydantic's version) is left out.
The docs of that commit show no `stream(..., version="v2")` sample."""

import operator
import random
import sqlite3
import time
from types import SimpleNamespace
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from differential import test_divergences as d


def _wfkit():
    from wfkit.cache import InMemoryCache
    from wfkit.runtime import Runtime
    from wfkit.types import CachePolicy

    return SimpleNamespace(**vars(d._wfkit()), Runtime=Runtime, CachePolicy=CachePolicy,
                           InMemoryCache=InMemoryCache)


def _langgraph():
    from langgraph.cache.memory import InMemoryCache
    from langgraph.runtime import Runtime
    from langgraph.types import CachePolicy

    return SimpleNamespace(**vars(d._langgraph()), Runtime=Runtime, CachePolicy=CachePolicy,
                           InMemoryCache=InMemoryCache)


def same(program):
    """`program` run on both libraries (with the names of this page too); the outcomes equal; wfkit's returned."""
    ours, warned = d.run(program, _wfkit())
    theirs, _ = d.run(program, _langgraph())
    assert ours == theirs, f"wfkit: {ours!r}\nlanggraph: {theirs!r}"
    return ours, warned


# -- Use Pydantic models for graph state --------------------------------------------------------------------

def pydantic_state(m):
    out = []

    class OverallState(BaseModel):
        a: str

    def node(state: OverallState):
        return {"a": "goodbye"}

    builder = m.StateGraph(OverallState)
    builder.add_node(node)  # node_1 is the first node
    builder.add_edge(m.START, "node")  # Start the graph with node_1
    builder.add_edge("node", m.END)  # End the graph after node_1
    graph = builder.compile()

    out.append(graph.invoke({"a": "hello"}))
    try:
        graph.invoke({"a": 123})  # Should be a string
    except Exception as e:
        out.append("An exception was raised because `a` is an integer rather than a string.")
        out.append(str(e).splitlines()[:3])  # (the 4th line names pydantic's version)
    return out


# -- Add runtime configuration ------------------------------------------------------------------------------

def runtime_context(m):
    out = []

    # 1. Specify config schema
    class ContextSchema(TypedDict):
        my_runtime_value: str

    # 2. Define a graph that accesses the config in a node
    class State(TypedDict):
        my_state_value: str

    def node(state: State, runtime: m.Runtime[ContextSchema]):
        if runtime.context["my_runtime_value"] == "a":
            return {"my_state_value": 1}
        elif runtime.context["my_runtime_value"] == "b":
            return {"my_state_value": 2}
        else:
            raise ValueError("Unknown values.")

    builder = m.StateGraph(State, context_schema=ContextSchema)
    builder.add_node(node)
    builder.add_edge(m.START, "node")
    builder.add_edge("node", m.END)

    graph = builder.compile()

    # 3. Pass in configuration at runtime:
    out.append(graph.invoke({}, context={"my_runtime_value": "a"}))
    out.append(graph.invoke({}, context={"my_runtime_value": "b"}))
    return out


# -- Add retry policies (extended example) ------------------------------------------------------------------

class ModelUnavailable(Exception):
    """What the stand-in chat model raises on its first call (retried by the default `retry_on`)."""


def retry_policies(m):
    calls = []

    def query_database(state):
        calls.append("query_database")
        if calls.count("query_database") == 1:
            raise sqlite3.OperationalError("database is locked")
        return {"messages": ["query result"]}

    def call_model(state):
        calls.append("model")
        if calls.count("model") == 1:
            raise ModelUnavailable("overloaded")
        return {"messages": ["model reply"]}

    class MessagesState(TypedDict):
        messages: Annotated[list, operator.add]

    # Define a new graph
    builder = m.StateGraph(MessagesState)
    builder.add_node(
        "query_database",
        query_database,
        retry_policy=m.RetryPolicy(retry_on=sqlite3.OperationalError),
    )
    builder.add_node("model", call_model, retry_policy=m.RetryPolicy(max_attempts=5))
    builder.add_edge(m.START, "model")
    builder.add_edge("model", "query_database")
    builder.add_edge("query_database", m.END)
    graph = builder.compile()
    return [graph.invoke({"messages": ["hi"]}), calls]


# -- Add node caching (concepts/low_level.md) ---------------------------------------------------------------

def node_caching(m):
    class State(TypedDict):
        x: int
        result: int

    builder = m.StateGraph(State)

    def expensive_node(state: State) -> dict[str, int]:
        # expensive computation
        time.sleep(0.01)
        return {"result": state["x"] * 2}

    builder.add_node("expensive_node", expensive_node, cache_policy=m.CachePolicy(ttl=3))
    builder.set_entry_point("expensive_node")
    builder.set_finish_point("expensive_node")

    graph = builder.compile(cache=m.InMemoryCache())

    return [graph.invoke({"x": 5}, stream_mode='updates'),
            graph.invoke({"x": 5}, stream_mode='updates')]


# -- Create a sequence of steps -----------------------------------------------------------------------------

class SeqState(TypedDict):
    value_1: str
    value_2: int


def step_1(state: SeqState):
    return {"value_1": "a"}


def step_2(state: SeqState):
    current_value_1 = state["value_1"]
    return {"value_1": f"{current_value_1} b"}


def step_3(state: SeqState):
    return {"value_2": 10}


def sequence(m):
    builder = m.StateGraph(SeqState)

    # Add nodes
    builder.add_node(step_1)
    builder.add_node(step_2)
    builder.add_node(step_3)

    # Add edges
    builder.add_edge(m.START, "step_1")
    builder.add_edge("step_1", "step_2")
    builder.add_edge("step_2", "step_3")
    graph = builder.compile()
    return graph.invoke({"value_1": "c"})


def add_sequence(m):
    builder = m.StateGraph(SeqState).add_sequence([step_1, step_2, step_3])
    builder.add_edge(m.START, "step_1")
    graph = builder.compile()
    return graph.invoke({"value_1": "c"})


# -- Defer node execution -----------------------------------------------------------------------------------

def defer_node(m):
    printed = []

    class State(TypedDict):
        # The operator.add reducer fn makes this append-only
        aggregate: Annotated[list, operator.add]

    def a(state: State):
        printed.append(f'Adding "A" to {state["aggregate"]}')
        return {"aggregate": ["A"]}

    def b(state: State):
        printed.append(f'Adding "B" to {state["aggregate"]}')
        return {"aggregate": ["B"]}

    def b_2(state: State):
        printed.append(f'Adding "B_2" to {state["aggregate"]}')
        return {"aggregate": ["B_2"]}

    def c(state: State):
        printed.append(f'Adding "C" to {state["aggregate"]}')
        return {"aggregate": ["C"]}

    def d(state: State):
        printed.append(f'Adding "D" to {state["aggregate"]}')
        return {"aggregate": ["D"]}

    builder = m.StateGraph(State)
    builder.add_node(a)
    builder.add_node(b)
    builder.add_node(b_2)
    builder.add_node(c)
    builder.add_node(d, defer=True)
    builder.add_edge(m.START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("a", "c")
    builder.add_edge("b", "b_2")
    builder.add_edge("b_2", "d")
    builder.add_edge("c", "d")
    builder.add_edge("d", m.END)
    graph = builder.compile()
    return [graph.invoke({"aggregate": []}), sorted(printed[1:3]), printed[:1] + printed[3:]]


# -- Map-Reduce and the Send API ----------------------------------------------------------------------------

def send_map_reduce(m):
    class OverallState(TypedDict):
        topic: str
        subjects: list[str]
        jokes: Annotated[list[str], operator.add]
        best_selected_joke: str

    def generate_topics(state: OverallState):
        return {"subjects": ["lions", "elephants", "penguins"]}

    def generate_joke(state: OverallState):
        joke_map = {
            "lions": "Why don't lions like fast food? Because they can't catch it!",
            "elephants": "Why don't elephants use computers? They're afraid of the mouse!",
            "penguins": "Why don't penguins like talking to strangers at parties? Because they find it hard to break the ice."
        }
        return {"jokes": [joke_map[state["subject"]]]}

    def continue_to_jokes(state: OverallState):
        return [m.Send("generate_joke", {"subject": s}) for s in state["subjects"]]

    def best_joke(state: OverallState):
        return {"best_selected_joke": "penguins"}

    builder = m.StateGraph(OverallState)
    builder.add_node("generate_topics", generate_topics)
    builder.add_node("generate_joke", generate_joke)
    builder.add_node("best_joke", best_joke)
    builder.add_edge(m.START, "generate_topics")
    builder.add_conditional_edges("generate_topics", continue_to_jokes, ["generate_joke"])
    builder.add_edge("generate_joke", "best_joke")
    builder.add_edge("best_joke", m.END)
    graph = builder.compile()

    # Call the graph: here we call it to generate a list of jokes
    return [step for step in graph.stream({"topic": "animals"})]


# -- Create and control loops; Impose a recursion limit -----------------------------------------------------

def simple_loop(m, recursion_limit=None):
    printed = []

    class State(TypedDict):
        # The operator.add reducer fn makes this append-only
        aggregate: Annotated[list, operator.add]

    def a(state: State):
        printed.append(f'Node A sees {state["aggregate"]}')
        return {"aggregate": ["A"]}

    def b(state: State):
        printed.append(f'Node B sees {state["aggregate"]}')
        return {"aggregate": ["B"]}

    # Define nodes
    builder = m.StateGraph(State)
    builder.add_node(a)
    builder.add_node(b)

    # Define edges
    def route(state: State) -> Literal["b", m.END]:
        if len(state["aggregate"]) < 7:
            return "b"
        else:
            return m.END

    builder.add_edge(m.START, "a")
    builder.add_conditional_edges("a", route)
    builder.add_edge("b", "a")
    graph = builder.compile()

    if recursion_limit is None:
        return [graph.invoke({"aggregate": []}), printed]
    try:
        graph.invoke({"aggregate": []}, {"recursion_limit": recursion_limit})
    except m.GraphRecursionError:
        printed.append("Recursion Error")
    return printed


def remaining_steps(m):
    printed = []

    class State(TypedDict):
        aggregate: Annotated[list, operator.add]
        remaining_steps: m.RemainingSteps

    def a(state: State):
        printed.append(f'Node A sees {state["aggregate"]}')
        return {"aggregate": ["A"]}

    def b(state: State):
        printed.append(f'Node B sees {state["aggregate"]}')
        return {"aggregate": ["B"]}

    # Define nodes
    builder = m.StateGraph(State)
    builder.add_node(a)
    builder.add_node(b)

    # Define edges
    def route(state: State) -> Literal["b", m.END]:
        if state["remaining_steps"] <= 2:
            return m.END
        else:
            return "b"

    builder.add_edge(m.START, "a")
    builder.add_conditional_edges("a", route)
    builder.add_edge("b", "a")
    graph = builder.compile()

    # Test it out
    result = graph.invoke({"aggregate": []}, {"recursion_limit": 4})
    printed.append(result)
    return printed


def loop_with_branches(m, recursion_limit=None):
    printed = []

    class State(TypedDict):
        aggregate: Annotated[list, operator.add]

    def a(state: State):
        printed.append(f'Node A sees {state["aggregate"]}')
        return {"aggregate": ["A"]}

    def b(state: State):
        printed.append(f'Node B sees {state["aggregate"]}')
        return {"aggregate": ["B"]}

    def c(state: State):
        printed.append(f'Node C sees {state["aggregate"]}')
        return {"aggregate": ["C"]}

    def d(state: State):
        printed.append(f'Node D sees {state["aggregate"]}')
        return {"aggregate": ["D"]}

    # Define nodes
    builder = m.StateGraph(State)
    builder.add_node(a)
    builder.add_node(b)
    builder.add_node(c)
    builder.add_node(d)

    # Define edges
    def route(state: State) -> Literal["b", m.END]:
        if len(state["aggregate"]) < 7:
            return "b"
        else:
            return m.END

    builder.add_edge(m.START, "a")
    builder.add_conditional_edges("a", route)
    builder.add_edge("b", "c")
    builder.add_edge("b", "d")
    builder.add_edge(["c", "d"], "a")
    graph = builder.compile()

    if recursion_limit is None:
        result = graph.invoke({"aggregate": []})
        printed.append(result)
    else:
        try:
            result = graph.invoke({"aggregate": []}, {"recursion_limit": recursion_limit})
        except m.GraphRecursionError:
            printed.append("Recursion Error")
    # C and D run in one superstep, in threads: what they print comes in either order on both engines
    return _supersteps(printed)


def _supersteps(printed):
    """The printed lines with each C/D pair put in a fixed order (they run concurrently)."""
    out, i = [], 0
    while i < len(printed):
        line = printed[i]
        if isinstance(line, str) and line.startswith(("Node C", "Node D")):
            out.append(sorted(printed[i:i + 2]))
            i += 2
        else:
            out.append(line)
            i += 1
    return out


# -- Combine control flow and state updates with Command ----------------------------------------------------

def command_goto_update(m):
    printed = []
    rng = random.Random(7)  # (the sample's `random`: a seeded one, the same paths on both engines)

    class State(TypedDict):
        foo: str

    def node_a(state: State) -> m.Command[Literal["node_b", "node_c"]]:
        printed.append("Called A")
        value = rng.choice(["b", "c"])
        # this is a replacement for a conditional edge function
        if value == "b":
            goto = "node_b"
        else:
            goto = "node_c"

        # note how Command allows you to BOTH update the graph state AND route to the next node
        return m.Command(
            # this is the state update
            update={"foo": value},
            # this is a replacement for an edge
            goto=goto,
        )

    def node_b(state: State):
        printed.append("Called B")
        return {"foo": state["foo"] + "b"}

    def node_c(state: State):
        printed.append("Called C")
        return {"foo": state["foo"] + "c"}

    builder = m.StateGraph(State)
    builder.add_edge(m.START, "node_a")
    builder.add_node(node_a)
    builder.add_node(node_b)
    builder.add_node(node_c)
    # NOTE: there are no edges between nodes A, B and C!

    graph = builder.compile()

    results = [graph.invoke({"foo": ""}) for _ in range(4)]
    return [results, printed]


JOKES = ["Why don't lions like fast food? Because they can't catch it!",
         "Why don't elephants use computers? They're afraid of the mouse!",
         "Why don't penguins like talking to strangers at parties? Because they find it hard to break the ice."]


@pytest.mark.parametrize("program, expected", [
    pytest.param(pydantic_state, [
        {"a": "goodbye"},
        "An exception was raised because `a` is an integer rather than a string.",
        ["1 validation error for OverallState", "a",
         "  Input should be a valid string [type=string_type, input_value=123, input_type=int]"]],
        id="pydantic_state"),
    pytest.param(runtime_context, [{"my_state_value": 1}, {"my_state_value": 2}], id="runtime_context"),
    pytest.param(retry_policies, [{"messages": ["hi", "model reply", "query result"]},
                                  ["model", "model", "query_database", "query_database"]], id="retry_policies"),
    pytest.param(node_caching, [[{"expensive_node": {"result": 10}}],
                                [{"expensive_node": {"result": 10}, "__metadata__": {"cached": True}}]],
                 id="node_caching"),
    pytest.param(sequence, {"value_1": "a b", "value_2": 10}, id="sequence"),
    pytest.param(add_sequence, {"value_1": "a b", "value_2": 10}, id="add_sequence"),
    pytest.param(defer_node, [
        {"aggregate": ["A", "B", "C", "B_2", "D"]},
        ['Adding "B" to [\'A\']', 'Adding "C" to [\'A\']'],  # (one superstep: printed in either order)
        ['Adding "A" to []', "Adding \"B_2\" to ['A', 'B', 'C']", "Adding \"D\" to ['A', 'B', 'C', 'B_2']"]],
        id="defer_node"),
    pytest.param(send_map_reduce, [
        {"generate_topics": {"subjects": ["lions", "elephants", "penguins"]}},
        {"generate_joke": {"jokes": [JOKES[0]]}}, {"generate_joke": {"jokes": [JOKES[1]]}},
        {"generate_joke": {"jokes": [JOKES[2]]}}, {"best_joke": {"best_selected_joke": "penguins"}}],
        id="send_map_reduce"),
    pytest.param(simple_loop, [
        {"aggregate": ["A", "B", "A", "B", "A", "B", "A"]},
        ["Node A sees []", "Node B sees ['A']", "Node A sees ['A', 'B']", "Node B sees ['A', 'B', 'A']",
         "Node A sees ['A', 'B', 'A', 'B']", "Node B sees ['A', 'B', 'A', 'B', 'A']",
         "Node A sees ['A', 'B', 'A', 'B', 'A', 'B']"]], id="simple_loop"),
    pytest.param(lambda m: simple_loop(m, recursion_limit=4), [
        "Node A sees []", "Node B sees ['A']", "Node A sees ['A', 'B']", "Node B sees ['A', 'B', 'A']",
        "Recursion Error"], id="recursion_limit"),
    pytest.param(remaining_steps, [
        "Node A sees []", "Node B sees ['A']", "Node A sees ['A', 'B']", {"aggregate": ["A", "B", "A"]}],
        id="remaining_steps"),
    pytest.param(loop_with_branches, [
        "Node A sees []", "Node B sees ['A']", ["Node C sees ['A', 'B']", "Node D sees ['A', 'B']"],
        "Node A sees ['A', 'B', 'C', 'D']", "Node B sees ['A', 'B', 'C', 'D', 'A']",
        ["Node C sees ['A', 'B', 'C', 'D', 'A', 'B']", "Node D sees ['A', 'B', 'C', 'D', 'A', 'B']"],
        "Node A sees ['A', 'B', 'C', 'D', 'A', 'B', 'C', 'D']",
        {"aggregate": ["A", "B", "C", "D", "A", "B", "C", "D", "A"]}], id="loop_with_branches"),
    pytest.param(lambda m: loop_with_branches(m, recursion_limit=4), [
        "Node A sees []", "Node B sees ['A']", ["Node C sees ['A', 'B']", "Node D sees ['A', 'B']"],
        "Node A sees ['A', 'B', 'C', 'D']", "Recursion Error"], id="loop_with_branches_recursion_limit"),
    pytest.param(command_goto_update, [
        [{"foo": "cc"}, {"foo": "bb"}, {"foo": "cc"}, {"foo": "bb"}],
        ["Called A", "Called C", "Called A", "Called B", "Called A", "Called C", "Called A", "Called B"]],
        id="command_goto_update"),
])
def test_graph_api_docs_sample(program, expected):
    assert same(program) == (expected, [])
