"""The superstep as pure functions: plan the tasks, turn a node's return into writes, apply the writes
through the reducers, and plan what runs next.

None of these run user code or touch I/O; the loop (`loop.py`) calls them around task execution. The
order of writes is LangGraph's: tasks triggered by edges (pull tasks) sorted by node name, then tasks
created by `Send` (push tasks) in the order they were sent.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field
from typing import Any

from wfkit.constants import END, PULL, PUSH, ROOT, START
from wfkit.engine.options import given
from wfkit.engine.spec import GraphSpec, node_key
from wfkit.engine.stored import BadDelta
from wfkit.engine.trigger import Trigger, trigger
from wfkit.errors import (GraphRecursionError, InvalidUpdateError, ParentCommand, ReducerError, UnsupportedFeatureError,
                          WfkitWarning)
from wfkit.types import OVERWRITE, Command, Overwrite, Send, model_writes, overwritten

MISSING = object()
_INPUT, _SEND, _GOTO_INPUT = Trigger("input"), Trigger("send"), Trigger("goto", (START,))


@dataclass(slots=True)
class Plan:
    """What runs in the next superstep: pull tasks (with what triggered each), push tasks (Sends), and the
    partial state of join barriers (sources seen so far). JSON-able through `to_json`."""

    pull: dict[str, list[Trigger]] = field(default_factory=dict)
    push: list[tuple[str, Any]] = field(default_factory=list)
    joins: dict[int, list[str]] = field(default_factory=dict)
    # deferred nodes triggered so far (`add_node(defer=True)`): they run once nothing else is left to run
    deferred: dict[str, list[Trigger]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.pull and not self.push

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.pull)) + tuple(node for node, _ in self.push)

    def to_json(self) -> dict:
        """Only the parts in use: most plans are a single pull."""
        out: dict = {}
        if self.pull:
            out["pull"] = {k: [t.to_json() for t in v] for k, v in self.pull.items()}
        if self.push:
            out["push"] = [[node, arg] for node, arg in self.push]
        if self.joins:
            out["joins"] = {str(k): list(v) for k, v in self.joins.items()}
        if self.deferred:
            out["deferred"] = {k: [t.to_json() for t in v] for k, v in self.deferred.items()}
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Plan":
        return cls(
            pull={k: [Trigger.of(t) for t in v] for k, v in data.get("pull", {}).items()},
            push=[(node, arg) for node, arg in data.get("push", [])],
            joins={int(k): list(v) for k, v in data.get("joins", {}).items()},
            deferred={k: [Trigger.of(t) for t in v] for k, v in data.get("deferred", {}).items()},
        )


@dataclass(slots=True, eq=True)
class Task:
    """One unit of work in a superstep: a node with its input."""

    id: str
    name: str
    kind: str  # "pull" | "push"
    index: int
    input: Any
    triggers: tuple[Trigger, ...]

    @property
    def path(self) -> tuple:
        return ("pull", self.name) if self.kind == "pull" else ("push", self.index)


@dataclass(slots=True)
class Outcome:
    """What a task produced: state writes, routes (next nodes and Sends), or an error / interrupts."""

    task: Task
    writes: list[tuple[str, Any]] = field(default_factory=list)
    routes: list[tuple[Any, str]] = field(default_factory=list)  # (node name | Send, reason)
    update: Any = None
    error: BaseException | None = None
    interrupts: tuple = ()
    unknown: list = field(default_factory=list)  # routes to names that are not nodes (warned about)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.interrupts


def initial_values(spec: GraphSpec) -> dict[str, Any]:
    """The state before any write: reducer keys start from their type's empty value (`[]`, `0`)."""
    return {key: ch.initial() for key, ch in spec.channels.items() if ch.initial is not None}


def input_plan(input_writes: dict[str, Any]) -> Plan:
    """The input superstep: one push task to START carrying the (validated) input."""
    return Plan(push=[(START, input_writes)])


def prepare_tasks(spec: GraphSpec, values: dict[str, Any], plan: Plan, checkpoint_id: str,
                  cheap_ids: bool = False) -> list[Task]:
    """The tasks of the next superstep, in write order: pull tasks by node name, then push tasks. Task ids
    are made of the checkpoint id and the task's path, the same on every rebuild (`cheap_ids`: the path
    alone, for runs that store nothing)."""
    tasks = []
    pull = plan.pull
    if pull:
        nodes = spec.nodes
        for name in sorted(pull) if len(pull) > 1 else pull:  # (the id: `task_id`'s, inlined)
            tasks.append(Task(name if cheap_ids else f"{checkpoint_id}:{name}", name, "pull", 0,
                              nodes[name].input.view(values), tuple(pull[name])))
    if plan.push:
        make_id = _cheap_id if cheap_ids else task_id
        for index, (name, arg) in enumerate(plan.push):
            trigger = _INPUT if name == START else _SEND
            tasks.append(Task(make_id(checkpoint_id, "push", index, name), name, "push", index, arg, (trigger,)))
    return tasks


def plan_with_goto(plan: Plan, goto: list) -> Plan:
    """`plan` with a Command's goto added (node names and Sends), as a Command input adds them: beside
    what was planned (a finished thread has nothing planned)."""
    pull = {k: list(v) for k, v in plan.pull.items()}
    for g in goto:
        if isinstance(g, str) and g != END:
            pull.setdefault(g, []).append(_GOTO_INPUT)
    push = list(plan.push) + [(g.node, g.arg) for g in goto if isinstance(g, Send)]
    return Plan(pull=dict(sorted(pull.items())), push=push, joins=plan.joins, deferred=plan.deferred)


def plan_task_ids(plan: dict, checkpoint_id: str, order: dict | None = None) -> list[tuple[str, str, tuple]]:
    """(id, name, path) of the tasks a stored plan (its JSON form) names, without building their inputs:
    snapshots need only these. In LangGraph's snapshot order: the Sends first, then the nodes in the order
    `order` ranks them (the graph's: the order they were added), else by name."""
    out = [(task_id(checkpoint_id, "push", index, node), node, task_path("push", index, node))
           for index, (node, _) in enumerate(plan.get("push") or ())]
    pull = plan.get("pull") or {}
    if len(pull) == 1:  # the usual case, without sorting
        name = next(iter(pull))
        out.append((f"{checkpoint_id}:{name}", name, task_path("pull", 0, name)))
    else:
        names = sorted(pull, key=lambda n: (order.get(n, len(order)), n)) if order else sorted(pull)
        out += [(task_id(checkpoint_id, "pull", name), name, task_path("pull", 0, name)) for name in names]
    return out


def task_path(kind: str, index: int, name: str) -> tuple:
    """A task's path as LangGraph shows it (snapshot tasks, `langgraph_path` metadata): `(PULL, node)` for
    a node, `(PUSH, index, False)` for the `index`-th Send of a superstep. The input (kept as a push of
    `__start__`) shows as a node, as in LangGraph."""
    return (PULL, name) if kind == "pull" or name == START else (PUSH, index, False)


def task_id(checkpoint_id: str, kind: str, *rest: Any) -> str:
    """A task's id: its checkpoint and its path (`<checkpoint>:<node>` or `<checkpoint>:send:<index>`), so
    the same task has the same id when a run resumes (pending writes and interrupts are keyed by it). Plain
    text rather than a hash: it is made for every task of every listed snapshot, and it reads well."""
    return f"{checkpoint_id}:{rest[0]}" if kind == "pull" else f"{checkpoint_id}:send:{rest[0]}"


def _cheap_id(checkpoint_id: str, kind: str, *rest: Any) -> str:
    # unique within a superstep is enough when nothing is stored: the node name, or the Send's index
    return rest[0] if kind == "pull" else f"send:{rest[0]}"


def shown_update(writes: list[tuple[str, Any]]) -> Any:
    """A task's writes as the "updates" stream shows them: a dict, or (as LangGraph) one `{key: value}` per
    write when the task wrote some key twice; None for no writes."""
    if not writes:
        return None
    shown = dict(writes)
    return shown if len(shown) == len(writes) else [{key: value} for key, value in writes]


def writes_from_return(spec: GraphSpec, node: str, returned: Any) -> tuple[list[tuple[str, Any]], list]:
    """A node's return value as (state writes, goto destinations). Keys the state lacks are dropped with a
    warning (LangGraph drops them silently)."""
    goto: list = []
    update = returned
    if returned.__class__ is not dict:  # (the usual return: a dict of writes)
        if returned.__class__ in (list, tuple) and any(isinstance(item, Command) for item in returned):
            # several updates at once (Commands among them), applied in order, as LangGraph does
            writes, goto = [], []
            for item in returned:
                more, further = writes_from_return(spec, node, item)
                writes += more
                goto += further
            return writes, goto
        if isinstance(returned, Command):
            if returned.graph == Command.PARENT:  # the subgraph stops; its parent's task returns the Command
                raise ParentCommand(node, Command(update=returned.update, goto=returned.goto))
            if returned.graph is not None:
                raise UnsupportedFeatureError(
                    f"node `{node}` returned Command(graph={returned.graph!r}); wfkit sends a Command to the graph "
                    "that runs this one as a subgraph (graph=Command.PARENT), not to a graph by name: return "
                    "Command(graph=Command.PARENT, ...) instead")
            update, goto = returned.update, [node_key(g) for g in returned.goto_list()]
        if update is None:
            return [], goto
    if spec.state.kind == "root":  # the state is this one value
        return [(ROOT, update)], goto
    if isinstance(update, dict):
        items = update.items()
    elif isinstance(update, (list, tuple)) and all(isinstance(i, tuple) and len(i) == 2 for i in update):
        items = list(update)
    elif hasattr(update, "model_fields_set"):
        items = model_writes(update)
    elif dataclasses.is_dataclass(update) and not isinstance(update, type):
        items = [(f.name, getattr(update, f.name)) for f in dataclasses.fields(update)]
    else:
        raise InvalidUpdateError(
            f"node `{node}` returned {type(update).__name__} `{update!r}`; a node must return a dict of state keys "
            f"to update (e.g. {{{next(iter(spec.channels), 'key')!r}: ...}}), a Command, or None"
        )
    writes = []
    for key, value in items:
        if key in spec.channels:
            # An Overwrite (in any of its forms) is kept as `{"__overwrite__": value}`, which is JSON: pending
            # writes and checkpoints store it as is, and a rebuild from them knows it
            if value.__class__ is Overwrite or value.__class__ is dict and 0 < len(value) <= 2:
                is_overwrite, unwrapped = overwritten(value)
                if is_overwrite:
                    value = {OVERWRITE: unwrapped}
            writes.append((key, value))
        else:
            warnings.warn(
                f"node `{node}` wrote to `{key}`, which is not a key of the state `{spec.state.name}`; the write is "
                f"ignored (as LangGraph does). Add `{key}` to the state schema to keep it.",
                WfkitWarning,
                stacklevel=2,
            )
    return writes, goto


def apply_writes(
    spec: GraphSpec, values: dict[str, Any], outcomes: list[Outcome]
) -> tuple[dict[str, Any], tuple[str, ...], list[tuple[str, str, Any]]]:
    """Apply every write of a superstep, in task order, through the reducers. Returns the new state, the
    keys updated, and the delta `(node, key, value)` as applied. Raises `InvalidUpdateError` when a key
    without a reducer gets more than one write."""
    if len(outcomes) == 1:  # a chain's superstep
        name = outcomes[0].task.name
        return replay(spec, values, [(name, key, value) for key, value in outcomes[0].writes])
    return replay(spec, values, [(o.task.name, key, value) for o in outcomes for key, value in o.writes])


def replay(
    spec: GraphSpec, values: dict[str, Any], delta: list[tuple[str, str, Any]]
) -> tuple[dict[str, Any], tuple[str, ...], list[tuple[str, str, Any]]]:
    """Apply a delta of `(node, key, value)` writes to `values`. The delta returned is the one to store:
    a write whose reducer has a `prepare` (`add_messages`: ids for new messages) is in its prepared form."""
    if spec.prepare_keys:
        delta = _prepared(spec, delta)
    if len(delta) == 1:  # the usual superstep of a chain or loop: one write, nothing to group or check
        return _replay_one(spec, values, delta)
    by_key: dict[str, list[tuple[str, Any]]] = {}
    for node, key, value in delta:
        by_key.setdefault(key, []).append((node, value))
    new = dict(values)
    for key, writes in by_key.items():
        channel = spec.channels.get(key)
        if channel is None:
            continue
        if channel.reducer is None:
            if len(writes) > 1:
                nodes = ", ".join(f"`{n}`" for n, _ in writes)
                raise InvalidUpdateError(
                    f"key `{key}` received {len(writes)} writes in one superstep (from {nodes}) but has no reducer; "
                    f"declare it as `{key}: Annotated[<type>, <reducer>]` (e.g. operator.add) to merge them, or "
                    "let only one node write it per superstep"
                )
            is_overwrite, unwrapped = overwritten(writes[0][1])
            new[key] = unwrapped if is_overwrite else writes[0][1]
        else:
            current, by = new.get(key, MISSING), None
            for node, value in writes:
                is_overwrite, unwrapped = overwritten(value)
                if is_overwrite:
                    if by is not None:
                        raise InvalidUpdateError(
                            f"key `{key}` received two Overwrite values in one superstep (from `{by}` and "
                            f"`{node}`); at most one node may overwrite a key per superstep")
                    current, by = unwrapped, node
                elif by is None:  # after an Overwrite, the superstep's other writes to the key are dropped
                    try:
                        current = value if current is MISSING else channel.reducer(current, value)
                    except TypeError as error:
                        raise _reducer_error(key, channel.reducer, current, node, value) from error
            new[key] = current
    return new, tuple(by_key), delta


def _replay_one(spec: GraphSpec, values: dict[str, Any], delta: list[tuple[str, str, Any]]
                ) -> tuple[dict[str, Any], tuple[str, ...], list[tuple[str, str, Any]]]:
    """`replay` of a delta of one write (what it does for a key with a single write, without the grouping)."""
    node, key, value = delta[0]
    new = dict(values)
    channel = spec.channels.get(key)
    if channel is not None:
        cls = value.__class__
        is_overwrite, unwrapped = overwritten(value) if cls is Overwrite or cls is dict else (False, None)
        if is_overwrite:
            new[key] = unwrapped
        elif channel.reducer is None:
            new[key] = value
        else:
            current = new.get(key, MISSING)
            try:
                new[key] = value if current is MISSING else channel.reducer(current, value)
            except TypeError as error:
                raise _reducer_error(key, channel.reducer, current, node, value) from error
    return new, (key,), delta


def _reducer_error(key: str, reducer: Any, current: Any, node: str, value: Any) -> ReducerError:
    """The error for a write the reducer of `key` refused with a TypeError (`operator.add` given an int for a
    list key): it names the key, the reducer, the writer and what the reducer expected."""
    name = getattr(reducer, "__qualname__", None) or repr(reducer)
    if getattr(reducer, "__module__", None) in ("operator", "_operator"):
        name = f"operator.{name}"
    kind = type(current).__name__
    example = f", e.g. {{{key!r}: [{value!r}]}}" if isinstance(current, list) and len(repr(value)) <= 40 else ""
    writer = "the input" if node == START else f"node `{node}`"
    return ReducerError(f"{writer} wrote {given(value)} to key `{key}`, whose reducer `{name}` expected a {kind} "
                        f"(like the key's current value) and raised TypeError; write a {kind}{example}")


def _prepared(spec: GraphSpec, delta: list[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
    out = None
    channels = spec.channels
    for i, (node, key, value) in enumerate(delta):
        channel = channels.get(key)
        prepare = getattr(channel.reducer, "prepare", None) if channel is not None else None
        if prepare is not None and not overwritten(value)[0]:
            ready = prepare(value)
            if ready is not value:
                if out is None:
                    out = list(delta)
                out[i] = (node, key, ready)
    return delta if out is None else out


def replay_stored(spec: GraphSpec, values: dict[str, Any], delta: Any) -> dict[str, Any]:
    """Apply a stored delta (already checked when it was first applied) to `values`: the lean loop used to
    rebuild states from checkpoints, without `replay`'s grouping and conflict checks. A write its reducer
    refuses raises `BadDelta`."""
    new = dict(values)
    channels = spec.channels
    overwritten_keys: set[str] = set()  # later writes to these keys in this delta are dropped
    added = False
    for _, key, value in delta:
        channel = channels.get(key)
        if channel is None:
            continue
        added = added or key not in new
        is_overwrite, unwrapped = overwritten(value)
        if is_overwrite:
            new[key] = unwrapped
            overwritten_keys.add(key)
        elif channel.reducer is None:
            new[key] = value
        elif key not in overwritten_keys:
            current = new.get(key, MISSING)
            try:
                new[key] = value if current is MISSING else channel.reducer(current, value)
            except Exception as e:  # a write no run made (a damaged row): named by the caller
                raise BadDelta(0, key, value, e) from e
    if added:  # keys in schema order, as get_state gives them (and LangGraph's history)
        new = {k: new[k] for k in channels if k in new} | {k: v for k, v in new.items() if k not in channels}
    return new


def next_plan(spec: GraphSpec, plan: Plan, outcomes: list[Outcome]) -> Plan:
    """What the finished superstep triggers: nodes its tasks routed to, Sends, and joins now complete."""
    pull: dict[str, list[str]] = {}
    push: list[tuple[str, Any]] = []
    joins = {k: list(v) for k, v in plan.joins.items()} if plan.joins else {}
    nodes, joins_by_source = spec.nodes, spec.joins_by_source
    for outcome in outcomes:
        source = outcome.task.name
        for dest, reason in outcome.routes:
            if dest.__class__ is str:
                if dest in nodes:
                    pull.setdefault(dest, []).append(trigger(reason, (source,)))
            elif isinstance(dest, Send):
                push.append((dest.node, dest.arg))
        if joins_by_source and source in joins_by_source:
            for index in joins_by_source[source]:
                seen = joins.setdefault(index, [])
                if source not in seen:
                    seen.append(source)
    if joins:
        for index, seen in list(joins.items()):
            join = spec.joins[index]
            if set(join.sources) <= set(seen):
                if join.target != END:  # a join into END just lets the run finish
                    pull.setdefault(join.target, []).append(trigger("join", join.sources))
                del joins[index]
    deferred = plan.deferred
    if deferred or spec.deferring:
        pull, deferred = _hold_deferred(spec, pull, push, deferred)
    if len(pull) > 1:
        pull = dict(sorted(pull.items()))
    return Plan(pull=pull, push=push, joins=joins, deferred=deferred)


def _hold_deferred(spec: GraphSpec, pull: dict, push: list, held: dict) -> tuple[dict, dict]:
    """Deferred nodes wait, with their triggers, while anything else is planned; when nothing is, they all
    run (once each, however often they were triggered), as LangGraph's `defer=True`."""
    if not held and not any(spec.nodes[name].defer for name in pull):
        return pull, held
    deferred = {k: list(v) for k, v in held.items()}
    for name in [n for n in pull if spec.nodes[n].defer]:
        deferred.setdefault(name, []).extend(pull.pop(name))
    if pull or push:
        return pull, deferred
    return deferred, {}


def unknown_destinations(spec: GraphSpec, routes: list) -> list[str]:
    """Route targets (from branches and gotos) that are not nodes of the graph."""
    nodes = spec.nodes
    return [d for d, _ in routes if d.__class__ is str and d not in nodes and d != END] + [
        d.node for d, _ in routes if isinstance(d, Send) and d.node not in nodes
    ]


def known_destinations(spec: GraphSpec, goto: list) -> list:
    """The gotos (node names, END, Sends) that name a node of the graph: what a Command input keeps."""
    nodes = spec.nodes
    return [g for g in goto if (g in nodes or g == END if isinstance(g, str) else g.node in nodes)]


def check_recursion(step: int, stop: int, limit: int) -> None:
    """Superstep `step` may run only up to `stop`, the last one the run's `recursion_limit` allows."""
    if step > stop:
        raise GraphRecursionError(
            f"recursion limit of {limit} supersteps reached without reaching END; if the graph really needs "
            f"more steps, raise it with config={{'recursion_limit': {max(limit * 2, 50)}}} (and check for a loop "
            "whose exit condition never holds)"
        )


def stalled_joins(spec: GraphSpec, plan: Plan) -> list[str]:
    """Joins that saw some of their sources when the run ended: they can never fire now."""
    out = []
    for index, seen in plan.joins.items():
        join = spec.joins[index]
        missing = [s for s in join.sources if s not in seen]
        out.append(
            f"the join add_edge({list(join.sources)!r}, {join.target!r}) never fired: it saw "
            f"{', '.join(f'`{s}`' for s in seen)} but not {', '.join(f'`{s}`' for s in missing)} before the run ended"
        )
    return out


def state_values(spec: GraphSpec, values: dict[str, Any]) -> Any:
    """The whole state as LangGraph's "values" stream, snapshots and debug events show it: every key of the
    graph (the state schema's, then those only the input, output or a node's schema has), whatever the
    output schema keeps (only `invoke`'s result is cut to it)."""
    if spec.output_key is not None:  # the functional API: the entrypoint's return value itself
        return values.get(spec.output_key)
    return {k: values[k] for k in spec.channels if k in values}


def output_values(spec: GraphSpec, values: dict[str, Any]) -> Any:
    if spec.output_key is not None:  # the functional API: the entrypoint's return value itself
        return values.get(spec.output_key)
    return {k: values[k] for k in spec.output.channels if k in values}
