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

from wfkit.constants import join_ns
from wfkit.engine import resume
from wfkit.engine.algo import Plan
from wfkit.engine.context import TaskContext
from wfkit.engine.options import check_config, thread_key
from wfkit.engine.persist import History

STEPPED = "stepped_into"  # a subgraph's checkpoint metadata: the id of the parent's task stepped into by hand


def nested_history(graph: Any, parent: TaskContext, namespace: str) -> History | None:
    """The history `graph`, run by task `parent` under `namespace`, keeps its checkpoints in (None: none)."""
    outer = parent.loop.history if parent.loop is not None else None
    if outer is None or graph.stateless:
        return None
    saver = outer.saver  # as in LangGraph, the parent's checkpointer (and durability), even if it has one of its own
    graph.register_on(saver)
    ns = join_ns(outer.ns, namespace)
    history = History(graph.spec, saver, outer.thread_id, ns, {**outer.parents, outer.ns: parent.loop.checkpoint_id})
    # a run from a checkpoint the caller named (a replay, a fork) and the subgraphs it runs, at every depth
    history.replaying = outer.replaying if outer.ns else parent.loop.options.checkpoint_id is not None
    return history


def other_thread(config: dict | None, parent: TaskContext) -> bool:
    """Whether `config` names a thread other than the parent run's (a graph with a checkpointer of its own,
    invoked by a node with a thread of its own, keeps its checkpoints there, as a run of its own)."""
    thread = thread_key(check_config(config).get("thread_id"))
    return thread is not None and (parent.loop is None or thread != parent.loop.options.thread_id)


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
    checkpoint, named = loop.history.get(chosen), chosen is not None
    if chosen is None and loop.history.replaying and checkpoint is not None:
        checkpoint = chosen = _as_of_parent(loop.history, parent)
        if checkpoint is None:  # it had not run yet then: afresh
            resume.new_input_at(loop, input, None)
            return
    if checkpoint is None or Plan.from_json(checkpoint.plan).empty:
        if named and checkpoint is not None and checkpoint.metadata.get(STEPPED) == parent.task_id:
            loop.load(checkpoint)  # run to its end by hand (`Run.step_into`): its result, not run again
            loop.stop = loop.step + loop.options.recursion_limit
            return
        if chosen is None:
            resume.start(loop, input)
        else:
            resume.new_input_at(loop, input, checkpoint)
        return
    loop.load(checkpoint)
    if named or chosen is not None and loop.history.get().id != checkpoint.id:
        # time travel to a checkpoint of the subgraph (named: its latest too): as a replay of a thread's, a
        # new branch (a copy, source "fork") whose tasks all run again, and whose interrupts ask again,
        # answered ones too; the answers kept on the original stay there
        loop.step += 1
        loop.commit([], "fork")
    given = parent.loop.resumed_with
    waiting = {i.id for i in loop.interrupts}
    if isinstance(given, dict) and waiting.intersection(given):  # answers by interrupt id: those of its own
        loop.apply_resume({k: v for k, v in given.items() if k in waiting})
    else:  # an answer to no interrupt in particular, if the parent's task has one: the first waiting takes it
        answer = parent.take_answer(parent.task_id) if parent.take_answer is not None else []
        if answer:
            loop.apply_resume(answer[0])
    loop.skip_breakpoint_once()
    loop.stop = loop.step + loop.options.recursion_limit + 2  # as a resumed run's budget (see resume._continue)


def _as_of_parent(history: History, parent: TaskContext) -> Any:
    """In a replay of the parent's thread: the subgraph's newest checkpoint made on the parent's branch
    before this point (under a checkpoint the parent's current one descends from, and not by the tasks of
    a checkpoint the branch forked from or changed with update_state, which run again), so that the
    subgraph is as it was then; None when it had none then. Reads both histories: only replays pay."""
    outer = parent.loop.history
    by_id = {cp.id: cp for cp in outer.list()}
    branch, child = set(), None
    cp = by_id.get(parent.loop.checkpoint_id)
    while cp is not None:
        if child is None or child.source not in ("fork", "update"):  # its tasks run again on the branch
            branch.add(cp.id)
        child, cp = cp, by_id.get(cp.parent_id)
    return next((cp for cp in history.list() if cp.metadata.get("parents", {}).get(outer.ns) in branch), None)


def stepped_history(graph: Any, outer: History, checkpoint_id: str, task: Any) -> History:
    """The history of the subgraph `graph` that `task` (planned at checkpoint `checkpoint_id` of `outer`)
    runs, stepped into by hand (`Run.step_into`): where the task's own run of it would keep its checkpoints,
    each marked with the task's id, so that the task, once run, takes the result instead of running it again."""
    saver = graph.checkpointer if graph.checkpointer is not None else outer.saver
    graph.register_on(saver)
    local = task.name if graph.subgraph_only else f"{task.name}:{task.id}"
    history = History(graph.spec, saver, outer.thread_id, join_ns(outer.ns, local),
                      {**outer.parents, outer.ns: checkpoint_id})
    history.marks = {STEPPED: task.id}
    return history
