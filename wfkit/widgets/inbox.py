"""`ReviewInbox`: every thread of a graph's checkpointer that waits at `interrupt()`, worked through one by one.

The list is read from the checkpointer (`graph.waiting_threads()`: one query, oldest first), so it holds the
threads of every kernel and machine that share the database. For the selected thread the inbox shows the
graph picture with the paused node marked, the payload, the state and the path of nodes that led there, and
a `ReviewPanel` to answer it. Answering opens a `Run` on that thread and resumes it in the background, with
its progress in the status line; then the list is read again. An interrupt that another reviewer answered
meanwhile is refused with `AlreadyAnsweredError` (the thread is read again just before resuming, and the
checkpointer refuses a superstep stored on a head that moved on), so no interrupt is ever answered twice.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import ipywidgets

from wfkit.constants import START
from wfkit.drawing.display import mimebundle
from wfkit.engine.events import StepPlanned
from wfkit.stepping import check_waiting
from wfkit.widgets._background import launch
from wfkit.widgets._format import error_html, esc, payload_html, section, short, text_card_svg, value_html
from wfkit.widgets._html_widget import SafeHTML
from wfkit.widgets._saved import SavedView
from wfkit.widgets._static import inbox_snapshot
from wfkit.widgets.graph_view import GraphView
from wfkit.widgets.review import _UNSET, WIDGET_VIEW, ReviewPanel

ALL = "(all)"


@dataclasses.dataclass(eq=False)
class InboxItem:
    """One thread waiting at `interrupt()`: its interrupts (and the node of each), its state, when it paused."""

    thread_id: str
    interrupts: tuple
    nodes: tuple[str, ...]
    values: Any
    created_at: str
    checkpoint_id: str
    inbox: Any = dataclasses.field(repr=False)
    _run: Any = dataclasses.field(default=None, repr=False)
    _path: list | None = dataclasses.field(default=None, repr=False)

    @property
    def config(self) -> dict:
        config = dict(self.inbox.config)
        config["configurable"] = {**(config.get("configurable") or {}), "thread_id": self.thread_id}
        return config

    @property
    def run(self) -> Any:
        """A `Run` opened on the thread where it waits (opened once, when first asked for)."""
        if self._run is None:
            self._run = self.inbox.graph.start(None, self.config)
        return self._run

    @property
    def path(self) -> list[str]:
        """The nodes that ran on this thread, oldest first, up to the interrupt."""
        if self._path is None:
            history = list(self.inbox.graph.get_state_history({"configurable": {"thread_id": self.thread_id}}))
            self._path = [n for snap in reversed(history[1:]) for n in snap.next if n != START]
        return self._path

    def field(self, name: str) -> Any:
        """The payload field `name` of the first interrupt whose payload has it (None when none has)."""
        return next((i.value[name] for i in self.interrupts if isinstance(i.value, dict) and name in i.value), None)

    def label(self) -> str:
        payload = short(self.interrupts[0].value, 60) if self.interrupts else ""
        return f"{self.thread_id} · {', '.join(dict.fromkeys(self.nodes))} · {payload}"


class ReviewInbox(SavedView, ipywidgets.VBox):
    """The threads of `graph` waiting at `interrupt()`, oldest first. See the module docstring."""

    def __init__(self, graph: Any, config: dict | None = None, *, answer_model: Any = None,
                 approve: Any = _UNSET, reject: Any = _UNSET, limit: int | None = None):
        if getattr(graph, "checkpointer", None) is None:
            raise ValueError("ReviewInbox needs a graph compiled with a checkpointer that its runs share, e.g. "
                             "compile(checkpointer=SqliteSaver('runs.db')): the inbox reads the waiting threads "
                             "from it")
        self.graph, self.config, self.limit = graph, dict(config or {}), limit
        self.answer_model, self.approve_value, self.reject_value = answer_model, approve, reject
        self.items: list[InboxItem] = []
        self.shown: list[InboxItem] = []
        self.index = -1
        self.last_error: BaseException | None = None
        self.pending_answer: Any = None  # the resume under way (an asyncio.Task inside Jupyter)
        self.panel: ReviewPanel | None = None
        self._quiet = False
        self.title = SafeHTML("")
        self.refresh_button = ipywidgets.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.node_filter = ipywidgets.Dropdown(options=[ALL], value=ALL, description="node")
        self.field_filter = ipywidgets.Dropdown(options=[ALL], value=ALL, description="field")
        self.value_filter = ipywidgets.Text(value="", description="contains", continuous_update=False)
        for control in (self.node_filter, self.field_filter, self.value_filter):
            control.observe(lambda _: self._apply_filters(), names="value")
        self.listing = ipywidgets.Select(options=[], rows=8, layout=ipywidgets.Layout(width="98%"))
        self.listing.observe(self._on_pick, names="value")
        self.previous_button = ipywidgets.Button(description="Previous", icon="arrow-left")
        self.next_button = ipywidgets.Button(description="Next", icon="arrow-right")
        self.previous_button.on_click(lambda _: self.previous())
        self.next_button.on_click(lambda _: self.next())
        self.position = SafeHTML("")
        self.graph_view = GraphView(graph, max_height=320)
        self.details = SafeHTML("")
        self.review_box = ipywidgets.VBox([])
        self.status = SafeHTML("")
        self.status.add_class("wf-inbox-status")
        super().__init__([
            ipywidgets.HBox([self.title, self.refresh_button]),
            ipywidgets.HBox([self.node_filter, self.field_filter, self.value_filter]),
            self.listing,
            ipywidgets.HBox([self.previous_button, self.next_button, self.position]),
            ipywidgets.HBox([self.graph_view, ipywidgets.VBox([self.details, self.review_box])]),
            self.status,
        ])
        self.add_class("wf-inbox")
        self.refresh()

    # -- the list ----------------------------------------------------------------------------------------
    @property
    def pending(self) -> list[InboxItem]:
        """The waiting threads that pass the filters, oldest first (as last read: see `refresh`)."""
        return list(self.shown)

    @property
    def selected(self) -> InboxItem | None:
        return self.shown[self.index] if 0 <= self.index < len(self.shown) else None

    def refresh(self) -> None:
        """Read the waiting threads from the checkpointer again (keeps the selected thread when it still waits)."""
        keep = self.selected.thread_id if self.selected is not None else None
        self.items = [self._item(s) for s in self.graph.waiting_threads(limit=self.limit)]
        nodes = sorted({n for item in self.items for n in item.nodes})
        fields = sorted({k for item in self.items for i in item.interrupts if isinstance(i.value, dict)
                         for k in i.value})
        self._quiet = True
        try:
            self.node_filter.options = [ALL, *nodes]
            self.field_filter.options = [ALL, *fields]
        finally:
            self._quiet = False
        self._apply_filters(keep)

    def filter(self, node: str | None = None, field: str | None = None, contains: str = "") -> list[InboxItem]:
        """Show only the threads paused in `node`, and (with `field`) whose payload field `field` holds the
        text `contains` (anywhere in the payload without `field`); returns what is shown."""
        self._quiet = True
        try:
            for control, value in ((self.node_filter, node), (self.field_filter, field)):
                if value is not None and value not in control.options:
                    raise ValueError(f"ReviewInbox.filter: no waiting thread has {control.description} `{value}`; "
                                     f"known: {', '.join(map(str, control.options[1:])) or '(none)'}")
                control.value = ALL if value is None else value
            self.value_filter.value = contains
        finally:
            self._quiet = False
        self._apply_filters()
        return self.pending

    def select(self, which: int | str) -> InboxItem:
        """Select the shown thread `which` (its position in `pending`, or its thread id)."""
        self.index = self._position(which)
        self._render()
        return self.shown[self.index]

    def next(self) -> InboxItem | None:
        if self.shown:
            self.select(min(self.index + 1, len(self.shown) - 1))
        return self.selected

    def previous(self) -> InboxItem | None:
        if self.shown:
            self.select(max(self.index - 1, 0))
        return self.selected

    # -- answering ---------------------------------------------------------------------------------------
    async def aanswer(self, which: Any, value: Any) -> list:
        """Answer thread `which` (an `InboxItem`, its position in `pending`, or its thread id) with `value`
        (a map {interrupt id: answer} when several interrupts wait) and resume it; returns the run's records.
        `AlreadyAnsweredError` when another reviewer answered it meanwhile (nothing is given then)."""
        item = which if isinstance(which, InboxItem) else self.shown[self._position(which)]
        ids = tuple(i.id for i in item.interrupts)
        check_waiting(self.graph, item.config, ids)
        run = item.run
        if tuple(i.id for i in run.interrupts) != ids:  # opened earlier, then the thread moved on
            check_waiting(self.graph, item.config, tuple(i.id for i in run.interrupts))

        def progress(event: Any) -> None:
            if isinstance(event, StepPlanned):
                names = ", ".join(f"`{t.name}`" for t in event.tasks)
                self.status.value = f"<i>resuming thread {esc(item.thread_id)}: running {esc(names)} " \
                                    f"(superstep {event.step})</i>"

        self.status.value = f"<i>resuming thread {esc(item.thread_id)}…</i>"
        run.listeners.append(progress)
        try:
            records = await run.aresume(value)
        except Exception:
            check_waiting(self.graph, item.config, ids)  # another reviewer's answer made the store fail: say so
            raise
        finally:
            run.listeners.remove(progress)
        where = "done" if run.done else f"waiting again at {', '.join(i.id for i in run.interrupts)}"
        self.refresh()
        self.status.value = f"<i>thread {esc(item.thread_id)} resumed: {esc(where)}</i>"
        return records

    def answer(self, which: Any, value: Any) -> Any:
        """`aanswer` in the background (inside Jupyter an asyncio.Task, kept in `pending_answer`; elsewhere
        run now); a failure is shown in the status line and kept in `last_error`, never raised."""
        self.pending_answer = launch(self._answer_shown(which, value))
        return self.pending_answer

    async def _answer_shown(self, which: Any, value: Any) -> list | None:
        self.last_error = None
        try:
            return await self.aanswer(which, value)
        except Exception as error:
            self.last_error = error
            self.status.value = error_html("answering failed", error)
            self.refresh()
            return None

    # -- drawing -----------------------------------------------------------------------------------------
    def _item(self, snapshot: Any) -> InboxItem:
        node_of = {i.id: t.name for t in snapshot.tasks for i in t.interrupts}
        return InboxItem(snapshot.config["configurable"]["thread_id"], tuple(snapshot.interrupts),
                         tuple(node_of.get(i.id, "?") for i in snapshot.interrupts), snapshot.values,
                         snapshot.created_at, snapshot.config["configurable"]["checkpoint_id"], self)

    def _position(self, which: int | str) -> int:
        if isinstance(which, int):
            if not 0 <= which < len(self.shown):
                raise IndexError(f"ReviewInbox shows {len(self.shown)} waiting thread(s); no number {which}")
            return which
        for position, item in enumerate(self.shown):
            if item.thread_id == which:
                return position
        raise KeyError(f"thread `{which}` is not in the inbox (it does not wait at an interrupt, or a filter "
                       f"hides it); refresh() reads the checkpointer again")

    def _apply_filters(self, keep: str | None = None) -> None:
        if self._quiet:
            return
        node, field = self.node_filter.value, self.field_filter.value
        text = self.value_filter.value.strip().lower()
        keep = keep if keep is not None else (self.selected.thread_id if self.selected is not None else None)
        self.shown = [item for item in self.items
                      if (node == ALL or node in item.nodes)
                      and (not text or text in (short(item.field(field), 10_000) if field != ALL else
                                                " ".join(short(i.value, 10_000) for i in item.interrupts)).lower())]
        ids = [item.thread_id for item in self.shown]
        self.index = ids.index(keep) if keep in ids else (0 if self.shown else -1)
        self._render()

    def _on_pick(self, change: Any) -> None:
        if not self._quiet and change["new"] is not None and change["new"] != self.index:
            self.select(change["new"])

    def _render(self) -> None:
        total, shown = len(self.items), len(self.shown)
        hidden = f" ({total - shown} hidden by the filters)" if shown != total else ""
        self.title.value = f"<b>Review inbox: {total} thread(s) waiting{esc(hidden)}</b>"
        self._quiet = True
        try:
            self.listing.options = [(item.label(), n) for n, item in enumerate(self.shown)]
            self.listing.value = self.index if self.shown else None
        finally:
            self._quiet = False
        self.previous_button.disabled = self.index <= 0
        self.next_button.disabled = self.index >= shown - 1
        item = self.selected
        if item is None:
            self.position.value = "<i>nothing waits for a review</i>"
            self.graph_view.clear()
            self.details.value = ""
            self.review_box.children = []
            self.panel = None
            return
        self.position.value = f"{self.index + 1} of {shown}"
        path = item.path
        self.graph_view.mark(visited=tuple(dict.fromkeys(n for n in path if n in self.graph.nodes)),
                             interrupted=tuple(dict.fromkeys(item.nodes)))
        payloads = "".join(payload_html(i.value) for i in item.interrupts)
        self.details.value = (
            f'<div class="wf-inbox-item"><div>thread <code>{esc(item.thread_id)}</code>, paused in '
            f'<code>{esc(", ".join(dict.fromkeys(item.nodes)))}</code> at {esc(item.created_at)}</div>'
            + section("Payload", payloads, "wf-inbox-payload")
            + section("State", value_html(item.values), "wf-inbox-state")
            + section("Path", esc(" → ".join(path) or "(no node ran yet)"), "wf-inbox-path") + "</div>")
        self.panel = ReviewPanel(interrupts=item.interrupts, on_answer=lambda answers: self.answer(item, answers),
                                 nodes=dict(zip((i.id for i in item.interrupts), item.nodes)),
                                 answer_model=self.answer_model, approve=self.approve_value,
                                 reject=self.reject_value)
        self.review_box.children = [self.panel]

    # -- without a widget front end ----------------------------------------------------------------------
    def summary(self) -> str:
        lines = [f"ReviewInbox: {len(self.items)} thread(s) waiting, {len(self.shown)} shown"]
        for n, item in enumerate(self.shown):
            mark = "▶" if n == self.index else "-"
            lines.append(f"{mark} {item.label()}")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        widget_view = super()._repr_mimebundle_(**kwargs).get(WIDGET_VIEW)
        if widget_view is not None:  # shown in a cell: a saved notebook keeps its last view
            self._keep_saved_view(inbox_snapshot, self.title, self.position, self.details, self.status)
        formats = {WIDGET_VIEW: lambda: widget_view} if widget_view is not None else {}
        lines = self.summary().splitlines()
        formats.update({"text/html": lambda: inbox_snapshot(self),
                        "image/svg+xml": lambda: text_card_svg(lines[0], lines[1:]), "text/plain": self.summary})
        return mimebundle(formats, include, exclude)
