"""The finance officer's claims (issue 19): what a claim is (:mod:`.claim`), what is wrong with it before it goes to
NHSO (:mod:`.checks`), and who may move it from state to state (:mod:`.states`). No Qt, no HTTP: the desktop
and the server run the same functions."""
from .checks import check
from .claim import Care, Claim, FacilityKind, Page, PageLabel, PaidFirst, Receipt, money, receipt_key, used_receipts
from .states import Actor, ClaimState, PayMethod, Step, accepted_amount, move

__all__ = ["Actor", "Care", "Claim", "ClaimState", "FacilityKind", "Page", "PageLabel", "PaidFirst", "PayMethod",
           "Receipt", "Step", "accepted_amount", "check", "money", "move", "receipt_key", "used_receipts"]
