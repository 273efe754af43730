"""The offline model's arithmetic: turn a request in words into the tool calls that compute it, in order.

Two ways of asking are understood, mixed freely and chained with "then", "and", "." or ";":

- commands: "add 3 and 4", "multiply that by 10", "divide it by 4", "subtract 2 from 10", "add 1, 2 and 3";
- expressions: "6 times 7 plus 8", "3 + 4 * 2", "what is 10 divided by 4", "... plus 8" after a command.

Expressions follow the usual precedence (× and ÷ before + and −, then left to right). Each step is
`(tool, a, b)` where an operand is a number or `Ref(k)`, the result of step k. Pure functions: tested on
their own, and the offline model only walks the plan one tool call at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

SYMBOLS = {"add": "+", "subtract": "−", "multiply": "×", "divide": "÷"}
_VERBS = {"add": "add", "sum": "add", "multiply": "multiply", "product": "multiply", "divide": "divide",
          "quotient": "divide", "subtract": "subtract", "difference": "subtract"}
_INFIX = {"plus": "add", "+": "add", "minus": "subtract", "-": "subtract", "−": "subtract", "times": "multiply",
          "*": "multiply", "×": "multiply", "x": "multiply", "multiplied": "multiply", "divided": "divide",
          "over": "divide", "/": "divide", "÷": "divide"}
_PREVIOUS = {"that", "it", "this", "result", "answer"}
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[+*/×÷−-]|[a-z]+", re.IGNORECASE)
_BREAKS = {"then"}


@dataclass(frozen=True)
class Ref:
    """The result of an earlier step (0-based)."""

    step: int


Operand = Union[int, float, Ref]
Step = tuple[str, Operand, Operand]


class NotArithmetic(Exception):
    """The text asks for a calculation this planner cannot follow; the message says which part."""


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _tokens(text: str) -> list[str]:
    tokens = []
    for raw in _TOKEN.findall(text.lower()):
        # A minus sign right before a number, where no operand precedes it, makes a negative number.
        if tokens and tokens[-1] == "-" and raw[0].isdigit() and (len(tokens) == 1 or not _operand(tokens[-2])):
            tokens[-1] = "-" + raw
        else:
            tokens.append(raw)
    return tokens


def _operand(token: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(?:\.\d+)?", token)) or token in _PREVIOUS


def _segments(tokens: list[str]) -> list[list[str]]:
    """Split at "then", at each command verb and at sentence ends (already removed by the tokenizer)."""
    segments: list[list[str]] = [[]]
    for token in tokens:
        if token in _BREAKS or token in _VERBS:
            segments.append([])
        if token not in _BREAKS:
            segments[-1].append(token)
    return [s for s in segments if s]


def plan(text: str) -> list[Step]:
    """The steps `text` asks for, in order ([] when it asks for no calculation)."""
    steps: list[Step] = []
    for sentence in re.split(r"[.;?!](?:\s+|$)", text):
        for segment in _segments(_tokens(sentence)):
            if segment[0] in _VERBS:
                _command(segment, steps)
            elif any(t in _INFIX for t in segment) and any(_operand(t) for t in segment):
                _expression(segment, steps)
    return steps


def _previous(steps: list[Step], segment: list[str]) -> Ref:
    if not steps:
        raise NotArithmetic(f"'{' '.join(segment)}' refers to an earlier result, but nothing was computed before it")
    return Ref(len(steps) - 1)


def _value(token: str, steps: list[Step], segment: list[str]) -> Operand:
    return _previous(steps, segment) if token in _PREVIOUS else _number(token)


def _command(segment: list[str], steps: list[Step]) -> None:
    op = _VERBS[segment[0]]
    words = segment[1:]
    if op == "subtract" and "from" in words:
        cut = words.index("from")
        taken = [_value(t, steps, segment) for t in words[:cut] if _operand(t)]
        base = [_value(t, steps, segment) for t in words[cut + 1:] if _operand(t)]
        if len(taken) != 1 or len(base) != 1:
            raise NotArithmetic(f"'{' '.join(segment)}': say what to subtract from what, e.g. 'subtract 2 from 10'")
        steps.append((op, base[0], taken[0]))
        return
    values = [_value(t, steps, segment) for t in words if _operand(t)]
    if not values:
        raise NotArithmetic(f"'{' '.join(segment)}' names no number to {op}")
    if len(values) == 1:
        values.insert(0, _previous(steps, segment))  # "multiply by 5": the previous result is the other operand
    left = values[0]
    for right in values[1:]:
        steps.append((op, left, right))
        left = Ref(len(steps) - 1)


def _expression(segment: list[str], steps: list[Step]) -> None:
    items: list = []  # operand, op, operand, op, ...
    for token in segment:
        if _operand(token):
            if items and not isinstance(items[-1], str):
                raise NotArithmetic(f"'{' '.join(segment)}': two numbers with no operation between them")
            items.append(_value(token, steps, segment))
        elif token in _INFIX:
            if not items or isinstance(items[-1], str):
                if items:
                    raise NotArithmetic(f"'{' '.join(segment)}': two operations in a row")
                items.append(_previous(steps, segment))  # "plus 8" goes on from the last result
            items.append(_INFIX[token])
    if not items or isinstance(items[-1], str):
        raise NotArithmetic(f"'{' '.join(segment)}' ends without the number to {items[-1] if items else 'use'}")
    for group in (("multiply", "divide"), ("add", "subtract")):
        i = 1
        while i < len(items):
            if items[i] in group:
                steps.append((items[i], items[i - 1], items[i + 1]))
                items[i - 1:i + 2] = [Ref(len(steps) - 1)]
            else:
                i += 2


def show(operand: Operand, results: list) -> str:
    return _fmt(results[operand.step]) if isinstance(operand, Ref) else _fmt(operand)


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe(steps: list[Step]) -> str:
    """The plan in symbols: `#1 = 6 × 7; #2 = #1 + 8`."""
    def name(operand: Operand) -> str:
        return f"#{operand.step + 1}" if isinstance(operand, Ref) else _fmt(operand)

    return "; ".join(f"#{i + 1} = {name(a)} {SYMBOLS[op]} {name(b)}" for i, (op, a, b) in enumerate(steps))
