"""Checks of notebook 03 (parallelization): what a superstep runs, what a join waits for, Send fan-out."""

from __future__ import annotations

from typing import Any

from wfkit.exercises import expect, exercise, given, ran_nodes


@exercise("Your turn 1")
def your_turn_1(my_first_superstep: Any, my_superstep_count: Any, parallel_workflow: Any) -> str:
    given(my_first_superstep, my_superstep_count)
    steps = ran_nodes(parallel_workflow, {"topic": "cats"})
    expect(set(my_first_superstep) == set(steps[0]),
           "superstep 1 runs every node that is ready after the input: look at the edges that leave START")
    expect(my_superstep_count == len(steps),
           "count the supersteps that run nodes (superstep 0 only applies the input): when is the aggregator "
           "ready, and can it run in the same superstep as the nodes it waits for?")
    return f"superstep 1 runs {', '.join(steps[0])} together, then {', '.join(steps[1])}: {len(steps)} supersteps"


@exercise("Your turn 2")
def your_turn_2(my_waiting_for: Any, my_combine_superstep: Any, early_join: Any) -> str:
    given(my_waiting_for, my_combine_superstep)
    run = early_join.start({"topic": "cats"})
    run.step()
    waiting = {source for sources, _, seen in run.waiting_joins() for source in sources if source not in seen}
    steps = ran_nodes(early_join, {"topic": "cats"})
    at = next(i for i, names in enumerate(steps, 1) if "combine" in names)
    expect(set(my_waiting_for) == waiting, "which nodes run in superstep 1, and which of them are the join's "
                                           "sources? A join waits only for the sources it has not seen")
    expect(my_combine_superstep == at, "a join that has seen all its sources plans its target for the very "
                                       "next superstep: which one is that?")
    still = f"still waits for {', '.join(sorted(waiting))}" if waiting else "has seen both sources"
    return f"after superstep 1 the join {still}; combine runs in superstep {at}, beside {', '.join(n for n in steps[at - 1] if n != 'combine')}"


@exercise("Your turn 3")
def your_turn_3(voting_7: Any, my_vote_tasks: Any, my_superstep_count: Any) -> str:
    given(voting_7, my_vote_tasks, my_superstep_count)
    steps = ran_nodes(voting_7, {"input": "Write me a joke about owls"})
    votes = steps[0].count("vote")
    expect(votes == 7, f"voting_7 sent {votes} vote task(s): its function on START must return 7 Send objects")
    expect(my_vote_tasks == votes, "how many Send objects does the function on START return? Each one is a "
                                   "task of the first superstep")
    expect(my_superstep_count == len(steps), "the votes all run in one superstep; what runs after them, and "
                                             "how many supersteps is that?")
    return f"superstep 1 runs {votes} vote tasks at once, then tally: {len(steps)} supersteps"
