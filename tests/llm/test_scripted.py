"""wfkit.llm.ScriptedModel and the BaseChatModel API it shares with every model."""

import asyncio
import sys
import threading
import types
from typing import Literal

import pytest
from pydantic import BaseModel

from wfkit._ids import deterministic_ids
from wfkit.errors import ModelError, StructuredOutputError
from wfkit.llm import ModelRequest, ScriptedModel, tool
from wfkit.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage


class Feedback(BaseModel):
    grade: Literal["funny", "not funny"]
    feedback: str = ""


@tool
def add(a: int, b: int) -> int:
    """Adds a and b."""
    return a + b


def test_a_string_reply_becomes_an_ai_message_with_an_id():
    with deterministic_ids():
        reply = ScriptedModel(["Hello!"]).invoke("hi")
    assert reply == AIMessage("Hello!", id="msg-1")


def test_replies_from_a_list_come_in_order_and_run_out_clearly():
    model = ScriptedModel(["one", "two"])
    assert [model.invoke("x").content, model.invoke("x").content] == ["one", "two"]
    with pytest.raises(ModelError) as info:
        model.invoke("x")
    assert str(info.value) == (
        "ScriptedModel has no reply left: all 2 scripted replies were used and call 3 asked for another. Add "
        "more replies to the list, or pass a function `respond(request)` that computes each reply")


def test_bound_copies_share_the_script():
    model = ScriptedModel(["one", "two"])
    assert model.bind_tools([add]).invoke("x").content == "one"
    assert model.invoke("x").content == "two"
    assert repr(model) == "ScriptedModel(2 replies, 2 used)"


def test_a_list_is_consumed_exactly_once_across_threads():
    model = ScriptedModel([str(i) for i in range(200)])
    seen, lock = [], threading.Lock()

    def worker():
        for _ in range(20):
            content = model.invoke("x").content
            with lock:
                seen.append(content)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen, key=int) == [str(i) for i in range(200)]


def test_respond_sees_messages_schema_and_tools():
    seen = []

    def respond(request: ModelRequest):
        seen.append(([type(m).__name__ for m in request.messages], request.schema, [t.name for t in request.tools]))
        return "ok"

    model = ScriptedModel(respond)
    model.bind_tools([add]).invoke([SystemMessage("be brief"), HumanMessage("hi")])
    model.invoke("hi")
    assert seen == [(["SystemMessage", "HumanMessage"], None, ["add"]), (["HumanMessage"], None, [])]
    assert len(model.requests) == 2


def test_a_dict_reply_gives_the_ai_message_fields_and_tool_calls_get_stable_ids():
    model = ScriptedModel(lambda request: {"content": "", "tool_calls": [{"name": "add", "args": {"a": 1, "b": 2}}]})
    first, again = model.invoke("add 1 and 2"), model.invoke("add 1 and 2")
    assert first.tool_calls[0]["id"].startswith("call_") and len(first.tool_calls[0]["id"]) == 25
    assert first.tool_calls == again.tool_calls  # same request, same ids
    assert model.invoke(["add 1 and 2", "and again"]).tool_calls[0]["id"] != first.tool_calls[0]["id"]


def test_an_ai_message_reply_is_copied_not_shared():
    scripted = AIMessage("hi")
    reply = ScriptedModel([scripted]).invoke("x")
    assert reply.content == "hi" and reply.id is not None and scripted.id is None


def test_a_dict_reply_with_unknown_keys_says_what_a_dict_may_hold():
    with pytest.raises(ModelError) as info:
        ScriptedModel([{"joke": "ha"}]).invoke("x")
    assert str(info.value) == (
        "ScriptedModel reply {'joke': 'ha'} is not an AIMessage: a dict reply takes the keys additional_kwargs, "
        "content, id, name, response_metadata, tool_calls, usage_metadata; for structured output call the model "
        "through `with_structured_output(Schema)`")


def test_a_pydantic_reply_without_a_schema_points_to_with_structured_output():
    with pytest.raises(ModelError) as info:
        ScriptedModel([Feedback(grade="funny")]).invoke("x")
    assert str(info.value) == ("ScriptedModel replied with a `Feedback` instance, but the request asked for no "
                               "schema; call the model through `with_structured_output(Feedback)`")


@pytest.mark.parametrize("reply", [{"grade": "funny"}, Feedback(grade="funny"), '{"grade": "funny"}'])
def test_structured_output_accepts_dicts_instances_and_json(reply):
    result = ScriptedModel([reply]).with_structured_output(Feedback).invoke("grade this")
    assert result == Feedback(grade="funny", feedback="")


def test_structured_output_that_does_not_fit_shows_reply_schema_and_complaint():
    with pytest.raises(StructuredOutputError) as info:
        ScriptedModel([{"grade": "meh"}]).with_structured_output(Feedback).invoke("grade this")
    assert str(info.value) == ("`ScriptedModel` replied {'grade': 'meh'}, which does not fit `Feedback`: `grade`: "
                               "Input should be 'funny' or 'not funny'. Fix the reply, or loosen the schema")
    assert info.value.raw.tool_calls[0]["args"] == {"grade": "meh"}


def test_structured_output_from_plain_text_shows_the_json_complaint():
    with pytest.raises(StructuredOutputError) as info:
        ScriptedModel(["very funny"]).with_structured_output(Feedback).invoke("grade this")
    assert str(info.value) == ("`ScriptedModel` replied 'very funny', which does not fit `Feedback`: `(root)`: "
                               "Invalid JSON: expected value at line 1 column 1. Fix the reply, or loosen the schema")


def test_include_raw_returns_the_reply_and_the_error_instead_of_raising():
    result = ScriptedModel([{"grade": "meh"}]).with_structured_output(Feedback, include_raw=True).invoke("x")
    assert result["parsed"] is None and result["raw"].tool_calls[0]["name"] == "Feedback"
    assert isinstance(result["parsing_error"], StructuredOutputError)


def test_structured_retry_shows_the_model_its_error(monkeypatch):
    model = ScriptedModel([{"grade": "meh"}, {"grade": "funny"}])
    monkeypatch.setattr(model, "structured_retries", 1)
    assert model.with_structured_output(Feedback).invoke("grade this") == Feedback(grade="funny")
    retry = model.requests[1].messages
    assert [type(m).__name__ for m in retry] == ["HumanMessage", "AIMessage", "ToolMessage"]
    assert retry[2].status == "error" and retry[2].content == (
        "Error: `grade`: Input should be 'funny' or 'not funny'. Reply again with arguments that fit `Feedback`.")


def test_stream_splits_text_into_word_chunks_that_add_up():
    model = ScriptedModel(["Why did  the cat\nsit?"])
    chunks = list(model.stream("joke"))
    assert [c.content for c in chunks] == ["Why", " did", "  the", " cat", "\nsit?"]
    assert all(isinstance(c, AIMessageChunk) for c in chunks) and len({c.id for c in chunks}) == 1
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    assert total.to_message().content == "Why did  the cat\nsit?"


def test_stream_carries_tool_calls_on_the_last_chunk():
    call = {"name": "add", "args": {"a": 3, "b": 4}, "id": "call_1"}
    chunks = list(ScriptedModel([AIMessage("Adding now", tool_calls=[call])]).stream("add"))
    assert [c.content for c in chunks] == ["Adding", " now"]
    assert chunks[-1].tool_call_chunks == [{"name": "add", "args": '{"a": 3, "b": 4}', "id": "call_1", "index": 0}]
    assert (chunks[0] + chunks[1]).to_message().tool_calls == [dict(call, type="tool_call")]


def test_async_paths_match_the_sync_ones():
    async def main():
        model = ScriptedModel(lambda request: f"echo {request.messages[-1].text}")
        reply = await model.ainvoke("hi")
        chunks = [c.content async for c in model.astream("a b")]
        batch = await model.abatch(["x", "y"])
        return reply.content, chunks, [m.content for m in batch]

    assert asyncio.run(main()) == ("echo hi", ["echo", " a", " b"], ["echo x", "echo y"])


def test_async_respond_functions_are_awaited():
    async def respond(request):
        await asyncio.sleep(0)
        return "later"

    assert ScriptedModel(respond).invoke("x").content == "later"


def test_invoke_from_inside_a_running_loop_works():
    async def main():
        return ScriptedModel(["inside"]).invoke("x").content  # a notebook cell: sync call, loop running

    assert asyncio.run(main()) == "inside"


def test_invoke_with_no_messages_is_refused():
    with pytest.raises(ModelError) as info:
        ScriptedModel(["x"]).invoke([])
    assert str(info.value) == "ScriptedModel was invoked with no messages; pass a string or a list of messages"


def test_the_guide_tool_loop_with_tool_messages():
    def respond(request):
        if isinstance(request.messages[-1], ToolMessage):
            return f"The answer is {request.messages[-1].content}."
        return AIMessage("", tool_calls=[{"name": "add", "args": {"a": 3, "b": 4}, "id": None}])

    model = ScriptedModel(respond).bind_tools([add])
    first = model.invoke("Add 3 and 4.")
    result = add.invoke(first.tool_calls[0])
    final = model.invoke([HumanMessage("Add 3 and 4."), first, result])
    assert (result.content, result.tool_call_id, final.content) == ("7", first.tool_calls[0]["id"], "The answer is 7.")


class _Task:
    """Stands in for the engine's TaskContext: records the chunks a model hands to the graph's stream."""

    def __init__(self, stream_messages):
        self.stream_messages = stream_messages
        self.chunks = []

    def emit_message_chunk(self, chunk):
        self.chunks.append(chunk)


@pytest.fixture
def task(monkeypatch):
    box = types.SimpleNamespace(current=None)
    fake = types.ModuleType("wfkit.engine.context")
    fake.current_task = lambda: box.current
    monkeypatch.setitem(sys.modules, "wfkit.engine.context", fake)
    return box


def test_invoke_inside_a_messages_streaming_task_emits_chunks_and_returns_the_whole_reply(task):
    task.current = _Task(stream_messages=True)
    reply = ScriptedModel(["one two three"]).invoke("x")
    assert [c.content for c in task.current.chunks] == ["one", " two", " three"]
    assert reply.content == "one two three" and isinstance(reply, AIMessage) and not isinstance(reply, AIMessageChunk)
    assert reply.id == task.current.chunks[0].id


def test_structured_output_inside_a_streaming_task_emits_the_tool_call_chunk(task):
    task.current = _Task(stream_messages=True)
    result = ScriptedModel([{"grade": "funny"}]).with_structured_output(Feedback).invoke("x")
    assert result == Feedback(grade="funny")
    assert [c.tool_call_chunks[0]["args"] for c in task.current.chunks] == ['{"grade": "funny"}']


def test_invoke_in_a_task_that_does_not_stream_messages_emits_nothing(task):
    task.current = _Task(stream_messages=False)
    assert ScriptedModel(["one two"]).invoke("x").content == "one two"
    assert task.current.chunks == []


def test_stream_inside_a_streaming_task_also_feeds_the_graph(task):
    task.current = _Task(stream_messages=True)
    assert [c.content for c in ScriptedModel(["a b"]).stream("x")] == ["a", " b"]
    assert [c.content for c in task.current.chunks] == ["a", " b"]


def test_async_emitters_are_awaited(task):
    class AsyncTask(_Task):
        async def emit_message_chunk(self, chunk):
            self.chunks.append(chunk)

    task.current = AsyncTask(stream_messages=True)
    assert asyncio.run(ScriptedModel(["a b"]).ainvoke("x")).content == "a b"
    assert len(task.current.chunks) == 2


def test_tags_reach_the_messages_stream_metadata_as_in_langgraph():
    from wfkit import START, MessagesState, StateGraph

    tagged, plain = ScriptedModel(["hi"], tags=["joke"]), ScriptedModel(["yo"])
    g = StateGraph(MessagesState)
    g.add_node("a", lambda s: {"messages": [tagged.invoke(s["messages"])]})
    g.add_node("b", lambda s: {"messages": [plain.invoke(s["messages"])]})
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    seen = [(chunk.content, meta["langgraph_node"], meta.get("tags", "none"))
            for chunk, meta in g.compile().stream({"messages": [("user", "x")]}, stream_mode="messages")]
    assert seen == [("hi", "a", ["joke"]), ("yo", "b", "none")]  # LangGraph: no `tags` key for an untagged model
    assert tagged.bind_tools([]).tags == ("joke",)


@pytest.mark.parametrize("tags", ["joke", ["joke", 1]])
def test_tags_must_be_a_list_of_str(tags):
    with pytest.raises(TypeError) as info:
        ScriptedModel(["hi"], tags=tags)
    assert str(info.value) == f"ScriptedModel(tags={tags!r}): tags must be a list of str, e.g. tags=['joke']"
