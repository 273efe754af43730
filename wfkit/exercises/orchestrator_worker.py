"""Checks of notebook 05 (orchestrator-worker): the Send tasks of a plan, and the supersteps they take."""

from __future__ import annotations

from typing import Any

from wfkit.exercises import expect, exercise, given, ran_nodes


@exercise("Your turn 1")
def your_turn_1(my_topic: Any, my_task_count: Any, my_last_section: Any, orchestrator_worker: Any) -> str:
    given(my_topic, my_task_count, my_last_section)
    probe = orchestrator_worker.start({"topic": f"Create a report on {my_topic}"})
    probe.step()
    sends = [t for t in probe.next if t.name == "llm_call"]
    expect(len(sends) == 5, f"the plan for {my_topic!r} has {len(sends)} sections, not 5: how does the "
                            "planner decide how many sections to write?")
    expect(my_task_count == len(sends), "each section of the plan gets one Send, and each Send is one task")
    last = sends[-1].input["section"].name
    expect(my_last_section == last, "not the last one: step a run once and read `run.next`: each task's "
                                    "input holds the section it writes")
    return f"5 workers, the last one writes {last!r}"


@exercise("Your turn 2")
def your_turn_2(my_superstep_count: Any, my_synthesizer_runs: Any, orchestrator_worker: Any) -> str:
    given(my_superstep_count, my_synthesizer_runs)
    steps = ran_nodes(orchestrator_worker, {"topic": "Create a report on LLM scaling laws"})
    runs = sum(step.count("synthesizer") for step in steps)
    expect(my_synthesizer_runs == runs, "all the workers finish in the same superstep: how many tasks does "
                                        "the edge llm_call → synthesizer plan then?")
    expect(my_superstep_count == len(steps), "count the supersteps that run nodes: the planner, then all the "
                                             "workers at once, then ...?")
    return (f"{len(steps)} supersteps: orchestrator, {steps[1].count('llm_call')} workers at once, then "
            f"synthesizer once")
