"""`ReviewPanel`: the human-in-the-loop panel. It shows each pending `interrupt(payload)` (text as markdown,
anything else as a table or tree) with Approve / Reject / Edit, and resumes the run with the answers.

What an answer is:
* Approve gives `approve` (default `True`), Reject gives `reject` (default `False`), Edit opens the payload
  for editing (a text area for text, JSON for anything else) and gives the edited value.
* An interrupt that declares its answer's type (`interrupt(value, response_schema=...)`) gets the same form,
  built from the JSON Schema it carries (see `_schema_form`), and gives the form's data as a plain dict.
* With `answer_model=` (a pydantic class, or `{node name: class}` for answers that differ by node), the
  answer must be an instance of that model: the card shows a form generated from its fields at once, shows
  validation errors inline, and gives the validated instance. Approve / Reject appear then only if their
  values are passed explicitly. The model is declared on the panel (or the `Debugger`), not in the payload,
  because the payload is stored in checkpoints and must stay plain data.
Several pending interrupts are answered one by one; once all have an answer, they go to the run together as
`{interrupt_id: value}`, through `on_answer` (the `Debugger` passes its own) or else `run.resume(...)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import ipywidgets

from wfkit.drawing.display import mimebundle
from wfkit.widgets._background import launch
from wfkit.widgets._form import ModelForm
from wfkit.widgets._html_widget import SafeHTML
from wfkit.widgets._saved import SavedView
from wfkit.widgets._schema_form import model_from_schema
from wfkit.widgets._static import review_snapshot
from wfkit._secrets import redact
from wfkit.widgets._format import error_html, esc, payload_html, short, showing_all, text_card_svg
from wfkit.widgets._why import as_html

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_UNSET = object()


class InterruptCard(ipywidgets.VBox):
    """One pending interrupt: its payload, the answer buttons, the editor, and the answer once given."""

    def __init__(self, panel: "ReviewPanel", index: int, interrupt, node: str | None, model: type | None):
        # no answer_model for it: the form the interrupt's response_schema describes, if any; its answer is the
        # form's plain data (the engine validates it against the real type)
        self.from_schema = model is None and (model := model_from_schema(getattr(interrupt, "response_schema", None))) is not None
        self.panel, self.index, self.interrupt, self.node, self.model = panel, index, interrupt, node, model
        self.answered = False
        total = len(panel.interrupts)
        origin = f" from `{node}`" if node else ""
        self.header = SafeHTML(f"<b>interrupt {index + 1} of {total}</b>{as_html(origin)}")
        self.payload = SafeHTML(payload_html(interrupt.value))
        self.payload.add_class("wf-payload-view")
        self.saved_payload = self.payload.value  # what a saved snapshot shows: cut, also after Show all
        self.show_all_button = ipywidgets.Button(description="Show all", icon="expand",
                                                 tooltip="Show the whole payload (a saved view stays cut)")
        self.show_all_button.add_class("wf-show-all")
        self.show_all_button.on_click(lambda _: self.show_all())
        self.approve_button = ipywidgets.Button(description="Approve", button_style="success", icon="check")
        self.reject_button = ipywidgets.Button(description="Reject", button_style="danger", icon="times")
        self.edit_button = ipywidgets.Button(description="Edit", icon="pencil")
        self.submit_button = ipywidgets.Button(description="Submit", button_style="primary")
        for button, css in ((self.approve_button, "wf-approve"), (self.reject_button, "wf-reject"),
                            (self.edit_button, "wf-edit"), (self.submit_button, "wf-submit")):
            button.add_class(css)
        self.approve_button.on_click(lambda _: panel.approve(index))
        self.reject_button.on_click(lambda _: panel.reject(index))
        self.edit_button.on_click(lambda _: self.open_editor())
        self.submit_button.on_click(lambda _: panel.submit(index))
        self.form = ModelForm(model, interrupt.value if isinstance(interrupt.value, dict) else None) if model else None
        self.text = None if model else ipywidgets.Textarea(value=redact(_editable(interrupt.value)), rows=4,
                                                           layout=ipywidgets.Layout(width="98%"))
        self.text_error = SafeHTML("")
        self.text_error.add_class("wf-field-error")
        self.result = SafeHTML("")
        self.result.add_class("wf-answer")
        buttons = [b for b, shown in ((self.approve_button, panel.approve_value is not _UNSET or not model),
                                      (self.reject_button, panel.reject_value is not _UNSET or not model),
                                      (self.edit_button, not model)) if shown]
        if "wf-cut" in self.payload.value or "wf-more" in self.payload.value or "wf-deeper" in self.payload.value:
            buttons.append(self.show_all_button)  # only when something was left out
        self.buttons = ipywidgets.HBox(buttons)
        editor_parts = [self.form] if model else [self.text, self.text_error]
        self.editor = ipywidgets.VBox([*editor_parts, self.submit_button],
                                      layout=ipywidgets.Layout(display=None if model else "none"))
        super().__init__([self.header, self.payload, self.buttons, self.editor, self.result],
                         layout=ipywidgets.Layout(border="1px solid #d01c8b", padding="6px", margin="4px 0"))
        self.add_class("wf-interrupt-card")

    def show_all(self) -> None:
        """Show the whole payload, however long (the saved snapshot keeps the cut one)."""
        with showing_all():
            self.payload.value = payload_html(self.interrupt.value)
        self.show_all_button.disabled = True

    def open_editor(self) -> None:
        self.editor.layout.display = None

    def edited_value(self) -> Any:
        """The editor's value, or `_UNSET` after showing why it is not valid."""
        if self.form is not None:
            instance = self.form.validate()
            if instance is None:
                return _UNSET
            return instance.model_dump(mode="json", exclude_unset=True) if self.from_schema else instance
        if isinstance(self.interrupt.value, str):
            return self.text.value
        try:
            value = json.loads(self.text.value)
        except json.JSONDecodeError as exc:
            self.text_error.value = f'<div style="color:#c62828">not valid JSON: {esc(exc)}</div>'
            return _UNSET
        self.text_error.value = ""
        return value

    def mark_answered(self, value: Any) -> None:
        """Show the answer and stop taking new ones on this card."""
        self.answered = True
        self._enable(False)
        self._editor_shown, self.editor.layout.display = self.editor.layout.display, "none"
        self.result.value = f'<div style="color:#1f5f2a">✓ answered: <code>{esc(short(value, 120))}</code></div>'

    def reopen(self, value: Any, error: BaseException) -> None:
        """The run did not take `value` (the node raised `error` on it): show why under it, take a new one."""
        self.answered = False
        self._enable(True)
        self.editor.layout.display = self._editor_shown  # as it was: an edit can be corrected
        self.result.value = (f'<div style="color:#c62828">✗ not taken: <code>{esc(short(value, 120))}</code></div>'
                             + error_html("the node raised on this answer; the interrupt still waits for another",
                                          error))

    def _enable(self, enabled: bool) -> None:
        for button in (self.approve_button, self.reject_button, self.edit_button, self.submit_button):
            button.disabled = not enabled


class ReviewPanel(SavedView, ipywidgets.VBox):
    """Answer the pending interrupts of `run` (or the `interrupts` given). See the module docstring."""

    def __init__(self, run: Any = None, *, interrupts=None, answer_model: Any = None, approve: Any = _UNSET,
                 reject: Any = _UNSET, on_answer: Callable[[dict], Any] | None = None,
                 nodes: dict[str, str] | None = None):
        if interrupts is None:
            if run is None:
                raise TypeError("ReviewPanel needs the run whose interrupts to answer (ReviewPanel(run)) "
                                "or the interrupts themselves (ReviewPanel(interrupts=..., on_answer=...))")
            interrupts = run.interrupts
        self.run = run
        self.interrupts = tuple(interrupts)
        if not self.interrupts:
            raise ValueError("ReviewPanel: nothing to review, the run has no pending interrupt "
                             "(step it until run.interrupts is not empty)")
        if run is None and on_answer is None:
            raise TypeError("ReviewPanel(interrupts=...) without a run needs on_answer=, a function that "
                            "receives {interrupt_id: answer}")
        self.approve_value, self.reject_value = approve, reject
        models = [m for m in (answer_model.values() if isinstance(answer_model, dict) else [answer_model]) if m]
        if run is not None and models:
            # Stored answers must come back as models when the run goes back and steps over them again.
            run.register_types(*models)
        self.on_answer = on_answer
        self.answer_model = answer_model
        self.pending: Any = None  # the resume under way once every card is answered (see `_deliver`)
        self.title = SafeHTML("<b>Review: the run is waiting for an answer</b>")
        self.status = SafeHTML()
        self.status.add_class("wf-review-status")
        super().__init__()
        self._show(self.interrupts, nodes)
        self.add_class("wf-review")

    def _show(self, interrupts: tuple, nodes: dict[str, str] | None = None) -> None:
        """A card for each of `interrupts`, none answered yet."""
        self.interrupts = tuple(interrupts)
        self.answers: dict[str, Any] = {}
        self.delivered = False
        self.taken: set[str] = set()  # interrupts whose answers the run took while it refused others (reopen)
        nodes = dict(nodes or {})
        if self.run is not None:  # the engine names an interrupt after its task: find each one's node
            nodes.update({t.id: t.name for t in self.run.next if t.id not in nodes})
            paused = self.run.history[-1] if self.run.history and self.run.history[-1].paused else None
            if paused is not None:  # (LangGraph names an interrupt otherwise: its record knows the node)
                nodes.update({i.id: paused.node_of(i.id) for i in paused.interrupts if i.id not in nodes})
        self.cards = [InterruptCard(self, i, interrupt, nodes.get(interrupt.id),
                                    _model_for(self.answer_model, nodes.get(interrupt.id)))
                      for i, interrupt in enumerate(self.interrupts)]
        self.status.value = self._status_text()
        self.children = (self.title, *self.cards, self.status)

    # -- answering ---------------------------------------------------------------------------------------
    def approve(self, which: int | str = 0) -> None:
        self.answer(which, True if self.approve_value is _UNSET else self.approve_value)

    def reject(self, which: int | str = 0) -> None:
        self.answer(which, False if self.reject_value is _UNSET else self.reject_value)

    def submit(self, which: int | str = 0) -> bool:
        """Answer with what the card's editor holds; False (and the errors shown) when it is not valid."""
        card = self.card(which)
        value = card.edited_value()
        if value is _UNSET:
            return False
        self.answer(which, value)
        return True

    def answer(self, which: int | str, value: Any) -> None:
        """Give interrupt `which` (its index or id) the answer `value`; the last answer resumes the run."""
        card = self.card(which)
        if self.delivered or card.answered:
            return  # a late second click must not answer twice
        self.answers[card.interrupt.id] = value
        card.mark_answered(value)
        self.status.value = self._status_text()
        if len(self.answers) == len(self.interrupts):
            self._deliver()

    def card(self, which: int | str) -> InterruptCard:
        if isinstance(which, int):
            if not 0 <= which < len(self.cards):
                raise IndexError(f"ReviewPanel has {len(self.cards)} interrupt(s); no number {which}")
            return self.cards[which]
        for card in self.cards:
            if card.interrupt.id == which:
                return card
        raise KeyError(f"no pending interrupt `{which}`; pending: {', '.join(c.interrupt.id for c in self.cards)}")

    def reopen(self, error: BaseException) -> list[InterruptCard]:
        """The run did not take the answers (a node raised `error` on them): the cards of the interrupts it
        still waits at (all answered cards, without a run) show the error under their answer and take a
        new one; the others keep theirs. Returns the cards reopened."""
        waiting = ({i.id for i in self.run.interrupts} if self.run is not None else
                   {card.interrupt.id for card in self.cards})
        cards = [card for card in self.cards if card.answered and card.interrupt.id in waiting]
        for card in cards:
            card.reopen(self.answers.pop(card.interrupt.id), error)
        if cards:
            self.taken = set(self.answers)
            self.delivered = False
            self.status.value = "<i>the run did not take the answer and still waits: answer again</i>"
        return cards

    def _deliver(self) -> None:
        self.delivered = True
        # after a reopen, the answers the run took already are not given again
        answers = {key: value for key, value in self.answers.items() if key not in self.taken}
        if self.on_answer is not None:
            self.on_answer(answers)
            return
        self.status.value = "<i>resuming the run…</i>"
        # inside Jupyter an asyncio.Task (a notebook cell can `await panel.pending`); elsewhere the result
        self.pending = launch(self._resume(answers))

    async def _resume(self, answers: dict) -> None:
        try:
            await self.run.aresume(answers)
        except Exception as error:  # shown here: no exception escapes into the notebook's cell
            if not self.reopen(error):  # (reopened: the run still waits at those interrupts, for new answers)
                self.status.value = error_html("resuming failed", error)
            return
        if self.run.interrupts:  # paused again (a rejected draft came back, say): what to answer now
            self._show(self.run.interrupts)
            self.status.value = ("<i>resumed, and the run paused again: it waits for an answer to the "
                                 "new interrupt above</i>")
            return
        self.status.value = f"<i>resumed: the run is {'done' if self.run.done else 'paused again'}</i>"

    def _status_text(self) -> str:
        left = len(self.interrupts) - len(self.answers)
        if left == 0:
            return "<i>all answered</i>"
        if len(self.interrupts) == 1:
            return ""
        return f"<i>{len(self.answers)} of {len(self.interrupts)} answered; the run resumes when all are</i>"

    # -- without a widget front end ----------------------------------------------------------------------
    def summary(self) -> str:
        lines = [f"ReviewPanel: {len(self.interrupts)} interrupt(s), {len(self.answers)} answered"]
        for card in self.cards:
            state = f"answered {short(self.answers[card.interrupt.id], 60)}" if card.answered else "waiting"
            origin = f" from {card.node}" if card.node else ""
            lines.append(f"- interrupt {card.index + 1}{origin}: {short(card.interrupt.value, 70)} ({state})")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        widget_view = super()._repr_mimebundle_(**kwargs).get(WIDGET_VIEW)
        if widget_view is not None:  # shown in a cell: a saved notebook keeps its last view
            self._keep_saved_view(review_snapshot, self.status, *(card.result for card in self.cards))
        formats = {WIDGET_VIEW: lambda: widget_view} if widget_view is not None else {}
        lines = self.summary().splitlines()
        formats.update({"text/html": lambda: review_snapshot(self),
                        "image/svg+xml": lambda: text_card_svg(lines[0], lines[1:]), "text/plain": self.summary})
        return mimebundle(formats, include, exclude)


def _model_for(answer_model: Any, node: str | None) -> type | None:
    if answer_model is None:
        return None
    if isinstance(answer_model, dict):
        return answer_model.get(node)
    return answer_model


def _editable(payload: Any) -> str:
    if isinstance(payload, str):
        return payload
    if hasattr(payload, "model_dump"):
        payload = payload.model_dump(mode="json")
    # Values JSON cannot hold (a message, a date) start out as their text; the reviewer edits from there.
    try:
        return json.dumps(payload, ensure_ascii=False, indent=1, default=str)
    except RecursionError:  # nested thousands deep: the reviewer answers with Approve / Reject, or types one
        return ""
