"""Chat models and tools: the `BaseChatModel` API, `@tool`, the offline `ScriptedModel`, and Claude."""

from wfkit.llm.base import BaseChatModel
from wfkit.llm.request import ModelRequest
from wfkit.llm.scripted import ScriptedModel
from wfkit.llm.structured import StructuredOutput
from wfkit.llm.tools import Tool, tool

__all__ = ["BaseChatModel", "ModelRequest", "ScriptedModel", "StructuredOutput", "Tool", "tool"]
