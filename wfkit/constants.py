"""Names with a fixed meaning in every graph."""

START = "__start__"
END = "__end__"
RESERVED_NAMES = frozenset({START, END})
RESERVED_CHARS = ("|", ":")  # used in ids and labels; a node name may not contain them
ROOT = "__root__"  # the one channel of a state that is one value, not a dict (LangGraph's name for it)
INTERRUPT_KEY = "__interrupt__"  # where invoke() puts the pending interrupts in the state it returns
PULL = "__pregel_pull"  # first item of a node task's path, as LangGraph names it: (PULL, node)
PUSH = "__pregel_push"  # first item of a Send task's path, as LangGraph names it: (PUSH, index, False)
NS_LEVEL = "|"  # between the levels of a nested namespace (checkpoint_ns, stream namespaces): LangGraph's `a|b`


def join_ns(outer: str, inner: str) -> str:
    """The namespace `inner` one level inside `outer` ("" is the top level)."""
    return f"{outer}{NS_LEVEL}{inner}" if outer else inner
