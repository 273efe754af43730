"""Reading and changing a subgraph's own checkpoints (see `engine.nested`) from its parent graph, as LangGraph
does: a config whose `checkpoint_ns` names a subgraph (`"<node>:<task id>"`, levels joined by "|") reads and
writes that subgraph's history, and `get_state(config, subgraphs=True)` shows, in each task that runs a
subgraph, the subgraph's snapshot (without: the config that names it).
"""

from __future__ import annotations

from typing import Any

from wfkit.constants import NS_LEVEL, join_ns
from wfkit.engine.persist import History
from wfkit.errors import CheckpointError, SubgraphNotFoundError
from wfkit.graph.subgraph_lookup import declared_subgraph
from wfkit.types import StateSnapshot


def graph_at(graph: Any, ns: str, writing: bool = False) -> Any:
    """The compiled graph whose checkpoints `ns` names, found from `graph` down the subgraphs its nodes
    declare, as LangGraph finds them (added as nodes, or reached by a node's function through a name it
    closes over or reads as a global: see `subgraph_lookup`; not a graph it picks from a dict at run time).
    A namespace naming no declared subgraph is read with the deepest graph found (LangGraph's rule: the state
    a node's undeclared subgraph kept reads with its parent's schema), but not written: `SubgraphNotFoundError`."""
    path = []
    for part in ns.split(NS_LEVEL):
        if part.isdigit():  # "...|<n>": the n-th further graph a node ran (as a stream names it)
            continue
        node = part.split(":", 1)[0]
        path.append(node)
        sub = declared_subgraph(graph, node)
        if sub is None:
            if not writing:
                return graph
            known = ", ".join(f"`{n}`" for n in graph.spec.nodes if declared_subgraph(graph, n)) or "none"
            raise SubgraphNotFoundError(
                f"Subgraph {NS_LEVEL.join(path)} not found: checkpoint_ns `{ns}` names node `{node}`, which runs no "
                f"subgraph that graph `{graph.name}` declares (nodes that do: {known}), so its state cannot be "
                "written with the right schema; add the subgraph as a node (add_node(name, compiled_subgraph)), or "
                "let the node's function reach it by a name it closes over or a global (not through a dict)")
        graph = sub
    return graph


def history_at(graph: Any, history: History, ns: str, writing: bool = False) -> History:
    """The history of the subgraph `ns` names in the thread of `history` (its parent's)."""
    sub = graph_at(graph, ns, writing)
    saver = sub.checkpointer if sub.checkpointer is not None else history.saver
    sub.register_on(saver)
    return History(sub.spec, saver, history.thread_id, ns)


def parent_run_config(history: History, config: dict) -> dict:
    """A run's config naming a subgraph's checkpoint (a config from a subgraph's snapshot, or update_state on
    one), made the parent's: the parent goes on from the checkpoint the subgraph's was made under, and the
    subgraph from its own (`checkpoint_map`, by namespace, as LangGraph's configs carry it). `history`: the
    subgraph's, that config names."""
    configurable = config["configurable"]
    ns, checkpoint_id = configurable["checkpoint_ns"], configurable.get("checkpoint_id")
    checkpoint = history.get(checkpoint_id)
    if checkpoint is None:
        raise CheckpointError(
            f"thread `{history.thread_id}` has no checkpoint `{checkpoint_id}` in subgraph namespace `{ns}`; pick "
            "one from get_state_history(config) on a config naming that checkpoint_ns")
    parents = checkpoint.metadata.get("parents") or {}
    return {**config, "configurable": {**configurable, "checkpoint_ns": "", "checkpoint_id": parents.get(""),
                                       "checkpoint_map": {**parents, ns: checkpoint.id}}}


def with_subgraph_states(history: History, snapshot: StateSnapshot, recurse: bool, snapshots: Any) -> StateSnapshot:
    """`snapshot` whose tasks that run a subgraph show its state: its snapshot (`recurse`, with theirs in
    turn) when it has a checkpoint, else the config naming it. `snapshots(history)`: a `Snapshots`."""
    subgraphs = history.spec.subgraphs
    tasks = []
    for task in snapshot.tasks:
        sub = subgraphs.get(task.name)
        if sub is not None:
            local = task.name if sub.subgraph_only else f"{task.name}:{task.id}"
            ns = join_ns(history.ns, local)
            state: Any = {"configurable": {"thread_id": history.thread_id, "checkpoint_ns": ns}}
            if recurse:
                saver = sub.checkpointer if sub.checkpointer is not None else history.saver
                inner = History(sub.spec, saver, history.thread_id, ns)
                found = snapshots(inner).current(None)
                if found is not None:
                    state = with_subgraph_states(inner, found, True, snapshots) if sub.spec.subgraphs else found
            task = task._replace(state=state)
        tasks.append(task)
    return snapshot._replace(tasks=tuple(tasks))
