"""Writing to a thread from outside a run: `update_state(config, values, as_node)` and `Run.edit`.

The update is treated as if node `as_node` had returned it: it goes through the reducers, and what runs
next is what would follow that node (its edges, its conditional edges evaluated on the new state, joins).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from wfkit._sync import run_sync
from wfkit.constants import START
from wfkit.engine import algo
from wfkit.engine.algo import Outcome, Plan, Task
from wfkit.engine.resume import input_writes
from wfkit.errors import InvalidUpdateError


COPY = "__copy__"  # update_state(config, None, as_node=COPY): copy the checkpoint, as LangGraph does
INPUT = "__input__"  # update_state(config, input, as_node=INPUT): store `input` as a run's input, as LangGraph does


def copy_updates(checkpoint: Any, values: Any) -> list[tuple[Any, str | None]]:
    """The updates `update_state(config, values, as_node="__copy__")` applies to the copy, as one superstep:
    none for `values` None, else `values`' `StateUpdate(values, as_node)`s grouped by node (as LangGraph)."""
    if values is None:
        return []
    if not isinstance(values, list) or not values or not all(
            isinstance(item, (list, tuple)) and len(item) >= 2 for item in values):
        raise InvalidUpdateError(
            f"update_state(config, {values!r}, as_node='__copy__') copies checkpoint `{checkpoint.id}`: pass None to "
            "copy it as it is, or a list of StateUpdate(values, as_node) to apply to the copy as one superstep")
    updates = [(item[0], item[1]) for item in values]
    return [u for node in dict.fromkeys(n for _, n in updates) for u in updates if u[1] == node]


def copy_checkpoint(history: Any, checkpoint: Any) -> Any:
    """`update_state(config, None, as_node="__copy__")`: a sibling of `checkpoint` (same parent, same state,
    same tasks planned, none of them run: their ids are new, so interrupts ask again), source "fork", one
    step later, as in LangGraph. Its delta is the original's: replayed on the same parent, the same state."""
    return history.save(parent_id=checkpoint.parent_id, step=checkpoint.step + 1, source="fork",
                        delta=[tuple(w) for w in checkpoint.writes], plan=Plan.from_json(checkpoint.plan),
                        values=history.values_at(checkpoint))


def input_update(spec: Any, plan: Plan, updates: list) -> Plan | None:
    """The plan after an update `as_node="__input__"` on a checkpoint planning `plan`: the input superstep's
    START task carrying the input (as `invoke(input)` stores it), besides the tasks `plan` has not run yet
    (as in LangGraph); None when the updates are not one."""
    if not any(as_node == INPUT for _, as_node in updates):
        return None
    if len(updates) > 1:
        raise InvalidUpdateError(
            f"update as_node='__input__' among {len(updates)} updates of one superstep: the input goes alone in a "
            "superstep of its own: [StateUpdate(input, '__input__')]")
    if updates[0][0] is None:
        raise InvalidUpdateError(
            "update_state(config, None, as_node='__input__') has no input to store: pass the graph's input, e.g. "
            f"update_state(config, {{{next(iter(spec.input.channels), 'key')!r}: ...}}, as_node='__input__')")
    start = algo.input_plan(input_writes(spec, updates[0][0], stacklevel=6))
    return dataclasses.replace(plan, push=start.push + [p for p in plan.push if p[0] != START])  # a new input replaces one


def infer_as_node(checkpoint: Any, ran: tuple[str, ...] = ()) -> str:
    """The node an update is attributed to when none is named: the one that wrote the last superstep, or
    (none wrote) the one that ran it, `ran` (LangGraph takes the node that last ran, written or not)."""
    names = list(dict.fromkeys(w[0] for w in checkpoint.writes if w[0] != START)) or list(dict.fromkeys(ran))
    if len(names) == 1:
        return names[0]
    if not names:
        return START
    raise InvalidUpdateError(
        f"update_state cannot tell which node the update comes from (the last superstep ran "
        f"{', '.join(f'`{n}`' for n in names)}); pass as_node=<one of them>"
    )


def apply_as_node(spec: Any, checkpoint: Any, current: dict, values: Any, as_node: str | None,
                  ran: tuple[str, ...] = ()) -> tuple[dict, list, Plan]:
    """The new state, the delta to store, and the plan that follows `as_node` (by default, see
    `infer_as_node`: `ran` names the tasks of the superstep that made `checkpoint`)."""
    return apply_updates(spec, checkpoint, current, [(values, as_node)], ran)


def apply_updates(spec: Any, checkpoint: Any, current: dict, updates: list, ran: tuple[str, ...] = (),
                  written: list | None = None) -> tuple[dict, list, Plan]:
    """`apply_as_node` for several `(values, as_node)` updates at once, as the tasks of one superstep: their
    writes go through the reducers together, and what runs next follows all of them. `written`, if given,
    gets each update's `(as_node, writes)`."""
    outcomes = []
    for values, as_node in updates:
        as_node = infer_as_node(checkpoint, ran) if as_node is None else as_node
        if as_node != START and as_node not in spec.nodes:
            raise InvalidUpdateError(f"update_state(as_node={as_node!r}): no such node; known: {', '.join(spec.nodes)}")
        writes, goto = algo.writes_from_return(spec, as_node, values)
        if written is not None:
            written.append((as_node, writes))
        outcome = Outcome(Task("update", as_node, "pull", 0, None, ()), writes, [(g, "goto") for g in goto])
        outcome.routes += [(dest, "edge") for dest in spec.edges.get(as_node, ())]
        fresh = algo.replay(spec, current, [(as_node, k, v) for k, v in writes])[0]
        for branch in spec.branches.get(as_node, ()):
            view = spec.state.view(fresh)
            result = branch.path(view, {}) if branch.takes_config else branch.path(view)
            if branch.is_async:
                result = run_sync(result)
            outcome.routes += [(d, "branch") for d in branch.resolve(result)]
        outcomes.append(outcome)
    new_values, _, delta = algo.apply_writes(spec, current, outcomes)
    return new_values, delta, algo.next_plan(spec, Plan.from_json(checkpoint.plan), outcomes)


def update_task_results(spec: Any, checkpoint: Any, written: list) -> list[tuple[str, str, list]]:
    """`(task id, node, writes)` for the updates made as a node `checkpoint` planned: the nth update as it
    is the result of its nth task (as LangGraph assigns them; updates beyond its tasks are no task's)."""
    tasks: dict[str, list[str]] = {}
    for tid, name, _ in algo.plan_task_ids(checkpoint.plan, checkpoint.id, spec.node_order):
        tasks.setdefault(name, []).append(tid)
    seen: dict[str, int] = {}
    out = []
    for as_node, writes in written:
        index = seen[as_node] = seen.get(as_node, -1) + 1
        if index < len(tasks.get(as_node, ())):
            out.append((tasks[as_node][index], as_node, [list(w) for w in writes]))
    return out


def check_supersteps(supersteps: Any) -> list[list]:
    """`bulk_update_state`'s supersteps: a non-empty list of non-empty lists of `StateUpdate`s; an update
    without `as_node` only alone in its superstep, and none of them `__copy__` or `__end__`."""
    supersteps = [list(step) for step in supersteps]
    if not supersteps:
        raise ValueError("bulk_update_state(): No supersteps provided; pass a list of supersteps, each a list of "
                         "StateUpdate(values, as_node)")
    if not any(supersteps):
        raise ValueError("bulk_update_state(): No updates provided; give each superstep at least one "
                         "StateUpdate(values, as_node)")
    for number, step in enumerate(supersteps):
        for update in step:
            if update.as_node in (COPY, "__end__") and len(step) > 1:
                raise InvalidUpdateError(
                    f"bulk_update_state(): superstep {number} has an update as_node={update.as_node!r} among "
                    f"{len(step)}; such an update goes alone in a superstep of its own: [StateUpdate(None, "
                    f"{update.as_node!r})]")
            if update.as_node is None and len(step) > 1:
                raise InvalidUpdateError(
                    f"bulk_update_state(): superstep {number} has {len(step)} updates and one has no as_node, so "
                    "which node it comes from cannot be told: give each StateUpdate its as_node")
    return supersteps
