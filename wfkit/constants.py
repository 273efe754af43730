"""Names with a fixed meaning in every graph."""

START = "__start__"
END = "__end__"
RESERVED_NAMES = frozenset({START, END})
RESERVED_CHARS = ("|", ":")  # used in ids and labels; a node name may not contain them
INTERRUPT_KEY = "__interrupt__"  # where invoke() puts the pending interrupts in the state it returns
