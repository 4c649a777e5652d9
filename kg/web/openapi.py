"""An OpenAPI 3 description of the web API, generated from the stored queries' headers
(as grlc does from its query decorators): one operation per stored query, its
parameters typed as the header declares them, its result formats from its form."""

from __future__ import annotations

from typing import Any

from kg import __version__, formats

_SCHEMAS = {
    "iri": {"type": "string", "format": "iri", "description": "an IRI, <IRI>, a CURIE such as kgi:eco, or a name the graph knows (Tajikistan, Таджикистан)"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
}
_TABLE = tuple(f.media for f in formats.web_formats("table") if f.media)
_GRAPH = tuple(f.media for f in formats.web_formats("graph") if f.media)
_ERROR = {"type": "object", "properties": {"status": {"type": "integer"}, "error": {"type": "string"}, "hint": {"type": "string", "nullable": True}}}


def _errors(*codes: int) -> dict[str, Any]:
    meaning = {
        400: "Malformed query or parameter (the message names it)",
        403: "SPARQL Update: the endpoint is read-only",
        404: "No such stored query or entity",
        406: "No result format fits the Accept header",
        413: "Request body over the size limit",
        414: "Query string over the size limit",
        503: "Stopped by the time or result-size limit, or every worker busy",
    }
    return {str(c): {"description": meaning[c], "content": {"application/json": {"schema": _ERROR}}} for c in codes}


def _reconciliation() -> dict[str, Any]:
    """The W3C Reconciliation Service API 0.2 (``kg.web.reconcile``), as OpenRefine calls it."""
    from kg.web.reconcile import MAX_BATCH, MAX_LIMIT

    spec = "https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/"
    queries = {"name": "queries", "in": "query", "required": False, "schema": {"type": "string"},
               "description": f"A reconciliation query batch (JSON): {{\"q0\": {{\"query\": \"Tajikistan\", \"type\": \"kg:State\"}}}}; "
                              f"fields query, type, limit (at most {MAX_LIMIT}), properties ([{{pid, v}}]), type_strict; "
                              f"at most {MAX_BATCH} queries. Without it, the service manifest"}
    json_object = {"application/json": {"schema": {"type": "object"}}}
    tags = ["reconciliation"]
    plural = {"entity": "entities", "type": "types", "property": "properties"}

    def suggest(kind: str) -> dict[str, Any]:
        return {"get": {
            "summary": f"Suggest {plural[kind]} for a prefix (reconciliation suggest API)",
            "operationId": f"reconcileSuggest{kind.title()}",
            "tags": tags,
            "parameters": [{"name": "prefix", "in": "query", "required": True, "schema": {"type": "string"}},
                           {"name": "cursor", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}},
                           {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 50}},
                           *([{"name": "type", "in": "query", "required": False, "schema": {"type": "string"},
                               "description": "Only entities of this type (IRI, CURIE or local name), subclasses included"}] if kind == "entity" else [])],
            "responses": {"200": {"description": "{\"result\": [{id, name, description}]}", "content": json_object}, **_errors(400, 503)},
        }}

    return {
        "/reconcile": {
            "get": {
                "summary": "Reconciliation service (W3C Reconciliation API 0.2): the manifest, or the candidates for a batch of names",
                "description": f"Matches names (a spreadsheet column in OpenRefine) to the graph's IRIs. Specification: {spec}",
                "operationId": "reconcile",
                "tags": tags,
                "parameters": [queries],
                "responses": {"200": {"description": "The service manifest, or the result batch", "content": json_object},
                              **_errors(400, 413, 414, 503)},
            },
            "post": {
                "summary": "Reconciliation query batch in a form (queries=)",
                "operationId": "reconcilePost",
                "tags": tags,
                "requestBody": {"content": {"application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": {"queries": {"type": "string"}}, "required": ["queries"]}}}},
                "responses": {"200": {"description": "The result batch", "content": json_object}, **_errors(400, 413, 503)},
            },
        },
        "/reconcile/preview": {
            "get": {
                "summary": "A small HTML preview of an entity (for an iframe)",
                "operationId": "reconcilePreview",
                "tags": tags,
                "parameters": [{"name": "id", "in": "query", "required": True, "schema": {"type": "string", "format": "iri"}}],
                "responses": {"200": {"description": "An HTML page", "content": {"text/html": {}}}, **_errors(400, 404, 503)},
            }
        },
        **{f"/reconcile/suggest/{kind}": suggest(kind) for kind in ("entity", "type", "property")},
    }


def openapi(queries: list[Any], server: str) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/sparql": {
            "get": {
                "summary": "SPARQL 1.1 Protocol query (read-only)",
                "operationId": "sparql",
                "tags": ["sparql"],
                "parameters": [{"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
                                "description": "A SELECT, ASK, CONSTRUCT or DESCRIBE query; without it, the service description"}],
                "responses": {"200": {"description": "The result, in the format Accept asks for",
                                      "content": {m: {} for m in _TABLE + _GRAPH}}, **_errors(400, 403, 406, 414, 503)},
            },
            "post": {
                "summary": "SPARQL 1.1 Protocol query in the body (form or application/sparql-query)",
                "operationId": "sparqlPost",
                "tags": ["sparql"],
                "requestBody": {"content": {
                    "application/sparql-query": {"schema": {"type": "string"}},
                    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}},
                }},
                "responses": {"200": {"description": "The result", "content": {m: {} for m in _TABLE + _GRAPH}}, **_errors(400, 403, 406, 413, 503)},
            },
        },
        "/queries": {
            "get": {
                "summary": "The stored queries, with their parameters and columns",
                "operationId": "listQueries",
                "tags": ["stored queries"],
                "parameters": [{"name": "tag", "in": "query", "required": False, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "One object per stored query", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}},
            }
        },
        "/search": {
            "get": {
                "summary": "Entities by name in any language, case and accents ignored",
                "operationId": "search",
                "tags": ["entities"],
                "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Matching entities", "content": {"application/json": {"schema": {"type": "object"}}}}},
            }
        },
        **_reconciliation(),
    }
    for q in queries:
        parameters = []
        examples = q.example_values
        for p in q.params.values():
            schema: dict[str, Any] = dict(_SCHEMAS.get(p.type, {"type": "string"}))
            if p.enum:
                schema["enum"] = list(p.enum)
            if p.default is not None:
                schema["default"] = p.default
            # as_of gives the day parameter its value, so a client may leave that one out
            parameter = {"name": p.name, "in": "query", "required": p.required and p.name != q.as_of,
                         "description": p.description, "schema": schema}
            if p.name in examples:
                parameter["example"] = examples[p.name]  # what "Try it out" fills in
            parameters.append(parameter)
        if q.as_of:
            parameters.append({"name": "as_of", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
                               "description": "The graph as the sources known on this day said it" + (f" (also sets {q.as_of})" if q.as_of != "view" else "")})
        parameters.append({"name": "format", "in": "query", "required": False, "schema": {"type": "string"},
                           "description": "A format name (csv, json, ttl, ...) instead of an Accept header"})
        media = _GRAPH if q.form in ("CONSTRUCT", "DESCRIBE") else _TABLE
        columns = "".join(f"\n- `{c}`: {m}" for c, m in q.returns.items())
        paths[f"/queries/{q.name}"] = {
            "get": {
                "summary": q.summary,
                "description": (q.description or "").strip() + (f"\n\nColumns:{columns}" if columns else ""),
                "operationId": q.name,
                "tags": list(q.tags) or ["stored queries"],
                "parameters": parameters,
                "responses": {"200": {"description": f"The {q.form} result", "content": {m: {} for m in media}},
                              **_errors(400, 404, 406, 503)},
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Knowledge graph of regional legal and judicial cooperation",
            "version": __version__,
            "description": "Stored, documented SPARQL queries over the graph of ECO and SCO legal and judicial cooperation, "
                           "and a read-only SPARQL 1.1 endpoint. Generated from the stored queries' headers.",
            "license": {"name": "CC0-1.0"},
        },
        "servers": [{"url": server}],
        "paths": paths,
    }
