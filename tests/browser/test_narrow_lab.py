"""The Debugger on a narrow screen (issue 32, item 9): at 1024 px with JupyterLab's file browser open, every
button shows its whole label (no "…"), the legend takes at most two lines, and a set breakpoint is red."""

import pytest

from tests.browser.test_debugger_lab import AGENT, DEBUGGER

pytestmark = pytest.mark.browser

# (label, clipped?) of each button of the Debugger: clipped when the label needs more room than it has
BUTTONS_JS = """() => [...document.querySelectorAll(
    '.wf-debugger .wf-step, .wf-debugger .wf-run, .wf-debugger .wf-stop, .wf-debugger .wf-back,'
    + ' .wf-debugger .wf-reset, .wf-debugger .wf-show-all, .wf-debugger .wf-breakpoint, .wf-debugger .wf-goto')]
  .map(b => [b.innerText.trim(), b.scrollWidth > b.clientWidth])"""


def test_a_narrow_page_keeps_labels_and_a_compact_legend(lab):
    lab.page.set_viewport_size({"width": 1024, "height": 900})
    lab.open_and_run(lab.write_notebook("narrow.ipynb", [AGENT, DEBUGGER]))
    lab.page.evaluate("window.jupyterapp.commands.execute('filebrowser:activate')")
    lab.page.locator(".jp-FileBrowser").wait_for(state="visible")
    lab.status("step 0 · paused; next: llm_call")
    notebook_width = lab.page.locator(".jp-NotebookPanel").first.bounding_box()["width"]
    assert notebook_width < 800  # the file browser takes its share of the 1024 px

    assert lab.page.evaluate(BUTTONS_JS) == [
        ["Step", False], ["Run", False], ["Stop", False], ["Back", False], ["Reset", False], ["Show all", False],
        ["llm_call", False], ["tool_node", False], ["Go to this step", False]]
    row = lab.page.locator(".wf-debugger .wf-legend > div").first
    line = row.locator(".wf-legend-item").first.bounding_box()["height"]
    assert row.bounding_box()["height"] <= 2 * line + 4  # was six lines: one per state

    toggle = lab.page.locator(".wf-debugger .wf-breakpoint", has_text="tool_node")
    toggle.click()
    lab.page.wait_for_function("() => document.querySelector('.wf-breakpoint.mod-danger') !== null")
    red, green, blue = toggle.evaluate(
        "el => getComputedStyle(el).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)")
    assert red > 150 and green < 100 and blue < 100, (red, green, blue)
    idle = lab.page.locator(".wf-debugger .wf-breakpoint", has_text="llm_call")
    assert idle.evaluate("el => el.classList.contains('mod-danger')") is False
    assert toggle.locator("i.fa-circle").count() == 1
    lab.shot("narrow", "1024px-file-browser-open")
