"""wfkit.llm.Cassette (record live, replay offline) and default_model()."""

import json

import pytest
from conftest import TEST_KEY
from fake_anthropic import message
from pydantic import BaseModel

from wfkit.errors import CassetteError, CassetteMissError
from wfkit.llm import Cassette, Claude, ScriptedModel, default_model, tool
from wfkit.llm.claude import DEFAULT_MODEL
from wfkit.messages import AIMessage, HumanMessage


class Weather(BaseModel):
    city: str
    celsius: int


@tool
def add(a: int, b: int) -> int:
    """Adds a and b."""
    return a + b


def test_a_live_run_is_replayed_offline_with_the_same_replies(tmp_path, claude, fake_api):
    path = tmp_path / "run.json"
    fake_api.reply(message("Hello!"), message("", [("toolu_1", "Weather", {"city": "Oslo", "celsius": 4})], id="msg_02"),
                   {"stream": message("Streamed reply", id="msg_03")})
    live = Cassette(path, claude)
    recorded = [live.invoke("hi"), live.with_structured_output(Weather).invoke("Oslo?"),
                "".join(c.content for c in live.stream("stream please"))]

    replay = Cassette(path, mode="replay")
    assert [replay.invoke("hi"), replay.with_structured_output(Weather).invoke("Oslo?"),
            "".join(c.content for c in replay.stream("stream please"))] == recorded
    assert recorded[0] == AIMessage("Hello!", id="msg_01", usage_metadata={
        "input_tokens": 12, "output_tokens": 7, "total_tokens": 19}, response_metadata={
        "id": "msg_01", "model": "claude-test-1", "model_name": "claude-test-1", "stop_reason": "end_turn",
        "stop_sequence": None})
    assert len(fake_api.requests) == 3  # the replay never called the server


def test_message_ids_do_not_change_the_key(tmp_path):
    model = ScriptedModel(["first"])
    cassette = Cassette(tmp_path / "c.json", model)
    cassette.invoke([HumanMessage("hi", id="random-1")])
    assert Cassette(tmp_path / "c.json", mode="replay").invoke([HumanMessage("hi", id="random-2")]).content == "first"


def test_repeated_requests_replay_their_replies_in_order(tmp_path):
    path = tmp_path / "c.json"
    live = Cassette(path, ScriptedModel(["one", "two"]))
    assert [live.invoke("again").content, live.invoke("again").content] == ["one", "two"]
    replay = Cassette(path, mode="replay")
    assert [replay.invoke("again").content for _ in range(3)] == ["one", "two", "two"]


def test_a_miss_names_the_request_and_diffs_it_against_the_nearest(tmp_path):
    path = tmp_path / "c.json"
    Cassette(path, ScriptedModel(["a joke"])).invoke("Write a joke about cats")
    with pytest.raises(CassetteMissError) as info:
        Cassette(path, mode="replay").invoke("Write a joke about dogs")
    key = str(info.value).split("key ")[1].split(";")[0]
    assert str(info.value) == (
        f"cassette `{path}` has no reply for this request (key {key}; last: human message 'Write a joke about dogs'); "
        "the nearest recorded request differs:\n"
        "--- recorded\n+++ requested\n@@ -3,3 +3,3 @@\n   {\n"
        '-   "content": "Write a joke about cats",\n'
        '+   "content": "Write a joke about dogs",\n'
        '    "type": "human"\n'
        'To record it, run once with ANTHROPIC_API_KEY set (a Cassette in mode "auto" records what it misses), or '
        "delete the cassette file to record afresh")


def test_a_miss_on_an_empty_cassette_says_so(tmp_path):
    with pytest.raises(CassetteMissError) as info:
        Cassette(tmp_path / "none.json").invoke("hi")
    assert "(key " in str(info.value) and "; the cassette is empty" in str(info.value)


def test_auto_mode_records_only_what_it_misses(tmp_path):
    path = tmp_path / "c.json"
    Cassette(path, ScriptedModel(["old"])).invoke("hi")
    model = ScriptedModel(["new"])
    cassette = Cassette(path, model)
    assert cassette.invoke("hi").content == "old" and model.requests == []
    assert cassette.invoke("something else").content == "new"


def test_record_mode_overwrites_what_was_recorded(tmp_path):
    path = tmp_path / "c.json"
    Cassette(path, ScriptedModel(["old"])).invoke("hi")
    Cassette(path, ScriptedModel(["new"]), mode="record").invoke("hi")
    assert Cassette(path, mode="replay").invoke("hi").content == "new"


def test_tools_are_part_of_the_key(tmp_path):
    path = tmp_path / "c.json"
    Cassette(path, ScriptedModel(["plain"])).invoke("hi")
    with pytest.raises(CassetteMissError) as info:
        Cassette(path, mode="replay").bind_tools([add]).invoke("hi")
    assert '+ "tools": [' in str(info.value)


def test_the_structured_retry_count_is_kept_for_replay(tmp_path, claude, fake_api):
    path = tmp_path / "c.json"
    fake_api.reply(message("", [("t1", "Weather", {"city": "Oslo", "celsius": "cold"})]),
                   message("", [("t2", "Weather", {"city": "Oslo", "celsius": 4})], id="msg_02"))
    assert Cassette(path, claude).with_structured_output(Weather).invoke("Oslo?") == Weather(city="Oslo", celsius=4)
    replay = Cassette(path, mode="replay")
    assert replay.structured_retries == 1
    assert replay.with_structured_output(Weather).invoke("Oslo?") == Weather(city="Oslo", celsius=4)


def test_the_key_never_reaches_the_cassette(tmp_path, claude, fake_api, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    fake_api.reply(message(f"I saw {TEST_KEY}"))  # even if a reply repeats it
    Cassette(tmp_path / "c.json", claude).invoke(f"my key is {TEST_KEY}")
    text = (tmp_path / "c.json").read_text()
    assert TEST_KEY not in text and text.count("***") == 2
    assert json.loads(text)["version"] == 1


def test_a_bad_mode_is_named():
    with pytest.raises(ValueError) as info:
        Cassette("x.json", mode="play")
    assert str(info.value) == "Cassette mode `play` is none of `auto`, `replay`, `record`"


def test_default_model_without_a_key_is_offline_and_says_so(capsys):
    model = default_model()
    assert type(model).__name__ == "ScriptedModel"
    assert capsys.readouterr().out == ("default_model: the offline model (canned replies for the guide's examples); "
                                       "set ANTHROPIC_API_KEY to use Claude\n")
    assert model.invoke("Write a joke about cats").content.startswith("Why did the cats")


def test_default_model_with_a_key_is_claude_and_never_prints_the_key(capsys, monkeypatch, fake_api):
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    model = default_model(base_url=fake_api.url)
    assert isinstance(model, Claude) and model.model == DEFAULT_MODEL
    out = capsys.readouterr().out
    assert out == f"default_model: Claude ({DEFAULT_MODEL}), because ANTHROPIC_API_KEY is set\n"
    fake_api.reply(message("live"))
    assert model.invoke("hi").content == "live"


def test_default_model_records_with_a_key_and_replays_without(tmp_path, capsys, monkeypatch, fake_api):
    path = tmp_path / "guide.json"
    monkeypatch.setenv("ANTHROPIC_API_KEY", TEST_KEY)
    fake_api.reply(message("recorded"))
    assert default_model(cassette=path, base_url=fake_api.url).invoke("hi").content == "recorded"
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    assert default_model(cassette=path).invoke("hi").content == "recorded"
    assert capsys.readouterr().out == (
        f"default_model: Claude ({DEFAULT_MODEL}), recording to the cassette {path}\n"
        f"default_model: replaying the cassette {path} (no ANTHROPIC_API_KEY set)\n")


REPLY = {"type": "ai", "content": "hi"}
ENTRY = {"key": "k1", "request": {"messages": []}, "replies": [REPLY]}
FIX = "; the file was damaged or edited outside wfkit: restore it, or delete it to record afresh"


@pytest.mark.parametrize("text, why", [
    ("{not json", "not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    ("", "not valid JSON (Expecting value: line 1 column 1 (char 0))"),
    ("[1, 2]", "the file holds a JSON array, not an object with `interactions`"),
    ('"tape"', "the file holds a JSON string, not an object with `interactions`"),
    ('{"version": 2}', "`version` is `2`; this wfkit reads cassettes of version 1"),
    ('{"structured_retries": "one"}', '`structured_retries` is `"one"`, not a count (an int >= 0) or null'),
    ('{"interactions": {}}', "`interactions` is a JSON object, not a list"),
    ('{"interactions": [3]}', "interactions[0] is a JSON number, not an object"),
    (json.dumps({"interactions": [ENTRY, {"key": "k2"}]}), "interactions[1] has no `request`, `replies`"),
    (json.dumps({"interactions": [dict(ENTRY, key=7)]}), "interactions[0].key is `7`, not a str"),
    (json.dumps({"interactions": [dict(ENTRY, request=[])]}),
     "interactions[0] (key k1): `request` is a JSON array, not an object"),
    (json.dumps({"interactions": [dict(ENTRY, replies=[])]}),
     "interactions[0] (key k1): `replies` must be a non-empty list of messages, got `[]`"),
    (json.dumps({"interactions": [dict(ENTRY, replies="hi")]}),
     'interactions[0] (key k1): `replies` must be a non-empty list of messages, got `"hi"`'),
    (json.dumps({"interactions": [dict(ENTRY, replies=[REPLY, "hi"])]}),
     'interactions[0] (key k1): replies[1] is `"hi"`, not an AI message (`AIMessage.to_dict()` output)'),
    (json.dumps({"interactions": [dict(ENTRY, replies=[{"type": "human", "content": "x"}])]}),
     'interactions[0] (key k1): replies[0] is `{"type": "human", "content": "x"}`, not an AI message '
     '(`AIMessage.to_dict()` output)'),
    (json.dumps({"interactions": [dict(ENTRY, replies=[{"type": "ai", "content": 5}])]}),
     "interactions[0] (key k1): replies[0] is not a message (TypeError: AIMessage content must be a str or a "
     "list of content blocks, got int: 5)"),
    (json.dumps({"interactions": [dict(ENTRY, replies=[{"type": "robot"}])]}),
     "interactions[0] (key k1): replies[0] is not a message (ValueError: message_from_dict: unknown message "
     "type `robot`; expected one of `system`, `human`, `ai`, `AIMessageChunk`, `tool`, `remove`)"),
    ("[" * 100_000, "nested too deeply to read (more than 200 levels)"),
    ('{"interactions": [' + "[" * 300 + "]" * 300 + "]}", "nested too deeply to read (more than 200 levels)"),
], ids=["not-json", "empty", "array", "string", "version", "retries", "interactions-dict", "entry-number",
        "missing-keys", "key-type", "request-type", "no-replies", "replies-str", "reply-str", "reply-human",
        "reply-content-type", "reply-unknown-type", "100k-deep", "300-deep"])
def test_a_damaged_cassette_is_refused_naming_the_file_and_what_is_wrong(tmp_path, text, why):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(CassetteError) as info:
        Cassette(path, mode="replay")
    assert str(info.value) == f"cassette `{path}`: {why}{FIX}"


def test_a_cassette_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"interactions": "\xff"}')
    with pytest.raises(CassetteError) as info:
        Cassette(path, mode="replay")
    assert str(info.value) == f"cassette `{path}`: not UTF-8 text (byte 18){FIX}"


def test_a_deep_cassette_is_refused_even_with_a_raised_recursion_limit(tmp_path):
    # In a subprocess: without the depth guard, the parser overflows the C stack and the interpreter dies.
    path = tmp_path / "deep.json"
    path.write_text('{"interactions": [' + "[" * 100_000 + "]" * 100_000 + "]}")
    script = ("import sys; sys.setrecursionlimit(1_000_000)\n"
              "from wfkit.errors import CassetteError\nfrom wfkit.llm import Cassette\n"
              "try:\n    Cassette(sys.argv[1], mode='replay')\nexcept CassetteError as e:\n    print(e)\n")
    import os
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert (done.returncode, done.stdout) == (
        0, f"cassette `{path}`: nested too deeply to read (more than 200 levels){FIX}\n")
