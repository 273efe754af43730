"""The engine's task a model call runs in, if any: models work outside graphs too, so the engine is
looked up at call time rather than imported with the model."""

from __future__ import annotations

from typing import Any


def current_task() -> Any:
    """The engine's task running this call, or None outside a graph run (or before the engine exists)."""
    try:
        from wfkit.engine.context import current_task as engine_current_task
    except ImportError:
        return None
    return engine_current_task()
