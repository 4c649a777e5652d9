"""Renderers from SPARQL results and RDF graphs to UTF-8 bytes.

One job only: nothing here loads data or runs queries. Every renderer is deterministic:
rendering the same result or graph twice gives identical bytes.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

from kg import formats
from kg.errors import UsageError
from kg.namespaces import PREFIXES, curie
from kg.rdf.convert import to_rdflib_dataset
from kg.sparql.results import Result

# Tables (SELECT, ASK) are rendered from pyoxigraph terms without rdflib, so a stored
# query never pays rdflib's import; graphs go through rdflib's serializers (sorted, with
# the project's prefixes), except N-Triples and N-Quads, written here straight from the
# store's terms so a large export never builds an rdflib graph.
Node = Any
_XSD = "http://www.w3.org/2001/XMLSchema#"

RESULT_FORMATS = formats.names("table")
GRAPH_FORMATS = formats.names("graph")



def escape(text: str) -> str:
    """XML character data (xml.sax.saxutils would import urllib and email: 35 ms a command)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    return '"' + escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


def render_result(result: Result, fmt: str, *, prefixes: dict[str, str] = PREFIXES) -> bytes:
    """Render a query result in ``fmt``.

    SELECT and ASK results take one of ``RESULT_FORMATS`` (``csv``, ``tsv``, ``json`` and
    ``xml`` are the SPARQL 1.1 Query Results formats); CONSTRUCT and DESCRIBE results are
    graphs and take one of ``GRAPH_FORMATS``. ``prefixes`` shortens IRIs to CURIEs in
    ``table`` and ``markdown``. A format that does not fit the result raises ``UsageError``.
    """
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if fmt not in GRAPH_FORMATS:
            _reject(fmt, f"{result.type} results are graphs", GRAPH_FORMATS)
        return render_triples(result.triples, fmt, prefixes=prefixes)
    if fmt not in RESULT_FORMATS:
        _reject(fmt, f"{result.type} results are tables", RESULT_FORMATS)
    if result.type == "ASK":
        answer = bool(result.boolean)
        if fmt == "json":
            return _json_bytes({"head": {}, "boolean": answer})
        if fmt == "xml":
            return _xml_results([], [], answer)
        variables: list[str] = ["ask"]
        rows: list[list[Node | None]] = [[ox.Literal(answer)]]
    else:
        variables = list(result.vars)
        rows = [list(row) for row in result.rows]
    if fmt == "csv":
        return _csv(variables, rows)
    if fmt == "tsv":
        return _tsv(variables, rows)
    if fmt == "json":
        return _json_bytes({
            "head": {"vars": variables},
            "results": {"bindings": [
                {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
                for row in rows
            ]},
        })
    if fmt == "xml":
        return _xml_results(variables, rows)
    cells = [[_cell(t, prefixes) for t in row] for row in rows]
    if fmt == "markdown":
        return _markdown(variables, cells)
    return _table(variables, cells)


def _reject(fmt: str, what: str, allowed: Sequence[str]) -> None:
    choices = ", ".join(allowed)
    if fmt in RESULT_FORMATS or fmt in GRAPH_FORMATS:
        raise UsageError(f"format {fmt!r} does not fit: {what}; choose one of {choices}")
    raise UsageError(f"unknown output format {fmt!r}; choose one of {choices}")


def _term_parts(term: Node) -> tuple[str, str, dict[str, str]]:
    """Kind (``uri``, ``bnode``, ``literal``), value and extras as both result formats name them."""
    if isinstance(term, ox.NamedNode):
        return "uri", term.value, {}
    if isinstance(term, ox.BlankNode):
        return "bnode", term.value, {}
    if isinstance(term, ox.Triple):
        return "triple", str(term), {}
    assert isinstance(term, ox.Literal)
    if term.language:
        return "literal", term.value, {"xml:lang": term.language}
    if term.datatype.value == _XSD + "string":
        return "literal", term.value, {}
    return "literal", term.value, {"datatype": term.datatype.value}


def _json_term(term: Node) -> dict[str, str]:
    kind, value, extra = _term_parts(term)
    return {"type": kind, "value": value, **extra}


def _json_bytes(obj: object) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _xml_results(
    variables: list[str], rows: list[list[Node | None]], ask: bool | None = None
) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "  <head>"]
    out += [f"    <variable name={quoteattr(v)}/>" for v in variables]
    out.append("  </head>")
    if ask is not None:
        out.append(f"  <boolean>{'true' if ask else 'false'}</boolean>")
    else:
        out.append("  <results>")
        for row in rows:
            out.append("    <result>")
            for v, t in zip(variables, row, strict=True):
                if t is not None:
                    kind, value, extra = _term_parts(t)
                    attrs = "".join(f" {k}={quoteattr(x)}" for k, x in extra.items())
                    out.append(f"      <binding name={quoteattr(v)}>"
                               f"<{kind}{attrs}>{escape(value)}</{kind}></binding>")
            out.append("    </result>")
        out.append("  </results>")
    out.append("</sparql>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _csv(variables: list[str], rows: list[list[Node | None]]) -> bytes:
    buf = io.StringIO()
    # the spec asks for CRLF line ends
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(variables)
    # IRIs and literals are written bare (no <> nor datatype); blank nodes as _:label
    writer.writerows([_nt_term(t) if isinstance(t, ox.BlankNode) else _plain(t) for t in row] for row in rows)
    return buf.getvalue().encode("utf-8")


def _plain(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return term.value
    return str(term)


def _nt_string(text: str) -> str:
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return '"' + "".join(escapes.get(c, c) for c in text) + '"'


def _nt_term(term: Node | None) -> str:
    """A term in N-Triples syntax, on one line (rdflib's ``n3()`` may emit long strings)."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, ox.Literal):
        return str(term)
    if term.language:
        return f"{_nt_string(term.value)}@{term.language}"
    dt = term.datatype.value
    if dt == _XSD + "boolean" and term.value in ("true", "false"):
        return term.value  # the abbreviated form SPARQL TSV allows; ASK prints it
    if dt != _XSD + "string":
        return f"{_nt_string(term.value)}^^<{dt}>"
    return _nt_string(term.value)


def _tsv(variables: list[str], rows: list[list[Node | None]]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_nt_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _cell(term: Node | None, prefixes: dict[str, str]) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = curie(term.value, prefixes)
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    else:
        text = _plain(term)
    # one line per row, and tabs would break the column widths
    return text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎").replace("\t", " ")


def _table(variables: list[str], cells: list[list[str]]) -> bytes:
    widths = [max([len(v)] + [len(row[i]) for row in cells]) for i, v in enumerate(variables)]

    def line(values: Iterable[str]) -> str:
        return " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(variables), "-+-".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    out.append(f"({len(cells)} rows)")
    return ("\n".join(out) + "\n").encode("utf-8")


def _markdown(variables: list[str], cells: list[list[str]]) -> bytes:
    def line(values: Iterable[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    out = [line(variables), "|" + "|".join(" --- " for _ in variables) + "|"]
    out += [line(row) for row in cells]
    return ("\n".join(out) + "\n").encode("utf-8")


# ---------------------------------------------------------------- graphs


def render_quads(quads: Iterable[ox.Quad], fmt: str, *, prefixes: dict[str, str] = PREFIXES) -> bytes:
    """Render statements read from the store (``ox.Quad``; triples count as default graph)."""
    if fmt not in GRAPH_FORMATS:
        _reject(fmt, "graphs (CONSTRUCT, DESCRIBE, export)", GRAPH_FORMATS)
    if fmt in ("nt", "nq"):
        keep = fmt == "nq"
        lines = set()
        for q in quads:
            line = f"{_nt_term(q.subject)} {_nt_term(q.predicate)} {nt_object(q.object)}"
            graph = getattr(q, "graph_name", None)
            if keep and isinstance(graph, (ox.NamedNode, ox.BlankNode)):
                line += f" {_nt_term(graph)}"
            lines.add(line + " .\n")
        return "".join(sorted(lines)).encode("utf-8")
    return render_graph(to_rdflib_dataset(quads), fmt, prefixes=prefixes)


def render_store(store: ox.Store, graphs: Sequence[ox.NamedNode | ox.DefaultGraph], fmt: str, *, prefixes: dict[str, str] = PREFIXES) -> bytes:
    """Export ``graphs`` of a pyoxigraph ``store`` in ``fmt``, with pyoxigraph's own writers.

    Each graph is dumped as N-Triples by the store (in Rust: no Python object per
    statement, which is most of what reading a store from Python costs), its lines are
    sorted, and that canonical text is what every format is written from. So the same
    statements give the same bytes whatever store holds them and in whatever order they
    were loaded (an on-disk store lists them in the order of its keys, an in-memory one
    does not). ``nt`` and ``nq``: the sorted lines; ``trig``: one block per graph, graphs
    by name; ``turtle``, ``xml``: the triples of the graphs; ``json-ld``: pyoxigraph's
    expanded JSON-LD (one object per graph) under an ``@context`` of ``prefixes``.
    A triple format given several graphs merges them as a set.
    """
    if fmt not in GRAPH_FORMATS:
        _reject(fmt, "graphs (CONSTRUCT, DESCRIBE, export)", GRAPH_FORMATS)
    ordered = sorted(graphs, key=lambda g: "" if isinstance(g, ox.DefaultGraph) else g.value)
    chunks: list[tuple[ox.NamedNode | ox.DefaultGraph, list[bytes]]] = []
    for g in ordered:
        lines = _written(store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g)).split(b"\n")
        lines.sort()
        chunks.append((g, [line for line in lines if line]))
    if fmt in ("nq", "trig", "json-ld"):
        named = []
        for g, lines in chunks:
            # an N-Triples line ends with " ." and holds no other line break (literals
            # escape theirs), so the graph goes in before that end
            tail = b" ." if isinstance(g, ox.DefaultGraph) else f" {_nt_term(g)} .".encode()
            named.append(b"".join(line[:-2] + tail + b"\n" for line in lines) if tail != b" ." else b"".join(line + b"\n" for line in lines))
        if fmt == "nq":
            merged = b"".join(named).split(b"\n")
            merged.sort()
            return b"".join(line + b"\n" for line in merged if line)
        quads = ox.parse(b"".join(named), format=ox.RdfFormat.N_QUADS)
        if fmt == "trig":
            # a graph name whose local part has a '/' would be written kgg:data\/name:
            # such names read better in full (and as rdflib's TriG wrote them)
            names = [g.value for g, _ in chunks if isinstance(g, ox.NamedNode)]
            kept = {p: ns for p, ns in prefixes.items() if not any(n.startswith(ns) and "/" in n[len(ns):] for n in names)}
            return _written(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=kept))
        body = _written(ox.serialize(quads, format=ox.RdfFormat.JSON_LD))
        return b'{"@context": ' + json.dumps(prefixes, sort_keys=True).encode() + b', "@graph": ' + body.strip() + b"}\n"
    lines = sorted({line for _, found in chunks for line in found}) if len(chunks) > 1 else (chunks[0][1] if chunks else [])
    text = b"".join(line + b"\n" for line in lines)
    if fmt == "nt":
        return text
    triples = ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    kind = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.RDF_XML
    return _written(ox.serialize(triples, format=kind, prefixes=prefixes))


def _written(data: bytes | None) -> bytes:
    # pyoxigraph gives the bytes when no output is named (None only when it writes to one)
    assert data is not None
    return data


def render_triples(triples: Iterable[ox.Triple], fmt: str, *, prefixes: dict[str, str] = PREFIXES) -> bytes:
    return render_quads((ox.Quad(t.subject, t.predicate, t.object) for t in triples), fmt, prefixes=prefixes)


def nt_object(term: Node) -> str:
    # in N-Triples every typed literal is written in full, booleans included
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value != _XSD + "string":
        return f"{_nt_string(term.value)}^^<{term.datatype.value}>"
    return _nt_term(term)


def _sorted_graph_class() -> type:
    import rdflib

    class _SortedGraph(rdflib.Graph):
        """A graph that lists its subjects in sorted order: rdflib's RDF/XML writer follows it."""

        def subjects(self, *args, **kwargs):
            return iter(sorted(set(super().subjects(*args, **kwargs)), key=lambda t: t.n3()))

    return _SortedGraph


def _copy(graph: Any, prefixes: dict[str, str], *, keep_graphs: bool) -> Any:
    import rdflib
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    """A fresh copy with ``prefixes`` bound, filled in sorted order for a stable store order.

    Copying leaves the caller's prefix bindings alone. Without ``keep_graphs`` a dataset is
    flattened to the union of all its graphs.
    """
    if graph.context_aware:
        found = {(s, p, o, c.identifier if isinstance(c, rdflib.Graph) else c)
                 for s, p, o, c in graph.quads((None, None, None, None))}
    else:
        found = {(s, p, o, DATASET_DEFAULT_GRAPH_ID) for s, p, o in graph}
    quads = sorted(found, key=lambda quad: tuple(t.n3() for t in quad))
    target: Any
    if keep_graphs:
        target = rdflib.Dataset()
        graphs = {c: target.graph(c) for c in {q[3] for q in quads}}
        target.addN((s, p, o, graphs[c]) for s, p, o, c in quads)
    else:
        target = _sorted_graph_class()(bind_namespaces="none")
        target.addN((s, p, o, target) for s, p, o, _ in quads)
    for prefix, ns in prefixes.items():
        target.bind(prefix, ns, override=True, replace=True)
    return target


def render_graph(
    graph: Any, fmt: str, *, prefixes: dict[str, str] = PREFIXES
) -> bytes:
    """Render a graph or dataset in one of ``GRAPH_FORMATS``, UTF-8 encoded.

    ``nq``, ``trig`` and ``json-ld`` keep a dataset's named graphs; ``turtle``, ``nt`` and
    ``xml`` (RDF/XML) flatten a dataset to the union of all its graphs. ``turtle`` is
    rdflib's sorted "longturtle"; ``nt`` and ``nq`` lines are sorted. ``json-ld`` is compact,
    with an ``@context`` made of ``prefixes`` and no remote context, so it never fetches.
    The caller's graph is not modified. A result format or an unknown one raises ``UsageError``.
    """
    if fmt not in GRAPH_FORMATS:
        _reject(fmt, "graphs (CONSTRUCT, DESCRIBE, export)", GRAPH_FORMATS)
    import rdflib  # noqa: F401 - the serializers below

    with warnings.catch_warnings():
        # rdflib's own serializers call its deprecated Dataset.contexts()
        warnings.simplefilter("ignore", DeprecationWarning)
        if fmt in ("nt", "nq"):
            target = _copy(graph, prefixes, keep_graphs=fmt == "nq")
            text = target.serialize(format="nquads" if fmt == "nq" else "nt", encoding="utf-8")
            # split on "\n" only: str.splitlines() would also cut at U+2028 inside literals
            lines = sorted(line for line in text.decode("utf-8").split("\n") if line.strip())
            return "".join(line + "\n" for line in lines).encode("utf-8")
        if fmt in ("turtle", "xml"):
            target = _copy(graph, prefixes, keep_graphs=False)
            rdflib_format = "longturtle" if fmt == "turtle" else "xml"
            return target.serialize(format=rdflib_format, encoding="utf-8")
        if fmt == "trig":
            return _trig(_copy(graph, prefixes, keep_graphs=True))
        return _jsonld(_copy(graph, prefixes, keep_graphs=graph.context_aware), prefixes)


def _trig(dataset: Any) -> bytes:
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
    from rdflib.plugins.serializers.trig import TrigSerializer

    serializer = TrigSerializer(dataset)
    # the store keeps its graphs in a set: put the default graph first, then sort by name
    serializer.contexts = sorted(
        serializer.contexts,
        key=lambda g: (g.identifier != DATASET_DEFAULT_GRAPH_ID, g.identifier.n3()),
    )
    buf = io.BytesIO()
    serializer.serialize(buf, encoding="utf-8")
    return buf.getvalue()


def _jsonld(graph: Any, prefixes: dict[str, str]) -> bytes:
    from rdflib.plugins.serializers.jsonld import Converter
    from rdflib.plugins.shared.jsonld.context import Context

    context_data = dict(prefixes)
    context = Context(context_data)
    converter = Converter(context, False, False)
    # rdflib turns on native JSON numbers with a context, which rewrites lexical forms
    # ("1.50" -> 1.5); keep literals as typed values so the output reads back the same
    converter.use_native_types = False
    obj = converter.convert(graph)
    if isinstance(obj, list):
        obj = {context.get_key("@graph"): obj}
    obj = _sorted_json(obj)
    assert isinstance(obj, dict)
    obj["@context"] = context_data
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def _sorted_json(value: object, key: str = "") -> object:
    """Sort JSON-LD arrays (unordered sets of nodes or values) except ``@list`` contents."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value
