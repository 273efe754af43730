"""Schemas a graph learns from its functions' hints, as LangGraph does: a node's return hint (`-> FooState`)
adds its keys to the graph; a callable object's `__call__` hints count as a function's; a path function
whose first parameter names a schema gets the state as that schema."""

import operator
from typing import Annotated

from typing_extensions import TypedDict

from wfkit import START, StateGraph


class InputState(TypedDict):
    question: str


class FooState(InputState):
    foo: str


def test_a_node_return_hint_adds_its_schema_keys_to_the_graph():
    def pre_foo(state) -> FooState:
        return {"foo": "bar"}

    class ReadsFoo:
        def __call__(self, state: FooState) -> dict:
            return {"question": f"{state['question']} {state['foo']}"}

    g = StateGraph(InputState)
    g.add_node(pre_foo)
    g.add_node("reads", ReadsFoo())
    g.add_edge(START, "pre_foo")
    g.add_edge("pre_foo", "reads")
    graph = g.compile()
    assert list(graph.stream({"question": "q"}, stream_mode="updates")) == [
        {"pre_foo": {"foo": "bar"}}, {"reads": {"question": "q bar"}}]
    assert graph.invoke({"question": "q"}) == {"question": "q bar"}


def test_a_path_function_gets_the_state_as_the_schema_its_first_parameter_names():
    class Overall(TypedDict):
        foo: Annotated[int, operator.add]
        bar: str

    class RouterState(TypedDict):
        baz: str

    class Node2State(TypedDict):
        foo: Annotated[int, operator.add]
        baz: str

    seen = []

    def router(state: RouterState):
        seen.append(state)
        return "node_2"

    g = StateGraph(Overall)
    g.add_node("node_1", lambda state: {"foo": 1, "baz": "meow"})
    g.add_node("node_2", lambda state: {"foo": 1, "bar": state["baz"]}, input_schema=Node2State)
    g.add_conditional_edges("node_1", router)
    g.add_edge(START, "node_1")
    assert g.compile().invoke({"foo": 0}) == {"foo": 2, "bar": "meow"}
    assert seen == [{"baz": "meow"}]
