"""`python -m bench`: run every workload on wfkit, LangGraph and plain Python, then print the tables and a
verdict per target of issue 7.

    python -m bench              # the full run (a few minutes on 2 cores)
    python -m bench --quick      # a smoke run (< 30 s): few repetitions, a shorter memory run
    python -m bench --markdown   # the same, printed as markdown for the README
    python -m bench --only chain10,chain100,imports
    python -m bench --big --only growth   # growth with the thread's length, up to 10 000 supersteps
    python -m bench --only inbox   # the review inbox: 10 000 waiting threads, four reviewers (PostgreSQL: WFKIT_POSTGRES)

Progress goes to stderr, the report to stdout. Without LangGraph installed the LangGraph columns stay
empty and the ratio targets read `n/a`.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time

from bench import growth, inbox, probes, report, targets
from bench.langgraph_step import langgraph_step
from bench.libs import LANGGRAPH, PLAIN, WFKIT, load, version
from bench.timing import interleaved
from bench.workloads import workloads

PROBES = ("memory", "history", "imports", "svg", "debugger", "langgraph_step", "growth", "inbox")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions: a smoke run in under 30 s")
    parser.add_argument("--markdown", action="store_true", help="print the report as markdown (README tables)")
    parser.add_argument("--only", default="", help="comma-separated workload keys and probes to run "
                        f"(probes: {', '.join(PROBES)})")
    parser.add_argument("--big", action="store_true", default=os.environ.get("WFKIT_BENCH_BIG") == "1",
                        help="growth rows up to 10 000 supersteps and messages, 5000 workers (WFKIT_BENCH_BIG=1)")
    parser.add_argument("--no-langgraph", action="store_true", help="measure wfkit and plain Python only")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    began = time.perf_counter()
    load_before = _load()
    if load_before > 0.5 * (os.cpu_count() or 1):
        log(f"warning: the machine is busy (load {load_before:.1f} on {os.cpu_count()} CPUs); interleaving keeps "
            "the ratios fair, but expect noise — rerun on a quiet machine for the README")
    libs = {WFKIT: load(WFKIT)}
    if not args.no_langgraph:
        lg = load(LANGGRAPH)
        if lg is None:
            log("LangGraph is not installed: measuring wfkit and plain Python only (pip install langgraph)")
        else:
            libs[LANGGRAPH] = lg
    chosen = set(filter(None, args.only.split(",")))
    wanted = lambda key: not chosen or key in chosen  # noqa: E731
    all_workloads = workloads(libs)
    unknown = chosen - {w.key for w in all_workloads} - set(PROBES)
    if unknown:
        log(f"--only: unknown keys {sorted(unknown)}; known: {[w.key for w in all_workloads] + list(PROBES)}")
        return 2
    gc.collect()
    gc.freeze()  # the libraries' own objects need not be re-scanned by every collection we trigger

    results: dict = {}
    for w in all_workloads:
        if not wanted(w.key):
            continue
        reps = w.quick_reps if args.quick else w.reps
        started = time.perf_counter()
        samples, answers = interleaved(w.impls, reps, fresh=w.fresh)
        check(w, answers)
        results[w.key] = samples
        log(f"{w.key:<18} {reps:>3} reps  {time.perf_counter() - started:6.1f} s  " + "  ".join(
            f"{impl} {report.fmt_time(s.median)}" for impl, s in samples.items()))

    extra: dict = {}
    steps = 200 if args.quick else 1000
    if wanted("memory"):
        started = time.perf_counter()
        extra["memory"] = probes.checkpointer_memory(libs, steps, 1 if args.quick else 3)
        log(f"{'memory':<18} {time.perf_counter() - started:10.1f} s  " + "  ".join(
            f"{k} {v / 1e3:.0f} kB" for k, v in extra["memory"].items() if k != "steps"))
    if wanted("history"):
        started = time.perf_counter()
        extra["history"] = probes.history_listing(libs, steps, 2 if args.quick else 11)
        log(f"{'history':<18} {time.perf_counter() - started:10.1f} s  " + "  ".join(
            f"{k} {report.fmt_time(v.median)}" for k, v in extra["history"][0].items()))
    if wanted("imports"):
        started = time.perf_counter()
        extra["imports"] = probes.imports(libs, 3 if args.quick else 15)
        log(f"{'imports':<18} {time.perf_counter() - started:10.1f} s  " + "  ".join(
            f"{k} {report.fmt_time(v['import'].best)} (process {report.fmt_time(v['process'].best)})"
            for k, v in extra["imports"].items()))
    if wanted("svg"):
        extra["svg"] = probes.svg(libs[WFKIT], 3 if args.quick else 31)
        log(f"{'svg':<18} {report.fmt_time(extra['svg'].median)}")
    if wanted("debugger"):
        extra["debugger"] = probes.debugger_step(libs[WFKIT], 1 if args.quick else 10, 6 if args.quick else 12)
        if extra["debugger"] is None:
            log("debugger: skipped (ipywidgets is not installed)")
        else:
            log(f"{'debugger':<18} {report.fmt_time(extra['debugger'][0].median)}  ({extra['debugger'][1]})")

    if wanted("langgraph_step"):
        extra["langgraph_step"] = langgraph_step(libs, 1 if args.quick else 10, 6 if args.quick else 12)
        if extra["langgraph_step"] is None:
            log("langgraph_step: skipped (LangGraph or ipywidgets is not installed)")
        else:
            log(f"{'langgraph_step':<18} " + "  ".join(f"{way} {report.fmt_time(s.median)}"
                                                       for way, s in extra["langgraph_step"].items()))

    if wanted("growth"):
        started = time.perf_counter()
        extra["growth"] = growth.growth(libs, big=args.big, quick=args.quick, log=log)
        log(f"{'growth':<18} {time.perf_counter() - started:10.1f} s")

    if wanted("inbox"):
        started = time.perf_counter()
        extra["inbox"] = inbox.inbox(quick=args.quick, log=log)
        log(f"{'inbox':<18} {time.perf_counter() - started:10.1f} s")

    derived = targets.overheads(results, list(libs))
    verdicts = targets.verdicts(results, derived, extra)
    growth_verdicts = targets.growth_verdicts(extra.get("growth", []))
    if growth_verdicts:  # a --big run: issue 12's list, with the earlier targets it keeps
        growth_verdicts += targets.kept_verdicts(derived, verdicts)
    md = args.markdown
    heading = (lambda text: f"\n### {text}\n") if md else (lambda text: f"\n== {text} ==\n")
    out = [environment(args, time.perf_counter() - began, load_before, md)]
    if results:
        out += [heading("Time per run, median of interleaved repetitions"), report.timings_table(all_workloads, results, md)]
        if "chain10" in results and "chain100" in results:
            out += [heading("Derived overheads"), report.overheads_table(derived, md)]
    if set(extra) - {"growth", "inbox"}:
        out += [heading("Memory, history, imports, drawing"), report.probes_table(extra, md)]
    if verdicts:
        out += [heading("Targets of issue 7"), report.verdicts_text(verdicts, md)]
    if extra.get("growth"):
        out += [heading("Growth with the thread's length (issue 12)"), report.growth_table(extra["growth"], md)]
    if growth_verdicts:
        out += [heading("Targets of issue 12"), report.verdicts_text(growth_verdicts, md)]
    if extra.get("inbox"):
        out += [heading("Review inbox (issue 33)"), report.growth_table(extra["inbox"], md)]
    print("\n".join(out))
    return 0


def check(w, answers: dict) -> None:
    """Every implementation must compute the same thing, or the comparison means nothing."""
    seen = {impl: w.answer(result) for impl, result in answers.items() if impl != PLAIN or w.plain_same}
    if len(set(map(repr, seen.values()))) > 1:
        raise AssertionError(f"workload `{w.key}`: implementations disagree: {seen}")


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def environment(args: argparse.Namespace, seconds: float, load_before: float, markdown: bool) -> str:
    mode = "quick" if args.quick else "full"
    text = (f"wfkit {version('wfkit')} · LangGraph {version('langgraph')} · Python {platform.python_version()} · "
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, load {load_before:.1f} → {_load():.1f} · "
            f"{mode} run, {seconds:.0f} s")
    return f"_{text}_" if markdown else text


if __name__ == "__main__":
    raise SystemExit(main())
