"""A thread's history on a checkpointer, seen through one graph: save deltas, rebuild states.

Checkpoints hold only the writes of their superstep, so a state is rebuilt by replaying the deltas from
the nearest snapshot (or the root) through the graph's reducers. The latest state of each thread is kept
materialized, so a running loop never replays anything.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from typing import Any

from wfkit._ids import new_id
from wfkit.checkpoint.base import BaseCheckpointSaver, Checkpoint, PendingWrite
from wfkit.engine import algo
from wfkit.engine.algo import Outcome, Plan
from wfkit.engine.spec import GraphSpec
from wfkit.errors import CheckpointError
from wfkit.types import Interrupt, Send


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def encode_routes(routes: list) -> list:
    return [[{"send": [d.node, d.arg]} if isinstance(d, Send) else d, reason] for d, reason in routes]


def decode_routes(data: list) -> list:
    return [(Send(*d["send"]) if isinstance(d, dict) else d, reason) for d, reason in data]


class History:
    """Checkpoints of one thread, for one graph."""

    def __init__(self, spec: GraphSpec, saver: BaseCheckpointSaver, thread_id: str):
        self.spec = spec
        self.saver = saver
        self.thread_id = thread_id
        self._states: OrderedDict[str, dict] = OrderedDict()  # checkpoint id -> materialized values

    # -- writing -------------------------------------------------------------------------------------
    def save(self, *, parent_id: str | None, step: int, source: str, delta: list, plan: Plan,
             values: dict, metadata: dict | None = None) -> Checkpoint:
        # metadata repeats source and step (LangGraph's shape): only extra keys are stored, see `metadata()`
        checkpoint = Checkpoint(
            id=new_id("checkpoint", short=True), thread_id=self.thread_id, parent_id=parent_id, step=step,
            source=source, created_at=now(), writes=[list(w) for w in delta], plan=plan.to_json(),
            metadata=dict(metadata or {}),
        )
        self.saver.put(checkpoint)
        self._remember(checkpoint.id, values)
        return checkpoint

    def save_outcome(self, checkpoint_id: str, outcome: Outcome) -> None:
        """Keep a finished task's result (or its interrupts, or its error) on top of the checkpoint."""
        task = outcome.task
        if outcome.interrupts:
            value: Any = [{"value": i.value, "id": i.id} for i in outcome.interrupts]
            key = "__interrupt__"
        elif outcome.error is not None:
            value, key = f"{type(outcome.error).__name__}: {outcome.error}", "__error__"
        else:
            value = {"writes": [list(w) for w in outcome.writes], "routes": encode_routes(outcome.routes)}
            key = "__result__"
        self.saver.put_writes(self.thread_id, checkpoint_id, [PendingWrite(task.id, task.name, key, value)])

    def save_resume(self, checkpoint_id: str, task_id: str, task_name: str, values: list) -> None:
        self.saver.put_writes(self.thread_id, checkpoint_id, [PendingWrite(task_id, task_name, "__resume__", values)])

    # -- reading -------------------------------------------------------------------------------------
    def get(self, checkpoint_id: str | None = None) -> Checkpoint | None:
        return self.saver.get(self.thread_id, checkpoint_id)

    def values_at(self, checkpoint: Checkpoint) -> dict:
        """The state at a checkpoint, rebuilt from the deltas along its parent chain."""
        cached = self._states.get(checkpoint.id)
        if cached is not None:
            return cached
        chain = [checkpoint]
        base: dict | None = None
        while chain[-1].parent_id is not None:
            parent_id = chain[-1].parent_id
            if parent_id in self._states:
                base = self._states[parent_id]
                break
            parent = self.saver.get(self.thread_id, parent_id)
            if parent is None:
                raise CheckpointError(
                    f"checkpoint `{parent_id}` (parent of `{chain[-1].id}`) is missing from thread `{self.thread_id}`"
                )
            chain.append(parent)
        values = dict(base) if base is not None else algo.initial_values(self.spec)
        for cp in reversed(chain):
            values = algo.replay_stored(self.spec, values, cp.writes)
        self._remember(checkpoint.id, values)
        return values

    def pending(self, checkpoint_id: str, with_writes: set | None = None) -> tuple[dict[str, Outcome], dict[str, list], dict[str, tuple], dict[str, str]]:
        """Pending work on top of a checkpoint: finished outcomes by task id, resume values by task id,
        interrupts still unanswered by task id, errors by task id."""
        if with_writes is not None and checkpoint_id not in with_writes:
            return _NO_PENDING
        done: dict[str, Outcome] = {}
        resume: dict[str, list] = {}
        interrupts: dict[str, tuple] = {}
        errors: dict[str, str] = {}
        for write in self.saver.get_writes(self.thread_id, checkpoint_id):
            if write.key == "__result__":
                done[write.task_id] = write.value
                interrupts.pop(write.task_id, None)  # it finished after all
            elif write.key == "__resume__":
                resume.setdefault(write.task_id, []).extend(write.value)
                interrupts.pop(write.task_id, None)  # answered
            elif write.key == "__interrupt__":
                interrupts[write.task_id] = tuple(Interrupt(i["value"], i["id"]) for i in write.value)
            elif write.key == "__error__":
                errors[write.task_id] = write.value
        return done, resume, interrupts, errors

    def save_task_result(self, checkpoint_id: str, node_task_id: str, name: str, call: int, value: Any) -> None:
        """Keep a functional-API task's result, so a resumed entrypoint reuses it instead of re-running it."""
        self.saver.put_writes(self.thread_id, checkpoint_id,
                              [PendingWrite(node_task_id, name, "__task__", {"call": call, "value": value})])

    def task_results(self, checkpoint_id: str) -> dict[int, Any]:
        return {w.value["call"]: w.value["value"] for w in self.saver.get_writes(self.thread_id, checkpoint_id)
                if w.key == "__task__"}

    def _remember(self, checkpoint_id: str, values: dict) -> None:
        # Only the newest state stays materialized: older ones are rebuilt on demand, so a long history
        # never pins old copies of growing lists.
        self._states.clear()
        self._states[checkpoint_id] = values


_NO_PENDING: tuple = ({}, {}, {}, {})  # read-only: only snapshots of checkpoints without writes get it


def metadata(checkpoint: Checkpoint) -> dict:
    """LangGraph's metadata for a checkpoint: source, step, parents, and anything extra that was stored."""
    return {"source": checkpoint.source, "step": checkpoint.step, "parents": {}, **checkpoint.metadata}


def outcome_from_stored(task, stored: dict) -> Outcome:
    writes = [tuple(w) for w in stored["writes"]]
    return Outcome(task, writes, decode_routes(stored["routes"]), dict(writes) if writes else None)
