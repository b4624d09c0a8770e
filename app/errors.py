"""Refusals and verdicts: what a rule says when it says no, in Thai first and English second.

Every refusal carries a stable ``code`` (for the server, the wire format and tests), a Thai message a
user reads, and an English one. Messages never contain secrets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"      # blocks the change
    WARNING = "warning"  # allowed, but the officer must see it
    INFO = "info"        # an explanation (e.g. why another coverage comes first)


@dataclass(frozen=True)
class Verdict:
    code: str
    th: str
    en: str = ""
    severity: Severity = Severity.ERROR
    subject: str = ""  # what it is about: a CID, a field name, a row number

    def message(self, lang: str = "th") -> str:
        return self.en if lang == "en" and self.en else self.th


class Refusal(Exception):
    """A rule refused something. ``str(refusal)`` is the Thai message."""

    def __init__(self, code: str, th: str, en: str = "", subject: str = "") -> None:
        super().__init__(th)
        self.verdict = Verdict(code, th, en, Severity.ERROR, subject)

    @property
    def code(self) -> str:
        return self.verdict.code

    @property
    def th(self) -> str:
        return self.verdict.th

    @property
    def en(self) -> str:
        return self.verdict.en


@dataclass
class Verdicts:
    """Everything the rules said about one thing; ``ok`` while there is no error."""

    items: list[Verdict] = field(default_factory=list)

    def add(self, code: str, th: str, en: str = "", severity: Severity = Severity.ERROR,
            subject: str = "") -> None:
        self.items.append(Verdict(code, th, en, severity, subject))

    def extend(self, other: Verdicts) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Verdict]:
        return [v for v in self.items if v.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self) -> list[str]:
        return [v.code for v in self.items]

    def raise_first(self) -> None:
        if self.errors:
            v = self.errors[0]
            raise Refusal(v.code, v.th, v.en, v.subject)
