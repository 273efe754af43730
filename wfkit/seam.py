"""The one seam between the widgets and the runs they drive: `SteppedRun`, the typed protocol that wfkit's
`stepping.Run` and the LangGraph adapter's `LangGraphRun` both implement, and `start(graph, input, config)`,
which opens the right one for a graph of either kind. The widgets use only this; they import neither
engine. LangGraph is imported only when a LangGraph graph is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class SteppedRun(Protocol):
    """A graph's run stepped by hand: what the Debugger, the ReviewPanel and the inbox use of it."""

    app: Any  # the graph driven (for a LangGraph graph without a checkpointer: its copy that has one)
    config: dict
    breakpoints: set[str]
    listeners: list[Callable[[Any], None]]  # called with each of wfkit's engine events
    history: list  # StepRecords, every branch, in the order they ran
    edits: list  # stepping.Edit, in the order they were made

    @property
    def next(self) -> list: ...
    @property
    def state(self) -> Any: ...
    @property
    def status(self) -> str: ...
    @property
    def done(self) -> bool: ...
    @property
    def step_number(self) -> int: ...
    @property
    def interrupts(self) -> tuple: ...
    @property
    def checkpoint_id(self) -> str | None: ...
    @property
    def thread_id(self) -> str: ...

    def waiting_joins(self) -> list: ...
    def lineage(self, checkpoint_id: str | None = None) -> list[tuple[int, str]]: ...
    def ahead(self) -> list: ...
    def forward(self) -> Any: ...
    def timeline(self) -> list: ...
    async def astep(self) -> Any: ...
    def step(self) -> Any: ...
    async def arun(self) -> list: ...
    def run(self) -> list: ...
    def register_types(self, *types: type) -> None: ...
    def answer(self, value: Any) -> None: ...
    async def aresume(self, value: Any) -> list: ...
    def resume(self, value: Any) -> list: ...
    def goto(self, step: int | None = None, *, checkpoint_id: str | None = None) -> None: ...
    def back(self, n: int = 1) -> None: ...
    def edit(self, values: dict, as_node: str | None = None, *, replace: bool = False) -> Any: ...
    def subgraph_tasks(self) -> list[str]: ...
    def step_into(self, node: str | None = None) -> SteppedRun: ...


def start(graph: Any, input: Any = None, config: dict | None = None) -> SteppedRun:
    """A run of `graph` that has executed nothing yet, for a wfkit graph (`graph.start(input, config)`) or a
    LangGraph one (`StateGraph(...).compile()`, `@entrypoint`, `Pregel`: driven by LangGraph itself). With
    `input=None` and the thread id of a thread that has state, the run opens that thread where it stands."""
    if _is_wfkit(graph):
        return graph.start(input, config)
    from wfkit.adapters.langgraph import LangGraphRun, is_langgraph

    if is_langgraph(graph):
        return LangGraphRun(graph, input, config)
    raise TypeError(f"wfkit.start(graph): `graph` is {_given(graph)}; it accepts a compiled wfkit graph "
                    f"(wfkit.StateGraph(...).compile() or @wfkit.entrypoint) or a compiled LangGraph graph "
                    f"(langgraph's StateGraph(...).compile(), @entrypoint or Pregel)")


def drawable(graph: Any, xray: bool | int = False) -> Any:
    """`graph.get_graph(xray)` as wfkit's `DrawableGraph`, for a graph of either kind."""
    from wfkit.adapters.langgraph import is_langgraph

    if is_langgraph(graph):
        from wfkit.adapters.langgraph import drawable as langgraph_drawable

        return langgraph_drawable(graph, xray)
    return graph.get_graph(xray=xray) if xray else graph.get_graph()


def _is_wfkit(graph: Any) -> bool:
    return callable(getattr(graph, "start", None)) and type(graph).__module__.partition(".")[0] == "wfkit"


def _given(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"
