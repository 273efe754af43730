"""Why tasks run, the timeline's entries, labels, forks and marks, and the event watcher — without widgets."""

from wfkit.engine.algo import Task
from wfkit.stepping import Edit
from wfkit.engine.events import Interrupted, StepApplied, StepPlanned, TaskFinished, TaskStarted
from wfkit.types import Interrupt
from wfkit.widgets._timeline import Timeline
from wfkit.widgets._watch import Watcher
from wfkit.widgets._why import as_html, taken_edges, waiting_text, why, why_task


def task(name, *triggers, id=None):
    return Task(id or f"id-{name}", name, "pull", 0, {}, tuple(triggers))


def test_each_trigger_kind_in_words():
    assert why("edge:a", "b") == "the edge `a` → `b`"
    assert why("branch:router", "poem") == "the conditional edge of `router` chose `poem`"
    assert why("goto:a", "b") == "`a` returned `Command(goto='b')`"
    assert why("join:a2+b", "c") == "the join of `a2` + `b` completed (all 2 finished)"
    assert why("send", "work") == "a `Send('work', ...)` with its own input"
    assert why("input", "__start__") == "the graph's input"
    assert why_task(task("c", "join:a+b", "edge:x")) == (
        "`c` because the join of `a` + `b` completed (all 2 finished); the edge `x` → `c`")
    assert waiting_text(("a2", "b"), "c", ["b"]) == "the join `a2` + `b` → `c` has `b`, still waits for `a2`"
    assert as_html("the edge `a` → `<b>`") == "the edge <code>a</code> → <code>&lt;b&gt;</code>"


def test_taken_edges_follow_triggers_and_guess_the_sender_of_a_send():
    edges = {("__start__", "fan"), ("fan", "work"), ("a", "c"), ("b", "c")}
    assert taken_edges([task("c", "join:a+b")], ("a",), edges) == (("a", "c"), ("b", "c"))
    assert taken_edges([task("work", "send"), task("work", "send")], ("fan",), edges) == (("fan", "work"),)
    assert taken_edges([task("x", "edge:nowhere")], (), edges) == ()


class Record:
    """The fields of a StepRecord the timeline reads."""

    def __init__(self, step, tasks, checkpoint_id, parent, values, next=(), updated=(), interrupts=(), branch=0):
        self.step, self.tasks, self.checkpoint_id, self.parent_checkpoint_id = step, tasks, checkpoint_id, parent
        self.values, self.next, self.updated, self.interrupts, self.branch = values, next, updated, interrupts, branch
        self.writes = tuple((t.name, ()) for t in tasks)
        self.paused = checkpoint_id is None and bool(interrupts)  # as StepRecord.paused


def test_a_fork_leaves_the_old_branch_off_the_path():
    timeline = Timeline.begin("c0", {"n": 0}, ("a",))
    history = [Record(1, (task("a", "edge:__start__"),), "c1", "c0", {"n": 1}, ("b",), ("n",)),
               Record(2, (task("b", "edge:a"),), "c2", "c1", {"n": 2}, (), ("n",))]
    assert timeline.sync(history) == [1, 2]
    edit = timeline.add_edit(Edit(1, "e1", "c1", {"n": 10}, ("n",)), ("b",))
    history.append(Record(2, (task("b", "edge:a"),), "c3", "e1", {"n": 11}, (), ("n",), branch=1))
    timeline.sync(history)
    head = timeline.head("c3", interrupted=False)
    path = timeline.path(head)
    assert [timeline.label(i, head, path) for i in range(5)] == [
        "\u2003 step 0 · input", "\u2003 step 1 · a", "\u2003 step 2 · b · off path", "\u2003 step 1 · edited n",
        "▶ step 2 · b · branch 1"]
    assert timeline.tree() == [(0, 0, False), (1, 0, False), (2, 0, False), (3, 1, True), (4, 1, False)]
    assert [timeline.label(i, head, path, depth, fork) for i, depth, fork in timeline.tree()][3:] == [
        "\u2003 ↳ step 1 · edited n", "▶\u2003 step 2 · b · branch 1"]
    assert timeline.entries[edit].edited == ("n",)
    assert timeline.before(4) == {"n": 10}
    nodes = {"__start__", "a", "b", "__end__"}
    edges = {("__start__", "a"), ("a", "b"), ("b", "__end__")}
    assert timeline.marks(4, nodes, edges) == {
        "current": ("b",), "next": ("__end__",), "visited": ("__start__", "a"), "interrupted": (),
        "taken_edges": (("a", "b"),)}  # the plan kept through the edit still says `b` came along a → b
    assert timeline.marks(2, nodes, edges)["taken_edges"] == (("a", "b"),)


def test_a_paused_superstep_is_the_head_while_its_interrupts_wait():
    timeline = Timeline.begin("c0", {}, ("ask",))
    pending = (Interrupt("ok?", "i1"),)
    timeline.sync([Record(1, (task("ask", "edge:__start__", id="i1"),), None, "c0", {}, ("ask",), (), pending)])
    head = timeline.head("c0", interrupted=True)
    assert head == 1 and timeline.entries[1].paused
    assert timeline.label(1, head, timeline.path(head)) == "▶ step 1 · ask · interrupted"
    marks = timeline.marks(1, {"__start__", "ask"}, {("__start__", "ask")}, ["ask"])
    assert (marks["current"], marks["next"], marks["interrupted"]) == (("ask",), (), ("ask",))


def test_watcher_logs_events_and_tracks_running_tasks_and_interrupting_nodes():
    watcher = Watcher()
    a, b = task("a", "edge:x"), task("b", "edge:x")
    for event in (StepPlanned(1, (a, b)), TaskStarted(1, a), TaskStarted(1, b)):
        watcher.add(event)
    assert watcher.running_text() == "running: a, b"
    watcher.add(TaskFinished(1, a, writes=(("log", [1]), ("n", 2), ("log", [3]))))
    assert watcher.running_text() == "running: b"
    watcher.add(TaskFinished(1, b, interrupts=(Interrupt({"q": "ok?"}, "i9"),)))
    watcher.add(Interrupted(1, (Interrupt({"q": "ok?"}, "i9"),), "interrupt", ("b",)))
    watcher.add(TaskFinished(2, a, error=KeyError("k")))
    watcher.add(StepApplied(2, {}, ("log",), (), ()))
    assert watcher.lines == [
        "step 1 planned: a, b", "step 1 started a", "step 1 started b", "step 1 finished a: wrote log, n",
        "step 1 b interrupted: {'q': 'ok?'}", "step 1 interrupted by b: 1 pending", "step 2 a failed: KeyError: 'k'",
        "step 2 applied: updated log; next END"]
    assert watcher.interrupt_nodes == {"i9": "b"}
    assert [(n, type(e)) for n, e in watcher.failures] == [("a", KeyError)]
    assert watcher.running_text() == ""


def test_labels_say_a_fork_ran_again_and_which_steps_lie_ahead():
    timeline = Timeline.begin("c0", {"n": 0}, ("a",))
    history = [Record(1, (task("a", "edge:__start__"),), "c1", "c0", {"n": 1}, ("b",), ("n",)),
               Record(2, (task("b", "edge:a"),), "c2", "c1", {"n": 2}, (), ("n",)),
               Record(2, (task("b", "edge:a"),), "c3", "c1", {"n": 2}, (), ("n",), branch=1)]
    timeline.sync(history)
    head = timeline.head("c1", interrupted=False)
    path = timeline.path(head)
    assert [timeline.label(i, head, path, depth, fork, ahead={2}) for i, depth, fork in timeline.tree()] == [
        "\u2003 step 0 · input", "▶ step 1 · a", "\u2003 step 2 · b · ahead",
        "\u2003 ↳ step 2 · b · ran again · branch 1 · off path"]
