"""State schemas: from a TypedDict, pydantic model or dataclass to the keys the engine tracks.

Each key becomes a `Channel`: a reducer key (`Annotated[T, reducer]`) merges every write with
`reducer(old, new)` and starts from `T()` when that can be built (an empty list, 0); any other key keeps
the last value written and accepts one write per superstep. The schema also turns the stored values back
into what a node expects as input (a dict, a model instance or a dataclass instance).
"""

from __future__ import annotations

import builtins
import dataclasses
import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args, get_origin, get_type_hints

from typing_extensions import Annotated, is_typeddict

from wfkit.constants import ROOT
from wfkit.managed import managed_of
from wfkit.types import model_writes

_MISSING = object()


@dataclass(frozen=True)
class Channel:
    """One state key: its reducer (None: last value wins) and its initial value factory."""

    key: str
    reducer: Callable[[Any, Any], Any] | None = None
    initial: Callable[[], Any] | None = None
    annotation: Any = None


def _reducer_of(annotation: Any) -> tuple[Any, Callable | None]:
    if get_origin(annotation) is Annotated:
        base, *meta = get_args(annotation)
        for item in reversed(meta):
            if callable(item) and len(_positional_params(item)) >= 2:
                return base, item
        return base, None
    return annotation, None


def _positional_params(fn: Callable) -> list:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # builtins like operator.add have no signature on some versions
        return [0, 1]
    return [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]


def _initial_factory(base: Any) -> Callable[[], Any] | None:
    origin = get_origin(base) or base
    if origin in (list, dict, set, tuple, int, float, str) or (
        isinstance(origin, type) and origin.__module__ == "builtins"
    ):
        try:
            origin()
        except Exception:
            return None
        return origin
    return None


def is_root_state(schema: Any) -> bool:
    """Whether `schema` is a state that is one value, not a dict of keys: `Annotated[list, operator.add]`,
    `str`... (LangGraph's root channel); nodes get and return the bare value."""
    if get_origin(schema) is Annotated:
        return not (is_typeddict(get_args(schema)[0]) or _is_pydantic(get_args(schema)[0]))
    origin = get_origin(schema) or schema
    # a builtin type itself (not a class merely declared in exec'd code, whose module is also "builtins")
    return isinstance(origin, type) and getattr(builtins, origin.__name__, None) is origin and origin is not dict


def schema_kind(schema: Any) -> str:
    if is_root_state(schema):
        return "root"
    if is_typeddict(schema):
        return "typeddict"
    if _is_pydantic(schema):
        return "pydantic"
    if dataclasses.is_dataclass(schema) and isinstance(schema, type):
        return "dataclass"
    if schema is dict or schema is Any:
        return "dict"
    raise TypeError(
        f"state schema `{getattr(schema, '__name__', schema)!s}` is not a TypedDict, pydantic model or dataclass; "
        "declare the state as `class State(TypedDict): ...`"
    )


def _is_pydantic(obj: Any) -> bool:
    if not isinstance(obj, type):
        return False
    return any(c.__module__.startswith("pydantic") and c.__name__ == "BaseModel" for c in obj.__mro__)


def _hints(schema: Any) -> dict[str, Any]:
    try:
        return get_type_hints(schema, include_extras=True)
    except Exception:
        return dict(getattr(schema, "__annotations__", {}))


def _hints_of_fields(schema: Any, kind: str) -> dict[str, Any]:
    hints = _hints(schema)
    if kind == "pydantic":
        names = list(schema.model_fields)
        hints = {n: hints.get(n, schema.model_fields[n].annotation) for n in names}
    return hints


def channels_of(schema: Any) -> dict[str, Channel]:
    """The keys of a schema, in declaration order, each with its reducer and initial value."""
    kind = schema_kind(schema)
    if kind == "dict":
        return {}
    if kind == "root":
        base, reducer = _reducer_of(schema)
        return {ROOT: Channel(ROOT, reducer, _initial_factory(base) if reducer is not None else None, schema)}
    out = {}
    for key, annotation in _hints_of_fields(schema, kind).items():
        if key.startswith("__") or get_origin(annotation) is typing.ClassVar or managed_of(annotation):
            continue
        base, reducer = _reducer_of(annotation)
        initial = _initial_factory(base) if reducer is not None else None
        out[key] = Channel(key, reducer, initial, annotation)
    return out


class Schema:
    """A state schema: its channels and how to build a node's input from stored values."""

    def __init__(self, schema: Any):
        self.schema = schema
        self.kind = schema_kind(schema)
        self.channels = channels_of(schema)
        # keys the engine computes for each task (RemainingSteps): not channels, never stored
        self.managed = {} if self.kind in ("dict", "root") else {
            k: m for k, a in _hints_of_fields(schema, self.kind).items() if (m := managed_of(a))}
        self.name = getattr(schema, "__name__", str(schema))

    @property
    def keys(self) -> list[str]:
        return list(self.channels)

    def validate_input(self, value: Any) -> dict[str, Any]:
        """An input or update as a plain dict of keys, validating it when the schema is a pydantic model."""
        if value is None:
            return {}
        if self.kind == "root":
            return {ROOT: value}
        if self.kind == "pydantic":
            if isinstance(value, self.schema):
                return dict(model_writes(value))
            if isinstance(value, dict):
                model = self.schema.model_validate(value)
                return {k: getattr(model, k) for k in value if k in self.channels}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        if not isinstance(value, dict):
            raise TypeError(
                f"input to a graph with state `{self.name}` must be a dict of its keys, got {type(value).__name__}: {value!r}"
            )
        return dict(value)

    def view(self, values: dict[str, Any]) -> Any:
        """What a node of this schema receives: a dict (TypedDict) or an instance (pydantic, dataclass)."""
        if self.kind == "dict":
            return dict(values)
        if self.kind == "root":
            return values.get(ROOT)
        view = {k: values[k] for k in self.channels if k in values}
        for key in self.managed:
            if key in values:
                view[key] = values[key]
        return view if self.kind == "typeddict" else self.schema(**view)

    def problems(self, values: dict[str, Any], keys: Any) -> list[str]:
        """Why the state `values` does not fit the schema at `keys`, one line per key (empty: it fits). A
        pydantic schema validates with its own rules (field validators included); a TypedDict or dataclass
        checks each value against its annotated type, strictly (no "42" for an int). A type pydantic cannot
        check is taken as it is."""
        keys = [k for k in keys if k in self.channels and k in values]
        if not keys or self.kind == "root":
            return []
        if self.kind == "pydantic":
            try:
                self.schema.model_validate({k: v for k, v in values.items() if k in self.channels})
            except (TypeError, ValueError) as exc:  # a pydantic ValidationError, or what a validator raised
                errors = getattr(exc, "errors", None)
                found = [e for e in errors() if e.get("loc") and e["loc"][0] in keys] if callable(errors) else []
                return [f"`{_where(e['loc'])}`: {e.get('msg')} (state `{self.name}` declares `{e['loc'][0]}: "
                        f"{_type_name(self.channels[e['loc'][0]].annotation)}`), got {_brief(values[e['loc'][0]])}"
                        for e in found]
            return []
        out = []
        for key in keys:
            base, _ = _reducer_of(self.channels[key].annotation)
            adapter = _adapter(base)
            if adapter is None:
                continue
            try:
                adapter.validate_python(values[key], strict=True)
            except (TypeError, ValueError) as exc:  # TypeError: a validator of a type raised it (messages)
                errors = getattr(exc, "errors", None)
                first = errors()[0] if callable(errors) and errors() else {"loc": ()}
                where = _where((key, *first.get("loc", ())))
                detail = f" (at `{where}`)" if where != key else ""
                out.append(f"`{key}` must be `{_type_name(base)}` (as state `{self.name}` declares it), got "
                           f"{_brief(values[key])}{detail}")
        return out

    def models(self) -> list[type]:
        """Pydantic models and dataclasses this schema declares (recursively), for safe reviving."""
        found: list[type] = []

        def walk(tp: Any, depth: int = 0) -> None:
            if depth > 6 or tp is None:
                return
            if isinstance(tp, type) and (_is_pydantic(tp) or dataclasses.is_dataclass(tp)) and tp not in found:
                found.append(tp)
                for sub in _hints(tp).values():
                    walk(sub, depth + 1)
                return
            for arg in get_args(tp):
                walk(arg, depth + 1)

        if self.kind in ("pydantic", "dataclass"):
            found.append(self.schema)
        for channel in self.channels.values():
            walk(channel.annotation)
        return found


def node_input_schema(fn: Callable) -> Any | None:
    """The schema a node (or path function) declares through the type hint of its first parameter, if any."""
    target = _hinted(fn)
    try:
        params = [p for p in inspect.signature(target).parameters.values()]
    except (TypeError, ValueError):
        return None
    return _schema_hint(target, params[0].name) if params else None


def node_output_schema(fn: Callable) -> Any | None:
    """The schema a node declares through its return hint (`-> FooState`), if any: its keys are the graph's
    too, as in LangGraph."""
    return _schema_hint(_hinted(fn), "return")


def _hinted(fn: Callable) -> Callable:
    """Where `fn`'s hints are: the function it wraps, or the `__call__` of a callable object."""
    target = getattr(fn, "__wrapped__", fn)
    if not (inspect.isroutine(target) or inspect.isclass(target)) and callable(target):
        target = target.__call__
    return target


def _schema_hint(target: Callable, name: str) -> Any | None:
    try:
        hint = get_type_hints(target).get(name)
    except Exception:
        return None
    if hint is None:
        return None
    try:
        kind = schema_kind(hint)
    except TypeError:
        return None
    return None if hint is dict or kind in ("root", "dict") else hint


def _adapter(tp: Any) -> Any:
    """A pydantic TypeAdapter for `tp`, or None when pydantic cannot check it (an arbitrary class is then
    checked with isinstance) or is not installed."""
    try:
        from pydantic import ConfigDict, TypeAdapter

        if isinstance(tp, type) and not (_is_pydantic(tp) or dataclasses.is_dataclass(tp) or is_typeddict(tp)):
            return TypeAdapter(tp, config=ConfigDict(arbitrary_types_allowed=True))
        return TypeAdapter(tp)
    except Exception:  # pydantic cannot build a schema for it (a forward reference, an odd generic)
        return None


def _type_name(tp: Any) -> str:
    tp, _ = _reducer_of(tp)
    if isinstance(tp, type) and not get_args(tp):
        return tp.__name__
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", str(tp))  # typing.List -> List


def _where(loc: tuple) -> str:
    head, *rest = loc
    return str(head) + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest)


def _brief(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:59] + '…'}"
