"""A thread's history on a checkpointer, seen through one graph: save deltas, rebuild states.

Checkpoints hold only the writes of their superstep, and now and then a full snapshot (`rebuild` decides
when), so a state is rebuilt by replaying the deltas since the nearest snapshot (or the root) through the
graph's reducers, read from the saver in one call. The states rebuilt last are kept (a bounded LRU), and
a running loop's newest state replaces its parent's there, so a running loop never replays anything and a
long history never pins old copies of growing lists.
"""

from __future__ import annotations

import datetime
from typing import Any

from wfkit._ids import new_id
from wfkit.checkpoint.base import BaseCheckpointSaver, Checkpoint, PendingWrite, nested_key
from wfkit.checkpoint.tuples import checkpoint_metadata
from wfkit.constants import START
from wfkit.engine import algo, rebuild
from wfkit.engine.algo import Outcome, Plan
from wfkit.engine.spec import GraphSpec
from wfkit.engine.stored import BadDelta, check_checkpoint, check_write
from wfkit.errors import CheckpointConflictError, CheckpointError
from wfkit.types import Interrupt, Send


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def encode_routes(routes: list) -> list:
    return [[{"send": [d.node, d.arg]} if isinstance(d, Send) else d, reason] for d, reason in routes]


def decode_routes(data: list) -> list:
    return [(Send(*d["send"]) if isinstance(d, dict) else d, reason) for d, reason in data]


KEEP = 32  # rebuilt states kept per thread


class _State:
    """A materialized state, and how far its checkpoint lies from the last snapshot: `count` deltas of
    total weight `replayed` (see `rebuild.wants_snapshot`)."""

    __slots__ = ("values", "count", "replayed")

    def __init__(self, values: dict, count: int, replayed: int):
        self.values, self.count, self.replayed = values, count, replayed


class History:
    """Checkpoints of one thread, for one graph."""

    def __init__(self, spec: GraphSpec, saver: BaseCheckpointSaver, thread_id: str, ns: str = "",
                 parents: dict | None = None):
        self.spec = spec
        self.saver = saver
        self.thread_id = thread_id
        # a subgraph's history: its checkpoint_ns, the saver's key for it, and the checkpoint each enclosing
        # graph was at when it ran (by namespace, LangGraph's metadata "parents")
        self.ns, self.key, self.parents = ns, nested_key(thread_id, ns), parents or {}
        self.replaying = False  # a subgraph's, run by a replay of the parent's thread (see `engine.nested`)
        self.marks: dict = {}  # metadata every checkpoint saved here carries (a subgraph stepped into by hand)
        self._states: dict[str, _State] = {}  # checkpoint id -> materialized, least recently used first

    # -- writing -------------------------------------------------------------------------------------
    def save(self, *, parent_id: str | None, step: int, source: str, delta: list, plan: Plan,
             values: dict, metadata: dict | None = None, on_head: bool = False) -> Checkpoint:
        """Store a checkpoint (all or nothing). `on_head`: the parent is the thread's head as the caller read
        it, and must still be (see `BaseCheckpointSaver.put_on_head`); else a fork, stored unchecked."""
        # metadata repeats source and step (LangGraph's shape): only extra keys are stored, see `metadata()`
        put = self.saver.put
        if on_head:  # a saver written against LangGraph's API has no put_on_head
            put = getattr(self.saver, "put_on_head", put)
        checkpoint = Checkpoint(
            id=new_id("checkpoint", short=True), thread_id=self.key, parent_id=parent_id, step=step,
            source=source, created_at=now(), writes=[list(w) for w in delta], plan=plan.to_json(),
            metadata={"parents": self.parents, **self.marks, **(metadata or {})} if self.parents
            else {**self.marks, **(metadata or {})},
        )
        parent = self._states.get(parent_id) if parent_id is not None else _State({}, 0, 0)
        count = replayed = 0
        if parent is not None:
            count, replayed = parent.count + 1, parent.replayed + rebuild.delta_weight(checkpoint.writes)
        if parent is None or rebuild.wants_snapshot(count, replayed, values):  # None: distance unknown
            checkpoint.snapshot, count, replayed = values, 0, 0
            try:
                put(checkpoint)
            except CheckpointConflictError:
                raise
            except CheckpointError:  # a reducer made a value the saver cannot store: keep the delta alone
                checkpoint.snapshot = None  # (and try again `EVERY` checkpoints later)
        if checkpoint.snapshot is None:
            put(checkpoint)
        # The new state replaces its parent's among those kept: a running loop keeps one, not 32.
        self._states.pop(parent_id, None)
        self._remember(checkpoint.id, _State(values, count, replayed))
        return checkpoint

    def save_outcome(self, checkpoint_id: str, outcome: Outcome) -> None:
        """Keep a finished task's result (or its interrupts, or its error) on top of the checkpoint."""
        task = outcome.task
        if outcome.interrupts:
            value: Any = [stored_interrupt(i) for i in outcome.interrupts]
            key = "__interrupt__"
        elif outcome.error is not None:
            value, key = repr(outcome.error), "__error__"
        else:
            value = {"writes": [list(w) for w in outcome.writes], "routes": encode_routes(outcome.routes)}
            key = "__result__"
        self.saver.put_writes(self.key, checkpoint_id, [PendingWrite(task.id, task.name, key, value)])

    def save_update(self, checkpoint_id: str, delta: list, goto: list) -> None:
        """A `Command(update=..., goto=...)` input, kept on top of the checkpoint it applies to, as LangGraph
        keeps it (no checkpoint of its own): the next superstep's checkpoint includes it."""
        value = {"writes": [list(w) for w in delta], "goto": encode_routes([(g, "goto") for g in goto])}
        self.saver.put_writes(self.key, checkpoint_id, [PendingWrite(new_id("update", short=True), START,
                                                                           "__update__", value)])

    def save_update_results(self, checkpoint_id: str, results: list) -> None:
        """`(task id, node, writes)` of update_state's updates made as tasks the checkpoint planned: their
        results in the history (`update_results`), as LangGraph keeps them."""
        if results:
            self.saver.put_writes(self.key, checkpoint_id, [PendingWrite(tid, name, "__update_result__", writes)
                                                            for tid, name, writes in results])

    def update_results(self, checkpoint_id: str) -> dict[str, list]:
        return {w.task_id: w.value for w in self.saver.get_writes(self.key, checkpoint_id)
                if w.key == "__update_result__"}

    def save_resume(self, checkpoint_id: str, task_id: str, task_name: str, values: list) -> None:
        self.saver.put_writes(self.key, checkpoint_id, [PendingWrite(task_id, task_name, "__resume__", values)])

    # -- reading -------------------------------------------------------------------------------------
    def get(self, checkpoint_id: str | None = None) -> Checkpoint | None:
        checkpoint = self.saver.get(self.key, checkpoint_id)
        return None if checkpoint is None else check_checkpoint(checkpoint)

    def list(self, before: str | None = None) -> list[Checkpoint]:
        """The thread's checkpoints, newest first (those put before `before`)."""
        return [check_checkpoint(cp) for cp in self.saver.list(self.key, before=before)]

    def get_with_writes(self, checkpoint_id: str | None = None) -> tuple[Checkpoint | None, list[PendingWrite]]:
        """A checkpoint and the pending writes on it, for `pending(..., writes=)`."""
        both = getattr(self.saver, "get_with_writes", None)  # a saver written against LangGraph's API has none
        if both is None:
            checkpoint, writes = BaseCheckpointSaver.get_with_writes(self.saver, self.key, checkpoint_id)
        else:
            checkpoint, writes = both(self.key, checkpoint_id)
        if checkpoint is None:
            return None, writes
        return check_checkpoint(checkpoint), [check_write(self.thread_id, checkpoint.id, w) for w in writes]

    def values_at(self, checkpoint: Checkpoint) -> dict:
        """The state at a checkpoint, rebuilt from its nearest snapshot (or the root, or a state kept here)
        and the deltas since."""
        kept = self._states.get(checkpoint.id)
        if kept is not None:
            self._states[checkpoint.id] = self._states.pop(checkpoint.id)  # now the most recently used
            return kept.values
        chain = [checkpoint]  # newest first, down to a snapshot, the root, or the child of a kept state
        if checkpoint.snapshot is None and checkpoint.parent_id is not None:
            kept = self._states.get(checkpoint.parent_id)
            if kept is None:
                for ancestor in self._ancestors(checkpoint.parent_id):
                    kept = self._states.get(ancestor.id)
                    if kept is not None:
                        break
                    chain.append(ancestor)
            last = chain[-1]
            if kept is None and last.snapshot is None and last.parent_id is not None:
                raise self.missing_parent(last)
        if kept is not None:
            base, count, replayed = kept.values, kept.count, kept.replayed
        elif chain[-1].snapshot is not None:
            base, count, replayed = chain.pop().snapshot, 0, 0
        else:
            base, count, replayed = algo.initial_values(self.spec), 0, 0
        deltas = [cp.writes for cp in reversed(chain)]
        try:
            values = rebuild.replay_deltas(self.spec, base, deltas)
        except BadDelta as e:
            raise e.named(self.thread_id, chain[-1 - e.index].id) from None
        count, replayed = count + len(deltas), replayed + sum(map(rebuild.delta_weight, deltas))
        self._remember(checkpoint.id, _State(values, count, replayed))
        return values

    def missing_parent(self, checkpoint: Checkpoint) -> CheckpointError:
        """The error for a checkpoint whose parent is gone: its state cannot be rebuilt (nor that of the
        checkpoints after it, up to one with a snapshot); those before it still can."""
        return CheckpointError(
            f"checkpoint `{checkpoint.parent_id}` (parent of `{checkpoint.id}`) is missing from thread "
            f"`{self.thread_id}`, so its state cannot be rebuilt; the record was deleted outside "
            f"wfkit: delete the thread (`delete_thread`) and run it again. The checkpoints put before "
            f"`{checkpoint.id}` still read: get_state_history(config, before=<the config of `{checkpoint.id}`>)")

    def _ancestors(self, checkpoint_id: str) -> list[Checkpoint]:
        lineage = getattr(self.saver, "lineage", None)  # a saver written against LangGraph's API has none
        if lineage is None:
            return BaseCheckpointSaver.lineage(self.saver, self.key, checkpoint_id)
        return lineage(self.key, checkpoint_id)

    def pending(self, checkpoint_id: str, with_writes: set | None = None, writes: list[PendingWrite] | None = None,
                raised: dict | None = None
                ) -> tuple[dict[str, Outcome], dict[str, list], dict[str, tuple], dict[str, str], list]:
        """Pending work on top of a checkpoint: finished outcomes by task id, resume values by interrupt id,
        interrupts still unanswered by task id, errors by task id, and the Command updates given on it
        (oldest first, each `(delta, goto)`). `writes`: those already read with the checkpoint. `raised`, if
        given, gets each task's last interrupts, answered or not (a snapshot's record of the superstep)."""
        if (with_writes is not None and checkpoint_id not in with_writes) or writes == []:
            return _NO_PENDING
        done: dict[str, Outcome] = {}
        resume: dict[str, list] = {}
        interrupts: dict[str, tuple] = {}
        errors: dict[str, str] = {}
        updates: list = []
        if writes is None:
            writes = [check_write(self.thread_id, checkpoint_id, w)
                      for w in self.saver.get_writes(self.key, checkpoint_id)]
        for write in writes:
            if write.key == "__update__":
                updates.append(([tuple(w) for w in write.value["writes"]],
                                [dest for dest, _ in decode_routes(write.value["goto"])]))
            elif write.key == "__result__":
                done[write.task_id] = write.value
                interrupts.pop(write.task_id, None)  # it finished after all
            elif write.key == "__resume__":
                resume.setdefault(write.task_id, []).extend(write.value)
                interrupts.pop(write.task_id, None)  # answered
            elif write.key == "__interrupt__":
                interrupts[write.task_id] = tuple(map(interrupt_from_stored, write.value))
                if raised is not None:
                    raised[write.task_id] = interrupts[write.task_id]
            elif write.key == "__error__":
                errors[write.task_id] = write.value
        return done, resume, interrupts, errors, updates

    def save_task_result(self, checkpoint_id: str, node_task_id: str, name: str, call: int, value: Any) -> None:
        """Keep a functional-API task's result, so a resumed entrypoint reuses it instead of re-running it."""
        self.saver.put_writes(self.key, checkpoint_id,
                              [PendingWrite(node_task_id, name, "__task__", {"call": call, "value": value})])

    def task_results(self, checkpoint_id: str) -> dict[int, Any]:
        return {w.value["call"]: w.value["value"] for w in self.saver.get_writes(self.key, checkpoint_id)
                if w.key == "__task__" and check_write(self.thread_id, checkpoint_id, w)}

    def _remember(self, checkpoint_id: str, state: _State) -> None:
        states = self._states
        states.pop(checkpoint_id, None)
        states[checkpoint_id] = state  # last: the most recently used
        while len(states) > KEEP:
            del states[next(iter(states))]


_NO_PENDING: tuple = ({}, {}, {}, {}, [])  # read-only: only snapshots of checkpoints without writes get it


metadata = checkpoint_metadata  # LangGraph's metadata for a checkpoint (see wfkit.checkpoint.tuples)


def with_updates(spec: GraphSpec, values: dict, plan: Plan, updates: list) -> tuple[dict, Plan, list]:
    """A checkpoint's values and plan with the Command updates given on it applied, and their delta."""
    carried: list = []
    for delta, goto in updates:
        values = algo.replay_stored(spec, values, delta)
        carried += delta
        if goto:  # (unknown nodes are refused before they are stored; older threads may still have some)
            plan = algo.plan_with_goto(plan, algo.known_destinations(spec, goto))
    return values, plan, carried


def stored_interrupt(interrupt: Interrupt) -> dict:
    """An interrupt as a checkpoint's pending write holds it: plain data (its response_schema is JSON Schema)."""
    stored = {"value": interrupt.value, "id": interrupt.id}
    if interrupt.response_schema is not None:
        stored["response_schema"] = interrupt.response_schema
    return stored


def interrupt_from_stored(stored: dict) -> Interrupt:
    return Interrupt(stored["value"], stored["id"], response_schema=stored.get("response_schema"))


def outcome_from_stored(task, stored: dict) -> Outcome:
    writes = [tuple(w) for w in stored["writes"]]
    return Outcome(task, writes, decode_routes(stored["routes"]), dict(writes) if writes else None)
