"""In a real browser, offline (issue 32, items 6, 11, 12): an exported run replays with its step buttons,
the timeline and the arrow keys; a Compare snapshot shows both pictures and the diverging row. Every
http(s) request is refused and none is made. Screenshots go to test-artifacts/."""

import re

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.widgets.conftest import loop_app  # noqa: F401  (the fixture: notebook 06's shape)
from wfkit.widgets import Compare, export_html

pytestmark = pytest.mark.browser


@pytest.fixture
def offline_page(browser_context):
    page = browser_context.new_page()
    asked = []
    page.route(re.compile(r"^https?://"), lambda route: (asked.append(route.request.url), route.abort()))
    page.asked = asked
    yield page
    page.close()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_exported_run_replays_step_by_step(loop_app, offline_page, tmp_path):
    run = loop_app.start({"topic": "cats"})
    run.run()
    path = export_html(run, tmp_path / "run.html")
    page = offline_page
    page.goto(path.as_uri(), wait_until="load")
    position = page.locator("#wf-position")
    assert position.inner_text() == "step 6 · evaluate (7 of 7)"
    assert page.locator("#wf-next").is_disabled() and page.locator("#wf-last").is_disabled()
    shot(page, "export-last-step")
    page.click("#wf-first")
    assert position.inner_text() == "step 0 · input (1 of 7)"
    assert page.locator("#wf-prev").is_disabled()
    assert " ".join(page.locator("#wf-state").inner_text().split()) == "topic cats"
    page.click("#wf-next")
    page.click("#wf-next")
    page.click("#wf-next")
    assert position.inner_text() == "step 3 · generate (4 of 7)"
    assert page.locator("#wf-picture svg g.node.wf-current > title").text_content() == "generate"
    assert page.locator("#wf-picture svg g.edge.wf-taken > title").text_content() == "evaluate:e->generate:e"
    assert page.locator("#wf-timeline li.wf-selected").inner_text() == "step 3 · generate"
    assert "joke 2 about cats" in page.locator("#wf-state").inner_text()
    shot(page, "export-step-3")
    page.keyboard.press("ArrowLeft")
    assert position.inner_text() == "step 2 · evaluate (3 of 7)"
    page.locator("#wf-timeline li").nth(5).click()
    assert position.inner_text() == "step 5 · generate (6 of 7)"
    assert page.asked == []


def test_a_compare_snapshot_shows_both_pictures_and_where_they_diverge(loop_app, offline_page, tmp_path):
    run = loop_app.start({"topic": "cats"})
    run.run()
    first_try = run.checkpoint_id
    run.goto(2)
    run.edit({"n": 5})
    run.run()
    html = Compare((run, first_try), run, labels=("first try", "edited"))._repr_mimebundle_()["text/html"]
    path = tmp_path / "compare.html"
    path.write_text(f"<!DOCTYPE html><html><body>{html}</body></html>", encoding="utf-8")
    page = offline_page
    page.goto(path.as_uri(), wait_until="load")
    assert page.locator(".wf-compare-static svg").count() == 2
    row = page.locator("tr.wf-diverges")
    assert " ".join(row.inner_text().split()).startswith("3 diverges here step 3 · generate step 2 · edited n")
    shot(page, "compare-snapshot")
    assert page.asked == []
