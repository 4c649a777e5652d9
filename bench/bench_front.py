"""Which HTTP front for ``kg serve``: candidate servers measured on what the server must survive.

    python bench/bench_front.py                        # every front found, 5 s per load phase
    python bench/bench_front.py --python /path/to/venv/bin/python --seconds 10
    python bench/bench_front.py --kg                   # kg serve itself (bundled graph) only

Each candidate serves the same trivial WSGI (or ASGI) application: 300 bytes of text for
any path, so what is measured is the server, not the application. The candidates are
those that import in ``--python`` (default: this interpreter); install the others into a
separate environment to compare them (``pip install cheroot granian uvicorn httptools
uvloop gunicorn gevent``). ``waitress-kg`` is waitress with the settings ``kg serve`` used
before this comparison (64 threads, connection_limit 256); ``kg-front`` is the front
``kg serve`` uses now, run by this interpreter (``kg`` installed).

For each candidate, in a process of its own on a free loopback port:

1. **load**: ``--clients`` client processes (default 4), each with one keep-alive
   connection, send ``GET /`` for ``--seconds``; requests per second and the CPU the
   server's processes used per request (``/proc``), which is what a front costs;
2. **load beside 500 idle connections**: the same while 500 other connections are open
   and silent (an event loop that looks at every connection on every turn slows down);
3. **idle**: 500 connections opened and left silent, then one more client times a request
   on a new connection (connect to last byte; "refused"/"timeout" if it did not answer
   within 5 s);
4. **partial**: the same with 500 connections that each sent half a request's headers;
5. **slowloris**: one connection sends a request's headers one byte per second; how long
   until the server cuts it off (capped at ``--slow-cap`` seconds, default 40).

Results: bench/results/front.md (a table and the machine's facts). Run it alone on the
machine: the clients share its cores with the servers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import multiprocessing
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
BODY = b"x" * 300

APP = '''
BODY = b"x" * 300

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]

async def asgi(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
'''

#: name -> (module it needs, what it is, the command line; {py} {port} {dir} filled in)
FRONTS = {
    "waitress-kg": ("waitress", "waitress 3, kg serve's old settings (64 threads, connection_limit 256, lookahead 1)",
                    ["{py}", "-c", "import sys; sys.path.insert(0, '{dir}'); from frontapp import app; from waitress import serve; "
                     "serve(app, host='127.0.0.1', port={port}, threads=64, connection_limit=256, channel_request_lookahead=1, _quiet=True)"]),
    "waitress-poll": ("waitress", "waitress 3, poll() instead of select(), connection_limit 2000",
                      ["{py}", "-c", "import sys; sys.path.insert(0, '{dir}'); from frontapp import app; from waitress import serve; "
                       "serve(app, host='127.0.0.1', port={port}, threads=64, connection_limit=2000, asyncore_use_poll=True, "
                       "channel_request_lookahead=1, _quiet=True)"]),
    "cheroot": ("cheroot", "cheroot (CherryPy's server), 64 threads",
                ["{py}", "-c", "import sys; sys.path.insert(0, '{dir}'); from frontapp import app; from cheroot import wsgi; "
                 "wsgi.Server(('127.0.0.1', {port}), app, numthreads=64).safe_start()"]),
    "gunicorn-gevent": ("gevent", "gunicorn, one gevent worker",
                        ["{py}", "-m", "gunicorn", "-k", "gevent", "-w", "1", "--worker-connections", "4000", "-b", "127.0.0.1:{port}",
                         "--chdir", "{dir}", "--log-level", "warning", "frontapp:app"]),
    "granian-wsgi": ("granian", "granian (Rust, hyper), WSGI, one worker",
                     ["{py}", "-m", "granian", "--interface", "wsgi", "--workers", "1", "--host", "127.0.0.1", "--port", "{port}",
                      "--log-level", "warning", "--working-dir", "{dir}", "frontapp:app"]),
    "kg-front": ("kg.web.front", "kg serve's front (kg.web.front): uvicorn, httptools and uvloop with kg's limits, the "
                 "WSGI application on a thread pool; run by this interpreter, not --python",
                 ["{kgpy}", "-c", "import sys; sys.path.insert(0, '{dir}'); from frontapp import app; "
                  "from kg.web.front import Front, Limits; f = Front(host='127.0.0.1', port={port}, threads=64, limits=Limits()); "
                  "f.mount(app); f.run()"]),
    "uvicorn": ("uvicorn", "uvicorn with httptools and uvloop, ASGI",
                ["{py}", "-m", "uvicorn", "--http", "httptools", "--loop", "uvloop", "--host", "127.0.0.1", "--port", "{port}",
                 "--log-level", "warning", "--no-access-log", "--app-dir", "{dir}", "frontapp:asgi"]),
}


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_CLK = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and every live descendant (and the children they reaped)."""
    parents: dict[int, int] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                text = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = text[text.rindex(")") + 2:].split()
            parents[int(entry)] = int(fields[1])
            stats[int(entry)] = fields
    members, frontier = {pid}, [pid]
    while frontier:
        p = frontier.pop()
        for child, parent in parents.items():
            if parent == p and child not in members:
                members.add(child)
                frontier.append(child)
    total = 0
    for m in members:
        f = stats.get(m)
        if f:
            total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
    return total / _CLK


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the server ended with status {proc.returncode}")
        try:
            if timed_request(port, 2.0)[0] == "ok":
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not answer")


def timed_request(port: int, timeout: float, path: str = "/") -> tuple[str, float]:
    """("ok" | what went wrong, seconds from connect to the last byte of a fresh request)."""
    t = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        conn.close()
        return ("ok" if resp.status == 200 else f"status {resp.status}"), time.monotonic() - t
    except TimeoutError:
        return "timeout", time.monotonic() - t
    except OSError as exc:
        return type(exc).__name__, time.monotonic() - t


def _client(port: int, deadline: float, path: str, out: multiprocessing.Queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = errors = 0
    while time.monotonic() < deadline:
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                n += 1
            else:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out.put((n, errors))


def load(port: int, pid: int, seconds: float, clients: int, path: str = "/") -> dict:
    out: multiprocessing.Queue = multiprocessing.Queue()
    deadline = time.monotonic() + seconds
    cpu0, t0 = tree_cpu(pid), time.monotonic()
    procs = [multiprocessing.Process(target=_client, args=(port, deadline, path, out)) for _ in range(clients)]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 60) for _ in procs]
    for p in procs:
        p.join()
    wall, cpu = time.monotonic() - t0, tree_cpu(pid) - cpu0
    done = sum(r[0] for r in results)
    return {"requests": done, "errors": sum(r[1] for r in results), "rps": done / wall,
            "cpu_ms_per_req": 1000 * cpu / done if done else None}


def hold(port: int, count: int, partial: bool) -> list[socket.socket]:
    held = []
    for _ in range(count):
        s = socket.socket()
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port))
            if partial:
                s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
        except OSError:
            s.close()
            break
        held.append(s)
    return held


def release(held: list[socket.socket]) -> None:
    for s in held:
        s.close()


def slowloris(port: int, cap: float) -> float | None:
    """Seconds until the server closed a connection sending headers one byte a second."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(1.0)
    start = time.monotonic()
    payload = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 10_000
    try:
        for i in range(len(payload)):
            if time.monotonic() - start > cap:
                return None
            try:
                s.send(payload[i:i + 1])
            except OSError:
                return time.monotonic() - start
            try:
                if s.recv(4096) == b"":
                    return time.monotonic() - start
                return time.monotonic() - start  # an answer (408 or 400) before the close
            except TimeoutError:
                pass
            except OSError:
                return time.monotonic() - start
        return None
    finally:
        s.close()


def measure(name: str, cmd: list[str], args: argparse.Namespace, appdir: str, probes: bool = True) -> dict:
    port = free_port()
    filled = [c.format(py=args.python, kgpy=sys.executable, port=port, dir=appdir) for c in cmd]
    proc = subprocess.Popen(filled, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    result: dict = {"name": name}
    try:
        wait_ready(port, proc)
        progress(f"{name}: load")
        load(port, proc.pid, 1.0, args.clients)  # warm-up
        result["load"] = load(port, proc.pid, args.seconds, args.clients)
        progress(f"{name}: load beside 500 idle connections")
        held = hold(port, 500, partial=False)
        time.sleep(1)
        result["held_for_load"] = len(held)
        result["load_idle"] = load(port, proc.pid, args.seconds, args.clients)
        release(held)
        if not probes:
            return result
        time.sleep(1)
        progress(f"{name}: 500 idle, then one request")
        held = hold(port, 500, partial=False)
        time.sleep(1)
        result["idle"] = {"held": len(held), "request": timed_request(port, 5.0)}
        release(held)
        time.sleep(1)
        progress(f"{name}: 500 half requests, then one request")
        held = hold(port, 500, partial=True)
        time.sleep(1)
        result["partial"] = {"held": len(held), "request": timed_request(port, 5.0)}
        release(held)
        time.sleep(1)
        progress(f"{name}: slowloris")
        result["slowloris_s"] = slowloris(port, args.slow_cap)
    except Exception as exc:  # one candidate failing is a result, not the end
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    return result


def _median(values: list) -> float | None:
    values = sorted(values)
    return values[len(values) // 2] if values else None


def available(python: str, module: str) -> bool:
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def _request_cell(r: dict) -> str:
    status, seconds = r["request"]
    return f"{seconds * 1000:,.1f} ms" if status == "ok" else f"**{status}** after {seconds:.1f} s"


def render(runs: list[dict], facts: dict) -> str:
    lines = [
        "# bench_front: candidate HTTP fronts for `kg serve`",
        "",
        f"Run {facts['when']}: `{facts['command']}`. Python {facts['python']}; {facts['machine']}, {facts['cpus']} CPUs, "
        f"{facts['system']}; load average {facts['load_before']} before, {facts['load_after']} after. Versions: {facts['versions']}.",
        "",
        f"A trivial application (300 bytes for any path) behind each server; {facts['clients']} keep-alive client processes "
        f"for {facts['seconds']:g} s per load phase, on the same 2 cores as the server; {facts['rounds']} rounds that visit "
        "every front in turn, the median shown. *CPU/req*: CPU of the server's "
        "processes per request (lower is better: it is what the front takes from the query workers). *beside 500 idle*: "
        "the same load while 500 silent connections are open. *idle*/*partial*: a fresh request's time (connect to last "
        "byte) while 500 silent connections, or 500 connections that each sent half a request's headers, are held. "
        f"*slowloris*: seconds until a connection sending headers one byte a second is cut off (capped at {facts['slow_cap']:g} s).",
        "",
        "| front | req/s | CPU/req ms | req/s beside 500 idle | CPU/req ms beside 500 idle | idle: new request | partial: new request | slowloris cut after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        if "error" in r and "load" not in r:
            lines.append(f"| {r['name']} | failed: {r['error']} | | | | | | |")
            continue
        load, idle_load = r.get("load", {}), r.get("load_idle", {})
        slow = r.get("slowloris_s")
        lines.append(
            f"| {r['name']} | {load.get('rps', 0):,.0f} | {load.get('cpu_ms_per_req') or 0:.3f} | "
            f"{idle_load.get('rps', 0):,.0f} | {idle_load.get('cpu_ms_per_req') or 0:.3f} | "
            f"{_request_cell(r['idle']) if 'idle' in r else 'n/a'} | {_request_cell(r['partial']) if 'partial' in r else 'n/a'} | "
            f"{'not cut' if slow is None else f'{slow:.0f} s'} |")
    lines += ["", "Fronts:", ""] + [f"- **{r['name']}**: {FRONTS[r['name']][1]}" + (f" (error: {r['error']})" if "error" in r else "")
                                    for r in runs if r["name"] in FRONTS]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description="candidate HTTP fronts for kg serve, measured")
    parser.add_argument("--python", default=sys.executable, help="the interpreter the servers run in (with the candidates installed)")
    parser.add_argument("--fronts", default=",".join(FRONTS), help="comma-separated candidates (default: all that import)")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--slow-cap", type=float, default=40.0)
    parser.add_argument("--rounds", type=int, default=3,
                        help="load phases per front, in rounds that visit every front in turn (the median is shown; default 3)")
    parser.add_argument("--name", default="front", help="results file bench/results/NAME.md (default front)")
    args = parser.parse_args()
    facts = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "command": "python bench/bench_front.py " + " ".join(a if a != args.python else "PYTHON" for a in sys.argv[1:]),
        "python": platform.python_version(), "machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}", "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "clients": args.clients, "seconds": args.seconds, "slow_cap": args.slow_cap, "rounds": args.rounds,
    }
    wanted = [f.strip() for f in args.fronts.split(",") if f.strip()]
    versions = subprocess.run([args.python, "-c", textwrap.dedent("""
        from importlib import metadata
        names = ("waitress", "cheroot", "gunicorn", "gevent", "granian", "uvicorn", "httptools", "uvloop")
        out = []
        for n in names:
            try:
                out.append(f"{n} {metadata.version(n)}")
            except metadata.PackageNotFoundError:
                pass
        print(", ".join(out))
    """)], capture_output=True, text=True).stdout.strip()
    facts["versions"] = versions
    runs = []
    with tempfile.TemporaryDirectory() as appdir:
        Path(appdir, "frontapp.py").write_text(APP, encoding="utf-8")
        usable = []
        for name in wanted:
            module = FRONTS[name][0]
            if available(sys.executable if name == "kg-front" else args.python, module):
                usable.append(name)
            else:
                progress(f"{name}: {module} does not import in {args.python}; left out")
        # rounds visit every front in turn, so a change in the machine's other load is
        # shared out instead of landing on one front; the probes run in the first round
        rounds: dict[str, list[dict]] = {name: [] for name in usable}
        for i in range(args.rounds):
            for name in usable:
                rounds[name].append(measure(name, FRONTS[name][2], args, appdir, probes=i == 0))
                progress(f"{name} round {i + 1}: {json.dumps(rounds[name][-1])}")
        for name in usable:
            first = dict(rounds[name][0])
            for phase in ("load", "load_idle"):
                done = [r[phase] for r in rounds[name] if phase in r]
                if done:
                    first[phase] = {k: _median([d[k] for d in done if d.get(k) is not None]) for k in done[0]}
                    first[phase + "_rounds"] = done
            runs.append(first)
    facts["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    text = render(runs, facts)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.md").write_text(text, encoding="utf-8")
    (RESULTS / f"{args.name}.json").write_text(json.dumps({"facts": facts, "runs": runs}, indent=1), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
