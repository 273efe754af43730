"""The offline model explains itself: each reply carries the rule that made it, `explain()` prints them,
the Debugger shows them under the task; and its answers are right for the notebooks' prompts and the
variations a student types."""

import html
import re
from typing import List, Literal

import pytest
from pydantic import BaseModel, Field

from wfkit import END, START, MessagesState, StateGraph
from wfkit.llm import offline_model
from wfkit.llm.offline import sections
from wfkit.messages import HumanMessage, SystemMessage
from wfkit.widgets import Debugger

from tests.llm.test_offline import TOOLS, add, multiply


class Route(BaseModel):
    step: Literal["poem", "story", "joke"] = Field(None, description="The next step in the routing process")


class Feedback(BaseModel):
    grade: Literal["funny", "not funny"]
    feedback: str


class Section(BaseModel):
    name: str
    description: str


class Sections(BaseModel):
    sections: List[Section]




def route(text):
    llm = offline_model()
    answer = llm.with_structured_output(Route).invoke(
        [SystemMessage("Route the input to story, joke, or poem based on the user's request."), HumanMessage(text)])
    return answer.step, llm.calls[-1][1].response_metadata["reason"]


def test_the_router_says_which_word_chose_the_route():
    assert route("Write me a poem about the sea") == ("poem", "step: 'poem' because the message says 'poem'")
    assert route("Tell me something funny about cats") == ("joke", "step: 'joke' because the message says 'funny'")
    assert route("A tale about a brave owl, please") == ("story", "step: 'story' because the message says 'tale'")
    assert route("Hello there") == (
        "poem", "step: no option (poem, story, joke) is named in the message, so the first one, 'poem', was taken")


def test_a_funny_request_gets_a_joke_not_the_fallback():
    llm = offline_model()
    assert llm.invoke("Tell me something funny about cats").content == (
        "Why did the cats sit on the keyboard? To keep an eye on the mouse!")
    assert llm.calls[-1][1].response_metadata == {
        "model_name": "wfkit-offline",
        "reason": "the message asks for a joke ('funny') about 'cats' (the words after 'about')"}


def test_the_grader_names_its_rule():
    llm = offline_model()
    grader = llm.with_structured_output(Feedback)
    assert grader.invoke("Grade the joke Why did the cats sit?").grade == "not funny"
    assert llm.calls[-1][1].response_metadata["reason"] == (
        "grade: 'not funny' because the joke has no rimshot 'Ba-dum-tss!' yet (the offline grader passes a joke "
        "only once it was revised with feedback)")
    assert grader.invoke("Grade the joke They land on their feet. Ba-dum-tss!").grade == "funny"
    assert llm.calls[-1][1].response_metadata["reason"] == (
        "grade: 'funny' because the joke ends with the rimshot 'Ba-dum-tss!' that a revision adds")


@pytest.mark.parametrize("topic, names", [
    ("LLM scaling laws", ["Introduction", "Key ideas", "Outlook"]),
    ("owls", ["Introduction", "Key ideas"]),
    ("how transformers learn long range structure", ["Introduction", "Key ideas", "Methods", "Outlook"]),
    ("cats, dogs and parrots", ["Introduction", "Cats", "Dogs", "Parrots", "Conclusion"]),
    ("owls in 5 sections", ["Introduction", "Key ideas", "Background", "Methods", "Outlook"]),
    ("owls in two sections", ["Introduction", "Key ideas"]),
])
def test_the_number_of_sections_follows_the_topic(topic, names):
    planned, _ = sections(topic)
    assert [s["name"] for s in planned] == names


def test_the_planner_says_why_that_many_sections():
    llm = offline_model()
    plan = llm.with_structured_output(Sections).invoke("Here is the report topic: cats, dogs and parrots")
    assert len(plan.sections) == 5
    assert llm.calls[-1][1].response_metadata["reason"] == (
        "sections: planned 5 sections: the topic lists 3 items ('cats', 'dogs', 'parrots'): an introduction, "
        "one section each, a conclusion")


def agent_run(question, tools=TOOLS):
    llm = offline_model()
    bound = llm.bind_tools(list(tools.values()))
    messages = [HumanMessage(question)]
    for _ in range(10):
        reply = bound.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            break
        messages += [tools[c["name"]].invoke(c) for c in reply.tool_calls]
    calls = [(c["name"], c["args"]) for m in messages for c in getattr(m, "tool_calls", [])]
    return calls, messages[-1].content, llm


@pytest.mark.parametrize("question, calls, answer", [
    ("What is 6 times 7 plus 8?", [("multiply", {"a": 6, "b": 7}), ("add", {"a": 42, "b": 8})], "The answer is 50."),
    ("Add 3 and 4 and multiply by 5", [("add", {"a": 3, "b": 4}), ("multiply", {"a": 7, "b": 5})], "The answer is 35."),
    ("Add 3 and 4, then multiply by 5, then divide by 7.",
     [("add", {"a": 3, "b": 4}), ("multiply", {"a": 7, "b": 5}), ("divide", {"a": 35, "b": 7})], "The answer is 5.0."),
    ("what is 2 + 3 * 4?", [("multiply", {"a": 3, "b": 4}), ("add", {"a": 2, "b": 12})], "The answer is 14."),
])
def test_multi_step_arithmetic_is_right(question, calls, answer):
    assert agent_run(question)[:2] == (calls, answer)


def test_an_operation_without_its_tool_is_refused_by_name():
    calls, answer, llm = agent_run("What is 10 minus 3?")
    assert calls == []
    assert answer == ("I can't do that with the tools I have: it needs subtract, and the tools bound are add, "
                      "multiply, divide.")


def test_explain_lists_every_call_with_its_reason():
    _, _, llm = agent_run("What is 6 times 7 plus 8?")
    assert llm.explain() == "\n".join([
        "call 1 with tools add, multiply, divide: human: What is 6 times 7 plus 8?",
        "  replied: multiply(a=6, b=7)",
        "  because: arithmetic: step 1 of 2 of the plan #1 = 6 × 7; #2 = #1 + 8 (read from 'What is 6 times 7 "
        "plus 8?'): 6 × 7 with the `multiply` tool",
        "call 2 with tools add, multiply, divide: tool: 42",
        "  replied: add(a=42, b=8)",
        "  because: arithmetic: step 2 of 2 of the plan #1 = 6 × 7; #2 = #1 + 8 (read from 'What is 6 times 7 "
        "plus 8?'): 42 + 8 with the `add` tool",
        "call 3 with tools add, multiply, divide: tool: 50",
        "  replied: 'The answer is 50.'",
        "  because: arithmetic: all 2 step(s) of the plan #1 = 6 × 7; #2 = #1 + 8 are done; the last gave 50"])
    assert llm.explain(last=1).startswith("call 3 with tools")
    assert offline_model().explain() == "ScriptedModel(respond) has answered no call yet"


def test_the_debugger_shows_why_the_model_replied():
    llm = offline_model().bind_tools([add, multiply])

    def llm_call(state):
        return {"messages": [llm.invoke(state["messages"])]}

    def tool_node(state):
        return {"messages": [TOOLS[c["name"]].invoke(c) for c in state["messages"][-1].tool_calls]}

    builder = StateGraph(MessagesState)
    builder.add_node(llm_call)
    builder.add_node(tool_node)
    builder.add_edge(START, "llm_call")
    builder.add_conditional_edges("llm_call", lambda s: "tool_node" if s["messages"][-1].tool_calls else END,
                                  ["tool_node", END])
    builder.add_edge("tool_node", "llm_call")
    debugger = Debugger(builder.compile(), {"messages": [HumanMessage("What is 6 times 7 plus 8?")]})
    debugger.step()
    shown = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", debugger.inspector.value)).split())
    assert ("model human: What is 6 times 7 plus 8? → multiply(a=6, b=7) why: arithmetic: step 1 of 2 of the plan "
            "#1 = 6 × 7; #2 = #1 + 8 (read from 'What is 6 times 7 plus 8?'): 6 × 7 with the `multiply` tool") in shown
    assert debugger.watcher.lines[3].startswith("step 1 llm_call model replied multiply(a=6, b=7) because arithmetic:")
