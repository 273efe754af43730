"""The saved notebooks read in a real browser with no kernel and no network: each exported by nbconvert
(what nbviewer serves), opened from file:// in headless Chromium with every http(s) request refused, and
the Debugger's status, timeline, state and graph (with its marks), and the review card, visible on the page."""

import re

import pytest

from tests.notebooks.static_render import export_html, widget_outputs
from tests.notebooks.test_notebooks import NOTEBOOKS

pytestmark = pytest.mark.browser


@pytest.fixture
def offline_page(browser_context):
    page = browser_context.new_page()
    page.route(re.compile(r"^https?://"), lambda route: route.abort())
    yield page
    page.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_widget_is_readable_from_a_file_url_offline(notebook, offline_page, tmp_path):
    page = offline_page
    path = tmp_path / f"{notebook.stem}.html"
    path.write_text(export_html(notebook), encoding="utf-8")
    page.goto(path.as_uri(), wait_until="load")

    debuggers = page.locator(".wf-debugger-static")
    saved = [line for kind, line in widget_outputs(notebook) if kind == "debugger"]
    assert debuggers.count() == len(saved)
    for index, summary in enumerate(saved):
        box = debuggers.nth(index)
        box.scroll_into_view_if_needed()
        assert box.is_visible()
        shown = " ".join(box.inner_text().split())
        assert shown.startswith("saved view of a Debugger: run the notebook to step it " + summary.split(": ", 1)[1])
        assert "Timeline" in shown and "step 0 · input" in shown
        assert re.search(r"State (after step \d+|at the input)", shown)
        marked = box.locator("svg g.node.wf-current, svg g.node.wf-visited, svg g.node.wf-next")
        assert marked.count() >= 1
        picture = box.locator("svg").first.bounding_box()
        assert picture is not None and picture["width"] > 50 and picture["height"] > 50
        titles = box.locator("svg g.node > title").evaluate_all("els => els.map(e => e.textContent)")
        assert "__start__" in titles and "__end__" in titles
    for review in page.locator(".wf-review-static").all():
        assert review.is_visible() and "interrupt 1 of" in review.inner_text()
    # Whatever the page asked of the network (nbconvert's template links a CDN) was refused, and still
    # everything above was shown.
