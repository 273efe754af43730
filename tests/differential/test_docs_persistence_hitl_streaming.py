"""LangGraph's documentation samples for persistence, human-in-the-loop, time travel and streaming
(docs/docs/concepts/persistence.md, how-tos/memory/add-memory.md, how-tos/human_in_the_loop/
add-human-in-the-loop.md and time-travel.md, tutorials/get-started/6-time-travel.md, how-tos/streaming.md, as
of 23961cff, the commit before the docs left the langgraph repository), each run on wfkit and on LangGraph with
only the imports changed (`m.` names), outputs compared with `same`. What a sample prints is what the program
returns. Changes besides imports: an LLM call is a plain function returning the text the sample's output
shows (or a stand-in), `print` inside a node appends to a list the program returns, the prebuilt ToolNode /
tools_condition of the tutorial are a plain node and router, and checkpoint ids, interrupt ids and timestamps
are taken out (`_snap`, `_cfg`, `_plain`)."""

import operator
import uuid
from types import SimpleNamespace
from typing import Annotated, Literal, Optional

import pytest
from typing_extensions import NotRequired, TypedDict

from differential import test_divergences as d
from differential.test_divergences import _plain
from differential.test_docs_functional_and_subgraphs import two_step_graph


def _wfkit():
    import wfkit
    from wfkit import messages

    from wfkit.llm.scripted import ScriptedModel

    return SimpleNamespace(**vars(d._wfkit()), add_messages=wfkit.add_messages,
                           MessagesState=wfkit.MessagesState, AIMessage=messages.AIMessage,
                           RemoveMessage=messages.RemoveMessage,
                           chat_model=lambda replies, tags=None: ScriptedModel(replies, tags=tags))


def _langgraph():
    from langchain_core import messages
    from langgraph.graph import MessagesState, add_messages

    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    return SimpleNamespace(**vars(d._langgraph()), add_messages=add_messages, MessagesState=MessagesState,
                           AIMessage=messages.AIMessage, RemoveMessage=messages.RemoveMessage,
                           chat_model=lambda replies, tags=None: GenericFakeChatModel(
                               messages=iter([messages.AIMessage(r) for r in replies]), tags=tags))


# `m.chat_model(replies)`: the model of a sample that streams tokens, wfkit's ScriptedModel and LangGraph's
# GenericFakeChatModel. They cut a reply into different tokens (words with their leading space, and words and
# spaces apart), so the "messages" samples compare each node's text, not the tokens.


def same(program):
    """`program` run on both libraries (with the message names too); the outcomes equal; wfkit's returned."""
    ours, warned = d.run(program, _wfkit())
    theirs, _ = d.run(program, _langgraph())
    assert ours == theirs, f"wfkit: {ours!r}\nlanggraph: {theirs!r}"
    return ours, warned


def _cfg(config):
    """A config with its checkpoint id (and the thread's id, a uuid) replaced by what it is."""
    conf = dict(config["configurable"])
    for key in ("checkpoint_id", "thread_id"):
        if key in conf:
            conf[key] = f"<{key}>"
    return {"configurable": conf}


def _snap(s):
    """What a StateSnapshot shows but its ids and timestamps: (values, next, metadata's step and source, the
    pending tasks' names and interrupts, interrupts, whether it has a parent)."""
    return _plain((s.values, s.next, s.metadata["step"], s.metadata["source"],
                   tuple((t.name, t.interrupts) for t in s.tasks), s.interrupts, s.parent_config is not None))


def _pairs(messages):
    return [(message.type, message.content) for message in messages]


# -- concepts/persistence.md ------------------------------------------------------------------------------

def _foo_bar_graph(m):
    class State(TypedDict):
        foo: str
        bar: Annotated[list[str], operator.add]

    def node_a(state: State):
        return {"foo": "a", "bar": ["a"]}

    def node_b(state: State):
        return {"foo": "b", "bar": ["b"]}

    workflow = m.StateGraph(State)
    workflow.add_node(node_a)
    workflow.add_node(node_b)
    workflow.add_edge(m.START, "node_a")
    workflow.add_edge("node_a", "node_b")
    workflow.add_edge("node_b", m.END)

    checkpointer = m.InMemorySaver()
    return workflow.compile(checkpointer=checkpointer)


def persistence_threads(m):
    graph = _foo_bar_graph(m)
    config = {"configurable": {"thread_id": "1"}}
    return [graph.invoke({"foo": ""}, config), graph.invoke({"foo": ""}, {"configurable": {"thread_id": "2"}})]


def persistence_get_state(m):
    graph = _foo_bar_graph(m)
    config = {"configurable": {"thread_id": "1"}}
    graph.invoke({"foo": ""}, config)
    latest = graph.get_state(config)
    earlier = list(graph.get_state_history(config))[2]
    config = {"configurable": {"thread_id": "1", "checkpoint_id": earlier.config["configurable"]["checkpoint_id"]}}
    return [_snap(latest), _cfg(latest.config), _snap(graph.get_state(config))]


def persistence_get_state_history(m):
    graph = _foo_bar_graph(m)
    config = {"configurable": {"thread_id": "1"}}
    graph.invoke({"foo": ""}, config)
    history = list(graph.get_state_history(config))
    chained = all(h.parent_config["configurable"]["checkpoint_id"] == p.config["configurable"]["checkpoint_id"]
                  for h, p in zip(history, history[1:]))
    return [[_snap(s) for s in history], chained]


def persistence_replay(m):
    graph = _foo_bar_graph(m)
    config = {"configurable": {"thread_id": "1"}}
    graph.invoke({"foo": ""}, config)
    before_b = next(s for s in graph.get_state_history(config) if s.next == ("node_b",))
    config = {"configurable": {"thread_id": "1", "checkpoint_id": before_b.config["configurable"]["checkpoint_id"]}}
    out = [graph.invoke(None, config=config)]
    history = list(graph.get_state_history({"configurable": {"thread_id": "1"}}))
    return out + [len(history), [_snap(s) for s in history[:2]]]  # the replay's: a fork of node_a's, then node_b's


def persistence_update_state(m):
    class State(TypedDict):
        foo: int
        bar: Annotated[list[str], operator.add]

    builder = m.StateGraph(State)
    builder.add_node("node", lambda state: {})  # leaves the state as given: {"foo": 1, "bar": ["a"]}
    builder.add_edge(m.START, "node")
    graph = builder.compile(checkpointer=m.InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    graph.invoke({"foo": 1, "bar": ["a"]}, config)
    new_config = graph.update_state(config, {"foo": 2, "bar": ["b"]})
    return [_cfg(new_config), _snap(graph.get_state(config))]


def persistence_update_state_as_node(m):
    graph = _foo_bar_graph(m)
    config = {"configurable": {"thread_id": "1"}}
    graph.invoke({"foo": ""}, config, interrupt_before=["node_b"])
    graph.update_state(config, {"foo": "x", "bar": ["x"]}, as_node="node_b")
    out = [_snap(graph.get_state(config)), graph.invoke(None, config)]
    graph.update_state(config, {"foo": "y"}, as_node="node_a")
    out += [_snap(graph.get_state(config)), graph.invoke(None, config)]
    return out


def memory_multi_turn(m):
    """add-memory.md, "Add short-term memory": a model that remembers the name told earlier in the thread."""
    def call_model(state):
        said = [msg.content for msg in state["messages"] if msg.type == "human"]
        name = next((s.split("i am ")[1] for s in said if "i am " in s), None)
        return {"messages": [m.AIMessage(f"Hi {name}!" if len(said) == 1 else f"Your name is {name}.")]}

    builder = m.StateGraph(m.MessagesState)
    builder.add_node(call_model)
    builder.add_edge(m.START, "call_model")
    graph = builder.compile(checkpointer=m.InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    first = graph.invoke({"messages": [{"role": "user", "content": "hi! i am Bob"}]}, config)
    second = graph.invoke({"messages": [{"role": "user", "content": "what is my name?"}]}, config)
    other = graph.invoke({"messages": [{"role": "user", "content": "what is my name?"}]},
                         {"configurable": {"thread_id": "2"}})
    return [_pairs(first["messages"]), _pairs(second["messages"]), _pairs(other["messages"])]


def memory_delete_messages(m):
    """add-memory.md, "Full example: delete messages"."""
    replies = iter(["Hi Bob! How are you doing today? Is there anything I can help you with?", "Your name is Bob."])

    def delete_messages(state):
        messages = state["messages"]
        if len(messages) > 2:
            return {"messages": [m.RemoveMessage(id=msg.id) for msg in messages[:2]]}

    def call_model(state):
        return {"messages": m.AIMessage(next(replies))}

    builder = m.StateGraph(m.MessagesState)
    builder.add_sequence([call_model, delete_messages])
    builder.add_edge(m.START, "call_model")
    app = builder.compile(checkpointer=m.InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    out = []
    for text in ["hi! I'm bob", "what's my name?"]:
        for event in app.stream({"messages": [{"role": "user", "content": text}]}, config, stream_mode="values"):
            out.append(_pairs(event["messages"]))
    return out


@pytest.mark.parametrize("program, expected", [
    (persistence_threads, [{'foo': 'b', 'bar': ['a', 'b']}, {'foo': 'b', 'bar': ['a', 'b']}]),
    (persistence_get_state, [({'foo': 'b', 'bar': ['a', 'b']}, (), 2, 'loop', (), (), True),
         {'configurable': {'thread_id': '<thread_id>', 'checkpoint_ns': '', 'checkpoint_id': '<checkpoint_id>'}},
         ({'foo': '', 'bar': []}, ('node_a',), 0, 'loop', (('node_a', ()),), (), True)]),
    (persistence_get_state_history, [[({'foo': 'b', 'bar': ['a', 'b']}, (), 2, 'loop', (), (), True),
          ({'foo': 'a', 'bar': ['a']}, ('node_b',), 1, 'loop', (('node_b', ()),), (), True),
          ({'foo': '', 'bar': []}, ('node_a',), 0, 'loop', (('node_a', ()),), (), True),
          ({'bar': []}, ('__start__',), -1, 'input', (('__start__', ()),), (), False)],
         True]),
    (persistence_replay, [{'foo': 'b', 'bar': ['a', 'b']},
         6,
         [({'foo': 'b', 'bar': ['a', 'b']}, (), 3, 'loop', (), (), True),
          ({'foo': 'a', 'bar': ['a']}, ('node_b',), 2, 'fork', (('node_b', ()),), (), True)]]),
    (persistence_update_state, [{'configurable': {'thread_id': '<thread_id>', 'checkpoint_ns': '', 'checkpoint_id': '<checkpoint_id>'}},
         ({'foo': 2, 'bar': ['a', 'b']}, (), 2, 'update', (), (), True)]),
    (persistence_update_state_as_node, [({'foo': 'x', 'bar': ['a', 'x']}, (), 2, 'update', (), (), True),
         {'foo': 'x', 'bar': ['a', 'x']},
         ({'foo': 'y', 'bar': ['a', 'x']}, ('node_b',), 3, 'update', (('node_b', ()),), (), True),
         {'foo': 'b', 'bar': ['a', 'x', 'b']}]),
    (memory_multi_turn, [[('human', 'hi! i am Bob'), ('ai', 'Hi Bob!')],
         [('human', 'hi! i am Bob'), ('ai', 'Hi Bob!'), ('human', 'what is my name?'), ('ai', 'Your name is Bob.')],
         [('human', 'what is my name?'), ('ai', 'Hi None!')]]),
    (memory_delete_messages, [[('human', "hi! I'm bob")],
         [('human', "hi! I'm bob"), ('ai', 'Hi Bob! How are you doing today? Is there anything I can help you with?')],
         [('human', "hi! I'm bob"),
          ('ai', 'Hi Bob! How are you doing today? Is there anything I can help you with?'),
          ('human', "what's my name?")],
         [('human', "hi! I'm bob"),
          ('ai', 'Hi Bob! How are you doing today? Is there anything I can help you with?'),
          ('human', "what's my name?"),
          ('ai', 'Your name is Bob.')],
         [('human', "what's my name?"), ('ai', 'Your name is Bob.')]]),
])
def test_persistence_docs_sample(program, expected):
    assert same(program) == (expected, [])


# -- how-tos/human_in_the_loop/add-human-in-the-loop.md ---------------------------------------------------

def pause_using_interrupt(m):
    """"Pause using `interrupt`", the extended example."""
    class State(TypedDict):
        some_text: str

    def human_node(state: State):
        value = m.interrupt({"text_to_revise": state["some_text"]})
        return {"some_text": value}

    graph_builder = m.StateGraph(State)
    graph_builder.add_node("human_node", human_node)
    graph_builder.add_edge(m.START, "human_node")
    checkpointer = m.InMemorySaver()
    graph = graph_builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": uuid.uuid4()}}
    result = graph.invoke({"some_text": "original text"}, config=config)
    return _plain([result["__interrupt__"], graph.invoke(m.Command(resume="Edited text"), config=config)])


def resume_multiple_interrupts(m):
    """"Resume multiple interrupts with one invocation"."""
    class State(TypedDict):
        text_1: str
        text_2: str

    def human_node_1(state: State):
        value = m.interrupt({"text_to_revise": state["text_1"]})
        return {"text_1": value}

    def human_node_2(state: State):
        value = m.interrupt({"text_to_revise": state["text_2"]})
        return {"text_2": value}

    graph_builder = m.StateGraph(State)
    graph_builder.add_node("human_node_1", human_node_1)
    graph_builder.add_node("human_node_2", human_node_2)
    graph_builder.add_edge(m.START, "human_node_1")
    graph_builder.add_edge(m.START, "human_node_2")
    checkpointer = m.InMemorySaver()
    graph = graph_builder.compile(checkpointer=checkpointer)
    thread_id = str(uuid.uuid4())
    config = {"configurable": {"thread_id": thread_id}}
    result = graph.invoke({"text_1": "original text 1", "text_2": "original text 2"}, config=config)
    resume_map = {i.id: f"edited text for {i.value['text_to_revise']}" for i in graph.get_state(config).interrupts}
    return [sorted(_plain(result["__interrupt__"]), key=repr), graph.invoke(m.Command(resume=resume_map), config=config)]


def approve_or_reject(m, decision):
    """"Approve or reject", the extended example, resumed with "approve" and with "reject"."""
    printed = []

    class State(TypedDict):
        llm_output: str
        decision: str

    def generate_llm_output(state: State) -> State:
        return {"llm_output": "This is the generated output."}

    def human_approval(state: State) -> m.Command[Literal["approved_path", "rejected_path"]]:
        decision = m.interrupt({"question": "Do you approve the following output?", "llm_output": state["llm_output"]})
        if decision == "approve":
            return m.Command(goto="approved_path", update={"decision": "approved"})
        else:
            return m.Command(goto="rejected_path", update={"decision": "rejected"})

    def approved_node(state: State) -> State:
        printed.append("✅ Approved path taken.")
        return state

    def rejected_node(state: State) -> State:
        printed.append("❌ Rejected path taken.")
        return state

    builder = m.StateGraph(State)
    builder.add_node("generate_llm_output", generate_llm_output)
    builder.add_node("human_approval", human_approval)
    builder.add_node("approved_path", approved_node)
    builder.add_node("rejected_path", rejected_node)
    builder.set_entry_point("generate_llm_output")
    builder.add_edge("generate_llm_output", "human_approval")
    builder.add_edge("approved_path", m.END)
    builder.add_edge("rejected_path", m.END)
    checkpointer = m.InMemorySaver()
    graph = builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": uuid.uuid4()}}
    result = graph.invoke({}, config=config)
    final_result = graph.invoke(m.Command(resume=decision), config=config)
    return _plain([result["__interrupt__"], final_result, printed])


def review_and_edit_state(m):
    """"Review and edit state", the extended example."""
    printed = []

    class State(TypedDict):
        summary: str

    def generate_summary(state: State) -> State:
        return {"summary": "The cat sat on the mat and looked at the stars."}

    def human_review_edit(state: State) -> State:
        result = m.interrupt({"task": "Please review and edit the generated summary if necessary.",
                              "generated_summary": state["summary"]})
        return {"summary": result["edited_summary"]}

    def downstream_use(state: State) -> State:
        printed.append(f"✅ Using edited summary: {state['summary']}")
        return state

    builder = m.StateGraph(State)
    builder.add_node("generate_summary", generate_summary)
    builder.add_node("human_review_edit", human_review_edit)
    builder.add_node("downstream_use", downstream_use)
    builder.set_entry_point("generate_summary")
    builder.add_edge("generate_summary", "human_review_edit")
    builder.add_edge("human_review_edit", "downstream_use")
    builder.add_edge("downstream_use", m.END)
    checkpointer = m.InMemorySaver()
    graph = builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": uuid.uuid4()}}
    result = graph.invoke({}, config=config)
    edited_summary = "The cat lay on the rug, gazing peacefully at the night sky."
    resumed_result = graph.invoke(m.Command(resume={"edited_summary": edited_summary}), config=config)
    return _plain([result["__interrupt__"], resumed_result, printed])


def validate_human_input(m):
    """"Validate human input", the extended example."""
    printed = []

    class State(TypedDict):
        age: int

    def get_valid_age(state: State) -> State:
        prompt = "Please enter your age (must be a non-negative integer)."
        while True:
            user_input = m.interrupt(prompt)
            try:
                age = int(user_input)
                if age < 0:
                    raise ValueError("Age must be non-negative.")
                break
            except (ValueError, TypeError):
                prompt = f"'{user_input}' is not valid. Please enter a non-negative integer for age."
        return {"age": age}

    def report_age(state: State) -> State:
        printed.append(f"✅ Human is {state['age']} years old.")
        return state

    builder = m.StateGraph(State)
    builder.add_node("get_valid_age", get_valid_age)
    builder.add_node("report_age", report_age)
    builder.set_entry_point("get_valid_age")
    builder.add_edge("get_valid_age", "report_age")
    builder.add_edge("report_age", m.END)
    checkpointer = m.InMemorySaver()
    graph = builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": uuid.uuid4()}}
    out = [graph.invoke({}, config=config)["__interrupt__"]]
    out.append(graph.invoke(m.Command(resume="not a number"), config=config)["__interrupt__"])
    out.append(graph.invoke(m.Command(resume="-10"), config=config)["__interrupt__"])
    out.append(graph.invoke(m.Command(resume="25"), config=config))
    return _plain(out + [printed])


def _three_steps(m, printed, **compile_kw):
    class State(TypedDict):
        input: str

    def step(n):
        def step_n(state):
            printed.append(f"---Step {n}---")
        return step_n

    builder = m.StateGraph(State)
    builder.add_node("step_1", step(1))
    builder.add_node("step_2", step(2))
    builder.add_node("step_3", step(3))
    builder.add_edge(m.START, "step_1")
    builder.add_edge("step_1", "step_2")
    builder.add_edge("step_2", "step_3")
    builder.add_edge("step_3", m.END)
    return builder.compile(checkpointer=m.InMemorySaver(), **compile_kw)


def static_interrupts(m):
    """"Debug with interrupts", the static-interrupt example (interrupt_before at compile time)."""
    printed = []
    graph = _three_steps(m, printed, interrupt_before=["step_3"])
    initial_input = {"input": "hello world"}
    thread = {"configurable": {"thread_id": "1"}}
    out = [list(graph.stream(initial_input, thread, stream_mode="values")), _snap(graph.get_state(thread))]
    out.append(list(graph.stream(None, thread, stream_mode="values")))
    return _plain(out + [printed])


def static_interrupts_at_run_time(m):
    """"Debug with interrupts": interrupt_before / interrupt_after given to invoke, resumed with invoke(None)."""
    printed = []
    graph = _three_steps(m, printed)
    config = {"configurable": {"thread_id": "some_thread"}}
    out = [graph.invoke({"input": "x"}, interrupt_before=["step_2"], interrupt_after=["step_2", "step_3"],
                        config=config)]
    out.append(_snap(graph.get_state(config)))
    out += [graph.invoke(None, config=config, interrupt_after=["step_2", "step_3"]), _snap(graph.get_state(config))]
    out.append(list(graph.stream(None, config=config, stream_mode="updates", interrupt_after=["step_2", "step_3"])))
    return _plain(out + [printed])


def subgraph_called_as_function(m):
    """"Using with subgraphs called as functions": what re-runs on resuming."""
    printed = []
    counters = {"node_in_subgraph": 0, "human_node": 0, "parent_node": 0}

    class State(TypedDict):
        state_counter: int

    def node_in_subgraph(state: State):
        counters["node_in_subgraph"] += 1
        printed.append(f"Entered `node_in_subgraph` a total of {counters['node_in_subgraph']} times")

    def human_node(state: State):
        counters["human_node"] += 1
        printed.append(f"Entered human_node in sub-graph a total of {counters['human_node']} times")
        answer = m.interrupt("what is your name?")
        printed.append(f"Got an answer of {answer}")

    checkpointer = m.InMemorySaver()
    subgraph_builder = m.StateGraph(State)
    subgraph_builder.add_node("some_node", node_in_subgraph)
    subgraph_builder.add_node("human_node", human_node)
    subgraph_builder.add_edge(m.START, "some_node")
    subgraph_builder.add_edge("some_node", "human_node")
    subgraph = subgraph_builder.compile(checkpointer=checkpointer)

    def parent_node(state: State):
        counters["parent_node"] += 1
        printed.append(f"Entered `parent_node` a total of {counters['parent_node']} times")
        subgraph_state = subgraph.invoke(state)
        return subgraph_state

    builder = m.StateGraph(State)
    builder.add_node("parent_node", parent_node)
    builder.add_edge(m.START, "parent_node")
    checkpointer = m.InMemorySaver()
    graph = builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": uuid.uuid4()}}
    out = [list(graph.stream({"state_counter": 1}, config)), "--- Resuming ---"]
    out.append(list(graph.stream(m.Command(resume="35"), config)))
    return _plain(out + [printed])


def multiple_interrupts_in_one_node(m):
    """"Using multiple interrupts in a single node": Command(resume=..., update=...) skipping the first."""
    printed = []

    class State(TypedDict):
        age: Optional[str]
        name: Optional[str]

    def human_node(state: State):
        if not state.get("name"):
            name = m.interrupt("what is your name?")
        else:
            name = "N/A"
        if not state.get("age"):
            age = m.interrupt("what is your age?")
        else:
            age = "N/A"
        printed.append(f"Name: {name}. Age: {age}")
        return {"age": age, "name": name}

    builder = m.StateGraph(State)
    builder.add_node("human_node", human_node)
    builder.add_edge(m.START, "human_node")
    checkpointer = m.InMemorySaver()
    graph = builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": uuid.uuid4()}}
    out = [list(graph.stream({"age": None, "name": None}, config))]
    out.append(list(graph.stream(m.Command(resume="John", update={"name": "foo"}), config)))
    return _plain(out + [printed])


@pytest.mark.parametrize("program, expected", [
    (pause_using_interrupt, [[('Interrupt', {'text_to_revise': 'original text'})], {'some_text': 'Edited text'}]),
    (resume_multiple_interrupts, [[('Interrupt', {'text_to_revise': 'original text 1'}), ('Interrupt', {'text_to_revise': 'original text 2'})],
         {'text_1': 'edited text for original text 1', 'text_2': 'edited text for original text 2'}]),
    pytest.param(lambda m: approve_or_reject(m, "approve"), [[('Interrupt',
           {'question': 'Do you approve the following output?', 'llm_output': 'This is the generated output.'})],
         {'llm_output': 'This is the generated output.', 'decision': 'approved'},
         ['✅ Approved path taken.']],
                 id="approve"),
    pytest.param(lambda m: approve_or_reject(m, "reject"), [[('Interrupt',
           {'question': 'Do you approve the following output?', 'llm_output': 'This is the generated output.'})],
         {'llm_output': 'This is the generated output.', 'decision': 'rejected'},
         ['❌ Rejected path taken.']],
                 id="reject"),
    (review_and_edit_state, [[('Interrupt',
           {'task': 'Please review and edit the generated summary if necessary.',
            'generated_summary': 'The cat sat on the mat and looked at the stars.'})],
         {'summary': 'The cat lay on the rug, gazing peacefully at the night sky.'},
         ['✅ Using edited summary: The cat lay on the rug, gazing peacefully at the night sky.']]),
    (validate_human_input, [[('Interrupt', 'Please enter your age (must be a non-negative integer).')],
         [('Interrupt', "'not a number' is not valid. Please enter a non-negative integer for age.")],
         [('Interrupt', "'-10' is not valid. Please enter a non-negative integer for age.")],
         {'age': 25},
         ['✅ Human is 25 years old.']]),
    (static_interrupts, [[{'input': 'hello world'}],
         ({'input': 'hello world'}, ('step_3',), 2, 'loop', (('step_3', ()),), (), True),
         [{'input': 'hello world'}],
         ['---Step 1---', '---Step 2---', '---Step 3---']]),
    (static_interrupts_at_run_time, [{'input': 'x'},
         ({'input': 'x'}, ('step_2',), 1, 'loop', (('step_2', ()),), (), True),
         {'input': 'x'},
         ({'input': 'x'}, ('step_3',), 2, 'loop', (('step_3', ()),), (), True),
         [{'step_3': None}, {'__interrupt__': ()}],
         ['---Step 1---', '---Step 2---', '---Step 3---']]),
    (multiple_interrupts_in_one_node, [[{'__interrupt__': (('Interrupt', 'what is your name?'),)}],
         [{'human_node': {'age': 'John', 'name': 'N/A'}}],
         ['Name: N/A. Age: John']]),
    pytest.param(subgraph_called_as_function, [[{'__interrupt__': (('Interrupt', 'what is your name?'),)}],
         '--- Resuming ---',
         [{'parent_node': {'state_counter': 1}}],
         ['Entered `parent_node` a total of 1 times',
          'Entered `node_in_subgraph` a total of 1 times',
          'Entered human_node in sub-graph a total of 1 times',
          'Entered `parent_node` a total of 2 times',
          'Entered human_node in sub-graph a total of 2 times',
          'Got an answer of 35']],
                 id="subgraph_called_as_function"),
])
def test_hitl_docs_sample(program, expected):
    assert same(program) == (expected, [])


# -- how-tos/human_in_the_loop/time-travel.md (the joke workflow, its LLM calls plain functions) ----------

def _joke_workflow(m):
    class State(TypedDict):
        topic: NotRequired[str]
        joke: NotRequired[str]

    def generate_topic(state: State):
        return {"topic": "socks in the dryer"}

    def write_joke(state: State):
        return {"joke": f"A joke about {state['topic']}"}

    workflow = m.StateGraph(State)
    workflow.add_node("generate_topic", generate_topic)
    workflow.add_node("write_joke", write_joke)
    workflow.add_edge(m.START, "generate_topic")
    workflow.add_edge("generate_topic", "write_joke")
    workflow.add_edge("write_joke", m.END)
    checkpointer = m.InMemorySaver()
    graph = workflow.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": uuid.uuid4()}}
    return graph, config, graph.invoke({}, config)


def time_travel_run(m):
    """1. Run the graph."""
    return _joke_workflow(m)[2]


def time_travel_identify_checkpoint(m):
    """2. Identify a checkpoint: the history's `next`s, newest first, and the state before last."""
    graph, config, _ = _joke_workflow(m)
    states = list(graph.get_state_history(config))
    ids = [state.config["configurable"]["checkpoint_id"] for state in states]
    selected_state = states[1]
    return [[state.next for state in states], len(set(ids)), selected_state.next, selected_state.values]


def time_travel_update_state(m):
    """3. Update the state: update_state on the selected checkpoint gives a new checkpoint of the thread."""
    graph, config, _ = _joke_workflow(m)
    selected_state = list(graph.get_state_history(config))[1]
    new_config = graph.update_state(selected_state.config, values={"topic": "chickens"})
    same_thread = new_config["configurable"]["thread_id"] == str(config["configurable"]["thread_id"])
    new_id = new_config["configurable"]["checkpoint_id"] != selected_state.config["configurable"]["checkpoint_id"]
    return [_cfg(new_config), same_thread, new_id, _snap(graph.get_state(new_config))]


def time_travel_resume_fork(m):
    """4. Resume execution from the (updated) checkpoint: the fork, and the thread's history after it."""
    graph, config, _ = _joke_workflow(m)
    selected_state = list(graph.get_state_history(config))[1]
    new_config = graph.update_state(selected_state.config, values={"topic": "chickens"})
    out = [graph.invoke(None, new_config), _snap(graph.get_state(config))]
    return out + [[s.metadata["source"] for s in graph.get_state_history(config)]]


def time_travel_replay(m):
    """Resume from the selected checkpoint without updating it (concepts/time-travel.md: "replaying the same
    state"): the nodes after it run again, streamed."""
    graph, config, _ = _joke_workflow(m)
    selected_state = list(graph.get_state_history(config))[2]  # before generate_topic
    out = [selected_state.next, list(graph.stream(None, selected_state.config, stream_mode="updates"))]
    return out + [[(s.next, s.metadata["step"], s.metadata["source"]) for s in graph.get_state_history(config)]]


def time_travel_tutorial(m):
    """tutorials/get-started/6-time-travel.md: a chatbot with a tool, run twice on a thread, the history walked
    for the state with 6 messages, replayed from there (the model and the tool node plain functions)."""
    answers = iter(["searching", "LangGraph is a library.", "searching", "Agents are fun.", "Replayed answer."])

    class State(TypedDict):
        messages: Annotated[list, m.add_messages]

    def chatbot(state: State):
        return {"messages": [m.AIMessage(next(answers))]}

    def tools(state: State):
        return {"messages": [m.AIMessage("tool result")]}

    def tools_condition(state: State):
        return "tools" if state["messages"][-1].content == "searching" else m.END

    graph_builder = m.StateGraph(State)
    graph_builder.add_node("chatbot", chatbot)
    graph_builder.add_node("tools", tools)
    graph_builder.add_conditional_edges("chatbot", tools_condition, ["tools", m.END])
    graph_builder.add_edge("tools", "chatbot")
    graph_builder.add_edge(m.START, "chatbot")
    graph = graph_builder.compile(checkpointer=m.InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    out = []
    for text in ["I'm learning LangGraph. Could you do some research on it for me?",
                 "Ya that's helpful. Maybe I'll build an autonomous agent with it!"]:
        for event in graph.stream({"messages": [{"role": "user", "content": text}]}, config, stream_mode="values"):
            if "messages" in event:
                out.append(event["messages"][-1].content)
    to_replay = None
    for state in graph.get_state_history(config):
        out.append(("Num Messages: ", len(state.values["messages"]), "Next: ", state.next))
        if len(state.values["messages"]) == 6:
            to_replay = state
    out += [to_replay.next, _cfg(to_replay.config)]
    for event in graph.stream(None, to_replay.config, stream_mode="values"):
        if "messages" in event:
            out.append(event["messages"][-1].content)
    return out


@pytest.mark.parametrize("program, expected", [
    (time_travel_run, {'topic': 'socks in the dryer', 'joke': 'A joke about socks in the dryer'}),
    (time_travel_identify_checkpoint, [[(), ('write_joke',), ('generate_topic',), ('__start__',)],
         4,
         ('write_joke',),
         {'topic': 'socks in the dryer'}]),
    (time_travel_update_state, [{'configurable': {'thread_id': '<thread_id>', 'checkpoint_ns': '', 'checkpoint_id': '<checkpoint_id>'}},
         True,
         True,
         ({'topic': 'chickens'}, ('write_joke',), 2, 'update', (('write_joke', ()),), (), True)]),
    (time_travel_resume_fork, [{'topic': 'chickens', 'joke': 'A joke about chickens'},
         ({'topic': 'chickens', 'joke': 'A joke about chickens'}, (), 3, 'loop', (), (), True),
         ['loop', 'update', 'loop', 'loop', 'loop', 'input']]),
    (time_travel_replay, [('generate_topic',),
         [{'generate_topic': {'topic': 'socks in the dryer'}},
          {'write_joke': {'joke': 'A joke about socks in the dryer'}}],
         [((), 3, 'loop'),
          (('write_joke',), 2, 'loop'),
          (('generate_topic',), 1, 'fork'),
          ((), 2, 'loop'),
          (('write_joke',), 1, 'loop'),
          (('generate_topic',), 0, 'loop'),
          (('__start__',), -1, 'input')]]),
    (time_travel_tutorial, ["I'm learning LangGraph. Could you do some research on it for me?",
         'searching',
         'tool result',
         'LangGraph is a library.',
         "Ya that's helpful. Maybe I'll build an autonomous agent with it!",
         'searching',
         'tool result',
         'Agents are fun.',
         ('Num Messages: ', 8, 'Next: ', ()),
         ('Num Messages: ', 7, 'Next: ', ('chatbot',)),
         ('Num Messages: ', 6, 'Next: ', ('tools',)),
         ('Num Messages: ', 5, 'Next: ', ('chatbot',)),
         ('Num Messages: ', 4, 'Next: ', ('__start__',)),
         ('Num Messages: ', 4, 'Next: ', ()),
         ('Num Messages: ', 3, 'Next: ', ('chatbot',)),
         ('Num Messages: ', 2, 'Next: ', ('tools',)),
         ('Num Messages: ', 1, 'Next: ', ('chatbot',)),
         ('Num Messages: ', 0, 'Next: ', ('__start__',)),
         ('tools',),
         {'configurable': {'thread_id': '<thread_id>', 'checkpoint_ns': '', 'checkpoint_id': '<checkpoint_id>'}},
         'searching',
         'tool result',
         'Replayed answer.']),
])
def test_time_travel_docs_sample(program, expected):
    assert same(program) == (expected, [])


# -- how-tos/streaming.md, "Stream from a workflow" -------------------------------------------------------

def _topic_joke_graph(m, checkpointer=None):
    class State(TypedDict):
        topic: str
        joke: str

    def refine_topic(state: State):
        return {"topic": state["topic"] + " and cats"}

    def generate_joke(state: State):
        return {"joke": f"This is a joke about {state['topic']}"}

    return (m.StateGraph(State)
            .add_node(refine_topic)
            .add_node(generate_joke)
            .add_edge(m.START, "refine_topic")
            .add_edge("refine_topic", "generate_joke")
            .add_edge("generate_joke", m.END)
            .compile(checkpointer=checkpointer))


def stream_updates(m):
    """"Basic usage example" and "Stream graph state" (updates)."""
    return list(_topic_joke_graph(m).stream({"topic": "ice cream"}, stream_mode="updates"))


def stream_values(m):
    """"Stream graph state" (values)."""
    return list(_topic_joke_graph(m).stream({"topic": "ice cream"}, stream_mode="values"))


def _custom_graph(m):
    class State(TypedDict):
        query: str
        answer: str

    def node(state: State):
        writer = m.get_stream_writer()
        writer({"custom_key": "Generating custom data inside node"})
        return {"answer": "some data"}

    return m.StateGraph(State).add_node(node).add_edge(m.START, "node").compile()


def stream_custom_data(m):
    """"Stream custom data"."""
    return list(_custom_graph(m).stream({"query": "example"}, stream_mode="custom"))


def stream_multiple_modes(m):
    """"Stream multiple modes": stream_mode=["updates", "custom"] gives (mode, chunk) pairs."""
    return list(_custom_graph(m).stream({"query": "example"}, stream_mode=["updates", "custom"]))


def stream_any_llm(m):
    """"Use with any LLM": a node streams a custom client's chunks through the stream writer."""
    def your_custom_streaming_client(topic):
        yield from ["Why ", "do ", topic, "?"]

    class State(TypedDict):
        topic: str
        result: str

    def call_arbitrary_model(state):
        writer = m.get_stream_writer()
        for chunk in your_custom_streaming_client(state["topic"]):
            writer({"custom_llm_chunk": chunk})
        return {"result": "completed"}

    graph = (m.StateGraph(State)
             .add_node(call_arbitrary_model)
             .add_edge(m.START, "call_arbitrary_model")
             .compile())
    return list(graph.stream({"topic": "cats"}, stream_mode="custom"))


def stream_subgraph_outputs(m):
    """"Stream subgraph outputs" (its graph is subgraph.md's shared-schema sample), in "updates" and in
    "values" with "custom"."""
    graph = two_step_graph(m, invoked=False)
    return _plain([list(graph.stream({"foo": "foo"}, stream_mode="updates", subgraphs=True)),
                   list(graph.stream({"foo": "foo"}, stream_mode=["values", "custom"], subgraphs=True))])


def _debug_event(event):
    """A debug event without its timestamp, task ids and checkpoint configs (when they hold a thread,
    namespace and checkpoint id, and no more)."""
    payload = dict(event["payload"])
    payload.pop("id", None)
    for key in ("config", "parent_config"):
        if payload.get(key) is not None:
            payload[key] = f"<{key}>" if set(payload[key]["configurable"]) == {"thread_id", "checkpoint_ns",
                                                                              "checkpoint_id"} else payload[key]
    if "tasks" in payload:
        payload["tasks"] = [{k: v for k, v in task.items() if k != "id"} for task in payload["tasks"]]
    if "metadata" in payload:
        payload["metadata"] = {k: payload["metadata"][k] for k in ("step", "source")}
    return {"type": event["type"], "step": event["step"], "payload": payload}


def stream_debug(m, checkpointed):
    """"Debugging": stream_mode="debug", without a checkpointer (task and task_result events) and with one
    (checkpoint events between them)."""
    if not checkpointed:
        return _plain([_debug_event(e) for e in _topic_joke_graph(m).stream({"topic": "ice cream"},
                                                                            stream_mode="debug")])
    graph = _topic_joke_graph(m, m.InMemorySaver())  # the task events are those above: their order, the rest
    events = [_debug_event(e) for e in graph.stream({"topic": "ice cream"}, {"configurable": {"thread_id": "1"}},
                                                    stream_mode="debug")]
    return _plain([[(e["type"], e["step"]) for e in events], [e for e in events if e["type"] == "checkpoint"]])


def stream_async(m):
    """"Async with Python < 3.11": astream of the same graph, updates and values."""
    import asyncio

    async def main():
        graph = _topic_joke_graph(m)
        return [[c async for c in graph.astream({"topic": "ice cream"}, stream_mode="updates")],
                [c async for c in graph.astream({"topic": "ice cream"}, stream_mode=["values", "updates"])]]

    return asyncio.run(main())


def _texts(chunks):
    """A "messages" stream as the samples print it: per (langgraph_node, langgraph_step), the text of the
    tokens, in the order the nodes began streaming, and the chunks' types."""
    texts: dict = {}
    for message_chunk, metadata in chunks:
        key = (metadata["langgraph_node"], metadata["langgraph_step"], type(message_chunk).__name__)
        texts[key] = texts.get(key, "") + message_chunk.content
    return texts


def stream_llm_tokens(m):
    """"LLM tokens": stream_mode="messages" of a node calling a model (a dataclass state)."""
    from dataclasses import dataclass

    @dataclass
    class MyState:
        topic: str
        joke: str = ""

    llm = m.chat_model(["Why did the ice cream cry? It was sundae."])

    def call_model(state: MyState):
        llm_response = llm.invoke([{"role": "user", "content": f"Generate a joke about {state.topic}"}])
        return {"joke": llm_response.content}

    graph = m.StateGraph(MyState).add_node(call_model).add_edge(m.START, "call_model").compile()
    return _texts(graph.stream({"topic": "ice cream"}, stream_mode="messages"))


def stream_filter_by_node(m):
    """"Filter by node": two nodes calling one model in parallel, the poem's tokens picked by langgraph_node."""
    model = m.chat_model(["A joke.", "A poem."])  # which node asks first is up to the threads: one reply each
    got = {}

    class State(TypedDict):
        topic: str
        joke: str
        poem: str

    def write_joke(state: State):
        got["joke"] = model.invoke([{"role": "user", "content": f"Write a joke about {state['topic']}"}]).content
        return {"joke": got["joke"]}

    def write_poem(state: State):
        got["poem"] = model.invoke([{"role": "user", "content": f"Write a poem about {state['topic']}"}]).content
        return {"poem": got["poem"]}

    graph = (m.StateGraph(State)
             .add_node(write_joke)
             .add_node(write_poem)
             .add_edge(m.START, "write_joke")
             .add_edge(m.START, "write_poem")
             .compile())
    poem = "".join(msg.content for msg, metadata in graph.stream({"topic": "cats"}, stream_mode="messages")
                   if msg.content and metadata["langgraph_node"] == "write_poem")
    return [poem == got["poem"], sorted(got.values())]


def stream_filter_by_tags(m):
    """"Filter by LLM invocation": two models tagged "joke" and "poem", astream(stream_mode="messages") filtered
    by metadata["tags"]."""
    import asyncio

    joke_model = m.chat_model(["Cats knock things over."], tags=["joke"])
    poem_model = m.chat_model(["Soft paws at dawn."], tags=["poem"])

    class State(TypedDict):
        topic: str
        joke: str
        poem: str

    async def call_model(state, config):
        topic = state["topic"]
        joke_response = await joke_model.ainvoke([{"role": "user", "content": f"Write a joke about {topic}"}], config)
        poem_response = await poem_model.ainvoke([{"role": "user", "content": f"Write a poem about {topic}"}], config)
        return {"joke": joke_response.content, "poem": poem_response.content}

    graph = m.StateGraph(State).add_node(call_model).add_edge(m.START, "call_model").compile()

    async def main():
        return "".join([msg.content async for msg, metadata in graph.astream({"topic": "cats"}, stream_mode="messages")
                        if metadata["tags"] == ["joke"]])

    return asyncio.run(main())


@pytest.mark.parametrize("program, expected", [
    (stream_updates, [{'refine_topic': {'topic': 'ice cream and cats'}},
         {'generate_joke': {'joke': 'This is a joke about ice cream and cats'}}]),
    (stream_values, [{'topic': 'ice cream'},
         {'topic': 'ice cream and cats'},
         {'topic': 'ice cream and cats', 'joke': 'This is a joke about ice cream and cats'}]),
    (stream_custom_data, [{'custom_key': 'Generating custom data inside node'}]),
    (stream_multiple_modes, [('custom', {'custom_key': 'Generating custom data inside node'}),
         ('updates', {'node': {'answer': 'some data'}})]),
    (stream_any_llm, [{'custom_llm_chunk': 'Why '},
         {'custom_llm_chunk': 'do '},
         {'custom_llm_chunk': 'cats'},
         {'custom_llm_chunk': '?'}]),
    (stream_subgraph_outputs, [[((), {'node_1': {'foo': 'hi! foo'}}),
          (('node_2:<id>',), {'subgraph_node_1': {'bar': 'bar'}}),
          (('node_2:<id>',), {'subgraph_node_2': {'foo': 'hi! foobar'}}),
          ((), {'node_2': {'foo': 'hi! foobar'}})],
         [((), 'values', {'foo': 'foo'}),
          ((), 'values', {'foo': 'hi! foo'}),
          (('node_2:<id>',), 'values', {'foo': 'hi! foo'}),
          (('node_2:<id>',), 'values', {'foo': 'hi! foo', 'bar': 'bar'}),
          (('node_2:<id>',), 'values', {'foo': 'hi! foobar', 'bar': 'bar'}),
          ((), 'values', {'foo': 'hi! foobar'})]]),
    pytest.param(lambda m: stream_debug(m, checkpointed=False), [{'type': 'task',
          'step': 1,
          'payload': {'name': 'refine_topic',
                      'input': {'topic': 'ice cream'},
                      'triggers': ('branch:to:refine_topic',)}},
         {'type': 'task_result',
          'step': 1,
          'payload': {'name': 'refine_topic',
                      'error': None,
                      'result': {'topic': 'ice cream and cats'},
                      'interrupts': []}},
         {'type': 'task',
          'step': 2,
          'payload': {'name': 'generate_joke',
                      'input': {'topic': 'ice cream and cats'},
                      'triggers': ('branch:to:generate_joke',)}},
         {'type': 'task_result',
          'step': 2,
          'payload': {'name': 'generate_joke',
                      'error': None,
                      'result': {'joke': 'This is a joke about ice cream and cats'},
                      'interrupts': []}}],
                 id="debug"),
    pytest.param(lambda m: stream_debug(m, checkpointed=True), [[('checkpoint', -1),
          ('checkpoint', 0),
          ('task', 1),
          ('task_result', 1),
          ('checkpoint', 1),
          ('task', 2),
          ('task_result', 2),
          ('checkpoint', 2)],
         [{'type': 'checkpoint',
           'step': -1,
           'payload': {'config': '<config>',
                       'parent_config': None,
                       'values': {},
                       'metadata': {'step': -1, 'source': 'input'},
                       'next': ['__start__'],
                       'tasks': [{'name': '__start__', 'interrupts': (), 'state': None}]}},
          {'type': 'checkpoint',
           'step': 0,
           'payload': {'config': '<config>',
                       'parent_config': '<parent_config>',
                       'values': {'topic': 'ice cream'},
                       'metadata': {'step': 0, 'source': 'loop'},
                       'next': ['refine_topic'],
                       'tasks': [{'name': 'refine_topic', 'interrupts': (), 'state': None}]}},
          {'type': 'checkpoint',
           'step': 1,
           'payload': {'config': '<config>',
                       'parent_config': '<parent_config>',
                       'values': {'topic': 'ice cream and cats'},
                       'metadata': {'step': 1, 'source': 'loop'},
                       'next': ['generate_joke'],
                       'tasks': [{'name': 'generate_joke', 'interrupts': (), 'state': None}]}},
          {'type': 'checkpoint',
           'step': 2,
           'payload': {'config': '<config>',
                       'parent_config': '<parent_config>',
                       'values': {'topic': 'ice cream and cats', 'joke': 'This is a joke about ice cream and cats'},
                       'metadata': {'step': 2, 'source': 'loop'},
                       'next': [],
                       'tasks': []}}]],
                 id="debug_checkpointed"),
    (stream_async, [[{'refine_topic': {'topic': 'ice cream and cats'}},
          {'generate_joke': {'joke': 'This is a joke about ice cream and cats'}}],
         [('values', {'topic': 'ice cream'}),
          ('updates', {'refine_topic': {'topic': 'ice cream and cats'}}),
          ('values', {'topic': 'ice cream and cats'}),
          ('updates', {'generate_joke': {'joke': 'This is a joke about ice cream and cats'}}),
          ('values', {'topic': 'ice cream and cats', 'joke': 'This is a joke about ice cream and cats'})]]),
    (stream_llm_tokens, {('call_model', 1, 'AIMessageChunk'): 'Why did the ice cream cry? It was sundae.'}),
    (stream_filter_by_node, [True, ['A joke.', 'A poem.']]),
    (stream_filter_by_tags, 'Cats knock things over.'),
])
def test_streaming_docs_sample(program, expected):
    assert same(program) == (expected, [])
