"""HTML documentation of the ontology, the controlled vocabularies and the SHACL shapes.

    >>> import kg, kg.publish.docs
    >>> g = kg.open()
    >>> sorted(p.name for p in kg.publish.docs.build(g, Path("site")))   # the paths written
    ['docs.css', 'index.html', 'shapes.html', 'vocab.html']
    >>> html = kg.publish.docs.render(g, "vocab.html")     # one page, for the server

Rendered with our own Jinja2 templates (``kg/publish/templates/``, autoescaped) from the
store: the ontology and the vocabularies from the named graphs of ``ontology/*.ttl``, the
examples and usage counts from the current view (the default graph). The shapes are not
part of the dataset (``docs/design.md``: a data file must not switch a shape off), so
``ontology/shapes.ttl`` is read with pyoxigraph into an index of its own.

* ``index.html``: the ontology's metadata, a class hierarchy (reused superclasses as
  external links), every class and property declared in the ontology files with an
  anchor equal to its local name (``#Meeting``, ``#eventStatus``), up to three instances
  of each class (linking to ``/id/<slug>``, which the server serves) and one statement of
  each property from the data;
* ``vocab.html``: every ``skos:ConceptScheme`` with its concepts (``#<local name>``), their
  hierarchy and how often the data uses each;
* ``shapes.html``: every node shape (``#<local name>``) with its targets, its property
  shapes (``#<local name>``) and its SPARQL constraints.

The output is a function of the graph: everything is sorted, nothing is dated, so the same
graph gives the same bytes. Links between pages are relative (``vocab.html#held``), the
pages need no JavaScript, and ``build`` replaces the pages all together or not at all.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from kg.errors import InputError, UsageError, WriteError
from kg.namespaces import PREFIXES, curie
from kg.publish import Graph  # the facade, given to us: never imported here

PAGES = ("index.html", "vocab.html", "shapes.html")
STYLESHEET = "docs.css"
TEMPLATES = Path(__file__).resolve().parent / "templates"

_RDF, _RDFS, _OWL, _SKOS, _SH = (PREFIXES[p] for p in ("rdf", "rdfs", "owl", "skos", "sh"))
_DCT, _VANN, _XSD = PREFIXES["dcterms"], PREFIXES["vann"], PREFIXES["xsd"]
_KGG, _KGI, _KGC = PREFIXES["kgg"], PREFIXES["kgi"], PREFIXES["kgc"]
RDF_TYPE = ox.NamedNode(_RDF + "type")
_ONTOLOGY_GRAPHS = _KGG + "ontology/"

_PROPERTY_KINDS = (
    ("object", "Object properties", _OWL + "ObjectProperty"),
    ("datatype", "Datatype properties", _OWL + "DatatypeProperty"),
    ("annotation", "Annotation properties", _OWL + "AnnotationProperty"),
    ("other", "Other properties", _RDF + "Property"),
)
_CHARACTERISTICS = {
    _OWL + "FunctionalProperty": "functional",
    _OWL + "InverseFunctionalProperty": "inverse functional",
    _OWL + "TransitiveProperty": "transitive",
    _OWL + "SymmetricProperty": "symmetric",
    _OWL + "AsymmetricProperty": "asymmetric",
    _OWL + "ReflexiveProperty": "reflexive",
    _OWL + "IrreflexiveProperty": "irreflexive",
}
_ANY_PROPERTY = {k[2] for k in _PROPERTY_KINDS} | set(_CHARACTERISTICS)
#: the sections of each page (their anchors yield to terms of the same name)
_SECTIONS = {
    "index.html": ("ontology", "hierarchy", "classes", "object-properties", "datatype-properties", "annotation-properties", "other-properties"),
    "vocab.html": ("schemes", "no-scheme"),
    "shapes.html": ("targeted", "value-shapes", "other-property-shapes"),
}
#: an attribution or supersession names a statement: its object is no use of its own
_REIFICATION = {_RDF + "subject", _RDF + "predicate", _RDF + "object"}
_NUMBERS = {_XSD + t for t in ("integer", "decimal", "double", "float", "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "boolean")}
#: per-class instances shown as examples
EXAMPLES = 3


# ================================================================ the public API


def build(graph: Graph, out_dir: Path) -> list[Path]:
    """Write every page and ``docs.css`` to ``out_dir`` and return the paths written.

    Everything is rendered first, then written to a temporary directory on the same
    filesystem (inside ``out_dir`` if it exists, beside it if not), fsynced, and renamed
    into place: a failure leaves ``out_dir`` as it was. Other files in ``out_dir`` stay.
    Raises ``UsageError`` for an output path that cannot be a directory, ``WriteError``
    when writing fails."""
    out_dir = Path(out_dir)
    model = _model(graph)
    contents = {page: _render(model, page, served=False).encode("utf-8") for page in PAGES}
    contents[STYLESHEET] = stylesheet().encode("utf-8")
    _write_tree(out_dir, contents)
    return [out_dir / name for name in contents]


def render(graph: Graph, page: str) -> str:
    """The HTML of one page of ``PAGES`` (or the text of ``docs.css``), for the server.
    Links between the pages are relative (``vocab.html#held``); instances link to
    ``/id/<slug>``, their pages on the server (``build`` links them to their IRIs)."""
    if page == STYLESHEET:
        return stylesheet()
    if page not in PAGES:
        raise UsageError(f"there is no documentation page {page!r}", hint=f"use one of {', '.join((*PAGES, STYLESHEET))}")
    return _render(_model(graph), page)


def stylesheet() -> str:
    """The one stylesheet of the pages (``docs.css``)."""
    return (TEMPLATES / STYLESHEET).read_text(encoding="utf-8")


# ================================================================ writing


def _write_tree(out_dir: Path, contents: dict[str, bytes]) -> None:
    from kg.fileio import advice, fsync_dir

    where = f"cannot write the documentation to {out_dir}"
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{where}: it is a file, not a directory", hint="choose a directory (a new one is created)")
    parent = out_dir.parent
    if not parent.is_dir():
        raise UsageError(f"{where}: directory {parent} does not exist", hint="create it first or choose another output directory")
    existing = out_dir.is_dir()
    if existing:
        for name in contents:
            target = out_dir / name
            if target.is_dir() or (target.exists() and not target.is_file()):
                raise UsageError(f"{where}: {target} is in the way (not a regular file)", hint="remove it or choose another output directory")
    umask = os.umask(0)
    os.umask(umask)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir if existing else parent))
    except OSError as exc:
        raise WriteError(f"{where}: {exc.strerror}", hint=advice(exc)) from exc
    try:
        for name, data in sorted(contents.items()):
            path = tmp / name
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(path, 0o666 & ~umask)
        fsync_dir(tmp)
        if existing:
            for name in sorted(contents):
                os.replace(tmp / name, out_dir / name)
            tmp.rmdir()
            fsync_dir(out_dir)
        else:
            os.chmod(tmp, 0o777 & ~umask)
            os.rename(tmp, out_dir)
            fsync_dir(parent)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise WriteError(f"{where}: {exc.strerror or exc}", hint=advice(exc)) from exc
        raise


# ================================================================ rendering


@functools.cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )


def _render(model: _Model, page: str, *, served: bool = True) -> str:
    """``served``: for ``kg serve``, whose ``/id/<slug>`` pages the instances link to; else
    for a folder opened on its own, where such a link would lead nowhere: the instance's
    IRI instead (it dereferences to its description wherever the graph is published)."""
    nav = [("index.html", "Ontology"), ("vocab.html", "Vocabularies"), ("shapes.html", "Shapes")]

    def out(href: str) -> str:
        return href if served or not href.startswith("/id/") else _KGI + href[len("/id/"):]

    return _environment().get_template(page).render(m=model, page=page, nav=nav, stylesheet=STYLESHEET, served=served, out=out)


# ================================================================ terms and values


def _key(term: Any) -> str:
    return str(term)


class _Index:
    """The triples of some graph, by subject and by predicate and object (terms as given)."""

    def __init__(self, triples: Iterable[Any]) -> None:
        self.spo: dict[Any, dict[str, set[Any]]] = {}
        self.pos: dict[str, dict[Any, set[Any]]] = {}
        for t in triples:
            self.spo.setdefault(t.subject, {}).setdefault(t.predicate.value, set()).add(t.object)
            self.pos.setdefault(t.predicate.value, {}).setdefault(t.object, set()).add(t.subject)

    def objects(self, s: Any, p: str) -> list[Any]:
        return sorted(self.spo.get(s, {}).get(p, ()), key=_key)

    def subjects(self, p: str, o: Any = None) -> list[Any]:
        by_o = self.pos.get(p, {})
        found = by_o.get(o, set()) if o is not None else {s for ss in by_o.values() for s in ss}
        return sorted(found, key=_key)

    def predicates(self, s: Any) -> list[str]:
        return sorted(self.spo.get(s, {}))

    def types(self, s: Any) -> set[str]:
        return {o.value for o in self.spo.get(s, {}).get(RDF_TYPE.value, ()) if isinstance(o, ox.NamedNode)}

    def text(self, s: Any, *predicates: str, language: str = "en") -> str:
        """The first of ``predicates`` with a literal: in ``language``, untagged, or any."""
        for p in predicates:
            lits = [o for o in self.objects(s, p) if isinstance(o, ox.Literal)]
            if lits:
                for wanted in (language, None):
                    chosen = sorted(o.value for o in lits if o.language == wanted)
                    if chosen:
                        return chosen[0]
                return min(o.value for o in lits)
        return ""

    def items(self, node: Any) -> list[Any]:
        """The members of the RDF list ``node`` (what can be read of a malformed one)."""
        out, seen = [], set()
        while isinstance(node, (ox.BlankNode, ox.NamedNode)) and node.value != _RDF + "nil" and node not in seen:
            seen.add(node)
            out.extend(self.objects(node, _RDF + "first")[:1])
            rest = self.objects(node, _RDF + "rest")
            node = rest[0] if rest else None
        return out


@dataclass(frozen=True)
class V:
    """A value as a template shows it: ``link`` (href, text, title), ``lit`` (text, lang,
    datatype), ``text`` (plain words), ``code`` (a pattern), ``list`` (items, joined by ``sep``)."""

    kind: str
    text: str = ""
    href: str = ""
    title: str = ""
    lang: str = ""
    datatype: str = ""
    external: bool = False
    items: tuple[V, ...] = ()
    sep: str = ", "
    mono: bool = False  # a CURIE or IRI, set in code type


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            tail = iri.rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text).strip("-") or "term"


class _Linker:
    """Where each term is documented: (page, anchor) of the classes, properties, concepts,
    schemes and shapes, with labels for link titles; everything else links out."""

    def __init__(self) -> None:
        self.targets: dict[str, tuple[str, str]] = {}
        self.labels: dict[str, str] = {}
        self._ids: dict[str, set[str]] = {page: set() for page in PAGES}

    def claim(self, iri: str, page: str, wanted: str, label: str = "") -> str:
        """Give ``iri`` an anchor on ``page``: ``wanted``, made unique if it is taken."""
        if iri in self.targets:
            return self.targets[iri][1]
        anchor, n = wanted, 1
        while anchor in self._ids[page]:
            n += 1
            anchor = f"{wanted}-{n}"
        self._ids[page].add(anchor)
        self.targets[iri] = (page, anchor)
        if label:
            self.labels[iri] = label
        return anchor

    def href(self, iri: str, page: str) -> str:
        found = self.targets.get(iri)
        if found:
            return f"#{found[1]}" if found[0] == page else f"{found[0]}#{found[1]}"
        if iri.startswith(_KGI) and "#" not in iri and "?" not in iri:
            return "/id/" + quote(iri[len(_KGI):], safe="/-._~")
        return iri

    def link(self, iri: str, page: str, text: str | None = None, title: str | None = None) -> V:
        href = self.href(iri, page)
        internal = iri in self.targets or href.startswith("/id/")
        return V(
            "link",
            text=text if text is not None else curie(iri).strip("<>"),
            href=href,
            title=title if title is not None else (self.labels.get(iri) or iri),
            external=not internal,
            mono=text is None,
        )

    def value(self, term: Any, page: str, labels: _Index | None = None) -> V:
        if isinstance(term, ox.NamedNode):
            return self.link(term.value, page)
        if isinstance(term, ox.Literal):
            dt = term.datatype.value
            shown = "" if term.language or dt == _XSD + "string" else curie(dt)
            return V("lit", text=term.value, lang=term.language or "", datatype=shown)
        return V("text", text="(anonymous node)")


# ================================================================ the model


@dataclass
class Example:
    subject: V
    predicate: V
    object: V


@dataclass
class Term:
    iri: str
    anchor: str
    curie: str
    label: str
    definition: str
    notes: list[tuple[str, str]] = field(default_factory=list)
    facts: list[tuple[str, list[V]]] = field(default_factory=list)
    instances: list[V] = field(default_factory=list)
    count: int = 0
    example: Example | None = None


@dataclass
class TreeNode:
    link: V
    external: list[V]
    children: list[TreeNode]


@dataclass
class Concept:
    iri: str
    anchor: str
    curie: str
    label: str
    labels: list[V]
    alt: list[V]
    definition: str
    depth: int
    top: bool
    broader: list[V]
    narrower: list[V]
    uses: int
    used_by: list[tuple[V, int]]
    notes: list[tuple[str, str]]


@dataclass
class Scheme:
    iri: str
    anchor: str
    curie: str
    label: str
    definition: str
    top: list[V]
    concepts: list[Concept]
    uses: int


@dataclass
class SparqlConstraint:
    anchor: str
    href: str
    curie: str
    message: str
    select: str
    severity: str


@dataclass
class PropertyShape:
    anchor: str
    href: str
    curie: str
    path: V
    count: str
    requires: list[tuple[str, V]]
    severity: str
    messages: list[str]
    sparql: list[V]


@dataclass
class NodeShape:
    iri: str
    anchor: str
    curie: str
    label: str
    description: str
    targets: list[tuple[str, list[V]]]
    requires: list[tuple[str, V]]
    severity: str
    messages: list[str]
    properties: list[PropertyShape]
    sparql: list[SparqlConstraint]
    used_by: list[V]


@dataclass
class _Model:
    ontology: dict[str, Any]
    classes: list[Term]
    tree: list[TreeNode]
    properties: list[tuple[str, str, str, list[Term]]]  # (key, heading, anchor, terms)
    schemes: list[Scheme]
    loose: list[Concept]  # concepts in no scheme
    shapes: list[NodeShape]  # targeted first, then value shapes
    shape_groups: list[tuple[str, str, list[NodeShape]]]
    loose_property_shapes: list[PropertyShape]
    shapes_meta: dict[str, Any]
    shapes_file: str
    ids: dict[str, str]  # section name -> its anchor on its page

    @property
    def concept_count(self) -> int:
        return sum(len(s.concepts) for s in self.schemes) + len(self.loose)


# the model is a pure function of the store version and the shapes file: kept for a few
# of them so a server asked for the three pages in a row computes it once
_CACHE: dict[tuple[Any, ...], _Model] = {}
_CACHE_SIZE = 4


def _model(graph: Graph) -> _Model:
    gs = graph.store()
    shapes_path = Path(graph.layout.shapes_file)
    try:
        st = shapes_path.stat()
        shapes_sig: tuple[Any, ...] = (str(shapes_path), st.st_mtime_ns, st.st_size)
    except OSError:
        shapes_sig = (str(shapes_path), None)
    key = getattr(gs, "key", None)
    cache_key = (str(graph.layout.root), key, graph.endpoint, *shapes_sig) if key else None
    if cache_key is not None and cache_key in _CACHE:
        return _CACHE[cache_key]
    model = _Builder(gs.store, shapes_path, graph.layout.relative(shapes_path)).model()
    if cache_key is not None:
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[cache_key] = model
    return model


class _Builder:
    def __init__(self, store: Any, shapes_path: Path, shapes_name: str) -> None:
        self.store = store
        self.shapes_path = shapes_path
        self.shapes_name = shapes_name
        graphs = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(_ONTOLOGY_GRAPHS)), key=_key)
        self.onto = _Index(q.triple for g in graphs for q in store.quads_for_pattern(None, None, None, g))
        self.shapes = self._read_shapes()
        self.links = _Linker()
        self.default = ox.DefaultGraph()
        self._labels: dict[Any, str] = {}
        self._placed: set[str] = set()  # anchors already on the shapes page (a shared shape is shown twice, anchored once)

    def place(self, iri: str) -> str:
        """The anchor of ``iri`` the first time it is shown, '' after that."""
        found = self.links.targets.get(iri)
        if found is None or iri in self._placed:
            return ""
        self._placed.add(iri)
        return found[1]

    def _read_shapes(self) -> _Index:
        if not self.shapes_path.is_file():
            return _Index(())
        try:
            return _Index(ox.parse(path=str(self.shapes_path), format=ox.RdfFormat.TURTLE))
        except (SyntaxError, ValueError, OSError) as exc:
            raise InputError(f"the shapes could not be read: {exc}", location=self.shapes_name, hint="check ontology/shapes.ttl") from exc

    # ------------------------------------------------------------ helpers

    def label(self, node: Any) -> str:
        """A data node's label from the current view (as the entity pages show it)."""
        if node not in self._labels:
            from kg.describe import label_of

            self._labels[node] = label_of(self.store, node)
        return self._labels[node]

    def data_value(self, term: Any, page: str) -> V:
        if isinstance(term, ox.NamedNode) and term.value.startswith(_KGI):
            return self.links.link(term.value, page, text=self.label(term) or curie(term.value), title=curie(term.value))
        return self.links.value(term, page)

    # ------------------------------------------------------------ the whole

    def model(self) -> _Model:
        onto = self.onto
        meta = self.ontology_meta()
        ns = meta["namespace_iri"] or PREFIXES["kg"]
        self.ns = ns

        def anchor_for(iri: str) -> str:
            return _slug(iri[len(ns):]) if iri.startswith(ns) and iri != ns else _slug(curie(iri).strip("<>").replace(":", "-"))

        classes = sorted(
            {s.value for t in (_OWL + "Class", _RDFS + "Class") for s in onto.subjects(RDF_TYPE.value, ox.NamedNode(t)) if isinstance(s, ox.NamedNode)}
        )
        props = sorted(
            {s.value for t in _ANY_PROPERTY for s in onto.subjects(RDF_TYPE.value, ox.NamedNode(t)) if isinstance(s, ox.NamedNode)}
        )
        # kg: terms claim their local names first, so a reused term can never take one
        for iri in sorted(classes + props, key=lambda i: (not i.startswith(ns), i)):
            self.links.claim(iri, "index.html", anchor_for(iri), self.onto_label(iri))
        schemes = sorted(s.value for s in onto.subjects(RDF_TYPE.value, ox.NamedNode(_SKOS + "ConceptScheme")) if isinstance(s, ox.NamedNode))
        concepts = sorted(
            {s.value for s in onto.subjects(RDF_TYPE.value, ox.NamedNode(_SKOS + "Concept")) if isinstance(s, ox.NamedNode)}
            | {s.value for s in onto.subjects(_SKOS + "inScheme") if isinstance(s, ox.NamedNode)}
        )
        for iri in concepts:
            self.links.claim(iri, "vocab.html", _slug(_local(iri)), self.onto_label(iri))
        for iri in schemes:
            wanted = _slug(_local(iri))
            self.links.claim(iri, "vocab.html", wanted if wanted not in self.links._ids["vocab.html"] else f"scheme-{wanted}", self.onto_label(iri))
        node_shapes, property_shapes = self.shape_nodes()
        for node in node_shapes + property_shapes:
            if isinstance(node, ox.NamedNode):
                self.links.claim(node.value, "shapes.html", _slug(_local(node.value)), self.shapes.text(node, _RDFS + "label", _SH + "name"))
        for node in sorted({o for ps in property_shapes for o in self.shapes.objects(ps, _SH + "sparql")} | {o for ns_ in node_shapes for o in self.shapes.objects(ns_, _SH + "sparql")}, key=_key):
            if isinstance(node, ox.NamedNode):
                self.links.claim(node.value, "shapes.html", _slug(_local(node.value)))

        # the pages' own sections take what the terms left (terms keep their local names)
        ids = {}
        for page, names in _SECTIONS.items():
            for name in names:
                ids[name] = self.links.claim(f"urn:x-kg-docs:{page}:{name}", page, name)
        shapes = [self.node_shape(n) for n in node_shapes]
        targeted = [s for s in shapes if s.targets]
        values = [s for s in shapes if not s.targets]
        attached = {o for n in node_shapes for o in self.shapes.objects(n, _SH + "property")}
        loose_ps = [self.property_shape(p, "shapes.html") for p in property_shapes if p not in attached]
        class_terms = [self.class_term(c, classes) for c in classes]
        prop_groups = []
        for key, heading, _kind_iri in _PROPERTY_KINDS:
            members = [p for p in props if _kind(onto.types(ox.NamedNode(p))) == key]
            if members:
                prop_groups.append((key, heading, ids[f"{key}-properties"], [self.property_term(p) for p in members]))
        scheme_models = [self.scheme(s) for s in schemes]
        in_a_scheme = {c.iri for s in scheme_models for c in s.concepts}
        loose = [self.concept(c, None, 0) for c in concepts if c not in in_a_scheme]
        return _Model(
            ontology=meta,
            classes=class_terms,
            tree=self.class_tree(classes),
            properties=prop_groups,
            schemes=scheme_models,
            loose=loose,
            shapes=targeted + values,
            shape_groups=[(g, ids[a], s) for g, a, s in (("Shapes that select data", "targeted", targeted), ("Value shapes", "value-shapes", values)) if s],
            loose_property_shapes=loose_ps,
            shapes_meta=self.shapes_meta(),
            shapes_file=self.shapes_name,
            ids=ids,
        )

    def onto_label(self, iri: str) -> str:
        return self.onto.text(ox.NamedNode(iri), _RDFS + "label", _SKOS + "prefLabel", _DCT + "title")

    # ------------------------------------------------------------ the ontology node

    def ontology_meta(self) -> dict[str, Any]:
        onto = self.onto
        nodes = [n for n in onto.subjects(RDF_TYPE.value, ox.NamedNode(_OWL + "Ontology")) if isinstance(n, ox.NamedNode)]
        nodes.sort(key=lambda n: (not onto.objects(n, _VANN + "preferredNamespaceUri"), n.value))
        if not nodes:
            return {"iri": "", "title": "Ontology", "description": "", "facts": [], "namespace_iri": "", "prefix": "", "version": "", "others": []}
        node = nodes[0]
        known = [
            ("IRI", None),
            ("Version", _OWL + "versionInfo"),
            ("Version IRI", _OWL + "versionIRI"),
            ("Namespace", _VANN + "preferredNamespaceUri"),
            ("Preferred prefix", _VANN + "preferredNamespacePrefix"),
            ("Licence", _DCT + "license"),
            ("Creator", _DCT + "creator"),
            ("Created", _DCT + "created"),
            ("Modified", _DCT + "modified"),
            ("Cite as", _DCT + "bibliographicCitation"),
        ]
        facts: list[tuple[str, list[V]]] = []
        used = {RDF_TYPE.value, _DCT + "title", _RDFS + "label", _DCT + "description", _RDFS + "comment"}
        for heading, p in known:
            if p is None:
                facts.append((heading, [V("link", text=node.value, href=node.value, title=node.value, external=True)]))
                continue
            used.add(p)
            values = [self._meta_value(o) for o in onto.objects(node, p)]
            if values:
                facts.append((heading, values))
        for p in onto.predicates(node):
            if p not in used:
                facts.append((curie(p), [self._meta_value(o) for o in onto.objects(node, p)]))
        namespace = onto.text(node, _VANN + "preferredNamespaceUri") or next((o.value for o in onto.objects(node, _VANN + "preferredNamespaceUri")), "")
        return {
            "iri": node.value,
            "title": onto.text(node, _DCT + "title", _RDFS + "label") or _local(node.value),
            "description": onto.text(node, _DCT + "description", _RDFS + "comment"),
            "facts": facts,
            "namespace_iri": namespace,
            "prefix": onto.text(node, _VANN + "preferredNamespacePrefix"),
            "version": onto.text(node, _OWL + "versionInfo"),
            "others": [n.value for n in nodes[1:]],
        }

    def _meta_value(self, term: Any) -> V:
        if isinstance(term, ox.NamedNode) or (isinstance(term, ox.Literal) and term.value.startswith(("http://", "https://")) and " " not in term.value):
            return V("link", text=term.value, href=term.value, title=term.value, external=True)
        return V("text", text=term.value)

    # ------------------------------------------------------------ classes

    def _supers(self, iri: str) -> list[str]:
        found = [o.value for o in self.onto.objects(ox.NamedNode(iri), _RDFS + "subClassOf") if isinstance(o, ox.NamedNode)]
        return sorted(found, key=self._documented_first)

    def _documented_first(self, iri: str) -> tuple[bool, str]:
        return (iri not in self.links.targets, curie(iri))

    def _subs(self, iri: str) -> list[str]:
        return [s.value for s in self.onto.subjects(_RDFS + "subClassOf", ox.NamedNode(iri)) if isinstance(s, ox.NamedNode)]

    def _closure(self, start: str, step: Any) -> list[str]:
        seen: list[str] = []
        todo = list(step(start))
        while todo:
            c = todo.pop()
            if c not in seen and c != start:
                seen.append(c)
                todo.extend(step(c))
        return sorted(seen)

    def class_term(self, iri: str, classes: list[str]) -> Term:
        page, node = "index.html", ox.NamedNode(iri)
        onto, links = self.onto, self.links
        term = self._term(iri)
        facts = term.facts
        supers = self._supers(iri)
        if supers:
            facts.append(("Subclass of", [links.link(c, page) for c in supers]))
        ancestors = self._closure(iri, self._supers)
        inherited = sorted((c for c in ancestors if c not in supers), key=self._documented_first)
        if inherited:
            facts.append(("Also a subclass of", [links.link(c, page) for c in inherited]))
        subs = self._subs(iri)
        if subs:
            facts.append(("Subclasses", [links.link(c, page) for c in subs]))
        for p, heading in ((_OWL + "equivalentClass", "Equivalent to"), (_OWL + "disjointWith", "Disjoint with")):
            values = [links.value(o, page) for o in onto.objects(node, p)]
            if values:
                facts.append((heading, values))
        mine = {iri, *ancestors}
        domain = sorted({s.value for s in onto.subjects(_RDFS + "domain", node) if isinstance(s, ox.NamedNode)})
        if domain:
            facts.append(("Properties with this domain", [links.link(p, page) for p in domain]))
        rng = sorted({s.value for s in onto.subjects(_RDFS + "range", node) if isinstance(s, ox.NamedNode)})
        if rng:
            facts.append(("Properties with this range", [links.link(p, page) for p in rng]))
        shapes = []
        for shape in self.shapes.subjects(_SH + "targetClass"):
            targets = {o.value for o in self.shapes.objects(shape, _SH + "targetClass") if isinstance(o, ox.NamedNode)}
            via = sorted(targets & mine)
            if via and isinstance(shape, ox.NamedNode):
                link = links.link(shape.value, page)
                if iri not in targets:
                    link = V("list", items=(link, V("text", text=" (as a "), links.link(via[0], page), V("text", text=")")), sep="")
                shapes.append(link)
        if shapes:
            facts.append(("Checked by shapes", shapes))
        direct, indirect = self.instances(iri)
        everyone = direct + [x for x in indirect if x not in direct]
        term.count = len(everyone)
        term.instances = [self.data_value(x, page) for x in everyone[:EXAMPLES]]
        return term

    @functools.cached_property
    def _instances(self) -> dict[str, list[Any]]:
        found: dict[str, set[Any]] = {}
        for q in self.store.quads_for_pattern(None, RDF_TYPE, None, self.default):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(_KGI) and isinstance(q.object, ox.NamedNode):
                found.setdefault(q.object.value, set()).add(q.subject)
        return {c: sorted(xs, key=_key) for c, xs in found.items()}

    def instances(self, iri: str) -> tuple[list[Any], list[Any]]:
        direct = self._instances.get(iri, [])
        below = sorted({x for c in self._closure(iri, self._subs) for x in self._instances.get(c, [])}, key=_key)
        return direct, below

    def class_tree(self, classes: list[str]) -> list[TreeNode]:
        known = set(classes)
        page = "index.html"

        def node(iri: str, path: tuple[str, ...]) -> TreeNode:
            ext = [self.links.link(c, page) for c in self._supers(iri) if c not in known]
            kids = [node(c, (*path, iri)) for c in self._subs(iri) if c in known and c not in path]
            return TreeNode(self.links.link(iri, page, title=self.onto_label(iri) or iri), ext, kids)

        roots = [c for c in classes if not any(s in known and s != c for s in self._supers(c))]
        return [node(c, ()) for c in roots]

    # ------------------------------------------------------------ properties

    def _term(self, iri: str) -> Term:
        onto, node = self.onto, ox.NamedNode(iri)
        anchor = self.links.targets[iri][1]
        definition = onto.text(node, _SKOS + "definition", _RDFS + "comment")
        notes = []
        for p, heading in ((_RDFS + "comment", "Comment"), (_SKOS + "scopeNote", "Scope note"), (_SKOS + "note", "Note"), (_SKOS + "example", "Example"), (_SKOS + "editorialNote", "Editorial note")):
            for o in onto.objects(node, p):
                if isinstance(o, ox.Literal) and o.language in ("en", None) and o.value != definition:
                    notes.append((heading, o.value))
        return Term(
            iri=iri,
            anchor=anchor,
            curie=curie(iri).strip("<>"),
            label=self.onto_label(iri),
            definition=definition,
            notes=notes,
        )

    def property_term(self, iri: str) -> Term:
        page, node = "index.html", ox.NamedNode(iri)
        onto, links = self.onto, self.links
        term = self._term(iri)
        facts = term.facts
        for p, heading in ((_RDFS + "domain", "Domain"), (_RDFS + "range", "Range"), (_RDFS + "subPropertyOf", "Sub-property of")):
            values = [links.value(o, page) for o in onto.objects(node, p)]
            if values:
                facts.append((heading, values))
        subs = [s.value for s in onto.subjects(_RDFS + "subPropertyOf", node) if isinstance(s, ox.NamedNode)]
        if subs:
            facts.append(("Sub-properties", [links.link(s, page) for s in subs]))
        inverse = sorted(
            {o.value for o in onto.objects(node, _OWL + "inverseOf") if isinstance(o, ox.NamedNode)}
            | {s.value for s in onto.subjects(_OWL + "inverseOf", node) if isinstance(s, ox.NamedNode)}
        )
        if inverse:
            facts.append(("Inverse", [links.link(i, page) for i in inverse]))
        types = onto.types(node)
        chars = sorted(_CHARACTERISTICS[t] for t in types if t in _CHARACTERISTICS and t != _OWL + "FunctionalProperty")
        if chars:
            facts.append(("Characteristics", [V("text", text=c) for c in chars]))
        facts.append(("Functional", [V("text", text="yes: at most one value per subject" if _OWL + "FunctionalProperty" in types else "no")]))
        constrained = self.constrained_by(iri)
        if constrained:
            facts.append(("Constrained by shapes", constrained))
        seen = 0
        best = None
        for q in self.store.quads_for_pattern(None, node, None, self.default):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(_KGI):
                seen += 1
                k = (q.subject.value, _key(q.object))
                if best is None or k < best[0]:
                    best = (k, q)
        term.count = seen
        if best is not None:
            q = best[1]
            term.example = Example(self.data_value(q.subject, page), links.link(iri, page), self.data_value(q.object, page))
        return term

    @functools.cached_property
    def _by_path(self) -> dict[str, list[tuple[Any, Any]]]:
        """Property IRI -> (node shape, property shape) with that path."""
        out: dict[str, list[tuple[Any, Any]]] = {}
        for shape in self.shapes.subjects(_SH + "property"):
            for ps in self.shapes.objects(shape, _SH + "property"):
                for path in self.shapes.objects(ps, _SH + "path"):
                    if isinstance(path, ox.NamedNode):
                        out.setdefault(path.value, []).append((shape, ps))
        return out

    def constrained_by(self, iri: str) -> list[V]:
        out = []
        for shape, ps in sorted(self._by_path.get(iri, []), key=lambda x: (_key(x[0]), _key(x[1]))):
            target = ps if isinstance(ps, ox.NamedNode) else shape
            if isinstance(target, ox.NamedNode):
                out.append(self.links.link(target.value, "index.html"))
        return out

    # ------------------------------------------------------------ vocabularies

    @functools.cached_property
    def _concept_uses(self) -> dict[Any, dict[str, int]]:
        uses: dict[Any, dict[str, int]] = {}
        for c in self.onto.subjects(_SKOS + "inScheme") + self.onto.subjects(RDF_TYPE.value, ox.NamedNode(_SKOS + "Concept")):
            if c in uses or not isinstance(c, ox.NamedNode):
                continue
            counts: dict[str, int] = {}
            for q in self.store.quads_for_pattern(None, None, c, self.default):
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(_KGI) and q.predicate.value not in _REIFICATION:
                    counts[q.predicate.value] = counts.get(q.predicate.value, 0) + 1
            uses[c] = counts
        return uses

    def scheme(self, iri: str) -> Scheme:
        onto, node, page = self.onto, ox.NamedNode(iri), "vocab.html"
        members = {s for s in onto.subjects(_SKOS + "inScheme", node) if isinstance(s, ox.NamedNode)}
        tops = {o for o in onto.objects(node, _SKOS + "hasTopConcept") if isinstance(o, ox.NamedNode)}
        tops |= {s for s in onto.subjects(_SKOS + "topConceptOf", node) if isinstance(s, ox.NamedNode)}
        members |= tops

        def broader(c: Any) -> set[Any]:
            return {o for o in onto.objects(c, _SKOS + "broader") if isinstance(o, ox.NamedNode)} | {s for s in onto.subjects(_SKOS + "narrower", c) if isinstance(s, ox.NamedNode)}

        def narrower(c: Any) -> set[Any]:
            return {s for s in onto.subjects(_SKOS + "broader", c) if isinstance(s, ox.NamedNode)} | {o for o in onto.objects(c, _SKOS + "narrower") if isinstance(o, ox.NamedNode)}

        ordered: list[Concept] = []
        placed: set[Any] = set()

        def walk(c: Any, depth: int) -> None:
            if c in placed:
                return
            placed.add(c)
            ordered.append(self.concept(c.value, node, depth, top=c in tops, broader=broader(c), narrower=narrower(c)))
            for child in sorted((n for n in narrower(c) if n in members), key=lambda n: (self.onto_label(n.value).casefold(), n.value)):
                walk(child, depth + 1)

        def order(cs: Iterable[Any]) -> list[Any]:
            return sorted(cs, key=lambda n: (self.onto_label(n.value).casefold(), n.value))

        roots = order(tops) + order(c for c in members if c not in tops and not (broader(c) & members))
        for c in roots:
            walk(c, 0)
        for c in order(members):  # cycles without a root
            walk(c, 0)
        return Scheme(
            iri=iri,
            anchor=self.links.targets[iri][1],
            curie=curie(iri).strip("<>"),
            label=self.onto_label(iri),
            definition=onto.text(node, _SKOS + "definition", _DCT + "description", _RDFS + "comment"),
            top=[self.links.link(c.value, page, text=self.onto_label(c.value) or None) for c in order(tops)],
            concepts=ordered,
            uses=sum(c.uses for c in ordered),
        )

    def concept(self, iri: str, scheme: Any, depth: int, *, top: bool = False, broader: Iterable[Any] = (), narrower: Iterable[Any] = ()) -> Concept:
        onto, node, page = self.onto, ox.NamedNode(iri), "vocab.html"
        links = self.links

        def named(terms: Iterable[Any]) -> list[V]:
            return [links.link(t.value, page, text=self.onto_label(t.value) or None, title=curie(t.value)) for t in sorted(terms, key=_key)]

        pref = [o for o in onto.objects(node, _SKOS + "prefLabel") if isinstance(o, ox.Literal)]
        alt = [o for o in onto.objects(node, _SKOS + "altLabel") if isinstance(o, ox.Literal)]
        label = self.onto_label(iri) or _local(iri)
        counts = self._concept_uses.get(node, {})
        notes = []
        for p, heading in ((_SKOS + "scopeNote", "Scope note"), (_SKOS + "note", "Note"), (_SKOS + "example", "Example"), (_SKOS + "notation", "Notation")):
            for o in onto.objects(node, p):
                if isinstance(o, ox.Literal):
                    notes.append((heading, o.value))
        for p, heading in ((_SKOS + "exactMatch", "Exact match"), (_SKOS + "closeMatch", "Close match"), (_SKOS + "related", "Related")):
            for o in onto.objects(node, p):
                if isinstance(o, ox.NamedNode):
                    notes.append((heading, curie(o.value)))
        return Concept(
            iri=iri,
            anchor=links.targets[iri][1],
            curie=curie(iri).strip("<>"),
            label=label,
            labels=[_name(o) for o in pref if o.value != label],
            alt=[_name(o) for o in alt],
            definition=onto.text(node, _SKOS + "definition", _RDFS + "comment"),
            depth=depth,
            top=top,
            broader=named(broader),
            narrower=named(narrower),
            uses=sum(counts.values()),
            used_by=[(links.link(p, page), n) for p, n in sorted(counts.items())],
            notes=notes,
        )

    # ------------------------------------------------------------ shapes

    def shape_nodes(self) -> tuple[list[Any], list[Any]]:
        sh = self.shapes
        props = {s for s in sh.subjects(RDF_TYPE.value, ox.NamedNode(_SH + "PropertyShape"))}
        props |= {o for o in sh.subjects(_SH + "property") for o in sh.objects(o, _SH + "property")}
        props |= {s for s in sh.subjects(_SH + "path")}
        nodes = set(sh.subjects(RDF_TYPE.value, ox.NamedNode(_SH + "NodeShape")))
        for p in (_SH + "targetClass", _SH + "targetNode", _SH + "targetSubjectsOf", _SH + "targetObjectsOf", _SH + "property"):
            nodes |= set(sh.subjects(p))
        nodes -= props
        # named shapes first, in order of IRI; anonymous shapes cannot be linked to and are shown where used
        return sorted((n for n in nodes if isinstance(n, ox.NamedNode)), key=_key), sorted((p for p in props if isinstance(p, ox.NamedNode)), key=_key)

    def shapes_meta(self) -> dict[str, Any]:
        sh = self.shapes
        nodes = [n for n in sh.subjects(RDF_TYPE.value, ox.NamedNode(_OWL + "Ontology")) if isinstance(n, ox.NamedNode)]
        if not nodes:
            return {"iri": "", "title": "Shapes", "description": "", "version": ""}
        n = nodes[0]
        return {
            "iri": n.value,
            "title": sh.text(n, _RDFS + "label", _DCT + "title") or "Shapes",
            "description": sh.text(n, _DCT + "description", _RDFS + "comment"),
            "version": sh.text(n, _OWL + "versionInfo"),
        }

    def _severity(self, node: Any) -> str:
        found = [o for o in self.shapes.objects(node, _SH + "severity") if isinstance(o, ox.NamedNode)]
        return _local(found[0].value) if found else ""

    def _messages(self, node: Any) -> list[str]:
        lits = [o for o in self.shapes.objects(node, _SH + "message") if isinstance(o, ox.Literal)]
        en = sorted(o.value for o in lits if o.language in ("en", None, ""))
        return en or sorted(o.value for o in lits)

    def shape_ref(self, term: Any, page: str) -> V:
        """A shape named in sh:node, sh:or, ...: a link, or an anonymous one spelled out."""
        if isinstance(term, ox.NamedNode):
            return self.links.link(term.value, page)
        parts = [V("list", items=(V("text", text=label), value), sep=" ") for label, value in self.requirements(term, page)]
        return V("list", items=(V("text", text="["), *parts, V("text", text="]")), sep=" ") if parts else V("text", text="(anonymous shape)")

    def path(self, term: Any, page: str) -> V:
        sh = self.shapes
        if isinstance(term, ox.NamedNode):
            return self.links.link(term.value, page)
        if isinstance(term, ox.BlankNode):
            if sh.objects(term, _RDF + "first"):
                return V("list", items=tuple(self.path(t, page) for t in sh.items(term)), sep=" / ")
            for p, fmt in ((_SH + "inversePath", "^"), (_SH + "zeroOrMorePath", "*"), (_SH + "oneOrMorePath", "+"), (_SH + "zeroOrOnePath", "?")):
                inner = sh.objects(term, p)
                if inner:
                    body = self.path(inner[0], page)
                    return V("list", items=(V("text", text="^"), body) if fmt == "^" else (V("text", text="("), body, V("text", text=")" + fmt)), sep="")
            alt = sh.objects(term, _SH + "alternativePath")
            if alt:
                return V("list", items=tuple(self.path(t, page) for t in sh.items(alt[0])), sep=" | ")
        return V("text", text="(unreadable path)")

    def _value(self, term: Any, page: str) -> V:
        if isinstance(term, ox.NamedNode) and term.value.startswith(_KGI):
            return self.data_value(term, page)
        if isinstance(term, ox.Literal) and term.datatype.value in _NUMBERS:
            return V("text", text=term.value)
        return self.links.value(term, page)

    def requirements(self, node: Any, page: str) -> list[tuple[str, V]]:
        """What a shape requires of its value nodes, in words and values (targets, paths,
        counts, severity and messages are shown apart)."""
        sh, links = self.shapes, self.links
        out: list[tuple[str, V]] = []
        handled = {
            RDF_TYPE.value, _RDFS + "label", _RDFS + "comment", _DCT + "description",
            *(_SH + p for p in ("path", "property", "severity", "message", "sparql", "targetClass", "targetNode", "targetSubjectsOf",
                                "targetObjectsOf", "minCount", "maxCount", "qualifiedMinCount", "qualifiedMaxCount", "name", "description",
                                "order", "group", "declare", "prefixes", "select", "qualifiedValueShapesDisjoint")),
        }

        def each(p: str, label: str, show: Any = None) -> None:
            handled.add(_SH + p)
            for o in sh.objects(node, _SH + p):
                out.append((label, show(o) if show else self._value(o, page)))

        def one_of(o: Any, sep: str, fn: Any) -> V:
            return V("list", items=tuple(fn(t) for t in sh.items(o)), sep=sep)

        each("class", "instance of", lambda o: links.value(o, page))
        each("datatype", "datatype", lambda o: links.value(o, page))
        each("nodeKind", "node kind", lambda o: V("text", text=_local(o.value) if isinstance(o, ox.NamedNode) else str(o)))
        each("hasValue", "has value")
        each("in", "one of", lambda o: one_of(o, ", ", lambda t: self._value(t, page)))
        each("node", "conforms to", lambda o: self.shape_ref(o, page))
        each("or", "conforms to one of", lambda o: one_of(o, " or ", lambda t: self.shape_ref(t, page)))
        each("and", "conforms to all of", lambda o: one_of(o, " and ", lambda t: self.shape_ref(t, page)))
        each("xone", "conforms to exactly one of", lambda o: one_of(o, ", ", lambda t: self.shape_ref(t, page)))
        each("not", "does not conform to", lambda o: self.shape_ref(o, page))
        for o in sh.objects(node, _SH + "qualifiedValueShape"):
            lo = sh.text(node, _SH + "qualifiedMinCount")
            hi = sh.text(node, _SH + "qualifiedMaxCount")
            words = f"at least {lo}" if lo and not hi else f"at most {hi}" if hi and not lo else f"{lo} to {hi}" if lo else "some"
            out.append((f"{words} value{'' if words in ('at least 1', 'at most 1') else 's'} conforming to", self.shape_ref(o, page)))
        handled.add(_SH + "qualifiedValueShape")
        each("pattern", "matches", lambda o: V("code", text=o.value + (f"  (flags {sh.text(node, _SH + 'flags')})" if sh.objects(node, _SH + "flags") else "")))
        handled.add(_SH + "flags")
        each("languageIn", "language", lambda o: one_of(o, ", ", lambda t: V("text", text=t.value if isinstance(t, ox.Literal) else str(t))))
        each("uniqueLang", "one value per language", lambda o: V("text", text=o.value if isinstance(o, ox.Literal) else str(o)))
        for p, label in (("minInclusive", "≥"), ("minExclusive", ">"), ("maxInclusive", "≤"), ("maxExclusive", "<"),
                         ("minLength", "length at least"), ("maxLength", "length at most")):
            each(p, label)
        for p, label in (("equals", "equals the values of"), ("disjoint", "shares no value with"), ("lessThan", "less than the values of"),
                         ("lessThanOrEquals", "at most the values of")):
            each(p, label, lambda o: self.path(o, page))
        each("closed", "closed")
        each("ignoredProperties", "ignoring", lambda o: one_of(o, ", ", lambda t: links.value(t, page)))
        each("deactivated", "deactivated", lambda o: V("text", text=o.value if isinstance(o, ox.Literal) else str(o)))
        for p in sh.predicates(node):
            if p not in handled and (p.startswith(_SH) or p not in (_RDFS + "seeAlso",)):
                for o in sh.objects(node, p):
                    out.append((curie(p), self._value(o, page) if not isinstance(o, ox.BlankNode) else V("text", text="(anonymous node)")))
        return out

    def sparql_constraints(self, node: Any) -> list[Any]:
        return self.shapes.objects(node, _SH + "sparql")

    def property_shape(self, ps: Any, page: str, shared: frozenset[Any] = frozenset()) -> PropertyShape:
        """``shared``: SPARQL constraints of several property shapes here, whose message is
        shown once, with the constraint, instead of on every row."""
        sh = self.shapes
        lo, hi = sh.text(ps, _SH + "minCount"), sh.text(ps, _SH + "maxCount")
        count = f"{lo or 0}..{hi or '*'}" if (lo or hi) else ""
        messages = self._messages(ps)
        sparql = []
        for c in self.sparql_constraints(ps):
            sparql.append(self.links.link(c.value, page) if isinstance(c, ox.NamedNode) else V("text", text="(anonymous constraint)"))
            if c not in shared:
                messages.extend(m for m in self._messages(c) if m not in messages)
        paths = sh.objects(ps, _SH + "path")
        return PropertyShape(
            anchor=self.place(ps.value) if isinstance(ps, ox.NamedNode) else "",
            href=self.links.href(ps.value, page) if isinstance(ps, ox.NamedNode) else "",
            curie=curie(ps.value).strip("<>") if isinstance(ps, ox.NamedNode) else "",
            path=self.path(paths[0], page) if paths else V("text", text="(no path)"),
            count=count,
            requires=self.requirements(ps, page),
            severity=self._severity(ps) or "Violation",
            messages=messages,
            sparql=sparql,
        )

    def node_shape(self, node: Any) -> NodeShape:
        sh, page, links = self.shapes, "shapes.html", self.links
        targets = []
        for p, label in (("targetClass", "instances of"), ("targetSubjectsOf", "subjects of"), ("targetObjectsOf", "objects of"), ("targetNode", "the node")):
            values = [links.value(o, page) if p != "targetNode" else self._value(o, page) for o in sh.objects(node, _SH + p)]
            if values:
                targets.append((label, values))
        pss = sh.objects(node, _SH + "property")
        uses: dict[Any, int] = {}
        for ps in pss:
            for c in self.sparql_constraints(ps):
                uses[c] = uses.get(c, 0) + 1
        shared = frozenset(c for c, n in uses.items() if n > 1)
        props = [self.property_shape(ps, page, shared) for ps in pss]
        props.sort(key=lambda p: (_plain(p.path).casefold(), p.curie))
        constraints = {c for ps in [node, *pss] for c in self.sparql_constraints(ps)}
        sparql = []
        for c in sorted(constraints, key=_key):
            msgs = self._messages(c)
            select = sh.text(c, _SH + "select", _SH + "ask")
            anchor = self.place(c.value) if isinstance(c, ox.NamedNode) else ""
            sparql.append(SparqlConstraint(anchor=anchor, href=links.href(c.value, page) if isinstance(c, ox.NamedNode) else "", curie=curie(c.value).strip("<>") if isinstance(c, ox.NamedNode) else "", message=" ".join(msgs), select=_dedent(select), severity=self._severity(c)))
        # shapes that use this one (sh:node, sh:or, sh:not, sh:qualifiedValueShape)
        users = set()
        for p in ("node", "not", "qualifiedValueShape"):
            users |= set(sh.subjects(_SH + p, node))
        for p in ("or", "and", "xone"):
            for s in sh.subjects(_SH + p):
                for lst in sh.objects(s, _SH + p):
                    if node in sh.items(lst):
                        users.add(s)
        used_by = [links.link(u.value, page) for u in sorted(users, key=_key) if isinstance(u, ox.NamedNode)]
        return NodeShape(
            iri=node.value,
            anchor=links.targets[node.value][1],
            curie=curie(node.value).strip("<>"),
            label=sh.text(node, _RDFS + "label", _SH + "name"),
            description=sh.text(node, _RDFS + "comment", _SH + "description", _DCT + "description"),
            targets=targets,
            requires=self.requirements(node, page),
            severity=self._severity(node),
            messages=self._messages(node),
            properties=props,
            sparql=sparql,
            used_by=used_by,
        )


def _name(lit: Any) -> V:
    """A label as words, with its language unless it is English."""
    return V("text", text=lit.value + (f" ({lit.language})" if lit.language and lit.language != "en" else ""))


def _kind(types: set[str]) -> str:
    for key, _, t in _PROPERTY_KINDS[:3]:
        if t in types:
            return key
    return "other"


def _plain(v: V) -> str:
    return v.text if v.kind != "list" else v.sep.join(_plain(i) for i in v.items)


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text.strip("\n")).rstrip()

