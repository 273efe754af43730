"""Build a description (see gen.py) on wfkit or on LangGraph, run it every way, and record what was seen.

`observe(desc, backend)` returns a dict of aspects -> plain, comparable data: "compile", "invoke",
"updates", "values", "multi" (stream_mode=["updates", "values"]), "history", "debug" (the first run's debug events) and "break" (which nodes ran
when the consumer stopped after the first chunk). Each run aspect is a list of segments, one per call
(the first with the input, then one per resume): the chunks it streamed in order, its outcome (the value
or the error's kind in a vocabulary common to both backends) and get_state's values and next.
Interrupt ids and checkpoint ids are dropped (each backend makes its own); everything else is kept,
including dict key order and tuple-versus-list. One thing is not kept: the order of the "updates" chunks
of tasks that ran in the same superstep, because LangGraph streams them as its threads finish (about 1 run
in 200 of a three-task superstep comes out in another order); "multi" keeps the order across supersteps.
"""

from __future__ import annotations

import operator
import time
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Callable, TypedDict

MAX_RESUMES = 3
# A graph whose Sends or edges fan out in a loop does exponential work (three Sends back to their sender
# run 3**k tasks in superstep k): past this many node calls in one `observe`, every node raises and the
# graph is reported as too much work, on both backends, instead of running for hours.
WORK_BUDGET = 4000
_work = [0]


class TooMuchWork(Exception):
    pass
MODES = {"updates": "updates", "values": "values", "multi": ["updates", "values"]}


@dataclass(frozen=True)
class Backend:
    name: str
    StateGraph: Any
    START: str
    END: str
    Send: Any
    Command: Any
    Interrupt: Any
    interrupt: Callable
    InMemorySaver: Any


def wfkit_backend() -> Backend:
    import wfkit

    return Backend("wfkit", wfkit.StateGraph, wfkit.START, wfkit.END, wfkit.Send, wfkit.Command,
                   wfkit.Interrupt, wfkit.interrupt, wfkit.InMemorySaver)


def langgraph_backend() -> Backend:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Command, Interrupt, Send, interrupt

    return Backend("langgraph", StateGraph, START, END, Send, Command, Interrupt, interrupt, InMemorySaver)


def concat(left: str, right: str) -> str:
    """The custom reducer: order-sensitive, so the order writes are applied in shows."""
    return left + right


class State(TypedDict, total=False):
    trace: Annotated[list, operator.add]
    last: str
    joined: Annotated[str, concat]


class TraceOnly(TypedDict):
    trace: Annotated[list, operator.add]


# ---- errors in a common vocabulary -------------------------------------------------------------------
_BUILTINS = (RecursionError, ValueError, KeyError, TypeError, NotImplementedError, RuntimeError, LookupError)


def error_kind(error: BaseException) -> str:
    """`GraphRecursionError` and `InvalidUpdateError` by name; anything else by its first built-in base."""
    name = type(error).__name__
    if name in ("GraphRecursionError", "InvalidUpdateError"):
        return name
    for base in _BUILTINS:
        if isinstance(error, base):
            return base.__name__
    return "Exception"


# ---- normalising values ------------------------------------------------------------------------------
def norm(value: Any, B: Backend) -> Any:
    """Comparable plain data: dicts keep their key order (as a tuple of pairs), tuples stay tuples."""
    if isinstance(value, dict):
        return ("dict", tuple((k, _interrupts(v, B) if k == "__interrupt__" else norm(v, B))
                              for k, v in value.items()))
    if isinstance(value, tuple):
        return ("tuple", tuple(norm(v, B) for v in value))
    if isinstance(value, list):
        return [norm(v, B) for v in value]
    if isinstance(value, B.Interrupt):
        return ("Interrupt", norm(value.value, B))
    if isinstance(value, B.Send):
        return ("Send", value.node, norm(value.arg, B))
    if isinstance(value, B.Command):
        return ("Command", norm(value.update, B), norm(value.goto, B), norm(value.resume, B))
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return ("object", type(value).__name__)


def _interrupts(value, B: Backend):
    """Several interrupts of one superstep come in the order LangGraph's threads finished: sort them."""
    seq = norm(value, B)
    if isinstance(seq, tuple):
        return ("tuple", tuple(sorted(seq[1], key=repr)))
    return sorted(seq, key=repr)


# ---- building ----------------------------------------------------------------------------------------
def _pick(choice: dict, trace: list, B: Backend, label: Callable[[str], str] = str):
    targets = choice["targets"]
    if choice["mode"] == "one":
        return label(targets[len(trace) % len(targets)])
    if choice["mode"] == "all":
        return [label(t) for t in targets]
    return [B.Send(t, {"trace": [f"to-{t}"]}) for t in targets]


def _node(name: str, spec: dict, B: Backend, log: list):
    def node(state):
        _work[0] += 1
        if _work[0] > WORK_BUDGET:
            raise TooMuchWork(f"more than {WORK_BUDGET} node calls")
        log.append(name)
        trace = state.get("trace", [])
        tag = f"{name}{len(trace)}"
        if spec["interrupt"]:
            tag += f"={B.interrupt(f'q-{name}')}"
        if spec["returns_none"]:
            return None
        update = {"trace": [tag]}
        if "last" in spec["writes"]:
            update["last"] = tag
        if "joined" in spec["writes"]:
            update["joined"] = name
        command = spec["command"]
        if command:
            return B.Command(update=update if command["update"] else None, goto=_pick(command, trace, B))
        return update

    node.__name__ = name
    return node


def _end(name: str, B: Backend) -> str:
    return B.END if name == "__end__" else B.START if name == "__start__" else name


def _router(router: dict, B: Backend, index: int):
    choice = dict(router, targets=[_end(t, B) for t in router["targets"]])
    label = (lambda t: f"to-{t}") if router["path_map"] == "dict" else str

    def route(state):
        return _pick(choice, state.get("trace", []), B, label)

    route.__name__ = f"route{index}"  # LangGraph names a branch after its function: one name per router

    if router["path_map"] == "dict":
        return route, {f"to-{t}": t for t in choice["targets"]}
    if router["path_map"] == "list":
        return route, list(choice["targets"])
    return route, "x" if router["path_map"] == "str" else None


def build(desc: dict, B: Backend, log: list):
    """The uncompiled builder and the compile arguments of `desc` on backend `B`."""
    builder = B.StateGraph(State, output_schema=TraceOnly) if desc.get("output") else B.StateGraph(State)
    for name, spec in desc["nodes"].items():
        builder.add_node(name, _node(name, spec, B, log))
    for src, dst in desc["edges"]:
        builder.add_edge(_end(src, B), _end(dst, B))
    for sources, dst in desc["joins"]:
        builder.add_edge(list(sources), _end(dst, B))
    for index, router in enumerate(desc["routers"]):
        route, path_map = _router(router, B, index)
        builder.add_conditional_edges(_end(router["src"], B), route, path_map)
    options = {}
    if desc["checkpointer"]:
        options = {"checkpointer": B.InMemorySaver(), "interrupt_before": desc["interrupt_before"] or None,
                   "interrupt_after": desc["interrupt_after"] or None}
    return builder, options


# ---- running -----------------------------------------------------------------------------------------
def _config(desc: dict, thread: str) -> dict:
    config: dict = {"recursion_limit": desc["recursion_limit"]}
    kind = desc.get("thread", "str")
    if desc["checkpointer"] and kind != "none":
        # a fixed uuid per thread name: runs stay repeatable
        config["configurable"] = {"thread_id": thread if kind == "str" else uuid.uuid5(uuid.NAMESPACE_URL, thread)}
    return config


def _state(graph, config: dict, B: Backend):
    """get_state as (values, next, interrupts) and the interrupts themselves (their ids, to resume by)."""
    try:
        snap = graph.get_state(config)
    except Exception as error:  # noqa: BLE001 - the kind is what is compared
        return ("error", error_kind(error)), ()
    return (norm(snap.values, B), tuple(snap.next), _interrupts(tuple(snap.interrupts), B)), tuple(snap.interrupts)


def _resume(desc: dict, pending: tuple, n: int, B: Backend):
    """None after a breakpoint; a value for one interrupt; for several, a value or a map by id."""
    if not pending:
        return None
    if len(pending) == 1 or desc.get("resume") != "map":
        return B.Command(resume=f"r{n}")
    return B.Command(resume={i.id: f"r{n}-{i.value}" for i in pending})


def _pauses(chunk) -> bool:
    """A "values" chunk (normalised) that carries `__interrupt__`: one per paused task, as each pauses."""
    return chunk[0] == "dict" and any(k == "__interrupt__" for k, _ in chunk[1])


def _canonical(mode: str, chunks: list) -> list:
    """Chunks of one superstep that come in the order its tasks finish, in a fixed order: all updates in
    "updates"; in "values" the run of interrupt chunks; in "multi" the updates and interrupt chunks between
    two plain values chunks."""
    if mode == "updates":
        return sorted(chunks, key=repr)
    if mode == "values":
        loose = _pauses
    elif mode == "multi":
        def loose(chunk):
            return chunk[1][0] == "updates" or _pauses(chunk[1][1])
    else:
        return chunks
    out, step = [], []
    for chunk in chunks + [None]:
        if chunk is not None and loose(chunk):
            step.append(chunk)
            continue
        out += sorted(step, key=repr) + ([chunk] if chunk is not None else [])
        step = []
    return out


def _segments(graph, desc: dict, B: Backend, mode: str) -> list:
    config = _config(desc, f"thread-{mode}")
    payload: Any = dict(desc["input"])
    segments = []
    for _ in range(1 + MAX_RESUMES):
        chunks: list = []
        try:
            if mode == "invoke":
                outcome = ("value", norm(graph.invoke(payload, config), B))
            else:
                for chunk in graph.stream(payload, config, stream_mode=MODES[mode]):
                    chunks.append(norm(chunk, B))
                outcome = ("done",)
        except Exception as error:  # noqa: BLE001 - the kind is what is compared
            outcome = ("error", error_kind(error))
        state, pending = _state(graph, config, B) if desc["checkpointer"] else (None, ())
        segments.append({"chunks": _canonical(mode, chunks), "outcome": outcome, "state": state})
        if outcome[0] == "error" or state is None or state[0] == "error" or not state[1]:
            break
        payload = _resume(desc, pending, len(segments), B)
    return segments


def _history(graph, desc: dict, B: Backend) -> list | None:
    if not desc["checkpointer"]:
        return None
    config = _config(desc, "thread-invoke")
    try:
        return [(norm(s.values, B), tuple(s.next)) for s in graph.get_state_history(config)]
    except Exception as error:  # noqa: BLE001
        return [("error", error_kind(error))]


def break_after_first(desc: dict, B: Backend, settle: float = 0.0) -> list:
    """Which nodes had run `settle` seconds after the second plain "values" chunk (or the stream's end),
    the consumer holding the stream without pulling, and then closing it (issue 10 item 8: a pull-driven
    stream runs nothing meanwhile; one that runs ahead in the background gets further the longer it is
    left). A plain "values" chunk comes when a superstep is over and before the next starts, so what has
    run then does not depend on how fast parallel tasks are; an interrupt chunk comes mid-superstep."""
    log: list = []
    builder, options = build(desc, B, log)
    stream = builder.compile(**options).stream(dict(desc["input"]), _config(desc, "thread-break"),
                                               stream_mode="values")
    try:
        plain = 0
        for chunk in stream:
            plain += not (isinstance(chunk, dict) and "__interrupt__" in chunk)
            if plain == 2:
                break
        time.sleep(settle)
        ran = sorted(log)
    except Exception as error:  # noqa: BLE001
        ran = [("error", error_kind(error))]
    finally:
        stream.close()
    return ran


def _debug_event(event: dict, B: Backend):
    """A "debug" event without what each backend makes its own: ids, configs, timestamps, error text."""
    payload = event["payload"]
    if event["type"] == "task":
        return (event["step"], "task", payload["name"], norm(payload["input"], B), tuple(payload["triggers"]))
    if event["type"] == "task_result":
        return (event["step"], "task_result", payload["name"], payload["error"] is not None,
                norm(payload["result"], B), len(payload["interrupts"]))
    return (event["step"], "checkpoint", norm(payload["values"], B), list(payload["next"]),
            [t["name"] for t in payload["tasks"]], payload["metadata"]["source"], payload["metadata"]["step"],
            payload["parent_config"] is None)


def _debug(graph, desc: dict, B: Backend) -> list:
    """The first run's "debug" stream; within a superstep the events in a fixed order (LangGraph's task
    results come as its threads finish)."""
    events: list = []
    try:
        for event in graph.stream(dict(desc["input"]), _config(desc, "thread-debug"), stream_mode="debug"):
            events.append(_debug_event(event, B))
        outcome = ("done",)
    except Exception as error:  # noqa: BLE001 - the kind is what is compared
        outcome = ("error", error_kind(error))
    steps: dict = {}
    for event in events:
        steps.setdefault(event[0], []).append(event)
    return [e for step in steps.values() for e in sorted(step, key=repr)] + [outcome]


def observe(desc: dict, B: Backend) -> dict:
    """What `desc` does on backend `B`, aspect by aspect; {"too_much_work": True} for a graph that made
    more than WORK_BUDGET node calls."""
    _work[0] = 0
    seen = _observe(desc, B)
    return {"too_much_work": True} if _work[0] > WORK_BUDGET else seen


def _observe(desc: dict, B: Backend) -> dict:
    try:  # "compile" covers building too: add_edge and add_conditional_edges check what they get
        builder, options = build(desc, B, [])
        graph = builder.compile(**options)
    except Exception as error:  # noqa: BLE001
        return {"compile": ("error", error_kind(error))}
    seen: dict = {"compile": ("ok",)}
    for mode in ("invoke", "updates", "values", "multi"):
        seen[mode] = _segments(graph, desc, B, mode)
    seen["history"] = _history(graph, desc, B)
    seen["debug"] = _debug(graph, desc, B)
    seen["break"] = break_after_first(desc, B)
    return seen
