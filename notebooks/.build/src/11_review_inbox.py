# The cells of 11_review_inbox.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 11 · Review inbox

An agent runs over many inputs, and each run **waits for a person** before it acts. Here a support agent
drafts what to do for 20 customer requests, one thread each; before it sends a refund or an e-mail, it
asks for approval with `interrupt()`. The runs go as a **batch**, and the reviewers work through the
waiting threads in a **`ReviewInbox`**, which reads them from the checkpointer, oldest first.

The threads live in a SQLite file in a temporary folder. Set `WFKIT_POSTGRES` to a PostgreSQL connection
string and the same notebook keeps them on that server, where reviewers on other machines see them too.
"""),
code(r'''
import os
import tempfile
from pathlib import Path

from wfkit import SqliteSaver

if os.environ.get("WFKIT_POSTGRES"):
    try:
        from wfkit import PostgresSaver
    except ImportError:
        raise RuntimeError("WFKIT_POSTGRES is set but this wfkit has no PostgresSaver: "
                           'install "wfkit[postgres]" or unset WFKIT_POSTGRES to use SQLite') from None
    def open_saver():
        return PostgresSaver(os.environ["WFKIT_POSTGRES"])
    where = "PostgreSQL"
else:
    folder = Path(tempfile.mkdtemp(prefix="wfkit-inbox-"))  # not in notebooks/: nothing left behind
    def open_saver():
        return SqliteSaver(folder / "reviews.db")
    where = "SQLite"
print("threads kept in", where)
'''),
md(r"""
## An agent that asks before it acts

`plan` reads the request and decides on an action; `approve` shows the plan to a reviewer and waits;
`act` carries out what was approved. The action sits in a node *after* the interrupt, so that a resumed
`approve` (which runs again from its start) never acts twice.
"""),
code(r'''
from typing_extensions import TypedDict
from wfkit import StateGraph, START, END, interrupt
from wfkit.llm import default_model

llm = default_model()


class Ticket(TypedDict):
    request: str
    action: str
    amount: int
    reply: str
    outcome: str


def plan(ticket: Ticket):
    refund = "refund" in ticket["request"]
    reply = llm.invoke(f"Write one short sentence to a customer who wrote: {ticket['request']}").content
    return {"action": "refund" if refund else "email", "amount": 5 * len(ticket["request"]) if refund else 0,
            "reply": reply}


def approve(ticket: Ticket):
    answer = interrupt({"action": ticket["action"], "amount": ticket["amount"], "request": ticket["request"]})
    return {"outcome": "approved" if answer is True else "rejected"}


def act(ticket: Ticket):
    if ticket["outcome"] != "approved":
        return {"outcome": "not done: rejected by the reviewer"}
    return {"outcome": f"done: {ticket['action']}" + (f" of {ticket['amount']} EUR" if ticket["amount"] else "")}


builder = StateGraph(Ticket)
builder.add_node("plan", plan)
builder.add_node("approve", approve)
builder.add_node("act", act)
builder.add_edge(START, "plan")
builder.add_edge("plan", "approve")
builder.add_edge("approve", "act")
builder.add_edge("act", END)
agent = builder.compile(checkpointer=open_saver())
agent
'''),
md(r"""
## A batch of 20 runs

`agent.batch(inputs, configs)` runs them all, at most `max_concurrency` at once, each on its own thread
(`thread_id`); each stops at its interrupt. `on_progress` receives an event as each run ends: a
`ProgressBar` draws them. (`executor=` would hand every node call to a `concurrent.futures.Executor` of
yours, say a Dask or Ray one.)
"""),
code(r'''
from wfkit.widgets import ProgressBar

requests = [f"please {'refund' if n % 3 == 0 else 'update'} order {100 + n}" for n in range(20)]
configs = [{"configurable": {"thread_id": f"ticket-{n:02d}"}} for n in range(20)]

progress = ProgressBar("agent runs")
results = agent.batch([{"request": r} for r in requests], configs, max_concurrency=4, on_progress=progress)
print(progress.summary())
print(results[0]["__interrupt__"][0].value)
'''),
md(r"""
## The inbox

`ReviewInbox(agent)` lists every thread that waits, oldest first, read from the checkpointer. Pick one in
the list (or **Next** / **Previous**): it shows the graph with the paused node marked, the payload, the
state and the path that led there, and the review panel. **Approve** resumes that thread in the
background; the list is read again. Filter by node, or by a payload field (here: only refunds).
"""),
code(r'''
from wfkit.widgets import ReviewInbox

inbox = ReviewInbox(agent)
print(len(inbox.pending), "threads wait")
refunds = inbox.filter(field="action", contains="refund")
print("refunds:", sorted(item.thread_id for item in refunds))
'''),
code(r'''
inbox.select("ticket-03")
inbox
''', tags=("nbval-ignore-output",)),  # the runs of a batch pause in whatever order they finish
md(r"""
Answering from code does what the buttons do. Approve the refunds, then reject the first e-mail:
"""),
code(r'''
for item in inbox.pending:
    inbox.answer(item, True)
    await inbox.pending_answer  # in Jupyter the thread resumes in the background; wait for it here
print(agent.get_state({"configurable": {"thread_id": "ticket-03"}}).values["outcome"])
inbox.filter()  # no filter: every thread that still waits
print(len(inbox.pending), "threads still wait")
'''),
md(r"""
## Two reviewers

Bob works in another kernel, with his own connection to the same database. Alice answers `ticket-01`
while Bob has it open; when Bob answers it too, his answer is refused, and the thread is never answered
twice.
"""),
code(r'''
from wfkit.errors import AlreadyAnsweredError

bob = ReviewInbox(builder.compile(checkpointer=open_saver()))
bobs_item = next(item for item in bob.pending if item.thread_id == "ticket-01")
print("Bob looks at", bobs_item.thread_id)

inbox.answer("ticket-01", True)  # Alice is quicker
await inbox.pending_answer
try:
    await bob.aanswer(bobs_item, False)
except AlreadyAnsweredError as refused:
    print("Bob is told:", str(refused).split(": the thread")[0])
print(agent.get_state({"configurable": {"thread_id": "ticket-01"}}).values["outcome"])
'''),
md(r"""
## One thread in the Debugger

To see what one run does, superstep by superstep, step a new ticket in the `Debugger`: **Run** goes up
to the interrupt, and the review panel waits. That thread now waits in the inbox too.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(agent, {"request": "please refund order 999"}, {"configurable": {"thread_id": "ticket-20"}})
records = await debugger.run_all()
debugger
'''),
md(r"""
## Functional API

An `@entrypoint` batches and pauses the same way: each run stops at its `interrupt()`.
"""),
code(r'''
from wfkit import entrypoint, Command


@entrypoint(checkpointer=open_saver())
def careful_refund(order: int) -> str:
    ok = interrupt({"action": "refund", "order": order})
    return f"refunded {order}" if ok else f"kept {order}"


orders = [{"configurable": {"thread_id": f"order-{n}"}} for n in (7, 8)]
paused = careful_refund.batch([7, 8], orders)
print([p["__interrupt__"][0].value for p in paused])
print(careful_refund.batch([Command(resume=True), Command(resume=False)], orders))
'''),
]
