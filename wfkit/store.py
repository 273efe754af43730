"""Long-term memory shared across threads: `BaseStore` and `InMemoryStore`, with LangGraph's public API.

Items are JSON-like dicts filed under a namespace (a tuple of str labels, e.g. `("users", "u1")`) and a key.
`put` / `get` / `search` / `delete` / `list_namespaces` and their async twins (`aput`, ...; the in-memory
store is fast, so they do the same work on the calling thread). `search` filters on value fields
(`{"kind": "note"}`, or `{"$gt": ...}`-style operators as LangGraph's) and, given an `index={"dims": ...,
"embed": fn, "fields": [...]}` when the store is made, ranks by cosine similarity to `query` with the
user's embedding function (in plain Python; nothing is downloaded). With `ttl={"default_ttl": minutes,
"refresh_on_read": True}` items expire (LangGraph's `TTLConfig`); `put(..., ttl=minutes)` sets one item's.
A graph compiled with `store=` hands it to each node or task that takes a parameter named `store`.
"""

from __future__ import annotations

import datetime
import inspect
import json
import math
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, NamedTuple

from wfkit.engine.options import given
from wfkit.errors import ArgumentTypeError, ArgumentValueError, InvalidNamespaceError, UnsupportedFeatureError

NOT_PROVIDED = object()  # `put(ttl=...)` not given: the store's default_ttl applies


def _now() -> datetime.datetime:
    """The store's clock (a seam: tests set it to make timestamps and expiry exact)."""
    return datetime.datetime.now(datetime.timezone.utc)


class Item:
    """A stored item: its `namespace`, `key`, `value` (a dict) and when it was created and last updated."""

    __slots__ = ("value", "key", "namespace", "created_at", "updated_at")

    def __init__(self, *, value: dict, key: str, namespace: tuple[str, ...], created_at: datetime.datetime,
                 updated_at: datetime.datetime):
        self.value, self.key, self.namespace = value, key, tuple(namespace)
        self.created_at = datetime.datetime.fromisoformat(created_at) if isinstance(created_at, str) else created_at
        self.updated_at = datetime.datetime.fromisoformat(updated_at) if isinstance(updated_at, str) else updated_at

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Item) and self.dict() == other.dict()

    def __hash__(self) -> int:
        return hash((self.namespace, self.key))

    def dict(self) -> dict:
        return {"namespace": list(self.namespace), "key": self.key, "value": self.value,
                "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.dict().items())})"


class SearchItem(Item):
    """An item found by `search`: `score` is its cosine similarity to the query (None without a query)."""

    __slots__ = ("score",)

    def __init__(self, namespace: tuple[str, ...], key: str, value: dict, created_at: datetime.datetime,
                 updated_at: datetime.datetime, score: float | None = None):
        super().__init__(value=value, key=key, namespace=namespace, created_at=created_at, updated_at=updated_at)
        self.score = score

    def dict(self) -> dict:
        return {**super().dict(), "score": self.score}


class BaseStore:
    """What a store offers (LangGraph's `BaseStore`): subclasses implement the sync methods; the async twins
    call them."""

    supports_ttl: bool = False
    ttl_config: dict | None = None

    def get(self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool | None = None) -> Item | None:
        raise NotImplementedError

    def search(self, namespace_prefix: tuple[str, ...], /, *, query: str | None = None, filter: dict | None = None,
               limit: int = 10, offset: int = 0, refresh_ttl: bool | None = None) -> list[SearchItem]:
        raise NotImplementedError

    def put(self, namespace: tuple[str, ...], key: str, value: Mapping[str, Any],
            index: Literal[False] | list[str] | None = None, *, ttl: Any = NOT_PROVIDED) -> None:
        raise NotImplementedError

    def delete(self, namespace: tuple[str, ...], key: str) -> None:
        raise NotImplementedError

    def list_namespaces(self, *, prefix: tuple[str, ...] | None = None, suffix: tuple[str, ...] | None = None,
                        max_depth: int | None = None, limit: int = 100, offset: int = 0) -> list[tuple[str, ...]]:
        raise NotImplementedError

    def batch(self, ops: Iterable[Any]) -> list[Any]:
        raise UnsupportedFeatureError("store.batch(ops) is not supported by wfkit (it has no GetOp / PutOp / SearchOp "
                                      "objects): call put, get, search, delete and list_namespaces instead")

    async def abatch(self, ops: Iterable[Any]) -> list[Any]:
        return self.batch(ops)

    async def aget(self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool | None = None) -> Item | None:
        return self.get(namespace, key, refresh_ttl=refresh_ttl)

    async def asearch(self, namespace_prefix: tuple[str, ...], /, *, query: str | None = None,
                      filter: dict | None = None, limit: int = 10, offset: int = 0,
                      refresh_ttl: bool | None = None) -> list[SearchItem]:
        return self.search(namespace_prefix, query=query, filter=filter, limit=limit, offset=offset,
                           refresh_ttl=refresh_ttl)

    async def aput(self, namespace: tuple[str, ...], key: str, value: Mapping[str, Any],
                   index: Literal[False] | list[str] | None = None, *, ttl: Any = NOT_PROVIDED) -> None:
        self.put(namespace, key, value, index, ttl=ttl)

    async def adelete(self, namespace: tuple[str, ...], key: str) -> None:
        self.delete(namespace, key)

    async def alist_namespaces(self, *, prefix: tuple[str, ...] | None = None, suffix: tuple[str, ...] | None = None,
                               max_depth: int | None = None, limit: int = 100,
                               offset: int = 0) -> list[tuple[str, ...]]:
        return self.list_namespaces(prefix=prefix, suffix=suffix, max_depth=max_depth, limit=limit, offset=offset)


class _Entry(NamedTuple):
    item: Item
    vectors: tuple[list[float], ...]  # one per indexed text of the value
    ttl: float | None  # minutes
    expires: datetime.datetime | None


class InMemoryStore(BaseStore):
    """A store kept in this process's memory (lost when it ends); thread-safe.

    `index={"dims": 3, "embed": fn, "fields": ["text"]}`: `fn(list_of_texts) -> list_of_vectors` (sync or
    async, or an object with `embed_documents` / `embed_query`) embeds the listed fields of each value
    (`"$"`, the default, is the whole value as JSON); `search(..., query=...)` ranks by similarity.
    `ttl={"default_ttl": minutes, "refresh_on_read": True}`: items expire that long after their last write
    (or read, when refreshed)."""

    supports_ttl = True

    def __init__(self, *, index: dict | None = None, ttl: dict | None = None):
        self.index_config = _check_index(index)
        self.ttl_config = _check_ttl(ttl)
        self._embed = _embedder(self.index_config["embed"], self.index_config["dims"]) if self.index_config else None
        self._items: dict[tuple[str, ...], dict[str, _Entry]] = {}
        self._lock = threading.RLock()

    # -- reading -------------------------------------------------------------------------------------
    def get(self, namespace: tuple[str, ...], key: str, *, refresh_ttl: bool | None = None) -> Item | None:
        namespace = _check_namespace(namespace, "get", empty_ok=True)
        with self._lock:
            entry = self._live(namespace, str(key), _now())
            if entry is None:
                return None
            self._refresh([entry], refresh_ttl)
            return entry.item

    def search(self, namespace_prefix: tuple[str, ...], /, *, query: str | None = None, filter: dict | None = None,
               limit: int = 10, offset: int = 0, refresh_ttl: bool | None = None) -> list[SearchItem]:
        namespace_prefix = _check_namespace(namespace_prefix, "search", empty_ok=True)
        if filter is not None and not isinstance(filter, dict):
            raise ArgumentTypeError(f"search(filter=...) must be a dict of value fields, got {given(filter)}: "
                                    "e.g. filter={'kind': 'note'} or filter={'score': {'$gt': 3}}")
        query_vector = self._embed([query], query=True)[0] if query and self._embed else None
        now, n = _now(), len(namespace_prefix)
        with self._lock:
            found = [entry for ns, entries in list(self._items.items()) if ns[:n] == namespace_prefix
                     for key in list(entries) if (entry := self._live(ns, key, now)) is not None
                     and all(_matches(entry.item.value.get(k), v) for k, v in (filter or {}).items())]
            if query_vector is not None:  # best first; items without vectors after, unscored
                scored = sorted(((max(_cosine(query_vector, v) for v in e.vectors), e) for e in found if e.vectors),
                                key=lambda pair: pair[0], reverse=True)
                ranked = scored + [(None, e) for e in found if not e.vectors]
            else:
                ranked = [(None, e) for e in found]
            page = ranked[offset:offset + limit]
            self._refresh([e for _, e in page], refresh_ttl)
        return [SearchItem(e.item.namespace, e.item.key, e.item.value, e.item.created_at, e.item.updated_at, score)
                for score, e in page]

    def list_namespaces(self, *, prefix: tuple[str, ...] | None = None, suffix: tuple[str, ...] | None = None,
                        max_depth: int | None = None, limit: int = 100, offset: int = 0) -> list[tuple[str, ...]]:
        prefix = _check_namespace(prefix or (), "list_namespaces", empty_ok=True, wildcard=True)
        suffix = _check_namespace(suffix or (), "list_namespaces", empty_ok=True, wildcard=True)
        now = _now()
        with self._lock:
            spaces = [ns for ns, entries in list(self._items.items())
                      if any(self._live(ns, key, now) is not None for key in list(entries))]
        spaces = [ns for ns in spaces if _fits(ns, prefix) and _fits(ns[::-1], suffix[::-1])]
        spaces = sorted({ns[:max_depth] for ns in spaces} if max_depth is not None else spaces)
        return spaces[offset:offset + limit]

    # -- writing -------------------------------------------------------------------------------------
    def put(self, namespace: tuple[str, ...], key: str, value: Mapping[str, Any],
            index: Literal[False] | list[str] | None = None, *, ttl: Any = NOT_PROVIDED) -> None:
        namespace = _check_namespace(namespace, "put")
        if not isinstance(value, Mapping):
            raise ArgumentTypeError(f"put({namespace!r}, {key!r}, ...): the value must be a dict, got {given(value)}: "
                                    "e.g. store.put(('users', 'u1'), 'prefs', {'food': 'pizza'})")
        if ttl is NOT_PROVIDED:
            ttl = (self.ttl_config or {}).get("default_ttl")
        elif ttl is not None and (not isinstance(ttl, (int, float)) or isinstance(ttl, bool) or ttl <= 0):
            raise ArgumentValueError(f"put(ttl=...) is minutes until the item expires, a positive number or None, "
                                     f"got {given(ttl)}")
        value = dict(value)
        vectors = self._vectors(value, index)
        now, key = _now(), str(key)
        with self._lock:
            old = self._live(namespace, key, now)
            created = old.item.created_at if old is not None else now
            item = Item(value=value, key=key, namespace=namespace, created_at=created, updated_at=now)
            self._items.setdefault(namespace, {})[key] = _Entry(item, vectors, ttl, _expiry(now, ttl))

    def delete(self, namespace: tuple[str, ...], key: str) -> None:
        namespace = _check_namespace(namespace, "delete", empty_ok=True)
        with self._lock:
            entries = self._items.get(namespace)
            if entries is not None:
                entries.pop(str(key), None)
                if not entries:
                    del self._items[namespace]

    # -- helpers -------------------------------------------------------------------------------------
    def _live(self, namespace: tuple[str, ...], key: str, now: datetime.datetime) -> _Entry | None:
        """The entry, or None when there is none or it expired (an expired one is dropped)."""
        entry = self._items.get(namespace, {}).get(key)
        if entry is not None and entry.expires is not None and entry.expires <= now:
            self.delete(namespace, key)
            return None
        return entry

    def _refresh(self, entries: list[_Entry], refresh_ttl: bool | None) -> None:
        if refresh_ttl is None:
            refresh_ttl = (self.ttl_config or {}).get("refresh_on_read", True)
        if not refresh_ttl:
            return
        now = _now()
        for entry in entries:
            if entry.ttl is not None:
                self._items[entry.item.namespace][entry.item.key] = entry._replace(expires=_expiry(now, entry.ttl))

    def _vectors(self, value: dict, index: Any) -> tuple[list[float], ...]:
        if self._embed is None or index is False:
            return ()
        if index is not None and (not isinstance(index, list) or not all(isinstance(f, str) for f in index)):
            raise ArgumentTypeError(f"put(index=...) must be False, None or a list of field paths, got "
                                    f"{given(index)}: e.g. index=['text']")
        fields = index if index is not None else self.index_config.get("fields") or ["$"]
        texts = [text for path in fields for text in text_at_path(value, path)]
        return tuple(self._embed(texts)) if texts else ()


def _expiry(now: datetime.datetime, ttl: float | None) -> datetime.datetime | None:
    return None if ttl is None else now + datetime.timedelta(minutes=ttl)


def _check_namespace(namespace: Any, where: str, *, empty_ok: bool = False, wildcard: bool = False) -> tuple:
    """`namespace` as a tuple of labels, after LangGraph's rules: a tuple (or list) of non-empty str without
    `.`, not empty and not rooted at "langgraph" for `put`."""
    if not isinstance(namespace, (tuple, list)):
        raise InvalidNamespaceError(f"{where}(): a namespace must be a tuple of str labels, got {given(namespace)}: "
                                    "e.g. ('users', 'u1')")
    for label in namespace:
        problem = (f"is a {type(label).__name__}, not a str" if not isinstance(label, str) else
                   "is empty" if not label else "contains a period ('.')" if "." in label else
                   "contains a NUL byte" if "\x00" in label else None)
        if problem:
            raise InvalidNamespaceError(f"{where}(): namespace label {label!r} in {tuple(namespace)!r} {problem}; "
                                        "labels are non-empty strings without '.', e.g. ('users', 'u1')")
    if not namespace and not empty_ok:
        raise InvalidNamespaceError(f"{where}(): the namespace is empty; give at least one label, e.g. ('memories',)")
    if namespace and namespace[0] == "langgraph" and not empty_ok:
        raise InvalidNamespaceError(f"{where}(): a namespace cannot start with 'langgraph' (reserved), got "
                                    f"{tuple(namespace)!r}; pick another first label")
    return tuple(namespace)


def _fits(namespace: tuple, pattern: tuple) -> bool:
    """Whether `namespace` starts with `pattern` ("*" matches any one label)."""
    return len(namespace) >= len(pattern) and all(p == "*" or p == n for n, p in zip(namespace, pattern))


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": lambda a, b: a == b, "$ne": lambda a, b: a != b,
    "$gt": lambda a, b: float(a) > float(b), "$gte": lambda a, b: float(a) >= float(b),
    "$lt": lambda a, b: float(a) < float(b), "$lte": lambda a, b: float(a) <= float(b),
}


def _matches(value: Any, wanted: Any) -> bool:
    """A filter's test of one field, as LangGraph's (JSONB-like): nested dicts match field by field, lists
    item by item, `{"$op": x}` applies the operator; a number operator on a missing field never matches."""
    if isinstance(wanted, dict):
        ops = [k for k in wanted if isinstance(k, str) and k.startswith("$")]
        if ops:
            for op, operand in wanted.items():
                if op not in _OPERATORS:
                    raise ArgumentValueError(f"search(filter=...): unknown operator `{op}`; use one of "
                                             f"{', '.join(_OPERATORS)}, e.g. {{'score': {{'$gt': 3}}}}")
                try:
                    if not _OPERATORS[op](value, operand):
                        return False
                except (TypeError, ValueError):
                    return False
            return True
        return isinstance(value, dict) and all(_matches(value.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, (list, tuple)):
        return (isinstance(value, (list, tuple)) and len(value) == len(wanted)
                and all(_matches(a, b) for a, b in zip(value, wanted)))
    return value == wanted


def _cosine(a: list[float], b: list[float]) -> float:
    na, nb = math.sqrt(sum(x * x for x in a)), math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b)) / (na * nb) if na and nb else 0.0


def text_at_path(value: Any, path: str) -> list[str]:
    """The texts at `path` in `value` (LangGraph's field paths: `"$"` the whole value, `"a.b"`, `"a[0]"`,
    `"a[*].b"`, `"*"`); strings as they are, numbers as str, dicts and lists as JSON."""
    if path == "$":
        return [json.dumps(value, sort_keys=True, ensure_ascii=False)]
    out: list[str] = []

    def walk(obj: Any, tokens: list[str]) -> None:
        if not tokens:
            if isinstance(obj, (str, int, float, bool)):
                out.append(str(obj))
            elif isinstance(obj, (list, dict)):
                out.append(json.dumps(obj, sort_keys=True, ensure_ascii=False))
            return
        token, rest = tokens[0], tokens[1:]
        if token.startswith("["):
            if isinstance(obj, list):
                inside = token[1:-1]
                if inside == "*":
                    for x in obj:
                        walk(x, rest)
                elif inside.lstrip("-").isdigit() and -len(obj) <= int(inside) < len(obj):
                    walk(obj[int(inside)], rest)
        elif token == "*":
            for x in (obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else ()):
                walk(x, rest)
        elif isinstance(obj, dict) and token in obj:
            walk(obj[token], rest)

    walk(value, _tokens(path))
    return out


def _tokens(path: str) -> list[str]:
    tokens: list[str] = []
    for part in path.replace("[", ".[").split("."):
        if part:
            tokens.append(part)
    return tokens


def _check_index(index: Any) -> dict | None:
    if index is None:
        return None
    fix = "e.g. index={'dims': 3, 'embed': my_embed, 'fields': ['text']} with my_embed(texts) -> list of vectors"
    if not isinstance(index, dict):
        raise ArgumentTypeError(f"InMemoryStore(index=...) must be a dict, got {given(index)}: {fix}")
    unknown = sorted(set(index) - {"dims", "embed", "fields"})
    if unknown:
        raise ArgumentValueError(f"InMemoryStore(index=...) has unknown key(s) {', '.join(map(repr, unknown))}: {fix}")
    if not isinstance(index.get("dims"), int) or isinstance(index.get("dims"), bool) or index["dims"] < 1:
        raise ArgumentValueError(f"InMemoryStore(index=...) needs 'dims', the length of each vector (a positive "
                                 f"int), got {given(index.get('dims'))}: {fix}")
    embed = index.get("embed")
    if isinstance(embed, str):
        raise UnsupportedFeatureError(
            f"InMemoryStore(index={{'embed': {embed!r}}}): wfkit does not load embedding models by name (that "
            "would download one); pass a function that turns a list of texts into a list of vectors instead")
    if embed is None or not (callable(embed) or hasattr(embed, "embed_documents")):
        raise ArgumentTypeError(f"InMemoryStore(index=...) needs 'embed', a function from a list of texts to a "
                                f"list of vectors, got {given(embed)}: {fix}")
    fields = index.get("fields")
    if fields is not None and (not isinstance(fields, list) or not all(isinstance(f, str) for f in fields)):
        raise ArgumentTypeError(f"InMemoryStore(index=...)['fields'] must be a list of field paths, got "
                                f"{given(fields)}: e.g. ['text'] (or ['$'] for the whole value)")
    return dict(index)


def _check_ttl(ttl: Any) -> dict | None:
    if ttl is None:
        return None
    if not isinstance(ttl, dict):
        raise ArgumentTypeError(f"InMemoryStore(ttl=...) must be a dict, got {given(ttl)}: e.g. "
                                "ttl={'default_ttl': 60, 'refresh_on_read': True} (minutes)")
    unknown = sorted(set(ttl) - {"default_ttl", "refresh_on_read", "sweep_interval_minutes", "omit_expired"})
    if unknown:
        raise ArgumentValueError(f"InMemoryStore(ttl=...) has unknown key(s) {', '.join(map(repr, unknown))}; "
                                 "it takes 'default_ttl' (minutes) and 'refresh_on_read'")
    return dict(ttl)


def _embedder(embed: Any, dims: int) -> Callable[..., list[list[float]]]:
    """A sync `embed(texts, query=False)` over the user's function or LangChain-style embeddings object."""
    if hasattr(embed, "embed_documents"):
        return lambda texts, query=False: ([embed.embed_query(texts[0])] if query else embed.embed_documents(texts))

    def call(texts: list[str], query: bool = False) -> list[list[float]]:
        vectors = embed(texts)
        if inspect.isawaitable(vectors):
            from wfkit._sync import run_sync

            vectors = run_sync(vectors)
        vectors = [list(map(float, v)) for v in vectors]
        if len(vectors) != len(texts) or any(len(v) != dims for v in vectors):
            raise ArgumentValueError(f"the store's embed function returned {len(vectors)} vectors of lengths "
                                     f"{sorted({len(v) for v in vectors})} for {len(texts)} texts; it must return one "
                                     f"vector of `dims`={dims} numbers per text")
        return vectors

    return call


__all__ = ["BaseStore", "InMemoryStore", "InvalidNamespaceError", "Item", "NOT_PROVIDED", "SearchItem",
           "text_at_path"]
