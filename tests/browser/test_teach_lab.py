"""In JupyterLab in Chromium (issue 32, items 3 and 5): after Run All, what a learner is meant to click
still waits (notebook 08's review, a standalone ReviewPanel after Reject), and Back then Step walks the
stored branch forward without forking. Screenshots go to test-artifacts/."""

import shutil
import textwrap

import pytest

from tests.browser.conftest import ARTIFACTS, KERNEL_IDLE_JS, TOKEN
from tests.browser.test_debugger_lab import AGENT, DEBUGGER
from tests.notebooks.test_notebooks import NOTEBOOK_DIR

pytestmark = pytest.mark.browser

LOOPING_REVIEW = textwrap.dedent('''
    from typing import TypedDict

    from wfkit import END, START, StateGraph, interrupt
    from wfkit.widgets import ReviewPanel


    class Doc(TypedDict):
        draft: str
        verdict: bool


    def review(state):
        return {"verdict": interrupt(f"Publish **{state['draft']}**?")}


    builder = StateGraph(Doc)
    builder.add_node("review", review)
    builder.add_node("improve", lambda s: {"draft": s["draft"] + "!"})
    builder.add_edge(START, "review")
    builder.add_conditional_edges("review", lambda s: END if s["verdict"] else "improve", ["improve", END])
    builder.add_edge("improve", "review")
    run = builder.compile().start({"draft": "Cats knit."})
    run.run()
    panel = ReviewPanel(run)
    panel
''')


def open_and_run_all(lab, name: str, wait_for: str) -> None:
    page = lab.page
    page.goto(f"{lab.base}/lab/workspaces/{name.split('.')[0]}/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_function(KERNEL_IDLE_JS)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.locator(wait_for).first.wait_for(state="visible")
    page.wait_for_function(KERNEL_IDLE_JS)


def options(lab) -> list[str]:
    return [" ".join(o.split()) for o in lab.page.locator(".wf-timeline select option").all_inner_texts()]


def test_back_then_step_walks_the_stored_branch_without_forking(lab):
    lab.open_and_run(lab.write_notebook("forward.ipynb", [AGENT, DEBUGGER]))
    lab.page.locator(".wf-debugger .wf-run").click()
    lab.status("step 3 · finished")
    back = lab.page.locator(".wf-debugger .wf-back")
    back.click()
    lab.status("step 2 · paused; next: llm_call")
    back.click()
    lab.status("step 1 · paused; next: tool_node")
    assert options(lab) == ["step 0 · input", "▶ step 1 · llm_call", "step 2 · tool_node · ahead",
                            "step 3 · llm_call · ahead"]
    lab.shot("forward", "back-twice")

    lab.page.locator(".wf-debugger .wf-step").click()
    lab.status("step 2 · paused; next: llm_call")
    assert options(lab) == ["step 0 · input", "step 1 · llm_call", "▶ step 2 · tool_node",
                            "step 3 · llm_call · ahead"]
    lab.page.locator(".wf-debugger .wf-step").click()
    lab.status("step 3 · finished")
    assert options(lab) == ["step 0 · input", "step 1 · llm_call", "step 2 · tool_node", "▶ step 3 · llm_call"]
    assert lab.kernel_print("print(len(dbg.run.history), dbg.watcher.lines[-1])") == (
        "3 forward to step 3, stored on this branch (nothing ran again)\n")
    lab.shot("forward", "walked-forward")


def test_a_standalone_review_panel_after_reject_offers_the_next_question(lab):
    open_and_run_all(lab, lab.write_notebook("reject.ipynb", [LOOPING_REVIEW]), ".wf-review")
    review = lab.page.locator(".wf-review")
    assert lab.text(".wf-review .wf-payload") == "Publish Cats knit.?"
    review.locator(".wf-reject").click()
    lab.page.locator(".wf-review .wf-payload", has_text="Publish Cats knit.!?").wait_for()
    assert lab.text(".wf-review-status") == ("resumed, and the run paused again: it waits for an answer to "
                                             "the new interrupt above")
    approve = review.locator(".wf-approve")
    assert approve.count() == 1 and approve.is_enabled()
    lab.page.locator(".wf-review").first.evaluate("el => el.scrollIntoView({block: 'start'})")
    ARTIFACTS.mkdir(exist_ok=True)
    lab.page.screenshot(path=str(ARTIFACTS / "reject-asks-again.png"))
    approve.click()
    lab.page.locator(".wf-review-status", has_text="resumed: the run is done").wait_for()
    assert lab.kernel_print("print(run.state)") == "{'draft': 'Cats knit.!', 'verdict': True}\n"


def test_after_run_all_notebook_08s_review_still_waits_for_the_learner(lab):
    shutil.copy(NOTEBOOK_DIR / "08_human_review.ipynb", lab.root / "08_human_review.ipynb")
    open_and_run_all(lab, "08_human_review.ipynb", ".wf-debugger")
    lab.page.wait_for_function(
        "() => [...document.querySelectorAll('.wf-status')].some(e => e.innerText.includes('waiting for 1 answer'))")
    statuses = [" ".join(t.split()) for t in lab.page.locator(".wf-debugger .wf-status").all_inner_texts()]
    assert statuses[0] == "step 2 · waiting for 1 answer(s)"  # the main demo: nothing answered it
    submit = lab.page.locator(".wf-debugger").first.locator(".wf-review .wf-submit")
    assert submit.is_visible() and submit.is_enabled()
    panel = lab.page.locator(".wf-review").first  # the standalone ReviewPanel above it waits too
    assert panel.locator(".wf-approve").first.is_enabled()
    lab.shot("notebook-08", "still-waiting")
