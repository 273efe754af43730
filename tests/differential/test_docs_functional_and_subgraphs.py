"""LangGraph's documentation samples for the Functional API and subgraphs (docs/docs/how-tos/
use-functional-api.md and subgraph.md, as of the commit before the docs left the langgraph repository),
each run on wfkit and on LangGraph with only the imports changed (`m.` names), outputs compared with
`same`. What a sample prints is what the program returns. Changes besides imports: sleeps shortened, and
the subgraph-state line of the interrupt sample left out (a subgraph has no checkpoints of its own in
wfkit: README's table of differences)."""

import uuid
from typing import Optional

import pytest
from typing_extensions import TypedDict

from differential.test_divergences import _plain, same


# -- use-functional-api.md --------------------------------------------------------------------------------

def simple_workflow(m):
    @m.task
    def is_even(number: int) -> bool:
        return number % 2 == 0

    @m.task
    def format_message(is_even: bool) -> str:
        return "The number is even." if is_even else "The number is odd."

    checkpointer = m.InMemorySaver()

    @m.entrypoint(checkpointer=checkpointer)
    def workflow(inputs: dict) -> str:
        even = is_even(inputs["number"]).result()
        return format_message(even).result()

    config = {"configurable": {"thread_id": str(uuid.uuid4())}}
    return workflow.invoke({"number": 7}, config=config)


def parallel_execution(m):
    @m.task
    def add_one(number: int) -> int:
        return number + 1

    @m.entrypoint(checkpointer=m.InMemorySaver())
    def graph(numbers: list[int]) -> list[str]:
        futures = [add_one(i) for i in numbers]
        return [f.result() for f in futures]

    config = {"configurable": {"thread_id": str(uuid.uuid4())}}
    return [graph.invoke([1, 2, 3], config), list(graph.stream([4, 5], config, stream_mode="updates"))[-1]]


def calling_a_graph(m):
    class State(TypedDict):
        foo: int

    def double(state: State) -> State:
        return {"foo": state["foo"] * 2}

    builder = m.StateGraph(State)
    builder.add_node("double", double)
    builder.set_entry_point("double")
    graph = builder.compile()

    @m.entrypoint(checkpointer=m.InMemorySaver())
    def workflow(x: int) -> dict:
        result = graph.invoke({"foo": x})
        return {"bar": result["foo"]}

    config = {"configurable": {"thread_id": str(uuid.uuid4())}}
    return workflow.invoke(5, config=config)


def calling_other_entrypoints(m):
    @m.entrypoint()
    def multiply(inputs: dict) -> int:
        return inputs["a"] * inputs["b"]

    @m.entrypoint(checkpointer=m.InMemorySaver())
    def main(inputs: dict) -> dict:
        result = multiply.invoke({"a": inputs["x"], "b": inputs["y"]})
        return {"product": result}

    config = {"configurable": {"thread_id": str(uuid.uuid4())}}
    return main.invoke({"x": 6, "y": 7}, config=config)


def streaming_custom_data(m):
    @m.entrypoint(checkpointer=m.InMemorySaver())
    def main(inputs: dict) -> int:
        writer = m.get_stream_writer()
        writer("Started processing")
        result = inputs["x"] * 2
        writer(f"Result is {result}")
        return result

    config = {"configurable": {"thread_id": "abc"}}
    return [f"{mode}: {chunk}" for mode, chunk in main.stream({"x": 5}, stream_mode=["custom", "updates"], config=config)]


def retry_policy(m):
    attempts = [0]

    @m.task(retry_policy=m.RetryPolicy(retry_on=ValueError))
    def get_info():
        attempts[0] += 1
        if attempts[0] < 2:
            raise ValueError("Failure")
        return "OK"

    @m.entrypoint(checkpointer=m.InMemorySaver())
    def main(inputs, writer):
        return get_info().result()

    config = {"configurable": {"thread_id": "1"}}
    return [main.invoke({"any_input": "foobar"}, config=config), attempts[0]]


def resuming_after_an_error(m):
    import time

    attempts = [0]
    slow_runs = [0]

    @m.task()
    def get_info():
        attempts[0] += 1
        if attempts[0] < 2:
            raise ValueError("Failure")
        return "OK"

    @m.task
    def slow_task():
        slow_runs[0] += 1
        time.sleep(0.01)
        return "Ran slow task."

    @m.entrypoint(checkpointer=m.InMemorySaver())
    def main(inputs, writer):
        slow_task_result = slow_task().result()
        get_info().result()
        return slow_task_result

    config = {"configurable": {"thread_id": "1"}}
    try:
        main.invoke({"any_input": "foobar"}, config=config)
    except ValueError:
        pass
    return [main.invoke(None, config=config), slow_runs[0]]  # the finished slow_task is not run again


def human_in_the_loop(m):
    @m.task
    def step_1(input_query):
        return f"{input_query} bar"

    @m.task
    def human_feedback(input_query):
        feedback = m.interrupt(f"Please provide feedback: {input_query}")
        return f"{input_query} {feedback}"

    @m.task
    def step_3(input_query):
        return f"{input_query} qux"

    @m.entrypoint(checkpointer=m.InMemorySaver())
    def graph(input_query):
        result_1 = step_1(input_query).result()
        result_2 = human_feedback(result_1).result()
        return step_3(result_2).result()

    config = {"configurable": {"thread_id": "1"}}
    return _plain([list(graph.stream("foo", config)), list(graph.stream(m.Command(resume="baz"), config))])


def decoupling_return_and_saved_values(m):
    @m.entrypoint(checkpointer=m.InMemorySaver())
    def accumulate(n: int, *, previous: Optional[int]) -> m.entrypoint.final[int, int]:
        previous = previous or 0
        total = previous + n
        return m.entrypoint.final(value=previous, save=total)

    config = {"configurable": {"thread_id": "my-thread"}}
    return [accumulate.invoke(1, config=config), accumulate.invoke(2, config=config),
            accumulate.invoke(3, config=config)]


@pytest.mark.parametrize("program, expected", [
    (simple_workflow, "The number is odd."),
    (parallel_execution, [[2, 3, 4], {"graph": [5, 6]}]),
    (calling_a_graph, {"bar": 10}),
    (calling_other_entrypoints, {"product": 42}),
    (streaming_custom_data, ["custom: Started processing", "custom: Result is 10", "updates: {'main': 10}"]),
    (retry_policy, ["OK", 2]),
    (resuming_after_an_error, ["Ran slow task.", 1]),
    (human_in_the_loop, [
        [{"step_1": "foo bar"}, {"__interrupt__": (("Interrupt", "Please provide feedback: foo bar"),)}],
        [{"human_feedback": "foo bar baz"}, {"step_3": "foo bar baz qux"}, {"graph": "foo bar baz qux"}]]),
    (decoupling_return_and_saved_values, [0, 1, 3]),
])
def test_functional_api_docs_sample(program, expected):
    assert same(program) == (expected, [])


# -- subgraph.md ------------------------------------------------------------------------------------------

def two_step_graph(m, invoked: bool):
    """The graphs of the samples "Shared state schemas" (a subgraph added as a node, sharing `foo`) and
    "Different state schemas" (invoked by a node, its input and output mapped to keys of its own), in one:
    the two differ only there. (how-tos/streaming.md's "Stream subgraph outputs" is the first.)"""
    shared, private = ("bar", "baz") if invoked else ("foo", "bar")

    class SubgraphState(TypedDict):
        foo: str
        bar: str
        baz: str

    def subgraph_node_1(state: SubgraphState):
        return {private: private}

    def subgraph_node_2(state: SubgraphState):
        return {shared: state[shared] + state[private]}

    subgraph_builder = m.StateGraph(SubgraphState)
    subgraph_builder.add_node(subgraph_node_1)
    subgraph_builder.add_node(subgraph_node_2)
    subgraph_builder.add_edge(m.START, "subgraph_node_1")
    subgraph_builder.add_edge("subgraph_node_1", "subgraph_node_2")
    subgraph = subgraph_builder.compile()

    class ParentState(TypedDict):
        foo: str

    def node_1(state: ParentState):
        return {"foo": "hi! " + state["foo"]}

    def node_2(state: ParentState):
        response = subgraph.invoke({"bar": state["foo"]})
        return {"foo": response["bar"]}

    builder = m.StateGraph(ParentState)
    builder.add_node("node_1", node_1)
    builder.add_node("node_2", node_2 if invoked else subgraph)
    builder.add_edge(m.START, "node_1")
    builder.add_edge("node_1", "node_2")
    return builder.compile()


def two_step_subgraph(m, invoked: bool):
    graph = two_step_graph(m, invoked)
    return _plain([list(graph.stream({"foo": "foo"})),
                   list(graph.stream({"foo": "foo"}, stream_mode="updates", subgraphs=True))])


def three_levels(m):
    class GrandChildState(TypedDict):
        my_grandchild_key: str

    def grandchild_1(state: GrandChildState) -> GrandChildState:
        return {"my_grandchild_key": state["my_grandchild_key"] + ", how are you"}

    def one_node(state_schema, name, fn):  # the sample builds the grandchild and the child alike
        builder = m.StateGraph(state_schema)
        builder.add_node(name, fn)
        builder.add_edge(m.START, name)
        builder.add_edge(name, m.END)
        return builder.compile()

    grandchild_graph = one_node(GrandChildState, "grandchild_1", grandchild_1)

    class ChildState(TypedDict):
        my_child_key: str

    def call_grandchild_graph(state: ChildState) -> ChildState:
        grandchild_graph_output = grandchild_graph.invoke({"my_grandchild_key": state["my_child_key"]})
        return {"my_child_key": grandchild_graph_output["my_grandchild_key"] + " today?"}

    child_graph = one_node(ChildState, "child_1", call_grandchild_graph)

    class ParentState(TypedDict):
        my_key: str

    def parent_1(state: ParentState) -> ParentState:
        return {"my_key": "hi " + state["my_key"]}

    def parent_2(state: ParentState) -> ParentState:
        return {"my_key": state["my_key"] + " bye!"}

    def call_child_graph(state: ParentState) -> ParentState:
        child_graph_output = child_graph.invoke({"my_child_key": state["my_key"]})
        return {"my_key": child_graph_output["my_child_key"]}

    parent = m.StateGraph(ParentState)
    parent.add_node("parent_1", parent_1)
    parent.add_node("child", call_child_graph)
    parent.add_node("parent_2", parent_2)
    parent.add_edge(m.START, "parent_1")
    parent.add_edge("parent_1", "child")
    parent.add_edge("child", "parent_2")
    parent.add_edge("parent_2", m.END)
    parent_graph = parent.compile()
    return _plain(list(parent_graph.stream({"my_key": "Bob"}, subgraphs=True)))


def persistence_and_interrupt(m):
    class State(TypedDict):
        foo: str

    def subgraph_node_1(state: State):
        value = m.interrupt("Provide value:")
        return {"foo": state["foo"] + value}

    subgraph_builder = m.StateGraph(State)
    subgraph_builder.add_node(subgraph_node_1)
    subgraph_builder.add_edge(m.START, "subgraph_node_1")
    subgraph = subgraph_builder.compile()

    builder = m.StateGraph(State)
    builder.add_node("node_1", subgraph)
    builder.add_edge(m.START, "node_1")
    graph = builder.compile(checkpointer=m.InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    out = [graph.invoke({"foo": ""}, config)]
    parent_state = graph.get_state(config)
    out.append((parent_state.values, parent_state.next, parent_state.interrupts))
    out.append(graph.invoke(m.Command(resume="bar"), config))
    return _plain(out)


def subgraph_compiled_with_checkpointer_true(m):
    class State(TypedDict):
        foo: str

    def subgraph_node_1(state: State):
        return {"foo": state["foo"] + "bar"}

    subgraph_builder = m.StateGraph(State)
    subgraph_builder.add_node(subgraph_node_1)
    subgraph_builder.add_edge(m.START, "subgraph_node_1")
    subgraph = subgraph_builder.compile(checkpointer=True)

    builder = m.StateGraph(State)
    builder.add_node("node_1", subgraph)
    builder.add_edge(m.START, "node_1")
    graph = builder.compile(checkpointer=m.InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    return _plain([graph.invoke({"foo": "foo"}, config),
                   list(graph.stream({"foo": "x"}, config, stream_mode="updates", subgraphs=True))])


H = ("node_2:<id>",)


@pytest.mark.parametrize("program, expected", [
    (lambda m: two_step_subgraph(m, invoked=False), [
        [{"node_1": {"foo": "hi! foo"}}, {"node_2": {"foo": "hi! foobar"}}],
        [((), {"node_1": {"foo": "hi! foo"}}), (H, {"subgraph_node_1": {"bar": "bar"}}),
         (H, {"subgraph_node_2": {"foo": "hi! foobar"}}), ((), {"node_2": {"foo": "hi! foobar"}})]]),
    (lambda m: two_step_subgraph(m, invoked=True), [
        [{"node_1": {"foo": "hi! foo"}}, {"node_2": {"foo": "hi! foobaz"}}],
        [((), {"node_1": {"foo": "hi! foo"}}), (H, {"subgraph_node_1": {"baz": "baz"}}),
         (H, {"subgraph_node_2": {"bar": "hi! foobaz"}}), ((), {"node_2": {"foo": "hi! foobaz"}})]]),
    (three_levels, [
        ((), {"parent_1": {"my_key": "hi Bob"}}),
        (("child:<id>", "child_1:<id>"), {"grandchild_1": {"my_grandchild_key": "hi Bob, how are you"}}),
        (("child:<id>",), {"child_1": {"my_child_key": "hi Bob, how are you today?"}}),
        ((), {"child": {"my_key": "hi Bob, how are you today?"}}),
        ((), {"parent_2": {"my_key": "hi Bob, how are you today? bye!"}})]),
    (persistence_and_interrupt, [
        {"foo": "", "__interrupt__": [("Interrupt", "Provide value:")]},
        ({"foo": ""}, ("node_1",), (("Interrupt", "Provide value:"),)),
        {"foo": "bar"}]),
    (subgraph_compiled_with_checkpointer_true, [
        {"foo": "foobar"},
        [(("node_1",), {"subgraph_node_1": {"foo": "xbar"}}), ((), {"node_1": {"foo": "xbar"}})]]),
])
def test_subgraph_docs_sample(program, expected):
    assert same(program) == (expected, [])
