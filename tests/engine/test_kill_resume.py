"""A process killed with SIGKILL in the middle of a run on SqliteSaver (or PostgresSaver) resumes from the last finished
superstep with nothing lost and nothing done twice: real subprocesses, many kill points in one thread."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

CHILD = textwrap.dedent('''
    import operator, sys, time, json
    from typing import Annotated
    from typing_extensions import TypedDict
    from wfkit import END, START, StateGraph, SqliteSaver

    N = 8

    class S(TypedDict):
        log: Annotated[list, operator.add]
        n: int

    def tick(state):
        return {"n": state["n"] + 1}

    def side(name):
        def node(state):
            print(f"enter {name}{state['n']}", flush=True)
            time.sleep(0.02)  # the kill lands inside the node or between the two parallel tasks
            return {"log": [f"{name}{state['n']}"]}
        return node

    g = StateGraph(S)
    g.add_node("tick", tick)
    g.add_node("L", side("L"))
    g.add_node("R", side("R"))
    g.add_edge(START, "tick")
    g.add_conditional_edges("tick", lambda s: END if s["n"] > N else ["L", "R"], ["L", "R", END])
    g.add_edge(["L", "R"], "tick")
    if sys.argv[2] == "postgres":
        from wfkit.checkpoint.postgres import PostgresSaver as saver_class
    else:
        saver_class = SqliteSaver
    app = g.compile(checkpointer=saver_class(sys.argv[1]))
    config = {"configurable": {"thread_id": "job"}}
    state = app.get_state(config)
    if not state.values:
        app.invoke({"n": 0, "log": []}, config)
    elif state.next:
        app.invoke(None, config)
    print("final " + json.dumps(app.get_state(config).values), flush=True)
''')


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_at_many_points_then_resume_loses_and_repeats_nothing(tmp_path, request, backend):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    # PostgreSQL: a fresh schema on the server of tests/conftest.py, which outlives the killed clients.
    db = str(tmp_path / "run.db") if backend == "sqlite" else request.getfixturevalue("postgres_conninfo")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    kills = 0
    for kill_after in (1, 2, 3, 1, 4, 2, 3, 1):
        child = subprocess.Popen([sys.executable, str(script), db, backend], stdout=subprocess.PIPE, text=True, env=env)
        seen = 0
        for line in child.stdout:
            if line.startswith("enter"):
                seen += 1
                if seen == kill_after:
                    child.send_signal(signal.SIGKILL)
                    kills += 1
                    break
            if line.startswith("final"):
                break
        child.wait(timeout=30)
        child.stdout.close()
    assert kills == 8
    done = subprocess.run([sys.executable, str(script), db, backend], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    final = json.loads(done.stdout.strip().splitlines()[-1].removeprefix("final "))
    expected = [f"{side}{n}" for n in range(1, 9) for side in ("L", "R")]
    assert final == {"log": expected, "n": 9}
