"""A reviewer in a process of its own, run by `test_inbox.py`: open a `ReviewInbox` on the SQLite file (or, with
`postgres`, the PostgreSQL conninfo) `where`, answer the one waiting thread with `yes` or `no`, and print what
happened as JSON.

    python _inbox_reviewer.py WHERE sqlite|postgres WHO yes|no GATE WHOS ACTED

When the answer resumes `review`, it waits until every reviewer named in `WHOS` (comma-separated) has got
that far too, so that they all answered the same head before any of them stores the next checkpoint: all
but one must be refused. `act` (the step after the answer) appends a line to the file `ACTED`: the side
effect that must happen once.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import TypedDict

from wfkit import END, START, StateGraph, interrupt


class Ticket(TypedDict):
    task: str
    approved: bool
    done: str


def build(saver, before_store=lambda: None, acted: str | None = None):
    def review(state):
        answer = interrupt({"action": "refund", "task": state["task"]})
        before_store()
        return {"approved": answer is True}

    def act(state):
        with open(acted, "a") as out:  # noqa: SIM115 - one line per run of `act`, whichever process runs it
            out.write(f"{state['task']}: {'approved' if state['approved'] else 'rejected'}\n")
        return {"done": "refunded" if state["approved"] else "kept"}

    g = StateGraph(Ticket)
    g.add_node("review", review)
    g.add_node("act", act)
    g.add_edge(START, "review")
    g.add_edge("review", "act")
    g.add_edge("act", END)
    return g.compile(checkpointer=saver)


def open_saver(where: str, backend: str):
    if backend == "postgres":
        from wfkit.checkpoint.postgres import PostgresSaver

        return PostgresSaver(where)
    from wfkit import SqliteSaver

    return SqliteSaver(where)


def main(where: str, backend: str, who: str, answer: str, gate: str, whos: str, acted: str) -> dict:
    from wfkit.errors import AlreadyAnsweredError
    from wfkit.widgets import ReviewInbox

    def wait_for_the_others():
        open(os.path.join(gate, who), "w").close()
        deadline = time.monotonic() + 60
        while not all(os.path.exists(os.path.join(gate, w)) for w in whos.split(",")):
            if time.monotonic() > deadline:
                sys.exit(f"{who}: the other reviewers never answered")
            time.sleep(0.01)

    with open_saver(where, backend) as saver:
        inbox = ReviewInbox(build(saver, wait_for_the_others, acted))
        item = inbox.pending[0]
        try:
            asyncio.run(inbox.aanswer(item, answer == "yes"))
        except AlreadyAnsweredError as refused:
            inbox.refresh()
            return {"who": who, "refused": str(refused), "waiting": [i.thread_id for i in inbox.pending]}
        return {"who": who, "refused": None, "waiting": [i.thread_id for i in inbox.pending]}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:8])))
