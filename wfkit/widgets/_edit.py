"""Editing a state as JSON text: how each key is shown as JSON, and what an edited text changes.

Plain JSON values are shown as they are; a list of messages as one small dict per message (`type`,
`content`, `id`, and `tool_calls`, `tool_call_id` or `name` where they are set); a pydantic model, or a
list of models of one class, as its JSON dump. Reading the text back turns those into messages and models
again, so a key of any of these kinds can be edited; other keys are listed as not editable here. Only the
keys the reviewer actually changed are returned. Pure functions, tested without widgets.
"""

from __future__ import annotations

import json
from typing import Any

from wfkit.messages import BaseMessage, message_from_dict

_MESSAGE_EXTRAS = ("tool_calls", "tool_call_id", "name")


def _is_model(value: Any) -> bool:
    return hasattr(type(value), "model_validate") and hasattr(value, "model_dump")


def _kind(value: Any) -> str:
    """How a value is edited: "messages", "model", "models" (one class), or "json"."""
    if isinstance(value, list) and value:
        if all(isinstance(v, BaseMessage) for v in value):
            return "messages"
        if _is_model(value[0]) and all(type(v) is type(value[0]) for v in value):
            return "models"
    if _is_model(value):
        return "model"
    return "json"


def _message_json(message: BaseMessage) -> dict:
    full = message.to_dict()
    shown = {"type": full["type"], "content": full["content"], "id": full["id"]}
    shown.update({k: full[k] for k in _MESSAGE_EXTRAS if full.get(k)})
    return shown


def _to_json(value: Any) -> Any:
    kind = _kind(value)
    if kind == "messages":
        return [_message_json(m) for m in value]
    if kind == "model":
        return value.model_dump(mode="json")
    if kind == "models":
        return [v.model_dump(mode="json") for v in value]
    return value


def _from_json(key: str, edited: Any, current: Any) -> Any:
    """`edited` (parsed JSON) as a value of the kind `current` is; ValueError says what does not fit."""
    kind = _kind(current)
    if kind == "json":
        return edited
    if kind in ("messages", "models") and not isinstance(edited, list):
        raise ValueError(f"`{key}` must stay a JSON list, not {type(edited).__name__}")
    try:
        if kind == "messages":
            known = {m.id: m.to_dict() for m in current}
            return [_message(item, known) for item in edited]
        if kind == "model":
            return type(current).model_validate(edited)
        return [type(current[0]).model_validate(item) for item in edited]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`{key}`{_why(exc)}") from None


def _why(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):  # a pydantic ValidationError: where and what, for the first problem
        first = errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first.get("loc", ()))
        return f"{where}: {first.get('msg')}"
    return f": {exc}"


def _message(item: Any, known: dict[str, dict]) -> BaseMessage:
    """A message from its edited dict; what the dict does not show (usage, metadata) comes from the message
    with the same id and type, and an extra field the reviewer deleted is cleared."""
    if not isinstance(item, dict):
        raise ValueError(f"each message must be a JSON object with `type` and `content`, got {item!r}")
    before = known.get(item.get("id"), {})
    if before.get("type") != item.get("type"):
        before = {}
    full = {**before, **item}
    for extra in ("tool_calls", "name"):
        if extra not in item and extra in full:
            full[extra] = [] if extra == "tool_calls" else None
    return message_from_dict(full)


def editable(values: Any) -> tuple[dict, list[str]]:
    """The keys of `values` as JSON (see the module docstring), and the names of the keys that cannot be."""
    if not isinstance(values, dict):
        return {}, []
    shown, skipped = {}, []
    for key, value in values.items():
        try:
            as_json = _to_json(value)
            if _from_json(key, json.loads(json.dumps(as_json)), value) == value:
                shown[key] = as_json
                continue
        except (TypeError, ValueError, RecursionError):  # RecursionError: nested too deeply for JSON
            pass
        skipped.append(key)
    return shown, skipped


def changed_keys(text: str, base: dict, values: Any) -> tuple[str, dict]:
    """(what is wrong with `text`, {key: new value} for the keys it changes from `base`). `base` is what
    `editable` showed; `values` is the state being edited (for its keys and the kinds of their values)."""
    try:
        edited = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc}", {}
    if not isinstance(edited, dict):
        return f"the edit must be a JSON object of state keys, not {type(edited).__name__}", {}
    keys = list(values) if isinstance(values, dict) else []
    unknown = [k for k in edited if k not in keys]
    if unknown:
        return (f"{', '.join(f'`{k}`' for k in unknown)} is not a key of the state; its keys are "
                f"{', '.join(keys) or '(none)'}"), {}
    changed = {}
    for key, value in edited.items():
        if key in base and base[key] == value:
            continue
        try:
            changed[key] = _from_json(key, value, values[key])
        except ValueError as exc:
            return str(exc), {}
    return "", changed
