"""`wfkit.checkpoint.records`: the exact array each checkpoint and pending write is stored as, and refusals."""

from __future__ import annotations

import pytest

from wfkit.checkpoint import Checkpoint, JsonSerde, PendingWrite, records
from wfkit.errors import CheckpointError

from .conftest import REGISTERED

KEY = "sk-ant-api03-abcdefgh"


@pytest.fixture
def serde():
    return JsonSerde(REGISTERED)


# ---- the record formats ------------------------------------------------------------------------------------

def test_a_checkpoint_record_is_one_compact_array_without_its_ids(serde):
    cp = Checkpoint(id="c1", thread_id="t", parent_id="c0", step=3, source="loop", created_at="2025-01-01",
                    writes=[("a", "items", (1,))], plan={"next": ["b"]}, metadata={}, snapshot=None)
    text = records.dumps_checkpoint(serde, cp)
    assert text == ('[1,"c0",3,"loop","2025-01-01",[["a","items",{"__wf__":"tuple","v":[1]}]],'
                    '{"next":["b"]},{},null]')
    assert records.loads_checkpoint(serde, text, "t", "c1") == cp


@pytest.mark.parametrize("text", [
    '{"a":1}',  # not an array
    '[2,null,0,"loop","now",[],{},{},null]',  # a version this code does not know
    '[1,null,0,"loop","now",[["n"]],{},{},null]',  # a write that is not (node, key, value)
    '[1,null,true,"loop","now",[],{},{},null]',  # a step that is not an int
])
def test_a_malformed_checkpoint_record_is_refused(serde, text):
    with pytest.raises(CheckpointError) as e:
        records.loads_checkpoint(serde, text, "t", "c1")
    assert str(e.value) == (f"checkpoint `c1` of thread `t`: the stored record is malformed ({text!r}); the row "
                            f"was damaged or edited outside wfkit")


def test_a_record_with_a_bad_id_or_write_is_refused_before_anything_is_encoded(serde):
    cp = Checkpoint(id="", thread_id="t", parent_id=None, step=0, source="loop", created_at="now")
    with pytest.raises(CheckpointError) as e:
        records.dumps_checkpoint(serde, cp)
    assert str(e.value) == "cannot store checkpoint `` of thread `t`: `id` must be a non-empty str, got ''"
    cp.id, cp.writes = "c0", [("n", "k")]
    with pytest.raises(CheckpointError) as e:
        records.dumps_checkpoint(serde, cp)
    assert str(e.value) == ("cannot store checkpoint `c0` of thread `t`: writes[0] is ('n', 'k'); each write must "
                            "be a (node, key, value) tuple with str node and key")


# ---- the Anthropic key -------------------------------------------------------------------------------------

def test_the_key_is_redacted_from_checkpoint_and_write_records(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    serde = JsonSerde()
    cp = Checkpoint(id="c0", thread_id="t", parent_id=None, step=0, source=KEY, created_at="now",
                    writes=[("n", KEY, KEY)], plan={"k": KEY}, metadata={"k": KEY}, snapshot={"k": KEY})
    text = records.dumps_checkpoint(serde, cp)
    write = records.dumps_write(serde, PendingWrite("t1", "n", "err", KEY), context="x")
    assert (KEY in text, KEY in write) == (False, False)
    assert text == ('[1,null,0,"[redacted]","now",[["n","[redacted]","[redacted]"]],{"k":"[redacted]"},'
                    '{"k":"[redacted]"},{"k":"[redacted]"}]')
