"""`ToolNode` and `tools_condition`: the graph node that runs a model's tool calls, and the router to it.

As `langgraph.prebuilt.tool_node`, over wfkit's own `Tool`s: the node reads the last `AIMessage`'s
`tool_calls` (from the state's `messages`, a list of messages, or one call sent with `Send`), runs them in
parallel, and answers each with a `ToolMessage`. A tool may return a `Command`, which goes to the graph as
it is. Error handling follows LangGraph's `handle_tool_errors`: by default only arguments the tool cannot
take come back to the model as an error message; any other exception stops the run.
"""

from __future__ import annotations

import contextvars
import dataclasses
import inspect
import types
import typing
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, Union

import pydantic

from wfkit.errors import GraphInterrupt, ParentCommand, ToolArgumentsError, ToolInvocationError, UnsupportedFeatureError
from wfkit.llm.tools import InjectedToolArg, Tool, as_tool
from wfkit.messages import REMOVE_ALL_MESSAGES, AIMessage, RemoveMessage, ToolMessage, convert_to_messages
from wfkit.types import Command, Send

INVALID_TOOL_NAME_ERROR_TEMPLATE = "Error: {requested_tool} is not a valid tool, try one of [{available_tools}]."
TOOL_CALL_ERROR_TEMPLATE = "Error: {error}\n Please fix your mistakes."
TOOL_INVOCATION_ERROR_TEMPLATE = ("Error invoking tool '{tool_name}' with kwargs {tool_kwargs} with error:\n"
                                  " {error}\n Please fix the error and try again.")


class InjectedState(InjectedToolArg):
    """`Annotated[dict, InjectedState]` gives a tool the graph state, `InjectedState("key")` one key of it;
    the model never sees the argument."""

    def __init__(self, field: str | None = None) -> None:
        self.field = field


class InjectedStore(InjectedToolArg):
    """`Annotated[BaseStore, InjectedStore()]` gives a tool the graph's store; the model never sees it."""


def _default_handle_tool_errors(e: Exception) -> str:
    """LangGraph's default: arguments the tool cannot take go back to the model; anything else is raised."""
    if isinstance(e, ToolInvocationError):
        return e.message
    raise e


def _invocation_error(e: ToolArgumentsError, call: dict) -> ToolInvocationError:
    source = e.__cause__
    if isinstance(source, pydantic.ValidationError):
        error = "\n".join(f"{'.'.join(map(str, d.get('loc', ())))}: {d.get('msg', 'Unknown error')}"
                          for d in source.errors(include_url=False))
    else:
        error = str(e)
    message = TOOL_INVOCATION_ERROR_TEMPLATE.format(tool_name=call["name"], tool_kwargs=call["args"], error=error)
    return ToolInvocationError(message, call["name"], call["args"])


def _handled_types(handler: Any) -> tuple[type[BaseException], ...]:
    if isinstance(handler, type) and issubclass(handler, Exception):
        return (handler,)
    if isinstance(handler, tuple):
        return handler
    if callable(handler) and not isinstance(handler, type) and handler is not _default_handle_tool_errors:
        # a handler annotated `(e: ValueError | KeyError)` handles only those, as in LangGraph
        params = list(inspect.signature(handler).parameters)
        hint = typing.get_type_hints(handler).get(params[0]) if params else None
        if hint is not None:
            options = typing.get_args(hint) if typing.get_origin(hint) in (Union, types.UnionType) else (hint,)
            return tuple(t for t in options if isinstance(t, type) and issubclass(t, Exception)) or (Exception,)
    return (Exception,)


class ToolNode:
    """A node that runs the tool calls of the last `AIMessage` and answers each with a `ToolMessage`.

    `handle_tool_errors`: `True` (any error becomes an error message), `False` (raise), a string (that
    message), a function of the exception returning the message, or exception types to catch; the default
    catches only bad arguments, as LangGraph's.
    """

    def __init__(self, tools: Sequence[Any], *, name: str = "tools", tags: list[str] | None = None,
                 handle_tool_errors: Any = _default_handle_tool_errors, messages_key: str = "messages",
                 wrap_tool_call: Any = None, awrap_tool_call: Any = None) -> None:
        if wrap_tool_call is not None or awrap_tool_call is not None:
            raise UnsupportedFeatureError(
                "ToolNode(wrap_tool_call=...) / (awrap_tool_call=...) is not supported by wfkit; wrap the tool "
                "functions themselves (e.g. a decorator under @tool) to retry, cache or change their calls")
        self.name = name
        self.tags = tags
        self.tools_by_name: dict[str, Tool] = {}
        for item in tools:
            made = as_tool(item)
            self.tools_by_name[made.name] = made
        self.handle_tool_errors = handle_tool_errors
        self.messages_key = messages_key

    def __repr__(self) -> str:
        return f"ToolNode(tools=[{', '.join(self.tools_by_name)}], name={self.name!r})"

    def __call__(self, input: Any, config: dict | None = None) -> Any:
        calls, kind, state = self._parse_input(input)
        context = contextvars.copy_context()
        if len(calls) == 1:
            outputs = [self._run_one(calls[0], state)]
        else:
            # each call in its own copy of the task's context, so tools still see the config and writer
            with ThreadPoolExecutor(max_workers=len(calls)) as pool:
                outputs = list(pool.map(lambda c: context.copy().run(self._run_one, c, state), calls))
        return self._combine(outputs, kind)

    invoke = __call__

    def _parse_input(self, input: Any) -> tuple[list[dict], str, Any]:
        if isinstance(input, list):
            if input and isinstance(input[-1], dict) and input[-1].get("type") == "tool_call":
                return list(input), "tool_calls", input
            messages, kind, state = input, "list", input
        elif isinstance(input, dict) and input.get("__type") == "tool_call_with_context":
            return [input["tool_call"]], "tool_calls", input["state"]
        elif isinstance(input, dict) and input.get(self.messages_key):
            messages, kind, state = input[self.messages_key], "dict", input
        elif getattr(input, self.messages_key, None):
            messages, kind, state = getattr(input, self.messages_key), "dict", input
        else:
            raise ValueError("No message found in input")
        last = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
        if last is None:
            raise ValueError("No AIMessage found in input")
        return list(last.tool_calls), kind, state

    def _run_one(self, call: dict, state: Any) -> Any:
        tool = self.tools_by_name.get(call["name"])
        if tool is None:
            content = INVALID_TOOL_NAME_ERROR_TEMPLATE.format(
                requested_tool=call["name"], available_tools=", ".join(self.tools_by_name))
            return ToolMessage(content, name=call["name"], tool_call_id=call["id"], status="error")
        args = {**call["args"], **self._injected(tool, state)}
        try:
            try:
                result = tool.invoke({**call, "args": args, "type": "tool_call"})
            except ToolArgumentsError as e:  # LangGraph's message, quoting the model's arguments only
                raise _invocation_error(e, call) from e
            return _named_answer(result, call) if isinstance(result, Command) else result
        except (GraphInterrupt, ParentCommand):
            raise  # an interrupt or a command for the parent graph always goes up
        except Exception as e:
            flag = self.handle_tool_errors
            if not flag or not isinstance(e, _handled_types(flag)):
                raise
            if isinstance(flag, (bool, tuple)) or (isinstance(flag, type) and issubclass(flag, Exception)):
                content = TOOL_CALL_ERROR_TEMPLATE.format(error=repr(e))
            elif isinstance(flag, str):
                content = flag
            else:
                content = flag(e)
            return ToolMessage(content, name=call["name"], tool_call_id=call["id"], status="error")

    def _injected(self, tool: Tool, state: Any) -> dict[str, Any]:
        values = {}
        for arg, marker in tool.injected.items():
            if marker is InjectedState or isinstance(marker, InjectedState):
                field = getattr(marker, "field", None)
                if field is None:
                    values[arg] = state
                else:
                    values[arg] = state[field] if isinstance(state, dict) else getattr(state, field)
            elif marker is InjectedStore or isinstance(marker, InjectedStore):
                values[arg] = _run_store(tool.name)
        return values

    def _combine(self, outputs: list[Any], kind: str) -> Any:
        flat = [o for out in outputs for o in (out if isinstance(out, list) else [out])]
        commands = [o for o in flat if isinstance(o, Command)]
        if not commands:
            return flat if kind == "list" else {self.messages_key: flat}
        if len(flat) == 1:
            return flat[0]
        parents = [c for c in commands if c.graph == Command.PARENT]
        if parents and all(isinstance(c.goto, list) and c.goto and all(isinstance(g, Send) for g in c.goto)
                           and c.update is None for c in parents) and len(parents) == len(flat):
            # every tool hands its sends to the parent graph: one command carries them all, as in LangGraph
            return Command(graph=Command.PARENT, goto=[g for c in parents for g in c.goto])
        if parents:
            raise UnsupportedFeatureError(
                f"ToolNode `{self.name}`: a tool returned Command(graph=Command.PARENT, ...) while other tool "
                f"calls of the same message returned results for this graph; wfkit runs one Command per node "
                f"return. Let the model call that tool alone, or return the parent's Command from a node of your own")
        # LangGraph returns the list; wfkit's node returns one Command holding the same writes in order
        writes: list[tuple[str, Any]] = []
        goto: list[Any] = []
        for out in flat:
            if isinstance(out, Command):
                update = out.update or []
                writes += list(update.items()) if isinstance(update, dict) else list(update)
                goto += out.goto_list()
            else:
                writes.append((self.messages_key, [out]))
        return Command(update=writes, goto=goto)


def _named_answer(command: Command, call: dict) -> Command:
    """The command with its `ToolMessage` for this call named after the tool, as LangGraph's; a command
    for this graph must answer the call (the model's next request needs the answer)."""
    update = command.update
    messages = update.get("messages") if isinstance(update, dict) else update if isinstance(update, list) else None
    if messages is None:
        return command
    messages = convert_to_messages(messages)
    answered = False
    for i, message in enumerate(messages):
        if isinstance(message, ToolMessage) and message.tool_call_id == call["id"]:
            messages[i], answered = message._replace(name=call["name"]), True
    if command.graph is None and not answered and messages != [RemoveMessage(id=REMOVE_ALL_MESSAGES)]:
        raise ValueError(
            f"Expected to have a matching ToolMessage in Command.update for tool '{call['name']}', got: "
            f"{messages}. Every tool call (LLM requesting to call a tool) in the message history MUST have a "
            "corresponding ToolMessage. You can fix it by modifying the tool to return `Command(update="
            '{"messages": [ToolMessage("Success", tool_call_id=tool_call_id), ...]}, ...)`.')
    new_update = {**update, "messages": messages} if isinstance(update, dict) else messages
    return dataclasses.replace(command, update=new_update)


def _run_store(tool_name: str) -> Any:
    try:
        from wfkit.engine.context import get_store  # the store is the run's, read when the tool runs
    except ImportError:
        raise UnsupportedFeatureError(
            f"tool `{tool_name}` asks for `InjectedStore`, but this wfkit has no store; pass what the tool "
            f"needs through `InjectedState` or a closure instead") from None
    return get_store()


def tools_condition(state: Any, messages_key: str = "messages") -> Literal["tools", "__end__"]:
    """Route to `"tools"` when the last message asks for tool calls, else to `"__end__"`."""
    if isinstance(state, list):
        last = state[-1]
    elif (isinstance(state, dict) and (messages := state.get(messages_key, []))) or (
            messages := getattr(state, messages_key, [])):
        last = messages[-1]
    else:
        raise ValueError(f"No messages found in input state to tool_edge: {state}")
    return "tools" if getattr(last, "tool_calls", None) else "__end__"


__all__ = ["InjectedState", "InjectedStore", "ToolInvocationError", "ToolNode", "tools_condition"]
