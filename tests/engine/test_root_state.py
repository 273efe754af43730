"""A state that is one value, not a dict (`StateGraph(Annotated[list, operator.add])`, `StateGraph(str)`):
nodes get and return the bare value, the output and the streams show it; a node may return a list of
updates with Commands among them; a `str` Enum member names a node as its string does."""

import enum
import operator
from typing import Annotated, Literal

from typing_extensions import TypedDict

from wfkit import END, START, Command, InMemorySaver, Send, StateGraph


def test_a_root_reducer_state_gives_nodes_the_bare_value_and_adds_what_they_return():
    seen = []
    g = StateGraph(Annotated[list, operator.add])
    g.add_node("a", lambda state: seen.append(state) or ["a"])
    g.add_node("b", lambda state: seen.append(state) or ["b"])
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    assert g.compile().invoke(["0"]) == ["0", "a", "b"]
    assert seen == [["0"], ["0", "a"]]


def test_a_root_state_streams_the_bare_value_in_values_and_updates():
    g = StateGraph(Annotated[str, operator.add])
    g.add_node("shout", lambda state: "!")
    g.add_edge(START, "shout")
    chunks = list(g.compile().stream("hi", stream_mode=["values", "updates"]))
    assert chunks == [("values", "hi"), ("updates", {"shout": "!"}), ("values", "hi!")]


def test_a_root_state_without_reducer_keeps_the_last_value_and_its_snapshots_show_it():
    g = StateGraph(str)
    g.add_node("up", lambda state: state.upper())
    g.add_edge(START, "up")
    graph = g.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "r"}}
    assert graph.invoke("hey", config) == "HEY"
    assert graph.get_state(config).values == "HEY"


def test_a_root_state_node_may_return_a_list_of_commands_and_sends_carry_bare_values():
    class Node:
        def __init__(self, name):
            self.name = self.__name__ = name

        def __call__(self, state):
            update = [self.name] if isinstance(state, list) else [f"{self.name}|{state!r}"]
            return [state, Command(update=update)] if isinstance(state, Command) else update

    def fan_out(state):
        return [Send("2", Command(goto=Send("2", 3))), "3"]

    def to_three(state) -> Literal["3"]:
        return "3"

    g = StateGraph(Annotated[list, operator.add])
    for name in ("1", "2", "3"):
        g.add_node(Node(name))
    g.add_edge(START, "1")
    g.add_conditional_edges("1", fan_out)
    g.add_conditional_edges("2", to_three)
    assert g.compile().invoke(["0"]) == ["0", "1", "3", "2|Command(goto=Send(node='2', arg=3))", "3", "2|3", "3"]


class S(TypedDict):
    log: Annotated[list, operator.add]


def test_a_node_returning_a_list_of_dicts_and_commands_applies_each_and_follows_the_gotos():
    g = StateGraph(S)
    g.add_node("x", lambda state: [{"log": [1]}, Command(update={"log": [2]}, goto="y")])
    g.add_node("y", lambda state: {"log": [3]})
    g.add_edge(START, "x")
    assert g.compile().invoke({"log": []}) == {"log": [1, 2, 3]}


def test_a_str_enum_member_names_a_node_as_its_string_does():
    class Name(str, enum.Enum):
        FIRST = "first"
        SECOND = "second"

    g = StateGraph(S)
    g.add_node(Name.FIRST, lambda state: Command(update={"log": ["first"]}, goto=Name.SECOND))
    g.add_node(Name.SECOND, lambda state: {"log": ["second"]})
    g.add_node("third", lambda state: {"log": ["third"]})
    g.add_edge(START, Name.FIRST)
    g.add_conditional_edges(Name.SECOND, lambda state: Name.FIRST if len(state["log"]) < 3 else "third",
                            [Name.FIRST, "third"])
    g.add_edge("third", END)
    graph = g.compile()
    assert graph.invoke({"log": []}) == {"log": ["first", "second", "first", "second", "third"]}
    assert list(graph.nodes) == ["first", "second", "third"]


def test_a_command_shows_only_the_fields_given():
    assert repr(Command(goto=Send("b", 1))) == "Command(goto=Send(node='b', arg=1))"
    assert repr(Command(update={"x": 1}, resume="ok")) == "Command(update={'x': 1}, resume='ok')"


def test_a_typeddict_declared_in_exec_code_is_still_a_dict_state():
    # exec'd code without __name__ declares its classes in module "builtins": they are not builtin types
    space = {}
    exec("from typing_extensions import TypedDict\nclass T(TypedDict):\n    x: int\n", space)
    g = StateGraph(space["T"])
    g.add_node("a", lambda state: {"x": state["x"] + 1})
    g.add_edge(START, "a")
    assert g.compile().invoke({"x": 1}) == {"x": 2}


def test_a_root_node_writing_several_values_shows_them_as_a_list_in_updates():
    g = StateGraph(Annotated[str, operator.add])
    g.add_sequence([("a", lambda state: [Command(update="a1"), Command(update="a2")]), ("b", lambda state: "b")])
    g.add_edge(START, "a")
    graph = g.compile()
    assert graph.invoke("") == "a1a2b"
    assert list(graph.stream("", stream_mode="updates")) == [{"a": ["a1", "a2"]}, {"b": "b"}]
