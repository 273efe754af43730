"""Building and compiling graphs: schemas, node input schemas, and the errors compile() gives."""

import dataclasses
import operator
import warnings
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from wfkit import END, START, Command, Send, StateGraph
from wfkit.errors import GraphBuildError, WfkitWarning


class State(TypedDict):
    topic: str
    items: Annotated[list, operator.add]


def noop(state):
    return None


def test_typeddict_state_runs_and_reducer_key_starts_empty():
    g = StateGraph(State)
    g.add_node("a", lambda s: {"topic": s["topic"].upper()})
    g.add_edge(START, "a")
    assert g.compile().invoke({"topic": "cats"}) == {"topic": "CATS", "items": []}


def test_pydantic_state_node_gets_model_instance_and_input_is_validated():
    class P(BaseModel):
        n: int = 0
        log: Annotated[list, operator.add] = []

    seen = []

    def bump(state: P):
        seen.append(type(state).__name__)
        return {"n": state.n + 1, "log": [state.n]}

    g = StateGraph(P)
    g.add_node("bump", bump)
    g.add_edge(START, "bump")
    app = g.compile()
    assert app.invoke({"n": "4"}) == {"n": 5, "log": [4]}
    assert seen == ["P"]
    with pytest.raises(Exception) as info:
        app.invoke({"n": "four"})
    assert "n" in str(info.value) and "integer" in str(info.value)


class Defaults(BaseModel):
    x: int = 0
    y: str = "d"
    z: int | None = None
    log: Annotated[list, operator.add] = []


def _defaults_graph():
    g = StateGraph(Defaults)
    g.add_node("a", lambda s: {"x": s.x + 1})
    g.add_edge(START, "a")
    return g.compile()


def test_a_pydantic_instance_input_writes_every_field_but_an_unset_none():
    app = _defaults_graph()
    assert app.invoke(Defaults()) == {"x": 1, "y": "d", "log": []}
    assert list(app.stream(Defaults(x=5), stream_mode="values")) == [
        {"x": 5, "y": "d", "log": []}, {"x": 6, "y": "d", "log": []}]
    assert app.invoke(Defaults(z=None, y="e")) == {"x": 1, "y": "e", "z": None, "log": []}  # set: written
    assert app.invoke(Defaults(z=3, log=[1])) == {"x": 1, "y": "d", "z": 3, "log": [1]}


def test_a_dict_input_to_a_pydantic_state_writes_only_its_keys():
    app = _defaults_graph()
    assert app.invoke({"x": 5}) == {"x": 6, "log": []}
    assert list(app.stream({}, stream_mode="values")) == [{"x": 1, "log": []}]
    assert app.invoke({"z": None}) == {"x": 1, "z": None, "log": []}


def test_a_node_returning_a_pydantic_instance_writes_every_field_but_an_unset_none():
    g = StateGraph(Defaults)
    g.add_node("a", lambda s: Defaults(x=7))
    g.add_edge(START, "a")
    assert list(g.compile().stream({"y": "in", "z": 4}, stream_mode="updates")) == [
        {"a": {"x": 7, "y": "d", "log": []}}]
    assert g.compile().invoke({"y": "in", "z": 4}) == {"x": 7, "y": "d", "z": 4, "log": []}


def test_dataclass_state_node_gets_instance():
    @dataclasses.dataclass
    class D:
        n: int = 0
        log: Annotated[list, operator.add] = dataclasses.field(default_factory=list)

    g = StateGraph(D)
    g.add_node("h", lambda s: {"n": s.n * 10, "log": [type(s).__name__]})
    g.add_edge(START, "h")
    assert g.compile().invoke({"n": 2}) == {"n": 20, "log": ["D"]}


def test_node_own_input_schema_from_type_hint_receives_send_payload():
    class Worker(TypedDict):
        section: str
        items: Annotated[list, operator.add]

    def worker(state: Worker):
        return {"items": [state["section"] + "!"]}

    g = StateGraph(State)
    g.add_node("plan", lambda s: None)
    g.add_node("worker", worker)
    g.add_edge(START, "plan")
    g.add_conditional_edges("plan", lambda s: [Send("worker", {"section": x}) for x in ("a", "b")], ["worker"])
    # `section` is a key of the worker's schema only: the Send payload carries it, the output does not
    assert g.compile().invoke({"topic": "t"}) == {"topic": "t", "items": ["a!", "b!"]}


def test_input_key_outside_the_input_schema_is_dropped_with_a_warning():
    g = StateGraph(State)
    g.add_node("a", lambda s: None)
    g.add_edge(START, "a")
    with pytest.warns(WfkitWarning) as caught:
        out = g.compile().invoke({"topic": "t", "typo": 1})
    assert out == {"topic": "t", "items": []}
    assert str(caught[0].message) == (
        "the input has key `typo`, which is not a key of the input schema `State`; it is ignored (as LangGraph does)"
    )


def test_node_with_config_parameter_receives_config():
    def node(state, config):
        return {"topic": config["configurable"]["who"]}

    g = StateGraph(State)
    g.add_node("node", node)
    g.add_edge(START, "node")
    assert g.compile().invoke({"topic": "x"}, {"configurable": {"who": "ada"}})["topic"] == "ada"


def test_add_node_by_function_name_and_add_sequence():
    def first(s):
        return {"items": ["first"]}

    def second(s):
        return {"items": ["second"]}

    g = StateGraph(State)
    g.add_sequence([first, ("third", lambda s: {"items": ["third"]}), second])
    g.add_edge(START, "first")
    assert list(g.nodes) == ["first", "third", "second"]
    assert g.compile().invoke({"topic": ""})["items"] == ["first", "third", "second"]


def test_compile_rejects_unknown_node_in_edge():
    g = StateGraph(State)
    g.add_node("a", noop)
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    with pytest.raises(GraphBuildError) as info:
        g.compile()
    assert str(info.value) == (
        "add_edge('a', 'b') refers to `b`, which is not a node; known nodes: `a`. "
        "Add it with add_node('b', fn) or fix the name."
    )


def test_a_str_path_map_is_ignored_as_in_langgraph():
    class X(TypedDict):
        x: int

    g = StateGraph(X)
    g.add_node("a", lambda s: {"x": s["x"] + 1})
    g.add_node("b", lambda s: {"x": s["x"] * 10})
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: "b" if s["x"] < 3 else END, path_map="b")
    app = g.compile()
    assert (app.invoke({"x": 1}), app.invoke({"x": 5})) == ({"x": 20}, {"x": 6})


def test_compile_rejects_unknown_node_in_path_map():
    g = StateGraph(State)
    g.add_node("a", noop)
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: "x", {"x": "nowhere"})
    with pytest.raises(GraphBuildError, match=r"the path_map of add_conditional_edges\('a', \.\.\.\) refers to `nowhere`"):
        g.compile()


@pytest.mark.parametrize("name", [START, END])
def test_reserved_node_names_are_refused(name):
    with pytest.raises(GraphBuildError) as info:
        StateGraph(State).add_node(name, noop)
    assert str(info.value) == f"node name `{name}` is reserved for the graph's own start/end; pick another name"


def test_reserved_characters_and_duplicates_are_refused():
    g = StateGraph(State)
    with pytest.raises(GraphBuildError, match=r"node name `a\|b` contains `\|`, which is reserved"):
        g.add_node("a|b", noop)
    g.add_node("a", noop)
    with pytest.raises(GraphBuildError, match="node `a` is already in the graph"):
        g.add_node("a", noop)


def test_compile_rejects_graph_without_entry_point():
    g = StateGraph(State)
    g.add_node("a", noop)
    with pytest.raises(GraphBuildError) as info:
        g.compile()
    assert str(info.value) == "the graph has no entry point: add an edge from START, e.g. add_edge(START, 'a')"


def test_a_node_nothing_leads_to_compiles_as_in_langgraph():
    # An unhinted node may return Command(goto="orphan"): LangGraph compiles this, so no error, no warning.
    g = StateGraph(State)
    g.add_node("a", lambda s: {"items": ["a"]})
    g.add_node("orphan", noop)
    g.add_edge(START, "a")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert g.compile().invoke({"topic": ""})["items"] == ["a"]


def test_a_node_no_hinted_node_can_reach_gets_a_warning():
    def a(state) -> dict:
        return {"items": ["a"]}

    g = StateGraph(State)
    g.add_node("a", a)
    g.add_node("orphan", a)
    g.add_edge(START, "a")
    with pytest.warns(WfkitWarning) as caught:
        app = g.compile()
    assert [str(w.message) for w in caught] == [
        "node `orphan` has no way in: no edge, conditional edge or Command leads to it, so it never runs. "
        "Connect it with add_edge(<node>, 'orphan') or add_edge(START, 'orphan'), or remove it"
    ]
    assert app.invoke({"topic": ""})["items"] == ["a"]


def test_node_reached_by_command_literal_hint_is_not_an_orphan():
    def a(state) -> Command[Literal["b"]]:
        return Command(goto="b")

    g = StateGraph(State)
    g.add_node("a", a)
    g.add_node("b", lambda s: {"items": ["b"]})
    g.add_edge(START, "a")
    assert g.compile().invoke({"topic": ""})["items"] == ["b"]


def test_unknown_interrupt_before_node_is_refused():
    g = StateGraph(State)
    g.add_node("a", noop)
    g.add_edge(START, "a")
    with pytest.raises(GraphBuildError, match=r"compile\(interrupt_before=\.\.\.\) refers to `zz`"):
        g.compile(interrupt_before=["zz"])


def test_edges_from_end_or_to_start_are_refused():
    g = StateGraph(State)
    with pytest.raises(GraphBuildError, match="an edge cannot start at END"):
        g.add_edge(END, "a")
    with pytest.raises(GraphBuildError, match="an edge cannot end at START"):
        g.add_edge("a", START)


def test_state_schema_must_be_a_schema():
    class NotASchema:  # (a builtin type such as `int` is a state of one value: see test_root_state)
        pass

    with pytest.raises(TypeError) as info:
        StateGraph(NotASchema)
    assert "state schema `NotASchema` is not a TypedDict, pydantic model or dataclass" in str(info.value)


def test_state_graph_is_subscriptable_in_type_hints_as_in_langgraph():
    from typing import get_args, get_origin

    from typing_extensions import TypedDict

    from wfkit import StateGraph

    class S(TypedDict):
        x: int

    alias = StateGraph[S, dict]
    assert (get_origin(alias), get_args(alias)) == (StateGraph, (S, dict))
    builder = StateGraph[S](S)  # calling the alias builds the graph
    builder.add_node("a", lambda s: {"x": s["x"] + 1}).set_entry_point("a")
    assert builder.compile().invoke({"x": 1}) == {"x": 2}
