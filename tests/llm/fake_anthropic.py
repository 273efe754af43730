"""A local stand-in for the Anthropic Messages API, for tests that drive the real `anthropic` client.

It listens on 127.0.0.1 and answers `POST /v1/messages` from a queue of scripted replies, in the API's
real shapes: a JSON `Message`, an SSE stream of `message_start` ... `message_stop` events, an error body
with its status (429 and 529 carry `retry-after-ms` so the SDK's retries are quick), or a stream that
breaks off mid-way. Every request's headers, JSON body and client address are kept for the test to
inspect, and so is the address of every connection the client closed.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "claude-test-1"


def message(text: str = "", tool_uses: list[tuple[str, str, dict]] = (), *, id: str = "msg_01",
            input_tokens: int = 12, output_tokens: int = 7, stop_reason: str | None = None,
            blocks: list[dict[str, Any]] = (), cache_read: int = 0, cache_creation: int = 0) -> dict[str, Any]:
    """A `Message` body: `blocks` as given (thinking, server tools...), then text, then `tool_use` blocks
    given as (id, name, input)."""
    content: list[dict[str, Any]] = [dict(b) for b in blocks]
    content += [{"type": "text", "text": text}] if text else []
    content += [{"type": "tool_use", "id": i, "name": n, "input": args} for i, n, args in tool_uses]
    return {"id": id, "type": "message", "role": "assistant", "model": MODEL, "content": content,
            "stop_reason": stop_reason or ("tool_use" if tool_uses else "end_turn"), "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                      "cache_creation_input_tokens": cache_creation, "cache_read_input_tokens": cache_read}}


THINKING = {"type": "thinking", "thinking": "The user wants 30 + 12; the add tool does that.",
            "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}
REDACTED = {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3q"}
SEARCH_USE = {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {"query": "owl lifespan"}}
SEARCH_RESULT = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": [
    {"type": "web_search_result", "url": "https://example.org/owls", "title": "Owls", "encrypted_content": "EqgfCioI",
     "page_age": "April 30, 2025"}]}
CITED_TEXT = {"type": "text", "text": "Barn owls live about four years.", "citations": [
    {"type": "web_search_result_location", "url": "https://example.org/owls", "title": "Owls",
     "encrypted_index": "Eo8BCioIAhgB", "cited_text": "The average lifespan of a barn owl is four years."}]}


def stream_events(body: dict[str, Any], *, piece: int = 4) -> list[tuple[str, dict[str, Any]]]:
    """The SSE events the API sends for `body`, text and tool input JSON cut into `piece`-sized deltas."""
    start = dict(body, content=[], stop_reason=None, usage=dict(body["usage"], output_tokens=1))
    events = [("message_start", {"type": "message_start", "message": start}), ("ping", {"type": "ping"})]
    for index, block in enumerate(body["content"]):
        if block["type"] == "text":
            events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                   "content_block": {"type": "text", "text": ""}}))
            deltas = [{"type": "text_delta", "text": block["text"][i:i + piece]} for i in range(0, len(block["text"]), piece)]
            deltas += [{"type": "citations_delta", "citation": c} for c in block.get("citations", [])]
        elif block["type"] == "thinking":
            events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                   "content_block": {"type": "thinking", "thinking": "", "signature": ""}}))
            deltas = [{"type": "thinking_delta", "thinking": block["thinking"][i:i + piece]}
                      for i in range(0, len(block["thinking"]), piece)]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif block["type"] == "server_tool_use":
            events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                   "content_block": dict(block, input={})}))
            raw = json.dumps(block["input"])
            deltas = [{"type": "input_json_delta", "partial_json": raw[i:i + piece]} for i in range(0, len(raw), piece)]
        elif block["type"] != "tool_use":  # redacted thinking, server tool results: whole, in the start event
            events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": block}))
            deltas = []
        else:
            events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": {
                "type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}))
            raw = json.dumps(block["input"])
            deltas = [{"type": "input_json_delta", "partial_json": raw[i:i + piece]} for i in range(0, len(raw), piece)]
        events += [("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d}) for d in deltas]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(("message_delta", {"type": "message_delta", "usage": {"output_tokens": body["usage"]["output_tokens"]},
                                     "delta": {"stop_reason": body["stop_reason"], "stop_sequence": None}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def error(status: int, kind: str, text: str) -> dict[str, Any]:
    return {"status": status, "body": {"type": "error", "error": {"type": kind, "message": text}}}


class FakeAnthropic:
    """The server. `reply(...)` queues what the next requests get; `requests` lists what came in."""

    def __init__(self) -> None:
        self.queue: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.closed: list[tuple[str, int]] = []  # client addresses of the connections that have ended
        self.lock = threading.Lock()
        self.stopped = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def reply(self, *replies: dict[str, Any]) -> None:
        """Queue replies: a `message(...)` body, `{"stream": body}`, `{"stream": body, "drop_after": n}`
        (break the connection after n events), `error(status, type, text)`, `{"delay": s, "then": reply}`,
        `{"echo_key": True}` (a 401 whose message repeats the key it was sent), or `{"raw": text}` (a 200 whose
        body is `text` as it is, labelled JSON; `"{key}"` in it becomes the key it was sent)."""
        with self.lock:
            self.queue.extend(replies)

    def start(self) -> FakeAnthropic:
        self.thread.start()
        return self

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.server.shutdown()
            self.server.server_close()

    def _next(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.requests.append(request)
            if not self.queue:
                return error(500, "api_error", "the fake server has no reply queued for this request")
            return self.queue.pop(0)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def handle(self) -> None:
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):  # the client hung up (a cancelled call)
                    pass

            def finish(self) -> None:
                super().finish()
                with fake.lock:
                    fake.closed.append(self.client_address)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                spec = fake._next({"path": self.path, "headers": dict(self.headers), "body": body,
                                   "client": self.client_address})
                if "delay" in spec:  # a slow server, for timeouts
                    time.sleep(spec["delay"])
                    spec = spec["then"]
                if spec.get("echo_key"):  # a careless server that repeats the key in its error
                    sent = self.headers.get("x-api-key") or self.headers.get("authorization")
                    spec = error(401, "authentication_error", f"invalid key {sent}")
                if "raw" in spec:  # a broken proxy's answer: labelled JSON, but not JSON
                    sent = self.headers.get("x-api-key") or ""
                    data = spec["raw"].replace("{key}", sent).encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                elif "status" in spec:
                    self._json(spec["status"], spec["body"], retry=spec["status"] in (429, 529))
                elif self.path.startswith("/v1/messages/count_tokens"):
                    self._json(200, spec)
                elif "stream" in spec:
                    self._stream(stream_events(spec["stream"]), spec.get("drop_after"))
                else:
                    self._json(200, spec)

            def _json(self, status: int, body: dict, retry: bool = False) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", f"req_{len(fake.requests)}")
                if retry:
                    self.send_header("retry-after-ms", "1")  # the SDK waits this long before retrying
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, events: list, drop_after: int | None) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                for n, (name, data) in enumerate(events):
                    if drop_after is not None and n == drop_after:
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(2)  # no final chunk: the client sees a broken body
                        return
                    payload = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
                    self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")

        return Handler
