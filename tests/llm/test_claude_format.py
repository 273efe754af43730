"""wfkit.llm.claude_format: the pure translation to and from the Messages API's JSON."""

from wfkit.llm.claude_format import ChunkAssembler, from_anthropic, to_anthropic_messages, tool_choice_param
from wfkit.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage


def test_system_messages_are_hoisted_and_joined():
    system, turns = to_anthropic_messages([SystemMessage("Be brief."), HumanMessage("hi"), SystemMessage("Be kind.")])
    assert system == "Be brief.\n\nBe kind." and turns == [{"role": "user", "content": "hi"}]


def test_no_system_message_gives_none():
    assert to_anthropic_messages([HumanMessage("hi")]) == (None, [{"role": "user", "content": "hi"}])


def test_an_empty_ai_message_is_left_out_and_neighbouring_user_turns_merge():
    _, turns = to_anthropic_messages([HumanMessage("a"), AIMessage(""), HumanMessage("b")])
    assert turns == [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]


def test_tool_results_open_the_user_turn_before_text():
    call = {"name": "add", "args": {"a": 1}, "id": "t1"}
    _, turns = to_anthropic_messages([HumanMessage("q"), AIMessage("", tool_calls=[call]),
                                      ToolMessage("1", tool_call_id="t1"), HumanMessage("and now?")])
    assert turns[2] == {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "1"},
                                                    {"type": "text", "text": "and now?"}]}


def test_tool_choice_shapes():
    assert [tool_choice_param(c) for c in (None, "auto", "any", "none", "required", "add", {"type": "any"})] == [
        None, {"type": "auto"}, {"type": "any"}, {"type": "none"}, {"type": "any"}, {"type": "tool", "name": "add"},
        {"type": "any"}]


def test_cached_prompt_tokens_count_as_input_with_details():
    reply = from_anthropic({"id": "m", "model": "x", "content": [{"type": "text", "text": "hi"}], "usage": {
        "input_tokens": 5, "output_tokens": 2, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 10}})
    assert reply.usage_metadata == {"input_tokens": 115, "output_tokens": 2, "total_tokens": 117,
                                    "input_token_details": {"cache_read": 100, "cache_creation": 10}}


def test_a_stream_with_no_content_still_counts_its_tokens():
    assembler = ChunkAssembler()
    start = {"id": "m", "model": "x", "usage": {"input_tokens": 9, "output_tokens": 1}}
    events = [{"type": "message_start", "message": start},
              {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}},
              {"type": "message_stop"}]
    chunks = [c for c in map(assembler.feed, events) if c is not None]
    assert len(chunks) == 1
    assert chunks[0].to_message() == AIMessage("", id="m", usage_metadata={
        "input_tokens": 9, "output_tokens": 3, "total_tokens": 12}, response_metadata={
        "id": "m", "model": "x", "model_name": "x", "stop_reason": "end_turn", "stop_sequence": None})
