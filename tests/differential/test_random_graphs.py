"""Random graphs on wfkit and on LangGraph: the same description, compared aspect by aspect.

WFKIT_DIFF_N sets how many graphs (300 by default, `WFKIT_DIFF_N=5000` for a long run). Derandomized, so a
run is repeatable; a mismatch shrinks to the smallest graph and the failure prints a runnable reproducer.
Known divergences (known.KNOWN) are left out of the comparison only where their predicate applies.
"""

import os
import pprint
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings

from differential import build, gen, known, repro

N = int(os.environ.get("WFKIT_DIFF_N", 300))
WFKIT, LANGGRAPH = build.wfkit_backend(), build.langgraph_backend()
STATS: Counter = Counter()


def mismatches(lg: dict, wf: dict) -> dict:
    return {aspect: (lg.get(aspect), wf.get(aspect)) for aspect in sorted(set(lg) | set(wf))
            if lg.get(aspect) != wf.get(aspect)}


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    print(f"\ndifferential: {dict(sorted(STATS.items()))}")


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(derandomize=True, max_examples=N, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(gen.descriptions())
def test_wfkit_matches_langgraph_on_random_graphs(desc):
    lg, wf = build.observe(desc, LANGGRAPH), build.observe(desc, WFKIT)
    if lg == wf == {"too_much_work": True}:  # exponential fan-out: too long to run, on both (build.WORK_BUDGET)
        STATS["rejected (too much work)"] += 1
        assume(False)
    lg, wf, hit = known.comparable(desc, lg, wf)
    STATS["generated"] += 1
    for entry in hit:
        STATS[f"known: {entry.item}: {entry.what[:40]}"] += 1
    if not lg:
        STATS["rejected (every aspect known)"] += 1
    assume(lg)
    STATS["compared"] += 1
    diff = mismatches(lg, wf)
    for aspect in diff:
        STATS[f"mismatch: {aspect}"] += 1
    assert not diff, (
        "wfkit differs from LangGraph on this graph\n"
        + "".join(f"--- {aspect}\nlanggraph: {pprint.pformat(a)}\nwfkit:     {pprint.pformat(b)}\n"
                  for aspect, (a, b) in diff.items())
        + "--- reproducer (python -):\n" + repro.reproducer(desc))
