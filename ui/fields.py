"""A typing mistake shown on its field, not only in the results box at the bottom: the field gets a red edge
(the dynamic property ``fieldError``, drawn by resources/style.qss) and the Thai reason in a small red label
under it. The mistakes come from app (app.errors.FieldRefusals: every (field name, verdict) at once), the field
name being the widget's objectName."""
from __future__ import annotations

from app.errors import FieldRefusals, Verdict, Verdicts

from .qt import QLabel, QLineEdit, QVBoxLayout, QWidget

ERROR_PROPERTY = "fieldError"


def set_marked(field: QWidget, marked: bool) -> None:
    """The red edge on or off (the style is re-applied: a dynamic property alone does not repaint)."""
    if bool(field.property(ERROR_PROPERTY)) == marked:
        return
    field.setProperty(ERROR_PROPERTY, marked)
    field.style().unpolish(field)
    field.style().polish(field)
    field.update()


class FieldMarks:
    """The fields of one form that can carry a mistake, by name, each with its reason label under it.

    A field is marked once the officer has typed in it (or, with ``everywhere``, once they tried to keep the
    form): a form just opened is not covered in red for fields nobody has reached yet."""

    def __init__(self) -> None:
        self.fields: dict[str, tuple[QWidget, QLabel]] = {}
        self.touched: set[str] = set()

    def wrap(self, field: QWidget) -> QWidget:
        """``field`` with its (hidden) reason label under it: put this in the form's row instead of the field."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addWidget(field)
        note = QLabel("")
        note.setObjectName("fieldErrorText")
        note.setWordWrap(True)
        note.hide()
        column.addWidget(note)
        name = field.objectName()
        self.fields[name] = (field, note)
        if isinstance(field, QLineEdit):
            field.textEdited.connect(lambda _t: self.touched.add(name))
        return box

    def note(self, name: str) -> QLabel | None:
        found = self.fields.get(name)
        return found[1] if found else None

    def show(self, problems: dict[str, str], everywhere: bool = False) -> None:
        """Mark the fields named in ``problems`` (name → Thai reason) that were typed in (``everywhere``: all of
        them, and from now on); clear every other."""
        if everywhere:
            self.touched.update(self.fields)
        for name, (field, note) in self.fields.items():
            reason = problems.get(name, "") if name in self.touched else ""
            set_marked(field, bool(reason))
            note.setText(reason)
            note.setVisible(bool(reason))

    def marked(self) -> dict[str, str]:
        return {name: note.text() for name, (field, note) in self.fields.items() if field.property(ERROR_PROPERTY)}


def problems_of(outcome) -> dict[str, str]:
    """Field name → Thai reason: from a FieldRefusals (every typing mistake), or from the rules' error verdicts
    whose subject is a field's name (``position``)."""
    out: dict[str, str] = {}
    if isinstance(outcome, FieldRefusals):
        for name, verdict in outcome.problems:
            out.setdefault(name, verdict.th)
    elif isinstance(outcome, Verdicts):
        for verdict in outcome.errors:
            if verdict.subject and not verdict.subject.isdigit():
                out.setdefault(verdict.subject, verdict.th)
    return out


def listed(outcome: FieldRefusals) -> Verdicts:
    """A form's mistakes as verdicts, to list them all in the results box."""
    return Verdicts([Verdict(v.code, v.th, v.en, v.severity, name) for name, v in outcome.problems])
