"""JSON serialization of checkpoint values, safe to read back from storage that someone may have edited.

`JsonSerde` turns values into JSON text and back. Plain JSON types stay plain; everything else becomes a
small tagged object `{"__wf__": <tag>, ...}`: tuples, sets, frozensets, bytes, dicts whose keys are not all
strings (or that hold a `"__wf__"` key themselves, which is how user data that looks like a tag stays data),
datetimes, dates, UUIDs, non-finite floats, wfkit messages, pydantic models, dataclasses and enum members.
Reading back never imports a module or looks up a callable by a name found in storage: objects are revived
only through an allow-list filled by `register_types` (keyed by `module.qualname`); an object whose class is
not on it comes back as a plain dict of its fields, with a warning that says how to register it. An unknown
or malformed tag raises `UnsafePayloadError`. Before any text is produced, every string and bytes value is
scrubbed of every secret in play (`wfkit._secrets`: the `ANTHROPIC_API_KEY` value and keys given to
`Claude(api_key=...)`), so no key reaches storage. Subclasses of str/int/float
that are not enums (a `numpy.float64`, say) are stored as their plain value; other objects, including
subclasses of containers (a namedtuple, a `defaultdict`), are refused with a `CheckpointError` naming where
they sit, because reviving them as their base type would silently change how they behave. Pydantic private
attributes and `model_fields_set` are not stored. The records that hold these values (a checkpoint, a
pending write) are laid out in `wfkit.checkpoint.records`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import enum
import json
import math
import os
import reprlib
import sys
import uuid
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from wfkit._secrets import REDACTED, secrets
from wfkit.checkpoint.nesting import MAX_DEPTH, deeper_than
from wfkit.errors import CheckpointError, UnsafePayloadError

TAG = "__wf__"
_SUPPORTED = ("None, bool, int, float, str, list, dict, tuple, set, frozenset, bytes, datetime, date, UUID, "
              "a wfkit message, a pydantic model, a dataclass or an Enum member")


_scan_plain = json.JSONDecoder().scan_once  # the C scanner, as `json.loads` uses it


def too_deep(limit: int = MAX_DEPTH) -> str:
    """What `parse_json` says of a text nested deeper than `limit`."""
    return f"nested too deeply to read (more than {limit} levels)"


def parse_json(text: str | bytes, fail: Callable[[str, bool], Exception], *, limit: int = MAX_DEPTH,
               serde: JsonSerde | None = None) -> Any:
    """The value of the JSON `text`, read so that a damaged or crafted text cannot crash the process: one
    nested deeper than `limit` (see `nesting`), one that is not JSON, and one whose parse still runs out of
    stack (called from deep in it) raise `fail(why, too_deep)`, where `why` says what is wrong ("not valid
    JSON (...)", "nested too deeply ..."). With `serde`, tagged objects are revived through it; without,
    the value is plain JSON. Checkpoints and cassettes both read their files through this."""
    if deeper_than(text, limit):
        raise fail(too_deep(limit), True)
    return _parse_checked(text, fail, serde, limit)


def _parse_checked(text: str | bytes, fail: Callable[[str, bool], Exception], serde: JsonSerde | None,
                   limit: int = MAX_DEPTH) -> Any:
    """`parse_json` without the depth check, for a text whose parts were checked one by one."""
    hook = None if serde is None else serde._revive
    try:
        if isinstance(text, str):
            # Fast path: a text with no tag in it holds only plain JSON values, so there is nothing to
            # revive. Records are compact JSON, so the scanner reads them as they are, without the
            # whitespace matching of `json.loads` (which still reads, or refuses, anything else).
            try:
                found = (_scan_plain if hook is None or TAG not in text else serde._scan_tagged)(text, 0)
            except StopIteration:  # nothing JSON at the start: `json.loads` names the problem below
                found = None
            if found is not None and found[1] == len(text):
                return found[0]
            return json.loads(text, object_hook=hook)
        if hook is None or TAG.encode() not in text:
            return json.loads(text)
        return json.loads(text, object_hook=hook)
    except ValueError as e:  # not JSON; also bytes that are not UTF-8, an int of more than 4300 digits
        why = e if isinstance(e, json.JSONDecodeError) else f"{type(e).__name__}: {_short(str(e))}"
        raise fail(f"not valid JSON ({why})", False) from None
    except RecursionError:  # under the depth limit, but called from deep in the stack
        raise fail(too_deep(limit), True) from None


def _stored_data_error(why: str, deep: bool) -> CheckpointError:
    fix = "" if deep else " — delete the thread or restore the file"
    return CheckpointError(f"stored data is {why}; the row was damaged or edited outside wfkit{fix}")


def _pydantic() -> Any:
    # Not imported here, so that importing wfkit.checkpoint stays light: a pydantic model can only exist
    # once pydantic itself has been imported, so the module is then in sys.modules.
    return sys.modules.get("pydantic")


def _is_model_class(cls: type) -> bool:
    pydantic = _pydantic()
    return pydantic is not None and issubclass(cls, pydantic.BaseModel)


def _name_of(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


_UNREAD = object()  # `_encode` reads the key itself


class _Unencodable(Exception):
    """Internal: a value the encoder cannot hold; `path` collects where it sits on the way out."""

    def __init__(self, value: Any, why: str = "") -> None:
        super().__init__()
        self.value = value
        self.why = why  # instead of "is a <type> ...", when the type is supported but this value is not
        self.path: list[str] = []


class JsonSerde:
    """Values to JSON text and back; only classes passed to `register_types` are ever revived."""

    def __init__(self, types: Iterable[type] = ()) -> None:
        self._types: dict[str, type] = {}
        self._scan_tagged = json.JSONDecoder(object_hook=self._revive).scan_once
        self.register_types(types)

    def register_types(self, types: Iterable[type]) -> None:
        """Allow these pydantic models, dataclasses and Enum classes to be revived from storage.

        A class registered again under the same `module.qualname` replaces the old one: re-running a notebook
        cell that defines the class must not leave the stale definition on the allow-list.
        """
        for cls in types:
            if not isinstance(cls, type) or not (issubclass(cls, enum.Enum) or dataclasses.is_dataclass(cls)
                                                 or _is_model_class(cls)):
                raise TypeError(f"register_types: `{cls!r}` is not a pydantic model, dataclass or Enum class; "
                                f"only those are registered (builtins, datetimes, UUIDs and wfkit messages "
                                f"need no registering)")
            self._types[_name_of(cls)] = cls

    @property
    def registered(self) -> dict[str, type]:
        """The allow-list: `module.qualname` → class (a copy)."""
        return dict(self._types)

    # ---- writing -------------------------------------------------------------------------------------

    def dumps(self, value: Any) -> str:
        """JSON text for `value`; `CheckpointError` naming where an unsupported value sits."""
        return _dump_text(self._encode(value, context="cannot store a value", root="`value`"))

    def _encode(self, value: Any, *, context: str, root: str, note: str = "", secret: Any = _UNREAD) -> Any:
        """A JSON-able tree for `value`, with every secret in play redacted from every string. An
        unsupported value raises `CheckpointError`: `context`, then `root` + the path to the value + `note`.
        `records` builds its arrays from these trees, so that an error names the record and the place in it,
        and read the secrets once per record (`secret`, from `wfkit._secrets.secrets()`) rather than once per
        part."""
        try:
            return self._enc(value, secrets() if secret is _UNREAD else secret)
        except _Unencodable as e:
            cls = type(e.value)
            where = f"{root}{''.join(reversed(e.path))}{note}"
            if e.why:
                raise CheckpointError(f"{context}: {where} {e.why}") from None
            raise CheckpointError(f"{context}: {where} is a `{cls.__module__}.{cls.__qualname__}`, which a JSON "
                                  f"checkpoint cannot hold; convert it to one of: {_SUPPORTED} (register "
                                  f"pydantic models, dataclasses and Enums with `register_types` to get them "
                                  f"back as themselves)") from None
        except RecursionError:
            raise CheckpointError(f"{context}: {root}{note} refers to itself or is nested deeper than "
                                  f"{sys.getrecursionlimit()} levels; store a flatter copy") from None

    def _enc(self, v: Any, secret: tuple[str, ...]) -> Any:
        t = type(v)
        if t is str:
            for key in secret:  # the secrets in play: usually none or one
                if key in v:
                    v = v.replace(key, REDACTED)
            return v
        if v is None or t is bool:
            return v
        if t is int:
            if v.bit_length() > _INT_BITS and _too_many_digits(v):
                raise _Unencodable(v, f"is an int of more than {sys.get_int_max_str_digits()} digits, more than "
                                      f"Python turns into text (sys.set_int_max_str_digits); store it as a str")
            return v
        if t is float:
            # JSON has no NaN/Infinity; a tag keeps the text strict JSON (other readers, SQLite json_*).
            return v if math.isfinite(v) else {TAG: "float", "v": repr(v)}
        if t is list:
            return self._enc_items(v, secret)
        if t is dict:
            pairs = []
            for k, x in v.items():
                try:
                    pairs.append([self._enc(k, secret), self._enc(x, secret)])
                except _Unencodable as e:
                    e.path.append(f"[{k!r}]")
                    raise
            if TAG not in v and all(type(k) is str for k in v):
                return dict(pairs)
            # Keys that are not strings, or user data that looks like a tag: stored as escaped pairs.
            return {TAG: "dict", "v": pairs}
        if t is tuple:
            return {TAG: "tuple", "v": self._enc_items(v, secret)}
        if t is set or t is frozenset:
            items = self._enc_items(v, secret)
            items.sort(key=_dump_text)  # set order varies between runs; stored text should not
            return {TAG: t.__name__, "v": items}
        if t is bytes:
            for key in secret:
                if key.encode() in v:
                    v = v.replace(key.encode(), REDACTED.encode())
            return {TAG: "bytes", "v": base64.b64encode(v).decode("ascii")}
        if t is dt.datetime:
            return {TAG: "datetime", "v": v.isoformat()}
        if t is dt.date:
            return {TAG: "date", "v": v.isoformat()}
        if t is uuid.UUID:
            return {TAG: "uuid", "v": v.hex}
        return self._enc_object(v, secret)

    def _enc_items(self, items: Iterable[Any], secret: tuple[str, ...]) -> list[Any]:
        out: list[Any] = []
        try:
            for x in items:
                out.append(self._enc(x, secret))
        except _Unencodable as e:
            e.path.append(f"[{len(out)}]")
            raise
        return out

    def _enc_object(self, v: Any, secret: tuple[str, ...]) -> Any:
        # Enum first: an IntEnum/StrEnum member is also an int/str and must not decay into one.
        if isinstance(v, enum.Enum):
            return {TAG: "enum", "cls": _name_of(type(v)), "v": self._enc_field("value", v.value, secret)}
        messages = sys.modules.get("wfkit.messages")  # an instance of a message implies its module is loaded
        if messages is not None and isinstance(v, messages.BaseMessage):
            return {TAG: "msg", "v": self._enc(v.to_dict(), secret)}
        pydantic = _pydantic()
        if pydantic is not None and isinstance(v, pydantic.BaseModel):
            fields = dict.fromkeys(type(v).model_fields)
            values = {name: getattr(v, name) for name in fields}
            values.update(v.model_extra or {})
            return self._enc_obj_fields(v, values, secret)
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            values = {f.name: getattr(v, f.name) for f in dataclasses.fields(v)}
            return self._enc_obj_fields(v, values, secret)
        for base, plain in _PLAIN_VALUE.items():  # e.g. numpy.float64: keep the value, not the subclass
            if isinstance(v, base):
                return self._enc(plain(v), secret)
        raise _Unencodable(v)

    def _enc_obj_fields(self, v: Any, values: dict[str, Any], secret: tuple[str, ...]) -> dict[str, Any]:
        return {TAG: "obj", "cls": _name_of(type(v)),
                "v": {name: self._enc_field(name, x, secret) for name, x in values.items()}}

    def _enc_field(self, name: str, x: Any, secret: tuple[str, ...]) -> Any:
        try:
            return self._enc(x, secret)
        except _Unencodable as e:
            e.path.append(f".{name}")
            raise

    # ---- reading -------------------------------------------------------------------------------------

    def loads(self, text: str | bytes) -> Any:
        """The value stored as `text`. Raises `UnsafePayloadError` for an unknown or malformed tag and
        `CheckpointError` for text that is not JSON or nests deeper than `nesting.MAX_DEPTH`; never imports
        or calls anything named in `text`."""
        if not isinstance(text, (str, bytes, bytearray)):  # a column of an edited file can hold any type
            raise CheckpointError(f"stored data is a `{type(text).__name__}`, not JSON text; the row was "
                                  f"damaged or edited outside wfkit — delete the thread or restore the file")
        return parse_json(text, _stored_data_error, serde=self)

    def _parse(self, text: str | bytes) -> Any:
        """`loads` without the depth check, for a text whose parts were checked one by one."""
        return _parse_checked(text, _stored_data_error, self)

    def _revive(self, d: dict[str, Any]) -> Any:
        if TAG not in d:
            return d
        tag = d[TAG]
        reviver = _REVIVERS.get(tag) if isinstance(tag, str) else None
        if reviver is None:
            raise UnsafePayloadError(f"unknown tag `{tag!r}` in stored data; known tags: "
                                     f"{', '.join(f'`{t}`' for t in _REVIVERS)}. Nothing was imported or run; "
                                     f"the row was damaged or edited outside wfkit")
        keys, kind = _SHAPES[tag]
        if d.keys() != keys or not isinstance(d["v"], kind) or ("cls" in d and not isinstance(d["cls"], str)):
            raise _malformed(tag, f"expected the keys {sorted(keys)} with `v` a {kind.__name__}, "
                                  f"got {_short(repr(d))}")
        try:
            return reviver(self, d)
        except CheckpointError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, binascii.Error) as e:
            raise _malformed(tag, f"{type(e).__name__}: {_short(str(e))}") from None

    def _revive_obj(self, d: dict[str, Any]) -> Any:
        name, values = d["cls"], d["v"]
        cls = self._types.get(name)
        if cls is None:
            _warn_unregistered(name, "a plain dict of its fields")
            return values
        if issubclass(cls, enum.Enum):
            raise _malformed("obj", f"`{name}` is registered as an Enum, not a model or dataclass")
        try:
            if _is_model_class(cls) and issubclass(cls, _pydantic().RootModel):
                return cls.model_validate(values.get("root"))
            if _is_model_class(cls):
                return cls.model_validate({_validation_key(cls, k): x for k, x in values.items()})
            later = {f.name for f in dataclasses.fields(cls) if not f.init}
            obj = cls(**{k: x for k, x in values.items() if k not in later})
        except (ValueError, TypeError) as e:  # pydantic's ValidationError is a ValueError
            raise CheckpointError(f"stored `{name}` does not fit the registered class any more "
                                  f"({type(e).__name__}: {e}); was the class changed since it was stored? "
                                  f"Restore the old definition or start a new thread") from None
        for k, x in values.items():  # fields with init=False are not constructor arguments
            if k in later:
                object.__setattr__(obj, k, x)
        return obj

    def _revive_enum(self, d: dict[str, Any]) -> Any:
        name, value = d["cls"], d["v"]
        cls = self._types.get(name)
        if cls is None:
            _warn_unregistered(name, "its plain value")
            return value
        if not issubclass(cls, enum.Enum):
            raise _malformed("enum", f"`{name}` is registered, but it is not an Enum")
        return cls(value)


def _revive_message(serde: JsonSerde, d: dict[str, Any]) -> Any:
    global _from_owned
    if _from_owned is None:  # lazy: a fixed module of ours, never a name read from storage
        from wfkit.messages import message_from_owned_dict as _from_owned
    return _from_owned(d["v"])  # parsed just now: nothing else holds it


_from_owned: Any = None


def _revive_dict(serde: JsonSerde, d: dict[str, Any]) -> dict[Any, Any]:
    if not all(isinstance(p, list) and len(p) == 2 for p in d["v"]):
        raise ValueError("every item of `v` must be a [key, value] pair")
    _check_hashes([k for k, _ in d["v"]])
    return {k: x for k, x in d["v"]}


def _check_hashes(items: list[Any]) -> list[Any]:
    """Refuse items whose hashes collide en masse before they go into a set or dict: ints that differ by
    multiples of 2**61 - 1 share one hash, and a stored set of 10**5 of them would take minutes to build
    (each insertion compares against all the others). Unhashable items raise the TypeError they would."""
    distinct = len({hash(x) for x in items})
    if len(items) - distinct > _MAX_COLLISIONS:
        raise ValueError(f"{len(items) - distinct} of its {len(items)} items share hash values with others; "
                         f"no value wfkit stores does that, a crafted row does")
    return items


def _revive_float(serde: JsonSerde, d: dict[str, Any]) -> float:
    if d["v"] not in ("nan", "inf", "-inf"):
        raise ValueError(f"`v` must be one of 'nan', 'inf', '-inf', got {d['v']!r}")
    return float(d["v"])


# A stored dict quoted in an error: a row of megabytes must not become a message of megabytes.
_BRIEF = reprlib.Repr()
_BRIEF.maxlevel, _BRIEF.maxdict, _BRIEF.maxlist, _BRIEF.maxstring, _BRIEF.maxother = 4, 8, 8, 80, 80

# Exact-type copies of a subclass's value (these never call an overridden __str__/__int__/__float__).
_PLAIN_VALUE = {str: str.__str__, int: int.__int__, float: float.__float__}
_MAX_COLLISIONS = 64  # items sharing a hash with another in one stored set or dict (-1 and -2 do, legitimately)
_PLAIN = frozenset({TAG, "v"})
_NAMED = frozenset({TAG, "cls", "v"})
_SHAPES: dict[str, tuple[frozenset[str], type]] = {
    "tuple": (_PLAIN, list), "set": (_PLAIN, list), "frozenset": (_PLAIN, list), "dict": (_PLAIN, list),
    "bytes": (_PLAIN, str), "datetime": (_PLAIN, str), "date": (_PLAIN, str), "uuid": (_PLAIN, str),
    "float": (_PLAIN, str), "msg": (_PLAIN, dict), "obj": (_NAMED, dict), "enum": (_NAMED, object),
}
_REVIVERS = {
    "tuple": lambda s, d: tuple(d["v"]),
    "set": lambda s, d: set(_check_hashes(d["v"])),
    "frozenset": lambda s, d: frozenset(_check_hashes(d["v"])),
    "dict": _revive_dict,
    "bytes": lambda s, d: _b64decode(d["v"]),
    "datetime": lambda s, d: dt.datetime.fromisoformat(d["v"]),
    "date": lambda s, d: dt.date.fromisoformat(d["v"]),
    "uuid": lambda s, d: uuid.UUID(hex=d["v"]),
    "float": _revive_float,
    "msg": _revive_message,
    "obj": JsonSerde._revive_obj,
    "enum": JsonSerde._revive_enum,
}


def _dump_text(tree: Any) -> str:
    # Compact separators: an in-memory history holds thousands of these strings.
    return json.dumps(tree, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:  # its wording changes between Python versions; say it the same way on all
        raise ValueError(f"`v` is not base64 text: {text[:40]!r}") from None


_INT_BITS = 2000  # an int this short has under 640 digits, the lowest limit CPython allows on int -> str


def _too_many_digits(v: int) -> bool:
    try:
        str(v)
    except ValueError:
        return True
    return False


def _short(text: str, limit: int = 200) -> str:
    # A damaged row can be megabytes long: an error quotes its start, not all of it.
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def _malformed(tag: str, why: str) -> UnsafePayloadError:
    return UnsafePayloadError(f"malformed `{tag}` tag in stored data: {why}. Nothing was imported or run; "
                              f"the row was damaged or edited outside wfkit")


def _warn_unregistered(name: str, returned_as: str) -> None:
    short = name.rsplit(".", 1)[-1]
    warnings.warn(f"stored data holds a `{name}`, which is not registered, so it is returned as {returned_as}; "
                  f"to revive it as `{short}`, pass the class to the checkpointer's "
                  f"`register_types([{short}])` (a graph registers its state schema's models itself)",
                  UserWarning, stacklevel=2)


def _validation_key(cls: Any, name: str) -> str:
    # Fields are stored by name; a field with a plain string alias must be given by that alias to validate.
    info = cls.model_fields.get(name)
    if info is None:
        return name  # an extra field of a model with extra="allow"
    alias = info.validation_alias if isinstance(info.validation_alias, str) else info.alias
    return alias or name
