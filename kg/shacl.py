"""SHACL validation as whole-graph SPARQL queries on a pyoxigraph Store.

The shapes file is compiled once (:meth:`Shapes.from_file`) into a fixed set of SPARQL
SELECT queries; :func:`validate_store` runs them on a store, a few at a time in a thread
pool (pyoxigraph releases the GIL while it evaluates), and turns the rows into
:class:`ShaclResult` objects. The aim is pySHACL's results exactly (with the project's
settings: no inference, ``sh:targetClass`` and ``sh:class`` following
``rdfs:subClassOf`` in the data graph), at the speed of the store, for the SHACL Core
components and SHACL-SPARQL constraints that ontology/shapes.ttl uses. Anything else in
a shapes graph raises :class:`ShapesError` naming the shape, rather than being skipped.

How the shapes become queries (all compiled from the shapes graph, none written per shape):

* a *value check* (sh:class, sh:datatype, sh:nodeKind, sh:pattern, sh:languageIn, sh:in,
  sh:hasValue on a node shape, ranges, lengths, sh:node, sh:or/and/not/xone) is a SPARQL
  boolean expression over one value. Nested shapes (sh:node, sh:or members,
  sh:qualifiedValueShape) are compiled recursively into such expressions
  (``EXISTS``/``NOT EXISTS`` over their property shapes), so their values are checked
  fully, whatever the focus nodes;
* the value checks of a property shape run in one query driven by its path
  (``?this <p> ?value``), with the target as an ``EXISTS`` filter: a property that few
  nodes have costs next to nothing, however many targets the shape has;
* checks that need the target itself (sh:minCount 1, sh:qualifiedMinCount 1,
  sh:hasValue of a property shape, the value checks of a node shape) are columns of one
  query per set of targets, shared by every shape with the same targets;
* sh:maxCount (and the other counts) are GROUP BY queries, sh:uniqueLang and the
  property-pair components self-joins, each driven by the path;
* a SHACL-SPARQL constraint (sh:sparql / sh:select) runs once for all targets: the target
  pattern is joined at the start of its WHERE clause, so ``$this`` is bound exactly as
  pre-binding would bind it, and ``$PATH`` is replaced by the shape's path. For a full run
  the triple patterns of the query are regrouped by subject (a BGP is the join of its
  parts, so the results are the same) because the store's optimiser would otherwise join
  ``?this kg:sittingOf ?f . ?other kg:sittingOf ?f`` on ``?f`` alone before looking at
  the ordinal: quadratic in the number of meetings (minutes at 10^6 statements, against
  a fraction of a second regrouped).

``focus`` (incremental validation) restricts the *targets* with a ``VALUES`` block and
nothing else, so it gives the full results filtered to those focus nodes.

Where this differs from pySHACL, deliberately (each is tested in tests/test_shacl_engine.py):

* sh:lessThanOrEquals (and sh:lessThan) report a pair of values that cannot be compared
  (an xsd:date against an xsd:gYear, an ill-typed date), as the SHACL spec says
  ("or where the two values cannot be compared"). pySHACL reports nothing for a date
  against a year (rdflib orders literals of incomparable types) and raises a TypeError
  for an ill-typed start date against a valid end date.
* sh:pattern uses the XPath/SPARQL ``REGEX`` semantics the spec prescribes, where ``$``
  matches only at the very end; pySHACL uses Python's ``re.search``, where ``$`` also
  matches before a final newline ("AZ\\n" passes ``^[A-Z]{2}$`` there).
* sh:languageIn uses SPARQL ``langMatches`` (the spec); pySHACL compares the tag or its
  first subtag, which differs only for multi-part ranges such as "en-GB".

And where the store, not this module, decides (pyoxigraph rewrites typed literals to a
canonical form when it loads them):

* values come back canonical: "5.0"^^xsd:decimal is "5"^^xsd:decimal, "007"^^xsd:integer
  is "7", and sh:pattern sees the canonical lexical form of a typed literal;
* every integer-derived datatype (xsd:positiveInteger, xsd:nonNegativeInteger, xsd:long,
  ...) becomes xsd:integer, even when the value is out of range ("0"^^xsd:positiveInteger
  is stored as "0"^^xsd:integer). So sh:datatype of an integer-derived type accepts an
  xsd:integer in its range (what such a literal looks like once stored), and an
  out-of-range derived literal is checked as the integer it became. With the project's
  shapes (``sh:or (kg:IntegerValue kg:PositiveIntegerValue)`` plus ``sh:minInclusive``)
  the only visible difference is that "0"^^xsd:positiveInteger gets the sh:minInclusive
  result but not pySHACL's additional sh:or result;
* ill-typed literals are kept as written and fail sh:datatype (checked with a cast), as in
  pySHACL for xsd:date and the numeric types; xsd:gYear literals are not checked for
  lexical validity, as in pySHACL (rdflib does not parse them). The store's and rdflib's
  ideas of a valid date differ at the edges (negative years are valid in the store,
  ill-typed in rdflib); integers beyond 64 bits are ill-typed in the store.

Only pyoxigraph and the standard library are imported: no rdflib on this path.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import pyoxigraph as ox

__all__ = ["Shapes", "ShaclResult", "ShapesError", "validate_store", "report_triples"]

_SH = "http://www.w3.org/ns/shacl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_OWL = "http://www.w3.org/2002/07/owl#"

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]


def _sh(local: str) -> ox.NamedNode:
    return ox.NamedNode(_SH + local)


RDF_TYPE = ox.NamedNode(_RDF + "type")
RDF_FIRST = ox.NamedNode(_RDF + "first")
RDF_REST = ox.NamedNode(_RDF + "rest")
RDF_NIL = ox.NamedNode(_RDF + "nil")
RDFS_CLASS = ox.NamedNode(_RDFS + "Class")
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
    """One validation result, as a SHACL report states it."""

    focus: Term
    path: Term | None
    value: Term | None
    source_shape: ox.NamedNode | ox.BlankNode
    component: ox.NamedNode
    severity: ox.NamedNode
    messages: tuple[str, ...]
    # for the report graph only: the SPARQL constraint node of a SHACL-SPARQL result, the
    # triples describing a complex path, the messages with their language tags
    source_constraint: ox.NamedNode | ox.BlankNode | None = field(default=None, compare=False, repr=False)
    path_triples: tuple[ox.Triple, ...] = field(default=(), compare=False, repr=False)
    message_literals: tuple[ox.Literal, ...] = field(default=(), compare=False, repr=False)


# ================================================================ the shapes graph


class _Graph:
    """A small read-only index of the shapes graph."""

    def __init__(self, triples: Iterable[Any]) -> None:
        self.spo: dict[Any, dict[Any, list[Any]]] = {}
        self.pos: dict[Any, dict[Any, list[Any]]] = {}
        self.triples: list[ox.Triple] = []
        for t in triples:
            s, p, o = t.subject, t.predicate, t.object
            self.triples.append(ox.Triple(s, p, o))
            po = self.spo.setdefault(s, {}).setdefault(p, [])
            if o not in po:
                po.append(o)
            self.pos.setdefault(p, {}).setdefault(o, []).append(s)

    def objects(self, s: Any, p: ox.NamedNode) -> list[Any]:
        return list(self.spo.get(s, {}).get(p, ()))

    def value(self, s: Any, p: ox.NamedNode) -> Any:
        found = self.spo.get(s, {}).get(p)
        return found[0] if found else None

    def subjects(self, p: ox.NamedNode, o: Any = None) -> list[Any]:
        by_o = self.pos.get(p, {})
        if o is not None:
            return list(dict.fromkeys(by_o.get(o, ())))
        return list(dict.fromkeys(s for subjects in by_o.values() for s in subjects))

    def items(self, node: Any, where: str) -> list[Any]:
        """The members of the RDF list ``node``."""
        out, seen = [], set()
        while node != RDF_NIL:
            if node in seen or not isinstance(node, ox.BlankNode | ox.NamedNode):
                raise ShapesError(f"{where}: malformed RDF list")
            seen.add(node)
            first, rest = self.objects(node, RDF_FIRST), self.objects(node, RDF_REST)
            if len(first) != 1 or len(rest) != 1:
                raise ShapesError(f"{where}: malformed RDF list")
            out.append(first[0])
            node = rest[0]
        return out

    def describe(self, node: Any) -> list[ox.Triple]:
        """The triples of ``node`` and of the blank nodes it reaches (a complex path)."""
        out, todo, seen = [], [node], set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            for p, objs in self.spo.get(n, {}).items():
                for o in objs:
                    out.append(ox.Triple(n, p, o))
                    if isinstance(o, ox.BlankNode):
                        todo.append(o)
        return out


# ================================================================ SPARQL text helpers


def _nt(term: Any) -> str:
    """A term as SPARQL text (N-Triples syntax is valid SPARQL for IRIs and literals)."""
    if isinstance(term, ox.BlankNode):
        raise ShapesError(f"a blank node ({term}) cannot be written into a query")
    return str(term)


def _string(text: str) -> str:
    """A SPARQL string literal for ``text``."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _show(node: Any) -> str:
    return str(node) if not isinstance(node, ox.BlankNode) else f"_:{node.value}"


class _Names:
    """Fresh variable names, unique within everything compiled from one shapes graph."""

    def __init__(self) -> None:
        self._n = 0
        self._lock = threading.Lock()

    def __call__(self, hint: str = "v") -> str:
        with self._lock:
            self._n += 1
            return f"?_{hint}{self._n}"


# ================================================================ compiled shapes


@dataclass
class _Targets:
    classes: tuple[ox.NamedNode, ...] = ()
    nodes: tuple[Term, ...] = ()
    subjects_of: tuple[ox.NamedNode, ...] = ()
    objects_of: tuple[ox.NamedNode, ...] = ()

    def key(self) -> tuple:
        return (frozenset(self.classes), frozenset(self.nodes), frozenset(self.subjects_of), frozenset(self.objects_of))

    def __bool__(self) -> bool:
        return bool(self.classes or self.nodes or self.subjects_of or self.objects_of)

    def enumerate(self, names: _Names) -> str:
        """A group pattern binding ?this to every target (possibly more than once)."""
        parts = []
        if self.classes:
            parts.append(_instance_of("?this", self.classes, names))
        for p in self.subjects_of:
            parts.append(f"?this {_nt(p)} {names('o')} .")
        for p in self.objects_of:
            parts.append(f"{names('s')} {_nt(p)} ?this .")
        if self.nodes:
            parts.append("VALUES ?this { " + " ".join(_nt(n) for n in self.nodes) + " }")
        return " UNION ".join("{ " + p + " }" for p in parts)


def _instance_of(var: str, classes: Sequence[ox.NamedNode], names: _Names) -> str:
    """A group pattern: ``var`` is a SHACL instance of one of ``classes``
    (rdf:type/rdfs:subClassOf* in the data graph). The subclasses are looked up once per
    run (see _classes_marker): the path with a class variable is slow in the store."""
    t = names("t")
    return f"{var} <{_RDF}type> {t} . VALUES {t} {{ {_classes_marker(classes)} }}"


def _classes_marker(classes: Sequence[ox.NamedNode]) -> str:
    """Stands for the classes and all their subclasses; replaced by _expand_classes."""
    return "\x00" + " ".join(_nt(c) for c in classes) + "\x00"


_MARKER = re.compile("\x00([^\x00]*)\x00")


@dataclass
class _Shape:
    node: Any
    is_property: bool
    path: Any = None  # the sh:path term
    path_sparql: str = ""  # the path as a SPARQL property path
    path_triples: tuple[ox.Triple, ...] = ()
    severity: ox.NamedNode = SH_VIOLATION
    messages: tuple[ox.Literal, ...] = ()
    deactivated: bool = False
    targets: _Targets = field(default_factory=_Targets)
    name: str = ""


# a check of one focus node or value: (component, expression builder over a variable, detail for default messages)
@dataclass(frozen=True)
class _Check:
    shape: _Shape
    component: str  # local name of the constraint component
    expr: str  # SPARQL boolean expression over the check's variable
    detail: str = ""
    value_is_focus: bool = False  # results carry the focus node as sh:value (checks of a node shape)
    no_value: bool = False  # results carry no sh:value (counts, hasValue of a property shape)


_SUPPORTED = {
    "class", "datatype", "nodeKind", "pattern", "flags", "languageIn", "in", "hasValue",
    "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "minLength", "maxLength",
    "node", "or", "and", "not", "xone", "property", "minCount", "maxCount",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint",
    "uniqueLang", "lessThan", "lessThanOrEquals", "equals", "disjoint", "closed", "ignoredProperties",
    "sparql", "path", "severity", "message", "deactivated", "name", "description", "order", "group",
    "defaultValue", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "declare",
    "prefixes", "select", "prefix", "namespace", "labelTemplate", "resultAnnotation",
}  # fmt: skip

# datatypes whose ill-typed literals fail sh:datatype, as rdflib (hence pySHACL) flags them;
# checked by casting, which fails on an ill-typed literal in the store
_CASTABLE = {
    _XSD + n
    for n in (
        "integer", "decimal", "float", "double", "boolean", "date", "dateTime", "time",
        "duration", "dayTimeDuration", "yearMonthDuration",
    )
}  # fmt: skip
# integer-derived datatypes: the store turns them into xsd:integer; (min, max) of the value space
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


class Shapes:
    """A shapes graph compiled into SPARQL queries; immutable, reusable from any thread."""

    def __init__(self, triples: Iterable[Any]) -> None:
        self._g = _Graph(triples)
        self._names = _Names()
        self._shapes: dict[Any, _Shape] = {}
        self._conforms_stack: list[Any] = []
        self._jobs: list[_Job] = []
        self._compile()
        self._check_regexes()
        del self._conforms_stack

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Shapes:
        """Parse a Turtle shapes file (ontology/shapes.ttl) with pyoxigraph and compile it."""
        return cls(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))

    @classmethod
    def from_text(cls, text: str | bytes, format: ox.RdfFormat = ox.RdfFormat.TURTLE) -> Shapes:
        return cls(ox.parse(text, format=format))

    @property
    def queries(self) -> list[str]:
        """The SPARQL text of every query of a full run (for inspection and benchmarks)."""
        return [job.query(None) for job in self._jobs]

    # ------------------------------------------------------------ shapes

    def _shape(self, node: Any) -> _Shape:
        found = self._shapes.get(node)
        if found is not None:
            return found
        g = self._g
        name = _show(node)
        paths = g.objects(node, _sh("path"))
        if len(paths) > 1:
            raise ShapesError(f"shape {name}: more than one sh:path")
        shape = _Shape(node=node, is_property=bool(paths), name=name)
        for p in g.spo.get(node, {}):
            if p.value.startswith(_SH) and p.value[len(_SH) :] not in _SUPPORTED:
                raise ShapesError(f"shape {name}: {p.value[len(_SH):]} is not supported by kg.shacl")
        if paths:
            shape.path = paths[0]
            shape.path_sparql = self._path(paths[0], name)
            if isinstance(paths[0], ox.BlankNode):
                shape.path_triples = tuple(g.describe(paths[0]))
        severity = g.value(node, _sh("severity"))
        if severity is not None:
            if not isinstance(severity, ox.NamedNode):
                raise ShapesError(f"shape {name}: sh:severity must be an IRI")
            shape.severity = severity
        shape.messages = tuple(m for m in g.objects(node, _sh("message")) if isinstance(m, ox.Literal))
        shape.deactivated = any(str(d.value).lower() == "true" for d in g.objects(node, _sh("deactivated")))
        shape.targets = _Targets(
            classes=tuple(g.objects(node, _sh("targetClass")))
            + tuple(
                (node,) if isinstance(node, ox.NamedNode) and {RDFS_CLASS, OWL_CLASS} & set(g.objects(node, RDF_TYPE)) else ()
            ),
            nodes=tuple(g.objects(node, _sh("targetNode"))),
            subjects_of=tuple(g.objects(node, _sh("targetSubjectsOf"))),
            objects_of=tuple(g.objects(node, _sh("targetObjectsOf"))),
        )
        for t in shape.targets.classes + shape.targets.subjects_of + shape.targets.objects_of:
            if not isinstance(t, ox.NamedNode):
                raise ShapesError(f"shape {name}: target {t} must be an IRI")
        for t in shape.targets.nodes:
            if isinstance(t, ox.BlankNode):
                raise ShapesError(f"shape {name}: sh:targetNode {t} is a blank node")
        self._shapes[node] = shape
        return shape

    def _path(self, path: Any, where: str) -> str:
        """A SHACL property path as a SPARQL property path."""
        g = self._g
        if isinstance(path, ox.NamedNode):
            return _nt(path)
        if not isinstance(path, ox.BlankNode):
            raise ShapesError(f"shape {where}: sh:path must be an IRI or a blank node")
        if g.objects(path, RDF_FIRST):
            items = g.items(path, f"shape {where}: sh:path")
            if len(items) < 2:
                raise ShapesError(f"shape {where}: a sequence path needs two members")
            return "(" + "/".join(self._path(i, where) for i in items) + ")"
        kinds = {
            "alternativePath": None,
            "inversePath": "^",
            "zeroOrMorePath": "*",
            "oneOrMorePath": "+",
            "zeroOrOnePath": "?",
        }
        for kind, op in kinds.items():
            value = g.value(path, _sh(kind))
            if value is None:
                continue
            if kind == "alternativePath":
                return "(" + "|".join(self._path(i, where) for i in g.items(value, f"shape {where}: sh:path")) + ")"
            inner = self._path(value, where)
            return f"^({inner})" if op == "^" else f"({inner}){op}"
        raise ShapesError(f"shape {where}: unknown kind of sh:path")

    def _params(self, shape: _Shape, local: str) -> list[Any]:
        return self._g.objects(shape.node, _sh(local))

    # ------------------------------------------------------------ value checks

    def _value_checks(self, shape: _Shape, var: str) -> list[_Check]:
        """The checks of ``shape`` that apply to each value node alone (bound to ``var``)."""
        g, name = self._g, shape.name
        checks: list[_Check] = []

        def add(component: str, expr: str, detail: str = "") -> None:
            checks.append(_Check(shape, component + "ConstraintComponent", expr, detail))

        for c in self._params(shape, "class"):
            if not isinstance(c, ox.NamedNode):
                raise ShapesError(f"shape {name}: sh:class {c} must be an IRI")
            add("Class", f"EXISTS {{ {_instance_of(var, [c], self._names)} }}", _show(c))
        datatypes = self._params(shape, "datatype")
        if len(datatypes) > 1:
            raise ShapesError(f"shape {name}: more than one sh:datatype")
        for dt in datatypes:
            add("Datatype", _datatype_expr(dt, var, name), _show(dt))
        for kind in self._params(shape, "nodeKind"):
            local = kind.value[len(_SH) :] if isinstance(kind, ox.NamedNode) and kind.value.startswith(_SH) else ""
            if local not in _NODE_KINDS:
                raise ShapesError(f"shape {name}: unknown sh:nodeKind {kind}")
            add("NodeKind", _NODE_KINDS[local].format(v=var), _show(kind))
        flags = self._params(shape, "flags")
        flag_text = str(flags[0].value) if flags else ""
        for pattern in self._params(shape, "pattern"):
            if not isinstance(pattern, ox.Literal):
                raise ShapesError(f"shape {name}: sh:pattern must be a literal")
            expr = f"(!isBlank({var}) && REGEX(STR({var}), {_string(pattern.value)}, {_string(flag_text)}))"
            add("Pattern", expr, pattern.value)
        for lst in self._params(shape, "languageIn"):
            langs = g.items(lst, f"shape {name}: sh:languageIn")
            if not all(isinstance(x, ox.Literal) for x in langs):
                raise ShapesError(f"shape {name}: sh:languageIn members must be strings")
            tests = " || ".join(f"langMatches(lang({var}), {_string(x.value)})" for x in langs) or "false"
            add("LanguageIn", f"(isLiteral({var}) && ({tests}))", str([x.value for x in langs]))
        for lst in self._params(shape, "in"):
            members = g.items(lst, f"shape {name}: sh:in")
            tests = " || ".join(f"sameTerm({var}, {_nt(x)})" for x in members) or "false"
            add("In", f"({tests})", str([_show(x) for x in members]))
        if not shape.is_property:
            for v in self._params(shape, "hasValue"):
                add("HasValue", f"sameTerm({var}, {_nt(v)})", _show(v))
        for local, op in _RANGES.items():
            for bound in self._params(shape, local):
                if not isinstance(bound, ox.Literal):
                    raise ShapesError(f"shape {name}: sh:{local} must be a literal")
                # a value that cannot be compared is a result (the spec; pySHACL agrees)
                add(local[0].upper() + local[1:], f"COALESCE({var} {op} {_nt(bound)}, false)", bound.value)
        for local, op in (("minLength", ">="), ("maxLength", "<=")):
            for n in self._params(shape, local):
                add(local[0].upper() + local[1:], f"(!isBlank({var}) && STRLEN(STR({var})) {op} {_int(n, name, local)})", str(n.value))
        for s in self._params(shape, "node"):
            add("Node", self._conforms(s, var), _show(s))
        for local in ("or", "and", "xone"):
            for lst in self._params(shape, local):
                members = [self._conforms(s, var) for s in g.items(lst, f"shape {name}: sh:{local}")]
                if local == "or":
                    expr = "(" + (" || ".join(members) or "false") + ")"
                elif local == "and":
                    expr = "(" + (" && ".join(members) or "true") + ")"
                else:
                    expr = "((" + (" + ".join(f"IF({m}, 1, 0)" for m in members) or "0") + ") = 1)"
                add(local[0].upper() + local[1:], expr, str([_show(s) for s in g.items(lst, name)]))
        for s in self._params(shape, "not"):
            add("Not", f"!({self._conforms(s, var)})", _show(s))
        return checks

    def _conforms(self, node: Any, var: str) -> str:
        """A SPARQL expression: the node bound to ``var`` conforms to the shape ``node``."""
        shape = self._shape(node)
        if shape.deactivated:
            return "true"
        if node in self._conforms_stack:
            raise ShapesError(f"shape {shape.name}: recursive shapes are not supported")
        self._conforms_stack.append(node)
        try:
            if shape.is_property:
                parts = self._property_conforms(shape, var)
            else:
                parts = [c.expr for c in self._value_checks(shape, var)]
                for p in self._params(shape, "property"):
                    parts.append(self._conforms(p, var))
                if self._params(shape, "closed"):
                    parts.extend(f"!({e})" for e in [self._closed_violation(shape, var)] if e)
                if self._params(shape, "sparql"):
                    raise ShapesError(f"shape {shape.name}: sh:sparql in a nested shape is not supported")
                for local in ("minCount", "maxCount", "qualifiedValueShape", "uniqueLang", "lessThan",
                              "lessThanOrEquals", "equals", "disjoint"):  # fmt: skip
                    if self._params(shape, local):
                        raise ShapesError(f"shape {shape.name}: sh:{local} needs a sh:path")
        finally:
            self._conforms_stack.pop()
        return "(" + (" && ".join(f"COALESCE({p}, false)" for p in parts) or "true") + ")"

    def _distinct_values(self, var: str, path: str, n: int, condition: Callable[[str], str] | None = None) -> str:
        """A group pattern matching when ``var`` has at least ``n`` distinct values via ``path``."""
        vs = [self._names("y") for _ in range(n)]
        pattern = " ".join(f"{var} {path} {v} ." for v in vs)
        filters = [f"!sameTerm({a}, {b})" for i, a in enumerate(vs) for b in vs[i + 1 :]]
        if condition is not None:
            filters.extend(condition(v) for v in vs)
        return pattern + (f" FILTER({' && '.join(filters)})" if filters else "")

    def _property_conforms(self, shape: _Shape, var: str) -> list[str]:
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
            k = _int(n, name, "maxCount")
            parts.append(f"NOT EXISTS {{ {self._distinct_values(var, path, _small(k + 1, name, 'maxCount'))} }}")
        for v in self._params(shape, "hasValue"):
            parts.append(f"EXISTS {{ {var} {path} {_nt(v)} }}")
        qualified = self._params(shape, "qualifiedValueShape")
        if qualified:
            self._check_qualified(shape)
            q = qualified[0]
            for n in self._params(shape, "qualifiedMinCount"):
                k = _int(n, name, "qualifiedMinCount")
                if k > 0:
                    vs = self._distinct_values(var, path, _small(k, name, "qualifiedMinCount"), lambda v: self._conforms(q, v))
                    parts.append(f"EXISTS {{ {vs} }}")
            for n in self._params(shape, "qualifiedMaxCount"):
                k = _int(n, name, "qualifiedMaxCount") + 1
                vs = self._distinct_values(var, path, _small(k, name, "qualifiedMaxCount"), lambda v: self._conforms(q, v))
                parts.append(f"NOT EXISTS {{ {vs} }}")
        if _true(self._params(shape, "uniqueLang")):
            a, b = self._names("a"), self._names("b")
            parts.append(f"NOT EXISTS {{ {var} {path} {a} . {var} {path} {b} . FILTER({_same_lang(a, b)}) }}")
        for local, p2, w in self._pair_params(shape):
            parts.append(f"NOT EXISTS {{ {self._pair_violation(local, var, path, p2, w)} }}")
        if self._params(shape, "sparql"):
            raise ShapesError(f"shape {name}: sh:sparql in a nested shape is not supported")
        return parts

    def _check_qualified(self, shape: _Shape) -> None:
        if len(self._params(shape, "qualifiedValueShape")) > 1:
            raise ShapesError(f"shape {shape.name}: more than one sh:qualifiedValueShape")
        if _true(self._params(shape, "qualifiedValueShapesDisjoint")):
            raise ShapesError(f"shape {shape.name}: sh:qualifiedValueShapesDisjoint is not supported")

    def _pair_params(self, shape: _Shape) -> list[tuple[str, str, str]]:
        out = []
        for local in ("lessThan", "lessThanOrEquals", "equals", "disjoint"):
            for p2 in self._params(shape, local):
                if not isinstance(p2, ox.NamedNode):
                    raise ShapesError(f"shape {shape.name}: sh:{local} must be an IRI")
                out.append((local, _nt(p2), self._names("w")))
        return out

    def _pair_violation(self, local: str, var: str, path: str, p2: str, w: str) -> str:
        """A group pattern matching the violating values (bound to ``?value`` or a fresh variable)."""
        v = self._names("x")
        if local in _PAIRS:
            # a pair that cannot be compared is a result (the spec; pySHACL differs)
            return f"{var} {path} {v} . {var} {p2} {w} . FILTER(!COALESCE({v} {_PAIRS[local]} {w}, false))"
        if local == "disjoint":
            return f"{var} {path} {v} . {var} {p2} {v} ."
        return f"{{ {var} {path} {v} . FILTER NOT EXISTS {{ {var} {p2} {v} }} }} UNION {{ {var} {p2} {v} . FILTER NOT EXISTS {{ {var} {path} {v} }} }}"

    def _closed_violation(self, shape: _Shape, var: str) -> str:
        if not _true(self._params(shape, "closed")):
            return ""
        allowed = []
        for p in self._params(shape, "property"):
            path = self._shape(p).path
            if isinstance(path, ox.NamedNode):
                allowed.append(path)
        for lst in self._params(shape, "ignoredProperties"):
            allowed.extend(self._g.items(lst, f"shape {shape.name}: sh:ignoredProperties"))
        p, o = self._names("p"), self._names("o")
        tests = " || ".join(f"sameTerm({p}, {_nt(a)})" for a in allowed) or "false"
        return f"EXISTS {{ {var} {p} {o} . FILTER(!({tests})) }}"

    # ------------------------------------------------------------ top-level shapes

    def _compile(self) -> None:
        g = self._g
        targeted = []
        for local in _TARGET_PREDICATES:
            targeted.extend(g.subjects(_sh(local)))
        for cls in (RDFS_CLASS, OWL_CLASS):
            for s in g.subjects(RDF_TYPE, cls):
                if _sh("NodeShape") in g.objects(s, RDF_TYPE) or _sh("PropertyShape") in g.objects(s, RDF_TYPE):
                    targeted.append(s)
        focus_checks: dict[tuple, tuple[_Targets, list[_Check]]] = {}
        for node in dict.fromkeys(targeted):
            shape = self._shape(node)
            if shape.deactivated:
                continue
            targets = shape.targets
            key = targets.key()
            checks = focus_checks.setdefault(key, (targets, []))[1]
            if shape.is_property:
                self._compile_property(shape, targets, checks)
            else:
                self._compile_node(shape, targets, checks)
        for targets, checks in focus_checks.values():
            if checks:
                self._jobs.append(_FocusJob(targets, checks, self._names))

    def _compile_node(self, shape: _Shape, targets: _Targets, focus_checks: list[_Check]) -> None:
        for check in self._value_checks(shape, "?this"):
            focus_checks.append(_Check(shape, check.component, check.expr, check.detail, value_is_focus=True))
        for local in ("minCount", "maxCount", "qualifiedValueShape", "uniqueLang", "lessThan",
                      "lessThanOrEquals", "equals", "disjoint"):  # fmt: skip
            if self._params(shape, local):
                raise ShapesError(f"shape {shape.name}: sh:{local} on a node shape (it needs a sh:path)")
        if _true(self._params(shape, "closed")):
            self._jobs.append(_ClosedJob(shape, targets, self._closed_allowed(shape), self._names))
        for constraint in self._params(shape, "sparql"):
            self._jobs.append(self._sparql_job(shape, targets, constraint))
        for p in self._params(shape, "property"):
            prop = self._shape(p)
            if not prop.is_property:
                raise ShapesError(f"shape {prop.name}: a sh:property value needs a sh:path")
            if not prop.deactivated:
                self._compile_property(prop, targets, focus_checks)

    def _closed_allowed(self, shape: _Shape) -> list[Any]:
        allowed = []
        for p in self._params(shape, "property"):
            path = self._shape(p).path
            if isinstance(path, ox.NamedNode):
                allowed.append(path)
        for lst in self._params(shape, "ignoredProperties"):
            allowed.extend(self._g.items(lst, f"shape {shape.name}: sh:ignoredProperties"))
        return allowed

    def _compile_property(self, shape: _Shape, targets: _Targets, focus_checks: list[_Check]) -> None:
        name, path = shape.name, shape.path_sparql
        value_checks = self._value_checks(shape, "?value")
        if self._params(shape, "property"):
            # the results would be those of the nested shape, with the values as focus nodes
            raise ShapesError(f"shape {name}: sh:property on a property shape is not supported at the top level")
        if value_checks:
            self._jobs.append(_ValueJob(shape, targets, value_checks, self._names))
        for n in self._params(shape, "minCount"):
            k = _int(n, name, "minCount")
            if k == 1:
                expr = f"EXISTS {{ ?this {path} {self._names('x')} }}"
                focus_checks.append(_Check(shape, "MinCountConstraintComponent", expr, str(k), no_value=True))
            elif k > 1:
                self._jobs.append(_CountJob(shape, targets, "MinCountConstraintComponent", "<", k, None, self._names))
        for n in self._params(shape, "maxCount"):
            self._jobs.append(
                _CountJob(shape, targets, "MaxCountConstraintComponent", ">", _int(n, name, "maxCount"), None, self._names)
            )
        for v in self._params(shape, "hasValue"):
            expr = f"EXISTS {{ ?this {path} {_nt(v)} }}"
            focus_checks.append(_Check(shape, "HasValueConstraintComponent", expr, _show(v), no_value=True))
        qualified = self._params(shape, "qualifiedValueShape")
        if qualified:
            self._check_qualified(shape)
            q = qualified[0]
            for n in self._params(shape, "qualifiedMinCount"):
                k = _int(n, name, "qualifiedMinCount")
                if k == 1:
                    x = self._names("x")
                    expr = f"EXISTS {{ ?this {path} {x} . FILTER({self._conforms(q, x)}) }}"
                    focus_checks.append(
                        _Check(shape, "QualifiedMinCountConstraintComponent", expr, _show(q), no_value=True)
                    )
                elif k > 1:
                    cond = self._conforms(q, "?_qv")
                    self._jobs.append(
                        _CountJob(shape, targets, "QualifiedMinCountConstraintComponent", "<", k, cond, self._names)
                    )
            for n in self._params(shape, "qualifiedMaxCount"):
                k = _int(n, name, "qualifiedMaxCount")
                cond = self._conforms(q, "?_qv")
                self._jobs.append(
                    _CountJob(shape, targets, "QualifiedMaxCountConstraintComponent", ">", k, cond, self._names)
                )
        elif self._params(shape, "qualifiedMinCount") or self._params(shape, "qualifiedMaxCount"):
            raise ShapesError(f"shape {name}: sh:qualifiedMinCount/MaxCount without sh:qualifiedValueShape")
        if _true(self._params(shape, "uniqueLang")):
            self._jobs.append(_UniqueLangJob(shape, targets, self._names))
        for local, p2, w in self._pair_params(shape):
            self._jobs.append(_PairJob(shape, targets, local, p2, self._names))
        for constraint in self._params(shape, "sparql"):
            self._jobs.append(self._sparql_job(shape, targets, constraint))
        if self._params(shape, "closed"):
            raise ShapesError(f"shape {name}: sh:closed on a property shape is not supported")

    # ------------------------------------------------------------ SHACL-SPARQL

    def _sparql_job(self, shape: _Shape, targets: _Targets, constraint: Any) -> _Job:
        g, name = self._g, shape.name
        if any(str(d.value).lower() == "true" for d in g.objects(constraint, _sh("deactivated"))):
            return _NoJob()
        selects = g.objects(constraint, _sh("select"))
        if len(selects) != 1 or not isinstance(selects[0], ox.Literal):
            raise ShapesError(f"shape {name}: the SPARQL constraint {_show(constraint)} needs exactly one sh:select")
        prefixes = {"rdf": _RDF, "rdfs": _RDFS, "owl": _OWL}  # pySHACL's defaults
        for pv in g.objects(constraint, _sh("prefixes")):
            for dec in g.objects(pv, _sh("declare")):
                pfx, ns = g.objects(dec, _sh("prefix")), g.objects(dec, _sh("namespace"))
                if len(pfx) != 1 or len(ns) != 1 or not isinstance(pfx[0], ox.Literal):
                    raise ShapesError(f"shape {name}: malformed sh:declare {_show(dec)}")
                prefixes[pfx[0].value] = ns[0].value
        messages = tuple(m for m in g.objects(constraint, _sh("message")) if isinstance(m, ox.Literal))
        where = f"shape {name}, SPARQL constraint {_show(constraint)}"
        text = selects[0].value
        if re.search(r"[$?](shapesGraph|currentShape)\b", text):
            raise ShapesError(f"{where}: $shapesGraph and $currentShape are not supported")
        if re.search(r"[$?]PATH\b", text):
            if not shape.is_property:
                raise ShapesError(f"{where}: $PATH in a node shape")
            # pre-binding of $PATH: the path itself (as pySHACL substitutes it)
            text = re.sub(r"([\s{}()])[$?]PATH\b", lambda m: m.group(1) + shape.path_sparql, text)
        query = _SparqlQuery.parse(text, where)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
        return _SparqlJob(shape, targets, constraint, prologue, query, messages, self._names)

    def _check_regexes(self) -> None:
        """Every sh:pattern must be a regular expression the store understands."""
        store = ox.Store()
        for shape in self._shapes.values():
            flags = self._params(shape, "flags")
            for pattern in self._params(shape, "pattern"):
                q = f"SELECT (REGEX(\"\", {_string(pattern.value)}, {_string(str(flags[0].value) if flags else '')}) AS ?r) {{}}"
                try:
                    rows = list(store.query(q))
                except SyntaxError as exc:
                    raise ShapesError(f"shape {shape.name}: sh:pattern {pattern.value!r}: {exc}") from exc
                if rows[0]["r"] is None:
                    raise ShapesError(
                        f"shape {shape.name}: sh:pattern {pattern.value!r} is not a regular expression the store supports"
                    )


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
    return any(isinstance(v, ox.Literal) and v.value.lower() in ("true", "1") for v in values)


def _same_lang(a: str, b: str) -> str:
    return (
        f'!sameTerm({a}, {b}) && isLiteral({a}) && isLiteral({b}) && lang({a}) != "" '
        f"&& LCASE(lang({a})) = LCASE(lang({b}))"
    )


def _datatype_expr(dt: Any, v: str, shape: str) -> str:
    if not isinstance(dt, ox.NamedNode):
        raise ShapesError(f"shape {shape}: sh:datatype must be an IRI")
    iri = dt.value
    if iri == _RDF + "langString":
        return f'(isLiteral({v}) && lang({v}) != "")'
    if iri == _RDFS + "Literal":
        return f"isLiteral({v})"
    if iri in _INTEGER_RANGES:
        # stored, a valid literal of this type is an xsd:integer (see the module docstring)
        lo, hi = _INTEGER_RANGES[iri]
        tests = [f"isLiteral({v})", f"(datatype({v}) = <{iri}> || datatype({v}) = <{_XSD}integer>)"]
        tests.append(f"isLiteral(<{_XSD}integer>({v}))")
        if lo is not None:
            tests.append(f"<{_XSD}integer>({v}) >= {lo}")
        if hi is not None:
            tests.append(f"<{_XSD}integer>({v}) <= {hi}")
        return "(" + " && ".join(tests) + ")"
    test = f"(isLiteral({v}) && datatype({v}) = <{iri}>"
    if iri in _CASTABLE:
        # an ill-typed literal is kept as written by the store and fails the cast
        test += f" && isLiteral(<{iri}>({v}))"
    return test + ")"


# ================================================================ jobs: one query each


class _Job:
    """One query, for all targets or for the focus nodes, and how its rows become results."""

    cost = 1  # rough order for scheduling: expensive first
    label = ""

    def query(self, focus: str | None) -> str:
        raise NotImplementedError

    def results(self, solutions: Any) -> list[ShaclResult]:
        raise NotImplementedError


class _NoJob(_Job):
    cost = 0

    def query(self, focus: str | None) -> str:
        return ""

    def results(self, solutions: Any) -> list[ShaclResult]:
        return []


def _focus_block(focus: str | None) -> str:
    return f"VALUES ?this {{ {focus} }}" if focus else ""


def _targets(targets: _Targets, names: _Names, focus: str | None) -> str:
    """A group pattern binding ?this to each target once."""
    return f"{{ SELECT DISTINCT ?this WHERE {{ {_focus_block(focus)} {targets.enumerate(names)} }} }}"


def _only_targets(select: str, inner: str, targets: _Targets, names: _Names) -> str:
    """``inner`` (a SELECT of candidate rows, few) kept for the rows whose ?this is a target.
    The sub-SELECT keeps the store from testing the target on every row before the
    (cheap) test that makes a row a candidate."""
    return f"{select} WHERE {{ {{ {inner} }} FILTER EXISTS {{ {targets.enumerate(names)} }} }}"


def _result(shape: _Shape, component: str, focus: Term, value: Term | None, detail: str = "", **extra: Any) -> ShaclResult:
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
        **extra,
    )


class _FocusJob(_Job):
    """Checks of the targets themselves, for every shape with these targets: one column each."""

    @property
    def label(self) -> str:
        return f"targets of {', '.join(sorted({c.shape.name for c in self.checks}))}"

    cost = 3

    def __init__(self, targets: _Targets, checks: list[_Check], names: _Names) -> None:
        self.targets, self.checks, self.names = targets, checks, names
        self.columns = [f"?_k{i}" for i in range(len(checks))]

    def query(self, focus: str | None) -> str:
        binds = " ".join(f"BIND(COALESCE({c.expr}, false) AS {col})" for c, col in zip(self.checks, self.columns))
        failed = " || ".join(f"!{col}" for col in self.columns)
        return (
            f"SELECT ?this {' '.join(self.columns)} WHERE {{ {_targets(self.targets, self.names, focus)} "
            f"{binds} FILTER({failed}) }}"
        )

    def results(self, solutions: Any) -> list[ShaclResult]:
        out = []
        for row in solutions:
            this = row["this"]
            for i, check in enumerate(self.checks):
                ok = row[i + 1]
                if ok is None or ok.value != "true":
                    value = this if check.value_is_focus else None
                    out.append(_result(check.shape, check.component, this, value, check.detail))
        return out


class _ValueJob(_Job):
    """The value checks of one property shape, driven by its path."""

    @property
    def label(self) -> str:
        return f"values of {self.shape.name}"

    cost = 2

    def __init__(self, shape: _Shape, targets: _Targets, checks: list[_Check], names: _Names) -> None:
        self.shape, self.targets, self.checks, self.names = shape, targets, checks, names
        self.columns = [f"?_k{i}" for i in range(len(checks))]

    def query(self, focus: str | None) -> str:
        binds = " ".join(f"BIND(COALESCE({c.expr}, false) AS {col})" for c, col in zip(self.checks, self.columns))
        failed = " || ".join(f"!{col}" for col in self.columns)
        select = f"SELECT DISTINCT ?this ?value {' '.join(self.columns)}"
        inner = f"{select} WHERE {{ {_focus_block(focus)} ?this {self.shape.path_sparql} ?value . {binds} FILTER({failed}) }}"
        return _only_targets(select, inner, self.targets, self.names)

    def results(self, solutions: Any) -> list[ShaclResult]:
        out = []
        for row in solutions:
            for i, check in enumerate(self.checks):
                ok = row[i + 2]
                if ok is None or ok.value != "true":
                    out.append(_result(self.shape, check.component, row["this"], row["value"], check.detail))
        return out


class _CountJob(_Job):
    """sh:minCount above 1, sh:maxCount, sh:qualifiedMin/MaxCount: one GROUP BY query."""

    @property
    def label(self) -> str:
        return f"{self.component} of {self.shape.name}"

    def __init__(
        self, shape: _Shape, targets: _Targets, component: str, op: str, bound: int, condition: str | None, names: _Names
    ) -> None:
        self.shape, self.targets, self.component, self.op, self.bound = shape, targets, component, op, bound
        self.condition, self.names = condition, names

    def query(self, focus: str | None) -> str:
        path = self.shape.path_sparql
        cond = f"FILTER({self.condition})" if self.condition else ""
        values = f"?this {path} ?_qv . {cond}"
        if self.op == "<":  # too few: every target counts, with none as zero
            return (
                f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?_qv) AS ?_n) WHERE {{ "
                f"{_targets(self.targets, self.names, focus)} OPTIONAL {{ {values} }} }} GROUP BY ?this }} "
                f"FILTER(?_n < {self.bound}) }}"
            )
        # too many: only nodes with a value can have too many; the path drives the query
        inner = (
            f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?_qv) AS ?_n) WHERE {{ {_focus_block(focus)} "
            f"{values} }} GROUP BY ?this }} FILTER(?_n > {self.bound}) }}"
        )
        return _only_targets("SELECT ?this", inner, self.targets, self.names)

    def results(self, solutions: Any) -> list[ShaclResult]:
        return [_result(self.shape, self.component, row["this"], None, str(self.bound)) for row in solutions]


class _UniqueLangJob(_Job):

    @property
    def label(self) -> str:
        return f"uniqueLang of {self.shape.name}"
    def __init__(self, shape: _Shape, targets: _Targets, names: _Names) -> None:
        self.shape, self.targets, self.names = shape, targets, names

    def query(self, focus: str | None) -> str:
        path = self.shape.path_sparql
        # per focus node and language, more than one value: a scan and a hash aggregate
        inner = (
            f"SELECT ?this ?_lang WHERE {{ {_focus_block(focus)} ?this {path} ?_a . "
            f'FILTER(isLiteral(?_a) && lang(?_a) != "") BIND(LCASE(lang(?_a)) AS ?_lang) }} '
            f"GROUP BY ?this ?_lang HAVING (COUNT(DISTINCT ?_a) > 1)"
        )
        return _only_targets("SELECT ?this ?_lang", inner, self.targets, self.names)

    def results(self, solutions: Any) -> list[ShaclResult]:
        # one result per duplicated language, without sh:value (as the spec and pySHACL)
        return [_result(self.shape, "UniqueLangConstraintComponent", row["this"], None) for row in solutions]


class _PairJob(_Job):
    """sh:lessThan, sh:lessThanOrEquals, sh:equals, sh:disjoint: one result per offending pair or value."""

    @property
    def label(self) -> str:
        return f"{self.local} of {self.shape.name}"

    def __init__(self, shape: _Shape, targets: _Targets, local: str, p2: str, names: _Names) -> None:
        self.shape, self.targets, self.local, self.p2, self.names = shape, targets, local, p2, names

    def query(self, focus: str | None) -> str:
        path, p2 = self.shape.path_sparql, self.p2
        if self.local in _PAIRS:
            # one row per pair: each pair is a result
            body = f"?this {path} ?value . ?this {p2} ?_w . FILTER(!COALESCE(?value {_PAIRS[self.local]} ?_w, false))"
            select = "SELECT DISTINCT ?this ?value ?_w"
        elif self.local == "disjoint":
            body = f"?this {path} ?value . ?this {p2} ?value ."
            select = "SELECT DISTINCT ?this ?value"
        else:
            body = (
                f"{{ ?this {path} ?value . FILTER NOT EXISTS {{ ?this {p2} ?value }} }} UNION "
                f"{{ ?this {p2} ?value . FILTER NOT EXISTS {{ ?this {path} ?value }} }}"
            )
            select = "SELECT DISTINCT ?this ?value"
        return _only_targets(select, f"{select} WHERE {{ {_focus_block(focus)} {body} }}", self.targets, self.names)

    def results(self, solutions: Any) -> list[ShaclResult]:
        component = self.local[0].upper() + self.local[1:] + "ConstraintComponent"
        return [_result(self.shape, component, row["this"], row["value"]) for row in solutions]


class _ClosedJob(_Job):

    @property
    def label(self) -> str:
        return f"closed {self.shape.name}"
    def __init__(self, shape: _Shape, targets: _Targets, allowed: list[Any], names: _Names) -> None:
        self.shape, self.targets, self.allowed, self.names = shape, targets, allowed, names

    def query(self, focus: str | None) -> str:
        tests = " || ".join(f"sameTerm(?_p, {_nt(a)})" for a in self.allowed) or "false"
        return (
            f"SELECT ?this ?_p ?value WHERE {{ {_targets(self.targets, self.names, focus)} "
            f"?this ?_p ?value . FILTER(!({tests})) }}"
        )

    def results(self, solutions: Any) -> list[ShaclResult]:
        out = []
        for row in solutions:
            r = _result(self.shape, "ClosedConstraintComponent", row["this"], row["value"])
            out.append(ShaclResult(**{**r.__dict__, "path": row["_p"], "path_triples": ()}))
        return out


# ---------------------------------------------------------------- SHACL-SPARQL queries

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<str>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<bnode>_:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-]|\[\s*\])
  | (?P<num>[+-]?(?:\d+\.\d+(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?))
  | (?P<pname>(?:[A-Za-z][\w\-.]*[\w\-])?:(?:[\w\-:%]|\\.|\.(?=[\w\-:%]))*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].;,^/|*+?!=<>\-])
    """,
    re.X,
)
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


def _tokenize(text: str, where: str) -> list[_Tok]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ShapesError(f"{where}: cannot read the query at {text[pos:pos + 30]!r}")
        if m.lastgroup != "ws":
            out.append(_Tok(m.lastgroup or "", m.group(), m.start(), m.end()))
        pos = m.end()
    return out


def _match(tokens: list[_Tok], i: int, where: str) -> int:
    """The index of the bracket closing the one at ``i``."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack = []
    for j in range(i, len(tokens)):
        t = tokens[j].text
        if tokens[j].kind == "punct" and t in pairs:
            stack.append(pairs[t])
        elif tokens[j].kind == "punct" and t in pairs.values():
            if not stack or stack.pop() != t:
                raise ShapesError(f"{where}: unbalanced brackets")
            if not stack:
                return j
    raise ShapesError(f"{where}: unbalanced brackets")


@dataclass(frozen=True)
class _SparqlQuery:
    """A constraint's SELECT query, taken apart just enough to bind $this for all targets."""

    head: str  # prologue, SELECT and projection, with ?this projected
    body: str  # the WHERE group's content, as written
    regrouped: str  # the same, triple patterns regrouped by subject
    tail: str  # solution modifiers after the WHERE group (ORDER BY only)

    @classmethod
    def parse(cls, text: str, where: str) -> _SparqlQuery:
        tokens = _tokenize(text, where)
        select = next((i for i, t in enumerate(tokens) if t.upper == "SELECT"), None)
        if select is None:
            raise ShapesError(f"{where}: sh:select is not a SELECT query")
        if any(t.upper in ("MINUS", "SERVICE") for t in tokens) or any(
            t.upper == "VALUES" for t in tokens
        ):  # the spec forbids them in constraints, as pySHACL does
            raise ShapesError(f"{where}: MINUS, VALUES and SERVICE are not allowed in a SPARQL constraint")
        i = select + 1
        if i < len(tokens) and tokens[i].upper in ("DISTINCT", "REDUCED"):
            i += 1
        proj_start = i
        depth = 0
        while i < len(tokens):
            t = tokens[i]
            if t.kind == "punct" and t.text == "(":
                depth += 1
            elif t.kind == "punct" and t.text == ")":
                depth -= 1
            elif depth == 0 and (t.upper == "WHERE" or (t.kind == "punct" and t.text == "{")):
                break
            i += 1
        projection = tokens[proj_start:i]
        proj_end = i
        if any(t.upper in _AGGREGATES for t in projection):
            raise ShapesError(f"{where}: aggregates in a SPARQL constraint are not supported")
        if i < len(tokens) and tokens[i].upper == "WHERE":
            i += 1
        if i >= len(tokens) or tokens[i].text != "{":
            raise ShapesError(f"{where}: no WHERE group")
        close = _match(tokens, i, where)
        tail_tokens = tokens[close + 1 :]
        tail = text[tail_tokens[0].start :] if tail_tokens else ""
        if tail_tokens and (tail_tokens[0].upper != "ORDER" or any(t.upper in ("LIMIT", "OFFSET") for t in tail_tokens)):
            # GROUP BY, HAVING, LIMIT, OFFSET apply per focus node under pre-binding
            raise ShapesError(f"{where}: solution modifiers other than ORDER BY are not supported")
        if any(t.upper in ("GROUP", "HAVING", "LIMIT", "OFFSET") for t in tokens[i:close]):
            # allowed only inside nested SELECTs; we cannot tell cheaply, so refuse
            raise ShapesError(f"{where}: GROUP BY, HAVING, LIMIT and OFFSET are not supported")
        projected = {t.text[1:] for t in projection if t.kind == "var"}
        star = any(t.text == "*" for t in projection)
        if not projection:
            raise ShapesError(f"{where}: empty projection")
        proj_text = text[tokens[proj_start].start : tokens[proj_end - 1].end]
        if not star and "this" not in projected:
            proj_text = "?this " + proj_text  # the focus node of each solution
        head = text[: tokens[proj_start].start] + proj_text + " WHERE "
        inner = tokens[i + 1 : close]
        body = text[tokens[i].end : tokens[close].start]
        regrouped = _regroup(text, inner, where) if inner else body
        return cls(head=head, body=body, regrouped=regrouped, tail=tail)


def _regroup(text: str, tokens: list[_Tok], where: str) -> str:
    """The group's content with each block of triple patterns split into one sub-SELECT per
    subject, when a block has several subjects. The join of the parts is the block (no blank
    node is shared between parts: a block with blank nodes is left alone)."""
    out: list[str] = []
    i = 0
    last = tokens[0].start
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "punct" and t.text == "{":
            j = _match(tokens, i, where)
            while j + 1 < len(tokens) and tokens[j + 1].upper == "UNION":
                j = _match(tokens, j + 2, where)
            i = j + 1
            continue
        if t.upper in _GROUP_KEYWORDS:
            j = i + 1
            while j < len(tokens) and not (tokens[j].kind == "punct" and tokens[j].text in "({"):
                j += 1  # FILTER NOT EXISTS, FILTER regex(...), GRAPH ?g, ...
            if j >= len(tokens):
                raise ShapesError(f"{where}: cannot read {t.text}")
            i = _match(tokens, j, where) + 1
            continue
        if t.kind == "punct" and t.text == ".":
            i += 1
            continue
        # a block of triple patterns, up to the next group element
        j = i
        while j < len(tokens):
            u = tokens[j]
            if u.upper in _GROUP_KEYWORDS or (u.kind == "punct" and u.text == "{"):
                break
            if u.kind == "punct" and u.text in "([":
                j = _match(tokens, j, where) + 1
                continue
            j += 1
        block = tokens[i:j]
        replacement = _split_block(text, block)
        if replacement is not None:
            out.append(text[last : block[0].start])
            out.append(replacement)
            last = block[-1].end
        i = j
    out.append(text[last : tokens[-1].end])
    return "".join(out)


def _split_block(text: str, block: list[_Tok]) -> str | None:
    if any(t.kind == "bnode" or (t.kind == "punct" and t.text in "[(") for t in block):
        return None
    statements: list[list[_Tok]] = [[]]
    for t in block:
        if t.kind == "punct" and t.text == ".":
            statements.append([])
        else:
            statements[-1].append(t)
    statements = [s for s in statements if s]
    stars: dict[str, list[str]] = {}
    for s in statements:
        subject = s[0].text[1:] if s[0].kind == "var" else s[0].text
        stars.setdefault(subject, []).append(text[s[0].start : s[-1].end])
    if len(stars) < 2:
        return None
    return " ".join("{ SELECT * WHERE { " + " . ".join(parts) + " } }" for parts in stars.values()) + " "


class _SparqlJob(_Job):

    @property
    def label(self) -> str:
        return f"SPARQL {_show(self.constraint)} of {self.shape.name}"
    cost = 4

    def __init__(
        self,
        shape: _Shape,
        targets: _Targets,
        constraint: Any,
        prologue: str,
        query_: _SparqlQuery,
        messages: tuple[ox.Literal, ...],
        names: _Names,
    ) -> None:
        self.shape, self.targets, self.constraint = shape, targets, constraint
        self.prologue, self.q, self.messages, self.names = prologue, query_, messages, names

    def query(self, focus: str | None) -> str:
        # the target first in the WHERE group: $this is bound before anything else is
        # evaluated, as pre-binding binds it. For all targets, the regrouped body (see
        # _regroup); for a few focus nodes the body as written, driven by the VALUES.
        body = self.q.body if focus else self.q.regrouped
        return (
            f"{self.prologue}{self.q.head}{{ {_focus_block(focus)} {_targets(self.targets, self.names, focus)} "
            f"{body} }} {self.q.tail}"
        )

    def results(self, solutions: Any) -> list[ShaclResult]:
        variables = [v.value for v in solutions.variables]
        out, seen = [], set()
        for row in solutions:
            values = tuple(row[i] for i in range(len(variables)))
            if values in seen:  # pySHACL drops duplicate solutions
                continue
            seen.add(values)
            bound = {n: v for n, v in zip(variables, values) if v is not None}
            if "failure" in bound and bound["failure"].value == "true":
                raise RuntimeError(f"SPARQL constraint {_show(self.constraint)} of {self.shape.name} reported a failure")
            focus = bound["this"]
            value = bound.get("value")
            if value is None and not self.shape.is_property:
                value = focus
            literals = tuple(
                ox.Literal(_substitute(m.value, bound), language=m.language) if m.language else ox.Literal(_substitute(m.value, bound))
                for m in (self.messages + self.shape.messages)
            )
            if not literals:
                literals = (ox.Literal(_DEFAULT_MESSAGES["SPARQLConstraintComponent"].format(detail=_show(self.constraint))),)
            path = bound.get("path", self.shape.path if self.shape.is_property else None)
            out.append(
                ShaclResult(
                    focus=focus,
                    path=path,
                    value=value,
                    source_shape=self.shape.node,
                    component=_sh("SPARQLConstraintComponent"),
                    severity=self.shape.severity,
                    messages=tuple(m.value for m in literals),
                    source_constraint=self.constraint,
                    path_triples=self.shape.path_triples if "path" not in bound else (),
                    message_literals=literals,
                )
            )
        return out


def _substitute(message: str, bound: dict[str, Any]) -> str:
    """{?var} and {$var} replaced by the value's string (IRI, lexical form), as pySHACL does."""
    for name, term in bound.items():
        message = re.sub(r"\{[?$]" + re.escape(name) + r"\}", lambda _m, t=term: str(t.value), message)
    return message


# ================================================================ running


def validate_store(
    store: ox.Store,
    shapes: Shapes,
    *,
    default_graph: Sequence[ox.NamedNode] | None = None,
    focus: Iterable[ox.NamedNode] | None = None,
    workers: int | None = None,
    timings: list[tuple[float, str, str]] | None = None,
) -> list[ShaclResult]:
    """Validate the store's data graph against ``shapes``.

    The data graph is the union of all the store's graphs, or of ``default_graph`` when
    given. With ``focus``, only those nodes are validated as targets (their values are
    still checked through nested shapes, against the whole data graph): the result is the
    full result restricted to those focus nodes. ``timings``, if given, receives
    (seconds, what, query) for every query run.
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
    jobs = sorted((j for j in shapes._jobs if j.cost), key=lambda j: -j.cost)
    subclasses = _subclasses(store, shapes, kwargs)

    def run(job: _Job) -> list[ShaclResult]:
        text = _MARKER.sub(lambda m: subclasses[m.group(1)], job.query(focus_text))
        t = time.perf_counter()
        try:
            results = job.results(store.query(text, **kwargs))
        except SyntaxError as exc:  # a bug of this module, or a constraint query the store rejects
            raise ShapesError(f"the store rejected a generated query: {exc}\n{text}") from exc
        if timings is not None:
            timings.append((time.perf_counter() - t, job.label, text))
        return results

    n = workers if workers is not None else min(4, os.cpu_count() or 1)
    if n <= 1 or len(jobs) < 2:
        batches = [run(j) for j in jobs]
    else:
        with ThreadPoolExecutor(max_workers=n) as pool:
            batches = list(pool.map(run, jobs))
    return [r for batch in batches for r in batch]


def _subclasses(store: ox.Store, shapes: Shapes, kwargs: dict[str, Any]) -> dict[str, str]:
    """For each class set of the queries, the classes and their subclasses in the data graph,
    as SPARQL text."""
    sets = sorted({m.group(1) for job in shapes._jobs for m in _MARKER.finditer(job.query(None))})
    classes = sorted({c for s in sets for c in s.split()})
    if not classes:
        return {}
    q = f"SELECT DISTINCT ?c ?sub WHERE {{ VALUES ?c {{ {' '.join(classes)} }} ?sub <{_RDFS}subClassOf>* ?c }}"
    below: dict[str, set[str]] = {c: {c} for c in classes}
    for row in store.query(q, **kwargs):
        if not isinstance(row["sub"], ox.Literal):
            if isinstance(row["sub"], ox.NamedNode):
                below[str(row["c"])].add(str(row["sub"]))
    return {s: " ".join(sorted(set().union(*(below[c] for c in s.split())))) for s in sets}


def report_triples(results: Iterable[ShaclResult]) -> list[ox.Triple]:
    """The SHACL validation report graph of ``results``: sh:conforms is true only without any
    result, of any severity."""
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
