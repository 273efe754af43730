"""The written rule that sets aside LangGraph tests reaching past LangGraph's public API.

wfkit promises LangGraph's public API, not its internals. A test of LangGraph's own suite counts for wfkit
only if it can be run with nothing but that API, so the rule reads each test file's source (nothing is
imported or run) and sets a test aside when it, a helper or class of its file it uses, or one of its
decorators:

1. uses a name imported from a module that is not public (`PUBLIC_MODULES`): `langgraph.pregel`,
   `langgraph.channels`, `langgraph._internal`, `langgraph.checkpoint.base` (but for its saver class,
   which tests only name in annotations), LangChain's runnables and callbacks, mocks, ...;
2. uses a name beginning with `_` imported from any LangGraph module (`_messages_delta_reducer`);
3. asks for a fixture that inspects the implementation rather than the behaviour: `snapshot` (syrupy's
   stored reprs of LangGraph's internal objects), `mocker`, `deterministic_uuids` (patches `uuid.uuid4`
   deep inside LangGraph).

Annotations of function parameters and return values do not count as use (`sync_checkpointer:
BaseCheckpointSaver` names a type, it calls nothing); annotations of class fields do (a field declared
`Annotated[list, DeltaChannel(...)]` uses a LangGraph channel).
"""

from __future__ import annotations

import ast
import dataclasses

# Modules whose public names (no leading underscore) are LangGraph's public API, as its docs teach it.
PUBLIC_MODULES = (
    "langgraph.graph", "langgraph.graph.state", "langgraph.graph.message", "langgraph.types",
    "langgraph.constants", "langgraph.errors", "langgraph.func", "langgraph.config", "langgraph.runtime",
    "langgraph.checkpoint.memory", "langgraph.checkpoint.sqlite", "langgraph.checkpoint.sqlite.aio",
    "langgraph.store.base", "langgraph.store.memory", "langgraph.cache.base", "langgraph.cache.memory",
    "langgraph.cache.sqlite", "langgraph.prebuilt", "langchain_core.messages", "langchain_core.tools",
)
# Public names of otherwise internal modules: types that tests name in annotations and configs.
PUBLIC_NAMES = {
    "langgraph.checkpoint.base": {"BaseCheckpointSaver"},
    "langchain_core.runnables": {"RunnableConfig"},
    "langchain_core.messages.base": {"BaseMessage"},
}
# Names of public modules that are the engine's own machinery, which LangGraph's docs never teach (the task a
# runner executes, the dict behind the in-memory saver): tests that use them are set aside as internals' are.
INTERNAL_NAMES = {
    "langgraph.types": {"PregelExecutableTask"},
    "langgraph.checkpoint.memory": {"PersistentDict"},  # the in-memory saver's pickled-to-disk dict
    "langgraph.constants": {"TASKS"},  # the name of the channel that carries Sends
}
# LangGraph's own test helpers (tests/any_str.py, ...): plain Python, usable by any backend.
HELPER_PACKAGE = "tests"
INTERNAL_FIXTURES = ("snapshot", "mocker", "deterministic_uuids")


@dataclasses.dataclass(frozen=True)
class Verdict:
    test: str
    reason: str | None  # None: the test counts; otherwise why it is set aside


def is_public(module: str, name: str) -> bool:
    if module == HELPER_PACKAGE or module.startswith(HELPER_PACKAGE + "."):
        return True
    if not (module.startswith("langgraph") or module.startswith("langchain")):
        return True  # the standard library, pydantic, typing_extensions, pytest ...
    if name.startswith("_") or name in INTERNAL_NAMES.get(module, ()):
        return False
    return module in PUBLIC_MODULES or name in PUBLIC_NAMES.get(module, ())


def _internal_imports(tree: ast.Module) -> dict[str, str]:
    """Names bound at module level by imports of internals -> where they come from."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if not is_public(node.module, alias.name):
                    found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name
                if (top.startswith("langgraph") or top.startswith("langchain")) and alias.asname:
                    found[alias.asname] = top
                elif top.startswith("langgraph") or top.startswith("langchain"):
                    found[top.split(".")[0]] = top
    return found


class _Uses(ast.NodeVisitor):
    """Every name a piece of code loads, except in the annotations of function parameters and returns."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:
        self.names.add(node.id)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for dec in node.decorator_list:
            self.visit(dec)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        for stmt in node.body:
            self.visit(stmt)

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.body)


def _uses(node: ast.AST) -> set[str]:
    seen = _Uses()
    seen.visit(node)
    return seen.names


def verdicts(source: str) -> list[Verdict]:
    """One verdict per test function of a LangGraph test file (module level and inside classes)."""
    tree = ast.parse(source)
    internal = _internal_imports(tree)
    helpers: dict[str, ast.AST] = {}
    tests: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.startswith("test"):
                tests.append((node.name, node))
            else:
                helpers[node.name] = node
        elif isinstance(node, ast.ClassDef):
            helpers[node.name] = node
            if node.name.startswith("Test"):  # pytest's test classes: each method a test
                tests += [(f"{node.name}::{m.name}", m) for m in node.body
                          if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name.startswith("test")]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    helpers[target.id] = node
    return [Verdict(name, _reason(test, helpers, internal)) for name, test in tests]


def _reason(test: ast.FunctionDef | ast.AsyncFunctionDef, helpers: dict[str, ast.AST],
            internal: dict[str, str]) -> str | None:
    asked = [a.arg for a in [*test.args.posonlyargs, *test.args.args, *test.args.kwonlyargs]]
    for fixture in INTERNAL_FIXTURES:
        if fixture in asked:
            return f"asks for the `{fixture}` fixture"
    todo, done = [test], set()
    # Fixtures defined in the file are code the test runs too.
    todo += [helpers[a] for a in asked if a in helpers]
    while todo:
        node = todo.pop()
        if id(node) in done:
            continue
        done.add(id(node))
        for name in sorted(_uses(node)):
            if name in internal:
                return f"uses `{internal[name]}`"
            if name in helpers:
                todo.append(helpers[name])
    return None
