"""Node error handlers (`add_node(..., error_handler=)`, `StateGraph.set_node_defaults(error_handler=)`).

When a node still fails after its retries, its handler runs in the same task, in the same superstep, on the
node's input: what the handler returns (an update, a `Command` that routes) is the task's result instead,
and the failed node's own edges are not followed. A parameter hinted `NodeError` gets the node's name and
its error; a `config` parameter (or a second positional one) the run's config. A handler that raises fails
the superstep with its own error, as LangGraph's does.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wfkit.engine.spec import is_async_callable
from wfkit.errors import GraphBuildError, NodeError

DEFAULT_HANDLER = "__default_error_handler__"  # LangGraph's name for the `set_node_defaults` handler


def handler_name(node: str) -> str:
    """LangGraph's name for the handler of `node` (a node of its own there)."""
    return f"__error_handler__{node}"


@dataclass(frozen=True)
class ErrorHandler:
    name: str
    fn: Callable
    is_async: bool
    takes_config: str | None  # "name": a `config` parameter; "position": a second positional one; None
    error_param: str | None  # the parameter hinted `NodeError`
    retry: tuple = ()  # the RetryPolicy tuple and TimeoutPolicy of `set_node_defaults`, which apply to handlers
    timeout: Any = None

    def call(self, arg: Any, config: dict, node: str, error: BaseException) -> Any:
        """Call the handler (a coroutine when it is async)."""
        kwargs: dict[str, Any] = {self.error_param: NodeError(node=node, error=error)} if self.error_param else {}
        if self.takes_config == "name":
            kwargs["config"] = config
        elif self.takes_config == "position":
            return self.fn(arg, config, **kwargs)
        return self.fn(arg, **kwargs)


def _error_param(fn: Callable) -> str | None:
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = getattr(fn, "__annotations__", {})
    return next((name for name, hint in hints.items() if hint is NodeError or hint == "NodeError"), None)


def make_handler(fn: Any, name: str) -> ErrorHandler:
    if not callable(fn):
        raise GraphBuildError(f"the error_handler of `{name}` must be a function (sync or async) taking the state "
                              f"and, in a parameter hinted NodeError, the error; got {type(fn).__name__}")
    error_param = _error_param(fn)
    try:
        params = [p for p in inspect.signature(fn).parameters.values() if p.name != error_param]
    except (TypeError, ValueError):
        params = []
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    takes_config = "name" if any(p.name == "config" for p in params) else (
        "position" if len(positional) >= 2 and positional[1].default is inspect.Parameter.empty else None)
    return ErrorHandler(name, fn, is_async_callable(fn), takes_config, error_param)


def with_defaults(node: Any, defaults: dict[str, Any]) -> Any:
    """`node` (a NodeSpec) with the `set_node_defaults` policies it does not set itself (retry, timeout,
    error handler, cache policy); the retry and timeout defaults also go to its error handler."""
    retry, timeout = defaults.get("retry", ()), defaults.get("timeout")
    handler = node.error_handler or defaults.get("error_handler")
    if handler is not None:
        handler = dataclasses.replace(handler, retry=handler.retry or retry,
                                      timeout=handler.timeout if handler.timeout is not None else timeout)
    cache_policy = node.cache_policy if node.cache_policy is not None else defaults.get("cache_policy")
    return dataclasses.replace(node, retry=node.retry or retry, error_handler=handler, cache_policy=cache_policy,
                               timeout=node.timeout if node.timeout is not None else timeout)
