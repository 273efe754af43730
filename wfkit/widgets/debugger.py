"""`Debugger(app, input)`: step through a graph run inside Jupyter.

It is built on the stepping API (`app.start(...)`, kept as `debugger.run`) and the engine's events only.
The picture (a `GraphView`) marks what just ran, what runs next, what ran before, interrupted and failed
nodes and the edges taken; Step / Run / Back / Reset drive the run; per-node toggles set breakpoints for
Run; the timeline lists every superstep including abandoned forks, and selecting one shows its tasks (why
each ran, its input and writes), the state after it with the changed keys as old → new, and what comes
next and why. A node's error is shown with its traceback and the failed node marked; nothing is raised
into the cell, and stepping again retries. Pending interrupts bring up a `ReviewPanel` whose answers
resume the run.

Step and Run run as asyncio tasks on the kernel's event loop (see `_background`), so the kernel keeps
handling widget messages while slow nodes run and the "running" line lists the tasks not finished yet.
Outside a running loop (a script, a test) `step()` simply runs the superstep and returns its record.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import ipywidgets

from wfkit.drawing.display import mimebundle
from wfkit.engine.events import Interrupted, RunFinished, StepApplied, StepPlanned, TaskFinished, TaskStarted
from wfkit.widgets._background import launch, running_loop
from wfkit.widgets._format import error_html, esc, short
from wfkit.widgets._inspect import Upcoming, inspector_html, next_text
from wfkit.widgets._timeline import END_ID, START_ID, Timeline
from wfkit.widgets._watch import Watcher
from wfkit.widgets._why import taken_edges
from wfkit.widgets.graph_view import GraphView
from wfkit.widgets.review import _UNSET, ReviewPanel

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LOG_SHOWN = 200  # event-log lines shown in the widget (the Watcher keeps more)


class Debugger(ipywidgets.VBox):
    """Step through `app.start(input, config)`; see the module docstring. `answer_model`, `approve` and
    `reject` go to the `ReviewPanel`; `breakpoints` are node names Run stops before."""

    def __init__(self, app: Any, input: Any, config: dict | None = None, *, answer_model: Any = None,
                 approve: Any = _UNSET, reject: Any = _UNSET, breakpoints=()):
        self.app, self.input, self.config = app, input, config
        self.review_options = {"answer_model": answer_model, "approve": approve, "reject": reject}
        self.graph_view = GraphView(app, layout=ipywidgets.Layout(width="55%"))
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
        self.error: BaseException | None = None  # the last failed superstep's exception, shown in the widget
        self.notice = ""
        self.review: ReviewPanel | None = None
        self._edit_for: tuple | None = None
        self._edit_base: dict = {}
        self._build_widgets()
        self._start_run(set(breakpoints) | set(getattr(app, "interrupt_before", ())))

    # -- the widgets --------------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        def button(text, icon, css, handler):
            b = ipywidgets.Button(description=text, icon=icon, layout=ipywidgets.Layout(width="auto"))
            b.add_class(css)
            b.on_click(lambda _: handler())
            return b

        self.step_button = button("Step", "step-forward", "wf-step", self.step)
        self.run_button = button("Run", "play", "wf-run", self.run_all)
        self.back_button = button("Back", "step-backward", "wf-back", self.back)
        self.reset_button = button("Reset", "undo", "wf-reset", self.reset)
        self.status = ipywidgets.HTML()
        self.status.add_class("wf-status")
        self.breakpoint_toggles = {}
        for node in self.graph_view.graph.nodes:
            if node.id in (START_ID, END_ID):
                continue
            toggle = ipywidgets.ToggleButton(description=node.id, icon="circle",
                                             tooltip=f"Run stops before a superstep that runs `{node.id}`",
                                             layout=ipywidgets.Layout(width="auto"))
            toggle.add_class("wf-breakpoint")
            toggle.observe(lambda change, name=node.id: self._toggle_breakpoint(name, change["new"]), "value")
            self.breakpoint_toggles[node.id] = toggle
        self.running = ipywidgets.HTML()
        self.running.add_class("wf-running")
        self.error_view = ipywidgets.HTML()
        self.error_view.add_class("wf-error")
        self.review_box = ipywidgets.VBox()
        self.review_box.add_class("wf-review-box")
        self.timeline_view = ipywidgets.Select(rows=12, layout=ipywidgets.Layout(width="98%"))
        self.timeline_view.add_class("wf-timeline")
        self.timeline_view.observe(self._on_select, "value")
        self.goto_button = button("Go to this step", "history", "wf-goto", self._goto_selected)
        self.inspector = ipywidgets.HTML()
        self.inspector.add_class("wf-inspector")
        self.edit_text = ipywidgets.Textarea(rows=8, layout=ipywidgets.Layout(width="98%"))
        self.edit_text.add_class("wf-edit-text")
        self.edit_apply = button("Apply edit", "pencil", "wf-edit-apply", self._apply_edit)
        self.edit_note = ipywidgets.HTML()
        self.edit_note.add_class("wf-edit-note")
        self.events_view = ipywidgets.HTML()
        self.events_view.add_class("wf-events")
        self.tabs = ipywidgets.Tab(children=[self.inspector, ipywidgets.VBox([self.edit_text, self.edit_apply,
                                                                              self.edit_note]),
                                             self.events_view], titles=("Step", "Edit state", "Events"))
        timeline_box = ipywidgets.VBox([ipywidgets.HTML("<b>Timeline</b>"), self.timeline_view, self.goto_button],
                                       layout=ipywidgets.Layout(width="45%"))
        super().__init__([
            ipywidgets.HBox([self.step_button, self.run_button, self.back_button, self.reset_button, self.status]),
            ipywidgets.HBox([ipywidgets.HTML("<b>Breakpoints</b>&nbsp;"), *self.breakpoint_toggles.values()],
                            layout=ipywidgets.Layout(flex_flow="row wrap")),
            self.running, self.error_view, self.review_box,
            ipywidgets.HBox([self.graph_view, timeline_box]),
            self.tabs,
        ])
        self.add_class("wf-debugger")

    # -- the run ------------------------------------------------------------------------------------------
    def _start_run(self, breakpoints: set) -> None:
        config = dict(self.config or {})
        if self._resets and getattr(self.app, "checkpointer", None) is not None:
            # Same thread id on the same checkpointer would continue the old run instead of starting over.
            configurable = dict(config.get("configurable") or {})
            if "thread_id" in configurable:
                configurable["thread_id"] = f"{configurable['thread_id']}~reset{self._resets}"
                config["configurable"] = configurable
        self.watcher = Watcher()
        self.head = self.selected = None
        self.run = self.app.start(self.input, config)
        self.run.breakpoints.update(breakpoints)
        self.run.listeners.append(self._listen)
        self.timeline = Timeline.begin(self.run.checkpoint_id, self.run.state, self._next_names())
        self.error, self.notice, self.review = None, "", None
        self.refresh()

    def _next_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.run.next)

    # -- what the buttons call ----------------------------------------------------------------------------
    def step(self):
        """Run one superstep. In Jupyter it runs as an asyncio task on the kernel's loop and this returns the
        task (`await` it for the record); elsewhere it returns the `StepRecord` (None if nothing ran)."""
        return self._schedule(self.astep)

    def run_all(self):
        """Step until the end, an interrupt, a breakpoint or an error; returns the records (or their task)."""
        return self._schedule(self.arun_all)

    def back(self, n: int = 1) -> None:
        """Return `n` supersteps on the current branch; stepping on from there forks."""
        self._move(lambda: self.run.back(n), f"back {n} step(s)")

    def goto(self, step: int) -> None:
        """Return to the state after superstep `step` of the current branch (0: just after the input)."""
        self._move(lambda: self.run.goto(step), f"went to step {step}")

    def reset(self) -> None:
        """Start over from the same input (breakpoints are kept)."""
        with self._lock:
            self._check_idle("reset")
            self._resets += 1
            self._start_run(set(self.run.breakpoints))
            self.watcher.note("reset: a new run from the same input")
            self._render()

    def edit(self, values: dict, step: int | None = None) -> None:
        """Change the state (through the reducers) at the run's position, or at superstep `step` of the
        current branch; stepping on from there forks a new branch."""
        if not isinstance(values, dict):
            raise TypeError(f"Debugger.edit needs a dict of state keys to new values, got {type(values).__name__}")
        with self._lock:
            self._check_idle("edit")
            if step is not None and step != self.run.step_number:
                self.run.goto(step)
            parent = self.run.checkpoint_id
            self.run.edit(values)
            self.timeline.add_edit(self.run.step_number, self.run.checkpoint_id, parent, self.run.state,
                                   self._next_names())
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
                self.run.answer(answers)
            except Exception as error:  # e.g. an answer for an id that is not pending: shown, not raised
                self.error = error
                return []
            self.watcher.note(f"answered {len(answers)} interrupt(s): "
                              + "; ".join(short(v, 40) for v in answers.values()))
            return await self._run_on()
        finally:
            self._end()

    async def _run_on(self) -> list:
        records, first = [], True
        while self._can_step(quiet=not first):
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
        self.error = None
        try:
            record = await self.run.astep()
        except Exception as error:  # a node raised: show it, keep the run where it was (stepping retries)
            self.error = error
            return None
        return record

    def _can_step(self, quiet: bool = False) -> bool:
        problem = ("the run is finished: Back, Go to this step or Reset to explore further" if self.run.done else
                   "the run waits for answers to its interrupts (review panel)" if self.run.interrupts else "")
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
            self._render_events()
            if self.busy is not None:
                if isinstance(event, (StepPlanned, TaskStarted, TaskFinished)):
                    self._render_marks()  # (model chunks and custom writes come from node threads: not those)
            elif (isinstance(event, (StepApplied, Interrupted, RunFinished)) and not self._refresh_due
                  and self._loop is not None and self._loop.is_running()):
                # Someone stepped `debugger.run` by hand: show it once the superstep is recorded.
                self._refresh_due = True
                self._loop.call_soon_threadsafe(self.refresh)

    # -- showing ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Catch up with the run (also after driving `debugger.run` by hand) and show where it is."""
        with self._lock:
            self._refresh_due = False
            self.timeline.sync(self.run.history)
            head = self.timeline.head(self.run.checkpoint_id, bool(self.run.interrupts))
            if head is None:  # the run moved outside the debugger (e.g. run.edit): record where it is now
                previous = self.timeline.entries[self.head].checkpoint_id if self.head is not None else None
                head = self.timeline.add_edit(self.run.step_number, self.run.checkpoint_id, previous,
                                              self.run.state, self._next_names())
            self.head = self.selected = head
            self._render()

    def _render(self) -> None:
        with self._lock:
            self._render_locked()

    def _render_locked(self) -> None:
        self._rendering = True
        try:
            path = self.timeline.path(self.head)
            idle = self.busy is None
            self.step_button.disabled = self.run_button.disabled = not idle or self.run.done or bool(self.run.interrupts)
            self.back_button.disabled = not idle or self.run.step_number <= 0
            self.reset_button.disabled = not idle
            for name, toggle in self.breakpoint_toggles.items():
                toggle.value = name in self.run.breakpoints
            self._render_marks()
            options = tuple((self.timeline.label(i, self.head, path), i) for i in range(len(self.timeline.entries)))
            if options != self.timeline_view.options:
                self.timeline_view.options = options
            self.timeline_view.value = self.selected
            self.goto_button.disabled = not idle or self.selected == self.head or self.selected not in path
            upcoming = Upcoming(self.run.next, self.run.waiting_joins(), self.run.interrupts,
                                self.watcher.interrupt_nodes, frozenset(self.run.breakpoints))
            self.inspector.value = inspector_html(self.timeline, self.selected, self.head, path, upcoming)
            self.error_view.value = error_html(self._error_title(), self.error) if self.error is not None else ""
            self._render_edit()
            self._render_events()
            self._render_review()
            # Last, so that a front end (or a browser test) seeing the new status has everything else already.
            self.status.value = f'<span style="margin-left:8px">{esc(self.status_text())}</span>'
        finally:
            self._rendering = False

    def _render_marks(self) -> None:
        entry = self.timeline.entries[self.selected]
        interrupted = [self._interrupt_node(i.id, entry) for i in entry.record.interrupts] if entry.paused else []
        marks = self.timeline.marks(self.selected, self._nodes, self._edges, interrupted)
        if self.selected == self.head and self.busy is not None and self.watcher.running:
            # A superstep is under way: its tasks are the current ones; what the head ran becomes visited.
            head_names = [n for n in self.timeline.entries[self.head].names if n in self._nodes]
            marks["visited"] = tuple(dict.fromkeys([*marks["visited"], *head_names]))
            marks["current"] = tuple(n for n in dict.fromkeys(self.watcher.running.values()) if n in self._nodes)
            marks["next"], marks["interrupted"] = (), ()
            marks["taken_edges"] = taken_edges(self.run.next, head_names, self._edges)
        if self.selected == self.head and self.error is not None:
            marks["failed"] = tuple(n for n, _ in self.watcher.failures if n in self._nodes)
        self.graph_view.mark(**marks)

    def _interrupt_node(self, interrupt_id: str, entry) -> str:
        known = self.watcher.interrupt_nodes.get(interrupt_id)
        if known:
            return known
        # Not seen as an event (an older run): the engine names an interrupt after its task.
        return next((t.name for t in entry.record.tasks if t.id == interrupt_id), "")

    def _render_events(self) -> None:
        lines = self.watcher.lines[-LOG_SHOWN:]
        self.events_view.value = ('<pre style="max-height:260px;overflow:auto;font-size:12px;margin:0">'
                                  + esc("\n".join(lines)) + "</pre>")

    def _render_edit(self) -> None:
        entry = self.timeline.entries[self.selected]
        key = (self.selected, entry.checkpoint_id)
        if self._edit_for == key:
            return  # keep what the user is typing while events update the widget
        self._edit_for = key
        self._edit_base, skipped = editable(self.timeline.ordered(entry.values))
        self.edit_text.value = json.dumps(self._edit_base, ensure_ascii=False, indent=1)
        self.edit_note.value = (f"<i>not editable as JSON here: {esc(', '.join(skipped))} "
                                f"(use debugger.edit({{...}}) from Python)</i>" if skipped else "")

    def _render_review(self) -> None:
        interrupts = self.run.interrupts
        if not interrupts or self.busy is not None:
            if self.review is not None and not interrupts:
                self.review, self.review_box.children = None, ()
            return
        if self.review is None or self.review.interrupts != interrupts:
            self.review = ReviewPanel(self.run, on_answer=self._on_answers, nodes=self.watcher.interrupt_nodes,
                                      **self.review_options)
            self.review_box.children = (self.review,)

    def _on_answers(self, answers: dict):
        return self._schedule(lambda: self.aresume(answers))

    def _error_title(self) -> str:
        nodes = [n for n, _ in self.watcher.failures]
        where = f" in node {', '.join(f'`{n}`' for n in nodes)}" if nodes else ""
        return (f"superstep {self.run.step_number + 1} failed{where}; the run stays at step "
                f"{self.run.step_number} — fix the cause and press Step to retry")

    def status_text(self) -> str:
        run = self.run
        if self.busy is not None:
            state = f"running step {run.step_number + 1} ({self.busy})"
        elif self.error is not None:
            state = "failed: " + (", ".join(n for n, _ in self.watcher.failures) or type(self.error).__name__)
        elif run.interrupts:
            state = f"waiting for {len(run.interrupts)} answer(s)"
        elif run.done:
            state = "finished"
        else:
            state = "paused; next: " + ", ".join(self._next_names())
        text = f"step {run.step_number} · {state}"
        return f"{text} · {self.notice}" if self.notice else text

    # -- the timeline's handlers ----------------------------------------------------------------------------
    def _on_select(self, change) -> None:
        if not self._rendering and change["new"] is not None:
            self.select(change["new"])

    def _goto_selected(self) -> None:
        entry = self.timeline.entries[self.selected]
        target = self.selected
        if entry.paused:  # it hangs off its parent: going there brings the interrupts back
            target = self.timeline.by_checkpoint(entry.parent_id)
        self.goto(self.timeline.entries[target].step)

    def _toggle_breakpoint(self, name: str, on: bool) -> None:
        if self._rendering:
            return
        with self._lock:
            (self.run.breakpoints.add if on else self.run.breakpoints.discard)(name)
            self._render()

    def _apply_edit(self) -> None:
        problem, changed = self._edit_from_text()
        if problem:
            self.edit_note.value = f'<span style="color:#c62828">{esc(problem)}</span>'
        elif not changed:
            self.edit_note.value = "<i>nothing changed</i>"
        else:
            entry = self.timeline.entries[self.selected]
            at = self.timeline.by_checkpoint(entry.parent_id) if entry.paused else self.selected
            self.edit(changed, step=self.timeline.entries[at].step)

    def _edit_from_text(self) -> tuple[str, dict]:
        """(what is wrong, the changed keys) for the edit text area."""
        try:
            edited = json.loads(self.edit_text.value)
        except json.JSONDecodeError as exc:
            return f"not valid JSON: {exc}", {}
        if not isinstance(edited, dict):
            return "the edit must be a JSON object of state keys", {}
        if self.selected not in self.timeline.path(self.head):
            return "this step is on an old branch: go to a step of the current branch to edit there", {}
        values = self.timeline.entries[self.selected].values
        unknown = [k for k in edited if not isinstance(values, dict) or k not in values]
        if unknown:
            return (f"{', '.join(f'`{k}`' for k in unknown)} is not a key of the state; its keys are "
                    f"{', '.join(values) if isinstance(values, dict) else '(none)'}"), {}
        # Only changed keys: an unchanged list under an `operator.add` reducer would otherwise be doubled.
        return "", {k: v for k, v in edited.items() if k not in self._edit_base or self._edit_base[k] != v}

    # -- without a widget front end -------------------------------------------------------------------------
    def summary(self) -> str:
        """What the widget shows, as text: status, next and why, the state, the timeline's size."""
        lines = [f"Debugger of `{self.graph_view.graph.name}`: {self.status_text()}"]
        upcoming = Upcoming(self.run.next, self.run.waiting_joins())
        lines += [f"next: {line.replace('`', '')}" for line in next_text(upcoming)]
        if self.error is not None:
            lines.append(f"error: {type(self.error).__name__}: {self.error}")
        state = self.run.state
        lines.append("state:")
        lines += ([f"  {k}: {short(v, 100)}" for k, v in state.items()] if isinstance(state, dict)
                  else [f"  {short(state, 100)}"])
        steps = sum(1 for e in self.timeline.entries if e.kind == "step")
        branches = len({e.branch for e in self.timeline.entries if e.kind == "step"}) or 1
        lines.append(f"timeline: {steps} superstep(s) on {branches} branch(es)")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        widget_view = super()._repr_mimebundle_(**kwargs).get(WIDGET_VIEW)
        formats = {WIDGET_VIEW: lambda: widget_view} if widget_view is not None else {}
        formats.update({"image/svg+xml": lambda: self.graph_view.svg, "text/plain": self.summary})
        return mimebundle(formats, include, exclude)


def editable(values: Any) -> tuple[dict, list[str]]:
    """The keys of `values` that survive a JSON round trip unchanged, and the names of the others."""
    if not isinstance(values, dict):
        return {}, []
    plain, skipped = {}, []
    for key, value in values.items():
        try:
            if json.loads(json.dumps(value)) == value:
                plain[key] = value
                continue
        except (TypeError, ValueError):
            pass
        skipped.append(key)
    return plain, skipped
