"""Run by `test_concurrency.py` in a process of its own: step thread `race` of a SqliteSaver file (or, with a
sixth argument `postgres`, of a PostgresSaver on that conninfo) `steps` times, retrying a step that another process got in first, and print what happened as JSON.

The first step waits inside its node until every process named in `whos` has reached its own first step,
so that they all read the same head before any of them stores the next checkpoint: at least one must lose.
"""

import json
import os
import sys
import time

from _race_graph import build

from wfkit.errors import CheckpointError

path, who, steps, gate, whos = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5].split(",")
if sys.argv[6:] == ["postgres"]:
    from wfkit.checkpoint.postgres import PostgresSaver as saver_class
else:
    from wfkit import SqliteSaver as saver_class
waited = False


def wait_for_the_others(state):
    global waited
    if waited:
        return
    waited = True
    open(os.path.join(gate, who), "w").close()
    deadline = time.monotonic() + 60
    while not all(os.path.exists(os.path.join(gate, w)) for w in whos):
        if time.monotonic() > deadline:
            sys.exit(f"{who}: the other processes never reached their first step")
        time.sleep(0.01)


app = build(path, who, wait_for_the_others, saver_class)
config = {"configurable": {"thread_id": "race"}}
done, conflicts = 0, []
while done < steps and len(conflicts) < 500:
    try:
        app.invoke(None, config)
        done += 1
    except CheckpointError as e:
        conflicts.append(str(e))
print(json.dumps({"done": done, "conflicts": conflicts}))
