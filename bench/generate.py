"""Seeded generator of graphs shaped like the real one, for the benchmarks.

``generate(n, seed)`` gives about ``n`` statements of meetings as the real data describes
them (data/eco-judicial-cooperation-2025.ttl): source documents with sections, meeting
formats (kg:MeetingFormat, a body of the real kgi:eco), cities (kg:City in a real
``kgi:state-xx``), held meetings (kg:sittingOf, kg:ordinal, kg:eventStatus, xsd:date
start and end, kg:location, kg:topic), delegations (kg:participant a real state,
kg:participationRole), agenda items and key points. Every fact cites a section with
prov:wasDerivedFrom, every label is @en. The graph is meant to be loaded together with
the real ontology/ and data/ files and conforms to ontology/shapes.ttl there.

``new_facts(k, seed)`` gives about ``k`` statements of one new meeting from one new
source document, citing entities that ``generate`` always makes (the first meeting
format and city) and real states: what ``kg add`` is measured with.
``new_facts(k, seed, violation=True)`` plants one violation: the meeting ends before it
starts.

Run ``python bench/generate.py`` to check that a graph of 10^4 statements conforms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.namespaces import KG, KGI  # noqa: E402

KGC = "https://w3id.org/jckg/concept/"
SCHEMA = "https://schema.org/"
START = URIRef(SCHEMA + "startDate")
END = URIRef(SCHEMA + "endDate")
ECO = KGI["eco"]  # a real intergovernmental organisation of data/

ROLES = ["delegation", "guest", "attendee"]
FORMATS_PER_DOCUMENT = 1
CITIES = 40


def _concepts(scheme: str) -> list[URIRef]:
    vocab = Graph().parse(ROOT / "ontology" / "vocab.ttl", format="turtle")
    return sorted((s for s in vocab.subjects(SKOS.inScheme, URIRef(KGC + scheme))), key=str)


def _states() -> list[URIRef]:
    ref = Graph().parse(ROOT / "data" / "reference-states.ttl", format="turtle")
    return sorted((s for s in ref.subjects(RDF.type, KG.State)), key=str)


_CACHE: dict[str, list[URIRef]] = {}


def _reference() -> tuple[list[URIRef], list[URIRef]]:
    if not _CACHE:
        _CACHE["states"] = _states()
        _CACHE["topics"] = _concepts("topics")
    return _CACHE["states"], _CACHE["topics"]


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _date(d: dt.date) -> Literal:
    return Literal(d.isoformat(), datatype=XSD.date)


def _source(g: Graph, doc: URIRef, title: str, issued: dt.date, sections: int) -> list[URIRef]:
    g.add((doc, RDF.type, KG.SourceDocument))
    g.add((doc, DCTERMS.title, _en(title)))
    g.add((doc, KG.publisherName, Literal("Benchmark publisher")))
    g.add((doc, DCTERMS.issued, _date(issued)))
    g.add((doc, KG.documentKind, URIRef(KGC + "bulletin")))
    g.add((doc, DCTERMS.language, Literal("en")))
    result = []
    for i in range(1, sections + 1):
        s = URIRef(f"{doc}-s{i}")
        g.add((s, RDF.type, KG.SourceSection))
        g.add((s, DCTERMS.isPartOf, doc))
        g.add((s, DCTERMS.title, _en(f"Section {i} of {title}")))
        g.add((s, KG.order, Literal(i)))
        result.append(s)
    return result


def _format(g: Graph, node: URIRef, name: str, section: URIRef) -> None:
    g.add((node, RDF.type, KG.MeetingFormat))
    g.add((node, RDFS.label, _en(name)))
    g.add((node, KG.establishmentStatus, URIRef(KGC + "established")))
    g.add((node, KG.unitOf, ECO))
    g.add((node, PROV.wasDerivedFrom, section))


def _city(g: Graph, node: URIRef, name: str, state: URIRef, section: URIRef) -> None:
    g.add((node, RDF.type, KG.City))
    g.add((node, RDFS.label, _en(name)))
    g.add((node, KG.locatedIn, state))
    g.add((node, PROV.wasDerivedFrom, section))


def _meeting(
    g: Graph,
    rng: random.Random,
    node: URIRef,
    *,
    fmt: URIRef,
    ordinal: int,
    city: URIRef,
    start: dt.date,
    days: int,
    section: URIRef,
    states: list[URIRef],
    topics: list[URIRef],
    delegations: int,
    items: int,
    keypoints: int,
) -> None:
    """One held meeting with its delegations, agenda items and key points."""
    g.add((node, RDF.type, KG.Meeting))
    g.add((node, RDFS.label, _en(f"Meeting {ordinal} of {fmt.split('/')[-1]}")))
    g.add((node, KG.sittingOf, fmt))
    g.add((node, KG.ordinal, Literal(ordinal)))
    g.add((node, KG.eventStatus, URIRef(KGC + "held")))
    g.add((node, START, _date(start)))
    g.add((node, END, _date(start + dt.timedelta(days=days))))
    g.add((node, KG.location, city))
    g.add((node, KG.purpose, Literal(f"The meeting {ordinal} aimed to enhance regional cooperation.")))
    for t in rng.sample(topics, 2):
        g.add((node, KG.topic, t))
    g.add((node, PROV.wasDerivedFrom, section))
    present = rng.sample(states, min(delegations, len(states)))
    for st in present:
        p = URIRef(f"{node}-delegation-{st.split('-')[-1]}")
        g.add((node, KG.participation, p))
        g.add((p, RDF.type, KG.Delegation))
        g.add((p, RDFS.label, _en(f"Delegation of {st.split('-')[-1].upper()} to meeting {ordinal}")))
        g.add((p, KG.participant, st))
        g.add((p, KG.participationRole, URIRef(KGC + rng.choice(ROLES))))
        g.add((p, PROV.wasDerivedFrom, section))
    for i in range(1, items + 1):
        a = URIRef(f"{node}-agenda-{i}")
        g.add((node, KG.agendaItem, a))
        g.add((a, RDF.type, KG.AgendaItem))
        g.add((a, KG.order, Literal(i)))
        g.add((a, KG.text, Literal(f"Agenda item {i} of meeting {ordinal}")))
        g.add((a, KG.topic, rng.choice(topics)))
        g.add((a, PROV.wasDerivedFrom, section))
    for i in range(1, keypoints + 1):
        k = URIRef(f"{node}-keypoint-{i}")
        g.add((node, KG.keyPoint, k))
        g.add((k, RDF.type, KG.KeyPoint))
        g.add((k, KG.order, Literal(i)))
        g.add((k, KG.presentedBy, present[(i - 1) % len(present)]))
        g.add((k, KG.text, Literal(f"Key point {i} presented at meeting {ordinal}")))
        g.add((k, KG.topic, rng.choice(topics)))
        g.add((k, PROV.wasDerivedFrom, section))


def _fixed(g: Graph, states: list[URIRef]) -> None:
    """What every generated graph has, whatever its size: one source, formats and cities."""
    sections = _source(g, KGI["src-gen-reference"], "Generated reference bulletin", dt.date(2025, 12, 31), 2)
    for i in range(3):
        _format(g, KGI[f"gen-format-{i}"], f"Generated meeting format {i}", sections[0])
    for i in range(CITIES):
        _city(g, KGI[f"gen-city-{i}"], f"Generated city {i}", states[i % len(states)], sections[1])


def generate(n_statements: int, seed: int = 0) -> Graph:
    """About ``n_statements`` statements (within one meeting's worth) that conform to the shapes."""
    rng = random.Random(seed)
    states, topics = _reference()
    g = Graph()
    _fixed(g, states)
    ordinals = {i: 0 for i in range(3)}
    doc_no = 0
    while len(g) < n_statements:
        doc_no += 1
        doc = KGI[f"src-gen-{doc_no}"]
        start = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(0, 9000))
        meetings = rng.randint(1, 4)
        sections = _source(g, doc, f"Generated bulletin {doc_no}", start + dt.timedelta(days=60), meetings)
        for m, section in enumerate(sections):
            if len(g) >= n_statements:
                break
            f = rng.randrange(3)
            ordinals[f] += 1
            _meeting(
                g,
                rng,
                KGI[f"gen-format-{f}-meeting-{ordinals[f]}"],
                fmt=KGI[f"gen-format-{f}"],
                ordinal=ordinals[f],
                city=KGI[f"gen-city-{rng.randrange(CITIES)}"],
                start=start + dt.timedelta(days=7 * m),
                days=rng.randint(0, 3),
                section=section,
                states=states,
                topics=topics,
                delegations=rng.randint(3, 9),
                items=rng.randint(2, 5),
                keypoints=rng.randint(1, 4),
            )
    return g


def new_facts(k: int = 100, seed: int = 1, *, violation: bool = False) -> Graph:
    """About ``k`` statements: one new meeting from one new source document.

    It cites entities every generated graph has (``kgi:gen-format-0``, ``kgi:gen-city-0``)
    and real states. Its ordinal is far above any generated one, so it is unique.
    With ``violation``, the meeting ends two days before it starts.
    """
    rng = random.Random(seed)
    states, topics = _reference()
    g = Graph()
    doc = KGI[f"src-gen-new-{seed}"]
    start = dt.date(2024, 5, 1)
    (section,) = _source(g, doc, f"New generated bulletin {seed}", start + dt.timedelta(days=30), 1)
    # 22 statements for source, section and meeting; 6 per delegation and agenda item, 7 per key point
    rest = max(k - 22, 19)
    delegations = max(1, min(len(states), rest // 19))
    items = max(1, rest // 19)
    keypoints = max(1, (rest - 6 * delegations - 6 * items) // 7)
    node = KGI[f"gen-format-0-meeting-new-{seed}"]
    _meeting(
        g,
        rng,
        node,
        fmt=KGI["gen-format-0"],
        ordinal=1_000_000 + seed,
        city=KGI["gen-city-0"],
        start=start,
        days=2,
        section=section,
        states=states,
        topics=topics,
        delegations=delegations,
        items=items,
        keypoints=keypoints,
    )
    if violation:
        g.remove((node, END, None))
        g.add((node, END, _date(start - dt.timedelta(days=2))))
    return g


# ---------------------------------------------------------------- self-check


def check(n: int, seed: int = 0) -> int:
    """Validate real ontology + real data + a generated graph of ``n``; print and return violations."""
    from kg.layout import Layout
    from kg.reference.load import load_dataset, ontology_graph, union_graph
    from kg.reference.shacl import load_shapes, validate_graph

    layout = Layout(ROOT)
    t = time.perf_counter()
    gen = generate(n, seed)
    print(f"generated {len(gen)} statements in {time.perf_counter() - t:.2f} s")
    data = union_graph(load_dataset(layout))
    for triple in gen:
        data.add(triple)
    new = new_facts(100, seed + 1)
    print(f"new facts: {len(new)} statements")
    t = time.perf_counter()
    report = validate_graph(data, shapes=load_shapes(layout), ontology=ontology_graph(layout))
    print(f"validated {len(data)} statements in {time.perf_counter() - t:.2f} s: conforms={report.conforms}, "
          f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    for r in report.violations[:10]:
        print(f"  {r.focus} {r.path}: {r.message[:100]}")
    for triple in new:
        data.add(triple)
    report2 = validate_graph(data, shapes=load_shapes(layout), ontology=ontology_graph(layout))
    print(f"with the new facts: conforms={report2.conforms}, {len(report2.violations)} violation(s)")
    for r in report2.violations[:10]:
        print(f"  {r.focus} {r.path}: {r.message[:100]}")
    return len(report.violations) + len(report2.violations)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="statements to generate (default 10^4)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sys.exit(1 if check(args.n, args.seed) else 0)
