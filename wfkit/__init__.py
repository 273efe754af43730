"""wfkit: explore, teach and review LLM workflows and agents inside Jupyter.

A lightweight graph engine with LangGraph's API and semantics, an offline-first model layer, and widgets
that step through supersteps. Heavy parts (the model SDK, widgets, drawing) are imported only when used.
"""

from wfkit.constants import END, START
from wfkit.engine.context import get_config, get_stream_writer, interrupt
from wfkit.errors import GraphRecursionError, InvalidUpdateError
from wfkit.graph.builder import StateGraph
from wfkit.types import Command, Interrupt, RetryPolicy, Send, StateSnapshot

__version__ = "0.1.0"

_LAZY = {
    "CompiledStateGraph": ("wfkit.graph.compiled", "CompiledStateGraph"),
    "MessagesState": ("wfkit.messages", "MessagesState"),
    "add_messages": ("wfkit.messages", "add_messages"),
    "push_message": ("wfkit.engine.context", "push_message"),
    "task": ("wfkit.func", "task"),
    "entrypoint": ("wfkit.func", "entrypoint"),
    "InMemorySaver": ("wfkit.checkpoint", "InMemorySaver"),
    "SqliteSaver": ("wfkit.checkpoint", "SqliteSaver"),
    "PostgresSaver": ("wfkit.checkpoint", "PostgresSaver"),
    "start": ("wfkit.seam", "start"),  # (a LangGraph graph's run imports LangGraph only then)
}


def __getattr__(name: str):
    # Lazy so that `import wfkit` stays fast: these pull in messages, threads, sqlite or psycopg only when used.
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'wfkit' has no attribute {name!r}")


__all__ = [
    "StateGraph", "CompiledStateGraph", "START", "END", "Send", "Command", "Interrupt", "interrupt",
    "MessagesState", "add_messages", "task", "entrypoint", "get_stream_writer", "get_config",
    "InMemorySaver", "SqliteSaver", "PostgresSaver", "GraphRecursionError", "InvalidUpdateError", "RetryPolicy",
    "StateSnapshot", "start",
]
