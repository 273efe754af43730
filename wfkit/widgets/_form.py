"""A form generated from a pydantic model: one input per field, pydantic's validation errors under each.

Fields map to inputs by their type: `bool` → checkbox, `Literal[...]`/`Enum` → dropdown, `int`/`float` →
one-line text, `str` → text area, anything else (lists, dicts, nested models) → JSON text area. Numbers are
typed as text on purpose: pydantic does the parsing, so a wrong entry gets pydantic's own message inline
instead of a widget silently refusing the keystroke.
"""

from __future__ import annotations

import enum
import html
import json
import re
import types
import typing
from typing import Any

import ipywidgets
from pydantic import ValidationError

from wfkit.widgets._format import esc
from wfkit.widgets._html_widget import SafeHTML

_OMIT = object()  # an empty input of a field with a default: leave the key out so the default applies
_ERROR_STYLE = "color:#c62828;font-size:12px"


def field_kind(annotation: Any) -> tuple[str, tuple, bool]:
    """(kind, choices, optional) for a field's annotation; kind is bool / choice / number / text / json."""
    optional = False
    origin = typing.get_origin(annotation)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        if len(args) != 1:
            return "json", (), optional
        annotation, origin = args[0], typing.get_origin(args[0])
    if origin is typing.Annotated:
        return field_kind(typing.get_args(annotation)[0])
    if annotation is bool:
        return "bool", (), optional
    if origin is typing.Literal:
        return "choice", typing.get_args(annotation), optional
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "choice", tuple(annotation), optional
    if annotation in (int, float):
        return "number", (), optional
    if annotation is str:
        return "text", (), optional
    return "json", (), optional


class ModelForm(ipywidgets.VBox):
    """Inputs for the fields of pydantic `model`, prefilled from `initial` (e.g. the interrupt's payload)
    where its keys match, else from the fields' defaults. `validate()` returns an instance or None."""

    def __init__(self, model: type, initial: dict | None = None, **kwargs):
        if not (isinstance(model, type) and hasattr(model, "model_fields")):
            raise TypeError(f"ModelForm needs a pydantic model class, got {model!r}")
        self.model = model
        self.inputs: dict[str, ipywidgets.Widget] = {}
        self.errors: dict[str, SafeHTML] = {}
        self._kinds: dict[str, tuple] = {}
        initial = initial if isinstance(initial, dict) else {}
        rows = []
        for name, info in model.model_fields.items():
            kind = field_kind(info.annotation)
            self._kinds[name] = kind
            value = initial.get(name, initial.get(info.alias, None) if info.alias else None)
            if value is None and name not in initial and not info.is_required():
                value = info.get_default(call_default_factory=True)
            widget = self._input(name, kind, value, info.description)
            widget.add_class(f"wf-field-{name}")
            error = SafeHTML("")
            error.add_class("wf-field-error")
            self.inputs[name], self.errors[name] = widget, error
            rows.append(ipywidgets.VBox([widget, error]))
        self.general_error = SafeHTML("")
        self.general_error.add_class("wf-form-error")
        super().__init__(children=[*rows, self.general_error], **kwargs)
        self.add_class("wf-model-form")

    @staticmethod
    def _input(name: str, kind: tuple, value: Any, description: str | None) -> ipywidgets.Widget:
        what, choices, optional = kind
        common = {"description": name, "style": {"description_width": "initial"},
                  "layout": ipywidgets.Layout(width="98%")}
        if description:
            common["tooltip"] = description
        if what == "bool":
            return ipywidgets.Checkbox(value=bool(value), indent=False, **common)
        if what == "choice":
            options = [(str(c.value if isinstance(c, enum.Enum) else c), c) for c in choices]
            if optional:
                options.insert(0, ("(none)", None))
            chosen = value if value in [o[1] for o in options] else options[0][1]
            return ipywidgets.Dropdown(options=options, value=chosen, **common)
        placeholder = description or ""
        if what == "number":
            return ipywidgets.Text(value="" if value is None else str(value), placeholder=placeholder, **common)
        if what == "text":
            return ipywidgets.Textarea(value="" if value is None else str(value), placeholder=placeholder,
                                       rows=2, **common)
        text = "" if value is None else json.dumps(_plain(value), ensure_ascii=False, indent=1, default=str)
        return ipywidgets.Textarea(value=text, placeholder=placeholder or "JSON", rows=3, **common)

    def raw(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The inputs as data for pydantic, and the fields whose text is not even valid JSON."""
        data, broken = {}, {}
        for name, widget in self.inputs.items():
            info = self.model.model_fields[name]
            value = self._read(name, widget, info)
            if isinstance(value, _Broken):
                broken[name] = value.message
            elif value is not _OMIT:
                data[info.alias or name] = value
        return data, broken

    def _read(self, name: str, widget: ipywidgets.Widget, info) -> Any:
        what, _, optional = self._kinds[name]
        if what in ("bool", "choice"):
            return widget.value
        text = widget.value
        if text.strip() == "" and what != "text":
            return None if optional else (_OMIT if not info.is_required() else text)
        if what in ("number", "text"):
            return text
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            return _Broken(f"not valid JSON: {exc}")

    def validate(self) -> Any:
        """The model instance, or None after showing each problem under its field."""
        for error in self.errors.values():
            error.value = ""
        self.general_error.value = ""
        data, broken = self.raw()
        problems: dict[str, list[str]] = {name: [message] for name, message in broken.items()}
        instance = None
        try:
            instance = self.model.model_validate(data)
        except ValidationError as exc:
            by_alias = {(info.alias or name): name for name, info in self.model.model_fields.items()}
            for item in exc.errors():
                loc = item.get("loc", ())
                field = by_alias.get(loc[0]) if loc else None
                where = ".".join(str(p) for p in loc[1:])
                message = f"{where}: {item['msg']}" if where else item["msg"]
                problems.setdefault(field or "", [])
                if field not in broken:  # the JSON message already says why the value is missing
                    problems[field or ""].append(message)
        for field, messages in problems.items():
            if not messages:
                continue
            target = self.errors.get(field, self.general_error)
            target.value = f'<div style="{_ERROR_STYLE}">{esc("; ".join(messages))}</div>'
        return instance if not any(problems.values()) else None

    def error_texts(self) -> dict[str, str]:
        """The messages now shown, by field ("" for errors about the whole model), as plain text."""
        shown = {name: widget.value for name, widget in self.errors.items() if widget.value}
        if self.general_error.value:
            shown[""] = self.general_error.value
        return {name: html.unescape(re.sub(r"<[^>]+>", "", value)) for name, value in shown.items()}


class _Broken:
    def __init__(self, message: str):
        self.message = message


def _plain(value: Any) -> Any:
    # Prefill JSON inputs from payload values that may be models themselves.
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value
