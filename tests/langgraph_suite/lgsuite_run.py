"""Runs LangGraph's own test files on LangGraph and on wfkit, and counts what passes on each.

The tests come from the source distribution of the LangGraph release installed beside wfkit (the one pinned
in .ci/constraints.txt), taken from the package index like any pinned dependency and unpacked into a cache
folder; nothing of it is kept in this repository. Each backend runs in its own pytest process with
`lgsuite_plugin` in place of LangGraph's conftest. A test counts when `lgsuite_rule` keeps it and it passes
on LangGraph; wfkit's score is how many of those pass on wfkit.

    python tests/langgraph_suite/lgsuite_run.py            # print the counts per file
    python tests/langgraph_suite/lgsuite_run.py --record   # also write them to counts.json
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import json
import os
import pathlib
import subprocess
import sys
import tarfile
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
COUNTS = HERE / "counts.json"
CACHE = pathlib.Path(os.environ.get("WFKIT_CACHE", HERE.parents[1] / ".cache")) / "langgraph-tests"

# The files the issues measure wfkit by: subgraphs and interrupts (issue 28), the rest of the public API (29).
FILES = (
    "test_subgraph_persistence.py", "test_subgraph_persistence_async.py", "test_time_travel.py",
    "test_time_travel_async.py", "test_interrupt_state.py", "test_interruption.py",
    "test_parent_command.py", "test_parent_command_async.py",
    "test_pregel.py", "test_pregel_async.py", "test_runtime.py", "test_retry.py", "test_state.py",
    "test_pydantic.py", "test_messages_state.py", "test_stream_namespaces.py", "test_config_async.py",
    "test_large_cases.py", "test_large_cases_async.py",
)


def langgraph_tests(version: str | None = None) -> pathlib.Path:
    """The `tests/` folder of LangGraph's sdist for `version` (the installed one by default)."""
    version = version or importlib.metadata.version("langgraph")
    root = CACHE / f"langgraph-{version}"
    if (root / "tests" / "__init__.py").exists():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--no-binary", ":all:", f"langgraph=={version}", "--dest", tmp],
            capture_output=True, text=True)
        archives = list(pathlib.Path(tmp).glob("langgraph-*.tar.gz"))
        if done.returncode != 0 or len(archives) != 1:
            raise RuntimeError(f"could not download LangGraph {version}'s source distribution from the package "
                               f"index (pip said: {done.stderr.strip()[-500:]})")
        with tarfile.open(archives[0]) as archive:
            members = [m for m in archive.getmembers()
                       if m.isfile() and "/tests/" in m.name and ".." not in m.name and not m.name.startswith("/")]
            archive.extractall(tmp, members=members, filter="data")
        (pathlib.Path(tmp) / f"langgraph-{version}").rename(root)
    return root


def run_backend(backend: str, root: pathlib.Path, files: tuple[str, ...], timeout: int = 30) -> dict:
    """{'results': {nodeid: outcome}, 'set_aside': {nodeid: reason}} for one backend."""
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "results.json"
        env = dict(os.environ, LGSUITE_BACKEND=backend, LGSUITE_RESULTS=str(out),
                   PYTHONPATH=os.pathsep.join([str(HERE), str(root), os.environ.get("PYTHONPATH", "")]))
        env.pop("ANTHROPIC_API_KEY", None)
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "lgsuite_plugin", "--noconftest", "-p", "no:cacheprovider",
             "-o", "addopts=", "--continue-on-collection-errors", f"--timeout={timeout}", "--rootdir", str(root),
             "-W", "ignore", *[f"tests/{f}" for f in files]],
            cwd=root, env=env, capture_output=True, text=True)
        if not out.exists():
            raise RuntimeError(f"the {backend} run of LangGraph's tests wrote no results")
        return json.loads(out.read_text())


@dataclasses.dataclass
class FileCount:
    counted: int  # kept by the rule and passing on LangGraph
    passed: int   # of those, passing on wfkit
    set_aside: int
    failing: list[str]  # counted tests that fail on wfkit


def compare(langgraph: dict, wfkit: dict) -> dict[str, FileCount]:
    counts: dict[str, FileCount] = {}
    for nodeid, outcome in langgraph["results"].items():
        name = nodeid.split("::")[0].rsplit("/", 1)[-1]
        count = counts.setdefault(name, FileCount(0, 0, 0, []))
        if outcome != "passed":
            continue
        count.counted += 1
        if wfkit["results"].get(nodeid) == "passed":
            count.passed += 1
        else:
            count.failing.append(nodeid)
    for nodeid in langgraph["set_aside"]:
        name = nodeid.split("::")[0].rsplit("/", 1)[-1]
        counts.setdefault(name, FileCount(0, 0, 0, [])).set_aside += 1
    return dict(sorted(counts.items()))


def measure(files: tuple[str, ...] = FILES) -> dict[str, FileCount]:
    root = langgraph_tests()
    return compare(run_backend("langgraph", root, files), run_backend("wfkit", root, files))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write the counts to counts.json")
    parser.add_argument("files", nargs="*", help="test files (default: all measured files)")
    args = parser.parse_args()
    counts = measure(tuple(args.files) or FILES)
    for name, c in counts.items():
        print(f"{name:42} {c.passed:4} / {c.counted:4} pass on wfkit   ({c.set_aside} set aside)")
    total = sum(c.counted for c in counts.values())
    print(f"{'all':42} {sum(c.passed for c in counts.values()):4} / {total:4}")
    if args.record:
        COUNTS.write_text(json.dumps({"langgraph": importlib.metadata.version("langgraph"),
                                      "files": {n: {"passed": c.passed, "counted": c.counted}
                                                for n, c in counts.items()}}, indent=1) + "\n")


if __name__ == "__main__":
    main()
