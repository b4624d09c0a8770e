"""What the register takes from a Thai national ID card: the person, as the register keeps them.

The card is read by ``card/`` (PC/SC, the MOI applet); the core does not import it, and only needs what
:class:`CardHolder` names — ``card.thaiid.CardData`` is one."""
from __future__ import annotations

from typing import Protocol

from .domain import Person, Sex
from .thai import PartialDate


class CardName(Protocol):
    @property
    def prefix(self) -> str: ...
    @property
    def first(self) -> str: ...
    @property
    def middle(self) -> str: ...
    @property
    def last(self) -> str: ...


class CardAddress(Protocol):
    @property
    def text(self) -> str: ...


class CardHolder(Protocol):
    """The card's fields the register keeps."""

    @property
    def cid(self) -> str: ...
    @property
    def name_th(self) -> CardName: ...
    @property
    def name_en(self) -> CardName: ...
    @property
    def birth(self) -> PartialDate | None: ...
    @property
    def sex(self) -> str: ...          # "1" male, "2" female, anything else unknown
    @property
    def address(self) -> CardAddress: ...


def person_from_card(card: CardHolder) -> Person:
    sex = Sex(card.sex) if card.sex in ("1", "2") else None
    th, en = card.name_th, card.name_en
    return Person(card.cid, th.first, th.last, th.prefix, th.middle, en.prefix, en.first, en.middle, en.last,
                  card.birth, sex, None, card.address.text)
