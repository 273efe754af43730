"""`import wfkit` and building a graph load only the builder and its schema code: the engine (the loop, its
events, asyncio, the checkpoint layer) comes with the first `compile()`, and the optional features' modules
(retries, caching, error handlers) only with a graph that uses them."""

from __future__ import annotations

import subprocess
import sys

ENGINE = ("asyncio", "concurrent.futures", "hashlib", "random", "wfkit.checkpoint", "wfkit.engine.caching",
          "wfkit.engine.events", "wfkit.engine.handler", "wfkit.engine.loop", "wfkit.engine.retry", "wfkit.runtime")
BUILD = (
    "import sys, wfkit\n"
    "from typing_extensions import TypedDict\n"
    "class S(TypedDict):\n"
    "    x: int\n"
    "g = wfkit.StateGraph(S)\n"
    "g.add_node('a', lambda s: {'x': s['x'] + 1}); g.add_node('b', lambda s: {'x': 0})\n"
    "g.add_edge(wfkit.START, 'a'); g.add_conditional_edges('a', lambda s: 'b', ['b', wfkit.END])\n"
    f"loaded = lambda: sorted(m for m in {ENGINE!r} if m in sys.modules)\n"
)


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_import_wfkit_and_building_a_graph_load_no_engine_module():
    assert _run(BUILD + "print(loaded())") == "[]"


def test_compile_loads_the_engine_and_options_load_their_modules_only_when_used():
    out = _run(BUILD + "app = g.compile(); print(loaded()); print(app.invoke({'x': 1}))\n"
                       "from wfkit import RetryPolicy\n"
                       "g.add_node('c', lambda s: {}, retry_policy=RetryPolicy(), error_handler=lambda s: {})\n"
                       "print(sorted(m for m in ('wfkit.engine.handler', 'wfkit.engine.retry') if m in sys.modules))")
    assert out.splitlines() == [
        "['asyncio', 'concurrent.futures', 'hashlib', 'wfkit.checkpoint', 'wfkit.engine.caching', "
        "'wfkit.engine.events', 'wfkit.engine.handler', 'wfkit.engine.loop', 'wfkit.engine.retry', 'wfkit.runtime']",
        "{'x': 0}",
        "['wfkit.engine.handler', 'wfkit.engine.retry']",
    ]
