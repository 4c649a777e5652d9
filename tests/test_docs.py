"""kg.publish.docs: the HTML documentation of the ontology, vocabularies and shapes."""

from __future__ import annotations

import errno
import os
import shutil
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from conftest import ROOT

import kg
import kg.publish.docs
from kg.errors import UsageError, WriteError
from kg.namespaces import PREFIXES

KG, RDF, OWL, SKOS, SH = (PREFIXES[p] for p in ("kg", "rdf", "owl", "skos", "sh"))


class Page(HTMLParser):
    """Every id and every href of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.scripts = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "script":
            self.scripts += 1


@pytest.fixture(scope="module")
def built(bundled, tmp_path_factory):
    out = tmp_path_factory.mktemp("docs") / "site"
    paths = kg.publish.docs.build(bundled, out)
    return out, paths


@pytest.fixture(scope="module")
def pages(built):
    out, _ = built
    return {name: Page((out / name).read_text(encoding="utf-8")) for name in kg.publish.docs.PAGES}


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[1] if "#" in iri else iri.rsplit("/", 1)[1]


def _subjects(store, type_iri: str, graph: str | None = None) -> set[str]:
    g = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    return {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(type_iri), g) if isinstance(q.subject, ox.NamedNode)}


def test_build_writes_every_page_and_the_stylesheet(built):
    out, paths = built
    assert [p.name for p in paths] == [*kg.publish.docs.PAGES, "docs.css"]
    assert all(p.parent == out and p.is_file() and p.stat().st_size > 0 for p in paths)
    assert sorted(os.listdir(out)) == sorted(p.name for p in paths)  # no temporary left behind


def test_every_class_and_property_has_its_anchor(bundled, pages):
    store = bundled.store().store
    onto = PREFIXES["kgg"] + "ontology/kg"
    ids = set(pages["index.html"].ids)
    classes = {c for c in _subjects(store, OWL + "Class", onto) if c.startswith(KG)}
    props = {p for t in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty") for p in _subjects(store, OWL + t, onto) if p.startswith(KG)}
    assert len(classes) > 30 and len(props) > 60
    missing = sorted(_local(t) for t in classes | props if _local(t) not in ids)
    assert not missing
    assert {"Meeting", "eventStatus", "State", "memberOf"} <= ids


def test_every_scheme_and_concept_appears(bundled, pages):
    store = bundled.store().store
    ids = set(pages["vocab.html"].ids)
    schemes = _subjects(store, SKOS + "ConceptScheme")
    concepts = _subjects(store, SKOS + "Concept")
    assert len(schemes) >= 10 and len(concepts) >= 80
    assert not sorted(_local(c) for c in concepts if _local(c) not in ids)
    assert not sorted(_local(s) for s in schemes if _local(s) not in ids and f"scheme-{_local(s)}" not in ids)


def test_every_node_shape_appears(bundled, pages):
    shapes = ox.Store()
    shapes.load(path=str(ROOT / "ontology" / "shapes.ttl"), format=ox.RdfFormat.TURTLE)
    node_shapes = _subjects(shapes, SH + "NodeShape")
    assert len(node_shapes) > 50
    ids = set(pages["shapes.html"].ids)
    assert not sorted(_local(s) for s in node_shapes if _local(s) not in ids)
    # property shapes are anchored too, so a validation report can link to the rule
    assert "ProvenanceShape-wasDerivedFrom" in ids and "EventShape-eventStatus" in ids


def test_no_broken_internal_link(pages):
    checked = 0
    for name, page in pages.items():
        assert len(page.ids) == len(set(page.ids)), f"{name}: duplicate ids"
        for href in page.hrefs:
            if href.startswith("#"):
                target, anchor = name, href[1:]
            elif href.split("#", 1)[0] in kg.publish.docs.PAGES:
                target, _, anchor = href.partition("#")
                if not anchor:
                    continue
            else:
                continue
            checked += 1
            assert anchor in pages[target].ids, f"{name}: {href} goes nowhere"
    assert checked > 1000


def test_links_between_pages_and_to_instances(pages):
    index, shapes = pages["index.html"].hrefs, pages["shapes.html"].hrefs
    assert "shapes.html#EventShape" in index  # a class to the shapes that check it
    assert "index.html#eventStatus" in shapes  # a path to its property
    assert "index.html#Event" in shapes  # a target class to its class
    assert "vocab.html#held" in index or "vocab.html#held" in shapes
    assert any(h.startswith(PREFIXES["kgi"]) for h in index)  # instances, by their IRIs (no server behind a folder)
    assert any(h.startswith(("https://www.w3.org/", "http://www.w3.org/ns/org#")) for h in index)  # reused terms link out
    assert all(p.scripts == 0 for p in pages.values())


def test_pages_show_what_they_document(built):
    out, _ = built
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Regional legal and judicial cooperation ontology" in index
    assert "0.1.0" in index and "https://creativecommons.org/publicdomain/zero/1.0/" in index
    assert "https://w3id.org/jckg/ontology#" in index  # namespace
    assert "http://www.w3.org/ns/org#Organization" in index  # a reused superclass, linked
    vocab = (out / "vocab.html").read_text(encoding="utf-8")
    assert "event statuses" in vocab and "The event took place." in vocab
    shapes = (out / "shapes.html").read_text(encoding="utf-8")
    assert "Every fact needs a source" in shapes and "Warning" in shapes and "SELECT $this" in shapes


def test_every_link_of_the_written_pages_works_from_the_folder(built):
    """Opened from the folder (file://, no server): a relative link leads to a written
    file and, with a fragment, to an id on it; nothing points at the server's root."""
    from urllib.parse import unquote, urlsplit

    out, paths = built
    written = {p.name: Page(p.read_text(encoding="utf-8")) for p in paths if p.suffix == ".html"}
    relative = 0
    for name, page in written.items():
        for href in page.hrefs:
            url = urlsplit(href)
            if url.scheme:
                assert url.scheme in ("http", "https", "mailto"), f"{name}: {href}"
                continue
            assert not href.startswith("/"), f"{name}: {href} only works under a server"
            relative += 1
            target = (out / name).parent / unquote(url.path) if url.path else out / name
            assert target.is_file() and target.resolve().parent == out.resolve(), f"{name}: {href} is no file of {out}"
            if url.fragment:
                assert url.fragment in written[target.name].ids, f"{name}: {href} goes nowhere"
    assert relative > 1000


def test_render_matches_build_but_links_instances_to_their_pages(bundled, built):
    """The server's pages are the written ones, except that an instance links to its page
    there (/id/X) instead of to its IRI."""
    out, _ = built
    served_instances = 0
    for page in kg.publish.docs.PAGES:
        served, written = Page(kg.publish.docs.render(bundled, page)), Page((out / page).read_text(encoding="utf-8"))
        assert served.ids == written.ids
        served_instances += sum(h.startswith("/id/") for h in served.hrefs)
        assert [PREFIXES["kgi"] + h[len("/id/"):] if h.startswith("/id/") else h for h in served.hrefs] == written.hrefs
    assert served_instances > 100
    assert kg.publish.docs.render(bundled, "docs.css") == (out / "docs.css").read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="no documentation page"):
        kg.publish.docs.render(bundled, "../etc/passwd")


def test_output_is_deterministic(bundled, built, tmp_path):
    out, _ = built
    kg.publish.docs._CACHE.clear()  # from the store again, not from the model kept for the server
    again = kg.publish.docs.build(kg.open(ROOT), tmp_path / "again")
    for p in again:
        assert p.read_bytes() == (out / p.name).read_bytes(), p.name


def test_rebuild_replaces_pages_and_keeps_other_files(bundled, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("old", encoding="utf-8")
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    kg.publish.docs.build(bundled, out)
    assert (out / "index.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(os.listdir(out)) == sorted([*kg.publish.docs.PAGES, "docs.css", "keep.txt"])


def test_an_output_that_cannot_be_a_directory_is_refused(bundled, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="it is a file"):
        kg.publish.docs.build(bundled, blocker)
    with pytest.raises(UsageError, match="does not exist"):
        kg.publish.docs.build(bundled, blocker / "docs")
    with pytest.raises(UsageError, match="does not exist"):
        kg.publish.docs.build(bundled, tmp_path / "no" / "such" / "docs")
    assert blocker.read_text(encoding="utf-8") == "x"
    assert sorted(os.listdir(tmp_path)) == ["a-file"]


def test_an_unwritable_directory_is_a_write_error_with_nothing_written(bundled, tmp_path, monkeypatch):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("old", encoding="utf-8")

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(kg.publish.docs.tempfile, "mkdtemp", refuse)
    with pytest.raises(WriteError, match="cannot write the documentation to .*Permission denied") as info:
        kg.publish.docs.build(bundled, out)
    assert "not writable" in str(info.value)
    assert sorted(os.listdir(out)) == ["index.html"] and (out / "index.html").read_text(encoding="utf-8") == "old"


def test_a_failure_halfway_leaves_the_old_pages(bundled, tmp_path, monkeypatch):
    out = tmp_path / "site"
    out.mkdir()
    for name in (*kg.publish.docs.PAGES, "docs.css"):
        (out / name).write_text(f"old {name}", encoding="utf-8")
    real_open = open
    written = []

    def fill_disk(path, mode="r", *args, **kwargs):
        if "w" in mode and ".tmp" in str(path):
            written.append(path)
            if len(written) == 2:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fill_disk)
    with pytest.raises(WriteError, match="No space left") as info:
        kg.publish.docs.build(bundled, out)
    monkeypatch.undo()
    assert "disk is full" in str(info.value)
    assert sorted(os.listdir(out)) == sorted([*kg.publish.docs.PAGES, "docs.css"])  # the temporary directory is gone
    assert all((out / n).read_text(encoding="utf-8") == f"old {n}" for n in os.listdir(out))
    # a new directory is created whole or not at all
    fresh = tmp_path / "fresh"
    written.clear()
    monkeypatch.setattr("builtins.open", fill_disk)
    with pytest.raises(WriteError):
        kg.publish.docs.build(bundled, fresh)
    monkeypatch.undo()
    assert not fresh.exists() and sorted(os.listdir(tmp_path)) == ["site"]


# ---------------------------------------------------------------- hostile text


HOSTILE_ONTOLOGY = """\
@prefix kg: <https://w3id.org/jckg/ontology#> .
@prefix kgc: <https://w3id.org/jckg/concept/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix vann: <http://purl.org/vocab/vann/> .

<https://w3id.org/jckg/ontology> a owl:Ontology ;
    dcterms:title "Tiny <b>ontology</b>"@en ;
    vann:preferredNamespaceUri "https://w3id.org/jckg/ontology#" ;
    owl:versionInfo "0.0.1" .

kg:Thing a owl:Class ;
    rdfs:label "thing <script>alert(1)</script>"@en ;
    skos:definition "A \\"quoted\\" & <i>hostile</i> definition."@en .

kg:Sub a owl:Class ; rdfs:subClassOf kg:Thing, <http://example.org/x?a=1&b=2> .

kg:says a owl:DatatypeProperty ;
    rdfs:label "says"@en ;
    rdfs:domain kg:Thing .

kgc:moods a skos:ConceptScheme ; skos:prefLabel "moods <script>"@en ; skos:hasTopConcept kgc:angry .
kgc:angry a skos:Concept ; skos:prefLabel "angry <img src=x onerror=alert(2)>"@en ; skos:inScheme kgc:moods ; skos:topConceptOf kgc:moods .
"""

HOSTILE_DATA = """\
@prefix kg: <https://w3id.org/jckg/ontology#> .
@prefix kgi: <https://w3id.org/jckg/id/> .
@prefix kgc: <https://w3id.org/jckg/concept/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

kgi:evil a kg:Sub ;
    rdfs:label "Evil <script>alert(3)</script> & Co"@en ;
    kg:says "<img src=x onerror=alert(4)>" ;
    kg:mood kgc:angry .
"""

HOSTILE_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix kg: <https://w3id.org/jckg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

kg:ThingShape a sh:NodeShape ;
    rdfs:label "things <script>"@en ;
    sh:targetClass kg:Thing ;
    sh:property kg:ThingShape-says .

kg:ThingShape-says a sh:PropertyShape ;
    sh:path kg:says ;
    sh:maxCount 1 ;
    sh:pattern "^<[a-z]+>$" ;
    sh:message "Say it </td></tr></table><script>alert(5)</script>"@en .
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    (root / "ontology").mkdir()
    (root / "data").mkdir()
    (root / "ontology" / "kg.ttl").write_text(HOSTILE_ONTOLOGY, encoding="utf-8")
    (root / "ontology" / "shapes.ttl").write_text(HOSTILE_SHAPES, encoding="utf-8")
    (root / "data" / "hostile.ttl").write_text(HOSTILE_DATA, encoding="utf-8")
    return kg.open(root)


def test_text_from_the_graph_is_escaped(tiny, tmp_path):
    paths = kg.publish.docs.build(tiny, tmp_path / "site")
    html = {p.name: p.read_text(encoding="utf-8") for p in paths}
    for name in kg.publish.docs.PAGES:
        page = html[name]
        assert "<script>" not in page and "<img" not in page and "<b>" not in page and "<i>" not in page, name
        assert Page(page).scripts == 0
    index = html["index.html"]
    assert "thing &lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "&lt;i&gt;hostile&lt;/i&gt;" in index and "&amp;" in index
    assert "Evil &lt;script&gt;alert(3)&lt;/script&gt; &amp; Co" in index  # an instance's label
    assert "&lt;img src=x onerror=alert(4)&gt;" in index  # an example statement's value
    assert 'href="http://example.org/x?a=1&amp;b=2"' in index
    assert "angry &lt;img src=x onerror=alert(2)&gt;" in html["vocab.html"]
    assert "alert(5)" in html["shapes.html"] and "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;" in html["shapes.html"]
    # a tiny graph still links up: the shape's path and target are its terms
    shapes = Page(html["shapes.html"])
    assert "index.html#says" in shapes.hrefs and "index.html#Thing" in shapes.hrefs and "ThingShape" in shapes.ids
    assert PREFIXES["kgi"] + "evil" in Page(index).hrefs


def test_a_graph_without_shapes_still_documents(tiny, tmp_path):
    root = tmp_path / "g"
    shutil.copytree(tiny.layout.root / "ontology", root / "ontology")
    shutil.copytree(tiny.layout.root / "data", root / "data")
    (root / "ontology" / "shapes.ttl").unlink()
    g = kg.open(root)
    assert "There are no shapes." in kg.publish.docs.render(g, "shapes.html")
    assert 'id="Thing"' in kg.publish.docs.render(g, "index.html")
