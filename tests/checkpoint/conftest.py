"""Fixtures for the checkpointer tests: `saver` runs a test once per implementation."""

from __future__ import annotations

import math

import pytest

from wfkit.checkpoint import Checkpoint, InMemorySaver, SqliteSaver


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def saver(request, tmp_path):
    if request.param == "memory":
        yield InMemorySaver()
    elif request.param == "sqlite":
        with SqliteSaver.from_conn_string(str(tmp_path / "checkpoints.db")) as s:
            yield s
    else:  # a fresh schema on a real server (tests/conftest.py)
        from wfkit.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(request.getfixturevalue("postgres_conninfo")) as s:
            yield s


@pytest.fixture
def make_checkpoint():
    """`make_checkpoint("c2", parent="c1", writes=[...])` → a Checkpoint of thread `t` with readable defaults."""

    def make(id_: str, *, thread: str = "t", parent: str | None = None, step: int = 0, writes=(), **kw):
        return Checkpoint(id=id_, thread_id=thread, parent_id=parent, step=step, source=kw.pop("source", "loop"),
                          created_at=kw.pop("created_at", "2025-01-02T03:04:05+00:00"), writes=list(writes), **kw)

    return make


def assert_identical(got, want, path="value"):
    """Equal, and of exactly the same types all the way down (1 vs 1.0 vs True, tuple vs list, ...)."""
    assert type(got) is type(want), f"{path}: {type(got).__name__} {got!r} != {type(want).__name__} {want!r}"
    if isinstance(want, float) and math.isnan(want):
        assert math.isnan(got), path
    elif isinstance(want, dict):
        assert list(got) == list(want), path
        for k in want:
            assert_identical(list(got)[list(got).index(k)], k, f"{path} key {k!r}")
            assert_identical(got[k], want[k], f"{path}[{k!r}]")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want)):
            assert_identical(g, w, f"{path}[{i}]")
    elif isinstance(want, (set, frozenset)):
        assert {(type(x), x) for x in got} == {(type(x), x) for x in want}, path
    else:
        assert got == want, path


# ---- sample values: one of every supported type ----------------------------------------------------------

import dataclasses  # noqa: E402
import datetime as dt  # noqa: E402
import enum  # noqa: E402
import uuid  # noqa: E402

from pydantic import BaseModel  # noqa: E402

from wfkit.messages import AIMessage, HumanMessage, ToolMessage  # noqa: E402


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    HIGH = 3


class Part(BaseModel):
    name: str
    size: float = 1.0


class Doc(BaseModel):
    title: str
    tags: tuple[str, ...] = ()
    when: dt.datetime | None = None
    parts: list[Part] = []
    color: Color = Color.RED


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int


@dataclasses.dataclass
class Tally:
    n: int
    seen: set = dataclasses.field(default_factory=set)
    total: int = dataclasses.field(init=False, default=0)


def _tally() -> Tally:
    t = Tally(2, {"a"})
    t.total = 41  # set after init: must come back as stored, not as the default
    return t


REGISTERED = [Color, Level, Part, Doc, Point, Tally]

SUPPORTED_VALUES = {
    "none": None, "true": True, "false": False, "int": 7, "big_int": 2**80, "negative": -3,
    "float": 1.5, "negative_zero": -0.0, "inf": float("inf"), "minus_inf": float("-inf"), "nan": float("nan"),
    "str": "héllo ✓ \"quoted\" \\ \n", "empty_str": "", "list": [1, "a", None, [2.5]], "empty_list": [],
    "dict": {"a": 1, "b": {"c": [True]}}, "empty_dict": {}, "tuple": (1, "a", (2,)), "empty_tuple": (),
    "set": {1, 2, 3}, "empty_set": set(), "frozenset": frozenset({"x", (1, 2)}), "bytes": b"\x00\xffabc",
    "int_keys": {1: "a", 2: "b"}, "tuple_keys": {(1, 2): "t", (): "empty"}, "mixed_keys": {1: "a", "1": "b"},
    "tag_lookalike": {"__wf__": "tuple", "v": [1, 2]}, "nested_lookalike": [{"x": {"__wf__": "obj"}}],
    "naive_datetime": dt.datetime(2025, 1, 2, 3, 4, 5, 678901),
    "aware_datetime": dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    "date": dt.date(2025, 1, 2), "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "human": HumanMessage("hi", id="m1"),
    "ai": AIMessage("", id="m2", tool_calls=[{"name": "add", "args": {"a": 1, "b": (2, 3)}, "id": "call-1"}]),
    "tool": ToolMessage("3", tool_call_id="call-1", id="m3"),
    "model": Doc(title="t", tags=("a", "b"), when=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
                 parts=[Part(name="p", size=2.0)], color=Color.BLUE),
    "frozen_dataclass": Point(1, 2), "dataclass_init_false": _tally(), "enum": Color.RED, "int_enum": Level.HIGH,
}
