"""Jupyter widgets for watching and stepping wfkit graphs: `GraphView` (the marked picture), `Debugger`
(step, inspect, travel back, edit), `ReviewPanel` (answer interrupts), `ReviewInbox` (every thread waiting
at an interrupt, for a team of reviewers) and `ProgressBar` (a batch's progress). ipywidgets is imported
only when one of them is used. `Compare` shows two runs side by side; `export_html` writes a run as one
standalone HTML file that replays it."""

__all__ = ["Compare", "Debugger", "GraphView", "ProgressBar", "ReviewInbox", "ReviewPanel", "export_html"]

_HOMES = {"GraphView": "wfkit.widgets.graph_view", "Debugger": "wfkit.widgets.debugger",
          "ReviewPanel": "wfkit.widgets.review", "ReviewInbox": "wfkit.widgets.inbox",
          "ProgressBar": "wfkit.widgets._progress", "Compare": "wfkit.widgets.compare",
          "export_html": "wfkit.widgets._export"}


def __getattr__(name):
    # Lazy, so `import wfkit.widgets` works (and costs nothing) without the `widgets` extra installed.
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module `wfkit.widgets` has no attribute `{name}`")
    import importlib

    return getattr(importlib.import_module(home), name)


def __dir__():
    return sorted(__all__)
