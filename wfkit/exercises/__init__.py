"""The checks of the notebooks' "Your turn" cells, kept here so that the expected answers stay out of sight.

Each exercise cell leaves `...` where the answer goes; the cell under it calls one check of this package
with the answers and the notebook's objects it needs, e.g. `prompt_chaining.your_turn_1(my_nodes, chain)`.
A check prints one line: `✓` when the answer is right, `✗ ... not answered yet` while a `...` is left,
`✗ ... your function ... returned None` when a function forgot its `return`, and `✗ ... not right: hint`
else. A hint says where to look, never the answer. The offline model answers the same way every time, so
each check is exact.

Supersteps are counted the way the Debugger's timeline numbers them: superstep 0 applies the input and runs
no node; supersteps 1, 2, ... run nodes. "How many supersteps" means how many run nodes.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from collections.abc import Callable
from typing import Any


class Wrong(Exception):
    """The answer is not right; the message leads towards the right one."""


class NotAnswered(Exception):
    """A `...` is still where an answer goes."""


class ReturnedNone(Exception):
    """A function of the learner's returned None (it has no `return` on the path it took)."""


def given(*answers: Any) -> None:
    """Raise `NotAnswered` while any answer is still `...` (also inside a list, set, tuple or dict)."""
    for answer in answers:
        if answer is Ellipsis:
            raise NotAnswered
        if isinstance(answer, dict):
            given(*answer.values())
        elif isinstance(answer, (list, tuple, set)):
            given(*answer)


def _left_as_dots(function: Callable) -> bool:
    """Whether `function`'s body is still only `...` (a docstring aside): the exercise not started."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):  # no source to read (defined in a string): judge by its result
        return False
    body = tree.body[0].body if tree.body and hasattr(tree.body[0], "body") else []
    body = [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                    and isinstance(s.value.value, str))]
    return len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        and body[0].value.value is Ellipsis


def call(function: Callable, *args: Any) -> Any:
    """`function(*args)`, the learner's function: `NotAnswered` while its body is `...`, `ReturnedNone`
    when it returns None."""
    given(function)
    if _left_as_dots(function):
        raise NotAnswered
    result = function(*args)
    if result is None:
        raise ReturnedNone(getattr(function, "__name__", "your function"))
    return result


def expect(condition: bool, hint: str) -> None:
    if not condition:
        raise Wrong(hint)


def exercise(title: str) -> Callable[[Callable[..., str]], Callable[..., None]]:
    """Turn `test(*answers) -> what was right` into a check that prints its one line (see the module
    docstring) and raises nothing into the learner's cell."""

    def wrap(test: Callable[..., str]) -> Callable[..., None]:
        @functools.wraps(test)
        def check(*args: Any, **kwargs: Any) -> None:
            print(verdict(title, lambda: test(*args, **kwargs)))

        return check

    return wrap


def verdict(title: str, test: Callable[[], str]) -> str:
    """The line a check prints for `test()`."""
    try:
        right = test()
    except NotAnswered:
        return f"✗ {title}: not answered yet (replace each ... in the cell above with your answer)"
    except ReturnedNone as none:
        return (f"✗ {title}: your function `{none}` returned None: it needs a `return` with its answer on "
                f"every path")
    except Wrong as wrong:
        return f"✗ {title}: not right: {wrong}"
    except Exception as error:  # the learner's code raised: show it as a hint, not a traceback
        return f"✗ {title}: your code raised {type(error).__name__}: {error}"
    return f"✓ {title}: {right}"


def ran_nodes(app: Any, input: Any) -> list[list[str]]:
    """The node names of each superstep of a run of `app` that ran nodes, in order."""
    run = app.start(input)
    return [[task.name for task in record.tasks] for record in run.run()]
