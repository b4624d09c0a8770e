"""Client sync: what the desk says to the central server, and when. ``sync.protocol`` is the wire format shared
with ``server/``. No Qt here: the window runs these on its threads (ui/main.py, ui/tasks.py).

* :mod:`sync.protocol` — the models of every request and answer (pydantic), kinds as enums; both sides import it.
* :mod:`sync.client` — :class:`~sync.client.CentralClient`, the HTTP client: returns those models, turns every
  failure into a :class:`~sync.client.SyncError` with a Thai message, renews the tokens once for all threads.
* :mod:`sync.engine` — :class:`~sync.engine.SyncEngine`, one sync and nothing else: documents → what the outbox
  owes (one :class:`~sync.engine.Handler` per kind of item) → the feed (and a new copy's first download).
  What is owed is written by the officers' actions (app.usecases), kept by app.store.outbox.
* :mod:`sync.service` — :class:`~sync.service.SyncService`, the sync thread: on a timer, after a change, on demand.
* :mod:`sync.session` — logging in (online, or offline from the working copy) and out; the HTTP steps on the
  caller's thread (the desk's network runner), the steps on the working copy handed to the database worker.
* :mod:`sync.enrolment` — what this PC fetches at an online log-in: its enrolment and its licence (network
  steps apart from database steps), and the licence checked offline.
* :mod:`sync.licence` — the yearly licence token and its offline check (Ed25519, no network).
"""
