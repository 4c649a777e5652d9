"""Every output format, once: its name, kind, media types, file suffixes and the names
people type for it. The CLI's ``-f`` choices and help, the renderers' checks, the web
app's content negotiation and download links, and the OpenAPI description are all read
from this table, so a new format is one row here and one renderer in ``kg.rdf.render``.

Kinds: ``table`` (SELECT and ASK results), ``graph`` (CONSTRUCT, DESCRIBE, exports),
``report`` (a validation report), ``picture`` (``kg draw``). One name may mean a format of two kinds (``xml`` is
SPARQL XML results for a table and RDF/XML for a graph), so a format is found by kind and
name.

    >>> find("graph", "turtle").media
    'text/turtle'
    >>> from_suffix("out.srj")
    'json'
    >>> names("report")
    ('text', 'json', 'turtle')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Format:
    name: str  # what ``-f`` takes and the renderers are asked for
    kind: str  # table, graph or report
    label: str  # what a person reads (a download link, a menu)
    media: str | None  # the media type served; None: a terminal's format only
    also: tuple[str, ...] = ()  # other media types accepted for it in negotiation
    suffixes: tuple[str, ...] = ()  # file names that imply it (``-o out.ttl``)
    aliases: tuple[str, ...] = ()  # ``format=`` values on the web, the first one in links


FORMATS: tuple[Format, ...] = (
    Format("table", "table", "Table", None),
    Format("csv", "table", "CSV", "text/csv", suffixes=(".csv",), aliases=("csv",)),
    Format("tsv", "table", "TSV", "text/tab-separated-values", suffixes=(".tsv",), aliases=("tsv",)),
    Format("json", "table", "JSON", "application/sparql-results+json", also=("application/json",),
           suffixes=(".json", ".srj"), aliases=("json", "srj")),
    Format("xml", "table", "XML", "application/sparql-results+xml", also=("application/xml", "text/xml"),
           suffixes=(".srx",), aliases=("xml", "srx")),
    Format("markdown", "table", "Markdown", "text/markdown", suffixes=(".md",)),
    Format("turtle", "graph", "Turtle", "text/turtle", also=("application/x-turtle",), suffixes=(".ttl",),
           aliases=("ttl", "turtle")),
    Format("nt", "graph", "N-Triples", "application/n-triples", also=("text/plain",), suffixes=(".nt",),
           aliases=("nt", "ntriples")),
    Format("nq", "graph", "N-Quads", "application/n-quads", suffixes=(".nq",), aliases=("nq", "nquads")),
    Format("trig", "graph", "TriG", "application/trig", suffixes=(".trig",), aliases=("trig",)),
    Format("json-ld", "graph", "JSON-LD", "application/ld+json", suffixes=(".jsonld", ".json-ld"),
           aliases=("jsonld", "json-ld")),
    Format("xml", "graph", "RDF/XML", "application/rdf+xml", suffixes=(".rdf", ".owl", ".xml"),
           aliases=("rdfxml", "rdf")),
    Format("text", "report", "Text", "text/plain"),
    Format("json", "report", "JSON", "application/json"),
    Format("turtle", "report", "Turtle", "text/turtle"),
    Format("svg", "picture", "SVG", "image/svg+xml", suffixes=(".svg",)),
    Format("png", "picture", "PNG", "image/png", suffixes=(".png",)),
)

#: the order the web offers each kind in, when the client does not care (first is the default)
_WEB_ORDER = {"table": ("json", "xml", "csv", "tsv"), "graph": ("turtle", "nt", "json-ld", "xml", "trig", "nq")}


def of_kind(kind: str) -> tuple[Format, ...]:
    return tuple(f for f in FORMATS if f.kind == kind)


def names(kind: str) -> tuple[str, ...]:
    """The ``-f`` names of one kind, in the table's order."""
    return tuple(f.name for f in of_kind(kind))


def find(kind: str, name: str) -> Format:
    for f in FORMATS:
        if f.kind == kind and f.name == name:
            return f
    raise KeyError(f"no {kind} format {name!r}")


def from_suffix(path: str | PurePath, kind: str | None = None) -> str | None:
    """The format a file name implies (``out.ttl`` -> ``turtle``), of ``kind`` if given, or ``None``."""
    suffix = PurePath(path).suffix.lower()
    for f in FORMATS:
        if suffix in f.suffixes and kind in (None, f.kind):
            return f.name
    return None


def web_formats(kind: str) -> tuple[Format, ...]:
    """The formats the web serves for ``kind`` (those with a media type), in its order."""
    return tuple(find(kind, n) for n in _WEB_ORDER[kind])


def media_types(kind: str) -> tuple[tuple[str, str], ...]:
    """(media type, format name) pairs the web offers for ``kind``: each format's own type
    in the web's order, then the other types it accepts."""
    formats = web_formats(kind)
    return tuple((f.media, f.name) for f in formats if f.media) + tuple((m, f.name) for f in formats for m in f.also)


def web_names() -> dict[str, str]:
    """``format=`` value -> media type, for clients that cannot set Accept."""
    return {alias: f.media for kind in _WEB_ORDER for f in web_formats(kind) for alias in f.aliases if f.media}


def downloads(kind: str) -> tuple[tuple[str, str], ...]:
    """(label, ``format=`` value) of the download links under a result of ``kind``."""
    return tuple((f.label, f.aliases[0]) for f in web_formats(kind) if f.aliases)


def help_text() -> str:
    """The ``-f`` help of the query commands."""
    return f"{', '.join(names('table'))} (SELECT/ASK); {', '.join(names('graph'))} (CONSTRUCT/DESCRIBE)"
