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


class FieldRefusals(Refusal):
    """Every typing mistake of a form at once, each on its field: ``problems`` is a list of (field name, verdict),
    the field name being the name the form's widget carries (its objectName in the window). ``str()`` lists all
    the Thai reasons, one a line; ``code`` and ``verdict`` are the first one's."""

    def __init__(self, problems: list[tuple[str, Verdict]]) -> None:
        if not problems:
            raise ValueError("FieldRefusals needs at least one problem")
        first = problems[0][1]
        super().__init__(first.code, "\n".join(v.th for _f, v in problems),
                         "\n".join(v.en or v.th for _f, v in problems), first.subject)
        self.problems = list(problems)

    @property
    def fields(self) -> dict[str, Verdict]:
        """The first reason given for each field."""
        out: dict[str, Verdict] = {}
        for name, verdict in self.problems:
            out.setdefault(name, verdict)
        return out
