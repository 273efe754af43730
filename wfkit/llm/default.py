"""`default_model()`: Claude when an API key is set, the offline model otherwise; it says which it picked.

Notebooks call this instead of building a model, so that they run anywhere: live with a key, offline
without one. With `cassette=` a live run records its replies and a later run without a key replays them.
"""

from __future__ import annotations

import os
from typing import Any

from wfkit.llm.base import BaseChatModel
from wfkit.llm.cassette import Cassette
from wfkit.llm.claude import DEFAULT_MODEL, Claude
from wfkit.llm.offline import offline_model


def default_model(model: str = DEFAULT_MODEL, *, cassette: str | os.PathLike | None = None,
                  quiet: bool = False, **options: Any) -> BaseChatModel:
    """Claude (`model`, with `options`) if ANTHROPIC_API_KEY is set, else the offline model.

    `cassette`: a JSON file. With a key, replies are recorded there (and replayed when a request repeats);
    without one, an existing cassette is replayed instead of using the offline model.
    """
    say = (lambda text: None) if quiet else print
    if os.environ.get("ANTHROPIC_API_KEY"):
        try:
            live = Claude(model, **options)
        except ImportError as exc:
            say(f"default_model: ANTHROPIC_API_KEY is set but {exc}; using the offline model instead")
            return offline_model()
        if cassette is not None:
            say(f"default_model: Claude ({model}), recording to the cassette {os.fspath(cassette)}")
            return Cassette(cassette, live)
        say(f"default_model: Claude ({model}), because ANTHROPIC_API_KEY is set")
        return live
    if cassette is not None and os.path.exists(cassette):
        say(f"default_model: replaying the cassette {os.fspath(cassette)} (no ANTHROPIC_API_KEY set)")
        return Cassette(cassette, mode="replay")
    say("default_model: the offline model (canned replies for the guide's examples); "
        "set ANTHROPIC_API_KEY to use Claude")
    return offline_model()


__all__ = ["default_model"]
