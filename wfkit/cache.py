"""Caches of node and task results (LangGraph's `langgraph.cache`): `BaseCache`, `InMemoryCache`, `SqliteCache`.

A cache maps a full key `(namespace, key)` to a value with an optional time to live in seconds. Values are
kept as wfkit's checkpoint JSON (`JsonSerde`, never pickle), so a `SqliteCache` file holds nothing that runs
code when read. A graph compiled with `cache=` looks up each node that has a `CachePolicy` before running
it (see `engine.caching`); `clear()` forgets a namespace's entries, or all of them.
"""

from __future__ import annotations

import asyncio
import datetime
import sqlite3
import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from wfkit.checkpoint.serde import JsonSerde
from wfkit.errors import CheckpointError, WfkitWarning

Namespace = tuple[str, ...]
FullKey = tuple[Namespace, str]
_NS_SEP = ","  # how SqliteCache writes a namespace in one column (LangGraph's layout)


def _now() -> float:
    """The caches' clock, in seconds (a seam: tests set it to make expiry exact)."""
    return datetime.datetime.now(datetime.timezone.utc).timestamp()


def _expiry(ttl: int | None) -> float | None:
    return None if ttl is None else _now() + ttl


class BaseCache:
    """What a cache offers: `get` / `set` / `clear` and their async twins (which call them in a thread)."""

    def __init__(self, *, serde: JsonSerde | None = None) -> None:
        self.serde = serde or JsonSerde()

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, Any]:
        raise NotImplementedError

    def set(self, pairs: Mapping[FullKey, tuple[Any, int | None]]) -> None:
        raise NotImplementedError

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        raise NotImplementedError

    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, Any]:
        return await asyncio.to_thread(self.get, keys)

    def _encoded(self, pairs: Mapping[FullKey, tuple[Any, int | None]]) -> list[tuple[FullKey, str, float | None]]:
        """The entries to keep, as JSON; a value with no JSON form is left out with a warning (the node or task
        simply runs again next time)."""
        out = []
        for (namespace, key), (value, ttl) in pairs.items():
            try:
                out.append(((tuple(namespace), key), self.serde.dumps(value), _expiry(ttl)))
            except CheckpointError as error:
                warnings.warn(f"a result for the cache namespace {tuple(namespace)!r} was not cached: {error}",
                              WfkitWarning, stacklevel=3)
        return out

    async def aset(self, pairs: Mapping[FullKey, tuple[Any, int | None]]) -> None:
        await asyncio.to_thread(self.set, pairs)

    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        await asyncio.to_thread(self.clear, namespaces)


class InMemoryCache(BaseCache):
    """A cache in this process's memory; thread-safe. Values are stored as JSON text, so a cached result is
    a copy: changing what a node returned later does not change what the cache gives back."""

    def __init__(self, *, serde: JsonSerde | None = None) -> None:
        super().__init__(serde=serde)
        self._entries: dict[Namespace, dict[str, tuple[str, float | None]]] = {}
        self._lock = threading.RLock()

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, Any]:
        now, out = _now(), {}
        with self._lock:
            for namespace, key in keys:
                namespace = tuple(namespace)
                entry = self._entries.get(namespace, {}).get(key)
                if entry is None:
                    continue
                text, expires = entry
                if expires is not None and expires <= now:
                    del self._entries[namespace][key]
                else:
                    out[(namespace, key)] = self.serde.loads(text)
        return out

    def set(self, pairs: Mapping[FullKey, tuple[Any, int | None]]) -> None:
        with self._lock:
            for (namespace, key), text, expires in self._encoded(pairs):
                self._entries.setdefault(namespace, {})[key] = (text, expires)

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        with self._lock:
            if namespaces is None:
                self._entries.clear()
            for namespace in namespaces or ():
                self._entries.pop(tuple(namespace), None)

    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, Any]:
        return self.get(keys)

    async def aset(self, pairs: Mapping[FullKey, tuple[Any, int | None]]) -> None:
        self.set(pairs)

    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        self.clear(namespaces)


class SqliteCache(BaseCache):
    """A cache in an SQLite file (`path=":memory:"` for one in memory), values as JSON text."""

    def __init__(self, *, path: str, serde: JsonSerde | None = None) -> None:
        super().__init__(serde=serde)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.RLock()
        with self._lock, self._conn:
            self._conn.execute("CREATE TABLE IF NOT EXISTS cache (ns TEXT, key TEXT, expiry REAL, "
                               "val TEXT NOT NULL, PRIMARY KEY (ns, key))")

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, Any]:
        now, out = _now(), {}
        with self._lock, self._conn:
            for namespace, key in keys:
                row = self._conn.execute("SELECT expiry, val FROM cache WHERE ns = ? AND key = ?",
                                         (_NS_SEP.join(namespace), key)).fetchone()
                if row is None:
                    continue
                if row[0] is not None and row[0] <= now:
                    self._conn.execute("DELETE FROM cache WHERE ns = ? AND key = ?", (_NS_SEP.join(namespace), key))
                else:
                    out[(tuple(namespace), key)] = self.serde.loads(row[1])
        return out

    def set(self, pairs: Mapping[FullKey, tuple[Any, int | None]]) -> None:
        with self._lock, self._conn:
            for (namespace, key), text, expires in self._encoded(pairs):
                self._conn.execute("INSERT OR REPLACE INTO cache (ns, key, expiry, val) VALUES (?, ?, ?, ?)",
                                   (_NS_SEP.join(namespace), key, expires, text))

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        with self._lock, self._conn:
            if namespaces is None:
                self._conn.execute("DELETE FROM cache")
            for namespace in namespaces or ():
                self._conn.execute("DELETE FROM cache WHERE ns = ?", (_NS_SEP.join(namespace),))

    def close(self) -> None:
        self._conn.close()


__all__ = ["BaseCache", "FullKey", "InMemoryCache", "Namespace", "SqliteCache"]
