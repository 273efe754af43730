"""`Compare`: two runs side by side (two threads, or two branches of one): their superstep timelines
aligned row by row, where they diverge, and at each row how the two states differ, with both pictures.

A side is a stepping `Run` (its current branch), a `Debugger` (its run's), or `(run, checkpoint_id)`: the
branch that ends at that checkpoint, e.g. the one left behind by `run.back()` and a new step. The rows are
pure bookkeeping (`compare_rows`); the widget shows them and, for the selected row, both marked pictures.
Like the other widgets it answers `text/html` with a sanitised snapshot for readers without a kernel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets

from wfkit.drawing.display import mimebundle
from wfkit.stepping import ArgumentTypeError
from wfkit.widgets._format import esc, short, value_html
from wfkit.widgets._html_widget import SafeHTML
from wfkit.widgets._replay import branch_timeline, entry_marks, entry_text
from wfkit.widgets._sanitize import safe_html
from wfkit.widgets._timeline import Entry, Timeline
from wfkit.widgets.graph_view import GraphView

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_MISSING = object()


@dataclass(frozen=True)
class Row:
    """One aligned row: entry `index` of each side (None past a side's end), whether the two are the same
    point, and the keys whose values differ there as `(key, value in A, value in B)`."""

    index: int
    a: Entry | None
    b: Entry | None
    same: bool
    diff: tuple[tuple[str, Any, Any], ...]


def side_timeline(side: Any, name: str) -> tuple[Timeline, Any]:
    """The timeline of one side and its run: a Run, a Debugger, or `(run, checkpoint_id)`."""
    checkpoint_id = None
    if isinstance(side, tuple) and len(side) == 2:
        side, checkpoint_id = side
    run = side if hasattr(side, "lineage") else getattr(side, "run", None)
    if not hasattr(run, "lineage"):
        raise ArgumentTypeError(f"Compare: `{name}` must be a Run (app.start(...)), a Debugger, or (run, "
                                f"checkpoint_id) for another branch of a run; got {type(side).__name__}")
    return branch_timeline(run, checkpoint_id), run


def state_diff(a: Any, b: Any) -> tuple[tuple[str, Any, Any], ...]:
    """The keys whose values differ between two states, in A's key order then B's new keys."""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return () if a == b else (("(state)", a, b),)
    keys = list(dict.fromkeys([*a, *b]))
    return tuple((k, a.get(k, _MISSING), b.get(k, _MISSING)) for k in keys if a.get(k, _MISSING) != b.get(k, _MISSING))


def _same(a: Entry, b: Entry) -> bool:
    if a.checkpoint_id is not None and a.checkpoint_id == b.checkpoint_id:
        return True  # the same checkpoint: a part the two branches share
    return a.kind == b.kind and entry_text(a) == entry_text(b) and a.values == b.values


def compare_rows(a: Timeline, b: Timeline) -> list[Row]:
    """The two timelines aligned by position (the input, then each superstep or edit in order). Once a row
    differs, every later row counts as diverged too: the runs went different ways."""
    rows, diverged = [], False
    for index in range(max(len(a.entries), len(b.entries))):
        ea = a.entries[index] if index < len(a.entries) else None
        eb = b.entries[index] if index < len(b.entries) else None
        same = not diverged and ea is not None and eb is not None and _same(ea, eb)
        diverged = diverged or not same
        diff = state_diff(ea.values, eb.values) if ea is not None and eb is not None else ()
        rows.append(Row(index, ea, eb, same, diff))
    return rows


def divergence(rows: list[Row]) -> int | None:
    """The index of the first row where the two runs differ (None: they are the same throughout)."""
    return next((row.index for row in rows if not row.same), None)


def _entry_cell(entry: Entry | None) -> str:
    return "<i>(ended)</i>" if entry is None else f"step {entry.step} · {esc(entry_text(entry))}"


def _shown(value: Any) -> str:
    return "<i>(absent)</i>" if value is _MISSING else value_html(value)


def rows_html(rows: list[Row], labels: tuple[str, str], selected: int | None = None) -> str:
    """The aligned timelines as a table: what each side did, whether they still agree, and the state diff."""
    first = divergence(rows)
    out = [f'<table class="wf-compare-table" style="border-collapse:collapse;width:100%">'
           f'<tr><th style="text-align:left">#</th><th style="text-align:left">{esc(labels[0])}</th>'
           f'<th style="text-align:left">{esc(labels[1])}</th><th style="text-align:left">state: '
           f'{esc(labels[0])} → {esc(labels[1])}</th></tr>']
    for row in rows:
        if row.same:
            note, colour = "same", "#f4faf5"
        elif row.index == first:
            note, colour = "diverges here", "#fff4d6"
        else:
            note, colour = "differs", "#ffffff"
        diff = "".join(f'<div class="wf-compare-diff" data-key="{esc(k)}"><b>{esc(k)}</b>: {_shown(va)} → {_shown(vb)}</div>'
                       for k, va, vb in row.diff) or (
            '<span style="color:#777777">no difference</span>' if row.a is not None and row.b is not None
            else f'<span style="color:#777777">{esc(labels[row.a is not None])} ended</span>')
        bold = "font-weight:bold;" if row.index == selected else ""
        out.append(f'<tr class="wf-compare-row{" wf-diverges" if row.index == first else ""}" data-step="{row.index}" '
                   f'style="{bold}background-color:{colour};border-top:1px solid #e0e0e0">'
                   f'<td style="vertical-align:top;padding:2px 6px">{row.index}<br><small>{esc(note)}</small></td>'
                   f'<td style="vertical-align:top;padding:2px 6px">{_entry_cell(row.a)}</td>'
                   f'<td style="vertical-align:top;padding:2px 6px">{_entry_cell(row.b)}</td>'
                   f'<td style="vertical-align:top;padding:2px 6px">{diff}</td></tr>')
    out.append("</table>")
    return "".join(out)


def summary_text(rows: list[Row], labels: tuple[str, str]) -> str:
    """One line: how long each side is and where they diverge."""
    a = sum(row.a is not None for row in rows)
    b = sum(row.b is not None for row in rows)
    first = divergence(rows)
    where = "the same throughout" if first is None else (
        f"diverge at row {first} (after {first} shared)" if first else "differ from the input on")
    return f"{labels[0]}: {a} entries · {labels[1]}: {b} entries · {where}"


class Compare(ipywidgets.VBox):
    """Two runs side by side; see the module docstring. `select(row)` shows that row's two pictures."""

    def __init__(self, run_a: Any, run_b: Any, *, labels: tuple[str, str] = ("A", "B"), **kwargs):
        self.labels = (str(labels[0]), str(labels[1]))
        self.timeline_a, run_a = side_timeline(run_a, "run_a")
        self.timeline_b, run_b = side_timeline(run_b, "run_b")
        self.rows = compare_rows(self.timeline_a, self.timeline_b)
        first = divergence(self.rows)
        self.selected = first if first is not None else len(self.rows) - 1
        self.view_a = GraphView(run_a.app, max_height=360)
        self.view_b = GraphView(run_b.app, max_height=360)
        self.header = SafeHTML()
        self.header.add_class("wf-compare-summary")
        self.row_picker = ipywidgets.Dropdown(
            options=[(f"row {row.index} · {_plain(row.a)} | {_plain(row.b)}", row.index) for row in self.rows],
            value=self.selected, description="show row", layout=ipywidgets.Layout(width="auto"))
        self.row_picker.observe(lambda change: self.select(change["new"]), "value")
        self.captions = (SafeHTML(), SafeHTML())
        self.table = SafeHTML()
        self.table.add_class("wf-compare")
        pictures = ipywidgets.HBox([ipywidgets.VBox([self.captions[0], self.view_a]),
                                    ipywidgets.VBox([self.captions[1], self.view_b])])
        super().__init__([self.header, self.row_picker, pictures, self.table], **kwargs)
        self.add_class("wf-compare-widget")
        self.select(self.selected)

    def select(self, index: int) -> None:
        """Show row `index`: both sides' pictures at that point (a side that ended shows its last)."""
        if not 0 <= index < len(self.rows):
            raise ValueError(f"Compare.select(index): no row {index}; rows go from 0 to {len(self.rows) - 1}")
        self.selected = index
        for timeline, view, caption, label in ((self.timeline_a, self.view_a, self.captions[0], self.labels[0]),
                                               (self.timeline_b, self.view_b, self.captions[1], self.labels[1])):
            at = min(index, len(timeline.entries) - 1)
            view.mark(**entry_marks(timeline, at, view.graph))
            caption.value = f"<b>{esc(label)}</b>: {_entry_cell(timeline.entries[at])}"
        self.header.value = f"<b>Compare</b> · {esc(summary_text(self.rows, self.labels))}"
        self.table.value = rows_html(self.rows, self.labels, index)
        if self.row_picker.value != index:
            self.row_picker.value = index

    def summary(self) -> str:
        """Text for front ends without widgets: the summary line and one line per row."""
        lines = [f"Compare: {summary_text(self.rows, self.labels)}"]
        for row in self.rows:
            mark = "=" if row.same else (">" if row.index == divergence(self.rows) else "≠")
            diff = "; ".join(f"{k}: {_brief(va)} → {_brief(vb)}" for k, va, vb in row.diff)
            lines.append(f"{mark} {row.index}: {_plain(row.a)} | {_plain(row.b)}" + (f" · {diff}" if diff else ""))
        return "\n".join(lines)

    def snapshot(self) -> str:
        """The static view: the summary, both pictures of the selected row, and the aligned table."""
        pictures = "".join(f'<td style="vertical-align:top">{caption.value}{view.children[1].value}</td>'
                           for caption, view in zip(self.captions, (self.view_a, self.view_b)))
        return safe_html(f'<div class="wf-static wf-compare-static" style="border:1px solid #d0d0d0;'
                         f'border-radius:4px;padding:6px;margin:4px 0;font-size:13px">'
                         f'<div style="color:#777777;font-size:11px;margin-bottom:4px">saved view of a Compare: '
                         f'run the notebook to pick another row</div>{self.header.value}'
                         f'<table style="width:100%"><tr>{pictures}</tr></table>{self.table.value}</div>')

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        widget_view = super()._repr_mimebundle_(**kwargs).get(WIDGET_VIEW)
        formats = {WIDGET_VIEW: lambda: widget_view} if widget_view is not None else {}
        formats.update({"text/html": self.snapshot, "text/plain": self.summary})
        return mimebundle(formats, include, exclude)


def _plain(entry: Entry | None) -> str:
    return "(ended)" if entry is None else f"step {entry.step} · {entry_text(entry)}"


def _brief(value: Any) -> str:
    return "(absent)" if value is _MISSING else short(value, 40)
