"""A superstep is all or nothing: when its checkpoint cannot be stored, the run (values, plan, step, history)
and the thread stay as they were before it, and stepping (or invoking) again runs it again."""

import operator
from typing import Annotated, TypedDict

import pytest

from wfkit import END, START, InMemorySaver, SqliteSaver, StateGraph
from wfkit._ids import deterministic_ids
from wfkit.checkpoint.base import BaseCheckpointSaver
from wfkit.errors import CheckpointError, StepNotStoredError

CONFIG = {"configurable": {"thread_id": "t"}}
JSON_CAUSE = (
    "cannot store checkpoint `checkpoint-{id}` of thread `t`: `obj` (written by node `w`) is a `builtins.object`, "
    "which a JSON checkpoint cannot hold; convert it to one of: None, bool, int, float, str, list, dict, tuple, "
    "set, frozenset, bytes, datetime, date, UUID, a wfkit message, a pydantic model, a dataclass or an Enum "
    "member (register pydantic models, dataclasses and Enums with `register_types` to get them back as "
    "themselves)")


class S(TypedDict):
    items: Annotated[list, operator.add]
    n: int
    obj: object


def build(saver, bad):
    """The issue's graph: `w` loops until n >= 4 and writes an object JSON cannot hold at n == 1 while
    `bad["on"]`."""
    def w(state):
        out = {"items": [f"w{state['n']}"], "n": state["n"] + 1}
        if state["n"] == 1 and bad["on"]:
            out["obj"] = object()
        return out

    graph = StateGraph(S)
    graph.add_node("w", w)
    graph.add_edge(START, "w")
    graph.add_conditional_edges("w", lambda s: END if s["n"] >= 4 else "w")
    return graph.compile(checkpointer=saver)


@pytest.fixture(params=["sqlite", "memory"])
def fresh_app(request, tmp_path):
    """`fresh_app(bad)`: the graph on a SqliteSaver file (a new saver each call, as a new kernel would
    open it) or on one InMemorySaver."""
    memory = InMemorySaver()

    def make(bad):
        return build(SqliteSaver(str(tmp_path / "f.db")) if request.param == "sqlite" else memory, bad)

    return make


def _steps(app):
    return [(h.metadata["step"], h.values.get("items")) for h in app.get_state_history(CONFIG)]


def test_a_step_whose_checkpoint_cannot_be_stored_leaves_the_run_as_it_was(fresh_app):
    bad = {"on": True}
    app = fresh_app(bad)
    with deterministic_ids():
        run = app.start({"items": [], "n": 0}, CONFIG)
        run.step()
        before = (run.state, run.step_number, [t.name for t in run.next], list(run.history), run.checkpoint_id,
                  run.interrupts, run.status)
        with pytest.raises(StepNotStoredError) as e:
            run.step()
    assert str(e.value) == (
        "superstep 2 of thread `t` was not stored (" + JSON_CAUSE.format(id=5) + "); the run stays where it "
        "was before it (its state, next tasks and history): fix the cause and step again, which runs superstep "
        "2 again")
    assert isinstance(e.value.__cause__, CheckpointError)
    assert (run.state, run.step_number, [t.name for t in run.next], list(run.history), run.checkpoint_id,
            run.interrupts, run.status) == before
    assert run.state == {"items": ["w0"], "n": 1}
    bad["on"] = False
    while not run.done:
        run.step()
    assert run.state["items"] == ["w0", "w1", "w2", "w3"]
    assert [r.step for r in run.history] == [1, 2, 3, 4]
    fresh = fresh_app(bad)  # a new graph reading the thread back
    assert fresh.get_state(CONFIG).values["items"] == ["w0", "w1", "w2", "w3"]
    assert _steps(fresh) == [(4, ["w0", "w1", "w2", "w3"]), (3, ["w0", "w1", "w2"]), (2, ["w0", "w1"]),
                             (1, ["w0"]), (0, []), (-1, [])]


class DiskFullOnce(BaseCheckpointSaver):
    """A saver of one's own (no `put_on_head`) whose next `put` fails with an OSError when `fail` is set."""

    def __init__(self):
        self.inner, self.fail = InMemorySaver(), False

    def register_types(self, types):
        self.inner.register_types(types)

    def put(self, checkpoint):
        if self.fail:
            self.fail = False
            raise OSError("disk full")
        self.inner.put(checkpoint)

    def get(self, thread_id, checkpoint_id=None):
        return self.inner.get(thread_id, checkpoint_id)

    def list(self, thread_id, *, before=None, limit=None):
        return self.inner.list(thread_id, before=before, limit=limit)

    def put_writes(self, thread_id, checkpoint_id, writes):
        self.inner.put_writes(thread_id, checkpoint_id, writes)

    def get_writes(self, thread_id, checkpoint_id):
        return self.inner.get_writes(thread_id, checkpoint_id)

    def delete_thread(self, thread_id):
        self.inner.delete_thread(thread_id)


def test_a_step_whose_saver_raises_oserror_once_is_not_stored_and_stepping_again_stores_it():
    saver = DiskFullOnce()
    app = build(saver, {"on": False})
    run = app.start({"items": [], "n": 0}, CONFIG)
    run.step()
    saver.fail = True
    with pytest.raises(StepNotStoredError) as e:
        run.step()
    assert str(e.value) == (
        "superstep 2 of thread `t` was not stored (OSError: disk full); the run stays where it was before it "
        "(its state, next tasks and history): fix the cause and step again, which runs superstep 2 again")
    assert isinstance(e.value.__cause__, OSError)
    assert (run.state, run.step_number, len(run.history)) == ({"items": ["w0"], "n": 1}, 1, 1)
    assert _steps(app) == [(1, ["w0"]), (0, []), (-1, [])]
    record = run.step()
    assert (record.step, record.values["items"]) == (2, ["w0", "w1"])
    run.run()
    assert run.state == {"items": ["w0", "w1", "w2", "w3"], "n": 4}
    assert _steps(app)[0] == (4, ["w0", "w1", "w2", "w3"])


def test_invoke_raises_when_a_superstep_is_not_stored_and_invoking_again_continues_from_the_last_stored():
    saver = DiskFullOnce()
    bad = {"on": False}
    app = build(saver, bad)
    calls = []
    saver_put = saver.put

    def put(checkpoint):  # fail the checkpoint of superstep 2
        calls.append(checkpoint.step)
        saver.fail = saver.fail or checkpoint.step == 2 and calls.count(2) == 1
        saver_put(checkpoint)

    saver.put = put
    with pytest.raises(OSError) as e:
        app.invoke({"items": [], "n": 0}, CONFIG)
    assert str(e.value) == "disk full"
    assert e.value.__notes__ == ["superstep 2 of thread `t` was not stored; the run and the thread stay as they "
                                 "were before it, so running it again retries it"]
    assert app.get_state(CONFIG).values == {"items": ["w0"], "n": 1}
    assert app.get_state(CONFIG).next == ("w",)
    assert app.invoke(None, CONFIG) == {"items": ["w0", "w1", "w2", "w3"], "n": 4}
    assert [s for s, _ in _steps(app)] == [4, 3, 2, 1, 0, -1]


def test_stream_raises_a_superstep_that_cannot_be_stored_and_the_thread_keeps_the_steps_before(fresh_app):
    bad = {"on": True}
    app = fresh_app(bad)
    chunks = []
    with pytest.raises(CheckpointError) as e:
        for chunk in app.stream({"items": [], "n": 0}, CONFIG, stream_mode="values"):
            chunks.append(chunk["items"])
    assert str(e.value).startswith("cannot store checkpoint `")
    assert chunks == [[], ["w0"]]  # the superstep not stored is never shown as a state
    assert _steps(app) == [(1, ["w0"]), (0, []), (-1, [])]
    bad["on"] = False
    assert app.invoke(None, CONFIG)["items"] == ["w0", "w1", "w2", "w3"]
