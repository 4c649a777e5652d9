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

import logging
import re
from pathlib import Path

import rdflib
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, XSD

from kg.errors import InputError
from kg.layout import Layout, find_layout  # noqa: F401 - re-exported
from kg.namespaces import PREFIXES, bind_prefixes

# rdflib rewrites lexical forms by default ("007" -> "7", "x"^^xsd:boolean -> "false"):
# the graph must keep what its sources say, byte for byte.
rdflib.NORMALIZE_LITERALS = False

#: Files larger than this are refused unless the caller forces them (see ``read_text``).
MAX_FILE_BYTES = 50 * 1024 * 1024

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


def _oxigraph_check(text: str, path: Path, fmt: str) -> None:
    import pyoxigraph

    ox_format = {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES}.get(fmt)
    if ox_format is None:
        return
    try:
        for _ in pyoxigraph.parse(text.encode("utf-8"), format=ox_format):
            pass
    except SyntaxError as exc:
        message = str(exc)
        line, col = _position(message)
        raise InputError(_clean(message), location=f"{path}:{line}:{col}" if line else str(path)) from exc


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
    """Parse one RDF file strictly (into ``into`` or a new graph); ``InputError`` on any problem."""
    fmt = fmt or rdf_format(path)
    text = read_text(path, max_bytes=max_bytes)
    return parse_text(text, location=str(path), fmt=fmt, into=into)


def parse_text(text: str, *, location: str, fmt: str = "turtle", into: Graph | None = None) -> Graph:
    """Parse RDF text strictly (into ``into`` or a new graph); ``location`` names it in
    messages (a path or ``<stdin>``)."""
    path = Path(location)
    if fmt == "json-ld" and _remote_context(text, location):
        # rdflib fetches remote JSON-LD contexts while parsing: never at run time.
        raise InputError(
            "the JSON-LD @context refers to a document that would be fetched from the network",
            location=location,
            hint="inline the context as an object",
        )
    _oxigraph_check(text, path, fmt)
    graph = into if into is not None else Graph()
    # rdflib logs a traceback for each ill-typed literal; they are reported below instead
    term_logger = logging.getLogger("rdflib.term")
    level = term_logger.level
    term_logger.setLevel(logging.CRITICAL)
    # set here too: other libraries (pySHACL) turn normalisation back on after they run
    rdflib.NORMALIZE_LITERALS = False
    try:
        graph.parse(data=text, format=fmt, publicID="https://w3id.org/jckg/id/")
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
    return graph


def _remote_context(text: str, location: str) -> bool:
    """Whether any @context (or @import) of a JSON-LD document names another document."""
    import json

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
    return [t for t in graph if any(isinstance(x, BNode) for x in t)]


# ---------------------------------------------------------------- the dataset


def load_dataset(layout: Layout | None = None, *, extra: list[tuple[URIRef, Graph]] | None = None) -> Dataset:
    """Every graph file of ``layout`` as one named graph of a new dataset.

    The default graph is the current view, as in the store: the union of the named graphs
    minus the statements a supersession record retires (``kg.history``), so queries need
    no GRAPH clause. ``extra`` adds already-parsed graphs (new facts under validation)
    under their names.
    """
    layout = layout or find_layout()
    ds = Dataset(default_union=False)
    bind_prefixes(ds)
    for path in layout.graph_files():
        graph = parse_file(path, max_bytes=None, into=ds.graph(layout.graph_name(path)))
        bnodes = blank_nodes(graph)
        if bnodes:
            raise InputError(
                f"{len(bnodes)} statement(s) use a blank node, e.g. {bnodes[0][0].n3()} {bnodes[0][1].n3()}",
                location=layout.relative(path),
                hint="give every node an IRI under https://w3id.org/jckg/id/",
            )
    for name, graph in extra or []:
        target = ds.graph(name)
        target.addN((s, p, o, target) for s, p, o in graph)
    fill_current_view(ds)
    return ds


def superseded(ds: Dataset) -> set[tuple]:
    """The statements the supersession records of ``ds``'s named graphs retire."""
    kg, rdf = Namespace(PREFIXES["kg"]), RDF
    found = set()
    for graph in ds.graphs():
        if graph.identifier == DATASET_DEFAULT_GRAPH_ID:
            continue
        for record in graph.subjects(rdf.type, kg.Supersession):
            s, p, o = graph.value(record, rdf.subject), graph.value(record, rdf.predicate), graph.value(record, rdf.object)
            if s is not None and isinstance(p, URIRef) and o is not None:
                found.add((s, p, o))
    return found


def fill_current_view(ds: Dataset) -> None:
    """(Re)make ``ds``'s default graph the union of its named graphs minus what is superseded."""
    default = ds.default_graph
    default.remove((None, None, None))
    retired = superseded(ds)
    for graph in ds.graphs():
        if graph.identifier != DATASET_DEFAULT_GRAPH_ID:
            default.addN((s, p, o, default) for s, p, o in graph if (s, p, o) not in retired)


def union_graph(ds: Dataset) -> Graph:
    """A plain graph holding the current view of ``ds``: its named graphs' triples minus
    what is superseded (for tools that do not read datasets)."""
    g = Graph()
    bind_prefixes(g)
    retired = superseded(ds)
    for graph in ds.graphs():
        if graph.identifier != DATASET_DEFAULT_GRAPH_ID:
            for t in graph:
                if t not in retired:
                    g.add(t)
    return g


def ontology_graph(layout: Layout, dataset: Dataset | None = None) -> Graph:
    """Ontology and vocabularies only (pyshacl's ont_graph): taken from ``dataset`` when
    it is already loaded, else parsed from the files."""
    g = Graph()
    for path in sorted(layout.ontology_dir.glob("*.ttl")):
        if path == layout.shapes_file:
            continue
        if dataset is not None:
            g += dataset.graph(layout.graph_name(path))
        else:
            g += parse_file(path, max_bytes=None)
    return g
