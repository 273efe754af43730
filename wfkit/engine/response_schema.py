"""Typed answers: `interrupt(value, response_schema=...)`, as in LangGraph.

A pydantic model, TypedDict, dataclass (anything pydantic's `TypeAdapter` takes) is surfaced on the
`Interrupt` as its JSON Schema, which is plain data and so is stored with the checkpoint (never the class),
and the answer is validated against it: `interrupt()` returns the validated object (a model instance, a
dataclass...). A JSON Schema dict is surfaced as it is and not validated (LangGraph's rule). An answer that
does not fit raises `AnswerSchemaError` before anything is kept, so the interrupt waits again.
"""

from __future__ import annotations

import functools
from typing import Any

from wfkit.errors import ArgumentTypeError


def adapter_for(schema: Any) -> Any:
    """The pydantic TypeAdapter that validates answers to `schema`, or None for no schema or a JSON Schema dict."""
    if schema is None or isinstance(schema, dict):
        return None
    try:
        return _cached_adapter(schema)
    except TypeError:  # an unhashable schema: made each time
        return _adapter(schema)


@functools.lru_cache(maxsize=128)
def _cached_adapter(schema: Any) -> Any:
    return _adapter(schema)


def _adapter(schema: Any) -> Any:
    from pydantic import PydanticUserError, TypeAdapter

    try:
        adapter = TypeAdapter(schema)
        adapter.json_schema()  # surfaced on the interrupt: it must have one (a Callable field has none)
        return adapter
    except PydanticUserError as exc:
        raise ArgumentTypeError(
            f"interrupt(..., response_schema={_name(schema)}): wfkit cannot validate answers against it "
            f"({type(exc).__name__}: {str(exc).splitlines()[0]}); pass a pydantic model, a TypedDict or a dataclass, or a JSON Schema dict "
            "(surfaced to the reviewer, not validated)") from exc


def surfaced(schema: Any, adapter: Any) -> dict | None:
    """What `Interrupt.response_schema` holds: the JSON Schema of `schema`."""
    return adapter.json_schema() if adapter is not None else schema


def checked(adapter: Any, value: Any, interrupt_id: str, schema: Any) -> Any:
    """`value` validated by `adapter` (as the node gets it), or AnswerSchemaError naming the interrupt, each
    field at fault and the way to answer again."""
    if adapter is None:
        return value
    from pydantic import ValidationError
    from pydantic_core import PydanticCustomError

    from wfkit import errors

    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
        # the same problems (type, place, message, input) in wfkit's error, which names the interrupt
        error = errors.AnswerSchemaError.from_exception_data(exc.title, [
            {"type": PydanticCustomError(p["type"], p["msg"]),
             "loc": p["loc"], "input": p["input"]} for p in problems])
        where = "; ".join(f"{_place(p['loc'])}: {p['msg']} (given {p['input']!r})" for p in problems)
        error.message = (
            f"the answer to interrupt `{interrupt_id}` does not fit its response_schema `{_name(schema)}`: "
            f"{where}. Nothing was kept and the interrupt still waits: resume again with "
            f"Command(resume={{{interrupt_id!r}: <an answer that fits {_name(schema)}>}})")
        raise error from None


def _place(loc: tuple) -> str:
    return "`" + ".".join(map(str, loc)) + "`" if loc else "the answer"


def _name(schema: Any) -> str:
    return getattr(schema, "__name__", None) or repr(schema)
