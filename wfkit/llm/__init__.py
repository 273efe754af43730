"""Chat models and tools: the `BaseChatModel` API, `@tool`, the offline models, Claude and record/replay.

Nothing here imports the `anthropic` SDK until a `Claude` is built.
"""

from wfkit.llm.base import BaseChatModel
from wfkit.llm.cassette import Cassette
from wfkit.llm.claude import Claude
from wfkit.llm.default import default_model
from wfkit.llm.offline import offline_model
from wfkit.llm.request import ModelRequest
from wfkit.llm.scripted import ScriptedModel
from wfkit.llm.structured import StructuredOutput
from wfkit.llm.tools import InjectedToolArg, InjectedToolCallId, Tool, tool

__all__ = ["BaseChatModel", "Cassette", "Claude", "InjectedToolArg", "InjectedToolCallId", "ModelRequest", "ScriptedModel", "StructuredOutput", "Tool",
           "default_model", "offline_model", "tool"]
