"""The public names of api.md are importable from where api.md says, and `__all__` is curated."""

import subprocess
import sys

import wfkit


def test_top_level_all_is_exactly_the_contract():
    assert sorted(wfkit.__all__) == sorted([
        "StateGraph", "CompiledStateGraph", "START", "END", "Send", "Command", "Interrupt", "interrupt",
        "MessagesState", "add_messages", "task", "entrypoint", "get_stream_writer", "get_config",
        "InMemorySaver", "SqliteSaver", "PostgresSaver", "GraphRecursionError", "InvalidUpdateError", "RetryPolicy",
        "StateSnapshot", "start",
    ])
    for name in wfkit.__all__:
        assert getattr(wfkit, name) is not None


def test_constants_match_langgraph_names():
    assert (wfkit.START, wfkit.END) == ("__start__", "__end__")


def test_submodules_of_the_contract():
    import wfkit.llm
    import wfkit.messages

    assert sorted(wfkit.messages.__all__) == [
        "AIMessage", "AIMessageChunk", "AnyMessage", "BaseMessage", "HumanMessage", "MessagesState",
        "REMOVE_ALL_MESSAGES", "RemoveMessage", "SystemMessage", "ToolCall", "ToolMessage", "add_messages",
        "convert_to_messages", "message_from_dict", "push_message"]
    assert sorted(wfkit.llm.__all__) == [
        "BaseChatModel", "Cassette", "Claude", "InjectedToolArg", "InjectedToolCallId", "ModelRequest", "ScriptedModel", "StructuredOutput", "Tool",
        "default_model", "offline_model", "tool"]
    from wfkit.llm import Claude, ScriptedModel, Tool, default_model, tool
    from wfkit.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolCall, ToolMessage

    assert all(issubclass(m, BaseMessage) for m in (AIMessage, HumanMessage, SystemMessage, ToolMessage))
    call = ToolCall(name="add", args={"a": 1}, id="c1")  # a TypedDict, as in LangChain; messages add the type
    assert AIMessage("", tool_calls=[call]).tool_calls == [{"name": "add", "args": {"a": 1}, "id": "c1",
                                                           "type": "tool_call"}]
    assert isinstance(tool(_documented), Tool) and tool(_documented).invoke({"a": 2}) == 2
    assert type(ScriptedModel(["hi"]).invoke("x")) is AIMessage and callable(default_model)
    assert Claude.__module__ == "wfkit.llm.claude"
    import wfkit.prebuilt  # LangGraph's `langgraph.prebuilt` names

    assert sorted(wfkit.prebuilt.__all__) == [
        "AgentState", "InjectedState", "InjectedStore", "ToolNode", "create_react_agent", "tools_condition"]


def _documented(a: int) -> int:
    """Returns `a`."""
    return a


def test_import_wfkit_is_light():
    code = "import sys, wfkit; print(sorted(m for m in ('pydantic', 'anthropic', 'ipywidgets', 'sqlite3', 'graphviz', 'psycopg') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_running_a_graph_imports_no_widget_or_drawing_code():
    code = (
        "import sys, operator\n"
        "from typing import Annotated\n"
        "from typing_extensions import TypedDict\n"
        "from wfkit import StateGraph, START, InMemorySaver\n"
        "class S(TypedDict):\n"
        "    log: Annotated[list, operator.add]\n"
        "g = StateGraph(S); g.add_node('a', lambda s: {'log': ['a']}); g.add_edge(START, 'a')\n"
        "app = g.compile(checkpointer=InMemorySaver())\n"
        "list(app.stream({'log': []}, {'configurable': {'thread_id': 't'}}, stream_mode=['updates', 'debug']))\n"
        "run = app.start({'log': []}); run.step()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('wfkit.widgets', 'wfkit.drawing', 'ipywidgets', 'graphviz'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
