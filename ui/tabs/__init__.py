"""The workspace's tabs, one duty each in a file of its own (Vorta's ``views/``), added by the main window after
the unit's people according to the officer's role — a role's desk is one line of :data:`TABS_OF_ROLE`:

* :mod:`.my_work` — the registry officer: their change sets (edit, send again, merge, cancel) and, on the
  people tab, the guided actions (a new staff member, an event of the chosen person, the unit's data);
* :mod:`.review_inbox` — the registrar: what waits for review; approve with card and PIN, return with a reason;
* :mod:`.confirmation` — the registrar: the unit's statements, confirmed with card and PIN;
* :mod:`.reports` — the registrar and the registry officers: the reports (app.usecases.reports), on screen, as PDF
  and as Excel.
* :mod:`ui.claims` — the finance officer: the unit's claims, in a workspace of their own (no people tab).

Each button runs one use case of :mod:`app.usecases` on the database worker and redraws what it changed
(:meth:`ui.tabs.host.Host.render`); what a tab may ask of the window is :class:`ui.tabs.host.Host`.
"""
from __future__ import annotations

from app.domain import Role

from ..claims import ClaimsTab, PaymentsTab

from .confirmation import ConfirmationTab
from .host import Duty, Host
from .my_work import MyWorkTab
from .reports import ReportsTab
from .review_inbox import ReviewInboxTab

TABS_OF_ROLE: dict[Role, tuple[type[Duty], ...]] = {
    Role.REGISTRY_OFFICER: (MyWorkTab, ReportsTab),
    Role.REGISTRAR: (ReviewInboxTab, ConfirmationTab, ReportsTab),
    Role.FINANCE_OFFICER: (ClaimsTab, PaymentsTab),   # their own desk: the people tab is not theirs (ui.workspace)
}

__all__ = ["TABS_OF_ROLE", "ConfirmationTab", "Duty", "Host", "MyWorkTab", "ReportsTab", "ReviewInboxTab"]
