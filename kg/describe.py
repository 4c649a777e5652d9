"""Find an entity by IRI, prefixed name or label, and gather what the graph says about it.

Label search ignores case and accents ("turkiye" finds Türkiye, "таджикистан" finds
Tajikistan) and looks at every language. Each statement comes with the named graph (the
file, hence the source) that asserts it. Everything is read from the store.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import UsageError
from kg.namespaces import PREFIXES, curie, expand_curie
from kg.store.backend import Reads

_RDFS, _SKOS, _DCT = PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["dcterms"]
NAME_PROPERTIES = tuple(ox.NamedNode(i) for i in (_RDFS + "label", _SKOS + "prefLabel", _SKOS + "altLabel", _DCT + "title"))
_LABELS = (NAME_PROPERTIES[0], NAME_PROPERTIES[1], NAME_PROPERTIES[3])
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
DERIVED_FROM = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
_XSD_STRING = PREFIXES["xsd"] + "string"


def normalise(text: str) -> str:
    """Case- and accent-insensitive form of a name."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def show(term: object) -> str:
    """A term as Turtle would write it, IRIs shortened to CURIEs."""
    if isinstance(term, ox.NamedNode):
        return curie(term.value)
    if isinstance(term, ox.Literal):
        text = str(ox.Literal(term.value))  # quoted and escaped by pyoxigraph
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value != _XSD_STRING:
            return f"{text}^^{curie(term.datatype.value)}"
        return text
    return str(term)


def label_of(store: Reads, node: object, language: str = "en") -> str:
    """A readable name for ``node``: its label in ``language``, any label, or ''."""
    if not isinstance(node, (ox.NamedNode, ox.BlankNode)):
        return ""
    # the default graph holds the union: each label once, not once more per file
    names = [q.object for p in _LABELS for q in store.quads_for_pattern(node, p, None, ox.DefaultGraph()) if isinstance(q.object, ox.Literal)]
    preferred = sorted(o.value for o in names if o.language == language)
    others = sorted(o.value for o in names)
    return (preferred or others or [""])[0]


_SCHEMA_, _PROV_, _ORG, _OWL = PREFIXES["schema"], PREFIXES["prov"], PREFIXES["org"], PREFIXES["owl"]
#: readable names for the borrowed vocabulary, whose labels are not in the graph
COMMON_LABELS = {
    PREFIXES["rdf"] + "type": "type",
    _RDFS + "label": "label",
    _RDFS + "comment": "comment",
    _RDFS + "seeAlso": "see also",
    _SKOS + "prefLabel": "preferred name",
    _SKOS + "altLabel": "other name",
    _SKOS + "definition": "definition",
    _SKOS + "inScheme": "in scheme",
    _SKOS + "broader": "broader",
    _SKOS + "narrower": "narrower",
    _DCT + "title": "title",
    _DCT + "description": "description",
    _DCT + "isPartOf": "part of",
    _DCT + "hasPart": "has part",
    _DCT + "source": "source",
    _DCT + "publisher": "publisher",
    _DCT + "issued": "issued",
    _DCT + "language": "language",
    _DCT + "subject": "subject",
    _PROV_ + "wasDerivedFrom": "derived from (source)",
    _SCHEMA_ + "startDate": "start date",
    _SCHEMA_ + "endDate": "end date",
    _SCHEMA_ + "url": "web address",
    _SCHEMA_ + "honorificPrefix": "honorific",
    _SCHEMA_ + "foundingDate": "founded",
    _OWL + "sameAs": "same as",
    _SCHEMA_ + "sameAs": "same as",
    _ORG + "member": "member",
    _ORG + "organization": "organisation",
    _ORG + "role": "role",
    _ORG + "memberDuring": "member during",
    _ORG + "memberOf": "member of",
    _ORG + "subOrganizationOf": "part of organisation",
}
_TEXT = ox.NamedNode(PREFIXES["kg"] + "text")
_KG_ = PREFIXES["kg"]


def readable_label(store: Reads, node: object) -> str:
    """The one label rule of every face (pages, pictures, docs, the CLI): ``label_of``
    (English first), else a known vocabulary name, else the start of the node's own text
    (agenda items and key points have no label, but a text from the source), else ''."""
    if not isinstance(node, ox.NamedNode):
        return ""
    found = label_of(store, node)
    if found:
        return found
    if node.value in COMMON_LABELS:
        return COMMON_LABELS[node.value]
    for q in store.quads_for_pattern(node, _TEXT, None, ox.DefaultGraph()):
        if isinstance(q.object, ox.Literal):
            text = q.object.value
            return text if len(text) <= 90 else text[:87].rsplit(" ", 1)[0] + "…"
    return ""


def label_in(store: Reads, node: object, language: str) -> tuple[str, str]:
    """``readable_label`` in ``language`` where the graph has a name in it: (text, its
    language tag, '' for a text without one); the English label and the rest of the rule
    otherwise, so a page in Russian still names what has no Russian name."""
    if not isinstance(node, ox.NamedNode):
        return "", ""
    names = [q.object for p in _LABELS for q in store.quads_for_pattern(node, p, None, ox.DefaultGraph()) if isinstance(q.object, ox.Literal)]
    for wanted in (language, "en"):
        found = sorted(o.value for o in names if (o.language or "").split("-")[0] == wanted)
        if found:
            return found[0], wanted
    if names:
        first = min(names, key=lambda o: o.value)
        return first.value, first.language or ""
    text = readable_label(store, node)
    # a vocabulary name is English; a node's own text is in its source's language, unknown here
    return text, "en" if node.value in COMMON_LABELS else ""


#: what a property says read from its object's side, for the properties whose label does
#: not turn around by the rule in ``inverse_label``
INVERSE_LABELS = {
    _KG_ + "memberOf": "members",
    _ORG + "memberOf": "members",
    _KG_ + "authorityOf": "authorities",
    _KG_ + "sittingOf": "sittings",
    _KG_ + "unitOf": "units",
    _KG_ + "postIn": "posts",
    _KG_ + "heldBy": "holds",
    _KG_ + "holds": "held by",
    _KG_ + "participant": "takes part as",
    _KG_ + "participationIn": "participation",
    _KG_ + "representedBy": "represents",
    _KG_ + "representedByPost": "represented in the post by",
    _KG_ + "tenureOf": "tenures",
    _KG_ + "tenureHolder": "tenures",
    _KG_ + "instrumentOf": "instruments",
    _KG_ + "adoptedAt": "adopted here",
    _KG_ + "adoptedBy": "adopted",
    _KG_ + "draftedBy": "drafted",
    _KG_ + "proposedBy": "proposals",
    _KG_ + "speaker": "spoke in",
    _KG_ + "speakerPost": "spoke in",
    _KG_ + "deliveredBy": "delivered",
    _KG_ + "presentedBy": "presented",
    _KG_ + "statedIn": "statements made here",
    _KG_ + "organizer": "organised",
    _KG_ + "location": "place of",
    _KG_ + "plannedLocation": "planned place of",
    _KG_ + "locatedIn": "places in it",
    _KG_ + "seat": "seat of",
    _KG_ + "partOf": "parts",
    _KG_ + "partOfEvent": "parts of the event",
    _KG_ + "concerns": "concerned by",
    _KG_ + "followsUp": "followed up by",
    _KG_ + "tasked": "tasks given",
    _KG_ + "establishes": "established by",
    _KG_ + "proposes": "proposed by",
    _KG_ + "newValue": "new value in",
    _KG_ + "changeKind": "changes of this kind",
    _DCT + "isPartOf": "parts",
    _DCT + "publisher": "published",
    _PROV_ + "wasDerivedFrom": "facts taken from it",
    _SCHEMA_ + "sameAs": "same as",
    _OWL + "sameAs": "same as",
    _ORG + "member": "membership of",
    _ORG + "organization": "memberships",
    _ORG + "role": "role in",
    PREFIXES["rdf"] + "type": "instances",
    _RDFS + "subClassOf": "subclasses",
    _SKOS + "broader": "narrower",
    _SKOS + "inScheme": "concepts",
}
_PREPOSITIONS = ("of", "in", "at", "by", "to", "for", "from", "on", "with", "during", "as")


def inverse_label(store: Reads, predicate: ox.NamedNode) -> str:
    """What ``predicate`` says read from its object's side, for the 'referred to by' part
    of a page: the label of its ``owl:inverseOf``, a known phrase, or a phrase made from its
    label ('topic' -> 'topic of'; 'adopted at' -> 'adopted at this'), never 'is X of of'."""
    inverse = _OWL + "inverseOf"
    for q in (*store.quads_for_pattern(predicate, ox.NamedNode(inverse), None, ox.DefaultGraph()),
              *store.quads_for_pattern(None, ox.NamedNode(inverse), predicate, ox.DefaultGraph())):
        other = q.object if q.subject == predicate else q.subject
        name = label_of(store, other)
        if name and isinstance(other, ox.NamedNode):
            return name
    if predicate.value in INVERSE_LABELS:
        return INVERSE_LABELS[predicate.value]
    name = readable_label(store, predicate) or curie(predicate.value)
    last = name.rsplit(" ", 1)[-1]
    return f"{name} this" if last in _PREPOSITIONS else f"{name} of"


def resolve(store: Reads, term: str, index: Iterable[tuple[str, str, str]] | None = None) -> ox.NamedNode:
    """The IRI ``term`` names: ``<iri>``, a full IRI, a prefixed name, or a label.
    ``index``: (normalised name, IRI, name) of every name, if the caller keeps them
    (``Graph.name_index``); else they are read from ``store``."""
    text = term.strip()
    try:
        if text.startswith("<") and text.endswith(">"):
            return ox.NamedNode(text[1:-1])
        if text.startswith(("http://", "https://", "urn:")):
            return ox.NamedNode(text)
        expanded = expand_curie(text) if " " not in text else None
        if expanded:
            return ox.NamedNode(expanded)
    except ValueError as exc:
        raise UsageError(f"{term!r} is not a valid IRI: {exc}") from exc
    wanted = normalise(text)
    names: dict[str, set[str]] = {}
    if index is not None:
        for norm, iri, _ in index:
            names.setdefault(iri, set()).add(norm)
    else:
        for p in NAME_PROPERTIES:
            for q in store.quads_for_pattern(None, p, None, None):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                    names.setdefault(q.subject.value, set()).add(normalise(q.object.value))
    exact = sorted(s for s, n in names.items() if wanted in n)
    matches = exact or sorted(s for s, n in names.items() if any(wanted in x for x in n))
    # candidates whose name starts with the text first: for "4th meeting", the 4th
    # Meetings before the delegations to them
    matches.sort(key=lambda s: not any(x.startswith(wanted) for x in names[s]))
    if len(matches) == 1:
        return ox.NamedNode(matches[0])
    if len(matches) > 1:
        shown = ", ".join(f"{curie(m)} ({label_of(store, ox.NamedNode(m))})" for m in matches[:8])
        more = f" and {len(matches) - 8} more" if len(matches) > 8 else ""
        raise UsageError(f"{term!r} matches {len(matches)} entities: {shown}{more}", hint="use one of these IRIs")
    every = {n: s for s, ns in names.items() for n in ns}
    close = difflib.get_close_matches(wanted, list(every), n=3, cutoff=0.6)
    hint = "did you mean: " + ", ".join(f"{curie(every[c])} ({c})" for c in close) if close else "try a shorter part of the name"
    raise UsageError(f"nothing in the graph is named {term!r}", hint=hint)


@dataclass(frozen=True)
class Statement:
    subject: ox.NamedNode
    predicate: ox.NamedNode
    object: object
    graphs: tuple[ox.NamedNode, ...]
    #: False when a later source superseded it (it is in its file, not in the current view)
    current: bool = True
    #: (source section, passage) of each kg:Attribution of this statement
    evidence: tuple[tuple[ox.NamedNode | None, str], ...] = ()


@dataclass(frozen=True)
class Description:
    entity: ox.NamedNode
    label: str
    types: tuple[ox.NamedNode, ...]
    outgoing: tuple[Statement, ...]
    incoming: tuple[Statement, ...]
    sources: tuple[ox.NamedNode, ...]
    #: what a reader should know that the statements do not say: an event without a start
    #: date, the dated tenures of a post or person, a source's missing or inferred date
    notes: tuple[str, ...] = ()


_KG, _SCHEMA = PREFIXES["kg"], PREFIXES["schema"]
_IS_EVENT = f"ASK {{ %s a/<{_RDFS}subClassOf>* <{_KG}Event> }}"
_START = ox.NamedNode(_SCHEMA + "startDate")
_TENURES = f"""
SELECT ?tenure ?post ?holder (MIN(?seen) AS ?firstSeen) (MAX(?seen) AS ?lastSeen) (SAMPLE(?start) AS ?from) (SAMPLE(?end) AS ?to) WHERE {{
  {{ ?tenure <{_KG}tenureOf> %s }} UNION {{ ?tenure <{_KG}tenureHolder> %s }}
  ?tenure a <{_KG}Tenure> ; <{_KG}tenureOf> ?post ; <{_KG}tenureHolder> ?holder .
  FILTER (?post = %s || ?holder = %s)
  OPTIONAL {{ ?tenure <{_KG}attestedOn> ?seen }}
  OPTIONAL {{ ?tenure <{_SCHEMA}startDate> ?start }}
  OPTIONAL {{ ?tenure <{_SCHEMA}endDate> ?end }}
}} GROUP BY ?tenure ?post ?holder ORDER BY ?firstSeen ?tenure"""
_HELD = (ox.NamedNode(_KG + "heldBy"), ox.NamedNode(_KG + "holds"))
_TENURE_ENDS = (ox.NamedNode(_KG + "tenureOf"), ox.NamedNode(_KG + "tenureHolder"))
_RDF_SUBJECT = ox.NamedNode(PREFIXES["rdf"] + "subject")
_SOURCE_DOCUMENT = ox.NamedNode(_KG + "SourceDocument")


def _day(term: object) -> str:
    return term.value if isinstance(term, ox.Literal) else "?"


def notes_on(store: Reads, entity: ox.NamedNode, classes: frozenset[str] | None = None) -> tuple[str, ...]:
    """What the statements about ``entity`` leave a reader to work out (read from the
    current view): an event without a start date drops out of answers that compare dates;
    kg:heldBy and kg:holds carry no date, the tenures do; a source document's date may be
    inferred, or missing. ``classes``: the entity's classes and their superclasses, if the
    caller knows them (a page does), else asked of the store."""
    from kg.history import ISSUED, ISSUED_NOT_BEFORE, reference_datasets

    notes = []
    is_event = _KG + "Event" in classes if classes is not None else bool(store.query(_IS_EVENT % entity))
    if is_event and next(iter(store.quads_for_pattern(entity, _START, None, ox.DefaultGraph())), None) is None:
        notes.append("no start date: answers that compare dates (a timeline, the events scheduled or held on a day) leave this event out")
    # most entities are neither a post nor a holder: no query to parse and run for them
    tenured = any(True for p in _TENURE_ENDS for _ in store.quads_for_pattern(None, p, entity, ox.DefaultGraph()))
    for row in store.query(_TENURES % (entity, entity, entity, entity)) if tenured else ():
        start = row["from"] if row["from"] is not None else row["firstSeen"]
        end = row["to"] if row["to"] is not None else row["lastSeen"]
        span = f"from {_day(start)} to {_day(end)}" if start is not None or end is not None else "over no known span"
        notes.append(
            f"{label_of(store, row['holder']) or curie(row['holder'].value)} held {label_of(store, row['post']) or curie(row['post'].value)} "
            f"{span}, as far as the sources show (tenure {curie(row['tenure'].value)})"
        )
    if any(True for p in _HELD for _ in store.quads_for_pattern(entity, p, None, ox.DefaultGraph())):
        notes.append("kg:heldBy and kg:holds say that a source shows the person in the post, not when: the tenures give the dates")
    if next(iter(store.quads_for_pattern(entity, RDF_TYPE, _SOURCE_DOCUMENT, ox.DefaultGraph())), None) is not None:
        issued = [q.object for q in store.quads_for_pattern(entity, ISSUED, None, ox.DefaultGraph())]
        inferred = [q.object for q in store.quads_for_pattern(entity, ISSUED_NOT_BEFORE, None, ox.DefaultGraph())]
        if not issued and inferred:
            notes.append(
                f"shows no publication date: issued not before {_day(inferred[0])}, inferred from the facts it reports (kg:issuedNotBefore); "
                "the graph as of a day counts it as known from then"
            )
        elif not issued and entity not in reference_datasets(store):
            notes.append("shows no date: the graph as of a day leaves out the facts it gives")
    return tuple(notes)


def describe(store: Reads, entity: ox.NamedNode, classes: frozenset[str] | None = None) -> Description:
    """Everything stated with ``entity`` as subject or object, with the graph of each;
    ``classes`` as ``notes_on`` takes them."""

    def collect(quads: object) -> tuple[Statement, ...]:
        found: dict[tuple, set] = {}
        # the union's copies, in the same pass: a statement is current where the union has it
        union: set[tuple] = set()
        for q in quads:  # type: ignore[attr-defined]
            if isinstance(q.graph_name, ox.DefaultGraph):
                union.add((q.subject, q.predicate, q.object))
                continue  # the named graph says where it comes from
            found.setdefault((q.subject, q.predicate, q.object), set()).add(q.graph_name)
        return tuple(
            Statement(
                s, p, o, tuple(sorted(gs, key=str)),
                current=(s, p, o) in union,
                evidence=tuple((e.source, e.quote) for e in passages.get((p.value, str(o)), ())) if s == entity else (),
            )
            for (s, p, o), gs in sorted(found.items(), key=lambda kv: (kv[0][1].value, str(kv[0][0]), str(kv[0][2])))
        )

    from kg.history import attributions

    # the records' query only where there is a record about the entity (most have none)
    recorded = next(iter(store.quads_for_pattern(None, _RDF_SUBJECT, entity, ox.DefaultGraph())), None) is not None
    passages = attributions(store, entity) if recorded else {}
    outgoing = collect(store.quads_for_pattern(entity, None, None, None))
    incoming = collect(store.quads_for_pattern(None, None, entity, None))
    if not outgoing and not incoming:
        raise UsageError(f"{curie(entity.value)} is not in the graph", hint="check the IRI, or search by label")
    types = tuple(sorted({s.object for s in outgoing if s.predicate == RDF_TYPE and isinstance(s.object, ox.NamedNode)}, key=str))
    sources = tuple(sorted({s.object for s in outgoing if s.predicate == DERIVED_FROM}, key=str))
    return Description(entity, label_of(store, entity), types, outgoing, incoming, sources, notes_on(store, entity, classes))  # type: ignore[arg-type]


__all__ = ["COMMON_LABELS", "INVERSE_LABELS", "Description", "inverse_label", "label_in", "Statement", "describe", "label_of", "normalise", "notes_on", "readable_label", "resolve", "show", "PREFIXES"]
