"""Find an entity by IRI, prefixed name or label, and gather what the graph says about it.

Label search ignores case and accents ("turkiye" finds Türkiye, "таджикистан" finds
Tajikistan) and looks at every language. Each statement comes with the named graph (the
file, hence the source) that asserts it.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from kg.errors import UsageError
from kg.namespaces import PREFIXES, bind_prefixes, expand_curie

NAME_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title)


def normalise(text: str) -> str:
    """Case- and accent-insensitive form of a name."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def label_of(ds: Dataset, node: object, language: str = "en") -> str:
    """A readable name for ``node``: its label in ``language``, any label, or ''."""
    names = [o for p in NAME_PROPERTIES[:2] + (DCTERMS.title,) for o in ds.objects(node, p) if isinstance(o, Literal)]
    preferred = sorted(str(o) for o in names if o.language == language)
    others = sorted(str(o) for o in names)
    return (preferred or others or [""])[0]


def resolve(ds: Dataset, term: str) -> URIRef:
    """The IRI ``term`` names: ``<iri>``, a full IRI, a prefixed name, or a label."""
    text = term.strip()
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    if text.startswith(("http://", "https://", "urn:")):
        return URIRef(text)
    expanded = expand_curie(text) if " " not in text else None
    if expanded:
        return URIRef(expanded)
    wanted = normalise(text)
    names: dict[URIRef, set[str]] = {}
    for p in NAME_PROPERTIES:
        for s, o in ds.subject_objects(p):
            if isinstance(s, URIRef) and isinstance(o, Literal):
                names.setdefault(s, set()).add(normalise(str(o)))
    exact = sorted((s for s, n in names.items() if wanted in n), key=str)
    matches = exact or sorted((s for s, n in names.items() if any(wanted in x for x in n)), key=str)
    if len(matches) == 1:
        return matches[0]
    nm = bind_prefixes(Dataset()).namespace_manager
    if len(matches) > 1:
        shown = ", ".join(f"{m.n3(nm)} ({label_of(ds, m)})" for m in matches[:8])
        more = f" and {len(matches) - 8} more" if len(matches) > 8 else ""
        raise UsageError(f"{term!r} matches {len(matches)} entities: {shown}{more}", hint="use one of these IRIs")
    every = {n: s for s, ns in names.items() for n in ns}
    close = difflib.get_close_matches(wanted, list(every), n=3, cutoff=0.6)
    hint = "did you mean: " + ", ".join(f"{every[c].n3(nm)} ({c})" for c in close) if close else "try a shorter part of the name"
    raise UsageError(f"nothing in the graph is named {term!r}", hint=hint)


@dataclass(frozen=True)
class Statement:
    subject: URIRef
    predicate: URIRef
    object: object
    graphs: tuple[URIRef, ...]


@dataclass(frozen=True)
class Description:
    entity: URIRef
    label: str
    types: tuple[URIRef, ...]
    outgoing: tuple[Statement, ...]
    incoming: tuple[Statement, ...]
    sources: tuple[URIRef, ...]


def describe(ds: Dataset, entity: URIRef) -> Description:
    """Everything asserted with ``entity`` as subject or object, with the graph of each."""

    def collect(pattern: tuple) -> tuple[Statement, ...]:
        found: dict[tuple, set[URIRef]] = {}
        for s, p, o, g in ds.quads(pattern):
            name = g.identifier if hasattr(g, "identifier") else g
            found.setdefault((s, p, o), set()).add(name)
        return tuple(
            Statement(s, p, o, tuple(sorted(gs, key=str)))
            for (s, p, o), gs in sorted(found.items(), key=lambda kv: (str(kv[0][1]), str(kv[0][0]), str(kv[0][2])))
        )

    outgoing = collect((entity, None, None, None))
    incoming = collect((None, None, entity, None))
    if not outgoing and not incoming:
        nm = bind_prefixes(Dataset()).namespace_manager
        raise UsageError(f"{entity.n3(nm)} is not in the graph", hint="check the IRI, or search by label")
    types = tuple(sorted({o for o in ds.objects(entity, RDF.type) if isinstance(o, URIRef)}, key=str))
    sources = tuple(sorted(set(ds.objects(entity, PROV.wasDerivedFrom)), key=str))
    return Description(entity, label_of(ds, entity), types, outgoing, incoming, sources)


__all__ = ["Description", "Statement", "describe", "label_of", "normalise", "resolve", "PREFIXES"]
