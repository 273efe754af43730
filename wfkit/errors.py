"""Every exception wfkit raises, in one tree. Messages name the culprit and, where there is one, the fix."""

from __future__ import annotations

import sys
from dataclasses import dataclass


class WfkitError(Exception):
    """Base of every error wfkit raises on purpose."""


class GraphBuildError(WfkitError, ValueError):
    """The graph being built or compiled is malformed (unknown node, reserved name, unreachable node)."""


class InvalidUpdateError(WfkitError):
    """A node's update cannot be applied (two writes to a key with no reducer, a non-dict update). Not a
    ValueError: LangGraph's is a plain Exception, and code written for it catches it by name."""


class MessageNotFoundError(InvalidUpdateError, ValueError):
    """`RemoveMessage(id)` names a message the list does not hold (LangGraph raises a `ValueError`)."""


class StateEditError(InvalidUpdateError, ValueError):
    """An edit of a stepped run's state (`Run.edit`, the Debugger's Edit state) does not fit the state schema."""


class GraphRecursionError(WfkitError, RecursionError):
    """The run reached `recursion_limit` supersteps without finishing."""


class InvalidRouteError(WfkitError, ValueError, KeyError):
    """A conditional edge's path function returned something its path_map does not allow (a `KeyError`
    as LangGraph raises, and a `ValueError` as wfkit did)."""

    def __str__(self) -> str:  # KeyError's own str() would show the message in quotes
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class EmptyInputError(WfkitError, ValueError):
    """The graph was invoked with no input and there is nothing to resume."""


class CheckpointError(WfkitError):
    """A checkpoint could not be stored, found or read back."""


class CheckpointConflictError(CheckpointError):
    """Another run or process stored a checkpoint on the thread after this one read its head; nothing was
    stored: reload the thread and retry the step."""


class StepNotStoredError(CheckpointError):
    """A superstep ran but its checkpoint could not be stored; the run stays where it was before it, and
    stepping again runs that superstep again."""


class NoCheckpointerError(CheckpointError, ValueError):
    """get_state, get_state_history or update_state on a graph compiled without a checkpointer (a
    `ValueError`, as LangGraph's)."""


class MissingThreadError(CheckpointError, ValueError):
    """A graph with a checkpointer was run without a usable `thread_id` in its config."""


class ThreadKeyMissingError(CheckpointError, KeyError):
    """`get_state`, `get_state_history` or `update_state` was given a config without a `thread_id` (a
    KeyError, as in LangGraph)."""

    __str__ = Exception.__str__  # the message as written, not KeyError's repr of it


class UnsafePayloadError(CheckpointError):
    """Stored data asked to revive a type that is not on the allow-list; nothing was imported or run."""


class InvalidResumeError(WfkitError, RuntimeError):
    """A run cannot be resumed or stepped this way (several interrupts pending and one value given, no
    checkpointer, a finished run); the thread stays as it was. A RuntimeError, as in LangGraph."""


class AlreadyAnsweredError(InvalidResumeError):
    """An interrupt was answered meanwhile (by another reviewer, kernel or machine): the answer was not given."""


class AnswerRejectedError(InvalidResumeError):
    """A node raised on the answer it was resumed with (the node's error is the `__cause__`); nothing was
    kept and the run still waits at the same interrupt for another answer."""


def _answer_schema_error() -> type:
    # Made on first use (`AnswerSchemaError` below): it subclasses pydantic's ValidationError, as the error
    # LangGraph raises there is one, and pydantic is imported only by the programs that validate answers.
    from pydantic_core import ValidationError

    class AnswerSchemaError(InvalidResumeError, ValidationError):
        """An answer given with `Command(resume=...)` does not fit the `response_schema` of the interrupt it
        answers: nothing was kept and the interrupt still waits for another answer. A pydantic
        `ValidationError` (`.errors()` lists the problems), as LangGraph's, and a RuntimeError as every
        `InvalidResumeError`. Made by `wfkit.engine.response_schema.checked`, which writes its message."""

        _langgraph_invalid_resume = True  # what `is_invalid_resume` reads
        message = ""

        def __str__(self) -> str:
            return self.message

    AnswerSchemaError.__module__, AnswerSchemaError.__qualname__ = __name__, "AnswerSchemaError"
    return AnswerSchemaError


def __getattr__(name: str) -> type:
    if name == "AnswerSchemaError":
        globals()[name] = cls = _answer_schema_error()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class SubgraphOnlyError(WfkitError, RuntimeError):
    """A graph compiled with checkpointer=True (a subgraph keeping its parent's thread) was run on its own."""


class SubgraphNotFoundError(CheckpointError, ValueError):
    """update_state on a config whose checkpoint_ns names no subgraph this graph knows (a ValueError, as in
    LangGraph)."""


class TaskOutsideEntrypointError(WfkitError, RuntimeError):
    """A `@task` function was called outside an `@entrypoint` (or a graph node), where it has no run."""


class ModelError(WfkitError):
    """A model call failed in a way wfkit can explain (no reply scripted, bad structured output)."""


class StructuredOutputError(ModelError, ValueError):
    """A model's reply did not validate against the requested pydantic schema."""


class ToolArgumentsError(WfkitError, ValueError):
    """A tool was called with arguments that do not fit its signature."""


class ToolInvocationError(ToolArgumentsError):
    """`ToolNode`: a model called a tool with arguments it cannot take (LangGraph's name and message, which
    the model reads when the node hands the error back to it)."""

    def __init__(self, message: str, tool_name: str, tool_kwargs: dict):
        super().__init__(message)
        self.message, self.tool_name, self.tool_kwargs = message, tool_name, tool_kwargs


class CassetteMissError(ModelError, LookupError):
    """Replay mode: no recorded reply matches the request."""


class CassetteError(ModelError, ValueError):
    """A cassette file cannot be read: not JSON, nested too deeply, or not shaped as wfkit writes it."""


class ContextError(WfkitError, TypeError):
    """The `context=` given to a run does not fit the graph's `context_schema` (a field missing or unknown)."""


class GraphDrained(WfkitError):
    """The run stopped between supersteps because its `RunControl.request_drain()` was called; a run with a
    checkpointer goes on from there with `invoke(None, config)`."""

    def __init__(self, reason: str = "shutdown"):
        super().__init__(f"the run was drained ({reason}) before its next superstep; with a checkpointer, "
                         "invoke(None, config) on the same thread goes on from there")
        self.reason = reason


class UnsupportedFeatureError(WfkitError, NotImplementedError):
    """A LangGraph option wfkit does not implement yet; refused rather than silently ignored."""


class ArgumentTypeError(WfkitError, TypeError):
    """A public call got an argument of the wrong type (a config that is not a dict, `limit="x"`)."""


class ArgumentValueError(WfkitError, ValueError):
    """A public call got an argument of the right type but a value it cannot take (`max_concurrency=0`)."""


class NoCacheError(WfkitError, ValueError):
    """`clear_cache()` on a graph compiled without a cache (a ValueError, as LangGraph's)."""


class InvalidNamespaceError(WfkitError, ValueError):
    """A store namespace that breaks the rules: not a tuple of non-empty str labels without '.' (LangGraph's name)."""


class ReducerError(InvalidUpdateError, TypeError):
    """A key's reducer could not take a write (`operator.add` given an int for a list key); a TypeError, as
    the reducer's own error is in LangGraph."""


class GraphInterrupt(Exception):
    """Control flow, not an error: raised inside a node by `interrupt()` to pause the run."""

    def __init__(self, interrupts=()):
        super().__init__(interrupts)
        self.interrupts = tuple(interrupts)


class ParentCommand(WfkitError):
    """Control flow: a subgraph's node returned `Command(graph=Command.PARENT, ...)`; the subgraph stops and
    the parent's task that runs it takes the Command as its own return. Raised to the caller only by a graph
    run on its own, which has no parent."""

    def __init__(self, node: str, command: object):
        super().__init__(
            f"node `{node}` returned Command(graph=Command.PARENT, ...), which routes in the graph that runs this "
            "one as a subgraph, and this graph ran on its own: add it as a node of a parent graph "
            "(add_node(name, compiled_graph)) or invoke it from a parent's node, or return the Command without "
            "graph= to route in this graph")
        self.node, self.command = node, command
        self._message = str(self.args[0])
        self.args = (command,)  # as LangGraph's: code written for it reads the Command as args[0]

    def __str__(self) -> str:
        return self._message

    def __reduce__(self):
        return type(self), (self.node, self.command)



class NodeTimeoutError(WfkitError):
    """An attempt of a node or task ran past its `TimeoutPolicy` (LangGraph's name and attributes: `node`,
    `kind` "run" or "idle", `timeout`, `run_timeout`, `idle_timeout`, `elapsed`). Not a built-in
    `TimeoutError` (an `OSError`), so the default `RetryPolicy` retries it."""

    def __init__(self, node: str, elapsed: float, *, kind: str, idle_timeout: float | None = None,
                 run_timeout: float | None = None):
        if kind not in ("run", "idle"):
            raise ArgumentValueError(f"NodeTimeoutError(kind={kind!r}): kind must be 'run' or 'idle'")
        timeout = run_timeout if kind == "run" else idle_timeout
        if timeout is None:
            raise ArgumentValueError(f"NodeTimeoutError(kind={kind!r}) needs {kind}_timeout=")
        what = "run timeout" if kind == "run" else "idle timeout"
        idle = " without making progress" if kind == "idle" else ""
        super().__init__(
            f"Node '{node}' exceeded its {what} of {timeout:.3f}s{idle} (elapsed: {elapsed:.3f}s). Nothing it "
            f"wrote was kept: raise the timeout (add_node({node!r}, ..., timeout=...)) or give it a RetryPolicy")
        self.node, self.elapsed, self.kind, self.timeout = node, elapsed, kind, timeout
        self.idle_timeout, self.run_timeout = idle_timeout, run_timeout


class NodeCancelledError(WfkitError):
    """A node's own code raised `asyncio.CancelledError` (not the engine cancelling it): a failure of the node,
    like any other exception, rather than a silent stop (LangGraph's name; `node` names it)."""

    def __init__(self, node: str, message: str | None = None):
        super().__init__(message or f"Node {node!r} raised asyncio.CancelledError")
        self.node = node


@dataclass(frozen=True, slots=True)
class NodeError:
    """Not an exception: what a node's error handler (`add_node(..., error_handler=)`) gets in a parameter
    hinted `NodeError`: the failed node's name and the exception it raised after its retries."""

    node: str
    error: BaseException



class WfkitWarning(UserWarning):
    """A likely mistake that LangGraph accepts silently; wfkit keeps LangGraph's result and says so."""


_INVALID_RESUME = "_langgraph_invalid_resume"  # LangGraph's marker attribute, so its checks agree with ours


def is_invalid_resume(error: BaseException) -> bool:
    """Whether `error` was raised because a resume value did not fit what `interrupt()` asked for (LangGraph's
    check, for code that tells a refused answer apart from other failures of a node)."""
    return getattr(error, _INVALID_RESUME, False) is True


def add_note(error: BaseException, note: str) -> None:
    """`error.add_note(note)`, also on Python 3.10 (which keeps notes but has no method for them)."""
    if sys.version_info >= (3, 11):
        error.add_note(note)
    else:  # pragma: no cover - Python 3.10 has no add_note
        error.__notes__ = [*getattr(error, "__notes__", []), note]


__all__ = [name for name, obj in dict(globals()).items()
           if isinstance(obj, type) and issubclass(obj, Warning | Exception) or obj is NodeError]
__all__.insert(__all__.index("SubgraphOnlyError"), "AnswerSchemaError")  # made on first use, see above
