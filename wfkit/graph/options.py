"""LangGraph options that wfkit accepts by name but does not implement: refused, with what to do instead.

LangGraph's builders and runners take many keyword arguments. Ignoring the ones wfkit lacks would let a
program run with a feature quietly missing (a `context` nobody reads, `output_keys` never applied),
so each is checked here: left at its default it is fine, given a value it raises
`UnsupportedFeatureError` naming the option and the way around it. A keyword LangGraph does not have
either is a plain `TypeError`, as Python would raise.
"""

from __future__ import annotations

from typing import Any

from wfkit.errors import UnsupportedFeatureError

WHY = {
    "output_keys": "`output_keys` is not supported yet: pick the keys from the returned state",
}
# Run options LangGraph has that wfkit accepts (`durability` and `checkpoint_during`: see engine.durability;
# `debug` and `print_mode` print to the console in LangGraph, and change nothing wfkit can observe).
# `context` and `control` go to the run's Runtime (see wfkit.runtime).
RUN_OPTIONS = frozenset({"durability", "checkpoint_during", "debug", "print_mode", "context", "control"})


def check_options(where: str, given: dict[str, Any], known: frozenset[str] = frozenset()) -> None:
    """Refuse the options in `given` that are set (not None/False) and that wfkit does not implement;
    `known` are further LangGraph keywords that need no action. `where` names the call, e.g. `compile()`."""
    for name, value in given.items():
        if name in WHY:
            if value is not None and value is not False:
                raise UnsupportedFeatureError(f"{where}: `{name}=` is not supported by wfkit; {WHY[name]}")
        elif name not in known:
            raise TypeError(f"{where} got an unexpected keyword argument `{name}`")


__all__ = ["RUN_OPTIONS", "WHY", "check_options"]
