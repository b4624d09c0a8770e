"""The documents that prove what a change set records (เอกสารประกอบ): the kinds a registry officer attaches,
Thai first, the one each event most likely needs first, and the events the registrar expects a document for.

The kind's Thai name is the label that travels with the change set (``ChangeSet.evidence_labels``)."""
from __future__ import annotations

from typing import NamedTuple


class DocumentKind(NamedTuple):
    th: str
    en: str
    # A civil-registration document (a registration, a certificate): the proof of the event itself, so a change
    # set sent without one may come back from the registrar (the dialog reminds the officer before sending).
    civil: bool = False


MARRIAGE_REGISTRATION = DocumentKind("ทะเบียนสมรส", "Marriage registration", civil=True)
DIVORCE_REGISTRATION = DocumentKind("ทะเบียนการหย่า", "Divorce registration", civil=True)
BIRTH_CERTIFICATE = DocumentKind("สูติบัตร", "Birth certificate", civil=True)
COURT_ORDER = DocumentKind("คำสั่งศาล", "Court order")
DEATH_CERTIFICATE = DocumentKind("ใบมรณบัตร", "Death certificate", civil=True)
APPOINTMENT_ORDER = DocumentKind("คำสั่งบรรจุ แต่งตั้ง หรือรับโอน", "Appointment or transfer order")
END_OF_SERVICE_ORDER = DocumentKind("คำสั่งให้พ้นจากตำแหน่ง", "Order ending service")
HOUSE_REGISTRATION = DocumentKind("ทะเบียนบ้าน", "House registration", civil=True)
OTHER_DOCUMENT = DocumentKind("เอกสารอื่น", "Other document")
# The unit's emblem (ตราสัญลักษณ์), attached to a change of the unit's data: printed over its letters.
UNIT_EMBLEM = DocumentKind("ตราสัญลักษณ์ของหน่วยงาน", "The unit's emblem")

# In the order the officer is offered them.
DOCUMENT_KINDS: tuple[DocumentKind, ...] = (
    MARRIAGE_REGISTRATION, DIVORCE_REGISTRATION, BIRTH_CERTIFICATE, COURT_ORDER, DEATH_CERTIFICATE,
    APPOINTMENT_ORDER, END_OF_SERVICE_ORDER, HOUSE_REGISTRATION, UNIT_EMBLEM, OTHER_DOCUMENT,
)

# The photo read from the person's ID card, attached for the registrar to compare (not a document kind offered).
CARD_PHOTO = DocumentKind("รูปถ่ายจากบัตรประชาชน", "Photo from the ID card")

# The document a guided action (or a change set, by its kind) most likely needs first.
NEEDED_FIRST: dict[str, DocumentKind] = {
    **dict.fromkeys(("hire", "transfer_in", "elected", "pension"), APPOINTMENT_ORDER),
    **dict.fromkeys(("end", "resignation", "dismissal", "retirement", "transfer_out", "term_ended"),
                    END_OF_SERVICE_ORDER),
    "death": DEATH_CERTIFICATE,
    **dict.fromkeys(("marriage", "child_marriage", "add_spouse"), MARRIAGE_REGISTRATION),
    "divorce": DIVORCE_REGISTRATION,
    "birth": BIRTH_CERTIFICATE,
    "court_order": COURT_ORDER,
    **dict.fromkeys(("parent", "add_father", "add_mother"), HOUSE_REGISTRATION),
}


def document_for(kind: str) -> DocumentKind:
    """The document to offer first for an event or a change set's kind (any other: "other document")."""
    return NEEDED_FIRST.get(kind, OTHER_DOCUMENT)


def needs_document(kind: str) -> bool:
    """Whether the event's proof is a civil-registration document the registrar expects attached."""
    return document_for(kind).civil
