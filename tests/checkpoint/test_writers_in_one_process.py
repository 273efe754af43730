"""Several runs of one process on one thread (two Runs or Debuggers, a review resume while a cell runs): the
one that stores a superstep on a head another run has moved gets a `CheckpointConflictError` and stores
nothing, as a second process would; never a silent fork. On one InMemorySaver, one SqliteSaver shared by
both, and two SqliteSavers on one file."""

import operator
import threading
from typing import Annotated, TypedDict

import pytest

from wfkit import START, InMemorySaver, SqliteSaver, StateGraph
from wfkit._ids import deterministic_ids
from wfkit.checkpoint import Checkpoint
from wfkit.errors import CheckpointConflictError

CONFIG = {"configurable": {"thread_id": "t"}}


class Count(TypedDict):
    n: int
    log: Annotated[list, operator.add]


def build(saver):
    graph = StateGraph(Count)
    graph.add_node("inc", lambda s: {"n": s["n"] + 1, "log": [f"n{s['n']}"]})
    graph.add_edge(START, "inc")
    graph.add_edge("inc", "inc")  # never ends: each Run steps it by hand
    return graph.compile(checkpointer=saver)


@pytest.fixture(params=["memory", "sqlite", "two sqlite savers", "postgres", "two postgres savers"])
def two_apps(request, tmp_path):
    """(app_a, app_b, who): two graphs on one thread's storage, and who the loser is told stored first."""
    path = str(tmp_path / "t.db")
    if request.param == "memory":
        app = build(InMemorySaver())
        return app, app, "another run in this process"
    if request.param == "sqlite":
        app = build(SqliteSaver(path))
        return app, app, "another run in this process"
    if request.param == "two sqlite savers":
        return build(SqliteSaver(path)), build(SqliteSaver(path)), "another process"
    from wfkit import PostgresSaver

    conninfo = request.getfixturevalue("postgres_conninfo")
    if request.param == "postgres":
        app = build(PostgresSaver(conninfo))
        return app, app, "another run in this process"
    return build(PostgresSaver(conninfo)), build(PostgresSaver(conninfo)), "another process"


def _linear(app):
    """(step, n) of the thread's checkpoints, newest first, after checking each one's parent is the one
    stored just before it (one branch)."""
    history = list(app.get_state_history(CONFIG))
    parents = [h.parent_config["configurable"]["checkpoint_id"] if h.parent_config else None for h in history]
    assert parents == [h.config["configurable"]["checkpoint_id"] for h in history[1:]] + [None]
    return [(h.metadata["step"], h.values.get("n")) for h in history]


def test_the_second_of_two_runs_stepping_from_one_head_is_refused_and_stores_nothing(two_apps):
    app_a, app_b, who = two_apps
    with deterministic_ids():
        run_a = app_a.start({"n": 0, "log": []}, CONFIG)
        run_b = app_b.start(None, CONFIG)  # both at step 0, checkpoint-3
        run_a.step()
        with pytest.raises(CheckpointConflictError) as e:
            run_b.step()
    assert str(e.value) == (
        f"superstep 1 of thread `t` was not stored (cannot store checkpoint `checkpoint-6` of thread `t`: {who} "
        f"advanced the thread meanwhile (its newest checkpoint is now `checkpoint-5` (step 1), where this one "
        f"last saw `checkpoint-3`); nothing was stored — reload the thread (get_state, or invoke it again) and "
        f"retry the step); the run stays where it was before it: to go on from the other writer's checkpoint, "
        f"open the thread again (app.start(None, config))")
    assert (run_b.state, run_b.step_number, run_b.checkpoint_id, run_b.history) == (
        {"n": 0, "log": []}, 0, "checkpoint-3", [])
    assert _linear(app_a) == [(1, 1), (0, 0), (-1, None)]
    # Reloading is the fix: a run opened on the thread again goes on from a's superstep.
    again = app_b.start(None, CONFIG)
    assert again.step().values == {"n": 2, "log": ["n0", "n1"]}
    assert _linear(app_b) == [(2, 2), (1, 1), (0, 0), (-1, None)]


def test_the_run_that_lost_still_forks_on_purpose_after_going_back(two_apps):
    app_a, app_b, _ = two_apps
    run_a = app_a.start({"n": 0, "log": []}, CONFIG)
    run_a.step()
    run_b = app_b.start(None, CONFIG)
    run_a.step()
    run_b.goto(0)  # a deliberate branch from step 0: stored beside a's supersteps, not refused
    assert run_b.step().values == {"n": 1, "log": ["n0"]}
    assert run_b.step().values == {"n": 2, "log": ["n0", "n1"]}  # and then continues its own branch
    with pytest.raises(CheckpointConflictError):
        run_a.step()  # a's head is no longer the thread's newest checkpoint
    assert [h.metadata["step"] for h in app_a.get_state_history(CONFIG)] == [2, 1, 2, 1, 0, -1]


def _cp(id_, parent=None, step=0):
    return Checkpoint(id=id_, thread_id="t", parent_id=parent, step=step, source="loop", created_at="now")


def _refused(id_, now, seen):
    return (f"cannot store checkpoint `{id_}` of thread `t`: another run in this process advanced the thread "
            f"meanwhile ({now}, where this one last saw {seen}); nothing was stored — reload the thread "
            f"(get_state, or invoke it again) and retry the step")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_put_on_head_stores_a_checkpoint_only_while_its_parent_is_the_newest(kind, tmp_path):
    saver = InMemorySaver() if kind == "memory" else SqliteSaver(str(tmp_path / "s.db"))
    saver.put_on_head(_cp("c0"))
    with pytest.raises(CheckpointConflictError) as e:
        saver.put_on_head(_cp("x0"))  # a second root: another run started the thread first
    assert str(e.value) == _refused("x0", "its newest checkpoint is now `c0` (step 0)", "no checkpoint at all")
    saver.put_on_head(_cp("c1", "c0", 1))
    with pytest.raises(CheckpointConflictError) as e:
        saver.put_on_head(_cp("x1", "c0", 1))
    assert str(e.value) == _refused("x1", "its newest checkpoint is now `c1` (step 1)", "`c0`")
    saver.put(_cp("fork", "c0", 1))  # a plain put is a deliberate branch: never refused
    assert [c.id for c in saver.list("t")] == ["fork", "c1", "c0"]
    saver.delete_thread("t")
    with pytest.raises(CheckpointConflictError) as e:
        saver.put_on_head(_cp("y", "fork", 2))
    assert str(e.value) == _refused("y", "it has no checkpoint any more (it was deleted)", "`fork`")
    assert list(saver.list("t")) == []


@pytest.mark.parametrize("rounds", [40])
def test_two_threads_stepping_one_thread_each_round_one_stores_the_other_is_refused(two_apps, rounds):
    app_a, app_b, _ = two_apps
    app_a.start({"n": 0, "log": []}, CONFIG)
    outcomes = []
    for _ in range(rounds):
        gate = threading.Barrier(2)
        results = {}

        def step(name, app):
            run = app.start(None, CONFIG)
            gate.wait()  # both read the same head before either stores its superstep
            try:
                results[name] = ("stored", run.step().values["n"])
            except CheckpointConflictError:
                results[name] = ("refused", run.state["n"])
            except Exception as error:  # anything else fails the test below, with its name
                results[name] = (repr(error), None)

        threads = [threading.Thread(target=step, args=(name, app)) for name, app in (("a", app_a), ("b", app_b))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes.append(sorted(results.values()))
    # Each round, exactly one run stored its superstep on the head both read; the other stored nothing.
    assert outcomes == [[("refused", n - 1), ("stored", n)] for n in range(1, rounds + 1)]
    assert _linear(app_a) == [(step, step) for step in range(rounds, -1, -1)] + [(-1, None)]
    assert app_b.get_state(CONFIG).values["log"] == [f"n{i}" for i in range(rounds)]
