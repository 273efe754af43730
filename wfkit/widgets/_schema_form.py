"""The answer form of an interrupt that declares its answer's type (`interrupt(value, response_schema=...)`):
the `Interrupt` carries the JSON Schema, not the class, so the form is built from the schema. Each property
becomes a field of a pydantic model made here (boolean → checkbox, enum → dropdown, integer / number →
number, string → text, anything else → JSON), which `ModelForm` shows and validates; the answer sent is the
form's plain data, which the engine validates again against the real type.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

_TYPES = {"boolean": bool, "integer": int, "number": float, "string": str}


def model_from_schema(schema: Any) -> type | None:
    """A pydantic model with a field per property of JSON Schema `schema`, or None when it describes no
    object with properties (the card then keeps its text editor)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict) or not schema["properties"]:
        return None
    from pydantic import create_model

    defs = schema.get("$defs") or schema.get("definitions") or {}
    required = set(schema.get("required") or ())
    fields: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        annotation = _annotation(_resolved(prop, defs), defs)
        default = ... if name in required else (prop.get("default") if isinstance(prop, dict) else None)
        if default is None and annotation is not Any:
            annotation = Optional[annotation]
        fields[name] = (annotation, default)
    title = str(schema.get("title") or "Answer")
    return create_model(title if title.isidentifier() else "Answer", **fields)


def _resolved(prop: Any, defs: dict) -> dict:
    if isinstance(prop, dict) and isinstance(prop.get("$ref"), str):
        return defs.get(prop["$ref"].rsplit("/", 1)[-1], {})
    return prop if isinstance(prop, dict) else {}


def _annotation(prop: dict, defs: dict) -> Any:
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        return Literal[tuple(prop["enum"])]
    kinds = prop.get("anyOf") or prop.get("oneOf")
    if isinstance(kinds, list):  # `X | None`: an optional X
        others = [_resolved(k, defs) for k in kinds if not (isinstance(k, dict) and k.get("type") == "null")]
        if len(others) == 1 and len(others) < len(kinds):
            inner = _annotation(others[0], defs)
            return Any if inner is Any else Optional[inner]
        return Any
    return _TYPES.get(prop.get("type"), Any)
