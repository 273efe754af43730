"""Tools: Python functions a model may call. `@tool` wraps a function as a `Tool`.

A `Tool` knows its name, its description (the docstring without its `Args:` section) and a pydantic model
of its arguments built from the signature, with per-argument descriptions from a Google-style `Args:`
section. Invoked with an arguments dict it returns the function's value; invoked with a tool call (what a
model's `AIMessage.tool_calls` holds) it returns the `ToolMessage` to send back to the model.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import typing
from collections.abc import Callable
from typing import Any

import pydantic

from wfkit._sync import run_sync
from wfkit.errors import ToolArgumentsError
from wfkit.messages import ToolMessage
from wfkit.types import Command

_ARGS_HEADER = re.compile(r"^(Args|Arguments|Parameters)\s*:\s*$")
_ARG_LINE = re.compile(r"^(\s+)\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into (description without the `Args:` section, {arg: description})."""
    lines = inspect.cleandoc(doc or "").splitlines()
    kept: list[str] = []
    args: dict[str, str] = {}
    i = 0
    while i < len(lines):
        if not _ARGS_HEADER.match(lines[i]):
            kept.append(lines[i])
            i += 1
            continue
        i += 1
        indent, current = None, None
        # The section runs while lines are indented (or blank); deeper lines continue an argument's text.
        while i < len(lines) and (not lines[i].strip() or lines[i][:1].isspace()):
            match = _ARG_LINE.match(lines[i])
            if match and (indent is None or len(match[1]) == indent):
                indent, current = len(match[1]), match[2]
                args[current] = match[3].strip()
            elif current and lines[i].strip():
                args[current] = f"{args[current]} {lines[i].strip()}".strip()
            i += 1
    description = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return description, args


class InjectedToolArg:
    """Marks a tool argument the model never sees: `Annotated[T, Marker]` in the signature keeps it out of
    the schema sent to the model, and whoever runs the tool fills it in (as LangChain's)."""


class InjectedToolCallId(InjectedToolArg):
    """`tool_call_id: Annotated[str, InjectedToolCallId]`: the id of the tool call being answered, filled
    in when the tool is invoked with a tool call (a tool returning a `Command` needs it for its message)."""


def _hints(func: Callable) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func, include_extras=True)
    except Exception:  # unresolvable forward references: fall back to what the signature holds
        return {}


def injected_args(func: Callable | None) -> dict[str, Any]:
    """{argument name: its injection marker (a class or instance of `InjectedToolArg`)} of a tool function."""
    if func is None:
        return {}
    found = {}
    for name, hint in _hints(func).items():
        for marker in getattr(hint, "__metadata__", ()):
            if isinstance(marker, InjectedToolArg) or (isinstance(marker, type) and issubclass(marker, InjectedToolArg)):
                found[name] = marker
    return found


def _schema_from_signature(func: Callable, name: str, arg_docs: dict[str, str]) -> type[pydantic.BaseModel]:
    hints = _hints(func)
    hidden = injected_args(func)
    fields: dict[str, Any] = {}
    for param in inspect.signature(func).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or param.name in hidden:
            continue
        annotation = hints.get(param.name, param.annotation)
        annotation = Any if annotation is param.empty else annotation
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (annotation, pydantic.Field(default, description=arg_docs.get(param.name)))
    # Unknown arguments are refused rather than dropped, so a model's typo shows up as an error.
    return pydantic.create_model(name, __config__=pydantic.ConfigDict(extra="forbid"), **fields)


def _strip_titles(node: Any) -> Any:
    # pydantic adds a `title` to every schema object; models do not need them and they cost tokens.
    if isinstance(node, list):
        return [_strip_titles(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key in ("properties", "$defs"):
            out[key] = {k: _strip_titles(v) for k, v in value.items()}
        else:
            out[key] = _strip_titles(value)
    return out


def model_tool_schema(schema: type[pydantic.BaseModel], name: str | None = None,
                      description: str | None = None) -> dict[str, Any]:
    """The Anthropic tool JSON (`name`, `description`, `input_schema`) for a pydantic model."""
    input_schema = _strip_titles(schema.model_json_schema())
    doc = input_schema.pop("description", None)
    spec: dict[str, Any] = {"name": name or schema.__name__}
    text = description if description is not None else doc
    if text:
        spec["description"] = text
    spec["input_schema"] = input_schema
    return spec


def _is_call_id(marker: Any) -> bool:
    return marker is InjectedToolCallId or isinstance(marker, InjectedToolCallId)


def _is_tool_call(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    if value.get("type") == "tool_call":
        return True
    return set(value) == {"name", "args", "id"} and isinstance(value["args"], dict)


def _as_text(value: Any) -> str | list:
    # What a model sees as the tool's result: text, with dicts and lists as JSON (more legible than repr).
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        try:
            return json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


class Tool:
    """A function a model may call, with its name, description and pydantic `args_schema`."""

    def __init__(self, func: Callable | None, *, name: str | None = None, description: str | None = None,
                 args_schema: type[pydantic.BaseModel] | None = None, return_direct: bool = False) -> None:
        if func is None and args_schema is None:
            raise TypeError("Tool needs a function or an `args_schema`")
        source = func if func is not None else args_schema
        self.func = func
        self.name = name or source.__name__
        doc_description, arg_docs = parse_docstring(source.__doc__)
        self.description = description if description is not None else doc_description
        self.args_schema = args_schema or _schema_from_signature(func, self.name, arg_docs)
        self.return_direct = return_direct
        self.injected = injected_args(func)

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r}, description={self.description!r})"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the wrapped function directly, as if it were not a tool."""
        if self.func is None:
            return self.args_schema(*args, **kwargs)
        return self.func(*args, **kwargs)

    def to_schema(self) -> dict[str, Any]:
        """The Anthropic tool definition: `{"name", "description", "input_schema"}`."""
        return model_tool_schema(self.args_schema, self.name, self.description)

    def _arguments(self, input: Any) -> tuple[dict[str, Any], dict | None]:
        """Validate the input; return (keyword arguments for the function, the tool call or None)."""
        call = input if _is_tool_call(input) else None
        args = call["args"] if call is not None else input
        if isinstance(args, str) and len(self.args_schema.model_fields) == 1:
            args = {next(iter(self.args_schema.model_fields)): args}  # a lone string fills the lone argument
        if not isinstance(args, dict):
            raise ToolArgumentsError(f"tool `{self.name}` takes a dict of arguments or a tool call, got a "
                                     f"{type(args).__name__}: {args!r}")
        # Injected arguments are the runner's, not the model's: they skip validation and pass through.
        given = {k: args[k] for k in self.injected if k in args}
        if call is not None and any(_is_call_id(m) for m in self.injected.values()):
            given.update({k: call.get("id") for k, m in self.injected.items() if _is_call_id(m)})
        args = {k: v for k, v in args.items() if k not in self.injected}
        try:
            validated = self.args_schema.model_validate(args)
        except pydantic.ValidationError as exc:
            problems = "; ".join(
                f"`{'.'.join(map(str, e['loc'])) or '(arguments)'}`: {e['msg']} (got {e['input']!r})"
                for e in exc.errors(include_url=False))
            expected = ", ".join(self.args_schema.model_fields)
            raise ToolArgumentsError(f"tool `{self.name}` got bad arguments {args!r}: {problems}. "
                                     f"It takes: {expected}") from exc
        if self.func is None:
            return {"__instance__": validated}, call
        return {**{k: getattr(validated, k) for k in validated.model_fields_set}, **given}, call

    def _result(self, value: Any, call: dict | None) -> Any:
        if call is None or isinstance(value, (ToolMessage, Command)):
            return value  # a `Command` carries its own messages (and state updates) for the graph
        return ToolMessage(content=_as_text(value), tool_call_id=call.get("id") or "", name=self.name)

    def invoke(self, input: Any, config: dict | None = None) -> Any:
        """Run with an arguments dict (returns the value) or a tool call (returns a `ToolMessage`)."""
        kwargs, call = self._arguments(input)
        if self.func is None:
            return self._result(kwargs["__instance__"], call)
        if inspect.iscoroutinefunction(self.func):
            return self._result(run_sync(self.func(**kwargs)), call)
        return self._result(self.func(**kwargs), call)

    async def ainvoke(self, input: Any, config: dict | None = None) -> Any:
        """`invoke` for async code; a sync function runs in a worker thread so the loop stays free."""
        kwargs, call = self._arguments(input)
        if self.func is None:
            return self._result(kwargs["__instance__"], call)
        if inspect.iscoroutinefunction(self.func):
            return self._result(await self.func(**kwargs), call)
        return self._result(await asyncio.to_thread(self.func, **kwargs), call)


def tool(name_or_func: str | Callable | None = None, *, name: str | None = None,
         description: str | None = None, args_schema: type[pydantic.BaseModel] | None = None,
         return_direct: bool = False) -> Any:
    """Make a `Tool` from a function: `@tool`, `@tool("name")` or `@tool(description=...)`."""
    def make(func: Callable) -> Tool:
        return Tool(func, name=name, description=description, args_schema=args_schema,
                    return_direct=return_direct)

    if callable(name_or_func):
        return make(name_or_func)
    if isinstance(name_or_func, str):
        name = name_or_func
    return make


def as_tool(value: Any) -> Tool:
    """A `Tool` from a `Tool`, a plain function, or a pydantic model class (a tool without a function)."""
    if isinstance(value, Tool):
        return value
    if isinstance(value, type) and issubclass(value, pydantic.BaseModel):
        return Tool(None, args_schema=value)
    if callable(value):
        return Tool(value)
    raise TypeError(f"cannot use {value!r} as a tool: pass a function, a `@tool`, or a pydantic model class")


__all__ = ["InjectedToolArg", "InjectedToolCallId", "Tool", "as_tool", "injected_args", "model_tool_schema", "parse_docstring", "tool"]
