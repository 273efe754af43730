"""What the `Debugger` shows: its widgets, how they are laid out, how each is redrawn from the run, the
handlers of the timeline, breakpoint toggles and edit box, and the text / SVG for front ends without widgets.

`DebuggerView` is a mixin of `Debugger` (in `debugger.py`, which owns the run, the operations and the
events). What it needs of its host is written out as the class's annotations below: the host's state and
operations, and nothing else (tests/widgets/test_debugger_view_contract.py reads the source to hold it to
that). It redraws under the host's `_lock`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets

from wfkit.drawing.display import mimebundle
from wfkit.stepping import (CheckpointConflictError, StateEditError,  # what Run raises (widgets use stepping)
                            StepNotStoredError)
from wfkit.widgets._edit import changed_keys, editable
from wfkit._secrets import redact
from wfkit.widgets._format import MAX_TEXT, error_html, esc, short, showing_all
from wfkit.widgets._html_widget import SafeHTML
from wfkit.widgets._sanitize import safe_html
from wfkit.widgets._static import debugger_snapshot
from wfkit.widgets._inspect import Upcoming, inspector_html, next_text
from wfkit.widgets._timeline import END_ID, START_ID
from wfkit.widgets._why import taken_edges
from wfkit.widgets._path import timeline_marks, waiting_marks
from wfkit.widgets.review import ReviewPanel

if TYPE_CHECKING:
    from wfkit.stepping import Run
    from wfkit.widgets._timeline import Timeline
    from wfkit.widgets._watch import Watcher
    from wfkit.widgets.graph_view import GraphView

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LOG_SHOWN = 200  # event-log lines shown in the widget (the Watcher keeps more)


def _keeps_label() -> ipywidgets.Layout:
    """A button's layout that never cuts its label to "…": as wide as the label, and not shrunk by its row."""
    return ipywidgets.Layout(width="auto", min_width="max-content", flex="0 0 auto")


class DebuggerView:
    """The widgets and drawing of a `Debugger`; see the module docstring."""

    # -- what the host provides: its state...
    run: Run
    inner: Any  # the subgraph stepped into (a SteppedRun), or None
    inner_view: GraphView | None  # its picture
    _inner_within: str  # where it runs, as the timeline says it: "step 2 › research"
    stepping: Any  # the run Step drives: `inner` until it is done, else `run`
    timeline: Timeline
    watcher: Watcher
    graph_view: GraphView
    review_options: dict[str, Any]  # ReviewPanel's options: answer_model, approve, reject
    busy: str | None  # the operation under way ("step", "run"...), None when idle
    error: BaseException | None  # what the last operation raised
    notice: str  # one line on why the run stopped where it is
    selected: int | None  # the timeline entry shown
    head: int | None  # the timeline entry where the run is
    _nodes: set[str]  # the drawn graph's node ids
    _edges: set[tuple[str, str]]  # ...and its edges
    _lock: threading.RLock
    # ...and its operations
    step: Callable[[], Any]
    step_into: Callable[..., Any]
    run_all: Callable[[], Any]
    back: Callable[[], Any]
    reset: Callable[[], Any]
    stop: Callable[[], Any]
    goto: Callable[[int], Any]
    select: Callable[[int], Any]
    edit: Callable[..., Any]
    _next_names: Callable[[], tuple[str, ...]]
    _on_answers: Callable[..., Any]
    add_class: Callable[[str], Any]  # the ipywidgets box the host is
    _keep_saved_view: Callable[..., Any]  # the host's `SavedView` (a saved notebook keeps the last view)

    def _build_widgets(self) -> None:
        def button(text, icon, css, handler):
            b = ipywidgets.Button(description=text, icon=icon, layout=_keeps_label())
            b.add_class(css)
            b.on_click(lambda _: handler())
            return b

        self.step_button = button("Step", "step-forward", "wf-step", self.step)
        self.step_into_button = button("Step into", "sign-in", "wf-step-into", self.step_into)
        self.step_into_button.tooltip = "Open the subgraph the next superstep runs and step through it"
        self.run_button = button("Run", "play", "wf-run", self.run_all)
        self.back_button = button("Back", "step-backward", "wf-back", self.back)
        self.reset_button = button("Reset", "undo", "wf-reset", self.reset)
        self.stop_button = button("Stop", "stop", "wf-stop", self.stop)
        self.stop_button.tooltip = "Cancel the superstep under way; finished tasks keep their results"
        self.show_all = ipywidgets.ToggleButton(description="Show all", icon="expand",
                                                tooltip=f"Show texts longer than {MAX_TEXT:,} characters and big "
                                                        f"values in full (a saved view stays cut)",
                                                layout=_keeps_label())
        self.show_all.add_class("wf-show-all")
        self.show_all.observe(lambda change: self._render(), "value")
        # On a narrow page the status goes under the buttons (the row wraps) rather than squeezing them.
        self.status = SafeHTML(layout=ipywidgets.Layout(flex="1 1 18em", min_width="12em", height="auto"))
        self.status.add_class("wf-status")
        self.breakpoint_toggles = {}
        for node in self.graph_view.graph.nodes:
            if node.id in (START_ID, END_ID):
                continue
            toggle = ipywidgets.ToggleButton(description=node.id,
                                             tooltip=f"Run stops before a superstep that runs `{node.id}`",
                                             layout=_keeps_label())
            toggle.add_class("wf-breakpoint")
            toggle.observe(lambda change, name=node.id: self._toggle_breakpoint(name, change["new"]), "value")
            self.breakpoint_toggles[node.id] = toggle
        self.running = SafeHTML()
        self.running.add_class("wf-running")
        self.error_view = SafeHTML()
        self.error_view.add_class("wf-error")
        self.review_box = ipywidgets.VBox()
        self.review_box.add_class("wf-review-box")
        self.timeline_view = ipywidgets.Select(rows=12, layout=ipywidgets.Layout(width="98%"))
        self.timeline_view.add_class("wf-timeline")
        self.timeline_view.observe(self._on_select, "value")
        self.goto_button = button("Go to this step", "history", "wf-goto", self._goto_selected)
        self.inspector = SafeHTML()
        self.inspector.add_class("wf-inspector")
        self.edit_text = ipywidgets.Textarea(rows=8, layout=ipywidgets.Layout(width="98%"))
        self.edit_text.add_class("wf-edit-text")
        self.edit_apply = button("Apply edit", "pencil", "wf-edit-apply", self._apply_edit)
        self.edit_note = SafeHTML()
        self.edit_note.add_class("wf-edit-note")
        self.events_view = SafeHTML()
        self.events_view.add_class("wf-events")
        self.tabs = ipywidgets.Tab(children=[self.inspector, ipywidgets.VBox([self.edit_text, self.edit_apply,
                                                                              self.edit_note]),
                                             self.events_view], titles=("Step", "Edit state", "Events"))
        self.pictures = ipywidgets.VBox([self.graph_view], layout=ipywidgets.Layout(width="55%"))
        timeline_box = ipywidgets.VBox([SafeHTML("<b>Timeline</b>"), self.timeline_view, self.goto_button],
                                       layout=ipywidgets.Layout(width="45%"))
        super().__init__([
            ipywidgets.HBox([self.step_button, self.step_into_button, self.run_button, self.stop_button, self.back_button, self.reset_button,
                             self.show_all, self.status], layout=ipywidgets.Layout(flex_flow="row wrap")),
            ipywidgets.HBox([SafeHTML("<b>Breakpoints</b>&nbsp;"), *self.breakpoint_toggles.values()],
                            layout=ipywidgets.Layout(flex_flow="row wrap")),
            self.running, self.error_view, self.review_box,
            ipywidgets.HBox([self.pictures, timeline_box]),
            self.tabs,
        ])
        self.add_class("wf-debugger")

    def _render(self) -> None:
        with self._lock:
            self._render_locked()

    def _render_locked(self) -> None:
        self._rendering = True
        try:
            path = self.timeline.path(self.head)
            ahead = self._ahead()
            idle = self.busy is None
            stepping = self.stepping
            can_step = idle and not stepping.done and not stepping.interrupts
            self.step_button.disabled = self.run_button.disabled = not can_step
            self.step_into_button.disabled = not (can_step and self.inner is None and self.run.subgraph_tasks())
            self.back_button.disabled = not idle or (self.inner is None and self.run.step_number <= 0)
            self.reset_button.disabled = not idle
            self.stop_button.disabled = idle
            for name, toggle in self.breakpoint_toggles.items():
                toggle.value = name in self.run.breakpoints
                # set: a red button with a dot (an IDE's breakpoint), not just a darker grey
                toggle.button_style, toggle.icon = ("danger", "circle") if toggle.value else ("", "")
            self._render_marks()
            options = self._timeline_options(path, ahead)
            if options != self.timeline_view.options:
                self.timeline_view.options = options
            self.timeline_view.value = self.selected
            self.goto_button.disabled = (not idle or self.selected == self.head
                                         or (self.selected not in path and self.selected not in ahead))
            with showing_all(self.show_all.value):
                self.inspector.value, self.error_view.value = self._details_html(path)
            self._render_edit()
            self._render_events()
            self._render_review()
            # Last, so that a front end (or a browser test) seeing the new status has everything else already.
            self.status.value = f'<span style="margin-left:8px">{esc(self.status_text())}</span>'
        finally:
            self._rendering = False

    def _ahead(self) -> set[int]:
        """The timeline entries of the supersteps stored ahead on the run's branch (after Back: Step walks
        them again without running anything)."""
        found = (self.timeline.by_checkpoint(r.checkpoint_id) for r in (self.inner or self.run).ahead())
        return {index for index in found if index is not None}

    def _details_html(self, path: set[int]) -> tuple[str, str]:
        """The step inspector's and the error box's HTML."""
        stepping = self.stepping
        upcoming = Upcoming(stepping.next, stepping.waiting_joins(), stepping.interrupts,
                            self.watcher.interrupt_nodes, frozenset(self.run.breakpoints))
        inspector = inspector_html(self.timeline, self.selected, self.head, path, upcoming, self.watcher.model_calls,
                                   self._ahead())
        return inspector, error_html(self._error_title(), self.error) if self.error is not None else ""

    def saved_details(self) -> tuple[str, str]:
        """The step inspector's and the error box's HTML as a saved snapshot shows them: long values cut,
        also while Show all is on (a notebook must not carry megabytes of run data)."""
        with self._lock:
            if not self.show_all.value:
                return self.inspector.value, self.error_view.value
            with showing_all(False):
                return tuple(safe_html(part) for part in self._details_html(self.timeline.path(self.head)))

    def _timeline_options(self, path: set[int], ahead: set[int]) -> tuple:
        """The page of the timeline that holds the selected entry, with a row to each neighbouring page
        (its value names the entry to select there): only one page is labelled and sent to the front end."""
        rows = self.timeline.tree()
        start, stop = self.timeline.page(rows, self.selected)
        options = [(self.timeline.label(i, self.head, path, depth, fork, ahead), i)
                   for i, depth, fork in rows[start:stop]]
        if start:
            options.insert(0, (f"▲ {start} earlier", ~rows[start - 1][0]))
        if stop < len(rows):
            options.append((f"▼ {len(rows) - stop} later", ~rows[stop][0]))
        return tuple(options)

    def _render_marks(self) -> None:
        entry = self.timeline.entries[self.selected]
        if self.inner_view is not None:
            self._render_inner_marks(entry)
            return
        interrupted = [self._interrupt_node(i.id, entry) for i in entry.record.interrupts] if entry.paused else []
        marks = self.timeline.marks(self.selected, self._nodes, self._edges, interrupted)
        marks.update(timeline_marks(self.timeline, self.selected, self.graph_view.graph))
        if self.selected == self.head:
            marks["waiting"] = waiting_marks(self.run.waiting_joins())
        if self.selected == self.head and self.busy is not None and self.watcher.running:
            # A superstep is under way: its tasks are running; what the head ran becomes visited.
            head_names = [n for n in self.timeline.entries[self.head].names if n in self._nodes]
            marks["visited"] = tuple(dict.fromkeys([*marks["visited"], *head_names]))
            marks["running"] = tuple(n for n in dict.fromkeys(self.watcher.running.values()) if n in self._nodes)
            marks["current"] = ()
            marks["next"], marks["interrupted"], marks["next_edges"] = (), (), ()
            marks["taken_edges"] = taken_edges(self.run.next, head_names, self._edges)
        if self.selected == self.head and self.error is not None:
            marks["failed"] = tuple(n for n, _ in self.watcher.failures if n in self._nodes)
        self.graph_view.mark(**marks)

    def _render_inner_marks(self, entry) -> None:
        """A subgraph is open: its picture shows the selected entry of it (else where it is), and the graph's
        picture the step it runs in, its node running."""
        view, run = self.inner_view, self.inner
        selected = self.selected if entry.within == self._inner_within else self.head
        shown = self.timeline.entries[selected]
        nodes, edges = {n.id for n in view.graph.nodes}, {(e.source, e.target) for e in view.graph.edges}
        interrupted = [self._interrupt_node(i.id, shown) for i in shown.record.interrupts] if shown.paused else []
        marks = self.timeline.marks(selected, nodes, edges, interrupted)
        if selected == self.head:
            marks["waiting"] = waiting_marks(run.waiting_joins())
            if run.done:
                marks["next"] = ()
        view.mark(**marks)
        outer = self.timeline.by_checkpoint(self.run.checkpoint_id)
        if outer is not None:
            outer_marks = self.timeline.marks(outer, self._nodes, self._edges)
            node = self._inner_within.split(" › ", 1)[1]
            outer_marks["running"], outer_marks["next"] = (node,), ()
            self.graph_view.mark(**outer_marks)

    def _interrupt_node(self, interrupt_id: str, entry) -> str:
        return entry.record.node_of(interrupt_id) or self.watcher.interrupt_nodes.get(interrupt_id) or ""

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
        base, skipped = editable(self.timeline.ordered(entry.values))
        text = json.dumps(base, ensure_ascii=False, indent=1)
        shown = redact(text)
        # What the box shows is the base an edit is compared with: a key left as shown (with a key
        # redacted) is not written back.
        self._edit_base = base if shown == text else json.loads(shown)
        self.edit_text.value = shown
        self.edit_note.value = (f"<i>not editable as JSON here: {esc(', '.join(skipped))} "
                                f"(use debugger.edit({{...}}) from Python)</i>" if skipped else "")

    def _render_review(self) -> None:
        stepping = self.stepping
        interrupts = stepping.interrupts
        if not interrupts or self.busy is not None:
            if self.review is not None and not interrupts:
                self.review, self.review_box.children = None, ()
            return
        if self.review is None or self.review.interrupts != interrupts:
            self.review = ReviewPanel(stepping, on_answer=self._on_answers, nodes=self.watcher.interrupt_nodes,
                                      **self.review_options)
            self.review_box.children = (self.review,)

    def _error_title(self) -> str:
        at, next_ = self.run.step_number, self.run.step_number + 1
        if isinstance(self.error, CheckpointConflictError):
            return (f"superstep {next_} ran but was not stored: another run or process stepped thread "
                    f"`{self.run.thread_id}` first; this run stays at step {at} — open the thread again "
                    f"(Debugger(app, None, config)) to go on from there")
        if isinstance(self.error, StepNotStoredError):
            return (f"superstep {next_} ran but was not stored; the run stays at step {at} — fix the cause and "
                    f"press Step to run it again")
        nodes = [n for n, _ in self.watcher.failures]
        where = f" in node {', '.join(f'`{n}`' for n in nodes)}" if nodes else ""
        return (f"superstep {self.run.step_number + 1} failed{where}; the run stays at step "
                f"{self.run.step_number} — fix the cause and press Step to retry")

    def status_text(self) -> str:
        run = self.stepping
        if self.busy is not None:
            state = f"running step {run.step_number + 1} ({self.busy})"
        elif isinstance(self.error, StepNotStoredError | CheckpointConflictError):
            state = f"step {run.step_number + 1} not stored"
        elif self.error is not None:
            state = "failed: " + (", ".join(n for n, _ in self.watcher.failures) or type(self.error).__name__)
        elif run.interrupts:
            state = f"waiting for {len(run.interrupts)} answer(s)"
        elif run.done:
            state = "finished"
        else:
            state = "paused; next: " + ", ".join(self._next_names())
        # A superstep paused by interrupt() wrote no checkpoint yet; the timeline lists it as the step under
        # way, and so does the status line.
        number = run.step_number + 1 if run.interrupts and self.busy is None else run.step_number
        text = f"step {number} · {state}"
        if run is not self.run:  # inside a subgraph
            text = f"{self._inner_within} › {text}"
        return f"{text} · {self.notice}" if self.notice else text

    # -- the timeline's handlers ----------------------------------------------------------------------------
    def _on_select(self, change) -> None:
        if not self._rendering and change["new"] is not None:
            self.select(~change["new"] if change["new"] < 0 else change["new"])  # < 0: a row to another page

    def _goto_selected(self) -> None:
        entry = self.timeline.entries[self.selected]
        target = self.selected
        if entry.paused:  # it hangs off its parent: going there brings the interrupts back
            target = self.timeline.by_checkpoint(entry.parent_id)
        if target in self._ahead():
            self.goto(checkpoint_id=self.timeline.entries[target].checkpoint_id)
        else:
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
            # The box shows whole values, so what was typed replaces the value: past the reducer, which
            # would append an edited list to the old one.
            try:
                self.edit(changed, step=self.timeline.entries[at].step, replace=True)
            except StateEditError as error:  # does not fit the state schema: nothing was stored
                self.edit_note.value = f'<span style="color:#c62828">{esc(error)}</span>'
                return
            note = self.edit_note.value
            self.edit_note.value = (f'<span style="color:#1f5f2a">✓ edited {esc(", ".join(changed))} at step '
                                    f"{self.run.step_number}: Step goes on from the edited state, on a new "
                                    f"branch (the Step tab shows what changed)</span>" + (f"<br>{note}" if note else ""))

    def _edit_from_text(self) -> tuple[str, dict]:
        """(what is wrong, the changed keys) for the edit text area."""
        if self.selected in self._ahead():
            return "this step is ahead of the run: press Go to this step, then edit there", {}
        if self.selected not in self.timeline.path(self.head):
            return "this step is off the current path: go to a step of it to edit there", {}
        return changed_keys(self.edit_text.value, self._edit_base, self.timeline.entries[self.selected].values)

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
        if widget_view is not None:  # shown in a cell: a saved notebook keeps its last view
            self._keep_saved_view(debugger_snapshot, self.status, self.inspector, self.error_view)
        formats = {WIDGET_VIEW: lambda: widget_view} if widget_view is not None else {}
        formats.update({"text/html": lambda: debugger_snapshot(self), "image/svg+xml": lambda: self.graph_view.svg,
                        "text/plain": self.summary})
        return mimebundle(formats, include, exclude)
