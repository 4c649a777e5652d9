"""Identifiers and names that cannot be mistaken for others: the grammar of ``kgi:`` IRIs,
look-alike IRIs and labels (Unicode UTS #39 skeletons), and new subjects the shapes reach.

``kg add`` calls ``check_identifiers`` on every submission (refusals) and
``confusable_labels`` on the new statements (notes). Why each rule:

* **Grammar.** ``kgi:`` local names are lower-case ASCII words joined by hyphens
  (``LOCAL_NAME``; docs/design.md, Identifiers). Outside ASCII, two IRIs can look the
  same and be different nodes: ``kgi:state-tj`` with a Cyrillic ``ѕ`` stood beside
  Tajikistan with a membership of its own.
* **Look-alikes.** A new IRI whose skeleton equals an existing one's is refused, naming
  the existing IRI (within ASCII the skeleton still joins ``1`` and ``l``, ``m`` and
  ``rn``). A new label whose skeleton equals the label of another entity of the same
  type is a note, as exact duplicates are (``kg.add.possible_duplicates``).
* **Reach of the shapes.** A new subject must have a type that some shape targets
  (``sh:targetClass``, following ``rdfs:subClassOf``): an untyped node is checked by no
  shape at all.

The skeleton is ICU's ``SpoofChecker.getSkeleton`` (the reference implementation of
UTS #39) applied to the NFKC case fold of the text, so fullwidth letters and case do
not hide a look-alike. Indexes of existing IRIs and labels are built once per check, in
one query each, so the cost grows with the graph once, not once per new subject.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError
from kg.namespaces import PREFIXES, curie
from kg.store.backend import solutions

KGI = PREFIXES["kgi"]
#: A kgi: local name: words of lower-case ASCII letters and digits joined by one hyphen,
#: or by two between the parts of a derived name (``<subject>--<property>--<value>``).
LOCAL_NAME = re.compile(r"[a-z0-9]+(?:--?[a-z0-9]+)*")
MAX_LOCAL_LENGTH = 200

_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_SUBCLASS = ox.NamedNode(PREFIXES["rdfs"] + "subClassOf")
_DERIVED_FROM = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
_SH = PREFIXES["sh"]
#: The properties whose values name an entity, compared for look-alikes.
NAME_PROPERTIES = tuple(PREFIXES[p] + n for p, n in (("rdfs", "label"), ("skos", "prefLabel"), ("skos", "altLabel")))


# ---------------------------------------------------------------- skeletons


@functools.lru_cache(maxsize=1)
def _icu() -> tuple[Any, Any]:
    import icu  # PyICU: ICU's spoof checker and normaliser (imported when first needed)

    return icu.SpoofChecker(), icu.Normalizer2.getNFKCCasefoldInstance()


def skeleton(text: str) -> str:
    """The UTS #39 skeleton of ``text``'s NFKC case fold, white space collapsed: two
    strings with the same skeleton look alike (``Tashkent``, ``Tаshkent`` with a Cyrillic
    ``а``, ``ＴＡＳＨＫＥＮＴ``)."""
    checker, fold = _icu()
    return checker.getSkeleton(0, fold.normalize(" ".join(text.split())))


def _character(c: str) -> str:
    return f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')}"


def _difference(new: str, old: str) -> str:
    """The characters that tell ``new`` from ``old`` apart, for a message."""
    if len(new) == len(old):
        pairs = [(a, b) for a, b in zip(new, old, strict=True) if a != b]
        if pairs:
            return "; ".join(f"{_character(a)} where the other has {b!r}" for a, b in pairs[:3])
    odd = [c for c in new if not ("a" <= c <= "z" or "0" <= c <= "9" or c in "- ")]
    return ", ".join(_character(c) for c in odd[:3]) or "look-alike letters"


# ---------------------------------------------------------------- the grammar


def grammar_problem(local: str) -> str | None:
    """What is wrong with ``local`` as a kgi: local name, or None."""
    if not local:
        return "an empty local name"
    for i, c in enumerate(local):
        if not ("a" <= c <= "z" or "0" <= c <= "9" or c == "-"):
            return f"{_character(c)} at position {i + 1}"
    if len(local) > MAX_LOCAL_LENGTH:
        return f"{len(local)} characters, more than {MAX_LOCAL_LENGTH}"
    if not LOCAL_NAME.fullmatch(local):
        return "a hyphen at an end, or more than two in a row"
    return None


def suggest(local: str) -> str:
    """A local name in the grammar close to ``local`` (for a hint)."""
    ascii_ = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode().lower()
    return re.sub(r"-{3,}", "--", re.sub(r"[^a-z0-9-]+", "-", ascii_)).strip("-")[:MAX_LOCAL_LENGTH] or "name"


# ---------------------------------------------------------------- the shapes' reach


@functools.lru_cache(maxsize=8)
def _targets(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    classes = set()
    implicit = {PREFIXES["rdfs"] + "Class", PREFIXES["owl"] + "Class"}
    for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
        if t.predicate.value == _SH + "targetClass" and isinstance(t.object, ox.NamedNode):
            classes.add(t.object.value)
    shapes = set()
    types: dict[str, set[str]] = defaultdict(set)
    for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
        if t.predicate == _RDF_TYPE and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode):
            types[t.subject.value].add(t.object.value)
            if t.object.value in (_SH + "NodeShape", _SH + "PropertyShape"):
                shapes.add(t.subject.value)
    # SHACL's implicit class targets: a shape that is also a class targets its instances
    classes |= {s for s in shapes if types[s] & implicit}
    return frozenset(classes)


def target_classes(shapes_file: Path) -> frozenset[str]:
    """The classes the shapes target (``sh:targetClass`` and implicit class targets)."""
    st = shapes_file.stat()
    return _targets(str(shapes_file), st.st_mtime_ns, st.st_size)


def covered_classes(store: ox.Store, targets: Iterable[str]) -> set[str]:
    """``targets`` and every class under one of them through ``rdfs:subClassOf`` in the
    store's default graph: the classes whose instances some shape checks."""
    found = set(targets)
    todo = list(found)
    while todo:
        c = todo.pop()
        for q in store.quads_for_pattern(None, _SUBCLASS, ox.NamedNode(c), ox.DefaultGraph()):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value not in found:
                found.add(q.subject.value)
                todo.append(q.subject.value)
    return found


# ---------------------------------------------------------------- the checks


def _shown(iri: str) -> str:
    return curie(iri)


def line_of(text: str, iri: str) -> int | None:
    """The first line of ``text`` naming ``iri`` (in full or as a prefixed name).

    Lines are counted at ``\\n`` only: literals may hold U+2028 and its kin, which
    ``str.splitlines`` would count too."""
    for needle in (iri, _shown(iri)):
        m = re.search(re.escape(needle) + r"(?![\w-])", text)
        if m:
            return text.count("\n", 0, m.start()) + 1
    return None


def _at(sources: Sequence[tuple[str, str]], iri: str) -> str:
    """``file:line`` of the first of ``sources`` (location, text) that names ``iri``."""
    for location, text in sources:
        line = line_of(text, iri)
        if line:
            return f"{location}:{line}"
    return ", ".join(location for location, _ in sources)


def existing_local_names(store: ox.Store) -> set[str]:
    """The local names of the kgi: subjects of rdf:type or prov:wasDerivedFrom statements.

    Every node ``kg add`` ever took has a source (``find_source`` refuses one without),
    and every other has a type: two scans of the predicate index find them all in a third
    of the time of a DISTINCT over every statement (0.3 s against 0.8 s at 10^5 entities)."""
    found = set()
    for predicate in (_RDF_TYPE, _DERIVED_FROM):
        for q in store.quads_for_pattern(None, predicate, None, ox.DefaultGraph()):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(KGI):
                found.add(q.subject.value[len(KGI):])
    return found


def _in_store(store: ox.Store, iri: str) -> bool:
    node = ox.NamedNode(iri)
    if next(store.quads_for_pattern(node, None, None, ox.DefaultGraph()), None) is not None:
        return True
    return next(store.quads_for_pattern(None, None, node, ox.DefaultGraph()), None) is not None


def check_identifiers(
    triples: Iterable[tuple[Any, Any, Any]], store: ox.Store, *, sources: Sequence[tuple[str, str]], shapes_file: Path
) -> None:
    """Refuse a submission (rdflib triples, read from ``sources``: location and text of
    each file) that mints a kgi: IRI outside the grammar or one that looks like another,
    or that describes a new subject no shape checks.

    Order: look-alikes first, so that a Cyrillic ``kgi:ѕtate-tj`` is refused naming
    ``kgi:state-tj`` rather than only for its alphabet."""
    triples = list(triples)
    mentioned = sorted({str(t) for s, _, o in triples for t in (s, o) if _is_iri(t) and str(t).startswith(KGI)})
    new = [iri for iri in mentioned if not _in_store(store, iri)]
    if new:
        index: dict[str, list[str]] = defaultdict(list)
        for local in sorted(existing_local_names(store)):
            index[skeleton(local)].append(local)
        minted: dict[str, str] = {}  # skeleton -> the first new local name with it
        for iri in new:
            local = iri[len(KGI):]
            key = skeleton(local)
            existing = sorted(o for o in index.get(key, []) if o != local)
            earlier = minted.setdefault(key, local)
            if existing or earlier != local:
                other = KGI + (existing[0] if existing else earlier)
                whose = "the existing " if existing else "the new "
                raise InputError(
                    f"{_shown(iri)} looks like {whose}{_shown(other)} ({_difference(local, other[len(KGI):])})",
                    location=_at(sources, iri),
                    hint=f"use {_shown(other)} if it is the same entity; otherwise mint an IRI that cannot be mistaken for it",
                )
    for iri in mentioned:
        problem = grammar_problem(iri[len(KGI):])
        if problem:
            raise InputError(
                f"the IRI {_shown(iri)} has {problem}",
                location=_at(sources, iri),
                hint=f"a kgi: local name is lower-case ASCII letters and digits joined by hyphens (docs/design.md, Identifiers), e.g. kgi:{suggest(iri[len(KGI):])}",
            )
    _check_typed(triples, store, sources=sources, shapes_file=shapes_file)


def _is_iri(term: Any) -> bool:
    from rdflib import URIRef

    return isinstance(term, URIRef)


def _check_typed(triples: list[tuple[Any, Any, Any]], store: ox.Store, *, sources: Sequence[tuple[str, str]], shapes_file: Path) -> None:
    rdf_type = PREFIXES["rdf"] + "type"
    types: dict[str, set[str]] = defaultdict(set)
    for s, p, o in triples:
        found = types.setdefault(str(s), set())
        if str(p) == rdf_type and _is_iri(o):
            found.add(str(o))
    new = [s for s in sorted(types) if not any(True for _ in store.quads_for_pattern(ox.NamedNode(s), None, None, ox.DefaultGraph()))]
    if not new:
        return
    covered = covered_classes(store, target_classes(shapes_file))
    for s in new:
        if types[s] & covered:
            continue
        what = "has no rdf:type" if not types[s] else f"has no type the shapes check ({', '.join(_shown(t) for t in sorted(types[s]))})"
        raise InputError(
            f"{_shown(s)} is new to the graph and {what}, so no shape would check it",
            location=_at(sources, s),
            hint="give it its class from ontology/kg.ttl (kg:Meeting, kg:City, org:Membership, ...); "
            "if it is meant to be an entity the graph has, correct its IRI",
        )


# ---------------------------------------------------------------- labels


def confusable_labels(triples: Iterable[tuple[Any, Any, Any]], store: ox.Store) -> list[str]:
    """Notes for names (``NAME_PROPERTIES``) of the new statements that look like a name
    of another entity of the same type, in any language: the duplicate-like case.

    Entities of different types may share a name (a city and its province), and a name
    identical in value and language to another's ``rdfs:label`` is already reported by
    ``kg.add.possible_duplicates``; those are left out."""
    from rdflib import Literal

    triples = list(triples)
    rdf_type = PREFIXES["rdf"] + "type"
    names: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    types: dict[str, set[str]] = defaultdict(set)
    for s, p, o in triples:
        if str(p) in NAME_PROPERTIES and isinstance(o, Literal):
            names[str(s)].append((str(p), o))
        elif str(p) == rdf_type:
            types[str(s)].add(str(o))
    if not names:
        return []
    known: dict[str, bool] = {}
    for s in names:
        node = ox.NamedNode(s)
        known[s] = any(True for _ in store.quads_for_pattern(node, None, None, ox.DefaultGraph()))
        types[s] |= {q.object.value for q in store.quads_for_pattern(node, _RDF_TYPE, None, ox.DefaultGraph()) if isinstance(q.object, ox.NamedNode)}
    indexes: dict[str, dict[str, list[tuple[str, str, ox.Literal]]]] = {}
    notes: list[str] = []
    reported: set[tuple[str, str]] = set()
    for s in sorted(names):
        for t in sorted(types[s]):
            if t not in indexes:
                indexes[t] = _label_index(store, t)
            for p, lit in sorted(names[s], key=lambda x: (x[0], str(x[1]), x[1].language or "")):
                for other, p2, lit2 in indexes[t].get(skeleton(str(lit)), []):
                    if other == s or (s, other) in reported:
                        continue
                    same = lit2.value == str(lit) and (lit2.language or None) == (lit.language or None)
                    if same and not known[s] and p == p2 == NAME_PROPERTIES[0]:
                        continue  # possible_duplicates says so
                    reported.add((s, other))
                    notes.append(
                        f"{_shown(s)} may duplicate {_shown(other)}: its name {_literal(str(lit), lit.language)} looks like "
                        f"{_literal(lit2.value, lit2.language)} of {_shown(other)}, of the same type {_shown(t)}"
                        + ("" if same else f" ({_difference(str(lit), lit2.value)})")
                        + f"; reuse {_shown(other)} if it is the same entity, or correct the spelling"
                    )
    return notes


def _literal(value: str, language: str | None) -> str:
    return repr(value) + (f"@{language}" if language else "")


def _label_index(store: ox.Store, rdf_class: str) -> dict[str, list[tuple[str, str, ox.Literal]]]:
    """skeleton -> (entity, property, name) for the entities of ``rdf_class`` (one query)."""
    properties = " ".join(f"<{p}>" for p in NAME_PROPERTIES)
    query = f"SELECT ?e ?p ?l WHERE {{ VALUES ?p {{ {properties} }} ?e a <{rdf_class}> ; ?p ?l . FILTER(isLiteral(?l)) }}"
    index: dict[str, list[tuple[str, str, ox.Literal]]] = defaultdict(list)
    for row in solutions(store.query(query)):
        e, p, lit = row[0], row[1], row[2]
        if isinstance(e, ox.NamedNode):
            index[skeleton(lit.value)].append((e.value, p.value, lit))
    return index
