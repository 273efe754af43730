"""Jupyter widgets for watching and stepping wfkit graphs: `GraphView` (the marked picture), `Debugger`
(step, inspect, travel back, edit) and `ReviewPanel` (answer interrupts). ipywidgets is imported only when
one of them is used."""

__all__ = ["Debugger", "GraphView", "ReviewPanel"]

_HOMES = {"GraphView": "wfkit.widgets.graph_view", "Debugger": "wfkit.widgets.debugger",
          "ReviewPanel": "wfkit.widgets.review"}


def __getattr__(name):
    # Lazy, so `import wfkit.widgets` works (and costs nothing) without the `widgets` extra installed.
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module `wfkit.widgets` has no attribute `{name}`")
    import importlib

    return getattr(importlib.import_module(home), name)


def __dir__():
    return sorted(__all__)
