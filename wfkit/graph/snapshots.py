"""What `get_state` and `get_state_history` return: a thread's checkpoints as LangGraph's `StateSnapshot`s.

A snapshot shows the whole state (every key of the graph, in schema order), the tasks its checkpoint planned
(with what already finished on top of it, any error and the interrupts still waiting), its config and its
parent's. A history listing rebuilds the states of all its checkpoints in one pass, parents first, and
builds most snapshots (those with nothing pending on them) without asking for pending writes.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any

from wfkit.constants import PUSH, ROOT
from wfkit.engine import algo
from wfkit.engine.algo import Plan
from wfkit.engine.persist import History, with_updates
from wfkit.engine.persist import metadata as checkpoint_metadata
from wfkit.engine.stored import BadDelta
from wfkit.types import StateSnapshot, StateTask


class Snapshots:
    """Snapshots of one thread's checkpoints."""

    def __init__(self, spec: Any, history: History):
        self.spec = spec
        self.history = history

    def config(self, checkpoint_id: str | None, cache: dict | None = None, parents: dict | None = None) -> dict | None:
        """The config naming a checkpoint (`cache`: one object per checkpoint within a history listing,
        where each checkpoint is one snapshot's config and the next one's parent_config). A subgraph's also
        names the checkpoints of the graphs above it (`parents`) and its own: LangGraph's `checkpoint_map`."""
        if checkpoint_id is None:
            return None
        if cache is not None and checkpoint_id in cache:
            return cache[checkpoint_id]
        ns = self.history.ns
        config = {"configurable": {"thread_id": self.history.thread_id, "checkpoint_ns": ns,
                                   "checkpoint_id": checkpoint_id}}
        if ns:
            config["configurable"]["checkpoint_map"] = {**(parents or {}), ns: checkpoint_id}
        if cache is not None:
            cache[checkpoint_id] = config
        return config

    def current(self, checkpoint_id: str | None, live: bool = True) -> StateSnapshot | None:
        """The snapshot get_state gives. `live` (the thread's latest state, as LangGraph gives it when the
        config names no checkpoint): tasks that already finished on top of the checkpoint count as done,
        their writes show in the values, and only unanswered interrupts are listed; else the record of the
        superstep, as in the history. None when the thread has no such checkpoint."""
        checkpoint, writes = self.history.get_with_writes(checkpoint_id)
        if checkpoint is None:
            return None
        return self._snapshot(checkpoint, self.history.values_at(checkpoint), live=live, writes=writes)

    def waiting(self, checkpoint: Any, writes: list) -> StateSnapshot:
        """The snapshot get_state would give for the head `checkpoint`, whose pending `writes` were read
        with it (by `waiting_threads`)."""
        return self._snapshot(checkpoint, self.history.values_at(checkpoint), live=True, writes=writes)

    def listing(self, *, filter: dict | None = None, before_id: str | None = None,
                limit: int | None = None) -> list[StateSnapshot]:
        """Every checkpoint of the thread, newest first (each shows all the tasks it planned)."""
        history = self.history
        with _gc_paused():  # thousands of small objects, no cycles: the cyclic GC would only rescan them
            checkpoints = history.list(before_id)
            values = materialize(self.spec, history, checkpoints)
            with_writes = history.saver.checkpoints_with_writes(history.key)
            snapshots: list[StateSnapshot] = []
            configs: dict = {}
            # the superstep that ran each checkpoint's tasks: its delta holds their writes (their results)
            # (one step later: a run in "exit" mode stores none of the checkpoints between)
            steps = {cp.id: cp.step for cp in checkpoints}
            # (or an update_state as one of its planned nodes, as LangGraph shows it; a run's superstep first)
            ran_by = {cp.parent_id: cp for source in ("update", "loop") for cp in checkpoints
                      if cp.source == source and steps.get(cp.parent_id) == cp.step - 1}
            for checkpoint in checkpoints:
                if filter and any(checkpoint_metadata(checkpoint).get(k) != v for k, v in filter.items()):
                    continue
                if limit is not None and len(snapshots) >= limit:
                    break
                after = ran_by.get(checkpoint.id)
                if with_writes is None or checkpoint.id in with_writes:
                    snapshots.append(self._snapshot(checkpoint, values[checkpoint.id], with_writes=with_writes,
                                                    configs=configs, after=after))
                else:  # most of a history: nothing pending on the checkpoint, its values as stored
                    value = values[checkpoint.id]  # (a one-value state, or an entrypoint's: that value)
                    value = value if self.spec.output_key is None else algo.state_values(self.spec, value)
                    snapshots.append(self._plain(checkpoint, value, configs, after=after))
        return snapshots

    # -- building ------------------------------------------------------------------------------------
    def _tasks(self, checkpoint: Any) -> list[tuple[str, str, tuple]]:
        return algo.plan_task_ids(checkpoint.plan, checkpoint.id, self.spec.node_order)

    def _made(self, checkpoint: Any, values: dict, next_names: tuple, tasks: tuple, interrupts: tuple,
              configs: dict | None) -> StateSnapshot:
        parent, parents = checkpoint.parent_id, checkpoint.metadata.get("parents")
        return StateSnapshot(values, next_names, self.config(checkpoint.id, configs, parents),
                             checkpoint_metadata(checkpoint), checkpoint.created_at,
                             None if parent is None else self.config(parent, configs, parents), tasks, interrupts)

    def _snapshot(self, checkpoint: Any, values: dict, live: bool = False, with_writes: set | None = None,
                  configs: dict | None = None, writes: list | None = None, after: Any = None) -> StateSnapshot:
        """`live` (get_state of the latest state): tasks that already finished on top of the checkpoint count
        as done, their writes show in the values, and only the interrupts still unanswered are listed. Else
        (the history, or a checkpoint named by id) the record of the superstep, as LangGraph shows it: the
        values it started from, every task it planned with its result, and every interrupt raised in it.
        `after`: the checkpoint the superstep made, if known (results of tasks that kept none on top)."""
        raised: dict | None = None if live else {}
        done, _, pending, errors, updates = self.history.pending(checkpoint.id, with_writes, writes, raised)
        if updates:  # Command(update=...) inputs kept on this checkpoint show in its values (not its next:
            values = with_updates(self.spec, values, Plan(), updates)[0]  # a goto runs, unlisted, as in LangGraph)
        tasks = self._tasks(checkpoint)
        if live and done:
            # applied as a superstep applies them: the nodes first, then the Sends (snapshots list Sends first)
            applied = sorted(tasks, key=lambda t: t[2][0] == PUSH)
            finished = [(name, k, v) for tid, name, _ in applied if tid in done for k, v in done[tid]["writes"]]
            values = algo.replay(self.spec, values, finished)[0]
        if configs is None or (live and done) or self.spec.output_key is not None:  # (a history listing's
            # values come as stored, in schema order; a one-value state's, that value)
            values = algo.state_values(self.spec, values)  # the whole state, as LangGraph's snapshots show it
        asked = pending if live else raised
        if not (done or asked or errors):  # most checkpoints of a history: nothing pending on them
            return self._plain(checkpoint, values, configs, tasks, after)
        results = self._results_after(tasks, after)
        state_tasks = tuple(
            StateTask(tid, name, path, errors.get(tid), tuple(asked.get(tid, ())), None,
                      task_result(done[tid]["writes"]) if tid in done else results.get(tid))
            for tid, name, path in tasks)
        interrupts = tuple(i for tid, _, _ in tasks for i in asked.get(tid, ()))  # in task order
        next_names = tuple([name for tid, name, _ in tasks if not (live and tid in done)])
        return self._made(checkpoint, values, next_names, state_tasks, interrupts, configs)

    def _plain(self, checkpoint: Any, values: dict, configs: dict | None, tasks: list | None = None,
               after: Any = None) -> StateSnapshot:
        """A checkpoint with nothing pending on it: every task it planned, with its result when `after` (the
        checkpoint its superstep made) is known, and no interrupt."""
        tasks = self._tasks(checkpoint) if tasks is None else tasks
        results = self._results_after(tasks, after)
        return self._made(checkpoint, values, tuple([name for _, name, _ in tasks]),
                          tuple([StateTask(tid, name, path, result=results.get(tid)) for tid, name, path in tasks]),
                          (), configs)

    def _results_after(self, tasks: list, after: Any) -> dict[str, dict]:
        """The results of `tasks` read from the delta of `after`, the checkpoint their superstep made (each
        write there names the node that made it): for the tasks whose node ran once in that superstep (a
        superstep of several tasks keeps each one's result on top of its checkpoint as well)."""
        if after is None or not tasks:
            return {}
        if after.source == "update":  # update_state's updates made as planned tasks, kept with their ids
            kept = self.history.update_results(after.parent_id)
            return {tid: task_result(kept[tid]) for tid, _, _ in tasks if tid in kept}
        names = [name for _, name, _ in tasks]
        return {tid: task_result([(w[1], w[2]) for w in after.writes if w[0] == name])
                for tid, name, _ in tasks if names.count(name) == 1}


def task_result(writes: list) -> Any:
    """A finished task's result as LangGraph shows it: its writes by key (several writes to one key as
    `{"$writes": [...]}`), `{}` for a task that wrote nothing; in a one-value state, the value it wrote."""
    result: dict = {}
    for key, value in writes:
        if key in result:
            earlier = result[key]
            many = earlier["$writes"] if isinstance(earlier, dict) and "$writes" in earlier else [earlier]
            result[key] = {"$writes": [*many, value]}
        else:
            result[key] = value
    return result[ROOT] if list(result) == [ROOT] else result


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def materialize(spec: Any, history: History, checkpoints: list) -> dict[str, dict]:
    """States of many checkpoints at once (linear, not quadratic): a listing is newest first in put order,
    and a parent is always put before its children, so walking it backwards meets every parent first. A
    checkpoint whose parent is missing (deleted outside wfkit) has no state to show: `CheckpointError`, as
    `get_state` gives for it (the checkpoints put before it still list, with `before=` it)."""
    values: dict[str, dict] = {}
    empty = algo.initial_values(spec)
    for checkpoint in reversed(checkpoints):
        parent = checkpoint.parent_id
        if parent is None:
            base = empty
        else:
            base = values.get(parent)
            if base is None:  # the parent lies outside the listing (`before=`): rebuild it once
                stored = history.get(parent)
                if stored is None:
                    raise history.missing_parent(checkpoint)
                base = values[parent] = history.values_at(stored)
        try:
            values[checkpoint.id] = replayed = algo.replay_stored(spec, base, checkpoint.writes)
        except BadDelta as e:
            if checkpoint.snapshot is None:
                raise e.named(history.thread_id, checkpoint.id) from None
            replayed = None
        snapshot = checkpoint.snapshot
        if snapshot is not None and replayed != snapshot:
            # a run in "exit" mode stores no checkpoint between its last one and its parent: the snapshot
            # it keeps is the state (otherwise the replay is the same state, in the order a listing shows)
            values[checkpoint.id] = snapshot
    return values
