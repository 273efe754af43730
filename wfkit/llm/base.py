"""`BaseChatModel`: the one abstract base every chat model implements, and the public API built on it.

A model implements a single coroutine, `_agenerate(request) -> AIMessage`, and may add a streaming one,
`_astream(request)` yielding `AIMessageChunk`s. Everything users call (`invoke`, `ainvoke`, `stream`,
`astream`, `batch`, `bind_tools`, `with_structured_output`) is written once here, async, with the sync
methods as thin `run_sync` / `iter_sync` wrappers.

Inside a graph run with `stream_mode="messages"` the engine's current task has `stream_messages` set;
every call then goes through the streaming path and hands each chunk to `task.emit_message_chunk`, so
tokens reach the graph's stream even from a plain `invoke` inside a node.
"""

from __future__ import annotations

import abc
import asyncio
import copy
import inspect
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from wfkit._sync import iter_sync, run_sync
from wfkit.errors import ModelError
from wfkit.llm.request import ModelRequest
from wfkit.llm.running import current_task
from wfkit.llm.tools import Tool, as_tool
from wfkit.messages import AIMessage, AIMessageChunk, convert_to_messages


def _streams_messages(task: Any) -> bool:
    return task is not None and bool(getattr(task, "stream_messages", False))


def _json_or_dict(args: dict) -> str | dict:
    # Streamed tool arguments are JSON text; arguments JSON cannot express stay a dict (scripted replies).
    try:
        return json.dumps(args)
    except (TypeError, ValueError):
        return args


def message_to_chunk(message: AIMessage) -> AIMessageChunk:
    """The whole message as one chunk (what a model without real streaming yields)."""
    chunks = [{"name": c["name"], "args": _json_or_dict(c["args"]), "id": c["id"], "index": i}
              for i, c in enumerate(message.tool_calls)]
    return AIMessageChunk(message.content, id=message.id, name=message.name, tool_call_chunks=chunks,
                          additional_kwargs=message.additional_kwargs,
                          response_metadata=message.response_metadata, usage_metadata=message.usage_metadata)


def asked_text(request: ModelRequest) -> str:
    """The last message of a request as one line (`human: What is 6 times 7?`)."""
    last = request.messages[-1]
    return f"{last.type}: " + " ".join(last.text.split())


def said_text(message: AIMessage) -> str:
    """A reply as one line: its text and its tool calls (`'The answer is 7.'`, `add(a=3, b=4)`)."""
    calls = ", ".join(f"{c['name']}({', '.join(f'{k}={v!r}' for k, v in (c.get('args') or {}).items())})"
                      for c in message.tool_calls)
    text = " ".join(message.text.split())
    return " → ".join(p for p in (repr(text) if text else "", calls) if p) or "(nothing)"


class BaseChatModel(abc.ABC):
    """A chat model. Subclasses implement `_agenerate` (and optionally `_astream`)."""

    tools: tuple[Tool, ...] = ()
    options: dict[str, Any] = {}  # per-model defaults sent with every request (tool_choice, max_tokens, ...)
    structured_retries = 0  # how often a reply that does not fit the schema is shown its error and retried
    tags: tuple[str, ...] = ()  # `tags=[...]` as in LangChain: the "messages" stream's metadata carries them

    # -- what a model implements -------------------------------------------------------------------------

    @abc.abstractmethod
    async def _agenerate(self, request: ModelRequest) -> AIMessage:
        """Answer one request with a finished message (with an `id`)."""

    async def _astream(self, request: ModelRequest) -> AsyncIterator[AIMessageChunk]:
        """Answer one request piece by piece; by default the whole reply as a single chunk."""
        yield message_to_chunk(await self._agenerate(request))

    # -- shared plumbing ---------------------------------------------------------------------------------

    def _request(self, input: Any, options: dict[str, Any], schema: Any = None) -> ModelRequest:
        messages = convert_to_messages(input)
        if not messages:
            raise ModelError(f"{type(self).__name__} was invoked with no messages; pass a string or a list "
                             f"of messages")
        return ModelRequest(messages, schema=schema, tools=list(self.tools), options={**self.options, **options})

    async def _achunks(self, request: ModelRequest, task: Any) -> AsyncIterator[AIMessageChunk]:
        emit = _streams_messages(task)
        metadata = {"tags": list(self.tags)} if self.tags else None
        async for chunk in self._astream(request):
            if emit:
                sent = task.emit_message_chunk(chunk, metadata) if metadata else task.emit_message_chunk(chunk)
                if inspect.isawaitable(sent):
                    await sent
                # Let the stream's consumer take the chunk now, as LangGraph's does, not after the node:
                # one turn of the event loop delivers it to the stream's queue, the next wakes the consumer
                # (an async stream's consumer shares this loop; elsewhere the turns cost next to nothing)
                await asyncio.sleep(0)
                await asyncio.sleep(0)
            yield chunk

    async def _arun(self, request: ModelRequest, task: Any) -> AIMessage:
        """One call: the plain path, or the streaming path when the graph streams messages."""
        if not _streams_messages(task):
            message = await self._agenerate(request)
        else:
            total: AIMessageChunk | None = None
            async for chunk in self._achunks(request, task):
                total = chunk if total is None else total + chunk
            if total is None:
                raise ModelError(f"{type(self).__name__} streamed no chunks for this request")
            message = total.to_message()
        tell = getattr(task, "model_called", None)
        if tell is not None:  # inside a graph run: the Debugger shows the call under its task
            tell(repr(self), asked_text(request), said_text(message), message.response_metadata.get("reason"),
                 message.usage_metadata, prompt=tuple(request.messages))
        return message

    def _set_tags(self, tags: Any) -> None:
        if tags is None:
            return
        if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
            raise TypeError(f"{type(self).__name__}(tags={tags!r}): tags must be a list of str, e.g. tags=['joke']")
        self.tags = tuple(tags)

    def _with(self, **attributes: Any) -> BaseChatModel:
        # A shallow copy: bound models share clients and scripts with the model they came from.
        clone = copy.copy(self)
        clone.__dict__.update(attributes)
        return clone

    # -- the public API ----------------------------------------------------------------------------------

    def invoke(self, input: Any, config: dict | None = None, **options: Any) -> AIMessage:
        """Reply to a string or a list of messages."""
        # Look up the task here, in the caller's thread: run_sync may run the coroutine on another thread.
        return run_sync(self._arun(self._request(input, options), current_task()))

    async def ainvoke(self, input: Any, config: dict | None = None, **options: Any) -> AIMessage:
        return await self._arun(self._request(input, options), current_task())

    def stream(self, input: Any, config: dict | None = None, **options: Any) -> Iterator[AIMessageChunk]:
        """Reply piece by piece; the chunks add up (`+`) to the whole reply."""
        return iter_sync(self._achunks(self._request(input, options), current_task()))

    async def astream(self, input: Any, config: dict | None = None, **options: Any) -> AsyncIterator[AIMessageChunk]:
        async for chunk in self._achunks(self._request(input, options), current_task()):
            yield chunk

    def batch(self, inputs: list[Any], config: dict | None = None, **options: Any) -> list[AIMessage]:
        """Reply to several inputs concurrently, in order."""
        return run_sync(self.abatch(inputs, config, **options))

    async def abatch(self, inputs: list[Any], config: dict | None = None, **options: Any) -> list[AIMessage]:
        return list(await asyncio.gather(*(self.ainvoke(i, config, **options) for i in inputs)))

    def bind(self, **options: Any) -> BaseChatModel:
        """A new model that sends these options with every request."""
        return self._with(options={**self.options, **options})

    def bind_tools(self, tools: list[Any], *, tool_choice: Any = None, **options: Any) -> BaseChatModel:
        """A new model that may call these tools (`Tool`s, plain functions or pydantic classes).

        `tool_choice`: None/"auto" (the model decides), "any" (some tool), or a tool's name (that one).
        """
        if tool_choice is not None:
            options["tool_choice"] = tool_choice
        return self._with(tools=tuple(as_tool(t) for t in tools), options={**self.options, **options})

    def with_structured_output(self, schema: type, *, include_raw: bool = False) -> Any:
        """A runnable whose `invoke` returns an instance of the pydantic class `schema`.

        With `include_raw=True` it returns `{"raw": AIMessage, "parsed": instance or None,
        "parsing_error": exception or None}` instead of raising on a reply that does not fit.
        """
        from wfkit.llm.structured import StructuredOutput

        return StructuredOutput(self, schema, include_raw=include_raw)


__all__ = ["BaseChatModel", "current_task", "message_to_chunk"]
