"""Editing a state as JSON text: which keys can be shown as JSON, and what an edited text changes.

Only the keys the reviewer actually changed are sent to `Run.edit`, because an edit goes through the
reducers: sending an unchanged list under an `operator.add` reducer would append it to itself. Pure
functions, tested without widgets.
"""

from __future__ import annotations

import json
from typing import Any


def editable(values: Any) -> tuple[dict, list[str]]:
    """The keys of `values` that survive a JSON round trip unchanged, and the names of the others."""
    if not isinstance(values, dict):
        return {}, []
    plain, skipped = {}, []
    for key, value in values.items():
        try:
            if json.loads(json.dumps(value)) == value:
                plain[key] = value
                continue
        except (TypeError, ValueError):
            pass
        skipped.append(key)
    return plain, skipped


def changed_keys(text: str, base: dict, values: Any) -> tuple[str, dict]:
    """(what is wrong with `text`, {key: new value} for the keys it changes from `base`). `values` is the
    state being edited, for the names of its keys."""
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
    return "", {k: v for k, v in edited.items() if k not in base or base[k] != v}
