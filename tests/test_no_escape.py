"""No query text reaches the network, and no query outlives its limit, its Ctrl-C or its
caller (issue 17, classes 2 and 3, the command line and the facade; the server's side is
in test_server_hardening.py).

Two lines hold the network: the refusal on the query's text (``kg.sparql.engine.network_keywords``)
and the worker the engine runs in, which cannot open a socket (``kg.sparql.sandbox``). Each is
tested on its own, and the property tests check the first against the engine's own parser:
whenever the engine tried to open a connection for a text, the refusal must have seen it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from kg.errors import EXIT_INTERRUPTED, EXIT_LIMIT, NetworkRefused, QueryError, QueryTimeout
from kg.sparql import sandbox
from kg.sparql.engine import Prepared, network_keywords, run
from kg.sparql.limits import call
from kg.sparql.tokens import tokens, unescape_codepoints

ROOT = Path(__file__).resolve().parents[1]
LINUX = sandbox.supported()
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _connections(server: socket.socket) -> int:
    n = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return n
        conn.close()
        n += 1


def _store() -> ox.Store:
    """Something for every kind of term a generated pattern ends with to match, so that the
    engine goes on to the SERVICE after it."""
    store = ox.Store()
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    for o in (ox.Literal(True), ox.Literal(False), ox.Literal(1), ox.Literal("1.0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
              ox.Literal("x"), ox.Literal("x", language="en"), ox.NamedNode("http://example.org/a'b"), ox.NamedNode("http://x/")):
        store.add(ox.Quad(s, p, o))
    return store


def _engine_opens_a_socket(store: ox.Store, text: str) -> bool:
    """Whether the engine, running ``text`` offline, tried to open a socket (and was denied)."""

    def attempt() -> str:
        try:
            answer = store.query(text)
            if not isinstance(answer, ox.QueryBoolean):
                list(answer)
            return "ran"
        except PermissionError:
            return "socket"  # the sandbox's EACCES: the engine wanted the network
        except (SyntaxError, OSError, ValueError) as exc:
            return "socket" if "Permission denied" in str(exc) else "error"

    return call(attempt, timeout=20, offline=True) == "socket"


# ---------------------------------------------------------------- the worker has no network


@pytest.mark.skipif(not LINUX, reason="the seccomp filter is Linux-only")
def test_an_offline_worker_cannot_open_a_socket(listener: socket.socket) -> None:
    port = listener.getsockname()[1]

    def connect() -> str:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return "connected"
        except OSError as exc:
            return type(exc).__name__

    assert call(connect, offline=True) == "PermissionError"
    assert _connections(listener) == 0
    assert call(connect) == "connected"  # the same call, not offline: the test itself is sound
    assert _connections(listener) == 1
    # the process that asked is untouched
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert _connections(listener) == 1


@pytest.mark.skipif(not LINUX, reason="the seccomp filter is Linux-only")
def test_a_service_call_that_passed_the_refusal_still_reaches_nobody(listener: socket.socket) -> None:
    """The refusal bypassed on purpose (a Prepared made by hand): the engine still fails to
    connect, and the listener sees nothing."""
    port = listener.getsockname()[1]
    text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(QueryError, match="Permission denied"):
        run(_store(), Prepared(text, "SELECT", "<test>"), timeout=10)
    assert _connections(listener) == 0


# ---------------------------------------------------------------- the refusal reads SPARQL as the engine does


@pytest.mark.parametrize(
    "text",
    [
        # the escape in the prefixed name is part of the name, not the start of a string
        "PREFIX ex: <http://x/> SELECT * { ?s ex:a\\'b ?o . SERVICE <http://127.0.0.1:{port}/> { ?x ?y ?z } }",
        "PREFIX ex: <http://x/> SELECT * { ?s ex:a\\#b ?o . SERVICE <http://127.0.0.1:{port}/> { ?x ?y ?z } }",
        # a comment ends at a carriage return as well as at a line feed
        "SELECT * { ?s ?p ?o # note\rSERVICE <http://127.0.0.1:{port}/> { ?x ?y ?z } }",
        # the parser needs no space after a keyword or a literal
        "SELECT * { ?s ?p trueSERVICE <http://127.0.0.1:{port}/> { ?x ?y ?z } }",
        "SELECT * { ?s ?p ?o.SERVICE<http://127.0.0.1:{port}/>{ ?x ?y ?z } }",
        "SELECT * { ?s ?p 1SERVICE <http://127.0.0.1:{port}/> { ?x ?y ?z } }",
        "SELECT * { ?s ?p 'x'SERVICE <http://127.0.0.1:{port}/> { ?x ?y ?z } }",
        "SELECT * { ?s ?p ?o OPTIONAL{}sErViCe SILENT <http://127.0.0.1:{port}/> { ?x ?y ?z } }",
        # codepoint escapes (SPARQL 1.1 section 19.2)
        "SELECT * { ?s ?p ?o \\u0053ERVICE <http://127.0.0.1:{port}/> { ?x ?y ?z } }",
        "SELECT *FROM<http://127.0.0.1:{port}/g> { ?s ?p ?o }",
        "SELECT * { ?s ?p ?o } VALUES ?v { 1 } # FROM comes after a comment\rFROM <http://127.0.0.1:{port}/>",
    ],
)
def test_crafted_texts_are_refused_and_reach_nobody(bundled: kg.Graph, listener: socket.socket, text: str) -> None:
    port = listener.getsockname()[1]
    with pytest.raises(NetworkRefused):
        bundled.sparql(text.replace("{port}", str(port)), timeout=10)
    assert _connections(listener) == 0


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?service WHERE { ?service a kg:State }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:fromDate ?d ; ex:myService ?x }",
        "SELECT * WHERE { ?s rdfs:label 'SERVICE FROM' } # SERVICE in a comment",
        "SELECT * WHERE { ?s rdfs:label '''x''' ; rdfs:comment \"\"\"FROM <http://a/>\"\"\" }",
        "SELECT * WHERE { ?s ?p <http://example.org/SERVICE> }",
    ],
)
def test_honest_texts_that_name_the_words_are_not_refused(bundled: kg.Graph, text: str) -> None:
    assert network_keywords(text) == []
    bundled.sparql(text, timeout=30)


_SEPARATORS = st.sampled_from(["", " ", "\n", "\r", "\t", " . ", ".", " # c\r", " # c\n", "\r\n", "#\u2028\n", ";", "}{", " ; "])
_SPACES = st.sampled_from(["", " ", "\n", "\r", "\t", " # c\r", " # c\n", "\r\n", "#\u2028\n"])
_BEFORE = st.sampled_from(
    ["?o", "true", "false", "1", "1.0", "1e0", "'x'", '"x"', "'''x'''", '"""x"""', "'x'@en", "<http://x/>", "ex:a\\'b", "ex:a\\#b",
     "ex:a", "[]", "()", "ex:a\\", "'x\\'", "'''x\\''''", "\"x\\\"\"", "<http://example.org/a'b>"]
)


def _keyword(word: str) -> st.SearchStrategy[str]:
    """``word`` in random case, some letters written as codepoint escapes."""

    def spell(flags: list[tuple[bool, int]]) -> str:
        out = []
        for ch, (upper, escape) in zip(word, flags, strict=True):
            c = ch.upper() if upper else ch.lower()
            out.append(c if escape == 0 else (f"\\u{ord(c):04X}" if escape == 1 else f"\\U{ord(c):08x}"))
        return "".join(out)

    escapes = st.sampled_from([0] * 80 + [1, 2])
    return st.lists(st.tuples(st.booleans(), escapes), min_size=len(word), max_size=len(word)).map(spell)


@st.composite
def _crafted(draw: st.DrawFn, port: int) -> str:
    target = draw(st.sampled_from([f"<http://127.0.0.1:{port}/>", f"<http://127.0.0.1:{port}/sparql>", f"<http:\\u002F/127.0.0.1:{port}/>"]))
    service = draw(_keyword("SERVICE")) + draw(st.sampled_from(["", " SILENT", " silent"]))
    pattern = (
        "?s ex:p " + draw(_BEFORE) + draw(_SEPARATORS) + service + draw(_SPACES) + target + draw(_SPACES) + "{ ?x ?y ?z }"
    )
    wrap = draw(st.sampled_from(["{0}", "OPTIONAL {{ {0} }}", "{{ {0} }} UNION {{ ?s ?p ?o }}", "MINUS {{ {0} }}"]))
    return "PREFIX ex: <http://example.org/> SELECT * WHERE { " + wrap.format(pattern) + " }"


@pytest.mark.skipif(not LINUX, reason="the oracle is the sandbox, which is Linux-only")
def test_the_oracle_sees_a_service_call() -> None:
    """The property below is only as good as its oracle: it must see a plain SERVICE call,
    and one glued to a literal, and not see a query without one."""
    assert _engine_opens_a_socket(_store(), "SELECT * WHERE { ?s ?p ?o SERVICE <http://127.0.0.1:5/> { ?x ?y ?z } }")
    assert _engine_opens_a_socket(_store(), "SELECT * WHERE { ?s ?p trueSERVICE <http://127.0.0.1:5/> { ?x ?y ?z } }")
    assert not _engine_opens_a_socket(_store(), "SELECT * WHERE { ?s ?p ?o }")


@pytest.mark.skipif(not LINUX, reason="the oracle is the sandbox, which is Linux-only")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_whenever_the_engine_would_call_out_the_refusal_saw_it(listener: socket.socket, data: st.DataObject) -> None:
    """The refusal against the engine's own parser: run each crafted text offline; if the
    engine tried to open a socket, ``network_keywords`` must have named SERVICE. And the
    listener never hears from anyone."""
    port = listener.getsockname()[1]
    text = data.draw(_crafted(port))
    if _engine_opens_a_socket(_store(), text):
        assert "SERVICE" in network_keywords(text), text
    assert _connections(listener) == 0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_the_tokenizer_reads_any_text_and_loses_no_keyword(noise: str) -> None:
    """Any text tokenizes; a SERVICE written after it on a new line is still found (a
    string left open by the noise hides it only if the engine would see a string too,
    and an unterminated string is a syntax error for both)."""
    list(tokens(noise))
    list(tokens(unescape_codepoints(noise), lenient=True))
    text = f"SELECT * {{ ?s ?p ?o }} # {noise}\nSERVICE"
    if "\n" not in noise and "\r" not in noise:
        assert "SERVICE" in network_keywords(text)


# ---------------------------------------------------------------- limits, Ctrl-C and a killed caller


def _env() -> dict[str, str]:
    return {**os.environ, "KG_DATA": str(ROOT)}


def _kg(*args: str) -> subprocess.Popen[str]:
    # a shell starts background jobs with SIGINT ignored; a user's Ctrl-C needs it handled
    return subprocess.Popen(
        [sys.executable, "-m", "kg", *args], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = task.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and int(task.parent.name) not in found:
                found.add(int(task.parent.name))
                todo.append(int(task.parent.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _wait_for_worker(proc: subprocess.Popen[str]) -> set[int]:
    for _ in range(600):  # the worker is forked once the store is open
        workers = _descendants(proc.pid)
        if workers:
            return workers
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    raise AssertionError("the query's worker never started")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("timeout", ["0", "300"])
def test_ctrl_c_stops_the_query_and_exits_130(bundled: kg.Graph, timeout: str) -> None:
    bundled.store()  # built once: the command below opens it
    proc = _kg("sparql", "--timeout", timeout, RUNAWAY)
    workers = _wait_for_worker(proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert err.strip() == "kg: interrupted"
    deadline = time.monotonic() + 2
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(workers)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_kg_leaves_no_query_running(bundled: kg.Graph, sig: signal.Signals) -> None:
    bundled.store()
    proc = _kg("sparql", "--timeout", "0", RUNAWAY)
    workers = _wait_for_worker(proc)
    proc.send_signal(sig)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 2
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(workers), "the forked query outlived the kg that started it"


def test_a_query_slow_to_check_is_stopped_by_its_time_limit(bundled: kg.Graph) -> None:
    """Checking a query runs it on an empty store; a crafted one is slow even there. The
    check runs in the worker too, so the limit holds (before, it ran outside it)."""
    values = " ".join(str(i) for i in range(1000))
    text = f"ASK {{ VALUES ?a {{{values}}} VALUES ?b {{{values}}} VALUES ?c {{{values}}} FILTER(?a + ?b + ?c < 0) }}"
    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        bundled.sparql(text, timeout=1)
    assert time.monotonic() - start < 2  # within 1 s past the limit
    from kg.sparql.engine import check

    start = time.monotonic()
    with pytest.raises(QueryTimeout):
        check(text, timeout=1)
    assert time.monotonic() - start < 2


def test_the_cli_stops_within_a_second_past_the_limit(bundled: kg.Graph) -> None:
    bundled.store()
    values = " ".join(str(i) for i in range(1000))
    slow_check = f"ASK {{ VALUES ?a {{{values}}} VALUES ?b {{{values}}} VALUES ?c {{{values}}} FILTER(?a + ?b + ?c < 0) }}"
    for text in (RUNAWAY, slow_check):
        proc = _kg("-v", "sparql", "--timeout", "2", text)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == EXIT_LIMIT, err
        assert "time limit of 2 s" in err
