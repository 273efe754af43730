"""Rendering values for the widgets: one-line text, HTML trees and tables, old → new diffs, safe markdown,
tracebacks, and a small SVG text card for front ends without widgets.

Pure string building, no ipywidgets import, so every function is unit-tested on its output. Everything that
comes from a run (state values, node output, interrupt payloads, model text) is untrusted: it is
HTML-escaped here, markdown is rendered with raw HTML switched off, and the widgets clean every string
once more with `_sanitize.safe_html` before the browser sees it.
"""

from __future__ import annotations

import dataclasses
import html
import os
import sysconfig
import traceback
from typing import Any

from wfkit.widgets._sanitize import markdown_html

MAX_ITEMS = 50  # list items / dict keys shown before "… N more"
MAX_TEXT = 2000  # characters of one string shown in full views
MAX_DEPTH = 6

_MONO = "font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:12px"


# -- one line of text --------------------------------------------------------------------------------------

def short(value: Any, limit: int = 80) -> str:
    """`value` as one line of at most `limit` characters (messages as `kind: text → tool(args)`)."""
    text = " ".join(_one_line(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(value: Any) -> str:
    if _is_message(value):
        text = f"{value.type}: {value.text!r}" if value.text else f"{value.type}:"
        calls = getattr(value, "tool_calls", None) or []
        if calls:
            text += " → " + ", ".join(f"{c.get('name')}({_args(c.get('args'))})" for c in calls)
        return text
    if isinstance(value, list) and value and all(_is_message(v) for v in value):
        return "[" + ", ".join(_one_line(v) for v in value) + "]"
    return repr(value)


def _args(args: Any) -> str:
    if isinstance(args, dict):
        return ", ".join(f"{k}={v!r}" for k, v in args.items())
    return repr(args)


def _is_message(value: Any) -> bool:
    # Duck-typed so that this module does not import wfkit.messages (and works for look-alike messages).
    return hasattr(value, "content") and isinstance(getattr(value, "type", None), str) and hasattr(value, "text")


def _fields(value: Any) -> dict | None:
    """A pydantic model's or dataclass's fields as a dict, else None."""
    if not isinstance(value, type) and hasattr(type(value), "model_fields"):
        return {name: getattr(value, name) for name in type(value).model_fields}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return None


# -- HTML views of a value ---------------------------------------------------------------------------------

def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def value_html(value: Any, depth: int = 0) -> str:
    """`value` as HTML: dicts and models as key/value tables, lists as numbered lists, messages as one
    tagged line each, long strings cut at `MAX_TEXT` characters."""
    if depth > MAX_DEPTH:
        return f'<code>{esc(short(value))}</code>'
    if _is_message(value):
        return _message_html(value)
    fields = _fields(value)
    if isinstance(value, dict) or fields is not None:
        items = list((value if isinstance(value, dict) else fields).items())
        if not items:
            return "<code>{}</code>"
        rows = "".join(f'<tr><th style="text-align:left;vertical-align:top;padding:1px 8px 1px 0">{esc(k)}</th>'
                       f'<td style="padding:1px 0">{value_html(v, depth + 1)}</td></tr>'
                       for k, v in items[:MAX_ITEMS])
        title = "" if fields is None else f'<div style="color:#777777">{esc(type(value).__name__)}</div>'
        return f'{title}<table class="wf-value-table">{rows}</table>{_more(len(items))}'
    if isinstance(value, (list, tuple)) and value:
        items = "".join(f"<li>{value_html(v, depth + 1)}</li>" for v in value[:MAX_ITEMS])
        return f'<ol start="0" style="margin:0;padding-left:2.2em">{items}</ol>{_more(len(value))}'
    if isinstance(value, str):
        cut = value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + f"… ({len(value) - MAX_TEXT} more characters)"
        return f'<span style="white-space:pre-wrap">{esc(cut)}</span>'
    return f'<code>{esc(repr(value))}</code>'


def _more(count: int) -> str:
    return f'<div style="color:#777777">… {count - MAX_ITEMS} more</div>' if count > MAX_ITEMS else ""


def _message_html(message: Any) -> str:
    calls = getattr(message, "tool_calls", None) or []
    body = f'<span style="white-space:pre-wrap">{esc(message.text)}</span>' if message.text else ""
    if calls:
        body += "".join(f'<div><code>→ {esc(c.get("name"))}({esc(_args(c.get("args")))})</code></div>'
                        for c in calls)
    return (f'<div class="wf-message"><span style="display:inline-block;min-width:3.5em;color:#555555;'
            f'font-weight:bold">{esc(message.type)}</span> {body}</div>')


def diff_html(old: Any, new: Any) -> str:
    """What changed from `old` to `new`: a list that grew by appending shows only the new items (with how
    many were kept); anything else shows `old → new`."""
    if isinstance(old, list) and isinstance(new, list) and len(new) > len(old) and new[: len(old)] == old:
        kept = f'<span style="color:#777777">{len(old)} kept, </span>' if old else ""
        added = len(new) - len(old)
        return (f'<div class="wf-diff">{kept}<b>+{added} appended</b>'
                f"{value_html(new[len(old):])}</div>")
    return (f'<div class="wf-diff"><div class="wf-old" style="text-decoration:line-through;color:#9a3b3b">'
            f'{value_html(old)}</div><div class="wf-new" style="color:#1f5f2a">→ {value_html(new)}</div></div>')


def diff_text(old: Any, new: Any) -> str:
    """One line for the text summary: `+2 appended: …` or `old → new`."""
    if isinstance(old, list) and isinstance(new, list) and len(new) > len(old) and new[: len(old)] == old:
        return f"+{len(new) - len(old)} appended: {short(new[len(old):], 60)}"
    return f"{short(old, 40)} → {short(new, 40)}"


def state_table_html(values: Any, before: Any, updated: tuple[str, ...]) -> str:
    """The state as a table, one row per key; the keys in `updated` highlighted with old → new."""
    if not isinstance(values, dict):
        return f'<div class="wf-state-table">{value_html(values)}</div>'
    rows = []
    for key, value in values.items():
        if key in updated:
            old = before.get(key) if isinstance(before, dict) else None
            cell = diff_html(old, value) if isinstance(before, dict) and key in before else value_html(value)
            rows.append(f'<tr class="wf-changed" data-key="{esc(key)}" style="background-color:#fff4d6">'
                        f'<th style="text-align:left;vertical-align:top;padding:2px 8px">{esc(key)} ✎</th>'
                        f'<td style="padding:2px 4px">{cell}</td></tr>')
        else:
            rows.append(f'<tr data-key="{esc(key)}"><th style="text-align:left;vertical-align:top;'
                        f'padding:2px 8px">{esc(key)}</th><td style="padding:2px 4px">{value_html(value)}</td></tr>')
    return f'<table class="wf-state-table" style="border-collapse:collapse;width:100%">{"".join(rows)}</table>'


def section(title: str, body: str, css_class: str) -> str:
    return (f'<div class="{css_class}" style="margin:6px 0"><div style="font-weight:bold;border-bottom:1px solid '
            f'#e0e0e0;margin-bottom:3px">{esc(title)}</div>{body}</div>')


# -- markdown ----------------------------------------------------------------------------------------------

def payload_html(payload: Any) -> str:
    """An interrupt's payload: text as markdown, anything else as a table or tree."""
    if isinstance(payload, str):
        return f'<div class="wf-payload wf-markdown">{markdown_html(payload)}</div>'
    return f'<div class="wf-payload">{value_html(payload)}</div>'


# -- errors ------------------------------------------------------------------------------------------------

def traceback_text(error: BaseException, hide_internal: bool = True) -> str:
    """The traceback of `error` with its notes (the engine adds which node and superstep). Frames of wfkit
    itself and of the stdlib's asyncio/thread plumbing are left out, so the node's own code stands out; when
    nothing else is left (the error is wfkit's own), everything is shown."""
    report = traceback.TracebackException(type(error), error, error.__traceback__, compact=True)
    if hide_internal:
        seen = set()
        part: traceback.TracebackException | None = report
        while part is not None and id(part) not in seen:  # the chain of causes, each trimmed the same way
            seen.add(id(part))
            kept = [frame for frame in part.stack if not _internal(frame.filename)]
            if kept:
                part.stack = traceback.StackSummary.from_list(kept)
            part = part.__cause__ or (None if part.__suppress_context__ else part.__context__)
    text = "".join(report.format())
    notes = [str(note) for note in getattr(error, "__notes__", ())]
    if notes and not text.endswith(notes[-1] + "\n"):  # Python 3.10 prints no notes (unless patched)
        text += "".join(f"{note}\n" for note in notes)
    return text


def _internal(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_WFKIT_DIR) or any(path.startswith(d) for d in _PLUMBING)


_WFKIT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_PLUMBING = tuple(os.path.join(sysconfig.get_paths()["stdlib"], name)
                  for name in ("asyncio" + os.sep, "concurrent" + os.sep, "threading.py", "contextvars"))


def error_html(title: str, error: BaseException) -> str:
    return (f'<div class="wf-error-box" style="border:1px solid #c62828;background-color:#fff0f0;border-radius:4px;'
            f'padding:6px"><div style="color:#7f1010;font-weight:bold">{esc(title)}</div>'
            f'<pre style="white-space:pre-wrap;margin:4px 0 0 0;{_MONO}">{esc(traceback_text(error))}</pre></div>')


# -- a static picture of text ------------------------------------------------------------------------------

def text_card_svg(title: str, lines: list[str], width: int = 640) -> str:
    """A plain SVG card with a title and lines of text: what a widget without a live front end shows."""
    line_height, top = 18, 30
    height = top + line_height * len(lines) + 12
    texts = "".join(f'<text x="12" y="{top + 14 + i * line_height}" font-size="12">{esc(line)}</text>'
                    for i, line in enumerate(lines))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="Helvetica,Arial,sans-serif">'
            f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="6" fill="#ffffff" '
            f'stroke="#6e5ec8"/><text x="12" y="20" font-size="13" font-weight="bold">{esc(title)}</text>'
            f"{texts}</svg>")
