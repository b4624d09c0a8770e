"""The finance officer's desk (issue 19 §4): the claims list by what is to be done (:mod:`.desk`), the claim form
with its live checks (:mod:`.form`), the evidence panel of scanned and imported pages (:mod:`.evidence`), and
NHSO's payment statements reconciled against the unit's claims (:mod:`.payments`)."""
from __future__ import annotations

from .desk import ClaimsTab, RepayDialog
from .evidence import EvidencePanel
from .form import ClaimDialog
from .payments import PaymentsTab

__all__ = ["ClaimDialog", "ClaimsTab", "EvidencePanel", "PaymentsTab", "RepayDialog"]
