"""`Debugger(app, input)`: step through a graph run inside Jupyter.

It is built on the stepping API (`app.start(...)`, kept as `debugger.run`) and the engine's events only.
The picture (a `GraphView`) marks what just ran, what runs next, what ran before, interrupted and failed
nodes and the edges taken; Step / Run / Stop / Back / Reset drive the run; per-node toggles set breakpoints for
Run; the timeline lists every superstep including abandoned forks, and selecting one shows its tasks (why
each ran, its input and writes), the state after it with the changed keys as old → new, and what comes
next and why. A node's error is shown with its traceback and the failed node marked; nothing is raised
into the cell, and stepping again retries. Pending interrupts bring up a `ReviewPanel` whose answers
resume the run.

Step and Run run as asyncio tasks on the kernel's event loop (see `_background`), so the kernel keeps
handling widget messages while slow nodes run and the "running" line lists the tasks not finished yet.
Outside a running loop (a script, a test) `step()` simply runs the superstep and returns its record. This
module holds the run and the operations; `_debugger_view` draws them.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import ipywidgets

from wfkit.engine.events import (Interrupted, MessageChunk, RunFinished, StepApplied, StepPlanned, TaskFinished,
                                 TaskStarted)
from wfkit.seam import start
from wfkit.stepping import Edit
from wfkit.widgets._background import launch, running_loop
from wfkit.widgets._debugger_view import DebuggerView
from wfkit.widgets._format import error_html, esc, short
from wfkit.widgets._html_widget import SafeHTML
from wfkit.widgets._saved import SavedView
from wfkit.widgets._timeline import Timeline
from wfkit.widgets._watch import Watcher
from wfkit.widgets.graph_view import GraphView
from wfkit.widgets.review import _UNSET, ReviewPanel


class Debugger(DebuggerView, SavedView, ipywidgets.VBox):
    """Step through `wfkit.start(app, input, config)` (`app` a wfkit or a LangGraph graph); see the module
    docstring. `answer_model`, `approve` and `reject` go to the `ReviewPanel`; `breakpoints` are node names
    Run stops before."""

    def __init__(self, app: Any, input: Any = None, config: dict | None = None, *, answer_model: Any = None,
                 approve: Any = _UNSET, reject: Any = _UNSET, breakpoints=()):
        self.app, self.input, self.config = app, input, config
        self.review_options = {"answer_model": answer_model, "approve": approve, "reject": reject}
        self.graph_view = GraphView(app)
        graph = self.graph_view.graph
        self._nodes = {n.id for n in graph.nodes}
        self._edges = {(e.source, e.target) for e in graph.edges}
        # Jupyter may handle clicks on a comm thread of its own (kernel subshells) while cells run on the main
        # thread, and events come from the loop that runs the superstep: one lock around every change.
        self._lock = threading.RLock()
        self._loop = running_loop()  # where refresh() goes after someone steps `debugger.run` by hand
        self._refresh_due = False
        self._rendering = False
        self._resets = 0
        self.pending: asyncio.Task | None = None  # the operation under way in Jupyter (await it)
        self.busy: str | None = None  # "step" / "run" / "resume" while one runs
        self._step_task: asyncio.Task | None = None  # the superstep under way, for Stop
        self._stop_requested = False
        self.error: BaseException | None = None  # the last failed superstep's exception, shown in the widget
        self.notice = ""
        self.review: ReviewPanel | None = None
        self._edit_for: tuple | None = None
        self._edit_base: dict = {}
        self.inner: Any = None  # the subgraph stepped into (a SteppedRun of its own), or None
        self.inner_view: GraphView | None = None  # its picture
        self._inner_within, self._inner_seen = "", 0  # its timeline label ("step 2 › research"), records shown
        self._handed: int | None = None  # its entry when the parent's superstep ran on it (see `refresh`)
        self._build_widgets()
        self._start_run(set(breakpoints) | set(getattr(app, "interrupt_before", ())))

    # -- the run ------------------------------------------------------------------------------------------
    def _start_run(self, breakpoints: set) -> None:
        config = self.config  # checked by app.start: a config that is not a dict is refused there
        if self._resets and getattr(self.app, "checkpointer", None) is not None:
            config = dict(config or {})
            # Same thread id on the same checkpointer would continue the old run instead of starting over.
            configurable = dict(config.get("configurable") or {})
            if "thread_id" in configurable:
                configurable["thread_id"] = f"{configurable['thread_id']}~reset{self._resets}"
                config["configurable"] = configurable
        self.watcher = Watcher(functional=getattr(getattr(self.app, 'spec', None), 'shown', None) is not None)
        self.head = self.selected = None
        self.run = start(self.app, self.input, config)  # a wfkit graph's own Run, or LangGraph's through the seam
        self.run.breakpoints.update(breakpoints)
        self.run.listeners.append(self._listen)
        self.inner = None
        self.timeline = Timeline.begin(self.run.checkpoint_id, self.run.state, self._next_names())
        self.error, self.notice, self.review = None, "", None
        self._show_inner()
        self.refresh()

    def _next_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.stepping.next)

    @property
    def stepping(self) -> Any:
        """The run Step drives: the subgraph stepped into until it is done, else the graph's run."""
        return self.inner if self.inner is not None and not self.inner.done else self.run

    # -- into a subgraph ----------------------------------------------------------------------------------
    def step_into(self, node: str | None = None) -> None:
        """Open the subgraph the task of `node` planned next runs (by default the first; see
        `Run.step_into`): its supersteps nest under the parent's step in the timeline, its picture shows
        under the graph's, and Step, Run, Back and the review panel work inside it; once it is done, Step
        runs the parent's superstep with its result (not running it again). Back at its input leaves it."""
        with self._lock:
            self._check_idle("step into")
            name = node if node is not None else next(iter(self.run.subgraph_tasks()), None)
            inner = self.run.step_into(node)
            inner.listeners.append(self._listen)
            self.inner, self._inner_seen = inner, 0
            self._inner_within = f"step {self.run.step_number + 1} › {name}"
            self.timeline.open_subgraph(self._inner_within, self.run.checkpoint_id, inner.checkpoint_id, inner.state,
                                        self._next_names())
            self.inner_view = GraphView(inner.app)
            self._show_inner()
            self.error, self.notice = None, ""
            self.watcher.note(f"stepped into the subgraph of {name}")
            self.refresh()

    def _close_inner(self) -> None:
        if self.inner is not None:
            self.inner = self.inner_view = None
            self._show_inner()

    def _show_inner(self) -> None:
        shown = () if self.inner_view is None else (
            SafeHTML(f"<b>Inside {esc(self._inner_within)}</b> (subgraph)"), self.inner_view)
        self.pictures.children = (self.graph_view, *shown)

    # -- what the buttons call ----------------------------------------------------------------------------
    def step(self):
        """Run one superstep. In Jupyter it runs as an asyncio task on the kernel's loop and this returns the
        task (`await` it for the record); elsewhere it returns the `StepRecord` (None if nothing ran)."""
        return self._schedule(self.astep)

    def run_all(self):
        """Step until the end, an interrupt, a breakpoint or an error; returns the records (or their task)."""
        return self._schedule(self.arun_all)

    def stop(self) -> bool:
        """Cancel the superstep under way (from Step, Run or an answered review). Nothing of it is applied;
        the tasks that had finished keep their results and only the others run again on the next Step. A
        sync node cannot be interrupted: its thread ends in the background and its result is dropped.
        Returns False when no superstep is running."""
        task = self._step_task
        if task is None or task.done():
            return False
        self._stop_requested = True
        task.get_loop().call_soon_threadsafe(task.cancel)  # a click may arrive on another thread
        return True

    def back(self, n: int = 1) -> None:
        """Return `n` supersteps on the current branch; stepping on from there forks. Inside a subgraph: its
        previous checkpoint, within the parent's step (at its input: out of it, the parent where it was)."""
        inner = self.inner
        if inner is not None and inner.step_number > 0:
            self._move(lambda: inner.back(n), f"back {n} step(s) in the subgraph")
        elif inner is not None:
            self._move(self._close_inner, "back out of the subgraph")
        else:
            self._move(lambda: self.run.back(n), f"back {n} step(s)")

    def goto(self, step: int | None = None, *, checkpoint_id: str | None = None) -> None:
        """Return to the state after superstep `step` of the current branch (0: just after the input), or to
        any checkpoint of the run by id (a step ahead on the branch, say; one of the subgraph stepped into)."""
        entry = self.timeline.by_checkpoint(checkpoint_id)
        if self.inner is not None and entry is not None and self.timeline.entries[entry].within == self._inner_within:
            inner = self.inner
            self._move(lambda: inner.goto(checkpoint_id=checkpoint_id), f"went to checkpoint {checkpoint_id}")
            return

        def move():
            self.run.goto(step, checkpoint_id=checkpoint_id)
            self._close_inner()
        self._move(move, f"went to step {step}" if checkpoint_id is None else f"went to checkpoint {checkpoint_id}")

    def reset(self) -> None:
        """Start over from the same input (breakpoints are kept)."""
        with self._lock:
            self._check_idle("reset")
            self._resets += 1
            self._start_run(set(self.run.breakpoints))
            self.watcher.note("reset: a new run from the same input")
            self._render()

    def edit(self, values: dict, step: int | None = None, *, replace: bool = False) -> None:
        """Change the state (through the reducers; `replace`: past them, see `Run.edit`) at the run's
        position, or at superstep `step` of the current branch; stepping on from there forks a new branch."""
        if not isinstance(values, dict):
            raise TypeError(f"Debugger.edit needs a dict of state keys to new values, got {type(values).__name__}")
        with self._lock:
            self._check_idle("edit")
            if step is not None and step != self.run.step_number:
                self.run.goto(step)
            self.timeline.add_edit(self.run.edit(values, replace=replace), self._next_names())
            self.error = None
            self.watcher.note(f"edited the state at step {self.run.step_number}: {', '.join(values)}")
            self.refresh()

    def select(self, index: int) -> None:
        """Show timeline entry `index` (the run does not move)."""
        if not 0 <= index < len(self.timeline.entries):
            raise IndexError(f"the timeline has entries 0..{len(self.timeline.entries) - 1}; no entry {index}")
        self.selected = index
        self._render()

    # -- async work -----------------------------------------------------------------------------------------
    def _schedule(self, make):
        if running_loop() is None:
            return launch(make())
        previous = self.pending

        async def in_order():  # one operation at a time, in the order they were asked for
            while previous is not None and not previous.done():
                await asyncio.sleep(0.02)  # polled: the previous one may run on another thread's loop
            try:
                return await make()
            except Exception as error:  # nobody awaits a button's task: show the error instead of losing it
                self.busy, self.error = None, error
                self.error_view.value = error_html("the debugger itself failed (please report this)", error)
                return None

        self.pending = launch(in_order())
        return self.pending

    async def astep(self):
        self._begin("step")
        try:
            return await self._one_step() if self._can_step() else None
        finally:
            self._end()

    async def arun_all(self) -> list:
        self._begin("run")
        try:
            return await self._run_on()
        finally:
            self._end()

    async def aresume(self, answers: dict) -> list:
        """Give the pending interrupts their answers (`{interrupt_id: value}`) and run on."""
        self._begin("resume")
        try:
            try:
                self.stepping.answer(answers)
            except Exception as error:  # e.g. an answer for an id that is not pending: shown, not raised
                self.error, self.review = error, None  # a fresh panel takes the answers again
                return []
            self.watcher.note(f"answered {len(answers)} interrupt(s): "
                              + "; ".join(short(v, 40) for v in answers.values()))
            return await self._run_on()
        finally:
            self._end()

    def _on_answers(self, answers: dict):
        """The ReviewPanel's answers: resume with them like Run."""
        return self._schedule(lambda: self.aresume(answers))

    async def _run_on(self) -> list:
        records, first = [], True
        inside = self.stepping is not self.run
        while self._can_step(quiet=not first):
            if inside and self.stepping is self.run:  # like a debugger's "step out": stop at the subgraph's end
                self.notice = f"the subgraph is done: Step runs {self._inner_within.split(' › ')[0]} with its result"
                break
            hit = self.run.breakpoints & set(self._next_names())
            if hit and not first:
                self.notice = f"stopped at the breakpoint on {', '.join(sorted(hit))}"
                break
            first = False
            record = await self._one_step()
            if record is None:
                break
            records.append(record)
            self.refresh()  # show each superstep as it lands, not only the last one
        return records

    async def _one_step(self):
        self.error, self._stop_requested = None, False
        run = self.stepping
        if run is self.run and self.inner is not None:
            self._handed = self.head  # the subgraph's entry the parent's superstep goes on from (see `refresh`)
        record = run.forward()  # after Back: the next superstep stored on this branch, not run again
        if record is not None:
            self.watcher.note(f"forward to step {record.step}, stored on this branch (nothing ran again)")
            return record
        self._step_task = asyncio.ensure_future(run.astep())
        try:
            record = await self._step_task
        except asyncio.CancelledError:
            if not self._stop_requested:  # cancelled from outside (the kernel shutting down): let it go
                raise
            again = ", ".join(self.watcher.cancelled) or "nothing"
            self.notice = f"stopped: step {self.run.step_number + 1} was cancelled; Step runs again: {again}"
            return None
        except Exception as error:  # a node raised: show it, keep the run where it was (stepping retries)
            if self.review is not None and self.review.reopen(error):  # on answers: the run waits for new ones
                self.notice = "the answer was not taken (see the review panel)"
            else:
                self.error = error
            return None
        finally:
            self._step_task = None
        if run is self.run and self.inner is not None:  # the parent's superstep ran (on the subgraph's result)
            self._close_inner()
        return record

    def _can_step(self, quiet: bool = False) -> bool:
        run = self.stepping
        problem = ("the run is finished: Back, Go to this step or Reset to explore further" if run.done else
                   "the run waits for answers to its interrupts (review panel)" if run.interrupts else "")
        if problem and not quiet:
            self.notice = problem
        return not problem

    def _begin(self, what: str) -> None:
        with self._lock:
            self._check_idle(what)
            self.busy, self.notice = what, ""
            self._render()

    def _end(self) -> None:
        self.busy = None
        self.refresh()

    def _check_idle(self, what: str) -> None:
        if self.busy is not None:
            raise RuntimeError(f"the debugger is busy ({self.busy}); wait for it (`await debugger.pending`) "
                               f"before {what}")

    def _move(self, action, note: str) -> None:
        with self._lock:
            self._check_idle(note.split()[0])
            action()
            self.error, self.notice = None, ""
            self.watcher.note(note)
            self.refresh()

    # -- events -------------------------------------------------------------------------------------------
    def _listen(self, event) -> None:
        with self._lock:
            self.watcher.add(event)
            self.running.value = esc(self.watcher.running_text())
            if not isinstance(event, MessageChunk) or self.watcher.chunks % 20 == 1:
                self._render_events()  # model tokens arrive by the hundred: redraw the log now and then
            if self.busy is not None:
                if isinstance(event, (StepPlanned, TaskStarted, TaskFinished)):
                    self._render_marks()  # (model chunks and custom writes come from node threads: not those)
            elif (isinstance(event, (StepApplied, Interrupted, RunFinished)) and not self._refresh_due
                  and self._loop is not None and self._loop.is_running()):
                # Someone stepped `debugger.run` by hand: show it once the superstep is recorded.
                self._refresh_due = True
                self._loop.call_soon_threadsafe(self.refresh)

    def refresh(self) -> None:
        """Catch up with the run (also after driving `debugger.run` by hand) and show where it is."""
        with self._lock:
            self._refresh_due = False
            added = self.timeline.sync(self.run.history)
            if added and self._handed is not None:  # that superstep ran the subgraph stepped into
                self.timeline.entries[added[-1]].inside, self._handed = self._handed, None
            head = None
            if self.inner is not None:
                self.timeline.add_records(self.inner.history[self._inner_seen:], self._inner_within)
                self._inner_seen = len(self.inner.history)
                head = self.timeline.head(self.inner.checkpoint_id, bool(self.inner.interrupts))
            if head is None:
                head = self.timeline.head(self.run.checkpoint_id, bool(self.run.interrupts))
            if head is None:  # the run moved outside the debugger (run.edit): record the edits it made
                for edit in self.run.edits:
                    if self.timeline.by_checkpoint(edit.checkpoint_id) is None:
                        self.timeline.add_edit(edit, self._next_names())
                head = self.timeline.head(self.run.checkpoint_id, bool(self.run.interrupts))
            if head is None:  # a checkpoint the timeline never saw made (goto(checkpoint_id=...) elsewhere)
                previous = self.timeline.entries[self.head].checkpoint_id if self.head is not None else None
                head = self.timeline.add_edit(Edit(self.run.step_number, self.run.checkpoint_id, previous,
                                                   self.run.state, ()), self._next_names())
            self.head = self.selected = head
            self._render()


