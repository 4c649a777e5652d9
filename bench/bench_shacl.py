"""Timing of kg.shacl.shapes: full and incremental validation on generated graphs of growing size.

    python bench/bench_shacl.py [--sizes 10000 100000 1000000] [--runs 3] [--disk] [--no-pyshacl]

For each size, a pyoxigraph store is built in memory with ``bulk_load``: the bundled graph
(ontology/*.ttl except the shapes, data/*.ttl), one named graph per file, and a graph of
``generate(n)`` statements (bench/generate.py), serialized to N-Triples once and cached in
the temporary directory (10^6 statements take half a minute to generate). Then, each the
median of ``--runs``:

* *full*: ``validate_store`` on the union of the graphs;
* *incremental*: ``new_facts(100)`` loaded beside them, then ``validate_store`` with the
  new facts' subjects as focus nodes. The broken variant (``violation=True``, the meeting
  ends before it starts) must report its sh:lessThanOrEquals result: *found* says so.

With ``--disk`` each store is also built on disk (RocksDB, in the temporary directory)
the way kg/store.py lays it out, every file in its named graph and their union once more
in the default graph, and validated with ``default_graph=[DefaultGraph()]``.

The baseline is pySHACL on the 10^4 graph, called as the project calls it (kg/reference.py):
*ratio* = pySHACL / kg.shacl.shapes full at that size. As with the other benchmarks, compare
ratios rather than seconds; on a 2-CPU machine run it alone.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate, new_facts  # noqa: E402

from kg.shacl.shapes import Shapes, validate_store  # noqa: E402

SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
FILES = sorted(p for p in (ROOT / "ontology").glob("*.ttl") if p != SHAPES_FILE) + sorted((ROOT / "data").glob("*.ttl"))
CACHE = Path(tempfile.gettempdir()) / "kg-bench-shacl"
NEW = "urn:bench:new"
LTE = "http://www.w3.org/ns/shacl#LessThanOrEqualsConstraintComponent"


def generated_file(n: int, seed: int = 0) -> Path:
    """The generated graph of about n statements as N-Triples, made once."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"generated-{n}-{seed}.nt"
    if not path.exists():
        t = time.perf_counter()
        g = generate(n, seed)
        tmp = path.with_suffix(".tmp")
        g.serialize(tmp, format="nt", encoding="utf-8")
        tmp.replace(path)
        print(f"  generated {len(g)} statements in {time.perf_counter() - t:.1f} s ({path})", flush=True)
    return path


def build(n: int, store: ox.Store, *, union_in_default: bool) -> None:
    sources = [(p, ox.RdfFormat.TURTLE, ox.NamedNode(f"urn:bench:{p.parent.name}/{p.name}")) for p in FILES]
    sources.append((generated_file(n), ox.RdfFormat.N_TRIPLES, ox.NamedNode("urn:bench:generated")))
    for path, fmt, graph in sources:
        store.bulk_load(path=str(path), format=fmt, to_graph=graph)
        if union_in_default:
            store.bulk_load(path=str(path), format=fmt, to_graph=ox.DefaultGraph())


def add_new(store: ox.Store, *, violation: bool, union_in_default: bool) -> list[ox.NamedNode]:
    data = new_facts(100, seed=1, violation=violation).serialize(format="nt", encoding="utf-8")
    store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(NEW))
    if union_in_default:
        store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return sorted({q.subject for q in store.quads_for_pattern(None, None, None, ox.NamedNode(NEW)) if isinstance(q.subject, ox.NamedNode)}, key=str)


def remove_new(store: ox.Store, *, union_in_default: bool) -> None:
    quads = list(store.quads_for_pattern(None, None, None, ox.NamedNode(NEW)))
    store.remove_graph(ox.NamedNode(NEW))
    if union_in_default:
        for q in quads:
            store.remove(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))


def median_time(runs: int, fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def measure(n: int, shapes: Shapes, runs: int, *, disk: bool) -> dict[str, object]:
    union_in_default = disk
    generated_file(n)  # before the clock starts
    if disk:
        directory = CACHE / f"store-{n}"
        if not (directory / "kg-bench-complete").exists():
            import shutil

            shutil.rmtree(directory, ignore_errors=True)
            s = ox.Store(str(directory))
            build(n, s, union_in_default=True)
            s.optimize()
            s.flush()
            del s
            (directory / "kg-bench-complete").write_text("ok")
        t = time.perf_counter()
        store = ox.Store(str(directory))
        load = time.perf_counter() - t  # opening only: the store is built once and kept
        if store.contains_named_graph(ox.NamedNode(NEW)):  # left by an interrupted run
            remove_new(store, union_in_default=True)
        kwargs: dict[str, object] = {"default_graph": [ox.DefaultGraph()]}
    else:
        store = ox.Store()
        t = time.perf_counter()
        build(n, store, union_in_default=False)
        load = time.perf_counter() - t
        kwargs = {}
    statements = len(store) // (2 if union_in_default else 1)
    full, results = median_time(runs, lambda: validate_store(store, shapes, **kwargs))
    focus = add_new(store, violation=False, union_in_default=union_in_default)
    incremental, inc_results = median_time(runs, lambda: validate_store(store, shapes, focus=focus, **kwargs))
    remove_new(store, union_in_default=union_in_default)
    focus = add_new(store, violation=True, union_in_default=union_in_default)
    broken = validate_store(store, shapes, focus=focus, **kwargs)
    remove_new(store, union_in_default=union_in_default)
    return {
        "statements": statements,
        "load": load,
        "full": full,
        "results": len(results),  # type: ignore[arg-type]
        "incremental": incremental,
        "focus": len(focus),
        "inc_results": len(inc_results),  # type: ignore[arg-type]
        "found": any(r.component.value == LTE for r in broken),
    }


def pyshacl_time(n: int) -> float:
    """pySHACL on the bundled graph + the generated one, as kg/reference.py calls it."""
    import rdflib
    from pyshacl import validate

    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    ontology = rdflib.Graph()
    for p in FILES:
        if p.parent.name == "ontology":
            ontology.parse(p, format="turtle")
    data = rdflib.Graph()
    for p in FILES:
        data.parse(p, format="turtle")
    data.parse(generated_file(n), format="nt")
    saved = rdflib.NORMALIZE_LITERALS
    t = time.perf_counter()
    validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        advanced=False,
        inplace=True,
        do_owl_imports=False,
    )
    elapsed = time.perf_counter() - t
    rdflib.NORMALIZE_LITERALS = saved
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--disk", action="store_true", help="also measure a store on disk")
    parser.add_argument("--no-pyshacl", action="store_true", help="skip the pySHACL baseline")
    args = parser.parse_args()

    t = time.perf_counter()
    shapes = Shapes.from_file(SHAPES_FILE)
    compile_time = time.perf_counter() - t
    import pyshacl

    print(
        f"kg.shacl.shapes: {len(shapes.queries())} queries compiled in {compile_time * 1000:.0f} ms; "
        f"Python {platform.python_version()}, pyoxigraph {ox.__version__}, pyshacl {pyshacl.__version__}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        flush=True,
    )
    rows = []
    for n in args.sizes:
        for disk in ([False, True] if args.disk else [False]):
            print(f"size {n} ({'disk' if disk else 'memory'})...", flush=True)
            rows.append((n, "disk" if disk else "memory", measure(n, shapes, args.runs, disk=disk)))
    baseline = None
    if not args.no_pyshacl:
        n0 = min(args.sizes)
        print(f"pySHACL at {n0}...", flush=True)
        baseline = (n0, pyshacl_time(n0))

    print()
    print("| size | store | statements | load s | full s | results | incremental s | focus nodes | planted found | pySHACL / full |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for n, kind, m in rows:
        ratio = f"{baseline[1] / m['full']:.0f}x" if baseline and baseline[0] == n else ""  # type: ignore[operator]
        load = f"{m['load']:.2f}" + (" (open)" if kind == "disk" else "")
        print(
            f"| {n} | {kind} | {m['statements']} | {load} | {m['full']:.2f} | {m['results']} | {m['incremental']:.3f} | "
            f"{m['focus']} | {'yes' if m['found'] else 'NO'} | {ratio} |"
        )
    if baseline:
        print(f"\npySHACL at {baseline[0]}: {baseline[1]:.1f} s")
    return 0 if all(m["found"] for _, _, m in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
