"""The officers' actions, one function each, every one taking an explicit :class:`Desk` and returning what
it :class:`Changed` (the window runs them on the database worker and redraws what they changed):

* :mod:`.registry` — the registry officer: record a guided action (draft or send), resubmit, cancel, merge;
  their own work with its conflicts and what did not reach the server (:func:`.registry.my_work`);
* :mod:`.review` — the registrar: what waits for review, approve (signed after card and PIN), return with a reason;
* :mod:`.statements` — the registrar's confirmation round: the statements held here, confirm one;
* :mod:`.forms` — what the officer typed for each guided action (plain values) and one builder per kind that
  turns it into a change set (the window reads widgets into a form; it never builds a change set);
* :mod:`.person` — what the window shows about one person;
* :mod:`.reports` — the registrar's reports (:data:`.reports.REPORTS`), each a list document for screen, PDF and Excel.

These are the only writers of the outbox (app.store.outbox); the sync engine only delivers what they owe.
"""
from .context import Changed, ChangeSetLine, Desk
from .person import DependentLine, PersonDetail, describe_span, format_cid, person_detail

__all__ = ["ChangeSetLine", "Changed", "DependentLine", "Desk", "PersonDetail", "describe_span", "format_cid", "person_detail"]
