"""What a duty's tab and the window it sits in know of each other: the tab asks the window (:class:`Host`) for
the runner, the card, the day, the officer's :class:`app.usecases.Desk` and the people tab's row of buttons, and
hands it what an action changed; the window asks each tab (:class:`Duty`) for its title, gives it the desk once
the working copy is open, and has it redraw after a sync or an action."""
from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, ClassVar, Protocol

from app.usecases import Changed, Desk

from ..card_bridge import CardBridge
from ..tasks import TaskRunner


class Host(Protocol):
    runner: TaskRunner
    card: CardBridge | None
    today: _dt.date
    actions_row: Any            # the people tab's row of buttons (a QHBoxLayout): a role's guided actions
    get_blob: Callable[[str], bytes] | None   # a document of the unit this PC does not hold yet (online)
    local_change: Any           # the window's signal: something is owed to the server now
    work_loaded: Any            # the window's signals the tests and the demo follow: "my work" listed,
    inbox_loaded: Any           # the review inbox listed
    chosen_changed: Any         # another person was chosen in the people list, or their detail arrived

    def current_cid(self) -> str | None:
        """The citizen ID chosen in the people list."""

    def current_relations(self) -> frozenset:
        """How the chosen person stands in the register (app.rules.entitlement.Relation: beneficiary, spouse,
        child, father, mother — several for some)."""

    def shortcut(self, keys: str, slot: Callable[[], Any], name: str = "") -> Any:
        """A keyboard shortcut anywhere in the window (e.g. "Ctrl+N")."""

    def say(self, text: str) -> None:
        """A line in the status bar."""

    def tell(self, text: str) -> None:
        """A message box (its text also on the window's ``notice`` signal)."""

    def refused(self, error: BaseException) -> None:
        """An action did not happen: a Refusal told as it is, anything else as an error."""

    def render(self, changed: Changed) -> None:
        """What an action changed: what is owed moves the sync line, and every tab redraws if affected."""

    def opened(self, dialog: Any) -> None:
        """A dialog a tab opened (the window keeps the newest as ``dialog``: tests drive it)."""


class Duty(Protocol):
    """One tab of a role's desk (a QWidget)."""

    title: ClassVar[tuple[str, str]]   # (Thai, English)

    def __init__(self, host: Host) -> None: ...

    def attach(self, desk: Desk) -> None:
        """The working copy is open: list what the duty shows."""

    def reload(self) -> None:
        """List again (after a sync brought something)."""

    def redraw(self, changed: Changed) -> None:
        """An action changed something: list again if it is about what this tab shows."""
