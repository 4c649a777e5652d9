"""The references: rdflib's SPARQL engine and pySHACL, as the tool ran before the store.

Nothing in the tool runs on them. They stay so the tests and the bench can hold the
engine (``kg.sparql.engine``, ``kg.shacl.shapes``) to the answers rdflib and pySHACL give. (owlrl, the
third reference, is ``kg.reference.closure``; pySHACL is ``kg.reference.shacl``.)

Safety rules, applied before anything runs:
* read-only: SPARQL Update is refused (the graph changes only through ``kg add``);
* no network: ``SERVICE`` and ``FROM``/``FROM NAMED`` are refused unless the caller passes
  ``allow_network=True`` (rdflib would otherwise fetch URLs and read local files);
* parameters are bound as RDF terms with ``initBindings``, never pasted into the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import rdflib.plugins.sparql as rdflib_sparql
from rdflib import Dataset, Variable
from rdflib.query import Result as SparqlResult
from rdflib.term import Identifier

from kg.errors import NetworkRefused, QueryError
from kg.namespaces import PREFIXES

# rdflib loads FROM <iri> graphs from the web or the disk by default.
rdflib_sparql.SPARQL_LOAD_GRAPHS = False


def _position(exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "col", None)
    return f"{line}:{col}" if line else ""


def _forbidden(algebra: Any) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):  # CompValue is an OrderedDict
            if getattr(node, "name", None) == "ServiceGraphPattern":
                found.append("SERVICE")
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(algebra)
    if algebra.get("datasetClause"):  # only the outer query may have one
        found.append("FROM/FROM NAMED")
    return sorted(set(found))


def prepare(text: str, *, source: str = "<query>", allow_network: bool = False) -> Any:
    """Parse a read-only SPARQL query; raise ``QueryError``/``NetworkRefused`` with a position."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parser import parseUpdate

    body = re.sub(r"(?im)^\s*(#.*|PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*$", "", text)
    if not body.strip():
        raise QueryError(
            "the query is empty", location=source, hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query"
        )
    try:
        prepared = prepareQuery(text, initNs=PREFIXES)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except Exception:
            pos = _position(exc)
            raise QueryError(
                f"SPARQL syntax error: {exc.msg}", location=f"{source}:{pos}" if pos else source
            ) from exc
        raise QueryError(
            "SPARQL Update is not allowed: queries are read-only",
            location=source,
            hint="to add facts, write them to a Turtle file and run `kg add FILE`",
        ) from exc
    except Exception as exc:  # rdflib raises plain exceptions for e.g. an unknown prefix
        raise QueryError(f"SPARQL error: {exc}", location=source) from exc
    forbidden = _forbidden(prepared.algebra)
    if forbidden and not allow_network:
        raise NetworkRefused(
            f"the query uses {' and '.join(forbidden)}, which would fetch data from outside the graph",
            location=source,
            hint="remove it, or pass --allow-network if you mean it",
        )
    return prepared


class Engine:
    """rdflib over a ``Dataset`` whose default graph is the union of its named graphs."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def query(
        self,
        text: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        source: str = "<query>",
        allow_network: bool = False,
    ) -> SparqlResult:
        """Run a SELECT/ASK/CONSTRUCT/DESCRIBE query and return rdflib's result."""
        prepared = prepare(text, source=source, allow_network=allow_network)
        init: dict[str, Identifier] = {Variable(k): v for k, v in (bindings or {}).items()}  # a Variable is a str
        previous = rdflib_sparql.SPARQL_LOAD_GRAPHS
        rdflib_sparql.SPARQL_LOAD_GRAPHS = allow_network
        try:
            result = self.dataset.query(prepared, initBindings=init)
            if result.type == "SELECT":
                # materialise now, so evaluation errors surface here and not mid-output
                result.bindings = list(result.bindings)
            return result
        except QueryError:
            raise
        except Exception as exc:
            raise QueryError(f"the query failed while running: {exc}", location=source) from exc
        finally:
            rdflib_sparql.SPARQL_LOAD_GRAPHS = previous
