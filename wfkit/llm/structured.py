"""`with_structured_output`: ask a model for an instance of a pydantic class, and validate what it says.

Every model answers a structured request (`request.schema` set) with a tool call named after the schema
(Claude through forced tool use; the scripted model by construction); a model that answers in text is
given the benefit of the doubt and its text is parsed as JSON. A reply that does not validate is shown
to the model with pydantic's complaint `structured_retries` times, then raises `StructuredOutputError`
holding the raw reply.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pydantic

from wfkit._sync import run_sync
from wfkit.errors import StructuredOutputError
from wfkit.llm.running import current_task
from wfkit.messages import AIMessage, HumanMessage, ToolMessage

if TYPE_CHECKING:
    from wfkit.llm.base import BaseChatModel


def _complaint(exc: pydantic.ValidationError) -> str:
    return "; ".join(f"`{'.'.join(map(str, e['loc'])) or '(root)'}`: {e['msg']}" for e in exc.errors(include_url=False))


def parse_reply(reply: AIMessage, schema: type[pydantic.BaseModel], model_name: str) -> pydantic.BaseModel:
    """The reply as a `schema` instance, or `StructuredOutputError` with the reply and pydantic's complaint."""
    calls = [c for c in reply.tool_calls if c["name"] == schema.__name__] or reply.tool_calls[:1]
    try:
        if calls:
            shown: Any = calls[0]["args"]
            return schema.model_validate(shown)
        shown = reply.text
        return schema.model_validate_json(shown)
    except pydantic.ValidationError as exc:
        error = StructuredOutputError(
            f"{model_name} replied {shown!r}, which does not fit `{schema.__name__}`: {_complaint(exc)}. "
            f"Fix the reply, or loosen the schema")
        error.raw, error.complaint = reply, _complaint(exc)
        raise error from exc


def _feedback(reply: AIMessage, error: StructuredOutputError, schema: type) -> list[Any]:
    """The messages that show the model its mistake, so the retry can correct it."""
    note = f"{error.complaint}. Reply again with arguments that fit `{schema.__name__}`."
    if reply.tool_calls:
        call = reply.tool_calls[0]
        return [reply, ToolMessage(f"Error: {note}", tool_call_id=call["id"] or "", status="error")]
    return [reply, HumanMessage(f"That reply was not valid `{schema.__name__}` JSON: {note}")]


class StructuredOutput:
    """What `model.with_structured_output(Schema)` returns: `invoke` gives a validated `Schema` instance."""

    def __init__(self, model: BaseChatModel, schema: type[pydantic.BaseModel], *, include_raw: bool = False) -> None:
        if not (isinstance(schema, type) and issubclass(schema, pydantic.BaseModel)):
            raise TypeError(f"with_structured_output needs a pydantic BaseModel class, got {schema!r}")
        self.model, self.schema, self.include_raw = model, schema, include_raw

    def __repr__(self) -> str:
        return f"StructuredOutput({self.model!r}, schema={self.schema.__name__})"

    async def _arun(self, input: Any, options: dict[str, Any], task: Any) -> Any:
        request = self.model._request(input, options, schema=self.schema)
        name = type(self.model).__name__
        for attempt in range(self.model.structured_retries + 1):
            reply = await self.model._arun(request, task)
            try:
                parsed = parse_reply(reply, self.schema, f"`{name}`")
            except StructuredOutputError as error:
                if attempt < self.model.structured_retries:
                    request = request.with_messages(request.messages + _feedback(reply, error, self.schema))
                    continue
                if self.include_raw:
                    return {"raw": reply, "parsed": None, "parsing_error": error}
                raise
            return {"raw": reply, "parsed": parsed, "parsing_error": None} if self.include_raw else parsed
        raise AssertionError("unreachable")

    def invoke(self, input: Any, config: dict | None = None, **options: Any) -> Any:
        return run_sync(self._arun(input, options, current_task()))

    async def ainvoke(self, input: Any, config: dict | None = None, **options: Any) -> Any:
        return await self._arun(input, options, current_task())

    def batch(self, inputs: list[Any], config: dict | None = None, **options: Any) -> list[Any]:
        return run_sync(self.abatch(inputs, config, **options))

    async def abatch(self, inputs: list[Any], config: dict | None = None, **options: Any) -> list[Any]:
        return list(await asyncio.gather(*(self.ainvoke(i, config, **options) for i in inputs)))


__all__ = ["StructuredOutput", "parse_reply"]
