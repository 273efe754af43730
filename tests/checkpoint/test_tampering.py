"""Rows edited outside wfkit must fail safe: no module imported, no code run, a clear error or inert data.

Each crafted payload is written straight into a `SqliteSaver` file with a second connection, the way an
attacker with write access to the file would. A payload that did its job would create the sentinel file
(or import a module); the assertions check that neither happens.
"""

from __future__ import annotations

import base64
import json
import pickle
import sqlite3
import sys
import warnings

import pytest

import wfkit.messages  # noqa: F401 — loaded up front so that a legitimate import cannot hide a bad one
from wfkit.checkpoint import PendingWrite, SqliteSaver
from wfkit.errors import CheckpointError, UnsafePayloadError

SENTINEL = "SENTINEL"  # replaced by the path of a file that must never come to exist


class _Boom:
    """Unpickling this runs `touch <path>`: the kind of blob an attacker would store."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        import os

        return os.system, (f"touch {self.path}",)


def _pickle_b64(sentinel_path: str) -> str:
    return base64.b64encode(pickle.dumps(_Boom(sentinel_path))).decode()


# (name, crafted value JSON (SENTINEL and PICKLE are filled in), expected: an exception, or the inert value
# and the warning it comes with)
CRAFTED = [
    ("tag naming os.system", '{"__wf__":"os.system","v":"touch SENTINEL"}',
     (UnsafePayloadError, "unknown tag `'os.system'` in stored data;")),
    ("obj naming os.system", '{"__wf__":"obj","cls":"os.system","v":{"command":"touch SENTINEL"}}',
     ({"command": "touch SENTINEL"}, "stored data holds a `os.system`, which is not registered")),
    ("obj naming subprocess.Popen", '{"__wf__":"obj","cls":"subprocess.Popen","v":{"args":["touch","SENTINEL"]}}',
     ({"args": ["touch", "SENTINEL"]}, "stored data holds a `subprocess.Popen`, which is not registered")),
    ("enum naming builtins.eval",
     '{"__wf__":"enum","cls":"builtins.eval","v":"__import__(\'os\').system(\'touch SENTINEL\')"}',
     ("__import__('os').system('touch SENTINEL')", "stored data holds a `builtins.eval`, which is not registered")),
    ("obj naming a module never imported", '{"__wf__":"obj","cls":"this.Zen","v":{"a":1}}',
     ({"a": 1}, "stored data holds a `this.Zen`, which is not registered")),
    ("obj naming importlib.import_module", '{"__wf__":"obj","cls":"importlib.import_module","v":{"name":"this"}}',
     ({"name": "this"}, "stored data holds a `importlib.import_module`, which is not registered")),
    ("pickle tag", '{"__wf__":"pickle","v":"PICKLE"}', (UnsafePayloadError, "unknown tag `'pickle'` in stored data;")),
    ("pickle blob as bytes", '{"__wf__":"bytes","v":"PICKLE"}', ("PICKLE-BYTES", None)),
    ("__reduce__ key", '{"__reduce__":["os.system",["touch SENTINEL"]],"py/object":"os.system"}',
     ({"__reduce__": ["os.system", ["touch SENTINEL"]], "py/object": "os.system"}, None)),
    ("message of an unknown type", '{"__wf__":"msg","v":{"type":"os.system","content":"touch SENTINEL"}}',
     (UnsafePayloadError, "malformed `msg` tag in stored data: ValueError: message_from_dict: unknown message "
                          "type `os.system`")),
    ("tag that is not a string", '{"__wf__":["os","system"],"v":"touch SENTINEL"}',
     (UnsafePayloadError, "unknown tag `['os', 'system']` in stored data;")),
    ("unhashable dict key", '{"__wf__":"dict","v":[[["os","system"],1]]}',
     (UnsafePayloadError, "malformed `dict` tag in stored data: TypeError: unhashable type: 'list'")),
]


def _setup(tmp_path):
    path = str(tmp_path / "tampered.db")
    saver = SqliteSaver(path)
    saver.put(_checkpoint("c0", None))
    saver.put(_checkpoint("c1", "c0"))
    saver.put_writes("t", "c1", [PendingWrite("task", "n", "k", "fine")])
    return saver, path


def _checkpoint(id_, parent):
    from wfkit.checkpoint import Checkpoint

    return Checkpoint(id=id_, thread_id="t", parent_id=parent, step=0, source="loop", created_at="now",
                      writes=[("n", "k", "fine")])


def _tamper(path, table, payload):
    with sqlite3.connect(path) as conn:
        column = "id" if table == "checkpoints" else "checkpoint_id"
        conn.execute(f"UPDATE {table} SET payload = ? WHERE thread_id = 't' AND {column} = 'c1'", (payload,))
    conn.close()


def _fill(text, sentinel):
    return text.replace("SENTINEL", sentinel).replace("PICKLE", _pickle_b64(sentinel))


def test_the_sentinel_works_when_a_payload_is_unpickled(tmp_path):
    # The control: the same blob, given to pickle, does run code. The tests below show wfkit never does.
    sentinel = tmp_path / "pwned"
    pickle.loads(base64.b64decode(_pickle_b64(str(sentinel))))
    assert sentinel.exists()


@pytest.mark.parametrize("table", ["checkpoints", "writes"])
@pytest.mark.parametrize("name, crafted, expected", CRAFTED, ids=[c[0] for c in CRAFTED])
def test_a_crafted_payload_neither_imports_nor_runs_anything(tmp_path, table, name, crafted, expected):
    saver, path = _setup(tmp_path)
    sentinel = str(tmp_path / "pwned")
    value = _fill(crafted, sentinel)
    record = (f'[1,"c0",0,"loop","now",[["n","k",{value}]],{{}},{{}},null]' if table == "checkpoints"
              else f'["task","n","k",{value}]')
    _tamper(path, table, record)
    modules = set(sys.modules)

    def read():
        return saver.get("t", "c1").writes[0][2] if table == "checkpoints" else saver.get_writes("t", "c1")[0].value

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if isinstance(expected[0], type):
            with pytest.raises(expected[0]) as e:
                read()
            where = ("checkpoint `c1` of thread `t`: " if table == "checkpoints"
                     else "a pending write on checkpoint `c1` of thread `t`: ")
            assert str(e.value).startswith(where + expected[1])
            assert str(e.value).endswith("Nothing was imported or run; the row was damaged or edited outside wfkit")
        else:
            want, warning = expected
            want = (base64.b64decode(_pickle_b64(sentinel)) if want == "PICKLE-BYTES"
                    else json.loads(_fill(json.dumps(want), sentinel)))
            assert read() == want
            assert [str(w.message)[:len(warning)] for w in caught] == ([warning] if warning else [])

    assert set(sys.modules) - modules == set()
    assert "this" not in sys.modules
    assert not (tmp_path / "pwned").exists()
    # Only the tampered row is affected: the rest of the thread still reads.
    assert saver.get("t", "c0").writes == [("n", "k", "fine")]
    saver.close()


@pytest.mark.parametrize("payload, message", [
    ('[1,"c0",0,"loop"', "checkpoint `c1` of thread `t`: stored data is not valid JSON (Expecting ',' delimiter: "
                         "line 1 column 17 (char 16)); the row was damaged or edited outside wfkit — delete the "
                         "thread or restore the file"),
    ('{"step":0}', "checkpoint `c1` of thread `t`: the stored record is malformed ('{\"step\":0}'); the row was "
                   "damaged or edited outside wfkit"),
    ("[" * 100_000, "checkpoint `c1` of thread `t`: stored data is nested too deeply to read (more than 2000 "
                    "levels); the row was damaged or edited outside wfkit"),
])
def test_a_broken_checkpoint_row_is_a_checkpoint_error_naming_it(tmp_path, payload, message):
    saver, path = _setup(tmp_path)
    _tamper(path, "checkpoints", payload)
    with pytest.raises(CheckpointError) as e:
        saver.get("t")
    assert str(e.value) == message
    listed = saver.list("t")
    with pytest.raises(CheckpointError):
        next(listed)  # newest first: the broken row comes first and is refused as well
    assert saver.get("t", "c0").id == "c0"
    saver.close()
