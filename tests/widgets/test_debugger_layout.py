"""The Debugger on a narrow page (issue 32, item 9), without a browser: its buttons keep their labels (as wide
as the label, never shrunk by their row, which wraps instead) and a set breakpoint stands out (red, with a
dot). tests/browser/test_narrow_lab.py looks at it at 1024 px in Chromium."""

from wfkit.widgets import Debugger


def test_buttons_keep_their_labels_and_the_toolbar_wraps(agent, question):
    debugger = Debugger(agent, question)
    toolbar = debugger.children[0]
    assert toolbar.layout.flex_flow == "row wrap"
    buttons = [debugger.step_button, debugger.run_button, debugger.stop_button, debugger.back_button,
               debugger.reset_button, debugger.show_all, debugger.goto_button, *debugger.breakpoint_toggles.values()]
    assert [(b.layout.width, b.layout.min_width, b.layout.flex) for b in buttons] == (
        [("auto", "max-content", "0 0 auto")] * len(buttons))
    assert (debugger.status.layout.flex, debugger.status.layout.min_width) == ("1 1 18em", "12em")


def test_a_set_breakpoint_is_red_with_a_dot(agent, question):
    debugger = Debugger(agent, question)
    toggle = debugger.breakpoint_toggles["tool_node"]
    assert (toggle.value, toggle.button_style, toggle.icon) == (False, "", "")
    toggle.value = True  # what a click does
    assert debugger.run.breakpoints == {"tool_node"}
    assert (toggle.button_style, toggle.icon) == ("danger", "circle")
    toggle.value = False
    assert (debugger.run.breakpoints, toggle.button_style, toggle.icon) == (set(), "", "")
    assert debugger.breakpoint_toggles["llm_call"].button_style == ""
