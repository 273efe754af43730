"""`create_react_agent`: the model-calls-tools loop as a compiled graph, as `langgraph.prebuilt`'s.

The graph has LangGraph's nodes and edges (`agent`, `tools`, the optional `pre_model_hook`,
`post_model_hook` and `generate_structured_response`), so its drawing, its streams and its checkpoints
look like LangGraph's. The model is a wfkit chat model (`ScriptedModel`, `Claude`, ...); it is bound to
the tools once, when the graph is built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from typing_extensions import TypedDict

from wfkit.constants import END
from wfkit.errors import UnsupportedFeatureError
from wfkit.graph.builder import StateGraph
from wfkit.llm.base import BaseChatModel
from wfkit.managed import RemainingSteps
from wfkit.messages import AIMessage, AnyMessage, SystemMessage, ToolMessage, add_messages
from wfkit.prebuilt.tool_node import ToolNode
from wfkit.types import Send


class AgentState(TypedDict):
    """The state of `create_react_agent`'s graph: the conversation and the steps the run has left."""

    messages: Annotated[Sequence[AnyMessage], add_messages]
    remaining_steps: RemainingSteps


class AgentStateWithStructuredResponse(AgentState):
    """`AgentState` with the `response_format` answer."""

    structured_response: Any


def _value(state: Any, key: str, default: Any = None) -> Any:
    return state.get(key, default) if isinstance(state, dict) else getattr(state, key, default)


def _prompt_messages(prompt: Any, state: Any) -> list:
    messages = list(_value(state, "messages"))
    if prompt is None:
        return messages
    if isinstance(prompt, str):
        return [SystemMessage(prompt), *messages]
    if isinstance(prompt, SystemMessage):
        return [prompt, *messages]
    if callable(prompt):
        return prompt(state)
    raise TypeError(f"create_react_agent(prompt=...) takes a string, a SystemMessage or a function of the "
                    f"state returning the messages for the model, got {type(prompt).__name__}: {prompt!r}")


def _check_history(messages: Sequence[Any]) -> None:
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    missing = [call for m in messages if isinstance(m, AIMessage) for call in m.tool_calls
               if call["id"] not in answered]
    if missing:
        raise ValueError(
            "Found AIMessages with tool_calls that do not have a corresponding ToolMessage. "
            f"Here are the first few of those tool calls: {missing[:3]}.\n\n"
            "Every tool call (LLM requesting to call a tool) in the message history MUST have a corresponding "
            "ToolMessage (result of a tool invocation to return to the LLM) - this is required by most LLM "
            "providers.\nFor troubleshooting, visit: "
            "https://docs.langchain.com/oss/python/langgraph/errors/INVALID_CHAT_HISTORY")


def create_react_agent(model: Any, tools: Sequence[Any] | ToolNode, *, prompt: Any = None,
                       response_format: Any = None, pre_model_hook: Callable | None = None,
                       post_model_hook: Callable | None = None, state_schema: Any = None,
                       context_schema: Any = None, checkpointer: Any = None, store: Any = None,
                       interrupt_before: list[str] | None = None, interrupt_after: list[str] | None = None,
                       debug: bool = False, version: Literal["v1", "v2"] = "v2",
                       name: str | None = None) -> Any:
    """A graph that calls `model`, runs the tools it asks for, and calls it again until it answers.

    `version="v2"` (the default) sends each tool call to its own `tools` task; `"v1"` runs them all in one.
    """
    if not isinstance(model, BaseChatModel):
        raise UnsupportedFeatureError(
            f"create_react_agent(model={model!r}): wfkit takes a wfkit chat model (ScriptedModel, Claude, "
            f"offline_model(), ...), not a model name or a function choosing the model; build the model "
            f"first, e.g. create_react_agent(Claude(model='claude-sonnet-4-5'), tools)")
    if version not in ("v1", "v2"):
        raise ValueError(f"create_react_agent(version={version!r}): use 'v1' or 'v2'")
    tool_node = tools if isinstance(tools, ToolNode) else ToolNode(list(tools))
    tool_list = list(tool_node.tools_by_name.values())
    bound = model.bind_tools(tool_list) if tool_list else model
    return_direct = {t.name for t in tool_list if t.return_direct}
    entry = "pre_model_hook" if pre_model_hook is not None else "agent"

    def steps_run_out(state: Any, response: AIMessage) -> bool:
        remaining = _value(state, "remaining_steps")
        if remaining is None:
            return False
        all_direct = isinstance(response, AIMessage) and all(c["name"] in return_direct for c in response.tool_calls)
        return (remaining < 1 and all_direct) or (remaining < 2 and bool(response.tool_calls))

    def model_input(state: Any) -> Any:
        messages = (pre_model_hook is not None and _value(state, "llm_input_messages")) or _value(state, "messages")
        if messages is None:
            raise ValueError(f"Expected input to call_model to have 'messages' key, but got {state}")
        _check_history(messages)
        if isinstance(state, dict):
            return {**state, "messages": messages}
        return state

    def finish(state: Any, response: AIMessage) -> dict:
        if response.name != name:
            response = response._replace(name=name)
        if steps_run_out(state, response):
            response = AIMessage(id=response.id, content="Sorry, need more steps to process this request.")
        return {"messages": [response]}

    def call_model(state: Any, config: dict) -> dict:
        return finish(state, bound.invoke(_prompt_messages(prompt, model_input(state)), config))

    def generate_structured_response(state: Any, config: dict) -> dict:
        messages, schema = list(_value(state, "messages")), response_format
        if isinstance(response_format, tuple):
            system, schema = response_format
            messages = [SystemMessage(system), *messages]
        return {"structured_response": model.with_structured_output(schema).invoke(messages, config)}

    def should_continue(state: Any) -> Any:
        last = _value(state, "messages")[-1]
        if not isinstance(last, AIMessage) or not last.tool_calls:
            if post_model_hook is not None:
                return "post_model_hook"
            return "generate_structured_response" if response_format is not None else END
        if version == "v1":
            return "tools"
        if post_model_hook is not None:
            return "post_model_hook"
        return [Send("tools", {"__type": "tool_call_with_context", "tool_call": call, "state": state})
                for call in last.tool_calls]

    if state_schema is None:
        state_schema = AgentStateWithStructuredResponse if response_format is not None else AgentState
    options = {"context_schema": context_schema} if context_schema is not None else {}
    workflow = StateGraph(state_schema, **options)
    workflow.add_node("agent", call_model)
    if pre_model_hook is not None:
        workflow.add_node("pre_model_hook", pre_model_hook)
        workflow.add_edge("pre_model_hook", "agent")
    workflow.set_entry_point(entry)
    if post_model_hook is not None:
        workflow.add_node("post_model_hook", post_model_hook)
        workflow.add_edge("agent", "post_model_hook")
    if response_format is not None:
        workflow.add_node("generate_structured_response", generate_structured_response)
    if not tool_list:
        if response_format is not None:
            workflow.add_edge("post_model_hook" if post_model_hook is not None else "agent",
                              "generate_structured_response")
        return _compile(workflow, checkpointer, store, interrupt_before, interrupt_after, debug, name)

    workflow.add_node("tools", tool_node)
    agent_paths = ["post_model_hook"] if post_model_hook is not None else ["tools"]
    hook_paths = [entry, "tools"]
    finish_node = "generate_structured_response" if response_format is not None else END
    (hook_paths if post_model_hook is not None else agent_paths).append(finish_node)
    if post_model_hook is not None:
        def post_model_hook_router(state: Any) -> Any:
            messages = _value(state, "messages")
            answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
            last_ai = next(m for m in reversed(messages) if isinstance(m, AIMessage))
            pending = [c for c in last_ai.tool_calls if c["id"] not in answered]
            if pending:
                return [Send("tools", {"__type": "tool_call_with_context", "tool_call": call, "state": state})
                        for call in pending]
            if isinstance(messages[-1], ToolMessage):
                return entry
            return finish_node

        workflow.add_conditional_edges("post_model_hook", post_model_hook_router, path_map=hook_paths)
    workflow.add_conditional_edges("agent", should_continue, path_map=agent_paths)

    def route_tool_responses(state: Any) -> str:
        m = None
        for m in reversed(_value(state, "messages")):
            if not isinstance(m, ToolMessage):
                break
            if m.name in return_direct:
                return END
        # a parallel call to a return_direct tool may have answered in another task
        if isinstance(m, AIMessage) and any(c["name"] in return_direct for c in m.tool_calls):
            return END
        return entry

    if return_direct:
        workflow.add_conditional_edges("tools", route_tool_responses, path_map=[entry, END])
    else:
        workflow.add_edge("tools", entry)
    return _compile(workflow, checkpointer, store, interrupt_before, interrupt_after, debug, name)


def _compile(workflow: StateGraph, checkpointer: Any, store: Any, interrupt_before: Any, interrupt_after: Any,
             debug: bool, name: str | None) -> Any:
    options: dict[str, Any] = {"checkpointer": checkpointer, "interrupt_before": interrupt_before,
                               "interrupt_after": interrupt_after, "debug": debug}
    if store is not None:
        options["store"] = store
    if name is not None:
        options["name"] = name
    return workflow.compile(**options)


create_tool_calling_executor = create_react_agent

__all__ = ["AgentState", "AgentStateWithStructuredResponse", "create_react_agent", "create_tool_calling_executor"]
