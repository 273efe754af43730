"""Static snapshots: what a widget shows, as one HTML fragment for readers that run no kernel.

GitHub, nbviewer, `nbconvert --to html` and a notebook opened before its kernel starts cannot draw a live
widget. Each wfkit widget therefore also answers `text/html` with a snapshot of its current view: the
Debugger's status, graph picture (with its marks), timeline, step inspector (state with what changed) and
review cards; the ReviewPanel's cards with their payloads and the answers they take. The fragment is built
from the HTML the widget already shows (so it says exactly the same), needs no script, style sheet or
network, and passes `safe_html` like everything else.
"""

from __future__ import annotations

import re
from typing import Any

from wfkit.widgets._format import esc
from wfkit.widgets._sanitize import safe_html

_BOX = "border:1px solid #d0d0d0;border-radius:4px;padding:6px;margin:4px 0;font-size:13px"
_NOTE = "color:#777777;font-size:11px;margin-bottom:4px"

# A snapshot is shown inside the page's own styles: JupyterLab's and nbconvert's rendered HTML (lab and
# classic templates) align table cells right, centre tables with a fixed layout and stripe their rows. So
# every table, row and cell says how it is laid out, inline (a `<style>` block is dropped by some renderers),
# before its own style, which wins; `align`/`valign` also serve renderers that strip inline styles (GitHub).
_CELL = "text-align:left;vertical-align:top;padding:1px 4px;border:none;white-space:normal;line-height:normal"
_LOOK = {"table": "margin:0;width:auto;table-layout:auto;border:none;border-collapse:collapse;font-size:inherit",
         "tr": "background-color:transparent;border:none", "td": _CELL, "th": _CELL}
_TABLE_TAG = re.compile(r'<(table|tr|td|th)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*>')
_STYLE = re.compile(r'\sstyle="([^"]*)"')


def explicit_layout(fragment: str) -> str:
    """`fragment` with every table, row and cell's layout written inline (see `_LOOK`)."""
    def fix(match: re.Match) -> str:
        tag, attributes = match[1], match[2]
        own = _STYLE.search(attributes)
        style = _LOOK[tag] + (f";{own[1]}" if own and own[1] else "")
        if own:
            attributes = attributes[:own.start()] + attributes[own.end():]
        if tag in ("td", "th") and "align=" not in attributes:
            attributes += ' align="left" valign="top"'
        return f'<{tag}{attributes} style="{style}">'
    return _TABLE_TAG.sub(fix, fragment)


def _finish(markup: str) -> str:
    return safe_html(explicit_layout(markup))


def graph_snapshot(view: Any) -> str:
    """A GraphView: its picture (marks included) and what each mark means."""
    picture, legend = view.children[1].value, view.children[2].value
    return _finish(f'<div class="wf-static wf-graph-static">{picture}{legend}</div>')


def review_snapshot(panel: Any, *, framed: bool = True) -> str:
    """A ReviewPanel: each interrupt's origin and payload, the answers it takes, and any answer given."""
    cards = "".join(_card(card) for card in panel.cards)
    status = panel.status.value
    inner = (f'<div style="font-weight:bold">Review: the run is waiting for an answer</div>{cards}'
             f'<div class="wf-review-status">{status}</div>')
    if not framed:
        return inner
    return _finish(f'<div class="wf-static wf-review-static" style="{_BOX}">'
                     f'<div style="{_NOTE}">saved view of a ReviewPanel: run the notebook to answer</div>'
                     f"{inner}</div>")


def _card(card: Any) -> str:
    if card.answered:
        answers = card.result.value
    elif card.form is not None:
        fields = ", ".join(f"<code>{esc(name)}</code>" for name in card.form.model.model_fields)
        answers = f'<div class="wf-answers"><i>answered with a {esc(card.form.model.__name__)} form: {fields}</i></div>'
    else:
        shown = [b.description for b in card.buttons.children]
        answers = f'<div class="wf-answers"><i>answers: {esc(" · ".join(shown))}</i></div>'
    if not card.answered:  # an answer the run did not take, and why (see `InterruptCard.reopen`)
        answers += card.result.value
    return (f'<div class="wf-interrupt-card" style="border:1px solid #d01c8b;padding:6px;margin:4px 0">'
            f"{card.header.value}{card.saved_payload}{answers}</div>")


def debugger_snapshot(debugger: Any) -> str:
    """A Debugger: status, error, review cards, the picture beside the timeline, and the step inspector."""
    timeline = _timeline(debugger.timeline_view.options, debugger.timeline_view.value)
    review = "" if debugger.review is None else (
        f'<div class="wf-review" style="{_BOX}">{review_snapshot(debugger.review, framed=False)}</div>')
    picture = debugger.graph_view.children[1].value
    if debugger.inner_view is not None:  # a subgraph stepped into: its picture under the graph's
        picture += (f'<div>{debugger.pictures.children[1].value}</div>'
                    f"{debugger.inner_view.children[1].value}")
    inspector, error = debugger.saved_details()
    body = (f'<div style="{_NOTE}">saved view of a Debugger: run the notebook to step it</div>'
            f'<div class="wf-status" style="font-weight:bold">{esc(debugger.status_text())}</div>'
            f"{error}{review}"
            f'<table style="width:100%"><tr><td style="vertical-align:top;width:55%">{picture}</td>'
            f'<td style="vertical-align:top"><div style="font-weight:bold">Timeline</div>{timeline}</td></tr></table>'
            f'<div class="wf-inspector">{inspector}</div>')
    return _finish(f'<div class="wf-static wf-debugger-static" style="{_BOX}">{body}</div>')


def _timeline(options: tuple, selected: Any) -> str:
    bold = ' style="font-weight:bold"'
    rows = "".join(f'<li{bold if value == selected else ""}>{esc(label.strip())}</li>' for label, value in options)
    return f'<ol class="wf-timeline" style="margin:0;padding-left:1.5em;list-style:none">{rows}</ol>'


def inbox_snapshot(inbox: Any) -> str:
    """A ReviewInbox: the waiting threads (the selected one marked), and the selected one's picture, payload,
    state, path and review card."""
    rows = "".join(
        f'<tr style="{"font-weight:bold;background:#fdf2f8" if n == inbox.index else ""}">'
        f"<td>{esc(item.thread_id)}</td><td>{esc(', '.join(dict.fromkeys(item.nodes)))}</td>"
        f"<td>{esc(item.created_at)}</td><td>{esc(item.label().split(' · ', 2)[-1])}</td></tr>"
        for n, item in enumerate(inbox.shown))
    table = (f'<table class="wf-inbox-list"><tr><th>thread</th><th>node</th><th>paused at</th><th>payload</th></tr>'
             f"{rows}</table>")
    selected = ""
    if inbox.selected is not None:
        review = "" if inbox.panel is None else review_snapshot(inbox.panel, framed=False)
        selected = (f'<div style="display:flex;gap:8px"><div>{inbox.graph_view.children[1].value}</div>'
                    f"<div>{inbox.details.value}{review}</div></div>")
    return _finish(f'<div class="wf-static wf-inbox-static" style="{_BOX}">'
                     f'<div style="{_NOTE}">saved view of a ReviewInbox: run the notebook to answer</div>'
                     f"<div>{inbox.title.value}</div>{table}<div>{inbox.position.value}</div>{selected}"
                     f'<div class="wf-inbox-status">{inbox.status.value}</div></div>')
