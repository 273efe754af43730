"""KNOWN: the divergences from LangGraph that are known and not fixed on main yet, in one place.

Each entry names its issue item, says what differs, and has a small predicate on the description and both
observations. When it applies, the random test leaves the entry's aspects out of the comparison (or, with
`relax`, compares them after taking out only that difference); when every aspect is left out the example
is rejected with `hypothesis.assume`. Each entry also has a fixed-graph test marked
`xfail(strict=True)` in test_known.py, so fixing the item makes that test pass unexpectedly: then delete
the entry here and the xfail marker there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

ALL = ("compile", "invoke", "updates", "values", "multi", "history", "break")
RUNS = ("invoke", "updates", "values", "multi")


@dataclass(frozen=True)
class Known:
    item: str
    what: str
    applies: Callable[[dict, dict, dict], bool]  # (description, langgraph's observation, wfkit's)
    aspects: tuple[str, ...]
    relax: Callable | None = None  # (aspect, description) on both sides of each aspect; None: left out


def _outcomes(seen: dict):
    for aspect in RUNS:
        for segment in seen.get(aspect) or ():
            yield segment["outcome"]


def _checkpointed_join(desc: dict, lg: dict, wf: dict) -> bool:
    return desc["checkpointer"] and bool(desc["joins"])


def _without_join_targets(history, desc: dict):
    """History with the joins' destinations taken out of every snapshot's `next`."""
    if not history or history[0][0] == "error":
        return history
    targets = {dst for _, dst in desc["joins"]}
    return [(values, tuple(n for n in nxt if n not in targets)) for values, nxt in history]


KNOWN = [
    Known("new (i10diff)", "get_state_history() after a join whose sources finish in different supersteps: "
          "LangGraph's snapshot of the first of them lists the join's destination in `next` too (it does not "
          "run then; its tasks finishing at once is enough, a 10 ms sleep in a source hides it), wfkit only "
          "what runs", _checkpointed_join, ("history",), relax=_without_join_targets),
]


def comparable(desc: dict, lg: dict, wf: dict) -> tuple[dict, dict, list[Known]]:
    """Both observations with what KNOWN entries cover taken out, and the entries that applied."""
    lg, wf = dict(lg), dict(wf)
    hit = [k for k in KNOWN if k.applies(desc, lg, wf)]
    for entry in hit:
        for aspect in entry.aspects:
            if entry.relax is None:
                lg.pop(aspect, None)
                wf.pop(aspect, None)
            elif aspect in lg and aspect in wf:
                lg[aspect], wf[aspect] = entry.relax(lg[aspect], desc), entry.relax(wf[aspect], desc)
    return lg, wf, hit
