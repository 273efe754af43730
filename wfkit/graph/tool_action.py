"""A tool (`@tool`, or any object with `args_schema` and `ainvoke`) used as a graph node, as LangGraph runs one:
the node's state is the tool's input, cut down to the arguments the tool takes."""
from __future__ import annotations

from typing import Any, Callable


def is_tool(action: Any) -> bool:
    return hasattr(action, "args_schema") and hasattr(action, "ainvoke") and not hasattr(action, "spec")


def tool_node(tool: Any) -> Callable:
    """The node function running `tool` on the state. The state's keys the tool does not take are left
    out (a tool refuses unknown arguments, so that a model's typo shows; a state is no model's typo)."""
    takes = set(tool.args_schema.model_fields) | set(getattr(tool, "injected", ()))

    async def run_tool(state: Any, config: dict) -> Any:
        given = {k: v for k, v in state.items() if k in takes} if isinstance(state, dict) else state
        return await tool.ainvoke(given, config)

    run_tool.__name__ = getattr(tool, "name", type(tool).__name__)
    return run_tool
