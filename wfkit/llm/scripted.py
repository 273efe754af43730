"""`ScriptedModel`: an offline, deterministic chat model for tests, teaching and the notebooks.

It replies either from a function `respond(request)` (computed from the request, so parallel calls get
the same answers in any order) or from a list of replies handed out in order. A reply may be a `str`, an
`AIMessage`, a `dict` (the fields of an `AIMessage`, or the schema's fields for a structured request) or
a pydantic instance; the model turns it into the `AIMessage` a real model would have sent, including a
tool call named after the schema for structured output. Streaming splits the text into word chunks.
"""

from __future__ import annotations

import inspect
import json
import re
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import pydantic

from wfkit._ids import new_id, stable_id
from wfkit.errors import ModelError
from wfkit.llm.base import BaseChatModel, asked_text, message_to_chunk, said_text
from wfkit.llm.request import ModelRequest
from wfkit.messages import AIMessage, AIMessageChunk

_AI_FIELDS = {"content", "tool_calls", "id", "name", "additional_kwargs", "response_metadata", "usage_metadata"}


class _Script:
    """Replies from a list, handed out in order; shared by a model and the copies `bind_tools` makes."""

    def __init__(self, replies: list[Any]) -> None:
        self.replies = list(replies)
        self.used = 0
        self.lock = threading.Lock()  # graph branches may call the model from several threads at once

    def next(self) -> Any:
        with self.lock:
            if self.used >= len(self.replies):
                raise ModelError(
                    f"ScriptedModel has no reply left: all {len(self.replies)} scripted replies were used and "
                    f"call {self.used + 1} asked for another. Add more replies to the list, or pass a function "
                    f"`respond(request)` that computes each reply")
            self.used += 1
            return self.replies[self.used - 1]


def word_chunks(message: AIMessage) -> list[AIMessageChunk]:
    """The message as word-sized chunks that add up to it; tool calls and metadata ride on the last one."""
    if not isinstance(message.content, str):
        return _block_chunks(message)
    pieces = re.findall(r"\s*\S+|\s+$", message.content) or [""]
    chunks = [AIMessageChunk(piece, id=message.id) for piece in pieces[:-1]]
    return chunks + [message_to_chunk(message._replace(content=pieces[-1]))]


def _block_chunks(message: AIMessage) -> list[AIMessageChunk]:
    """A reply of content blocks as a live stream gives it: block by block, each with its `index`, the
    words of text and thinking one chunk each; tool calls and metadata ride on the last chunk."""
    chunks = []
    for index, block in enumerate(message.content):
        field = {"text": "text", "thinking": "thinking"}.get(block.get("type")) if isinstance(block, dict) else None
        if field is None or not isinstance(block.get(field), str):
            chunks.append(AIMessageChunk([{**block, "index": index}] if isinstance(block, dict) else [block],
                                         id=message.id))
            continue
        rest = {k: v for k, v in block.items() if k != field}
        words = re.findall(r"\s*\S+|\s+$", block[field]) or [""]
        chunks.append(AIMessageChunk([{**rest, field: words[0], "index": index}], id=message.id))
        chunks += [AIMessageChunk([{"type": block["type"], field: w, "index": index}], id=message.id)
                   for w in words[1:]]
    last = message_to_chunk(message._replace(content=""))
    return chunks + [last]


class ScriptedModel(BaseChatModel):
    """An offline model: `ScriptedModel(respond)` or `ScriptedModel(["first reply", "second reply"])`.

    `requests` lists every `ModelRequest` it was sent and `calls` each `(request, reply)` it answered (models
    made from it by `bind_tools` / `with_structured_output` add to the same lists); `explain()` prints them
    with the reason a reply carries in `response_metadata["reason"]` (the offline model gives one for every
    reply).
    """

    def __init__(self, respond: Callable[[ModelRequest], Any] | list[Any], *, tags: list[str] | None = None) -> None:
        self._set_tags(tags)
        if callable(respond):
            self._respond, self._script = respond, None
        elif isinstance(respond, (list, tuple)):
            self._respond, self._script = None, _Script(respond)
        else:
            raise TypeError(f"ScriptedModel takes a function `respond(request)` or a list of replies, got "
                            f"{type(respond).__name__}: {respond!r}")
        self.requests: list[ModelRequest] = []
        self.calls: list[tuple[ModelRequest, AIMessage]] = []

    def __repr__(self) -> str:
        if self._script is not None:
            return f"ScriptedModel({len(self._script.replies)} replies, {self._script.used} used)"
        return f"ScriptedModel({getattr(self._respond, '__name__', repr(self._respond))})"

    async def _agenerate(self, request: ModelRequest) -> AIMessage:
        self.requests.append(request)
        reply = self._script.next() if self._script is not None else self._respond(request)
        if inspect.isawaitable(reply):
            reply = await reply
        message = _with_ids(_to_message(reply, request), request)
        self.calls.append((request, message))
        return message

    def explain(self, last: int | None = None) -> str:
        """Each answered call (the `last` ones if given): what was asked, what came back, and why."""
        calls = list(self.calls)
        start = max(0, len(calls) - last) if last is not None else 0
        lines = []
        for number, (request, reply) in enumerate(calls[start:], start + 1):
            asked = asked_text(request)
            kind = f" for {request.schema.__name__}" if request.schema is not None else (
                f" with tools {', '.join(t.name for t in request.tools)}" if request.tools else "")
            lines.append(f"call {number}{kind}: {_cut(asked, 90)}")
            lines.append(f"  replied: {_cut(said_text(reply), 110)}")
            reason = reply.response_metadata.get("reason")
            lines.append(f"  because: {reason}" if reason else "  because: (a scripted reply gives no reason)")
        return "\n".join(lines) if lines else f"{self!r} has answered no call yet"

    async def _astream(self, request: ModelRequest) -> AsyncIterator[AIMessageChunk]:
        for chunk in word_chunks(await self._agenerate(request)):
            yield chunk


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _to_message(reply: Any, request: ModelRequest) -> AIMessage:
    if isinstance(reply, AIMessage):
        return reply._replace()
    schema = request.schema
    if schema is not None:
        args = _structured_args(reply)
        if args is None:  # not structured at all: parse_reply will show it with pydantic's complaint
            return AIMessage(reply if isinstance(reply, str) else repr(reply))
        return AIMessage("", tool_calls=[{"name": schema.__name__, "args": args, "id": None}])
    if isinstance(reply, str):
        return AIMessage(reply)
    if isinstance(reply, dict):
        fields = dict(reply)
        if fields.pop("role", "assistant") not in ("assistant", "ai") or set(fields) - _AI_FIELDS:
            raise ModelError(f"ScriptedModel reply {reply!r} is not an AIMessage: a dict reply takes the keys "
                             f"{', '.join(sorted(_AI_FIELDS))}; for structured output call the model through "
                             f"`with_structured_output(Schema)`")
        return AIMessage(**fields)
    if isinstance(reply, pydantic.BaseModel):
        raise ModelError(f"ScriptedModel replied with a `{type(reply).__name__}` instance, but the request asked "
                         f"for no schema; call the model through `with_structured_output({type(reply).__name__})`")
    raise ModelError(f"ScriptedModel reply must be a str, an AIMessage, a dict or a pydantic instance, got "
                     f"{type(reply).__name__}: {reply!r}")


def _structured_args(reply: Any) -> dict | None:
    if isinstance(reply, pydantic.BaseModel):
        return reply.model_dump(mode="json")
    if isinstance(reply, dict):
        return dict(reply)
    if isinstance(reply, str):
        try:
            value = json.loads(reply)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    return None


def _with_ids(message: AIMessage, request: ModelRequest) -> AIMessage:
    # Tool call ids derive from the conversation so far: the same request gets the same ids in any run,
    # and the calls of later turns get different ones.
    seed = (len(request.messages), request.messages[-1].text)
    for i, call in enumerate(message.tool_calls):
        if call["id"] is None:
            args = json.dumps(call["args"], sort_keys=True, default=str)
            call["id"] = "call_" + stable_id(*seed, i, call["name"], args)[:20]
    if message.id is None:
        message.id = new_id("msg")
    return message


__all__ = ["ScriptedModel", "word_chunks"]
