"""Rendering values for the widgets: one-line text, HTML trees and tables, old → new diffs, safe markdown,
tracebacks, and a small SVG text card for front ends without widgets.

Pure string building, no ipywidgets import, so every function is unit-tested on its output. Everything that
comes from a run (state values, node output, interrupt payloads, model text) is untrusted: it is
HTML-escaped here, markdown is rendered with raw HTML switched off, and the widgets clean every string
once more with `_sanitize.safe_html` before the browser sees it.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import html
import itertools
import os
import reprlib
import sysconfig
import traceback
from typing import Any

from wfkit._secrets import redact
from wfkit.widgets._sanitize import markdown_html

MAX_ITEMS = 50  # list items / dict keys shown before "… N more"
MAX_TEXT = 20_000  # characters of one text (a string, a payload, an error) shown before "… N more characters"
MAX_VIEW = 40_000  # about the characters of HTML one value's view may take; past it, "… N more not shown"
MAX_DEPTH = 6  # levels of nesting drawn as tables and lists; deeper ones are "… deeper levels not shown"
_ITEM_COST = 80  # what one table row or list item adds to a view, counted against MAX_VIEW

# Shown in full (no MAX_TEXT / MAX_VIEW cut) while `showing_all()` is on: a live widget's "Show all".
_full = contextvars.ContextVar("wfkit_widgets_full", default=False)


@contextlib.contextmanager
def showing_all(on: bool = True):
    """Within it, texts and views are not cut (what a live widget shows when asked to show everything)."""
    token = _full.set(on)
    try:
        yield
    finally:
        _full.reset(token)


def cut_text(text: str, limit: int = MAX_TEXT) -> tuple[str, int]:
    """`text` redacted, and its first `limit` characters (all of them while `showing_all()`), with how many
    more there were."""
    text = redact(text)
    if _full.get() or len(text) <= limit:
        return text, 0
    return text[:limit], len(text) - limit


def more_chars_html(count: int) -> str:
    """The note after a text cut by `cut_text`."""
    return (f'<div class="wf-cut" style="color:#777777">… {count:,} more characters (a live widget shows '
            f"them with Show all)</div>" if count else "")

_MONO = "font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:12px"


# -- one line of text --------------------------------------------------------------------------------------

def short(value: Any, limit: int = 80) -> str:
    """`value` as one line of at most `limit` characters (messages as `kind: text → tool(args)`), secrets
    redacted; a value of any size or depth takes time and memory in proportion to `limit` only."""
    text = " ".join(redact(_one_line(value, limit + _MAX_SECRET))[: limit + _MAX_SECRET].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MAX_SECRET = 200  # read past the cut, so that a key cut at the limit is still recognised and redacted


class _BriefRepr(reprlib.Repr):
    """`repr`, bounded in depth, items and length (so a huge or 2,000-level value is cheap and cannot
    overflow the stack), with dicts in their own order rather than sorted."""

    def __init__(self, length: int) -> None:
        super().__init__()
        self.maxlevel, self.maxlist, self.maxtuple, self.maxdict, self.maxset = 30, 60, 60, 60, 60
        self.maxstring = self.maxlong = self.maxother = length

    def repr_dict(self, x: dict, level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        pieces = [f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}"
                  for k, v in itertools.islice(x.items(), self.maxdict)]
        return "{" + ", ".join(pieces + (["..."] if len(x) > self.maxdict else [])) + "}"

    def repr_str(self, x: str, level: int) -> str:
        return repr(x[: self.maxstring])  # the start only: the line is cut at the end anyway


def brief_repr(value: Any, length: int) -> str:
    """`repr(value)`, its first `length` characters or so, safe for any size and depth."""
    try:
        return _BriefRepr(length).repr(value)
    except RecursionError:  # a custom __repr__ that recurses without end
        return f"<{type(value).__name__}: too deeply nested to show>"


def _one_line(value: Any, length: int = 200) -> str:
    if _is_message(value):
        text = f"{value.type}: {value.text[:length]!r}" if value.text else f"{value.type}:"
        calls = getattr(value, "tool_calls", None) or []
        if calls:
            text += " → " + ", ".join(f"{c.get('name')}({_args(c.get('args'))})" for c in calls)
        return text
    if isinstance(value, list) and value and all(_is_message(v) for v in value[:60]):
        return "[" + ", ".join(_one_line(v, length) for v in value[:60]) + "]"
    return brief_repr(value, length)


def _args(args: Any) -> str:
    if isinstance(args, dict):
        return ", ".join(f"{k}={brief_repr(v, 200)}" for k, v in itertools.islice(args.items(), 60))
    return brief_repr(args, 200)


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
    """`text` redacted (`wfkit._secrets`) and HTML-escaped."""
    return html.escape(redact(str(text)), quote=True)


def value_html(value: Any, depth: int = 0, start: int = 0) -> str:
    """`value` as HTML: dicts and models as key/value tables, lists as lists numbered by their index (from
    `start`: the index of the first item shown, for the tail of a longer list), a list of messages as a
    chat (role, text, tool calls, tool results), long strings cut at `MAX_TEXT` characters, levels past
    `MAX_DEPTH` left out, and the whole view kept to about `MAX_VIEW` characters (none of these cuts while
    `showing_all()`)."""
    return _Values().html(value, depth, start)


class _Values:
    """One value's view, with what it may still take of `MAX_VIEW`."""

    def __init__(self) -> None:
        self.left = float("inf") if _full.get() else MAX_VIEW

    def html(self, value: Any, depth: int, start: int = 0) -> str:
        out = self._html(value, depth, start)
        self.left -= len(out)
        return out

    def _items(self, pairs: list, count: int, depth: int, row: Any) -> tuple[str, str]:
        """The rows of a table or list, as many as `MAX_ITEMS` and the budget allow, and the note on the rest."""
        shown = []
        for k, v in pairs[:MAX_ITEMS]:
            if self.left <= 0:
                break
            self.left -= _ITEM_COST
            shown.append(row(k, self.html(v, depth + 1)))
        rest = count - len(shown)
        if not rest:
            return "".join(shown), ""
        return "".join(shown), f'<div class="wf-more" style="color:#777777">… {rest} more not shown</div>'

    def _html(self, value: Any, depth: int, start: int = 0) -> str:
        if _is_message(value):
            return _message_html(value)
        fields = _fields(value)
        container = isinstance(value, (dict, list, tuple)) or fields is not None
        if depth > MAX_DEPTH and container and len(value if fields is None else fields):
            return ('<span class="wf-deeper" style="color:#777777">… deeper levels not shown '
                    f'(<code>{esc(short(value, 60))}</code>)</span>')
        if isinstance(value, dict) or fields is not None:
            items = list((value if isinstance(value, dict) else fields).items())
            if not items:
                return "<code>{}</code>"
            rows, more = self._items(items, len(items), depth, lambda k, cell: (
                f'<tr><th style="text-align:left;vertical-align:top;padding:1px 8px 1px 0">{esc(k[:200] if isinstance(k, str) else short(k, 200))}'
                f'</th><td style="padding:1px 0">{cell}</td></tr>'))
            title = "" if fields is None else f'<div style="color:#777777">{esc(type(value).__name__)}</div>'
            return f'{title}<table class="wf-value-table">{rows}</table>{more}'
        if isinstance(value, (list, tuple)) and value:
            chat = all(_is_message(v) for v in value[:MAX_ITEMS])
            rows, more = self._items(list(enumerate(value[:MAX_ITEMS])), len(value), depth,
                                     lambda _, cell: f"<li>{cell}</li>")
            css = ' class="wf-chat"' if chat else ""
            return f'<ol{css} start="{start}" style="margin:0;padding-left:2.2em">{rows}</ol>{more}'
        # a text takes what is left of the view, and at least a line of it
        limit = MAX_TEXT if self.left >= MAX_TEXT else max(int(self.left), 200)
        if isinstance(value, str):
            return text_html(value, limit)
        return f'<code>{esc(short(value, limit))}</code>'


def text_html(text: str, limit: int = MAX_TEXT) -> str:
    """A string, its line breaks kept, cut at `limit` characters with a note on how many more there are."""
    shown, more = cut_text(text, limit)
    return f'<span style="white-space:pre-wrap">{esc(shown)}</span>{more_chars_html(more)}'


def _message_html(message: Any) -> str:
    calls = getattr(message, "tool_calls", None) or []
    body = text_html(message.text) if message.text else ""
    answered = getattr(message, "tool_call_id", None)
    if answered:  # a tool result: which call it answers (the `title` of that call's line says its id)
        body = (f'<code class="wf-tool-result" style="color:#555555">← {esc(str(answered)[:200])}</code> '
                + body)
    if calls:
        body += "".join(f'<div title="tool call {esc(str(c.get("id"))[:200])}"><code>→ {esc(str(c.get("name"))[:200])}'
                        f'({esc(redact(_args(c.get("args"))))})</code></div>' for c in calls[:MAX_ITEMS])
    return (f'<div class="wf-message"><span style="display:inline-block;min-width:3.5em;color:#555555;'
            f'font-weight:bold">{esc(message.type)}</span> {body}</div>')


def diff_html(old: Any, new: Any) -> str:
    """What changed from `old` to `new`: a list that grew by appending shows only the new items (with how
    many were kept); a list, dict, model or message of the same shape shows only the fields that changed
    (`[1] ai · tool_calls[0].args.a: 3 → 30`); anything else shows `old → new`."""
    if _appended(old, new):
        kept = f'<span style="color:#777777">{len(old)} kept, </span>' if old else ""
        added = len(new) - len(old)
        return (f'<div class="wf-diff">{kept}<b>+{added} appended</b>'
                f"{value_html(new[len(old):], start=len(old))}</div>")
    changes = field_changes(old, new)
    if changes:
        rows = "".join(f'<div class="wf-field-diff"><code>{esc(where)}</code>: <span class="wf-old" style='
                       f'"text-decoration:line-through;color:#9a3b3b">{esc(short(a, 120))}</span> → <span '
                       f'class="wf-new" style="color:#1f5f2a">{esc(short(b, 120))}</span></div>'
                       for where, a, b in changes)
        return f'<div class="wf-diff">{rows}</div>'
    return (f'<div class="wf-diff"><div class="wf-old" style="text-decoration:line-through;color:#9a3b3b">'
            f'{value_html(old)}</div><div class="wf-new" style="color:#1f5f2a">→ {value_html(new)}</div></div>')


_GONE = "(none)"
MAX_FIELD_CHANGES = 8  # more changed fields than this: the whole value is shown old → new


def field_changes(old: Any, new: Any, limit: int = MAX_FIELD_CHANGES) -> list[tuple[str, Any, Any]]:
    """The smallest changes from `old` to `new` as (where, old, new), `where` like `[1] ai · content`: only
    when both are containers (lists of the same length, dicts, models, messages) and at most `limit` leaves
    changed; else [] (show the whole value)."""
    if not (_container(old) and _container(new)):
        return []
    out: list[tuple[str, Any, Any]] = []
    try:
        if not _walk(old, new, "", out, limit, 0) or any(not where for where, _, _ in out):
            return []
    except RecursionError:
        return []
    return out


def _container(value: Any) -> bool:
    return isinstance(value, (dict, list, tuple)) or _fields(value) is not None or _is_message(value)


def _plain(value: Any) -> Any:
    """A message as its dict (without its type, which names it), a model or dataclass as its fields."""
    if _is_message(value) and hasattr(value, "to_dict"):
        return {k: v for k, v in value.to_dict().items() if k != "type"}
    fields = _fields(value)
    return fields if fields is not None else value


def _walk(old: Any, new: Any, where: str, out: list, limit: int, depth: int) -> bool:
    """Add the changed leaves under `where` to `out`; False when they do not fit `limit`."""
    if depth > MAX_DEPTH * 2:
        return False
    if _is_message(old) and _is_message(new) and old.type != new.type:
        out.append((where, old, new))
        return len(out) <= limit
    a, b = _plain(old), _plain(new)
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            step = f"{where}.{key}" if where and not where.endswith(" · ") else f"{where}{key}"
            if a.get(key, _GONE) != b.get(key, _GONE) and not _walk(a.get(key, _GONE), b.get(key, _GONE),
                                                                    step, out, limit, depth + 1):
                return False
        return True
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b)):
            if x == y:
                continue
            step = f"{where}[{index}]" + (f" {y.type} · " if _is_message(y) else "")
            if not _walk(x, y, step, out, limit, depth + 1):
                return False
        return True
    out.append((where.removesuffix(" · "), old, new))
    return len(out) <= limit


def _appended(old: Any, new: Any) -> bool:
    """Whether `new` is the list `old` with items appended."""
    if not (isinstance(old, list) and isinstance(new, list) and len(new) > len(old)):
        return False
    try:
        return new[: len(old)] == old
    except RecursionError:  # items nested thousands deep: shown as old → new instead
        return False


def diff_text(old: Any, new: Any) -> str:
    """One line for the text summary: `+2 appended: …` or `old → new`."""
    if _appended(old, new):
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
        shown, more = cut_text(payload)
        return f'<div class="wf-payload wf-markdown">{markdown_html(shown)}{more_chars_html(more)}</div>'
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
    shown, more = cut_text(traceback_text(error))
    return (f'<div class="wf-error-box" style="border:1px solid #c62828;background-color:#fff0f0;border-radius:4px;'
            f'padding:6px"><div style="color:#7f1010;font-weight:bold">{esc(title)}</div>'
            f'<pre style="white-space:pre-wrap;margin:4px 0 0 0;{_MONO}">{esc(shown)}</pre>{more_chars_html(more)}</div>')


# -- a static picture of text ------------------------------------------------------------------------------

def text_card_svg(title: str, lines: list[str], width: int = 640) -> str:
    """A plain SVG card with a title and lines of text: what a widget without a live front end shows."""
    line_height, top = 18, 30
    height = top + line_height * len(lines) + 12
    texts = "".join(f'<text x="12" y="{top + 14 + i * line_height}" font-size="12">{esc(redact(line))}</text>'
                    for i, line in enumerate(lines))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="Helvetica,Arial,sans-serif">'
            f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="6" fill="#ffffff" '
            f'stroke="#6e5ec8"/><text x="12" y="20" font-size="13" font-weight="bold">{esc(title)}</text>'
            f"{texts}</svg>")
