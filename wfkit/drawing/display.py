"""Jupyter display: build a `_repr_mimebundle_` answer that renders only the formats a front end asked for.

IPython passes `include`/`exclude` to say which MIME types it wants; rendering the SVG costs a
subprocess, so each format is a callable that runs only when its type is wanted. Nothing here touches
the network, and a missing Graphviz program raises its own clear error instead of silently showing text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection


def wanted(mimetype: str, include: Collection[str] | None, exclude: Collection[str] | None) -> bool:
    """Whether the front end asked for `mimetype` (no `include` means everything not excluded)."""
    return (include is None or mimetype in include) and (exclude is None or mimetype not in exclude)


def mimebundle(formats: dict[str, Callable[[], object]], include: Collection[str] | None = None,
               exclude: Collection[str] | None = None) -> dict[str, object]:
    """`{mimetype: producer()}` for each wanted mimetype of `formats`, in the order of `formats`."""
    return {mimetype: produce() for mimetype, produce in formats.items() if wanted(mimetype, include, exclude)}
