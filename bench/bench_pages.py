"""In-process cost of what kg serve does on a request it has not seen: an entity page and an
ad hoc SPARQL query, as its workers run them (``kg.web.ops``), against pyoxigraph answering
the equivalent query on the same store in the same process and run.

    python bench/bench_pages.py                 # the bundled graph, 20 rounds
    python bench/bench_pages.py --rounds 50 --profile kgi:eco-apg-meeting-4

The store and the facade's per-version caches are warm (a first-seen request on a running
server finds them so: only the request is new). Each page is timed as the worker's
``ops.entity_page`` (reading, then rendering the HTML), each query as ``ops.sparql`` with
JSON results; the baseline of a page is bench_serve.py's one SELECT for what the page
shows, of a query the same text run by ``Store.query`` with its rows serialised to JSON.
Ratios are medians over ``--rounds`` of page time / baseline time, measured alternately so
a loaded machine slows both alike.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_serve import KGI, ROOT, _prefixes, entity_sparql, pick_entities, query_params  # noqa: E402

#: the entities whose kinds of page differ most in cost: a meeting, a state, a section, a source
KINDS = {"meeting": "eco-apg-meeting-4", "state": "state-tj", "organisation": "eco"}


def pick(graph: Any) -> dict[str, str]:
    """A page of each kind: the notable ones, the first section and source document."""
    import pyoxigraph as ox

    store = graph.store().store
    chosen = {k: KGI + v for k, v in KINDS.items()}
    for kind, cls in (("section", "SourceSection"), ("source", "SourceDocument")):
        rows = list(store.query(f"SELECT ?s WHERE {{ ?s a <https://w3id.org/jckg/ontology#{cls}> }} ORDER BY ?s LIMIT 1"))
        if rows and isinstance(rows[0]["s"], ox.NamedNode):
            chosen[kind] = rows[0]["s"].value
    return chosen


def examples(graph: Any) -> dict[str, str]:
    """The asserted store's stored queries with their examples' parameters bound, as
    bench_serve's sparql phase sends them."""
    from kg.sparql.engine import bind, prepare

    out = {}
    for q in graph.queries():
        if q.inference != "none":
            continue
        out[q.name] = _prefixes() + bind(prepare(q.text, source=q.name), q.bind(query_params(q)))
    return out


def timed(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--profile", metavar="CURIE_OR_SPARQL", help="print a cProfile of this page (kgi:X) or of the query of this stored query name")
    args = ap.parse_args()

    import pyoxigraph as ox

    from kg.web import ops

    os.chdir(ROOT)

    class Config:
        root, cache, max_rows, endpoint, pin = str(ROOT), None, 2000, None, None

    from kg.sparql.sandbox import enter_worker

    graph = ops.open_graph(Config)
    enter_worker(offline=True)  # as a server's worker: queries run here, not in a fork
    store = graph.store().store
    pages = pick(graph)
    sampled = pick_entities("bundled", ROOT)

    def page(iri: str) -> Any:
        return lambda: ops.entity_page(graph, iri, [])

    def page_baseline(iri: str) -> Any:
        text = entity_sparql(iri)
        return lambda: store.query(text).serialize(format=ox.QueryResultsFormat.JSON)

    queries = examples(graph)
    choices = {"table": "json", "graph": "nt"}

    def sparql(text: str) -> Any:
        # a comment never sent before, as bench_serve's sparql-new sends
        counter = iter(range(10**9))
        return lambda: ops.sparql(graph, f"# first seen {next(counter)}\n{text}", choices)

    def sparql_baseline(text: str) -> Any:
        def run() -> None:
            r = store.query(text)
            if isinstance(r, ox.QuerySolutions | ox.QueryBoolean):
                r.serialize(format=ox.QueryResultsFormat.JSON)
            else:
                r.serialize(format=ox.RdfFormat.N_TRIPLES)
        return run

    if args.profile:
        target = args.profile
        fn = page(KGI + target.removeprefix("kgi:")) if target.startswith("kgi:") else sparql(queries[target])
        fn()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.rounds):
            fn()
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(35)
        print(out.getvalue())
        return 0

    def measure(fn: Any, base: Any) -> tuple[float, float, float]:
        fn(), base()  # warm: the facade's caches, the template
        own, ref = [], []
        for _ in range(args.rounds):
            own.append(timed(fn))
            ref.append(timed(base))
        return statistics.median(own) * 1000, statistics.median(ref) * 1000, statistics.median(o / r for o, r in zip(own, ref, strict=True))

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; medians of {args.rounds} rounds\n")
    print("| page | kg ms | SELECT ms | ratio |\n|---|---:|---:|---:|")
    for kind, iri in pages.items():
        own, ref, ratio = measure(page(iri), page_baseline(iri))
        print(f"| {kind} ({iri.rsplit('/', 1)[-1]}) | {own:.2f} | {ref:.2f} | {ratio:.1f}x |")
    ratios = []
    for iri in sampled:
        ratios.append(measure(page(iri), page_baseline(iri)))
    print(f"| all {len(sampled)} of bench_serve's entities (median) | {statistics.median(r[0] for r in ratios):.2f} | "
          f"{statistics.median(r[1] for r in ratios):.2f} | {statistics.median(r[2] for r in ratios):.1f}x |")
    print(f"| worst of them | {max(r[0] for r in ratios):.2f} | | {max(r[2] for r in ratios):.1f}x |")
    print("\n| query | kg ms | pyoxigraph ms | ratio |\n|---|---:|---:|---:|")
    qr = []
    for name, text in queries.items():
        qr.append((name, *measure(sparql(text), sparql_baseline(text))))
    for name, own, ref, ratio in sorted(qr, key=lambda r: -r[3])[:5]:
        print(f"| {name} | {own:.2f} | {ref:.2f} | {ratio:.1f}x |")
    print(f"| all {len(qr)} (median) | {statistics.median(r[1] for r in qr):.2f} | {statistics.median(r[2] for r in qr):.2f} | "
          f"{statistics.median(r[3] for r in qr):.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
