"""What scheduled a task, as a typed value: `Trigger(kind, sources)`.

Kinds: `edge` (a plain edge from its source), `branch` (a conditional edge of its source), `goto` (a
`Command(goto=...)` its source returned; `__start__` for a Command given as input), `join` (a join of its
sources completed), `send` (a `Send`), `input` (the graph's input) and `call` (a `@task` called by an
entrypoint). A trigger is also its text (`edge:a`, `join:a+b`, `send`), so it prints and compares as
before; code that explains it reads `kind` and `sources`, never the text (a node may be named `a+b`).
Plans store a trigger as the JSON list `[kind, *sources]`.
"""

from __future__ import annotations

import functools
from typing import Any


class Trigger(str):
    kind: str
    sources: tuple[str, ...]

    def __new__(cls, kind: str, sources: tuple[str, ...] = ()) -> "Trigger":
        sep = "+" if kind == "join" else ":"
        text = f"{kind}:{sep.join(sources)}" if sources else kind
        self = super().__new__(cls, text)
        self.kind, self.sources = kind, tuple(sources)
        return self

    @classmethod
    def of(cls, value: Any) -> "Trigger":
        """A trigger from what a plan stores (`[kind, *sources]`), or from its text (older checkpoints, and
        hand-made tasks): `join:a+b` reads as a join of `a` and `b`."""
        if isinstance(value, Trigger):
            return value
        if isinstance(value, (list, tuple)):
            return cls(value[0], tuple(value[1:]))
        kind, colon, source = str(value).partition(":")
        if not colon:
            return cls(kind)
        return cls(kind, tuple(source.split("+")) if kind == "join" else (source,))

    def to_json(self) -> list:
        return [self.kind, *self.sources]

    def __reduce__(self):  # copy / deepcopy keep it typed
        return (Trigger, (self.kind, self.sources))


@functools.lru_cache(maxsize=4096)
def trigger(kind: str, sources: tuple[str, ...] = ()) -> Trigger:
    """The shared `Trigger(kind, sources)`: a superstep makes one per route, and they repeat."""
    return Trigger(kind, sources)
