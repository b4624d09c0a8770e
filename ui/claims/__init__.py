"""The finance officer's desk (issue 19 §4): the claims list by what is to be done (:mod:`.desk`), the claim form
with its live checks (:mod:`.form`) and the evidence panel of scanned and imported pages (:mod:`.evidence`)."""
from __future__ import annotations

from .desk import ClaimsTab, RepayDialog
from .evidence import EvidencePanel
from .form import ClaimDialog

__all__ = ["ClaimDialog", "ClaimsTab", "EvidencePanel", "RepayDialog"]
