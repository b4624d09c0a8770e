"""The Thai words no line may end inside.

ICU's Thai dictionary cuts compounds into their parts (หลัก|ฐาน, เจ้า|หน้าที่, ราย|ชื่อ) and sometimes cuts in the
wrong place (ข้าพเจ้าขอรับ|รอง, inside รับรอง), so a line could end inside what a Thai reader sees as one word.
``app/data/thai_words.txt`` is PyThaiNLP's word list (``words_th.txt``, CC0-1.0) — Thai letters only, 2 to
:data:`LONGEST` characters — and :func:`app.documents.thaitext.segments` drops every ICU break that one of
these words spans wherever it stands. Dropping a break is always safe: at worst a line holds a little less
(two words that happen to spell a third stay together), and a run wider than the line falls back to ICU's
pieces.

Regenerate the list (PyThaiNLP is a development dependency) with::

    .venv/bin/python -m app.documents.words
"""
from __future__ import annotations

import functools
import re
import sys
from pathlib import Path
from typing import Iterable

PATH = Path(__file__).resolve().parent.parent / "data" / "thai_words.txt"
LONGEST = 30
_THAI_ONLY = re.compile("^[\u0e01-\u0e5b]+$")
HEADER = ("# Thai words no line ends inside (app/documents/words.py). PyThaiNLP's words_th.txt, CC0-1.0,\n"
          "# https://github.com/PyThaiNLP/pythainlp. Regenerate: .venv/bin/python -m app.documents.words\n")


def select(words: Iterable[str]) -> list[str]:
    """Thai letters only, 2 … LONGEST characters, sorted."""
    return sorted({w.strip() for w in words if 2 <= len(w.strip()) <= LONGEST and _THAI_ONLY.match(w.strip())})


@functools.lru_cache(maxsize=1)
def known() -> frozenset[str]:
    """The words, read once (a missing file is a broken install: the self-test says so)."""
    lines = PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def main() -> int:
    from pythainlp.corpus import thai_words

    words = select(thai_words())
    PATH.write_text(HEADER + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words → {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
