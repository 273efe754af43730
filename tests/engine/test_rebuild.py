"""Rebuilding states on long threads: snapshots every so often, one saver read per rebuild, and states
equal to a straight recomputation at any checkpoint, from a fresh graph or a fresh saver too."""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import END, START, InMemorySaver, SqliteSaver, StateGraph
from wfkit.engine import algo, rebuild
from wfkit.messages import AIMessage, HumanMessage, MessagesState, RemoveMessage, add_messages

STEPS = 1000


class Tally(TypedDict):
    x: int
    tens: Annotated[list, operator.add]


def count_up(state: Tally) -> dict:
    x = state["x"] + 1
    return {"x": x, "tens": [x] if x % 10 == 0 else []}


def tally(saver, steps=STEPS):
    g = StateGraph(Tally)
    g.add_node("a", count_up)
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: "a" if s["x"] < steps else END, ["a", END])
    return g.compile(checkpointer=saver)


def expected_tally(x: int) -> dict:
    return {"x": x, "tens": list(range(10, x + 1, 10))}


def cfg(checkpoint_id=None):
    c = {"configurable": {"thread_id": "t"}, "recursion_limit": 10 * STEPS}
    if checkpoint_id is not None:
        c["configurable"]["checkpoint_id"] = checkpoint_id
    return c


def ids_by_step(app) -> dict[int, str]:
    return {s.metadata["step"]: s.config["configurable"]["checkpoint_id"] for s in app.get_state_history(cfg())}


def test_states_at_head_middle_and_first_checkpoint_equal_a_recomputation(saver):
    tally(saver).invoke({"x": 0}, cfg())
    fresh = tally(saver)  # nothing kept in memory: every state is rebuilt from the saver
    ids = ids_by_step(fresh)
    assert sorted(ids) == list(range(-1, STEPS + 1))  # step -1: the input; step s: x == s
    for step in (STEPS - 1, STEPS // 2, 333, 31, 30, 29, 1, 0):
        assert fresh.get_state(cfg(ids[step])).values == expected_tally(step)
    assert tally(saver).get_state(cfg(ids[-1])).values == {"tens": []}
    assert tally(saver).get_state(cfg()).values == expected_tally(STEPS)


def test_every_checkpoint_rebuilt_alone_equals_the_history_listing(saver):
    tally(saver, 200).invoke({"x": 0}, cfg())
    listed = {s.config["configurable"]["checkpoint_id"]: s.values for s in tally(saver).get_state_history(cfg())}
    app = tally(saver)
    for checkpoint_id, values in reversed(list(listed.items())[::7]):
        assert app.get_state(cfg(checkpoint_id)).values == values


class Counter(TypedDict):
    x: int


def test_a_snapshot_every_k_checkpoints_of_a_state_its_deltas_rewrite(saver):
    g = StateGraph(Counter)
    g.add_node("a", lambda s: {"x": s["x"] + 1})
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: "a" if s["x"] < 100 else END, ["a", END])
    g.compile(checkpointer=saver).invoke({"x": 0}, cfg())
    stored = {cp.step: cp.snapshot for cp in saver.list("t") if cp.snapshot is not None}
    # the input checkpoint (step -1) is the first delta from the root; one snapshot every `EVERY` deltas
    assert sorted(stored) == list(range(rebuild.EVERY - 2, 101, rebuild.EVERY))
    assert stored[rebuild.EVERY - 2] == {"x": rebuild.EVERY - 2}


def test_a_slowly_rewritten_state_gets_fewer_snapshots(saver):
    tally(saver, 160).invoke({"x": 0}, cfg())  # `tens` grows: the deltas must outweigh it twice over
    steps = sorted(cp.step for cp in saver.list("t") if cp.snapshot is not None)
    gaps = [b - a for a, b in zip(steps, steps[1:])]
    assert gaps[0] == rebuild.EVERY and gaps[-1] > rebuild.EVERY and gaps == sorted(gaps)
    assert tally(saver).get_state(cfg()).values == expected_tally(160)


def test_a_growing_list_is_never_copied_into_snapshots(saver):
    def say(state):
        n = len(state["messages"])
        return {"messages": [AIMessage(f"reply {n}", id=f"m{n}")]}

    g = StateGraph(MessagesState)
    g.add_node("say", say)
    g.add_edge(START, "say")
    g.add_conditional_edges("say", lambda s: "say" if len(s["messages"]) < 300 else END, ["say", END])
    app = g.compile(checkpointer=saver)
    app.invoke({"messages": [HumanMessage("go", id="h")]}, cfg())
    assert [cp.step for cp in saver.list("t") if cp.snapshot is not None] == []
    got = g.compile(checkpointer=saver).get_state(cfg()).values["messages"]
    assert [(m.id, m.content) for m in got] == [("h", "go")] + [(f"m{n}", f"reply {n}") for n in range(1, 300)]


def test_a_fresh_saver_on_the_same_sqlite_file_rebuilds_the_same_states(tmp_path):
    path = str(tmp_path / "long.db")
    with SqliteSaver(path) as first:
        tally(first).invoke({"x": 0}, cfg())
    with SqliteSaver(path) as second:  # a new process, as far as the graph can tell
        app = tally(second)
        ids = ids_by_step(app)
        assert app.get_state(cfg()).values == expected_tally(STEPS)
        assert tally(second).get_state(cfg(ids[STEPS // 2])).values == expected_tally(STEPS // 2)
        assert tally(second).get_state(cfg(ids[0])).values == expected_tally(0)
        # and the thread goes on from there: a new run on the same thread continues the tally
        assert tally(second, STEPS + 5).invoke({"tens": []}, cfg()) == expected_tally(STEPS + 5)


def test_threads_written_without_snapshots_still_load(saver, monkeypatch):
    monkeypatch.setattr(rebuild, "wants_snapshot", lambda *a: False)  # what wfkit wrote before snapshots
    tally(saver, 300).invoke({"x": 0}, cfg())
    assert [cp for cp in saver.list("t") if cp.snapshot is not None] == []
    monkeypatch.undo()
    ids = ids_by_step(tally(saver))
    assert tally(saver).get_state(cfg()).values == expected_tally(300)
    assert tally(saver).get_state(cfg(ids[150])).values == expected_tally(150)
    assert tally(saver, 340).invoke({"tens": []}, cfg()) == expected_tally(340)
    assert min(cp.step for cp in saver.list("t") if cp.snapshot is not None) > 300


class Counting:
    """A saver counting the reads it answers: with wfkit's `lineage` and `get_with_writes` counted too, or
    without `get_with_writes` (LangGraph's API has none: the history then asks `get` and `get_writes`)."""

    def __init__(self, inner, with_lineage: bool):
        self.inner, self.reads = inner, 0
        if with_lineage:
            self.lineage = self._counted(inner.lineage)
            self.get_with_writes = self._counted(inner.get_with_writes)

    def _counted(self, fn):
        def call(*args, **kwargs):
            self.reads += 1
            return fn(*args, **kwargs)
        return call

    def __getattr__(self, name):
        if name == "get_with_writes":  # only set in __init__
            raise AttributeError(name)
        attr = getattr(self.inner, name)
        return self._counted(attr) if name in ("get", "list", "get_writes", "checkpoints_with_writes") else attr


@pytest.mark.parametrize("with_lineage, most", [(True, 2), (False, rebuild.EVERY + 3)])
def test_saver_reads_per_get_state_do_not_grow_with_the_thread(saver, with_lineage, most):
    reads = {}
    for steps in (100, 1000):
        saver.delete_thread("t")
        tally(saver, steps).invoke({"x": 0}, cfg())
        ids = ids_by_step(tally(saver))
        for where, checkpoint_id in (("head", None), ("middle", ids[steps // 2]), ("first", ids[0])):
            counting = Counting(saver, with_lineage)
            app = tally(counting, steps)
            assert app.get_state(cfg(checkpoint_id)).values["x"] == {"head": steps, "middle": steps // 2,
                                                                      "first": 0}[where]
            reads[steps, where] = counting.reads
    assert max(reads.values()) <= most, reads
    assert reads[100, "head"] == reads[1000, "head"]


class Total:  # a reducer's result no saver can store; its inputs (ints) can
    def __init__(self, n):
        self.n = n


def add_to_total(left, right):
    return Total((left.n if isinstance(left, Total) else left) + right)


class Totals(TypedDict):
    total: Annotated[int, add_to_total]
    x: int


def test_a_state_the_saver_cannot_snapshot_is_kept_as_deltas(saver):
    g = StateGraph(Totals)
    g.add_node("a", lambda s: {"total": 1, "x": s["x"] + 1})
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: "a" if s["x"] < 80 else END, ["a", END])
    g.compile(checkpointer=saver).invoke({"total": 0, "x": 0}, cfg())
    assert [cp for cp in saver.list("t") if cp.snapshot is not None] == []
    assert g.compile(checkpointer=saver).get_state(cfg()).values["total"].n == 80


def test_replay_extends_one_copy_and_leaves_its_inputs_alone():
    spec = tally(InMemorySaver()).spec
    base = {"x": 0, "tens": [10]}
    deltas = [[("a", "x", i), ("a", "tens", [i])] for i in range(1, 6)]
    stored = [list(map(list, d)) for d in deltas]
    values = rebuild.replay_deltas(spec, base, deltas)
    assert values == {"x": 5, "tens": [10, 1, 2, 3, 4, 5]}
    assert base == {"x": 0, "tens": [10]} and deltas == [list(map(tuple, d)) for d in stored]
    one_by_one = base
    for d in deltas:
        one_by_one = algo.replay_stored(spec, one_by_one, d)
    assert one_by_one == values


def test_replayed_messages_equal_add_messages_applied_one_by_one():
    spec = StateGraph(MessagesState).add_node("n", lambda s: {}).add_edge(START, "n").compile().spec
    base = {"messages": [HumanMessage("hi", id="h")]}
    deltas = [
        [("n", "messages", [AIMessage("one", id="a1")])],
        [("n", "messages", [AIMessage("two", id="a2"), AIMessage("one, edited", id="a1")])],
        [("n", "messages", [RemoveMessage(id="h")])],
        [("n", "messages", [AIMessage("three", id="a3")])],
        [("n", "messages", {"role": "user", "content": "a dict", "id": "u1"})],
    ]
    want = base["messages"]
    for d in deltas:
        want = add_messages(want, d[0][2])
    got = rebuild.replay_deltas(spec, base, deltas)["messages"]
    assert [(m.id, m.content) for m in got] == [(m.id, m.content) for m in want] == [
        ("a1", "one, edited"), ("a2", "two"), ("a3", "three"), ("u1", "a dict")]
    assert [(m.id, m.content) for m in base["messages"]] == [("h", "hi")]


def test_the_snapshot_rule():
    small = {"x": 1, "tens": [1, 2]}  # weighs 3
    assert rebuild.wants_snapshot(rebuild.EVERY, 6, small)
    assert not rebuild.wants_snapshot(rebuild.EVERY - 1, 600, small)  # too few deltas yet
    assert not rebuild.wants_snapshot(rebuild.EVERY, 5, small)  # the deltas are what the state is made of
    assert rebuild.delta_weight([("a", "x", 3), ("a", "tens", [1, 2, 3]), ("b", "m", {"k": 1})]) == 5


def test_messages_written_without_ids_keep_the_ids_they_got_when_rebuilt(saver):
    def say(state):
        return {"messages": [AIMessage(f"reply {len(state['messages'])}"), {"role": "user", "content": "more"}]}

    g = StateGraph(MessagesState)
    g.add_node("say", say)
    g.add_edge(START, "say")
    g.add_conditional_edges("say", lambda s: "say" if len(s["messages"]) < 41 else END, ["say", END])
    live = g.compile(checkpointer=saver).invoke({"messages": "go"}, cfg())["messages"]
    assert len(live) == 41 and all(m.id for m in live)
    stored = [w[2] for cp in saver.list("t") for w in cp.writes if w[1] == "messages"]
    assert all(m.id for value in stored for m in value)  # stored with the ids the run gave them
    for _ in range(2):  # two fresh graphs rebuild the same ids
        rebuilt = g.compile(checkpointer=saver).get_state(cfg()).values["messages"]
        assert [(m.id, m.type, m.content) for m in rebuilt] == [(m.id, m.type, m.content) for m in live]
