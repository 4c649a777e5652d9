"""Load test of ``kg serve`` against Oxigraph's own server: same data, same queries, same run.

    python bench/bench_serve.py                               # bundled graph and 10^6, 20 s phases
    python bench/bench_serve.py --sizes bundled --seconds 5   # a quick look

For each size (``bundled``: the repository's ontology/, data/ and queries/, copied into a
temporary graph directory so edits made meanwhile do not change it; N: the same plus
``generate(N, 0)`` of bench/generate.py as data/zz-generated.ttl, cached as gen-N.nt in
``--gen-dir`` exactly as bench/bench.py does), it:

1. builds kg's store (``kg export -f nq``, into a fresh ``KG_CACHE_DIR``) and its OWL RL
   version (``kg query bodies-of-organisation``), and gives Oxigraph exactly kg's dataset:
   the N-Quads export (one named graph per file) plus kg's default graph (``kg sparql
   'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }' -f nt``: the union of the files, as a set),
   loaded with ``oxigraph load``;
2. starts ``kg serve --port 0`` with its defaults (worker count recorded) and ``oxigraph
   serve-read-only`` on a free loopback port, both over that data;
3. checks, request by request, that both servers return the same number of rows (and
   the same statement count), then times every request once more, one at a time
   (the unloaded latency);
4. runs ``--clients`` concurrent client processes (default 8), each with its own
   keep-alive ``http.client`` connection, for ``--warmup`` + ``--seconds`` per phase,
   against each server in turn:

   * ``sparql``: every stored query's example (parameters bound as a VALUES row by
     ``kg.sparql.engine.bind``, the predeclared prefixes written out as PREFIX lines), POSTed as
     ``application/sparql-query`` to kg's ``/sparql`` and Oxigraph's ``/query``, JSON
     results; the same bytes to both;
   * ``entity``: a fixed list of entity IRIs; kg: the HTML page ``/id/X``; Oxigraph: one
     SPARQL query for what the page shows (statements out of and into X in every named
     graph, with the English label of the other end);
   * ``stored`` (kg only): ``/queries/NAME?param=value`` with each example's parameters
     (the two ``inference: owlrl`` queries run on the OWL RL store there, on the asserted
     store through ``/sparql``);

5. reports per server and phase: requests completed in the measured window, throughput,
   p50/p99 latency, errors (any non-200 answer or connection error; the run exits 1 and
   prints the first error's status and body), the ratios kg / Oxigraph, and the CPU the
   server used per request; per request kind, its unloaded and loaded latency.

Results: bench/results/serve.md (tables, machine facts) and bench/results/serve.json (raw
figures). ``--render bench/results/serve.json`` rewrites the Markdown without measuring.
Run it alone on the machine: the clients share its cores with the servers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

KGI = "https://w3id.org/jckg/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
JSON_RESULTS = "application/sparql-results+json"
#: notable entities always in the list (if present); the rest is a seeded sample
NOTABLE = ["eco", "sco", "state-tj", "state-kz", "eco-apg-meeting-4", "dushanbe"]
BUNDLED_ENTITIES = 30  # sampled from the bundled data files
GENERATED_ENTITIES = 20  # sampled from the generated file, at a generated size
ENTITY_SEED = 0
CLIENT_SEED = 1000


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ====================================================================== HTTP


class Client:
    """One keep-alive HTTP/1.1 connection; ``send`` returns (status, body, error text)."""

    def __init__(self, host: str, port: int, timeout: float = 600.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.connects = 0
        self.retries = 0

    def connect(self) -> None:
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self.conn.connect()
        self.connects += 1

    def send(self, req: dict) -> tuple[int, bytes, str | None]:
        body = req["body"].encode("utf-8") if req.get("body") is not None else None
        for attempt in (0, 1):
            reused = self.conn is not None
            try:
                if self.conn is None:
                    self.connect()
                assert self.conn is not None
                self.conn.request(req["method"], req["path"], body=body, headers=req["headers"])
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.will_close:
                    self.close()
                return resp.status, data, None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                # a kept-alive connection the server closed between two requests: once, on a
                # new connection, as any client does (counted); a second failure is an error
                self.close()
                if attempt == 0 and reused:
                    self.retries += 1
                    continue
                return 0, b"", f"{type(exc).__name__}: {exc}"
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                return 0, b"", f"{type(exc).__name__}: {exc}"
        return 0, b"", "unreachable"

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
        self.conn = None


def client_main(spec_path: str, out_path: str) -> int:
    """A load client (a process of its own): waits for the go line on stdin, then sends the
    requests of the spec in a seeded shuffled order, pass after pass, until the deadline."""
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    requests = spec["requests"]
    rng = random.Random(spec["seed"])
    client = Client(spec["host"], spec["port"])
    client.connect()  # before the start: the first request does not pay for it
    print("ready", flush=True)
    go = json.loads(sys.stdin.readline())
    start, measured_from, deadline = go["start"], go["measured_from"], go["deadline"]
    while time.monotonic() < start:
        time.sleep(min(0.01, max(0.0, start - time.monotonic())))
    cpu0 = os.times()
    mark = None  # CPU times when the measured window opened
    done: list[tuple[int, float, float, int]] = []  # (request, started, latency, status)
    errors: list[dict] = []
    order: list[int] = []
    sent = 0
    while True:
        if not order:
            order = list(range(len(requests)))
            rng.shuffle(order)
        i = order.pop()
        t = time.monotonic()
        if t >= deadline:
            break
        if mark is None and t >= measured_from:
            mark = os.times()
        req = requests[i]
        if req.get("unique"):
            # a request the server has never seen: another comment in the query, another URL parameter
            sent += 1
            nonce = f"{spec['seed']}-{sent}"
            if req["body"] is not None:
                req = dict(req, body=req["body"] + f"\n# first seen {nonce}\n")
            else:
                req = dict(req, path=req["path"] + ("&" if "?" in req["path"] else "?") + f"seen={nonce}")
        status, body, error = client.send(req)
        latency = time.monotonic() - t
        if status == 200 and not complete(body, requests[i]["headers"].get("Accept", "")):
            status, error = 299, "status 200 but an incomplete body (counted as an error, shown as 299)"
        done.append((i, t, latency, status))
        if status != 200 and len(errors) < 20:
            errors.append({"request": i, "at": t, "status": status, "error": error,
                           "body": body[:2000].decode("utf-8", "replace")})
    cpu1 = os.times()
    client.close()
    mark = mark or cpu1
    out = {"done": done, "errors": errors, "cpu": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system),
           "cpu_window": (cpu1.user - mark.user) + (cpu1.system - mark.system),
           "connects": client.connects, "retries": client.retries}
    Path(out_path).write_text(json.dumps(out), encoding="utf-8")
    return 0


# ====================================================================== processes and /proc


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes():
    """(pid, command name, the fields after it) of every process in /proc."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            yield int(entry), stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()


def _children(pid: int) -> list[int]:
    return [child for child, _, fields in _processes() if int(fields[1]) == pid]


def _cpu_of(pid: int, *, with_reaped: bool) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    f = stat[stat.rindex(")") + 2:].split()
    ticks = int(f[11]) + int(f[12]) + (int(f[13]) + int(f[14]) if with_reaped else 0)
    return ticks / _TICK


def _status(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_facts(pid: int) -> dict:
    """CPU seconds (the process, its live children, and the children it reaped), RSS in MB
    (the process and its live children), threads of the process, live children."""
    kids = _children(pid)
    cpu = _cpu_of(pid, with_reaped=True) + sum(_cpu_of(k, with_reaped=True) for k in kids)
    rss = (_status(pid, "VmRSS") + sum(_status(k, "VmRSS") for k in kids)) / 1024
    return {"cpu": cpu, "front_cpu": _cpu_of(pid, with_reaped=False), "rss_mb": rss, "threads": _status(pid, "Threads"),
            "children": len(kids)}


def all_cpu() -> dict[int, tuple[str, float]]:
    """{pid: (command name, CPU seconds of its threads)} for every process on the machine."""
    return {pid: (name, (int(f[11]) + int(f[12])) / _TICK) for pid, name, f in _processes()}


def machine_busy() -> tuple[float, float, float, float]:
    """(busy, total, irq + softirq, steal) jiffies of every CPU, from /proc/stat; busy is
    what this machine ran (not idle, not taken by the hypervisor)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]] + [0] * 8
    idle, steal = fields[3] + fields[4], fields[7]
    total = sum(fields[:8])
    return total - idle - steal, total, fields[5] + fields[6], steal


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], *, env: dict[str, str] | None = None, what: str) -> float:
    """Run a setup command to its end; its wall time. Exits loudly if it fails."""
    t = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed (exit {proc.returncode}): {' '.join(map(shlex.quote, cmd))}\n{proc.stderr[-3000:]}")
    return time.monotonic() - t


class Server:
    """A server process in a session of its own; ``stop`` ends it (and its workers)."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.cmd, self.log = name, cmd, log
        self.fh = log.open("wb")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self.fh, stderr=subprocess.STDOUT, start_new_session=True)
        self.host, self.port = "127.0.0.1", 0

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = re.search(pattern, self.text())
            if m:
                return m
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} ended with status {self.proc.returncode} before it was ready:\n{self.text()[-3000:]}")
            time.sleep(0.05)
        self.stop()
        raise SystemExit(f"{self.name} was not ready after {timeout:.0f} s:\n{self.text()[-3000:]}")

    def wait_http(self, path: str, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} ended with status {self.proc.returncode}:\n{self.text()[-3000:]}")
            c = Client(self.host, self.port, timeout=5)
            status, _, _ = c.send({"method": "GET", "path": path, "headers": {"Accept": JSON_RESULTS}})
            c.close()
            if status == 200:
                return
            time.sleep(0.1)
        self.stop()
        raise SystemExit(f"{self.name} did not answer {path} within {timeout:.0f} s:\n{self.text()[-3000:]}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)  # the session this script started
                except ProcessLookupError:
                    pass
                self.proc.wait()
        # kg's workers die with their server (PR_SET_PDEATHSIG); make sure of it, in our session only
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.fh.close()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KG_DATA", "KG_CACHE_DIR", "KG_TIMEOUT", "KG_SERVE_TIMEOUT")}
    env.update(extra)
    return env


def kg_command() -> list[str]:
    script = Path(sys.executable).with_name("kg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kg"]


def oxigraph_command() -> list[str]:
    script = Path(sys.executable).with_name("oxigraph")
    found = str(script) if script.exists() else shutil.which("oxigraph")
    if not found:
        raise SystemExit("the oxigraph binary is not installed (pip install oxigraph)")
    return [found]


# ====================================================================== the graphs


def size_label(size: Any) -> str:
    if size == "bundled":
        return "bundled graph"
    n = int(size)
    exp = len(str(n)) - 1
    return f"10^{exp}" if n == 10**exp else f"{n:,}"


def parse_sizes(text: str) -> list[Any]:
    out: list[Any] = []
    for x in text.split(","):
        x = x.strip()
        if x:
            out.append("bundled" if x in ("bundled", "b", "0") else int(float(x)))
    return out


def make_graph(size: Any, work: Path, gen_dir: Path) -> tuple[Path, dict]:
    """A graph directory: ontology/, queries/ and data/*.ttl copied from the repository,
    plus data/zz-generated.ttl at a generated size (bench.py's cached gen-N.nt)."""
    root = work / f"graph-{size}"
    shutil.copytree(ROOT / "ontology", root / "ontology")
    shutil.copytree(ROOT / "queries", root / "queries")
    (root / "data").mkdir()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        shutil.copy2(path, root / "data" / path.name)
    info: dict[str, Any] = {}
    if size != "bundled":
        from bench import generated_file  # the same cache and generator as bench.py

        gen, reused = generated_file(int(size), gen_dir)
        shutil.copy2(gen, root / "data" / "zz-generated.ttl")
        with gen.open("rb") as fh:
            info["generated"] = sum(1 for line in fh if line.strip())
        info["gen_reused"] = reused
    return root, info


def prepare_data(size: Any, work: Path, gen_dir: Path) -> dict:
    """The graph directory, kg's warm store (asserted and OWL RL) and Oxigraph's store of
    exactly the same dataset."""
    root, info = make_graph(size, work, gen_dir)
    cache = work / f"kg-cache-{size}"
    env = _env(KG_DATA=str(root), KG_CACHE_DIR=str(cache))
    kg = kg_command()
    nq, nt = work / f"graphs-{size}.nq", work / f"union-{size}.nt"
    progress(f"{size_label(size)}: kg's store, its N-Quads export and its default graph")
    info["kg_export_seconds"] = run(kg + ["-q", "export", "-f", "nq", "-o", str(nq)], env=env, what="kg export")
    info["kg_union_seconds"] = run(kg + ["-q", "sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "-f", "nt",
                                         "--max-rows", "0", "--timeout", "0", "-o", str(nt)], env=env, what="kg sparql CONSTRUCT")
    info["kg_owlrl_seconds"] = run(kg + ["-q", "query", "bodies-of-organisation", "-p", "organisation", "kgi:sco", "-f", "csv"],
                                   env=env, what="kg query (OWL RL store)")
    info["nq_lines"] = _lines(nq)
    info["union_lines"] = _lines(nt)
    ox_dir = work / f"oxigraph-{size}"
    progress(f"{size_label(size)}: oxigraph load ({info['nq_lines']:,} quads in named graphs + {info['union_lines']:,} triples in the default graph)")
    info["oxigraph_load_seconds"] = run(oxigraph_command() + ["load", "--location", str(ox_dir), "--file", str(nq), str(nt)],
                                        env=_env(), what="oxigraph load")
    nq.unlink()
    nt.unlink()
    return {"root": root, "cache": cache, "env": env, "ox_dir": ox_dir, "info": info}


def _lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def start_servers(data: dict, work: Path, size: Any, limit: float, workers: int | None = None) -> tuple[Server, Server]:
    """kg serve with its defaults (a time limit of 30 s per request); Oxigraph read-only with
    its defaults (no time limit: its ``--timeout-s`` starts a thread per query that lives
    until the timeout, thousands under this load, and the server dies with EAGAIN)."""
    extra = ["--workers", str(workers)] if workers else []
    kg = Server("kg serve", kg_command() + ["serve", "--port", "0", *extra], data["env"], work / f"kg-serve-{size}.log")
    m = kg.wait_for(r"serving the graph at http://(\[[^\]]+\]|[^/:]+):(\d+)/", timeout=900)
    kg.host, kg.port = m.group(1).strip("[]"), int(m.group(2))
    kg.ready_seconds = time.monotonic() - kg.started  # type: ignore[attr-defined]
    port = free_port()
    ox = Server("oxigraph serve-read-only", oxigraph_command() + ["serve-read-only", "--location", str(data["ox_dir"]),
                                                                  "--bind", f"127.0.0.1:{port}"],
                _env(), work / f"oxigraph-{size}.log")
    ox.port = port
    ox.wait_http("/query?" + urlencode({"query": "ASK {}"}), timeout=300)
    ox.ready_seconds = time.monotonic() - ox.started  # type: ignore[attr-defined]
    kg.wait_http("/health", timeout=60)
    return kg, ox


# ====================================================================== the requests


def _prefixes() -> str:
    from kg.namespaces import PREFIXES

    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def example_params(example: str) -> dict[str, str]:
    words = shlex.split(example)
    return {words[i + 1]: words[i + 2] for i, w in enumerate(words) if w == "-p" and i + 2 < len(words)}


def query_params(q: Any) -> dict[str, str]:
    """A stored query's example parameters, its ``--as-of`` day bound to the parameter its
    header names (the example of a query that takes a day gives it that way)."""
    params = example_params(q.example)
    words = shlex.split(q.example)
    day = next((words[i + 1] for i, w in enumerate(words) if w == "--as-of" and i + 1 < len(words)), None)
    if day is not None and q.as_of and q.as_of != "view":
        params.setdefault(q.as_of, day)
    return params


def query_requests(root: Path) -> tuple[list[dict], list[dict], list[dict]]:
    """(kg /sparql, Oxigraph /query, kg /queries/NAME) requests, index-aligned, one per
    stored query: its example's parameters bound as kg binds them."""
    import kg
    from kg.sparql.engine import bind, prepare

    g = kg.open(root, cache=False)
    head = _prefixes()
    kg_reqs, ox_reqs, stored_reqs = [], [], []
    for q in g.queries():
        params = query_params(q)
        text = head + bind(prepare(q.text, source=q.name), q.bind(params))
        post = {"method": "POST", "headers": {"Accept": JSON_RESULTS, "Content-Type": "application/sparql-query"}, "body": text,
                "label": q.name, "inference": q.inference}
        kg_reqs.append(dict(post, path="/sparql"))
        ox_reqs.append(dict(post, path="/query"))
        stored_reqs.append({"method": "GET", "path": f"/queries/{q.name}" + ("?" + urlencode(params) if params else ""),
                            "headers": {"Accept": JSON_RESULTS}, "body": None, "label": q.name, "inference": q.inference})
    return kg_reqs, ox_reqs, stored_reqs


def entity_sparql(iri: str) -> str:
    """What kg's entity page shows, as one query: the statements out of and into ``iri`` in
    every named graph (the file, hence the source, of each), with the other end's label."""
    return (f"SELECT ?dir ?p ?v ?g ?label WHERE {{\n"
            f"  {{ GRAPH ?g {{ <{iri}> ?p ?v }} BIND(\"out\" AS ?dir) }}\n"
            f"  UNION\n"
            f"  {{ GRAPH ?g {{ ?v ?p <{iri}> }} BIND(\"in\" AS ?dir) }}\n"
            f"  OPTIONAL {{ ?v <{RDFS_LABEL}> ?label FILTER(LANGMATCHES(LANG(?label), \"en\")) }}\n"
            f"}}")


def pick_entities(size: Any, root: Path) -> list[str]:
    """A fixed list of entity IRIs: the notable ones, a seeded sample of the subjects of the
    bundled data files and, at a generated size, of the generated file (read with pyoxigraph)."""
    import pyoxigraph as ox

    def subjects(paths: list[Path]) -> list[str]:
        found: set[str] = set()
        for path in paths:
            fmt = ox.RdfFormat.N_TRIPLES if path.stem == "zz-generated" else ox.RdfFormat.TURTLE
            for t in ox.parse(path=str(path), format=fmt, base_iri=KGI):
                v = t.subject.value if isinstance(t.subject, ox.NamedNode) else ""
                if v.startswith(KGI) and "?" not in v and "#" not in v:
                    found.add(v)
        return sorted(found)

    data = sorted((root / "data").glob("*.ttl"))
    bundled = subjects([p for p in data if p.stem != "zz-generated"])
    rng = random.Random(ENTITY_SEED)
    chosen = [KGI + n for n in NOTABLE if KGI + n in set(bundled)]
    rest = [s for s in bundled if s not in chosen]
    chosen += rng.sample(rest, min(BUNDLED_ENTITIES - len(chosen), len(rest)))
    if size != "bundled":
        generated = subjects([p for p in data if p.stem == "zz-generated"])
        chosen += random.Random(ENTITY_SEED + 1).sample(generated, min(GENERATED_ENTITIES, len(generated)))
        # the generated hubs: a meeting format and a city, cited by thousands of meetings
        chosen += [KGI + n for n in ("gen-format-0", "gen-city-0") if KGI + n in set(generated) and KGI + n not in chosen]
    return chosen


def entity_requests(iris: list[str]) -> tuple[list[dict], list[dict]]:
    kg_reqs, ox_reqs = [], []
    for iri in iris:
        rest = iri[len(KGI):]
        label = "kgi:" + rest
        kg_reqs.append({"method": "GET", "path": "/id/" + quote(rest, safe="/-._~"), "headers": {"Accept": "text/html"},
                        "body": None, "label": label})
        ox_reqs.append({"method": "POST", "path": "/query", "headers": {"Accept": JSON_RESULTS, "Content-Type": "application/sparql-query"},
                        "body": entity_sparql(iri), "label": label})
    return kg_reqs, ox_reqs


# ====================================================================== checks


def rows_of(body: bytes) -> int:
    data = json.loads(body)
    if "boolean" in data:
        return 1
    return len(data["results"]["bindings"])


def check_and_time(kg: Server, ox: Server, phases: dict[str, dict[str, list[dict]]], repeat: int, limit: float) -> dict:
    """Every request once on each server (warm-up and checks: 200, a complete body, same row
    counts), then ``repeat`` more times one at a time: the unloaded latency (median).

    A request that fails here is left out of the load phases on both servers and reported:
    ``excluded`` says why ("time limit" when it ran into the servers' time limit)."""
    kc, oc = Client(kg.host, kg.port), Client(ox.host, ox.port)
    out: dict[str, Any] = {"mismatches": [], "failures": []}
    count = {"method": "POST", "headers": {"Accept": JSON_RESULTS, "Content-Type": "application/sparql-query"},
             "body": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    counts = []
    for c, path in ((kc, "/sparql"), (oc, "/query")):
        status, body, err = c.send(dict(count, path=path))
        counts.append(int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) if status == 200 else f"{status} {err}")
    out["default_graph_statements"] = {"kg": counts[0], "oxigraph": counts[1]}
    if counts[0] != counts[1]:
        out["mismatches"].append(f"statements in the default graph: kg {counts[0]}, Oxigraph {counts[1]}")
    per: dict[str, list[dict]] = {}
    for phase, sides in phases.items():
        entries = []
        for i, req in enumerate(next(iter(sides.values()))):
            e: dict[str, Any] = {"label": req["label"], "inference": req.get("inference")}
            failed = {}
            for side, reqs in sides.items():
                c = kc if side == "kg" else oc
                if phase == "stored" and per["sparql"][i].get("excluded_time_limit") and per["sparql"][i]["label"] == req["label"]:
                    # the same query through the API: it runs into the same limit; not sent again
                    failed[side] = "time limit"
                    e["kg_first_ms"] = None
                    out["failures"].append({"phase": phase, "server": side, "label": req["label"], "status": None,
                                            "problem": "not sent: over the time limit through /sparql", "seconds": None,
                                            "time_limit": True, "error": None, "body": ""})
                    continue
                t = time.monotonic()
                status, body, err = c.send(reqs[i])
                took = time.monotonic() - t
                e[side + "_first_ms"] = took * 1000
                problem = None if status == 200 else f"status {status}"
                if status == 200 and not complete(body, reqs[i]["headers"]["Accept"]):
                    problem = "status 200 but an incomplete body"
                if status == 200 and problem is None and reqs[i]["headers"]["Accept"] == JSON_RESULTS:
                    try:
                        e[side + "_rows"] = rows_of(body)
                    except (ValueError, KeyError) as exc:
                        problem = f"status 200 but unreadable JSON ({exc})"
                if problem:
                    text = body[:2000].decode("utf-8", "replace")
                    timed_out = status == 503 and "time limit" in text
                    failed[side] = "time limit" if timed_out else problem
                    out["failures"].append({"phase": phase, "server": side, "label": req["label"], "status": status,
                                            "problem": problem, "seconds": round(took, 2), "time_limit": timed_out,
                                            "error": err, "body": text})
                    e[side + "_rows"] = None
                    continue
                e[side + "_bytes"] = len(body)
            if failed:
                e["excluded"] = "; ".join(f"{'kg serve' if side == 'kg' else 'Oxigraph'}: {why}" for side, why in failed.items())
                if "oxigraph" in sides and "oxigraph" not in failed and e.get("oxigraph_first_ms"):
                    e["excluded"] += f"; Oxigraph answered in {e['oxigraph_first_ms'] / 1000:.1f} s"
                # kg's time limit is expected to stop a query that Oxigraph (without one) also
                # needs longer than the limit for; anything else is a failure of the run
                slow_elsewhere = all(e.get(f"{x}_first_ms", 0) >= 1000 * limit for x in sides if x not in failed)
                e["excluded_time_limit"] = all(why == "time limit" for why in failed.values()) and slow_elsewhere
            entries.append(e)
        per[phase] = entries
    # row counts: kg /sparql = Oxigraph /query; kg /queries = the same when no inference
    for e in per.get("sparql", []):
        if "excluded" not in e and e.get("kg_rows") != e.get("oxigraph_rows"):
            out["mismatches"].append(f"sparql {e['label']}: kg {e.get('kg_rows')} rows, Oxigraph {e.get('oxigraph_rows')}")
    sparql_rows = {e["label"]: e.get("kg_rows") for e in per.get("sparql", [])}
    for e in per.get("stored", []):
        if "excluded" not in e and e["inference"] == "none" and sparql_rows.get(e["label"]) is not None and e["kg_rows"] != sparql_rows[e["label"]]:
            out["mismatches"].append(f"stored {e['label']}: /queries {e['kg_rows']} rows, /sparql {sparql_rows.get(e['label'])}")
    for e in per.get("entity", []):
        if "excluded" not in e and e.get("oxigraph_rows") == 0:
            out["mismatches"].append(f"entity {e['label']}: Oxigraph finds no statement")
    # unloaded latency, one request at a time, interleaved kg / Oxigraph
    for phase, sides in phases.items():
        for i, e in enumerate(per[phase]):
            if "excluded" in e:
                continue
            for side, reqs in sides.items():
                c = kc if side == "kg" else oc
                times = []
                for _ in range(repeat):
                    t = time.monotonic()
                    status, _, _ = c.send(reqs[i])
                    times.append(time.monotonic() - t)
                    if status != 200:
                        break
                e[side + "_unloaded_ms"] = statistics.median(times) * 1000
    kc.close()
    oc.close()
    out["requests"] = per
    return out


def complete(body: bytes, accept: str) -> bool:
    """Whether a 200 answer is whole: Oxigraph streams results and, when a query is
    stopped (its --timeout-s), ends the body mid-way with status 200 already sent."""
    tail = body.rstrip()[-16:].lower()
    if accept == JSON_RESULTS:
        return tail.endswith(b"}")
    if accept == "text/html":
        return tail.endswith(b"</html>")
    return True


# ====================================================================== load phases


def percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    k = max(0, math.ceil(q * len(sorted_values)) - 1)
    return sorted_values[min(k, len(sorted_values) - 1)]


def load_slice(server: Server, requests: list[dict], *, clients: int, seconds: float, warmup: float, work: Path,
               tag: str, seed: int, health: bool) -> dict:
    """``clients`` client processes against ``server`` for warmup + seconds: what was
    completed in the measured window (after the warm-up), and what the processes used."""
    spec = {"host": server.host, "port": server.port,
            "requests": [{k: r.get(k) for k in ("method", "path", "headers", "body", "unique")} for r in requests]}
    procs, outs = [], []
    for c in range(clients):
        spec_path, out_path = work / f"spec-{tag}-{c}.json", work / f"out-{tag}-{c}.json"
        spec_path.write_text(json.dumps(dict(spec, seed=seed + c)), encoding="utf-8")
        outs.append(out_path)
        procs.append(subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--client", str(spec_path), str(out_path)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(), cwd=ROOT))
    for p in procs:
        line = p.stdout.readline()  # type: ignore[union-attr]
        if line.strip() != "ready":
            raise SystemExit(f"a load client did not start: {line!r}")
    before_health = _health(server) if health else None
    start = time.monotonic() + 0.2
    measured_from, deadline = start + warmup, start + warmup + seconds
    go = json.dumps({"start": start, "measured_from": measured_from, "deadline": deadline}) + "\n"
    for p in procs:
        p.stdin.write(go)  # type: ignore[union-attr]
        p.stdin.flush()  # type: ignore[union-attr]
    while time.monotonic() < measured_from:
        time.sleep(0.01)
    facts0, busy0, procs0 = tree_facts(server.proc.pid), machine_busy(), all_cpu()
    while time.monotonic() < deadline:
        time.sleep(0.01)
    facts1, busy1, procs1 = tree_facts(server.proc.pid), machine_busy(), all_cpu()
    # who else used the machine in the window (not the server, its workers, the clients or this script)
    mine = {server.proc.pid, os.getpid(), *(p.pid for p in procs), *_children(server.proc.pid)}
    others: dict[str, float] = {}
    for pid, (comm, cpu) in procs1.items():
        if pid not in mine:
            used = cpu - procs0.get(pid, (comm, 0.0))[1]
            if used > 0.05:
                others[comm] = others.get(comm, 0.0) + used
    for p in procs:
        p.wait()
    ended = time.monotonic()
    after_health = _health(server) if health else None
    done, errors, client_cpu, client_window, connects, retries = [], [], 0.0, 0.0, 0, 0
    for out_path in outs:
        o = json.loads(out_path.read_text(encoding="utf-8"))
        done += o["done"]
        errors += o["errors"]
        client_cpu += o["cpu"]
        client_window += o["cpu_window"]
        connects += o["connects"]
        retries += o["retries"]
        out_path.unlink()
    for e in errors:
        e["after_s"] = round(e.pop("at") - start, 2)
    window = [(d[0], d[1] + d[2] - measured_from, d[2], d[3]) for d in done if measured_from <= d[1] + d[2] <= deadline]
    cores = os.cpu_count() or 1
    busy_s = (busy1[0] - busy0[0]) / _TICK  # CPU seconds used on the machine in the window, every process
    return {
        "window": window,  # (request, completed at (s into the window), latency (s), status)
        "all_bad": [(d[0], d[3]) for d in done if d[3] != 200],
        "all_requests": len(done),
        "errors": errors,
        "tail_s": ended - deadline,
        "connections": connects,
        "retries": retries,
        "server_cpu_s": facts1["cpu"] - facts0["cpu"],
        "front_cpu_s": facts1["front_cpu"] - facts0["front_cpu"],
        "server_rss_mb": facts1["rss_mb"],
        "server_threads": facts1["threads"],
        "server_children": facts1["children"],
        "client_cpu_s": client_cpu,  # the whole slice, warm-up included
        "client_cpu_window_s": client_window,  # from the window's opening (to the end of the last request)
        "machine_busy": (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]),
        "irq_cpu_s": (busy1[2] - busy0[2]) / _TICK,  # interrupts and softirqs (loopback TCP among them)
        "steal_cpu_s": (busy1[3] - busy0[3]) / _TICK,  # taken by the hypervisor (others on the host)
        "steal": (busy1[3] - busy0[3]) / max(1, busy1[1] - busy0[1]),
        "machine_cpu_s": busy_s,
        "others": others,
        "cores": cores,
        "health_before": before_health,
        "health_after": after_health,
        "alive_after": server.alive(),
    }


def summarise(slices: list[dict], requests: list[dict], seconds: float) -> dict:
    """One phase of one server from its slices (the rounds, interleaved with the other server)."""
    window = [w for s in slices for w in s["window"]]
    total = seconds * len(slices)
    lat = sorted(w[2] * 1000 for w in window)
    bad = [w for w in window if w[3] != 200]
    kinds: dict[str, int] = {}
    for i, status in (b for s in slices for b in s["all_bad"]):
        key = f"{requests[i]['label']} -> {status or 'connection error'}"
        kinds[key] = kinds.get(key, 0) + 1
    per_label: dict[str, list[float]] = {}
    for w in window:
        per_label.setdefault(requests[w[0]]["label"], []).append(w[2] * 1000)
    timeline: list[int] = []
    for s in slices:
        tl = [0] * max(1, math.ceil(seconds))
        for w in s["window"]:
            tl[min(len(tl) - 1, int(w[1]))] += 1
        timeline += tl
    errors = sorted((dict(e, round=k) for k, s in enumerate(slices) for e in s["errors"]), key=lambda e: (e["round"], e["after_s"]))
    first = None
    if errors:
        e = errors[0]
        first = {"label": requests[e["request"]]["label"], "path": requests[e["request"]]["path"], "status": e["status"],
                 "error": e["error"], "body": e["body"], "after_s": e["after_s"], "round": e["round"] + 1}
    server_cpu = sum(s["server_cpu_s"] for s in slices)
    machine_cpu = sum(s["machine_cpu_s"] for s in slices)
    n_all = sum(s["all_requests"] for s in slices)
    errors_total = sum(len(s["all_bad"]) for s in slices)
    return {
        "requests": len(window),
        "seconds": total,
        "rounds": len(slices),
        "throughput": len(window) / total,
        "p50_ms": percentile(lat, 0.50),
        "p90_ms": percentile(lat, 0.90),
        "p99_ms": percentile(lat, 0.99),
        "max_ms": lat[-1] if lat else None,
        "mean_ms": statistics.fmean(lat) if lat else None,
        "errors": len(bad),
        "errors_total": errors_total,  # warm-up and tail included
        "error_kinds": kinds,
        "first_error": first,
        "all_requests": n_all,
        "tail_s": max(s["tail_s"] for s in slices),
        "connections": sum(s["connections"] for s in slices),
        "retries": sum(s["retries"] for s in slices),
        "server_cpu_s": server_cpu,
        "server_cpu_ms_per_request": server_cpu * 1000 / len(window) if window else None,
        "front_cpu_s": sum(s["front_cpu_s"] for s in slices),  # kg: the front process alone, without its workers
        "server_rss_mb": max(s["server_rss_mb"] for s in slices),
        "server_threads": max(s["server_threads"] for s in slices),
        "server_children": min(s["server_children"] for s in slices),
        "client_cpu_s": sum(s["client_cpu_window_s"] for s in slices),
        "irq_cpu_s": sum(s["irq_cpu_s"] for s in slices),
        "steal_cpu_s": sum(s["steal_cpu_s"] for s in slices),
        "steal": statistics.fmean(s["steal"] for s in slices),
        "machine_busy": statistics.fmean(s["machine_busy"] for s in slices),
        "machine_cpu_s": machine_cpu,
        "others": {k: round(sum(s["others"].get(k, 0.0) for s in slices), 2)
                   for k in sorted({k for s in slices for k in s["others"]}, key=lambda k: -sum(s["others"].get(k, 0.0) for s in slices))[:5]},
        "timeline": timeline,
        "per_request": {k: {"n": len(v), "p50_ms": statistics.median(v), "p99_ms": percentile(sorted(v), 0.99), "max_ms": max(v)}
                        for k, v in sorted(per_label.items())},
        "health_before": slices[0]["health_before"],
        "health_after": slices[-1]["health_after"],
        "alive_after": slices[-1]["alive_after"],
    }


def _health(server: Server) -> dict | None:
    c = Client(server.host, server.port, timeout=60)
    status, body, err = c.send({"method": "GET", "path": "/health", "headers": {"Accept": "application/json"}})
    c.close()
    if status != 200:
        return {"status": status, "error": err, "body": body[:500].decode("utf-8", "replace")}
    return json.loads(body)


# ====================================================================== one size


def measure(size: Any, args: argparse.Namespace, work: Path) -> dict:
    t0 = time.monotonic()
    data = prepare_data(size, work, args.gen_dir)
    res: dict[str, Any] = {"size": size, "setup": data["info"]}
    kg, ox = start_servers(data, work, size, args.limit, args.workers)
    try:
        res["kg_server"] = {"ready_seconds": kg.ready_seconds, "health": _health(kg)}  # type: ignore[attr-defined]
        res["oxigraph_server"] = {"ready_seconds": ox.ready_seconds}  # type: ignore[attr-defined]
        res["workers"] = (res["kg_server"]["health"] or {}).get("workers")
        progress(f"{size_label(size)}: kg serve ready in {kg.ready_seconds:.1f} s ({res['workers']} workers), "  # type: ignore[attr-defined]
                 f"Oxigraph in {ox.ready_seconds:.1f} s")  # type: ignore[attr-defined]
        kg_sparql, ox_sparql, kg_stored = query_requests(data["root"])
        iris = pick_entities(size, data["root"])
        kg_entity, ox_entity = entity_requests(iris)
        res["entities"] = ["kgi:" + i[len(KGI):] for i in iris]
        phases = {"sparql": {"kg": kg_sparql, "oxigraph": ox_sparql},
                  "entity": {"kg": kg_entity, "oxigraph": ox_entity},
                  "stored": {"kg": kg_stored}}
        progress(f"{size_label(size)}: checking row counts ({len(kg_sparql)} queries, {len(iris)} entities) and unloaded latency")
        res["check"] = check_and_time(kg, ox, phases, args.repeat, args.limit)
        check = res["check"]
        for f in check["failures"]:
            progress(f"  FAILED in the check: {f['phase']} on {f['server']}, {f['label']}: {f['problem']}"
                     f"{' after ' + format(f['seconds'], 'g') + ' s' if f['seconds'] is not None else ''}"
                     f"{' (the time limit)' if f['time_limit'] else ''}: {f['error'] or ''} {f['body'][:300]}")
        for m in check["mismatches"]:
            progress(f"  MISMATCH {m}")
        if check["mismatches"]:
            raise SystemExit(f"{size_label(size)}: the servers do not give the same answers; nothing was timed")
        progress(f"{size_label(size)}: both servers agree ({check['default_graph_statements']['kg']:,} statements in the default graph)"
                 + (f"; left out of the load: {', '.join(e['label'] + ' (' + e['excluded'] + ')' for ph in check['requests'].values() for e in ph if 'excluded' in e)}"
                    if check["failures"] else ""))
        phases = {phase: {side: [r for r, e in zip(reqs, check["requests"][phase], strict=True) if "excluded" not in e] for side, reqs in sides.items()}
                  for phase, sides in phases.items()}
        # the same requests made new on every send: what a server answers that it has not seen (kg's cache misses)
        for phase in ("sparql", "entity"):
            phases[f"{phase}-new"] = {side: [dict(r, unique=True) for r in reqs] for side, reqs in phases[phase].items()}
        res["phases"] = {}
        slice_s = args.seconds / args.rounds
        for phase, sides in phases.items():
            slices: dict[str, list[dict]] = {side: [] for side in sides}
            for k in range(args.rounds):
                for side, reqs in sides.items():
                    server = kg if side == "kg" else ox
                    progress(f"{size_label(size)}: {phase} on {side} (round {k + 1}/{args.rounds}), {args.clients} clients, "
                             f"{args.warmup:g} + {slice_s:g} s")
                    sl = load_slice(server, reqs, clients=args.clients, seconds=slice_s, warmup=args.warmup, work=work,
                                    tag=f"{size}-{phase}-{side}-{k}", seed=CLIENT_SEED + 100 * k, health=side == "kg")
                    slices[side].append(sl)
                    bad = sl["all_bad"]
                    progress(f"   {len(sl['window'])} requests, {len(sl['window']) / slice_s:.1f} req/s, errors {len(bad)}, "
                             f"machine busy {sl['machine_busy']:.0%}"
                             + (f"; FIRST ERROR {sl['errors'][0]['status']} on {reqs[sl['errors'][0]['request']]['label']}: "
                                f"{sl['errors'][0]['error'] or ''} {sl['errors'][0]['body'][:300]}" if sl["errors"] else ""))
                    if not server.alive():
                        progress(f"   {server.name} DIED: {server.text()[-2000:]}")
                        raise SystemExit(f"{server.name} ended during the {phase} phase")
            for side, sl in slices.items():
                r = summarise(sl, sides[side], slice_s)
                res["phases"][f"{phase}/{side}"] = r
                progress(f"{size_label(size)}: {phase} on {side}: {r['requests']} requests, {r['throughput']:.1f} req/s, "
                         f"p50 {r['p50_ms'] or 0:.1f} ms, p99 {r['p99_ms'] or 0:.1f} ms, errors {r['errors_total']}")
        res["kg_server"]["health_end"] = _health(kg)
    finally:
        kg.stop()
        ox.stop()
        res["kg_server"] = dict(res.get("kg_server", {}), log=_log_summary(kg.text()))
        res["oxigraph_server"] = dict(res.get("oxigraph_server", {}), log=_log_summary(ox.text()))
        shutil.rmtree(data["root"], ignore_errors=True)
        shutil.rmtree(data["ox_dir"], ignore_errors=True)
        shutil.rmtree(data["cache"], ignore_errors=True)
    res["took"] = time.monotonic() - t0
    return res


def _log_summary(text: str) -> dict:
    """What a server wrote besides its ready line: distinct lines with their counts."""
    lines: dict[str, int] = {}
    for line in text.splitlines():
        line = re.sub(r"\d{4}-\d\d-\d\d[ T][\d:.,]+", "<time>", line.strip())
        if line and not line.startswith("serving the graph at"):
            lines[line[:300]] = lines.get(line[:300], 0) + 1
    return {"lines": sum(lines.values()), "distinct": dict(sorted(lines.items(), key=lambda kv: -kv[1])[:40])}


# ====================================================================== rendering


def fr(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def fms(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.1f}" if x < 100 else f"{x:,.0f}"


PHASE_TEXT = {
    "sparql": "each stored query's example as SPARQL text (POST, JSON results)",
    "entity": "entity lookups (kg: HTML page `/id/X`; Oxigraph: the page's SPARQL)",
    "stored": "stored-query API `/queries/NAME?...` (JSON; kg only)",
    "sparql-new": "the sparql phase's queries, each sent with a comment never sent before (`# first seen N`): no answer can be reused",
    "entity-new": "the entity phase's requests, each never sent before (kg: `/id/X?seen=N`; Oxigraph: a new comment in the query)",
}


def summary_table(results: list[dict]) -> str:
    head = ["size", "phase", "server", "requests", "req/s", "p50 ms", "p99 ms", "errors",
            "kg/Ox req/s", "kg/Ox p50", "kg/Ox p99", "server CPU ms/req", "machine busy (steal)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * 3 + ["---:"] * (len(head) - 3)) + "|"]
    for res in results:
        label = f"{size_label(res['size'])} ({res['check']['default_graph_statements']['kg']:,} st.)"
        for key, r in res.get("phases", {}).items():
            phase, side = key.split("/")
            ox = res["phases"].get(f"{phase}/oxigraph")
            ratios = ["-", "-", "-"]
            if side == "kg" and ox:
                ratios = [fr(r["throughput"] / ox["throughput"]) if ox["throughput"] else "n/a",
                          fr(r["p50_ms"] / ox["p50_ms"]) if r["p50_ms"] and ox["p50_ms"] else "n/a",
                          fr(r["p99_ms"] / ox["p99_ms"]) if r["p99_ms"] and ox["p99_ms"] else "n/a"]
            errors = str(r["errors_total"]) if not r["errors_total"] else f"**{r['errors_total']}**"
            lines.append("| " + " | ".join([label, phase, "kg serve" if side == "kg" else "Oxigraph", f"{r['requests']:,}",
                                            f"{r['throughput']:,.1f}", fms(r["p50_ms"]), fms(r["p99_ms"]), errors, *ratios,
                                            fms(r["server_cpu_ms_per_request"]),
                                            f"{r['machine_busy']:.0%} ({r.get('steal', 0):.0%})"]) + " |")
    return "\n".join(lines) + "\n"


def per_request_table(res: dict) -> list[str]:
    reqs = res["check"]["requests"]
    ph = res.get("phases", {})
    out = []
    for phase in ("sparql", "entity", "stored"):
        if phase not in reqs:
            continue
        if phase == "stored":
            head = "| query | inference | rows | unloaded kg ms | p50 under load kg ms | p99 under load kg ms | max kg ms |"
            out += ["", f"### {PHASE_TEXT[phase]}", "", head, "|---|---|---:|---:|---:|---:|---:|"]
            r = ph.get("stored/kg", {}).get("per_request", {})
            for e in reqs[phase]:
                if "excluded" in e:
                    out.append(f"| {e['label']} | {e.get('inference') or ''} | **left out: {e['excluded']}** | {fms(e.get('kg_first_ms'))} (failed) | | | |")
                    continue
                p = r.get(e["label"], {})
                out.append(f"| {e['label']} | {e.get('inference') or ''} | {e.get('kg_rows')} | {fms(e.get('kg_unloaded_ms'))} | "
                           f"{fms(p.get('p50_ms'))} | {fms(p.get('p99_ms'))} | {fms(p.get('max_ms'))} |")
            continue
        what = "query" if phase == "sparql" else "entity"
        extra = "rows" if phase == "sparql" else "page bytes (kg) / rows (Oxigraph)"
        out += ["", f"### {PHASE_TEXT[phase]}", "",
                "The first request of each kind (*first*) is one kg serve has not seen; *unloaded* repeats it, answered "
                "from kg's cache of answers (Oxigraph runs it again).", "",
                f"| {what} | {extra} | first kg ms | first Oxigraph ms | unloaded kg ms | unloaded Oxigraph ms | ratio | p50 under load kg ms | p50 under load Oxigraph ms | ratio | max kg ms | max Oxigraph ms |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        rk = ph.get(f"{phase}/kg", {}).get("per_request", {})
        ro = ph.get(f"{phase}/oxigraph", {}).get("per_request", {})
        for e in reqs[phase]:
            if "excluded" in e:
                out.append(f"| {e['label']} | **left out: {e['excluded']}** | {fms(e.get('kg_first_ms'))} (failed) | "
                           f"{fms(e.get('oxigraph_first_ms'))} (failed) | | | | | | | | |")
                continue
            k, o = rk.get(e["label"], {}), ro.get(e["label"], {})
            shown = str(e.get("kg_rows")) if phase == "sparql" else f"{e.get('kg_bytes', 0):,} / {e.get('oxigraph_rows')}"
            ku, ou = e.get("kg_unloaded_ms"), e.get("oxigraph_unloaded_ms")
            out.append(f"| {e['label']} | {shown} | {fms(e.get('kg_first_ms'))} | {fms(e.get('oxigraph_first_ms'))} | "
                       f"{fms(ku)} | {fms(ou)} | {fr(ku / ou) if ku and ou else 'n/a'} | "
                       f"{fms(k.get('p50_ms'))} | {fms(o.get('p50_ms'))} | "
                       f"{fr(k['p50_ms'] / o['p50_ms']) if k.get('p50_ms') and o.get('p50_ms') else 'n/a'} | "
                       f"{fms(k.get('max_ms'))} | {fms(o.get('max_ms'))} |")
    return out


#: the run before issue 21's answer cache (same machine, same day), compared with in serve.md
BEFORE_21 = RESULTS / "serve-before-21.json"


def before_and_after(raw: dict, before: dict) -> list[str]:
    """The kg/Oxigraph ratios of an earlier run beside this one's, phase by phase."""
    def rows(data: dict) -> dict[tuple[str, str], dict]:
        out = {}
        for res in data["results"]:
            for key, r in res.get("phases", {}).items():
                phase, side = key.split("/")
                ox = res["phases"].get(f"{phase}/oxigraph")
                if side == "kg":
                    out[(size_label(res["size"]), phase)] = {
                        "kg": r["throughput"], "ox": ox["throughput"] if ox else None, "p99": r["p99_ms"],
                        "ox_p99": ox["p99_ms"] if ox else None, "cpu": r["server_cpu_ms_per_request"]}
        return out

    def cell(r: dict | None) -> str:
        if r is None:
            return "not measured"
        ratio = f", {r['kg'] / r['ox']:.2f}x" if r["ox"] else ""
        p99 = f"; p99 {fms(r['p99'])} ms" + (f" ({r['p99'] / r['ox_p99']:.2f}x)" if r["ox_p99"] else "")
        cpu = f"; {r['cpu']:.1f} ms CPU/req" if r["cpu"] is not None else ""
        return f"{r['kg']:,.0f} req/s{ratio}{p99}{cpu}"

    b, a = rows(before), rows(raw)
    out = ["", "## Before and after (issue 21)", "",
           f"kg serve / Oxigraph in the same run, before (`{before['meta']['argv']}`, {before['meta']['date']}, code "
           f"{before['meta']['code']}, load average {before['meta']['load_before']}: `serve-before-21.md`) and after this "
           "run's answer cache, gzip and validators. Ratios are the ones to compare: the machine was shared with other "
           "work in both runs (the load averages above), which lowers both servers' absolute figures alike.", "",
           "Before the cache every request took the path a first-seen one takes now: compare the *before* rows of "
           "sparql and entity with the *after* rows of sparql-new and entity-new for what a miss costs (the server's CPU "
           "per request is the steadier figure on a shared machine). 10^6 was not measured before in this series; the "
           "earlier run of 2026-12-02 (`serve.md` at the time, a smaller bundled graph) had kg at 0.60x Oxigraph's "
           "throughput for sparql and 0.35x for entity pages there.", "",
           "| size | phase | before: kg req/s, kg/Ox; p99 (kg/Ox); kg CPU | after: kg req/s, kg/Ox; p99 (kg/Ox); kg CPU |", "|---|---|---|---|"]
    for key in sorted(set(a) | set(b), key=lambda k: (k[0] != "bundled graph", k[0], list(PHASE_TEXT).index(k[1]) if k[1] in PHASE_TEXT else 9)):
        out.append(f"| {key[0]} | {key[1]} | {cell(b.get(key))} | {cell(a.get(key))} |")
    return out


def with_before(raw: dict, name: str) -> dict:
    """``raw`` with the run before issue 21 to compare with, for the main results file."""
    if name == "serve" and BEFORE_21.exists():
        return dict(raw, before=json.loads(BEFORE_21.read_text(encoding="utf-8")))
    return raw


def render(raw: dict) -> tuple[str, str]:
    meta, results = raw["meta"], raw["results"]
    table = summary_table(results)
    v = meta["versions"]
    doc = [
        "# bench_serve: `kg serve` under load, against Oxigraph's server",
        "",
        f"Run {meta['date']} (took {meta['took'] / 60:.0f} min): `python bench/bench_serve.py {meta['argv']}`. "
        f"Python {meta['python']}, pyoxigraph {v['pyoxigraph']}, oxigraph server {v['oxigraph']}, front {v.get('front') or 'waitress ' + v.get('waitress', '?')}; "
        f"{meta['machine']}, {meta['cpus']} CPUs, {meta['system']}; load average {meta['load_before']} before, "
        f"{meta['load_after']} after. Code measured: {meta['code']}"
        + (f" (at the end: {meta['code_after']})" if meta.get("code_after") and meta["code_after"] != meta["code"] else "") + ".",
        "",
        f"Each phase: {meta['args']['clients']} client processes, each with its own keep-alive `http.client` connection, "
        f"sending the phase's requests in a seeded shuffled order (the same order on both servers); "
        f"{meta['args']['seconds']:g} s measured per server and phase, in {meta['args'].get('rounds', 1)} round(s) that "
        f"alternate kg serve and Oxigraph (so a change in the machine's background load hits both), each after "
        f"{meta['args']['warmup']:g} s of unmeasured warm-up with new client processes and connections. *requests*: completed "
        "within the measured window; *req/s*: those / the window; p50/p99: their latency (send to last byte read); "
        "*errors*: any non-200 answer or connection error during the phase (warm-up included; there must be none). "
        "*kg/Ox*: kg serve / Oxigraph in the same run (req/s: higher is better for kg; latency: lower is). "
        "*server CPU ms/req*: CPU the server's processes (kg: the front and its workers) used in the window, per request. "
        "*machine busy*: share of both cores in use during the window (servers + clients): near 100 % means the "
        "machine, not only the server, is the limit; *(steal)*: share of the cores' time the hypervisor gave to "
        "others (the host's noise, which this virtual machine cannot see otherwise). Clients and servers share the "
        "same cores; the details give the CPU the clients used and any other process seen using CPU in each window.",
        "",
        table,
        "",
        "Phases:",
        "",
        f"- **sparql**: {PHASE_TEXT['sparql']}: the {meta.get('queries', 29)} stored queries, each with its example's parameters "
        "bound as a VALUES row (`kg.sparql.engine.bind`), the predeclared prefixes written out as PREFIX lines, POSTed as "
        "`application/sparql-query` with `Accept: application/sparql-results+json` to kg's `/sparql` and Oxigraph's "
        "`/query`: the same bytes to both. Through the Protocol both run on the asserted graph (the two "
        "`inference: owlrl` queries too).",
        "- **entity**: kg: `GET /id/X` with `Accept: text/html` (the entity page: statements out and in with the file of "
        "each, names, types, sources, labels of every linked IRI, rendered as HTML); Oxigraph: one SELECT of the "
        "statements out of and into X in every named graph with the English `rdfs:label` of the other end "
        "(`SELECT ?dir ?p ?v ?g ?label WHERE { { GRAPH ?g { <X> ?p ?v } } UNION { GRAPH ?g { ?v ?p <X> } } OPTIONAL { ?v rdfs:label ?label ... } }`), JSON. "
        f"Entities: {', '.join(sorted({str(len(r.get('entities', []))) for r in results}))} IRIs: "
        f"{', '.join('kgi:' + n for n in NOTABLE)}, a seeded sample of the subjects of the bundled data files "
        f"({BUNDLED_ENTITIES} in all) and, at a generated size, {GENERATED_ENTITIES} sampled generated subjects plus the "
        "hubs kgi:gen-format-0 and kgi:gen-city-0 (listed under Details).",
        "- **stored** (kg only): `GET /queries/NAME?param=value` with each example's parameters, JSON results; the two "
        "`inference: owlrl` queries run on the OWL RL store here (built before the server starts).",
        f"- **sparql-new**, **entity-new**: {PHASE_TEXT['sparql-new']}; {PHASE_TEXT['entity-new']}. kg serve keeps answers per "
        "store version and request, so in the three phases above every request after the first of its kind is answered "
        "from memory; these two measure the path through the workers.",
        "",
        "Data: kg's store built from the graph directory into a fresh cache (`kg export -f nq`, which also gives the "
        "named graphs), its OWL RL version (`kg query bodies-of-organisation`), and kg's default graph "
        "(`kg sparql 'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }' -f nt`); Oxigraph gets both files in one "
        "`oxigraph load`, then `oxigraph serve-read-only`. Before timing, every request is sent once to each server "
        "and the row counts (and the statement count of the default graph) must be equal; then each is timed "
        f"{meta['args']['repeat']} more times alone (*unloaded*, median). Both servers run with their defaults: kg serve "
        f"stops a request after {meta['args'].get('limit', 30):g} s (503), Oxigraph has no time limit (its `--timeout-s` "
        "is not used: in 0.5.13 it keeps a thread per query alive until the timeout, thousands of threads under this load, "
        "and the server died with `Resource temporarily unavailable (os error 11)` in a trial run; a query it stops also "
        "ends its streamed answer mid-way after a 200 status). A 200 whose body does not end as JSON or HTML must is "
        "counted as an error (shown as status 299). A request that fails in the check is left out of the load phases "
        "on both servers and listed under its size; it fails the run unless it is kg's time limit stopping a query "
        "that Oxigraph also takes longer than the limit to answer.",
    ]
    if raw.get("before") is not None:
        doc += before_and_after(raw, raw["before"])
    for res in results:
        doc += ["", f"## {size_label(res['size'])}: {res['check']['default_graph_statements']['kg']:,} statements in the default graph", ""]
        s = res["setup"]
        ks, os_ = res["kg_server"], res["oxigraph_server"]
        h = ks.get("health") or {}
        he = ks.get("health_end") or {}
        cache = he.get("cache")
        if cache:
            doc.append(f"- kg serve's answer cache at the end: {cache['entries']:,} answers in {cache['bytes'] / 2**20:.1f} MiB "
                       f"(bound: {cache['max_bytes'] / 2**20:.0f} MiB), {cache['hits']:,} hits, {cache['misses']:,} misses, "
                       f"{cache['evicted']:,} dropped for room.")
        doc.append(f"- kg serve: {res.get('workers')} workers ({'--workers' if meta['args'].get('workers') else 'its default'}), ready {ks['ready_seconds']:.1f} s after start; "
                   f"worker replacements during the run (`/health` `replaced`): {he.get('replaced', 'n/a')} "
                   f"(at start {h.get('replaced', 'n/a')}); Oxigraph ready after {os_['ready_seconds']:.1f} s.")
        doc.append(f"- setup: `kg export` (store built) {s['kg_export_seconds']:.1f} s, default graph as N-Triples "
                   f"{s['kg_union_seconds']:.1f} s, OWL RL store {s['kg_owlrl_seconds']:.1f} s; `oxigraph load` of "
                   f"{s['nq_lines']:,} quads + {s['union_lines']:,} triples {s['oxigraph_load_seconds']:.1f} s"
                   + (f"; {s['generated']:,} generated lines ({'reused' if s.get('gen_reused') else 'generated in this run'})" if "generated" in s else "")
                   + ".")
        for key, r in res.get("phases", {}).items():
            bits = [f"RSS {r['server_rss_mb']:.0f} MB", f"{r['server_threads']} threads"]
            if key.endswith("/kg"):
                bits.append(f"{r['server_children']} worker processes")
                if r.get("front_cpu_s") is not None and r["server_cpu_s"]:
                    bits.append(f"CPU {r['server_cpu_s']:.1f} s, of which the front process (no workers) "
                                f"{r['front_cpu_s']:.1f} s ({r['front_cpu_s'] / r['server_cpu_s']:.0%})")
                hb, ha = r.get("health_before") or {}, r.get("health_after") or {}
                if hb.get("replaced") != ha.get("replaced"):
                    bits.append(f"**workers replaced during the phase: {hb.get('replaced')} -> {ha.get('replaced')}**")
            bits.append(f"{r['connections']} connections opened by the clients"
                        + (f" (**{r['retries']} requests re-sent after the server closed a kept-alive connection**)" if r.get("retries") else ""))
            bits.append(f"CPU in the window: {r.get('machine_cpu_s', 0):.1f} s used on the machine in {r['seconds']:g} s, of which "
                        f"clients {r['client_cpu_s']:.1f} s, interrupts {r.get('irq_cpu_s', 0):.1f} s, other processes "
                        + (", ".join(f"{k} {v:.1f} s" for k, v in r["others"].items()) if r.get("others") else "none above 0.05 s")
                        + f"; CPU time taken by the hypervisor (steal) {r.get('steal_cpu_s', 0):.1f} s ({r.get('steal', 0):.0%})")
            bits.append(f"slowest {fms(r['max_ms'])} ms, p90 {fms(r['p90_ms'])} ms")
            tl = r["timeline"]
            if tl and len(tl) > 2 and statistics.median(tl) >= 10 and min(tl) < 0.5 * statistics.median(tl):
                bits.append(f"**throughput per second dipped**: {tl}")
            if r["errors_total"]:
                fe = r["first_error"]
                bits.append(f"**{r['errors_total']} errors** ({'; '.join(f'{k}: {n}' for k, n in r['error_kinds'].items())}); first, after "
                            f"{fe['after_s']} s, on {fe['label']} (`{fe['path'][:80]}`): status {fe['status']} {fe['error'] or ''} body: "
                            f"`{fe['body'][:300].strip()}`")
            doc.append(f"- {key}: " + "; ".join(bits) + ".")
        for name, srv in (("kg serve", ks), ("Oxigraph", os_)):
            log = srv.get("log", {})
            if log.get("lines"):
                shown = "; ".join(f"`{k[:160]}` x{n}" for k, n in list(log["distinct"].items())[:8])
                doc.append(f"- {name} wrote {log['lines']} line(s) to its output: {shown}.")
        for f in res["check"].get("failures", []):
            doc.append(f"- **check failed, left out of the load on both servers**: {f['phase']} `{f['label']}` on "
                       f"{'kg serve' if f['server'] == 'kg' else 'Oxigraph'}: {f['problem']}"
                       f"{' after ' + format(f['seconds'], 'g') + ' s' if f['seconds'] is not None else ''}"
                       f"{' (its time limit, ' + format(raw['meta']['args'].get('limit', 30), 'g') + ' s)' if f['time_limit'] else ''}; "
                       f"body: `{f['body'][:200].strip()}`")
        doc.append(f"- entities: {', '.join(res.get('entities', []))}.")
        doc += per_request_table(res)
    text = "\n".join(doc) + "\n"
    return table, text


# ====================================================================== main


def failures(raw: dict) -> list[str]:
    out = []
    for res in raw["results"]:
        for f in res["check"].get("failures", []):
            e = next(x for x in res["check"]["requests"][f["phase"]] if x["label"] == f["label"])
            if not e.get("excluded_time_limit"):
                out.append(f"{size_label(res['size'])} check, {f['phase']} {f['label']} on {f['server']}: {f['problem']}: "
                           f"{f['error'] or ''}\n    body: {f['body'][:1000].strip()}")
        for key, r in res.get("phases", {}).items():
            if r["errors_total"]:
                fe = r["first_error"]
                out.append(f"{size_label(res['size'])} {key}: {r['errors_total']} error(s) "
                           f"({'; '.join(f'{k}: {n}' for k, n in r['error_kinds'].items())}); first: status {fe['status']} "
                           f"on {fe['label']} {fe['path'][:100]} {fe['error'] or ''}\n    body: {fe['body'][:1000].strip()}")
    return out


def main() -> int:
    from bench import code_state  # the same record of what was measured as bench.py

    parser = argparse.ArgumentParser(description="kg serve under load against Oxigraph's server")
    parser.add_argument("--sizes", type=parse_sizes, default=["bundled", 1_000_000],
                        help="'bundled' and/or generated statements, e.g. bundled,1e6 (default)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per phase (default 20)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds of load before each phase (default 2)")
    parser.add_argument("--limit", type=float, default=30.0, help=argparse.SUPPRESS)  # kg serve's default --timeout
    parser.add_argument("--rounds", type=int, default=2,
                        help="each phase is split into this many slices, alternating kg and Oxigraph (default 2)")
    parser.add_argument("--workers", type=int, help="kg serve --workers (default: kg serve's own default, recorded)")
    parser.add_argument("--name", default="serve", help="results file names, bench/results/NAME.md/.json (default serve)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client processes (default 8)")
    parser.add_argument("--repeat", type=int, default=3, help="unloaded timings of each request (median; default 3)")
    parser.add_argument("--gen-dir", type=Path, default=Path(tempfile.gettempdir()) / "gen", help="where generated graphs are cached")
    parser.add_argument("--render", type=Path, help="only render serve.md again from a serve.json of an earlier run")
    parser.add_argument("--client", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        return client_main(*args.client)
    if args.render:
        raw = json.loads(args.render.read_text(encoding="utf-8"))
        table, text = render(with_before(raw, args.name))
        (RESULTS / f"{args.name}.md").write_text(text, encoding="utf-8")
        print(table)
        return 1 if failures(raw) else 0

    from importlib.metadata import version

    ox_version = subprocess.run(oxigraph_command() + ["--version"], capture_output=True, text=True).stdout.strip().split()[-1]
    meta = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "argv": " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "python": platform.python_version(),
        "versions": {"pyoxigraph": version("pyoxigraph"), "oxigraph": ox_version,
                     "front": f"uvicorn {version('uvicorn')}, httptools {version('httptools')}"},
        "machine": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "code": code_state(),
        "args": {"clients": args.clients, "seconds": args.seconds, "warmup": args.warmup, "repeat": args.repeat, "limit": args.limit,
                 "rounds": args.rounds, "workers": args.workers},
    }
    start = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-serve-") as tmp:
        for size in args.sizes:
            results.append(measure(size, args, Path(tmp)))
    meta["took"] = time.monotonic() - start
    meta["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    meta["code_after"] = code_state()
    meta["queries"] = max((len(r["check"]["requests"].get("sparql", [])) for r in results), default=0)
    raw = {"meta": meta, "results": results}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(raw, indent=1, default=str) + "\n", encoding="utf-8")
    table, text = render(with_before(raw, args.name))
    (RESULTS / f"{args.name}.md").write_text(text, encoding="utf-8")
    print(table)
    bad = failures(raw)
    if bad:
        print("\nFAILED: kg serve or Oxigraph answered with errors under load:", file=sys.stderr)
        for line in bad:
            print("  " + line, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
