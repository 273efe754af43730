# The cells of 06_evaluator_optimizer.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 06 · Evaluator-optimizer

One call writes, another grades: if the grade is not good enough, the writer tries again with the
grader's feedback, until the grader accepts. It suits tasks with a clear success criterion that a first
attempt rarely meets, such as a translation that must keep every nuance.

In a graph this is a **loop**: an edge back to an earlier node. The loop's exit is a conditional edge,
and the engine's `recursion_limit` is the safety net if the exit is never taken.
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
## Graph API

The evaluator answers with structured output, a grade and feedback. The generator reads the feedback, if
there is any, on its next turn. (The offline grader finds a first joke "not funny" and accepts the one
written with its feedback.)
"""),
code(r'''
from typing_extensions import Literal, TypedDict
from pydantic import BaseModel, Field
from wfkit import StateGraph, START, END


class State(TypedDict):
    joke: str
    topic: str
    feedback: str
    funny_or_not: str


class Feedback(BaseModel):
    grade: Literal["funny", "not funny"] = Field(description="Decide if the joke is funny or not.")
    feedback: str = Field(description="If the joke is not funny, provide feedback on how to improve it.")


evaluator = llm.with_structured_output(Feedback)


def llm_call_generator(state: State):
    """LLM generates a joke"""
    if state.get("feedback"):
        msg = llm.invoke(f"Write a joke about {state['topic']} but take into account the feedback: {state['feedback']}")
    else:
        msg = llm.invoke(f"Write a joke about {state['topic']}")
    return {"joke": msg.content}


def llm_call_evaluator(state: State):
    """LLM evaluates the joke"""
    grade = evaluator.invoke(f"Grade the joke {state['joke']}")
    return {"funny_or_not": grade.grade, "feedback": grade.feedback}


def route_joke(state: State):
    """Route back to joke generator or end based upon feedback from the evaluator"""
    if state["funny_or_not"] == "funny":
        return "Accepted"
    elif state["funny_or_not"] == "not funny":
        return "Rejected + Feedback"


optimizer_builder = StateGraph(State)
optimizer_builder.add_node("llm_call_generator", llm_call_generator)
optimizer_builder.add_node("llm_call_evaluator", llm_call_evaluator)
optimizer_builder.add_edge(START, "llm_call_generator")
optimizer_builder.add_edge("llm_call_generator", "llm_call_evaluator")
optimizer_builder.add_conditional_edges(
    "llm_call_evaluator",
    route_joke,
    {"Accepted": END, "Rejected + Feedback": "llm_call_generator"},
)
optimizer_workflow = optimizer_builder.compile()
optimizer_workflow
'''),
code(r'''
state = optimizer_workflow.invoke({"topic": "Cats"})
print(state["joke"])
'''),
md(r"""
### One turn of the loop per two supersteps

The state holds only the latest joke and grade; each superstep replaced them. Stepping shows the whole
conversation between the two nodes, one superstep at a time.
"""),
code(r'''
run = optimizer_workflow.start({"topic": "Cats"})
while not run.done:
    record = run.step()
    (name, writes), = record.writes
    print(f"superstep {record.step}: {name}")
    for key, value in writes:
        print(f"    {key} = {value!r}")
'''),
md(r"""
In the Debugger, **Run** goes round the loop until the grader accepts; the timeline shows the four
supersteps, and selecting one shows what the grader said at that point. Put a breakpoint on
`llm_call_generator` and press Reset, then Run: it stops before each new attempt.
"""),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(optimizer_workflow, {"topic": "Cats"})
records = await debugger.run_all()
debugger
'''),
md(r"""
### When the grader is never happy

A loop whose exit is never taken would call the model forever. Every run has a `recursion_limit`, the
number of supersteps it may take (25 unless the config says otherwise); reaching it stops the run with
`GraphRecursionError`. Here a grader that rejects everything, with a limit of 6:
"""),
code(r'''
from wfkit import GraphRecursionError


def harsh_evaluator(state: State):
    return {"funny_or_not": "not funny", "feedback": "Funnier, please."}


harsh_builder = StateGraph(State)
harsh_builder.add_node("llm_call_generator", llm_call_generator)
harsh_builder.add_node("llm_call_evaluator", harsh_evaluator)
harsh_builder.add_edge(START, "llm_call_generator")
harsh_builder.add_edge("llm_call_generator", "llm_call_evaluator")
harsh_builder.add_conditional_edges(
    "llm_call_evaluator", route_joke, {"Accepted": END, "Rejected + Feedback": "llm_call_generator"})
harsh = harsh_builder.compile()

try:
    harsh.invoke({"topic": "Cats"}, {"recursion_limit": 6})
except GraphRecursionError as error:
    print(f"GraphRecursionError: {error}")
'''),
md(r"""
In practice, give the loop its own exit as well, for example a counter in the state that the routing
function checks, so that it ends with the best attempt so far rather than an error.

## Functional API

The loop is a `while` loop; the grader's answer is a pydantic object, read like any other.
"""),
code(r'''
from wfkit import task, entrypoint


@task
def generate(topic: str, feedback: Feedback | None):
    if feedback:
        return llm.invoke(f"Write a joke about {topic} but take into account the feedback: {feedback.feedback}").content
    return llm.invoke(f"Write a joke about {topic}").content


@task
def evaluate(joke: str):
    return evaluator.invoke(f"Grade the joke {joke}")


@entrypoint()
def optimizer_entrypoint(topic: str):
    feedback = None
    while True:
        joke = generate(topic, feedback).result()
        feedback = evaluate(joke).result()
        if feedback.grade == "funny":
            break
    return joke


for step in optimizer_entrypoint.stream("Cats", stream_mode="updates"):
    print(step)
'''),
md(r"""
## Your turn

Fill in each `...`, run the cell, then run the check under it. The checks keep the answers out of sight;
a wrong answer gets a hint on where to look. Supersteps are counted as the Debugger's timeline numbers
them: superstep 0 applies the input, supersteps 1, 2, ... run nodes.
"""),
md(r"""
**1. Predict the loop.** How many times does `llm_call_generator` run on `{"topic": "Owls"}` before the
grader accepts?
"""),
code(r'''
my_rounds = ...
''', tags=("exercise",)),
code(r'''
from wfkit.exercises import evaluator_optimizer

evaluator_optimizer.your_turn_1(my_rounds, optimizer_workflow)
''', tags=("check",)),
md(r"""
**2. The safety net.** Run the same loop on Owls with `{"recursion_limit": 3}`: does it finish, or stop
with a `GraphRecursionError`?
"""),
code(r'''
my_outcome = ...  # "finishes" or "GraphRecursionError"
''', tags=("exercise",)),
code(r'''
evaluator_optimizer.your_turn_2(my_outcome, optimizer_workflow)
''', tags=("check",)),
]

SOLUTIONS = [
    '''my_rounds = 2''',
    '''my_outcome = "GraphRecursionError"''',
]
