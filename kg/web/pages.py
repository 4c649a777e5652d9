"""The HTML pages: one Jinja environment, escaping every value by default, used by the
front (forms, listings, errors) and by the workers (entity pages, rendered where their
data is read, so the front's single process does not do it for every page)."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote, urlencode

from kg.namespaces import BASE, PREFIXES, curie, expand_curie

#: entity namespaces served under a path of their own: /id/X is kgi:X
LOCAL_SPACES = ("id", "concept")


@functools.cache
def environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("kg.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(href=href, static_url=static_url, curie=curie, term_parts=term_parts, query_url=query_url, expand=expand_curie)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


@functools.lru_cache(maxsize=1 << 16)  # each link of a page, and the same few on every page
def href(iri: str) -> str:
    """The page of an IRI on this server: ``/id/X`` for ``kgi:X``, else ``/resource?iri=``."""
    for space in LOCAL_SPACES:
        prefix = f"{BASE}{space}/"
        if iri.startswith(prefix) and "?" not in iri and "#" not in iri:
            return f"/{space}/{quote(iri[len(prefix):], safe='/-._~')}"
    return "/resource?" + urlencode({"iri": iri})


@functools.cache
def static_version(name: str) -> str:
    """A short digest of a static file's bytes: in its URL, so a browser may keep it for a
    year and still gets the new one the day it changes."""
    import hashlib
    from importlib import resources

    return hashlib.blake2b((resources.files("kg.web") / "static" / name).read_bytes(), digest_size=6).hexdigest()


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


def query_url(name: str, params: dict[str, str]) -> str:
    return f"/queries/{name}?" + urlencode(params) if params else f"/queries/{name}"


def term_parts(term: Any) -> dict[str, Any]:
    """What a template needs to show a term: kind, text, and for literals language/datatype."""
    import pyoxigraph as ox

    if term is None:
        return {"kind": "none"}
    if isinstance(term, ox.NamedNode):
        return {"kind": "iri", "iri": term.value, "curie": curie(term.value)}
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        shown_dt = "" if term.language or dt == PREFIXES["xsd"] + "string" else curie(dt)
        return {"kind": "literal", "text": term.value, "lang": term.language or "", "datatype": shown_dt}
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "text": f"_:{term.value}"}
    return {"kind": "literal", "text": str(term), "lang": "", "datatype": ""}
