"""LangGraph's prebuilt agent pieces over wfkit's own tools and models: `ToolNode`, `tools_condition`,
`create_react_agent`, and the `InjectedState` / `InjectedStore` tool-argument markers."""

from wfkit.prebuilt.chat_agent_executor import AgentState, create_react_agent
from wfkit.prebuilt.tool_node import InjectedState, InjectedStore, ToolNode, tools_condition

__all__ = ["AgentState", "InjectedState", "InjectedStore", "ToolNode", "create_react_agent", "tools_condition"]
