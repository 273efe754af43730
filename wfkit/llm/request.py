"""`ModelRequest`: everything one model call needs, in one typed object that every model implements against."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from wfkit.messages import BaseMessage

if TYPE_CHECKING:
    from pydantic import BaseModel

    from wfkit.llm.tools import Tool


@dataclass
class ModelRequest:
    """One call to a chat model.

    `schema` is the pydantic class asked for by `with_structured_output` (else `None`); `tools` are the
    tools bound with `bind_tools`; `options` are per-call settings (`tool_choice`, `max_tokens`, ...).
    """

    messages: list[BaseMessage]
    schema: type[BaseModel] | None = None
    tools: list[Tool] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    def with_messages(self, messages: list[BaseMessage]) -> ModelRequest:
        """The same request with another conversation (used to retry after a validation error)."""
        return replace(self, messages=list(messages))
