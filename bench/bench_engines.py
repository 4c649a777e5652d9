"""Push the bundled graph to each remote engine and run the stored queries there.

    python bench/bench_engines.py            # writes bench/results/engines.md

Each engine is a fresh private server on loopback ports (Oxigraph: the test extra's
`oxigraph` binary, in memory; Virtuoso: `.ci/virtuoso` in a temporary directory). For
each: the time of `kg push` (upload and the count check), then of the stored queries'
examples run through the facade (`kg.open(..., endpoint=URL).query`), each once, cold,
then the best of three; queries an engine refuses (OWL RL, Virtuoso's known defects)
are counted, not timed. The local store's times are the baseline.
"""

from __future__ import annotations

import platform
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kg  # noqa: E402
from kg.cli import main  # noqa: E402
from kg.errors import KgError  # noqa: E402
from kg.sparql.catalog import QueryCatalog  # noqa: E402

CATALOG = QueryCatalog(ROOT / "queries")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def params(name: str) -> tuple[dict[str, str], str | None]:
    argv = shlex.split(CATALOG.get(name).example)
    day = next((argv[i + 1] for i, a in enumerate(argv) if a == "--as-of"), None)
    values = {argv[i + 1]: argv[i + 2] for i, a in enumerate(argv) if a in ("-p", "--param")}
    return (CATALOG.get(name).bind_as_of(values, day) if day else values), day


def run_queries(graph: kg.Graph) -> tuple[float, float, int, int]:
    """(first pass s, best of three passes s, queries answered, queries refused)."""
    passes, answered, refused = [], 0, 0
    for _ in range(3):
        started, answered, refused = time.perf_counter(), 0, 0
        for name in CATALOG.names():
            values, _ = params(name)
            try:
                graph.query(name, params=values, inference="none", timeout=60)
                answered += 1
            except KgError:
                refused += 1
        passes.append(time.perf_counter() - started)
    return passes[0], min(passes), answered, refused


def push(url: str, *login: str) -> float:
    started = time.perf_counter()
    code = main(["-q", "--data", str(ROOT), "push", "--endpoint", url, *login])
    if code != 0:
        raise SystemExit(f"push to {url} failed ({code})")
    return time.perf_counter() - started


def main_() -> None:
    local = kg.open(ROOT)
    local.store()  # built before anything is timed
    rows = [("local store", None, *run_queries(local))]
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        proc = subprocess.Popen([oxigraph, "serve", "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/query"
            for _ in range(300):
                try:
                    urllib.request.urlopen(urllib.request.Request(url, data=b"query=ASK%7B%7D"), timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.05)
            seconds = push(url)
            rows.append(("Oxigraph " + subprocess.run([oxigraph, "--version"], capture_output=True, text=True).stdout.strip().split()[-1], seconds, *run_queries(kg.open(ROOT, endpoint=url))))
        finally:
            proc.terminate()
            proc.wait()
        where = Path(tmp) / "virtuoso"
        script = ROOT / ".ci" / "virtuoso"
        url = subprocess.run(["bash", str(script), "start", str(where), str(free_port()), str(free_port())], check=True, capture_output=True, text=True).stdout.split()[-1]
        try:
            (Path(tmp) / "password").write_text("dba\n", encoding="utf-8")
            seconds = push(url, "--user", "dba", "--password-file", str(Path(tmp) / "password"))
            version = subprocess.run(["virtuoso-t", "+version"], capture_output=True, text=True).stderr.splitlines()[1].split()[1]
            rows.append((f"Virtuoso {version}", seconds, *run_queries(kg.open(ROOT, endpoint=url))))
        finally:
            subprocess.run(["bash", str(script), "stop", str(where)], check=False)
    store = local.store().store
    lines = [
        "# Remote engines: push and the stored queries",
        "",
        f"`python bench/bench_engines.py` on {platform.machine()}, Python {platform.python_version()}, "
        f"{len(store)} statements in {len(list(store.named_graphs()))} named graphs plus their union; "
        "each server fresh on loopback. Push: `kg push` (upload and the count check). "
        f"Queries: the {len(CATALOG.names())} stored queries' examples through the facade, "
        "first pass (cold) and best of three; refused ones (OWL RL, Virtuoso's known defects) are not run.",
        "",
        "| engine | push (s) | queries, first pass (s) | queries, best of 3 (s) | answered | refused |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for engine, seconds, first, best, answered, refused in rows:
        lines.append(f"| {engine} | {'-' if seconds is None else f'{seconds:.2f}'} | {first:.2f} | {best:.2f} | {answered} | {refused} |")
    out = ROOT / "bench" / "results" / "engines.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main_()
