"""`with_config`: a config bound to a compiled graph, merged under the config each call gives.

Merged as LangGraph (langchain_core's `merge_configs`) merges them: `configurable` and `metadata` key by key,
`tags` as the sorted union, `callbacks` lists joined, any other key (`recursion_limit`...) taken from the
later config.
"""

from __future__ import annotations

from typing import Any

from wfkit.engine.options import check_config


def merge_configs(*configs: dict | None) -> dict:
    """One config from `configs`, later ones winning (see the module docstring); None entries are skipped."""
    merged: dict = {}
    for config in configs:
        if config is None:
            continue
        check_config(config)
        for key, value in config.items():
            if key in ("configurable", "metadata"):
                merged[key] = {**merged.get(key, {}), **(value or {})}
            elif key == "tags":
                merged[key] = sorted({*merged.get(key, ()), *(value or ())})
            elif key == "callbacks" and isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = merged[key] + value
            else:
                merged[key] = value
    return merged


def bound(graph_config: dict | None, config: Any) -> Any:
    """The config a call of a graph bound to `graph_config` runs with (`config` itself when nothing is bound)."""
    return merge_configs(graph_config, config) if graph_config else config
