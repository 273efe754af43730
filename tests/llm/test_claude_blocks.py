"""Every content block of a Claude reply is kept, streamed, sent back unchanged, and replayed: thinking
with its signature, redacted thinking, citations, and a server tool's use and result. Against the local
fake Messages API, in the API's JSON and SSE shapes."""

import pytest
from fake_anthropic import CITED_TEXT, REDACTED, SEARCH_RESULT, SEARCH_USE, THINKING, message

from wfkit.llm import tool
from pydantic import BaseModel

from wfkit.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage


@tool
def add(a: int, b: int) -> int:
    """Adds a and b."""
    return a + b


def total_of(chunks):
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total.to_message()


def test_thinking_is_kept_with_its_signature_and_sent_back_with_the_tool_result(claude, fake_api):
    fake_api.reply(message("", [("toolu_1", "add", {"a": 30, "b": 12})], blocks=[THINKING]),
                   message("It is 42.", id="msg_02"))
    llm = claude.bind_tools([add], thinking={"type": "enabled", "budget_tokens": 1024})
    first = llm.invoke("What is 30 + 12?")
    assert first.content == [THINKING]
    assert first.text == "" and first.tool_calls[0]["name"] == "add"
    result = ToolMessage(content="42", tool_call_id="toolu_1")
    assert llm.invoke([HumanMessage("What is 30 + 12?"), first, result]).text == "It is 42."
    assistant = fake_api.requests[1]["body"]["messages"][1]
    assert assistant == {"role": "assistant", "content": [
        THINKING, {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 30, "b": 12}}]}
    assert fake_api.requests[1]["body"]["thinking"] == {"type": "enabled", "budget_tokens": 1024}


def test_redacted_thinking_citations_and_server_tools_are_kept_in_order(claude, fake_api):
    fake_api.reply(message(blocks=[REDACTED, SEARCH_USE, SEARCH_RESULT, CITED_TEXT]), message("About five years."))
    reply = claude.invoke("How long do barn owls live?")
    assert reply.content == [REDACTED, SEARCH_USE, SEARCH_RESULT, CITED_TEXT]
    assert reply.text == "Barn owls live about four years."
    assert reply.tool_calls == []  # a server tool ran on Anthropic's side: nothing for the caller to run
    claude.invoke([HumanMessage("How long do barn owls live?"), reply, HumanMessage("And tawny owls?")])
    assert fake_api.requests[1]["body"]["messages"][1] == {
        "role": "assistant", "content": [REDACTED, SEARCH_USE, SEARCH_RESULT, CITED_TEXT]}


def test_thinking_streams_as_thinking_blocks_and_adds_up_to_the_reply(claude, fake_api):
    body = message("It is 42.", blocks=[THINKING])
    fake_api.reply({"stream": body}, body)
    chunks = list(claude.stream("What is 30 + 12?"))
    thinking = [b for c in chunks if isinstance(c.content, list) for b in c.content if b.get("type") == "thinking"]
    assert "".join(b.get("thinking", "") for b in thinking) == THINKING["thinking"]
    assert [b["signature"] for b in thinking if b.get("signature")] == [THINKING["signature"]]
    assert all(b["index"] == 0 for b in thinking)
    streamed, whole = total_of(chunks), claude.invoke("What is 30 + 12?")
    assert streamed.content == whole.content == [THINKING, {"type": "text", "text": "It is 42."}]
    assert streamed.usage_metadata == whole.usage_metadata


def test_server_tool_blocks_and_citations_stream_to_the_same_message(claude, fake_api):
    body = message(blocks=[SEARCH_USE, SEARCH_RESULT, CITED_TEXT])
    fake_api.reply({"stream": body})
    streamed = total_of(list(claude.stream("How long do barn owls live?")))
    assert streamed.content == [SEARCH_USE, SEARCH_RESULT, CITED_TEXT]
    assert streamed.tool_calls == []


def test_cache_tokens_are_in_usage_metadata(claude, fake_api):
    fake_api.reply(message("Hi", input_tokens=10, output_tokens=3, cache_read=2000, cache_creation=50))
    assert claude.invoke("hi").usage_metadata == {
        "input_tokens": 2060, "output_tokens": 3, "total_tokens": 2063,
        "input_token_details": {"cache_read": 2000, "cache_creation": 50}}


class Verdict(BaseModel):
    publish: bool
    reason: str


THINK = {"type": "enabled", "budget_tokens": 1024}


def test_structured_output_with_thinking_uses_the_output_format_not_a_forced_tool(claude, fake_api):
    fake_api.reply(message('{"publish": true, "reason": "it is kind"}', blocks=[THINKING]))
    verdict = claude.bind(thinking=THINK).with_structured_output(Verdict).invoke("Publish this joke?")
    assert verdict == Verdict(publish=True, reason="it is kind")
    body = fake_api.requests[0]["body"]
    assert "tool_choice" not in body and "tools" not in body
    assert body["thinking"] == THINK
    fmt = body["output_config"]["format"]
    assert fmt["type"] == "json_schema" and set(fmt["schema"]["properties"]) == {"publish", "reason"}


def test_a_bad_structured_reply_with_thinking_is_shown_its_error_once(claude, fake_api):
    fake_api.reply(message('{"publish": "maybe"}', blocks=[THINKING]),
                   message('{"publish": false, "reason": "too long"}', id="msg_02"))
    verdict = claude.bind(thinking=THINK).with_structured_output(Verdict).invoke("Publish?")
    assert verdict == Verdict(publish=False, reason="too long")
    retry = fake_api.requests[1]["body"]["messages"]
    assert retry[1]["content"][0] == THINKING  # the thinking of the refused reply goes back with it
    assert "`publish`: Input should be a valid boolean" in retry[2]["content"]
    assert "`reason`: Field required" in retry[2]["content"]


def test_without_thinking_structured_output_is_still_a_forced_tool(claude, fake_api):
    fake_api.reply(message("", [("toolu_1", "Verdict", {"publish": True, "reason": "ok"})]))
    assert claude.with_structured_output(Verdict).invoke("Publish?") == Verdict(publish=True, reason="ok")
    assert fake_api.requests[0]["body"]["tool_choice"] == {"type": "tool", "name": "Verdict"}


def test_structured_output_mode_is_checked():
    from wfkit.llm.claude import Claude

    with pytest.raises(ValueError) as caught:
        Claude(api_key="x", structured_output="json")
    assert str(caught.value) == ("Claude(structured_output='json'): use 'auto', 'format' (the API's constrained "
                                 "decoding) or 'tool' (a forced tool call)")


def test_count_tokens_asks_the_api_without_running_the_request(claude, fake_api):
    fake_api.reply({"input_tokens": 321})
    count = claude.bind_tools([add]).count_tokens([SystemMessage("Be brief."), HumanMessage("What is 30 + 12?")])
    assert count == 321
    sent = fake_api.requests[0]
    assert sent["path"] == "/v1/messages/count_tokens"
    assert sent["body"]["system"] == "Be brief." and sent["body"]["tools"][0]["name"] == "add"
    assert "max_tokens" not in sent["body"]


def test_cache_prompt_marks_the_system_prompt_and_the_tools(fake_api):
    from wfkit.llm.claude import Claude

    fake_api.reply(message("Hi", cache_read=1500))
    with Claude("claude-test-1", api_key="k", base_url=fake_api.url, cache_prompt=True) as llm:
        reply = llm.bind_tools([add]).invoke([SystemMessage("A long, stable prompt."), HumanMessage("hi")])
    body = fake_api.requests[0]["body"]
    assert body["system"] == [{"type": "text", "text": "A long, stable prompt.", "cache_control": {"type": "ephemeral"}}]
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert reply.usage_metadata["input_token_details"] == {"cache_read": 1500, "cache_creation": 0}


def test_a_message_block_marked_for_caching_is_sent_as_marked(claude, fake_api):
    fake_api.reply(message("Noted."))
    block = {"type": "text", "text": "Here is a long document.", "cache_control": {"type": "ephemeral"}}
    claude.invoke([HumanMessage(content=[block]), AIMessage("Read it."), HumanMessage("Summarise it.")])
    assert fake_api.requests[0]["body"]["messages"][0] == {"role": "user", "content": [block]}


def test_a_cassette_records_and_replays_thinking_and_citations(tmp_path, claude, fake_api):
    from wfkit.llm import Cassette

    fake_api.reply(message("It is 42.", blocks=[THINKING]), message(blocks=[SEARCH_USE, SEARCH_RESULT, CITED_TEXT]))
    live = Cassette(tmp_path / "blocks.json", claude)
    recorded = [live.invoke("What is 30 + 12?"), live.invoke("How long do barn owls live?")]
    replay = Cassette(tmp_path / "blocks.json", mode="replay")
    replayed = [replay.invoke("What is 30 + 12?"), replay.invoke("How long do barn owls live?")]
    assert replayed == recorded
    assert replayed[0].content == [THINKING, {"type": "text", "text": "It is 42."}]
    assert replayed[1].content[-1]["citations"] == CITED_TEXT["citations"]
    assert len(fake_api.requests) == 2


def test_a_scripted_reply_can_think_and_stream_its_thinking():
    from wfkit.llm import ScriptedModel

    llm = ScriptedModel([AIMessage([THINKING, {"type": "text", "text": "It is 42."}],
                                   usage_metadata={"input_tokens": 20, "output_tokens": 9, "total_tokens": 29})])
    chunks = list(llm.stream("What is 30 + 12?"))
    whole = total_of(chunks)
    assert whole.content == [THINKING, {"type": "text", "text": "It is 42."}]
    assert whole.text == "It is 42." and whole.usage_metadata["total_tokens"] == 29


def test_a_scripted_reply_streams_its_blocks_as_a_live_one_does():
    from wfkit.llm import ScriptedModel

    reply = AIMessage([{"type": "thinking", "thinking": "6 times 7 is 42.", "signature": "sig"},
                       {"type": "text", "text": "It is 42."}])
    chunks = list(ScriptedModel([reply]).stream("What is 6 times 7?"))
    assert [c.content for c in chunks[:3]] == [
        [{"type": "thinking", "signature": "sig", "thinking": "6", "index": 0}],
        [{"type": "thinking", "thinking": " times", "index": 0}], [{"type": "thinking", "thinking": " 7", "index": 0}]]
    assert [b["type"] for c in chunks[:-1] for b in c.content] == ["thinking"] * 5 + ["text"] * 3
    assert total_of(chunks).content == reply.content
