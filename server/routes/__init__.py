"""The central server's API, one :class:`fastapi.APIRouter` per area, every path under /v1:

=============  ==============================================================================
``auth``       log-in, refresh, log-out, password, ``/me``, enrolling a device's key
``changesets`` push (submit, resubmit, cancel), the unit's staging area, a registrar's return
``approvals``  a registrar's signed approval, applied to the register
``feed``       what changed in the unit since a cursor; ``/records``: the whole register, page by page
``blobs``      documents: resumable upload (HEAD/PUT with Content-Range, Upload-Offset), download
``statements`` the unit's signed statements and their confirmation
``certificates`` a unit's certificates of entitlement, checked against the register and fed to its PCs
``calendar``   the registration calendar
``licence``    the yearly licence and the key that checks it
``ops``        the health check
``claims``     a finance officer's claims (push, list, the claims feed) and NHSO's side (``/nhso``: decisions,
               the month's payment statements, transfers, evidence)
=============  ==============================================================================

Each area is a module with a ``router``; :data:`ROUTERS` lists them and ``server.api.create_app`` includes
them. A new area (the finance desk's claims) is one more module here and one more line in ROUTERS. What the
areas share — the :class:`~server.routes.common.Context` (engine, blob store, token key), who is calling
(:class:`~server.routes.common.Caller`), one transaction with retry, the audit log, :class:`ApiError` — is in
:mod:`server.routes.common`; every request and answer is a model of :mod:`sync.protocol`.
"""
from __future__ import annotations

from . import approvals, auth, blobs, calendar, certificates, changesets, claims, feed, licence, ops, statements

ROUTERS = (auth.router, changesets.router, approvals.router, feed.router, blobs.router, statements.router,
           calendar.router, licence.router, ops.router, claims.router, claims.nhso, certificates.router)
