"""The checkpointer contract, run against every saver (the `saver` fixture is parametrized over them)."""

from __future__ import annotations

import threading
import warnings

import pytest

from wfkit.checkpoint import PendingWrite
from wfkit.errors import CheckpointError

from .conftest import REGISTERED, SUPPORTED_VALUES, Doc, assert_identical


def _chain(saver, make_checkpoint, n, thread="t"):
    """Put c0 <- c1 <- ... <- c{n-1} in `thread`; returns them in put order."""
    cps = [make_checkpoint(f"c{i}", thread=thread, parent=f"c{i - 1}" if i else None, step=i - 1,
                           writes=[(f"node{i}", "items", [i])]) for i in range(n)]
    for cp in cps:
        saver.put(cp)
    return cps


def _ids(checkpoints):
    return [cp.id for cp in checkpoints]


def test_get_without_id_returns_the_latest_checkpoint_put(saver, make_checkpoint):
    cps = _chain(saver, make_checkpoint, 3)
    assert saver.get("t") == cps[2]


def test_get_by_id_returns_that_checkpoint_whole(saver, make_checkpoint):
    cp = make_checkpoint("c1", parent="c0", step=4, source="update", created_at="2025-05-06T07:08:09+00:00",
                         writes=[("agent", "messages", ["hi"]), ("tools", "count", 2)],
                         plan={"next": ["tools"], "sends": [("tools", {"x": 1})]},
                         metadata={"writer": "agent"}, snapshot={"count": 2})
    _chain(saver, make_checkpoint, 1)
    saver.put(cp)
    _chain(saver, make_checkpoint, 1, thread="other")
    assert saver.get("t", "c1") == cp
    assert saver.get("t", "c0").writes == [("node0", "items", [0])]


def test_list_returns_the_thread_newest_first(saver, make_checkpoint):
    _chain(saver, make_checkpoint, 4)
    assert _ids(saver.list("t")) == ["c3", "c2", "c1", "c0"]


def test_list_order_is_put_order_not_id_order(saver, make_checkpoint):
    for id_ in ["b", "a", "c"]:
        saver.put(make_checkpoint(id_))
    assert _ids(saver.list("t")) == ["c", "a", "b"]
    assert saver.get("t").id == "c"


def test_list_before_and_limit(saver, make_checkpoint):
    _chain(saver, make_checkpoint, 5)
    assert _ids(saver.list("t", before="c3")) == ["c2", "c1", "c0"]
    assert _ids(saver.list("t", before="c3", limit=2)) == ["c2", "c1"]
    assert _ids(saver.list("t", limit=2)) == ["c4", "c3"]
    assert _ids(saver.list("t", limit=0)) == []
    assert _ids(saver.list("t", limit=99)) == ["c4", "c3", "c2", "c1", "c0"]
    assert _ids(saver.list("t", before="c0")) == []


def test_list_before_an_unknown_id_names_it(saver, make_checkpoint):
    _chain(saver, make_checkpoint, 2)
    with pytest.raises(CheckpointError) as e:
        saver.list("t", before="nope")
    assert str(e.value) == ("list(before=...): thread `t` has no checkpoint `nope`; put the checkpoint first, "
                            "or check the id (see `list(thread_id)`)")


def test_list_rejects_a_negative_limit(saver):
    with pytest.raises(ValueError) as e:
        saver.list("t", limit=-1)
    assert str(e.value) == "list(limit=...) must be None or an int >= 0, got -1"


def test_pending_writes_come_back_in_put_order_across_calls(saver, make_checkpoint):
    _chain(saver, make_checkpoint, 2)
    saver.put_writes("t", "c1", [PendingWrite("task-a", "a", "items", [1]), PendingWrite("task-b", "b", "n", 2)])
    saver.put_writes("t", "c1", [PendingWrite("task-c", "c", "__error__", {"type": "ValueError"})])
    assert saver.get_writes("t", "c1") == [
        PendingWrite("task-a", "a", "items", [1]), PendingWrite("task-b", "b", "n", 2),
        PendingWrite("task-c", "c", "__error__", {"type": "ValueError"})]
    assert saver.get_writes("t", "c0") == []


def test_get_with_writes_is_get_and_get_writes_read_together(saver, make_checkpoint):
    cps = _chain(saver, make_checkpoint, 3)
    assert saver.get_with_writes("t") == (cps[2], [])
    assert saver.get_with_writes("t", "c1") == (cps[1], [])
    saver.put_writes("t", "c1", [PendingWrite("task-a", "a", "items", [1]), PendingWrite("task-b", "b", "n", 2)])
    saver.put_writes("t", "c2", [PendingWrite("task-c", "c", "__interrupt__", [{"value": "ok?", "id": "i"}])])
    assert saver.get_with_writes("t", "c1") == (cps[1], [PendingWrite("task-a", "a", "items", [1]),
                                                          PendingWrite("task-b", "b", "n", 2)])
    assert saver.get_with_writes("t") == (cps[2], saver.get_writes("t", "c2"))
    assert saver.get_with_writes("t", "c0") == (cps[0], [])
    assert saver.get_with_writes("t", "c9") == (None, []) and saver.get_with_writes("nobody") == (None, [])


def test_pending_writes_need_their_checkpoint(saver, make_checkpoint):
    _chain(saver, make_checkpoint, 1)
    with pytest.raises(CheckpointError) as e:
        saver.put_writes("t", "c9", [PendingWrite("task-a", "a", "items", 1)])
    assert str(e.value) == ("put_writes: thread `t` has no checkpoint `c9`; put the checkpoint first, "
                            "or check the id (see `list(thread_id)`)")
    assert saver.get_writes("t", "c9") == []


def test_delete_thread_forgets_its_checkpoints_and_writes_only(saver, make_checkpoint):
    _chain(saver, make_checkpoint, 3)
    _chain(saver, make_checkpoint, 2, thread="keep")
    saver.put_writes("t", "c2", [PendingWrite("task-a", "a", "k", 1)])
    saver.put_writes("keep", "c1", [PendingWrite("task-b", "b", "k", 2)])
    saver.delete_thread("t")
    assert (saver.get("t"), _ids(saver.list("t")), saver.get_writes("t", "c2")) == (None, [], [])
    assert _ids(saver.list("keep")) == ["c1", "c0"]
    assert saver.get_writes("keep", "c1") == [PendingWrite("task-b", "b", "k", 2)]
    saver.delete_thread("never-existed")  # a no-op, not an error
    saver.put(make_checkpoint("c0"))  # a deleted thread can start again, even with the old ids
    assert _ids(saver.list("t")) == ["c0"]


def test_threads_are_isolated_even_with_the_same_ids(saver, make_checkpoint):
    saver.put(make_checkpoint("c0", thread="a", writes=[("n", "k", "from a")]))
    saver.put(make_checkpoint("c0", thread="b", writes=[("n", "k", "from b")]))
    saver.put_writes("a", "c0", [PendingWrite("task", "n", "k", "pending a")])
    assert saver.get("a", "c0").writes == [("n", "k", "from a")]
    assert saver.get("b", "c0").writes == [("n", "k", "from b")]
    assert (saver.get("a").thread_id, saver.get("b").thread_id) == ("a", "b")
    assert saver.get_writes("b", "c0") == []


def test_unknown_thread_or_id_gives_none_or_empty(saver, make_checkpoint):
    assert (saver.get("nobody"), saver.get("nobody", "c0"), list(saver.list("nobody")),
            saver.get_writes("nobody", "c0")) == (None, None, [], [])
    _chain(saver, make_checkpoint, 1)
    assert saver.get("t", "c7") is None


def test_putting_an_existing_id_again_is_refused_and_keeps_the_first(saver, make_checkpoint):
    first = make_checkpoint("c0", writes=[("n", "k", "first")])
    saver.put(first)
    with pytest.raises(CheckpointError) as e:
        saver.put(make_checkpoint("c0", writes=[("n", "k", "second")]))
    assert str(e.value) == ("checkpoint `c0` already exists in thread `t`; checkpoints are never overwritten — "
                            "give the new one a fresh id (`wfkit._ids.new_id('checkpoint')`)")
    assert (saver.get("t", "c0"), _ids(saver.list("t"))) == (first, ["c0"])


@pytest.mark.parametrize("name", sorted(SUPPORTED_VALUES))
def test_every_supported_type_round_trips_exactly(saver, make_checkpoint, name):
    saver.register_types(REGISTERED)
    value = SUPPORTED_VALUES[name]
    saver.put(make_checkpoint("c0", writes=[("n", name, value)], plan={"arg": value}, metadata={"m": value},
                              snapshot={name: value}))
    saver.put_writes("t", "c0", [PendingWrite("task", "n", name, value)])
    got = saver.get("t", "c0")
    assert_identical(got.writes, [("n", name, value)])
    assert_identical([got.plan, got.metadata, got.snapshot], [{"arg": value}, {"m": value}, {name: value}])
    assert_identical(saver.get_writes("t", "c0")[0].value, value)


def test_a_registered_pydantic_model_comes_back_as_itself(saver, make_checkpoint):
    doc = SUPPORTED_VALUES["model"]
    saver.put(make_checkpoint("c0", writes=[("n", "doc", doc)]))
    with pytest.warns(UserWarning) as record:
        assert saver.get("t").writes[0][2] == doc.model_dump() | {"color": "blue"}
    assert len(record) == 3  # Doc, Part, Color: each unregistered class is named
    saver.register_types(REGISTERED)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = saver.get("t").writes[0][2]
    assert type(got) is Doc and got == doc and type(got.parts[0]).__name__ == "Part"


def test_a_put_that_cannot_be_encoded_leaves_nothing_behind(saver, make_checkpoint):
    saver.put(make_checkpoint("c0"))
    bad = make_checkpoint("c1", parent="c0",
                          writes=[("agent", "items", [1, 2]), ("tools", "results", [{"x": object()}])])
    with pytest.raises(CheckpointError) as e:
        saver.put(bad)
    assert str(e.value) == (
        "cannot store checkpoint `c1` of thread `t`: `results`[0]['x'] (written by node `tools`) is a "
        "`builtins.object`, which a JSON checkpoint cannot hold; convert it to one of: None, bool, int, float, "
        "str, list, dict, tuple, set, frozenset, bytes, datetime, date, UUID, a wfkit message, a pydantic "
        "model, a dataclass or an Enum member (register pydantic models, dataclasses and Enums with "
        "`register_types` to get them back as themselves)")
    assert (saver.get("t").id, _ids(saver.list("t")), saver.get("t", "c1")) == ("c0", ["c0"], None)


def test_a_put_whose_metadata_cannot_be_encoded_names_the_field(saver, make_checkpoint):
    with pytest.raises(CheckpointError) as e:
        saver.put(make_checkpoint("c0", metadata={"when": {1j}}))
    assert str(e.value).startswith("cannot store checkpoint `c0` of thread `t`: `metadata`['when'][0] is a "
                                   "`builtins.complex`, which a JSON checkpoint cannot hold;")
    assert saver.get("t") is None


def test_put_writes_that_cannot_be_encoded_store_none_of_the_batch(saver, make_checkpoint):
    saver.put(make_checkpoint("c0"))
    with pytest.raises(CheckpointError) as e:
        saver.put_writes("t", "c0", [PendingWrite("task-a", "a", "ok", 1), PendingWrite("task-b", "b", "bad", len)])
    assert str(e.value).startswith("cannot store pending writes on checkpoint `c0` of thread `t`: `bad` (written "
                                   "by task `b`) is a `builtins.builtin_function_or_method`, which a JSON "
                                   "checkpoint cannot hold;")
    assert saver.get_writes("t", "c0") == []


def test_stored_records_do_not_change_when_user_objects_do(saver, make_checkpoint):
    items = [1, 2]
    cp = make_checkpoint("c0", writes=[("n", "items", items)], snapshot={"items": items})
    saver.put(cp)
    items.append(3)
    cp.writes.append(("n", "late", 1))
    got = saver.get("t")
    got.writes[0][2].append("mutated by the reader")
    assert saver.get("t").writes == [("n", "items", [1, 2])]
    assert saver.get("t").snapshot == {"items": [1, 2]}


def test_the_anthropic_key_is_redacted_before_it_is_stored(saver, make_checkpoint, monkeypatch):
    key = "sk-ant-api03-" + "Z" * 40
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    config = {"headers": {"x-api-key": key}, key: b"k=" + key.encode()}
    saver.put(make_checkpoint("c0", writes=[("n", "config", config)], metadata={"note": f"key is {key}."}))
    saver.put_writes("t", "c0", [PendingWrite("task", "n", "err", f"401 for {key}")])
    got = saver.get("t")
    assert got.writes == [("n", "config", {"headers": {"x-api-key": "[redacted]"}, "[redacted]": b"k=[redacted]"})]
    assert got.metadata == {"note": "key is [redacted]."}
    assert saver.get_writes("t", "c0")[0].value == "401 for [redacted]"


def test_threads_may_share_a_saver(saver, make_checkpoint):
    def work(thread):
        for i in range(25):
            saver.put(make_checkpoint(f"c{i}", thread=thread, step=i, writes=[("n", "i", i)]))
            saver.put_writes(thread, f"c{i}", [PendingWrite(f"task{i}", "n", "i", i)])
            assert saver.get(thread).id == f"c{i}"

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for n in range(6):
        assert _ids(saver.list(f"w{n}")) == [f"c{i}" for i in reversed(range(25))]
        assert [w.value for w in saver.get_writes(f"w{n}", "c24")] == [24]


def test_lineage_reads_a_checkpoint_and_its_ancestors_down_to_a_snapshot(saver, make_checkpoint):
    from wfkit.checkpoint import BaseCheckpointSaver

    for i in range(6):  # c3 holds a snapshot; c5 is a fork of c1
        parent = {0: None, 5: "c1"}.get(i, f"c{i - 1}")
        saver.put(make_checkpoint(f"c{i}", parent=parent, step=i, writes=[("n", "items", [i])],
                                  snapshot={"items": [0, 1, 2, 3]} if i == 3 else None))
    saver.put(make_checkpoint("other", thread="u", parent="c4"))  # same ids in another thread: not followed
    assert _ids(saver.lineage("t", "c4")) == ["c4", "c3"]
    assert _ids(saver.lineage("t", "c3")) == ["c3"]
    assert _ids(saver.lineage("t", "c2")) == ["c2", "c1", "c0"]
    assert _ids(saver.lineage("t", "c5")) == ["c5", "c1", "c0"]
    assert saver.lineage("t", "c4")[1] == saver.get("t", "c3")
    assert _ids(saver.lineage("u", "other")) == ["other"]  # its parent is missing: the walk ends there
    assert saver.lineage("t", "nope") == [] and saver.lineage("nobody", "c1") == []
    for cid in ("c0", "c2", "c4", "c5"):  # the one-read versions agree with the generic walk
        assert saver.lineage("t", cid) == BaseCheckpointSaver.lineage(saver, "t", cid)


# ---- the threads waiting at an interrupt (the review inbox reads them) ---------------------------------

def _interrupt(task="task-1", value="ok?"):
    return PendingWrite(task, "review", "__interrupt__", [{"value": value, "id": f"i-{task}"}])


def test_waiting_threads_lists_each_thread_whose_head_has_an_interrupt_oldest_first(saver, make_checkpoint):
    for thread in ["b", "a", "c", "done"]:
        _chain(saver, make_checkpoint, 2, thread=thread)
    saver.put_writes("c", "c1", [PendingWrite("task-0", "act", "__result__", {"writes": [], "routes": []}),
                                 _interrupt(value={"q": "c"})])
    saver.put_writes("a", "c1", [_interrupt(value={"q": "a"})])
    saver.put_writes("b", "c1", [_interrupt(value={"q": "b"})])
    saver.put_writes("done", "c0", [_interrupt()])  # on an older checkpoint: that interrupt was passed
    saver.put(make_checkpoint("c2", thread="b", parent="c1", step=1))  # b moved on after its interrupt
    saver.put_writes("b", "c2", [PendingWrite("task-2", "other", "__error__", "ValueError: no")])
    waiting = saver.waiting_threads()
    assert [(w.checkpoint.thread_id, w.checkpoint.id) for w in waiting] == [("a", "c1"), ("c", "c1")]
    assert waiting[0].checkpoint == saver.get("a")
    assert waiting[1].writes == [PendingWrite("task-0", "act", "__result__", {"writes": [], "routes": []}),
                                 PendingWrite("task-1", "review", "__interrupt__", [{"value": {"q": "c"},
                                                                                      "id": "i-task-1"}])]


def test_waiting_threads_order_is_when_the_head_was_put(saver, make_checkpoint):
    for thread in ["x", "y"]:
        _chain(saver, make_checkpoint, 1, thread=thread)
        saver.put_writes(thread, "c0", [_interrupt()])
    saver.put(make_checkpoint("c1", thread="x", parent="c0"))  # x's head is now newer than y's
    saver.put_writes("x", "c1", [_interrupt()])
    assert [w.checkpoint.thread_id for w in saver.waiting_threads()] == ["y", "x"]
    assert [w.checkpoint.thread_id for w in saver.waiting_threads(limit=1)] == ["y"]
    assert saver.waiting_threads(limit=0) == []


def test_waiting_threads_is_empty_without_interrupts_and_checks_its_limit(saver, make_checkpoint):
    _chain(saver, make_checkpoint, 2)
    assert saver.waiting_threads() == []
    with pytest.raises(ValueError) as info:
        saver.waiting_threads(limit=-1)
    assert str(info.value) == "waiting_threads(limit=...) must be None or an int >= 0, got -1"


def test_waiting_threads_forgets_a_deleted_thread(saver, make_checkpoint):
    _chain(saver, make_checkpoint, 1)
    saver.put_writes("t", "c0", [_interrupt()])
    saver.delete_thread("t")
    assert saver.waiting_threads() == []
