"""Translation between wfkit messages and the Anthropic Messages API's JSON, as pure functions.

Requests: system messages become the `system` parameter; AI tool calls become `tool_use` blocks;
`ToolMessage`s become `tool_result` blocks, and consecutive messages of one role are merged (the API wants
all results of a parallel tool call in one user turn). Replies keep **every** content block: `tool_use`
blocks become `tool_calls`; the rest (text, with its citations; `thinking` with its signature;
`redacted_thinking`; server tools' `server_tool_use` and their results) stay on the message's `content`,
a list of blocks whenever there is more than plain text (LangChain's convention), and go back to the API
unchanged on the next turn, as extended thinking with tool use requires. The token counts, cache reads and
writes included, become `usage_metadata`. Stream events become `AIMessageChunk`s that add up to the same
message, thinking included (its blocks are marked `"type": "thinking"` as they arrive). Nothing here touches the network or the SDK's classes
(replies are read through attributes or keys, so a dict from a cassette works as well as an SDK object).
"""

from __future__ import annotations

from typing import Any

from wfkit.llm.request import ModelRequest
from wfkit.llm.tools import model_tool_schema
from wfkit.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage, ToolMessage


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _blocks(content: str | list) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return [{"type": "text", "text": b} if isinstance(b, str) else dict(b) for b in content]


def _turn(message: BaseMessage) -> tuple[str, list[dict[str, Any]]]:
    if isinstance(message, ToolMessage):
        content = message.content if isinstance(message.content, str) else _blocks(message.content)
        result: dict[str, Any] = {"type": "tool_result", "tool_use_id": message.tool_call_id, "content": content}
        if message.status == "error":
            result["is_error"] = True
        return "user", [result]
    if isinstance(message, AIMessage):
        called = {c["id"] for c in message.tool_calls}
        blocks = [b for b in _blocks(message.content)
                  if not (b.get("type") == "tool_use" and b.get("id") in called)
                  and not (b.get("type") == "text" and not b.get("text"))]
        blocks += [{"type": "tool_use", "id": c["id"], "name": c["name"], "input": c["args"]}
                   for c in message.tool_calls]
        return "assistant", blocks
    if isinstance(message, HumanMessage):
        return "user", _blocks(message.content)
    raise TypeError(f"Claude cannot take a {type(message).__name__} in the conversation: {message!r}")


def to_anthropic_messages(messages: list[BaseMessage]) -> tuple[str | list | None, list[dict[str, Any]]]:
    """The `system` parameter (or None) and the `messages` list for the Messages API."""
    system = [m for m in messages if isinstance(m, SystemMessage)]
    turns: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            continue
        role, blocks = _turn(message)
        if not blocks:
            continue  # the API refuses empty turns (an AI message with no text and no tool calls)
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += blocks
        else:
            turns.append({"role": role, "content": blocks})
    for turn in turns:
        # Tool results must open their user turn; a lone text block is sent as a plain string.
        turn["content"].sort(key=lambda b: b.get("type") != "tool_result")
        only = turn["content"][0] if len(turn["content"]) == 1 else {}
        if only.get("type") == "text" and set(only) == {"type", "text"}:
            turn["content"] = only["text"]
    if not system:
        return None, turns
    if all(isinstance(m.content, str) for m in system):
        return "\n\n".join(m.content for m in system), turns
    return [b for m in system for b in _blocks(m.content)], turns


def tool_choice_param(choice: Any) -> dict[str, Any] | None:
    """`tool_choice` in the API's shape from "auto", "any", "none", a tool's name, or a dict."""
    if choice is None or isinstance(choice, dict):
        return choice
    if choice in ("auto", "any", "none"):
        return {"type": choice}
    if choice in ("required", True):
        return {"type": "any"}
    return {"type": "tool", "name": str(choice)}


CACHE = {"type": "ephemeral"}


def structured_mode(options: dict[str, Any], wanted: str) -> str:
    """How a structured request is sent: "format" (the API's `output_config.format`, constrained decoding)
    or "tool" (a forced tool call). "auto" takes the format when thinking is on, since the API refuses a
    forced tool choice together with thinking, and the forced tool otherwise, which every model supports."""
    if wanted in ("format", "tool"):
        return wanted
    thinking = options.get("thinking") or {}
    return "format" if isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive") else "tool"


def request_params(request: ModelRequest, model: str, defaults: dict[str, Any], *, structured: str = "auto",
                   schema_json: Any = None, cache_prompt: bool = False) -> dict[str, Any]:
    """The keyword arguments for `client.messages.create` (without `stream`).

    `structured`: see `structured_mode`; `schema_json(schema)` gives the JSON schema for the "format" way.
    `cache_prompt`: mark the system prompt and the tools for prompt caching (`cache_control` on the last
    system block and the last tool: the API caches the prompt up to there)."""
    system, turns = to_anthropic_messages(request.messages)
    options = {**defaults, **request.options}
    choice = options.pop("tool_choice", None)
    params: dict[str, Any] = {"model": model, "messages": turns, **options}
    if system is not None:
        params["system"] = system
    if request.schema is not None and structured_mode(options, structured) == "format":
        # Constrained decoding: the reply's text is the instance's JSON.
        make = schema_json or (lambda schema: schema.model_json_schema())
        params["output_config"] = {**(params.get("output_config") or {}),
                                   "format": {"type": "json_schema", "schema": make(request.schema)}}
    elif request.schema is not None:
        # Structured output through forced tool use: the reply's tool input is the instance.
        params["tools"] = [model_tool_schema(request.schema)]
        params["tool_choice"] = {"type": "tool", "name": request.schema.__name__}
    elif request.tools:
        params["tools"] = [t.to_schema() for t in request.tools]
        if choice is not None:
            params["tool_choice"] = tool_choice_param(choice)
    if cache_prompt:
        _mark_cache(params)
    return params


def _mark_cache(params: dict[str, Any]) -> None:
    if isinstance(params.get("system"), str):
        params["system"] = [{"type": "text", "text": params["system"], "cache_control": CACHE}]
    elif params.get("system"):
        params["system"] = [*params["system"][:-1], {**params["system"][-1], "cache_control": CACHE}]
    if params.get("tools"):
        params["tools"] = [*params["tools"][:-1], {**params["tools"][-1], "cache_control": CACHE}]


def usage_metadata(usage: Any) -> dict[str, Any] | None:
    """LangChain's usage shape; cached prompt tokens count as input tokens, with the detail kept."""
    if usage is None:
        return None
    read = _get(usage, "cache_read_input_tokens") or 0
    created = _get(usage, "cache_creation_input_tokens") or 0
    input_tokens = (_get(usage, "input_tokens") or 0) + read + created
    output_tokens = _get(usage, "output_tokens") or 0
    result: dict[str, Any] = {"input_tokens": input_tokens, "output_tokens": output_tokens,
                              "total_tokens": input_tokens + output_tokens}
    if read or created:
        result["input_token_details"] = {"cache_read": read, "cache_creation": created}
    return result


def _block_dict(block: Any) -> dict[str, Any]:
    """A content block as the API's JSON (an SDK block object or a dict), unset fields left out."""
    if isinstance(block, dict):
        return {k: v for k, v in block.items() if v is not None}
    dump = getattr(block, "model_dump", None)
    if dump is not None:
        return dump(mode="json", exclude_none=True)
    return {"type": _get(block, "type")}


def reply_content(blocks: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """A reply's content: plain text as a string, anything more as the list of blocks."""
    if all(b.get("type") == "text" and set(b) <= {"type", "text"} for b in blocks):
        return "".join(b.get("text", "") for b in blocks)
    return blocks


def _metadata(message: Any) -> dict[str, Any]:
    return {"id": _get(message, "id"), "model": _get(message, "model"), "model_name": _get(message, "model"),
            "stop_reason": _get(message, "stop_reason"), "stop_sequence": _get(message, "stop_sequence")}


def from_anthropic(message: Any) -> AIMessage:
    """An `AIMessage` from a Messages API reply (an SDK `Message` or its JSON)."""
    kept, calls = [], []
    for block in _get(message, "content") or []:
        if _get(block, "type") == "tool_use":
            calls.append({"name": _get(block, "name"), "args": dict(_get(block, "input") or {}),
                          "id": _get(block, "id")})
        else:
            kept.append(_block_dict(block))
    return AIMessage(reply_content(kept), id=_get(message, "id"), tool_calls=calls,
                     usage_metadata=usage_metadata(_get(message, "usage")), response_metadata=_metadata(message))


class ChunkAssembler:
    """Turns the stream's events into `AIMessageChunk`s, one per delta of any block.

    Why not the SDK's `messages.stream()` accumulation: it yields the SDK's own snapshot objects, while the
    engine's "messages" stream and the Debugger need one wfkit chunk per delta, in order, that adds up (with
    `+`) to the finished message; and a cassette replays recorded JSON events with no SDK stream object to
    feed. This class is that translation, over the same raw events the SDK reads (every block type: text
    and its citations, thinking and its signature, tool and server-tool input, whole result blocks).

    Usage comes twice: input tokens in `message_start`, the output total in `message_delta`; each is
    counted on exactly one chunk so that adding the chunks gives the right totals.
    """

    def __init__(self) -> None:
        self.id: str | None = None
        self.pending: dict[str, Any] = {}  # metadata from message_start, carried by the next chunk
        self.input_tokens = 0
        self.tools: set[int] = set()  # indexes of the client tools' tool_use blocks
        self.blocks = False  # once a block other than plain text has come, text is sent as indexed blocks too

    def _chunk(self, content: str = "", **fields: Any) -> AIMessageChunk:
        pending, self.pending = self.pending, {}
        chunk = AIMessageChunk(content, id=self.id, **fields)
        # message_start's metadata rides on the first chunk; adding keeps both sides' usage and metadata.
        return AIMessageChunk("", id=self.id, **pending) + chunk if pending else chunk

    def feed(self, event: Any) -> AIMessageChunk | None:
        kind = _get(event, "type")
        if kind == "message_start":
            message = _get(event, "message")
            self.id = _get(message, "id")
            usage = usage_metadata(_get(message, "usage")) or {}
            self.input_tokens = usage.get("input_tokens", 0)
            self.pending = {"usage_metadata": {**usage, "output_tokens": 0, "total_tokens": self.input_tokens},
                            "response_metadata": {"id": self.id, "model": _get(message, "model"),
                                                  "model_name": _get(message, "model")}}
        elif kind == "content_block_start":
            block, index = _get(event, "content_block"), _get(event, "index")
            kind = _get(block, "type")
            if kind == "tool_use":
                self.tools.add(index)
                return self._chunk(tool_call_chunks=[{"name": _get(block, "name"), "args": "",
                                                      "id": _get(block, "id"), "index": index}])
            if kind == "text" and not self.blocks and not _get(block, "citations"):
                return self._chunk(_get(block, "text")) if _get(block, "text") else None
            self.blocks = True
            start = _block_dict(block)
            if kind == "server_tool_use":
                start.pop("input", None)  # it streams as partial_json
            return self._chunk([{**start, "index": index}])
        elif kind == "content_block_delta":
            delta, index = _get(event, "delta"), _get(event, "index")
            dtype = _get(delta, "type")
            if dtype == "text_delta" and not self.blocks:
                return self._chunk(_get(delta, "text"))
            if dtype == "input_json_delta" and index in self.tools:
                return self._chunk(tool_call_chunks=[{"name": None, "args": _get(delta, "partial_json"),
                                                      "id": None, "index": index}])
            piece = {"text_delta": ("text", "text"), "thinking_delta": ("thinking", "thinking"),
                     "signature_delta": ("thinking", "signature"), "input_json_delta": (None, "partial_json"),
                     "citations_delta": ("text", "citations")}.get(dtype)
            if piece is not None:
                block_type, field = piece
                value = _get(delta, "citation") if dtype == "citations_delta" else _get(delta, field)
                if dtype == "citations_delta":
                    value = [_block_dict(value)]
                block = {field: value, "index": index}
                if block_type is not None:
                    block["type"] = block_type
                return self._chunk([block])
        elif kind == "message_delta":
            delta, usage = _get(event, "delta"), _get(event, "usage")
            output_tokens = _get(usage, "output_tokens") or 0
            return self._chunk(
                usage_metadata={"input_tokens": 0, "output_tokens": output_tokens, "total_tokens": output_tokens},
                response_metadata={"stop_reason": _get(delta, "stop_reason"),
                                   "stop_sequence": _get(delta, "stop_sequence")})
        return None


__all__ = ["ChunkAssembler", "from_anthropic", "request_params", "to_anthropic_messages", "tool_choice_param",
           "usage_metadata"]
