"""Saved notebooks keep each wfkit widget's last view: a Jupyter server extension whose pre-save hook puts,
into every output that shows a wfkit widget, the static snapshot of what the widget showed at save time.

Without it, JupyterLab saves a widget output as a reference to a model that lives only in the kernel, so a
reopened notebook shows "Error displaying widget: model not found", and GitHub and nbconvert show the
snapshot taken when the cell first ran. The pieces:

* every wfkit widget displayed in a cell keeps its snapshot in a synced trait, `SAVED_VIEW` (`_saved.py`);
* JupyterLab's `saveState` setting (installed as a settings override with the package, see pyproject.toml)
  makes Lab write the widgets' state, that trait included, into the notebook it saves;
* `keep_saved_views` (run by the server before each save) writes each widget's last snapshot into its
  output's `text/html`, drops the reference to the kernel's model and the saved state, and so leaves a
  notebook that reads the same in JupyterLab (no kernel needed), nbconvert and GitHub. Running the cell
  again brings the live widget back.

No ipywidgets import: this runs inside the Jupyter server, not the kernel.
"""

from __future__ import annotations

import logging
from typing import Any

SAVED_VIEW = "_wf_saved_view"  # the synced trait that holds a displayed widget's snapshot
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
SNAPSHOT_MARK = '<div class="wf-static '  # how every wfkit snapshot starts (`_static.py`)

log = logging.getLogger(__name__)


def keep_saved_views(model: dict, **kwargs: Any) -> None:
    """A `ContentsManager` pre-save hook: in a notebook about to be saved, each wfkit widget output keeps its
    last snapshot as `text/html` and loses the widget view; the saved widget state is dropped when no widget
    view is left (it is kept for other libraries' widgets, which have no snapshot to fall back on)."""
    notebook = model.get("content") if model.get("type") == "notebook" else None
    if not isinstance(notebook, dict):
        return
    metadata = notebook.get("metadata")
    saved = metadata.get("widgets", {}).get(WIDGET_STATE, {}) if isinstance(metadata, dict) else {}
    states = saved.get("state") if isinstance(saved, dict) else None
    states = states if isinstance(states, dict) else {}
    left = 0
    for cell in notebook.get("cells") or []:
        for output in (cell.get("outputs") or []) if isinstance(cell, dict) else []:
            data = output.get("data") if isinstance(output, dict) else None
            if not isinstance(data, dict) or WIDGET_VIEW not in data:
                continue
            last = _saved_view(states, data[WIDGET_VIEW])
            if last is not None:
                data["text/html"] = last
            if str(data.get("text/html", "")).startswith(SNAPSHOT_MARK):
                del data[WIDGET_VIEW]
            else:
                left += 1
    if not left and isinstance(metadata, dict):
        metadata.pop("widgets", None)


def _saved_view(states: dict, view: Any) -> str | None:
    """The snapshot the model of widget `view` held at save time, cleaned; None when there is none."""
    model_id = view.get("model_id") if isinstance(view, dict) else None
    entry = states.get(model_id) if isinstance(model_id, str) else None
    state = entry.get("state") if isinstance(entry, dict) else None
    value = state.get(SAVED_VIEW) if isinstance(state, dict) else None
    if not isinstance(value, str) or not value.startswith(SNAPSHOT_MARK):
        return None
    # The notebook comes from the browser and is signed as trusted once saved: clean it like every view.
    from wfkit.widgets._sanitize import safe_html

    return safe_html(value)


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "wfkit.widgets.saved_views"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    serverapp.contents_manager.register_pre_save_hook(keep_saved_views)
    log.info("wfkit: saved notebooks keep each wfkit widget's last view")
