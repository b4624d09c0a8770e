"""Reading generated PDFs back with poppler's own tools (pdftotext, pdffonts, pdfinfo): what a reader gets."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import icu

_SPACE = re.compile(r"\s+")


def run(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


def pages(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), re.M).group(1))


def page_texts(pdf: Path) -> list[str]:
    """The text of each page in drawing order (``pdftotext -raw``)."""
    return [run("pdftotext", "-raw", "-f", str(p), "-l", str(p), str(pdf), "-") for p in range(1, pages(pdf) + 1)]


def squeeze(text: str) -> str:
    """Without any white space: a string wrapped over lines still matches itself."""
    return _SPACE.sub("", text)


def fonts(pdf: Path) -> list[dict]:
    """pdffonts' table: name, type, encoding, emb, sub, uni for each font."""
    rows = run("pdffonts", str(pdf)).splitlines()[2:]
    out = []
    for row in rows:
        cols = row.split()
        out.append({"name": cols[0], "emb": cols[-5], "sub": cols[-4], "uni": cols[-3]})
    return out


def word_boundaries(text: str) -> set[int]:
    """ICU's word boundaries (the word iterator, not the line iterator the typesetter breaks with)."""
    it = icu.BreakIterator.createWordInstance(icu.Locale("th"))
    it.setText(text)
    return {it.first(), *it}


def line_breaks(paragraph: str, lines: list[str]) -> list[int] | None:
    """Where ``paragraph`` was broken, if some consecutive ``lines`` spell it out; positions in the paragraph."""
    lines = [line.strip() for line in lines]
    for i, first in enumerate(lines):
        if not first or not paragraph.startswith(first):
            continue
        pos, breaks, j = len(first), [], i + 1
        while pos < len(paragraph.rstrip()) and j < len(lines):
            breaks.append(pos)
            while pos < len(paragraph) and paragraph[pos] == " ":
                pos += 1
            if not paragraph.startswith(lines[j], pos) or not lines[j]:
                break
            pos += len(lines[j])
            j += 1
        else:
            if pos >= len(paragraph.rstrip()):
                return breaks
    return None


def dictionary_boundaries(text: str) -> set[int]:
    """Word boundaries by PyThaiNLP's dictionary maximal matching (newmm): a second, independent segmenter."""
    from pythainlp.tokenize import word_tokenize

    out, pos = {0}, 0
    for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
        pos += len(word)
        out.add(pos)
    return out


def mid_word_breaks(paragraph: str, breaks: list[int]) -> list[str]:
    """The breaks that fall inside a word by ICU's word iterator or by PyThaiNLP's dictionary, shown as
    ``…before|after…``."""
    ok = word_boundaries(paragraph) & dictionary_boundaries(paragraph)
    return [paragraph[max(0, b - 8):b] + "|" + paragraph[b:b + 8] for b in breaks if b not in ok]
