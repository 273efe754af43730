"""A `Run` on a graph built with LangGraph itself, stepped through LangGraph's public API only.

One `step()` is one `astream(None | input | Command(resume=...), <config at the run's checkpoint>,
stream_mode=["tasks", "checkpoints"], interrupt_before="*")`: with every node a breakpoint, LangGraph runs
exactly one superstep and stops, so everything recorded is what LangGraph did. The records are read back
from LangGraph's own snapshots (`get_state`: the tasks of a checkpoint with their results and interrupts;
`get_state_history`: the thread's branches), and why a task ran is worked out from the checkpoint's channel
versions the way LangGraph plans it, then said in wfkit's `Trigger`s. LangGraph is imported only here, and
only when such a graph is driven.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.metadata
import warnings
from collections.abc import Callable
from typing import Any

from wfkit._ids import new_id
from wfkit._sync import run_sync
from wfkit.engine.algo import Task
from wfkit.engine.events import (Interrupted, MessageChunk, Nested, RunFinished, StepApplied, StepCancelled, StepPlanned,
                                 TaskFinished, TaskStarted)
from wfkit.engine.loop import StepRecord
from wfkit.engine.trigger import trigger
from wfkit.errors import (ArgumentValueError, InvalidResumeError, MissingThreadError, UnsupportedFeatureError,
                          WfkitWarning)
from wfkit.stepping import Edit, Run, checkpoint_of_step
from wfkit.types import Interrupt

TESTED = ((1, 2), (1, 3))  # the LangGraph releases the adapter is tested with (pyproject.toml's extra): 1.2.x
TESTED_TEXT = "1.2.x"
STREAM_MODES = ["tasks", "checkpoints", "messages"]


def is_langgraph(graph: Any) -> bool:
    """Whether `graph` is one of LangGraph's objects (read from its classes: LangGraph is not imported)."""
    return any(cls.__module__.partition(".")[0] == "langgraph" for cls in type(graph).__mro__)


def require() -> Any:
    """LangGraph's `Pregel` class (every compiled LangGraph graph is one); warns when the installed release is
    outside the tested range."""
    try:
        from langgraph.pregel import Pregel
    except ImportError as exc:
        raise ImportError('driving a LangGraph graph needs LangGraph: pip install "wfkit[langgraph]"') from exc
    version = importlib.metadata.version("langgraph")
    if not TESTED[0] <= _release(version) < TESTED[1]:
        warnings.warn(f"LangGraph {version} is outside the releases wfkit's LangGraph adapter is tested with "
                      f"({TESTED_TEXT}); it still runs, but pin langgraph to that range if something looks off",
                      WfkitWarning, stacklevel=3)
    return Pregel


def _release(version: str) -> tuple[int, int]:
    parts = [int("".join(c for c in p if c.isdigit()) or 0) for p in version.split(".")[:2]]
    return (parts + [0, 0])[0], (parts + [0, 0])[1]


def with_checkpointer(graph: Any) -> Any:
    """`graph` itself when it has a checkpointer, else a copy with LangGraph's `InMemorySaver` (the user's
    graph is never changed)."""
    if graph.checkpointer not in (None, False, True):
        return graph
    from langgraph.checkpoint.memory import InMemorySaver

    return graph.copy({"checkpointer": InMemorySaver()})


class LangGraphRun:
    """A run of a LangGraph graph with the stepping API of `wfkit.stepping.Run`; see the module docstring."""

    def __init__(self, graph: Any, input: Any = None, config: dict | None = None):
        Pregel = require()
        if not isinstance(graph, Pregel):
            raise TypeError(f"wfkit.start(graph): `graph` is a {type(graph).__name__} from LangGraph, not a compiled "
                            f"graph: call .compile() on a StateGraph (or pass an @entrypoint function)")
        self.app = with_checkpointer(graph)
        config = dict(config or {})
        configurable = dict(config.get("configurable") or {})
        configurable.setdefault("thread_id", new_id("run"))
        config["configurable"] = configurable
        self.config = config
        before = graph.interrupt_before_nodes
        self.breakpoints: set[str] = set(self.app.nodes) - {"__start__"} if before == "*" else set(before or ())
        self.listeners: list[Callable] = []
        self.history: list[StepRecord] = []
        self.edits: list[Edit] = []
        self._branch = 0
        self._forked = False
        self._tip: str | None = None  # after back/goto: the checkpoint where the branch gone back along ends
        self._answer: Any = None
        self._snap: Any = None
        self._next: tuple[Any, list[Task]] = (None, [])  # (the snapshot, its tasks): `next`, worked out once
        self._finished: set[str] = set()  # the ids of the tasks of the superstep under way that finished
        self._sync = sync_only(self.app.checkpointer, self.config)
        if input is None:
            self._snap = self.app.get_state(config)
            if self._snap.created_at is None:  # (LangGraph's snapshot of a thread it has never seen)
                raise MissingThreadError(
                    f"thread `{self.thread_id}` has no state in the graph's checkpointer and no input was given: "
                    f"pass an input to start a run, or the thread_id of a thread that exists")
            self._load_thread()
        else:
            run_sync(self._drive(input, config))  # applies the input: LangGraph stops before the first node
            self._snap = self.app.get_state(config)

    # -- looking -------------------------------------------------------------------------------------
    def _emit(self, event: Any) -> None:
        for listener in list(self.listeners):
            listener(event)

    @property
    def next(self) -> list[Task]:
        """The tasks planned for the next superstep, with why each runs (worked out once per snapshot: the
        Debugger asks several times a step)."""
        if self._next[0] is not self._snap:
            self._next = (self._snap, self._tasks(self._snap))
        return list(self._next[1])

    @property
    def state(self) -> Any:
        """The state here, cut to the graph's output schema as wfkit's `Run.state` is."""
        values, output = self._snap.values, self.app.output_channels
        if isinstance(values, dict) and isinstance(output, list):
            return {k: v for k, v in values.items() if k in output}
        return values

    @property
    def done(self) -> bool:
        return not self._snap.next

    @property
    def status(self) -> str:
        return "done" if self.done else ("interrupted" if self.interrupts else "paused")

    @property
    def step_number(self) -> int:
        return self._snap.metadata["step"]

    @property
    def interrupts(self) -> tuple[Interrupt, ...]:
        """The interrupts that wait for an answer (none once `answer` gave them one: the next step uses it)."""
        if self._answer is not None or not self._snap.interrupts:
            return ()
        # LangGraph's snapshot lists a checkpoint's interrupts also once answered (a checkpoint gone back to):
        # those whose task has an answer stored are not waiting (stepping on replays the answer)
        stored = self.app.checkpointer.get_tuple(self._snap.config).pending_writes or []
        answered = {task_id for task_id, channel, _ in stored if channel == "__resume__"}
        return tuple(_interrupt(i) for t in self._snap.tasks if t.id not in answered for i in t.interrupts)

    @property
    def checkpoint_id(self) -> str | None:
        return self._snap.config["configurable"]["checkpoint_id"]

    @property
    def thread_id(self) -> str:
        return self.config["configurable"]["thread_id"]

    def waiting_joins(self) -> list[tuple[tuple[str, ...], str, list[str]]]:
        """Joins that have seen some of their sources. LangGraph keeps that inside its channels, which its
        public API does not show: none are listed."""
        return []

    @property
    def _thread(self) -> dict:
        return {**self.config, "configurable": {**self.config["configurable"]}}

    def _snapshots(self) -> dict[str, Any]:
        return {_id(s.config): s for s in self.app.get_state_history(self._thread)}

    def lineage(self, checkpoint_id: str | None = None) -> list[tuple[int, str]]:
        """(step, checkpoint id) from the thread's first checkpoint to the current one (or to `checkpoint_id`):
        the current branch (or that checkpoint's)."""
        snapshots, out, cid = self._snapshots(), [], checkpoint_id or self.checkpoint_id
        if cid not in snapshots:
            raise ArgumentValueError(f"no checkpoint `{cid}` in thread `{self.thread_id}`; use a record's "
                                     f"checkpoint_id")
        while cid is not None:
            snap = snapshots[cid]
            out.append((snap.metadata["step"], cid))
            cid = _id(snap.parent_config)
        return out[::-1]

    timeline = Run.timeline  # the records on the current branch, from `lineage` and `history`

    def _line(self, checkpoint_id: str | None) -> list[str]:
        """The checkpoint ids from the thread's first to `checkpoint_id`, oldest first."""
        return [cid for _, cid in self.lineage(checkpoint_id)] if checkpoint_id else []

    # going back and forward along a branch without forking: the same as wfkit's own Run's
    ahead, _keep_tip = Run.ahead, Run._keep_tip

    def forward(self) -> StepRecord | None:
        """Move to the next superstep stored on this branch (see `ahead()`) without running anything, and
        return its record; None (and the run stays) when nothing is stored ahead: `step()` runs one then."""
        ahead = self.ahead()
        if not ahead:
            return None
        record = ahead[0]
        self._snap, self._answer = self._snapshots()[record.checkpoint_id], None
        self._branch = record.branch
        self._forked = len(ahead) > 1 or self._tip != record.checkpoint_id  # stepping anew from here forks
        return record

    # -- moving --------------------------------------------------------------------------------------
    async def astep(self) -> StepRecord:
        """Have LangGraph run exactly one superstep, and return its record."""
        if self.done:
            raise InvalidResumeError("the run is finished: nothing left to step (use back()/goto() to revisit a step)")
        if self.interrupts:
            ids = ", ".join(f"`{i.id}`" for i in self.interrupts)
            raise InvalidResumeError(f"the run is paused at interrupt {ids}: answer it with run.resume(value)")
        parent = self._snap
        self._emit(StepPlanned(parent.metadata["step"] + 1, tuple(self.next)))
        # At the thread's head LangGraph goes on from it; given an older checkpoint it forks from there.
        head = self.app.get_state(self._thread).config == parent.config
        try:
            new = await self._drive(self._answer, self._thread if head else parent.config)
        except asyncio.CancelledError:  # Stop: LangGraph keeps the finished tasks' writes for the next try
            step = parent.metadata["step"] + 1
            self._emit(StepCancelled(step, tuple(t.name for t in self.next if t.id not in self._finished)))
            raise
        self._answer = None
        if new == _id(parent.config):  # no checkpoint: paused by interrupt() (LangGraph keeps the writes)
            self._snap = self.app.get_state(parent.config)
            record = self._record(self._snap, None)
            self._emit(Interrupted(record.step, record.interrupts, nodes=record.interrupted))
        else:
            self._snap = self.app.get_state({"configurable": {**parent.config["configurable"], "checkpoint_id": new}})
            record = self._record(self.app.get_state(self._snap.parent_config), self._snap)
            self._emit(StepApplied(record.step, record.values, record.updated,
                                   tuple((name, k, v) for name, writes in record.writes for k, v in writes),
                                   record.next, self._snap.config))
            if self.done:
                self._emit(RunFinished(record.step, record.values))
        self._tip = None  # a superstep run anew: what lay ahead is another branch now
        if self._forked:
            self._branch, self._forked = self._branch + 1, False
        record = dataclasses.replace(record, branch=self._branch)
        self.history.append(record)
        return record

    async def _drive(self, input: Any, config: dict) -> str | None:
        """One call of LangGraph's stream (one superstep); the id of the last checkpoint it reported. Its
        tasks, model tokens ("messages") and its subgraphs' events (as `Nested` under the parent's task) go
        to the listeners as they come. A checkpointer without async methods (LangGraph's `SqliteSaver`) is
        driven with the sync `stream`, on a thread so that the event loop stays free (its events are handed
        to the loop, so that listeners hear them there, in order; Stop cannot cut that thread short)."""
        self._finished = set()
        seen = _Seen(self._snap.metadata["step"] + 1 if self._snap is not None else -1, self._emit, self._finished)
        options = {"stream_mode": STREAM_MODES, "interrupt_before": "*", "subgraphs": True}
        if self._sync:
            loop = asyncio.get_running_loop()

            def pump() -> None:
                for item in self.app.stream(input, config, **options):
                    loop.call_soon_threadsafe(seen.take, *item)  # (before the thread's end reaches the loop)

            await asyncio.to_thread(pump)
        else:
            async for item in self.app.astream(input, config, **options):
                seen.take(*item)
        return seen.last

    # stepping on, and the sync wrappers: the same as wfkit's own Run's, on the members above
    step, arun, run, aresume, resume = Run.step, Run.arun, Run.run, Run.aresume, Run.resume

    def register_types(self, *types: type) -> None:
        """Nothing to do: LangGraph's own serializer stores the answers."""

    def answer(self, value: Any) -> None:
        """Give the pending interrupt(s) their answer (a map {id: value} when several are pending); the next
        `step()` runs LangGraph with `Command(resume=value)`."""
        from langgraph.types import Command

        self._answer = None  # (a second answer before stepping replaces the first)
        self._tip = None  # a new answer: the next superstep is not the stored one
        pending = self.interrupts
        if not pending:
            raise InvalidResumeError(f"thread `{self.thread_id}` waits at no interrupt: nothing to answer "
                                     f"(step() goes on)")
        if len(pending) > 1 and not (isinstance(value, dict) and set(value) <= {i.id for i in pending}):
            ids = ", ".join(f"`{i.id}`" for i in pending)
            raise InvalidResumeError(f"{len(pending)} interrupts wait ({ids}): answer with a map "
                                     f"{{interrupt_id: value}}")
        self._answer = Command(resume=value)

    def goto(self, step: int | None = None, *, checkpoint_id: str | None = None) -> None:
        """Return to the state after superstep `step` on the current branch (0: just after the input), or
        to any checkpoint of the thread by id."""
        snapshots = self._snapshots()
        if checkpoint_id is None:
            checkpoint_id = checkpoint_of_step(self.lineage(), step)
        if checkpoint_id not in snapshots:
            raise ValueError(f"no checkpoint `{checkpoint_id}` in thread `{self.thread_id}`; use a record's "
                             f"checkpoint_id")
        self._keep_tip(checkpoint_id)
        self._snap, self._answer, self._forked = snapshots[checkpoint_id], None, True

    def back(self, n: int = 1) -> None:
        """Go back `n` supersteps."""
        if not isinstance(n, int) or n < 0:
            raise ArgumentValueError(f"run.back(n): `n` must be an int of 0 or more, the number of supersteps to "
                                     f"go back, got {n!r}: e.g. run.back(1)")
        self.goto(max(self.step_number - n, 0))

    def subgraph_tasks(self) -> list[str]:
        """None: a LangGraph graph's subgraphs cannot be stepped into here (see `step_into`)."""
        return []

    def step_into(self, node: str | None = None) -> "LangGraphRun":
        """Refused: LangGraph runs a subgraph inside its parent's task, so the adapter cannot stop it between
        its supersteps."""
        raise UnsupportedFeatureError(
            f"run.step_into({node!r}): stepping into a subgraph is not supported for a LangGraph graph (LangGraph "
            "runs it inside its parent's task); build the graphs with wfkit.StateGraph (the same code) to step into "
            "it, or step() over the subgraph's node")

    def edit(self, values: dict, as_node: str | None = None, *, replace: bool = False) -> Edit:
        """Change the state here with LangGraph's `update_state` (a new checkpoint: stepping on forks).
        `replace`: the values replace those of their keys, past any reducer."""
        if replace:
            from langgraph.channels.binop import BinaryOperatorAggregate
            from langgraph.types import Overwrite

            channels = self.app.channels
            values = {k: Overwrite(v) if isinstance(channels.get(k), BinaryOperatorAggregate) else v
                      for k, v in values.items()}
        before = self._snap
        if as_node is None:
            config = self.app.bulk_update_state(before.config, [self._updates_keeping_next(values)])
        else:
            config = self.app.update_state(before.config, values, as_node=as_node)
        self._snap, self._answer, self._forked = self.app.get_state(config), None, True
        self._tip = None  # changed: what lay ahead is another branch now
        after = self.state
        edited = (tuple(k for k, v in after.items() if k not in before.values or before.values[k] != v)
                  if isinstance(before.values, dict) and isinstance(after, dict) else ())
        self.edits.append(Edit(self.step_number, self.checkpoint_id, _id(before.config), after, edited))
        return self.edits[-1]

    def _updates_keeping_next(self, values: dict) -> list:
        """`values` as an update by the nodes of the superstep that made the current checkpoint, so that
        what runs next stays as it was: LangGraph takes their edges and branches again, and the
        `Command(goto=...)` each returned is given again (its routes would be dropped otherwise)."""
        from langgraph.types import Command, StateUpdate

        gotos: dict[str, list[Any]] = {}
        for task in self.next:
            for why in task.triggers:
                if why.kind == "goto":
                    gotos.setdefault(why.sources[0], []).append(task.name)
        builder = getattr(self.app, "builder", None)
        for _, source, channel, value in self._routing_writes(self._snap):
            # a Send written by a node without a conditional edge came in its Command (a branch sends again)
            if channel == "__pregel_tasks" and builder is not None and not builder.branches.get(source):
                gotos.setdefault(source, []).append(value)
        nodes = list(dict.fromkeys(self._ran_before(self._snap))) or [None]
        updates = []
        for index, node in enumerate(nodes):
            update = values if index == 0 else None
            if node in gotos:
                update = Command(update=update, goto=gotos[node])
            updates.append(StateUpdate(update, node))
        return updates

    # -- records, from LangGraph's snapshots -------------------------------------------------------------
    def _load_thread(self) -> None:
        """The thread's earlier supersteps (every branch) as records, oldest first, and its edits."""
        snapshots = self._snapshots()
        children: set[str] = set()
        for snap in sorted(snapshots.values(), key=lambda s: _id(s.config)):  # ids grow with time
            parent = snapshots.get(_id(snap.parent_config))
            if parent is None:
                continue
            if _id(parent.config) in children:
                self._branch += 1
            children.add(_id(parent.config))
            if snap.metadata.get("source") == "update":
                self.edits.append(Edit(snap.metadata["step"], _id(snap.config), _id(parent.config), snap.values,
                                       tuple(k for k, v in snap.values.items() if parent.values.get(k) != v)))
            elif snap.metadata.get("source") == "loop" and snap.metadata["step"] >= 1:
                self.history.append(dataclasses.replace(self._record(parent, snap), branch=self._branch))
        if self._snap.interrupts:  # waiting at interrupt(): the superstep that paused
            self.history.append(dataclasses.replace(self._record(self._snap, None), branch=self._branch))

    def _record(self, parent: Any, child: Any | None) -> StepRecord:
        """The superstep run from snapshot `parent` that made `child` (None: it paused at interrupt())."""
        tasks = self._tasks(parent)
        results = {t.id: t.result for t in parent.tasks}
        writes = tuple((t.name, tuple(results[t.id].items()) if isinstance(results[t.id], dict) else ())
                       for t in tasks if results[t.id] is not None or child is None)
        updated = tuple(dict.fromkeys(k for _, w in writes for k, _ in w))
        if child is None:
            waiting = [(_interrupt(i), t.name) for t in parent.tasks for i in t.interrupts]
            return StepRecord(parent.metadata["step"] + 1, tuple(tasks), writes, parent.values, (), tuple(parent.next),
                              tuple(i for i, _ in waiting), None, _id(parent.config),
                              interrupted=tuple(n for _, n in waiting))
        return StepRecord(child.metadata["step"], tuple(tasks), writes, child.values, updated, tuple(child.next),
                          (), _id(child.config), _id(parent.config))

    def _tasks(self, snap: Any) -> list[Task]:
        """The tasks planned at snapshot `snap`, each with its triggers in wfkit's words."""
        if not snap.tasks:
            return []
        checkpoint = self.app.checkpointer.get_tuple(snap.config).checkpoint
        writes = self._routing_writes(snap)
        out = []
        for t in snap.tasks:
            if t.path and t.path[0] == "__pregel_push":
                out.append(Task(t.id, t.name, "push", 0, None, (trigger("send"),)))
            else:
                out.append(Task(t.id, t.name, "pull", 0, snap.values, self._why(checkpoint, t.name, writes)))
        return out

    def _superstep_parent(self, snap: Any) -> Any | None:
        """The snapshot whose superstep made checkpoint `snap` (through edits and LangGraph's fork copies)."""
        while snap.parent_config is not None:
            parent = self.app.get_state(snap.parent_config)
            if snap.metadata.get("source") not in ("update", "fork"):
                return parent
            snap = parent
        return None

    def _ran_before(self, snap: Any) -> list[str]:
        """The names of the tasks whose superstep made checkpoint `snap`."""
        parent = self._superstep_parent(snap)
        return [t.name for t in parent.tasks] if parent is not None else []

    def _routing_writes(self, snap: Any) -> list[tuple[str, str, str, Any]]:
        """(task id, task name, channel, value) of each write the superstep that made `snap` stored (LangGraph keeps a
        superstep's writes with the checkpoint it ran from): who wrote which `branch:to:` channel."""
        parent = self._superstep_parent(snap)
        if parent is None:
            return []
        names = {t.id: t.name for t in parent.tasks}
        stored = self.app.checkpointer.get_tuple(parent.config).pending_writes or []
        return [(task_id, names[task_id], channel, value) for task_id, channel, value in stored if task_id in names]

    def _why(self, checkpoint: dict, name: str, writes: list[tuple[str, str, str, Any]]) -> tuple:
        """The triggers of node `name`'s task: its trigger channels updated since it last ran (as LangGraph
        plans), said as the edge, branch, goto or join that wrote them."""
        versions, seen = checkpoint["channel_versions"], checkpoint["versions_seen"].get(name, {})
        fired = [c for c in sorted(self.app.nodes[name].triggers)
                 if c in versions and (c not in seen or versions[c] > seen[c])]
        builder = getattr(self.app, "builder", None)
        out = []
        for channel in fired:
            writers = [(task_id, source) for task_id, source, written, _ in writes if written == channel]
            if channel.startswith("join:") and builder is not None:
                # (a join's version moves with each source seen; it fires once all are: its stored value)
                seen_sources = set(checkpoint["channel_values"].get(channel) or ())
                out += [trigger("join", tuple(starts)) for starts, end in builder.waiting_edges
                        if end == name and channel == f"join:{'+'.join(starts)}:{end}" and set(starts) <= seen_sources]
            elif channel.startswith("branch:to:") and builder is not None:
                routes: dict[str, list[str]] = {}
                for task_id, source in dict.fromkeys(writers):  # (several tasks of one node: counted apart)
                    kinds = _routes(builder, source, name, writers.count((task_id, source)))
                    if len(kinds) > len(routes.get(source, ())):
                        routes[source] = kinds
                out += [trigger(kind, (source,)) for source, kinds in routes.items() for kind in kinds]
            else:
                sources = tuple(dict.fromkeys(source for _, source in writers))
                out.append(trigger("input" if channel == "__start__" else "edge", sources))
        return tuple(out)


class _Seen:
    """What one call of LangGraph's stream reports, told (`emit`) as wfkit's events of superstep `step`: tasks
    starting and finishing, model tokens, and a subgraph's events wrapped in `Nested` (one level per namespace
    part, `"<node>:<parent task id>"`: under the parent's task). `finished` gathers the run's own finished tasks."""

    def __init__(self, step: int, emit: Callable[[Any], None], finished: set[str]):
        self.step, self.emit, self.finished, self.last = step, emit, finished, None
        self.started: dict[tuple, Task] = {}

    def take(self, namespace: tuple, mode: str, data: Any) -> None:
        if mode == "checkpoints":
            if not namespace:
                self.last = _id(data["config"])
            return
        if mode == "messages":
            chunk, metadata = data
            event: Any = MessageChunk(self.step, chunk, dict(metadata))
        elif "input" in data:  # a task starts
            self.started[namespace, data["id"]] = task = Task(data["id"], data["name"], "pull", 0, data["input"], ())
            event = TaskStarted(self.step, task)
        elif (namespace, data["id"]) in self.started:
            writes = tuple(data["result"].items()) if isinstance(data["result"], dict) else ()
            interrupts = tuple(Interrupt(i["value"], i["id"], response_schema=i.get("response_schema"))
                               for i in data.get("interrupts") or ())
            event = TaskFinished(self.step, self.started[namespace, data["id"]], writes, (), data.get("error"),
                                 interrupts)
            if not namespace:
                self.finished.add(data["id"])  # (the ids of the run's own tasks that finished)
        else:
            return
        for part in reversed(namespace):
            event = Nested(self.step, part, None, event)
        self.emit(event)


def sync_only(checkpointer: Any, config: dict) -> bool:
    """Whether `checkpointer` has no async methods (LangGraph's `SqliteSaver` raises NotImplementedError)."""
    try:
        run_sync(checkpointer.aget_tuple(config))
    except NotImplementedError:
        return True
    return False


def _routes(builder: Any, source: str, target: str, count: int) -> list[str]:
    """How `source` reached `target` with `count` writes of its channel: a plain edge, its conditional
    edges that can lead there, and for the others a `Command(goto=...)`."""
    kinds = ["edge"] if (source, target) in builder.edges else []
    branches = sum(1 for b in builder.branches.get(source, {}).values() if b.ends is None or target in b.ends.values())
    kinds += ["branch"] * min(branches, count - len(kinds))
    return kinds + ["goto"] * (count - len(kinds))


def _id(config: dict | None) -> str | None:
    return config["configurable"]["checkpoint_id"] if config else None


def drawable(graph: Any, xray: bool | int = False) -> Any:
    """LangGraph's `graph.get_graph(xray=...)` as wfkit's `DrawableGraph` (conditional edges dashed, with
    their labels), so that the widgets mark it as they mark a wfkit graph."""
    from wfkit.drawing.graph import DrawableGraph, DrawEdge, DrawNode

    picture = graph.get_graph(xray=xray)
    kinds = {"__start__": "start", "__end__": "end"}
    nodes = [DrawNode(node_id, node.name if node.name != node_id else None, kinds.get(node_id, "node"))
             for node_id, node in picture.nodes.items()]
    edges = [DrawEdge(e.source, e.target, str(e.data) if e.data is not None else None, bool(e.conditional))
             for e in picture.edges]
    return DrawableGraph(nodes, edges, name=getattr(graph, "name", None) or "graph")


def _interrupt(interrupt: Any) -> Interrupt:
    """LangGraph's Interrupt as wfkit's (the same fields)."""
    return Interrupt(interrupt.value, interrupt.id, response_schema=getattr(interrupt, "response_schema", None))
