"""LangGraph's own test suite, run on wfkit with only its `langgraph.*` imports pointed at wfkit.

The counts per file that wfkit reached are recorded in counts.json (and shown in the README); a count that
drops below its record fails here. The failing tests are written to test-artifacts/langgraph-suite.txt.
"""

import importlib.metadata
import json
import pathlib
import subprocess
import sys
import textwrap

import pytest

import lgsuite_run

pytestmark = pytest.mark.slow
ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def measured():
    return lgsuite_run.measure()


def test_the_shim_gives_wfkits_names_under_langgraphs_and_refuses_what_wfkit_lacks():
    program = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        import lgsuite_shim
        lgsuite_shim.install()
        import wfkit
        from langgraph.graph import StateGraph, START
        from langgraph.checkpoint.memory import MemorySaver
        from langgraph.channels.delta import DeltaChannel
        print(StateGraph is wfkit.StateGraph, START == wfkit.START, MemorySaver is wfkit.InMemorySaver)
        print(repr(DeltaChannel(list)))
        try:
            from langgraph.graph import NoSuchName
        except ImportError as error:
            print("ImportError")
    """)
    done = subprocess.run([sys.executable, "-c", program, str(pathlib.Path(lgsuite_run.__file__).parent)],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == [
        "True True True", "<internal langgraph.channels.delta.DeltaChannel(...): not in wfkit>", "ImportError"]


@pytest.mark.timeout(1500)  # two backends over 19 files: about 4 minutes on a quiet 2-core machine
def test_no_file_of_langgraphs_suite_passes_fewer_tests_on_wfkit_than_recorded(measured):
    recorded = json.loads(lgsuite_run.COUNTS.read_text())
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [f"LangGraph {importlib.metadata.version('langgraph')}'s tests on wfkit (recorded with "
             f"{recorded['langgraph']})"]
    dropped = []
    for name, count in measured.items():
        was = recorded["files"].get(name, {"passed": 0})["passed"]
        lines.append(f"{name}: {count.passed} of {count.counted} pass (recorded {was}; "
                     f"{count.set_aside} set aside by the rule)")
        lines += [f"  fails on wfkit: {nodeid}" for nodeid in count.failing]
        if count.passed < was:
            dropped.append(f"{name}: {count.passed} < {was}")
    (ARTIFACTS / "langgraph-suite.txt").write_text("\n".join(lines) + "\n")
    assert set(recorded["files"]) <= set(measured), "a measured file ran no test"
    assert dropped == []
