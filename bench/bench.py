"""The tool against its baselines, at 10^4, 10^5 and 10^6 statements: one table of ratios.

    python bench/bench.py                                  # 10^4, 10^5, 10^6; 3 runs
    python bench/bench.py --sizes 1e4,1e5 --runs 3         # what a busy machine can afford

For each size N, a graph directory is made in a temporary directory: ontology/ and
queries/ copied from the repository, data/ = the bundled data files plus
data/zz-generated.ttl, the output of ``generate(N, 0)`` (bench/generate.py) written as
N-Triples (valid Turtle). Generated graphs are cached as ``gen-N-<hash of generate.py>.nt``
in ``--gen-dir`` (default: ``gen`` in the system's temporary directory) and reused when
present. Each graph directory is validated once before anything is timed on it, and the
bench stops, naming the violations, if it does not conform.

Every row is measured against its baseline in the same run and reported as a ratio; each
heavy measurement runs in a fresh subprocess, whose peak resident memory is read from
``os.wait4`` (the child's ``ru_maxrss``, which includes the children it waited for):

1. load: ``kg.store.local.open_store`` into an empty cache directory vs raw pyoxigraph
   ``bulk_load`` of the same files into an on-disk ``Store`` (and into an in-memory one);
2. each stored query on a warm store via the facade (``g.query`` with the example's
   parameters) vs pyoxigraph running the same text on the same store, and vs the rdflib
   reference engine (10^4 and 10^5 only);
3. ``kg validate`` (whole process, warm cache) vs pyshacl (whole process), with a cap;
4. ``kg add --dry-run`` of ~100 new facts (whole process) and the validation step alone
   (in process) vs pyshacl's focused validation;
5. the OWL RL stored queries vs the same queries without inference;
6. ``g.export("nq")`` / ``g.export("trig")`` vs pyoxigraph's serializer on the same quads
   (``ox.serialize`` of the named graphs), and ``Store.dump`` of the whole store;
7. ``kg query delegations-at-meeting ... -f csv`` and ``kg --help`` on the bundled graph
   vs ``python -c "import pyoxigraph"``.

The table is printed and written, with the versions, the machine and every per-query
figure, to bench/results/bench.md (raw numbers in bench/results/bench.json). Timings are
never asserted: compare ratios, not seconds. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
# --compare runs workers on another tree of the code (KG_BENCH_CODE): before this checkout
sys.path.insert(0, os.environ.get("KG_BENCH_CODE") or str(ROOT))
sys.path.insert(0, str(HERE))

GEN_SEED = 0
NEW_SEED = 1
BUNDLED_QUERY = ["query", "delegations-at-meeting", "-p", "event", "kgi:eco-apg-meeting-4", "-f", "csv"]
RDFLIB_MAX = 100_000  # the rdflib reference engine and pyshacl are not run above this size


def perf() -> float:
    return time.perf_counter()


# ====================================================================== workers (children)
#
# Each worker runs in a fresh interpreter (``bench.py --worker NAME --args JSON``) and
# prints one JSON object on its last line of output. Times are measured inside it.

WORKERS: dict[str, Callable[..., dict]] = {}


def worker(fn: Callable[..., dict]) -> Callable[..., dict]:
    WORKERS[fn.__name__.removeprefix("w_")] = fn
    return fn


def _layout(root: str) -> Any:
    from kg.layout import Layout

    return Layout(Path(root))


def example_params(example: str) -> dict[str, str]:
    """The ``-p NAME VALUE`` pairs of a stored query's example command line."""
    words = shlex.split(example)
    return {words[i + 1]: words[i + 2] for i, w in enumerate(words) if w == "-p" and i + 2 < len(words)}


def repeated(fns: dict[str, Callable[[], Any]], repeat: int, budget: float, *, warmup: bool = True) -> dict[str, dict]:
    """Time each function ``repeat`` times, interleaved (a, b, a, b, ...), after one
    untimed warm-up call each; stop early (after 3 rounds) once a round sum passes
    ``budget`` seconds in total. Returns {name: {"median", "runs", "size"}}."""
    sizes = {name: fn() for name, fn in fns.items()} if warmup else {name: None for name in fns}
    times: dict[str, list[float]] = {name: [] for name in fns}
    spent = 0.0
    for i in range(repeat):
        for name, fn in fns.items():
            t = perf()
            sizes[name] = fn()
            times[name].append(perf() - t)
            spent += times[name][-1]
        if i >= 2 and spent > budget:
            break
    return {name: {"median": statistics.median(ts), "runs": len(ts), "size": sizes[name]} for name, ts in times.items()}


def _size(result: Any) -> int:
    return len(result) if result is not None else 0


@worker
def w_build_kg(root: str, cache: str) -> dict:
    """Build the store into an empty cache directory, as the first command on a graph does."""
    from kg.store.local import MANIFEST, open_store

    layout = _layout(root)
    t = perf()
    gs = open_store(layout, cache=Path(cache))
    seconds = perf() - t
    manifest = json.loads((gs.path / MANIFEST).read_text()) if gs.path else {}
    return {"seconds": seconds, "built": gs.built, "statements": manifest.get("statements"), "persistent": gs.path is not None}


@worker
def w_build_ox(root: str, directory: str | None, union: bool = False) -> dict:
    """Raw pyoxigraph: bulk_load of every graph file into its named graph (with ``union``:
    and again into the default graph, the layout kg's store keeps)."""
    import pyoxigraph as ox

    from kg.namespaces import BASE

    layout = _layout(root)
    files = layout.graph_files()
    t = perf()
    store = ox.Store(directory) if directory else ox.Store()
    for path in files:
        data = path.read_bytes()
        store.bulk_load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(layout.graph_iri(path)), base_iri=BASE + "id/")
        if union:
            store.bulk_load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph(), base_iri=BASE + "id/")
    if directory:
        store.flush()
    seconds = perf() - t
    return {"seconds": seconds, "statements": len(store)}


@worker
def w_warm(root: str, cache: str) -> dict:
    """Make the warm cache: the asserted store and its OWL RL version."""
    import kg

    g = kg.open(root, cache=Path(cache))
    t = perf()
    gs = g.store()
    asserted = perf() - t
    out: dict[str, Any] = {"asserted_seconds": asserted, "built": gs.built}
    t = perf()
    try:
        g.store("owlrl")
        out["owlrl_seconds"] = perf() - t
    except Exception as exc:  # reported, the rest of the bench goes on
        out["owlrl_error"] = f"{type(exc).__name__}: {exc}"
    return out


@worker
def w_queries(root: str, cache: str, repeat: int, budget: float) -> dict:
    """Every stored query via the facade vs raw pyoxigraph on the same store and text;
    the inference queries also without inference (row 5)."""
    import pyoxigraph as ox

    import kg
    from kg.namespaces import PREFIXES
    from kg.sparql.engine import bind, prepare

    g = kg.open(root, cache=Path(cache))  # no timeout: queries run in this process
    out = []
    # the engine queries the store's default graph, which holds the union of the files as
    # a set; a store without one is queried through Oxigraph's union view
    union_kept = any(True for _ in g.store().store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    dataset: dict[str, Any] = {} if union_kept else {"use_default_graph_as_union": True}
    for q in g.queries():
        params = example_params(q.example)
        entry: dict[str, Any] = {"name": q.name, "inference": q.inference, "params": params}
        try:
            gs = g.store(q.inference)
            text = bind(prepare(q.text, source=q.name), q.bind(params))

            def facade(q: Any = q, params: dict = params) -> int:
                return _size(g.query(q.name, **params))

            def raw(store: ox.Store = gs.store, text: str = text) -> int:
                answer = store.query(text, prefixes=PREFIXES, **dataset)
                if isinstance(answer, ox.QueryBoolean):
                    return 1
                if isinstance(answer, ox.QueryTriples):
                    return len(list(answer))
                return len([tuple(s) for s in answer])

            fns: dict[str, Callable[[], Any]] = {"facade": facade, "raw": raw}
            # where the facade's time goes: the freshness check of the store (hashes every
            # file) and the safety/syntax check of the text
            fns["store_check"] = lambda q=q: g.store(q.inference) and 0
            fns["prepare"] = lambda q=q: prepare(q.text, source=q.name) and 0
            if q.inference != "none":

                def plain(q: Any = q, params: dict = params) -> int:
                    return _size(g.query(q.name, inference="none", **params))

                fns["plain"] = plain
            entry.update(repeated(fns, repeat, budget))
        except Exception as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"
        out.append(entry)
    return {"queries": out, "union_kept": union_kept}


@worker
def w_rdflib_queries(root: str, repeat: int, budget: float, cap: float) -> dict:
    """Every stored query without inference on the rdflib reference engine, each in a
    forked child killed after ``cap`` seconds (kg.sparql.limits.call)."""
    from kg.errors import QueryTimeout
    from kg.rdf.convert import to_rdflib
    from kg.reference.load import load_dataset
    from kg.reference.sparql import Engine
    from kg.sparql.catalog import QueryCatalog
    from kg.sparql.limits import call

    layout = _layout(root)
    t = perf()
    ds = load_dataset(layout)
    load = perf() - t
    engine = Engine(ds)
    out = []
    for q in QueryCatalog(layout.queries_dir).all():
        entry: dict[str, Any] = {"name": q.name, "inference": q.inference}
        if q.inference != "none":
            entry["skipped"] = "needs inference"
            out.append(entry)
            continue
        bindings = {k: to_rdflib(v) for k, v in q.bind(example_params(q.example)).items()}

        def one(q: Any = q, bindings: dict = bindings) -> int:
            result = engine.query(q.text, bindings=bindings, source=q.name)
            return len(result.graph) if result.type in ("CONSTRUCT", "DESCRIBE") else 1 if result.type == "ASK" else len(result.bindings)

        try:
            entry.update(call(lambda one=one: repeated({"rdflib": one}, repeat, budget, warmup=False)["rdflib"], timeout=cap, what=q.name))
        except QueryTimeout:
            entry["timeout"] = cap
        except Exception as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"
        out.append(entry)
    return {"load_seconds": load, "queries": out}


@worker
def w_check_store(root: str, cache: str) -> dict:
    """Full validation in process: kg.shacl.report.check_store on the warm store."""
    import kg
    from kg.shacl.report import check_store, compiled_shapes

    g = kg.open(root, cache=Path(cache))
    gs = g.store()
    t = perf()
    compiled_shapes(g.layout)
    compile_s = perf() - t
    t = perf()
    report = check_store(gs.store, g.layout)
    first = perf() - t
    t = perf()
    check_store(gs.store, g.layout)
    again = perf() - t
    return {"compile_seconds": compile_s, "seconds": first, "again_seconds": again,
            "violations": len(report.violations), "warnings": len(report.warnings)}


@worker
def w_pyshacl_full(root: str) -> dict:
    """pyshacl over the rdflib union of the same files (the tool's former validation)."""
    from kg.reference.load import load_dataset, ontology_graph, union_graph
    load_shapes, validate_graph = _pyshacl_api()

    layout = _layout(root)
    t = perf()
    ds = load_dataset(layout)
    data = union_graph(ds)
    shapes, ontology = load_shapes(layout), ontology_graph(layout, ds)
    load = perf() - t
    t = perf()
    report = validate_graph(data, shapes=shapes, ontology=ontology)
    return {"load_seconds": load, "seconds": perf() - t, "violations": len(report.violations), "warnings": len(report.warnings)}


def _pyshacl_api() -> tuple[Any, Any]:
    """(load_shapes, validate_graph): the pySHACL reference, in kg.reference.sparql or kg.shacl.report."""
    try:
        from kg.reference.shacl import load_shapes, validate_graph
    except ImportError:
        from kg.reference.shacl import load_shapes, validate_graph
    return load_shapes, validate_graph


def _new_graph(path: str) -> Any:
    from rdflib import Graph

    return Graph().parse(path, format="turtle")


@worker
def w_incremental(root: str, cache: str, new: str, broken: str, repeat: int, budget: float) -> dict:
    """The validation step of ``kg add`` alone: ``kg.add.add_files(dry_run=True)`` in this
    process, timing only its call of ``kg.add.validate_addition`` (the affected nodes and
    the focused check_store on the candidate copy of the warm store)."""
    import kg
    import kg.add
    from kg.shacl.report import compiled_shapes

    g = kg.open(root, cache=Path(cache))
    g.store()
    t = perf()
    compiled_shapes(g.layout)
    compile_s = perf() - t
    steps: list[tuple[float, Any]] = []
    original = kg.add.validate_addition

    def timed(*a: Any, **k: Any) -> Any:
        t = perf()
        report = original(*a, **k)
        steps.append((perf() - t, report))
        return report

    kg.add.validate_addition = timed  # type: ignore[assignment]
    try:
        def add(path: str) -> dict:
            steps.clear()
            t = perf()
            result = kg.add.add_files([Path(path)], g.layout, dry_run=True, graph=g)
            whole = perf() - t
            if not steps:
                raise RuntimeError(f"add_files did not validate ({result.notes or 'nothing added'})")
            return {"step": steps[-1][0], "whole": whole, "violations": len(steps[-1][1].violations), "added": result.added}

        first = add(new)
        runs = [add(new)]
        while len(runs) < repeat and (len(runs) < 3 or sum(r["whole"] for r in runs) < budget):
            runs.append(add(new))
        bad = add(broken)
    finally:
        kg.add.validate_addition = original  # type: ignore[assignment]
    return {
        "compile_seconds": compile_s,
        "first_seconds": first["step"],
        "median": statistics.median(r["step"] for r in runs),
        "add_files_seconds": statistics.median(r["whole"] for r in runs),
        "runs": len(runs),
        "violations": first["violations"],
        "statements": first["added"],
        "broken_violations": bad["violations"],
    }


@worker
def w_pyshacl_focus(root: str, new: str, broken: str, repeat: int, budget: float) -> dict:
    """pyshacl's focused validation of the same new facts (the affected nodes) against
    the rdflib union of the graph plus the facts."""
    from kg.add import affected_nodes
    from kg.reference.load import load_dataset, ontology_graph, union_graph
    load_shapes, validate_graph = _pyshacl_api()

    layout = _layout(root)
    t = perf()
    ds = load_dataset(layout)
    shapes, ontology = load_shapes(layout), ontology_graph(layout, ds)
    out: dict[str, Any] = {}
    for label, path in (("valid", new), ("broken", broken)):
        data = union_graph(ds)
        facts = _new_graph(path)
        for triple in facts:
            data.add(triple)
        if label == "valid":
            out["load_seconds"] = perf() - t
        reports: list[Any] = []

        def step(data: Any = data, facts: Any = facts, reports: list = reports) -> int:
            focus = affected_nodes(facts, data)
            reports.append(validate_graph(data, shapes=shapes, ontology=ontology, focus_nodes=focus))
            return len(reports[-1].violations)

        if label == "valid":
            out.update(repeated({"pyshacl": step}, repeat, budget, warmup=False)["pyshacl"])
            out["violations"] = len(reports[-1].violations)
        else:
            step()
            out["broken_violations"] = len(reports[-1].violations)
    return out


@worker
def w_export(root: str, cache: str, fmt: str, side: str, repeat: int, budget: float) -> dict:
    """One export of the warm store: ``g.export(fmt)`` (side "kg"); pyoxigraph's serializer
    over the same quads, the named graphs (side "serialize": ``ox.serialize`` of
    ``quads_for_pattern`` per graph); or ``Store.dump`` of the whole store (side "dump",
    which also writes the default graph when the store keeps the union there)."""
    import itertools

    import pyoxigraph as ox

    import kg
    from kg.namespaces import PREFIXES

    g = kg.open(root, cache=Path(cache))
    gs = g.store()
    store = gs.store
    rdf = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}[fmt]
    prefixes = PREFIXES if fmt == "trig" else None
    if side == "kg":
        def fn() -> int:
            return len(g.export(fmt))
    elif side == "serialize":
        def fn() -> int:
            graphs = list(store.named_graphs())
            quads = itertools.chain.from_iterable(store.quads_for_pattern(None, None, None, name) for name in graphs)
            return len(ox.serialize(quads, format=rdf, prefixes=prefixes))
    else:
        def fn() -> int:
            return len(store.dump(format=rdf, prefixes=prefixes))
    t = perf()
    size = fn()
    first = perf() - t
    out = {"first_seconds": first, "bytes": size}
    if first * 2 < budget:
        out.update(repeated({"x": fn}, repeat, budget, warmup=False)["x"])
    else:
        out.update({"median": first, "runs": 1, "size": size})
    return out


# ====================================================================== running children


class Run(dict):
    """wall (s), rss (MB), code, out (the worker's JSON), timeout (bool), error (str)."""


TIME = Path("/usr/bin/time")


def spawn(cmd: list[str], *, env: dict[str, str] | None = None, cap: float | None = None, cwd: Path | None = None) -> Run:
    """Run ``cmd`` to its end (killed with its children after ``cap`` s); its wall time
    and peak RSS. The RSS is GNU time's ``%M`` when /usr/bin/time exists (a small
    launcher, so the figure is the command's own), else ``os.wait4``'s ``ru_maxrss``
    (which cannot go below this process's RSS at the fork). Both include the children
    the command waited for."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        full = [str(TIME), "-f", "%M", "-o", rss.name, *cmd] if TIME.exists() else cmd
        t = perf()
        proc = subprocess.Popen(full, stdout=out, stderr=err, env=env, cwd=cwd or ROOT, start_new_session=True)
        killed: list[bool] = []

        def kill() -> None:
            killed.append(True)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(cap, kill) if cap else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = perf() - t
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
        kb = usage.ru_maxrss
        if TIME.exists():
            found = re.findall(r"^(\d+)$", rss.read(), flags=re.M)
            kb = int(found[-1]) if found else None
            if "Command exited with non-zero status" in stderr or "Command terminated by signal" in stderr:
                stderr = "\n".join(line for line in stderr.splitlines() if not line.startswith("Command "))
    run = Run(wall=wall, rss=kb / 1024 if kb else None, code=proc.returncode, timeout=bool(killed), cpu=usage.ru_utime + usage.ru_stime)
    if killed:
        run["error"] = f"did not finish in {cap:.0f} s"
    elif proc.returncode != 0 and not stdout.strip():
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        run["error"] = _anonymous(lines[-1] if lines else f"exit {proc.returncode}")
    lines = stdout.strip().splitlines()
    if lines and lines[-1].startswith("{"):
        try:
            run["out"] = json.loads(lines[-1])
        except ValueError:
            pass
    return run


_HIDDEN: list[tuple[str, str]] = []  # (path, placeholder): no local path goes into the results


def _anonymous(text: str) -> str:
    for path, name in _HIDDEN:
        text = text.replace(path, name)
    return text


def run_worker(name: str, *, limit: float | None = None, **kwargs: Any) -> Run:
    """A worker in a fresh interpreter; ``limit``: kill it after so many seconds."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--args", json.dumps(kwargs)]
    return spawn(cmd, cap=limit, env=_env())


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KG_DATA", "KG_CACHE_DIR", "KG_TIMEOUT")}
    env.update(extra)
    return env


def kg_command() -> list[str]:
    """The installed ``kg`` script next to this interpreter, else ``python -m kg``."""
    script = Path(sys.executable).with_name("kg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kg"]


def median_of(runs: list[Run], key: str = "wall") -> float | None:
    values = [r[key] if key in r else r.get("out", {}).get(key) for r in runs if "error" not in r]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def peak(runs: list[Run]) -> float | None:
    values = [r["rss"] for r in runs if not r.get("timeout")]
    return max(values) if values else None


def secs(runs: list[Run], key: str = "seconds") -> float | None:
    """Median of a measurement the workers report (in-process seconds)."""
    values = [r["out"][key] for r in runs if "out" in r and r["out"].get(key) is not None]
    return statistics.median(values) if values else None


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ====================================================================== the graphs


@worker
def w_generate(n: int, path: str) -> dict:
    """``generate(n, GEN_SEED)`` written as N-Triples to ``path`` (atomically)."""
    from generate import generate

    t = perf()
    g = generate(n, GEN_SEED)
    tmp = Path(f"{path}.tmp-{os.getpid()}")
    g.serialize(tmp, format="nt", encoding="utf-8")
    os.replace(tmp, path)
    return {"seconds": perf() - t, "statements": len(g)}


@worker
def w_new_facts(path: str, violation: bool) -> dict:
    from generate import new_facts

    g = new_facts(100, NEW_SEED, violation=violation)
    g.serialize(path, format="turtle", encoding="utf-8")
    return {"statements": len(g)}


def generator_version() -> str:
    """A short hash of bench/generate.py: a graph cached by another version of the
    generator (one that no longer conforms, say) is not reused."""
    import hashlib

    return hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:8]


def generated_file(n: int, gen_dir: Path) -> tuple[Path, bool]:
    """``gen-N-<generator version>.nt`` = generate(N, 0) as N-Triples, generated if not
    already cached."""
    path = gen_dir / f"gen-{n}-{generator_version()}.nt"
    if path.exists() and path.stat().st_size > 0:
        return path, True
    gen_dir.mkdir(parents=True, exist_ok=True)
    progress(f"generating {n:,} statements (cached as {path.name})")
    run = run_worker("generate", n=n, path=str(path))
    if "out" not in run:
        raise SystemExit(f"generating {n:,} statements failed: {run.get('error')}")
    progress(f"generated {run['out']['statements']:,} statements in {run['out']['seconds']:.1f} s")
    return path, False


@worker
def w_conforms(root: str) -> dict:
    """The graph directory validated once, as ``kg validate`` does (on a store in memory,
    untimed by the bench): the number of violations and the first few."""
    from generate import describe, validate_dir

    t = perf()
    report = validate_dir(Path(root))
    return {"seconds": perf() - t, "violations": len(report.violations), "warnings": len(report.warnings),
            "first": describe(report)}


def conforming(root: Path, n: int) -> None:
    """Stop the bench unless the graph directory with the generated graph conforms: the
    validation row would time the reporting of violations, and every other row a graph
    unlike the real one."""
    run = run_worker("conforms", root=str(root))
    if "out" not in run:
        raise SystemExit(f"validating the graph with generate({n:,}, {GEN_SEED}) failed: {run.get('error')}")
    out = run["out"]
    if out["violations"]:
        raise SystemExit(
            f"the graph with generate({n:,}, {GEN_SEED}) does not conform to ontology/shapes.ttl, so nothing "
            f"is timed on it: {out['first']}\n"
            f"Make bench/generate.py conform again (python bench/generate.py --n {n}; tests/test_generator.py)."
        )
    progress(f"{n:,}: the graph conforms ({out['warnings']} warning(s), checked in {out['seconds']:.1f} s)")


def make_graph(n: int, gen_dir: Path, work: Path) -> dict:
    """A graph directory: the repository's ontology/, queries/, data/*.ttl + the generated
    file; and the new facts for row 4 (valid and with one violation), as Turtle."""
    gen, reused = generated_file(n, gen_dir)
    root = work / f"graph-{n}"
    shutil.copytree(ROOT / "ontology", root / "ontology")
    shutil.copytree(ROOT / "queries", root / "queries")
    (root / "data").mkdir()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        shutil.copyfile(path, root / "data" / path.name)
    shutil.copyfile(gen, root / "data" / "zz-generated.ttl")
    conforming(root, n)
    new, broken = work / "new-facts.ttl", work / "new-facts-broken.ttl"
    if not new.exists():
        for path, violation in ((new, False), (broken, True)):
            run = run_worker("new_facts", path=str(path), violation=violation)
            if "out" not in run:
                raise SystemExit(f"new_facts failed: {run.get('error')}")
    with gen.open("rb") as fh:
        generated = sum(1 for line in fh if line.strip())
    return {"root": root, "new": new, "broken": broken, "generated": generated, "reused": reused}


# ====================================================================== measuring one size


def measure_size(n: int, args: argparse.Namespace, work: Path) -> dict:
    graph = make_graph(n, args.gen_dir, work)
    root, new, broken = str(graph["root"]), str(graph["new"]), str(graph["broken"])
    warm = work / f"cache-{n}"
    res: dict[str, Any] = {"size": n, "generated": graph["generated"], "gen_reused": graph["reused"]}
    runs, repeat, budget, cap = args.runs, args.repeat, args.budget, args.cap
    small = n <= RDFLIB_MAX

    # 1. load
    progress(f"{n:,}: load, {runs} runs each")
    load: dict[str, list[Run]] = {"kg": [], "disk": [], "union": [], "memory": []}
    for i in range(runs):
        for kind in load:
            target = work / f"load-{n}-{i}-{kind}"
            if kind == "kg":
                load[kind].append(run_worker("build_kg", root=root, cache=str(target)))
            else:
                load[kind].append(run_worker("build_ox", root=root, directory=None if kind == "memory" else str(target), union=kind == "union"))
            shutil.rmtree(target, ignore_errors=True)
    res["load"] = load
    kg_runs, disk_runs, mem_runs = load["kg"], load["disk"], load["memory"]
    statements = next((r["out"]["statements"] for r in disk_runs if "out" in r), None)
    res["statements"] = statements
    progress(f"{n:,}: {statements} statements; load kg {secs(kg_runs)} s, bulk_load disk {secs(disk_runs)} s, memory {secs(mem_runs)} s")

    # warm cache, used by every row below
    res["warm"] = run_worker("warm", root=root, cache=str(warm))
    progress(f"{n:,}: warm cache {res['warm'].get('out') or res['warm'].get('error')}")

    # 2 and 5. stored queries
    progress(f"{n:,}: stored queries (facade, raw pyoxigraph, without inference)")
    res["queries"] = run_worker("queries", root=root, cache=str(warm), repeat=repeat, budget=budget)
    if small:
        progress(f"{n:,}: stored queries on the rdflib reference engine (cap {args.query_cap:.0f} s per query)")
        res["rdflib"] = run_worker("rdflib_queries", root=root, repeat=repeat, budget=budget, cap=args.query_cap)

    # 3. full validation
    progress(f"{n:,}: full validation")
    env = _env(KG_DATA=root, KG_CACHE_DIR=str(warm))
    validate = kg_command() + ["validate"]
    spawn(validate, env=env)  # untimed: first read of the warm store's files
    res["validate_cli"] = [spawn(validate, env=env) for _ in range(runs)]
    res["check_store"] = run_worker("check_store", root=root, cache=str(warm))
    if small:
        shacl_runs = runs if n <= 10_000 else 1
        res["pyshacl_full"] = []
        for _ in range(shacl_runs):
            res["pyshacl_full"].append(run_worker("pyshacl_full", root=root, limit=cap))
            if res["pyshacl_full"][-1].get("timeout"):
                break

    # 4. incremental validation
    progress(f"{n:,}: incremental validation of the new facts")
    add = kg_command() + ["add", "--dry-run", new]
    spawn(add, env=env)
    res["add_cli"] = [spawn(add, env=env) for _ in range(runs)]
    res["add_cli_broken"] = spawn(kg_command() + ["add", "--dry-run", broken], env=env)
    res["incremental"] = run_worker("incremental", root=root, cache=str(warm), new=new, broken=broken, repeat=repeat, budget=budget)
    if small:
        res["pyshacl_focus"] = run_worker("pyshacl_focus", root=root, new=new, broken=broken, repeat=min(repeat, 3), budget=budget, limit=cap)

    # 6. export
    progress(f"{n:,}: export")
    res["export"] = {}
    for fmt in ("nq", "trig"):
        for side in ("kg", "serialize", "dump"):
            res["export"][f"{fmt}-{side}"] = run_worker("export", root=root, cache=str(warm), fmt=fmt, side=side, repeat=repeat, budget=budget)
    shutil.rmtree(warm, ignore_errors=True)
    shutil.rmtree(graph["root"], ignore_errors=True)
    return res


def measure_bundled(args: argparse.Namespace, work: Path) -> dict:
    """Row 7: whole commands on the bundled graph with a warm store vs importing pyoxigraph."""
    progress(f"bundled graph: kg query, kg --help, python -c 'import pyoxigraph', {args.runs * 2 + 1} runs each")
    cache = work / "cache-bundled"
    env = _env(KG_DATA=str(ROOT), KG_CACHE_DIR=str(cache))
    query = kg_command() + BUNDLED_QUERY
    commands = {"baseline": [sys.executable, "-c", "import pyoxigraph"], "query": query, "help": kg_command() + ["--help"]}
    spawn(query, env=env)  # builds the warm store
    runs: dict[str, list[Run]] = {k: [] for k in commands}
    for _ in range(args.runs * 2 + 1):  # short commands: more runs, interleaved
        for k, cmd in commands.items():
            runs[k].append(spawn(cmd, env=env))
    # which modules the query command imports, and what they cost (python -X importtime)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "kg", *BUNDLED_QUERY], cwd=ROOT, env=env, capture_output=True, text=True)
    top: dict[str, int] = {}
    loaded: set[str] = set()
    for line in proc.stderr.splitlines():
        parts = line[len("import time:"):].split("|") if line.startswith("import time:") else []
        if len(parts) == 3 and parts[1].strip().isdigit():
            loaded.add(parts[2].strip().split(".")[0])
            if not parts[2][1:].startswith(" "):  # a top-level import: its cumulative time
                top[parts[2].strip()] = int(parts[1])
    heavy = {m: m in loaded for m in ("rdflib", "pyshacl", "owlrl", "pyoxigraph", "yaml")}
    shutil.rmtree(cache, ignore_errors=True)
    return {**runs, "imports": dict(sorted(top.items(), key=lambda kv: -kv[1])[:6]), "heavy": heavy}


# ====================================================================== the table


def fs(x: float | None) -> str:
    """Seconds, with the precision they deserve."""
    if x is None:
        return "n/a"
    return f"{x * 1000:.1f} ms" if x < 0.1 else f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def fm(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0f} MB"


def fr(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.3f}x" if x < 0.1 else f"{x:.2f}x" if x < 100 else f"{x:.0f}x"


def size_label(n: int) -> str:
    exp = len(str(n)) - 1
    return f"10^{exp}" if n == 10**exp else f"{n:,}"


def _err(runs: list[Run] | Run | None) -> str | None:
    if runs is None:
        return "not run"
    runs = runs if isinstance(runs, list) else [runs]
    for r in runs:
        if r.get("timeout"):
            return r["error"]
        if "error" in r:
            return "error: " + r["error"][:120]
    return None


def per_query(res: dict) -> list[dict]:
    """One row per stored query: facade, raw, ratio, rdflib, ratio, plain (inference)."""
    out = []
    rdflib = {q["name"]: q for q in (res.get("rdflib", {}).get("out", {}) or {}).get("queries", [])}
    for q in (res["queries"].get("out") or {}).get("queries", []):
        row = {"name": q["name"], "inference": q["inference"], "error": q.get("error")}
        if "facade" in q:
            row.update(facade=q["facade"]["median"], raw=q["raw"]["median"], rows=q["facade"]["size"], raw_rows=q["raw"]["size"], runs=q["facade"]["runs"])
            row["ratio"] = row["facade"] / row["raw"]
            row.update(store_check=q["store_check"]["median"], prepare=q["prepare"]["median"])
            if "plain" in q:
                row.update(plain=q["plain"]["median"], plain_rows=q["plain"]["size"], inference_ratio=q["facade"]["median"] / q["plain"]["median"])
        r = rdflib.get(q["name"])
        if r is not None:
            if "median" in r:
                row.update(rdflib=r["median"], rdflib_rows=r["size"], rdflib_runs=r["runs"])
                if "facade" in row:
                    row["rdflib_ratio"] = row["facade"] / r["median"]
            else:
                row["rdflib_note"] = r.get("skipped") or (f"did not finish in {r['timeout']:.0f} s" if "timeout" in r else "error: " + r.get("error", "?"))
        out.append(row)
    return out


def cells(results: list[dict]) -> dict[str, dict[int, str]]:
    """{row key: {size: cell text}} and the numbers the verdicts need."""
    c: dict[str, dict[int, str]] = {}
    v: dict[str, dict[int, float | None]] = {}

    def put(key: str, n: int, text: str, value: float | None = None) -> None:
        c.setdefault(key, {})[n] = text
        v.setdefault(key, {})[n] = value

    for res in results:
        n = res["size"]
        load = res["load"]
        kg_s, disk_s, mem_s = secs(load["kg"]), secs(load["disk"]), secs(load["memory"])
        st = res.get("statements") or 0
        if kg_s and disk_s:
            rate = disk_s / kg_s
            put("load", n, f"**{fr(rate)}** rate: {st / kg_s / 1000:.0f}k vs {st / disk_s / 1000:.0f}k st/s ({fs(kg_s)} vs {fs(disk_s)}); "
                           f"RSS {fm(peak(load['kg']))} vs {fm(peak(load['disk']))}", rate)
        else:
            put("load", n, _err(load["kg"]) or _err(load["disk"]) or "n/a")
        union_s = secs(load.get("union", []))
        if union_s and kg_s:
            put("load-union", n, f"{fr(union_s / kg_s)} rate ({fs(union_s)}; RSS {fm(peak(load['union']))})", union_s / kg_s)
        else:
            put("load-union", n, _err(load.get("union")) or "n/a")
        if mem_s and kg_s:
            put("load-mem", n, f"{fr(mem_s / kg_s)} rate: {st / mem_s / 1000:.0f}k st/s ({fs(mem_s)}; RSS {fm(peak(load['memory']))})", mem_s / kg_s)
        else:
            put("load-mem", n, _err(load["memory"]) or "n/a")

        rows = per_query(res)
        timed = [r for r in rows if "ratio" in r]
        if timed:
            ratios = sorted(r["ratio"] for r in timed)
            worst = max(timed, key=lambda r: r["ratio"])
            errors = [r["name"] for r in rows if r.get("error")]
            put("queries", n, f"max **{fr(worst['ratio'])}** ({worst['name']}: {fs(worst['facade'])} vs {fs(worst['raw'])}); "
                              f"min {fr(ratios[0])}, median {fr(statistics.median(ratios))} over {len(timed)} queries; "
                              f"without `g.store()` (facade - its median) max ~{fr(max((r['facade'] - r['store_check']) / r['raw'] for r in timed))}; "
                              f"of the facade's time, `g.store()` (its freshness check) takes {fs(statistics.median(r['store_check'] for r in timed))} "
                              f"and `prepare` {fs(statistics.median(r['prepare'] for r in timed))} (medians); "
                              f"RSS {fm(res['queries']['rss'])}" + (f"; errors: {', '.join(errors)}" if errors else ""), worst["ratio"])
        else:
            put("queries", n, _err(res["queries"]) or "n/a")
        if "rdflib" in res:
            vs = [r for r in rows if "rdflib_ratio" in r]
            missing = [r["name"] for r in rows if r.get("rdflib_note") and r.get("inference") == "none"]
            if vs:
                ratios = sorted(r["rdflib_ratio"] for r in vs)
                best, worst = min(vs, key=lambda r: r["rdflib_ratio"]), max(vs, key=lambda r: r["rdflib_ratio"])
                text = (f"median **{fr(statistics.median(ratios))}**, best {fr(best['rdflib_ratio'])} ({best['name']}), "
                        f"worst {fr(worst['rdflib_ratio'])} ({worst['name']}) over {len(vs)} queries; rdflib load {fs(res['rdflib']['out']['load_seconds'])}, "
                        f"RSS {fm(res['rdflib']['rss'])}")
                if missing:
                    text += f"; rdflib did not finish: {', '.join(missing)}"
                put("rdflib", n, text, statistics.median(ratios))
            else:
                put("rdflib", n, _err(res["rdflib"]) or "n/a")
        else:
            put("rdflib", n, "not run (rdflib above 10^5)")

        cli = res["validate_cli"]
        cli_s = median_of(cli)
        cs = res["check_store"].get("out", {})
        text = (f"**{fs(cli_s)}** whole process (RSS {fm(peak(cli))}); check_store {fs(cs.get('seconds'))} "
                f"(+ shapes compiled in {fs(cs.get('compile_seconds'))}), {cs.get('violations')} violations, {cs.get('warnings')} warnings")
        if "pyshacl_full" in res:
            ps = res["pyshacl_full"]
            if _err(ps):
                text += f"; pyshacl {_err(ps)}"
            else:
                pw = median_of(ps)
                text += (f"; vs pyshacl {fs(pw)} whole process = **{fr(cli_s / pw)}** (pyshacl validate alone {fs(secs(ps))}, "
                         f"RSS {fm(peak(ps))}, {ps[0]['out']['violations']} violations, {ps[0]['out']['warnings']} warnings)")
        if _err(cli):
            text = _err(cli) + "; " + text
        put("validate", n, text, cli_s)

        add = res["add_cli"]
        add_s = median_of(add)
        inc = res["incremental"].get("out", {})
        broken_found = inc.get("broken_violations")
        bad_cli = res["add_cli_broken"]
        text = (f"`kg add --dry-run` **{fs(add_s)}** whole process (RSS {fm(peak(add))}, exit {add[0]['code']}; broken facts: exit {bad_cli['code']}); "
                f"validation step **{fs(inc.get('median'))}** (first call {fs(inc.get('first_seconds'))}, shapes compiled in {fs(inc.get('compile_seconds'))}; "
                f"`add_files` in process {fs(inc.get('add_files_seconds'))}), "
                f"{inc.get('violations')} violations, planted violation {'found' if broken_found else 'NOT FOUND'} ({broken_found})")
        if "pyshacl_focus" in res:
            pf = res["pyshacl_focus"]
            if _err(pf):
                text += f"; pyshacl focused {_err(pf)}"
            else:
                po = pf["out"]
                text += (f"; vs pyshacl focused {fs(po['median'])} = **{fr(inc['median'] / po['median'])}** "
                         f"(planted violation {'found' if po.get('broken_violations') else 'NOT FOUND'})")
        if _err(res["incremental"]):
            text = _err(res["incremental"]) + "; " + text
        put("incremental", n, text, inc.get("median"))

        inf = [r for r in rows if "inference_ratio" in r]
        if inf:
            worst = max(inf, key=lambda r: r["inference_ratio"])
            put("owlrl", n, "; ".join(f"{r['name']} **{fr(r['inference_ratio'])}** ({fs(r['facade'])} vs {fs(r['plain'])}, {r['rows']} vs {r['plain_rows']} rows)" for r in inf)
                + f"; OWL RL store built in {fs(res['warm'].get('out', {}).get('owlrl_seconds'))}", worst["inference_ratio"])
        else:
            put("owlrl", n, res["warm"].get("out", {}).get("owlrl_error") or _err(res["queries"]) or "n/a")

        for fmt in ("nq", "trig"):
            k, z, d = (res["export"][f"{fmt}-{side}"] for side in ("kg", "serialize", "dump"))
            if "out" in k and "out" in z:
                ratio = k["out"]["median"] / z["out"]["median"]
                text = (f"**{fr(ratio)}** ({fs(k['out']['median'])} vs {fs(z['out']['median'])}; RSS {fm(k['rss'])} vs {fm(z['rss'])}; "
                        f"{k['out']['bytes'] / 1e6:.1f} vs {z['out']['bytes'] / 1e6:.1f} MB)")
                if "out" in d:
                    text += (f"; `Store.dump` of the whole store {fs(d['out']['median'])} = {fr(k['out']['median'] / d['out']['median'])} "
                             f"({d['out']['bytes'] / 1e6:.1f} MB, RSS {fm(d['rss'])})")
                put(f"export-{fmt}", n, text, ratio)
            else:
                put(f"export-{fmt}", n, _err(k) or _err(z) or "n/a")
    return {"cells": c, "values": v}


def verdict(values: dict[int, float | None], ok: Callable[[float], bool], *, at: int | None = None) -> str:
    """Whether the target is met: at every measured size, or only at size ``at``."""
    if at is not None:
        if at not in values:
            return f"not measured ({size_label(at)} not run)"
        x = values[at]
        return "n/a" if x is None else ("**yes**" if ok(x) else "**NO**")
    measured = {n: x for n, x in values.items() if x is not None}
    if not measured:
        return "n/a"
    bad = [size_label(n) for n, x in measured.items() if not ok(x)]
    return "**yes**" if not bad else f"**NO** (at {', '.join(bad)})"


def render(results: list[dict], bundled: dict, args: argparse.Namespace, meta: dict) -> tuple[str, str]:
    """(the table, the whole results file)."""
    sizes = [r["size"] for r in results]
    got = cells(results)
    c, v = got["cells"], got["values"]
    big = 1_000_000
    header = ["#", "measurement", "baseline"] + [f"{size_label(r['size'])} ({(r.get('statements') or 0):,} st.)" for r in results] + ["target", "met"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]

    def row(num: str, what: str, base: str, key: str, target: str, met: str) -> None:
        cols = [c.get(key, {}).get(n, "n/a") for n in sizes]
        lines.append("| " + " | ".join([num, what, base] + cols + [target, met]) + " |")

    row("1", "load: `kg.store.local.open_store` into an empty cache", "pyoxigraph `bulk_load` into an on-disk Store", "load",
        ">= 0.8x the rate", verdict(v.get("load", {}), lambda x: x >= 0.8))
    row("1b", "(note) same load", "pyoxigraph `bulk_load` of each file into its graph and into the default graph (the layout kg keeps), on disk", "load-union", "none", "-")
    row("1c", "(note) same load", "pyoxigraph `bulk_load` into an in-memory Store", "load-mem", "none", "-")
    row("2", "each stored query via `g.query` (warm store, example parameters), time ratio", "pyoxigraph `Store.query`, same text, same store",
        "queries", "<= 1.5x (every query)", verdict(v.get("queries", {}), lambda x: x <= 1.5))
    row("2b", "the same queries via `g.query`, time ratio (not the two inference queries)", "rdflib reference engine (`kg.reference.sparql.Engine`), 10^4 and 10^5 only", "rdflib", "none", "-")
    row("3", "full validation: `kg validate`, whole process, warm cache", "pyshacl, whole process (capped)", "validate",
        f"<= 5 s at {size_label(big)}", verdict(v.get("validate", {}), lambda x: x <= 5, at=big))
    row("4", "~100 new facts: `kg add --dry-run` whole process; validation step in process", "pyshacl focused validation (in process)",
        "incremental", f"validation <= 0.5 s at {size_label(big)}", verdict(v.get("incremental", {}), lambda x: x <= 0.5, at=big))
    row("5", "OWL RL stored queries (bodies-of-organisation, events-in-place), time ratio", "same query without inference (facade)",
        "owlrl", f"<= 2x at {size_label(big)}", verdict(v.get("owlrl", {}), lambda x: x <= 2, at=big))
    row("6", '`g.export("nq")`, time ratio', "pyoxigraph's N-Quads serializer on the same quads (the named graphs); and `Store.dump`", "export-nq", "none", "-")
    row("6b", '`g.export("trig")`, time ratio', "pyoxigraph's TriG serializer (with prefixes) on the same quads; and `Store.dump`", "export-trig", "none", "-")
    base = median_of(bundled["baseline"])
    q, h = median_of(bundled["query"]), median_of(bundled["help"])
    qerr = _err(bundled["query"])
    bundled_cell = (f"**{fr(q / base)}** ({fs(q)} vs {fs(base)}; RSS {fm(peak(bundled['query']))} vs {fm(peak(bundled['baseline']))})"
                    if q and base else qerr or "n/a")
    help_cell = f"{fr(h / base)} ({fs(h)}; RSS {fm(peak(bundled['help']))})" if h and base else _err(bundled["help"]) or "n/a"
    span = " | ".join(["bundled graph: " + bundled_cell] + ["〃"] * (len(sizes) - 1))
    lines.append(f"| 7 | `kg {' '.join(BUNDLED_QUERY)}`, whole process, warm store | `python -c \"import pyoxigraph\"` | {span} | <= 3x | "
                 f"{'n/a' if not (q and base) else ('**yes**' if q / base <= 3 else '**NO**')} |")
    span = " | ".join(["bundled graph: " + help_cell] + ["〃"] * (len(sizes) - 1))
    lines.append(f"| 7b | `kg --help`, whole process | `python -c \"import pyoxigraph\"` | {span} | none | - |")
    table = "\n".join(lines) + "\n"

    doc = [
        "# bench: the tool against its baselines",
        "",
        f"Run {meta['date']} (took {meta['took'] / 60:.0f} min): `python bench/bench.py {meta['argv']}`. "
        f"Python {platform.python_version()}, pyoxigraph {meta['versions']['pyoxigraph']}, rdflib {meta['versions']['rdflib']}, "
        f"pyshacl {meta['versions']['pyshacl']}; {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}; load average {meta['load_before']} before, {meta['load_after']} after. "
        f"Code measured: {meta['code']}.",
        "",
        f"Statements: the bundled graph (ontology and data files) plus `generate(N, {GEN_SEED})` "
        f"(bench/generate.py) as data/zz-generated.ttl; new facts: `new_facts(100, {NEW_SEED})`. Subprocess measurements: "
        f"median of {args.runs} runs (pyshacl: 1 run above 10^4; row 7: {args.runs * 2 + 1} runs); in-process: median of up "
        f"to {args.repeat} runs after a warm-up (fewer once {args.budget:.0f} s are spent). RSS = peak resident memory of the "
        f"measuring process. pyshacl capped at {args.cap:.0f} s, each rdflib query at {args.query_cap:.0f} s; neither is run above 10^5. Ratios are kg / baseline "
        "(times; row 1: rates, higher is better).",
        "",
        table,
    ]
    for res in results:
        doc += ["", f"## Per query at {size_label(res['size'])} ({(res.get('statements') or 0):,} statements)", "",
                "| query | inference | rows | facade | raw pyoxigraph | ratio | of which `g.store()` | `prepare` | rdflib | kg / rdflib | without inference | ratio |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in per_query(res):
            if r.get("error"):
                doc.append(f"| {r['name']} | {r['inference']} | error: {_anonymous(r['error'])[:100]} | | | | | | | | | |")
                continue
            rows_text = str(r["rows"]) + ("" if r["rows"] == r["raw_rows"] else f" (raw {r['raw_rows']})")
            if "rdflib_rows" in r and r["rdflib_rows"] != r["rows"] and r["inference"] == "none":
                rows_text += f" (rdflib {r['rdflib_rows']})"
            rd = fs(r["rdflib"]) if "rdflib" in r else r.get("rdflib_note", "not run")
            doc.append(f"| {r['name']} | {r['inference']} | {rows_text} | {fs(r['facade'])} | {fs(r['raw'])} | {fr(r['ratio'])} | {fs(r['store_check'])} | {fs(r['prepare'])} | {rd} | "
                       f"{fr(r.get('rdflib_ratio')) if 'rdflib_ratio' in r else '-'} | {fs(r['plain']) if 'plain' in r else '-'} | "
                       f"{fr(r['inference_ratio']) if 'inference_ratio' in r else '-'} |")
    doc += ["", "## Details", ""]
    for res in results:
        w = res["warm"].get("out", {})
        doc.append(f"- {size_label(res['size'])}: {res['generated']:,} generated lines ({'reused' if res['gen_reused'] else 'generated in this run'}); "
                   f"warm cache built in {fs(w.get('asserted_seconds'))}, its OWL RL version in {fs(w.get('owlrl_seconds'))}"
                   + (f" (error: {_anonymous(w['owlrl_error'])})" if "owlrl_error" in w else "") + ".")
    doc.append(f"- row 7: `kg {' '.join(BUNDLED_QUERY)}` imports "
               + ", ".join(f"{m} {'yes' if v else 'no'}" for m, v in bundled.get("heavy", {}).items())
               + "; slowest top-level imports (`python -X importtime`, cumulative): "
               + ", ".join(f"{m} {us / 1000:.0f} ms" for m, us in bundled.get("imports", {}).items()) + ".")
    text = "\n".join(doc) + "\n"
    return table, text


# ====================================================================== main


def code_state() -> str:
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    dirty = [line.split(maxsplit=1)[1] for line in git("status", "--porcelain", "--", "kg").splitlines() if line.strip()]
    return git("rev-parse", "--short", "HEAD") + (" + uncommitted " + ", ".join(dirty) if dirty else "")


def parse_sizes(text: str) -> list[int]:
    return [int(float(x)) for x in text.split(",") if x.strip()]


# ====================================================================== before and after
#
# ``--compare REV``: the rows of the speed work (load, stored queries in place, a new
# process, a view as of a day, every export format) measured for the code of REV
# ("before", taken with ``git archive`` into the work directory) and for this checkout
# ("after"), each against the same baseline, in the same run. Both run in this virtual
# environment; PYTHONPATH picks the code, and every worker reports the file of the
# ``kg`` it imported, so a mix-up shows. Bytecode is compiled for both trees first: an
# installed package has it, and compiling at every start would be measured otherwise.

COMPARE_FORMATS = ("nq", "trig", "nt", "turtle", "xml", "json-ld")
AS_OF_DAY = "2025-06-01"
AS_OF_QUERY = ["query", "scheduled-events", "--as-of", AS_OF_DAY, "-f", "csv"]


@worker
def w_where(code: str) -> dict:
    import kg

    return {"kg": str(Path(kg.__file__).resolve().parent.parent)}


@worker
def w_warm_asserted(root: str, cache: str) -> dict:
    """The warm cache without the OWL RL version (the rows of --compare do not read it)."""
    import kg

    t = perf()
    gs = kg.open(root, cache=Path(cache)).store()
    return {"asserted_seconds": perf() - t, "built": gs.built}


@worker
def w_queries_in_place(root: str, cache: str, repeat: int, budget: float) -> dict:
    """The stored queries without inference via the facade, in a process that declared
    itself a worker (as the server's are: queries run in place, no fork per call), vs
    pyoxigraph's ``Store.query`` of the same bound text on the same store; and the
    freshness check ``g.store()`` alone (the bookkeeping every call pays)."""
    import pyoxigraph as ox

    import kg
    from kg.errors import QueryTimeout
    from kg.namespaces import PREFIXES
    from kg.sparql import sandbox
    from kg.sparql.engine import bind, prepare
    from kg.sparql.limits import call

    sandbox.enter_worker(offline=True)
    g = kg.open(root, cache=Path(cache))
    g.store()
    time.sleep(2.1)  # past the racy window of the files just copied: the steady state
    out = []
    for q in g.queries():
        if q.inference != "none":
            continue
        params = example_params(q.example)
        gs = g.store()
        text = bind(prepare(q.text, source=q.name), q.bind(params))

        def facade(q: Any = q, params: dict = params) -> int:
            return _size(g.query(q.name, **params))

        def raw(store: ox.Store = gs.store, text: str = text) -> int:
            answer = store.query(text, prefixes=PREFIXES)
            if isinstance(answer, ox.QueryBoolean):
                return 1
            return len([tuple(s) for s in answer])  # the values read, as the facade reads them

        entry: dict[str, Any] = {"name": q.name}
        t = perf()
        try:
            # some queries take minutes at 10^5 on a busy machine: a first call past the
            # budget (in a killable worker) leaves the query out of the row, named
            call(facade, timeout=budget, what=q.name)
        except QueryTimeout:
            out.append({"name": q.name, "skipped": f"over {budget:g} s"})
            continue
        if perf() - t > budget / 5:
            # a slow query (seconds at 10^5): bookkeeping is lost in its noise, one call each
            entry.update(repeated({"facade": facade, "raw": raw, "store_check": lambda: g.store() and 0}, 1, 0.0, warmup=False))
            entry["slow"] = True
        else:
            entry.update(repeated({"facade": facade, "raw": raw, "store_check": lambda: g.store() and 0}, repeat, budget))
        out.append(entry)
    return {"queries": out}


@worker
def w_export_any(root: str, cache: str, fmt: str, side: str, repeat: int, budget: float) -> dict:
    """``g.export(fmt)`` (side "kg") or pyoxigraph's serializer (``ox.serialize``) of the
    same statements read from the same store (side "serialize"): the named graphs for
    nq, trig and json-ld, the default graph (the current view) for the triple formats."""
    import pyoxigraph as ox

    import kg
    from kg.namespaces import PREFIXES

    g = kg.open(root, cache=Path(cache))
    st = g.store().store
    kinds = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "json-ld": ox.RdfFormat.JSON_LD,
             "nt": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE, "xml": ox.RdfFormat.RDF_XML}
    if side == "kg":
        def fn() -> int:
            return len(g.export(fmt))
    elif fmt in ("nq", "trig", "json-ld"):
        graphs = sorted(st.named_graphs(), key=lambda n: n.value)

        def fn() -> int:
            quads = (q for gr in graphs for q in st.quads_for_pattern(None, None, None, gr))
            return len(ox.serialize(quads, format=kinds[fmt], prefixes=None if fmt == "nq" else PREFIXES))
    else:
        def fn() -> int:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in st.quads_for_pattern(None, None, None, ox.DefaultGraph()))
            return len(ox.serialize(triples, format=kinds[fmt], prefixes=None if fmt == "nt" else PREFIXES))
    times = []
    size = 0
    for i in range(repeat):
        t = perf()
        size = fn()
        times.append(perf() - t)
        if i >= 2 and sum(times) > budget:
            break
    return {"times": times, "size": size}


def _spread(values: list[float]) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {}
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def compare_size(n: int, args: argparse.Namespace, work: Path, trees: dict[str, Path]) -> dict:
    graph = make_graph(n, args.gen_dir, work)
    root = str(graph["root"])
    res: dict[str, Any] = {"size": n, "generated": graph["generated"], "rows": {}}
    rows = res["rows"]
    envs = {side: _env(PYTHONPATH=str(tree), KG_BENCH_CODE=str(tree)) for side, tree in trees.items()}
    for env in envs.values():
        env.pop("PYTHONDONTWRITEBYTECODE", None)

    def worker_in(code: str, name: str, **kwargs: Any) -> Run:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--args", json.dumps(kwargs)]
        return spawn(cmd, env=envs[code])

    wanted = set(args.rows.split(","))
    # 5. load: kg into an empty cache vs pyoxigraph's bulk_load of the same files, on disk
    progress(f"{n:,}: load, before / after / bulk_load, {args.runs} runs each")
    load: dict[str, list] = {"before": [], "after": [], "baseline": []}
    for i in range(args.runs if "load" in wanted else 0):
        for side in load:
            target = work / f"cmp-load-{n}-{i}-{side}"
            run = worker_in("after", "build_ox", root=root, directory=str(target)) if side == "baseline" else worker_in(side, "build_kg", root=root, cache=str(target))
            load[side].append(run.get("out", {}).get("seconds"))
            shutil.rmtree(target, ignore_errors=True)
    if "load" in wanted:
        rows["load"] = {side: _spread(v) for side, v in load.items()}

    caches = {side: work / f"cmp-cache-{n}-{side}" for side in trees}
    for side in trees:
        worker_in(side, "warm_asserted", root=root, cache=str(caches[side]))

    # 1. stored queries in place
    progress(f"{n:,}: stored queries in place, before / after")
    for side in trees if "queries" in wanted else ():
        run = worker_in(side, "queries_in_place", root=root, cache=str(caches[side]), repeat=args.repeat, budget=args.budget)
        everything = run.get("out", {}).get("queries", [])
        qs = [q for q in everything if "facade" in q]
        ratios = [q["facade"]["median"] / q["raw"]["median"] for q in qs if "facade" in q and q["raw"]["median"] > 0]
        overhead = [max(0.0, q["facade"]["median"] - q["raw"]["median"]) for q in qs if "facade" in q]
        checks = [q["store_check"]["median"] for q in qs if "store_check" in q]
        rows.setdefault("queries", {})[side] = {
            "median_ratio": statistics.median(ratios) if ratios else None, "max_ratio": max(ratios) if ratios else None,
            "worst": max(qs, key=lambda q: q["facade"]["median"] / q["raw"]["median"])["name"] if ratios else None,
            "store_check": _spread(checks), "overhead": _spread(overhead), "count": len(ratios), "error": run.get("error"),
            "skipped": [q["name"] for q in everything if "skipped" in q],
            "per_query": {q["name"]: (q["facade"]["median"], q["raw"]["median"]) for q in qs if "facade" in q},
        }

    # 2. a new process: `kg sparql 'ASK {}'` on this graph (finding the version) vs importing pyoxigraph
    # 3. a view as of a day: `kg query scheduled-events --as-of DAY` vs the same without --as-of
    progress(f"{n:,}: new processes (ASK, --as-of), before / after")
    ask = ["-m", "kg", "-q", "sparql", "ASK {}"]
    dated = ["-m", "kg", "-q", *AS_OF_QUERY]
    plain = ["-m", "kg", "-q", *[w for w in AS_OF_QUERY if w not in ("--as-of", AS_OF_DAY)]]
    cold: dict[str, dict[str, list]] = {k: {"before": [], "after": []} for k in ("ask", "as_of", "plain")}
    cold["import"] = {"baseline": []}
    first_as_of: dict[str, Run] = {}
    for side in trees if "cold" in wanted else ():
        env = dict(envs[side], KG_DATA=root, KG_CACHE_DIR=str(caches[side]))
        # `python -m` puts the working directory first on sys.path: run in the tree measured
        spawn([sys.executable, *ask], env=env, cwd=trees[side])  # the first command after the build
        first_as_of[side] = spawn([sys.executable, *dated], env=env, cap=args.cap, cwd=trees[side])
    for _ in range(args.runs if "cold" in wanted else 0):
        cold["import"]["baseline"].append(spawn([sys.executable, "-c", "import pyoxigraph"], env=envs["after"]))
        for side in trees:
            env = dict(envs[side], KG_DATA=root, KG_CACHE_DIR=str(caches[side]))
            cold["ask"][side].append(spawn([sys.executable, *ask], env=env, cwd=trees[side]))
            cold["as_of"][side].append(spawn([sys.executable, *dated], env=env, cap=args.cap, cwd=trees[side]))
            cold["plain"][side].append(spawn([sys.executable, *plain], env=env, cwd=trees[side]))
    if "cold" in wanted:
        rows["cold"] = {k: {side: {"wall": _spread([r["wall"] for r in runs if not r.get("code")]), "cpu": _spread([r.get("cpu") for r in runs if not r.get("code")]),
                                   "rss": _spread([r.get("rss") for r in runs]), "errors": [r.get("error") for r in runs if r.get("code")]}
                            for side, runs in v.items()} for k, v in cold.items()}
        rows["cold"]["as_of_first"] = {side: {"wall": r["wall"], "rss": r.get("rss"), "error": r.get("error")} for side, r in first_as_of.items()}

    # 4. every export format
    progress(f"{n:,}: exports, before / after / ox.serialize")
    exports: dict[str, dict] = {}
    for fmt in COMPARE_FORMATS if "exports" in wanted else ():
        exports[fmt] = {}
        for side in (*trees, "baseline"):
            run = worker_in("after" if side == "baseline" else side, "export_any", root=root, cache=str(caches["after" if side == "baseline" else side]),
                            fmt=fmt, side="serialize" if side == "baseline" else "kg", repeat=args.runs, budget=args.budget * 6)
            exports[fmt][side] = dict(_spread(run.get("out", {}).get("times", [])), rss=run.get("rss"), error=run.get("error"))
    if "exports" in wanted:
        rows["exports"] = exports
    for cache in caches.values():
        shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(graph["root"], ignore_errors=True)
    return res


def fms(x: float | None) -> str:
    """Seconds as milliseconds, for the short calls of row 1."""
    return "n/a" if x is None else f"{x * 1000:.3f} ms" if x < 0.001 else f"{x * 1000:.2f} ms"


def _t(x: dict | None) -> str:
    if not x or x.get("median") is None:
        return "-"
    return f"{fs(x['median'])} ({fs(x['min'])}-{fs(x['max'])})"


def render_compare(results: list[dict], meta: dict) -> str:
    """The before/after section of bench.md: one table, each cell before -> after."""
    sizes = [r["size"] for r in results]
    head = "| goal | measured | baseline | " + " | ".join(f"10^{len(str(n)) - 1}" for n in sizes) + " | target | met |"
    lines = [head, "|" + "---|" * (len(sizes) + 5)]

    def row(goal: str, what: str, base: str, cell: Callable[[dict], tuple[str, float | None]], target: str, ok: Callable[[float], bool]) -> None:
        texts, values = [], []
        for r in results:
            try:
                text, value = cell(r["rows"])
            except (KeyError, TypeError, ZeroDivisionError):
                text, value = "not measured", None
            texts.append(text)
            values.append(value)
        met = "not measured" if all(v is None for v in values) else ("**yes**" if all(v is not None and ok(v) for v in values) else "**NO**")
        lines.append(f"| {goal} | {what} | {base} | " + " | ".join(texts) + f" | {target} | {met} |")

    def q(rows: dict) -> tuple[str, float | None]:
        b, a = rows["queries"]["before"], rows["queries"]["after"]
        return (f"median {b['median_ratio']:.2f}x -> **{a['median_ratio']:.2f}x**, worst {b['max_ratio']:.2f}x ({b['worst']}) -> {a['max_ratio']:.2f}x ({a['worst']}); "
                f"freshness check {fms(b['store_check']['median'])} -> {fms(a['store_check']['median'])} (max {fms(a['store_check']['max'])}) per call; "
                f"{a['count']} queries" + (f" (left out, first call over the budget: {', '.join(sorted(set(a['skipped']) | set(b['skipped'])))})" if a["skipped"] or b["skipped"] else ""), a["median_ratio"])
    row("1", "stored queries via `g.query` in a worker process (in place), warm store; time ratio over the queries without inference", "pyoxigraph `Store.query`, same bound text, same store", q, "<= 1.5x median", lambda v: v <= 1.5)

    def cold_ratio(key: str) -> Callable[[dict], tuple[str, float | None]]:
        def cell(rows: dict) -> tuple[str, float | None]:
            base = rows["cold"]["import"]["baseline"]["wall"]["median"]
            b, a = rows["cold"][key]["before"]["wall"], rows["cold"][key]["after"]["wall"]
            cb, ca, cbase = rows["cold"][key]["before"]["cpu"], rows["cold"][key]["after"]["cpu"], rows["cold"]["import"]["baseline"]["cpu"]["median"]
            return (f"{_t(b)} = {b['median'] / base:.2f}x -> **{_t(a)} = {a['median'] / base:.2f}x** (import {fs(base)}); "
                    f"CPU {fs(cb['median'])} = {cb['median'] / cbase:.2f}x -> {fs(ca['median'])} = {ca['median'] / cbase:.2f}x (import {fs(cbase)})", a["median"] / base)
        return cell
    row("2", "`kg sparql 'ASK {}'`, whole process, warm store (finding the version: hashing or fingerprints)", "`python -c \"import pyoxigraph\"`", cold_ratio("ask"), "<= 3x", lambda v: v <= 3)

    def as_of(rows: dict) -> tuple[str, float | None]:
        c = rows["cold"]
        b, a, plain_a = c["as_of"]["before"], c["as_of"]["after"], c["plain"]["after"]
        first = c["as_of_first"]
        return (f"before: every command {_t(b['wall'])}, RSS {fm(b['rss'].get('median'))}; after: first command {fs(first['after']['wall'])} "
                f"(RSS {fm(first['after']['rss'])}; before's first {fs(first['before']['wall'])}), then **{_t(a['wall'])}**, RSS {fm(a['rss'].get('median'))}; "
                f"without --as-of {_t(plain_a['wall'])}", a["wall"]["median"])
    row("3", f"`kg query scheduled-events --as-of {AS_OF_DAY}`, whole process", "the same without `--as-of`", as_of, "<= 2 s, no copy in memory", lambda v: v <= 2)

    def export(fmt: str) -> Callable[[dict], tuple[str, float | None]]:
        def cell(rows: dict) -> tuple[str, float | None]:
            e = rows["exports"][fmt]
            base = e["baseline"]["median"]
            return (f"{_t(e['before'])} = {e['before']['median'] / base:.2f}x -> **{_t(e['after'])} = {e['after']['median'] / base:.2f}x** "
                    f"(serializer {_t(e['baseline'])}); RSS {fm(e['before'].get('rss'))} -> {fm(e['after'].get('rss'))}", e["after"]["median"] / base)
        return cell
    for fmt in COMPARE_FORMATS:
        row("4", f"`g.export(\"{fmt}\")`, time ratio", "`ox.serialize` of the same statements read from the store", export(fmt), "<= 1.5x", lambda v: v <= 1.5)

    def load(rows: dict) -> tuple[str, float | None]:
        ld = rows["load"]
        base = ld["baseline"]["median"]
        return (f"{_t(ld['before'])} = {base / ld['before']['median']:.2f}x the rate -> **{_t(ld['after'])} = {base / ld['after']['median']:.2f}x** "
                f"(bulk_load {_t(ld['baseline'])})", base / ld["after"]["median"])
    row("5", "load: `open_store` into an empty cache", "pyoxigraph `bulk_load` of the same files into an on-disk Store, one named graph each", load, ">= 0.8x the rate", lambda v: v >= 0.8)
    text = [
        f"Run {meta['date']}: `python bench/bench.py {meta['argv']}`; before = `{meta['before']}` ({meta['before_commit']}), after = {meta['code']}. "
        f"pyoxigraph {meta['versions']['pyoxigraph']}; {platform.machine()}, {os.cpu_count()} CPUs; load average {meta['load_before']} before, {meta['load_after']} after. "
        f"Each cell: before -> after, median (min-max) of {meta['runs']} runs (in-process rows: up to {meta['repeat']} calls), ratios against the baseline of the same run.",
        "",
        *lines,
    ]
    for r in results:
        if "queries" not in r["rows"]:
            continue
        per = {name: (r["rows"]["queries"]["before"]["per_query"].get(name), v) for name, v in r["rows"]["queries"]["after"]["per_query"].items()}
        text += ["", f"Per query at 10^{len(str(r['size'])) - 1} (facade / raw pyoxigraph, before -> after):", "",
                 "| query | before | after |", "|---|---:|---:|"]
        for name, (b, a) in sorted(per.items()):
            text.append(f"| {name} | {fms(b[0])} / {fms(b[1])} = {b[0] / b[1]:.2f}x | {fms(a[0])} / {fms(a[1])} = {a[0] / a[1]:.2f}x |" if b else f"| {name} | - | {fms(a[0])} / {fms(a[1])} |")
    return "\n".join(text) + "\n"


COMPARE_START = "<!-- before/after: bench.py --compare -->"
COMPARE_END = "<!-- end before/after -->"


def compare(args: argparse.Namespace) -> int:
    from importlib.metadata import version

    meta = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "argv": " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "versions": {"pyoxigraph": version("pyoxigraph")},
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "code": code_state(),
        "before": args.compare,
        "before_commit": subprocess.run(["git", "rev-parse", "--short", args.compare], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        "runs": args.runs,
        "repeat": args.repeat,
    }
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        _HIDDEN.extend([(str(work), "<tmp>"), (str(args.gen_dir), "<gen>"), (str(ROOT), "<repo>")])
        before = work / "before"
        before.mkdir()
        archive = subprocess.run(["git", "archive", args.compare, "kg"], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        trees = {"before": before, "after": ROOT}
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        for tree in trees.values():
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "kg")], env=env, capture_output=True)
        for side, tree in trees.items():
            run = spawn([sys.executable, str(Path(__file__).resolve()), "--worker", "where", "--args", json.dumps({"code": side})], env=_env(PYTHONPATH=str(tree), KG_BENCH_CODE=str(tree)))
            found = run.get("out", {}).get("kg")
            if found != str(tree.resolve()):
                raise SystemExit(f"the {side} code did not load from {tree}: kg came from {found}")
        for n in args.sizes:
            results.append(compare_size(n, args, work, trees))
    meta["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    section = _anonymous(render_compare(results, meta))
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / "bench.md"
    text = target.read_text(encoding="utf-8") if target.exists() else "# bench: the tool against its baselines\n"
    block = f"{COMPARE_START}\n## Before and after: the speed work\n\n{section}{COMPARE_END}\n"
    if COMPARE_START in text and COMPARE_END in text:
        text = text[: text.index(COMPARE_START)] + block + text[text.index(COMPARE_END) + len(COMPARE_END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    target.write_text(text, encoding="utf-8")
    (RESULTS / "bench-compare.json").write_text(_anonymous(json.dumps({"meta": meta, "results": results}, indent=1, default=str)) + "\n", encoding="utf-8")
    print(section)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="the tool against its baselines, as ratios")
    parser.add_argument("--sizes", type=parse_sizes, default=[10_000, 100_000, 1_000_000], help="generated statements, e.g. 1e4,1e5,1e6 (default)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each subprocess measurement, median reported (default 3)")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each in-process measurement, median reported (default 7)")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds after which in-process repetitions stop (after 3; default 10)")
    parser.add_argument("--cap", type=float, default=300.0, help="seconds after which a pyshacl run is stopped (default 300)")
    parser.add_argument("--query-cap", type=float, default=60.0, help="seconds after which an rdflib query is stopped (default 60)")
    parser.add_argument("--gen-dir", type=Path, default=Path(tempfile.gettempdir()) / "gen", help="where generated graphs are cached")
    parser.add_argument("--render", type=Path, help="only render the table again from a bench.json of an earlier run")
    parser.add_argument("--compare", metavar="REV", help="measure the speed rows for the code of REV (before) and this checkout (after), side by side")
    parser.add_argument("--rows", default="load,queries,cold,exports", help="with --compare: which rows (default: load,queries,cold,exports)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](**json.loads(args.args))))
        return 0

    if args.compare:
        return compare(args)

    if args.render:
        raw = json.loads(args.render.read_text(encoding="utf-8"))
        for k, x in raw["meta"].get("args", {}).items():
            setattr(args, k, x)
        table, text = render(raw["results"], raw["bundled"], args, raw["meta"])
        (RESULTS / "bench.md").write_text(text, encoding="utf-8")
        print(table)
        return 0

    # nothing heavy is imported here: the RSS of a child can include this process's
    from importlib.metadata import version

    start = perf()
    meta = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "argv": " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "versions": {name: version(name) for name in ("pyoxigraph", "rdflib", "pyshacl")},
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "code": code_state(),
    }
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        _HIDDEN.extend([(str(work), "<tmp>"), (str(args.gen_dir), "<gen>"), (str(ROOT), "<repo>")])
        bundled = measure_bundled(args, work)
        for n in args.sizes:
            results.append(measure_size(n, args, work))
    meta["took"] = perf() - start
    meta["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    meta["args"] = {k: getattr(args, k) for k in ("runs", "repeat", "budget", "cap", "query_cap")}
    table, text = render(results, bundled, args, meta)
    text = _anonymous(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench.md").write_text(text, encoding="utf-8")
    raw = {"meta": meta, "results": results, "bundled": bundled}
    (RESULTS / "bench.json").write_text(_anonymous(json.dumps(raw, indent=1, default=str)) + "\n", encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
