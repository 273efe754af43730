"""The two graph libraries behind one namespace, so every workload is written once.

wfkit mirrors LangGraph's API, so a workload only needs to know where each name lives: `StateGraph`,
`START`/`END`, `Send`, `InMemorySaver`, `task`/`entrypoint`, `MessagesState` and the message classes.
LangGraph is an optional comparison dependency: `load("langgraph")` returns None when it is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WFKIT, LANGGRAPH, PLAIN = "wfkit", "langgraph", "plain"


@dataclass(frozen=True)
class Lib:
    name: str
    StateGraph: Any
    START: str
    END: str
    Send: Any
    InMemorySaver: Any
    task: Any
    entrypoint: Any
    MessagesState: Any
    AIMessage: Any
    ToolMessage: Any
    HumanMessage: Any


def load(name: str) -> Lib | None:
    if name == WFKIT:
        import wfkit
        from wfkit.checkpoint import InMemorySaver
        from wfkit.func import entrypoint, task
        from wfkit.messages import AIMessage, HumanMessage, MessagesState, ToolMessage

        return Lib(WFKIT, wfkit.StateGraph, wfkit.START, wfkit.END, wfkit.Send, InMemorySaver, task, entrypoint,
                   MessagesState, AIMessage, ToolMessage, HumanMessage)
    if name == LANGGRAPH:
        try:
            from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
            from langgraph.checkpoint.memory import InMemorySaver
            from langgraph.func import entrypoint, task
            from langgraph.graph import END, START, MessagesState, StateGraph
            from langgraph.types import Send
        except ImportError:
            return None
        return Lib(LANGGRAPH, StateGraph, START, END, Send, InMemorySaver, task, entrypoint, MessagesState,
                   AIMessage, ToolMessage, HumanMessage)
    raise ValueError(f"unknown library `{name}`; use `{WFKIT}` or `{LANGGRAPH}`")


def version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version as dist_version

    try:
        return dist_version(name)
    except PackageNotFoundError:
        return "not installed"
