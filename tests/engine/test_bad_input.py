"""Bad input at the API (issue 31, item 6) is refused once, at the boundary, with a wfkit error that names the
argument, shows what was given and says what to pass; its type is LangGraph's where LangGraph raises a
deliberate one (a TypeError for a wrong type, a ValueError for `max_concurrency=0`). A `Command` input naming
an unknown node is ignored with a warning, as LangGraph ignores it, and never breaks the thread."""

import asyncio
import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import END, START, Command, InMemorySaver, Send, StateGraph, entrypoint
from wfkit.engine.options import options_from
from wfkit.errors import (ArgumentTypeError, ArgumentValueError, InvalidUpdateError, ReducerError,
                          UnsupportedFeatureError, WfkitWarning)


class S(TypedDict):
    items: Annotated[list, operator.add]
    n: int


def build(checkpointer=None):
    g = StateGraph(S)
    g.add_node("a", lambda s: {"n": s.get("n", 0) + 1})
    g.add_node("b", lambda s: {"items": ["b"]})
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    g.add_edge("b", END)
    return g.compile(checkpointer=checkpointer)


INPUT = {"items": [], "n": 0}
THREAD = {"configurable": {"thread_id": "t1"}}


async def _collect(chunks):
    return [c async for c in chunks]


# every way to run a graph: the sync and async entry points
RUNS = {
    "invoke": lambda app, input, config=None, **kw: app.invoke(input, config, **kw),
    "ainvoke": lambda app, input, config=None, **kw: asyncio.run(app.ainvoke(input, config, **kw)),
    "stream": lambda app, input, config=None, **kw: list(app.stream(input, config, **kw)),
    "astream": lambda app, input, config=None, **kw: asyncio.run(_collect(app.astream(input, config, **kw))),
    "start": lambda app, input, config=None: app.start(input, config).run(),
}

FIX = "pass e.g. config={'configurable': {'thread_id': 'some-id'}}"
CONFIG_NOT_DICT = f"`config` must be a dict (or None), got str `'t'`: {FIX}"
CONFIGURABLE_NOT_DICT = f"`config['configurable']` must be a dict, got str `'t'`: {FIX}"
CHECKPOINT_ID_LIST = ("`config['configurable']['checkpoint_id']` must be a str, got list `['x']`: pass one "
                      "checkpoint's id, or the config of a snapshot from get_state_history(config)")


def max_concurrency(given):
    return (f"`config['max_concurrency']` must be a positive int (or None for no limit), got {given}: e.g. "
            "config={'max_concurrency': 4}")


BAD_CONFIGS = [
    ("t", ArgumentTypeError, CONFIG_NOT_DICT),
    ({"configurable": "t"}, ArgumentTypeError, CONFIGURABLE_NOT_DICT),
    ({"configurable": {"thread_id": "t1", "checkpoint_id": ["x"]}}, ArgumentTypeError, CHECKPOINT_ID_LIST),
    ({"max_concurrency": "x"}, ArgumentTypeError, max_concurrency("str `'x'`")),
    ({"max_concurrency": -3}, ArgumentValueError, max_concurrency("int `-3`")),
    ({"max_concurrency": 0}, ArgumentValueError, max_concurrency("int `0`")),
]


def refused(error_type, message, call, *args, **kw):
    with pytest.raises(Exception) as caught:
        call(*args, **kw)
    assert type(caught.value) is error_type
    assert str(caught.value) == message
    return caught.value


@pytest.mark.parametrize("run", RUNS.values(), ids=RUNS)
@pytest.mark.parametrize("checkpointer", [None, InMemorySaver], ids=["plain", "saver"])
@pytest.mark.parametrize("config, error_type, message", BAD_CONFIGS, ids=[m[:40] for _, _, m in BAD_CONFIGS])
def test_a_bad_config_is_refused_naming_the_argument_and_the_fix(run, checkpointer, config, error_type, message):
    app = build(checkpointer and checkpointer())
    error = refused(error_type, message, run, app, INPUT, config)
    assert isinstance(error, ValueError if error_type is ArgumentValueError else TypeError)  # LangGraph's types


def test_the_debugger_refuses_a_config_that_is_not_a_dict():
    from wfkit.widgets import Debugger

    refused(ArgumentTypeError, CONFIG_NOT_DICT, Debugger, build(), INPUT, "t")


STATE_CALLS = {
    "get_state": lambda app, config: app.get_state(config),
    "aget_state": lambda app, config: asyncio.run(app.aget_state(config)),
    "get_state_history": lambda app, config: list(app.get_state_history(config)),
    "update_state": lambda app, config: app.update_state(config, {"n": 1}),
    "aupdate_state": lambda app, config: asyncio.run(app.aupdate_state(config, {"n": 1})),
}


@pytest.mark.parametrize("call", STATE_CALLS.values(), ids=STATE_CALLS)
@pytest.mark.parametrize("config, message", [("t", CONFIG_NOT_DICT), ({"configurable": "t"}, CONFIGURABLE_NOT_DICT),
                                             ({"configurable": {"thread_id": "t1", "checkpoint_id": ["x"]}},
                                              CHECKPOINT_ID_LIST)])
def test_the_state_api_refuses_a_bad_config(call, config, message):
    app = build(InMemorySaver())
    app.invoke(INPUT, THREAD)
    refused(ArgumentTypeError, message, call, app, config)


@pytest.mark.parametrize("argument, message", [
    ({"limit": "x"}, "get_state_history(): `limit` must be an int (the most snapshots to list) (or None), got "
                     "str `'x'`: e.g. limit=10"),
    ({"filter": 5}, "get_state_history(): `filter` must be a dict of metadata to match (or None), got int `5`: "
                    "e.g. filter={'source': 'loop'}"),
    ({"before": 5}, "get_state_history(): `before` must be a config dict (or None), got int `5`: e.g. "
                    "before=snapshot.config"),
])
def test_get_state_history_refuses_bad_arguments(argument, message):
    app = build(InMemorySaver())
    app.invoke(INPUT, THREAD)
    refused(ArgumentTypeError, message, lambda: list(app.get_state_history(THREAD, **argument)))


STREAMS = {k: RUNS[k] for k in ("stream", "astream")}


@pytest.mark.parametrize("stream", STREAMS.values(), ids=STREAMS)
def test_a_stream_mode_that_is_not_a_str_or_a_list_is_refused(stream):
    refused(ArgumentTypeError, "`stream_mode` must be a str or a list of them (values, updates, checkpoints, tasks, debug, "
                               "messages, custom), got int `5`: e.g. stream_mode='updates' or stream_mode=['values', 'custom']",
            stream, build(), INPUT, stream_mode=5)


ITEMS_5 = ("{writer} wrote int `5` to key `items`, whose reducer `operator.add` expected a list (like the key's "
           "current value) and raised TypeError; write a list, e.g. {{'items': [5]}}")


@pytest.mark.parametrize("run", RUNS.values(), ids=RUNS)
def test_a_write_the_reducer_cannot_take_names_the_key_and_the_reducer(run):
    error = refused(ReducerError, ITEMS_5.format(writer="the input"), run, build(), {"items": 5, "n": 0})
    assert isinstance(error, InvalidUpdateError) and isinstance(error, TypeError)  # LangGraph's: the TypeError


def test_update_state_and_edit_name_the_reducer_too():
    app = build(InMemorySaver())
    app.invoke(INPUT, THREAD)
    refused(ReducerError, ITEMS_5.format(writer="node `b`"), app.update_state, THREAD, {"items": 5})
    refused(ReducerError, ITEMS_5.format(writer="node `a`"), app.update_state, THREAD, {"items": 5}, "a")
    run = build().start(INPUT)
    refused(ReducerError, ITEMS_5.format(writer="node `__edit__`"), run.edit, {"items": 5})
    assert run.state == {"items": [], "n": 0}  # nothing changed


@pytest.mark.parametrize("n, error_type, message", [
    ("x", ArgumentTypeError, "run.back(n): `n` must be an int, the number of supersteps to go back, got str `'x'`: "
                             "e.g. run.back(1)"),
    (-1, ArgumentValueError, "run.back(n): `n` must be 0 or more, got -1: to go forward, step() or goto(step)"),
])
def test_run_back_refuses_what_is_not_a_count_of_supersteps(n, error_type, message):
    run = build().start(INPUT)
    run.step()
    refused(error_type, message, run.back, n)
    assert run.step_number == 1  # still where it was


CHECKPOINTER = ("`checkpointer` must be a checkpointer, True, False or None, got str `'sqlite'`: pass e.g. "
                "checkpointer=InMemorySaver(), or checkpointer=SqliteSaver('checkpoints.db') to keep threads in a file")


def test_compile_and_entrypoint_refuse_a_checkpointer_that_is_not_one():
    refused(ArgumentTypeError, CHECKPOINTER, lambda: build("sqlite"))  # a TypeError, as LangGraph's
    refused(ArgumentTypeError, CHECKPOINTER, lambda: entrypoint(checkpointer="sqlite")(lambda x: x))


@pytest.mark.parametrize("run", [RUNS["invoke"], RUNS["ainvoke"], RUNS["stream"]], ids=["invoke", "ainvoke", "stream"])
def test_a_command_to_an_unknown_node_is_ignored_and_the_thread_still_runs(run):
    app = build(InMemorySaver())
    app.invoke(INPUT, THREAD)
    with pytest.warns(WfkitWarning) as caught:
        run(app, Command(goto=["nope", Send("gone", {}), "b"]), THREAD)
    assert [str(w.message) for w in caught] == [
        "Command(goto=...) goes to `nope`, `gone`, which are not nodes of this graph; ignored (as LangGraph does). "
        "Nodes: a, b"]
    assert app.get_state(THREAD).values == {"items": ["b", "b"], "n": 1}  # `b` ran, as in LangGraph
    assert app.invoke(None, THREAD) == {"items": ["b", "b"], "n": 1}  # nothing left, nothing broken
    with pytest.warns(WfkitWarning, match="^Command\\(goto=...\\) goes to `nope`, which is not a node of this graph;"):
        assert app.invoke(Command(goto="nope"), THREAD) == {"items": ["b", "b"], "n": 1}


def test_a_thread_with_an_unknown_goto_stored_by_an_older_version_still_runs():
    app = build(InMemorySaver())
    app.invoke(INPUT, THREAD)
    history = app.history_of(options_from(THREAD))
    history.save_update(app.get_state(THREAD).config["configurable"]["checkpoint_id"], [], ["nope"])
    assert app.invoke(None, THREAD) == {"items": ["b"], "n": 1}


FIRST_COMMAND = ("Command({parts}) as the first input of {where} is not supported by wfkit: a Command continues a "
                 "thread that has a checkpoint. Start the run with the graph's input, e.g. invoke({{'items': ...}}, "
                 "config), and route from START with add_conditional_edges(START, ...) to begin at another node")


@pytest.mark.parametrize("run", [RUNS["invoke"], RUNS["ainvoke"], RUNS["stream"], RUNS["astream"]],
                         ids=["invoke", "ainvoke", "stream", "astream"])
@pytest.mark.parametrize("command, parts", [(Command(goto=Send("b", {"items": ["x"]})), "goto=..."),
                                            (Command(update={"n": 3}, goto="b"), "update=..., goto=...")])
def test_a_command_as_a_new_threads_first_input_is_refused_not_called_a_resume(run, command, parts):
    # LangGraph runs it as the thread's input; wfkit says it does not, and does not say "resume"
    refused(UnsupportedFeatureError, FIRST_COMMAND.format(parts=parts, where="thread `new`"), run,
            build(InMemorySaver()), command, {"configurable": {"thread_id": "new"}})
    refused(UnsupportedFeatureError, FIRST_COMMAND.format(parts=parts, where="a graph without a checkpointer"), run,
            build(), command)
