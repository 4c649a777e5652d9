"""Files -> RDF: find the graph directory and parse every file strictly (rdflib, for the libraries that need it).

One named graph per file (``kgg:`` + path relative to the root, without ``.ttl``), so every
asserted statement keeps the file, and hence the source, it came from. Nothing runs on a
half-loaded graph: the first file that fails any check raises ``InputError`` with
``file:line:col`` and the parser's message.

Parsing is done twice on purpose: pyoxigraph first (strict, rejects what rdflib lets
through: spaces in IRIs, relative IRIs, literal subjects), then rdflib with literal
normalisation off so lexical forms are kept as written.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import InputError
from kg.namespaces import bind_prefixes

if TYPE_CHECKING:
    from rdflib import Graph

# rdflib is imported where a graph is built, not here: `kg sparql` reads its query file
# with ``read_text`` and must not pay rdflib's import (0.1-0.2 s) for it.
# rdflib rewrites lexical forms by default ("007" -> "7", "x"^^xsd:boolean -> "false"):
# the graph must keep what its sources say, byte for byte. Every function here that
# builds an rdflib graph turns that off first; a process that already has rdflib gets it
# turned off on import, as before.
if "rdflib" in sys.modules:
    sys.modules["rdflib"].NORMALIZE_LITERALS = False  # type: ignore[attr-defined]  # set at runtime; not in its stubs

#: Files larger than this are refused unless the caller forces them (see ``read_text``).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: The most statements one submission may hold (``KG_MAX_STATEMENTS`` overrides it): ten
#: times the largest source file of the graph. Counted before rdflib builds a graph, which
#: costs about 2 KB a statement.
MAX_STATEMENTS = 20_000
#: JSON keys and values allowed per statement of that limit: pyoxigraph's JSON-LD parser
#: holds the whole document (up to some 600 bytes a value) before its first statement.
JSON_VALUES_PER_STATEMENT = 10
#: Deeper nesting of blank nodes, lists or JSON is refused before parsing: the parsers hold
#: every open level (a million took 600 MB) and the JSON-LD one crashes deep down.
MAX_NESTING = 64

RDF_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld"}


# ---------------------------------------------------------------- strict parsing


def read_text(path: Path, *, max_bytes: int | None = MAX_FILE_BYTES) -> str:
    """Read a file as UTF-8; refuse a missing, huge or non-UTF-8 file with a clear message."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", location=str(path)) from exc
    if max_bytes is not None and size > max_bytes:
        raise InputError(
            f"the file is {size:,} bytes, more than the limit of {max_bytes:,}",
            location=str(path),
            hint="split it, or pass --force to accept a large file",
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
            location=f"{path}:{line}:{col}",
            hint="save the file as UTF-8",
        ) from exc
    if text.startswith("\ufeff"):
        raise InputError("the file starts with a byte-order mark", location=f"{path}:1:1", hint="save it as UTF-8 without BOM")
    return text


def _position(message: str) -> tuple[int | None, int | None]:
    # pyoxigraph: "Parser error at line 3 column 5: ..." or "... on line 3 at column 5 ..."
    m = re.search(r"line (\d+)\D+?column (\d+)", message)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"line (\d+)", message)
    return (int(m.group(1)), 1) if m else (None, None)


def _clean(message: str) -> str:
    text = re.sub(r"^Parser error (at|between) [^:]*: ?", "", message.strip())
    text = re.sub(r"\s*\(line \d+\)$", "", text.splitlines()[0] if text else message)
    return text


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def rdf_format(path: Path) -> str:
    """The RDF syntax of a file, from its suffix; ``InputError`` if it has none we read."""
    fmt = RDF_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unknown file type {path.suffix!r}", location=str(path), hint="use .ttl (Turtle), .nt (N-Triples) or .jsonld"
        )
    return fmt


def parse_file(
    path: Path, *, fmt: str | None = None, max_bytes: int | None = MAX_FILE_BYTES, into: Graph | None = None
) -> Graph:
    """Parse one file of the graph directory strictly (into ``into`` or a new graph);
    ``InputError`` on any problem.

    The statement checks of ``parse_text`` are left to the store build, which runs them on
    every graph file (``kg.store.local.check_statements``); the shapes file, which is no graph
    file, has blank nodes (its RDF lists)."""
    fmt = fmt or rdf_format(path)
    text = read_text(path, max_bytes=max_bytes)
    return parse_text(text, location=str(path), fmt=fmt, into=into, check=False)


def max_statements() -> int:
    """The most statements one submission may hold (``KG_MAX_STATEMENTS``, else ``MAX_STATEMENTS``)."""
    value = os.environ.get("KG_MAX_STATEMENTS")
    return int(value) if value and value.isdigit() else MAX_STATEMENTS


def parse_text(
    text: str, *, location: str, fmt: str = "turtle", into: Graph | None = None, check: bool = True, limit: int | None = None
) -> Graph:
    """Parse RDF text from outside the graph strictly (into ``into`` or a new graph);
    ``location`` names it in messages (a path or ``<stdin>``).

    With ``check`` (the default: a submission, a file to validate) every format goes
    through the same admission, in bounded memory, before anything big is built:

    1. nesting (Turtle ``[ ]`` and ``( )``, JSON ``{ }`` and ``[ ]``) deeper than
       ``MAX_NESTING``, and JSON with more than ``JSON_VALUES_PER_STATEMENT`` keys and
       values per allowed statement, are refused by a scan of the text: the parsers hold
       what is nested (Turtle) or the whole document (JSON-LD) before the first statement;
    2. pyoxigraph streams the statements through ``kg.store.local.check_parsed`` (blank nodes,
       characters XML cannot carry, literal length, canonical forms) and stops past
       ``limit`` statements (``max_statements()``);
    3. the graph is built (rdflib parses Turtle a second time, it is stricter on a few
       things, and its statements are checked once more, as they will be merged; JSON-LD
       is built from the statements pyoxigraph gave, so a remote context is never fetched).

    Without ``check`` (files of the graph directory, see ``parse_file``) only the syntax
    is checked.
    """
    from kg.store.local import check_parsed

    limit = (limit if limit is not None else max_statements()) if check else None
    syntax = "json-ld" if fmt == "json-ld" else "turtle"
    if fmt == "json-ld":
        _check_json_shape(text, location, None if limit is None else limit * JSON_VALUES_PER_STATEMENT)
        if _remote_context(text, location):
            raise InputError(
                "the JSON-LD @context refers to a document that would be fetched from the network",
                location=location,
                hint="inline the context as an object",
            )
    elif fmt == "turtle" and check:
        _check_turtle_nesting(text, location)
    kept: list[Any] = []
    statements = _oxigraph_statements(text, location, fmt, kept if fmt == "json-ld" else None)
    try:
        if check:
            check_parsed(statements, location, text, limit=limit, syntax=syntax)
        else:
            for _ in statements:
                pass
    except SyntaxError as exc:
        message = str(exc)
        line, col = _position(message)
        raise InputError(_clean(message), location=f"{location}:{line}:{col}" if line else location) from exc
    except MemoryError as exc:  # pyoxigraph caps one token (a literal, an IRI) at 16 MiB
        from kg.store.local import MAX_LITERAL_CHARS

        line = _long_token_line(text, syntax, MAX_LITERAL_CHARS)
        raise InputError(
            f"a literal or IRI is too long to read ({exc})",
            location=f"{location}:{line}" if line else location,
            hint=f"a literal may hold at most {MAX_LITERAL_CHARS:,} characters: split the text or cite the document instead",
        ) from exc

    import rdflib
    from rdflib import Graph, Literal
    from rdflib.namespace import XSD

    graph = Graph() if check or into is None else into
    import logging

    # rdflib logs a traceback for each ill-typed literal; they are reported below instead
    term_logger = logging.getLogger("rdflib.term")
    level = term_logger.level
    term_logger.setLevel(logging.CRITICAL)
    # set here too: other libraries (pySHACL) turn normalisation back on after they run
    rdflib.NORMALIZE_LITERALS = False
    try:
        if fmt == "json-ld":
            from kg.rdf.convert import to_rdflib

            graph.addN((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), graph) for q in kept)
            kept.clear()
        else:
            graph.parse(data=text, format=fmt, publicID="https://w3id.org/jckg/id/")
    except RecursionError as exc:
        raise InputError("the text nests too deeply to read", location=location, hint="write the statements flat, one subject after another") from exc
    except MemoryError as exc:
        raise InputError("the text is too large to read", location=location, hint="split it into smaller files") from exc
    except Exception as exc:  # rdflib raises many types; all mean "does not parse"
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        line = getattr(exc, "lines", None)
        raise InputError(message, location=f"{location}:{line}" if line else location) from exc
    finally:
        term_logger.setLevel(level)
    for s, p, o in graph:
        for term in (s, p, o):
            if isinstance(term, Literal) and term.ill_typed:
                needle = f'"{term}"'
                dt = term.datatype.n3(bind_prefixes(Graph()).namespace_manager) if term.datatype else ""
                raise InputError(
                    f"{needle}^^{dt} is not a valid {dt}",
                    location=f"{location}:{_line_of(text, needle)}",
                    hint="write a real value, e.g. 2024-05-17 for xsd:date",
                )
            if isinstance(term, Literal) and term.datatype == XSD.decimal and "e" in str(term).lower():
                raise InputError(
                    f'"{term}"^^xsd:decimal uses exponent notation, which xsd:decimal does not allow',
                    location=f"{location}:{_line_of(text, str(term))}",
                )
    if check:
        if fmt != "json-ld":
            # again on the statements as they will be merged: rdflib read them this time
            # (JSON-LD's graph is pyoxigraph's statements, checked above)
            check_parsed(_as_oxigraph(graph, location), location, text, syntax=syntax)
        if into is not None:
            into += graph
            return into
    return graph


def _oxigraph_statements(text: str, location: str, fmt: str, kept: list[Any] | None) -> Iterator[Any]:
    """pyoxigraph's statements of ``text`` as they are read (each also appended to ``kept``)."""
    import pyoxigraph as ox

    ox_format = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD}[fmt]
    # no base for Turtle: a relative IRI there is a mistake to report. JSON-LD's relative
    # @id resolve against kgi:, as rdflib read them before (without a base they vanish).
    base = "https://w3id.org/jckg/id/" if fmt == "json-ld" else None
    for q in ox.parse(text, format=ox_format, base_iri=base):
        if not isinstance(q.graph_name, ox.DefaultGraph):
            name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            raise InputError(
                f"statements in the named graph {q.graph_name}: a file of facts is one graph",
                location=f"{location}:{_line_of(text, name) if name else 1}",
                hint="put every statement in the default graph (a top-level @graph, without @id)",
            )
        if kept is not None:
            kept.append(q)
        yield q


def _as_oxigraph(graph: Graph, location: str) -> Iterator[Any]:
    import pyoxigraph as ox

    from kg.rdf.convert import to_pyoxigraph

    for s, p, o in graph:
        try:
            yield ox.Triple(to_pyoxigraph(s), to_pyoxigraph(p), to_pyoxigraph(o))
        except (ValueError, TypeError, UnicodeError) as exc:  # a lone surrogate is no character
            raise InputError(
                f"the statement {s.n3()} {p.n3()} ... holds a value that is not Unicode text",
                location=location,
                hint="write the characters themselves, not surrogate escapes",
            ) from exc


# ---------------------------------------------------------------- bounds read off the text

# Turtle's strings, IRIs, comments and escapes, each matched to its end or, unterminated,
# to the end of its line or of the text: no match fails once started, so the scan never
# goes back over the text and stays linear whatever it holds.
_TURTLE_OPAQUE = (
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\Z)'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\Z)"
    r'|"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"?'
    r"|'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*'?"
    r'|<(?:[^<>"{}|^`\\\x00-\x20]|\\[uU][0-9A-Fa-f]{4,8})*>?'
    r"|#[^\n\r]*"
    r"|\\."
)
_TURTLE_TOKENS = re.compile(_TURTLE_OPAQUE + r"|[\[\]()]", re.DOTALL)
# every JSON key or value is one match: strings, openings, closings and scalars
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)|[\[\]{}]|-?[0-9][0-9.eE+-]*|true|false|null', re.DOTALL)


def _scan(tokens: re.Pattern[str], text: str, opening: str, closing: str, max_depth: int, max_values: int | None) -> tuple[str, int] | None:
    """("depth" or "values", offset) where ``text`` first nests deeper than ``max_depth``
    or holds more than ``max_values`` tokens besides closings, else None.

    One match at a time, so its memory does not grow with the text (``re.sub`` would
    hold every piece at once), and it stops at the first excess."""
    depth = values = 0
    for m in tokens.finditer(text):
        c = m.group()
        if c in closing:
            depth -= 1
            continue
        values += 1
        if max_values is not None and values > max_values:
            return "values", m.start()
        if c in opening:
            depth += 1
            if depth > max_depth:
                return "depth", m.start()
    return None


def _check_turtle_nesting(text: str, location: str) -> None:
    found = _scan(_TURTLE_TOKENS, text, "[(", "])", MAX_NESTING, None)
    if found is not None:
        raise InputError(
            f"blank nodes or lists nest deeper than {MAX_NESTING} levels",
            location=f"{location}:{text.count(chr(10), 0, found[1]) + 1}",
            hint="give every node an IRI under kgi: and describe it on its own",
        )


def _check_json_shape(text: str, location: str, max_values: int | None) -> None:
    """Refuse JSON nested deeper than ``MAX_NESTING``, or holding more than ``max_values``
    keys and values, before anything parses it."""
    found = _scan(_JSON_TOKENS, text, "{[", "}]", MAX_NESTING, max_values)
    if found is None:
        return
    what, at = found
    where = f"{location}:{text.count(chr(10), 0, at) + 1}"
    if what == "depth":
        raise InputError(
            f"the JSON nests deeper than {MAX_NESTING} levels",
            location=where,
            hint="flatten the document: one node object per entity in a top-level @graph, linked by @id",
        )
    raise InputError(
        f"the JSON holds more than {max_values:,} keys and values, more than one submission may hold",
        location=where,
        hint="split the submission into smaller files (the environment variable KG_MAX_STATEMENTS sets the limit)",
    )


def _long_token_line(text: str, syntax: str, longest: int) -> int | None:
    """The line of the first string or IRI longer than ``longest`` characters (for a message)."""
    for m in (_JSON_TOKENS if syntax == "json-ld" else _TURTLE_TOKENS).finditer(text):
        if m.end() - m.start() > longest:
            return text.count("\n", 0, m.start()) + 1
    return None


def _remote_context(text: str, location: str) -> bool:
    """Whether any @context (or @import) of a JSON-LD document names another document
    (called after ``_check_json_shape``, which bounds the nesting)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", location=f"{location}:{exc.lineno}:{exc.colno}") from exc

    def refers(value: object) -> bool:
        if isinstance(value, str):
            return True
        if isinstance(value, list):
            return any(refers(v) for v in value)
        if isinstance(value, dict):
            return "@import" in value or walk(value)
        return False

    def walk(node: object) -> bool:
        if isinstance(node, dict):
            return any(refers(v) if k == "@context" else walk(v) for k, v in node.items())
        if isinstance(node, list):
            return any(walk(v) for v in node)
        return False

    return walk(doc)


def blank_nodes(graph: Graph) -> list[tuple]:
    """Triples with a blank node: stored data must have none (they break merging and diffs)."""
    from rdflib import BNode

    return [t for t in graph if any(isinstance(x, BNode) for x in t)]
