"""The pure rendering helpers: one-line text, diffs, safe markdown, trimmed tracebacks, the SVG text card."""

import xml.etree.ElementTree as ET

from pydantic import BaseModel

from wfkit.messages import AIMessage, HumanMessage, ToolMessage
from wfkit.errors import add_note
from wfkit.widgets._format import (diff_html, diff_text, markdown_html, payload_html, short, state_table_html,
                                   text_card_svg, traceback_text, value_html)

CALL = {"name": "add", "args": {"a": 3, "b": 4}, "id": "call_1", "type": "tool_call"}


def test_short_shows_messages_as_kind_text_and_tool_calls():
    messages = [HumanMessage(content="Add 3 and 4."), AIMessage(content="", tool_calls=[CALL]),
                ToolMessage(content="7", tool_call_id="call_1")]
    assert short(messages, 200) == "[human: 'Add 3 and 4.', ai: → add(a=3, b=4), tool: '7']"
    assert short("x" * 100, 10) == "'xxxxxxxx…"


def test_a_list_that_grew_shows_only_the_appended_items(text_of):
    old, new = [HumanMessage(content="hi")], [HumanMessage(content="hi"), AIMessage(content="hello")]
    assert diff_text(old, new) == "+1 appended: [ai: 'hello']"
    assert text_of(diff_html(old, new)) == "1 kept, +1 appended ai hello"
    assert diff_text(1, 2) == "1 → 2"
    assert text_of(diff_html("cats", "dogs")) == "cats → dogs"


def test_state_table_highlights_changed_keys_only(text_of):
    table = state_table_html({"n": 2, "log": ["first"]}, {"n": 1, "log": ["first"]}, ("n",))
    assert table.count('class="wf-changed"') == 1
    assert 'class="wf-changed" data-key="n"' in table
    assert text_of(table) == "n ✎ 1 → 2 log first"


def test_markdown_is_rendered_and_raw_html_stays_text():
    assert markdown_html("Is **B** fine?") == "<p>Is <strong>B</strong> fine?</p>"
    assert markdown_html('<img src=x onerror="alert(1)">') == '<p>&lt;img src=x onerror="alert(1)"&gt;</p>'
    # A link to anything but http, https or mailto is not made: its text stays as it was typed.
    assert markdown_html("[click](javascript:alert(1))") == "<p>[click](javascript:alert(1))</p>"
    assert markdown_html("[ok](https://example.com)") == (
        '<p><a href="https://example.com" rel="noopener noreferrer nofollow">ok</a></p>')


def test_payload_dicts_and_models_become_tables(text_of):
    class Draft(BaseModel):
        title: str
        words: int

    assert text_of(payload_html({"question": "Publish?", "draft": "cats"})) == "question Publish? draft cats"
    assert text_of(value_html(Draft(title="Cats", words=3))) == "Draft title Cats words 3"
    assert "<script>" not in value_html({"<script>": "<script>alert(1)</script>"})


def test_tracebacks_hide_wfkit_and_asyncio_frames():
    def node():
        raise ValueError("bad input")

    try:
        node()
    except ValueError as error:
        add_note(error, "while running node `x` in superstep 2")  # (error.add_note from Python 3.11 on)
        text = traceback_text(error)
    assert text.startswith("Traceback (most recent call last):\n")
    assert text.endswith("ValueError: bad input\nwhile running node `x` in superstep 2\n")
    assert "in node" in text


def test_text_card_is_an_svg_with_one_text_per_line():
    svg = text_card_svg("Title <1>", ["a & b", "c"])
    root = ET.fromstring(svg)
    assert [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")] == ["Title <1>", "a & b", "c"]


def test_appended_items_are_numbered_by_their_index_in_the_list():
    old = [HumanMessage(content="a"), AIMessage(content="b"), HumanMessage(content="c")]
    new = [*old, AIMessage(content="d")]
    assert '<ol class="wf-chat" start="3" ' in diff_html(old, new)  # messages[3], not "0."
    assert '<ol start="2" ' in diff_html([1, 2], [1, 2, 3]) and '<ol start="0" ' in value_html([5])


def test_a_messages_list_is_a_chat_with_roles_tool_calls_and_tool_results(text_of):
    from wfkit.messages import SystemMessage

    chat = [SystemMessage(content="You do arithmetic."), HumanMessage(content="Add 3 and 4."),
            AIMessage(content="", tool_calls=[CALL]), ToolMessage(content="7", tool_call_id="call_1")]
    shown = value_html(chat)
    assert shown.startswith('<ol class="wf-chat" start="0" ')
    assert text_of(shown) == "system You do arithmetic. human Add 3 and 4. ai → add(a=3, b=4) tool ← call_1 7"
    assert '<div title="tool call call_1"><code>→ add(a=3, b=4)</code></div>' in shown
