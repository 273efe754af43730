"""A subgraph's own checkpoints: where a graph run from a parent's task keeps them, and where it starts.

As in LangGraph, a subgraph (a compiled graph added as a node, or invoked by a node's code) of a run that
keeps checkpoints keeps its own, in the parent's thread under a `checkpoint_ns`: `"<node>:<task id>"` for a
subgraph compiled with checkpointer=None (one history per parent task: a resume of that task finds it again,
so the subgraph goes on where it stopped; the next task starts afresh), `"<node>"` for one compiled with
checkpointer=True (one per thread: its state accumulates across calls), the levels of a deeper subgraph
joined by "|". One compiled with checkpointer=False keeps none, nor does any subgraph of a run without a
checkpointer: it runs again from its start when its parent's task does. The saver stores a subgraph's
checkpoints as a thread of their own (`nested_key`). Nothing here runs for a graph that has no subgraph.
"""

from __future__ import annotations

from typing import Any

from wfkit.engine import resume
from wfkit.engine.algo import Plan
from wfkit.engine.context import TaskContext
from wfkit.engine.persist import History


def nested_history(graph: Any, parent: TaskContext, namespace: str) -> History | None:
    """The history `graph`, run by task `parent` under `namespace`, keeps its checkpoints in (None: none)."""
    outer = parent.loop.history if parent.loop is not None else None
    if outer is None or graph.stateless:
        return None
    saver = graph.checkpointer if graph.checkpointer is not None else outer.saver
    graph.register_on(saver)
    ns = f"{outer.ns}|{namespace}" if outer.ns else namespace
    return History(graph.spec, saver, outer.thread_id, ns, {**outer.parents, outer.ns: parent.loop.checkpoint_id})


def config_for(history: History, parent: TaskContext) -> dict:
    """The `configurable` of a subgraph's run: its thread and namespace, and the checkpoints a run from a
    subgraph's checkpoint goes on from, by namespace (`checkpoint_map`, from the top run's config)."""
    configurable = {"thread_id": history.thread_id, "checkpoint_ns": history.ns}
    chosen = (parent.loop.options.config.get("configurable") or {}).get("checkpoint_map")
    if chosen:
        configurable["checkpoint_map"] = chosen
    return configurable


def start(loop: Any, input: Any, parent: TaskContext) -> None:
    """Set up the run of a subgraph that keeps checkpoints: where it stopped, if its latest checkpoint (or the
    one the run's `checkpoint_map` names for it) still plans work (it paused at an interrupt or a breakpoint,
    or failed), with the answers its parent's task was just given; else `input` after it (if any) as a new
    input."""
    # (used once: a graph the run calls again under this namespace goes on from its latest checkpoint)
    chosen = loop.options.config["configurable"].get("checkpoint_map", {}).pop(loop.history.ns, None)
    checkpoint = loop.history.get(chosen)
    if checkpoint is None or Plan.from_json(checkpoint.plan).empty:
        resume.start(loop, input)
        return
    loop.load(checkpoint)
    if chosen is not None and loop.history.get().id != checkpoint.id:
        # time travel to an earlier checkpoint of the subgraph: as a replay of a thread's, a new branch (a
        # copy, source "fork") whose tasks all run again, and whose interrupts ask again
        loop.step += 1
        loop.commit([], "fork")
    answers = _fresh_answers(parent)
    if answers and loop.interrupts:  # to the waiting interrupts in their order (most often one to one)
        loop.apply_resume(dict(zip((i.id for i in loop.interrupts), answers)))
    elif answers:  # none waits (update_state on the subgraph, a breakpoint): the first interrupt() takes it
        loop.apply_resume(answers[0])
    loop.skip_breakpoint_once()
    loop.stop = loop.step + loop.options.recursion_limit + 2  # as a resumed run's budget (see resume._continue)


def _fresh_answers(parent: TaskContext) -> list:
    """The answers the parent's task was given by this resume (the older ones the subgraph has used and
    kept): those given by interrupt id, else the one given to no interrupt in particular."""
    given = parent.loop.answers.unsaved.get(parent.task_id)
    if given:
        return list(given)
    return parent.take_answer(parent.task_id) if parent.take_answer is not None else []
