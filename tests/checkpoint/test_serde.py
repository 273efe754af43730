"""`JsonSerde`: the exact JSON each type becomes, exact round trips, the allow-list, redaction, bad input."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import uuid
import warnings

import pytest
from pydantic import BaseModel, ConfigDict, Field, RootModel

from wfkit.checkpoint import JsonSerde
from wfkit.errors import CheckpointError, UnsafePayloadError
from wfkit.messages import HumanMessage

from .conftest import REGISTERED, SUPPORTED_VALUES, Color, Doc, Level, Part, Point, Tally, assert_identical

MOD = Doc.__module__  # the registry key is `module.qualname`


@pytest.fixture
def serde():
    return JsonSerde(REGISTERED)


@pytest.mark.parametrize("name", sorted(SUPPORTED_VALUES))
def test_every_supported_type_round_trips_with_its_exact_type(serde, name):
    value = SUPPORTED_VALUES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # everything here is registered: no warning may fire
        assert_identical(serde.loads(serde.dumps(value)), value)


@pytest.mark.parametrize("value, text", [
    (None, "null"), (True, "true"), (-3, "-3"), (1.5, "1.5"), ("é", '"é"'), ([1, [2]], "[1,[2]]"),
    ({"a": {"b": 1}}, '{"a":{"b":1}}'),
    ((1, "a"), '{"__wf__":"tuple","v":[1,"a"]}'),
    ({3, 1, 2}, '{"__wf__":"set","v":[1,2,3]}'),
    (frozenset({"b", "a"}), '{"__wf__":"frozenset","v":["a","b"]}'),
    (b"\x00\xff", '{"__wf__":"bytes","v":"AP8="}'),
    ({1: "a", (2,): "b"}, '{"__wf__":"dict","v":[[1,"a"],[{"__wf__":"tuple","v":[2]},"b"]]}'),
    ({"__wf__": "tuple", "v": [1]}, '{"__wf__":"dict","v":[["__wf__","tuple"],["v",[1]]]}'),
    (dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc), '{"__wf__":"datetime","v":"2025-01-02T03:04:05+00:00"}'),
    (dt.date(2025, 1, 2), '{"__wf__":"date","v":"2025-01-02"}'),
    (uuid.UUID(int=1), '{"__wf__":"uuid","v":"00000000000000000000000000000001"}'),
    (float("nan"), '{"__wf__":"float","v":"nan"}'), (float("-inf"), '{"__wf__":"float","v":"-inf"}'),
    (Color.RED, f'{{"__wf__":"enum","cls":"{MOD}.Color","v":"red"}}'),
    (Point(1, 2), f'{{"__wf__":"obj","cls":"{MOD}.Point","v":{{"x":1,"y":2}}}}'),
    (HumanMessage("hi", id="m1"), '{"__wf__":"msg","v":{"type":"human","content":"hi","id":"m1","name":null,'
                                  '"additional_kwargs":{},"response_metadata":{}}}'),
])
def test_each_type_becomes_this_exact_json(serde, value, text):
    assert serde.dumps(value) == text


def test_user_data_that_looks_like_a_tag_stays_data(serde):
    lookalikes = [{"__wf__": "obj", "cls": "os.system", "v": {"command": "echo hi"}},
                  {"__wf__": "nonsense"}, {"a": {"__wf__": {"__wf__": "tuple"}}}]
    assert_identical(serde.loads(serde.dumps(lookalikes)), lookalikes)


def test_a_str_subclass_or_float_subclass_is_stored_as_its_plain_value(serde):
    class Name(str):
        def __str__(self):
            return "overridden"

    class Score(float):  # like numpy.float64
        pass

    assert_identical(serde.loads(serde.dumps([Name("ada"), Score(0.5)])), ["ada", 0.5])


def test_an_unregistered_model_comes_back_as_a_dict_of_its_fields_with_a_warning():
    doc = Doc(title="t", tags=("a",), parts=[Part(name="p", size=2.0)])
    with pytest.warns(UserWarning) as record:
        got = JsonSerde().loads(JsonSerde().dumps(doc))
    assert_identical(got, {"title": "t", "tags": ("a",), "when": None, "parts": [{"name": "p", "size": 2.0}],
                           "color": "red"})
    assert [str(w.message) for w in record] == [
        f"stored data holds a `{MOD}.Part`, which is not registered, so it is returned as a plain dict of its "
        f"fields; to revive it as `Part`, pass the class to the checkpointer's `register_types([Part])` (a graph "
        f"registers its state schema's models itself)",
        f"stored data holds a `{MOD}.Color`, which is not registered, so it is returned as its plain value; to "
        f"revive it as `Color`, pass the class to the checkpointer's `register_types([Color])` (a graph "
        f"registers its state schema's models itself)",
        f"stored data holds a `{MOD}.Doc`, which is not registered, so it is returned as a plain dict of its "
        f"fields; to revive it as `Doc`, pass the class to the checkpointer's `register_types([Doc])` (a graph "
        f"registers its state schema's models itself)"]


def test_registering_a_class_again_replaces_the_old_definition():
    serde = JsonSerde([Point])

    @dataclasses.dataclass(frozen=True)
    class NewPoint:  # what re-running the notebook cell that defines `Point` produces
        x: int
        y: int

    NewPoint.__module__, NewPoint.__qualname__ = Point.__module__, Point.__qualname__
    serde.register_types([NewPoint])
    assert type(serde.loads(serde.dumps(Point(1, 2)))) is NewPoint
    assert serde.registered == {f"{MOD}.Point": NewPoint}


@pytest.mark.parametrize("bad", [int, "Doc", Doc(title="x"), collections.OrderedDict])
def test_register_types_accepts_only_models_dataclasses_and_enums(bad):
    with pytest.raises(TypeError) as e:
        JsonSerde().register_types([bad])
    assert str(e.value) == (f"register_types: `{bad!r}` is not a pydantic model, dataclass or Enum class; only "
                            f"those are registered (builtins, datetimes, UUIDs and wfkit messages need no "
                            f"registering)")


def test_models_with_aliases_and_extra_fields_round_trip():
    class Aliased(BaseModel):
        model_config = ConfigDict(extra="allow")
        user_name: str = Field(alias="userName")

    serde = JsonSerde([Aliased])
    value = Aliased(userName="ada", mood="fine")
    got = serde.loads(serde.dumps(value))
    assert (type(got), got, got.model_extra) == (Aliased, value, {"mood": "fine"})


def test_a_root_model_round_trips():
    Tags = RootModel[list[str]]
    serde = JsonSerde([Tags])
    got = serde.loads(serde.dumps(Tags(["a", "b"])))
    assert (type(got), got.root) == (Tags, ["a", "b"])


def test_a_dataclass_field_with_init_false_comes_back_as_stored(serde):
    got = serde.loads(serde.dumps(SUPPORTED_VALUES["dataclass_init_false"]))
    assert (type(got), got.n, got.seen, got.total) == (Tally, 2, {"a"}, 41)


def test_an_int_enum_stays_an_enum_and_not_an_int(serde):
    got = serde.loads(serde.dumps({"level": Level.HIGH}))
    assert got["level"] is Level.HIGH


def test_a_stored_model_that_no_longer_fits_its_class_names_it():
    serde = JsonSerde([Point])
    text = serde.dumps(Point(1, 2)).replace('"y":2', '"z":2')
    with pytest.raises(CheckpointError) as e:
        serde.loads(text)
    assert str(e.value) == (f"stored `{MOD}.Point` does not fit the registered class any more (TypeError: "
                            f"Point.__init__() got an unexpected keyword argument 'z'); was the class changed "
                            f"since it was stored? Restore the old definition or start a new thread")


@pytest.mark.parametrize("value, where, culprit", [
    (object(), "`value`", "builtins.object"),
    ([1, {"a": (2, {3j})}], "`value`[1]['a'][1][0]", "builtins.complex"),
    ({"p": Point(1, len)}, "`value`['p'].y", "builtins.builtin_function_or_method"),
    (collections.namedtuple("Pair", "a b")(1, 2), "`value`", f"{__name__}.Pair"),
    (collections.defaultdict(list), "`value`", "collections.defaultdict"),
    (dt.timedelta(1), "`value`", "datetime.timedelta"),
])
def test_a_value_that_cannot_be_stored_is_named_with_where_it_sits(serde, value, where, culprit):
    with pytest.raises(CheckpointError) as e:
        serde.dumps(value)
    assert str(e.value) == (
        f"cannot store a value: {where} is a `{culprit}`, which a JSON checkpoint cannot hold; convert it to one "
        f"of: None, bool, int, float, str, list, dict, tuple, set, frozenset, bytes, datetime, date, UUID, a "
        f"wfkit message, a pydantic model, a dataclass or an Enum member (register pydantic models, dataclasses "
        f"and Enums with `register_types` to get them back as themselves)")


def test_a_value_that_contains_itself_is_refused(serde):
    loop = []
    loop.append(loop)
    with pytest.raises(CheckpointError) as e:
        serde.dumps({"loop": loop})
    assert str(e.value).startswith("cannot store a value: `value` refers to itself or is nested deeper than ")


# ---- reading what is not ours -----------------------------------------------------------------------------

def test_an_unknown_tag_is_refused_by_name(serde):
    with pytest.raises(UnsafePayloadError) as e:
        serde.loads('{"__wf__":"pickle","v":"gASVAAAA"}')
    assert str(e.value) == ("unknown tag `'pickle'` in stored data; known tags: `tuple`, `set`, `frozenset`, "
                            "`dict`, `bytes`, `datetime`, `date`, `uuid`, `float`, `msg`, `obj`, `enum`. Nothing "
                            "was imported or run; the row was damaged or edited outside wfkit")


@pytest.mark.parametrize("text, why", [
    ('{"__wf__":"tuple"}', "expected the keys ['__wf__', 'v'] with `v` a list, got {'__wf__': 'tuple'}"),
    ('{"__wf__":"tuple","v":1}', "expected the keys ['__wf__', 'v'] with `v` a list, got {'__wf__': 'tuple', 'v': 1}"),
    ('{"__wf__":"obj","cls":["os","system"],"v":{}}',
     "expected the keys ['__wf__', 'cls', 'v'] with `v` a dict, got "
     "{'__wf__': 'obj', 'cls': ['os', 'system'], 'v': {}}"),
    ('{"__wf__":"set","v":[[1]]}', "TypeError: unhashable type: 'list'"),
    ('{"__wf__":"dict","v":[[1,2,3]]}', "ValueError: every item of `v` must be a [key, value] pair"),
    ('{"__wf__":"bytes","v":"not base64!"}', "ValueError: `v` is not base64 text: 'not base64!'"),
    ('{"__wf__":"uuid","v":"xyz"}', "ValueError: badly formed hexadecimal UUID string"),
    ('{"__wf__":"float","v":"1e400"}', "ValueError: `v` must be one of 'nan', 'inf', '-inf', got '1e400'"),
    ('{"__wf__":"msg","v":{"type":"os.system"}}', "ValueError: message_from_dict: unknown message type `os.system`"),
])
def test_a_malformed_tag_is_refused_with_the_reason(serde, text, why):
    tag = text.split('"')[3]
    with pytest.raises(UnsafePayloadError) as e:
        serde.loads(text)
    message = str(e.value)
    assert message.startswith(f"malformed `{tag}` tag in stored data: ")
    assert why in message
    assert message.endswith(". Nothing was imported or run; the row was damaged or edited outside wfkit")


def test_text_that_is_not_json_is_refused(serde):
    with pytest.raises(CheckpointError) as e:
        serde.loads('[1, "unterminated')
    assert str(e.value) == ("stored data is not valid JSON (Unterminated string starting at: line 1 column 5 "
                            "(char 4)); the row was damaged or edited outside wfkit — delete the thread or "
                            "restore the file")


@pytest.mark.parametrize("text, value", [(' [1, 2] ', [1, 2]), ('\n{"a": 1}\t', {"a": 1}), ("7", 7),
                                         ('{"__wf__": "tuple", "v": [1]}  ', (1,))])
def test_json_with_whitespace_around_it_reads_as_json_loads_reads_it(serde, text, value):
    assert serde.loads(text) == value


@pytest.mark.parametrize("text", ["", "   ", "[1] [2]", "[1]x", '{"__wf__": "tuple", "v": [1]} 2', "nul"])
def test_text_with_no_json_or_more_than_one_value_is_refused(serde, text):
    with pytest.raises(CheckpointError, match=r"^stored data is not valid JSON \(.*\); the row was damaged or "
                                              r"edited outside wfkit — delete the thread or restore the file$"):
        serde.loads(text)



def test_deep_nesting_after_leading_whitespace_is_refused_with_wfkits_words_not_a_recursion_error(serde):
    # `_parse` is what a listing uses after checking each record's depth; the fast path's scanner sees no
    # value at the start here, and `json.loads` then recurses too deep: the same refusal as without the space
    deep = "[" * 100_000 + "]" * 100_000
    for text in (deep, " " + deep):
        with pytest.raises(CheckpointError) as e:
            serde._parse(text)
        assert str(e.value) == ("stored data is nested too deeply to read (more than 2000 levels); the row was "
                                "damaged or edited outside wfkit")

# ---- the Anthropic key -------------------------------------------------------------------------------------

KEY = "sk-ant-api03-abcdefgh"


def test_the_key_is_redacted_from_strings_keys_bytes_models_and_messages(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    serde = JsonSerde(REGISTERED)
    value = {"s": f"Bearer {KEY} and {KEY}", KEY: 1, "b": KEY.encode(), "doc": Doc(title=KEY),
             "msg": HumanMessage(f"my key is {KEY}"), "t": (KEY,)}
    text = serde.dumps(value)
    assert KEY not in text
    assert serde.loads(text) == {"s": "Bearer [redacted] and [redacted]", "[redacted]": 1, "b": b"[redacted]",
                                 "doc": Doc(title="[redacted]"), "msg": HumanMessage("my key is [redacted]"),
                                 "t": ("[redacted]",)}


@pytest.mark.parametrize("env", [None, "", "short"])
def test_without_a_key_of_eight_characters_or_more_nothing_is_redacted(monkeypatch, env):
    if env is None:
        monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    else:
        monkeypatch.setenv("ANTHROPIC_API_KEY", env)
    assert JsonSerde().loads(JsonSerde().dumps("short text")) == "short text"


def test_an_int_too_long_for_text_is_refused_by_where_it_sits_and_nothing_is_stored(saver, make_checkpoint):
    with pytest.raises(CheckpointError) as e:
        saver.put(make_checkpoint("c0", writes=[("n", "k", [1, {"a": 10**5000}])]))
    assert str(e.value) == ("cannot store checkpoint `c0` of thread `t`: `k`[1]['a'] (written by node `n`) is an int "
                            "of more than 4300 digits, more than Python turns into text "
                            "(sys.set_int_max_str_digits); store it as a str")
    assert saver.get("t") is None
    saver.put(make_checkpoint("c0", writes=[("n", "k", 10**4000)]))  # under the limit: stored as it is
    assert saver.get("t").writes == [("n", "k", 10**4000)]


def test_a_key_given_only_as_claude_api_key_is_redacted_from_checkpoints(monkeypatch, saver, make_checkpoint):
    from wfkit.llm import Claude

    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    key = "sk-ant-api03-given-to-claude-only"
    Claude(api_key=key)  # registering it is enough: the model need not be kept
    saver.put(make_checkpoint("c0", writes=[("n", "k", [f"the key {key}", key.encode()])], metadata={"m": key}))
    got = saver.get("t")
    assert (got.writes, got.metadata) == ([("n", "k", ["the key [redacted]", b"[redacted]"])], {"m": "[redacted]"})
