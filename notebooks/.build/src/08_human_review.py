# The cells of 08_human_review.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 08 · Human review

Some steps should not happen without a person's say-so: publishing, sending, paying. `interrupt(payload)`
inside a node **pauses the run** and hands `payload` to whoever is watching; the run waits, saved in its
checkpointer, until someone **resumes** it with an answer. That answer becomes the value `interrupt()`
returns, and the node goes on with it.

This notebook shows interrupts from code first, then the two widgets that answer them: the `ReviewPanel`
(Approve, Reject, Edit) and the `Debugger`, which brings up the same panel when a run it steps pauses.
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
## A workflow with a reviewer

The model writes a joke; `human_review` asks whether to publish it. Approve, and it is published; reject,
and the joke is improved and comes back for review; edit, and your version is published.
"""),
code(r'''
from typing_extensions import TypedDict
from pydantic import BaseModel, Field
from wfkit import StateGraph, START, END, interrupt, Command, InMemorySaver


class Verdict(BaseModel):
    """A reviewer's answer with a shape (used by the form further down)."""
    publish: bool = Field(description="Publish the joke?")
    joke: str = Field(description="The joke, as it should be published")


class State(TypedDict):
    topic: str
    joke: str
    verdict: str
    published: str


reviews = []  # one entry each time human_review starts, to show when it runs


def write_joke(state: State):
    return {"joke": llm.invoke(f"Write a joke about {state['topic']}").content}


def human_review(state: State):
    reviews.append(state["joke"])
    answer = interrupt({"question": "Publish this joke?", "joke": state["joke"]})
    if answer is True:
        return {"verdict": "approved"}
    if answer is False:
        return {"verdict": "rejected"}
    if isinstance(answer, Verdict):  # from a form
        return {"verdict": "approved" if answer.publish else "rejected", "joke": answer.joke}
    return {"verdict": "edited", "joke": answer["joke"]}  # the payload, edited


def after_review(state: State):
    return "improve_joke" if state["verdict"] == "rejected" else "publish"


def improve_joke(state: State):
    return {"joke": llm.invoke(f"Make this joke funnier by adding wordplay: {state['joke']}").content}


def publish(state: State):
    return {"published": state["joke"]}


builder = StateGraph(State)
builder.add_node("write_joke", write_joke)
builder.add_node("human_review", human_review)
builder.add_node("improve_joke", improve_joke)
builder.add_node("publish", publish)
builder.add_edge(START, "write_joke")
builder.add_edge("write_joke", "human_review")
builder.add_conditional_edges("human_review", after_review, ["improve_joke", "publish"])
builder.add_edge("improve_joke", "human_review")
builder.add_edge("publish", END)
review_graph = builder.compile(checkpointer=InMemorySaver())
review_graph
'''),
md(r"""
An interrupted run has to be picked up again later, so the graph needs a **checkpointer**, and each run a
`thread_id` that names it. `invoke` returns when the run pauses; the pending interrupt is in the result
under `__interrupt__`, and `get_state` says which node waits.
"""),
code(r'''
config = {"configurable": {"thread_id": "review-1"}}
result = review_graph.invoke({"topic": "cats"}, config)

pending = result["__interrupt__"][0]
print("the run asks:", pending.value)
print("waiting in:  ", review_graph.get_state(config).next)
'''),
md(r"""
Resume with `Command(resume=answer)`. Rejecting sends the joke through `improve_joke` and back to review,
so the run pauses again, with the improved joke:
"""),
code(r'''
result = review_graph.invoke(Command(resume=False), config)
print("the run asks again:", result["__interrupt__"][0].value["joke"])
'''),
code(r'''
result = review_graph.invoke(Command(resume=True), config)
print(result["verdict"], "-", result["published"])
'''),
md(r"""
### The node runs again from its start

`reviews` has one entry per start of `human_review`: **four**, for two reviews. When a run resumes, the
interrupted node is run again *from its beginning*, and this time `interrupt()` returns the answer
instead of pausing. So whatever a node does before `interrupt()` happens twice per review: keep it cheap
and harmless (no model call, no e-mail), or move it into a node of its own before the reviewer's.
"""),
code(r'''
len(reviews)
'''),
md(r"""
## The ReviewPanel

`ReviewPanel(run)` shows the pending interrupts of a stepped run (`app.start(...)`, then `run.run()` up to
the pause), each with **Approve** (answers `True`), **Reject** (`False`) and **Edit** (the payload in an
editor; your edited version is the answer). Once every interrupt has its answer, the panel resumes the
run. Try it: the saved notebook shows it waiting.
"""),
code(r'''
from wfkit.widgets import ReviewPanel

run = review_graph.start({"topic": "owls"}, {"configurable": {"thread_id": "review-2"}})
run.run()  # up to the interrupt
panel = ReviewPanel(run)
panel
'''),
md(r"""
When the answer must have a shape, give the panel a pydantic model as `answer_model`, like `Verdict`
above: the card then shows a form built from its fields, pre-filled from the payload, and validates it
before it resumes the run. The node receives an instance of the model (see `human_review`). The model goes
to the panel, not into the payload, because payloads are saved in checkpoints and stay plain data.
"""),
md(r"""
## Reviewing inside the Debugger

The Debugger brings up the same panel, with the `Verdict` form, as soon as a run it steps pauses. Here
**Run** goes up to the interrupt, and the panel waits for an answer.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(review_graph, {"topic": "dogs"}, {"configurable": {"thread_id": "review-3"}},
                    answer_model=Verdict)
records = await debugger.run_all()
debugger
'''),
md(r"""
Your turn to review: fill in the form above and press **Submit** (or Reject, to see the joke improved and
asked about again). The timeline then gains the superstep that resumed the run and the one that
published. Nothing below answers it for you.

The same answer can come from Python, as if someone had filled in the form and pressed *Submit*. On a
Debugger of its own (so that the one above still waits for you):
"""),
code(r'''
answered = Debugger(review_graph, {"topic": "dogs"}, {"configurable": {"thread_id": "review-4"}},
                    answer_model=Verdict)
records = await answered.run_all()
answered.review.answer(0, Verdict(publish=True, joke="What do dogs and good jokes share? A great delivery!"))
records = await answered.pending  # the run resumes in the background; wait for it
answered.run.state
'''),
md(r"""
## Breakpoints: pausing without `interrupt()`

To look at a run before a node, without changing the node, compile with `interrupt_before` (or
`interrupt_after`). The run stops there; `invoke(None, config)` goes on. The Debugger's breakpoint
toggles do the same for one run.
"""),
code(r'''
careful = StateGraph(State)
careful.add_node("write_joke", write_joke)
careful.add_node("publish", publish)
careful.add_edge(START, "write_joke")
careful.add_edge("write_joke", "publish")
careful.add_edge("publish", END)
careful_graph = careful.compile(checkpointer=InMemorySaver(), interrupt_before=["publish"])

config = {"configurable": {"thread_id": "breakpoint-1"}}
careful_graph.invoke({"topic": "penguins"}, config)
print("stopped before:", careful_graph.get_state(config).next)
print(careful_graph.invoke(None, config)["published"])
'''),
md(r"""
## Functional API

`interrupt()` works inside an entrypoint too. On resume the entrypoint runs again from its start, but
tasks that already finished are **not** called again: their results were saved with the checkpoint and
are handed back. Here `write` runs once although the entrypoint runs twice.
"""),
code(r'''
from wfkit import task, entrypoint

written = []


@task
def write(topic: str) -> str:
    written.append(topic)
    return llm.invoke(f"Write a joke about {topic}").content


@entrypoint(checkpointer=InMemorySaver())
def reviewed_joke(topic: str) -> dict:
    joke = write(topic).result()
    approved = interrupt({"question": "Publish this joke?", "joke": joke})
    return {"joke": joke, "published": approved}


config = {"configurable": {"thread_id": "functional-1"}}
paused = reviewed_joke.invoke("cats", config)
print("asks:", paused["__interrupt__"][0].value["question"])
print(reviewed_joke.invoke(Command(resume=True), config))
print("write ran", len(written), "time(s)")
'''),
]
