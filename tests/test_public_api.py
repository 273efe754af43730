"""The public names of api.md are importable from where api.md says, and `__all__` is curated."""

import subprocess
import sys

import wfkit


def test_top_level_all_is_exactly_the_contract():
    assert sorted(wfkit.__all__) == sorted([
        "StateGraph", "CompiledStateGraph", "START", "END", "Send", "Command", "Interrupt", "interrupt",
        "MessagesState", "add_messages", "task", "entrypoint", "get_stream_writer", "get_config",
        "InMemorySaver", "SqliteSaver", "GraphRecursionError", "InvalidUpdateError", "RetryPolicy",
        "StateSnapshot",
    ])
    for name in wfkit.__all__:
        assert getattr(wfkit, name) is not None


def test_constants_match_langgraph_names():
    assert (wfkit.START, wfkit.END) == ("__start__", "__end__")


def test_submodules_of_the_contract():
    from wfkit.llm import ScriptedModel, default_model, tool  # noqa: F401
    from wfkit.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolCall, ToolMessage  # noqa: F401


def test_import_wfkit_is_light():
    code = "import sys, wfkit; print(sorted(m for m in ('pydantic', 'anthropic', 'ipywidgets', 'sqlite3', 'graphviz') if m in sys.modules))"
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
