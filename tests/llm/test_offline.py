"""wfkit.llm.offline: canned, deterministic replies for the guide's six patterns."""

from typing import List, Literal

from pydantic import BaseModel, Field

from wfkit.llm import offline_model, tool
from wfkit.messages import AIMessage, HumanMessage, SystemMessage


class Route(BaseModel):
    step: Literal["poem", "story", "joke"] = Field(None, description="The next step in the routing process")


class Section(BaseModel):
    name: str = Field(description="Name for this section of the report.")
    description: str = Field(description="Brief overview of the section.")


class Sections(BaseModel):
    sections: List[Section] = Field(description="Sections of the report.")


class Feedback(BaseModel):
    grade: Literal["funny", "not funny"] = Field(description="Decide if the joke is funny or not.")
    feedback: str = Field(description="If the joke is not funny, provide feedback on how to improve it.")


class SearchQuery(BaseModel):
    search_query: str = Field(None, description="Query that is optimized web search.")
    justification: str = Field(None, description="Why this query is relevant to the user's request.")


@tool
def add(a: int, b: int) -> int:
    """Adds a and b."""
    return a + b


@tool
def multiply(a: int, b: int) -> int:
    """Multiplies a and b."""
    return a * b


@tool
def divide(a: int, b: int) -> float:
    """Divides a by b."""
    return a / b


TOOLS = {t.name: t for t in (add, multiply, divide)}


def test_jokes_stories_and_poems_about_the_topic():
    llm = offline_model()
    assert llm.invoke("Write a joke about cats").content == (
        "Why did the cats sit on the keyboard? To keep an eye on the mouse!")
    # A *short* joke is a first draft with no punchline, so the guide's gate ("?" or "!") fails once.
    assert llm.invoke("Write a short joke about cats").content == "The cats sat on the keyboard to keep an eye on the mouse."
    assert llm.invoke("Write a story about dogs").content == (
        "Once upon a time, in a town full of dogs, one of them set out to see the world and came home wiser.")
    assert llm.invoke("Write a poem about owls").content == "Soft light at dawn,\nowls on the lawn,\nthe whole day to yawn."


def test_prompt_chaining_improves_and_twists_the_joke():
    llm = offline_model()
    joke = llm.invoke("Write a short joke about cats").content
    improved = llm.invoke(f"Make this joke funnier by adding wordplay: {joke}").content
    assert improved == joke + " (Pun intended: it was a real cat-astrophe.)"
    assert llm.invoke(f"Add a surprising twist to this joke: {improved}").content == (
        improved + " Twist: the mouse was wireless all along.")


def test_routing_picks_the_kind_the_user_named_not_the_system_prompt():
    router = offline_model().with_structured_output(Route)
    system = SystemMessage("Route the input to story, joke, or poem based on the user's request.")
    assert [router.invoke([system, HumanMessage(f"Write me a {kind} about cats")]).step
            for kind in ("poem", "story", "joke")] == ["poem", "story", "joke"]


def test_orchestrator_plans_sections_and_workers_write_them():
    llm = offline_model()
    plan = llm.with_structured_output(Sections).invoke(
        [SystemMessage("Generate a plan for the report."), HumanMessage("Here is the report topic: LLM scaling laws")])
    assert [(s.name, s.description) for s in plan.sections] == [
        ("Introduction", "What LLM scaling laws covers and why it matters."),
        ("Key ideas", "The main findings about LLM scaling laws."),
        ("Outlook", "Open questions about LLM scaling laws.")]
    section = llm.invoke([SystemMessage("Write a report section."), HumanMessage(
        "Here is the section name: Outlook and description: Open questions about LLM scaling laws.")])
    assert section.content == "## Outlook\n\nOpen questions about LLM scaling laws. This section was drafted by the offline model."


def test_evaluator_says_not_funny_first_then_funny_after_the_revision():
    llm = offline_model()
    evaluator = llm.with_structured_output(Feedback)
    first = llm.invoke("Write a joke about Cats").content
    verdict = evaluator.invoke(f"Grade the joke {first}")
    assert verdict == Feedback(grade="not funny", feedback="Make it land: end on a pun about the topic.")
    revised = llm.invoke(f"Write a joke about Cats but take into account the feedback: {verdict.feedback}").content
    assert revised == "What do Cats and a good pun have in common? They always land on their feet. Ba-dum-tss!"
    assert evaluator.invoke(f"Grade the joke {revised}") == Feedback(grade="funny", feedback="")


def _run_agent(question):
    llm = offline_model().bind_tools(list(TOOLS.values()))
    messages = [SystemMessage("You are a helpful assistant tasked with performing arithmetic."), HumanMessage(question)]
    while True:
        reply = llm.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            return messages[1:]
        messages += [TOOLS[call["name"]].invoke(call) for call in reply.tool_calls]


def test_agent_calls_one_tool_then_answers():
    messages = _run_agent("Add 3 and 4.")
    assert [type(m).__name__ for m in messages] == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    assert [(c["name"], c["args"]) for c in messages[1].tool_calls] == [("add", {"a": 3, "b": 4})]
    assert (messages[2].content, messages[3].content) == ("7", "The answer is 7.")


def test_agent_chains_steps_on_the_previous_result():
    messages = _run_agent("Add 3 and 4. Then multiply that by 10, then divide it by 4.")
    calls = [(c["name"], c["args"]) for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
    assert calls == [("add", {"a": 3, "b": 4}), ("multiply", {"a": 7, "b": 10}), ("divide", {"a": 70, "b": 4})]
    assert messages[-1].content == "The answer is 17.5."


def test_augmented_llm_sample_structured_query_and_a_plain_function_tool():
    llm = offline_model()
    query = llm.with_structured_output(SearchQuery).invoke("How does Calcium CT score relate to high cholesterol?")
    assert query == SearchQuery(search_query="Calcium CT score relate high cholesterol",
                                justification="It names the key terms of the request.")

    def times(a: int, b: int) -> int:
        return a * b

    times.__name__ = "multiply"
    message = llm.bind_tools([times]).invoke("What is 2 times 3?")
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [("multiply", {"a": 2, "b": 3})]


def test_replies_are_the_same_on_every_run_including_tool_call_ids():
    first, second = _run_agent("Add 3 and 4."), _run_agent("Add 3 and 4.")
    assert first[1].tool_calls == second[1].tool_calls


def test_any_other_schema_is_filled_from_its_json_schema():
    class Plan(BaseModel):
        title: str
        steps: list[str]
        priority: Literal["low", "high"]
        done: bool
        estimate: int

    plan = offline_model().with_structured_output(Plan).invoke("Plan a high priority picnic")
    assert plan == Plan(title="Offline title for: Plan a high priority picnic",
                        steps=["Offline steps for: Plan a high priority picnic"], priority="high", done=True, estimate=1)


def test_an_unknown_prompt_says_what_the_offline_model_can_do():
    assert offline_model().invoke("What is the capital of France?").content == (
        "I am wfkit's offline model, so I only know the guide's examples: jokes, stories and poems about a topic, "
        "report plans and sections, routing, grading jokes, and arithmetic with tools. Set ANTHROPIC_API_KEY to "
        "talk to Claude.")
