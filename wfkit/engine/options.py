"""`RunOptions`: everything a run needs besides the graph, as a typed object, and `options_from(config)`,
which builds it from a LangGraph-style config dict (checking what it reads)."""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass, field
from typing import Any

from wfkit.errors import ArgumentTypeError, ArgumentValueError, MissingThreadError

DEFAULT_RECURSION_LIMIT = 25


@dataclass
class RunOptions:
    """Everything a run needs besides the graph, as a typed object (not string keys of a config dict)."""

    config: dict = field(default_factory=dict)
    recursion_limit: int = DEFAULT_RECURSION_LIMIT
    thread_id: str | None = None
    checkpoint_id: str | None = None
    interrupt_before: frozenset = frozenset()
    interrupt_after: frozenset = frozenset()
    stream_messages: bool = False
    inline_sync: bool = False
    max_concurrency: int | None = None
    executor: Any = None  # a concurrent.futures.Executor the sync node calls go to (None: wfkit's threads)
    want_records: bool = True  # a StepRecord per superstep (the stepping API); invoke/stream read none
    store: Any = None  # the graph's long-term store (compile(store=)): nodes taking `store` get it
    cache: Any = None  # the graph's cache of node results (compile(cache=)), for nodes with a CachePolicy
    runtime: Any = None  # the run's wfkit.runtime.Runtime (context, store, control): see runtime.run_runtime


def options_from(config: dict | None, **extra: Any) -> RunOptions:
    """The options of a run given `config` (LangGraph's shape: `recursion_limit`, `max_concurrency`,
    `configurable.thread_id` / `checkpoint_id`; wfkit's own `executor`), plus `extra` fields as they are."""
    configurable = check_config(config)
    config = dict(config) if config else {}
    limit = config.get("recursion_limit", DEFAULT_RECURSION_LIMIT)
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"recursion_limit must be a positive integer, got {limit!r}")
    most = config.get("max_concurrency")
    if most is not None and (not isinstance(most, int) or most < 1):
        raise (ArgumentValueError if isinstance(most, int) else ArgumentTypeError)(
            f"`config['max_concurrency']` must be a positive int (or None for no limit), got {given(most)}: "
            "e.g. config={'max_concurrency': 4}")
    executor = check_executor(config.get("executor"), "config['executor']")
    if executor is not None:  # the config's own executor wins over the one `extra` gives (the graph's)
        extra = {**extra, "executor": executor}
    return RunOptions(config=config, recursion_limit=limit, thread_id=thread_key(configurable.get("thread_id")),
                      checkpoint_id=configurable.get("checkpoint_id"), max_concurrency=most, **extra)


def check_executor(executor: Any, where: str) -> Any:
    """`executor` if it is None or a `concurrent.futures.Executor`; `where` names the argument."""
    if executor is not None and not isinstance(executor, concurrent.futures.Executor):
        raise ArgumentTypeError(f"{where} must be a concurrent.futures.Executor (a ThreadPoolExecutor, or a Dask "
                                f"or Ray executor), got {given(executor)}")
    return executor


def check_config(config: Any) -> dict:
    """The `configurable` dict of `config` (empty if none), after checking the shape every entry point
    reads: `config` None or a dict, its `configurable` None or a dict, a `checkpoint_id` in it None or a str."""
    if config is None:
        return {}
    _expect(config, dict, "`config` must be a dict (or None)", _CONFIG_FIX)
    configurable = config.get("configurable")
    if configurable is None:
        return {}
    _expect(configurable, dict, "`config['configurable']` must be a dict", _CONFIG_FIX)
    checkpoint_id = configurable.get("checkpoint_id")
    if checkpoint_id is not None:
        _expect(checkpoint_id, str, "`config['configurable']['checkpoint_id']` must be a str",
                "pass one checkpoint's id, or the config of a snapshot from get_state_history(config)")
    return configurable


_CONFIG_FIX = "pass e.g. config={'configurable': {'thread_id': 'some-id'}}"


def _expect(value: Any, kind: type, rule: str, fix: str) -> None:
    if not isinstance(value, kind):
        raise ArgumentTypeError(f"{rule}, got {given(value)}: {fix}")


def given(value: Any, width: int = 60) -> str:
    """`value` as an error message shows what was given: its type and its repr, cut short."""
    text = repr(value)
    return f"{type(value).__name__} `{text if len(text) <= width else text[:width - 3] + '...'}`"


def thread_key(thread_id: Any) -> str | None:
    """The thread a config names, as stored and compared: `str(thread_id)`, so a `uuid.UUID` (LangGraph's
    docs use `uuid.uuid4()`) or an int names the same thread as its string."""
    if thread_id is None or isinstance(thread_id, str):
        return thread_id
    try:
        return str(thread_id)
    except Exception as error:
        raise MissingThreadError(
            f"thread_id {type(thread_id).__name__} cannot be turned into a string ({error}); pass a str or a "
            f"uuid.UUID: config={{'configurable': {{'thread_id': 'some-id'}}}}") from error
