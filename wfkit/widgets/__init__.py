"""Jupyter widgets for watching and stepping wfkit graphs; ipywidgets is imported only when one is used."""

__all__ = ["GraphView"]


def __getattr__(name):
    # Lazy, so `import wfkit.widgets` works (and costs nothing) without the `widgets` extra installed.
    if name == "GraphView":
        from wfkit.widgets.graph_view import GraphView

        return GraphView
    raise AttributeError(f"module `wfkit.widgets` has no attribute `{name}`")
