"""A runnable, self-contained Python reproducer of a description: the graph written out as plain code.

`reproducer(desc, backend="wfkit")` returns the source of a script that builds the same graph as
build.py (same node behaviour, same edges, routers and compile options) and runs it the way the suite
does: invoke, then stream in "updates", "values" and both, resuming after each pause, printing what it
gets. The LangGraph import lines are one comment away, so the same script runs on both.
"""

from __future__ import annotations

import inspect

from differential.build import MAX_RESUMES, State, TraceOnly, concat

_IMPORTS = {
    "wfkit": "from wfkit import END, START, Command, InMemorySaver, Send, StateGraph, interrupt",
    "langgraph": ("from langgraph.checkpoint.memory import InMemorySaver\n"
                  "from langgraph.graph import END, START, StateGraph\n"
                  "from langgraph.types import Command, Send, interrupt"),
}

_HEADER = '''import operator
from typing import Annotated, TypedDict
from uuid import NAMESPACE_URL, uuid5

{imports}
# on the other backend:
# {other}


{state}

def pick(targets, mode, trace, label=str):
    if mode == "one":
        return label(targets[len(trace) % len(targets)])
    if mode == "all":
        return [label(t) for t in targets]
    return [Send(t, {{"trace": [f"to-{{t}}"]}}) for t in targets]
'''

_RUN = '''

def resume(pending, n):
    if not pending:
        return None
    if len(pending) == 1 or {resume!r} != "map":
        return Command(resume=f"r{{n}}")
    return Command(resume={{i.id: f"r{{n}}-{{i.value}}" for i in pending}})


for mode in ("invoke", "updates", "values", ["updates", "values"]):
    config = {config}
    if {checkpointer} and {thread!r} != "none":
        thread = f"thread-{{mode}}"
        config["configurable"] = {{"thread_id": thread if {thread!r} == "str" else uuid5(NAMESPACE_URL, thread)}}
    payload = {input!r}
    for n in range(1, {segments} + 1):
        try:
            if mode == "invoke":
                print(mode, "->", graph.invoke(payload, config))
            else:
                for chunk in graph.stream(payload, config, stream_mode=mode):
                    print(mode, "chunk", chunk)
        except Exception as error:
            print(mode, "raised", type(error).__name__)
            break
        if not {checkpointer}:
            break
        snap = graph.get_state(config)
        print(mode, "state", snap.values, snap.next)
        if not snap.next:
            break
        payload = resume(snap.interrupts, n)
'''


def _name(node: str) -> str:
    return {"__start__": "START", "__end__": "END"}.get(node, repr(node))


def _targets(targets: list) -> str:
    return "[" + ", ".join(_name(t) for t in targets) + "]"


def _node(name: str, spec: dict) -> list[str]:
    lines = [f"def {name}(state):", '    trace = state.get("trace", [])', f'    tag = f"{name}{{len(trace)}}"']
    if spec["interrupt"]:
        lines.append(f'    tag += f"={{interrupt(\'q-{name}\')}}"')
    if spec["returns_none"]:
        return lines + ["    return None", ""]
    lines.append('    update = {"trace": [tag]}')
    if "last" in spec["writes"]:
        lines.append('    update["last"] = tag')
    if "joined" in spec["writes"]:
        lines.append(f'    update["joined"] = {name!r}')
    command = spec["command"]
    if command:
        update = "update" if command["update"] else "None"
        goto = f'pick({_targets(command["targets"])}, {command["mode"]!r}, trace)'
        return lines + [f"    return Command(update={update}, goto={goto})", ""]
    return lines + ["    return update", ""]


def _router(index: int, router: dict) -> list[str]:
    targets = _targets(router["targets"])
    label = ', label=lambda t: f"to-{t}"' if router["path_map"] == "dict" else ""
    lines = [f"def route{index}(state):",
             f'    return pick({targets}, {router["mode"]!r}, state.get("trace", []){label})', ""]
    if router["path_map"] == "dict":
        path_map = "{" + ", ".join(f'"to-{t}": {_name(t)}' for t in router["targets"]) + "}"
    else:
        path_map = {"list": targets, "str": "'x'"}.get(router["path_map"], "None")
    add = f"builder.add_conditional_edges({_name(router['src'])}, route{index}, {path_map})"
    return lines, add


def reproducer(desc: dict, backend: str = "wfkit") -> str:
    other = "langgraph" if backend == "wfkit" else "wfkit"
    state = inspect.getsource(concat) + "\n\n" + inspect.getsource(State)  # the very schema build.py uses
    out = [_HEADER.format(imports=_IMPORTS[backend], other=_IMPORTS[other].replace("\n", "\n# "),
                          state=state)]
    for name, spec in desc["nodes"].items():
        out += _node(name, spec)
    adds = []
    for index, router in enumerate(desc["routers"]):
        lines, add = _router(index, router)
        out += lines
        adds.append(add)
    if desc.get("output"):
        out.append(inspect.getsource(TraceOnly))
        out.append("builder = StateGraph(State, output_schema=TraceOnly)")
    else:
        out.append("builder = StateGraph(State)")
    out += [f"builder.add_node({name!r}, {name})" for name in desc["nodes"]]
    out += [f"builder.add_edge({_name(a)}, {_name(b)})" for a, b in desc["edges"]]
    out += [f"builder.add_edge({_targets(sources)}, {_name(dst)})" for sources, dst in desc["joins"]]
    out += adds
    if desc["checkpointer"]:
        out.append(f"graph = builder.compile(checkpointer=InMemorySaver(), "
                   f"interrupt_before={desc['interrupt_before'] or None!r}, "
                   f"interrupt_after={desc['interrupt_after'] or None!r})")
    else:
        out.append("graph = builder.compile()")
    config = {"recursion_limit": desc["recursion_limit"]}
    out.append(_RUN.format(resume=desc.get("resume"), config=config, input=desc["input"],
                           segments=1 + MAX_RESUMES, checkpointer=desc["checkpointer"],
                           thread=desc.get("thread", "str")))
    return "\n".join(out)
