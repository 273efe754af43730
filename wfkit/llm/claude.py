"""`Claude`: Anthropic's models through the official `anthropic` SDK (imported only when a Claude is made).

All calls go through the SDK's async client, so its retries (429 and overloaded 529 replies), timeouts
and client options apply unchanged; the sync API is the usual thin wrapper. The client lives on wfkit's
I/O loop (`_io.py`), whatever loop the caller runs on, so its connections are reused from call to call and
are closed by `close()`, `with Claude(...)`, or when the model (and every copy `bind_tools` made of it) is
garbage collected. The API key lives only inside the SDK client and a holder whose repr is `'***'`: it
never shows in a repr, an error message, a cassette or a pickle.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import os
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any

from wfkit import _secrets
from wfkit.errors import ModelError
from wfkit.llm import _io
from wfkit._sync import run_sync
from wfkit.llm.base import BaseChatModel
from wfkit.llm.claude_format import ChunkAssembler, from_anthropic, request_params
from wfkit.llm.request import ModelRequest
from wfkit.messages import AIMessage, AIMessageChunk

# The guide uses claude-sonnet-4-5-20250929, which the SDK now flags as deprecated; this is the newest Sonnet
# the installed SDK knows. Pass `model=` to choose another.
DEFAULT_MODEL = "claude-sonnet-5-5"
_CLIENT_OPTIONS = ("base_url", "timeout", "max_retries", "default_headers", "default_query")
_HINTS = {
    400: "The API refused the request as sent; its message says which part",
    401: "Check ANTHROPIC_API_KEY (or the api_key passed to Claude)",
    403: "This API key may not use this model or feature",
    404: "Check the model name `{model}`",
    413: "The conversation is too long; send fewer or shorter messages",
    429: "Still rate limited after {retries} retries; wait a little, or pass a larger max_retries",
    529: "Anthropic is overloaded (still, after {retries} retries); try again later, or pass a larger max_retries",
}


def _anthropic() -> Any:
    try:
        import anthropic
    except ImportError as exc:
        raise ImportError('wfkit.llm.Claude needs the anthropic SDK: pip install "wfkit[claude]"') from exc
    return anthropic


@functools.lru_cache(maxsize=4)
def _known_parameters_of(function: Any) -> frozenset[str]:
    return frozenset(inspect.signature(function).parameters)


def _known_parameters(create: Any) -> frozenset[str]:
    return _known_parameters_of(getattr(create, "__func__", create))


class _Secret:
    """Holds the API key; shows as '***' and refuses to be pickled."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "'***'"

    def __reduce__(self) -> Any:
        raise TypeError("the Claude API key is not serialised; build the model again where it is needed")

    def __deepcopy__(self, memo: dict) -> _Secret:
        return self


class _ClientBox:
    __slots__ = ("client",)

    def __init__(self) -> None:
        self.client: Any = None


def _close_client(box: _ClientBox) -> Any:
    client, box.client = box.client, None
    return None if client is None else _io.submit(client.close())


class _Connection:
    """The SDK client of one model, shared by its bound copies; made lazily, on the I/O loop, and closed
    there when the last copy is garbage collected (the finalizer holds the box, not the connection)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._box = _ClientBox()
        weakref.finalize(self, _close_client, self._box)

    def client(self) -> Any:  # called on the I/O loop only, so no lock is needed
        if self._box.client is None:
            self._box.client = self._make()
        return self._box.client

    def close(self) -> Any:
        """Close the client's connections; a later call opens a new client. Returns a future or None."""
        return _close_client(self._box)

    def __deepcopy__(self, memo: dict) -> _Connection:
        return self


def _schema_json(schema: type) -> dict[str, Any]:
    """The JSON schema the API's constrained decoding takes, made the SDK's way (as `messages.parse` does;
    its helper is private, so a pydantic schema is the fallback should it move)."""
    try:
        from anthropic.lib._parse._transform import transformed_json_schema
        from pydantic import TypeAdapter
    except ImportError:
        return schema.model_json_schema()
    return transformed_json_schema(TypeAdapter(schema))


class Claude(BaseChatModel):
    """A Claude model. `Claude(model=..., max_tokens=..., temperature=..., max_retries=..., timeout=...,
    base_url=..., default_headers=...)`; other keyword arguments are sent with every request.

    - Extended thinking: `Claude(thinking={"type": "enabled", "budget_tokens": 2048})` (or `bind(thinking=...)`).
      The reply's thinking blocks stay on the message and go back with the conversation.
    - Structured output (`with_structured_output`): `structured_output="auto"` (the default) uses the API's
      constrained decoding (`output_config.format`) when thinking is on and a forced tool call otherwise;
      `"format"` or `"tool"` choose one. Either way a reply that does not validate is shown its error once.
    - Prompt caching: `cache_prompt=True` marks the system prompt and the tools with `cache_control`, so
      later calls read them from the cache; to cache up to a message, give that message a content block
      with `"cache_control": {"type": "ephemeral"}`. Cache reads and writes show in `usage_metadata`
      (`input_token_details`: `cache_read`, `cache_creation`).
    - `count_tokens(input)`: the input tokens a request would take, from the API, without running it.
    """

    structured_retries = 1  # a reply that does not fit the schema is shown its error once

    def __init__(self, model: str = DEFAULT_MODEL, *, api_key: str | None = None, max_tokens: int = 4096,
                 base_url: str | None = None, timeout: float | Any = None, max_retries: int = 2,
                 default_headers: dict[str, str] | None = None, default_query: dict[str, Any] | None = None,
                 structured_output: str = "auto", cache_prompt: bool = False, tags: list[str] | None = None,
                 **params: Any) -> None:
        self._set_tags(tags)
        if structured_output not in ("auto", "format", "tool"):
            raise ValueError(f"Claude(structured_output={structured_output!r}): use 'auto', 'format' (the API's "
                             f"constrained decoding) or 'tool' (a forced tool call)")
        _anthropic()  # fail now, with the install hint, rather than at the first call
        key = api_key or os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise ModelError("Claude needs an API key: set the ANTHROPIC_API_KEY environment variable or pass "
                             "api_key=...; or call wfkit.llm.default_model(), which falls back to the offline model")
        self.model = model
        self._secret = _Secret(key)
        _secrets.register(key)  # so that checkpoints, cassettes and widgets redact it too
        given = dict(base_url=base_url, timeout=timeout, max_retries=max_retries,
                     default_headers=default_headers, default_query=default_query)
        self.client_options = {k: v for k, v in given.items() if v is not None}
        self.options = {"max_tokens": max_tokens, **params}
        self.structured_output, self.cache_prompt = structured_output, cache_prompt
        secret, options = self._secret, self.client_options
        self._connection = _Connection(lambda: _anthropic().AsyncAnthropic(api_key=secret.value, **options))

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.client_options.items() if k in ("base_url", "timeout", "max_retries")}
        settings = ", ".join(f"{k}={v!r}" for k, v in {**self.options, **shown}.items())
        tools = f", tools={[t.name for t in self.tools]}" if self.tools else ""
        return f"Claude(model={self.model!r}, {settings}{tools})"

    def close(self) -> None:
        """Close the HTTP connections now (the model stays usable: the next call opens new ones)."""
        future = self._connection.close()
        if future is not None:
            future.result(timeout=10)

    async def aclose(self) -> None:
        future = self._connection.close()
        if future is not None:
            await asyncio.wrap_future(future)

    def __enter__(self) -> Claude:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    async def __aenter__(self) -> Claude:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret.value, "***")

    def _error(self, exc: Exception, partial: AIMessage | None = None) -> ModelError:
        """A `ModelError` that says what went wrong and what to do, from an SDK or transport exception."""
        anthropic = _anthropic()
        retries = self.client_options.get("max_retries", 2)
        if isinstance(exc, anthropic.APIStatusError):
            body = exc.body if isinstance(exc.body, dict) else {}
            detail = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
            kind, text = detail.get("type", type(exc).__name__), detail.get("message", str(exc))
            status = exc.status_code
            hint = _HINTS.get(status, _HINTS[529] if status >= 500 else "See the API's message above")
            message = (f"Claude ({self.model}) call failed: HTTP {status} {kind}: {text}. "
                       f"{hint.format(model=self.model, retries=retries)}")
        elif isinstance(exc, anthropic.APITimeoutError):
            limit = self.client_options.get("timeout", "the SDK's default")
            message = (f"Claude ({self.model}) timed out (timeout={limit}, and the SDK retried {retries} times); "
                       f"pass a larger timeout=..., or check the network and base_url")
        elif isinstance(exc, anthropic.APIConnectionError) and partial is None:
            # The SDK's own wording changes between releases: it goes last, after wfkit's facts and advice.
            where = self.client_options.get("base_url", "the Anthropic API")
            message = (f"Claude ({self.model}) could not reach {where}; check the network, base_url and timeout "
                       f"(the SDK already retried {retries} times). The SDK said: {type(exc).__name__}: {exc}")
        elif partial is not None:
            # A broken stream reached the server: whatever the SDK calls it, it is not "could not reach".
            message = f"Claude ({self.model}) call failed after its reply stream started ({type(exc).__name__}: {exc})"
        else:
            message = f"Claude ({self.model}) call failed: {type(exc).__name__}: {exc}"
        if partial is not None:
            message += (f". The reply stream broke off after {len(partial.text)} characters; the partial reply "
                        f"is on this error's `.partial`. Call again to retry: the SDK retries a request only "
                        f"before its stream starts")
        error = ModelError(self._scrub(message))
        error.status_code = getattr(exc, "status_code", None)
        error.partial = partial
        return error

    def _not_json(self, endpoint: str) -> ModelError:
        """A 200 reply whose body is not JSON (a proxy's or captive portal's page); the body is not quoted,
        since whatever answered may have echoed the request, key included."""
        where = self.client_options.get("base_url", "https://api.anthropic.com")
        error = ModelError(f"Claude ({self.model}): {str(where).rstrip('/')}{endpoint} answered HTTP 200 with a "
                           f"body that is not JSON, so it is not the Messages API's reply; something between wfkit "
                           f"and the API (a proxy, a gateway, a wrong base_url) answered instead — check base_url "
                           f"and the network")
        error.status_code, error.partial = 200, None
        return error

    def _params(self, request: ModelRequest, create: Any) -> dict[str, Any]:
        params = request_params(request, self.model, self.options, structured=self.structured_output,
                                schema_json=_schema_json, cache_prompt=self.cache_prompt)
        # Parameters this SDK version has no argument for (older or newer API fields, `temperature` in
        # SDKs that dropped it) still reach the API, through `extra_body`.
        known = _known_parameters(create)
        extra = {k: params.pop(k) for k in list(params) if k not in known}
        if extra:
            params["extra_body"] = {**params.get("extra_body", {}), **extra}
        return params

    async def _agenerate(self, request: ModelRequest) -> AIMessage:
        return await _io.on_io(self._agenerate_on_io(request))

    def count_tokens(self, input: Any, **options: Any) -> int:
        """The input tokens `input` would take with this model's tools and options (the API counts them;
        nothing runs)."""
        return run_sync(self.acount_tokens(input, **options))

    async def acount_tokens(self, input: Any, **options: Any) -> int:
        return await _io.on_io(self._count_on_io(self._request(input, options)))

    async def _count_on_io(self, request: ModelRequest) -> int:
        count = self._connection.client().messages.count_tokens
        params = request_params(request, self.model, self.options, structured=self.structured_output,
                                schema_json=_schema_json, cache_prompt=self.cache_prompt)
        known = _known_parameters(count)
        params = {k: v for k, v in params.items() if k in known}  # max_tokens, temperature...: not counted
        try:
            reply = await count(**params)
        except _anthropic().AnthropicError as exc:
            raise self._error(exc) from None
        except json.JSONDecodeError:
            raise self._not_json("/v1/messages/count_tokens") from None
        return int(getattr(reply, "input_tokens", 0))

    async def _astream(self, request: ModelRequest) -> AsyncIterator[AIMessageChunk]:
        async for chunk in _io.iterate_on_io(self._astream_on_io(request)):
            yield chunk

    async def _agenerate_on_io(self, request: ModelRequest) -> AIMessage:
        create = self._connection.client().messages.create
        try:
            reply = await create(**self._params(request, create))
        except _anthropic().AnthropicError as exc:
            raise self._error(exc) from None  # `from None`: the SDK's exception holds the request headers
        except json.JSONDecodeError:  # the SDK decodes a 200's body unguarded
            raise self._not_json("/v1/messages") from None
        return from_anthropic(reply)

    async def _astream_on_io(self, request: ModelRequest) -> AsyncIterator[AIMessageChunk]:
        create = self._connection.client().messages.create
        try:
            stream = await create(**self._params(request, create), stream=True)
        except _anthropic().AnthropicError as exc:
            raise self._error(exc) from None
        assembler, total, finished = ChunkAssembler(), None, False
        try:
            async for event in stream:
                finished = finished or getattr(event, "type", None) == "message_stop"
                chunk = assembler.feed(event)
                if chunk is not None:
                    total = chunk if total is None else total + chunk
                    yield chunk
        except Exception as exc:  # noqa: BLE001  # transport errors come from httpx, not only the SDK
            raise self._error(exc, total.to_message() if total else AIMessage("")) from None
        finally:
            await stream.close()
        if not finished:
            raise self._error(ConnectionError("the stream ended before `message_stop`"),
                              total.to_message() if total else AIMessage(""))


__all__ = ["DEFAULT_MODEL", "Claude"]
