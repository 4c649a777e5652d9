"""`kg serve` against hostile and unlucky clients: methods it does not answer, a spoofed
Host header, a data file broken while serving, idle and slow connections, runaway queries
that hold the workers, clients that leave, and SERVICE calls to this machine.

Most tests drive the WSGI application in this process (werkzeug's test client over
``App``); the front's limits are tested on a real socket with a trivial application; the
rest (the network sandbox of the workers, 500 idle connections) against a real
`kg serve` process. Nothing here depends on the machine's speed except the one bound the
server promises: a request beside 500 idle connections answers within 1 s.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import ROOT, InProcessPool, Server, graph_copy
from werkzeug.test import Client

from kg.web.app import App, Settings

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MEMBERS = "SELECT ?s WHERE { ?s a kg:State } ORDER BY ?s"
JSON = "application/sparql-results+json"
SPOOF = "evil.example:6666"


# ---------------------------------------------------------------- the application in process


_CANNED = {"sparql": ("SELECT", b"{}"), "sparql_form": "SELECT", "stored": b"{}", "entity_rdf": b"",
                    "entity_page": "<html></html>", "draw": b"<svg/>", "void": b"", "search": [],
                    "sparql_table": None, "stored_table": None}


def app_over(root: Path, *, run: bool = True, **settings) -> tuple[Client, App, InProcessPool]:
    import kg

    pool = InProcessPool(root, run=run, canned=_CANNED.get)
    app = App(kg.open(root), pool, Settings(**settings))
    return Client(app), app, pool


@pytest.fixture(scope="module")
def bundled_app():
    return app_over(ROOT, base_url="https://graph.example.org/kg/")


ROUTES = ["/", "/sparql", "/editor", "/queries", "/queries/members-on-date", "/openapi.json", "/api", "/search?q=baku",
          "/resource?iri=https://w3id.org/jckg/id/eco", "/id/eco", "/concept/held", "/health", "/static/kg.css",
          "/void.ttl", "/.well-known/void", "/ontology", "/draw/timeline.svg"]


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH"])
def test_methods_an_address_does_not_have_are_405_with_allow(bundled_app, method):
    client, _, pool = bundled_app
    before = len(pool.calls)
    for path in ROUTES:
        r = client.open(path, method=method)
        assert r.status_code == 405, (method, path, r.status_code)
        allowed = {m.strip() for m in r.headers["Allow"].split(",")}
        assert {"GET", "HEAD", "OPTIONS"} <= allowed and method not in allowed, (path, allowed)
        assert ("POST" in allowed) == (path.split("?")[0] in ("/sparql", "/editor")), path
        assert method in r.get_data(as_text=True)
    assert len(pool.calls) == before  # nothing was run for them


def test_options_says_what_each_address_allows(bundled_app):
    client, _, _ = bundled_app
    r = client.options("/sparql", headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    r = client.options("/id/eco")
    assert r.status_code == 204 and "POST" not in r.headers["Allow"]
    assert client.options("/no/such/page").status_code == 404


@pytest.mark.parametrize("path", ["/openapi.json", "/void.ttl", "/.well-known/void", "/queries", "/search?q=baku", "/sparql", "/api"])
def test_the_host_header_never_reaches_an_answer(bundled_app, path):
    client, _, _ = bundled_app
    r = client.get(path, headers={"Host": SPOOF, "X-Forwarded-Host": SPOOF, "Accept": "text/turtle" if path == "/sparql" else "*/*"})
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    body = r.get_data(as_text=True)
    assert "evil.example" not in body
    assert "https://graph.example.org/kg" in body  # the configured public address instead


def test_the_default_public_address_is_the_bound_one():
    client, app, _ = app_over(ROOT, run=False)
    spec = json.loads(client.get("/openapi.json", headers={"Host": SPOOF}).get_data())
    assert spec["servers"] == [{"url": "http://127.0.0.1:8787"}]


def test_the_front_evaluates_no_client_text(monkeypatch):
    """Query text, parameters, days and IRIs go to a worker as they came: the front
    neither parses nor binds them (a crafted one would cost the front its time)."""
    import kg.history
    import kg.sparql.catalog
    import kg.sparql.engine

    def refuse(*args, **kwargs):
        raise AssertionError("client text evaluated in the front")

    client, app, pool = app_over(ROOT, run=False)
    app.graph.queries()  # the catalog checks its own files' examples once, when first read
    monkeypatch.setattr(kg.sparql.engine, "prepare", refuse)
    monkeypatch.setattr(kg.sparql.engine, "bind", refuse)
    monkeypatch.setattr(kg.sparql.catalog.StoredQuery, "bind", refuse)
    monkeypatch.setattr(kg.sparql.catalog.StoredQuery, "bind_as_of", refuse)
    monkeypatch.setattr(kg.history, "parse_day", refuse)
    crafted = "SELECT * { " + "VALUES ?x { 1 2 3 4 5 6 7 8 9 } " * 12 + "}"
    requests_ = [
        ("GET", "/sparql", {"query_string": {"query": crafted}, "headers": {"Accept": JSON}}, "sparql"),
        ("POST", "/sparql", {"data": {"query": crafted}, "headers": {"Accept": JSON}}, "sparql"),
        ("POST", "/sparql", {"data": crafted, "content_type": "application/sparql-query", "headers": {"Accept": JSON}}, "sparql"),
        # HEAD runs the query as GET does (its Content-Length); another text, or GET's cached answer serves it
        ("HEAD", "/sparql", {"query_string": {"query": crafted + " "}, "headers": {"Accept": JSON}}, "sparql"),
        ("GET", "/sparql", {"query_string": {"query": crafted}, "headers": {"Accept": "text/html"}}, "sparql_table"),
        ("POST", "/editor", {"data": {"query": crafted}, "headers": {"Accept": "text/html"}}, "sparql_table"),
        ("GET", "/queries/members-on-date", {"query_string": {"organisation": "not an iri", "date": "soon", "as_of": "x"},
                                              "headers": {"Accept": JSON}}, "stored"),
        ("GET", "/queries/members-on-date", {"query_string": {"organisation": "kgi:eco", "as_of": "x"},
                                              "headers": {"Accept": "text/html"}}, "stored_table"),
        ("GET", "/resource", {"query_string": {"iri": "not an iri"}, "headers": {"Accept": "text/turtle"}}, "entity_rdf"),
        ("GET", "/draw/timeline.svg", {"query_string": {"as_of": "not a day"}}, "draw"),
    ]
    for method, path, options, op in requests_:
        del pool.calls[:]
        r = client.open(path, method=method, **options)
        assert r.status_code != 500, (method, path, r.get_data(as_text=True)[:500])
        assert [c[0] for c in pool.calls] == [op], (method, path, pool.calls)


def test_health_asks_no_worker(bundled_app):
    client, _, pool = bundled_app
    before = len(pool.calls)
    r = client.get("/health")
    state = r.get_json()
    assert r.status_code == 200 and state["status"] == "ok" and state["store"]
    assert {"workers", "busy", "waiting", "replaced", "pids", "sandboxed"} <= set(state)
    assert len(pool.calls) == before


def test_a_broken_data_file_keeps_the_last_good_graph_then_recovers(tmp_path):
    root = graph_copy(tmp_path / "graph")
    client, _, _ = app_over(root)
    ask = {"query": "ASK { kgi:state-tj kg:isoAlpha2 'TJ' }", "format": "json"}
    assert client.get("/sparql", query_string=ask).get_json()["boolean"] is True
    target = root / "data" / "reference-memberships.ttl"
    good = target.read_text(encoding="utf-8")
    target.write_text(good + "\nkgi:broken kgi:turtle .\n", encoding="utf-8")  # no object
    line = good.count("\n") + 2

    r = client.get("/sparql", query_string=ask)
    assert r.status_code == 200 and r.get_json()["boolean"] is True  # the last version that loaded
    state = client.get("/health").get_json()
    assert state["status"] == "degraded", state
    assert state["problem"].startswith(f"data/reference-memberships.ttl:{line}:"), state["problem"]
    for path in ("/", "/queries", "/id/state-tj", "/editor?query=ASK%7B%7D"):
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        assert 'class="notice"' in text and "reference-memberships.ttl" in text, path
    r = client.get("/queries/members-on-date", query_string={"organisation": "kgi:sco", "date": "2023-01-01", "format": "csv"})
    assert r.status_code == 200 and "state-tj" in r.get_data(as_text=True)

    target.write_text(good + '\nkgi:state-tj <https://w3id.org/jckg/ontology#isoAlpha2> "XX" .\n', encoding="utf-8")
    fixed = {"query": "ASK { kgi:state-tj kg:isoAlpha2 'XX' }", "format": "json"}
    assert client.get("/sparql", query_string=fixed).get_json()["boolean"] is True  # the fixed file is served
    assert client.get("/health").get_json()["status"] == "ok"
    assert 'class="notice"' not in client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)


# ---------------------------------------------------------------- the front's limits, on a socket


@pytest.fixture
def front_factory():
    """A ``kg.web.front.Front`` over a small WSGI application, served from a thread."""
    from kg.web.front import Front, Limits

    started = []

    def make(app=None, **limits):
        def hello(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"hello"]

        front = Front(host="127.0.0.1", port=0, threads=4, limits=Limits(**limits))
        front.mount(app or hello)
        thread = threading.Thread(target=front.run, daemon=True)
        thread.start()
        started.append((front, thread))
        return front.effective_port

    yield make
    for front, thread in started:
        front.stop()
        thread.join(10)
        front.close()


def _closed_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before closing ``sock`` within ``seconds``, or None if open."""
    sock.settimeout(seconds)
    data = b""
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            chunk = sock.recv(4096)
            if not chunk:
                return data
            data += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        return data
    return None


def test_a_client_sending_headers_a_byte_at_a_time_is_cut_off(front_factory):
    port = front_factory(header_timeout=1.0, idle_timeout=30.0)
    sock = socket.create_connection(("127.0.0.1", port))
    start = time.monotonic()
    payload = b"GET / HTTP/1.1\r\nHost: a\r\nX-Slow: " + b"a" * 100
    cut = None
    for byte in payload:
        try:
            sock.send(bytes([byte]))
        except OSError:
            cut = b""
            break
        cut = _closed_within(sock, 0.2)  # five bytes a second, far slower than any client
        if cut is not None:
            break
    elapsed = time.monotonic() - start
    sock.close()
    assert cut is not None, "still connected after the whole slow header"
    assert cut == b"" or cut.startswith(b"HTTP/1.1 408")
    assert elapsed >= 0.9  # it was the header deadline that cut it, not a parse error


def test_a_silent_connection_is_closed_after_the_idle_timeout(front_factory):
    port = front_factory(idle_timeout=1.0)
    sock = socket.create_connection(("127.0.0.1", port))
    start = time.monotonic()
    assert _closed_within(sock, 20) == b""
    assert time.monotonic() - start >= 0.9
    sock.close()


def test_oversized_headers_and_urls_are_refused(front_factory):
    port = front_factory(max_header_bytes=4096)
    r = requests.get(f"http://127.0.0.1:{port}/", headers={"X-Big": "a" * 8000}, timeout=10)
    assert r.status_code == 431
    r = requests.get(f"http://127.0.0.1:{port}/?q=" + "a" * 70_000, timeout=10)
    assert r.status_code in (414, 431) and "POST" in r.text
    assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).text == "hello"


def test_at_the_connection_limit_the_idle_make_room(front_factory):
    port = front_factory(max_connections=40, idle_timeout=60.0)
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
    try:
        r = requests.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert r.status_code == 200 and r.text == "hello"
        closed = sum(1 for s in held if _closed_within(s, 0.05) == b"")
        assert closed >= 100 - 40  # the oldest idle ones went
    finally:
        for s in held:
            s.close()


def test_the_application_learns_that_its_client_left(front_factory):
    seen = threading.Event()
    left = threading.Event()

    def waits(environ, start_response):
        from kg.web.app import DISCONNECTED

        seen.set()
        end = time.monotonic() + 30
        while time.monotonic() < end and not environ[DISCONNECTED]():
            time.sleep(0.01)
        if environ[DISCONNECTED]():
            left.set()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"late"]

    port = front_factory(app=waits)
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert seen.wait(10)
    sock.close()
    assert left.wait(10)


# ---------------------------------------------------------------- a real server


@pytest.fixture(scope="module")
def live():
    s = Server(ROOT, "--workers", "2", "--timeout", "30", "--base-url", "https://graph.example.org/")
    yield s
    s.stop()


def _health(server) -> dict:
    return requests.get(server.url + "/health", timeout=30).json()


def _address(server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _wait_for(predicate, seconds: float, every: float = 0.1):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return predicate()


def test_a_request_beside_500_idle_connections_answers_within_a_second(live):
    host, port = _address(live)
    ask = {"query": "ASK { kgi:state-tj kg:isoAlpha2 'TJ' }", "format": "json"}
    assert requests.get(live.url + "/sparql", params=ask, timeout=30).json()["boolean"] is True  # the workers are warm
    held = []
    try:
        for _ in range(500):
            held.append(socket.create_connection((host, port), timeout=30))
        time.sleep(0.5)  # let the server accept them all
        start = time.monotonic()
        r = requests.get(live.url + "/sparql", params=ask, timeout=30)
        took = time.monotonic() - start
        assert r.status_code == 200 and r.json()["boolean"] is True
        assert took < 1.0, f"{took:.2f} s"
        assert sum(1 for s in held if _closed_within(s, 0.001) == b"") == 0  # none had to go: under --max-connections
    finally:
        for s in held:
            s.close()


def test_health_answers_while_runaway_queries_hold_every_worker(live):
    before = _health(live)
    socks = []
    host, port = _address(live)
    body = requests.models.RequestEncodingMixin._encode_params({"query": RUNAWAY})
    try:
        for _ in range(before["workers"] + 2):  # every worker, and two waiting
            sock = socket.create_connection((host, port))
            sock.sendall(f"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                         f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
            socks.append(sock)
        state = _wait_for(lambda: (s := _health(live))["busy"] == before["workers"] and s["waiting"] == 2 and s, 20)
        assert state, _health(live)
        assert state["status"] == "ok"
        r = requests.get(live.url + "/queries", timeout=30)  # a page that needs no worker
        assert r.status_code == 200
    finally:
        for sock in socks:
            sock.close()
    # the clients left: their queries were stopped and the workers replaced
    after = _wait_for(lambda: (s := _health(live))["busy"] == 0 and s["waiting"] == 0 and s["alive"] == s["workers"] and s, 30)
    assert after, _health(live)
    assert after["replaced"] == before["replaced"] + before["workers"]
    assert not set(after["pids"]) & set(before["pids"])  # every worker that ran one is a new process


def _listener():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    return listener


def _connections(listener) -> int:
    n = 0
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            return n
        conn.close()
        n += 1


def _crafted(port: int) -> list[str]:
    target = f"<http://127.0.0.1:{port}/sparql>"
    return [
        f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <http://x/> SELECT * {{ ?s ex:a\\'b ?o . SERVICE {target} {{ ?x ?y ?z }} }}",
        f'PREFIX ex: <http://x/> SELECT * {{ ?s ex:a\\"b ?o . SERVICE {target} {{ ?x ?y ?z }} }}',
        f"SELECT * {{ ?s <http://x/a#'> ?o . SERVICE {target} {{ ?x ?y ?z }} }}",
        f"SELECT * {{ ?s ?p 'a\\\\' . SERVICE {target} {{ ?x ?y ?z }} }}",
        f"SELECT * {{ SERV\\u0049CE {target} {{ ?x ?y ?z }} }}",
        f"SELECT * {{ service SILENT {target} {{ ?x ?y ?z }} }}",
        f"SELECT * FROM {target} WHERE {{ ?s ?p ?o }}",
        f"ASK {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {target} {{ ?s ?p ?o }} }} }}",
    ]


def test_service_queries_never_reach_a_listener_on_this_machine(live):
    assert _health(live)["sandboxed"] is True  # the workers cannot open a network socket at all
    listener = _listener()
    port = listener.getsockname()[1]
    try:
        for query in _crafted(port):
            answers = [
                requests.get(live.url + "/sparql", params={"query": query}, headers={"Accept": JSON}, timeout=60),
                requests.post(live.url + "/sparql", data={"query": query}, headers={"Accept": JSON}, timeout=60),
                requests.post(live.url + "/sparql", data=query.encode(), timeout=60,
                              headers={"Accept": JSON, "Content-Type": "application/sparql-query"}),
                requests.get(live.url + "/editor", params={"query": query}, headers={"Accept": "text/html"}, timeout=60),
                requests.post(live.url + "/editor", data={"query": query}, headers={"Accept": "text/html"}, timeout=60),
            ]
            for r in answers:
                # refused by the text check (400), or run and failed in the sandbox (or
                # SILENT: no rows); never a crash
                assert r.status_code in (200, 400), (query, r.status_code, r.text[:300])
            assert _connections(listener) == 0, query
    finally:
        listener.close()


def test_an_endpoint_that_never_answers_holds_no_front_thread(monkeypatch):
    """`--endpoint` at a host that accepts and never answers: each query is stopped at
    the time limit in its worker, and /health answers meanwhile without asking it."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)  # connections complete in the backlog; nobody ever reads them
    monkeypatch.setenv("KG_ENDPOINT", f"http://127.0.0.1:{silent.getsockname()[1]}/query")
    s = Server(ROOT, "--workers", "2", "--timeout", "2")
    try:
        answers: list[int] = []

        def ask() -> None:
            answers.append(requests.get(s.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60).status_code)

        threads = [threading.Thread(target=ask) for _ in range(6)]
        for t in threads:
            t.start()
        assert _wait_for(lambda: _health(s)["busy"] == 2, 20)  # both workers stuck on the endpoint
        state = _health(s)
        assert state["status"] == "ok" and state["store"] is None
        for t in threads:
            t.join(60)
        assert answers == [503] * 6  # stopped at the time limit (or refused while every worker was stuck)
        assert _health(s)["replaced"] >= 2
    finally:
        s.stop()
        silent.close()


def test_a_broken_file_while_serving_keeps_every_worker_on_the_last_good_version(tmp_path):
    """The same over real workers: one killed while the file is broken starts on the last
    good version (it must not try the broken files), and all follow the fix."""
    import signal

    root = graph_copy(tmp_path / "graph")
    s = Server(root, "--workers", "2", "--timeout", "30")
    try:
        ask = {"query": "ASK { kgi:state-tj kg:isoAlpha2 'TJ' }", "format": "json"}
        target = root / "data" / "reference-memberships.ttl"
        good = target.read_text(encoding="utf-8")
        target.write_text(good + "\nkgi:broken kgi:turtle .\n", encoding="utf-8")
        r = requests.get(s.url + "/sparql", params=ask, timeout=60)
        assert r.status_code == 200 and r.json()["boolean"] is True
        state = _health(s)
        assert state["status"] == "degraded" and "reference-memberships.ttl" in state["problem"]
        os.kill(state["pids"][0], signal.SIGKILL)
        assert _wait_for(lambda: (h := _health(s))["alive"] == 2 and state["pids"][0] not in h["pids"], 60)
        for _ in range(4):  # both workers, the new one included
            r = requests.get(s.url + "/sparql", params=ask, timeout=60)
            assert r.status_code == 200 and r.json()["boolean"] is True
        page = requests.get(s.url + "/id/state-tj", headers={"Accept": "text/html"}, timeout=60)
        assert page.status_code == 200 and 'class="notice"' in page.text  # rendered in a worker, with the banner
        target.write_text(good + '\nkgi:state-tj <https://w3id.org/jckg/ontology#isoAlpha2> "XX" .\n', encoding="utf-8")
        fixed = {"query": "ASK { kgi:state-tj kg:isoAlpha2 'XX' }", "format": "json"}
        for _ in range(4):
            r = requests.get(s.url + "/sparql", params=fixed, timeout=60)
            assert r.status_code == 200 and r.json()["boolean"] is True
        assert _health(s)["status"] == "ok"
    finally:
        s.stop()
