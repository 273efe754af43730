"""The checks of the notebooks' "Your turn" cells.

Each exercise cell leaves `...` where the answer goes; its check cell calls `check(title, test)`, where
`test()` returns what was right, or raises `Wrong("what is wrong")`. The check prints one line:
`✓` when the answer is right, `✗ ... not answered yet` while a `...` is left, `✗ ... not right: why` else.
The offline model answers the same way every time, so each check is exact.
"""

from __future__ import annotations

from typing import Any, Callable


class Wrong(Exception):
    """The answer is not right; the message says why."""


class NotAnswered(Exception):
    """A `...` is still where an answer goes."""


def given(*answers: Any) -> None:
    """Raise `NotAnswered` while any answer is still `...` (or None, what a function left as `...` returns)."""
    for answer in answers:
        if answer is Ellipsis or answer is None:
            raise NotAnswered


def expect(condition: bool, why: str) -> None:
    if not condition:
        raise Wrong(why)


def check(title: str, test: Callable[[], str]) -> None:
    try:
        right = test()
    except NotAnswered:
        print(f"✗ {title}: not answered yet (replace each ... in the cell above with your answer)")
        return
    except Wrong as wrong:
        print(f"✗ {title}: not right: {wrong}")
        return
    except Exception as error:  # the student's code raised: show it as a hint, not a traceback
        print(f"✗ {title}: your code raised {type(error).__name__}: {error}")
        return
    print(f"✓ {title}: {right}")
