"""The JSON Schemas of a compiled graph's input, output and context, as LangGraph's `get_input_jsonschema`,
`get_output_jsonschema` and `get_context_jsonschema` give them (what a server or a form builds its fields from).

pydantic writes every schema: a pydantic model's own; a TypedDict's through a `TypeAdapter` (its `total=`,
`Required` and `NotRequired` decide what is required); a dataclass state as a model with one field per key,
a field required unless the dataclass gives it a default or its type admits None; a state that is one value
(`Annotated[list, operator.add]`) and an entrypoint's input and output as a root model. A key's reducer is
metadata pydantic ignores. Titles follow LangGraph's naming: the graph's name and "Input" / "Output"
("LangGraphInput"; a lowercase name gets "_input").
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from typing import Any, get_args, get_origin, get_type_hints

from typing_extensions import Annotated, NotRequired, Required, is_typeddict

from wfkit.errors import ArgumentTypeError

_NO_DEFAULT = object()


def titled(graph_name: str, suffix: str) -> str:
    """"LangGraph" + "Input" -> "LangGraphInput"; "mygraph" + "Input" -> "mygraph_input"."""
    return graph_name + suffix if graph_name[:1].isupper() else f"{graph_name}_{suffix.lower()}"


def state_jsonschema(schema: Any, title: str) -> dict[str, Any]:
    """The JSON Schema of a graph's input or output `schema` (a wfkit `Schema`)."""
    from pydantic import TypeAdapter

    kind, declared = schema.kind, schema.schema
    if kind == "pydantic":
        return declared.model_json_schema()
    if kind == "typeddict":
        return TypeAdapter(declared).json_schema()
    if kind == "root":
        return value_jsonschema(declared, title, default=None)
    fields = {key: (channel.annotation if channel.annotation is not None else Any,
                    _field_default(declared, key, channel.annotation))
              for key, channel in schema.channels.items()}
    return _model(title, fields).model_json_schema()


def value_jsonschema(annotation: Any, title: str, default: Any = _NO_DEFAULT) -> dict[str, Any]:
    """The JSON Schema of one value of type `annotation` (Any: no constraint), titled `title`."""
    from pydantic import ConfigDict, RootModel

    if isinstance(annotation, type) and hasattr(annotation, "model_json_schema"):  # a pydantic model: its own
        return annotation.model_json_schema()
    namespace: dict[str, Any] = {"__annotations__": {"root": annotation},
                                 "model_config": ConfigDict(arbitrary_types_allowed=True)}
    if default is not _NO_DEFAULT:
        namespace["root"] = default
    model = types.new_class(title, (RootModel,), exec_body=lambda ns: ns.update(namespace))
    found = model.model_json_schema()
    found["title"] = title  # pydantic titles a root model by its root type's name when it has one
    return found


def context_jsonschema(context_schema: Any) -> dict[str, Any] | None:
    """The JSON Schema of a graph's `context_schema` (None when it has none)."""
    if context_schema is None:
        return None
    if isinstance(context_schema, type) and hasattr(context_schema, "model_json_schema"):
        return context_schema.model_json_schema()
    if is_typeddict(context_schema) or (dataclasses.is_dataclass(context_schema) and isinstance(context_schema, type)):
        from pydantic import TypeAdapter

        return TypeAdapter(context_schema).json_schema()
    raise ArgumentTypeError(f"get_context_jsonschema(): the graph's context_schema {context_schema!r} is not a "
                            "pydantic model, TypedDict or dataclass; declare it as e.g. `@dataclass class Context: ...`")


def entrypoint_hints(fn: Any, final: type) -> tuple[Any, Any]:
    """The input and output types an entrypoint function declares: its first parameter's hint and its return
    hint (`entrypoint.final[R, S]` returns R; a hint left out is Any)."""
    try:
        hints = get_type_hints(fn)
    except Exception:  # a hint that does not resolve (a name defined later): no constraint, as no hint
        hints = {}
    params = list(inspect.signature(fn).parameters)
    given = hints.get(params[0], Any) if params else Any
    returned = hints.get("return", Any)
    if returned is final:
        returned = Any
    elif get_origin(returned) is final:
        returned = get_args(returned)[0]
    return given, returned


def _model(title: str, fields: dict[str, tuple[Any, Any]]) -> Any:
    """A pydantic model with these fields; a key pydantic reserves (`copy`, `_private`) is kept under
    another attribute with the key as its alias, so the schema still names it."""
    from pydantic import ConfigDict, Field, create_model

    reserved = _reserved()
    definitions: dict[str, Any] = {}
    for key, (annotation, default) in fields.items():
        if key.startswith("_") or key in reserved:
            definitions[f"field_{key.lstrip('_')}_{len(definitions)}"] = (
                annotation, Field(default=default, alias=key, title=key.lstrip("_").replace("_", " ").title()))
        else:
            definitions[key] = (annotation, default)
    config = ConfigDict(arbitrary_types_allowed=True, protected_namespaces=())
    return create_model(title, __config__=config, **definitions)


def _reserved() -> set[str]:
    from pydantic import BaseModel

    return {name for name in dir(BaseModel) if not name.startswith("_")}


def _field_default(declared: Any, key: str, annotation: Any) -> Any:
    """A dataclass state key's default in the schema: the dataclass's own default, else None when the type
    admits None, else required (`...`)."""
    wrapped = _required_marker(annotation)
    if wrapped is not None:
        return ... if wrapped else None
    for f in dataclasses.fields(declared) if dataclasses.is_dataclass(declared) else ():
        if f.name == key:
            if f.default is not dataclasses.MISSING and f.default is not ...:
                return f.default
            if f.default_factory is not dataclasses.MISSING:
                return f.default_factory()
    return None if _admits_none(annotation) else ...


def _required_marker(annotation: Any) -> bool | None:
    """True for `Required[...]`, False for `NotRequired[...]` (also inside `Annotated`), else None."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    return True if origin is Required else False if origin is NotRequired else None


def _admits_none(annotation: Any) -> bool:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if annotation is None or annotation is type(None):
        return True
    return get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in get_args(annotation)
