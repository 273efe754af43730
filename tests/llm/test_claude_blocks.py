"""Every content block of a Claude reply is kept, streamed, sent back unchanged, and replayed: thinking
with its signature, redacted thinking, citations, and a server tool's use and result. Against the local
fake Messages API, in the API's JSON and SSE shapes."""

from fake_anthropic import CITED_TEXT, REDACTED, SEARCH_RESULT, SEARCH_USE, THINKING, message

from wfkit.llm import tool
from wfkit.messages import AIMessage, HumanMessage, ToolMessage


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
