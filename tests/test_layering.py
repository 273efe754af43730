"""The seams between wfkit's layers, read from the source (issue 15): no import circle, the widgets reach
the engine only through its events, and no module outside the engine touches an engine object's private
attributes (nor do the stepping API, the functional API, the graph API and the widgets touch any other
object's)."""

from __future__ import annotations

import ast
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "wfkit"
# Python protocols and namedtuple API whose names start with an underscore
PROTOCOL = {"_repr_mimebundle_", "_replace", "_fields", "_asdict", "_make"}
# modules that must use only other objects' public attributes
LAYERS = ("stepping.py", "func.py", "graph/", "widgets/")
# what the widgets may import from wfkit besides themselves (wfkit.seam: the runs of either engine)
WIDGET_IMPORTS = ("wfkit.widgets", "wfkit.seam", "wfkit.engine.events", "wfkit.stepping", "wfkit.constants", "wfkit.drawing",
                  "wfkit.types", "wfkit.messages", "wfkit._sync", "wfkit._secrets")


def modules() -> dict[str, pathlib.Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the nodes under `if TYPE_CHECKING:` (imports for annotations only, never run)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skip


def imports(path: pathlib.Path) -> list[tuple[str, str | None, int]]:
    """(module, name or None, line) of every import of `path` that runs, at module level or in a function."""
    tree = ast.parse(path.read_text())
    skip = _type_checking_only(tree)
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out += [(node.module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            out += [(alias.name, None, node.lineno) for alias in node.names]
    return out


def import_graph() -> dict[str, set[str]]:
    known = modules()

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in known.items():
        deps = {resolve(f"{module}.{alias}" if alias else module)
                for module, alias, _ in imports(path) if module.startswith("wfkit")}
        graph[name] = deps - {None, name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_circle_finder_finds_circles():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_wfkit():
    graph = import_graph()
    assert "wfkit.engine.loop" in graph["wfkit.graph.compiled"]  # the graph is read: lazy imports count too
    assert circles(graph) == []


def test_the_widgets_import_from_the_engine_only_its_events():
    found = [f"{path.name}:{line}: {module}" for path in (ROOT / "widgets").glob("*.py")
             for module, _, line in imports(path)
             if module.startswith("wfkit") and not module.startswith(WIDGET_IMPORTS)]
    assert found == []


def engine_private_names() -> set[str]:
    """The private names the engine defines: its modules' and classes' `_x`, and the `self._x` it sets."""
    names = set()
    for path in (ROOT / "engine").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def _own(value: ast.AST) -> bool:
    """`self._x`, `cls._x` and `super()._x` are an object's own attributes."""
    return (isinstance(value, ast.Name) and value.id in ("self", "cls")) or (
        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "super")


def private_reaches() -> list[str]:
    engine = engine_private_names()
    assert {"_skip_before", "_stored", "_commit"} <= engine  # (the scan reads the engine)
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        if where.startswith("engine/"):
            continue
        layer = where.startswith(LAYERS)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wfkit.engine"):
                found += [f"{where}:{node.lineno}: imports {node.module}.{a.name}"
                          for a in node.names if a.name in engine]
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_") or node.attr.startswith("__"):
                continue
            if _own(node.value) or node.attr in PROTOCOL:
                continue
            if node.attr in engine or layer:
                found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_private_reaches_into_the_engine_or_from_the_upper_layers():
    assert private_reaches() == []


@pytest.mark.parametrize("code, reach", [
    ("run._loop._skip_before = True", ["run._loop._skip_before", "run._loop"]),
    ("app._history(options)", ["app._history"]),
    ("self._loop.plan", []),
])
def test_the_reach_scan_catches_what_issue_15_found(tmp_path, monkeypatch, code, reach):
    fake = tmp_path / "wfkit"
    (fake / "engine").mkdir(parents=True)
    for path in (ROOT / "engine").glob("*.py"):
        (fake / "engine" / path.name).write_text(path.read_text())
    (fake / "stepping.py").write_text(f"def f(run, app, options):\n    {code}\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake)
    assert [line.split(": ", 1)[1] for line in private_reaches()] == reach
