"""Seeded generator of graphs shaped like the real one, for the benchmarks.

``generate(n, seed)`` gives about ``n`` statements of meetings as the real data describes
them (data/eco-judicial-cooperation-2025.ttl): source documents with sections and an
issued date, meeting formats (kg:MeetingFormat, a body of the real kgi:eco, with its
establishment status), cities (kg:City in a real ``kgi:state-xx``), national posts
(kg:Post, a prosecutor general of each real state), held meetings (kg:sittingOf,
kg:ordinal, kg:eventStatus, xsd:date start and end, kg:location, kg:topic), delegations
(kg:participant a real state, kg:participationRole; some headed by a kg:Person who holds
the state's post, with the kg:Tenure attested on the meeting's first day), agenda items and
key points. Every fact cites a section with prov:wasDerivedFrom, every label is @en, and
every key statement (dates, statuses, topics, locations, days a tenure is attested on) has
its kg:Attribution: rdf:subject, rdf:predicate, rdf:object, the section and a kg:quote,
named ``kgi:<node>--<property in kebab case>--<value>`` as in data/. The graph is meant to
be loaded together with the real ontology/ and data/ files and conforms to
ontology/shapes.ttl there (tests/test_generator.py holds it to that).

``new_facts(k, seed)`` gives about ``k`` statements of one new meeting from one new
source document, citing entities that ``generate`` always makes (the first meeting
format and city) and real states: what ``kg add`` is measured with.
``new_facts(k, seed, violation=True)`` plants one violation: the meeting ends before it
starts (its end date attributed as the rest, so that is the only thing wrong).

Run ``python bench/generate.py`` to check that a graph of 10^4 statements conforms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
import tempfile
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
HELD = URIRef(KGC + "held")
ESTABLISHED = URIRef(KGC + "established")
PROSECUTOR_GENERAL = URIRef(KGC + "prosecutor-general")

ROLES = ["delegation", "guest", "attendee"]
FORMATS = 3
CITIES = 40
HEADED = 0.25  # share of delegations whose head the source names (about the real data's)
TERM_YEARS = 4  # a generated prosecutor general holds the post for this many years


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


def _local(term: URIRef) -> str:
    return re.split(r"[/#]", str(term))[-1]


def _code(state: URIRef) -> str:
    return _local(state).split("-")[-1]


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _said(g: Graph, s: URIRef, p: URIRef, o: URIRef | Literal, section: URIRef, quote: str) -> None:
    """The statement and its kg:Attribution (6 statements more): the passage that makes it.

    Named as data/ names them, ``kgi:<node>--<property in kebab case>--<value>``."""
    g.add((s, p, o))
    value = o.lower() if isinstance(o, Literal) else _local(o)
    a = URIRef(f"{s}--{_kebab(_local(p))}--{value}")
    g.add((a, RDF.type, KG.Attribution))
    g.add((a, RDF.subject, s))
    g.add((a, RDF.predicate, p))
    g.add((a, RDF.object, o))
    g.add((a, KG.quote, Literal(quote)))
    g.add((a, PROV.wasDerivedFrom, section))


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
    _said(g, node, KG.establishmentStatus, ESTABLISHED, section, f"The {name} was established within ECO.")
    g.add((node, KG.unitOf, ECO))
    g.add((node, PROV.wasDerivedFrom, section))


def _city(g: Graph, node: URIRef, name: str, state: URIRef, section: URIRef) -> None:
    g.add((node, RDF.type, KG.City))
    g.add((node, RDFS.label, _en(name)))
    g.add((node, KG.locatedIn, state))
    g.add((node, PROV.wasDerivedFrom, section))


def _post(state: URIRef) -> URIRef:
    return KGI[f"gen-post-prosecutor-general-{_code(state)}"]


def _national_post(g: Graph, state: URIRef, section: URIRef) -> None:
    post = _post(state)
    g.add((post, RDF.type, KG.Post))
    g.add((post, RDFS.label, _en(f"Prosecutor General of {_code(state).upper()}")))
    g.add((post, KG.postIn, state))
    g.add((post, KG.postRole, PROSECUTOR_GENERAL))
    g.add((post, PROV.wasDerivedFrom, section))


def _head(g: Graph, delegation: URIRef, state: URIRef, day: dt.date, section: URIRef, quote: str) -> None:
    """The delegation is headed by the state's prosecutor general of the day: a kg:Person
    (one per state and term), who holds the post, and the kg:Tenure attested on ``day``."""
    code, term = _code(state), day.year // TERM_YEARS
    person = KGI[f"gen-person-{code}-{term}"]
    post = _post(state)
    g.add((person, RDF.type, KG.Person))
    g.add((person, RDFS.label, _en(f"Generated prosecutor general {code.upper()} {term}")))
    g.add((person, KG.holds, post))
    g.add((person, PROV.wasDerivedFrom, section))
    tenure = KGI[f"gen-tenure-prosecutor-general-{code}-{term}"]
    g.add((tenure, RDF.type, KG.Tenure))
    g.add((tenure, KG.tenureOf, post))
    g.add((tenure, KG.tenureHolder, person))
    g.add((tenure, KG.quote, Literal(quote)))
    g.add((tenure, PROV.wasDerivedFrom, section))
    _said(g, tenure, KG.attestedOn, _date(day), section, quote)
    g.add((delegation, KG.headOfDelegation, person))
    g.add((delegation, KG.representedByPost, post))


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
    heads: bool = True,
    end: dt.date | None = None,
) -> None:
    """One held meeting with its delegations, agenda items and key points; ``end``
    (default ``start`` + ``days``) is for planting a wrong end date."""
    name = f"Meeting {ordinal} of {_local(fmt)}"
    end = start + dt.timedelta(days=days) if end is None else end
    held = f"The {name} was held in {_local(city)} from {start:%d %B %Y} to {end:%d %B %Y}."
    g.add((node, RDF.type, KG.Meeting))
    g.add((node, RDFS.label, _en(name)))
    g.add((node, KG.sittingOf, fmt))
    g.add((node, KG.ordinal, Literal(ordinal)))
    _said(g, node, KG.eventStatus, HELD, section, held)
    _said(g, node, START, _date(start), section, held)
    _said(g, node, END, _date(end), section, held)
    _said(g, node, KG.location, city, section, held)
    g.add((node, KG.purpose, Literal(f"The meeting {ordinal} aimed to enhance regional cooperation.")))
    for t in rng.sample(topics, 2):
        _said(g, node, KG.topic, t, section, f"The {name} discussed {_local(t).replace('-', ' ')}.")
    g.add((node, PROV.wasDerivedFrom, section))
    present = rng.sample(states, min(delegations, len(states)))
    attended = f"The {name} was attended by delegations of {', '.join(_code(s).upper() for s in present)}."
    for st in present:
        p = URIRef(f"{node}-delegation-{_code(st)}")
        g.add((node, KG.participation, p))
        g.add((p, RDF.type, KG.Delegation))
        g.add((p, RDFS.label, _en(f"Delegation of {_code(st).upper()} to meeting {ordinal}")))
        g.add((p, KG.participant, st))
        g.add((p, KG.participationRole, URIRef(KGC + rng.choice(ROLES))))
        g.add((p, PROV.wasDerivedFrom, section))
        if heads and rng.random() < HEADED:
            _head(g, p, st, start, section, attended)
    for i in range(1, items + 1):
        a = URIRef(f"{node}-agenda-{i}")
        text = f"Agenda item {i} of meeting {ordinal}"
        g.add((node, KG.agendaItem, a))
        g.add((a, RDF.type, KG.AgendaItem))
        g.add((a, KG.order, Literal(i)))
        g.add((a, KG.text, Literal(text)))
        _said(g, a, KG.topic, rng.choice(topics), section, text)
        g.add((a, PROV.wasDerivedFrom, section))
    for i in range(1, keypoints + 1):
        k = URIRef(f"{node}-keypoint-{i}")
        text = f"Key point {i} presented at meeting {ordinal}"
        g.add((node, KG.keyPoint, k))
        g.add((k, RDF.type, KG.KeyPoint))
        g.add((k, KG.order, Literal(i)))
        g.add((k, KG.presentedBy, present[(i - 1) % len(present)]))
        g.add((k, KG.text, Literal(text)))
        _said(g, k, KG.topic, rng.choice(topics), section, text)
        g.add((k, PROV.wasDerivedFrom, section))


def _fixed(g: Graph, states: list[URIRef]) -> None:
    """What every generated graph has, whatever its size: one source, formats, cities, posts."""
    sections = _source(g, KGI["src-gen-reference"], "Generated reference bulletin", dt.date(2025, 12, 31), 2)
    for i in range(FORMATS):
        _format(g, KGI[f"gen-format-{i}"], f"Generated meeting format {i}", sections[0])
    for i in range(CITIES):
        _city(g, KGI[f"gen-city-{i}"], f"Generated city {i}", states[i % len(states)], sections[1])
    for state in states:
        _national_post(g, state, sections[1])


def generate(n_statements: int, seed: int = 0) -> Graph:
    """About ``n_statements`` statements (at most one meeting's worth more) that conform to the shapes."""
    rng = random.Random(seed)
    states, topics = _reference()
    g = Graph()
    _fixed(g, states)
    ordinals = {i: 0 for i in range(FORMATS)}
    doc_no = 0
    while len(g) < n_statements:
        doc_no += 1
        doc = KGI[f"src-gen-{doc_no}"]
        start = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(0, 9000))
        meetings = rng.randint(1, 4)
        # issued after the last meeting it reports held (kg:EventShape-heldNotAfterSource)
        sections = _source(g, doc, f"Generated bulletin {doc_no}", start + dt.timedelta(days=60), meetings)
        for m, section in enumerate(sections):
            if len(g) >= n_statements:
                break
            f = rng.randrange(FORMATS)
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
    and real states, and names no person (so it touches no generated tenure). Its ordinal is
    far above any generated one, so it is unique. With ``violation``, the meeting ends two
    days before it starts.
    """
    states, topics = _reference()
    start = dt.date(2024, 5, 1)

    def build(delegations: int, items: int, keypoints: int) -> Graph:
        rng = random.Random(seed)
        g = Graph()
        doc = KGI[f"src-gen-new-{seed}"]
        (section,) = _source(g, doc, f"New generated bulletin {seed}", start + dt.timedelta(days=30), 1)
        _meeting(
            g,
            rng,
            KGI[f"gen-format-0-meeting-new-{seed}"],
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
            heads=False,
            end=start - dt.timedelta(days=2) if violation else None,
        )
        return g

    # grow delegations, agenda items and key points in turn until there are k statements
    sizes = [1, 1, 1]
    g = build(*sizes)
    turn = 0
    while len(g) < k:
        if turn % 3 != 0 or sizes[0] < len(states):
            sizes[turn % 3] += 1
        turn += 1
        g = build(*sizes)
    return g


# ---------------------------------------------------------------- self-check


def graph_dir(target: Path, generated: Graph | Path, name: str = "zz-generated.ttl") -> Path:
    """A graph directory at ``target``: this checkout's ontology/ and data/ (and queries/)
    plus ``generated`` (a graph, or an N-Triples or Turtle file) as ``data/<name>``."""
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, target / part)
    if isinstance(generated, Graph):
        generated.serialize(target / "data" / name, format="nt", encoding="utf-8")
    else:
        shutil.copyfile(generated, target / "data" / name)
    return target


def validate_dir(root: Path, cache: Path | bool = False) -> object:
    """The project's own validation (``kg validate``) of the graph directory ``root``."""
    import kg

    return kg.open(root, cache=cache).validate()


def describe(report: object, first: int = 5) -> str:
    """The number of violations and the first few, one line each, for a person to read."""
    found = report.violations  # type: ignore[attr-defined]
    lines = [f"{len(found)} violation(s)"]
    lines += [f"  {r.focus} {r.path or ''}: {r.message[:160]} ({r.shape})" for r in found[:first]]
    return "\n".join(lines)


def check(n: int, seed: int = 0) -> int:
    """Validate the real ontology and data with a generated graph of ``n`` (and then with the
    new facts added too) as ``kg validate`` does; print and return the violations."""
    with tempfile.TemporaryDirectory(prefix="kg-generated-") as tmp:
        t = time.perf_counter()
        gen = generate(n, seed)
        print(f"generated {len(gen)} statements in {time.perf_counter() - t:.2f} s")
        new = new_facts(100, seed + 1)
        print(f"new facts: {len(new)} statements")
        root = graph_dir(Path(tmp) / "graph", gen)
        t = time.perf_counter()
        report = validate_dir(root)
        print(f"validated in {time.perf_counter() - t:.2f} s (load included): {describe(report)}, "
              f"{len(report.warnings)} warning(s)")  # type: ignore[attr-defined]
        new.serialize(root / "data" / "zz-new-facts.ttl", format="nt", encoding="utf-8")
        report2 = validate_dir(root)
        print(f"with the new facts: {describe(report2)}")
        return len(report.violations) + len(report2.violations)  # type: ignore[attr-defined]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="statements to generate (default 10^4)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sys.exit(1 if check(args.n, args.seed) else 0)
