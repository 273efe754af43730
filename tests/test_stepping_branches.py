"""Reading any branch of a Run (issue 32, items 11 and 12): `lineage(checkpoint_id)` and `state_at`."""

from typing import TypedDict

import pytest

from wfkit import END, START, StateGraph
from wfkit.errors import ArgumentValueError


class State(TypedDict, total=False):
    n: int


@pytest.fixture
def run():
    builder = StateGraph(State)
    builder.add_node("inc", lambda s: {"n": s["n"] + 1})
    builder.add_edge(START, "inc")
    builder.add_edge("inc", END)
    return builder.compile().start({"n": 1}, {"configurable": {"thread_id": "t-branches"}})


def test_lineage_of_an_old_branch_and_the_state_there(run):
    run.step()
    old_end = run.checkpoint_id
    run.back()
    run.edit({"n": 10})
    run.step()
    old, new = run.lineage(old_end), run.lineage()
    assert old[:-1] == new[:-2] and old[-1] == (1, old_end)
    assert [step for step, _ in new[-3:]] == [0, 0, 1]
    assert run.state_at(old_end) == {"n": 2} and run.state == {"n": 11}
    assert run.state_at(new[-3][1]) == {"n": 1}


def test_an_unknown_checkpoint_is_named(run):
    for call in (run.state_at, run.lineage):
        with pytest.raises(ArgumentValueError) as caught:
            call("nope")
        assert str(caught.value) == ("no checkpoint `nope` in thread `t-branches`; use an id from run.lineage() "
                                     "or a record's checkpoint_id")
