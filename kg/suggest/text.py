"""Sentences with their offsets, and IRI slugs from names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# a full stop after these is not a sentence's end
_ABBREVIATIONS = frozenset(
    "h.e mr mrs ms dr prof no st jr sr vs etc gen lt col maj capt sen rep gov u.s u.n e.g i.e approx dept est fig inc ltd co "
    "jan feb mar apr jun jul aug sep sept oct nov dec г гг им т.е т.д т.п ул проф д-р".split())


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` (a line break also ends one), trimmed, with offsets."""
    out: list[Sentence] = []
    for para in re.finditer(r"[^\n]+", text):
        base, chunk = para.start(), para.group()
        start = 0
        for m in re.finditer(r"[.!?…]+[\"»”’)]*(?=\s+[\"«“(]?[A-ZА-ЯЁ0-9])", chunk):
            before = re.search(r"([\w.]+)$", chunk[start:m.start()])
            word = (before.group(1) if before else "").lower().rstrip(".")
            if word in _ABBREVIATIONS or re.fullmatch(r"[a-zа-я]", word) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
                continue
            _add(out, chunk, base, start, m.end())
            start = m.end()
        _add(out, chunk, base, start, len(chunk))
    return out


def _add(out: list[Sentence], chunk: str, base: int, s: int, e: int) -> None:
    piece = chunk[s:e]
    lead = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    if piece:
        out.append(Sentence(base + s + lead, base + s + lead + len(piece), piece))


_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяқғҳўәөүұң",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f",
                      "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "q", "g", "h", "o", "a", "o", "u", "u", "n"], strict=True))


def slug(text: str, max_words: int = 6) -> str:
    """A lower-case ASCII slug of a name, in the graph's IRI grammar (``a-z0-9`` words
    joined by single hyphens)."""
    lowered = text.casefold()
    lowered = "".join(_TRANSLIT.get(c, c) for c in lowered)
    folded = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    parts = [p for p in re.split(r"[^a-z0-9]+", folded) if p]
    return "-".join(parts[:max_words])


def ordinal_word(n: int) -> str:
    """4 -> "4th", 21 -> "21st"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def local_name(curie: str) -> str:
    """The part of an IRI a new one is named after: a CURIE's local name, a literal's slug."""
    if curie.startswith('"'):
        return slug(curie.split('"')[1]) or "value"
    return curie.split(":", 1)[-1]


def turtle_literal(text: str, lang: str | None = None) -> str:
    """A Turtle string literal, with the characters that could hide text escaped."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))
    escaped = re.sub(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04X}", escaped)
    return f'"{escaped}"' + (f"@{lang}" if lang else "")
