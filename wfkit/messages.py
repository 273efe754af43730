"""Chat messages, tool calls and the `add_messages` reducer: the vocabulary models, tools and graphs share.

Messages are plain Python objects (no pydantic, so importing this module stays cheap) that mirror the
observable behaviour of LangChain's: the same class names, fields, `.type` strings, `pretty_print()` banner
and `add_messages` semantics, so that guide code runs unchanged. `to_dict()` / `message_from_dict()` give
a JSON-able round trip for checkpoints and cassettes.
"""

from __future__ import annotations

import copy
import json
from typing import Annotated, Any, Literal, TypedDict, Union

from typing_extensions import NotRequired

from wfkit._ids import new_id
from wfkit.errors import MessageNotFoundError, UnsupportedFeatureError

REMOVE_ALL_MESSAGES = "__remove_all__"


class ToolCall(TypedDict):
    """A model's request to run one tool: `{"name", "args", "id", "type": "tool_call"}`."""

    name: str
    args: dict[str, Any]
    id: str | None
    type: NotRequired[Literal["tool_call"]]


def _tool_call(call: dict[str, Any]) -> ToolCall:
    # A fresh dict in canonical key order, so that equality and repr do not depend on how it was written.
    return ToolCall(name=call["name"], args=dict(call.get("args") or {}), id=call.get("id"), type="tool_call")


def _text_of(content: str | list) -> str:
    if isinstance(content, str):
        return content
    parts = [b if isinstance(b, str) else b.get("text", "") for b in content
             if isinstance(b, str) or (isinstance(b, dict) and b.get("type") == "text")]
    return "".join(parts)


def _banner(title: str) -> str:
    # LangChain's layout: the title padded with one space each side and centred in 80 `=` signs.
    padded = f" {title} "
    side = "=" * ((80 - len(padded)) // 2)
    return f"{side}{padded}{side}{'=' if len(padded) % 2 else ''}"


class BaseMessage:
    """A message in a conversation. `content` is a string or a list of content blocks (dicts or strings)."""

    type: str = ""
    _title = ""
    _fields: tuple[str, ...] = ("content", "id", "name", "additional_kwargs", "response_metadata")

    def __init__(self, content: str | list = "", *, id: str | None = None, name: str | None = None,
                 additional_kwargs: dict | None = None, response_metadata: dict | None = None) -> None:
        if not isinstance(content, (str, list)):
            raise TypeError(f"{type(self).__name__} content must be a str or a list of content blocks, "
                            f"got {type(content).__name__}: {content!r}")
        self.content = content
        self.id = id
        self.name = name
        self.additional_kwargs = dict(additional_kwargs or {})
        self.response_metadata = dict(response_metadata or {})

    @property
    def text(self) -> str:
        """The text of `content`: the string itself, or the text blocks joined."""
        return _text_of(self.content)

    def _values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self._fields}

    def _replace(self, **changes: Any) -> BaseMessage:
        """A copy with some fields changed; the original is left alone (reducers must not mutate inputs)."""
        values = copy.deepcopy(self._values())
        values.update(changes)
        return type(self)(**values)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        defaults = {"id": None, "name": None, "additional_kwargs": {}, "response_metadata": {},
                    "tool_calls": [], "usage_metadata": None, "status": "success", "tool_call_chunks": []}
        shown = [f"{k}={v!r}" for k, v in self._values().items()
                 if k == "content" or k == "tool_call_id" or defaults.get(k, object()) != v]
        return f"{type(self).__name__}({', '.join(shown)})"

    def pretty_repr(self) -> str:
        """The banner line with the message kind, an optional `Name:` line, a blank line and the content."""
        lines = [_banner(self._title)]
        if self.name is not None:
            lines.append(f"Name: {self.name}")
        lines += ["", self.content if isinstance(self.content, str) else json.dumps(self.content, indent=2, default=str)]
        return "\n".join(lines)

    def pretty_print(self) -> None:
        print(self.pretty_repr())

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        # Lets pydantic state schemas declare `list[AnyMessage]`; imported here to keep this module light.
        from pydantic_core import core_schema

        def validate(value: Any) -> BaseMessage:
            message = _to_message(value)
            if not isinstance(message, cls):
                raise ValueError(f"expected a {cls.__name__}, got a {type(message).__name__}")
            return message

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(
                lambda m: m.to_dict(), when_used="json"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (given JSON-able content and metadata); `message_from_dict` reverses it."""
        return {"type": self.type, **copy.deepcopy(self._values())}


class SystemMessage(BaseMessage):
    """Instructions for the model; Claude receives them as the `system` parameter."""

    type = "system"
    _title = "System Message"


class HumanMessage(BaseMessage):
    """What the user said."""

    type = "human"
    _title = "Human Message"


class AIMessage(BaseMessage):
    """A model's reply: text content and/or `tool_calls`, with token counts in `usage_metadata`."""

    type = "ai"
    _title = "Ai Message"
    _fields = BaseMessage._fields + ("tool_calls", "usage_metadata")

    def __init__(self, content: str | list = "", *, tool_calls: list[dict] | None = None,
                 usage_metadata: dict | None = None, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self.tool_calls: list[ToolCall] = [_tool_call(c) for c in tool_calls or ()]
        self.usage_metadata = dict(usage_metadata) if usage_metadata is not None else None

    def pretty_repr(self) -> str:
        text = super().pretty_repr()
        if not self.tool_calls:
            return text
        lines = [text, "Tool Calls:"]
        for call in self.tool_calls:
            lines += [f"  {call['name']} ({call['id']})", f" Call ID: {call['id']}", "  Args:"]
            lines += [f"    {key}: {value}" for key, value in call["args"].items()]
        return "\n".join(lines)


def _add_usage(a: dict | None, b: dict | None) -> dict | None:
    if a is None or b is None:
        return copy.deepcopy(a if b is None else b)
    return {k: _add_usage(a.get(k), b.get(k)) if isinstance(a.get(k), dict) or isinstance(b.get(k), dict)
            else (a.get(k) or 0) + (b.get(k) or 0) for k in {**a, **b}}


class AIMessageChunk(AIMessage):
    """A piece of a streamed reply. `a + b` concatenates; `to_message()` gives the finished `AIMessage`.

    Tool calls arrive as `tool_call_chunks`: `{"name", "args" (a piece of JSON text), "id", "index"}`;
    pieces with the same `index` are joined, and `tool_calls` holds the ones whose JSON is complete.
    """

    type = "AIMessageChunk"
    _fields = BaseMessage._fields + ("tool_call_chunks", "usage_metadata")

    def __init__(self, content: str | list = "", *, tool_call_chunks: list[dict] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self.tool_call_chunks = [dict(c) for c in tool_call_chunks or ()]
        self.tool_calls = _parse_tool_call_chunks(self.tool_call_chunks)

    def __add__(self, other: AIMessageChunk) -> AIMessageChunk:
        if not isinstance(other, AIMessageChunk):
            return NotImplemented
        if isinstance(self.content, str) and isinstance(other.content, str):
            content: str | list = self.content + other.content
        else:
            content = _merge_blocks(_as_blocks(self.content), _as_blocks(other.content))
        chunks = {c.get("index", i): dict(c) for i, c in enumerate(self.tool_call_chunks)}
        for i, piece in enumerate(other.tool_call_chunks):
            key = piece.get("index", len(self.tool_call_chunks) + i)
            if key in chunks:
                joined = chunks[key]
                joined["args"] = (joined.get("args") or "") + (piece.get("args") or "")
                joined["name"] = joined.get("name") or piece.get("name")
                joined["id"] = joined.get("id") or piece.get("id")
            else:
                chunks[key] = dict(piece)
        return AIMessageChunk(
            content, id=self.id or other.id, name=self.name or other.name,
            additional_kwargs={**self.additional_kwargs, **other.additional_kwargs},
            response_metadata={**self.response_metadata, **other.response_metadata},
            tool_call_chunks=list(chunks.values()),
            usage_metadata=_add_usage(self.usage_metadata, other.usage_metadata))

    def to_message(self) -> AIMessage:
        """The finished reply; a tool call whose JSON never completed gets `{}` args."""
        calls = [{"name": c.get("name") or "", "args": _loads_args(c.get("args")) or {}, "id": c.get("id")}
                 for c in self.tool_call_chunks]
        return AIMessage(_finished_blocks(self.content), id=self.id, name=self.name, tool_calls=calls,
                         additional_kwargs=copy.deepcopy(self.additional_kwargs),
                         response_metadata=copy.deepcopy(self.response_metadata),
                         usage_metadata=self.usage_metadata)


def _merge_blocks(left: list, right: list) -> list:
    """Content blocks of two chunks added: a block carrying the `index` of one already there continues it
    (its strings, e.g. `text`, `thinking`, `signature`, `partial_json`, appended; its lists, e.g.
    `citations`, extended), any other block is added after. Streamed blocks carry their `index`."""
    merged = [dict(b) if isinstance(b, dict) else b for b in left]
    by_index = {b["index"]: b for b in merged if isinstance(b, dict) and "index" in b}
    for block in right:
        target = by_index.get(block.get("index")) if isinstance(block, dict) and "index" in block else None
        if target is None:
            merged.append(dict(block) if isinstance(block, dict) else block)
            if isinstance(block, dict) and "index" in block:
                by_index[block["index"]] = merged[-1]
            continue
        for key, value in block.items():
            old = target.get(key)
            if key in ("index", "type") or value in (None, "", [], {}):
                continue
            if isinstance(old, str) and isinstance(value, str) and key not in ("id", "name"):
                target[key] = old + value
            elif isinstance(old, list) and isinstance(value, list):
                target[key] = old + value
            elif old in (None, "", [], {}):
                target[key] = value
    return merged


def _finished_blocks(content: str | list) -> str | list:
    """A streamed reply's content as a finished message holds it: the stream's `index` keys dropped, a
    server tool's streamed `partial_json` parsed into its `input`, and plain text alone as a string."""
    if isinstance(content, str):
        return content
    blocks = []
    for block in content:
        if not isinstance(block, dict):
            blocks.append(block)
            continue
        block = {k: copy.deepcopy(v) for k, v in block.items() if k != "index"}
        if "partial_json" in block:
            raw = block.pop("partial_json")
            block["input"] = _loads_args(raw) or {}
        blocks.append(block)
    if all(isinstance(b, dict) and set(b) == {"type", "text"} and b["type"] == "text" for b in blocks):
        return "".join(b["text"] for b in blocks)
    return blocks


def _as_blocks(content: str | list) -> list:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return list(content)


def _loads_args(args: str | dict | None) -> dict | None:
    if isinstance(args, dict):
        return args
    if not args:
        return {}
    try:
        value = json.loads(args)
    except ValueError:
        return None  # incomplete JSON: more pieces are still to come
    return value if isinstance(value, dict) else None


def _parse_tool_call_chunks(chunks: list[dict]) -> list[ToolCall]:
    calls = []
    for c in chunks:
        args = _loads_args(c.get("args"))
        if c.get("name") and args is not None:
            calls.append(_tool_call({"name": c["name"], "args": args, "id": c.get("id")}))
    return calls


class ToolMessage(BaseMessage):
    """A tool's result, answering the tool call with id `tool_call_id`. Non-text content becomes text."""

    type = "tool"
    _title = "Tool Message"
    _fields = BaseMessage._fields + ("tool_call_id", "status")

    def __init__(self, content: Any = "", tool_call_id: str | None = None, *, status: str = "success",
                 **kwargs: Any) -> None:
        if tool_call_id is None:
            raise TypeError("ToolMessage needs `tool_call_id`: the `id` of the tool call it answers, "
                            "e.g. ToolMessage(content=result, tool_call_id=tool_call['id'])")
        # A tool's return value is usually not text (the guide passes an int); models want text.
        if isinstance(content, list):
            content = [b if isinstance(b, (str, dict)) else str(b) for b in content]
        elif not isinstance(content, str):
            content = str(content)
        super().__init__(content, **kwargs)
        self.tool_call_id = str(tool_call_id)
        self.status = status


class RemoveMessage(BaseMessage):
    """Returned in an update to delete the message with this `id` (`REMOVE_ALL_MESSAGES`: all of them)."""

    type = "remove"
    _title = "Remove Message"

    def __init__(self, id: str, **kwargs: Any) -> None:
        kwargs.pop("content", None)
        super().__init__("", id=id, **kwargs)


AnyMessage = Union[SystemMessage, HumanMessage, AIMessage, ToolMessage, AIMessageChunk, RemoveMessage]

_BY_TYPE: dict[str, type[BaseMessage]] = {
    cls.type: cls for cls in (SystemMessage, HumanMessage, AIMessage, AIMessageChunk, ToolMessage, RemoveMessage)}
_ROLES = {"user": HumanMessage, "human": HumanMessage, "assistant": AIMessage, "ai": AIMessage,
          "system": SystemMessage, "developer": SystemMessage, "tool": ToolMessage, "remove": RemoveMessage}


def message_from_dict(d: dict[str, Any]) -> BaseMessage:
    """Rebuild a message from `BaseMessage.to_dict()` output."""
    return message_from_owned_dict(copy.deepcopy(d))


def message_from_owned_dict(d: dict[str, Any]) -> BaseMessage:
    """`message_from_dict` for a dict nobody else holds (one just parsed from storage): its values become
    the message's without a copy."""
    values = dict(d)
    kind = values.pop("type", None)
    if kind not in _BY_TYPE:
        raise ValueError(f"message_from_dict: unknown message type `{kind}`; expected one of "
                         f"{', '.join(f'`{t}`' for t in _BY_TYPE)}")
    return _BY_TYPE[kind](**values)


def _from_role(role: str, fields: dict[str, Any], culprit: object) -> BaseMessage:
    cls = _ROLES.get(role) or _BY_TYPE.get(role)
    if cls is None:
        raise ValueError(f"cannot turn {culprit!r} into a message: unknown role `{role}`; use one of "
                         f"{', '.join(f'`{r}`' for r in _ROLES)}")
    return cls(**fields)


def _to_message(x: Any) -> BaseMessage:
    if isinstance(x, BaseMessage):
        return x
    if isinstance(x, str):
        return HumanMessage(x)
    if isinstance(x, dict):
        fields = dict(x)
        role = fields.pop("role", None) or fields.pop("type", None)
        if role is None:
            raise ValueError(f"cannot turn {x!r} into a message: the dict needs a `role` (or `type`) key, "
                             f"e.g. {{'role': 'user', 'content': 'hi'}}")
        return _from_role(role, fields, x)
    if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str):
        return _from_role(x[0], {"content": x[1]}, x)
    raise TypeError(f"cannot turn a {type(x).__name__} into a message: {x!r}; pass a message, a string, "
                    f"a (role, content) tuple or a {{'role', 'content'}} dict")


def convert_to_messages(x: Any) -> list[BaseMessage]:
    """Messages from a message, a string (a human message), a `(role, content)` tuple, a dict, or a list of these."""
    if isinstance(x, list) or (isinstance(x, tuple) and not (len(x) == 2 and isinstance(x[0], str))):
        return [_to_message(item) for item in x]
    return [_to_message(x)]


def add_messages(left: Any = None, right: Any = None, *, format: str | None = None) -> Any:
    """The messages reducer: append `right` to `left`; a message whose `id` is already there replaces it
    in place, and `RemoveMessage(id)` deletes. Messages without an id get one; streamed chunks are kept as
    the finished messages they add up to. Inputs are not mutated.

    `add_messages(format=None)` (no lists) is the reducer itself, for `Annotated[list, add_messages(...)]`."""
    if format is not None:
        if format != "langchain-openai":
            raise ValueError(f"Unrecognized format={format!r}. Expected one of 'langchain-openai', None.")
        raise UnsupportedFeatureError(
            "add_messages(format='langchain-openai') converts messages with LangChain's OpenAI converter, which "
            "wfkit does not include; keep format=None (wfkit's messages) and convert where you call the model")
    if left is None and right is None:
        return add_messages
    merged = [_finished(m) for m in convert_to_messages(left)]
    incoming = [_finished(m) for m in convert_to_messages(right)]
    for i, m in enumerate(incoming):
        if isinstance(m, RemoveMessage) and m.id == REMOVE_ALL_MESSAGES:
            merged, incoming = [], incoming[i + 1:]
            break
    where = {m.id: i for i, m in enumerate(merged)}
    removed: set[str] = set()
    for m in incoming:
        if isinstance(m, RemoveMessage):
            if m.id not in where:
                known = ", ".join(f"`{k}`" for k in where if k not in removed) or "none"
                raise MessageNotFoundError(f"Attempting to delete a message with an ID that doesn't exist "
                                           f"({m.id!r}): RemoveMessage(id={m.id!r}) names no message in the "
                                           f"list (ids there: {known})")
            removed.add(m.id)  # removing one already removed by this update is fine, as in LangGraph
        elif m.id in where:
            merged[where[m.id]] = m
            removed.discard(m.id)
        else:
            where[m.id] = len(merged)
            merged.append(m)
    return [m for m in merged if m.id not in removed]


def _finished(m: BaseMessage) -> BaseMessage:
    """The message as the list keeps it: with an id, and a streamed chunk as its finished message."""
    if isinstance(m, AIMessageChunk):
        m = m.to_message()
    return m if m.id is not None else m._replace(id=new_id("msg"))


def _with_ids(value: Any) -> Any:
    """A write to a messages key as `add_messages` will keep it: messages, each with an id (`value` itself
    when it already is). The engine stores this form, so a state rebuilt from the stored writes has the
    ids the live state had, and the rebuild can append instead of merging."""
    if type(value) is list and all(isinstance(m, BaseMessage) and m.id is not None
                                   and m.__class__ is not AIMessageChunk for m in value):
        return value
    return [_finished(m) for m in convert_to_messages(value)]


add_messages.prepare = _with_ids  # type: ignore[attr-defined]  # read by wfkit.engine.algo.replay


# Written in the functional form so that the annotation is a real object, not a string (this module
# uses postponed annotations), for code that reads `__annotations__` without `get_type_hints`.
MessagesState = TypedDict("MessagesState", {"messages": Annotated[list[AnyMessage], add_messages]})
MessagesState.__doc__ = "A graph state holding one conversation; updates to `messages` go through `add_messages`."
MessagesState.__module__ = __name__


__all__ = ["AIMessage", "AIMessageChunk", "AnyMessage", "BaseMessage", "HumanMessage", "MessagesState",
           "REMOVE_ALL_MESSAGES", "RemoveMessage", "SystemMessage", "ToolCall", "ToolMessage", "add_messages",
           "convert_to_messages", "message_from_dict", "push_message"]
