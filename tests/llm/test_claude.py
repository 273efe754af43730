"""wfkit.llm.Claude through the real anthropic client, against the local fake Messages API."""

import asyncio
import gc
import pickle
import subprocess
import sys
import time
import types

import pytest
from conftest import TEST_KEY
from fake_anthropic import error, message
from pydantic import BaseModel

from wfkit.errors import ModelError, StructuredOutputError
from wfkit.llm import Claude, tool
from wfkit.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage

USAGE = {"input_tokens": 12, "output_tokens": 7, "total_tokens": 19}


class Weather(BaseModel):
    """Today's weather."""

    city: str
    celsius: int


@tool
def add(a: int, b: int) -> int:
    """Adds a and b.

    Args:
        a: First int
        b: Second int
    """
    return a + b


def test_importing_wfkit_llm_does_not_import_the_sdk():
    code = "import sys, wfkit.llm; print('anthropic' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_a_text_reply_with_usage_and_metadata(claude, fake_api):
    fake_api.reply(message("Hello!"))
    reply = claude.invoke("hi")
    assert reply == AIMessage("Hello!", id="msg_01", usage_metadata=USAGE, response_metadata={
        "id": "msg_01", "model": "claude-test-1", "model_name": "claude-test-1", "stop_reason": "end_turn",
        "stop_sequence": None})
    sent = fake_api.requests[0]
    assert sent["path"] == "/v1/messages"
    assert sent["body"] == {"model": "claude-test-1", "max_tokens": 4096, "messages": [{"role": "user", "content": "hi"}]}
    assert sent["headers"]["anthropic-version"]


def test_system_messages_become_the_system_parameter_and_options_pass_through(claude, fake_api):
    fake_api.reply(message("ok"))
    claude.bind(temperature=0, max_tokens=50).invoke([SystemMessage("Be brief."), HumanMessage("hi")])
    assert fake_api.requests[0]["body"] == {"model": "claude-test-1", "max_tokens": 50, "temperature": 0,
                                            "system": "Be brief.", "messages": [{"role": "user", "content": "hi"}]}


def test_tool_use_becomes_tool_calls_and_tools_are_sent_with_their_schemas(claude, fake_api):
    fake_api.reply(message("Let me add.", [("toolu_1", "add", {"a": 3, "b": 4})]))
    reply = claude.bind_tools([add], tool_choice="add").invoke("Add 3 and 4.")
    assert reply.content == "Let me add."
    assert reply.tool_calls == [{"name": "add", "args": {"a": 3, "b": 4}, "id": "toolu_1", "type": "tool_call"}]
    body = fake_api.requests[0]["body"]
    assert body["tools"] == [{"name": "add", "description": "Adds a and b.", "input_schema": {
        "type": "object", "additionalProperties": False, "required": ["a", "b"],
        "properties": {"a": {"description": "First int", "type": "integer"},
                       "b": {"description": "Second int", "type": "integer"}}}}]
    assert body["tool_choice"] == {"type": "tool", "name": "add"}


def test_parallel_tool_calls_and_their_results_go_back_in_one_user_turn(claude, fake_api):
    fake_api.reply(message("", [("toolu_1", "add", {"a": 1, "b": 2}), ("toolu_2", "add", {"a": 3, "b": 4})]),
                   message("3 and 7."))
    llm = claude.bind_tools([add])
    first = llm.invoke("Add 1+2 and 3+4.")
    assert [c["id"] for c in first.tool_calls] == ["toolu_1", "toolu_2"]
    results = [add.invoke(call) for call in first.tool_calls]
    assert llm.invoke([HumanMessage("Add 1+2 and 3+4."), first, *results]).content == "3 and 7."
    assert fake_api.requests[1]["body"]["messages"] == [
        {"role": "user", "content": "Add 1+2 and 3+4."},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 1, "b": 2}},
            {"type": "tool_use", "id": "toolu_2", "name": "add", "input": {"a": 3, "b": 4}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "3"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": "7"}]},
    ]


def test_structured_output_forces_the_schema_tool(claude, fake_api):
    fake_api.reply(message("", [("toolu_1", "Weather", {"city": "Oslo", "celsius": 4})]))
    assert claude.with_structured_output(Weather).invoke("Weather in Oslo?") == Weather(city="Oslo", celsius=4)
    body = fake_api.requests[0]["body"]
    assert body["tool_choice"] == {"type": "tool", "name": "Weather"}
    assert body["tools"] == [{"name": "Weather", "description": "Today's weather.", "input_schema": {
        "type": "object", "required": ["city", "celsius"],
        "properties": {"city": {"type": "string"}, "celsius": {"type": "integer"}}}}]


def test_a_tool_input_that_fails_validation_is_shown_to_the_model_once(claude, fake_api):
    fake_api.reply(message("", [("toolu_1", "Weather", {"city": "Oslo", "celsius": "cold"})]),
                   message("", [("toolu_2", "Weather", {"city": "Oslo", "celsius": 4})], id="msg_02"))
    assert claude.with_structured_output(Weather).invoke("Weather in Oslo?") == Weather(city="Oslo", celsius=4)
    retry = fake_api.requests[1]["body"]["messages"]
    assert retry[1:] == [
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "Weather", "input": {"city": "Oslo", "celsius": "cold"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": True, "content":
            "Error: `celsius`: Input should be a valid integer, unable to parse string as an integer. "
            "Reply again with arguments that fit `Weather`."}]},
    ]


def test_a_second_bad_tool_input_raises_with_the_raw_reply(claude, fake_api):
    bad = {"city": "Oslo", "celsius": "cold"}
    fake_api.reply(message("", [("toolu_1", "Weather", bad)]), message("", [("toolu_2", "Weather", bad)], id="msg_02"))
    with pytest.raises(StructuredOutputError) as info:
        claude.with_structured_output(Weather).invoke("Weather in Oslo?")
    assert str(info.value) == (
        "`Claude` replied {'city': 'Oslo', 'celsius': 'cold'}, which does not fit `Weather`: `celsius`: Input should "
        "be a valid integer, unable to parse string as an integer. Fix the reply, or loosen the schema")
    assert info.value.raw.id == "msg_02" and info.value.raw.tool_calls[0]["args"] == bad
    assert len(fake_api.requests) == 2


def test_stream_yields_text_deltas_that_add_up_to_the_reply(claude, fake_api):
    fake_api.reply({"stream": message("Hello there, friend.")})
    chunks = list(claude.stream("hi"))
    assert [c.content for c in chunks] == ["Hell", "o th", "ere,", " fri", "end.", ""]
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.to_message() == AIMessage("Hello there, friend.", id="msg_01", usage_metadata=USAGE, response_metadata={
        "id": "msg_01", "model": "claude-test-1", "model_name": "claude-test-1", "stop_reason": "end_turn",
        "stop_sequence": None})
    assert fake_api.requests[0]["body"]["stream"] is True


def test_streamed_tool_input_is_assembled(claude, fake_api):
    fake_api.reply({"stream": message("", [("toolu_1", "add", {"a": 30, "b": 12})])})
    chunks = list(claude.bind_tools([add]).stream("Add 30 and 12"))
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.tool_calls == [{"name": "add", "args": {"a": 30, "b": 12}, "id": "toolu_1", "type": "tool_call"}]


def test_rate_limits_and_overloads_are_retried_by_the_sdk(claude, fake_api):
    fake_api.reply(error(429, "rate_limit_error", "Slow down"), error(529, "overloaded_error", "Overloaded"),
                   message("finally"))
    assert claude.invoke("hi").content == "finally"
    assert [r["headers"]["x-stainless-retry-count"] for r in fake_api.requests] == ["0", "1", "2"]


def test_overload_after_the_last_retry_says_what_to_do(claude, fake_api):
    fake_api.reply(*[error(529, "overloaded_error", "Overloaded")] * 3)
    with pytest.raises(ModelError) as info:
        claude.invoke("hi")
    assert str(info.value) == (
        "Claude (claude-test-1) call failed: HTTP 529 overloaded_error: Overloaded. Anthropic is overloaded (still, "
        "after 2 retries); try again later, or pass a larger max_retries")
    assert info.value.status_code == 529 and len(fake_api.requests) == 3


def test_max_retries_passes_through_to_the_sdk(fake_api):
    llm = Claude("claude-test-1", api_key=TEST_KEY, base_url=fake_api.url, max_retries=0)
    fake_api.reply(error(429, "rate_limit_error", "Slow down"))
    with pytest.raises(ModelError) as info:
        llm.invoke("hi")
    assert str(info.value) == ("Claude (claude-test-1) call failed: HTTP 429 rate_limit_error: Slow down. Still rate "
                               "limited after 0 retries; wait a little, or pass a larger max_retries")
    assert len(fake_api.requests) == 1


def test_a_400_is_not_retried_and_shows_the_api_message(claude, fake_api):
    fake_api.reply(error(400, "invalid_request_error", "messages.0.content: must not be empty"))
    with pytest.raises(ModelError) as info:
        claude.invoke("hi")
    assert str(info.value) == (
        "Claude (claude-test-1) call failed: HTTP 400 invalid_request_error: messages.0.content: must not be empty. "
        "The API refused the request as sent; its message says which part")
    assert len(fake_api.requests) == 1


def test_a_dropped_stream_raises_with_the_partial_reply(claude, fake_api):
    fake_api.reply({"stream": message("Hello there, friend."), "drop_after": 5})
    seen = []
    with pytest.raises(ModelError) as info:
        for chunk in claude.stream("hi"):
            seen.append(chunk.content)
    assert seen == ["Hell", "o th"]
    assert info.value.partial.content == "Hello th"
    assert str(info.value).startswith("Claude (claude-test-1) call failed after its reply stream started (")
    assert str(info.value).endswith(
        ". The reply stream broke off after 8 characters; the partial reply is on this error's `.partial`. Call again "
        "to retry: the SDK retries a request only before its stream starts")


def test_default_headers_reach_the_server(fake_api):
    llm = Claude("claude-test-1", api_key=TEST_KEY, base_url=fake_api.url, default_headers={"x-course": "wfkit"})
    fake_api.reply(message("ok"))
    llm.invoke("hi")
    assert fake_api.requests[0]["headers"]["x-course"] == "wfkit"


def test_the_timeout_option_reaches_the_client(fake_api):
    llm = Claude("claude-test-1", api_key=TEST_KEY, base_url=fake_api.url, timeout=0.2, max_retries=0)
    fake_api.reply({"delay": 1.0, "then": message("too late")})
    with pytest.raises(ModelError) as info:
        llm.invoke("hi")
    assert str(info.value) == (
        "Claude (claude-test-1) timed out (timeout=0.2, and the SDK retried 0 times); pass a larger timeout=..., or "
        "check the network and base_url")


def test_an_unreachable_server_says_where_it_tried(fake_api):
    fake_api.stop()  # nothing listens there any more
    llm = Claude("claude-test-1", api_key=TEST_KEY, base_url=fake_api.url, max_retries=0)
    with pytest.raises(ModelError) as info:
        llm.invoke("hi")
    assert str(info.value).startswith(
        f"Claude (claude-test-1) could not reach {fake_api.url}; check the network, base_url and timeout (the SDK "
        f"already retried 0 times). The SDK said: APIConnectionError: ")


def test_async_calls_and_calls_from_inside_a_running_loop(claude, fake_api):
    fake_api.reply(message("one"), message("two"))

    async def main():
        first = await claude.ainvoke("hi")
        second = claude.invoke("hi")  # a notebook cell: sync call while a loop runs
        return first.content, second.content

    assert asyncio.run(main()) == ("one", "two")


def _wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_one_connection_serves_calls_from_every_loop_and_close_ends_it(fake_api):
    fake_api.reply(message("one"), message("two"), {"stream": message("three")}, message("four"))
    llm = Claude("claude-test-1", api_key=TEST_KEY, base_url=fake_api.url)
    llm.invoke("hi")  # this thread's loop
    asyncio.run(llm.ainvoke("hi"))  # a loop that is gone after this line
    bound = llm.bind_tools([add])  # a copy shares the connection

    async def notebook_cell():
        return "".join(c.content for c in bound.stream("hi"))  # a stream from inside a running loop

    assert asyncio.run(notebook_cell()) == "three"
    clients = [r["client"] for r in fake_api.requests]
    assert len(set(clients)) == 1 and fake_api.closed == []
    llm.close()
    assert _wait_for(lambda: fake_api.closed == clients[:1])
    assert llm.invoke("again").content == "four"  # a closed model opens a new connection when used
    assert fake_api.requests[-1]["client"] != clients[0]


def test_a_dropped_model_closes_its_connection(fake_api):
    fake_api.reply(message("one"))
    llm = Claude("claude-test-1", api_key=TEST_KEY, base_url=fake_api.url).bind_tools([add])
    llm.invoke("hi")
    del llm
    gc.collect()
    assert _wait_for(lambda: fake_api.closed == [fake_api.requests[0]["client"]])


def test_with_and_async_with_close_the_connection(fake_api):
    fake_api.reply(message("one"), message("two"))
    with Claude("claude-test-1", api_key=TEST_KEY, base_url=fake_api.url) as llm:
        llm.invoke("hi")

    async def main():
        async with Claude("claude-test-1", api_key=TEST_KEY, base_url=fake_api.url) as llm:
            await llm.ainvoke("hi")

    asyncio.run(main())
    assert _wait_for(lambda: sorted(fake_api.closed) == sorted(r["client"] for r in fake_api.requests))


def test_cancelling_the_caller_cancels_the_request(claude, fake_api):
    fake_api.reply({"delay": 1.0, "then": message("late")}, message("next"))

    async def main():
        call = asyncio.ensure_future(claude.ainvoke("hi"))
        while not fake_api.requests:  # the server holds the request for a second
            await asyncio.sleep(0.005)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        return (await claude.ainvoke("hi")).content

    assert asyncio.run(main()) == "next"
    first, second = (r["client"] for r in fake_api.requests)
    assert first != second  # the cancelled request's connection was dropped, not returned to the pool
    assert _wait_for(lambda: first in fake_api.closed)


def test_invoke_in_a_messages_streaming_task_streams_to_the_graph(claude, fake_api, monkeypatch):
    chunks = []
    task = types.SimpleNamespace(stream_messages=True, emit_message_chunk=chunks.append)
    fake = types.ModuleType("wfkit.engine.context")
    fake.current_task = lambda: task
    monkeypatch.setitem(sys.modules, "wfkit.engine.context", fake)
    fake_api.reply({"stream": message("Hi there")})
    reply = claude.invoke("hi")
    assert [c.content for c in chunks] == ["Hi t", "here", ""] and all(isinstance(c, AIMessageChunk) for c in chunks)
    assert type(reply) is AIMessage and reply.content == "Hi there" and reply.usage_metadata == USAGE


def test_the_key_never_shows_in_repr_errors_or_pickles(claude, fake_api):
    assert repr(claude) == ("Claude(model='claude-test-1', max_tokens=4096, base_url='" + fake_api.url +
                            "', timeout=10, max_retries=2)")
    assert TEST_KEY not in repr(vars(claude))
    fake_api.reply({"echo_key": True})
    with pytest.raises(ModelError) as info:
        claude.invoke("hi")
    assert TEST_KEY not in str(info.value) and "invalid key" in str(info.value) and "***" in str(info.value)
    with pytest.raises(TypeError) as pickled:
        pickle.dumps(claude)
    assert str(pickled.value) == "the Claude API key is not serialised; build the model again where it is needed"


def test_no_key_says_how_to_get_one_or_go_offline():
    with pytest.raises(ModelError) as info:
        Claude()
    assert str(info.value) == (
        "Claude needs an API key: set the ANTHROPIC_API_KEY environment variable or pass api_key=...; or call "
        "wfkit.llm.default_model(), which falls back to the offline model")


def test_without_the_sdk_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "anthropic", None)  # makes `import anthropic` fail
    with pytest.raises(ImportError) as info:
        Claude(api_key=TEST_KEY)
    assert str(info.value) == 'wfkit.llm.Claude needs the anthropic SDK: pip install "wfkit[claude]"'


def test_tool_errors_reach_claude_as_error_results(claude, fake_api):
    fake_api.reply(message("Sorry."))
    claude.invoke([HumanMessage("x"), AIMessage("", tool_calls=[{"name": "add", "args": {}, "id": "t1"}]),
                   ToolMessage("division by zero", tool_call_id="t1", status="error")])
    assert fake_api.requests[0]["body"]["messages"][2] == {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "t1", "content": "division by zero", "is_error": True}]}


def test_stream_mode_messages_in_a_graph_yields_claude_tokens_with_node_and_step(claude, fake_api):
    from wfkit import END, START, MessagesState, StateGraph

    def chat(state):
        return {"messages": [claude.invoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("chat", chat)
    builder.add_edge(START, "chat")
    builder.add_edge("chat", END)
    fake_api.reply({"stream": message("Hi there")})
    items = list(builder.compile().stream({"messages": [("user", "hi")]}, stream_mode=["messages", "values"]))
    tokens = [(chunk.content, meta["langgraph_node"], meta["langgraph_step"]) for mode, (chunk, meta) in
              (i for i in items if i[0] == "messages")]
    assert tokens == [("Hi t", "chat", 1), ("here", "chat", 1), ("", "chat", 1)]
    final = [chunk for mode, chunk in items if mode == "values"][-1]["messages"][-1]
    assert type(final) is AIMessage and final.content == "Hi there" and final.usage_metadata == USAGE


def test_tags_are_kept_by_the_model_and_not_sent(fake_api):
    from wfkit.llm.claude import Claude

    with Claude("claude-test-1", api_key=TEST_KEY, base_url=fake_api.url, tags=["joke"]) as llm:
        fake_api.reply(message("ok"))
        llm.invoke("hi")
        assert llm.tags == ("joke",)
    assert fake_api.requests[0]["body"] == {"model": "claude-test-1", "max_tokens": 4096,
                                            "messages": [{"role": "user", "content": "hi"}]}


def test_a_200_reply_that_is_not_json_is_a_model_error_that_does_not_quote_the_body(claude, fake_api):
    fake_api.reply({"raw": "<html>sign in to the wifi; you sent {key}</html>"},
                   {"raw": "not json either"})
    expected = (f"Claude (claude-test-1): {fake_api.url}{{}} answered HTTP 200 with a body that is not JSON, so it "
                f"is not the Messages API's reply; something between wfkit and the API (a proxy, a gateway, a "
                f"wrong base_url) answered instead — check base_url and the network")
    with pytest.raises(ModelError) as info:
        claude.invoke("hi")
    assert (str(info.value), info.value.status_code, info.value.__cause__) == (
        expected.format("/v1/messages"), 200, None)
    with pytest.raises(ModelError) as info:
        claude.count_tokens("hi")
    assert str(info.value) == expected.format("/v1/messages/count_tokens")
