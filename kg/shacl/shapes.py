"""SHACL validation as whole-graph SPARQL queries on a pyoxigraph Store.

The shapes file is compiled once (:meth:`Shapes.from_file`) into a fixed set of SPARQL
SELECT queries; :func:`validate_store` runs them on a store, a few at a time in a thread
pool (pyoxigraph releases the GIL while it evaluates), and turns the rows into
:class:`ShaclResult` objects. The aim is pySHACL's results exactly, with the project's
settings (no inference; ``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf`` in
the data graph), at the speed of the store, for the SHACL Core components and
SHACL-SPARQL (constraints and constraint components); the W3C SHACL test suite holds it
to the spec (tests/test_shacl_w3c.py). Anything else in a shapes graph raises
:class:`ShapesError` naming the shape and what it uses, rather than being skipped.

How shapes become queries (compiled from the shapes graph, nothing written per shape):

* a *value check* (sh:class, sh:datatype, sh:nodeKind, sh:pattern, sh:languageIn, sh:in,
  ranges, lengths, sh:node, sh:or/and/not/xone) is a SPARQL boolean expression over one
  value. Nested shapes (sh:node, sh:or members, sh:qualifiedValueShape) are compiled
  recursively into such expressions (``EXISTS``/``NOT EXISTS`` over their property
  shapes), so their values are checked fully, whatever the focus nodes;
* the value checks of every property shape with the same path run in one query driven
  by the path (``?this <p> ?value``: each literal is read once); only the failing rows
  are then tested for being targets of the shape they fail. A check that is a class or
  scheme membership (sh:class; sh:node or sh:or of shapes such as kg:IsState or
  kg:InTopicsScheme) is an anti-join instead (``MINUS`` of the members): one scan of the
  members where ``EXISTS`` would look each value up;
* a missing value (sh:minCount 1, sh:qualifiedMinCount 1, sh:hasValue) is an anti-join
  of the targets with the nodes that have it, or a lookup per target when the targets
  are a few thousand at most (rdf:type is counted once per run to tell);
* the value checks of a node shape (kg:IdentifierShape) are columns of one query over its
  targets; sh:maxCount is one GROUP BY per path, shared by the shapes with that path;
  sh:uniqueLang, the other counts and the property pairs have a query each;
* subclasses of the target and sh:class classes are looked up once per run, in the
  data graph, and written into the queries (a class variable under ``rdfs:subClassOf*``
  is slow in the store);
* the sh:property shapes of a property shape are compiled as shapes of their own whose
  targets are the outer shape's value nodes; their results are repeated once per outer
  focus node that reaches the node, as validating each outer focus node reports them;
* a SHACL-SPARQL constraint (sh:sparql / sh:select) runs once for all targets: the
  target pattern is joined at the start of its WHERE group, so ``$this`` is bound before
  anything else, as pre-binding binds it; ``$PATH`` is replaced by the shape's path,
  ``$currentShape`` (and a constraint component's parameters) are bound by a VALUES
  block. Where a join does not give pre-binding's answers (``$this`` in a union's branch,
  in an inner group's FILTER, in a sub-query: each is evaluated alone before the join),
  the query runs once per target instead, as the right side of a ``LATERAL`` join, which
  substitutes the pre-bound variables everywhere (see _needs_lateral). Queries that
  SHACL's pre-binding forbids (MINUS, VALUES, SERVICE, ``AS $this``, a sub-query that
  does not return the pre-bound variables) are refused. A joined query is then rewritten
  into equivalent forms the store evaluates faster (see _rewrite): for a full run, its
  triple patterns are regrouped by subject (a basic graph pattern is the join of its
  parts), because the store's optimiser would otherwise join
  ``?this kg:sittingOf ?f . ?other kg:sittingOf ?f`` on ``?f`` alone before it looks at
  the ordinal: quadratic in the meetings (minutes at 10^6 statements, against a fraction
  of a second regrouped); a ``FILTER NOT EXISTS`` of plain triple patterns becomes a
  ``MINUS`` where that is the same; ``?a != ?b`` of two subjects becomes ``sameTerm``;
* a constraint component declared in the shapes graph (an instance of
  sh:ConstraintComponent or of a subclass) runs for each top-level shape that has its
  mandatory parameters: a SELECT validator as a SPARQL constraint, an ASK validator as
  one query whose ``FILTER NOT EXISTS`` holds the ASK (SPARQL substitutes ``$this``,
  ``$value`` and the parameters throughout it). One with no usable validator, or used by
  a nested shape, is refused by name.

``focus`` (incremental validation) restricts the *targets*, with a ``VALUES`` block of
the focus nodes, and nothing else: the results are the full results filtered to those
focus nodes. Those queries are written to start from the few focus nodes: lookups
rather than anti-joins, and a constraint query's own patterns about ``$this`` first.

Where this differs from pySHACL, deliberately (each case is tested in
tests/test_shacl_engine.py):

* sh:lessThanOrEquals (and sh:lessThan) report a pair of values that cannot be compared
  (an xsd:date against an xsd:gYear, an ill-typed date, two IRIs), as the SHACL spec says
  ("or where the two values cannot be compared"). pySHACL reports nothing for a date
  against a year (rdflib orders literals of incomparable types), compares IRIs as
  strings, and raises a TypeError for an ill-typed start date against a valid end date.
* sh:pattern has the SPARQL ``REGEX`` (XPath) semantics the spec prescribes, where ``$``
  matches only at the very end; pySHACL uses Python's ``re.search``, where ``$`` also
  matches before a final newline ("AZ\\n" passes ``^[A-Z]{2}$`` there).
* sh:languageIn uses SPARQL ``langMatches``, as the spec says; pySHACL compares the tag
  or its first subtag, which differs only for ranges with a subtag such as "en-GB".
* sh:minInclusive & co. report a value that cannot be compared (the spec; SPARQL's
  comparison raises a type error). pySHACL agrees, except for an ill-typed literal that
  rdflib still orders: "0"^^xsd:positiveInteger passes sh:minInclusive 1 there.

And where the store decides, not this module (pyoxigraph rewrites typed literals into a
canonical form when it loads them):

* values come back canonical: "5.0"^^xsd:decimal is "5"^^xsd:decimal, "007"^^xsd:integer
  is "7"; sh:pattern sees the canonical lexical form of a typed literal. A literal
  sh:targetNode is reported as the shapes graph writes it; a value of the data graph
  is reported as written when ``validate_store`` is given the statements as written;
* every integer-derived datatype (xsd:positiveInteger, xsd:nonNegativeInteger, xsd:long,
  ...) is stored as xsd:integer, even out of range ("0"^^xsd:positiveInteger is stored
  as "0"^^xsd:integer). So sh:datatype of an integer-derived type accepts an xsd:integer
  in its range (what a valid literal of that type looks like once stored), and an
  out-of-range literal of such a type is checked as the integer it became; given the
  statements as written, sh:datatype tells "55"^^xsd:integer from "55"^^xsd:byte. With
  the project's shapes (``sh:or (kg:IntegerValue kg:PositiveIntegerValue)`` plus
  ``sh:minInclusive``) the one visible difference: "0"^^xsd:positiveInteger gets no
  sh:or result (pySHACL has one) and the sh:minInclusive result (pySHACL misses it);
* ill-typed literals are kept as written and fail sh:datatype (a cast fails): the
  numeric types, xsd:boolean, the date, time and duration types and xsd:gYear & co.,
  the datatypes the store parses (pySHACL does not check xsd:gYear: rdflib does not parse
  it). Other datatypes (xsd:anyURI, xsd:language, ...) are not checked for lexical
  validity. The store's and rdflib's ideas of a valid date differ at the edges (negative
  years are valid in the store, ill-typed for rdflib), and integers beyond 64 bits are
  ill-typed in the store.

Only pyoxigraph and the standard library are imported: no rdflib on this path.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.sparql.tokens import tokens as _scan

if TYPE_CHECKING:  # this module imports only pyoxigraph, the standard library and the two above
    from kg.store.backend import Reads

__all__ = ["Shapes", "ShaclResult", "ShapesError", "validate_store", "report_triples"]

_SH = "http://www.w3.org/ns/shacl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_OWL = "http://www.w3.org/2002/07/owl#"

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def _sh(local: str) -> ox.NamedNode:
    return ox.NamedNode(_SH + local)


RDF_TYPE = ox.NamedNode(_RDF + "type")
RDF_FIRST = ox.NamedNode(_RDF + "first")
RDF_REST = ox.NamedNode(_RDF + "rest")
RDF_NIL = ox.NamedNode(_RDF + "nil")
RDFS_CLASS = ox.NamedNode(_RDFS + "Class")
RDFS_SUBCLASSOF = ox.NamedNode(_RDFS + "subClassOf")
OWL_IMPORTS = ox.NamedNode(_OWL + "imports")
OWL_CLASS = ox.NamedNode(_OWL + "Class")
XSD_BOOLEAN = ox.NamedNode(_XSD + "boolean")
SH_VIOLATION = _sh("Violation")
SH_WARNING = _sh("Warning")
SH_INFO = _sh("Info")

_TARGET_PREDICATES = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")


class ShapesError(ValueError):
    """The shapes graph uses something this validator does not implement, or is malformed."""


@dataclass(frozen=True)
class ShaclResult:
    """One validation result, as a SHACL validation report states it."""

    focus: Term
    path: Term | None
    value: Term | None
    source_shape: ox.NamedNode | ox.BlankNode
    component: ox.NamedNode  # e.g. sh:MinCountConstraintComponent
    severity: ox.NamedNode  # sh:Violation, sh:Warning or sh:Info
    messages: tuple[str, ...]  # the shape's sh:message values (SPARQL ones with {?var} filled in)
    # for the report graph only: the SPARQL constraint of a SHACL-SPARQL result, the
    # triples that describe a complex path, the messages with their language tags
    source_constraint: ox.NamedNode | ox.BlankNode | None = field(default=None, compare=False, repr=False)
    path_triples: tuple[ox.Triple, ...] = field(default=(), compare=False, repr=False)
    message_literals: tuple[ox.Literal, ...] = field(default=(), compare=False, repr=False)
    # internal, set while validate_store runs: the targets of a nested property shape, whose
    # results are repeated once per focus node of the outer shape that reaches the node
    route: Any = field(default=None, compare=False, repr=False)


# ================================================================ the shapes graph


class _Graph:
    """A small read-only index of the shapes graph."""

    def __init__(self, triples: Iterable[Any]) -> None:
        self.spo: dict[Any, dict[Any, list[Any]]] = {}
        self.pos: dict[Any, dict[Any, list[Any]]] = {}
        for t in triples:
            s, p, o = t.subject, t.predicate, t.object
            objects = self.spo.setdefault(s, {}).setdefault(p, [])
            if o not in objects:
                objects.append(o)
                self.pos.setdefault(p, {}).setdefault(o, []).append(s)

    def objects(self, s: Any, p: ox.NamedNode) -> list[Any]:
        return list(self.spo.get(s, {}).get(p, ()))

    def value(self, s: Any, p: ox.NamedNode) -> Any:
        found = self.spo.get(s, {}).get(p)
        return found[0] if found else None

    def subjects(self, p: ox.NamedNode, o: Any = None) -> list[Any]:
        by_o = self.pos.get(p, {})
        if o is not None:
            return list(by_o.get(o, ()))
        return list(dict.fromkeys(s for subjects in by_o.values() for s in subjects))

    def items(self, node: Any, where: str) -> list[Any]:
        """The members of the RDF list ``node``."""
        out, seen = [], set()
        while node != RDF_NIL:
            if node in seen or not isinstance(node, (ox.BlankNode, ox.NamedNode)):
                raise ShapesError(f"{where}: malformed RDF list")
            seen.add(node)
            first, rest = self.objects(node, RDF_FIRST), self.objects(node, RDF_REST)
            if len(first) != 1 or len(rest) != 1:
                raise ShapesError(f"{where}: malformed RDF list")
            out.append(first[0])
            node = rest[0]
        return out


# ================================================================ SPARQL text helpers


def _nt(term: Any) -> str:
    """A term as SPARQL text (N-Triples syntax is valid SPARQL for IRIs and literals)."""
    if isinstance(term, ox.BlankNode):
        raise ShapesError(f"a blank node (_:{term.value}) cannot be written into a query")
    return str(term)


def _string(text: str) -> str:
    """A SPARQL string literal for ``text``."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _show(node: Any) -> str:
    return f"_:{node.value}" if isinstance(node, ox.BlankNode) else str(node)


class _Names:
    """Fresh variable names, unique within everything compiled from one shapes graph."""

    def __init__(self) -> None:
        self._n = 0

    def __call__(self, hint: str = "v") -> str:
        self._n += 1
        return f"?_{hint}{self._n}"


# Markers in the compiled queries, replaced when they run:
# \x00V<classes>\x00 / \x00I<classes>\x00: the classes and their subclasses in the data
# graph, as a VALUES list (to enumerate instances) or an IN list (to test one node);
# \x02: the focus nodes;
# \x03<datatype> <variable>\x03: the stored xsd:integer values written with that (integer)
# datatype, when the statements as written are known (see _Written), else true.
_CLASSES = re.compile("\x00([VI])([^\x00]*)\x00")
_FOCUS = "\x02"
_WRITTEN_TYPE = re.compile("\x03(\\S+) ([^\x03]+)\x03")


def _classes(classes: Sequence[ox.NamedNode], kind: str) -> str:
    return "\x00" + kind + " ".join(sorted(_nt(c) for c in classes)) + "\x00"


def _instances(var: str, classes: Sequence[ox.NamedNode], names: _Names) -> str:
    """A group pattern binding ``var`` to every SHACL instance of ``classes``
    (rdf:type/rdfs:subClassOf* in the data graph), maybe more than once."""
    t = names("t")
    return f"{var} <{_RDF}type> {t} . VALUES {t} {{ {_classes(classes, 'V')} }}"


def _is_instance(var: str, classes: Sequence[ox.NamedNode], names: _Names) -> str:
    """A group pattern that matches when the (bound) ``var`` is a SHACL instance of ``classes``."""
    t = names("t")
    return f"{var} <{_RDF}type> {t} . FILTER({t} IN ({_classes(classes, 'I')}))"


# ================================================================ compiled shapes


@dataclass(frozen=True)
class _Targets:
    classes: tuple[ox.NamedNode, ...] = ()
    nodes: tuple[Term, ...] = ()
    subjects_of: tuple[ox.NamedNode, ...] = ()
    objects_of: tuple[ox.NamedNode, ...] = ()
    # the value nodes, by a path (SPARQL text), of the focus nodes of other targets: the
    # focus nodes of a property shape's sh:property (validated once per focus node of the
    # outer shape that reaches them: see _routes)
    via: tuple[_Targets, str] | None = None

    def key(self) -> tuple:
        return (
            frozenset(self.classes),
            frozenset(self.nodes),
            frozenset(self.subjects_of),
            frozenset(self.objects_of),
            (self.via[0].key(), self.via[1]) if self.via else None,
        )

    def _parts(self, names: _Names, test: bool, var: str) -> list[str]:
        parts = []
        if self.classes:
            parts.append((_is_instance if test else _instances)(var, self.classes, names))
        parts += [f"{var} {_nt(p)} {names('o')} ." for p in self.subjects_of]
        parts += [f"{names('s')} {_nt(p)} {var} ." for p in self.objects_of]
        if self.nodes:
            parts.append(f"VALUES {var} {{ " + " ".join(_nt(n) for n in self.nodes) + " }")
        if self.via:
            outer, path = self.via
            f = names("f")
            if test:
                parts.append(f"{f} {path} {var} . {outer.test(names, f)}")
            else:
                parts.append(f"{outer.enumerate(names, var=f)} {f} {path} {var} .")
        return parts

    def enumerate(self, names: _Names, distinct: bool = True, var: str = "?this") -> str:
        """A group pattern binding ``var`` to each target (once, or maybe more often)."""
        union = " UNION ".join("{ " + p + " }" for p in self._parts(names, False, var))
        if distinct or self.subjects_of or self.objects_of or self.via:  # a subject has many values
            return f"{{ SELECT DISTINCT {var} WHERE {{ {union} }} }}"
        return union

    def test(self, names: _Names, var: str = "?this") -> str:
        """A group pattern that matches when the (bound) ``var`` is a target."""
        return " UNION ".join("{ " + p + " }" for p in self._parts(names, True, var))

    def drive(self, names: _Names, focus: bool, distinct: bool = True) -> str:
        """?this bound to the targets: all of them, or the focus nodes that are targets."""
        if focus:
            return f"VALUES ?this {{ {_FOCUS} }} FILTER EXISTS {{ {self.test(names)} }}"
        return self.enumerate(names, distinct)


@dataclass(frozen=True)
class _Component:
    """A constraint component declared in the shapes graph (SHACL-SPARQL)."""

    node: Any
    params: tuple[tuple[ox.NamedNode, str, bool], ...]  # (sh:path, variable name, sh:optional)
    validators: dict[str, tuple[Any, ...]]  # by kind: validator, nodeValidator, propertyValidator


@dataclass
class _Shape:
    node: Any
    is_property: bool
    name: str
    path: Any = None  # the sh:path term
    path_sparql: str = ""  # the path as a SPARQL property path
    path_triples: tuple[ox.Triple, ...] = ()
    severity: ox.NamedNode = SH_VIOLATION
    messages: tuple[ox.Literal, ...] = ()
    deactivated: bool = False
    targets: _Targets = field(default_factory=_Targets)


@dataclass(frozen=True)
class _Check:
    """One constraint of one shape, as an expression over one node (the value or the focus)."""

    shape: _Shape
    component: str  # local name, e.g. ClassConstraintComponent
    expr: str  # SPARQL boolean expression: the node conforms
    detail: str = ""  # for default messages
    members: str | None = None  # a group pattern binding ?value to conforming nodes (class checks)
    value_is_focus: bool = False  # the result's sh:value is the focus node (node shapes)


_SUPPORTED = {
    "class", "datatype", "nodeKind", "pattern", "flags", "languageIn", "in", "hasValue",
    "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "minLength", "maxLength",
    "node", "or", "and", "not", "xone", "property", "minCount", "maxCount",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint",
    "uniqueLang", "lessThan", "lessThanOrEquals", "equals", "disjoint", "closed", "ignoredProperties",
    "sparql", "path", "severity", "message", "deactivated", "name", "description", "order", "group",
    "defaultValue", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "declare",
    "prefixes", "select", "prefix", "namespace",
}  # fmt: skip
_NOT_CONSTRAINTS = {
    "path", "severity", "message", "deactivated", "name", "description", "order", "group", "defaultValue",
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "declare", "prefixes", "flags",
}  # fmt: skip
_NEEDS_PATH = ("minCount", "maxCount", "qualifiedValueShape", "uniqueLang", "lessThan", "lessThanOrEquals",
               "equals", "disjoint")  # fmt: skip

# datatypes whose ill-typed literals fail sh:datatype: the store parses their literals (and
# keeps an ill-typed one as written), and a cast fails on an ill-typed literal
_CASTABLE = {
    _XSD + n
    for n in ("integer", "decimal", "float", "double", "boolean", "date", "dateTime", "time",
              "duration", "dayTimeDuration", "yearMonthDuration",
              "gYear", "gYearMonth", "gMonth", "gDay", "gMonthDay")
}  # fmt: skip
# integer-derived datatypes (the store turns them into xsd:integer): their value space
_INTEGER_RANGES = {
    _XSD + "nonNegativeInteger": (0, None),
    _XSD + "positiveInteger": (1, None),
    _XSD + "nonPositiveInteger": (None, 0),
    _XSD + "negativeInteger": (None, -1),
    _XSD + "long": (-(2**63), 2**63 - 1),
    _XSD + "int": (-(2**31), 2**31 - 1),
    _XSD + "short": (-(2**15), 2**15 - 1),
    _XSD + "byte": (-128, 127),
    _XSD + "unsignedLong": (0, 2**64 - 1),
    _XSD + "unsignedInt": (0, 2**32 - 1),
    _XSD + "unsignedShort": (0, 2**16 - 1),
    _XSD + "unsignedByte": (0, 255),
}
_NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})",
    "BlankNodeOrLiteral": "!isIRI({v})",
    "IRIOrLiteral": "!isBlank({v})",
}
_RANGES = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
_PAIRS = {"lessThan": "<", "lessThanOrEquals": "<="}
_NODE_PAIRS = ("equals", "disjoint")  # the pairs a node shape can have: its value node is the focus node

# used only for shapes without sh:message (every shape of ontology/shapes.ttl has one)
_DEFAULT_MESSAGES = {
    "MinCountConstraintComponent": "Less than {detail} values",
    "MaxCountConstraintComponent": "More than {detail} values",
    "ClassConstraintComponent": "Value does not have class {detail}",
    "DatatypeConstraintComponent": "Value is not Literal with datatype {detail}",
    "NodeKindConstraintComponent": "Value is not of Node Kind {detail}",
    "PatternConstraintComponent": "Value does not match pattern '{detail}'",
    "LanguageInConstraintComponent": "String language is not in {detail}",
    "InConstraintComponent": "Value not in list {detail}",
    "HasValueConstraintComponent": "Value {detail} is missing",
    "NodeConstraintComponent": "Value does not conform to Shape {detail}",
    "OrConstraintComponent": "Node does not conform to one or more shapes in {detail}",
    "AndConstraintComponent": "Node does not conform to all shapes in {detail}",
    "NotConstraintComponent": "Node conforms to shape {detail}",
    "XoneConstraintComponent": "Node does not conform to exactly one shape in {detail}",
    "QualifiedMinCountConstraintComponent": "Focus node does not conform to shape {detail}",
    "QualifiedMaxCountConstraintComponent": "Focus node conforms to too many values of shape {detail}",
    "UniqueLangConstraintComponent": "More than one String shares the same Language",
    "ClosedConstraintComponent": "Node has a property not allowed by the closed shape",
    "SPARQLConstraintComponent": "The SPARQL constraint {detail} is not met",
}


def _local(component: str) -> str:
    return component[0].upper() + component[1:] + "ConstraintComponent"


class Shapes:
    """A shapes graph compiled into SPARQL queries: immutable, reusable from any thread."""

    def __init__(self, triples: Iterable[Any]) -> None:
        self._g = _Graph(triples)
        self._names = _Names()
        self._shapes: dict[Any, _Shape] = {}
        self._stack: list[Any] = []
        # declared constraint components: run when a shape uses them (SHACL-SPARQL
        # validators), or refused by name; their parameters are not sh: terms, so a shape
        # using one would otherwise pass unchecked
        self._component_list = self._components()
        jobs: list[_Job] = []
        self._compile(jobs)
        self._check_regexes()
        self._jobs = tuple(jobs)
        class_sets = {m.group(2) for job in jobs for text in (job.full, job.focus) for m in _CLASSES.finditer(text)}
        self._class_sets = tuple(sorted(class_sets))
        self._written = self._written_forms()
        del self._stack

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Shapes:
        """Parse a Turtle shapes file (ontology/shapes.ttl) with pyoxigraph and compile it."""
        return cls(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))

    @classmethod
    def from_text(cls, text: str | bytes, format: ox.RdfFormat = ox.RdfFormat.TURTLE) -> Shapes:
        return cls(ox.parse(text, format=format))

    def queries(self, focus: bool = False) -> list[tuple[str, str]]:
        """(what, SPARQL text with its markers) of every query, for inspection."""
        return [(job.label, job.focus if focus else job.full) for job in self._jobs]

    # ------------------------------------------------------------ shapes

    def _shape(self, node: Any) -> _Shape:
        found = self._shapes.get(node)
        if found is not None:
            return found
        g = self._g
        name = _show(node)
        for p in g.spo.get(node, {}):
            if p.value.startswith(_SH) and p.value[len(_SH) :] not in _SUPPORTED:
                raise ShapesError(f"shape {name}: sh:{p.value[len(_SH):]} is not supported by kg.shacl.shapes")
        paths = g.objects(node, _sh("path"))
        if len(paths) > 1:
            raise ShapesError(f"shape {name}: more than one sh:path")
        shape = _Shape(node=node, is_property=bool(paths), name=name)
        if paths:
            shape.path = paths[0]
            triples: list[ox.Triple] = []
            shape.path_sparql = self._path(paths[0], name, triples)
            shape.path_triples = tuple(triples)
        severity = g.value(node, _sh("severity"))
        if severity is not None:
            if not isinstance(severity, ox.NamedNode):
                raise ShapesError(f"shape {name}: sh:severity must be an IRI")
            shape.severity = severity
        shape.messages = tuple(m for m in g.objects(node, _sh("message")) if isinstance(m, ox.Literal))
        shape.deactivated = _true(g.objects(node, _sh("deactivated")))
        implicit = isinstance(node, ox.NamedNode) and bool({RDFS_CLASS, OWL_CLASS} & set(g.objects(node, RDF_TYPE)))
        shape.targets = _Targets(
            classes=tuple(g.objects(node, _sh("targetClass"))) + ((node,) if implicit else ()),
            nodes=tuple(g.objects(node, _sh("targetNode"))),
            subjects_of=tuple(g.objects(node, _sh("targetSubjectsOf"))),
            objects_of=tuple(g.objects(node, _sh("targetObjectsOf"))),
        )
        for t in shape.targets.classes + shape.targets.subjects_of + shape.targets.objects_of:
            if not isinstance(t, ox.NamedNode):
                raise ShapesError(f"shape {name}: the target {_show(t)} must be an IRI")
        for target in shape.targets.nodes:
            if isinstance(target, ox.BlankNode):
                raise ShapesError(f"shape {name}: sh:targetNode {_show(target)} is a blank node")
        self._shapes[node] = shape
        return shape

    def _path(self, path: Any, where: str, triples: list[ox.Triple] | None = None) -> str:
        """A SHACL property path as a SPARQL property path; ``triples`` receives the triples
        that describe it as read (for the report: a path node's other triples are not part
        of the path, as in the W3C suite's path-strange tests)."""
        g = self._g
        out = triples if triples is not None else []
        if isinstance(path, ox.NamedNode):
            return _nt(path)
        if not isinstance(path, ox.BlankNode):
            raise ShapesError(f"shape {where}: sh:path must be an IRI or a blank node")
        if g.objects(path, RDF_FIRST):
            items = g.items(path, f"shape {where}: sh:path")
            if len(items) < 2:
                raise ShapesError(f"shape {where}: a sequence path needs two members")
            out.extend(_list_triples(g, path))
            return "(" + "/".join(self._path(i, where, out) for i in items) + ")"
        alternatives = g.value(path, _sh("alternativePath"))
        if alternatives is not None:
            out.append(ox.Triple(path, _sh("alternativePath"), alternatives))
            out.extend(_list_triples(g, alternatives))
            members = g.items(alternatives, f"shape {where}: sh:path")
            return "(" + "|".join(self._path(i, where, out) for i in members) + ")"
        for kind, op in (("inversePath", "^"), ("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
            value = g.value(path, _sh(kind))
            if value is not None:
                out.append(ox.Triple(path, _sh(kind), value))
                inner = self._path(value, where, out)
                return f"^({inner})" if op == "^" else f"({inner}){op}"
        raise ShapesError(f"shape {where}: unknown kind of sh:path")

    def _params(self, shape: _Shape, local: str) -> list[Any]:
        return self._g.objects(shape.node, _sh(local))

    def _enter(self, shape: _Shape) -> None:
        if shape.node in self._stack:
            raise ShapesError(f"shape {shape.name}: recursive shapes are not supported")
        self._stack.append(shape.node)

    # ------------------------------------------------------------ value checks

    def _value_checks(self, shape: _Shape, var: str) -> list[_Check]:
        """The checks of ``shape`` that apply to each value node alone (bound to ``var``)."""
        g, name, names = self._g, shape.name, self._names
        checks: list[_Check] = []

        def add(local: str, expr: str, detail: str = "", members: str | None = None) -> None:
            checks.append(_Check(shape, _local(local), expr, detail, members))

        for c in self._params(shape, "class"):
            if not isinstance(c, ox.NamedNode):
                raise ShapesError(f"shape {name}: sh:class {_show(c)} must be an IRI")
            add("class", f"EXISTS {{ {_is_instance(var, [c], names)} }}", _show(c), _instances(var, [c], names))
        datatypes = self._params(shape, "datatype")
        if len(datatypes) > 1:
            raise ShapesError(f"shape {name}: more than one sh:datatype")
        for dt in datatypes:
            add("datatype", _datatype_expr(dt, var, name), _show(dt))
        for kind in self._params(shape, "nodeKind"):
            local = kind.value[len(_SH) :] if isinstance(kind, ox.NamedNode) and kind.value.startswith(_SH) else ""
            if local not in _NODE_KINDS:
                raise ShapesError(f"shape {name}: unknown sh:nodeKind {_show(kind)}")
            add("nodeKind", _NODE_KINDS[local].format(v=var), _show(kind))
        flags = self._params(shape, "flags")
        flag_text = str(flags[0].value) if flags else ""
        for pattern in self._params(shape, "pattern"):
            if not isinstance(pattern, ox.Literal):
                raise ShapesError(f"shape {name}: sh:pattern must be a literal")
            expr = f"(!isBlank({var}) && REGEX(STR({var}), {_string(pattern.value)}, {_string(flag_text)}))"
            add("pattern", expr, pattern.value)
        for lst in self._params(shape, "languageIn"):
            langs = g.items(lst, f"shape {name}: sh:languageIn")
            if not all(isinstance(x, ox.Literal) for x in langs):
                raise ShapesError(f"shape {name}: sh:languageIn members must be strings")
            tests = " || ".join(f"langMatches(lang({var}), {_string(x.value)})" for x in langs) or "false"
            add("languageIn", f"(isLiteral({var}) && ({tests}))", str([x.value for x in langs]))
        for lst in self._params(shape, "in"):
            values = g.items(lst, f"shape {name}: sh:in")
            tests = " || ".join(f"sameTerm({var}, {_nt(x)})" for x in values) or "false"
            add("in", f"({tests})", str([_show(x) for x in values]))
        if not shape.is_property:
            for v in self._params(shape, "hasValue"):
                add("hasValue", f"sameTerm({var}, {_nt(v)})", _show(v))
        for local, op in _RANGES.items():
            for bound in self._params(shape, local):
                if not isinstance(bound, ox.Literal):
                    raise ShapesError(f"shape {name}: sh:{local} must be a literal")
                # a value that cannot be compared is a result (the spec; pySHACL agrees)
                add(local, f"COALESCE({var} {op} {_nt(bound)}, false)", bound.value)
        for local, op in (("minLength", ">="), ("maxLength", "<=")):
            for n in self._params(shape, local):
                expr = f"(!isBlank({var}) && STRLEN(STR({var})) {op} {_int(n, name, local)})"
                add(local, expr, str(n.value))
        for s in self._params(shape, "node"):
            members = self._members(s, var)
            add("node", self._conforms(s, var), _show(s), members)
        for local in ("or", "and", "xone"):
            for lst in self._params(shape, local):
                nodes = g.items(lst, f"shape {name}: sh:{local}")
                parts = [self._conforms(s, var) for s in nodes]
                members = None
                if local == "or":
                    expr = "(" + (" || ".join(parts) or "false") + ")"
                    found = [self._members(s, var) for s in nodes]
                    if nodes and all(found):
                        members = " UNION ".join("{ " + m + " }" for m in found if m)
                elif local == "and":
                    expr = "(" + (" && ".join(parts) or "true") + ")"
                else:
                    expr = "((" + (" + ".join(f"IF({p}, 1, 0)" for p in parts) or "0") + ") = 1)"
                add(local, expr, str([_show(s) for s in nodes]), members)
        for s in self._params(shape, "not"):
            add("not", f"!({self._conforms(s, var)})", _show(s))
        return checks

    def _conforms(self, node: Any, var: str) -> str:
        """A SPARQL expression: the node bound to ``var`` conforms to the shape ``node``."""
        shape = self._shape(node)
        if shape.deactivated:
            return "true"
        for comp, _ in self._uses(shape):
            raise ShapesError(f"shape {shape.name}: constraint component {_show(comp.node)} in a nested shape is not supported")
        self._enter(shape)
        try:
            if shape.is_property:
                parts = self._property_conforms(shape, var)
            else:
                for local in _NEEDS_PATH:
                    if local not in _NODE_PAIRS and self._params(shape, local):
                        raise ShapesError(f"shape {shape.name}: sh:{local} needs a sh:path")
                if self._params(shape, "sparql"):
                    raise ShapesError(f"shape {shape.name}: sh:sparql in a nested shape is not supported")
                parts = [c.expr for c in self._value_checks(shape, var)]
                parts += [f"NOT EXISTS {{ {_node_pair_violation(local, var, p2, self._names('x'))} }}" for local, p2 in self._pair_params(shape)]
                parts += [self._conforms(p, var) for p in self._params(shape, "property")]
                if _true(self._params(shape, "closed")):
                    parts.append(f"NOT EXISTS {{ {self._closed_violation(shape, var)} }}")
        finally:
            self._stack.pop()
        return "(" + (" && ".join(f"COALESCE({p}, false)" for p in parts) or "true") + ")"

    def _members(self, node: Any, var: str) -> str | None:
        """A group pattern binding ``var`` to exactly the nodes that conform to the shape
        ``node`` (maybe more than once), when the shape is made of class memberships and
        required values only (kg:IsState, sh:or of those, kg:InTopicsScheme); else None.
        Used as the right side of an anti-join."""
        shape = self._shape(node)
        if shape.deactivated:
            return None
        constraints = self._constraints(shape)
        if shape.is_property:
            # values that must be there: sh:hasValue, sh:minCount 1 and nothing else
            if not constraints or constraints - {"hasValue", "minCount"}:
                return None
            if any(_int(n, shape.name, "minCount") != 1 for n in self._params(shape, "minCount")):
                return None
            parts = [f"{var} {shape.path_sparql} {_nt(v)} ." for v in self._params(shape, "hasValue")]
            if self._params(shape, "minCount") and not parts:
                parts.append(f"{var} {shape.path_sparql} {self._names('x')} .")
            return " ".join("{ " + p + " }" for p in parts)
        if not constraints or constraints - {"class", "node", "or", "property"}:
            return None
        self._enter(shape)
        try:
            parts = [_instances(var, [c], self._names) for c in self._params(shape, "class")]
            for s in self._params(shape, "node") + self._params(shape, "property"):
                found = self._members(s, var)
                if found is None:
                    return None
                parts.append(found)
            for lst in self._params(shape, "or"):
                alternatives = [self._members(s, var) for s in self._g.items(lst, f"shape {shape.name}: sh:or")]
                if not alternatives or not all(alternatives):
                    return None
                parts.append(" UNION ".join("{ " + m + " }" for m in alternatives if m))
        finally:
            self._stack.pop()
        return " ".join("{ " + p + " }" for p in parts)

    def _constraints(self, shape: _Shape) -> set[str]:
        """The local names of the constraint parameters the shape has."""
        return {p.value[len(_SH) :] for p in self._g.spo.get(shape.node, {}) if p.value.startswith(_SH)} - _NOT_CONSTRAINTS

    def _distinct_values(self, var: str, path: str, n: int, condition: Callable[[str], str] | None = None) -> str:
        """A group pattern that matches when ``var`` has ``n`` distinct values via ``path``."""
        vs = [self._names("y") for _ in range(n)]
        pattern = " ".join(f"{var} {path} {v} ." for v in vs)
        filters = [f"!sameTerm({a}, {b})" for i, a in enumerate(vs) for b in vs[i + 1 :]]
        if condition is not None:
            filters.extend(condition(v) for v in vs)
        return pattern + (f" FILTER({' && '.join(filters)})" if filters else "")

    def _property_conforms(self, shape: _Shape, var: str) -> list[str]:
        """The conditions for ``var`` to conform to the property shape, as expressions."""
        name, path = shape.name, shape.path_sparql
        parts = []
        y = self._names("y")
        value_checks = [c.expr for c in self._value_checks(shape, y)]
        value_checks += [self._conforms(p, y) for p in self._params(shape, "property")]
        if value_checks:
            ok = " && ".join(f"COALESCE({e}, false)" for e in value_checks)
            parts.append(f"NOT EXISTS {{ {var} {path} {y} . FILTER(!({ok})) }}")
        for n in self._params(shape, "minCount"):
            k = _int(n, name, "minCount")
            if k > 0:
                parts.append(f"EXISTS {{ {self._distinct_values(var, path, _small(k, name, 'minCount'))} }}")
        for n in self._params(shape, "maxCount"):
            k = _int(n, name, "maxCount") + 1
            parts.append(f"NOT EXISTS {{ {self._distinct_values(var, path, _small(k, name, 'maxCount'))} }}")
        for v in self._params(shape, "hasValue"):
            parts.append(f"EXISTS {{ {var} {path} {_nt(v)} }}")
        qualified = self._qualified(shape)
        if qualified is not None:
            for n in self._params(shape, "qualifiedMinCount"):
                k = _int(n, name, "qualifiedMinCount")
                if k > 0:
                    vs = self._distinct_values(var, path, _small(k, name, "qualifiedMinCount"), qualified)
                    parts.append(f"EXISTS {{ {vs} }}")
            for n in self._params(shape, "qualifiedMaxCount"):
                k = _int(n, name, "qualifiedMaxCount") + 1
                vs = self._distinct_values(var, path, _small(k, name, "qualifiedMaxCount"), qualified)
                parts.append(f"NOT EXISTS {{ {vs} }}")
        if _true(self._params(shape, "uniqueLang")):
            a, b = self._names("a"), self._names("b")
            parts.append(f"NOT EXISTS {{ {var} {path} {a} . {var} {path} {b} . FILTER({_same_lang(a, b)}) }}")
        for local, p2 in self._pair_params(shape):
            v = self._names("x")
            parts.append(f"NOT EXISTS {{ {_pair_violation(local, var, path, p2, v, self._names('w'))} }}")
        if self._params(shape, "sparql"):
            raise ShapesError(f"shape {name}: sh:sparql in a nested shape is not supported")
        if self._params(shape, "closed"):
            raise ShapesError(f"shape {name}: sh:closed on a property shape is not supported")
        return parts

    def _qualified(self, shape: _Shape) -> Callable[[str], str] | None:
        """The condition (an expression over a variable) for a value to count towards the
        shape's sh:qualifiedMinCount/MaxCount, or None without sh:qualifiedValueShape."""
        qualified = self._params(shape, "qualifiedValueShape")
        if not qualified:
            if self._params(shape, "qualifiedMinCount") or self._params(shape, "qualifiedMaxCount"):
                raise ShapesError(f"shape {shape.name}: sh:qualifiedMinCount/MaxCount without sh:qualifiedValueShape")
            return None
        if len(qualified) > 1:
            raise ShapesError(f"shape {shape.name}: more than one sh:qualifiedValueShape")
        siblings = []
        if _true(self._params(shape, "qualifiedValueShapesDisjoint")):
            # the qualified value shapes of the other property shapes of the shapes that have
            # this one as sh:property: a value that conforms to one of them does not count
            for parent in self._g.subjects(_sh("property"), shape.node):
                for sibling in self._g.objects(parent, _sh("property")):
                    for s in self._g.objects(sibling, _sh("qualifiedValueShape")):
                        if s != qualified[0] and s not in siblings:
                            siblings.append(s)

        def condition(var: str) -> str:
            parts = [self._conforms(qualified[0], var)] + [f"!{self._conforms(s, var)}" for s in siblings]
            return " && ".join(parts)

        return condition

    def _pair_params(self, shape: _Shape) -> list[tuple[str, str]]:
        out = []
        for local in ("lessThan", "lessThanOrEquals", "equals", "disjoint"):
            for p2 in self._params(shape, local):
                if not isinstance(p2, ox.NamedNode):
                    raise ShapesError(f"shape {shape.name}: sh:{local} must be an IRI")
                out.append((local, _nt(p2)))
        return out

    def _closed_allowed(self, shape: _Shape) -> list[Any]:
        allowed = []
        for p in self._params(shape, "property"):
            path = self._shape(p).path
            if isinstance(path, ox.NamedNode):
                allowed.append(path)
        for lst in self._params(shape, "ignoredProperties"):
            allowed.extend(self._g.items(lst, f"shape {shape.name}: sh:ignoredProperties"))
        return allowed

    def _closed_violation(self, shape: _Shape, var: str, p: str = "", o: str = "") -> str:
        """A group pattern: ``var`` has a property that the closed shape does not allow."""
        p, o = p or self._names("p"), o or self._names("o")
        tests = " || ".join(f"sameTerm({p}, {_nt(a)})" for a in self._closed_allowed(shape)) or "false"
        return f"{var} {p} {o} . FILTER(!({tests}))"

    # ------------------------------------------------------------ top-level shapes

    def _compile(self, jobs: list[_Job]) -> None:
        g = self._g
        targeted = []
        for local in _TARGET_PREDICATES:
            targeted.extend(g.subjects(_sh(local)))
        for cls in (RDFS_CLASS, OWL_CLASS):
            for s in g.subjects(RDF_TYPE, cls):
                if {_sh("NodeShape"), _sh("PropertyShape")} & set(g.objects(s, RDF_TYPE)):
                    targeted.append(s)
        by_targets: dict[tuple, tuple[_Targets, list[_Check]]] = {}
        max_counts: dict[str, list[tuple[_Shape, _Targets, int]]] = {}
        value_checks: dict[str, list[tuple[_Shape, _Targets, list[_Check]]]] = {}
        for node in dict.fromkeys(targeted):
            shape = self._shape(node)
            if shape.deactivated:
                continue
            focus_checks = by_targets.setdefault(shape.targets.key(), (shape.targets, []))[1]
            if shape.is_property:
                self._compile_property(shape, shape.targets, jobs, focus_checks, max_counts, value_checks)
            else:
                self._compile_node(shape, jobs, focus_checks, max_counts, value_checks)
        for targets, checks in by_targets.values():
            if checks:
                jobs.append(_FocusJob(targets, checks, self._names))
        for path, entries in max_counts.items():
            jobs.append(_MaxCountJob(path, entries, self._names))
        for path, value_entries in value_checks.items():
            jobs.append(_ValueJob(path, value_entries, self._names))

    def _compile_node(
        self, shape: _Shape, jobs: list[_Job], focus_checks: list[_Check], max_counts: dict, value_checks: dict
    ) -> None:
        targets = shape.targets
        for local in _NEEDS_PATH:
            if local not in _NODE_PAIRS and self._params(shape, local):
                raise ShapesError(f"shape {shape.name}: sh:{local} on a node shape (it needs a sh:path)")
        for check in self._value_checks(shape, "?this"):
            # a missing sh:hasValue has no value node to report (the spec; the W3C suite's hasValue-001)
            focus = check.component != "HasValueConstraintComponent"
            focus_checks.append(replace(check, members=None, value_is_focus=focus))
        for local, p2 in self._pair_params(shape):
            jobs.append(_NodePairJob(shape, targets, local, p2, names=self._names))
        if _true(self._params(shape, "closed")):
            jobs.append(_ClosedJob(shape, targets, self, self._names))
        for constraint in self._params(shape, "sparql"):
            job = self._sparql_job(shape, targets, constraint)
            if job is not None:
                jobs.append(job)
        self._component_jobs(shape, targets, jobs)
        for p in self._params(shape, "property"):
            prop = self._shape(p)
            if not prop.is_property:
                raise ShapesError(f"shape {prop.name}: a value of sh:property needs a sh:path")
            if prop.deactivated:
                continue
            try:
                self._compile_property(prop, targets, jobs, focus_checks, max_counts, value_checks)
            except ShapesError as exc:
                if not isinstance(prop.node, ox.BlankNode):
                    raise
                raise ShapesError(f"{exc} (a property shape of {shape.name})") from exc

    def _compile_property(
        self,
        shape: _Shape,
        targets: _Targets,
        jobs: list[_Job],
        focus_checks: list[_Check],
        max_counts: dict,
        value_checks: dict,
    ) -> None:
        name, path, names = shape.name, shape.path_sparql, self._names
        for p in self._params(shape, "property"):
            # the value nodes are the focus nodes of the nested shape, whose results are
            # reported as its own (the spec's sh:property), once per route (see _routes)
            nested = self._shape(p)
            if not nested.is_property:
                raise ShapesError(f"shape {nested.name}: a value of sh:property needs a sh:path")
            if nested.deactivated:
                continue
            self._enter(shape)
            try:
                via = _Targets(via=(targets, path))
                self._compile_property(nested, via, jobs, focus_checks, max_counts, value_checks)
            finally:
                self._stack.pop()
        if self._params(shape, "closed"):
            raise ShapesError(f"shape {name}: sh:closed on a property shape is not supported")
        expression_checks = []
        for check in self._value_checks(shape, "?value"):
            if check.members is not None:
                jobs.append(_MembersJob(shape, targets, check, names))
            else:
                expression_checks.append(check)
        if expression_checks:
            value_checks.setdefault(path, []).append((shape, targets, expression_checks))
        for n in self._params(shape, "minCount"):
            k = _int(n, name, "minCount")
            if k == 1:
                present = f"?this {path} {names('x')} ."
                jobs.append(_AbsentJob(shape, targets, "MinCountConstraintComponent", present, str(k), names))
            elif k > 1:
                jobs.append(_CountJob(shape, targets, "MinCountConstraintComponent", "<", k, None, names))
        for n in self._params(shape, "maxCount"):
            max_counts.setdefault(path, []).append((shape, targets, _int(n, name, "maxCount")))
        for v in self._params(shape, "hasValue"):
            present = f"?this {path} {_nt(v)} ."
            jobs.append(_AbsentJob(shape, targets, "HasValueConstraintComponent", present, _show(v), names))
        qualified = self._qualified(shape)
        if qualified is not None:
            detail = _show(self._params(shape, "qualifiedValueShape")[0])
            for n in self._params(shape, "qualifiedMinCount"):
                k = _int(n, name, "qualifiedMinCount")
                if k == 1:
                    x = names("x")
                    present = f"?this {path} {x} . FILTER({qualified(x)})"
                    component = "QualifiedMinCountConstraintComponent"
                    jobs.append(_AbsentJob(shape, targets, component, present, detail, names))
                elif k > 1:
                    cond = qualified("?_qv")
                    jobs.append(_CountJob(shape, targets, "QualifiedMinCountConstraintComponent", "<", k, cond, names))
            for n in self._params(shape, "qualifiedMaxCount"):
                k = _int(n, name, "qualifiedMaxCount")
                cond = qualified("?_qv")
                jobs.append(_CountJob(shape, targets, "QualifiedMaxCountConstraintComponent", ">", k, cond, names))
        if _true(self._params(shape, "uniqueLang")):
            jobs.append(_UniqueLangJob(shape, targets, names))
        for local, p2 in self._pair_params(shape):
            jobs.append(_PairJob(shape, targets, local, p2, names))
        for constraint in self._params(shape, "sparql"):
            job = self._sparql_job(shape, targets, constraint)
            if job is not None:
                jobs.append(job)
        self._component_jobs(shape, targets, jobs)

    # ------------------------------------------------------------ SHACL-SPARQL

    def _sparql_job(self, shape: _Shape, targets: _Targets, constraint: Any) -> _Job | None:
        g, name = self._g, shape.name
        where = f"shape {name}, SPARQL constraint {_show(constraint)}"
        if _true(g.objects(constraint, _sh("deactivated"))):
            return None
        # a shape may be its own constraint (the W3C suite's sparql-002): its other sh:
        # properties are the shape's, checked as such
        if constraint != shape.node:
            self._only(constraint, ("select", "prefixes", "message", "deactivated"), where)
        selects = g.objects(constraint, _sh("select"))
        if len(selects) != 1 or not isinstance(selects[0], ox.Literal):
            raise ShapesError(f"{where}: needs exactly one sh:select")
        messages = tuple(m for m in g.objects(constraint, _sh("message")) if isinstance(m, ox.Literal))
        return self._select_job(
            shape, targets, selects[0].value, self._prologue(constraint, where), {}, where,
            label=f"SPARQL {_show(constraint)} of {name}", component=_sh("SPARQLConstraintComponent"),
            constraint=constraint, messages=messages,
        )  # fmt: skip

    def _only(self, node: Any, allowed: tuple[str, ...], where: str) -> None:
        """Refuse the sh: properties of ``node`` this module does not implement."""
        for p in self._g.spo.get(node, {}):
            if p.value.startswith(_SH) and p.value[len(_SH) :] not in allowed:
                raise ShapesError(f"{where}: sh:{p.value[len(_SH):]} is not supported")

    def _prologue(self, node: Any, where: str) -> str:
        """PREFIX declarations for the query of ``node``: its sh:prefixes, with what those
        import by owl:imports, as declared in the shapes graph itself (an import is never
        fetched)."""
        g = self._g
        prefixes = {"rdf": _RDF, "rdfs": _RDFS, "owl": _OWL}  # pySHACL's defaults
        declared: dict[str, str] = {}
        todo, seen = list(g.objects(node, _sh("prefixes"))), set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            todo.extend(g.objects(n, OWL_IMPORTS))
            for dec in g.objects(n, _sh("declare")):
                pfx, ns = g.objects(dec, _sh("prefix")), g.objects(dec, _sh("namespace"))
                if len(pfx) != 1 or len(ns) != 1 or not isinstance(pfx[0], ox.Literal) or not isinstance(ns[0], ox.Literal):
                    raise ShapesError(f"{where}: malformed sh:declare {_show(dec)}")
                if declared.get(pfx[0].value, ns[0].value) != ns[0].value:
                    raise ShapesError(f"{where}: the prefix {pfx[0].value}: is declared with two namespaces")
                declared[pfx[0].value] = ns[0].value
        prefixes.update(declared)
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())

    def _prebound(self, shape: _Shape, text: str, constants: dict[str, Any], where: str) -> tuple[str, dict[str, Any]]:
        """The query with $PATH substituted, and the constants it is pre-bound with
        ($currentShape and the parameters of a constraint component): $this is bound by the
        targets, $shapesGraph is refused (the shapes graph is not in the data store)."""
        if re.search(r"[$?]shapesGraph\b", text):
            raise ShapesError(f"{where}: $shapesGraph is not supported (the shapes graph is not queried)")
        constants = dict(constants)
        if re.search(r"[$?]currentShape\b", text):
            if not isinstance(shape.node, ox.NamedNode):
                raise ShapesError(f"{where}: $currentShape of a blank node shape cannot be written into a query")
            constants["currentShape"] = shape.node
        if re.search(r"[$?]PATH\b", text):
            if not shape.is_property:
                raise ShapesError(f"{where}: $PATH in a node shape")
            # pre-binding of $PATH: the path itself, as pySHACL substitutes it
            text = re.sub(r"([\s{}()])[$?]PATH\b", lambda m: m.group(1) + shape.path_sparql, text)
        for name, term in constants.items():
            if isinstance(term, ox.BlankNode):
                raise ShapesError(f"{where}: ${name} is a blank node, which cannot be written into a query")
        return text, constants

    def _select_job(
        self,
        shape: _Shape,
        targets: _Targets,
        text: str,
        prologue: str,
        constants: dict[str, Any],
        where: str,
        *,
        label: str,
        component: ox.NamedNode,
        constraint: Any,
        messages: tuple[ox.Literal, ...],
    ) -> _Job:
        text, constants = self._prebound(shape, text, constants, where)
        prebound = frozenset({"this", "shapesGraph", "currentShape", *constants})
        query = _SparqlQuery.parse(text, where, prebound, frozenset({"this", *constants}), prologue)
        values = _constants(constants)
        names = self._names
        if query.lateral:
            # pre-binding where a join cannot give it ($this in a union's branch, an inner
            # group's filter, a sub-query): the query runs once per target, with every
            # occurrence of the pre-bound variables substituted (LATERAL)
            def text_for(drive: str) -> str:
                return f"{prologue}{query.prologue}SELECT * WHERE {{ {drive} {values} LATERAL {{ {query.lateral_select} }} }}"

            full, focus = text_for(targets.enumerate(names)), text_for(targets.drive(names, True))
        else:
            # the target first in the WHERE group: $this is bound before anything else is
            # evaluated, as pre-binding binds it. For all targets the regrouped body (see
            # _regroup); for a few focus nodes the body as written, driven by the VALUES.
            full = f"{prologue}{query.head}{{ {values} {targets.enumerate(names)} {query.regrouped} }} {query.tail}"
            drive = targets.drive(names, True)
            first = f"{{ SELECT * WHERE {{ {drive} {query.star} }} }}" if query.star else drive
            focus = f"{prologue}{query.head}{{ {values} {first} {query.body} }} {query.tail}"
        return _SparqlJob(shape, targets, label, component, constraint, messages, constants, full, focus)

    # ------------------------------------------------------------ constraint components

    def _components(self) -> list[_Component]:
        """The constraint components the shapes graph declares: instances of
        sh:ConstraintComponent or of its subclasses (rdfs:subClassOf* in the shapes graph)."""
        g = self._g
        classes, todo = {_sh("ConstraintComponent")}, [_sh("ConstraintComponent")]
        while todo:
            for sub in g.subjects(RDFS_SUBCLASSOF, todo.pop()):
                if sub not in classes:
                    classes.add(sub)
                    todo.append(sub)
        out = []
        for node in dict.fromkeys(n for c in classes for n in g.subjects(RDF_TYPE, c)):
            if isinstance(node, ox.NamedNode) and node.value.startswith(_SH):
                continue  # SHACL's own components, built in
            where = f"constraint component {_show(node)}"
            params = []
            for p in g.objects(node, _sh("parameter")):
                path = g.value(p, _sh("path"))
                if not isinstance(path, ox.NamedNode):
                    raise ShapesError(f"{where}: a parameter's sh:path must be an IRI")
                local = re.search(r"[A-Za-z_][A-Za-z0-9_]*$", path.value)
                if local is None:
                    raise ShapesError(f"{where}: the parameter {_show(path)} has no local name to be a variable")
                params.append((path, local.group(), _true(g.objects(p, _sh("optional")))))
            if all(optional for _, _, optional in params):
                raise ShapesError(f"{where}: no mandatory parameter (a shape could not tell that it uses it)")
            validators = {k: tuple(g.objects(node, _sh(k))) for k in ("validator", "nodeValidator", "propertyValidator")}
            out.append(_Component(node, tuple(params), validators))
        return out

    def _uses(self, shape: _Shape) -> list[tuple[_Component, list[dict[str, Any]]]]:
        """The constraint components the shape uses (it has a value for each mandatory
        parameter), each with its parameter bindings (one per combination of values)."""
        out = []
        for comp in self._component_list:
            values = {var: self._g.objects(shape.node, path) for path, var, _ in comp.params}
            if not all(values[var] for _, var, optional in comp.params if not optional):
                continue
            bindings: list[dict[str, Any]] = [{}]
            for var, found in values.items():
                bindings = [dict(b, **{var: v}) for b in bindings for v in found] if found else bindings
            out.append((comp, bindings))
        return out

    def _component_jobs(self, shape: _Shape, targets: _Targets, jobs: list[_Job]) -> None:
        for comp, bindings in self._uses(shape):
            kind = "propertyValidator" if shape.is_property else "nodeValidator"
            where = f"shape {shape.name}, constraint component {_show(comp.node)}"
            validators = comp.validators[kind] or comp.validators["validator"]
            if len(validators) != 1:
                many = "more than one" if validators else "no"
                raise ShapesError(f"{where}: {many} sh:{kind} or sh:validator for it")
            validator = validators[0]
            self._only(validator, ("select", "ask", "prefixes", "message", "deactivated"), f"{where}, validator {_show(validator)}")
            if _true(self._g.objects(validator, _sh("deactivated"))):
                continue
            prologue = self._prologue(validator, where)
            messages = tuple(m for m in self._g.objects(validator, _sh("message")) if isinstance(m, ox.Literal))
            select, ask = self._g.value(validator, _sh("select")), self._g.value(validator, _sh("ask"))
            label = f"{_show(comp.node)} of {shape.name}"
            for binding in bindings:
                if isinstance(select, ox.Literal) and validator not in comp.validators["validator"]:
                    job = self._select_job(
                        shape, targets, select.value, prologue, binding, where,
                        label=label, component=comp.node, constraint=None, messages=messages,
                    )  # fmt: skip
                elif isinstance(ask, ox.Literal) and validator in comp.validators["validator"]:
                    job = self._ask_job(shape, targets, ask.value, prologue, binding, where, label, comp.node, messages)
                else:
                    raise ShapesError(f"{where}: a validator needs sh:ask (sh:validator) or sh:select (sh:{kind})")
                jobs.append(job)

    def _ask_job(
        self,
        shape: _Shape,
        targets: _Targets,
        text: str,
        prologue: str,
        constants: dict[str, Any],
        where: str,
        label: str,
        component: ox.NamedNode,
        messages: tuple[ox.Literal, ...],
    ) -> _Job:
        """An ASK validator, run once for all value nodes: those for which the ASK query
        is false. The query is a NOT EXISTS, which substitutes $this, $value and the
        parameters everywhere in it (SPARQL's substitution), as pre-binding binds them."""
        text, constants = self._prebound(shape, text, constants, where)
        prebound = frozenset({"this", "value", "shapesGraph", "currentShape", *constants})
        user_prologue, group = _ask_group(text, where, prebound, prologue)
        values = f"?this {shape.path_sparql} ?value ." if shape.is_property else "BIND(?this AS ?value)"
        head = f"{prologue}{user_prologue}SELECT DISTINCT ?this ?value WHERE {{ {_constants(constants)}"
        tail = f"{values} FILTER NOT EXISTS {{ {group} }} }}"
        full = f"{head} {targets.enumerate(self._names)} {tail}"
        focus = f"{head} {targets.drive(self._names, True)} {tail}"
        return _SparqlJob(shape, targets, label, component, None, messages, constants, full, focus)

    def _written_forms(self) -> dict[Any, Any]:
        """The literal target nodes the store rewrites ("4.0"^^xsd:decimal becomes
        "4"^^xsd:decimal in a query's VALUES), by their rewritten form: the report gives
        them as written. Two literals rewritten alike are left as the store gives them."""
        literals = sorted({n for shape in self._shapes.values() for n in shape.targets.nodes if isinstance(n, ox.Literal)}, key=str)
        if not literals:
            return {}
        rows = " ".join(f"({i} {_nt(lit)})" for i, lit in enumerate(literals))
        found: dict[Any, list[Any]] = {}
        solutions: Any = ox.Store().query(f"SELECT ?i ?x WHERE {{ VALUES (?i ?x) {{ {rows} }} }}")
        for row in solutions:
            original = literals[int(row[0].value)]
            if row[1] != original:
                found.setdefault(row[1], []).append(original)
        return {stored: originals[0] for stored, originals in found.items() if len(originals) == 1}

    def _check_regexes(self) -> None:
        """Every sh:pattern must be a regular expression the store understands."""
        store = ox.Store()
        for shape in self._shapes.values():
            flags = self._params(shape, "flags")
            flag_text = _string(str(flags[0].value) if flags else "")
            for pattern in self._params(shape, "pattern"):
                q = f'SELECT (REGEX("", {_string(pattern.value)}, {flag_text}) AS ?r) {{}}'
                try:
                    answer = store.query(q)
                    if not isinstance(answer, ox.QuerySolutions):  # a SELECT: Store.query is typed as any answer
                        raise TypeError(f"expected solutions, not {type(answer).__name__}")
                    rows = list(answer)
                except SyntaxError as exc:
                    raise ShapesError(f"shape {shape.name}: sh:pattern {pattern.value!r}: {exc}") from exc
                if rows[0]["r"] is None:
                    raise ShapesError(f"shape {shape.name}: sh:pattern {pattern.value!r} is not a regular expression the store supports")


def _list_triples(g: _Graph, node: Any) -> list[ox.Triple]:
    """The rdf:first/rdf:rest triples of the (well-formed) RDF list ``node``."""
    out = []
    while node != RDF_NIL:
        first, rest = g.value(node, RDF_FIRST), g.value(node, RDF_REST)
        out += [ox.Triple(node, RDF_FIRST, first), ox.Triple(node, RDF_REST, rest)]
        node = rest
    return out


def _int(term: Any, shape: str, local: str) -> int:
    try:
        return int(term.value)
    except (AttributeError, ValueError):
        raise ShapesError(f"shape {shape}: sh:{local} must be an integer") from None


def _small(n: int, shape: str, local: str) -> int:
    if n > 5:
        raise ShapesError(f"shape {shape}: sh:{local} {n} in a nested shape is not supported (at most 5)")
    return n


def _true(values: list[Any]) -> bool:
    # only the literal true: the spec names it, and the W3C suite has "1"^^xsd:boolean leave
    # sh:uniqueLang off (its uniqueLang-002)
    return any(isinstance(v, ox.Literal) and v.datatype == XSD_BOOLEAN and v.value == "true" for v in values)


def _same_lang(a: str, b: str) -> str:
    return (
        f'!sameTerm({a}, {b}) && isLiteral({a}) && isLiteral({b}) && lang({a}) != "" '
        f"&& LCASE(lang({a})) = LCASE(lang({b}))"
    )


def _pair_violation(local: str, var: str, path: str, p2: str, v: str, w: str) -> str:
    """A group pattern binding ``v`` to the values that break sh:lessThan & co."""
    if local in _PAIRS:
        # a pair that cannot be compared is a result: the spec (pySHACL differs)
        return f"{var} {path} {v} . {var} {p2} {w} . FILTER(!COALESCE({v} {_PAIRS[local]} {w}, false))"
    if local == "disjoint":
        return f"{var} {path} {v} . {var} {p2} {v} ."
    return (
        f"{{ {var} {path} {v} . FILTER NOT EXISTS {{ {var} {p2} {v} }} }} UNION "
        f"{{ {var} {p2} {v} . FILTER NOT EXISTS {{ {var} {path} {v} }} }}"
    )


def _node_pair_violation(local: str, var: str, p2: str, v: str) -> str:
    """A group pattern binding ``v`` to the values that break sh:equals or sh:disjoint of
    a node shape, whose one value node is the focus node ``var`` (bound from outside, as in
    an EXISTS, which substitutes it into the union's branches too)."""
    if local == "disjoint":
        return f"{var} {p2} {var} . BIND({var} AS {v})"
    return f"{{ BIND({var} AS {v}) FILTER NOT EXISTS {{ {var} {p2} {var} }} }} UNION {{ {var} {p2} {v} . FILTER(!sameTerm({v}, {var})) }}"


def _datatype_expr(dt: Any, v: str, shape: str) -> str:
    if not isinstance(dt, ox.NamedNode):
        raise ShapesError(f"shape {shape}: sh:datatype must be an IRI")
    iri = dt.value
    if iri == _RDF + "langString":
        return f'(isLiteral({v}) && lang({v}) != "")'
    if iri == _RDFS + "Literal":
        return f"isLiteral({v})"
    if iri in _INTEGER_RANGES:
        # stored, a valid literal of this type is an xsd:integer (see the module docstring);
        # the marker tells the ones written with another datatype, when validate_store is
        # given the statements as written
        lo, hi = _INTEGER_RANGES[iri]
        tests = [f"isLiteral({v})", f"(datatype({v}) = <{iri}> || datatype({v}) = <{_XSD}integer>)"]
        tests.append(f"isLiteral(<{_XSD}integer>({v}))")
        if lo is not None:
            tests.append(f"<{_XSD}integer>({v}) >= {lo}")
        if hi is not None:
            tests.append(f"<{_XSD}integer>({v}) <= {hi}")
        tests.append(f"\x03{iri} {v}\x03")
        return "(" + " && ".join(tests) + ")"
    test = f"(isLiteral({v}) && datatype({v}) = <{iri}>"
    if iri in _CASTABLE:
        # an ill-typed literal is kept as written by the store, and the cast fails
        test += f" && isLiteral(<{iri}>({v}))"
    if iri == _XSD + "integer":
        test += f" && \x03{iri} {v}\x03"
    return test + ")"


# ================================================================ jobs: one query each


class _Job:
    """One query (the text for all targets and the text for focus nodes) and how its rows
    become results. Both texts are fixed at compile time."""

    cost = 1  # rough order for scheduling: expensive first
    label = ""
    full = ""
    focus = ""

    def results(self, solutions: Any) -> list[ShaclResult]:
        raise NotImplementedError


def _only_targets(select: str, inner: str, targets: _Targets, names: _Names) -> str:
    """The rows of ``inner`` (a SELECT of a few candidate rows) whose ?this is a target. The
    sub-SELECT keeps the store from testing the target on every row before the cheap test
    that makes a row a candidate."""
    return f"{select} WHERE {{ {{ {inner} }} FILTER EXISTS {{ {targets.test(names)} }} }}"


def _focus_values(focus: bool) -> str:
    return f"VALUES ?this {{ {_FOCUS} }}" if focus else ""


def _result(
    shape: _Shape, component: str, focus: Term, value: Term | None, detail: str = "", *, targets: _Targets
) -> ShaclResult:
    literals = shape.messages
    if not literals:
        template = _DEFAULT_MESSAGES.get(component, "{detail}")
        literals = (ox.Literal(template.format(detail=detail)),)
    return ShaclResult(
        focus=focus,
        path=shape.path if shape.is_property else None,
        value=value,
        source_shape=shape.node,
        component=_sh(component),
        severity=shape.severity,
        messages=tuple(m.value for m in literals),
        path_triples=shape.path_triples,
        message_literals=literals,
        route=targets if targets.via else None,
    )


def _failed(row: Any, i: int) -> bool:
    ok = row[i]
    return ok is None or ok.value != "true"


class _FocusJob(_Job):
    """The value checks of node shapes (the focus node is the value), for every shape with
    these targets: one boolean column each, one row per target that fails any."""

    cost = 5  # kg:IdentifierShape reads every IRI of the graph: the longest query, started first

    def __init__(self, targets: _Targets, checks: list[_Check], names: _Names) -> None:
        self.checks, self.targets = checks, targets
        self.label = "targets of " + ", ".join(sorted({c.shape.name for c in checks}))
        columns = [f"?_k{i}" for i in range(len(checks))]
        binds = " ".join(f"BIND(COALESCE({c.expr}, false) AS {col})" for c, col in zip(checks, columns, strict=True))
        failed = " || ".join(f"!{col}" for col in columns)

        def text(focus: bool) -> str:
            # no DISTINCT over all targets (a node typed twice is checked twice; results are
            # deduplicated below): hashing every target costs more than the repeats
            return f"SELECT ?this {' '.join(columns)} WHERE {{ {targets.drive(names, focus, distinct=False)} {binds} FILTER({failed}) }}"

        self.full, self.focus = text(False), text(True)

    def results(self, solutions: Any) -> list[ShaclResult]:
        out, seen = [], set()
        for row in solutions:
            this = row[0]
            for i, check in enumerate(self.checks):
                if _failed(row, i + 1) and (this, i) not in seen:
                    seen.add((this, i))
                    out.append(_result(check.shape, check.component, this, this if check.value_is_focus else None, check.detail, targets=self.targets))
        return out


class _ValueJob(_Job):
    """The value checks that are expressions, of every shape with this path: one scan of the
    path's values (each literal is read once, whatever the number of shapes); a failing
    row is then tested for being a target of the shape whose check it fails."""

    cost = 2

    def __init__(self, path: str, entries: list[tuple[_Shape, _Targets, list[_Check]]], names: _Names) -> None:
        self.entries = entries
        self.label = "values of " + ", ".join(shape.name for shape, _, _ in entries)
        binds: list[str] = []
        fails: list[str] = []
        members: list[str] = []
        columns: list[str] = []
        self.columns: list[list[int]] = []
        for e, (_, targets, checks) in enumerate(entries):
            mine = []
            for check in checks:
                col = f"?_k{len(columns)}"
                mine.append(len(columns))
                columns.append(col)
                binds.append(f"BIND(COALESCE({check.expr}, false) AS {col})")
            self.columns.append(mine)
            failed = " || ".join(f"!{columns[i]}" for i in mine)
            fails.append(failed)
            members.append(f"BIND(IF({failed}, EXISTS {{ {targets.test(names)} }}, false) AS ?_m{e})")
        select = f"SELECT DISTINCT ?this ?value {' '.join(columns)}"
        outer = f"SELECT ?this ?value {' '.join(columns)} {' '.join(f'?_m{e}' for e in range(len(entries)))}"
        any_member = " || ".join(f"?_m{e}" for e in range(len(entries)))

        def text(focus: bool) -> str:
            inner = f"{select} WHERE {{ {_focus_values(focus)} ?this {path} ?value . {' '.join(binds)} FILTER({' || '.join(fails)}) }}"
            return f"{outer} WHERE {{ {{ {inner} }} {' '.join(members)} FILTER({any_member}) }}"

        self.full, self.focus = text(False), text(True)

    def results(self, solutions: Any) -> list[ShaclResult]:
        out = []
        width = sum(len(c) for c in self.columns)
        for row in solutions:
            for e, (shape, targets, checks) in enumerate(self.entries):
                member = row[2 + width + e]
                if member is None or member.value != "true":
                    continue
                for check, i in zip(checks, self.columns[e], strict=True):
                    if _failed(row, 2 + i):
                        out.append(_result(shape, check.component, row[0], row[1], check.detail, targets=targets))
        return out


class _AbsentJob(_Job):
    """The targets without something (sh:minCount 1, sh:qualifiedMinCount 1, sh:hasValue):
    for all targets an anti-join of the targets with the nodes that have it (two scans,
    where one lookup per target costs more, on disk above all); for a few focus nodes, the
    lookups."""

    cost = 3

    def __init__(self, shape: _Shape, targets: _Targets, component: str, present: str, detail: str, names: _Names) -> None:
        self.shape, self.component, self.detail, self.targets = shape, component, detail, targets
        self.label = f"{component} of {shape.name}"
        enum = targets.enumerate(names, distinct=False)
        self.full = f"SELECT DISTINCT ?this WHERE {{ {enum} MINUS {{ {present} }} }}"
        # for few targets (a few hundred states) the lookups are cheaper than reading P whole
        self.small = f"SELECT DISTINCT ?this WHERE {{ {enum} FILTER NOT EXISTS {{ {present} }} }}"
        self.focus = f"SELECT ?this WHERE {{ {targets.drive(names, True)} FILTER NOT EXISTS {{ {present} }} }}"

    def results(self, solutions: Any) -> list[ShaclResult]:
        return [_result(self.shape, self.component, row[0], None, self.detail, targets=self.targets) for row in solutions]


class _MembersJob(_Job):
    """A class-membership value check (sh:class, or sh:node/sh:or of class shapes): for all
    targets an anti-join of the path's values with the instances, far cheaper in the store
    than one EXISTS per value; for a few focus nodes, the EXISTS."""

    cost = 2

    def __init__(self, shape: _Shape, targets: _Targets, check: _Check, names: _Names) -> None:
        self.shape, self.check, self.targets = shape, check, targets
        self.label = f"{check.component} of {shape.name}"
        select = "SELECT DISTINCT ?this ?value"
        path = shape.path_sparql
        full = f"{select} WHERE {{ ?this {path} ?value . MINUS {{ {check.members} }} }}"
        focus = f"{select} WHERE {{ {_focus_values(True)} ?this {path} ?value . FILTER(!COALESCE({check.expr}, false)) }}"
        self.full = _only_targets(select, full, targets, names)
        self.focus = _only_targets(select, focus, targets, names)

    def results(self, solutions: Any) -> list[ShaclResult]:
        return [_result(self.shape, self.check.component, row[0], row[1], self.check.detail, targets=self.targets) for row in solutions]


class _MaxCountJob(_Job):
    """sh:maxCount of every shape with this path: one GROUP BY over the path's triples
    (counting rows first, then distinct values of the few nodes above the smallest bound)."""

    cost = 2

    def __init__(self, path: str, entries: list[tuple[_Shape, _Targets, int]], names: _Names) -> None:
        self.entries = entries
        self.label = "maxCount of " + ", ".join(shape.name for shape, _, _ in entries)
        low = min(bound for _, _, bound in entries)
        columns = [f"?_m{i}" for i in range(len(entries))]
        members = " ".join(f"BIND(EXISTS {{ {t.test(names)} }} AS {col})" for (_, t, _), col in zip(entries, columns, strict=True))

        def text(focus: bool) -> str:
            candidates = (
                f"{{ SELECT ?this WHERE {{ {_focus_values(focus)} ?this {path} ?_u }} GROUP BY ?this HAVING (COUNT(*) > {low}) }}"
            )
            counts = f"{{ SELECT ?this (COUNT(DISTINCT ?_v) AS ?_n) WHERE {{ {candidates} ?this {path} ?_v }} GROUP BY ?this }}"
            return f"SELECT ?this ?_n {' '.join(columns)} WHERE {{ {counts} FILTER(?_n > {low}) {members} }}"

        self.full, self.focus = text(False), text(True)

    def results(self, solutions: Any) -> list[ShaclResult]:
        out = []
        for row in solutions:
            n = int(row[1].value)
            for i, (shape, targets, bound) in enumerate(self.entries):
                if n > bound and row[i + 2] is not None and row[i + 2].value == "true":
                    out.append(_result(shape, "MaxCountConstraintComponent", row[0], None, str(bound), targets=targets))
        return out


class _CountJob(_Job):
    """sh:minCount above 1 and sh:qualifiedMinCount above 1 (every target counts, none is
    zero), sh:qualifiedMaxCount (driven by the path)."""

    def __init__(
        self, shape: _Shape, targets: _Targets, component: str, op: str, bound: int, condition: str | None, names: _Names
    ) -> None:
        self.shape, self.component, self.bound, self.targets = shape, component, bound, targets
        self.label = f"{component} of {shape.name}"
        cond = f"FILTER({condition})" if condition else ""
        values = f"?this {shape.path_sparql} ?_qv . {cond}"

        def text(focus: bool) -> str:
            if op == "<":
                counts = (
                    f"SELECT ?this (COUNT(DISTINCT ?_qv) AS ?_n) WHERE {{ {targets.drive(names, focus)} "
                    f"OPTIONAL {{ {values} }} }} GROUP BY ?this"
                )
                return f"SELECT ?this WHERE {{ {{ {counts} }} FILTER(?_n < {bound}) }}"
            inner = (
                f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?_qv) AS ?_n) WHERE {{ {_focus_values(focus)} "
                f"{values} }} GROUP BY ?this }} FILTER(?_n > {bound}) }}"
            )
            return _only_targets("SELECT ?this", inner, targets, names)

        self.full, self.focus = text(False), text(True)

    def results(self, solutions: Any) -> list[ShaclResult]:
        return [_result(self.shape, self.component, row[0], None, str(self.bound), targets=self.targets) for row in solutions]


class _UniqueLangJob(_Job):
    def __init__(self, shape: _Shape, targets: _Targets, names: _Names) -> None:
        self.shape, self.targets = shape, targets
        self.label = f"uniqueLang of {shape.name}"
        path = shape.path_sparql

        def text(focus: bool) -> str:
            # nodes with two values at all, then per language more than one value
            candidates = f"{{ SELECT ?this WHERE {{ {_focus_values(focus)} ?this {path} ?_u }} GROUP BY ?this HAVING (COUNT(*) > 1) }}"
            inner = (
                f"SELECT ?this ?_lang WHERE {{ {candidates} ?this {path} ?_a . "
                f'FILTER(isLiteral(?_a) && lang(?_a) != "") BIND(LCASE(lang(?_a)) AS ?_lang) }} '
                f"GROUP BY ?this ?_lang HAVING (COUNT(DISTINCT ?_a) > 1)"
            )
            return _only_targets("SELECT ?this ?_lang", inner, targets, names)

        self.full, self.focus = text(False), text(True)

    def results(self, solutions: Any) -> list[ShaclResult]:
        # one result per language used twice, without sh:value (the spec, and pySHACL)
        return [_result(self.shape, "UniqueLangConstraintComponent", row[0], None, targets=self.targets) for row in solutions]


class _PairJob(_Job):
    """sh:lessThan, sh:lessThanOrEquals (a result per pair), sh:equals, sh:disjoint."""

    def __init__(self, shape: _Shape, targets: _Targets, local: str, p2: str, names: _Names) -> None:
        self.shape, self.component, self.targets = shape, _local(local), targets
        self.label = f"{local} of {shape.name}"
        select = "SELECT DISTINCT ?this ?value ?_w" if local in _PAIRS else "SELECT DISTINCT ?this ?value"

        def text(focus: bool) -> str:
            body = _pair_violation(local, "?this", shape.path_sparql, p2, "?value", "?_w")
            return _only_targets(select, f"{select} WHERE {{ {_focus_values(focus)} {body} }}", targets, names)

        self.full, self.focus = text(False), text(True)

    def results(self, solutions: Any) -> list[ShaclResult]:
        return [_result(self.shape, self.component, row[0], row[1], targets=self.targets) for row in solutions]


class _NodePairJob(_Job):
    """sh:equals and sh:disjoint of a node shape (the value node is the focus node)."""

    def __init__(self, shape: _Shape, targets: _Targets, local: str, p2: str, names: _Names) -> None:
        self.shape, self.component, self.targets = shape, _local(local), targets
        self.label = f"{local} of {shape.name}"

        def text(focus: bool) -> str:
            if local == "disjoint":
                body = f"{targets.drive(names, focus)} {_node_pair_violation(local, '?this', p2, '?value')}"
            else:
                # each branch of the union binds ?this itself (a branch is evaluated alone)
                missing = f"{targets.drive(names, focus)} FILTER NOT EXISTS {{ ?this {p2} ?this }} BIND(?this AS ?value)"
                other = f"{targets.drive(names, focus)} ?this {p2} ?value . FILTER(!sameTerm(?value, ?this))"
                body = f"{{ {missing} }} UNION {{ {other} }}"
            return f"SELECT DISTINCT ?this ?value WHERE {{ {body} }}"

        self.full, self.focus = text(False), text(True)

    def results(self, solutions: Any) -> list[ShaclResult]:
        return [_result(self.shape, self.component, row[0], row[1], targets=self.targets) for row in solutions]


class _ClosedJob(_Job):
    def __init__(self, shape: _Shape, targets: _Targets, shapes: Shapes, names: _Names) -> None:
        self.shape, self.targets = shape, targets
        self.label = f"closed {shape.name}"
        violation = shapes._closed_violation(shape, "?this", "?_p", "?value")

        def text(focus: bool) -> str:
            return f"SELECT DISTINCT ?this ?_p ?value WHERE {{ {targets.drive(names, focus)} {violation} }}"

        self.full, self.focus = text(False), text(True)

    def results(self, solutions: Any) -> list[ShaclResult]:
        out = []
        for row in solutions:
            r = _result(self.shape, "ClosedConstraintComponent", row[0], row[2], targets=self.targets)
            out.append(replace(r, path=row[1], path_triples=()))
        return out


# ---------------------------------------------------------------- SHACL-SPARQL queries

_GROUP_KEYWORDS = {"OPTIONAL", "MINUS", "GRAPH", "SERVICE", "FILTER", "BIND", "VALUES"}
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""

    def punct(self, chars: str) -> bool:
        return self.kind == "punct" and self.text in chars


def _tokenize(text: str, where: str) -> list[_Tok]:
    """The query's tokens (the project's one tokenizer, ``kg.sparql.tokens``), words told apart."""
    kinds = {"string": "str"}
    return [_Tok(kinds.get(t.category, t.category), t.text, t.offset, t.end) for t in _scan(text)]


def _match(tokens: list[_Tok], i: int, where: str) -> int:
    """The index of the bracket that closes the one at ``i``."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack = []
    for j in range(i, len(tokens)):
        t = tokens[j]
        if t.kind == "punct" and t.text in pairs:
            stack.append(pairs[t.text])
        elif t.kind == "punct" and t.text in pairs.values():
            if not stack or stack.pop() != t.text:
                raise ShapesError(f"{where}: unbalanced brackets")
            if not stack:
                return j
    raise ShapesError(f"{where}: unbalanced brackets")


@dataclass(frozen=True)
class _SparqlQuery:
    """A constraint's SELECT query, taken apart just enough to bind $this for all targets."""

    head: str  # prologue, SELECT and projection (with ?this), "WHERE"
    star: str  # for a few focus nodes: the opening triple patterns about $this (see _focus_star)
    body: str  # for a few focus nodes: the rest of the WHERE group's content (see _rewrite)
    regrouped: str  # the same, for all targets (see _rewrite)
    tail: str  # ORDER BY, if any
    lateral: bool = False  # pre-binding needs the query run per target (see _needs_lateral)
    prologue: str = ""  # the query's own PREFIX and BASE declarations
    lateral_select: str = ""  # the query from SELECT on, projecting the pre-bound variables

    @classmethod
    def parse(cls, text: str, where: str, prebound: frozenset[str], bound: frozenset[str], prologue: str) -> _SparqlQuery:
        """``prebound``: the variables SHACL pre-binds; ``bound``: those bound here ($this
        and the constants)."""
        tokens = _tokenize(text, where)
        select = next((i for i, t in enumerate(tokens) if t.upper == "SELECT"), None)
        if select is None:
            raise ShapesError(f"{where}: sh:select is not a SELECT query")
        _check_prebinding(text, tokens, select, prebound, where, prologue)
        i = select + 1
        if i < len(tokens) and tokens[i].upper in ("DISTINCT", "REDUCED"):
            i += 1
        proj_start, depth = i, 0
        while i < len(tokens):
            t = tokens[i]
            if t.punct("("):
                depth += 1
            elif t.punct(")"):
                depth -= 1
            elif depth == 0 and (t.upper == "WHERE" or t.punct("{")):
                break
            i += 1
        projection = tokens[proj_start:i]
        if not projection:
            raise ShapesError(f"{where}: empty projection")
        if any(t.upper in _AGGREGATES for t in projection):
            raise ShapesError(f"{where}: aggregates in a SPARQL constraint are not supported")
        proj_text = text[projection[0].start : projection[-1].end]
        names = {t.text[1:] for t in projection if t.kind == "var"}
        star = any(t.text == "*" for t in projection)
        if not star and "this" not in names:
            proj_text = "?this " + proj_text  # the focus node of each solution
        if i < len(tokens) and tokens[i].upper == "WHERE":
            i += 1
        if i >= len(tokens) or not tokens[i].punct("{"):
            raise ShapesError(f"{where}: no WHERE group")
        close = _match(tokens, i, where)
        modifiers = tokens[close + 1 :]
        if any(t.upper in ("GROUP", "HAVING", "LIMIT", "OFFSET") for t in tokens[i:]):
            # these would apply to the solutions of all focus nodes at once, not per focus node
            raise ShapesError(f"{where}: GROUP BY, HAVING, LIMIT and OFFSET are not supported")
        if modifiers and modifiers[0].upper != "ORDER":
            raise ShapesError(f"{where}: cannot read what follows the WHERE group")
        head = text[: projection[0].start] + proj_text + " WHERE "
        inner = tokens[i + 1 : close]
        tail = text[modifiers[0].start :] if modifiers else ""
        if _needs_lateral(inner, prebound, where):
            # LATERAL substitutes only the variables the inner query projects
            if star:
                names = set(_in_scope(prologue + text, where))
                proj_text = " ".join(f"?{v}" for v in sorted(names))
            proj_text += "".join(f" ?{v}" for v in sorted(bound - names))
            keyword = text[tokens[select].start : projection[0].start]
            group = text[tokens[i].start : tokens[close].end]
            return cls(
                head=head, star="", body="", regrouped="", tail=tail, lateral=True,
                prologue=text[: tokens[select].start], lateral_select=f"{keyword}{proj_text} WHERE {group} {tail}",
            )  # fmt: skip
        star_part, body = _focus_star(text, inner, where)
        regrouped = _rewrite(text, inner, where, full=True)
        return cls(head=head, star=star_part, body=body, regrouped=regrouped, tail=tail)


def _check_prebinding(text: str, tokens: list[_Tok], first: int, prebound: frozenset[str], where: str, prologue: str) -> None:
    """Refuse a query that SHACL's pre-binding does not allow (SHACL, "Pre-binding of
    Variables": no MINUS, SERVICE or VALUES; no AS for a pre-bound variable; every
    sub-query projects the pre-bound variables, but $shapesGraph and $currentShape), or
    that names its own dataset (FROM): the data graph is given."""
    for k, t in enumerate(tokens):
        if t.upper in ("MINUS", "SERVICE", "VALUES"):
            raise ShapesError(f"{where}: {t.upper} is not allowed in a SHACL-SPARQL query")
        if t.upper == "FROM":
            raise ShapesError(f"{where}: FROM is not supported (the query runs on the data graph)")
        if t.upper == "AS" and k + 1 < len(tokens) and _var(tokens[k + 1]) in prebound:
            raise ShapesError(f"{where}: the query binds the pre-bound variable {tokens[k + 1].text} (AS), which SHACL forbids")
        if t.upper != "SELECT" or k == first:
            continue
        if not (k and tokens[k - 1].punct("{")):
            raise ShapesError(f"{where}: cannot read the sub-query at {text[t.start : t.start + 30]!r}")
        close = _match(tokens, k - 1, where)
        j = k + 1 + (k + 1 < len(tokens) and tokens[k + 1].upper in ("DISTINCT", "REDUCED"))
        projected, depth = set(), 0
        while j < close and not (depth == 0 and (tokens[j].upper == "WHERE" or tokens[j].punct("{"))):
            depth += tokens[j].punct("(") - tokens[j].punct(")")
            if tokens[j].text == "*":
                sub = text[tokens[k - 1].start : tokens[close].end]
                projected.update(_in_scope(f"{prologue}SELECT * WHERE {{ {sub} }}", where))
            elif tokens[j].kind == "var" and (depth == 0 or tokens[j - 1].upper == "AS"):
                projected.add(_var(tokens[j]))
            j += 1
        missing = sorted(prebound - {"shapesGraph", "currentShape"} - projected)
        if missing:
            names = ", ".join(f"${v}" for v in missing)
            raise ShapesError(f"{where}: a sub-query must return the pre-bound variable(s) {names} (SHACL's pre-binding)")


def _in_scope(query: str, where: str) -> list[str]:
    """The variables a SELECT * query returns, as the store's parser reads them."""
    try:
        solutions: Any = ox.Store().query(query)
        return [v.value for v in solutions.variables]
    except SyntaxError as exc:
        raise ShapesError(f"{where}: the store cannot read the query: {exc}") from exc


def _needs_lateral(tokens: list[_Tok], prebound: frozenset[str], where: str) -> bool:
    """Whether joining the targets at the start of the WHERE group leaves a pre-bound
    variable unbound where the query uses it: in a group below the top level (a union's
    branch, a group with a FILTER or BIND, a sub-query), each evaluated on its own before
    the join. Top-level FILTERs, BINDs and EXISTS groups see the targets, and a group of
    triple patterns alone (OPTIONAL { $this ?p ?o }, as ontology/shapes.ttl writes) gives
    the same solutions joined as pre-bound."""
    for kind, i, j in _elements(tokens, where) if tokens else []:
        part = tokens[i:j]
        if kind != "other" or part[0].upper == "BIND" or not any(_var(t) in prebound for t in part):
            continue
        depth = 0
        for t in part:
            if t.punct("{"):
                depth += 1
                if depth > 1:
                    return True
            elif t.punct("}"):
                depth -= 1
            elif depth and t.kind == "word" and t.text not in ("a", "true", "false"):
                return True  # FILTER, BIND, OPTIONAL, SELECT ... inside the group
    return False


def _ask_group(text: str, where: str, prebound: frozenset[str], prologue: str) -> tuple[str, str]:
    """(the query's own prologue, the content of its group) of an ASK validator."""
    tokens = _tokenize(text, where)
    ask = next((i for i, t in enumerate(tokens) if t.upper == "ASK"), None)
    if ask is None:
        raise ShapesError(f"{where}: sh:ask is not an ASK query")
    _check_prebinding(text, tokens, -1, prebound, where, prologue)
    i = ask + 1 + (ask + 1 < len(tokens) and tokens[ask + 1].upper == "WHERE")
    if i >= len(tokens) or not tokens[i].punct("{"):
        raise ShapesError(f"{where}: no group after ASK")
    close = _match(tokens, i, where)
    if close + 1 < len(tokens) or any(t.upper in ("GROUP", "HAVING", "LIMIT", "OFFSET") for t in tokens):
        raise ShapesError(f"{where}: cannot read what follows the ASK group")
    group = text[tokens[i + 1].start : tokens[close - 1].end] if close > i + 1 else ""
    return text[: tokens[ask].start], group


def _constants(constants: dict[str, Any]) -> str:
    """A VALUES block binding the pre-bound constants, or nothing."""
    if not constants:
        return ""
    names = " ".join(f"?{v}" for v in constants)
    return f"VALUES ({names}) {{ ({' '.join(_nt(t) for t in constants.values())}) }}"


def _elements(tokens: list[_Tok], where: str) -> list[tuple[str, int, int]]:
    """The top-level elements of a group's content: ("block", i, j) for a block of triple
    patterns, ("filter", i, j), ("other", i, j) for the rest; tokens[i:j] each."""
    out = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.punct("{"):
            j = _match(tokens, i, where)
            while j + 1 < len(tokens) and tokens[j + 1].upper == "UNION":
                j = _match(tokens, j + 2, where)
            out.append(("other", i, j + 1))
            i = j + 1
        elif t.upper in _GROUP_KEYWORDS:
            j = i + 1
            while j < len(tokens) and not (tokens[j].punct("(") or tokens[j].punct("{")):
                j += 1  # FILTER NOT EXISTS {...}, FILTER regex(...), GRAPH ?g {...}
            if j >= len(tokens):
                raise ShapesError(f"{where}: cannot read {t.text}")
            j = _match(tokens, j, where) + 1
            out.append(("filter" if t.upper == "FILTER" else "other", i, j))
            i = j
        elif t.punct("."):
            i += 1
        else:
            j = i  # a block of triple patterns, up to the next group element
            while j < len(tokens) and not (tokens[j].upper in _GROUP_KEYWORDS or tokens[j].punct("{")):
                j = _match(tokens, j, where) + 1 if tokens[j].punct("([") else j + 1
            out.append(("block", i, j))
            i = j
    return out


def _statements(block: list[_Tok]) -> list[list[_Tok]]:
    statements: list[list[_Tok]] = [[]]
    for t in block:
        if t.punct("."):
            statements.append([])
        else:
            statements[-1].append(t)
    return [s for s in statements if s]


def _var(t: _Tok) -> str:
    return t.text[1:] if t.kind == "var" else ""


def _focus_star(text: str, tokens: list[_Tok], where: str) -> tuple[str, str]:
    """For a few focus nodes: the triple patterns about $this that open the group (to be
    evaluated first, with the focus nodes: the store's optimiser would otherwise start a
    single focus meeting with ``?other kg:sittingOf ?f``), and the rest of the group. Only
    from a first element that is a block of triple patterns without blank nodes (moving
    patterns from after an OPTIONAL would change its meaning): the join is the same."""
    rewritten = _rewrite(text, tokens, where, full=False)
    elements = _elements(tokens, where) if tokens else []
    if not elements or elements[0][0] != "block":
        return "", rewritten
    _, i, j = elements[0]
    block = tokens[i:j]
    if any(t.kind == "bnode" or t.punct("[(") for t in block):
        return "", rewritten
    mine: list[str] = []
    others: list[str] = []
    for st in _statements(block):
        (mine if _var(st[0]) == "this" else others).append(text[st[0].start : st[-1].end])
    first = text[tokens[0].start : block[-1].end]
    if not mine or not rewritten.startswith(first):  # _rewrite(full=False) leaves blocks as written
        return "", rewritten
    rest = rewritten[len(first) :].lstrip()
    rest = rest[1:] if rest.startswith(".") else rest
    return " . ".join(mine), (" . ".join(others) + " . " if others else "") + rest


def _rewrite(text: str, tokens: list[_Tok], where: str, full: bool) -> str:
    """The WHERE group's content rewritten into an equivalent form the store evaluates
    faster (same solutions, each rewrite a known equivalence of SPARQL):

    * ``?a != ?b`` and ``?a = ?b`` in a top-level FILTER become ``sameTerm``, when both
      variables are subjects of top-level triple patterns (never literals, so RDF term
      equality is identity), as does a comparison with an IRI (never a type error);
    * for all targets (``full``): a block of triple patterns with several subjects is split
      into one sub-SELECT per subject (the block is their join; a block with blank nodes,
      which could be shared between the parts, is left alone);
    * for all targets: ``FILTER NOT EXISTS { P }``, P made of triple patterns only, becomes
      ``MINUS { P }`` at the end of the group, when P shares a variable with the group and
      every shared variable is bound in every solution (``$this``, or a variable of a
      top-level triple pattern): then both remove exactly the solutions that P matches.
      An anti-join reads P once, where NOT EXISTS looks it up once per solution.
    """
    if not tokens:
        return ""
    elements = _elements(tokens, where)
    blocks = [tokens[i:j] for kind, i, j in elements if kind == "block"]
    subjects = {_var(s[0]) for b in blocks for s in _statements(b)} - {""}
    bound = {_var(t) for b in blocks for t in b} - {""} | {"this"}
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in text
    minus: list[str] = []
    for kind, i, j in elements:
        part = tokens[i:j]
        if kind == "block" and full and not any(t.kind == "bnode" or t.punct("[(") for t in part):
            stars: dict[str, list[str]] = {}
            for st in _statements(part):
                stars.setdefault(_var(st[0]) or st[0].text, []).append(text[st[0].start : st[-1].end])
            if len(stars) > 1:
                split = " ".join("{ SELECT * WHERE { " + " . ".join(ps) + " } }" for ps in stars.values())
                edits.append((part[0].start, part[-1].end, split + " "))
        if kind != "filter":
            continue
        if full and len(part) > 3 and part[1].upper == "NOT" and part[2].upper == "EXISTS" and part[3].punct("{"):
            inner = part[4:-1]
            pure = all(
                t.kind in ("var", "iri", "pname", "str", "num", "lang", "bnode")
                or (t.kind == "word" and t.text in ("a", "true", "false"))
                or (t.kind == "punct" and t.text not in "{}")
                for t in inner
            )
            mine = {_var(t) for t in inner} - {""}
            elsewhere = {_var(t) for t in tokens[:i] + tokens[j:]} - {""}
            shared = mine & elsewhere
            if inner and pure and shared and shared <= bound:
                edits.append((part[0].start, part[-1].end, ""))
                minus.append("MINUS { " + text[inner[0].start : inner[-1].end] + " }")
                continue
        for k in range(2, len(part) - 2):
            op = part[k]
            if not (op.punct("=") or (op.kind == "punct" and op.text == "!=")):
                continue
            left, right = part[k - 1], part[k + 1]
            if part[k - 2].text not in ("(", "&&", "||", ",") or part[k + 2].text not in (")", "&&", "||", ","):
                continue
            both_subjects = _var(left) in subjects and _var(right) in subjects
            one_iri = {left.kind, right.kind} & {"iri", "pname"} and "var" in (left.kind, right.kind)
            if both_subjects or one_iri:
                same = f"sameTerm({left.text}, {right.text})"
                edits.append((left.start, right.end, same if op.text == "=" else "!" + same))
    out = text[tokens[0].start : tokens[-1].end]
    base = tokens[0].start
    for start, end, replacement in sorted(edits, reverse=True):
        out = out[: start - base] + replacement + out[end - base :]
    return out + (" " + " ".join(minus) if minus else "")


class _SparqlJob(_Job):
    """A SPARQL constraint (sh:sparql) or a validator of a constraint component, its query
    written for all targets and for focus nodes: each solution is a result."""

    cost = 4

    def __init__(
        self,
        shape: _Shape,
        targets: _Targets,
        label: str,
        component: ox.NamedNode,
        constraint: Any,
        messages: tuple[ox.Literal, ...],
        constants: dict[str, Any],
        full: str,
        focus: str,
    ) -> None:
        self.shape, self.targets, self.label, self.component = shape, targets, label, component
        self.constraint, self.messages, self.constants = constraint, messages, constants
        self.full, self.focus = full, focus

    def results(self, solutions: Any) -> list[ShaclResult]:
        variables = [v.value for v in solutions.variables]
        out, seen = [], set()
        for row in solutions:
            values = tuple(row[i] for i in range(len(variables)))
            if values in seen:  # pySHACL drops duplicate solutions
                continue
            seen.add(values)
            bound = {**self.constants, **{n: v for n, v in zip(variables, values, strict=True) if v is not None}}
            failure = bound.get("failure")
            if failure is not None and failure.value == "true":
                raise RuntimeError(f"{self.label} reported a failure (?failure true)")
            focus = bound["this"]
            value = bound.get("value", None if self.shape.is_property else focus)
            literals = tuple(
                ox.Literal(_substitute(m.value, bound), language=m.language)
                if m.language
                else ox.Literal(_substitute(m.value, bound))
                for m in dict.fromkeys(self.messages + self.shape.messages)  # a shape may be its own constraint
            )
            if not literals:
                detail = _show(self.constraint if self.constraint is not None else self.component)
                literals = (ox.Literal(_DEFAULT_MESSAGES["SPARQLConstraintComponent"].format(detail=detail)),)
            has_path = "path" in bound
            out.append(
                ShaclResult(
                    focus=focus,
                    path=bound["path"] if has_path else (self.shape.path if self.shape.is_property else None),
                    value=value,
                    source_shape=self.shape.node,
                    component=self.component,
                    severity=self.shape.severity,
                    messages=tuple(m.value for m in literals),
                    source_constraint=self.constraint,
                    path_triples=() if has_path else self.shape.path_triples,
                    message_literals=literals,
                    route=self.targets if self.targets.via else None,
                )
            )
        return out


def _verbatim(text: str) -> Callable[[re.Match[str]], str]:
    """A replacement for re.sub that inserts ``text`` as it is (no backslash escapes)."""
    return lambda _match: text


def _substitute(message: str, bound: dict[str, Any]) -> str:
    """{?var} and {$var} replaced by the value's string (IRI, lexical form), as pySHACL does."""
    for name, term in bound.items():
        message = re.sub(r"\{[?$]" + re.escape(name) + r"\}", _verbatim(str(term.value)), message)
    return message


# ================================================================ running


def validate_store(
    store: Reads,
    shapes: Shapes,
    *,
    default_graph: Sequence[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None,
    focus: Iterable[ox.NamedNode] | None = None,
    workers: int | None = None,
    timings: list[tuple[float, str, str]] | None = None,
    written: Iterable[ox.Triple | ox.Quad] | None = None,
) -> list[ShaclResult]:
    """Validate the store's data graph against ``shapes``.

    The data graph is the union of all the store's graphs, or of ``default_graph`` when
    given (a list of several graphs is slow in pyoxigraph, several times the union view
    at 10^6 statements: give one graph that holds the union when there is one). With ``focus``,
    only those nodes are validated as targets (their values are still checked through
    nested shapes, against the whole data graph): the results are the full results
    restricted to those focus nodes. ``workers`` threads run the queries
    (default: the CPU count, at most 4); ``timings``, if given, receives (seconds, what,
    query) for every query. ``written``, if given, are the data graph's statements as they
    were given to the store (the same blank nodes): the store rewrites typed literals (see
    _Written), and with them the results give each literal value as written, and
    sh:datatype of an integer type tells "55"^^xsd:integer from "55"^^xsd:byte.
    """
    focus_text = None
    if focus is not None:
        nodes = list(dict.fromkeys(focus))
        for n in nodes:
            if not isinstance(n, ox.NamedNode):
                raise TypeError(f"focus nodes must be NamedNodes, not {n!r}")
        if not nodes:
            return []
        focus_text = " ".join(str(n) for n in nodes)
    if default_graph is not None:
        kwargs: dict[str, Any] = {"default_graph": list(default_graph)}
    else:
        kwargs = {"use_default_graph_as_union": True}
    as_written = _Written(written) if written is not None else None
    subclasses = _subclasses(store, shapes, kwargs)
    sizes = _instance_counts(store, subclasses, kwargs) if focus_text is None else {}

    def expand(m: re.Match[str]) -> str:
        found = subclasses[m.group(2)]
        return " ".join(found) if m.group(1) == "V" else ", ".join(found)

    def run(job: _Job) -> list[ShaclResult]:
        if focus_text is not None:
            text = job.focus.replace(_FOCUS, focus_text)
        elif isinstance(job, _AbsentJob) and _few(job.targets, subclasses, sizes):
            text = job.small
        else:
            text = job.full
        text = _CLASSES.sub(expand, text)
        text = _WRITTEN_TYPE.sub(as_written.expr if as_written is not None else "true", text)
        t = time.perf_counter()
        try:
            results = job.results(store.query(text, **kwargs))
        except SyntaxError as exc:  # a bug of this module, or a constraint query the store rejects
            raise ShapesError(f"{job.label}: the store rejected the query: {exc}\n{text}") from exc
        if timings is not None:
            timings.append((time.perf_counter() - t, job.label, text))
        return results

    jobs = sorted(shapes._jobs, key=lambda j: -j.cost)
    threads = workers if workers is not None else min(4, os.cpu_count() or 1)
    # a worker thread even for one: pyoxigraph evaluates measurably slower in the main thread
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        batches = list(pool.map(run, jobs))
    results = [r for batch in batches for r in batch]
    if any(r.route is not None for r in results):
        results = _routes(results, lambda q: store.query(_CLASSES.sub(expand, q), **kwargs))
    if shapes._written:
        results = [_as_written(r, shapes._written) for r in results]
    if as_written is not None:
        results = [x for r in results for x in as_written.restore(r, shapes._g.value(r.source_shape, _sh("datatype")))]
    return results


def _routes(results: list[ShaclResult], query: Callable[[str], Any]) -> list[ShaclResult]:
    """The results of a nested property shape, each repeated once per focus node of the
    outer shape that reaches its focus node (the W3C suite's property-001: two persons with
    the same invalid address, two results), as validating each outer focus node in turn
    reports them."""
    counts: dict[tuple, dict[Any, int]] = {}
    out = []
    for r in results:
        if r.route is None:
            out.append(r)
            continue
        key = r.route.key()
        if key not in counts:
            counts[key] = _route_counts(r.route, query)
        out.extend([replace(r, route=None)] * counts[key].get(r.focus, 1))
    return out


def _route_counts(targets: _Targets, query: Callable[[str], Any]) -> dict[Any, int]:
    """For each focus node of ``targets`` (a sh:property of a property shape): through how
    many focus nodes of the outer shapes it is reached."""
    assert targets.via is not None
    outer, path = targets.via
    names = _Names()
    rows = query(f"SELECT DISTINCT ?_f ?this WHERE {{ {outer.enumerate(names, var='?_f')} ?_f {path} ?this }}")
    pairs = [(row[0], row[1]) for row in rows]
    above = _route_counts(outer, query) if outer.via else {}
    counts: dict[Any, int] = {}
    for f, this in pairs:
        counts[this] = counts.get(this, 0) + above.get(f, 1)
    return counts


def _as_written(r: ShaclResult, written: dict[Any, Any]) -> ShaclResult:
    """A literal sh:targetNode as the shapes graph writes it: the store (and a query's
    VALUES) turns "4.0"^^xsd:decimal into "4"^^xsd:decimal, a different RDF term."""
    focus = written.get(r.focus) if isinstance(r.focus, ox.Literal) else None
    if focus is None:
        return r
    return replace(r, focus=focus, value=focus if r.value == r.focus else r.value)


class _Written:
    """The data graph's typed literals as written, where the store rewrote them: it keeps
    a typed literal in canonical form ("4.0"^^xsd:decimal is "4"^^xsd:decimal) and a valid
    literal of an integer-derived datatype as an xsd:integer ("55"^^xsd:byte is
    "55"^^xsd:integer), so neither its lexical form nor that datatype can be read back."""

    _KEEP = (_XSD + "string", _RDF + "langString")

    def __init__(self, statements: Iterable[ox.Triple | ox.Quad]) -> None:
        typed = [(t.subject, t.predicate, t.object) for t in statements if isinstance(t.object, ox.Literal)]
        literals = sorted({o for _, _, o in typed if o.datatype.value not in self._KEEP}, key=str)
        # what the store makes of each literal: one load into an in-memory store
        probe = ox.Store()
        probe.extend(ox.Quad(ox.NamedNode(f"urn:x-literal:{i}"), RDF_TYPE, o) for i, o in enumerate(literals))
        stored = {literals[int(q.subject.value[14:])]: q.object for q in probe}
        rewritten = {stored[o] for o in literals if stored[o] != o}
        # the statements whose stored object some written literal was rewritten into
        self.by_statement: dict[tuple[Any, Any, Any], list[ox.Literal]] = {}
        self.by_value: dict[Any, list[ox.Literal]] = {}
        for s, p, o in typed:
            v = stored.get(o, o)
            if v in rewritten:
                for found in (self.by_statement.setdefault((s, p, v), []), self.by_value.setdefault(v, [])):
                    if o not in found:
                        found.append(o)
        # by integer-derived datatype: the stored integers written with it, and those
        # written with another datatype too
        self.good: dict[str, set[Any]] = {}
        self.bad: dict[str, set[Any]] = {}
        integers = [v for v in self.by_value if v.datatype.value == _XSD + "integer"]
        for dt in [_XSD + "integer", *_INTEGER_RANGES]:
            self.good[dt] = {v for v in integers if any(o.datatype.value == dt for o in self.by_value[v])}
            self.bad[dt] = {v for v in integers if any(o.datatype.value != dt for o in self.by_value[v])}

    def expr(self, m: re.Match[str]) -> str:
        """The marker of a sh:datatype check on an integer type: the value, stored as an
        xsd:integer, was written with that datatype (a literal written with two datatypes
        fails here, and _restore keeps the result of the one that fails)."""
        dt, var = m.group(1), m.group(2)
        if dt == _XSD + "integer":
            bad = ", ".join(str(v) for v in sorted(self.bad[dt], key=str))
            return f"!({var} IN ({bad}))" if bad else "true"
        good = sorted(self.good[dt] - self.bad[dt], key=str)
        ok = f"{var} IN ({', '.join(str(v) for v in good)})" if good else "false"
        return f"(datatype({var}) != <{_XSD}integer> || {ok})"

    def restore(self, r: ShaclResult, datatype: Any) -> list[ShaclResult]:
        """The result with its value (or literal focus node) as written: one result per
        literal written where the store holds one (one that fails sh:datatype, for a
        sh:datatype result)."""
        focus = r.focus
        if isinstance(focus, ox.Literal) and len(self.by_value.get(focus, ())) == 1:
            focus = self.by_value[focus][0]
        v = r.value
        if not isinstance(v, ox.Literal) or v not in self.by_value:
            return [replace(r, focus=focus)]
        found = self.by_statement.get((r.focus, r.path, v)) if isinstance(r.path, ox.NamedNode) else None
        if found is None:
            found = self.by_value[v] if len(self.by_value[v]) == 1 else [v]
        if r.component == _sh("DatatypeConstraintComponent") and isinstance(datatype, ox.NamedNode):
            found = [o for o in found if not _valid_as(o, v, datatype.value)]
        value_is_focus = r.value == r.focus
        return [replace(r, focus=focus, value=focus if value_is_focus else o) for o in found]


def _valid_as(written: ox.Literal, stored: ox.Literal, datatype: str) -> bool:
    """Whether a literal the store rewrote (into ``stored``) is a valid literal of ``datatype``."""
    if written.datatype.value != datatype:
        return False
    if datatype in _INTEGER_RANGES:
        lo, hi = _INTEGER_RANGES[datatype]
        n = int(stored.value)
        return (lo is None or n >= lo) and (hi is None or n <= hi)
    return True  # the store parsed it, so it is valid


def _subclasses(store: Reads, shapes: Shapes, kwargs: dict[str, Any]) -> dict[str, list[str]]:
    """For each set of classes in the queries: those classes and their subclasses in the
    data graph (rdfs:subClassOf*), as SPARQL terms."""
    classes = sorted({c for s in shapes._class_sets for c in s.split()})
    below: dict[str, set[str]] = {c: {c} for c in classes}
    if classes:
        q = f"SELECT DISTINCT ?c ?sub WHERE {{ VALUES ?c {{ {' '.join(classes)} }} ?sub <{_RDFS}subClassOf>* ?c }}"
        for row in store.query(q, **kwargs):
            if isinstance(row["sub"], ox.NamedNode):
                below[str(row["c"])].add(str(row["sub"]))
    return {s: sorted(set().union(*(below[c] for c in s.split()))) for s in shapes._class_sets}


def _instance_counts(store: Reads, subclasses: dict[str, list[str]], kwargs: dict[str, Any]) -> dict[str, int]:
    """How many rdf:type statements each class (and subclass) of the queries has: one scan
    of those statements, to choose between lookups and anti-joins."""
    classes = sorted({c for found in subclasses.values() for c in found})
    counts = {c: 0 for c in classes}
    if classes:
        q = f"SELECT ?t (COUNT(*) AS ?n) WHERE {{ VALUES ?t {{ {' '.join(classes)} }} ?s <{_RDF}type> ?t }} GROUP BY ?t"
        for row in store.query(q, **kwargs):
            counts[str(row[0])] = int(row[1].value)
    return counts


_FEW = 2000


def _few(targets: _Targets, subclasses: dict[str, list[str]], sizes: dict[str, int]) -> bool:
    """Whether ``targets`` are at most a few thousand nodes (targets by class or node only)."""
    if targets.subjects_of or targets.objects_of or targets.via:
        return False
    key = _classes(targets.classes, "V")[2:-1] if targets.classes else ""
    n = sum(sizes.get(c, 0) for c in subclasses.get(key, ())) + len(targets.nodes)
    return n <= _FEW


def report_triples(results: Iterable[ShaclResult]) -> list[ox.Triple]:
    """The SHACL validation report graph of ``results``: sh:conforms is true only when there
    is no result at all, of any severity."""
    results = list(results)
    report = ox.BlankNode()
    triples = [
        ox.Triple(report, RDF_TYPE, _sh("ValidationReport")),
        ox.Triple(report, _sh("conforms"), ox.Literal("false" if results else "true", datatype=XSD_BOOLEAN)),
    ]
    copied: set[Any] = set()
    for r in results:
        node = ox.BlankNode()
        triples += [
            ox.Triple(report, _sh("result"), node),
            ox.Triple(node, RDF_TYPE, _sh("ValidationResult")),
            ox.Triple(node, _sh("focusNode"), r.focus),
            ox.Triple(node, _sh("resultSeverity"), r.severity),
            ox.Triple(node, _sh("sourceShape"), r.source_shape),
            ox.Triple(node, _sh("sourceConstraintComponent"), r.component),
        ]
        if r.path is not None:
            triples.append(ox.Triple(node, _sh("resultPath"), r.path))
            if r.path not in copied:
                copied.add(r.path)
                triples.extend(r.path_triples)
        if r.value is not None:
            triples.append(ox.Triple(node, _sh("value"), r.value))
        if r.source_constraint is not None:
            triples.append(ox.Triple(node, _sh("sourceConstraint"), r.source_constraint))
        for m in r.message_literals or tuple(ox.Literal(m) for m in r.messages):
            triples.append(ox.Triple(node, _sh("resultMessage"), m))
    return triples
