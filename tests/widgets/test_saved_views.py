"""Saved notebooks keep each widget's last view (issue 32, item 1), without a browser: a displayed widget keeps
its snapshot in a synced trait as it changes, and the server's pre-save hook moves the saved trait into the
output's text/html and drops the widget view and state. tests/browser/test_saved_views_lab.py saves and
reopens in a real JupyterLab."""

import copy
import json
import pathlib

from wfkit.widgets import Debugger, GraphView
from wfkit.widgets.saved_views import SAVED_VIEW, WIDGET_STATE, WIDGET_VIEW, keep_saved_views

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_a_displayed_debugger_keeps_its_snapshot_as_it_steps(agent, question, text_of):
    debugger = Debugger(agent, question)
    assert getattr(debugger, SAVED_VIEW) == ""  # not displayed yet: nothing computed, nothing sent
    bundle = debugger._repr_mimebundle_()
    assert getattr(debugger, SAVED_VIEW) == bundle["text/html"]
    debugger.step()
    debugger.step()
    saved = getattr(debugger, SAVED_VIEW)
    assert saved == debugger._repr_mimebundle_(include=["text/html"])["text/html"]
    assert text_of(saved).startswith("saved view of a Debugger: run the notebook to step it "
                                     "step 2 · paused; next: llm_call")
    assert SAVED_VIEW in debugger.keys  # synced: JupyterLab saves it with the widget state
    # the Debugger's own GraphView is never displayed by itself: it computes no snapshot of its own
    assert getattr(debugger.graph_view, SAVED_VIEW) == ""


def test_a_displayed_graph_view_keeps_its_marks(agent):
    view = GraphView(agent)
    view._repr_mimebundle_()
    view.mark(current="tool_node")
    assert 'class="node wf-current">\n<title>tool_node</title>' in getattr(view, SAVED_VIEW)


def _notebook(outputs: list[dict], states: dict) -> dict:
    return {"type": "notebook", "content": {
        "cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": outputs}],
        "metadata": {"widgets": {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": states}}}}}


def _output(model_id: str, html: str) -> dict:
    return {"output_type": "display_data", "metadata": {},
            "data": {WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": model_id},
                     "text/html": html, "text/plain": "Debugger of `agent`: step 0"}}


FIRST = '<div class="wf-static wf-debugger-static">step 0</div>'
LAST = '<div class="wf-static wf-debugger-static">step 2<script>alert(1)</script></div>'


def test_the_pre_save_hook_writes_each_widgets_last_view():
    model = _notebook([_output("a" * 32, FIRST)],
                      {"a" * 32: {"model_name": "VBoxModel", "state": {SAVED_VIEW: LAST}}})
    keep_saved_views(model, path="nb.ipynb")
    assert model["content"] == {
        "cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [
            {"output_type": "display_data", "metadata": {},
             "data": {"text/html": '<div class="wf-static wf-debugger-static">step 2</div>',  # cleaned
                      "text/plain": "Debugger of `agent`: step 0"}}]}],
        "metadata": {}}


def test_without_saved_state_the_hook_keeps_the_first_snapshot_and_drops_the_dead_view():
    model = _notebook([_output("b" * 32, FIRST)], {})
    del model["content"]["metadata"]["widgets"]
    keep_saved_views(model, path="nb.ipynb")
    assert model["content"]["cells"][0]["outputs"][0]["data"] == {
        "text/html": FIRST, "text/plain": "Debugger of `agent`: step 0"}


def test_other_widgets_keep_their_view_and_the_saved_state():
    slider = {"output_type": "display_data", "metadata": {},
              "data": {WIDGET_VIEW: {"model_id": "c" * 32}, "text/plain": "IntSlider(value=3)"}}
    states = {"c" * 32: {"model_name": "IntSliderModel", "state": {"value": 3}}}
    model = _notebook([copy.deepcopy(slider)], states)
    before = copy.deepcopy(model)
    keep_saved_views(model, path="nb.ipynb")
    assert model == before
    text = {"type": "file", "content": "hello", "format": "text"}
    keep_saved_views(text, path="notes.txt")
    assert text == {"type": "file", "content": "hello", "format": "text"}


def test_pip_install_enables_the_hook_and_labs_save_widget_state_setting():
    server = json.loads((ROOT / "jupyter-config" / "server" / "wfkit.json").read_text())
    assert server == {"ServerApp": {"jpserver_extensions": {"wfkit.widgets.saved_views": True}}}
    lab = json.loads((ROOT / "jupyter-config" / "lab" / "wfkit.json").read_text())
    assert lab == {"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}}
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert ('"jupyter-config/server/wfkit.json" = "etc/jupyter/jupyter_server_config.d/wfkit.json"\n'
            '"jupyter-config/lab/wfkit.json" = "share/jupyter/lab/settings/overrides.d/wfkit.json"\n') in pyproject


def test_the_server_extension_registers_the_hook():
    from wfkit.widgets import saved_views

    registered = []

    class Contents:
        register_pre_save_hook = registered.append

    class Server:
        contents_manager = Contents()

    assert saved_views._jupyter_server_extension_points() == [{"module": "wfkit.widgets.saved_views"}]
    saved_views._load_jupyter_server_extension(Server())
    assert registered == [keep_saved_views]
