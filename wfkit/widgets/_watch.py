"""What the debugger learns from the engine's events: the event log's lines, the tasks running right now,
which node raised each interrupt, and which tasks failed in the superstep under way.

`Watcher.add(event)` must be called on one thread (the debugger hands events from worker threads over
first); it never touches a widget, so it is tested by feeding it events.
"""

from __future__ import annotations

import dataclasses

from collections import OrderedDict

from wfkit.constants import START
from wfkit.engine.events import (CustomWrite, Interrupted, MessageChunk, ModelCalled, Nested, RunFinished,
                                 StepApplied, StepCancelled, StepPlanned, TaskFinished, TaskStarted)
from wfkit.widgets._format import short

LOG_LIMIT = 500  # lines kept; older ones are dropped (a long run would otherwise grow the widget forever)
CALLS_LIMIT = 1000  # tasks whose model calls are kept for the inspector


class Watcher:
    """Consumes events; see the module docstring."""

    def __init__(self, functional: bool = False) -> None:
        self.functional = functional  # an entrypoint: its node returns a value rather than writing keys
        self.lines: list[str] = []
        self.running: dict[str, str] = {}  # task id -> node name, in start order
        self.interrupt_nodes: dict[str, str] = {}  # interrupt id -> node that raised it
        self.failures: list[tuple[str, BaseException]] = []  # (node, error) in the superstep under way
        self.planned: tuple[str, ...] = ()  # nodes of the superstep under way
        self.chunks = 0  # model-output chunks folded into the log's last line
        self.cancelled: tuple[str, ...] = ()  # tasks of the last cancelled superstep that will run again
        self.model_calls: OrderedDict[str, list[ModelCalled]] = OrderedDict()  # task id -> its model calls

    def note(self, text: str) -> None:
        """A line for something the debugger itself did (back, edit, answer...)."""
        self._append(text)

    def add(self, event) -> None:
        if isinstance(event, Nested):
            event = _from_subgraph(event)
            if event is None:
                return
        if isinstance(event, MessageChunk):
            self._chunk(event)
            return
        self.chunks = 0
        if isinstance(event, StepPlanned):
            self.planned = tuple(t.name for t in event.tasks if t.name != START)
            self.failures = []
            self.running = {}
            self._append(f"step {event.step} planned: {', '.join(self.planned) or '(nothing)'}")
        elif isinstance(event, TaskStarted):
            self.running[event.task.id] = event.task.name
            if _is_call(event.task):
                self._append(f"step {event.step} called {call_text(event.task)}")
            else:
                self._append(f"step {event.step} started {event.task.name}")
        elif isinstance(event, TaskFinished):
            self._finished(event)
        elif isinstance(event, StepApplied):
            self.running = {}
            updated = "" if self.functional else f" updated {', '.join(event.updated) or 'nothing'};"
            self._append(f"step {event.step} applied:{updated} next {', '.join(event.next) or 'END'}")
        elif isinstance(event, Interrupted):
            self.running = {}
            if event.reason == "interrupt":
                self._append(f"step {event.step} interrupted by {', '.join(event.nodes)}: "
                             f"{len(event.interrupts)} pending")
            else:
                self._append(f"step {event.step} stopped at a breakpoint ({event.reason}) on {', '.join(event.nodes)}")
        elif isinstance(event, StepCancelled):
            self.running, self.cancelled = {}, event.unfinished
            again = ", ".join(event.unfinished) or "nothing"
            self._append(f"step {event.step} cancelled (Stop); nothing applied; will run again: {again}")
        elif isinstance(event, CustomWrite):
            self._append(f"step {event.step} {event.node} wrote {short(event.value, 60)}")
        elif isinstance(event, ModelCalled):
            self._model_called(event)
        elif isinstance(event, RunFinished):
            self._append(f"run finished after step {event.step}")

    def _finished(self, event: TaskFinished) -> None:
        name = event.task.name
        self.running.pop(event.task.id, None)
        if _is_call(event.task):  # a @task call inside an entrypoint: it returns a value, writes no state
            outcome = (f"failed: {type(event.error).__name__}: {event.error}" if event.error is not None
                       else f"returned {short(event.update, 60)}")
            self._append(f"step {event.step} {call_text(event.task)} {outcome}")
        elif event.error is not None:
            self.failures.append((name, event.error))
            self._append(f"step {event.step} {name} failed: {type(event.error).__name__}: {event.error}")
        elif event.interrupts:
            for interrupt in event.interrupts:
                self.interrupt_nodes[interrupt.id] = name
            self._append(f"step {event.step} {name} interrupted: {short(event.interrupts[0].value, 60)}")
        elif self.functional and name != START:
            self._append(f"step {event.step} {name} returned {short(event.update, 60)}")
        elif name != START:
            keys = ", ".join(dict.fromkeys(key for key, _ in event.writes)) or "nothing"
            self._append(f"step {event.step} finished {name}{' (kept from before)' if event.cached else ''}: "
                         f"wrote {keys}")

    def _model_called(self, event: ModelCalled) -> None:
        calls = self.model_calls.setdefault(event.task_id, [])
        if len(calls) < 50:  # a node that loops over a model keeps its first 50 calls for the inspector
            calls.append(event)
        self.model_calls.move_to_end(event.task_id)
        if len(self.model_calls) > CALLS_LIMIT:
            self.model_calls.popitem(last=False)
        because = f" because {event.reason}" if event.reason else ""
        said = event.said if len(event.said) <= 60 else event.said[:59] + "…"
        self._append(f"step {event.step} {event.node} model replied {said}{because}")

    def _chunk(self, event: MessageChunk) -> None:
        # Model tokens arrive by the hundred: fold consecutive chunks into one line that counts them.
        self.chunks += 1
        node = event.metadata.get("langgraph_node", "") if isinstance(event.metadata, dict) else ""
        text = f"step {event.step} {node + ' ' if node else ''}model output: {self.chunks} chunk(s)"
        if self.chunks > 1 and self.lines:
            self.lines[-1] = text
        else:
            self._append(text)

    def _append(self, text: str) -> None:
        self.lines.append(text)
        if len(self.lines) > LOG_LIMIT:
            del self.lines[: len(self.lines) - LOG_LIMIT]

    def running_text(self) -> str:
        names = list(self.running.values())
        return f"running: {', '.join(names)}" if names else ""


def _is_call(task) -> bool:
    return any(getattr(t, "kind", t) == "call" for t in task.triggers)


def call_text(task) -> str:
    """A `@task` call as it was written: `name(1, 'x', key=2)`, long arguments shortened."""
    args, kwargs = task.input if isinstance(task.input, tuple) and len(task.input) == 2 else ((), {})
    shown = [short(a, 30) for a in args] + [f"{k}={short(v, 30)}" for k, v in kwargs.items()]
    return f"{task.name}({', '.join(shown)})"


def _from_subgraph(event: Nested):
    """A subgraph's token or custom write as the parent's (its superstep, the node as `sub › inner`); None
    for the subgraph's other events, which the timeline does not show."""
    path = []
    outer_step = event.step
    while isinstance(event, Nested):
        path.append(event.namespace.split(":", 1)[0])
        event = event.event
    if isinstance(event, CustomWrite):
        return dataclasses.replace(event, step=outer_step, node=" › ".join([*path, event.node]))
    if isinstance(event, MessageChunk):
        return dataclasses.replace(event, step=outer_step)
    return None
