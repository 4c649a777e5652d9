"""What amendments cost: the current view every build applies, and the graph as of a day.

For each size N (statements of generated data, bench/generate.py) an in-memory store is
built as kg.store.local builds one: the real ontology/ and data/ files and the generated graph,
one named graph each, and their union in the default graph. A second named graph then
supersedes the status of K generated meetings (K = 1% of them), as `kg amend` files do.
Measured, each the median of ``--runs``:

* **copy** (the baseline): every quad into a new in-memory store, what any view built in
  memory must at least do;
* **current view**: ``kg.history.apply_current_view`` on a copy of the store, what each
  build adds to take the retired statements out of the default graph (the copy's time
  subtracted);
* **as of a day**: ``kg.history.view_as_of`` for a day in the middle of the generated
  sources' dates, the in-memory view ``--as-of`` queries run on (built once per day and
  store version, then kept);
* **query**: a count of events by status on the store and on the view, to see that
  answering from the view costs what answering from the store does.

    python bench/bench_history.py                        # 10^4, 10^5, 10^6
    python bench/bench_history.py --sizes 10000 --runs 3

Prints a Markdown table and writes bench/results/bench_history.md and .json. The ratios
are against the copy measured in the same run, so they compare across machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import pyoxigraph as ox  # noqa: E402
from bench_entail import build, code_state, graph_files  # noqa: E402

from kg.history import apply_current_view, superseded_triples, view_as_of  # noqa: E402

KG, KGI, KGC = "https://w3id.org/jckg/ontology#", "https://w3id.org/jckg/id/", "https://w3id.org/jckg/concept/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
AMENDMENTS = ox.NamedNode("https://w3id.org/jckg/graph/data/bench-amendments")
COUNT = f"SELECT ?status (COUNT(?e) AS ?n) WHERE {{ ?e <{KG}eventStatus> ?status }} GROUP BY ?status"


def with_union(store: ox.Store) -> ox.Store:
    store.bulk_extend([ox.Quad(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, None)])
    return store


def plant_amendments(store: ox.Store, share: float = 0.01) -> int:
    """Supersede the status of ``share`` of the held generated meetings, from one dated source."""
    status = ox.NamedNode(KG + "eventStatus")
    held = [q.subject for q in store.quads_for_pattern(None, status, ox.NamedNode(KGC + "held"), ox.DefaultGraph())
            if q.subject.value.startswith(KGI + "gen-")]
    chosen = held[: max(1, int(len(held) * share))]
    src = ox.NamedNode(KGI + "src-bench-amendments")
    quads = [
        ox.Quad(src, ox.NamedNode(RDF + "type"), ox.NamedNode(KG + "SourceDocument"), AMENDMENTS),
        ox.Quad(src, ox.NamedNode("http://purl.org/dc/terms/issued"), ox.Literal("2020-01-01", datatype=ox.NamedNode(XSD + "date")), AMENDMENTS),
    ]
    for i, event in enumerate(chosen):
        r = ox.NamedNode(KGI + f"chg-bench-{i}")
        for p, o in [
            (RDF + "type", ox.NamedNode(KG + "Supersession")),
            (RDF + "subject", event),
            (RDF + "predicate", status),
            (RDF + "object", ox.NamedNode(KGC + "held")),
            (KG + "supersededOn", ox.Literal("2020-01-01", datatype=ox.NamedNode(XSD + "date"))),
            ("http://www.w3.org/ns/prov#wasDerivedFrom", src),
        ]:
            quads.append(ox.Quad(r, ox.NamedNode(p), o, AMENDMENTS))
        quads.append(ox.Quad(event, status, ox.NamedNode(KGC + "cancelled"), AMENDMENTS))
    store.bulk_extend(quads)
    store.bulk_extend([ox.Quad(q.subject, q.predicate, q.object) for q in quads])
    return len(chosen)


def median(fn, runs: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def copy(store: ox.Store) -> ox.Store:
    other = ox.Store()
    other.bulk_extend(store.quads_for_pattern(None, None, None, None))
    return other


def run_size(size: int, seed: int, runs: int, workdir: Path) -> dict:
    from generate import generate

    nt = workdir / f"history-{size}.nt"
    gen = generate(size, seed)
    gen.serialize(str(nt), format="nt", encoding="utf-8")
    del gen
    store = with_union(build(nt))
    planted = plant_amendments(store)
    graphs = [name for _, name in graph_files()] + [ox.NamedNode("https://w3id.org/jckg/graph/data/generated"), AMENDMENTS]
    quads = len(store)
    copy_s, _ = median(lambda: copy(store), runs)

    def current() -> int:
        c = copy(store)
        t = time.perf_counter()
        retired = apply_current_view(c)
        return time.perf_counter() - t, len(retired)  # type: ignore[return-value]

    current_runs = [current() for _ in range(runs)]
    current_s = statistics.median(t for t, _ in current_runs)
    retired = current_runs[0][1]
    view_store = copy(store)
    apply_current_view(view_store)
    days = sorted(
        q.object.value for q in view_store.quads_for_pattern(None, ox.NamedNode("http://purl.org/dc/terms/issued"), None, ox.DefaultGraph())
    )
    day = dt.date.fromisoformat(days[len(days) // 2][:10])
    view_s, view = median(lambda: view_as_of(view_store, graphs, day), runs)
    q_store_s, _ = median(lambda: list(view_store.query(COUNT)), runs)
    q_view_s, _ = median(lambda: list(view.query(COUNT)), runs)  # type: ignore[attr-defined]
    return {
        "size": size,
        "quads": quads,
        "superseded": retired,
        "planted": planted,
        "day": day.isoformat(),
        "view_quads": len(view),  # type: ignore[arg-type]
        "copy_s": copy_s,
        "current_view_s": current_s,
        "as_of_s": view_s,
        "query_store_s": q_store_s,
        "query_view_s": q_view_s,
        "superseded_in_store": len(superseded_triples(view_store)),
    }


def render(entries: list[dict], runs: int) -> str:
    lines = [
        "# Amendments: the current view and the graph as of a day",
        "",
        f"`python bench/bench_history.py` on {platform.node() and 'this machine'} ({platform.python_version()}, pyoxigraph {ox.__version__}), "
        f"code {code_state()}, {dt.date.today().isoformat()}; medians of {runs} runs. Baseline: copying every quad of the store into a new in-memory store, in the same run.",
        "",
        "| generated | quads in store | retired | copy (baseline) | current view | ratio | as of a day (quads kept) | ratio | count by status: store / view |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for e in entries:
        lines.append(
            f"| {e['size']:,} | {e['quads']:,} | {e['superseded']} | {e['copy_s'] * 1000:.0f} ms | {e['current_view_s'] * 1000:.1f} ms | "
            f"{e['current_view_s'] / e['copy_s']:.3f}x | {e['as_of_s'] * 1000:.0f} ms ({e['view_quads']:,}, {e['day']}) | {e['as_of_s'] / e['copy_s']:.2f}x | "
            f"{e['query_store_s'] * 1000:.1f} / {e['query_view_s'] * 1000:.1f} ms |"
        )
    lines += [
        "",
        "*current view*: what each store build adds to take the retired statements out of the",
        "default graph (one removal per retired statement, after reading the records); *as of a",
        "day*: the in-memory view `--as-of` runs on, built once per day and store version. The",
        "ratios are against the copy, the least an in-memory view costs.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    entries = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            entries.append(run_size(size, args.seed, args.runs, Path(tmp)))
            print(json.dumps(entries[-1]), file=sys.stderr)
    text = render(entries, args.runs)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_history.md").write_text(text, encoding="utf-8")
    (RESULTS / "bench_history.json").write_text(json.dumps(entries, indent=1) + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
