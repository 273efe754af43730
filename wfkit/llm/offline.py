"""The offline model the notebooks use when no API key is set: canned, deterministic replies for the
guide's patterns, computed from each request so that parallel calls get the same answers in any order.

It writes jokes, stories and poems about a topic (and improves, twists and revises jokes), plans reports
(any schema with a list of name/description sections) and writes their sections, routes requests (any
schema with a `Literal` field picks the choice the user's message names), grades jokes ("not funny" until
a joke has been revised with the feedback), and does arithmetic with bound `add` / `multiply` / `divide`
(/ `subtract`) tools one call at a time before giving the answer. Any other schema is filled in from its
JSON schema; any other prompt gets a reply that says what the offline model can do.
"""

from __future__ import annotations

import re
from typing import Any

from wfkit.llm.request import ModelRequest
from wfkit.llm.scripted import ScriptedModel
from wfkit.messages import AIMessage, HumanMessage, ToolMessage

RIMSHOT = "Ba-dum-tss!"  # what a revised joke ends with, and what the grader listens for
_OPS = {"add": ("add", "plus", "sum"), "multiply": ("multiply", "times", "product"),
        "divide": ("divide", "divided", "quotient"), "subtract": ("subtract", "minus", "difference")}
_NUMBER = r"-?\d+(?:\.\d+)?"
_STOPWORDS = {"how", "does", "do", "what", "is", "are", "the", "a", "an", "to", "of", "and", "or", "with", "why"}


def _last_human(request: ModelRequest) -> str:
    humans = [m for m in request.messages if isinstance(m, HumanMessage)]
    return (humans[-1] if humans else request.messages[-1]).text


def _topic(text: str) -> str:
    match = re.search(r"\babout ([\w' -]+?)(?: but\b|[.,:;!?]|$)", text) or re.search(
        r"(?:report on|topic:?) ([\w' -]+?)(?:[.,:;!?]|$)", text, re.IGNORECASE)
    return match.group(1).strip() if match else "that"


# -- text -------------------------------------------------------------------------------------------------

def joke(topic: str) -> str:
    return f"Why did the {topic} sit on the keyboard? To keep an eye on the mouse!"


def revised_joke(topic: str) -> str:
    return f"What do {topic} and a good pun have in common? They always land on their feet. {RIMSHOT}"


def _write(text: str) -> str | None:
    if "take into account the feedback" in text or "feedback:" in text.lower():
        return revised_joke(_topic(text))
    if text.startswith("Make this joke funnier"):
        return f"{text.split(': ', 1)[-1]} (Pun intended: it was a real cat-astrophe.)"
    if text.startswith("Add a surprising twist"):
        return f"{text.split(': ', 1)[-1]} Twist: the mouse was wireless all along."
    section = re.search(r"section name: (.+?) and description: (.+)", text, re.DOTALL)
    if section:
        name, description = section.group(1).strip(), section.group(2).strip()
        return f"## {name}\n\n{description} This section was drafted by the offline model."
    kind = re.search(r"\b(joke|story|poem)\b", text, re.IGNORECASE)
    if kind and re.search(r"\b(write|tell|give|compose)\b", text, re.IGNORECASE):
        topic = _topic(text)
        return {"joke": joke(topic),
                "story": f"Once upon a time, in a town full of {topic}, one of them set out to see the world "
                         f"and came home wiser.",
                "poem": f"Soft light at dawn,\n{topic} on the lawn,\nthe whole day to yawn."}[kind.group(1).lower()]
    return None


# -- structured output --------------------------------------------------------------------------------------

def _choice(options: list[Any], text: str) -> Any:
    lowered = text.lower()
    named = [o for o in options if isinstance(o, str) and re.search(rf"\b{re.escape(o.lower())}\b", lowered)]
    return min(named, key=lambda o: lowered.index(o.lower())) if named else options[0]


def _fill(schema: dict, defs: dict, name: str, text: str) -> Any:
    """A plausible value for one JSON schema, given the user's text (grading and choices read it)."""
    if "$ref" in schema:
        return _fill(defs[schema["$ref"].split("/")[-1]], defs, name, text)
    if "enum" in schema or "const" in schema:
        options = schema.get("enum", [schema.get("const")])
        if set(options) >= {"funny", "not funny"}:
            return "funny" if RIMSHOT in text else "not funny"
        return _choice(options, text)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            usable = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _fill(usable[0], defs, name, text)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if kind == "object":
        return {k: _fill(v, defs, k, text) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_fill(schema.get("items", {}), defs, name, text)]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    return _words(name, text)


def _words(field: str, text: str) -> str:
    field = field.lower()
    if "query" in field or "search" in field:
        return " ".join(w for w in re.findall(r"[\w-]+", text) if w.lower() not in _STOPWORDS)
    if "feedback" in field:
        return "" if RIMSHOT in text else "Make it land: end on a pun about the topic."
    if any(w in field for w in ("justification", "reason", "rationale")):
        return "It names the key terms of the request."
    return f"Offline {field.replace('_', ' ')} for: {text[:80]}"


def _sections(topic: str) -> list[dict[str, str]]:
    return [{"name": "Introduction", "description": f"What {topic} covers and why it matters."},
            {"name": "Key ideas", "description": f"The main findings about {topic}."},
            {"name": "Outlook", "description": f"Open questions about {topic}."}]


def _structured(request: ModelRequest) -> dict[str, Any]:
    schema = request.schema.model_json_schema()
    defs = schema.get("$defs", {})
    text = _last_human(request)
    value = _fill(schema, defs, request.schema.__name__, text)
    for key, spec in schema.get("properties", {}).items():
        items = spec.get("items", {})
        item = defs.get(items.get("$ref", "").split("/")[-1], items)
        if spec.get("type") == "array" and {"name", "description"} <= set(item.get("properties", {})):
            topic = re.sub(r"^(?:here is the report topic:\s*|create a report on\s*)+", "", text, flags=re.IGNORECASE)
            value[key] = _sections(topic.strip().rstrip(".") or "the topic")
    return value


# -- tools --------------------------------------------------------------------------------------------------

def _plan(text: str, tools: set[str]) -> list[tuple[str, Any, Any]]:
    """The arithmetic steps asked for, in order; "PREV" stands for the previous step's result."""
    steps: list[tuple[str, Any, Any]] = []
    for clause in re.split(r"\bthen\b|[.;]\s+|\.$", text, flags=re.IGNORECASE):
        op = next((o for o, words in _OPS.items() if o in tools and re.search(
            r"\b(" + "|".join(words) + r")", clause, re.IGNORECASE)), None)
        numbers = [float(n) if "." in n else int(n) for n in re.findall(_NUMBER, clause)]
        if op and len(numbers) >= 2:
            steps.append((op, numbers[0], numbers[1]))
        elif op and numbers and steps:
            steps.append((op, "PREV", numbers[0]))
    return steps


def _use_tools(request: ModelRequest) -> AIMessage | str | None:
    tools = {t.name: t for t in request.tools}
    plan = _plan(_last_human(request), set(tools))
    if not plan:
        return None
    last_human = max(i for i, m in enumerate(request.messages) if isinstance(m, HumanMessage))
    results = [m for m in request.messages[last_human:] if isinstance(m, ToolMessage)]
    if len(results) >= len(plan):
        return f"The answer is {results[-1].text}."
    op, a, b = plan[len(results)]
    if a == "PREV":
        a = float(results[-1].text) if "." in results[-1].text else int(results[-1].text)
    first, second = list(tools[op].args_schema.model_fields)[:2]
    return AIMessage("", tool_calls=[{"name": op, "args": {first: a, second: b}, "id": None}])


def respond(request: ModelRequest) -> Any:
    """The offline model's reply to one request."""
    if request.schema is not None:
        return _structured(request)
    if request.tools:
        reply = _use_tools(request)
        if reply is not None:
            return reply
    text = request.messages[-1].text
    written = _write(text)
    if written is not None:
        return written
    return ("I am wfkit's offline model, so I only know the guide's examples: jokes, stories and poems about a "
            "topic, report plans and sections, routing, grading jokes, and arithmetic with tools. Set "
            "ANTHROPIC_API_KEY to talk to Claude.")


def offline_model() -> ScriptedModel:
    """A fresh offline model (a `ScriptedModel` over `respond`)."""
    return ScriptedModel(respond)


__all__ = ["offline_model", "respond"]
