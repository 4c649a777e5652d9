"""What inference costs on the store: kg.store.entail.closure, then the stored queries that need it.

For each size N (statements of generated data, see bench/generate.py) an in-memory
pyoxigraph store is built with the real ontology/ and data/ files (one named graph each)
and the generated graph (serialised to N-Triples once, then ``bulk_load``). Then:

* closure: ``kg.store.entail.closure(store, mode="owlrl")``, once (it runs once per store
  content; the store caches it);
* each stored query whose header says ``inference: owlrl``, with its example parameters
  and with parameters that reach the generated data, timed (median of ``--runs`` after
  one warm-up run) three ways:
  - *plain*: the asserted graphs only (no inference: the answer is incomplete or empty);
  - *inferred*: the asserted graphs plus kgg:inferred, as the engine reads the store
    (``use_default_graph_as_union``);
  - *one graph*: the same triples (asserted and inferred) copied into one graph of
    another store, to tell the cost of the answer's size from that of reading one more
    graph. This is also how kg.store.local serves queries: its default graph holds the set
    union of the files' graphs and kgg:inferred.
* owlrl: ``kg.reference.closure.infer`` on the same graph at the smallest size, the baseline the
  closure's time is compared with; there the closure's triples are also checked to be
  owlrl's.

    python bench/bench_entail.py                      # 10^4, 10^5, 10^6
    python bench/bench_entail.py --sizes 10000 --runs 3

Prints a Markdown table and writes it to bench/results/bench_entail.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
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

from kg.store.entail import closure, inferred_triples  # noqa: E402

BASE = "https://w3id.org/jckg/"
KGI = BASE + "id/"
GENERATED = ox.NamedNode(BASE + "graph/data/generated")


def graph_files() -> list[tuple[Path, ox.NamedNode]]:
    ontology = [p for p in sorted((ROOT / "ontology").glob("*.ttl")) if p.name != "shapes.ttl"]
    files = ontology + sorted((ROOT / "data").glob("*.ttl"))
    return [(p, ox.NamedNode(BASE + "graph/" + p.relative_to(ROOT).with_suffix("").as_posix())) for p in files]


def build(nt: Path) -> ox.Store:
    store = ox.Store()
    for path, name in graph_files():
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=name, base_iri=KGI)
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=GENERATED)
    return store


def bind(text: str, params: dict[str, str]) -> str:
    """The parameters as an inline VALUES row at the start of the WHERE group (as the engine binds them)."""
    match = re.search(r"WHERE\s*\{", text, re.IGNORECASE)
    values = " ".join(f"VALUES ?{k} {{ <{v}> }}" for k, v in params.items())
    return text[: match.end()] + " " + values + " " + text[match.end():]


def timed(store: ox.Store, text: str, runs: int, **kw) -> tuple[float, int]:
    """(median seconds, rows): one warm-up run, then ``runs`` runs."""
    rows = len(list(store.query(text, **kw)))
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        n = len(list(store.query(text, **kw)))
        times.append(time.perf_counter() - t)
        assert n == rows
    return statistics.median(times), rows


def owlrl_seconds(nt: Path) -> tuple[float, set]:
    """kg.reference.closure.infer on the real files plus the generated graph; (seconds, triples as the store has them)."""
    from rdflib import URIRef

    from kg.layout import Layout
    from kg.reference.closure import infer
    from kg.reference.load import load_dataset

    ds = load_dataset(Layout(ROOT))
    ds.graph(URIRef(GENERATED.value)).parse(str(nt), format="nt")
    t = time.perf_counter()
    graph = infer(ds, "owlrl")
    seconds = time.perf_counter() - t
    check = ox.Store()
    check.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return seconds, {ox.Triple(q.subject, q.predicate, q.object) for q in check}


def workloads(gen_nt: Path) -> list[tuple[str, dict[str, str]]]:
    """(query, parameters): each inference query's example, and one that reaches generated data."""
    from kg.sparql.catalog import QueryCatalog

    catalog = QueryCatalog(ROOT / "queries")
    out = []
    for name in catalog.names():
        q = catalog.get(name)
        if q.inference == "none":
            continue
        words = q.example.split()
        example = {words[i + 1]: words[i + 2] for i, w in enumerate(words) if w == "-p"}
        out.append((name, {k: v.replace("kgi:", KGI) for k, v in example.items()}))
    # the state of the first generated city: its events are spread over generated meetings
    with gen_nt.open(encoding="utf-8") as fh:
        state = next(
            line.split()[2][1:-1] for line in fh if line.startswith(f"<{KGI}gen-city-0> <{BASE}ontology#locatedIn>")
        )
    names = {name for name, _ in out}
    if "events-in-place" in names:
        out.append(("events-in-place", {"place": state}))
    if "bodies-of-organisation" in names:
        out.append(("bodies-of-organisation", {"organisation": KGI + "eco"}))
    return out


def one_graph(store: ox.Store) -> ox.Store:
    single = ox.Store()
    g = ox.NamedNode(BASE + "graph/all")
    single.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, g) for q in store)
    return single


def run_size(size: int, seed: int, runs: int, workdir: Path, baseline: bool) -> dict:
    from generate import generate

    from kg.sparql.catalog import QueryCatalog

    catalog = QueryCatalog(ROOT / "queries")
    nt = workdir / f"generated-{size}.nt"
    t = time.perf_counter()
    gen = generate(size, seed)
    gen.serialize(str(nt), format="nt", encoding="utf-8")
    statements = len(gen)
    del gen
    generate_s = time.perf_counter() - t
    t = time.perf_counter()
    store = build(nt)
    load_s = time.perf_counter() - t
    asserted = len(store)
    loads = workloads(nt)
    plain = {}
    for name, params in loads:
        text = bind(catalog.get(name).text, params)
        plain[(name, tuple(params.items()))] = timed(store, text, runs, use_default_graph_as_union=True)
    t = time.perf_counter()
    inferred = closure(store, mode="owlrl")
    closure_s = time.perf_counter() - t
    single = one_graph(store)
    queries = []
    for name, params in loads:
        text = bind(catalog.get(name).text, params)
        key = (name, tuple(params.items()))
        with_inf = timed(store, text, runs, use_default_graph_as_union=True)
        in_one = timed(single, text, runs, use_default_graph_as_union=True)
        assert with_inf[1] == in_one[1]
        queries.append({"query": name, "params": params, "plain": plain[key], "inferred": with_inf, "one": in_one})
    entry = {
        "size": size, "statements": statements, "asserted": asserted, "generate_s": generate_s, "load_s": load_s,
        "closure_s": closure_s, "inferred": inferred, "queries": queries,
    }
    if baseline:
        owl_s, owl = owlrl_seconds(nt)
        entry["owlrl_s"] = owl_s
        entry["same_as_owlrl"] = owl == inferred_triples(store)
    return entry


def code_state() -> str:
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.rstrip("\n")

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [line[3:] for line in git("status", "--porcelain", "kg").splitlines()]
    return head + (f" + uncommitted {', '.join(changed)}" if changed else "")


def short(params: dict[str, str]) -> str:
    return ", ".join(f"{k}={v.replace(KGI, 'kgi:')}" for k, v in params.items())


def render(entries: list[dict], runs: int) -> str:
    import rdflib

    lines = [
        "# bench_entail: the closure on the store, and what inference costs a stored query",
        "",
        f"Rendered {dt.datetime.now().isoformat(timespec='seconds')}; python {platform.python_version()}, "
        f"pyoxigraph {ox.__version__}, rdflib {rdflib.__version__}; machine: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
        f"code {code_state()}.",
        "",
        "In-memory store: the real ontology/ and data/ files plus N generated statements (`bench/generate.py`, seed 0). "
        "*closure* = `kg.store.entail.closure(store, mode=\"owlrl\")`, one run. *owlrl* = `kg.reference.closure.infer(dataset, \"owlrl\")` "
        "on the same graph (rdflib), run at the smallest size only.",
        "",
        "| generated statements | load s | closure s | inferred triples | owlrl s | owlrl / closure | same as owlrl |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for e in entries:
        owl = f"{e['owlrl_s']:.2f}" if "owlrl_s" in e else "not run"
        ratio = f"{e['owlrl_s'] / e['closure_s']:.0f}" if "owlrl_s" in e else ""
        same = ("yes" if e["same_as_owlrl"] else "NO") if "same_as_owlrl" in e else ""
        lines.append(f"| {e['statements']:,} | {e['load_s']:.2f} | {e['closure_s']:.2f} | {e['inferred']:,} | {owl} | {ratio} | {same} |")
    lines += [
        "",
        f"Stored queries with `inference: owlrl`, median of {runs} runs after a warm-up, in milliseconds. *plain* = the "
        "asserted graphs only (what the query costs, and finds, without inference); *inferred* = asserted graphs + "
        "kgg:inferred, as the engine reads the store (`use_default_graph_as_union`); *one graph* = the same triples in "
        "a single graph of another store (kg.store.local's layout: its default graph is the set union of the files' graphs "
        "and kgg:inferred). *inferred / plain* is what inference costs a query, finding more rows included; "
        "*inferred / one graph* is the cost of keeping the inferences in a graph of their own.",
        "",
        "| generated statements | query | parameters | rows plain | ms plain | rows inferred | ms inferred | inferred / plain | ms one graph | inferred / one graph |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for e in entries:
        for q in e["queries"]:
            (pt, pr), (it, ir), (ot, _) = q["plain"], q["inferred"], q["one"]
            lines.append(
                f"| {e['statements']:,} | {q['query']} | {short(q['params'])} | {pr} | {pt * 1000:.2f} | {ir} | "
                f"{it * 1000:.2f} | {it / pt:.1f} | {ot * 1000:.2f} | {it / ot:.2f} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    entries = []
    with tempfile.TemporaryDirectory(prefix="bench-entail-") as tmp:
        for i, size in enumerate(sorted(args.sizes)):
            print(f"size {size:,} ...", file=sys.stderr, flush=True)
            entries.append(run_size(size, args.seed, args.runs, Path(tmp), baseline=(i == 0)))
    text = render(entries, args.runs)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_entail.md").write_text(text, encoding="utf-8")
    return 0 if all(e.get("same_as_owlrl", True) for e in entries) else 1


if __name__ == "__main__":
    sys.exit(main())
