"""Checks of what the engine reads back from a checkpointer and only the engine understands: a checkpoint's
step and plan, and the values of the pending writes it keeps on top of a checkpoint.

A saver checks the layout of its records (`wfkit.checkpoint.records`) but stores `plan` and the values of
pending writes verbatim. A row damaged or edited outside wfkit can hold a plan, a step or a pending write
that no run made; without these checks it would fail deep inside the engine with a bare `TypeError` or
`KeyError`, or quietly run something else. Each check returns what is wrong (None when nothing is), and
`check_checkpoint` / `check_write` turn that into a `CheckpointError` naming the thread, the checkpoint and
the field. They run on every checkpoint the engine reads, so the usual shapes take the shortest path.
"""

from __future__ import annotations

from typing import Any

from wfkit.checkpoint.base import Checkpoint, PendingWrite
from wfkit.checkpoint.records import damaged

# No thread gets near it (a superstep a microsecond for 285 years), and larger ints lose precision as
# JavaScript numbers (the Debugger) and overflow a SQLite INTEGER column once stepped on.
MAX_STEP = 2**53


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def plan_problem(plan: dict) -> str | None:
    """What is wrong with a stored plan (`Plan.to_json`'s form), or None."""
    pull = plan.get("pull")
    if pull is not None:
        if type(pull) is not dict:
            return f"its `plan.pull` is {_short(pull)}, not a dict of node -> triggers"
        for node, triggers in pull.items():  # plain loops: this runs for every checkpoint of a listing
            if type(triggers) is not list:
                return _bad_triggers(node, triggers)
            for t in triggers:
                if type(t) is list:
                    if not t:
                        return _bad_triggers(node, triggers)
                    for x in t:
                        if type(x) is not str:
                            return _bad_triggers(node, triggers)
                elif type(t) is not str:
                    return _bad_triggers(node, triggers)
    push = plan.get("push")
    if push is not None:
        if type(push) is not list:
            return f"its `plan.push` is {_short(push)}, not a list of [node, arg] Sends"
        for i, send in enumerate(push):
            if not (type(send) is list and len(send) == 2 and type(send[0]) is str):
                return f"its `plan.push[{i}]` is {_short(send)}, not a [node, arg] Send"
    joins = plan.get("joins")
    if joins is not None:
        if type(joins) is not dict:
            return f"its `plan.joins` is {_short(joins)}, not a dict of join index -> sources seen"
        for index, seen in joins.items():
            if not index.isdigit() or type(seen) is not list or not all(type(s) is str for s in seen):
                return f"its `plan.joins[{index!r}]` is {_short(seen)}, not a join index with a list of node names"
    return None


def _bad_triggers(node: str, triggers: Any) -> str:
    return f"its `plan.pull[{node!r}]` is {_short(triggers)}, not a list of triggers ([kind, *sources])"


def check_checkpoint(checkpoint: Checkpoint) -> Checkpoint:
    """The checkpoint, if its step and plan are ones a run makes; else `CheckpointError` naming the field."""
    step = checkpoint.step
    if not -1 <= step <= MAX_STEP:  # an int: the record's layout is checked when it is read
        problem: str | None = f"its `step` is {_short(step)}, not a superstep number from -1 to 2**53"
    else:
        plan = checkpoint.plan
        problem = plan_problem(plan) if plan else None
    if problem is not None:
        raise damaged(checkpoint.thread_id, checkpoint.id, problem)
    return checkpoint


def _routes_problem(routes: Any) -> bool:
    return type(routes) is not list or not all(
        type(r) is list and len(r) == 2 and (type(r[0]) is str or (
            type(r[0]) is dict and type(r[0].get("send")) is list and len(r[0]["send"]) == 2
            and type(r[0]["send"][0]) is str)) for r in routes)


def _pairs_problem(writes: Any, size: int) -> bool:
    return type(writes) is not list or not all(
        type(w) is list and len(w) == size and all(type(x) is str for x in w[:-1]) for w in writes)


_SHAPES = {  # marker key -> (what its value must be, the check that it is not)
    "__result__": ("a dict of `writes` ([key, value] pairs) and `routes`",
                   lambda v: type(v) is not dict or _pairs_problem(v.get("writes"), 2) or _routes_problem(v.get("routes"))),
    "__update__": ("a dict of `writes` ([node, key, value] triples) and `goto` routes",
                   lambda v: type(v) is not dict or _pairs_problem(v.get("writes"), 3) or _routes_problem(v.get("goto"))),
    "__resume__": ("a list of resume values", lambda v: type(v) is not list),
    "__interrupt__": ("a list of {value, id} interrupts",
                      lambda v: type(v) is not list or not all(
                          type(i) is dict and type(i.get("id")) is str and "value" in i
                          and (i.keys() == {"value", "id"} or (i.keys() == {"value", "id", "response_schema"}
                                                               and type(i["response_schema"]) is dict)) for i in v)),
    "__error__": ("the error's text", lambda v: type(v) is not str),
    "__task__": ("a dict of `call` (an int) and `value`",
                 lambda v: type(v) is not dict or v.keys() != {"call", "value"} or type(v["call"]) is not int),
}


def check_write(thread_id: str, checkpoint_id: str, write: PendingWrite) -> PendingWrite:
    """The pending write, if its value has the shape the engine stores under its key; else `CheckpointError`
    naming the task and the key."""
    shape = _SHAPES.get(write.key)
    if shape is not None and shape[1](write.value):
        raise damaged(thread_id, checkpoint_id, f"its pending write `{write.key}` of task `{write.task_id}` is "
                                                f"{_short(write.value)}, not {shape[0]}")
    return write


class BadDelta(Exception):
    """A stored write its key's reducer refused while a state was rebuilt: in the `index`th delta of the
    replay, `key`'s `value`, and what the reducer raised. `History` names the checkpoint it came from."""

    def __init__(self, index: int, key: str, value: Any, error: Exception) -> None:
        super().__init__(index, key, value, error)
        self.index, self.key, self.value, self.error = index, key, value, error

    def named(self, thread_id: str, checkpoint_id: str) -> Exception:
        return damaged(thread_id, checkpoint_id, f"its stored write to `{self.key}` ({_short(self.value)}) is "
                                                 f"refused by that key's reducer ({type(self.error).__name__}: "
                                                 f"{self.error})")
