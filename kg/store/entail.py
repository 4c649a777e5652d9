"""Entailment on the store: the OWL RL (or RDFS) closure computed with SPARQL Update.

``closure(store)`` works out what OWL RL (or RDFS) adds to the asserted graphs and puts it
in the named graph ``kgg:inferred`` of the same store, replacing what was there. It runs
once per store content (the store is a cache of the files); a query with inference then
only reads one more graph. owlrl is never imported: ``kg.reference.closure`` keeps the owlrl
materialisation, and the tests hold this module to it triple for triple.

How it works
------------
1. **T-box, in Python.** The schema triples of the union (``rdfs:subClassOf``,
   ``rdfs:subPropertyOf``, ``rdfs:domain``, ``rdfs:range``, ``owl:equivalentClass``,
   ``owl:equivalentProperty``, ``owl:inverseOf``, property and class declarations, ...)
   are read with one query (a few hundred triples) and closed with the ``scm-*`` rules,
   exactly as owlrl applies them. The closed schema becomes small tables: which property
   is a sub-property of which, which properties are inverse, symmetric, transitive,
   functional, the domain and range classes of each property, the super-classes of each
   class. Schema triples the closure adds (``kg:Meeting rdfs:subClassOf prov:Activity``)
   are inferences like any other.
2. **A-box, in SPARQL.** Each rule is one ``INSERT ... WHERE`` whose ``VALUES`` clause is a
   table from step 1, so the rules are generic (no property is named in this file) and
   the store's indexes do the joins. Property rules (sub-property, inverse, symmetric,
   transitive, functional, sameAs) run semi-naively to a fixpoint: the first round reads
   every triple and writes straight into ``kgg:inferred``; each later round reads only
   what the previous one added (a scratch graph), joined with everything known where a
   rule has two premises (transitivity, functional properties). Types come after, in one
   pass: the super-class, domain and range tables are closed, so no type needs a second
   round. (When a property rule reads ``rdf:type`` triples, or ``owl:sameAs`` holds
   between resources, types and properties are saturated together instead.) A triple is
   added only if neither an asserted graph nor ``kgg:inferred`` has it: with one
   ``MINUS`` (a hash anti-join) in large rounds, one ``NOT EXISTS`` probe per candidate
   in small ones.
3. **Schema from data.** If the rules derived new schema triples (through ``owl:sameAs``
   or a sub-property of ``rdfs:subClassOf``, say), steps 1 and 2 run again with the
   larger schema, until it no longer changes.
4. **Consistency, then the filter.** The OWL RL rules that report an inconsistency are
   checked on the closure and raise ``InputError`` (the message is owlrl's); the inferred
   graph then keeps what ``kg.reference.closure`` keeps: triples about the project's own resources
   (subject under ``https://w3id.org/jckg/``), no reflexive ``owl:sameAs``, no typing as
   ``owl:Thing``, ``rdfs:Resource``, ``owl:NamedIndividual``, ``rdfs:Class`` or ``owl:Class``.

Rules (names from the OWL 2 RL profile, section 4.3, and RDF Semantics)
------------------------------------------------------------------------
``mode="owlrl"``, as owlrl 7 implements them:

* schema (Python): scm-cls, scm-sco, scm-eqc1, scm-eqc2, scm-op, scm-dp, scm-spo,
  scm-eqp1, scm-eqp2, scm-dom1, scm-dom2, scm-rng1, scm-rng2; cls-thing, cls-nothing1;
* data (SPARQL): prp-dom, prp-rng, prp-spo1, prp-eqp1, prp-eqp2, prp-inv1, prp-inv2,
  prp-symp, prp-trp, prp-fp, prp-ifp, cax-sco, cax-eqc1, cax-eqc2, eq-sym, eq-trans,
  eq-rep-s, eq-rep-p, eq-rep-o (eq-ref only gives reflexive ``owl:sameAs``, which is
  filtered out, so it is not materialised);
* inconsistencies: eq-diff1, prp-irp, prp-asyp, prp-pdw, cls-nothing2, cls-com, cax-dw,
  and owlrl's lexical check of literals (dt-not-type as owlrl does it, see below).

The constructs whose rules need an ``rdf:List`` or a class expression (``owl:someValuesFrom``,
``owl:allValuesFrom``, ``owl:hasValue``, ``owl:maxCardinality``,
``owl:maxQualifiedCardinality``, ``owl:intersectionOf``, ``owl:unionOf``, ``owl:oneOf``,
``owl:propertyChainAxiom``, ``owl:hasKey``, ``owl:AllDifferent``,
``owl:AllDisjointClasses``, ``owl:AllDisjointProperties``, negative property assertions)
are not implemented: the ontology has none, and the graph files cannot hold the blank
nodes they are written with. If the schema uses one, ``closure`` raises ``InputError``
naming it rather than return a closure that silently misses its consequences.

``mode="rdfs"``, as owlrl's ``RDFS_Semantics``: rdf1, rdfs2, rdfs3, rdfs5, rdfs6, rdfs7,
rdfs8, rdfs9, rdfs10, rdfs11, rdfs12, rdfs13; rdfs4a/b (every node an ``rdfs:Resource``,
which is filtered out) only when a rule reads those types. RDFS has no inconsistencies.

Types no rule reads and the filter drops (``owl:Thing`` above all: every typed resource
is one) are not derived at all. The stored queries need the result in their default
graph: query with ``default_graph=[...asserted graphs, INFERRED]`` or
``use_default_graph_as_union=True``; no inferred triple is also asserted, so the union
adds no duplicate rows.

Where the result differs from owlrl (both are checked by tests/test_entail.py)
-----------------------------------------------------------------------------
* RDFS mode: owlrl copies every triple whose object is a literal to every other literal
  with an equal Python value, so ``"adopted"`` and ``"adopted"@en`` swap objects. These are
  different RDF terms with different values; the copies are not entailed and are not made.
* Literals are the store's: pyoxigraph keeps numbers, dates and booleans in canonical
  form and types every integer as ``xsd:integer`` (``"04"^^xsd:positiveInteger`` is
  ``"4"^^xsd:integer`` in the store). Two literals owlrl keeps apart because they are
  spelt differently are one term here, and the lexical check cannot see the bounds of
  the derived integer types (``kg.store.local`` and ``kg.rdf.parse`` refuse such literals when
  loading, so neither reaches a store built from the files).
* Triples with a literal subject (``4 rdf:type xsd:positiveInteger`` from a range, a
  ``owl:sameAs`` between two literals) cannot be stored; owlrl makes them and
  ``kg.reference.closure`` filters them out. What they entail about IRIs (a functional datatype
  property with two values copies the triples of one value to the other) is made here.
"""

from __future__ import annotations

import re
import time as _time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, QuerySolution, Store, Triple

from kg.errors import InputError, UsageError
from kg.store.backend import solutions

__all__ = ["INFERRED", "MODES", "TBox", "closure", "inferred_triples", "schema"]

BASE = "https://w3id.org/jckg/"
#: The graph that holds the inferences, kept apart from the asserted graphs.
INFERRED = NamedNode(BASE + "graph/inferred")
MODES = ("rdfs", "owlrl")

#: rounds whose delta has more triples than this remove known triples with MINUS
_LARGE_ROUND = 20_000
# scratch graphs of the semi-naive loop; dropped before ``closure`` returns
_ROUND_A = NamedNode("urn:x-jckg-entail:round-a")
_ROUND_B = NamedNode("urn:x-jckg-entail:round-b")
_SEEDS = NamedNode("urn:x-jckg-entail:schema")
_SCRATCH = (_ROUND_A, _ROUND_B, _SEEDS)

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _n(ns: str, local: str) -> NamedNode:
    return NamedNode(ns + local)


TYPE = _n(_RDF, "type")
PROPERTY = _n(_RDF, "Property")
SUB_CLASS = _n(_RDFS, "subClassOf")
SUB_PROPERTY = _n(_RDFS, "subPropertyOf")
DOMAIN = _n(_RDFS, "domain")
RANGE = _n(_RDFS, "range")
RDFS_CLASS = _n(_RDFS, "Class")
RESOURCE = _n(_RDFS, "Resource")
RDFS_LITERAL = _n(_RDFS, "Literal")
DATATYPE = _n(_RDFS, "Datatype")
MEMBER = _n(_RDFS, "member")
CONTAINER_MEMBERSHIP = _n(_RDFS, "ContainerMembershipProperty")
OWL_CLASS = _n(_OWL, "Class")
THING = _n(_OWL, "Thing")
NOTHING = _n(_OWL, "Nothing")
NAMED_INDIVIDUAL = _n(_OWL, "NamedIndividual")
SAME_AS = _n(_OWL, "sameAs")
DIFFERENT_FROM = _n(_OWL, "differentFrom")
EQ_CLASS = _n(_OWL, "equivalentClass")
EQ_PROPERTY = _n(_OWL, "equivalentProperty")
INVERSE = _n(_OWL, "inverseOf")
DISJOINT = _n(_OWL, "disjointWith")
COMPLEMENT = _n(_OWL, "complementOf")
PROPERTY_DISJOINT = _n(_OWL, "propertyDisjointWith")
OBJECT_PROPERTY = _n(_OWL, "ObjectProperty")
DATATYPE_PROPERTY = _n(_OWL, "DatatypeProperty")
TRANSITIVE = _n(_OWL, "TransitiveProperty")
SYMMETRIC = _n(_OWL, "SymmetricProperty")
FUNCTIONAL = _n(_OWL, "FunctionalProperty")
INVERSE_FUNCTIONAL = _n(_OWL, "InverseFunctionalProperty")
IRREFLEXIVE = _n(_OWL, "IrreflexiveProperty")
ASYMMETRIC = _n(_OWL, "AsymmetricProperty")

#: Types ``kg.reference.closure`` does not keep (they hold of everything, or restate the schema).
TRIVIAL_TYPES = frozenset({THING, RESOURCE, NAMED_INDIVIDUAL, RDFS_CLASS, OWL_CLASS})

_SCHEMA_PREDICATES = {
    "owlrl": (SUB_CLASS, SUB_PROPERTY, DOMAIN, RANGE, EQ_CLASS, EQ_PROPERTY, INVERSE, DISJOINT, COMPLEMENT, PROPERTY_DISJOINT),
    "rdfs": (SUB_CLASS, SUB_PROPERTY, DOMAIN, RANGE),
}
_SCHEMA_TYPES = {
    "owlrl": (
        OWL_CLASS, OBJECT_PROPERTY, DATATYPE_PROPERTY, PROPERTY, TRANSITIVE, SYMMETRIC, FUNCTIONAL,
        INVERSE_FUNCTIONAL, IRREFLEXIVE, ASYMMETRIC,
    ),
    "rdfs": (RDFS_CLASS, PROPERTY, CONTAINER_MEMBERSHIP, DATATYPE),
}
#: OWL constructs owlrl gives rules to that this module does not implement (see the docstring).
_UNSUPPORTED_PREDICATES = tuple(
    _n(_OWL, local)
    for local in (
        "someValuesFrom", "allValuesFrom", "hasValue", "maxCardinality", "maxQualifiedCardinality",
        "intersectionOf", "unionOf", "oneOf", "propertyChainAxiom", "hasKey", "members",
        "distinctMembers", "sourceIndividual",
    )
)
_UNSUPPORTED_TYPES = tuple(
    _n(_OWL, local) for local in ("AllDifferent", "AllDisjointClasses", "AllDisjointProperties", "NegativePropertyAssertion")
)


# ---------------------------------------------------------------- the schema


@dataclass(frozen=True)
class TBox:
    """The closed schema, as the tables the data rules join with (pairs are ``(a, b)``)."""

    sub_property: frozenset[tuple[NamedNode, NamedNode]] = frozenset()  # p ⊑ q, p != q, transitive
    inverse: frozenset[tuple[NamedNode, NamedNode]] = frozenset()  # both directions
    symmetric: frozenset[NamedNode] = frozenset()
    transitive: frozenset[NamedNode] = frozenset()
    functional: frozenset[NamedNode] = frozenset()
    inverse_functional: frozenset[NamedNode] = frozenset()
    domain: frozenset[tuple[NamedNode, NamedNode]] = frozenset()  # (p, C), closed upwards
    range: frozenset[tuple[NamedNode, NamedNode]] = frozenset()
    sub_class: frozenset[tuple[NamedNode, NamedNode]] = frozenset()  # C ⊑ D, C != D, transitive
    # consistency only
    disjoint: frozenset[tuple[NamedNode, NamedNode]] = frozenset()
    complement: frozenset[tuple[NamedNode, NamedNode]] = frozenset()
    property_disjoint: frozenset[tuple[NamedNode, NamedNode]] = frozenset()
    irreflexive: frozenset[NamedNode] = frozenset()
    asymmetric: frozenset[NamedNode] = frozenset()
    #: schema triples the closure adds (before the filter)
    triples: frozenset[Triple] = field(default=frozenset(), compare=False)


def _pairs(triples: Iterable[Triple], predicate: NamedNode) -> set[tuple]:
    return {(t.subject, t.object) for t in triples if t.predicate == predicate}


def _typed(triples: Iterable[Triple], *classes: NamedNode) -> set:
    return {t.subject for t in triples if t.predicate == TYPE and t.object in classes}


def _close(pairs: set[tuple], *, reflexive_cycles: bool) -> set[tuple]:
    """Transitive closure. owlrl's scm-sco/scm-spo never make ``(a, a)`` from a cycle;
    its rdfs5/rdfs11 do (``reflexive_cycles``)."""
    succ: dict = {}
    for a, b in pairs:
        succ.setdefault(a, set()).add(b)
    closed = set(pairs)
    for a in list(succ):
        seen: set = set()
        stack = [b for b in succ[a] if a != b or reflexive_cycles]
        while stack:
            b = stack.pop()
            if b in seen:
                continue
            seen.add(b)
            if b != a or reflexive_cycles:
                closed.add((a, b))
            stack.extend(c for c in succ.get(b, ()) if c not in seen)
    return closed


def _upward(pairs: set[tuple], sub_p: set[tuple], sub_c: set[tuple]) -> set[tuple]:
    """(p, C) for every sub-property of p and super-class of C (scm-dom1/2, scm-rng1/2)."""
    supers: dict = {}
    for c, d in sub_c:
        supers.setdefault(c, set()).add(d)
    subs: dict = {}
    for p, q in sub_p:
        subs.setdefault(q, set()).add(p)
    out = set()
    for p, c in pairs:
        for p2 in {p} | subs.get(p, set()):
            for c2 in {c} | supers.get(c, set()):
                out.add((p2, c2))
    return out


def _compile(triples: set[Triple], mode: str) -> TBox:
    """Close the schema triples with the scm rules (or rdfs5/6/8/10-13) and tabulate it."""
    sub_c = _pairs(triples, SUB_CLASS)
    sub_p = _pairs(triples, SUB_PROPERTY)
    dom, rng = _pairs(triples, DOMAIN), _pairs(triples, RANGE)
    out: set[Triple] = set()
    if mode == "rdfs":
        for c in _typed(triples, RDFS_CLASS):  # rdfs8, rdfs10
            sub_c |= {(c, RESOURCE), (c, c)}
        for p in _typed(triples, CONTAINER_MEMBERSHIP):  # rdfs12
            sub_p.add((p, MEMBER))
        for d in _typed(triples, DATATYPE):  # rdfs13
            sub_c.add((d, RDFS_LITERAL))
        # rdfs6 (p rdfs:subPropertyOf p) is a data rule: rdf1 types the predicates
        sub_c = _close(sub_c, reflexive_cycles=True)  # rdfs11
        sub_p = _close(sub_p, reflexive_cycles=True)  # rdfs5
        out |= {Triple(a, SUB_CLASS, b) for a, b in sub_c} | {Triple(a, SUB_PROPERTY, b) for a, b in sub_p}
        return TBox(
            sub_property=frozenset((a, b) for a, b in sub_p if a != b),
            domain=frozenset(_upward(dom, sub_p, sub_c)),
            range=frozenset(_upward(rng, sub_p, sub_c)),
            sub_class=frozenset((a, b) for a, b in sub_c if a != b),
            triples=frozenset(out),
        )
    eq_c, eq_p = _pairs(triples, EQ_CLASS), _pairs(triples, EQ_PROPERTY)
    classes = _typed(triples, OWL_CLASS) | {THING, NOTHING}  # cls-thing, cls-nothing1
    properties = _typed(triples, OBJECT_PROPERTY, DATATYPE_PROPERTY, PROPERTY)
    for c in classes:  # scm-cls
        sub_c |= {(c, c), (c, THING), (NOTHING, c)}
        eq_c.add((c, c))
    for p in properties:  # scm-op, scm-dp
        sub_p.add((p, p))
        eq_p.add((p, p))
    for _ in range(100):  # owlrl's rules, to their fixpoint (two or three turns)
        before = (len(sub_c), len(sub_p), len(eq_c), len(eq_p), len(dom), len(rng))
        sub_c |= {(a, b) for a, b in eq_c if a != b} | {(b, a) for a, b in eq_c if a != b}  # scm-eqc1
        sub_p |= {(a, b) for a, b in eq_p if a != b} | {(b, a) for a, b in eq_p if a != b}  # scm-eqp1
        sub_c = _close(sub_c, reflexive_cycles=False)  # scm-sco
        sub_p = _close(sub_p, reflexive_cycles=False)  # scm-spo
        eq_c |= {(a, b) for a, b in sub_c if (b, a) in sub_c}  # scm-eqc2 (owlrl: a == b too)
        eq_p |= {(a, b) for a, b in sub_p if a != b and (b, a) in sub_p}  # scm-eqp2
        dom = _upward(dom, {(a, b) for a, b in sub_p if a != b}, {(a, b) for a, b in sub_c if a != b})
        rng = _upward(rng, {(a, b) for a, b in sub_p if a != b}, {(a, b) for a, b in sub_c if a != b})
        if before == (len(sub_c), len(sub_p), len(eq_c), len(eq_p), len(dom), len(rng)):
            break
    for predicate, pairs in ((SUB_CLASS, sub_c), (SUB_PROPERTY, sub_p), (EQ_CLASS, eq_c), (EQ_PROPERTY, eq_p), (DOMAIN, dom), (RANGE, rng)):
        out |= {Triple(a, predicate, b) for a, b in pairs if not isinstance(a, Literal)}
    inverse = _pairs(triples, INVERSE)
    return TBox(
        sub_property=frozenset((a, b) for a, b in sub_p if a != b),
        inverse=frozenset(inverse | {(b, a) for a, b in inverse}),
        symmetric=frozenset(_typed(triples, SYMMETRIC)),
        transitive=frozenset(_typed(triples, TRANSITIVE)),
        functional=frozenset(_typed(triples, FUNCTIONAL)),
        inverse_functional=frozenset(_typed(triples, INVERSE_FUNCTIONAL)),
        domain=frozenset(dom),
        range=frozenset(rng),
        sub_class=frozenset((a, b) for a, b in sub_c if a != b),
        disjoint=frozenset(_pairs(triples, DISJOINT)),
        complement=frozenset(_pairs(triples, COMPLEMENT)),
        property_disjoint=frozenset(_pairs(triples, PROPERTY_DISJOINT)),
        irreflexive=frozenset(_typed(triples, IRREFLEXIVE)),
        asymmetric=frozenset(_typed(triples, ASYMMETRIC)),
        triples=frozenset(out),
    )


# ---------------------------------------------------------------- SPARQL helpers


def _values(variables: str, rows: Iterable) -> str:
    """A VALUES clause; ``rows`` are terms (one variable) or tuples of terms."""
    body = " ".join(
        f"({' '.join(str(t) for t in row)})" if isinstance(row, tuple) else str(row) for row in sorted(rows, key=str)
    )
    return f"VALUES ({variables}) {{ {body} }}" if " " in variables.strip() else f"VALUES {variables} {{ {body} }}"


class _Run:
    """One computation: the store, the asserted graphs, and where the current round reads
    (``delta``: ``None`` for everything) and writes (``target``)."""

    def __init__(self, store: Store, graphs: list[NamedNode], mode: str) -> None:
        self.store, self.graphs, self.mode = store, graphs, mode
        # the list type Store.query takes as default_graph
        self.full: list[NamedNode | BlankNode | DefaultGraph] = [*graphs, INFERRED]
        self.using = " ".join(f"USING {g}" for g in self.full)
        self.delta: NamedNode | None = None
        self.target: NamedNode = INFERRED
        self.large = True  # is this round's delta large (see insert)?
        self.rounds = 0

    def select(self, text: str, *, asserted_only: bool = False) -> list[QuerySolution]:
        named: list[NamedNode | BlankNode] | None = None if self.delta is None else [self.delta]
        default: list[NamedNode | BlankNode | DefaultGraph] = [*self.graphs] if asserted_only else self.full
        return list(solutions(self.store.query(text, default_graph=default, named_graphs=named)))

    def update(self, parts: list[str]) -> None:
        if parts:
            self.store.update(" ;\n".join(parts))

    def d(self, s: str, p: str, o: str) -> str:
        """The premise a round reads: everything, or the triples the last round added."""
        return f"{s} {p} {o} ." if self.delta is None else f"GRAPH {self.delta} {{ {s} {p} {o} }}"

    def insert(self, head: str, body: str, known: str | None = None) -> str:
        """Add ``head`` (one triple pattern) to the target graph, unless known.

        With ``known`` (a pattern matching at least every known triple ``head`` could be)
        and a large round, the known triples are taken out with one ``MINUS`` (a hash
        anti-join: 1.5 s instead of 5.7 s for 10^6 candidates) instead of one ``NOT
        EXISTS`` probe per candidate (faster when the round is small)."""
        using = self.using if self.delta is None else f"{self.using} USING NAMED {self.delta}"
        if known is not None and self.large:
            variables = " ".join(dict.fromkeys(re.findall(r"\?\w+", head)))
            where = f"{{ SELECT DISTINCT {variables} WHERE {{ {body} }} }} MINUS {{ {known} }}"
        else:
            where = f"{body} FILTER NOT EXISTS {{ {head} }}"
        return f"INSERT {{ GRAPH {self.target} {{ {head} }} }} {using} WHERE {{ {where} }}"

    def count(self, graph: NamedNode) -> int:
        (row,) = solutions(self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))
        return int(row[0].value)

    def drop(self, *graphs: NamedNode) -> None:
        self.store.update(" ; ".join(f"DROP SILENT GRAPH {g}" for g in graphs))


def _targets(pairs: Iterable[tuple]) -> set:
    return {b for _, b in pairs}


def _inert(tbox: TBox, mode: str) -> frozenset[NamedNode]:
    """Trivial types no rule reads: they are filtered out at the end, so not derived
    (every typed resource is an owl:Thing: that would be a third of the work). A type the
    schema is read from (owl:Class, rdfs:Class) is always derived."""
    if _reads_types(tbox):
        return frozenset()
    read = {c for c, _ in tbox.sub_class} | {c for pair in tbox.disjoint | tbox.complement for c in pair}
    return TRIVIAL_TYPES - read - set(_SCHEMA_TYPES[mode])


def _reads(tbox: TBox, predicate: NamedNode) -> bool:
    """Whether a data rule reads triples of ``predicate``."""
    read = {p for p, _ in tbox.sub_property | tbox.inverse | tbox.domain | tbox.range}
    return predicate in read | tbox.symmetric | tbox.transitive | tbox.functional | tbox.inverse_functional


def _reads_types(tbox: TBox) -> bool:
    """Whether a property rule reads rdf:type triples (then types and properties cannot
    be computed one after the other)."""
    return _reads(tbox, TYPE)


def _property_rules(tbox: TBox, run: _Run) -> list[str]:
    """prp-spo1, prp-eqp1/2 (rdfs7), prp-inv1/2, prp-symp, prp-trp."""
    d, ins, out = run.d, run.insert, []
    if tbox.sub_property:
        sub = tbox.sub_property
        out.append(ins("?x ?q ?y", f"{_values('?p ?q', sub)} {d('?x', '?p', '?y')}", f"{_values('?q', _targets(sub))} ?x ?q ?y"))
    if tbox.inverse:
        inv = tbox.inverse
        out.append(ins("?y ?q ?x", f"{_values('?p ?q', inv)} {d('?x', '?p', '?y')} FILTER(!isLiteral(?y))", f"{_values('?q', _targets(inv))} ?y ?q ?x"))
    if tbox.symmetric:
        sym = _values("?p", tbox.symmetric)
        out.append(ins("?y ?p ?x", f"{sym} {d('?x', '?p', '?y')} FILTER(!isLiteral(?y))", f"{sym} ?y ?p ?x"))
    if tbox.transitive:  # semi-naive: the delta on either side of the join
        trp = _values("?p", tbox.transitive)
        out.append(ins("?x ?p ?z", f"{trp} {d('?x', '?p', '?y')} ?y ?p ?z .", f"{trp} ?x ?p ?z"))
        if run.delta is not None:
            out.append(ins("?x ?p ?z", f"{trp} {d('?y', '?p', '?z')} ?x ?p ?y .", f"{trp} ?x ?p ?z"))
    return out


def _type_rules(tbox: TBox, run: _Run) -> list[str]:
    """cax-sco, cax-eqc1/2 (rdfs9), prp-dom (rdfs2), prp-rng (rdfs3). The domain and range
    tables are closed upwards, so what they give needs no cax-sco after it."""
    d, ins, out = run.d, run.insert, []
    inert = _inert(tbox, run.mode)
    sco = {(c, k) for c, k in tbox.sub_class if k not in inert}
    dom = {(p, c) for p, c in tbox.domain if c not in inert}
    rng = {(p, c) for p, c in tbox.range if c not in inert}
    if sco:
        out.append(ins(f"?x {TYPE} ?d", f"{_values('?c ?d', sco)} {d('?x', str(TYPE), '?c')}", f"{_values('?d', _targets(sco))} ?x {TYPE} ?d"))
    if dom:
        out.append(ins(f"?x {TYPE} ?c", f"{_values('?p ?c', dom)} {d('?x', '?p', '?y')}", f"{_values('?c', _targets(dom))} ?x {TYPE} ?c"))
    if rng:
        out.append(ins(f"?y {TYPE} ?c", f"{_values('?p ?c', rng)} {d('?x', '?p', '?y')} FILTER(!isLiteral(?y))", f"{_values('?c', _targets(rng))} ?y {TYPE} ?c"))
    return out


def _resources(run: _Run) -> list[str]:
    """rdfs4a, rdfs4b: every subject and object of an asserted triple is an rdfs:Resource
    (owlrl applies them in its first cycle only, so to the asserted triples). Only made
    when a rule reads those types; otherwise they are filtered out anyway."""
    delta, run.delta = run.delta, None
    using = run.using
    run.using = " ".join(f"USING {g}" for g in run.graphs)
    try:
        return [
            run.insert(f"?s {TYPE} {RESOURCE}", "{ SELECT DISTINCT ?s WHERE { ?s ?p ?o } }"),
            run.insert(f"?o {TYPE} {RESOURCE}", "{ SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(!isLiteral(?o)) } }"),
        ]
    finally:
        run.delta, run.using = delta, using


def _property_type_rules(run: _Run) -> list[str]:
    """rdf1 (every predicate is an rdf:Property) and rdfs6 (every property its own
    sub-property), for mode rdfs."""
    d, ins = run.d, run.insert
    # the predicates are read first: a DISTINCT subquery inside the INSERT costs ten times
    # as much (4.7 s instead of 0.5 s on 10^6 statements)
    predicates = [row[0] for row in run.select(f"SELECT DISTINCT ?p WHERE {{ {d('?s', '?p', '?o')} }}")]
    out = [ins(f"?p {TYPE} {PROPERTY}", _values("?p", predicates))] if predicates else []
    return out + [ins(f"?p {SUB_PROPERTY} ?p", d("?p", str(TYPE), str(PROPERTY)))]


# ---------------------------------------------------------------- equality


class _SameAs:
    """owl:sameAs as equivalence classes kept in Python (they may hold literals, which a
    triple cannot have as subject). Each round adds the classes' new pairs (eq-sym,
    eq-trans) and replaces members in triples (eq-rep-s/p/o)."""

    def __init__(self) -> None:
        self.cls: dict = {}

    def pairs(self) -> set[tuple]:
        return {(a, b) for members in {id(c): c for c in self.cls.values()}.values() for a in members for b in members if a != b}

    def merge(self, found: Iterable[tuple]) -> set[tuple]:
        """Merge the found pairs; return the ordered pairs that became equal."""
        fresh: set[tuple] = set()
        for a, b in found:
            if isinstance(a, BlankNode) or isinstance(b, BlankNode):
                raise InputError(
                    f"owl:sameAs on a blank node ({a} = {b}) is not supported by kg.store.entail",
                    hint="give the node an IRI",
                )
            ca, cb = self.cls.get(a, {a}), self.cls.get(b, {b})
            if ca is cb or a == b:
                continue
            fresh |= {(x, y) for x in ca for y in cb} | {(y, x) for x in ca for y in cb}
            merged = ca | cb
            for x in merged:
                self.cls[x] = merged
        return fresh

    def same(self, a: object, b: object) -> bool:
        return a == b or b in self.cls.get(a, ())


def _equality_rules(run: _Run, tbox: TBox, same: _SameAs) -> list[str]:
    """prp-fp, prp-ifp and the owl:sameAs triples of the delta (in Python), then eq-sym,
    eq-trans, eq-rep-s/p/o as INSERTs."""
    d = run.d
    found: set[tuple] = set()
    if tbox.functional:
        found |= {(r[0], r[1]) for r in run.select(f"SELECT DISTINCT ?a ?b WHERE {{ {_values('?p', tbox.functional)} {d('?x', '?p', '?a')} ?x ?p ?b FILTER(!sameTerm(?a, ?b)) }}")}
    if tbox.inverse_functional:
        found |= {(r[0], r[1]) for r in run.select(f"SELECT DISTINCT ?a ?b WHERE {{ {_values('?p', tbox.inverse_functional)} {d('?a', '?p', '?y')} ?b ?p ?y FILTER(!sameTerm(?a, ?b)) }}")}
    found |= {(r[0], r[1]) for r in run.select(f"SELECT DISTINCT ?a ?b WHERE {{ {d('?a', str(SAME_AS), '?b')} FILTER(!sameTerm(?a, ?b)) }}")}
    old = same.pairs()
    fresh = same.merge(found)
    out: list[str] = []
    delta = run.delta
    if fresh:  # eq-sym, eq-trans: the whole class, as triples (not from a literal)
        iri = {(a, b) for a, b in fresh if not isinstance(a, Literal)}
        if iri:
            out.append(run.insert(f"?a {SAME_AS} ?b", _values("?a ?b", iri)))
        run.delta = None  # new equalities apply to every triple
        out += _replace(run, fresh)
        run.delta = delta
    if old:  # old equalities: the new triples
        out += _replace(run, old)
    return out


def _replace(run: _Run, pairs: set[tuple]) -> list[str]:
    """eq-rep-s, eq-rep-p, eq-rep-o for ``pairs`` over the triples the round reads."""
    d = run.d
    iri = {(a, b) for a, b in pairs if not isinstance(a, Literal) and not isinstance(b, Literal)}
    out = []
    if iri:
        out.append(run.insert("?b ?p ?o", f"{_values('?a ?b', iri)} {d('?a', '?p', '?o')}"))
        out.append(run.insert("?s ?b ?o", f"{_values('?a ?b', iri)} {d('?s', '?a', '?o')}"))
    out.append(run.insert("?s ?p ?b", f"{_values('?a ?b', pairs)} {d('?s', '?p', '?a')}"))
    return out


# ---------------------------------------------------------------- the loop


def schema(store: Store, *, graphs: list[NamedNode] | None = None, mode: str = "owlrl") -> TBox:
    """The closed schema of the union of ``graphs`` (default: all but ``kgg:inferred``)."""
    mode = _mode(mode)
    run = _Run(store, _graphs(store, graphs), mode)
    return _compile(_schema_triples(run), mode)


def _schema_triples(run: _Run) -> set[Triple]:
    preds = _SCHEMA_PREDICATES[run.mode]
    types = _SCHEMA_TYPES[run.mode]
    text = (
        f"SELECT ?s ?p ?o WHERE {{ {{ {_values('?p', preds)} ?s ?p ?o }} "
        f"UNION {{ {_values('?o', types)} ?s {TYPE} ?o BIND({TYPE} AS ?p) }} }}"
    )
    triples = set()
    for s, p, o in run.select(text):
        if isinstance(s, Literal):
            continue
        if isinstance(s, BlankNode) or isinstance(o, BlankNode):
            raise InputError(
                f"the schema triple {s} {p} {o} has a blank node, which kg.store.entail does not support",
                hint="give the class or property an IRI",
            )
        triples.add(Triple(s, p, o))
    return triples


def _unsupported(run: _Run) -> None:
    text = (
        f"SELECT ?s ?p ?o WHERE {{ {{ {_values('?p', _UNSUPPORTED_PREDICATES)} ?s ?p ?o }} "
        f"UNION {{ {_values('?o', _UNSUPPORTED_TYPES)} ?s {TYPE} ?o BIND({TYPE} AS ?p) }} }} LIMIT 1"
    )
    for s, p, o in run.select(text):
        construct = o.value if p == TYPE else p.value
        raise InputError(
            f"the graph uses {construct.replace(_OWL, 'owl:')} ({s} {p} {o}), which kg.store.entail does not implement",
            hint="kg.store.entail implements the OWL RL rules of property and class axioms; use kg.reference.closure (owlrl) "
            "for class expressions, lists and keys, or remove the axiom",
        )


def _round(run: _Run, parts: list[str]) -> int:
    """Run one round's INSERTs (one transaction); how many triples they added."""
    before = run.count(INFERRED) if run.target == INFERRED else 0
    run.update(parts)
    run.rounds += 1
    return run.count(INFERRED) - before if run.target == INFERRED else run.count(run.target)


def _saturate(run: _Run, rules, delta: NamedNode | None) -> None:
    """Rounds of ``rules(run)`` until one adds nothing. A round reads ``delta`` (the first:
    everything if ``None``, and then writes straight into kgg:inferred) and writes a
    scratch graph, which becomes the next round's delta."""
    run.delta = delta
    scratch = [_ROUND_A, _ROUND_B]
    turn = 0
    while True:
        if run.delta is None:
            run.target = INFERRED
        else:
            run.target = scratch[turn % 2] if scratch[turn % 2] != run.delta else scratch[(turn + 1) % 2]
            run.drop(run.target)
        run.large = run.delta is None or run.count(run.delta) > _LARGE_ROUND
        added = _round(run, rules(run))
        turn += 1
        if run.target != INFERRED and added:
            run.store.update(f"ADD {run.target} TO {INFERRED}")
        if run.delta in scratch:
            run.drop(run.delta)
        if not added:
            run.drop(*scratch)
            run.delta, run.target = None, INFERRED
            return
        run.delta = run.target


def _derive(run: _Run, tbox: TBox, same: _SameAs | None, delta: NamedNode | None) -> None:
    """The data rules to their fixpoint: properties first (their rounds are small), then
    types in one pass over everything (its tables are closed), then rdf1/rdfs6; all rules
    together from everything when that order is not enough (sameAs, rules on rdf:type)."""

    def properties(r: _Run) -> list[str]:
        return _property_rules(tbox, r) + (_equality_rules(r, tbox, same) if same is not None else [])

    def everything(r: _Run) -> list[str]:
        parts = properties(r) + _type_rules(tbox, r)
        return parts + (_property_type_rules(r) if run.mode == "rdfs" else [])

    if run.mode == "rdfs" and delta is None and RESOURCE not in _inert(tbox, run.mode):
        run.delta, run.target, run.large = None, INFERRED, False
        _round(run, _resources(run))
    _saturate(run, properties, delta)
    run.delta, run.target, run.large = None, INFERRED, True
    _round(run, _type_rules(tbox, run))
    if run.mode == "rdfs":
        _round(run, _property_type_rules(run))
    mixed = _reads_types(tbox) or bool(same is not None and same.cls)
    if run.mode == "rdfs":  # rdf1 and rdfs6 made rdf:type and rdfs:subPropertyOf triples
        mixed = mixed or _reads(tbox, SUB_PROPERTY) or PROPERTY in {c for c, _ in tbox.sub_class}
    if mixed:
        _saturate(run, everything, None)


def _needs_equality(run: _Run, tbox: TBox) -> bool:
    if run.mode != "owlrl":
        return False
    if tbox.functional or tbox.inverse_functional:
        return True
    return bool(run.store.query(f"ASK {{ ?a {SAME_AS} ?b }}", default_graph=run.full))


def closure(store: Store, *, graphs: list[NamedNode] | None = None, mode: str = "owlrl") -> int:
    """Compute the entailments of the union of ``graphs`` (default: every named graph but
    ``kgg:inferred``) under ``mode`` ("owlrl" or "rdfs"), replace the content of
    ``kgg:inferred`` with them and return how many triples it holds.

    Raises ``InputError`` if the graph is inconsistent under OWL RL (``kgg:inferred`` is
    then left empty) or uses a construct this module does not implement. The work is a
    series of updates, not one transaction: a reader that looks at kgg:inferred while
    ``closure`` runs sees part of it.
    """
    mode = _mode(mode)
    run = _Run(store, _graphs(store, graphs), mode)
    run.drop(INFERRED, *_SCRATCH)
    try:
        if mode == "owlrl":
            _unsupported(run)
        applied: TBox | None = None
        same: _SameAs | None = None
        for _ in range(50):
            tbox = _compile(_schema_triples(run), mode)
            seeded = _seed(run, tbox.triples)
            if same is None and _needs_equality(run, tbox):
                same = _SameAs()
            if applied is None or tbox != applied:  # a new schema: every triple again
                _derive(run, tbox, same, None)
            elif seeded:  # only new schema triples: go on from them
                _derive(run, tbox, same, _SEEDS)
            else:
                break
            applied = tbox
        else:  # pragma: no cover - a schema that keeps growing
            raise InputError("the schema did not reach a fixpoint in 50 turns", hint="report this graph as a bug")
        if mode == "owlrl":
            _check(run, applied, same or _SameAs())
        _filter(run)
    except BaseException:
        run.drop(INFERRED, *_SCRATCH)
        raise
    run.drop(*_SCRATCH)
    return run.count(INFERRED)


def _seed(run: _Run, triples: frozenset[Triple]) -> int:
    """Add the schema closure's triples not known yet, to kgg:inferred and to a scratch
    graph (the delta if only they are new); how many."""
    run.drop(_SEEDS)
    run.delta, run.target, run.large = None, _SEEDS, False
    rows = sorted(((t.subject, t.predicate, t.object) for t in triples), key=str)
    run.update([run.insert("?s ?p ?o", _values("?s ?p ?o", rows[i : i + 2000])) for i in range(0, len(rows), 2000)])
    run.target = INFERRED
    added = run.count(_SEEDS)
    if added:
        run.store.update(f"ADD {_SEEDS} TO {INFERRED}")
    return added


def _filter(run: _Run) -> None:
    """Keep what ``kg.reference.closure`` keeps (see ``kg.reference.closure._keep``)."""
    trivial = ", ".join(str(t) for t in sorted(TRIVIAL_TYPES, key=str))
    run.store.update(
        f"DELETE {{ GRAPH {INFERRED} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {INFERRED} {{ ?s ?p ?o }} "
        f'FILTER(!isIRI(?s) || !STRSTARTS(STR(?s), "{BASE}") || (?p = {SAME_AS} && sameTerm(?s, ?o)) '
        f"|| (?p = {TYPE} && ?o IN ({trivial}))) }}"
    )


def inferred_triples(store: Store, *, graph: NamedNode = INFERRED) -> set[Triple]:
    """The triples of ``kgg:inferred`` (or ``graph``), as a set (for tests and tools)."""
    return {Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)}


def _mode(mode: str) -> str:
    if mode not in MODES:
        raise UsageError(f"unknown inference {mode!r}", hint=f"use one of {', '.join(MODES)}")
    return mode


def _graphs(store: Store, graphs: list[NamedNode] | None) -> list[NamedNode]:
    given: list[NamedNode | BlankNode] = []
    if graphs is None:
        given = sorted((g for g in store.named_graphs() if g != INFERRED and g not in _SCRATCH), key=str)
    else:
        given = list(graphs)
    out: list[NamedNode] = []
    for g in given:
        if not isinstance(g, NamedNode):
            raise UsageError(f"graphs must be named graphs (NamedNode), got {g!r}")
        if g == INFERRED or g in _SCRATCH:
            raise UsageError(f"{g} holds inferences; it cannot be one of the asserted graphs")
        out.append(g)
    return out


# ---------------------------------------------------------------- consistency


def _check(run: _Run, tbox: TBox, same: _SameAs) -> None:
    """The OWL RL rules that find an inconsistency; raise with owlrl's message for the first."""
    errors: list[str] = []
    q = run.select
    for a, b in q(f"SELECT ?a ?b WHERE {{ ?a {DIFFERENT_FROM} ?b }}"):  # eq-diff1
        if same.same(a, b):
            errors += [f"'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: ({_s(x)}, {_s(y)})" for x, y in {(a, b), (b, a)}]
    for (x,) in q(f"SELECT DISTINCT ?x WHERE {{ ?x {TYPE} {NOTHING} }}"):  # cls-nothing2
        errors.append(f"{_s(x)} is defined of type 'Nothing'")
    if tbox.disjoint:  # cax-dw
        for c1, c2, x in q(f"SELECT ?c1 ?c2 ?x WHERE {{ {_values('?c1 ?c2', tbox.disjoint)} ?x {TYPE} ?c1 . ?x {TYPE} ?c2 }}"):
            errors.append(f"Disjoint classes {_s(c1)} and {_s(c2)} have a common individual {_s(x)}")
    if tbox.complement:  # cls-com; owlrl names the second class where the individual belongs
        for c1, c2, _x in q(f"SELECT ?c1 ?c2 ?x WHERE {{ {_values('?c1 ?c2', tbox.complement)} ?x {TYPE} ?c1 . ?x {TYPE} ?c2 }}"):
            errors.append(f"Violation of complementarity for classes {_s(c1)} and {_s(c2)} on element {_s(c2)}")
    if tbox.irreflexive:  # prp-irp
        for p, x in q(f"SELECT ?p ?x WHERE {{ {_values('?p', tbox.irreflexive)} ?x ?p ?x }}"):
            errors.append(f"Irreflexive property used on {_s(x)} with {_s(p)}")
    if tbox.asymmetric:  # prp-asyp
        for p, x, y in q(f"SELECT ?p ?x ?y WHERE {{ {_values('?p', tbox.asymmetric)} ?x ?p ?y . ?y ?p ?x }}"):
            errors.append(f"Erroneous usage of asymmetric property {_s(p)} on {_s(x)} and {_s(y)}")
    if tbox.property_disjoint:  # prp-pdw
        for p1, p2, x, y in q(f"SELECT ?p1 ?p2 ?x ?y WHERE {{ {_values('?p1 ?p2', tbox.property_disjoint)} ?x ?p1 ?y . ?x ?p2 ?y }}"):
            errors.append(f"Erroneous usage of disjoint properties {_s(p1)} and {_s(p2)} on {_s(x)} and {_s(y)}")
    errors += _ill_typed(run)
    if errors:
        errors = sorted(set(errors))
        raise InputError(f"the graph is inconsistent under OWL RL: {errors[0]}", hint=f"{len(errors)} problem(s); fix the data")


def _s(term: object) -> str:
    """A term as owlrl's messages print it (rdflib's ``str``: the IRI, the lexical form)."""
    return term.value if isinstance(term, (NamedNode, Literal, BlankNode)) else str(term)


# -------------------------------- owlrl's lexical check (its one-time rules; dt-not-type)


def _timezone(v: str) -> tuple[str, bool]:
    if v.endswith("Z"):
        return v[:-1], True
    if re.match(r".*(\+|-)([0-9][0-9]):([0-9][0-9])", v):
        return v[:-6], True
    return v, False


def _fraction(v: str) -> str:
    m = re.match(r"(.*)(\.)([0-9]*)", v)
    if m:
        int(m.group(3))  # owlrl: an empty fraction is an error
        return m.group(1)
    return v


def _datetime(v: str, stamp: bool = False) -> None:
    v, tz = _timezone(v)
    if stamp and not tz:
        raise ValueError(v)
    _time.strptime(_fraction(v), "%Y-%m-%dT%H:%M:%S")


def _bounded(low: int | None, high: int | None):
    def check(v: str) -> None:
        i = int(v)
        if not ((low is None or low < i) and (high is None or i < high)):
            raise ValueError(v)

    return check


def _real(low: str, high: str):
    def check(v: str) -> None:
        if not Decimal(low) < abs(Decimal(v)) < Decimal(high):  # owlrl: 0 is out of range
            raise ValueError(v)

    return check


def _regexp(pattern: str, flags: int = 0, exclude_start: str = ""):
    def check(v: str) -> None:
        m = re.match(pattern, v, flags)
        if m is None or m.end() != len(v) or (exclude_start and v and v[0] in exclude_start):
            raise ValueError(v)

    return check


def _boolean(v: str) -> None:
    if v.lower() not in ("true", "1", "false", "0"):
        raise ValueError(v)


def _decimal(v: str) -> None:
    if "e" in v.lower():
        raise ValueError(v)
    Decimal(v)


def _any_uri(v: str) -> None:
    import urllib.parse

    if not v or urllib.parse.urlsplit(v)[0]:
        return
    hexdigits = "0123456789abcdefABCDEF"
    if v[0] == "%" and not (len(v) >= 3 and v[1] in hexdigits and v[2] in hexdigits):
        raise ValueError(v)
    if v[0] in "?:":
        raise ValueError(v)


def _base64(v: str) -> None:
    import base64

    if not v.replace("=", "x").replace("+", "y").replace("/", "z").isalnum():
        raise ValueError(v)
    base64.standard_b64decode(v)


def _hex(v: str) -> None:
    if len(v) % 2:
        raise ValueError(v)
    int(v, 16)


def _token(v: str) -> None:
    if v:
        _regexp("[^\n\t\r]+")(v)
        if len(" ".join(v.strip().split())) != len(v):
            raise ValueError(v)


def _plain(v: str) -> None:
    m = re.match("(.*)@([^@]*)", v)
    if m is None:
        raise ValueError(v)
    if m.group(2):
        _regexp(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")(m.group(2))


def _xml(v: str) -> None:
    import xml.dom.minidom

    xml.dom.minidom.parseString(v)


def _date(v: str) -> None:
    _time.strptime(_timezone(v)[0], "%Y-%m-%d")


def _time_of_day(v: str) -> None:
    _time.strptime(_fraction(_timezone(v)[0]), "%H:%M:%S")


_NUMB = "0123456789"
#: owlrl's lexical checks (owlrl.DatatypeHandling.AltXSDToPYTHON) for the OWL RL datatypes.
_LEXICAL = {
    _XSD + "language": _regexp(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*"),
    _XSD + "NMTOKEN": _regexp(r"[\w:_.\-]+", re.U),
    _XSD + "Name": _regexp(r"[\w:_.\-]+", re.U, ".-" + _NUMB),
    _XSD + "NCName": _regexp(r"[\w_.\-]+", re.U, ".-" + _NUMB),
    _XSD + "token": _token,
    _RDF + "PlainLiteral": _plain,
    _XSD + "boolean": _boolean,
    _XSD + "decimal": _decimal,
    _XSD + "anyURI": _any_uri,
    _XSD + "base64Binary": _base64,
    _XSD + "double": _real("1.0E-330", "1.0E+310"),
    _XSD + "float": _real("1.0E-50", "1.0E+40"),
    _XSD + "byte": _bounded(-129, 128),
    _XSD + "int": _bounded(-2147483649, 2147483648),
    _XSD + "long": _bounded(-9223372036854775809, 9223372036854775808),
    _XSD + "positiveInteger": _bounded(0, None),
    _XSD + "nonPositiveInteger": _bounded(None, 1),
    _XSD + "negativeInteger": _bounded(None, 0),
    _XSD + "nonNegativeInteger": _bounded(-1, None),
    _XSD + "short": _bounded(-32769, 32768),
    _XSD + "unsignedByte": _bounded(-1, 256),
    _XSD + "unsignedShort": _bounded(-1, 65536),
    _XSD + "unsignedInt": _bounded(-1, 4294967296),
    _XSD + "unsignedLong": _bounded(-1, 18446744073709551616),
    _XSD + "hexBinary": _hex,
    _XSD + "dateTime": _datetime,
    _XSD + "dateTimeStamp": lambda v: _datetime(v, stamp=True),
    _RDF + "XMLLiteral": _xml,
    _XSD + "integer": int,
    _XSD + "normalizedString": _regexp("[^\n\t\r]+"),
    _XSD + "time": _time_of_day,
    _XSD + "date": _date,
}


def _ill_typed(run: _Run) -> list[str]:
    """Literals whose lexical form owlrl rejects for their datatype (asserted objects only:
    the rules copy literals, they never make new ones). The datatype is tested in Python:
    ``DATATYPE(?o) IN (...)`` in the query costs five times as much."""
    errors = []
    for (lit,) in run.select("SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }", asserted_only=True):
        check = _LEXICAL.get(lit.datatype.value)
        if check is None:
            continue
        try:
            check(lit.value)
        except Exception:  # owlrl counts any failure of the conversion
            errors.append(f"Lexical value of the literal '{lit.value}' does not match its datatype ({lit.datatype.value})")
    return errors
