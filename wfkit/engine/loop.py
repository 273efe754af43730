"""The thin loop: one superstep per `tick()`, built from the pure functions in `algo`.

`Loop.setup()` decides where a run starts (new input, a resume, a continue after a breakpoint, a replay or
fork from an earlier checkpoint: see `resume`); `tick()` plans the tasks, runs them, applies their writes
and plans the next superstep, emitting events all along. `invoke`, `stream` and the stepping API all drive this loop.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wfkit._ids import new_id
from wfkit.constants import START
from wfkit.engine import algo, caching, resume
from wfkit.engine.algo import Outcome, Plan, Task
from wfkit.engine.durability import DeferredSaver
from wfkit.engine.events import CheckpointKept, Interrupted, Resumed, RunFinished, StepApplied, StepCancelled, StepPlanned
from wfkit.engine.options import RunOptions
from wfkit.engine.persist import History, metadata, outcome_from_stored, with_updates
from wfkit.engine.runner import Runner
from wfkit.engine.spec import GraphSpec
from wfkit.errors import WfkitWarning, add_note
from wfkit.managed import with_managed
from wfkit.runtime import check_drain
from wfkit.types import Interrupt


@dataclass(frozen=True)
class StepRecord:
    """What one superstep did: its tasks, each task's writes, the state after, and any interrupts."""

    step: int
    tasks: tuple[Task, ...]
    writes: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]  # ((task name, ((key, value), ...)), ...)
    values: dict
    updated: tuple[str, ...]
    next: tuple[str, ...]
    interrupts: tuple[Interrupt, ...] = ()
    checkpoint_id: str | None = None
    parent_checkpoint_id: str | None = None
    branch: int = 0  # set by the stepping API: which fork of the history this superstep belongs to
    interrupted: tuple[str, ...] = ()  # the node that raised each of `interrupts`, in their order

    @property
    def paused(self) -> bool:
        """Whether this superstep stopped at `interrupt()`: it wrote no checkpoint and waits for an answer."""
        return self.checkpoint_id is None and bool(self.interrupts)

    def node_of(self, interrupt_id: str) -> str | None:
        """The node whose task raised the interrupt with that id (None: not one of this superstep's)."""
        return next((node for i, node in zip(self.interrupts, self.interrupted) if i.id == interrupt_id), None)

    def writes_of(self, name: str) -> dict[str, Any]:
        """The writes of the task(s) named `name`, merged into one dict (last write of a key wins)."""
        out: dict[str, Any] = {}
        for task_name, writes in self.writes:
            if task_name == name:
                out.update(dict(writes))
        return out


class Loop:
    """Drives one run of a graph, a superstep at a time."""

    def __init__(self, spec: GraphSpec, options: RunOptions, history: History | None = None,
                 listeners: list[Callable] | None = None, owner: Any = None):
        self.spec = spec
        self.options = options
        self.history = history
        self.listeners = list(listeners or [])
        self.values: dict = {}
        self.plan = Plan()
        self.step = -2
        self.checkpoint_id: str | None = None
        self.parent_id: str | None = None
        self.status = "new"  # new | ready | interrupted | done
        self.interrupts: tuple[Interrupt, ...] = ()
        self._stored: dict[str, dict] = {}  # task id -> stored result of the unfinished superstep
        self.answers = resume.Answers()
        self.resumed_with: Any = None  # the Command(resume=...) value given: a subgraph takes its share (nested)
        self.paused_values: dict | None = None  # paused by interrupt(): the state shown (see tick)
        self.wrote = False  # whether a superstep of this run changed a state key (else invoke returns None)
        self._carried: list = []  # Command updates on the current checkpoint: go into the next one's delta
        self._skip_before = False
        self.stop = options.recursion_limit - 1  # the last superstep this run may execute (set by setup)
        self._lone_task = False
        self.want_records = options.want_records
        self._run_id = None
        self._counter = 0
        self._kept = None  # the checkpoint last written to the history
        self.start_parent: tuple = ()  # (parent id,) of the first checkpoint loaded: see `_announce`
        # Whether the current checkpoint is the thread's head as this run read it (or stored it): the next
        # checkpoint is then stored only if it still is (`put_on_head`), so two runs of one thread never
        # fork it silently; False for a deliberate fork (a replay, `goto`), which stores unchecked.
        self.on_head = False
        self.not_stored: BaseException | None = None  # why the last superstep's checkpoint was not stored
        self.failure: Outcome | None = None  # the task whose error the last failed superstep raised
        self.runner = Runner(spec, self.emit, listening=bool(self.listeners), config=options.config, inline_sync=options.inline_sync,
                             stream_messages=options.stream_messages, max_concurrency=options.max_concurrency,
                             executor=options.executor,
                             loop=self, owner=owner, take_answer=self.answers.take)
        # a failing task stops its async siblings; a sync sibling's thread cannot be stopped, so a sync call and
        # the stepping API wait for it and keep what it returns (the same outcome whichever task failed first)
        self.runner.sync_caller = options.inline_sync or options.want_records

    # -- events --------------------------------------------------------------------------------------
    def emit(self, event: Any) -> None:
        for listener in self.listeners:
            listener(event)

    def listen(self, listener: Callable) -> None:
        self.listeners.append(listener)
        self.runner.listening = True

    # -- where to start (see `resume`) ---------------------------------------------------------------
    def setup(self, input: Any) -> None:
        resume.start(self, input)

    def load(self, checkpoint, on_head: bool = False) -> None:
        """Continue from a stored checkpoint (with its pending writes); `on_head`: it is the thread's head."""
        self.on_head = on_head
        self.values = self.history.values_at(checkpoint)
        self.plan = Plan.from_json(checkpoint.plan)
        self.step, self.checkpoint_id, self.parent_id = checkpoint.step, checkpoint.id, checkpoint.parent_id
        self.start_parent = self.start_parent or (checkpoint.parent_id,)
        self._kept = checkpoint
        self._stored, replay, pending, _, updates = self.history.pending(checkpoint.id)
        if updates:  # Command(update=...) inputs given on this checkpoint: part of the next superstep's delta
            self.values, self.plan, self._carried = with_updates(self.spec, self.values, self.plan, updates)
        self.answers.load(replay, pending)
        self.interrupts = self.answers.interrupts
        self.status = "ready"

    def apply_resume(self, value: Any) -> None:
        """Answer the pending interrupt(s): see `Answers.give`."""
        self.answers.give(value)
        self.interrupts = self.answers.interrupts
        self.resumed_with = value

    def commit(self, delta: list, source: str) -> None:
        """Write a checkpoint of the current values and plan (`source`: "input", "fork") and announce it."""
        self._commit(delta, source, self.values, self.plan, self.step)
        self._announce()

    def carry(self, delta: list) -> None:
        """A Command input's writes, kept on the current checkpoint: part of the next one's delta."""
        self._carried = self._carried + delta

    def skip_breakpoint_once(self) -> None:
        """The next superstep runs even if it has a node of `interrupt_before` (a continued run)."""
        self._skip_before = True

    def resumed(self, waiting: dict | None = None) -> None:
        """The run continues the thread; `waiting` (task id -> interrupts), given when it continues the
        checkpoint it loaded: that checkpoint is announced again, with them, as LangGraph streams it."""
        if self.listeners:
            self.emit(Resumed(self.step, self.values))
            if waiting is not None:
                self._announce(waiting)

    def _drop_answer(self) -> None:
        self.answers.drop_unused(self.options.thread_id)

    # -- one superstep -------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.status == "done"

    def planned(self) -> list[Task]:
        return algo.prepare_tasks(self.spec, self.values, self.plan, self.checkpoint_id or "",
                                  cheap_ids=self.history is None)

    async def tick(self, *, past_breakpoints: bool = False) -> StepRecord | None:
        """Run one superstep. Returns its record, or None when nothing ran (done or a breakpoint)."""
        # As in LangGraph, the limit is checked first: a run that used its last allowed superstep raises
        # even when nothing is left to run
        options = self.options
        step = self.step + 1
        if step > self.stop:
            algo.check_recursion(step, self.stop, options.recursion_limit)
        plan = self.plan
        if not plan.pull and not plan.push:
            self._finish()
            return None
        if not (self._skip_before or past_breakpoints) and options.interrupt_before:
            hit = tuple(n for n in plan.names() if n in options.interrupt_before)
            if hit:
                self.status, self.interrupts = "interrupted", ()
                self.emit(Interrupted(self.step, (), "before", hit))
                return None
        self._skip_before = False
        if options.runtime is not None:  # asked to drain: stop before this superstep (its checkpoint is stored)
            check_drain(options.runtime.control)
        spec = self.spec
        values = with_managed(spec, self.values, step, self.stop) if spec.managed else self.values
        tasks = algo.prepare_tasks(spec, values, plan, self.checkpoint_id, cheap_ids=self.history is None)
        if self.listeners:
            self.emit(StepPlanned(step, tuple(tasks)))
        done = ({t.id: outcome_from_stored(t, self._stored[t.id]) for t in tasks if t.id in self._stored}
                if self._stored else {})
        self._lone_task = len(tasks) == 1
        cache = options.cache
        hits = await caching.lookup(spec, cache, tasks, done) if cache is not None else None
        if hits:  # a cache hit is a result reused, as a pending write is
            done = {**done, **hits}
        try:
            outcomes = await self.runner.superstep(step, values, tasks, done, self.answers.replay, self._keep)
        except asyncio.CancelledError:
            self.status = "ready"
            unfinished = tuple(t.name for t in tasks if t.id not in self._stored and t.name != START)
            self.emit(StepCancelled(step, unfinished))
            raise
        if cache is not None:
            await caching.keep(spec, cache, outcomes, hits)
        interrupted = False
        for outcome in outcomes:
            if outcome.error is not None:
                raise self._failed(outcomes, outcome, tasks)
            if outcome.interrupts:
                interrupted = True
        if interrupted:
            paused = [o for o in outcomes if o.interrupts]
            self.status = "interrupted"
            self.interrupts = tuple(i for o in paused for i in o.interrupts)
            self.answers.pending = {o.task.id: o.interrupts for o in paused}
            # What the caller sees (invoke's value, the last "values" chunk) has the finished tasks' writes
            # applied, checked as a superstep's are (two writes to a key without reducer raise), as in
            # LangGraph; the checkpoint stays where it was and keeps them as pending results
            finished = [o for o in outcomes if o.ok and o.writes and o.task.name != START]
            self.paused_values = None
            if finished:
                shown, updated, _ = algo.apply_writes(spec, self.values, finished)
                if updated:
                    self.paused_values, self.wrote = shown, True
            self.emit(Interrupted(step, self.interrupts, "interrupt", tuple(o.task.name for o in paused),
                                  self.paused_values))
            return self._record(step, tasks, outcomes, (), self.values, paused=True)
        new_values, updated, delta = algo.apply_writes(spec, self.values, outcomes)
        if updated:
            self.wrote = True
        for outcome in outcomes:
            if outcome.unknown:
                warnings.warn(
                    f"node `{outcome.task.name}` routed to {', '.join(f'`{u}`' for u in outcome.unknown)}, which is "
                    "not a node of this graph; that route is ignored (as LangGraph does). Check the path function's "
                    "return values, or give add_conditional_edges a path_map.", WfkitWarning, stacklevel=2)
        plan = algo.next_plan(spec, plan, outcomes)
        if self._carried:
            delta = self._carried + list(delta)
        try:  # the commit is the last thing: until it is stored, the run stays before this superstep
            self._commit(delta, "loop", new_values, plan, step)
        except Exception as error:
            self.not_stored = error
            add_note(error, f"superstep {step} of thread `{self.options.thread_id}` was not stored; the run "
                            f"and the thread stay as they were before it, so running it again retries it")
            raise
        record = self._record(step, tasks, outcomes, updated, new_values) if self.want_records else None
        if self.listeners:
            self.emit(StepApplied(step, new_values, updated, tuple(delta), self.plan.names(), self._kept_config()))
            self._announce()
        if options.interrupt_after:
            hit = tuple(o.task.name for o in outcomes if o.task.name in options.interrupt_after)
            if hit:  # even when nothing follows, as in LangGraph (its "updates" show the breakpoint)
                self.status, self.interrupts = "interrupted", ()
                self.emit(Interrupted(step, (), "after", hit))
                return record
        if self.answers.loose:
            self._drop_answer()
        if not plan.pull and not plan.push and step < self.stop:  # else the next tick raises GraphRecursionError
            self._finish()
        return record

    def _keep(self, outcome: Outcome) -> None:
        """A task finished: keep its result (or interrupt, or error) so a resume need not redo it: here for
        the next try of this superstep in this loop (after another task paused, failed or the superstep was
        cancelled), and in the history for a later run. A lone task's successful result is not kept: its
        superstep commits right away, so nothing could reuse it."""
        if self._lone_task and self.history is None or outcome.task.name == START:
            return  # (a lone task leaves nothing to reuse unless it succeeded, and then its step commits)
        lone_ok = outcome.ok and self._lone_task
        if outcome.ok and not lone_ok:
            self._stored[outcome.task.id] = {"writes": outcome.writes, "routes": outcome.routes}
        if self.history is None:
            return
        answered = self.answers.used(outcome.task.id)
        if outcome.error is None:  # used (finished or paused again): keep them, for replays too
            for interrupt_id, values in answered.items():
                self.history.save_resume(self.checkpoint_id, interrupt_id, outcome.task.name, values)
        if not lone_ok:
            self.history.save_outcome(self.checkpoint_id, outcome)

    def _failed(self, outcomes: list[Outcome], failure: Outcome, tasks: list[Task]) -> BaseException:
        """A task raised: nothing of the superstep is applied. The tasks that raised on the answers just
        given forget them (none was stored) and wait at their interrupts again, for a better answer; so do
        the tasks stopped before they finished (their answers were not used to the end)."""
        self.failure = failure
        finished = {o.task.id for o in outcomes if o.error is None}
        for task in tasks:
            if task.id not in finished:
                self.answers.take_back(task.id)
        self.interrupts = self.answers.interrupts
        self.status = "interrupted" if self.interrupts else "ready"
        waiting = self.answers.pending.get(failure.task.id)
        if waiting:
            add_note(failure.error, f"the answer to {resume.interrupt_list(waiting)} was not kept: it still waits for "
                                    "another answer")
        return failure.error

    def _commit(self, delta: list, source: str, values: dict, plan: Plan, step: int) -> None:
        """Store the checkpoint of `values`, `plan` and `step`, then make them the run's: a failed store
        (it raises) leaves the run as it was."""
        parent = self.checkpoint_id or self.parent_id
        if self.history is not None:
            checkpoint = self.history.save(parent_id=parent, step=step, source=source, delta=delta,
                                           plan=plan, values=values, on_head=self.on_head)
            self.checkpoint_id, self._kept, self.on_head = checkpoint.id, checkpoint, True
        else:  # no history: ids need only be unique within this run
            if self._run_id is None:
                self._run_id = new_id("run")
            self._counter += 1
            self.checkpoint_id = f"{self._run_id}.{self._counter}"
        self.parent_id, self.values, self.plan, self.step = parent, values, plan, step
        self._stored, self._carried = {}, []
        self.answers.clear()
        self.interrupts, self.paused_values = (), None
        self.status = "ready"

    def _record(self, step, tasks, outcomes, updated, values, paused: bool = False) -> StepRecord:
        """A paused superstep wrote no checkpoint: its record has none, and hangs off the current one."""
        writes = tuple((o.task.name, tuple(o.writes)) for o in outcomes if o.task.name != START)
        checkpoint, parent = (None, self.checkpoint_id) if paused else (self.checkpoint_id, self.parent_id)
        raised_by = {i.id: o.task.name for o in outcomes for i in o.interrupts}
        return StepRecord(step, tuple(t for t in tasks if t.name != START), writes, values, tuple(updated),
                          self.plan.names(), self.interrupts, checkpoint, parent,
                          interrupted=tuple(raised_by.get(i.id, "") for i in self.interrupts))

    def _finish(self) -> None:
        self._drop_answer()
        if self.status != "done":
            self.status = "done"
            for message in algo.stalled_joins(self.spec, self.plan):
                warnings.warn(message, WfkitWarning, stacklevel=3)
            self.emit(RunFinished(self.step, self.values))

    def _kept_config(self) -> dict | None:
        return self.config() if self.history is not None else None

    def _announce(self, waiting: dict | None = None) -> None:
        """Tell listeners about the checkpoint just written (only a thread's history keeps checkpoints)."""
        kept = self._kept
        if not self.listeners or self.history is None or kept is None:
            return
        tasks = tuple((tid, name) for tid, name, _ in algo.plan_task_ids(kept.plan, kept.id, self.spec.node_order))
        parent_id = kept.parent_id
        if isinstance(self.history.saver, DeferredSaver):
            # durability="exit" stores none of them: as in LangGraph, each names the parent of the checkpoint
            # the run started from (None on a new thread), not one of the run's own
            parent_id = self.start_parent[0] if self.start_parent else None
        self.emit(CheckpointKept(kept.step, self._named(kept.id), self._named(parent_id), metadata(kept), self.values,
                                 tasks, waiting or {}))

    def _named(self, checkpoint_id: str | None) -> dict | None:
        """The config naming one of the thread's checkpoints, as its snapshot's: a subgraph's also names those
        of the graphs above it (LangGraph's `checkpoint_map`)."""
        if checkpoint_id is None:
            return None
        ns = self.history.ns
        configurable = {"thread_id": self.options.thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint_id}
        if ns:
            configurable["checkpoint_map"] = {**self.history.parents, ns: checkpoint_id}
        return {"configurable": configurable}

    def config(self) -> dict | None:
        if self.options.thread_id is None:
            return None
        return {"configurable": {"thread_id": self.options.thread_id,
                                 "checkpoint_ns": self.history.ns if self.history is not None else "",
                                 "checkpoint_id": self.checkpoint_id}}

