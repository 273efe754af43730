"""The checkpoint decoder fed random and mutated rows (hypothesis): a row either reads back or is refused
with a wfkit `CheckpointError` naming its thread and checkpoint; no other exception, no crash, no hang.

Rows are random JSON (with wfkit's tags mixed in, registered class names among them), valid records with
random values, and valid records mutated (cut, spliced, characters replaced). They are decoded directly
and through a `SqliteSaver` whose file was edited. Rows nested 10^5 levels deep are read in a process that
raised Python's recursion limit, where CPython's parser alone would overflow the C stack.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfkit.checkpoint import Checkpoint, JsonSerde, PendingWrite, SqliteSaver
from wfkit.checkpoint.nesting import MAX_DEPTH, deeper_than
from wfkit.checkpoint.records import dumps_checkpoint, loads_checkpoint, loads_checkpoints, loads_write, parent_of
from wfkit.checkpoint.serde import _REVIVERS, TAG
from wfkit.errors import CheckpointError

from .conftest import REGISTERED, SUPPORTED_VALUES

FUZZ = settings(max_examples=300, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SERDE = JsonSerde(REGISTERED)
CLASS_NAMES = sorted(SERDE.registered) + ["os.system", "builtins.eval", "wfkit.messages.AIMessage", ""]
VALID = dumps_checkpoint(SERDE, Checkpoint(
    id="c", thread_id="t", parent_id="p", step=3, source="loop", created_at="2025-01-01T00:00:00+00:00",
    writes=[("n", key, value) for key, value in SUPPORTED_VALUES.items()], plan={"next": ["a"]},
    metadata={"m": 1}, snapshot={"k": (1, 2)}))

_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(max_size=8) | st.sampled_from(["nan", "inf", "2025-01-02", "AQID", "ai", "human", "tool"]))
_keys = st.text(max_size=4) | st.sampled_from([TAG, "v", "cls", "type", "content", "id", "tool_calls", "name"])


def _tagged(children):
    return st.builds(lambda tag, v, cls: {TAG: tag, "v": v, **({} if cls is None else {"cls": cls})},
                     st.sampled_from([*_REVIVERS, "pickle", 7]),
                     children | st.lists(children, max_size=3) | st.dictionaries(_keys, children, max_size=3),
                     st.none() | st.sampled_from(CLASS_NAMES) | _scalars)


json_values = st.recursive(_scalars, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(_keys, children, max_size=4) | _tagged(children), max_leaves=25)
records = st.builds(lambda parent, step, source, created, writes, plan, meta, snap: [1, parent, step, source,
                                                                                    created, writes, plan, meta,
                                                                                    snap],
                    st.none() | st.text(max_size=4) | json_values, st.integers() | json_values,
                    st.text(max_size=4), st.text(max_size=4),
                    st.lists(st.tuples(st.text(max_size=3), st.text(max_size=3), json_values).map(list), max_size=3)
                    | json_values, st.dictionaries(st.text(max_size=3), json_values, max_size=3) | json_values,
                    st.dictionaries(st.text(max_size=3), json_values, max_size=3),
                    st.none() | st.dictionaries(st.text(max_size=3), json_values, max_size=3) | json_values)
_pieces = st.sampled_from(['{"__wf__":"obj","cls":"conftest.Doc","v":{"title":[]}}', '{"__wf__":"dict","v":[[[1],2]]}',
                           '{"__wf__":"msg","v":{"type":"ai","tool_calls":5}}', '{"__wf__":"enum","cls":', "[", "]",
                           "{", "}", '"', "\\", ",", ":", "null", "1e999", '"\\ud800"', "\x00"]) | st.text(max_size=3)


@st.composite
def mutated(draw, text=VALID):
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        text = draw(st.sampled_from([text[:i], text[:i] + text[j:], text[:i] + draw(_pieces) + text[j:]]))
    return text


rows = (st.builds(json.dumps, json_values) | st.builds(json.dumps, records) | mutated() | st.text(max_size=30))


REASONS = {"is not valid JSON": "not JSON", "the stored record is malformed": "bad shape",
           "unknown tag": "unknown tag", "malformed `": "bad tag", "does not fit the registered class": "bad model",
           "nested too deeply": "too deep"}


def _decode_all(text):
    """Every way a stored row is decoded; each must come back or raise a CheckpointError that names it.
    Returns how the checkpoint decoding ended: "read back", or the reason it was refused."""
    outcome = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unregistered class comes back as a dict, with a warning
        for decode, where in [(lambda: loads_checkpoint(SERDE, text, "t", "c"), "checkpoint `c` of thread `t`: "),
                              (lambda: loads_checkpoints(SERDE, [("c", text), ("d", VALID)], "t"),
                               "checkpoint `c` of thread `t`: "),
                              (lambda: loads_write(SERDE, text, "t", "c"),
                               "a pending write on checkpoint `c` of thread `t`: ")]:
            try:
                decode()
                outcome = outcome or "read back"
            except CheckpointError as e:
                assert str(e).startswith(where), str(e)
                outcome = outcome or next((r for words, r in REASONS.items() if words in str(e)), str(e))
        parent = parent_of(text)
        assert parent is None or type(parent) is str
    return outcome


def test_any_row_reads_back_or_is_a_checkpoint_error_naming_it():
    outcomes = set()

    @FUZZ
    @given(rows)
    def decode(text):
        outcomes.add(_decode_all(text))

    decode()
    # Not vacuous: the rows reach every check, and some read back.
    assert outcomes >= {"read back", "not JSON", "bad shape", "unknown tag", "bad tag"}, outcomes
    assert outcomes <= {"read back", *REASONS.values()}, outcomes


def test_the_record_the_mutations_start_from_reads_back_whole():
    checkpoint = loads_checkpoint(SERDE, VALID, "t", "c")
    assert (checkpoint.parent_id, checkpoint.step, checkpoint.snapshot) == ("p", 3, {"k": (1, 2)})
    assert [key for _, key, _ in checkpoint.writes] == list(SUPPORTED_VALUES)


@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(checkpoint_row=rows, write_row=rows)
def test_an_edited_sqlite_file_gives_only_checkpoint_errors_naming_the_row(tmp_path, checkpoint_row, write_row):
    path = str(tmp_path / "fuzzed.db")
    if os.path.exists(path):
        os.remove(path)
    with SqliteSaver(path) as saver:
        saver.put(Checkpoint(id="c0", thread_id="t", parent_id=None, step=0, source="loop", created_at="x"))
        saver.put(Checkpoint(id="c1", thread_id="t", parent_id="c0", step=1, source="loop", created_at="x"))
        saver.put_writes("t", "c1", [PendingWrite("task", "n", "k", 1)])
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE checkpoints SET payload = ? WHERE id = 'c1'", (checkpoint_row,))
            conn.execute("UPDATE writes SET payload = ? WHERE checkpoint_id = 'c1'", (write_row,))
        conn.close()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for read, where in [(lambda: saver.get("t"), "checkpoint `c1` of thread `t`: "),
                                (lambda: list(saver.list("t")), "checkpoint `c1` of thread `t`: "),
                                (lambda: saver.lineage("t", "c1"), "checkpoint `c1` of thread `t`: "),
                                (lambda: saver.get_writes("t", "c1"),
                                 "a pending write on checkpoint `c1` of thread `t`: ")]:
                try:
                    read()
                except CheckpointError as e:
                    assert str(e).startswith(where), str(e)
        assert saver.get("t", "c0").id == "c0"  # the rows around it are untouched


DEEP = 100_000


def test_rows_nested_a_hundred_thousand_levels_are_refused_even_with_a_raised_recursion_limit(tmp_path):
    path = str(tmp_path / "deep.db")
    with SqliteSaver(path) as saver:
        for i, parent in enumerate([None, "c0", "c1", "c2"]):
            saver.put(Checkpoint(id=f"c{i}", thread_id="t", parent_id=parent, step=i, source="loop", created_at="x"))
        saver.put_writes("t", "c3", [PendingWrite("task", "n", "k", 1)])
    deep = {"c1": "[" * DEEP + "]" * DEEP,  # a whole row of brackets
            "c2": f'[1,"c1",2,"loop","x",[["n","k",{"[" * DEEP}{"]" * DEEP}]],{{}},{{}},null]',
            "c3": '[1,"c2",3,"loop","x",[["n","k",' + '{"__wf__":"tuple","v":[' * (DEEP // 2) + "]}" * (DEEP // 2)
                  + ']],{},{},null]'}
    with sqlite3.connect(path) as conn:
        for cid, row in deep.items():
            conn.execute("UPDATE checkpoints SET payload = ? WHERE id = ?", (row, cid))
        conn.execute("UPDATE writes SET payload = ?", ('{"a":' * DEEP + "1" + "}" * DEEP,))
    conn.close()
    # In a process of its own: were the depth limit gone, CPython's parser would crash it (SIGSEGV).
    result = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        sys.setrecursionlimit(10**6)
        from wfkit.checkpoint import SqliteSaver
        from wfkit.errors import CheckpointError
        saver = SqliteSaver(sys.argv[1])
        start = time.monotonic()
        for read in [lambda: saver.get("t", "c1"), lambda: saver.get("t", "c2"), lambda: saver.get("t"),
                     lambda: list(saver.list("t")), lambda: saver.lineage("t", "c3"),
                     lambda: saver.get_writes("t", "c3")]:
            try:
                read()
                print("read back")
            except CheckpointError as e:
                print(e)
        print(saver.get("t", "c0").id, time.monotonic() - start < 10)
        """), path], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    too_deep = (f"stored data is nested too deeply to read (more than {MAX_DEPTH} levels); the row was damaged "
                f"or edited outside wfkit")
    assert result.stdout.splitlines() == [
        f"checkpoint `c1` of thread `t`: {too_deep}", f"checkpoint `c2` of thread `t`: {too_deep}",
        f"checkpoint `c3` of thread `t`: {too_deep}", f"checkpoint `c3` of thread `t`: {too_deep}",
        f"checkpoint `c3` of thread `t`: {too_deep}", f"a pending write on checkpoint `c3` of thread `t`: {too_deep}",
        "c0 True"]


def test_huge_rows_are_read_in_bounded_time():
    wide = dumps_checkpoint(SERDE, Checkpoint(id="c", thread_id="t", parent_id=None, step=0, source="loop",
                                              created_at="x", writes=[("n", "k", [(i, "x") for i in range(200_000)]),
                                                                      ("n", "s", "[{" * 5_000_000)]))
    assert len(wide) > 14_000_000
    start = time.monotonic()
    checkpoint = loads_checkpoint(SERDE, wide, "t", "c")
    assert time.monotonic() - start < 10
    assert checkpoint.writes[0][2][-1] == (199_999, "x") and len(checkpoint.writes[1][2]) == 10_000_000


def test_the_depth_limit_counts_only_brackets_that_nest():
    assert deeper_than("[" * 3 + "]" * 3, 2) and not deeper_than("[" * 2 + "]" * 2, 2)
    assert not deeper_than('["[[[[", "\\"[[[["]', 2)  # inside strings, escaped quotes too
    assert not deeper_than("[" + "[]," * 5000 + "[]]", 2)  # wide, not deep
    assert deeper_than(b"{" * 5000, MAX_DEPTH) and deeper_than('{"a":' * 4 + "1" + "}" * 4, 3)


def test_the_parent_of_a_deep_record_is_not_parsed():
    assert parent_of('[1,' + "[" * DEEP + "]" * DEEP + ',0,"loop","x",[],{},{},null]') is None
    assert parent_of('[1,"c0",0,"loop","x",[],{},{},null]') == "c0"


@FUZZ
@given(st.binary(max_size=64) | rows.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_a_row_of_bytes_reads_back_or_is_a_checkpoint_error_naming_it(row):
    # A column of an edited file can hold a BLOB: sqlite3 hands it over as bytes, UTF-8 or not.
    assert _decode_all(row) in {"read back", *REASONS.values()}


TAIL = "; the row was damaged or edited outside wfkit — delete the thread or restore the file"


def test_a_blob_an_overlong_int_or_a_number_in_the_payload_column_is_a_checkpoint_error(tmp_path):
    path = str(tmp_path / "edited.db")
    with SqliteSaver(path) as saver:
        saver.register_types(REGISTERED)
        for i in range(4):
            saver.put(Checkpoint(id=f"c{i}", thread_id="t", parent_id=f"c{i - 1}" if i else None, step=i,
                                 source="loop", created_at="x", writes=[("n", "k", i)]))
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE checkpoints SET payload = ? WHERE id = 'c1'", (VALID.encode(),))  # valid, a BLOB
            conn.execute("UPDATE checkpoints SET payload = ? WHERE id = 'c2'", (b'[1,"\xff"]',))
            conn.execute("UPDATE checkpoints SET payload = ? WHERE id = 'c3'",
                         ('[1,null,' + "9" * 5000 + ',"loop","x",[],{},{},null]',))
        conn.close()
        assert saver.get("t", "c1").step == 3  # VALID's step: a BLOB that is a record reads back
        for cid, why in [("c2", "UnicodeDecodeError"), ("c3", "ValueError")]:
            with pytest.raises(CheckpointError) as e:
                saver.get("t", cid)
            prefix = f"checkpoint `{cid}` of thread `t`: stored data is not valid JSON ({why}: "
            assert str(e.value).startswith(prefix) and str(e.value).endswith(TAIL), str(e.value)
        with pytest.raises(CheckpointError, match=r"^checkpoint `c3` of thread `t`: stored data is not valid JSON"):
            list(saver.list("t"))  # newest first, each one named
        assert [c.id for c in saver.list("t", before="c2")] == ["c1", "c0"]
    with pytest.raises(CheckpointError) as e:
        SERDE.loads(5)
    assert str(e.value) == "stored data is a `int`, not JSON text" + TAIL


P61 = 2**61 - 1  # ints that differ by a multiple of it share one hash


@pytest.mark.parametrize("tag, items", [
    ("set", [k * P61 for k in range(1, 100_001)]),
    ("frozenset", [k * P61 for k in range(1, 100_001)]),
    ("dict", [[k * P61, k] for k in range(1, 100_001)]),
])
def test_a_set_or_dict_of_colliding_hashes_is_refused_at_once(tag, items):
    # Built as given, each of 10^5 colliding insertions compares against all before it: minutes of CPU.
    row = json.dumps([1, None, 0, "loop", "x", [["n", "k", {TAG: tag, "v": items}]], {}, {}, None])
    start = time.monotonic()
    with pytest.raises(CheckpointError) as e:
        loads_checkpoint(SERDE, row, "t", "c")
    assert time.monotonic() - start < 5
    assert str(e.value) == (f"checkpoint `c` of thread `t`: malformed `{tag}` tag in stored data: ValueError: "
                            f"99999 of its 100000 items share hash values with others; no value wfkit stores "
                            f"does that, a crafted row does. Nothing was imported or run; the row was damaged "
                            f"or edited outside wfkit")


def test_a_set_with_a_few_values_of_equal_hash_still_reads_back():
    values = {-1, -2, 0.5, 2**60, *range(3, 50), frozenset({P61, 2 * P61})}  # hash(-1) == hash(-2), 0.5 ~ 2**60
    assert SERDE.loads(SERDE.dumps(values)) == values
    assert SERDE.loads(SERDE.dumps({-1: "a", -2: "b", P61: "c", 2 * P61: "d"})) == {-1: "a", -2: "b", P61: "c",
                                                                                    2 * P61: "d"}
