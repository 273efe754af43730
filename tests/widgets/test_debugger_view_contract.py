"""The Debugger's view mixin reads of its host only what its annotations declare, and the host has it all."""

import ast
import inspect

from wfkit import END, START, StateGraph
from wfkit.widgets import _debugger_view
from wfkit.widgets._debugger_view import DebuggerView
from wfkit.widgets.debugger import Debugger


def _undeclared_reads(source: str) -> set[str]:
    cls = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == "DebuggerView")
    defined = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    declared = {n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)}
    stored, read = set(), set()
    for node in ast.walk(cls):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            (stored if isinstance(node.ctx, ast.Store) else read).add(node.attr)
    return read - stored - defined - declared


def test_the_mixin_reads_nothing_of_its_host_but_what_it_declares():
    assert _undeclared_reads(inspect.getsource(_debugger_view)) == set()


def test_the_check_catches_a_read_nobody_declared():
    planted = inspect.getsource(_debugger_view).replace("self.timeline.entries[self.selected]",
                                                        "self.timeline.entries[self._secret_index]", 1)
    assert _undeclared_reads(planted) == {"_secret_index"}


def test_a_debugger_provides_everything_the_mixin_declares():
    g = StateGraph(dict)
    g.add_node("a", lambda s: {})
    g.add_edge(START, "a")
    g.add_edge("a", END)
    debugger = Debugger(g.compile(), {})
    declared = DebuggerView.__annotations__
    assert {"run", "timeline", "watcher", "graph_view", "_lock", "step", "edit"} <= set(declared)
    assert [name for name in declared if not hasattr(debugger, name)] == []
