# The cells of 05_orchestrator_worker.ipynb; `md` and `code` come from ../build.py.
CELLS = [
md(r"""
# 05 · Orchestrator-worker

In notebook 03 the parallel branches were fixed when the graph was built: three edges, three writers.
Often the number of subtasks is only known at run time: a report needs as many sections as the plan has,
a code change touches as many files as it touches. Here an **orchestrator** plans the work, the graph
starts one **worker** per item of the plan, and a **synthesizer** puts the results together.

The tool for it is `Send(node, input)`: "run `node` in the next superstep with *this* input". Returning a
list of `Send`s from a conditional edge starts that many tasks of the same node, in parallel, each with
its own input.
"""),
code(r'''
from wfkit.llm import default_model

llm = default_model()
'''),
md(r"""
## The plan, as structured output
"""),
code(r'''
from typing import List
from pydantic import BaseModel, Field
from wfkit.messages import HumanMessage, SystemMessage


class Section(BaseModel):
    name: str = Field(description="Name for this section of the report.")
    description: str = Field(description="Brief overview of the main topics and concepts to be covered in this section.")


class Sections(BaseModel):
    sections: List[Section] = Field(description="Sections of the report.")


planner = llm.with_structured_output(Sections)
plan = planner.invoke("Here is the report topic: LLM scaling laws")
for section in plan.sections:
    print(f"{section.name}: {section.description}")
'''),
md(r"""
## Graph API

Two state schemas: the graph's `State`, and `WorkerState`, the input of one worker. A worker does not see
the whole state, only the `section` its `Send` gave it. Every worker writes its result to
`completed_sections`, whose reducer (`operator.add`) collects the results instead of letting one
overwrite another.
"""),
code(r'''
import operator
from typing import Annotated
from typing_extensions import TypedDict
from wfkit import StateGraph, START, END, Send


class State(TypedDict):
    topic: str
    sections: list[Section]
    completed_sections: Annotated[list, operator.add]  # all workers write here, in parallel
    final_report: str


class WorkerState(TypedDict):
    section: Section
    completed_sections: Annotated[list, operator.add]


def orchestrator(state: State):
    """Orchestrator that generates a plan for the report"""
    report_sections = planner.invoke([
        SystemMessage(content="Generate a plan for the report."),
        HumanMessage(content=f"Here is the report topic: {state['topic']}"),
    ])
    return {"sections": report_sections.sections}


def llm_call(state: WorkerState):
    """Worker writes a section of the report"""
    section = llm.invoke([
        SystemMessage(content="Write a report section following the provided name and description. "
                              "Include no preamble for each section. Use markdown formatting."),
        HumanMessage(content=f"Here is the section name: {state['section'].name} and description: "
                             f"{state['section'].description}"),
    ])
    return {"completed_sections": [section.content]}


def synthesizer(state: State):
    """Synthesize full report from sections"""
    return {"final_report": "\n\n---\n\n".join(state["completed_sections"])}


def assign_workers(state: State):
    """Assign a worker to each section in the plan"""
    return [Send("llm_call", {"section": s}) for s in state["sections"]]


orchestrator_worker_builder = StateGraph(State)
orchestrator_worker_builder.add_node("orchestrator", orchestrator)
orchestrator_worker_builder.add_node("llm_call", llm_call)
orchestrator_worker_builder.add_node("synthesizer", synthesizer)
orchestrator_worker_builder.add_edge(START, "orchestrator")
orchestrator_worker_builder.add_conditional_edges("orchestrator", assign_workers, ["llm_call"])
orchestrator_worker_builder.add_edge("llm_call", "synthesizer")
orchestrator_worker_builder.add_edge("synthesizer", END)
orchestrator_worker = orchestrator_worker_builder.compile()
orchestrator_worker
'''),
md(r"""
The picture has one `llm_call` box; how many copies of it run is decided by the data. The dashed edge
is the conditional edge that sends them.
"""),
code(r'''
from IPython.display import Markdown

state = orchestrator_worker.invoke({"topic": "Create a report on LLM scaling laws"})
Markdown(state["final_report"])
'''),
md(r"""
### Watching the workers start

Step once: the orchestrator has written its plan, and the next superstep holds **three** `llm_call`
tasks. They were started by `Send` (their trigger), and each has its own input: one section.
"""),
code(r'''
run = orchestrator_worker.start({"topic": "Create a report on LLM scaling laws"})
run.step()
for task in run.next:
    print(f"{task.name} (started by {task.triggers[0]}) gets section {task.input['section'].name!r}")
'''),
md(r"""
Step again: the three workers ran in one superstep, and the reducer has collected their three results
into `completed_sections`, in the order of the plan. The synthesizer is planned **once**, for the same
reason as the aggregator in notebook 03: all three workers finished in the same superstep, and a node
(reached by an edge) runs at most once per superstep.
"""),
code(r'''
record = run.step()
print("ran:", [task.name for task in record.tasks])
print("completed_sections:", [text.splitlines()[0] for text in run.state["completed_sections"]])
print("next:", [task.name for task in run.next])
'''),
md(r"""
### The plan decides how many workers

Nothing in the graph says "three". Give the orchestrator other topics and the number of `llm_call` tasks
follows the plan. The offline planner's rule is simple and printed with each plan: one section per item a
topic lists, as many as the topic asks for ("in 5 sections"), else more sections for a longer topic.
"""),
code(r'''
for topic in ["owls", "cats, dogs and parrots", "LLM scaling laws in 5 sections"]:
    probe = orchestrator_worker.start({"topic": f"Create a report on {topic}"})
    probe.step()
    print(f"{topic!r}: {len(probe.next)} workers")
    print("   ", llm.calls[-1][1].response_metadata["reason"])
'''),
code(r'''
from wfkit.widgets import Debugger

debugger = Debugger(orchestrator_worker, {"topic": "Create a report on LLM scaling laws"})
records = [await debugger.step(), await debugger.step()]
debugger
'''),
md(r"""
## Functional API

Without `Send`: the orchestrator returns the plan, and a list comprehension calls the worker task once per
section. The calls start at once and run in parallel; collecting the futures' results in plan order does
the reducer's job.
"""),
code(r'''
from wfkit import task, entrypoint


@task
def plan_report(topic: str):
    report_sections = planner.invoke([
        SystemMessage(content="Generate a plan for the report."),
        HumanMessage(content=f"Here is the report topic: {topic}"),
    ])
    return report_sections.sections


@task
def write_section(section: Section):
    result = llm.invoke([
        SystemMessage(content="Write a report section."),
        HumanMessage(content=f"Here is the section name: {section.name} and description: {section.description}"),
    ])
    return result.content


@task
def synthesize(completed_sections: list[str]):
    return "\n\n---\n\n".join(completed_sections)


@entrypoint()
def orchestrator_worker_entrypoint(topic: str):
    sections = plan_report(topic).result()
    section_futures = [write_section(section) for section in sections]
    return synthesize([future.result() for future in section_futures]).result()


report = orchestrator_worker_entrypoint.invoke("Create a report on LLM scaling laws")
Markdown(report)
'''),
md(r"""
## Your turn

Fill in each `...`, run the cell, then run the check under it. The checks keep the answers out of sight;
a wrong answer gets a hint on where to look. Supersteps are counted as the Debugger's timeline numbers
them: superstep 0 applies the input, supersteps 1, 2, ... run nodes.
"""),
md(r"""
**1. Five sections.** Choose a topic for which the planner returns 5 sections, and predict the `Send`
tasks of superstep 2: how many, and the name of the section the last one gets.
"""),
code(r'''
my_topic = ...
my_task_count = ...
my_last_section = ...
''', tags=("exercise",)),
code(r'''
from wfkit.exercises import orchestrator_worker as checks

checks.your_turn_1(my_topic, my_task_count, my_last_section, orchestrator_worker)
''', tags=("check",)),
md(r"""
**2. Supersteps of a fan-out.** For the report on LLM scaling laws above, how many supersteps run nodes,
and how many times does `synthesizer` run?
"""),
code(r'''
my_superstep_count = ...
my_synthesizer_runs = ...
''', tags=("exercise",)),
code(r'''
checks.your_turn_2(my_superstep_count, my_synthesizer_runs, orchestrator_worker)
''', tags=("check",)),
]

SOLUTIONS = [
    '''my_topic = "owls in 5 sections"
my_task_count = 5
my_last_section = "Outlook"''',
    '''my_superstep_count = 3
my_synthesizer_runs = 1''',
]
