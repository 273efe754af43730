"""wfkit.llm._arith: arithmetic in words becomes tool steps, in order and with precedence."""

import pytest

from wfkit.llm._arith import NotArithmetic, Ref, describe, plan


@pytest.mark.parametrize("text, steps", [
    ("Add 3 and 4.", "#1 = 3 + 4"),
    ("What is 2 times 3?", "#1 = 2 × 3"),
    ("What is 6 times 7 plus 8?", "#1 = 6 × 7; #2 = #1 + 8"),
    ("8 plus 6 times 7", "#1 = 6 × 7; #2 = 8 + #1"),
    ("what is 3 + 4 * 2 - 1?", "#1 = 4 × 2; #2 = 3 + #1; #3 = #2 − 1"),
    ("Add 3 and 4 and multiply by 5", "#1 = 3 + 4; #2 = #1 × 5"),
    ("Add 3 and 4, then multiply by 5, then divide by 7.", "#1 = 3 + 4; #2 = #1 × 5; #3 = #2 ÷ 7"),
    ("Add 3 and 4. Then multiply that by 10, then divide it by 4.", "#1 = 3 + 4; #2 = #1 × 10; #3 = #2 ÷ 4"),
    ("Subtract 2 from 10", "#1 = 10 − 2"),
    ("Add 1, 2 and 3", "#1 = 1 + 2; #2 = #1 + 3"),
    ("What is 10 divided by 4?", "#1 = 10 ÷ 4"),
    ("what is -3 times 4", "#1 = -3 × 4"),
    ("Multiply 6 by 7, then subtract 2", "#1 = 6 × 7; #2 = #1 − 2"),
])
def test_words_become_steps(text, steps):
    assert describe(plan(text)) == steps


def test_steps_refer_to_earlier_results():
    assert plan("6 times 7 plus 8") == [("multiply", 6, 7), ("add", Ref(0), 8)]


@pytest.mark.parametrize("text", ["Write a joke about cats", "I have 3 cats and 4 dogs", "What is the capital of France?"])
def test_no_calculation_gives_no_steps(text):
    assert plan(text) == []


@pytest.mark.parametrize("text, message", [
    ("multiply by 5", "'multiply by 5' refers to an earlier result, but nothing was computed before it"),
    ("what is 3 plus", "'what is 3 plus' ends without the number to add"),
    ("3 plus times 4", "'3 plus times 4': two operations in a row"),
    ("subtract 2 and 3 from 10", "'subtract 2 and 3 from 10': say what to subtract from what, e.g. 'subtract 2 from 10'"),
])
def test_what_cannot_be_followed_is_named(text, message):
    with pytest.raises(NotArithmetic) as caught:
        plan(text)
    assert str(caught.value) == message
