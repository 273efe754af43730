"""Record and replay: run a notebook live once, then re-run it offline with the same model replies.

`Cassette(path, model)` wraps a model. Each request is reduced to what decides the reply (the messages
without their random ids, the schema, the tools, the options) and hashed into a key. A recorded key
replays its reply (several replies to one key replay in order); a miss calls the wrapped model and
records, or, with no model or in `"replay"` mode, raises `CassetteMissError` naming the request and
showing how it differs from the nearest recorded one. The file is plain, sorted JSON, so a cassette
diffs well in review. Replies are stored as `AIMessage.to_dict()`: never headers, never the API key.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from wfkit._secrets import redact
from wfkit.checkpoint.serde import parse_json
from wfkit.errors import CassetteError, CassetteMissError
from wfkit.llm.base import BaseChatModel
from wfkit.llm.request import ModelRequest
from wfkit.llm.scripted import word_chunks
from wfkit.llm.tools import model_tool_schema
from wfkit.messages import AIMessage, AIMessageChunk, message_from_dict

_MODES = ("auto", "replay", "record")
_VOLATILE = ("id", "response_metadata", "usage_metadata", "additional_kwargs")


def request_record(request: ModelRequest) -> dict[str, Any]:
    """The parts of a request that decide the reply, as JSON-able data."""
    messages = []
    for m in request.messages:
        d = {k: v for k, v in m.to_dict().items() if k not in _VOLATILE and v not in (None, [], {})}
        if d.get("status") == "success":
            del d["status"]
        messages.append(d)
    return {"messages": messages,
            "schema": model_tool_schema(request.schema) if request.schema is not None else None,
            "tools": [t.to_schema() for t in request.tools],
            "options": json.loads(json.dumps(request.options, sort_keys=True, default=repr))}


def request_key(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16]


# Far deeper than any request or reply wfkit records, and shallow enough that copying a reply
# (`message_from_dict` deep-copies it) stays well inside Python's default recursion limit.
_MAX_DEPTH = 200
_FIX = "; the file was damaged or edited outside wfkit: restore it, or delete it to record afresh"


def _read(path: Path) -> dict[str, Any]:
    """The contents of the cassette file at `path`, checked to be shaped as `_Tape.record` writes them;
    `CassetteError` names the file, the entry and what is wrong."""
    def fail(why: str, deep: bool = False) -> CassetteError:
        return CassetteError(f"cassette `{path}`: {why}{_FIX}")

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise fail(f"not UTF-8 text (byte {e.start})") from None
    data = parse_json(text, fail, limit=_MAX_DEPTH)
    if type(data) is not dict:
        raise fail(f"the file holds a JSON {_json_type(data)}, not an object with `interactions`")
    if data.get("version", 1) != 1:
        raise fail(f"`version` is {_brief(data['version'])}; this wfkit reads cassettes of version 1")
    retries, interactions = data.get("structured_retries"), data.get("interactions", [])
    if not (retries is None or (type(retries) is int and retries >= 0)):
        raise fail(f"`structured_retries` is {_brief(retries)}, not a count (an int >= 0) or null")
    if type(interactions) is not list:
        raise fail(f"`interactions` is a JSON {_json_type(interactions)}, not a list")
    for i, entry in enumerate(interactions):
        where = f"interactions[{i}]"
        if type(entry) is not dict:
            raise fail(f"{where} is a JSON {_json_type(entry)}, not an object")
        missing = [k for k in ("key", "request", "replies") if k not in entry]
        if missing:
            raise fail(f"{where} has no {', '.join(f'`{k}`' for k in missing)}")
        if type(entry["key"]) is not str:
            raise fail(f"{where}.key is {_brief(entry['key'])}, not a str")
        where = f"{where} (key {entry['key']})"
        if type(entry["request"]) is not dict:
            raise fail(f"{where}: `request` is a JSON {_json_type(entry['request'])}, not an object")
        replies = entry["replies"]
        if type(replies) is not list or not replies:
            raise fail(f"{where}: `replies` must be a non-empty list of messages, got {_brief(replies)}")
        for n, reply in enumerate(replies):
            try:
                message = message_from_dict(reply) if type(reply) is dict else None
            except (TypeError, ValueError, KeyError, AttributeError) as e:
                raise fail(f"{where}: replies[{n}] is not a message ({type(e).__name__}: {e})") from None
            if not isinstance(message, AIMessage):
                raise fail(f"{where}: replies[{n}] is {_brief(reply)}, not an AI message "
                           f"(`AIMessage.to_dict()` output)")
    return data


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


def _brief(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return f"`{text}`" if len(text) <= 60 else f"`{text[:60]}…` ({len(text)} characters)"


class _Tape:
    """The cassette's contents and replay positions, shared by a wrapper and its bound copies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        data = _read(path) if path.exists() else {}
        self.structured_retries = data.get("structured_retries")
        self.entries: dict[str, dict[str, Any]] = {e["key"]: e for e in data.get("interactions", [])}
        self.served: dict[str, int] = {}
        self.rerecorded: set[str] = set()

    def take(self, key: str, repeat: bool) -> AIMessage | None:
        """The next recorded reply for `key`; once all were served, the last again if `repeat`, else None
        (so that a live model answers, and is recorded, when a live run asks more often than the recording)."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            n = self.served.get(key, 0)
            if n >= len(entry["replies"]) and not repeat:
                return None
            self.served[key] = n + 1
            return message_from_dict(entry["replies"][min(n, len(entry["replies"]) - 1)])

    def record(self, key: str, record: dict, reply: AIMessage, fresh: bool, structured_retries: int) -> None:
        with self.lock:
            entry = self.entries.setdefault(key, {"key": key, "request": record, "replies": []})
            if fresh and key not in self.rerecorded:
                entry["replies"] = []
                self.rerecorded.add(key)
            entry["replies"].append(reply.to_dict())
            self.served[key] = len(entry["replies"])
            text = json.dumps({"version": 1, "structured_retries": structured_retries,
                               "interactions": sorted(self.entries.values(), key=lambda e: e["key"])},
                              indent=1, sort_keys=True, ensure_ascii=False)
            text = redact(text, "***")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(self.path.suffix + ".tmp")
            tmp.write_text(text + "\n")
            os.replace(tmp, self.path)  # a crash mid-write never leaves half a cassette

    def nearest(self, record: dict[str, Any]) -> dict[str, Any] | None:
        wanted = json.dumps(record, indent=1, sort_keys=True)
        scored = [(difflib.SequenceMatcher(None, json.dumps(e["request"], indent=1, sort_keys=True), wanted).ratio(), e)
                  for e in self.entries.values()]
        return max(scored, key=lambda pair: pair[0])[1]["request"] if scored else None


class Cassette(BaseChatModel):
    """`Cassette(path, model=None, mode="auto")`: replay recorded replies, record new ones from `model`.

    Modes: `"auto"` replays hits and records misses (needs `model`); `"replay"` never calls a model;
    `"record"` calls the model for every request and overwrites what was recorded for it.
    """

    def __init__(self, path: str | os.PathLike, model: BaseChatModel | None = None, *, mode: str = "auto") -> None:
        if mode not in _MODES:
            raise ValueError(f"Cassette mode `{mode}` is none of {', '.join(f'`{m}`' for m in _MODES)}")
        if mode == "record" and model is None:
            raise ValueError("Cassette(mode=\"record\") needs the model to record from: Cassette(path, Claude())")
        self.path = Path(path)
        self.model = model
        self.mode = mode
        self._tape = _Tape(self.path)

    def __repr__(self) -> str:
        return f"Cassette({str(self.path)!r}, {self.model!r}, mode={self.mode!r})"

    @property
    def structured_retries(self) -> int:  # type: ignore[override]
        # Replay must make the calls the recording made, so the recorded retry count wins.
        if self.model is not None:
            return self.model.structured_retries
        return self._tape.structured_retries or 0

    def _lookup(self, request: ModelRequest) -> tuple[str, dict, AIMessage | None]:
        record = request_record(request)
        key = request_key(record)
        live = self.model is not None and self.mode != "replay"
        hit = None if self.mode == "record" else self._tape.take(key, repeat=not live)
        if hit is None and (self.model is None or self.mode == "replay"):
            raise CassetteMissError(self._miss_message(key, record))
        return key, record, hit

    def _save(self, key: str, record: dict, reply: AIMessage) -> None:
        self._tape.record(key, record, reply, self.mode == "record", self.model.structured_retries)

    async def _agenerate(self, request: ModelRequest) -> AIMessage:
        key, record, hit = self._lookup(request)
        if hit is not None:
            return hit
        reply = await self.model._agenerate(request)
        self._save(key, record, reply)
        return reply

    async def _astream(self, request: ModelRequest) -> AsyncIterator[AIMessageChunk]:
        key, record, hit = self._lookup(request)
        if hit is not None:
            for chunk in word_chunks(hit):
                yield chunk
            return
        total: AIMessageChunk | None = None
        async for chunk in self.model._astream(request):
            total = chunk if total is None else total + chunk
            yield chunk
        if total is not None:
            self._save(key, record, total.to_message())

    def _miss_message(self, key: str, record: dict[str, Any]) -> str:
        last = record["messages"][-1] if record["messages"] else {}
        content = last.get("content")
        what = f"{last.get('type')} message" + (f" {content[:80]!r}" if isinstance(content, str) else "")
        text = f"cassette `{self.path}` has no reply for this request (key {key}; last: {what})"
        nearest = self._tape.nearest(record)
        if nearest is None:
            text += "; the cassette is empty"
        else:
            diff = list(difflib.unified_diff(json.dumps(nearest, indent=1, sort_keys=True).splitlines(),
                                             json.dumps(record, indent=1, sort_keys=True).splitlines(),
                                             "recorded", "requested", n=1, lineterm=""))
            shown = diff[:40] + ([f"... ({len(diff) - 40} more diff lines)"] if len(diff) > 40 else [])
            text += "; the nearest recorded request differs:\n" + "\n".join(shown) + "\n"
        return text + ("To record it, run once with ANTHROPIC_API_KEY set (a Cassette in mode \"auto\" records "
                       "what it misses), or delete the cassette file to record afresh")


__all__ = ["Cassette", "request_key", "request_record"]
