"""The SPARQL seam: every query the tool runs goes through ``prepare`` and ``run``.

The engine is pyoxigraph over the store (``kg.store.local``); the default graph is the union of
the store's named graphs (a set, as RDF merges graphs; see ``kg.store.local``). Rules, applied before anything runs:

* read-only: SPARQL Update is refused (the graph changes only through ``kg add``);
* no network: ``SERVICE`` and ``FROM``/``FROM NAMED`` are refused unless the caller passes
  ``allow_network=True``. pyoxigraph makes SERVICE calls from Rust, out of Python's sight,
  and cannot be told not to, so there are two lines: the refusal, made on every reading of
  the query's text (``kg.sparql.tokens.keywords``) so that the user is told why; and the guarantee,
  made where the query runs: ``execute`` evaluates it in a worker process that cannot open
  a network socket (``kg.sparql.limits.call(offline=True)``, ``kg.sparql.sandbox``);
* nothing of the user's text is evaluated outside that worker: ``execute`` checks, binds
  and runs the query there, under the time limit (``prepare`` alone parses the query by
  running it on an empty store, which a crafted query can make slow);
* parameters are RDF terms built by pyoxigraph (which checks and escapes them) and
  bound by the engine as an inline ``VALUES`` row at the start of the query's group
  pattern, never pasted from the user's text. pyoxigraph's own ``substitutions`` would
  do, but it binds only variables the query projects, and stored queries filter on
  parameters they do not return;
* limits: a time limit (the query runs in a worker process that is killed on time, see
  ``kg.sparql.limits``) and a result-size limit, each reported with its own error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import NetworkRefused, QueryError, ResultTooLarge
from kg.namespaces import PREFIXES
from kg.sparql.limits import call
from kg.sparql.results import Result
from kg.sparql.tokens import UPDATE_KEYWORDS, first_query_token, keywords, query_tokens, tokens
from kg.store.backend import Reads

_EMPTY = ox.Store()
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class Prepared:
    """A query checked for safety and syntax; ``form`` is SELECT, ASK, CONSTRUCT or DESCRIBE."""

    text: str
    form: str
    source: str
    network: bool = False


def prepare(text: str, *, source: str = "<query>", allow_network: bool = False) -> Prepared:
    """Check a read-only SPARQL query; raise ``QueryError``/``NetworkRefused`` with a position."""
    return _prepare(text, source, allow_network)


# A query's checks cost more than running it on a small graph (tokenising in Python, a
# parse on an empty store): stored queries and a client's repeated queries are checked
# once per process. Only successes are kept; an error is raised again each time. The key
# is positional, so every way of calling ``prepare`` finds the same entry.
@functools.lru_cache(maxsize=512)
def _prepare(text: str, source: str, allow_network: bool) -> Prepared:
    head = first_query_token(text)
    if head is None:
        raise QueryError("the query is empty", location=source, hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    first = head.keyword
    if first in UPDATE_KEYWORDS:
        raise QueryError(
            "SPARQL Update is not allowed: queries are read-only",
            location=source,
            hint="to add facts, write them to a Turtle file and run `kg add FILE`",
        )
    forbidden = network_keywords(text)
    _refuse(forbidden, source, allow_network)
    if "SERVICE" in forbidden:
        # checking the syntax means running it, and that would call the service: the
        # engine reports any syntax error when the query runs
        form = first if first in _FORMS else "SELECT"
        return Prepared(text, form, source, network=True)
    try:
        parsed = _EMPTY.query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        unknown = _undeclared_prefix(text)
        if unknown:
            raise QueryError(
                f"unknown prefix {unknown!r}",
                location=_located(source, exc),
                hint=f"declare it with PREFIX {unknown}: <...>, or use a predeclared one: {', '.join(PREFIXES)}",
            ) from exc
        raise QueryError(f"SPARQL syntax error: {_message(exc)}", location=_located(source, exc)) from exc
    except OSError as exc:
        raise QueryError(f"SPARQL error: {exc}", location=source) from exc
    if isinstance(parsed, ox.QueryBoolean):
        form = "ASK"
    elif isinstance(parsed, ox.QueryTriples):
        form = "DESCRIBE" if first == "DESCRIBE" else "CONSTRUCT"
    else:
        form = "SELECT"
    return Prepared(text, form, source)


def network_keywords(text: str) -> list[str]:
    """SERVICE and FROM, those of the two that the query may use.

    The engine's parser needs no space or punctuation after a keyword (``?s ?p
    trueSERVICE <...> {}`` calls the service), so a word counts where either keyword
    appears in it before any ``:`` (after one, it is inside a prefixed name, which the
    parser reads to its end: ``ex:myService`` is a name). No name of SPARQL's own
    contains either keyword, so no honest query is refused."""
    return list(_network_keywords(text))


# a client's query is scanned by the check, by the facade's refusal and by the prepare
# that follow it: the scan costs more than running the query on a small graph
@functools.lru_cache(maxsize=64)
def _network_keywords(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for word in keywords(text):
        head = word.split(":", 1)[0] if ":" in word else word
        found.extend(k for k in ("SERVICE", "FROM") if k in head and k not in found)
    return tuple(sorted(found, key=("SERVICE", "FROM").index))


def _undeclared_prefix(text: str) -> str | None:
    declared = set(PREFIXES)
    scanned = list(tokens(text))
    for i, t in enumerate(scanned):
        if t.keyword == "PREFIX" and i + 1 < len(scanned):
            declared.add(scanned[i + 1].text.rstrip(":"))
    for t in scanned:
        if t.kind == "word" and ":" in t.text and not t.text.startswith(("_:", ":")):
            prefix = t.text.split(":", 1)[0]
            if re.fullmatch(r"[A-Za-z][\w.-]*", prefix) and prefix not in declared:
                return prefix
    return None


def _message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^error at \d+:\d+:\s*", "", text)
    # the parser lists every character class it expected; the position says enough
    return text if len(text) <= 160 else text[:157].rstrip() + "..."


def _located(source: str, exc: Exception) -> str:
    m = re.search(r"(\d+):(\d+)", str(exc))
    return f"{source}:{m.group(1)}:{m.group(2)}" if m else source


def bind(prepared: Prepared, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query text with ``bindings`` as a ``VALUES`` row opening its group pattern."""
    if not bindings:
        return prepared.text
    for name, term in bindings.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"{name!r} is not a SPARQL variable name", location=prepared.source)
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise QueryError(f"parameter {name!r} must be an IRI or a literal, got {type(term).__name__}")
    at = _group_start(prepared)
    names = " ".join(f"?{n}" for n in bindings)
    values = " ".join(str(t) for t in bindings.values())  # N-Triples: escaped by pyoxigraph
    return f"{prepared.text[:at]} VALUES ({names}) {{ ({values}) }} {prepared.text[at:]}"


@functools.lru_cache(maxsize=512)
def _group_start(prepared: Prepared) -> int:
    """Offset just after the ``{`` that opens the WHERE group of the outer query."""
    tokens = query_tokens(prepared.text)
    i = 1
    if prepared.form == "CONSTRUCT":
        if i < len(tokens) and tokens[i].text == "{":
            depth = 0
            while i < len(tokens):
                if tokens[i].text == "{":
                    depth += 1
                elif tokens[i].text == "}":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            i += 1
        else:
            raise QueryError(
                "parameters cannot be bound in the short form CONSTRUCT WHERE { ... }",
                location=prepared.source,
                hint="write CONSTRUCT { template } WHERE { pattern }",
            )
    while i < len(tokens) and tokens[i].text != "{":
        i += 1
    if i >= len(tokens):
        raise QueryError("the query has no group pattern to bind parameters in", location=prepared.source)
    return tokens[i].offset + 1


def execute(
    store: Reads,
    text: str,
    *,
    source: str = "<query>",
    allow_network: bool = False,
    bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
    timeout: float | None = None,
    max_rows: int | None = None,
) -> Result:
    """Check ``text`` (``prepare``), bind ``bindings`` and run it on ``store``, all in a
    worker process under the time limit; on a local store the worker has no network
    unless ``allow_network`` (an endpoint's store needs it to reach the endpoint)."""
    offline = not allow_network and isinstance(store, ox.Store)
    key = (text, source, allow_network)
    known = _CHECKED.get(key)
    prepared, result = call(
        _check_and_execute, store, text, source, allow_network, known, dict(bindings or {}), max_rows,
        timeout=timeout, what=f"the query {source}", offline=offline,
    )
    _remember(key, prepared)
    return result


# The checks made in workers, kept in the caller as prepare's cache would keep them in one
# process: a query checked (``check``) or run once is not parsed again by the next worker.
_CHECKED: dict[tuple[str, str, bool], Prepared] = {}


def _remember(key: tuple[str, str, bool], prepared: Prepared) -> None:
    if key not in _CHECKED:
        _CHECKED[key] = prepared
        while len(_CHECKED) > 512:
            _CHECKED.pop(next(iter(_CHECKED)))


def network_refused(text: str, *, source: str = "<query>", allow_network: bool = False) -> None:
    """Raise ``NetworkRefused`` if the query may use SERVICE or FROM and that is not allowed.
    A scan of the text, linear in its length: fit for a process that only routes."""
    _refuse(network_keywords(text), source, allow_network)


def _refuse(forbidden: list[str], source: str, allow_network: bool) -> None:
    if forbidden and not allow_network:
        shown = " and ".join("FROM/FROM NAMED" if w == "FROM" else w for w in forbidden)
        raise NetworkRefused(
            f"the query uses {shown}, which would fetch data from outside the graph",
            location=source,
            hint="remove it, or pass --allow-network if you mean it",
            web_hint="remove it: this server answers from its own graph only",
        )


def check(text: str, *, source: str = "<query>", allow_network: bool = False, timeout: float | None = None) -> Prepared:
    """``prepare`` in a worker under the time limit: a bad query is reported before anything
    else is done, and a slow one cannot hold the caller."""
    network_refused(text, source=source, allow_network=allow_network)
    key = (text, source, allow_network)
    prepared = _CHECKED.get(key) or call(_prepare, text, source, allow_network, timeout=timeout, what=f"checking the query {source}", offline=not allow_network)
    _remember(key, prepared)
    return prepared


def _check_and_execute(
    store: ox.Store, text: str, source: str, allow_network: bool, prepared: Prepared | None, bindings: dict, max_rows: int | None
) -> tuple[Prepared, Result]:
    if prepared is None:
        prepared = _prepare(text, source, allow_network)
    return prepared, _execute(store, bind(prepared, bindings), prepared, max_rows)


def run(
    store: Reads,
    prepared: Prepared,
    *,
    bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
    timeout: float | None = None,
    max_rows: int | None = None,
) -> Result:
    """Run ``prepared`` on ``store`` (default graph: the union) within the limits.

    ``store`` is a pyoxigraph ``Store`` or a ``kg.store.remote.RemoteStore`` (the query goes to
    the endpoint from the worker, so the time limit stops it the same way)."""
    text = bind(prepared, bindings or {})
    offline = not prepared.network and isinstance(store, ox.Store)
    return call(_execute, store, text, prepared, max_rows, timeout=timeout, what=f"the query {prepared.source}", offline=offline)


def _execute(store: Reads, text: str, prepared: Prepared, max_rows: int | None) -> Result:
    try:
        answer = store.query(text, prefixes=PREFIXES)
        if isinstance(answer, ox.QueryBoolean):
            return Result("ASK", boolean=bool(answer))
        if not hasattr(answer, "variables"):  # ox.QueryTriples, or an endpoint's triples (kg.store.remote)
            triples = _take(answer, max_rows, prepared, "statements")
            return Result(prepared.form if prepared.form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT", triples=triples)
        variables = [v.value for v in answer.variables]
        rows = [tuple(solution) for solution in _take(answer, max_rows, prepared, "rows")]
        return Result("SELECT", vars=variables, rows=rows)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {_message(exc)}", location=_located(prepared.source, exc)) from exc
    except OSError as exc:
        raise QueryError(f"the query failed while running: {exc}", location=prepared.source) from exc


def _take(items: object, limit: int | None, prepared: Prepared, unit: str) -> list:
    taken = []
    for item in items:  # type: ignore[attr-defined]
        taken.append(item)
        if limit is not None and len(taken) > limit:
            raise ResultTooLarge(
                f"the query {prepared.source} returned more than its limit of {limit:,} {unit} and was stopped",
                hint="add a LIMIT or narrow it, or raise the limit with --max-rows N",
            )
    return taken
