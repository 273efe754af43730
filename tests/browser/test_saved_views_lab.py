"""A notebook saved in JupyterLab keeps each wfkit widget's last view (issue 32, item 1): Run All, Step twice,
mark a GraphView from a later cell, save, then reopen with a new kernel and run nothing. The reopened page
shows the Debugger at step 2 and the marked graph (never "Error displaying widget: model not found"), and
the saved file reads the same in nbconvert with no kernel and no network. The Lab fixture installs what
`pip install wfkit` installs (jupyter-config/): the server's pre-save hook and Lab's saveState setting."""

import re

import nbformat
import pytest

from tests.browser.conftest import KERNEL_IDLE_JS, TOKEN
from tests.browser.test_debugger_lab import AGENT, DEBUGGER
from tests.notebooks.static_render import WIDGET_VIEW, export_html, snapshots, visible_text

pytestmark = pytest.mark.browser

GRAPH = "from wfkit.widgets import GraphView\n\nview = GraphView(agent)\nview"
MARK = 'view.mark(current="tool_node", visited=["__start__", "llm_call"])'
SAVE_JS = "async () => { await window.jupyterapp.commands.execute('docmanager:save'); }"


def test_a_saved_notebook_reopens_with_each_widgets_last_view(lab, tmp_path):
    name = lab.write_notebook("saved.ipynb", [AGENT, DEBUGGER, GRAPH, MARK])
    lab.open_and_run(name)
    lab.page.locator(".wf-graph-view").nth(1).wait_for()  # the standalone GraphView drew too
    step = lab.page.locator(".wf-debugger .wf-step")
    lab.status("step 0 · paused; next: llm_call")
    step.click()
    lab.status("step 1 · paused; next: tool_node")
    step.click()
    lab.status("step 2 · paused; next: llm_call")
    lab.page.wait_for_function(KERNEL_IDLE_JS)
    lab.page.evaluate(SAVE_JS)

    saved = nbformat.read(lab.root / name, as_version=4)
    outputs = [o for cell in saved["cells"] for o in cell.get("outputs", []) if "data" in o]
    assert [WIDGET_VIEW in o["data"] for o in outputs] == [False, False]
    assert "widgets" not in saved["metadata"]
    debugger_html, graph_html = (o["data"]["text/html"] for o in outputs)
    assert visible_text(debugger_html).startswith(
        "saved view of a Debugger: run the notebook to step it step 2 · paused; next: llm_call")
    assert re.search(r'<g id="node\d+" class="node wf-current">\s*<title>tool_node</title>', graph_html)

    # Reopen: the kernel is gone (a new one starts, with none of the widgets' models) and nothing runs.
    lab.page.evaluate("async () => { await window.jupyterapp.shell.currentWidget.sessionContext.shutdown(); }")
    lab.page.goto(f"{lab.base}/lab/workspaces/saved-again/tree/{name}?reset&token={TOKEN}")
    lab.page.wait_for_selector(".jp-Notebook .jp-Cell")
    box = lab.page.locator(".jp-OutputArea-output .wf-debugger-static")
    box.wait_for(state="visible")
    assert " ".join(box.inner_text().split()).startswith(
        "saved view of a Debugger: run the notebook to step it step 2 · paused; next: llm_call")
    assert box.locator("li", has_text="▶ step 2 · tool_node").count() == 1
    marked = lab.page.locator(".wf-graph-static svg g.node.wf-current > title").evaluate_all(
        "els => els.map(e => e.textContent)")
    assert marked == ["tool_node"]
    assert lab.page.get_by_text("Error displaying widget").count() == 0
    box.evaluate("el => el.scrollIntoView({block: 'start'})")
    lab.page.screenshot(path=str(lab.shot_path("saved", "reopened")))

    # ...and static renderers show the same last view, offline.
    page = export_html(lab.root / name)
    assert visible_text(snapshots(page, "debugger")[0]).startswith(
        "saved view of a Debugger: run the notebook to step it step 2 · paused; next: llm_call")
