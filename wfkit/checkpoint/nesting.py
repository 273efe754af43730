"""How deeply a stored JSON text nests, found without parsing it, so that a row edited outside wfkit cannot
crash the process.

CPython's JSON parser recurses once per level of nesting, bounded only by `sys.getrecursionlimit()`: a
notebook that raised that limit, reading a row of 10^5 nested brackets, overflows the C stack and the kernel
dies (a segfault, not an exception). `deeper_than` is checked before a stored text is parsed. It costs two
`str.count` calls for any text with fewer brackets than the limit (nearly every record); a text with more
is reduced to its brackets by regular expressions and its depth summed at C speed, so even a row of many
megabytes is judged in well under a second.
"""

from __future__ import annotations

import operator
import re
from itertools import accumulate, repeat

# Deeper than anything wfkit writes: its encoder stops at Python's recursion limit (1000 by default), and
# far below what the parser's C stack survives (about 20000 levels in a thread with an 8 MB stack).
MAX_DEPTH = 2000

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # a JSON string: its brackets do not nest
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_OPEN_CLOSE = str.maketrans({"[": "\x02", "{": "\x02", "]": "\x00", "}": "\x00"})  # +1 / -1, after - 1


def deeper_than(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON `text` nests more than `limit` arrays and objects inside each other (an unclosed
    bracket counts as open)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).translate(_OPEN_CLOSE).encode("latin-1")
    return max(accumulate(map(operator.sub, brackets, repeat(1))), default=0) > limit
