"""The stepping API: drive a graph one superstep at a time, look at everything, go back, edit, fork.

`app.start(input, config)` returns a `Run`. It always keeps a history (on the graph's checkpointer, or on a
private in-memory one), so `back()`/`goto()` can return to any superstep and stepping on from there forks
a new branch while the old one stays in `history`. `step()` from an earlier checkpoint runs the superstep
again, as LangGraph's replay does; `forward()` instead moves to the next checkpoint already stored on the
branch the run went back along (time travel without forking): a fork appears only when something changes
(an edit, an answer, a step run again). The widgets are built on this API and the engine's
events only. `astep`/`arun`/`aresume` are the one implementation; `step`/`run`/`resume` are sync wrappers
around them (they work inside Jupyter's running event loop too).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from wfkit._ids import new_id
from wfkit._sync import run_sync
from wfkit.checkpoint.base import loops_back
from wfkit.constants import START
from wfkit.engine import algo
from wfkit.engine.algo import Plan, Task
from wfkit.engine.loop import Loop, StepRecord
from wfkit.engine.options import check_config, given, options_from
from wfkit.engine.persist import History
from wfkit.engine.update import apply_as_node
from wfkit.engine.resume import interrupt_list
from wfkit.errors import (AlreadyAnsweredError, AnswerRejectedError, ArgumentTypeError, ArgumentValueError,
                          CheckpointConflictError, InvalidResumeError, StateEditError, StepNotStoredError,
                          UnsupportedFeatureError, WfkitError)
from wfkit.types import Interrupt, Overwrite


@dataclasses.dataclass(frozen=True)
class Edit:
    """What one `Run.edit` did: the checkpoint it made on top of `parent_checkpoint_id` at superstep
    `step`, the state after it, and the keys whose values it changed."""

    step: int
    checkpoint_id: str
    parent_checkpoint_id: str
    values: Any
    edited: tuple[str, ...]


class Run:
    """One run of a graph, stepped by hand. See the module docstring."""

    def __init__(self, app: Any, input: Any, config: dict | None = None, *, _history: History | None = None):
        from wfkit.checkpoint import InMemorySaver

        self.app = app
        configurable = dict(check_config(config))
        config = dict(config or {})
        configurable.setdefault("thread_id", new_id("run"))
        config["configurable"] = configurable
        self.config = config
        self.breakpoints: set[str] = set(app.interrupt_before)
        self.listeners: list[Callable] = []
        # stream_messages: model tokens reach the listeners (the Debugger's event log) while a step runs
        options = options_from(config, inline_sync=False, stream_messages=True, store=app.store, cache=app.cache,
                               interrupt_before=frozenset(app.interrupt_before),
                               interrupt_after=frozenset(app.interrupt_after))
        if _history is not None:  # a subgraph stepped into (see `step_into`)
            self._history = _history
        elif app.checkpointer is not None:
            self._history = app.history_of(options)
        else:
            saver = InMemorySaver()
            saver.register_types(app.spec.state.models())
            self._history = History(app.spec, saver, options.thread_id)
        self._loop = Loop(app.spec, options, self._history, [self._emit])
        self.history: list[StepRecord] = []
        self.edits: list[Edit] = []  # every edit of the state, in the order they were made
        self._branch = 0  # the branch the run is on (0: the first)
        self._branches = 0  # how many branches were forked so far
        self._forked = False
        self._tip: str | None = None  # after back/goto: the checkpoint where the branch gone back along ends
        self._inner: tuple[str, Run, str] | None = None  # (checkpoint it was opened at, the Run, its namespace) of step_into
        self._loop.setup(input)
        if len(self._loop.plan.push) == 1 and self._loop.plan.push[0][0] == START and not self._loop.plan.pull:
            run_sync(self._loop.tick())  # apply the input: runs no node, only START's edges

    # -- looking -------------------------------------------------------------------------------------
    def _emit(self, event: Any) -> None:
        for listener in list(self.listeners):
            listener(event)

    @property
    def next(self) -> list[Task]:
        """The tasks planned for the next superstep: node name, input, and what triggered each."""
        if self._loop.plan.empty:
            return []
        tasks = [t for t in self._loop.planned() if t.name != START]
        shown = self.app.spec.shown
        return [shown.task(t) for t in tasks] if shown is not None else tasks

    @property
    def state(self) -> dict:
        return algo.output_values(self.app.spec, self._loop.values)

    @property
    def status(self) -> str:
        """"done" (nothing left to run), "interrupted" (an `interrupt()` waits for `resume`), or "paused"
        (ready for the next `step()`)."""
        return "done" if self.done else ("interrupted" if self._loop.interrupts else "paused")

    @property
    def step_number(self) -> int:
        return self._loop.step

    @property
    def done(self) -> bool:
        return self._loop.plan.empty

    @property
    def interrupts(self) -> tuple[Interrupt, ...]:
        return self._loop.interrupts

    @property
    def checkpoint_id(self) -> str | None:
        return self._loop.checkpoint_id

    @property
    def thread_id(self) -> str:
        return self._loop.options.thread_id

    def waiting_joins(self) -> list[tuple[tuple[str, ...], str, list[str]]]:
        """Joins that have seen some sources: (sources, target, seen so far)."""
        out = []
        for index, seen in self._loop.plan.joins.items():
            join = self.app.spec.joins[index]
            out.append((join.sources, join.target, list(seen)))
        return out

    def lineage(self, checkpoint_id: str | None = None) -> list[tuple[int, str]]:
        """(step, checkpoint id) of every checkpoint from the thread's first to the current one (or to
        `checkpoint_id`: another branch's), oldest first: the current branch."""
        end = self._loop.checkpoint_id if checkpoint_id is None else checkpoint_id
        out, seen, checkpoint = [], set(), self._history.get(end)
        if checkpoint is None and checkpoint_id is not None:
            raise self._no_checkpoint(checkpoint_id)
        while checkpoint is not None:
            if checkpoint.id in seen:  # a damaged file: the walk would never end
                raise loops_back(self.thread_id, end, checkpoint.id)
            seen.add(checkpoint.id)
            out.append((checkpoint.step, checkpoint.id))
            checkpoint = self._history.get(checkpoint.parent_id) if checkpoint.parent_id else None
        return out[::-1]

    def state_at(self, checkpoint_id: str) -> dict:
        """The state as it was at one checkpoint of this run (say, a `lineage()` entry's)."""
        checkpoint = self._history.get(checkpoint_id)
        if checkpoint is None:
            raise self._no_checkpoint(checkpoint_id)
        return algo.output_values(self.app.spec, self._history.values_at(checkpoint))

    def _no_checkpoint(self, checkpoint_id: str) -> ArgumentValueError:
        return ArgumentValueError(f"no checkpoint `{checkpoint_id}` in thread `{self.thread_id}`; use an id from "
                          f"run.lineage() or a record's checkpoint_id")

    def timeline(self) -> list[StepRecord]:
        """The records on the path from the start to the current checkpoint (the current branch)."""
        by_id = {r.checkpoint_id: r for r in self.history}
        return [by_id[cid] for _, cid in self.lineage() if cid in by_id]

    # -- moving --------------------------------------------------------------------------------------
    async def astep(self) -> StepRecord:
        """Execute exactly one superstep (breakpoints do not stop an explicit step) and return its record."""
        if self.done:
            raise InvalidResumeError("the run is finished: nothing left to step (use back()/goto() to revisit a step)")
        if self._loop.interrupts:
            ids = ", ".join(f"`{i.id}`" for i in self._loop.interrupts)
            raise InvalidResumeError(f"the run is paused at interrupt {ids}: answer it with run.resume(value)")
        self._hand_over_inner()
        try:
            record = await self._loop.tick(past_breakpoints=True)
        except Exception as error:
            if error is self._loop.not_stored:
                self._loop.not_stored = None
                raise _not_stored(self.thread_id, self._loop.step + 1, error) from error
            rejected = self._rejected(error)
            if rejected is None:
                raise
            raise rejected from error
        if record is None:  # the plan was empty
            raise InvalidResumeError("the run is finished: nothing left to step")
        if self._forked:  # (only now: a superstep that failed or was not stored leaves the run as it was)
            self._branches += 1
            self._branch = self._branches
            self._forked = False
        self._tip = None  # a superstep run anew: what lay ahead is another branch now
        self._inner = None
        record = dataclasses.replace(record, branch=self._branch)
        if self.app.spec.shown is not None:
            record = self.app.spec.shown.record(record)
        self.history.append(record)
        return record

    def _rejected(self, error: Exception) -> AnswerRejectedError | None:
        """The error to raise when `error` came from a node given an answer, whose interrupt waits again."""
        failure = self._loop.failure
        waiting = self._loop.answers.pending.get(failure.task.id) if failure and failure.error is error else None
        if not waiting:
            return None
        return AnswerRejectedError(
            f"node `{failure.task.name}` raised {type(error).__name__}: {error} on the answer to "
            f"{interrupt_list(waiting)}; nothing was kept and the run still waits there for another answer: "
            "give a better one with run.resume(value)")

    def step(self) -> StepRecord:
        return run_sync(self.astep())

    async def arun(self) -> list[StepRecord]:
        """Step until the end, an interrupt, or a superstep that would run a node in `breakpoints`."""
        records = []
        first = True
        while not self.done and not self.interrupts:
            if not first and self.breakpoints & set(t.name for t in self.next):
                break
            first = False
            records.append(await self.astep())
        return records

    def run(self) -> list[StepRecord]:
        return run_sync(self.arun())

    def register_types(self, *types: type) -> None:
        """Let the run's checkpointer revive these classes (say, the pydantic model an interrupt is answered
        with): going back and stepping again then replays the stored answer as itself, not as a dict."""
        self._history.saver.register_types(types)

    def answer(self, value: Any) -> None:
        """Give the pending interrupt(s) their answer without running anything yet (a map {id: value} when
        several are pending). The next `step()` re-runs the interrupted task(s) with it."""
        self._loop.apply_resume(value)
        self._tip = None  # a new answer: the next superstep is not the stored one

    async def aresume(self, value: Any) -> list[StepRecord]:
        """Answer the pending interrupt(s) and go on like `run()`."""
        self.answer(value)
        records = [await self.astep()]
        return records + await self.arun() if not self.interrupts else records

    def resume(self, value: Any) -> list[StepRecord]:
        return run_sync(self.aresume(value))

    def goto(self, step: int | None = None, *, checkpoint_id: str | None = None) -> None:
        """Return to the state after superstep `step` on the current branch (0: just after the input), or
        to any checkpoint of this run by id (`record.checkpoint_id`), on whatever branch it lies."""
        self._inner = None  # a subgraph stepped into belongs to the superstep left behind
        if checkpoint_id is not None:
            checkpoint = self._history.get(checkpoint_id)
            if checkpoint is None:
                raise ValueError(f"no checkpoint `{checkpoint_id}` in this run; use a record's checkpoint_id")
            self._keep_tip(checkpoint_id)
            self._loop.load(checkpoint)
            self._forked = True
            return
        cid = checkpoint_of_step(self.lineage(), step)
        self._keep_tip(cid)
        self._loop.load(self._history.get(cid))
        self._forked = True

    def _keep_tip(self, target: str) -> None:
        """Before moving to checkpoint `target`: remember where the branch through it ends (the branch the run
        is on, else the newest stored superstep past `target`)."""
        if self._tip is None or self.checkpoint_id not in self._line(self._tip):
            self._tip = self.checkpoint_id
        if target in self._line(self._tip):
            return
        ends = (r.checkpoint_id for r in reversed(self.history) if r.checkpoint_id is not None)
        self._tip = next((end for end in ends if target in self._line(end)), target)

    def _line(self, checkpoint_id: str | None) -> list[str]:
        """The checkpoint ids from the thread's first to `checkpoint_id`, oldest first."""
        out, checkpoint = [], self._history.get(checkpoint_id) if checkpoint_id else None
        while checkpoint is not None and checkpoint.id not in out:
            out.append(checkpoint.id)
            checkpoint = self._history.get(checkpoint.parent_id) if checkpoint.parent_id else None
        return out[::-1]

    def ahead(self) -> list[StepRecord]:
        """After `back()`/`goto()`: the supersteps already stored on the branch the run went back along, from
        where the run is to where that branch ends, nearest first (`forward()` walks them). Empty when the
        run is at the end of its branch, or once something changed (an edit, an answer, a step run anew)."""
        if self._tip is None:
            return []
        line = self._line(self._tip)
        here = self.checkpoint_id
        if here not in line:
            return []
        records = {r.checkpoint_id: r for r in self.history if r.checkpoint_id is not None}
        return [records[cid] for cid in line[line.index(here) + 1:] if cid in records]

    def forward(self) -> StepRecord | None:
        """Move to the next superstep stored on this branch (see `ahead()`) without running anything, and
        return its record; None (and the run stays) when nothing is stored ahead: `step()` runs one then.
        An edit stored on the way is passed through, as the branch went."""
        ahead = self.ahead()
        if not ahead:
            return None
        record = ahead[0]
        self._loop.load(self._history.get(record.checkpoint_id))
        self._branch = record.branch
        self._forked = len(ahead) > 1 or self._tip != record.checkpoint_id  # stepping anew from here forks
        return record

    def back(self, n: int = 1) -> None:
        """Go back `n` supersteps."""
        if not isinstance(n, int):
            raise ArgumentTypeError(f"run.back(n): `n` must be an int, the number of supersteps to go back, got "
                                    f"{given(n)}: e.g. run.back(1)")
        if n < 0:
            raise ArgumentValueError(f"run.back(n): `n` must be 0 or more, got {n}: to go forward, step() or "
                                     "goto(step)")
        self.goto(max(self._loop.step - n, 0))

    def edit(self, values: dict, as_node: str | None = None, *, replace: bool = False) -> Edit:
        """Change the state here (through the reducers). Without `as_node`, what is planned next stays the
        same; with it, the change counts as that node's output and what follows that node is planned (a
        different route, as `update_state(config, values, as_node)` does). `replace`: the values replace
        those of their keys, past any reducer (an edited list is the new list, not appended to the old one).
        Stepping on forks a new branch. Returns the `Edit` (also kept in `edits`)."""
        if replace:
            channels = self.app.spec.channels
            values = {k: Overwrite(v) if k in channels and channels[k].reducer is not None else v
                      for k, v in values.items()}
        checkpoint = self._history.get(self._loop.checkpoint_id)
        current = self._history.values_at(checkpoint)
        if as_node is not None:
            new_values, delta, plan = apply_as_node(self.app.spec, checkpoint, current, values, as_node)
            step = checkpoint.step + 1
        else:
            writes, _ = algo.writes_from_return(self.app.spec, "__edit__", values)
            delta = [("__edit__", k, v) for k, v in writes]
            new_values, _, delta = algo.replay(self.app.spec, current, delta)
            plan, step = Plan.from_json(checkpoint.plan), checkpoint.step
        problems = self.app.spec.state.problems(new_values, values)
        if problems:
            raise StateEditError(f"run.edit at step {checkpoint.step} of thread `{self.thread_id}`: "
                                 f"{'; '.join(problems)}; nothing was changed: give values of the declared types")
        saved = self._history.save(parent_id=checkpoint.id, step=step, source="update", delta=delta,
                                   plan=plan, values=new_values)
        self._loop.load(saved, on_head=True)  # just stored: the thread's head
        self._forked = True
        self._tip = None  # changed: what lay ahead is another branch now
        before, after = algo.output_values(self.app.spec, current), self.state
        edited = (tuple(k for k, v in after.items() if k not in before or before[k] != v)
                  if isinstance(before, dict) and isinstance(after, dict) else ())
        self.edits.append(Edit(saved.step, saved.id, checkpoint.id, after, edited))
        return self.edits[-1]

    # -- into a subgraph ------------------------------------------------------------------------------
    def subgraph_tasks(self) -> list[str]:
        """The nodes planned next that run a subgraph `step_into` can open (compiled graphs added as nodes)."""
        if self._loop.interrupts:
            return []
        return [t.name for t in self.next if _subgraph_of(self.app, t.name) is not None]

    def step_into(self, node: str | None = None) -> "Run":
        """Open the subgraph that the task of `node` planned next runs (by default the first such) as a Run of
        its own, over the subgraph's checkpoints in this thread (its `checkpoint_ns`): step it one superstep
        at a time, go back within it, answer its interrupts there. Once it is done, this run's `step()`
        runs the superstep with its result (it does not run again); before that, `step()` here lets the
        subgraph go on from its newest checkpoint, as a resumed run does."""
        names = self.subgraph_tasks()
        if node is not None and node not in names:
            raise ArgumentValueError(
                f"run.step_into({node!r}): `{node}` is not a node planned next that runs a subgraph "
                f"(those planned next that do: {', '.join(f'`{n}`' for n in names) or 'none'}); step() to the "
                "superstep that runs it, then step_into")
        if not names:
            raise InvalidResumeError(
                f"run.step_into(): no task planned next runs a subgraph (next: "
                f"{', '.join(f'`{t.name}`' for t in self.next) or 'nothing'}); step() until one does")
        name = node if node is not None else names[0]
        sub = _subgraph_of(self.app, name)
        if sub.stateless:
            raise UnsupportedFeatureError(
                f"run.step_into({name!r}): the subgraph of `{name}` was compiled with checkpointer=False, so it keeps "
                "no checkpoints and its task would run it again from its start; compile it with checkpointer=None "
                "(the default) to step into it, or step() over it")
        task = next(t for t in self._loop.planned() if t.name == name)
        from wfkit.engine.nested import stepped_history

        history = stepped_history(sub, self._history, self.checkpoint_id, task)
        latest = history.get()
        going = (latest is not None and not Plan.from_json(latest.plan).empty
                 and latest.metadata.get("parents", {}).get(self._history.ns) == self.checkpoint_id)
        config = {**{k: v for k, v in self.config.items() if k != "configurable"},
                  "configurable": {"thread_id": self.thread_id, "checkpoint_ns": history.ns}}
        inner = Run(sub, None if going else task.input, config, _history=history)  # going: where it stopped
        self._inner = (self.checkpoint_id, inner, history.ns)
        return inner

    def _hand_over_inner(self) -> None:
        """Before a superstep: a subgraph stepped into here and run to its end gives its task its result."""
        if self._inner is None or self._inner[0] != self.checkpoint_id or not self._inner[1].done:
            return
        inner = self._inner[1]
        configurable = self._loop.options.config.setdefault("configurable", {})
        configurable.setdefault("checkpoint_map", {})[self._inner[2]] = inner.checkpoint_id

    def __repr__(self) -> str:
        return f"<Run step={self._loop.step} {self.status} next={[t.name for t in self.next]}>"


def _subgraph_of(app: Any, name: str) -> Any:
    """The compiled graph node `name` of `app` is (added with add_node(name, compiled)), else None."""
    node = app.spec.nodes.get(name)
    return getattr(node.fn, "subgraph", None) if node is not None else None


def checkpoint_of_step(lineage: list[tuple[int, str]], step: int | None) -> str:
    """The id of the checkpoint after superstep `step` on a branch (`Run.lineage()`): its newest one, an
    edit's, say."""
    by_step: dict[int, str] = {}
    for at, cid in reversed(lineage):
        by_step.setdefault(at, cid)
    if step not in by_step or step < 0:
        known = sorted(s for s in by_step if s >= 0)
        raise ValueError(f"no superstep {step} on this branch; steps here: {known}")
    return by_step[step]


def _not_stored(thread_id: str, step: int, error: Exception) -> Exception:
    """The error `Run.step` raises when superstep `step` ran but its checkpoint was not stored (`error`)."""
    cause = str(error) if isinstance(error, WfkitError) else f"{type(error).__name__}: {error}"
    said = f"superstep {step} of thread `{thread_id}` was not stored ({cause}); the run stays where it was before it"
    if isinstance(error, CheckpointConflictError):
        return CheckpointConflictError(f"{said}: to go on from the other writer's checkpoint, open the thread "
                                       f"again (app.start(None, config))")
    return StepNotStoredError(f"{said} (its state, next tasks and history): fix the cause and step again, "
                              f"which runs superstep {step} again")


def check_waiting(app: Any, config: dict, interrupt_ids: tuple[str, ...]) -> None:
    """Raise `AlreadyAnsweredError` unless the thread `config` names still waits at each of `interrupt_ids`
    at its newest checkpoint (read now: another kernel may have answered them meanwhile). Reading the head
    also makes the checkpointer check that what this process stores next continues from it."""
    thread_id = config["configurable"]["thread_id"]
    snapshot = app.get_state({"configurable": {"thread_id": thread_id}})
    waiting = {i.id for i in snapshot.interrupts}
    gone = [i for i in interrupt_ids if i not in waiting]
    if not gone:
        return
    if snapshot.config is None:
        raise AlreadyAnsweredError(f"thread `{thread_id}` no longer exists (it was deleted); interrupt "
                                   f"`{gone[0]}` cannot be answered — refresh the inbox")
    by = snapshot.metadata.get("reviewer")
    raise AlreadyAnsweredError(
        f"interrupt `{gone[0]}` of thread `{thread_id}` was already answered{f' by {by}' if by else ''}: the "
        f"thread moved on to checkpoint `{snapshot.config['configurable']['checkpoint_id']}` (stored at "
        f"{snapshot.created_at}, step {snapshot.metadata['step']}); your answer was not given, and nothing "
        f"was stored — refresh the inbox to see what still waits")
