"""Rows that read as records but hold what no run stored (a parent chain that loops, a missing middle row, a
bad plan, step, delta or pending write): every way of reading the thread gives a `CheckpointError` naming
the thread, the checkpoint and what is wrong, and the checkpoints before the damaged one still read.

Each damage is made in a real thread of a graph, by editing the saver's storage the way someone with the
file would: rows of a `SqliteSaver` file (through a second connection), or the JSON texts `InMemorySaver`
keeps. The thread: the input (`checkpoint-1`, step -1) and four supersteps (`checkpoint-2` .. `-5`, steps
0..3), each adding 1 to `n` and appending the old `n` to `items`.
"""

from __future__ import annotations

import json
import operator
import sqlite3
from typing import Annotated, TypedDict

import pytest

from wfkit import START, StateGraph
from wfkit._ids import deterministic_ids
from wfkit.checkpoint import Checkpoint, InMemorySaver, PendingWrite, SqliteSaver
from wfkit.errors import CheckpointError
from wfkit.stepping import Run

C = {"configurable": {"thread_id": "t"}}
TAIL = "; the row was damaged or edited outside wfkit — delete the thread or restore the file"
LOOP_TAIL = "; the rows were damaged or edited outside wfkit — delete the thread or restore the file"


class Counting(TypedDict):
    n: int
    items: Annotated[list, operator.add]


def _app(saver):
    def step(state):
        return {"n": state["n"] + 1, "items": [state["n"]]}

    graph = StateGraph(Counting)
    graph.add_node("step", step)
    graph.add_edge(START, "step")
    graph.add_edge("step", "step")
    return graph.compile(checkpointer=saver, interrupt_before=["step"])


def _config(checkpoint_id):
    return {"configurable": {"thread_id": "t", "checkpoint_id": checkpoint_id}}


class _Storage:
    """Edits one saver's stored records by hand."""

    def __init__(self, kind, tmp_path):
        self.kind = kind
        if kind == "sqlite":
            self.path = str(tmp_path / "damaged.db")
            self.saver = SqliteSaver(self.path)
        else:
            self.saver = InMemorySaver()

    def edit(self, checkpoint_id, change):
        """`change(record)` edits the record (a list) in place; a new parent is written to its column too."""
        if self.kind == "memory":
            records = self.saver._threads["t"].records
            record = json.loads(records[checkpoint_id])
            change(record)
            records[checkpoint_id] = json.dumps(record, separators=(",", ":"))
            return
        with sqlite3.connect(self.path) as conn:
            (text,) = conn.execute("SELECT payload FROM checkpoints WHERE id = ?", (checkpoint_id,)).fetchone()
            record = json.loads(text)
            change(record)
            conn.execute("UPDATE checkpoints SET payload = ?, parent_id = ? WHERE id = ?",
                         (json.dumps(record, separators=(",", ":")), record[1], checkpoint_id))
        conn.close()

    def delete(self, checkpoint_id):
        if self.kind == "memory":
            del self.saver._threads["t"].records[checkpoint_id]
            return
        with sqlite3.connect(self.path) as conn:
            conn.execute("DELETE FROM checkpoints WHERE id = ?", (checkpoint_id,))
        conn.close()

    def reopened(self):
        """A saver reading the damaged storage afresh (a new kernel), nothing of it cached."""
        return SqliteSaver(self.path) if self.kind == "sqlite" else self.saver


def _set(index, value):
    return lambda record: record.__setitem__(index, value)


def _write(key, value):
    return lambda storage: storage.saver.put_writes("t", "checkpoint-5", [PendingWrite("checkpoint-5:step", "step",
                                                                                       key, value)])


def _bad(cid, what):
    return f"checkpoint `{cid}` of thread `t`: {what}{TAIL}"


_MISSING = ("checkpoint `checkpoint-3` (parent of `checkpoint-4`) is missing from thread `t`, so its state cannot "
            "be rebuilt; the record was deleted outside wfkit: delete the thread (`delete_thread`) and run it "
            "again. The checkpoints put before `checkpoint-4` still read: get_state_history(config, before=<the "
            "config of `checkpoint-4`>)")


def _reducer_words():
    try:
        operator.add([0, 1, 2], "x")
    except TypeError as e:
        return f"TypeError: {e}"


# (name, damage(storage), message of get_state / history / invoke(None) / a new Run, message of back() from a
#  Run made before the damage (None: back() still works, the damaged row lies after step 2), the newest
#  checkpoint still readable and its `n`)
DAMAGES = [
    ("row that is its own parent", lambda s: s.edit("checkpoint-5", _set(1, "checkpoint-5")),
     f"checkpoint `checkpoint-5` of thread `t`: its parent chain loops back to `checkpoint-5`{LOOP_TAIL}", "same",
     "checkpoint-4", 2),
    ("two rows that are each other's parent", lambda s: s.edit("checkpoint-4", _set(1, "checkpoint-5")),
     f"checkpoint `checkpoint-4` of thread `t`: its parent chain loops back to `checkpoint-4`{LOOP_TAIL}",
     f"checkpoint `checkpoint-5` of thread `t`: its parent chain loops back to `checkpoint-5`{LOOP_TAIL}",
     "checkpoint-3", 1),
    ("missing middle row", lambda s: s.delete("checkpoint-3"), _MISSING, "same", "checkpoint-2", 0),
    ("absurd step", lambda s: s.edit("checkpoint-5", _set(2, 10**30)),
     _bad("checkpoint-5", "its `step` is 1000000000000000000000000000000, not a superstep number from -1 to 2**53"),
     "same", "checkpoint-4", 2),
    ("negative step", lambda s: s.edit("checkpoint-5", _set(2, -7)),
     _bad("checkpoint-5", "its `step` is -7, not a superstep number from -1 to 2**53"), "same", "checkpoint-4", 2),
    ("plan.pull not a dict", lambda s: s.edit("checkpoint-5", _set(6, {"pull": ["step"]})),
     _bad("checkpoint-5", "its `plan.pull` is ['step'], not a dict of node -> triggers"), "same", "checkpoint-4", 2),
    ("plan trigger not a list", lambda s: s.edit("checkpoint-5", _set(6, {"pull": {"step": [5]}})),
     _bad("checkpoint-5", "its `plan.pull['step']` is [5], not a list of triggers ([kind, *sources])"), "same",
     "checkpoint-4", 2),
    ("plan Send not a pair", lambda s: s.edit("checkpoint-5", _set(6, {"push": [["step"]]})),
     _bad("checkpoint-5", "its `plan.push[0]` is ['step'], not a [node, arg] Send"), "same", "checkpoint-4", 2),
    ("plan join index not a number", lambda s: s.edit("checkpoint-5", _set(6, {"joins": {"x": ["step"]}})),
     _bad("checkpoint-5", "its `plan.joins['x']` is ['step'], not a join index with a list of node names"), "same",
     "checkpoint-4", 2),
    ("delta of the wrong type", lambda s: s.edit("checkpoint-5", _set(5, [["step", "n", 4], ["step", "items", "x"]])),
     "REDUCER", None, "checkpoint-4", 2),
    ("finished task's result not a dict", _write("__result__", "oops"),
     _bad("checkpoint-5", "its pending write `__result__` of task `checkpoint-5:step` is 'oops', not a dict of "
                          "`writes` ([key, value] pairs) and `routes`"), None, "checkpoint-4", 2),
    ("interrupt without an id", _write("__interrupt__", [{"value": 1}]),
     _bad("checkpoint-5", "its pending write `__interrupt__` of task `checkpoint-5:step` is [{'value': 1}], not a "
                          "list of {value, id} interrupts"), None, "checkpoint-4", 2),
    ("resume values not a list", _write("__resume__", 3),
     _bad("checkpoint-5", "its pending write `__resume__` of task `checkpoint-5:step` is 3, not a list of resume "
                          "values"), None, "checkpoint-4", 2),
    ("update whose writes are not triples", _write("__update__", {"writes": [["n", 1]], "goto": []}),
     _bad("checkpoint-5", "its pending write `__update__` of task `checkpoint-5:step` is {'writes': [['n', 1]], "
                          "'goto': []}, not a dict of `writes` ([node, key, value] triples) and `goto` routes"),
     None, "checkpoint-4", 2),
]


def _message(expected):
    if expected == "REDUCER":
        return _bad("checkpoint-5", f"its stored write to `items` ('x') is refused by that key's reducer "
                                    f"({_reducer_words()})")
    return expected


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
@pytest.mark.parametrize("name, damage, message, back_message, good, good_n", DAMAGES, ids=[d[0] for d in DAMAGES])
def test_every_read_of_a_damaged_thread_names_the_damage_and_the_rows_before_it_still_read(
        tmp_path, kind, name, damage, message, back_message, good, good_n):
    storage = _Storage(kind, tmp_path)
    with deterministic_ids():
        app = _app(storage.saver)
        app.invoke({"n": 0, "items": []}, C)
        for _ in range(3):
            app.invoke(None, C)
        run = Run(app, None, C)  # made before the damage: back() reads the damaged rows afresh
    assert run.step_number == 3
    damage(storage)
    message = _message(message)
    reader = _app(storage.reopened())
    reads = {"get_state": lambda: reader.get_state(C), "get_state_history": lambda: list(reader.get_state_history(C)),
             "invoke(None)": lambda: reader.invoke(None, C), "Run": lambda: Run(reader, None, C), "back()": run.back}
    for what, read in reads.items():
        if what == "back()" and back_message is None:
            continue
        with pytest.raises(CheckpointError) as e:
            read()
        want = back_message if what == "back()" and back_message != "same" else message
        assert (what, str(e.value)) == (what, want)
    if back_message is None:  # back() lands on step 2, before the damaged checkpoint
        run.back()
        assert (run.step_number, run.state) == (2, {"n": 2, "items": [0, 1]})
    snapshot = reader.get_state(_config(good))
    assert snapshot.values == {"n": good_n, "items": list(range(good_n))}
    # and so does the history before it (the input's checkpoint has no `n` yet)
    older = [s.values.get("n") for s in reader.get_state_history(C, before=_config(good))]
    assert older == [*range(good_n - 1, -1, -1), None]


# ---- the lineage walks of each saver ---------------------------------------------------------------------

def _chain(saver, length):
    for i in range(length):
        saver.put(Checkpoint(id=f"c{i}", thread_id="t", parent_id=f"c{i - 1}" if i else None, step=i,
                             source="loop", created_at="now", writes=[("n", "k", i)]))


def _reparent(path, child, old, new):
    with sqlite3.connect(path) as conn:
        (text,) = conn.execute("SELECT payload FROM checkpoints WHERE id = ?", (child,)).fetchone()
        conn.execute("UPDATE checkpoints SET parent_id = ?, payload = ? WHERE id = ?",
                     (new, text.replace(f'"{old}"', f'"{new}"'), child))
    conn.close()


def test_a_loop_ends_the_recursive_query_and_the_walk_of_the_rows_read_last(tmp_path):
    path = str(tmp_path / "loop.db")
    with SqliteSaver(path) as saver:
        _chain(saver, 30)
    _reparent(path, "c5", "c4", "c20")  # c25 -> ... -> c20 -> ... -> c5 -> c20
    _reparent(path, "c28", "c27", "c29")  # c29 -> c28 -> c29
    with SqliteSaver(path) as saver:
        with pytest.raises(CheckpointError) as e:
            saver.lineage("t", "c25")  # nothing read before: the recursive query walks the chain
        assert str(e.value) == f"checkpoint `c25` of thread `t`: its parent chain loops back to `c20`{LOOP_TAIL}"
        assert saver.get("t").id == "c29"  # reads the 10 newest rows with it
        with pytest.raises(CheckpointError) as e:
            saver.lineage("t", "c28")  # walked in Python, through those rows
        assert str(e.value) == f"checkpoint `c28` of thread `t`: its parent chain loops back to `c28`{LOOP_TAIL}"
        assert [c.id for c in saver.lineage("t", "c4")] == ["c4", "c3", "c2", "c1", "c0"]


def test_memory_and_the_base_walk_stop_at_a_loop():
    saver = InMemorySaver()
    _chain(saver, 4)
    records = saver._threads["t"].records
    records["c1"] = records["c1"].replace('"c0"', '"c3"')
    want = f"checkpoint `c2` of thread `t`: its parent chain loops back to `c2`{LOOP_TAIL}"
    for lineage in (saver.lineage, lambda *a: InMemorySaver.__mro__[1].lineage(saver, *a)):
        with pytest.raises(CheckpointError) as e:
            lineage("t", "c2")
        assert str(e.value) == want
    assert [c.id for c in saver.lineage("t", "c0")] == ["c0"]
