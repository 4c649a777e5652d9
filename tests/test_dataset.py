"""The dataset description (kg.publish.dataset): VoID + DCAT generated from the graph, valid
against kg/dataset-shapes.ttl, with counts equal to counts made another way."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
import pytest

from kg.errors import UsageError
from kg.publish.dataset import (
    DATASET,
    LICENSE,
    check_description,
    describe_dataset,
    release_files,
)

VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
KGI = "https://w3id.org/jckg/id/"
KGG = "https://w3id.org/jckg/graph/"


@pytest.fixture(scope="module")
def description(bundled) -> bytes:
    return describe_dataset(bundled, version="1.2.3", endpoint="https://example.org/sparql")


def load(data: bytes) -> ox.Store:
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.TURTLE)
    return store


def value(store: ox.Store, s: str, p: str) -> int:
    found = [q.object for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None)]
    assert len(found) == 1, (s, p, found)
    return int(found[0].value)


def objects(store: ox.Store, s: str, p: str) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None)}


def count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query)))[0].value)


# ---------------------------------------------------------------- valid, deterministic


def test_the_description_validates(bundled, description: bytes) -> None:
    assert check_description(description) == []
    assert check_description(describe_dataset(bundled)) == []  # without version nor endpoint


def test_pyshacl_agrees_that_it_validates(description: bytes) -> None:
    from pathlib import Path

    import pyshacl
    import rdflib

    import kg.publish.dataset

    data = rdflib.Graph().parse(data=description, format="turtle")
    shapes = rdflib.Graph().parse(Path(kg.publish.dataset.__file__).with_name("dataset-shapes.ttl"), format="turtle")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes)
    assert conforms, text
    broken = rdflib.Graph().parse(data=description.replace(b"void:triples 4", b"void:triples -4"), format="turtle")
    assert not pyshacl.validate(broken, shacl_graph=shapes)[0]


def test_the_description_is_deterministic_and_dated_only_when_asked(bundled, description: bytes) -> None:
    assert describe_dataset(bundled, version="1.2.3", endpoint="https://example.org/sparql") == description
    assert b"dcterms:issued" not in description.split(b"\n\n")[2]  # the dataset's own block
    dated = load(describe_dataset(bundled, issued="2026-01-31"))
    assert objects(dated, DATASET, DCT + "issued") == {"2026-01-31"}
    assert description.startswith(b"# The dataset description")


def test_the_dataset_node_says_what_it_is(description: bytes) -> None:
    store = load(description)
    assert objects(store, DATASET, DCT + "license") == {LICENSE}
    assert objects(store, DATASET, "http://www.w3.org/ns/dcat#version") == {"1.2.3"}
    assert objects(store, DATASET, "http://www.w3.org/2002/07/owl#versionInfo") == {"1.2.3"}
    assert objects(store, DATASET, VOID + "sparqlEndpoint") == {"https://example.org/sparql"}
    assert objects(store, DATASET, VOID + "uriSpace") == {KGI}
    assert objects(store, DATASET, VOID + "exampleResource") == {KGI + "eco-apg-meeting-4", KGI + "eco", KGI + "sco"}
    vocabularies = objects(store, DATASET, VOID + "vocabulary")
    assert {"https://w3id.org/jckg/ontology#", "http://www.w3.org/ns/org#", "http://www.w3.org/2004/02/skos/core#", DCT} <= vocabularies
    assert not {KGI, "https://w3id.org/jckg/concept/", KGG} & vocabularies
    assert len(objects(store, DATASET, DCT + "title")) == 1 and objects(store, DATASET, DCT + "publisher")


# ---------------------------------------------------------------- counts


def test_the_counts_equal_independent_counts(bundled, description: bytes) -> None:
    store = load(description)
    graph = bundled.store().store
    current = [q for q in graph.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    assert value(store, DATASET, VOID + "triples") == len(current) == count(graph, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert value(store, DATASET, VOID + "triples") == len(list(ox.parse(bundled.export("turtle"), format=ox.RdfFormat.TURTLE)))
    assert value(store, DATASET, VOID + "distinctSubjects") == len({q.subject for q in current})
    assert value(store, DATASET, VOID + "distinctObjects") == len({q.object for q in current})
    assert value(store, DATASET, VOID + "properties") == len({q.predicate for q in current})
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    instances: dict[str, set] = {}
    for q in current:
        if q.predicate == rdf_type:
            instances.setdefault(q.object.value, set()).add(q.subject)
    assert value(store, DATASET, VOID + "classes") == len(instances)
    assert value(store, DATASET, VOID + "entities") == len({q.subject for q in current if q.subject.value.startswith(KGI)})

    # one partition per class and per property, with their counts
    classes = {}
    for part in objects(store, DATASET, VOID + "classPartition"):
        (cls,) = objects(store, part, VOID + "class")
        classes[cls] = value(store, part, VOID + "entities")
    assert classes == {c: len(s) for c, s in instances.items()}
    per_property: dict[str, int] = {}
    for q in current:
        per_property[q.predicate.value] = per_property.get(q.predicate.value, 0) + 1
    properties = {}
    for part in objects(store, DATASET, VOID + "propertyPartition"):
        (prop,) = objects(store, part, VOID + "property")
        properties[prop] = value(store, part, VOID + "triples")
        assert value(store, part, VOID + "distinctSubjects") == len({q.subject for q in current if q.predicate.value == prop})
    assert properties == per_property


def test_one_subset_per_named_graph_with_its_count_and_sources(bundled, description: bytes) -> None:
    store = load(description)
    stats = bundled.stats()
    subsets = objects(store, DATASET, VOID + "subset")
    assert {s[len(KGG):] for s in subsets} == set(stats.per_graph)
    for s in subsets:
        key = s[len(KGG):]
        assert value(store, s, VOID + "triples") == stats.per_graph[key]
        sources = objects(store, s, DCT + "source")
        assert len(sources) == stats.sources_per_graph[key]
        for doc in sources:
            assert objects(store, doc, DCT + "title"), doc
    tashkent = KGG + "data/eco-2025-09-25-tashkent-meeting"
    (doc,) = objects(store, tashkent, DCT + "source")
    assert doc == KGI + "src-eco-2025-09-25-tashkent-meeting"
    assert objects(store, doc, DCT + "issued") == {"2025-09-25"}
    assert objects(store, doc, "https://schema.org/url") == {"https://eco.int/eco-prosectors-attorneys-general-meet-in-tashkent"}
    assert objects(store, doc, DCT + "publisher") == {KGI + "eco"}


def test_distributions_with_checksums(bundled) -> None:
    files = {name: f"content of {name}".encode() for name in release_files("2.0.0-rc.1")}
    data = describe_dataset(bundled, version="2.0.0-rc.1", files=files)
    assert check_description(data) == []
    store = load(data)
    dcat, spdx = "http://www.w3.org/ns/dcat#", "http://spdx.org/rdf/terms#"
    dists = objects(store, DATASET, dcat + "distribution")
    assert len(dists) == 4
    seen = {}
    for d in dists:
        (url,) = objects(store, d, dcat + "downloadURL")
        name = url.rsplit("/", 1)[1]
        (checksum,) = objects(store, d, spdx + "checksum")
        assert objects(store, checksum, spdx + "checksumValue") == {hashlib.sha256(files[name]).hexdigest()}
        assert value(store, d, dcat + "byteSize") == len(files[name])
        seen[name] = objects(store, d, dcat + "mediaType")
    assert seen["jckg-2.0.0-rc.1.nq"] == {"https://www.iana.org/assignments/media-types/application/n-quads"}
    assert seen["jckg-2.0.0-rc.1.ttl"] == {"https://www.iana.org/assignments/media-types/text/turtle"}
    # without a version there is no distribution
    assert not objects(load(describe_dataset(bundled)), DATASET, dcat + "distribution")


def test_bad_arguments_are_refused(bundled) -> None:
    with pytest.raises(UsageError, match="MAJOR.MINOR.PATCH"):
        describe_dataset(bundled, version="1.0")
    with pytest.raises(UsageError, match="endpoint"):
        describe_dataset(bundled, endpoint="not a url")
    with pytest.raises(UsageError, match="not a release file"):
        describe_dataset(bundled, version="1.0.0", files={"other.txt": b""})


# ---------------------------------------------------------------- violations reported


def test_a_missing_licence_is_reported(description: bytes) -> None:
    broken = description.replace(b"    dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> ;\n    dcterms:publisher", b"    dcterms:publisher", 1)
    assert broken != description
    problems = check_description(broken)
    assert len(problems) == 1 and "dcterms:license" in problems[0] and "<https://w3id.org/jckg/dataset>" in problems[0]


def test_a_negative_or_untyped_count_is_reported(description: bytes) -> None:
    problems = check_description(description.replace(b"void:triples 4", b"void:triples -4", 1))
    assert len(problems) == 1 and "void:triples" in problems[0] and "non-negative" in problems[0]
    problems = check_description(description.replace(b"void:classes ", b'void:classes "many" ; void:x ', 1))
    assert any("void:classes" in p for p in problems)


def test_a_subset_without_triples_or_source_and_a_bad_checksum_are_reported(bundled, description: bytes) -> None:
    store = load(description)
    graph = KGG + "data/reference-places"
    triples = [t for t in store if not (t.subject.value == graph and t.predicate.value in (VOID + "triples", DCT + "source"))]
    problems = check_description(ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    assert any(p.startswith(f"<{graph}> void:triples") for p in problems)
    assert any(p.startswith(f"<{graph}>") and "dcterms:source" in p for p in problems)
    assert len(problems) == 2
    files = {name: b"x" for name in release_files("1.0.0")}
    good = describe_dataset(bundled, version="1.0.0", files=files)
    digest = hashlib.sha256(b"x").hexdigest().encode()
    problems = check_description(good.replace(digest, b"not-hex", 1))
    # the checksum itself, and the distribution whose spdx:checksum it is
    assert any(p.startswith("kgd:checksum-1.0.0-jsonld spdx:checksumValue") for p in problems)
    assert all("checksum" in p for p in problems) and len(problems) == 2
    no_url = good.replace(b"    dcat:downloadURL <https://w3id.org/jckg/release/1.0.0/jckg-1.0.0.nq> ;\n", b"", 1)
    assert no_url != good
    assert [p for p in check_description(no_url) if "dcat:downloadURL" in p]


def test_turtle_that_does_not_parse_is_one_violation() -> None:
    problems = check_description(b"<a> <b> .")
    assert len(problems) == 1 and "does not parse" in problems[0]
    assert any("dcterms:license" in p for p in check_description(b""))  # the dataset is a target even when absent
