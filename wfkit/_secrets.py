"""The secrets in play, and the one function that takes them out of text before it is stored or shown.

A secret is the `ANTHROPIC_API_KEY` environment variable (read at every call: a notebook may set it after
wfkit was imported) or a key given as `Claude(api_key=...)`, registered here when the model is built. This
registry is the only place besides the SDK client that holds such a key. Checkpoints, cassettes and the
widgets (live views and saved snapshots) all redact through `redact`, so none of them can miss a key the
others know of. Values shorter than `MIN_LENGTH` are never treated as secrets: they would redact innocent
text, and real keys are about 100 characters long.
"""

from __future__ import annotations

import os
import threading

REDACTED = "[redacted]"
MIN_LENGTH = 8
_ENV = "ANTHROPIC_API_KEY"
_lock = threading.Lock()
_registered: tuple[str, ...] = ()


def register(value: str) -> None:
    """Redact `value` from now on, wherever wfkit stores or shows text."""
    global _registered
    if isinstance(value, str) and len(value) >= MIN_LENGTH:
        with _lock:
            if value not in _registered:
                # longest first, so that a key holding another is replaced whole
                _registered = tuple(sorted((*_registered, value), key=len, reverse=True))


def secrets() -> tuple[str, ...]:
    """Every secret in play, longest first; usually none or one."""
    env = os.environ.get(_ENV)
    if not env or len(env) < MIN_LENGTH or env in _registered:
        return _registered
    return tuple(sorted((env, *_registered), key=len, reverse=True))


def redact(text: str, marker: str = REDACTED, known: tuple[str, ...] | None = None) -> str:
    """`text` with every secret (`known`, read from `secrets()` when not given) replaced by `marker`."""
    for secret in secrets() if known is None else known:
        if secret in text:
            text = text.replace(secret, marker)
    return text
