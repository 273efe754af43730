"""The tables: aligned text for the terminal, or markdown for the README (`--markdown`)."""

from __future__ import annotations

from typing import Any

from bench.langgraph_step import ratio as langgraph_ratio
from bench.libs import LANGGRAPH, PLAIN, WFKIT
from bench.targets import Verdict


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def fmt_us(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def fmt_ratio(ours: float | None, theirs: float | None) -> str:
    """`ours / theirs`, written as 1/x when smaller (1/8.3 reads better than 0.12)."""
    if ours is None or theirs is None or theirs == 0 or ours <= 0:
        return "—"
    ratio = ours / theirs
    return f"1/{1 / ratio:.1f}" if ratio < 1 else f"{ratio:.2f} ×"


def table(headers: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" if i == 0 else "---:"
                                                                     for i in range(len(headers))) + "|"]
        lines += ["| " + " | ".join(cell.strip() for cell in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    fmt = lambda row: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))  # noqa: E731
    return "\n".join([fmt(headers), "  ".join("-" * w for w in widths), *map(fmt, rows)])


def timings_table(workloads: list, results: dict, markdown: bool) -> str:
    rows, notes = [], []
    for w in workloads:
        r = results.get(w.key)
        if not r:
            continue
        med = {impl: r[impl].median if impl in r else None for impl in (PLAIN, WFKIT, LANGGRAPH)}
        plain = fmt_time(med[PLAIN])
        if PLAIN in w.notes:
            notes.append(f"[{len(notes) + 1}] plain: {w.notes[PLAIN]}")
            plain += f" [{len(notes)}]"
        noise = "" if markdown or WFKIT not in r else f" ±{r[WFKIT].spread * 100:.0f}%"
        rows.append([w.title, plain, fmt_time(med[WFKIT]) + noise, fmt_time(med[LANGGRAPH]),
                     fmt_ratio(med[WFKIT], med[LANGGRAPH]),
                     fmt_ratio(med[WFKIT], med[PLAIN]) if w.plain_same else "—"])
    out = table(["workload (median)", "plain Python", "wfkit", "LangGraph", "wfkit ÷ LangGraph", "wfkit ÷ plain"],
                rows, markdown)
    return out + ("\n\n" + "\n".join(notes) if notes else "")


def overheads_table(derived: dict, markdown: bool) -> str:
    metrics = list(next(iter(derived.values())))
    rows = []
    for metric in metrics:
        ours = derived.get(WFKIT, {}).get(metric)
        theirs = derived.get(LANGGRAPH, {}).get(metric)
        rows.append([metric, fmt_us(ours), fmt_us(theirs), fmt_ratio(ours, theirs)])
    return table(["overhead over plain Python (µs)", "wfkit", "LangGraph", "wfkit ÷ LangGraph"], rows, markdown)


def probes_table(extra: dict[str, Any], markdown: bool) -> str:
    rows = []
    memory = extra.get("memory")
    if memory:
        plain = memory[PLAIN]
        steps = memory["steps"]
        rows.append([f"plain log of the {steps} writes (list of the strings)", f"{plain / 1e3:.0f} kB", "", ""])
        rows.append(["  (a list of (node, key, [value]) records, for context)", f"{memory['plain_records'] / 1e3:.0f} kB",
                     "", ""])
        rows.append([f"checkpointer memory after {steps} steps of +100 B",
                     f"{memory[WFKIT] / 1e3:.0f} kB ({memory[WFKIT] / plain:.2f} × plain)",
                     f"{memory[LANGGRAPH] / 1e3:.0f} kB ({memory[LANGGRAPH] / plain:.1f} × plain)"
                     if LANGGRAPH in memory else "—",
                     fmt_ratio(memory[WFKIT], memory.get(LANGGRAPH))])
    history = extra.get("history")
    if history:
        samples, counts = history
        lg = samples.get(LANGGRAPH)
        rows.append(["get_state_history of it, fully consumed",
                     f"{fmt_time(samples[WFKIT].median)} ({counts[WFKIT]} snapshots)",
                     f"{fmt_time(lg.median)} ({counts[LANGGRAPH]} snapshots)" if lg else "—",
                     fmt_ratio(samples[WFKIT].median, lg.median if lg else None)])
    imports = extra.get("imports")
    if imports:
        ours, theirs = imports[WFKIT]["import"].best, imports[LANGGRAPH]["import"].best if LANGGRAPH in imports else None
        rows.append(["cold `import wfkit` / `import langgraph.graph`, fresh interpreter, best of several",
                     fmt_time(ours), fmt_time(theirs), fmt_ratio(ours, theirs)])
        bare = imports[PLAIN]["process"].best
        ours = imports[WFKIT]["process"].best - bare
        theirs = imports[LANGGRAPH]["process"].best - bare if LANGGRAPH in imports else None
        rows.append([f"  whole `python -c \"import …\"` minus bare `python` ({fmt_time(bare)})", fmt_time(ours),
                     fmt_time(theirs), fmt_ratio(ours, theirs)])
    if extra.get("svg") is not None:
        rows.append(["30-node graph → SVG (`get_graph().draw_svg()`)", fmt_time(extra["svg"].median), "—", ""])
    if extra.get("debugger") is not None:
        samples, _ = extra["debugger"]
        rows.append(["one Debugger step, kernel side", fmt_time(samples.median), "—", ""])
    steps = extra.get("langgraph_step")
    if steps is not None:  # the Debugger on a graph built with LangGraph (issue 30)
        adapter, own = steps["adapter run.step"].median, steps["langgraph stream"].median
        rows.append(["one superstep of a LangGraph graph: `wfkit.start(graph).step()` / LangGraph's own `stream`",
                     fmt_time(adapter), fmt_time(own), fmt_ratio(adapter, own)])
        ours, rendering = langgraph_ratio(steps)
        rows.append([f"  Debugger step on it, less the rendering a wfkit graph's step costs ({fmt_time(rendering)})",
                     fmt_time(ours * own), fmt_time(own), f"{ours:.2f} ×"])
    return table(["measure", "wfkit", "LangGraph", "wfkit ÷ LangGraph"], rows, markdown)


def fmt_bytes(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} B" if value < 10_000 else f"{value / 1e3:.0f} kB"


def fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} /s"


def growth_table(rows: list, markdown: bool) -> str:
    """One line per measure and size: wfkit, LangGraph, and their ratio (wfkit alone when no row has LangGraph's)."""
    out = []
    for row in rows:
        fmt = {"B": fmt_bytes, "/s": fmt_rate}.get(row.unit, fmt_time)
        ours, theirs = row.values.get(WFKIT), row.values.get(LANGGRAPH)
        out.append([row.measure, f"{row.n:,}".replace(",", " "), fmt(ours), fmt(theirs), fmt_ratio(ours, theirs)])
    if all(LANGGRAPH not in row.values for row in rows):
        return table(["measure", "N", "wfkit"], [line[:3] for line in out], markdown)
    return table(["measure", "N", "wfkit", "LangGraph", "wfkit ÷ LangGraph"], out, markdown)


def verdicts_text(verdicts: list[Verdict], markdown: bool) -> str:
    if markdown:
        return "\n".join(f"- **{v.status}** {v.target}: {v.detail}" for v in verdicts)
    width = max(len(v.target) for v in verdicts)
    return "\n".join(f"{v.status:<4}  {v.target.ljust(width)}  {v.detail}" for v in verdicts)
