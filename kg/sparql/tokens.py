"""The project's one SPARQL tokenizer: the terminals of the SPARQL 1.1 grammar (§19.8).

The engine parses every query it runs; this scanner is for the few decisions taken on a
query's text before or beside that parse: the query form and the projection a stored
query's header is checked against, where parameters are bound, the prologue sent to an
endpoint, and which keywords a query uses (``keywords``), which ``kg.sparql.engine`` refuses.

The terminals follow the grammar: strings in their four forms with their escapes, IRIs,
comments that end at a line feed *or* a carriage return, prefixed names with the local
name escapes (``ex:a\\'b`` is one name, not a name and the start of a string) and never
ending in a dot (``?s ex:p ex:o.`` ends with the dot that ends the triple). What a
refusal is decided on must never be hidden from it, so ``keywords`` reads the text in
every way a parser could: with the grammar's escapes and leniently (a backslash escapes
any character inside a name), each before and after the codepoint escapes of §19.2
(``\\u0053ERVICE``); a word any of them sees counts. The refusal is still a second line:
a query the engine runs cannot reach the network anyway (``kg.sparql.sandbox``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["UPDATE_KEYWORDS", "Token", "first_query_token", "keywords", "query_tokens", "tokens", "unescape_codepoints"]

#: the keywords that start a SPARQL Update operation, which every reader refuses
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})

_NAME_CHARS = r"\w\u00B7\u0300-\u036F\u203F-\u2040"
# PN_LOCAL_ESC: the characters a backslash may escape in a prefixed name's local part
_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_LENIENT_ESC = r"\\."

_TEMPLATE = r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               | '''(?:[^'\\]|\\.|'(?!''))*'''
               | "(?:[^"\\\n\r]|\\.)*"
               | '(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><(?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<var>[?$][NAME]+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<word>(?:[NAME:%]|ESC)(?:(?:[NAME.\-:%]|ESC)*(?:[NAME\-:%]|ESC))?)
    | (?P<punct>\^\^|&&|\|\||!=|<=|>=|.)
"""


def _compile(escape: str) -> re.Pattern[str]:
    return re.compile(_TEMPLATE.replace("NAME", _NAME_CHARS).replace("ESC", escape), re.VERBOSE | re.DOTALL)


_STRICT = _compile(_LOCAL_ESC)
_LENIENT = _compile(_LENIENT_ESC)
_NUMBER = re.compile(r"[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    """A terminal: ``kind`` is word (keywords, prefixed names, numbers, blank nodes), var,
    iri, string, lang or punct; ``offset`` is where it starts in the text."""

    kind: str
    text: str
    offset: int

    @property
    def keyword(self) -> str:
        """The text in upper case for a word, else ''."""
        return self.text.upper() if self.kind == "word" else ""

    @property
    def end(self) -> int:
        return self.offset + len(self.text)

    @property
    def category(self) -> str:
        """``kind``, with words told apart: num, bnode (``_:b``), pname (``ex:a``) or word
        (a keyword, ``a``, ``true``, a function name)."""
        if self.kind != "word":
            return self.kind
        if _NUMBER.fullmatch(self.text):
            return "num"
        if self.text.startswith("_:"):
            return "bnode"
        return "pname" if ":" in self.text else "word"


def tokens(text: str, *, lenient: bool = False) -> Iterator[Token]:
    """The query's tokens without whitespace and comments (a stored query's ``#+`` header
    is a comment)."""
    for match in (_LENIENT if lenient else _STRICT).finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group(), match.start())


def query_tokens(text: str) -> list[Token]:
    """The tokens after the prologue (PREFIX and BASE declarations)."""
    found = list(tokens(text))
    i = 0
    while i < len(found):
        word = found[i].keyword
        if word == "PREFIX" and i + 2 < len(found) and found[i + 2].kind == "iri":
            i += 3
        elif word == "BASE" and i + 1 < len(found) and found[i + 1].kind == "iri":
            i += 2
        else:
            break
    return found[i:]


def first_query_token(text: str) -> Token | None:
    """``query_tokens(text)[0]`` (None for no token), without scanning past it: what a
    query's form is read from, on every query a client sends."""
    scanned = tokens(text)
    found: list[Token] = []

    def at(i: int) -> Token | None:
        while len(found) <= i:
            t = next(scanned, None)
            if t is None:
                return None
            found.append(t)
        return found[i]

    i = 0
    while (t := at(i)) is not None:
        if t.keyword == "PREFIX" and (iri := at(i + 2)) is not None and iri.kind == "iri":
            i += 3
        elif t.keyword == "BASE" and (iri := at(i + 1)) is not None and iri.kind == "iri":
            i += 2
        else:
            return t
    return None


def unescape_codepoints(text: str) -> str:
    """``\\uXXXX`` and ``\\UXXXXXXXX`` replaced by their characters (SPARQL 1.1 §19.2)."""

    def char(m: re.Match[str]) -> str:
        value = int(m.group(1) or m.group(2), 16)
        return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else m.group(0)

    return _CODEPOINT.sub(char, text)


def keywords(text: str) -> set[str]:
    """Every word, in upper case, that any reading of ``text`` sees outside strings, IRIs
    and comments (see the module's note)."""
    found: set[str] = set()
    readings = {text, unescape_codepoints(text)}
    for reading in readings:
        for pattern in (_STRICT, _LENIENT):
            # the matches themselves, not Tokens: this runs on every query a client sends
            found.update(m.group().upper() for m in pattern.finditer(reading) if m.lastgroup == "word")
    return found
