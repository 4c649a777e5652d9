"""Canonical Turtle: the one way a graph is written to ``data/``.

The same set of triples always gives the same bytes, so re-writing an unchanged graph
changes nothing and a git diff of an addition shows exactly the new statements. rdflib's
own Turtle serialisers group and order differently across versions and can rewrite
literals; this writer keeps every lexical form as parsed and orders everything itself:

* prefixes: only those used, from ``kg.namespaces.PREFIXES``, sorted by name;
* subjects: sorted by IRI; a blank line between them;
* predicates: ``a`` first, then labels, then the rest by prefixed name, provenance last;
* objects: IRIs before literals, each sorted by their text.

A leading block of ``#`` comment lines (the file's header) is kept as given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from kg.namespaces import PREFIXES

# Predicates written right after the types, in this order, so a reader sees names first.
_LEADING = [RDFS.label, SKOS.prefLabel, SKOS.altLabel]
_TRAILING = [PROV.wasDerivedFrom]
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$|^[A-Za-z0-9_]$|^[A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_-]$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


class _Namer:
    """Turns IRIs into prefixed names and records which prefixes were used."""

    def __init__(self, prefixes: Mapping[str, str] = PREFIXES) -> None:
        # longest namespace first, so kgc: wins over a shorter overlapping namespace
        self.prefixes = dict(prefixes)
        self._spaces = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.used: set[str] = set()

    def iri(self, node: URIRef) -> str:
        text = str(node)
        for prefix, ns in self._spaces:
            if text.startswith(ns):
                local = text[len(ns) :]
                if local == "" or _LOCAL.match(local):
                    self.used.add(prefix)
                    return f"{prefix}:{local}"
        return "<" + "".join(c if c not in '<>"{}|^`\\' and ord(c) > 0x20 else f"\\u{ord(c):04X}" for c in text) + ">"


def turtle_iri(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """``iri`` as this writer writes it: a prefixed name where Turtle allows one, else ``<iri>``."""
    return _Namer(prefixes).iri(URIRef(iri))


def _string(text: str) -> str:
    return '"' + "".join(_ESCAPES.get(c, c) for c in text) + '"'


def _literal(node: Literal, namer: _Namer) -> str:
    lexical = str(node)
    if node.language:
        return f"{_string(lexical)}@{node.language}"
    if node.datatype is None or node.datatype == XSD.string:
        return _string(lexical)
    if node.datatype == XSD.integer and _INTEGER.match(lexical):
        return lexical
    if node.datatype == XSD.boolean and lexical in ("true", "false"):
        return lexical
    return f"{_string(lexical)}^^{namer.iri(node.datatype)}"


def _term(node: object, namer: _Namer, *, predicate: bool = False) -> str:
    if isinstance(node, BNode):
        raise ValueError(f"blank node {node.n3()} cannot be written canonically: give it an IRI")
    if isinstance(node, URIRef):
        return "a" if predicate and node == RDF.type else namer.iri(node)
    if isinstance(node, Literal):
        return _literal(node, namer)
    raise TypeError(f"cannot serialise {node!r}")


def _predicate_key(p: URIRef, namer: _Namer, leading: Sequence[URIRef] = _LEADING) -> tuple[int, str]:
    if p == RDF.type:
        return (0, "")
    if p in leading:
        return (1, str(leading.index(p)))
    if p in _TRAILING:
        return (3, str(_TRAILING.index(p)))
    return (2, namer.iri(p))


def _object_key(o: object) -> tuple[int, str, str]:
    if isinstance(o, URIRef):
        return (0, str(o), "")
    assert isinstance(o, Literal)
    return (1, str(o.language or o.datatype or ""), str(o))


def canonical_turtle(
    graph: Graph | Iterable[tuple[object, object, object]],
    *,
    header: str = "",
    prefixes: Mapping[str, str] = PREFIXES,
    first: object = None,
    leading: Sequence[URIRef] = _LEADING,
) -> bytes:
    """Return ``graph`` as canonical Turtle (UTF-8); ``header`` is kept as leading comment lines.

    ``prefixes`` are the ones it may use, ``first`` a subject written before the others,
    ``leading`` the predicates written right after the types (other documents than the
    data files: the dataset description). Raises ``ValueError`` on a blank node: stored
    data never holds one.
    """
    triples = sorted(graph, key=lambda t: (str(t[0]), str(t[1])))
    namer = _Namer(prefixes)
    by_subject: dict[object, dict[object, list[object]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)

    blocks: list[str] = []
    for s in sorted(by_subject, key=lambda n: (n != first, str(n))):
        predicates = by_subject[s]
        subject = _term(s, namer)
        lines = []
        for p in sorted(predicates, key=lambda p: _predicate_key(p, namer, leading)):  # type: ignore[arg-type]
            objects = ", ".join(_term(o, namer) for o in sorted(set(predicates[p]), key=_object_key))
            lines.append(f"{_term(p, namer, predicate=True)} {objects}")
        blocks.append(f"{subject} " + " ;\n    ".join(lines) + " .\n")

    head = "".join(f"@prefix {p}: <{namer.prefixes[p]}> .\n" for p in sorted(namer.used))
    comment = ""
    if header.strip():
        comment = "".join(comment_line(line) + "\n" for line in header.strip("\n").splitlines()) + "\n"
    return (comment + head + ("\n" if head else "") + "\n".join(blocks)).encode("utf-8")


# Turtle ends a comment at a line feed or a carriage return; Python's splitlines, editors
# and other readers also break lines at these, so none may stay inside a comment line.
# The bidirectional embeddings, overrides and isolates reorder what an editor shows (a
# header could be made to read as something else, "Trojan Source"), so they are written
# out too; marks such as U+200F and joiners such as U+200C, which Persian text needs, stay.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` on one line: every line break Unicode knows (``str.splitlines``) becomes a
    space, and other control characters (bidirectional overrides among them) are written
    as ``\\uXXXX``."""
    folded = " ".join(part.strip() for part in text.splitlines())
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", folded)


def comment_line(line: str) -> str:
    """``line`` as one Turtle comment line, whatever it holds: no character in it can end
    the comment early, and it starts with ``#``."""
    line = one_line(line).rstrip()
    return line if line.startswith("#") else f"# {line}".rstrip()


def leading_comment(text: str) -> str:
    """The block of ``#`` lines (and blank lines) before the first statement of a file."""
    kept = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            kept.append(line)
        else:
            break
    return "\n".join(kept).strip("\n")
