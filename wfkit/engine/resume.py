"""Where a run starts, and the answers its paused tasks get: the start/resume half of the loop.

`start(loop, input)` decides where a run begins: a new input (on a fresh thread or after its latest
checkpoint), a resume or a continue (input None or a `Command`), or a replay from an earlier checkpoint,
which forks a new branch. `Answers` holds what `Command(resume=...)` gave: per task, the values its
`interrupt()` calls return in order (those stored and those new), the interrupts still unanswered, and a
value given to no interrupt in particular, which the first `interrupt()` without an answer takes.
"""

from __future__ import annotations

import warnings
from typing import Any

from wfkit.constants import START
from wfkit.engine import algo
from wfkit.errors import CheckpointError, EmptyInputError, InvalidResumeError, UnsupportedFeatureError, WfkitWarning
from wfkit.types import Command, Interrupt


class Answers:
    """The resume values of the current superstep's tasks, by interrupt id: a node's `interrupt()` calls
    have its task's id, and each `@task` call of an entrypoint its own, as in LangGraph, so parallel calls
    in one entrypoint each get the answer given for theirs."""

    __slots__ = ("replay", "unsaved", "pending", "loose", "asked")

    def __init__(self) -> None:
        self.replay: dict[str, list] = {}  # interrupt id -> the values its interrupt() calls return, in order
        self.unsaved: dict[str, dict[str, list]] = {}  # task id -> {interrupt id: answers not yet used (so not stored)}
        self.pending: dict[str, tuple] = {}  # task id -> its unanswered interrupts
        self.loose: list = []  # `Command(resume=value)`: [value] until an interrupt() takes it
        # task id -> (its interrupts' answers by interrupt id, its interrupts) before the answers just given,
        # in the order they were pending: what `take_back` restores when the task fails on those answers
        self.asked: dict[str, tuple[dict[str, list], tuple]] = {}

    def load(self, replay: dict[str, list], pending: dict[str, tuple]) -> None:
        """The answers stored on a checkpoint, and its interrupts still waiting."""
        self.replay, self.unsaved, self.pending, self.asked = replay, {}, dict(pending), {}

    def clear(self) -> None:
        """A checkpoint was committed: its tasks are done, their answers with them."""
        self.replay, self.pending, self.asked = {}, {}, {}

    @property
    def interrupts(self) -> tuple[Interrupt, ...]:
        return tuple(i for group in self.pending.values() for i in group)

    def give(self, resume: Any) -> None:
        """`Command(resume=...)`: a map {interrupt id: value} answers those interrupts; any other value is the
        answer for the first `interrupt()` reached without one (LangGraph's rule, so it also works at a
        breakpoint, after update_state, or when a Command(update=...) makes the node skip its first call)."""
        pending = self.pending
        by_id = {i.id: task_id for task_id, group in pending.items() for i in group}
        if isinstance(resume, dict) and resume and all(k in by_id for k in resume):
            self._remember()
            for interrupt_id, value in resume.items():
                # Kept in memory until the task has used it: stored once the task finished or paused again.
                # A value the node rejects (it raises) is never stored, and the thread stays at the same
                # interrupt, resumable with a better answer.
                task_id = by_id[interrupt_id]
                self._answer(interrupt_id, value, task_id)
                pending.pop(task_id, None)
        elif sum(map(len, pending.values())) > 1:  # several (of one task or of several), no id to pick one
            listing = ", ".join(sorted(f"`{i.id}`" for group in pending.values() for i in group))
            raise InvalidResumeError(
                f"{sum(map(len, pending.values()))} interrupts are pending ({listing}); a value without an interrupt id cannot tell "
                "multiple pending interrupts apart: resume them with Command(resume={interrupt_id: value, ...}) "
                "naming each id — the thread is unchanged and still resumable"
            )
        else:
            self._remember()
            self.loose = [resume]
            pending.clear()

    def _remember(self) -> None:
        # what each pending task had before the answers now given, in order: see `take_back`
        self.asked = {task_id: ({i.id: list(self.replay.get(i.id, ())) for i in group}, group)
                      for task_id, group in self.pending.items()}

    def take_back(self, task_id: str) -> tuple[Interrupt, ...]:
        """`task_id` raised on the answers just given: forget them (none was stored) and make its interrupts
        wait again, in their place among the pending ones. Returns them (none if it had no answer)."""
        before = self.asked.get(task_id)
        if before is None or task_id in self.pending:  # it was given no answer
            return ()
        replays, group = before
        for interrupt_id, replay in replays.items():
            if replay:
                self.replay[interrupt_id] = replay
            else:
                self.replay.pop(interrupt_id, None)
        self.unsaved.pop(task_id, None)
        self.loose = []  # it was given for this interrupt, which waits again
        self.pending[task_id] = group
        order = list(self.asked)  # every task still pending was pending before the answers
        self.pending = {t: self.pending[t] for t in sorted(self.pending, key=order.index)}
        return group

    def take(self, interrupt_id: str, task_id: str | None = None) -> list:
        """Called by `interrupt()` (of task `task_id`; by default the one the id names) that has no answer of
        its own left: the loose answer, once."""
        try:
            value = self.loose.pop()
        except IndexError:
            return []
        self._answer(interrupt_id, value, task_id or interrupt_id)
        return [value]

    def used(self, task_id: str) -> dict[str, list]:
        """The answers `task_id`'s interrupts were given in this run, by interrupt id, now that it used them
        (to store), once."""
        return self.unsaved.pop(task_id, None) or {}

    def drop_unused(self, thread_id: str | None) -> None:
        """A superstep went by and no interrupt() took the loose answer: LangGraph drops it; wfkit says so."""
        if self.loose:
            value = self.loose.pop()
            warnings.warn(
                f"Command(resume={value!r}) was not used: no interrupt() was waiting for an answer on thread "
                f"`{thread_id}` (continue a run stopped at a breakpoint with invoke(None, config))",
                WfkitWarning, stacklevel=4)

    def _answer(self, interrupt_id: str, value: Any, task_id: str) -> None:
        self.replay.setdefault(interrupt_id, []).append(value)
        self.unsaved.setdefault(task_id, {}).setdefault(interrupt_id, []).append(value)


def interrupt_list(interrupts: tuple[Interrupt, ...]) -> str:
    """"interrupt `id`" or "interrupts `id1`, `id2`", for messages."""
    return ("interrupt " if len(interrupts) == 1 else "interrupts ") + ", ".join(f"`{i.id}`" for i in interrupts)


def start(loop: Any, input: Any) -> None:
    """Set `loop` up to run `input` on its thread: see the module docstring."""
    checkpoint = None
    if loop.history is not None:
        checkpoint = loop.history.get(loop.options.checkpoint_id)
        if loop.options.checkpoint_id and checkpoint is None:
            raise CheckpointError(
                f"thread `{loop.options.thread_id}` has no checkpoint `{loop.options.checkpoint_id}`; "
                "pick one from get_state_history(config)"
            )
    if isinstance(input, Command) or input is None:
        _continue(loop, input, checkpoint)
    else:
        _new_input(loop, input, checkpoint)


def _continue(loop: Any, input: Command | None, checkpoint: Any) -> None:
    if checkpoint is None:
        if input is None:
            raise EmptyInputError(
                "received no input and there is nothing to resume: pass the graph's input, e.g. "
                f"invoke({{{next(iter(loop.spec.input.channels), 'key')!r}: ...}})"
                + ("" if loop.history else " (resuming needs compile(checkpointer=...) and a thread_id)")
            )
        if input.resume is None:  # LangGraph runs it as the thread's first input; wfkit does not yet
            parts = ", ".join(f"{name}=..." for name in ("update", "goto") if getattr(input, name) not in (None, ()))
            raise UnsupportedFeatureError(
                f"Command({parts}) as the first input of "
                + (f"thread `{loop.options.thread_id}`" if loop.history else "a graph without a checkpointer")
                + " is not supported by wfkit: a Command continues a thread that has a checkpoint. Start the run "
                f"with the graph's input, e.g. invoke({{{next(iter(loop.spec.input.channels), 'key')!r}: ...}}, "
                "config), and route from START with add_conditional_edges(START, ...) to begin at another node")
        raise InvalidResumeError(
            "Command(resume=...) needs a paused run to resume, but "
            + (f"thread `{loop.options.thread_id}` has no checkpoint" if loop.history else
               "this graph has no checkpointer: compile(checkpointer=InMemorySaver()) and pass a thread_id")
        )
    loop.load(checkpoint, on_head=not loop.options.checkpoint_id)  # without an id, the head was read
    waiting = dict(loop.answers.pending)
    # Only a run from a given checkpoint_id reads the head again: a second read of the head would make the
    # saver take whatever another process stored meanwhile for the head this run continues, and the step
    # would then be stored as a fork of it instead of being refused as a conflict.
    forked = False
    if loop.options.checkpoint_id:
        latest = loop.history.get()
        forked = latest is not None and latest.id != checkpoint.id
        loop.on_head = not forked
    if forked:
        # replaying from an earlier checkpoint starts a new branch: a copy of it (source "fork") whose
        # tasks all run again, as LangGraph does
        loop.step += 1
        loop.commit([], "fork")
    if isinstance(input, Command):
        if input.resume is not None:
            loop.apply_resume(input.resume)
        if input.update is not None or input.goto_list():
            apply_command(loop, input)
    loop.skip_breakpoint_once()
    loop.resumed(waiting if loop.checkpoint_id == checkpoint.id else None)
    # LangGraph counts a resumed run's budget from the checkpoint it continues (after the Command's
    # update): `recursion_limit + 2` supersteps may run, or `+ 1` replaying an earlier checkpoint (counted
    # from its fork)
    loop.stop = loop.step + loop.options.recursion_limit + (1 if forked else 2)


def input_writes(spec: Any, input: Any, stacklevel: int = 7) -> dict:
    """The writes of a graph input: validated, managed keys dropped, keys not in the input schema warned
    about and dropped (as LangGraph does)."""
    writes = spec.input.validate_input(input)
    for key in list(writes):
        if key in spec.managed:  # computed for each task, never written (as LangGraph)
            del writes[key]
        elif key not in spec.input.channels:
            warnings.warn(f"the input has key `{key}`, which is not a key of the input schema "
                          f"`{spec.input.name}`; it is ignored (as LangGraph does)", WfkitWarning, stacklevel=stacklevel)
            del writes[key]
    return writes


def _new_input(loop: Any, input: Any, checkpoint: Any, on_head: bool | None = None) -> None:
    writes = input_writes(loop.spec, input)
    if checkpoint is not None:
        loop.values = loop.history.values_at(checkpoint)
        loop.step, loop.parent_id = checkpoint.step + 1, checkpoint.id
        loop.start_parent = loop.start_parent or (checkpoint.parent_id,)
    else:
        loop.values, loop.step = algo.initial_values(loop.spec), -1
    loop.plan = algo.input_plan(writes)
    # a new input on a given checkpoint forks from it
    loop.on_head = not loop.options.checkpoint_id if on_head is None else on_head
    loop.commit([], "input")
    # a new input: `recursion_limit` supersteps after the one that writes the input
    loop.stop = loop.step + 1 + loop.options.recursion_limit


def new_input_at(loop: Any, input: Any, checkpoint: Any) -> None:
    """`input` as a new input after `checkpoint` (None: on a fresh state), whichever is the thread's latest: a
    subgraph's run from a replay of its parent (see `nested`). After an earlier checkpoint it is a fork,
    stored unchecked; after the latest, the head check applies."""
    latest = loop.history.get() if loop.history is not None else None
    _new_input(loop, input, checkpoint, on_head=(latest.id if latest else None) == (checkpoint.id if checkpoint else None))


def apply_command(loop: Any, command: Command) -> None:
    """`invoke(Command(update=..., goto=...), config)`: write the update as the input does, and if there is a
    goto, run those nodes (or Sends) next beside what was planned. As in LangGraph it makes no checkpoint:
    it is kept on the current one, and the next superstep's checkpoint includes it (the tasks planned keep
    their ids, so their results and answers still apply)."""
    writes, goto = algo.writes_from_return(loop.spec, START, Command(update=command.update, goto=command.goto))
    unknown = algo.unknown_destinations(loop.spec, [(g, "goto") for g in goto])
    if unknown:  # never stored: LangGraph ignores them (with a log line), and a stored one would break the thread
        which = "which is not a node" if len(unknown) == 1 else "which are not nodes"
        warnings.warn(f"Command(goto=...) goes to {', '.join(f'`{u}`' for u in unknown)}, {which} of this graph; "
                      f"ignored (as LangGraph does). Nodes: {', '.join(loop.spec.nodes)}",
                      WfkitWarning, stacklevel=6)
        goto = algo.known_destinations(loop.spec, goto)
    loop.values, _, delta = algo.replay(loop.spec, loop.values, [(START, k, v) for k, v in writes])
    if goto:
        loop.plan = algo.plan_with_goto(loop.plan, goto)
    if loop.history is not None:
        loop.history.save_update(loop.checkpoint_id, delta, goto)
    loop.carry(delta)
