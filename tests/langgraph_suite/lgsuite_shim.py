"""Points `langgraph.*` (and the few `langchain_core` names LangGraph's tests use) at wfkit, for one process.

This is the "only the imports changed" promise made literal: LangGraph's test files run unchanged while
every public LangGraph module they import is a module whose names come from wfkit. A name wfkit lacks is
missing, as it would be for a user (the file's import fails, and its tests count as failures). Modules
outside LangGraph's public API get an inert stand-in so that a file importing one still loads; the tests
that use such names are set aside by `lgsuite_rule` before anything runs.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types

import lgsuite_rule

# LangGraph module -> the wfkit modules its names are looked up in, in order (absent ones are skipped).
SOURCES: dict[str, tuple[str, ...]] = {
    "langgraph.graph": ("wfkit", "wfkit.graph.compiled", "wfkit.messages"),
    "langgraph.graph.state": ("wfkit", "wfkit.graph.compiled"),
    "langgraph.graph.message": ("wfkit.messages", "wfkit"),
    "langgraph.types": ("wfkit.types", "wfkit"),
    "langgraph.constants": ("wfkit.constants",),
    "langgraph.errors": ("wfkit.errors", "wfkit"),
    "langgraph.func": ("wfkit.func", "wfkit"),
    "langgraph.config": ("wfkit.engine.context", "wfkit"),
    "langgraph.runtime": ("wfkit.runtime",),
    "langgraph.checkpoint.memory": ("wfkit.checkpoint",),
    "langgraph.checkpoint.sqlite": ("wfkit.checkpoint",),
    "langgraph.checkpoint.sqlite.aio": ("wfkit.checkpoint",),
    "langgraph.checkpoint.base": ("wfkit.checkpoint.base",),
    "langgraph.store.base": ("wfkit.store",),
    "langgraph.store.memory": ("wfkit.store",),
    "langgraph.cache.base": ("wfkit.cache",),
    "langgraph.cache.memory": ("wfkit.cache",),
    "langgraph.cache.sqlite": ("wfkit.cache",),
    "langgraph.prebuilt": ("wfkit.prebuilt",),
    "langgraph.prebuilt.tool_node": ("wfkit.prebuilt.tool_node", "wfkit.prebuilt"),
    "langgraph.prebuilt.chat_agent_executor": ("wfkit.prebuilt.chat_agent_executor", "wfkit.prebuilt"),
    "langchain_core.messages": ("wfkit.messages",),
    "langchain_core.messages.base": ("wfkit.messages",),
    "langchain_core.tools": ("wfkit.llm",),
}
# LangGraph's names for what wfkit calls otherwise.
ALIASES = {"MemorySaver": "InMemorySaver", "AsyncSqliteSaver": "SqliteSaver"}
EXTRA = {"langchain_core.runnables": {"RunnableConfig": dict},
         # LangGraph's message tests read it to choose expectations; the release LangGraph is tested with
         "langchain_core": {"__version__": "1.8.3"}}
ROOTS = ("langgraph", "langchain_core")
# Test tools that LangGraph's files import for fixtures the rule sets aside (`mocker`, `snapshot`): when
# they are not installed, an inert stand-in lets the files load, on either backend.
INERT_ROOTS = ("pytest_mock", "syrupy")
# For development only, never for the recorded counts: with LGSUITE_LENIENT=1 a public name wfkit lacks is
# an inert stand-in too, so that a file whose imports are not all built yet still loads and the tests of
# what is built can be measured (tests that use a missing name fail).
LENIENT = os.environ.get("LGSUITE_LENIENT") == "1"


class _Inert:
    """Stands for a name of LangGraph's internals: it can be named, called and subscripted at import time."""

    def __init__(self, name: str, *class_parts):
        # `class Fake(Internal): ...` calls the base's type with (name, bases, namespace): the class is inert too
        self._name = name

    def __call__(self, *args, **kwargs):
        return _Inert(f"{self._name}(...)")

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Inert(f"{self._name}.{attr}")

    def __getitem__(self, item):
        return _Inert(f"{self._name}[...]")

    def __int__(self) -> int:  # `int(DEFAULT_SOMETHING)` at a file's top level
        return 0

    def __or__(self, other):  # `Missing | None` in an annotation
        return self

    __ror__ = __or__

    def __repr__(self) -> str:
        return f"<internal {self._name}: not in wfkit>"


class _Module(types.ModuleType):
    def __init__(self, name: str):
        super().__init__(name)
        self.__path__ = []  # every stand-in is a package, so that its submodules import
        self._sources = SOURCES.get(name)
        self._extra = EXTRA.get(name, {})

    def __getattr__(self, attr: str):
        if attr in self._extra:
            return self._extra[attr]
        if attr.startswith("__"):
            raise AttributeError(attr)
        for source in self._sources or ():
            try:
                module = importlib.import_module(source)
            except ImportError:
                continue
            for name in (attr, ALIASES.get(attr)):
                if name is not None and hasattr(module, name):
                    return getattr(module, name)
        if (LENIENT or self.__name__.split(".")[0] in INERT_ROOTS
                or not lgsuite_rule.is_public(self.__name__, attr)):
            return _Inert(f"{self.__name__}.{attr}")  # the rule sets aside every test that uses it
        raise AttributeError(f"wfkit has no `{self.__name__}.{attr}`"
                             + (f" (looked in {', '.join(self._sources)})" if self._sources else ""))


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, roots: tuple[str, ...]):
        self.roots = roots

    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] not in self.roots:
            return None
        parent, _, last = fullname.rpartition(".")
        if parent in SOURCES and fullname not in SOURCES and not last.startswith("_") and not LENIENT:
            # `from langgraph.types import Missing` tries a submodule `Missing` last: there is none.
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        return _Module(spec.name)

    def exec_module(self, module):
        pass


def install() -> None:
    """From now on in this process, LangGraph's public modules are wfkit's."""
    for name in [n for n in sys.modules if n.split(".")[0] in ROOTS]:
        del sys.modules[name]
    sys.meta_path.insert(0, _Finder(ROOTS))


def install_absent_test_tools() -> None:
    """Inert stand-ins for the test tools of INERT_ROOTS that are not installed."""
    absent = tuple(r for r in INERT_ROOTS if importlib.util.find_spec(r) is None)
    if absent:
        sys.meta_path.append(_Finder(absent))
