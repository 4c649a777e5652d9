"""The W3C Entity Reconciliation Service API, version 0.2, at ``/reconcile``: a researcher
with a spreadsheet of names matches them to the graph's IRIs (in OpenRefine, or any
client of the protocol), and the forms' IRI fields offer entities as a person types.

Specification: https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/
(the JSON Schemas the tests check the answers with are in ``tests/reconcile-schemas``).

* ``GET /reconcile``: the service manifest.
* ``GET|POST /reconcile`` with ``queries=`` (a JSON query batch; a form field in a POST):
  the result batch, one result per query key.
* ``GET /reconcile/preview?id=IRI``: a small HTML page on the entity, for an iframe.
* ``GET /reconcile/suggest/entity|type|property?prefix=TEXT[&cursor=N]``: auto-complete
  (``limit=`` and, for entities, ``type=`` too: extensions the spec does not define).

The front only routes (``endpoint``, ``preview_endpoint``, ``suggest_endpoint``): the
batch's JSON, the prefix and the IRI go as they came to a worker (``kg.web.ops``), which
reads them with the functions below. The matcher is ``kg.suggest.gazetteer``, built once
per store version in each worker and kept (``service``).

Matching. A name scores 0-100 as the gazetteer scores it (exact names in any language 100,
close spellings and word supersets less, the ordinal of "4th meeting" holding events to
their number); an IRI or CURIE as the query finds that entity with 100. ``type`` takes
class IRIs, CURIEs (``kg:City``) or local names (``City``), subclasses included (``Event``
finds meetings); with ``type_strict`` ``any`` (the default) or ``all`` candidates of other
types are left out, with ``should`` they stay 20 points lower. ``properties``: ``pid`` is a
property IRI, CURIE or local name of ``kg:``; a candidate whose value matches (IRIs by IRI,
CURIE or name; literals case- and accent-insensitively, numbers by value) gains, so the
score becomes 0.8 x name + 20 x the share of properties matched; one whose values all
differ is contradicted and never a match. Unknown properties are ignored. ``match`` is
true for one candidate only: its name (or IRI) is exact, its type fits, no property
contradicts it, and no other candidate is all of that.

Caps (``MAX_*``): 50 queries a batch (the manifest's ``batchSize``; more is 413), 1,000
characters a query, 20 types and 20 properties a query, 20 values a property, ``limit``
5 by default and at most 50; suggest answers 10 by default, at most 50, ``cursor`` at
most 1,000, prefixes of at most 200 characters. Bad JSON or a batch not of the schema's
shape is 400 with the query key and field in the message.

Not offered: data extension (``extend``), flyout, authentication, and JSONP (a MAY in
0.2; CORS, which 0.2 requires, is what every answer of the server carries).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from kg.errors import UsageError
from kg.namespaces import PREFIXES, curie, expand_curie

VERSION = "0.2"
IDENTIFIER_SPACE = PREFIXES["kgi"]
SCHEMA_SPACE = PREFIXES["kg"]
SERVICE_NAME = "Legal cooperation graph (ECO, SCO): entities"

MAX_BATCH = 50  # queries in one batch (manifest batchSize); more is 413
MAX_QUERY_CHARS = 1_000
MAX_TYPES = 20
MAX_PROPERTIES = 20
MAX_VALUES = 20
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
SUGGEST_LIMIT = 10
MAX_SUGGEST_LIMIT = 50
MAX_CURSOR = 1_000
MAX_PREFIX_CHARS = 200
PREVIEW_WIDTH, PREVIEW_HEIGHT = 400, 200
SHOULD_PENALTY = 20.0  # type_strict "should": a candidate of another type scores this much less
NAME_SHARE = 0.8  # with properties, the name's share of the score (the rest: properties matched)
DESCRIPTION_CHARS = 200

_KG, _RDF, _RDFS, _SKOS, _DCT, _OWL, _SCHEMA, _XSD = (
    PREFIXES[p] for p in ("kg", "rdf", "rdfs", "skos", "dcterms", "owl", "schema", "xsd"))
#: the types a client is offered first (the manifest's defaultTypes), most used first
DEFAULT_TYPES = (
    _KG + "State", _KG + "IntergovernmentalOrganization", _KG + "Body", _KG + "NationalAuthority", _KG + "Person",
    _KG + "Post", _KG + "City", _KG + "Place", _KG + "MeetingFormat", _KG + "Event", _KG + "Meeting",
    _KG + "Instrument", _KG + "Initiative", _SKOS + "Concept",
)
#: names for types the ontology does not label (in the gazetteer, concepts are the topics)
_TYPE_NAMES = {_SKOS + "Concept": "topic"}
#: what a preview shows of an entity, in this order, when it has them
PREVIEW_FACTS = (
    _KG + "isoAlpha2", _KG + "isoAlpha3", _KG + "memberOf", _KG + "locatedIn", _KG + "seat", _KG + "sittingOf",
    _KG + "ordinal", _SCHEMA + "startDate", _SCHEMA + "endDate", _KG + "location", _KG + "eventStatus",
    _KG + "postIn", _KG + "postRole", _KG + "unitOf", _KG + "partOf", _KG + "adoptionDate", _KG + "instrumentStatus",
    _KG + "underAuspicesOf", _SKOS + "broader",
)
MAX_FACTS = 6
_FIELDS = ("query", "type", "limit", "properties", "type_strict")
_STRICT = ("any", "should", "all")
_HINT = ('send queries={"q0": {"query": "Tajikistan", "type": "kg:State", "limit": 3}}; '
         "fields: query, type, limit, properties ([{pid, v}]), type_strict (any, should, all)")


class BatchTooLarge(UsageError):
    """More queries in a batch than the manifest's ``batchSize`` (HTTP 413)."""


# ---------------------------------------------------------------- the front


def endpoint(app: Any, request: Any) -> Any:
    """``/reconcile``: the manifest without ``queries=``, else the result batch."""
    from kg.web.http import Problem
    from kg.web.http import json_response as _json

    if request.method == "POST":
        if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            raise Problem(415, f"cannot read reconciliation queries sent as {request.mimetype or 'no content type'}",
                          hint="send a form (application/x-www-form-urlencoded) with queries=")
        source = request.form
    else:
        source = request.args
    if "extend" in source or "extend" in request.args:
        raise Problem(400, "this service offers no data extension (extend=)", hint="GET /reconcile: the manifest says what it offers")
    batches = source.getlist("queries") or (request.args.getlist("queries") if request.method == "POST" else [])
    if len(batches) > 1:
        raise Problem(400, "more than one queries= was given", hint="send one JSON object with every query in it")
    if not batches:
        if request.method == "POST":
            raise Problem(400, "the form has no queries=", hint=_HINT)
        return _json(app.call(request, "reconcile_manifest", app.base, what="the reconciliation manifest"))
    try:
        answer = app.call(request, "reconcile_batch", batches[0], what="the reconciliation queries")
    except BatchTooLarge as exc:
        raise Problem(413, exc.message, hint=exc.hint) from None
    return _json(answer)


def preview_endpoint(app: Any, request: Any) -> Any:
    """``/reconcile/preview?id=IRI``: a small HTML page on the entity."""
    from werkzeug.wrappers import Response

    from kg.web.http import Problem

    ids = request.args.getlist("id")
    if len(ids) != 1 or not ids[0].strip():
        raise Problem(400, "which entity? pass one id=IRI", hint="e.g. /reconcile/preview?id=https://w3id.org/jckg/id/state-tj")
    body = app.call(request, "reconcile_preview", ids[0], app.base, what="the preview")
    if body is None:
        raise Problem(404, f"{ids[0][:200]} is not in the graph", hint="find its IRI with /reconcile/suggest/entity?prefix=NAME")
    return Response(body, mimetype="text/html")


def suggest_endpoint(app: Any, request: Any, kind: str) -> Any:
    """``/reconcile/suggest/KIND?prefix=``: entities, types or properties for a prefix."""
    from kg.web.http import Problem
    from kg.web.http import json_response as _json

    if kind not in ("entity", "type", "property"):
        raise Problem(404, f"no suggest service for {kind[:40]!r}", hint="/reconcile/suggest/entity, /type or /property")
    args = request.args
    answer = app.call(request, "reconcile_suggest", kind, args.get("prefix", ""), args.get("cursor", ""),
                      args.get("limit", ""), args.getlist("type"), what=f"the {kind} suggestions")
    return _json(answer)


# ---------------------------------------------------------------- the worker: the service


@dataclass
class Service:
    """What answering needs, for one store version: the matcher and the schema's names."""

    graph: Any  # the facade: labels by its one rule
    store: Any
    gazetteer: Any
    parents: dict[str, set[str]]  # class -> its direct superclasses
    children: dict[str, set[str]]  # class -> its direct subclasses
    properties: dict[str, tuple[str, str]]  # declared property -> (name, description)
    _labels: dict[str, str] = field(default_factory=dict)
    _names: dict[str, frozenset[str]] = field(default_factory=dict)
    _extra: dict[str, Any] = field(default_factory=dict)  # IRI -> Entry (or None) for IRIs outside the gazetteer
    _used: dict[str, bool] = field(default_factory=dict)  # property IRI -> the graph uses it

    # ------------------------------------------------ names

    def label(self, iri: str) -> str:
        if iri not in self._labels:
            import pyoxigraph as ox

            if len(self._labels) > 100_000:
                self._labels.clear()
            self._labels[iri] = self.graph.label(ox.NamedNode(iri)) or _TYPE_NAMES.get(iri) or _local_words(iri)
        return self._labels[iri]

    def type_name(self, iri: str) -> str:
        return _TYPE_NAMES.get(iri) or self.label(iri)

    def names_of(self, iri: str) -> frozenset[str]:
        """The keys of every name ``iri`` goes by (for comparing a property value by name)."""
        found = self._names.get(iri)
        if found is None:
            import pyoxigraph as ox

            from kg.views import NAME_PROPERTIES

            key = self.gazetteer.key

            entry = self.gazetteer.entries.get(iri)
            names = [n for n, _ in entry.names] if entry else [
                q.object.value for p in NAME_PROPERTIES for q in self.store.quads_for_pattern(ox.NamedNode(iri), p, None, ox.DefaultGraph())
                if isinstance(q.object, ox.Literal)]
            found = frozenset(" ".join(key(n)) for n in names) - {""}
            if len(self._names) > 100_000:
                self._names.clear()
            self._names[iri] = found
        return found

    # ------------------------------------------------ entities

    def entry(self, iri: str) -> Any:
        """The gazetteer's entry for ``iri``, or one made from the store for any other IRI
        the graph describes (an identifier given as a query, a preview); None if unknown."""
        found = self.gazetteer.entries.get(iri)
        if found is not None:
            return found
        if iri in self._extra:
            return self._extra[iri]
        import pyoxigraph as ox

        from kg.views import NAME_PROPERTIES

        Entry = self.gazetteer.Entry

        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return None
        quads = list(self.store.quads_for_pattern(node, None, None, ox.DefaultGraph()))
        made = None
        if quads:
            types = sorted({q.object.value for q in quads if q.predicate.value == _RDF + "type" and isinstance(q.object, ox.NamedNode)})
            names = tuple(sorted({(q.object.value, q.object.language or "") for q in quads
                                  if q.predicate in NAME_PROPERTIES and isinstance(q.object, ox.Literal)}))
            description = next((q.object.value for q in quads if q.predicate.value == _DCT + "description" and isinstance(q.object, ox.Literal)), "")
            made = Entry(iri=iri, label=self.label(iri) or curie(iri), kind="other", types=tuple(types), names=names,
                         description=description)
        if len(self._extra) > 10_000:
            self._extra.clear()
        self._extra[iri] = made
        return made

    def values(self, iri: str, prop: str) -> list[Any]:
        import pyoxigraph as ox

        return list({q.object for q in self.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(prop), None, ox.DefaultGraph())})

    # ------------------------------------------------ types and properties

    def narrower(self, cls: str) -> set[str]:
        """``cls`` and every class below it."""
        seen, todo = {cls}, [cls]
        while todo:
            for child in self.children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    def known_types(self) -> list[str]:
        """The classes entities can be reconciled to: those of the gazetteer's entries and
        the defaults, each once."""
        found = dict.fromkeys([*DEFAULT_TYPES, *(_KG + c for c, _ in self.gazetteer.KINDS)])
        return [t for t in found if t in _TYPE_NAMES or t in self.parents or t in self.children]

    def resolve_type(self, text: str) -> str | None:
        """A class IRI for a type as a client writes it: IRI, CURIE, local name, or label."""
        text = text.strip()
        iri = as_iri(text)
        if iri is not None:
            return iri
        known = self.known_types()
        for t in known:
            if text == t.rsplit("#", 1)[-1] or text.casefold() == self.type_name(t).casefold():
                return t
        if _KG + text in self.parents:
            return _KG + text
        return None

    def resolve_property(self, text: str) -> str | None:
        """A property IRI the graph uses, for a pid as a client writes it; None if none."""
        text = text.strip()
        iri = as_iri(text)
        candidates = [iri] if iri else [_KG + text] + [p for p, (name, _) in self.properties.items() if name.casefold() == text.casefold()]
        for p in candidates:
            if p and self.used(p):
                return p
        return None

    def used(self, prop: str) -> bool:
        if prop not in self._used:
            import pyoxigraph as ox

            try:
                node = ox.NamedNode(prop)
            except ValueError:
                return False
            self._used[prop] = next(iter(self.store.quads_for_pattern(None, node, None, ox.DefaultGraph())), None) is not None
        return self._used[prop]


REMOTE_TTL = 60.0  # seconds a service over a remote endpoint is kept (it can change under its key)
_REMOTE: dict[Any, Service] = {}


def service(graph: Any) -> Service:
    """The service for the graph's current store version: built once (about 0.1-0.2 s
    for the bundled graph) and remembered by the facade until the version changes; over
    an endpoint, which can change under its URL, kept for REMOTE_TTL seconds."""
    gs = graph.store()
    if gs.capabilities.versioned:
        return graph.remember("reconcile", (), lambda: _build(graph))
    key = (gs.key, int(time.monotonic() // REMOTE_TTL))
    if key not in _REMOTE:
        _REMOTE.clear()
        _REMOTE[key] = _build(graph)
    return _REMOTE[key]


def _build(graph: Any) -> Service:
    import pyoxigraph as ox

    store = graph.store().store
    parents: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(_RDFS + "subClassOf"), None, ox.DefaultGraph()):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            parents.setdefault(q.subject.value, set()).add(q.object.value)
            children.setdefault(q.object.value, set()).add(q.subject.value)
    properties: dict[str, tuple[str, str]] = {}
    rdf_type = ox.NamedNode(_RDF + "type")
    for kind in (_OWL + "ObjectProperty", _OWL + "DatatypeProperty", _RDF + "Property"):
        for q in store.quads_for_pattern(None, rdf_type, ox.NamedNode(kind), ox.DefaultGraph()):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value not in properties:
                comment = next((c.object.value for c in store.quads_for_pattern(q.subject, ox.NamedNode(_RDFS + "comment"), None, ox.DefaultGraph())
                                if isinstance(c.object, ox.Literal) and c.object.language in ("en", "")), "")
                properties[q.subject.value] = (graph.label(q.subject) or _local_words(q.subject.value), _short(comment))
    return Service(graph=graph, store=store, gazetteer=graph.gazetteer(), parents=parents, children=children, properties=properties)


# ---------------------------------------------------------------- the worker: manifest


def manifest(graph: Any, base: str) -> dict[str, Any]:
    from kg import __version__

    svc = service(graph)
    types = [t for t in DEFAULT_TYPES if t in svc.known_types()]
    return {
        "versions": [VERSION],
        "name": SERVICE_NAME,
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "documentation": base + "/api",
        "serviceVersion": __version__,
        "defaultTypes": [{"id": t, "name": svc.type_name(t)} for t in types],
        "view": {"url": base + "/resource?iri={{id}}"},
        "preview": {"url": base + "/reconcile/preview?id={{id}}", "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
        "suggest": {kind: {"service_url": base, "service_path": f"/reconcile/suggest/{kind}"} for kind in ("entity", "type", "property")},
        "batchSize": MAX_BATCH,
    }


# ---------------------------------------------------------------- the worker: queries


@dataclass(frozen=True)
class Query:
    key: str
    text: str  # "" when only properties are given
    types: tuple[str, ...]
    limit: int
    properties: tuple[tuple[str, tuple[Any, ...]], ...]
    strict: str


def parse_batch(text: str) -> list[Query]:
    """The queries of a batch, checked against the 0.2 query-batch schema (and the spec's
    words: a non-empty query, a positive integer limit) and the caps; UsageError (400)
    or BatchTooLarge (413) naming the query key and field otherwise."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"queries= is not JSON: {str(exc)[:200]}", hint=_HINT) from None
    if not isinstance(data, dict):
        raise UsageError(f"queries= must be a JSON object of queries by key, not {_json_kind(data)}", hint=_HINT)
    if len(data) > MAX_BATCH:
        raise BatchTooLarge(f"the batch has {len(data):,} queries; this service takes at most {MAX_BATCH} at once",
                            hint="send them in smaller batches (the manifest's batchSize)")
    return [_parse_query(k, q) for k, q in data.items()]


def _parse_query(k: str, q: Any) -> Query:
    where = f"query {k[:80]!r}"
    if not isinstance(q, dict):
        raise UsageError(f"{where} must be a JSON object, not {_json_kind(q)}", hint=_HINT)
    unknown = [f for f in q if f not in _FIELDS]
    if unknown:
        raise UsageError(f"{where} has an unknown field {unknown[0][:40]!r}", hint=_HINT)
    text = q.get("query", "")
    if not isinstance(text, str):
        raise UsageError(f"{where}: query must be a string, not {_json_kind(text)}", hint=_HINT)
    if len(text) > MAX_QUERY_CHARS:
        raise UsageError(f"{where}: query is longer than {MAX_QUERY_CHARS:,} characters", hint="a name, not a text")
    types = q.get("type", [])
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise UsageError(f"{where}: type must be a type identifier or a list of them", hint=_HINT)
    if len(types) > MAX_TYPES:
        raise UsageError(f"{where}: more than {MAX_TYPES} types", hint=_HINT)
    limit = q.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not math.isfinite(limit) or limit != int(limit) or limit < 1:
        raise UsageError(f"{where}: limit must be a positive integer, not {json.dumps(limit)[:40]}", hint=_HINT)
    props = q.get("properties", [])
    if not isinstance(props, list):
        raise UsageError(f"{where}: properties must be a list of {{pid, v}} objects", hint=_HINT)
    if len(props) > MAX_PROPERTIES:
        raise UsageError(f"{where}: more than {MAX_PROPERTIES} properties", hint=_HINT)
    parsed = []
    for i, p in enumerate(props):
        if not isinstance(p, dict) or not isinstance(p.get("pid"), str) or "v" not in p:
            raise UsageError(f"{where}: properties[{i}] must be an object with a pid (a string) and a v", hint=_HINT)
        values = p["v"] if isinstance(p["v"], list) else [p["v"]]
        if len(values) > MAX_VALUES:
            raise UsageError(f"{where}: properties[{i}] has more than {MAX_VALUES} values", hint=_HINT)
        for v in values:
            if not (isinstance(v, (str, bool, int, float)) or isinstance(v, dict) and isinstance(v.get("id"), str)
                    and isinstance(v.get("name", ""), str)):
                raise UsageError(f"{where}: properties[{i}].v must be a string, number, boolean or an {{id, name}} object "
                                 "(or a list of them)", hint=_HINT)
        parsed.append((p["pid"], tuple(values)))
    strict = q.get("type_strict", "any")
    if strict not in _STRICT:
        raise UsageError(f"{where}: type_strict must be one of {', '.join(_STRICT)}", hint=_HINT)
    if not text.strip() and not parsed:
        raise UsageError(f"{where} needs a non-empty query or at least one property", hint=_HINT)
    return Query(key=k, text=text.strip(), types=tuple(types), limit=min(int(limit), MAX_LIMIT), properties=tuple(parsed), strict=strict)


def reconcile_batch(graph: Any, text: str) -> dict[str, Any]:
    """The result batch for the query batch ``text`` (JSON, as the client sent it)."""
    queries = parse_batch(text)
    if not queries:
        return {}
    svc = service(graph)
    return {q.key: {"result": answer(svc, q)} for q in queries}


def answer(svc: Service, q: Query) -> list[dict[str, Any]]:
    """The candidates for one query, best first (see the module's words on scoring)."""
    wanted = [svc.resolve_type(t) for t in q.types]
    groups = [svc.narrower(t) if t else set() for t in wanted]  # an unknown type: no class fits it
    props = [(p, values) for p, values in ((svc.resolve_property(pid), values) for pid, values in q.properties) if p]

    def type_ok(entry: Any) -> bool:
        if not groups:
            return True
        have = set(entry.types)
        fits = [bool(have & g) for g in groups]
        return all(fits) if q.strict == "all" else any(fits)

    found: list[tuple[Any, float, bool]] = []  # (entry, name score, exact)
    if q.text:
        iri = as_iri(q.text)
        by_id = svc.entry(iri) if iri else None
        if by_id is not None:
            found.append((by_id, 100.0, True))
        found += [(m.entry, m.score, m.exact) for m in svc.gazetteer.lookup(q.text, limit=len(svc.gazetteer.entries))
                  if by_id is None or m.entry.iri != by_id.iri]
    else:
        found = [(svc.entry(iri), 0.0, False) for iri in _having(svc, props)]
    candidates = []
    for entry, name_score, exact in found:
        if entry is None:
            continue
        fits = type_ok(entry)
        if not fits and q.strict != "should":
            continue
        matched = contradicted = 0
        for prop, values in props:
            have = svc.values(entry.iri, prop)
            if any(_same(svc, o, v) for o in have for v in values):
                matched += 1
            elif have:
                contradicted += 1
        share = matched / len(props) if props else None
        if share is None:
            score = name_score
        elif q.text:
            score = NAME_SHARE * name_score + (100 - 100 * NAME_SHARE) * share
        else:
            score, exact = 100.0 * share, share == 1.0
            if share == 0:
                continue
        if not fits:
            score = max(0.0, score - SHOULD_PENALTY)
        features = [{"id": "name", "value": round(name_score, 1)}, {"id": "exact_name", "value": exact}]
        if groups:
            features.append({"id": "type_match", "value": fits})
        if props:
            features += [{"id": "properties_matched", "value": round(share or 0.0, 3)}, {"id": "properties_contradicted", "value": contradicted}]
        candidates.append((entry, round(score, 1), exact and fits and not contradicted, features))
    sure = [c for c in candidates if c[2]]
    candidates.sort(key=lambda c: (-c[1], not c[2], c[0].label.casefold(), c[0].iri))
    out = []
    for entry, score, certain, features in candidates[:q.limit]:
        item: dict[str, Any] = {"id": entry.iri, "name": entry.label or curie(entry.iri), "score": score,
                                "match": certain and len(sure) == 1,
                                "type": [{"id": t, "name": svc.type_name(t)} for t in entry.types],
                                "features": features}
        if entry.description:
            item["description"] = _short(entry.description)
        out.append(item)
    return out


def _having(svc: Service, props: list[tuple[str, tuple[Any, ...]]]) -> list[str]:
    """Entities with a matching value for at least one of ``props`` (a query without a name)."""
    import pyoxigraph as ox

    found: set[str] = set()
    for prop, values in props:
        for quad in svc.store.quads_for_pattern(None, ox.NamedNode(prop), None, ox.DefaultGraph()):
            if isinstance(quad.subject, ox.NamedNode) and quad.subject.value not in found and any(_same(svc, quad.object, v) for v in values):
                found.add(quad.subject.value)
    return sorted(found)


def _same(svc: Service, term: Any, v: Any) -> bool:
    """Whether the graph's value ``term`` is the client's value ``v``."""
    import pyoxigraph as ox

    key = svc.gazetteer.key

    if isinstance(v, dict):
        iri = as_iri(v["id"])
        if isinstance(term, ox.NamedNode) and iri == term.value:
            return True
        return bool(v.get("name")) and _same(svc, term, v["name"])
    if isinstance(term, ox.NamedNode):
        if not isinstance(v, str):
            return False
        if as_iri(v) == term.value:
            return True
        return " ".join(key(v)) in svc.names_of(term.value)
    if not isinstance(term, ox.Literal):
        return False
    if isinstance(v, bool):
        return term.datatype.value == _XSD + "boolean" and term.value in (("true", "1") if v else ("false", "0"))
    number = _number(v) if isinstance(v, (int, float, str)) else None
    mine = _number(term.value)
    if number is not None and mine is not None:
        return number == mine
    return isinstance(v, str) and " ".join(key(v)) == " ".join(key(term.value)) != ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return n if math.isfinite(n) else None


# ---------------------------------------------------------------- the worker: suggest and preview


def suggest(graph: Any, kind: str, prefix: str, cursor: str, limit: str, types: list[str]) -> dict[str, Any]:
    """The suggest services' answer: ``{"result": [{id, name, description?, ...}]}``."""
    start = _count(cursor, "cursor", 0, MAX_CURSOR, 0)
    size = _count(limit, "limit", 1, MAX_SUGGEST_LIMIT, SUGGEST_LIMIT)
    if len(prefix) > MAX_PREFIX_CHARS:
        raise UsageError(f"prefix is longer than {MAX_PREFIX_CHARS} characters", hint="the start of a name")
    svc = service(graph)
    text = prefix.strip()
    if kind == "entity":
        items = _suggest_entities(svc, text, start + size, types)
    elif kind == "type":
        items = _suggest_types(svc, text)
    else:
        items = _suggest_properties(svc, text)
    return {"result": items[start:start + size]}


def _count(text: str, name: str, low: int, high: int, default: int) -> int:
    if not text.strip():
        return default
    try:
        n = int(text)
    except ValueError:
        raise UsageError(f"{name} must be a whole number, not {text[:40]!r}") from None
    if n < low:
        raise UsageError(f"{name} must be at least {low}")
    return min(n, high)


def _suggest_entities(svc: Service, text: str, upto: int, types: list[str]) -> list[dict[str, Any]]:
    if not text:
        return []
    allowed: set[str] | None = None
    if types:
        allowed = set()
        for t in types[:MAX_TYPES]:
            resolved = svc.resolve_type(t)
            if resolved:
                allowed |= svc.narrower(resolved)
    items: list[tuple[Any, str]] = []  # (entry, the name that matched)
    iri = as_iri(text) if ":" in text else None
    if iri is not None:  # an identifier, or the start of one: kgi:state-t
        exact = svc.entry(iri)
        if exact is not None:
            items.append((exact, exact.label))
        items += [(e, e.label) for i, e in sorted(svc.gazetteer.entries.items()) if i.startswith(iri) and i != iri]
        if allowed is not None:
            items = [(e, n) for e, n in items if allowed & set(e.types)]
    else:
        items = [(m.entry, m.name) for m in svc.gazetteer.complete(text, types=allowed, limit=upto)]
    out = []
    for entry, name in items[:upto]:
        type_names = [svc.type_name(t) for t in entry.types]
        shown = ", ".join(type_names)
        item: dict[str, Any] = {"id": entry.iri, "name": entry.label or curie(entry.iri),
                                "description": f"{name} · {shown}" if name and name != entry.label else shown,
                                "notable": [{"id": t, "name": n} for t, n in zip(entry.types, type_names, strict=True)]}
        if not item["description"]:
            del item["description"]
        out.append(item)
    return out


def _suggest_types(svc: Service, text: str) -> list[dict[str, Any]]:
    known = svc.known_types()
    out = []
    for t in known:
        name = svc.type_name(t)
        if text and not (_starts(text, name) or _starts(text, t.rsplit("#", 1)[-1]) or _starts(text, curie(t))):
            continue
        item: dict[str, Any] = {"id": t, "name": name}
        broader = sorted(p for p in svc.parents.get(t, ()) if p in known)
        if broader:
            item["broader"] = [{"id": p, "name": svc.type_name(p)} for p in broader]
        out.append(item)
    return out


def _suggest_properties(svc: Service, text: str) -> list[dict[str, Any]]:
    out = []
    for p, (name, description) in sorted(svc.properties.items(), key=lambda kv: (kv[1][0].casefold(), kv[0])):
        if text and not (_starts(text, name) or _starts(text, p.rsplit("#", 1)[-1].rsplit("/", 1)[-1]) or _starts(text, curie(p))):
            continue
        out.append({"id": p, "name": name, **({"description": description} if description else {})})
    return out


def _starts(prefix: str, name: str) -> bool:
    """``name``, or one of its words, starts with ``prefix`` (case ignored)."""
    p, n = prefix.casefold(), name.casefold()
    return n.startswith(p) or f" {p}" in f" {n}"


def preview(graph: Any, text: str, base: str) -> str | None:
    """A small HTML page on the entity ``text`` names (IRI or CURIE), or None if unknown."""
    import pyoxigraph as ox

    from kg.web.pages import href, render

    iri = as_iri(text.strip())
    if iri is None:
        raise UsageError(f"{text[:200]!r} is not an IRI", hint="pass id=IRI, e.g. https://w3id.org/jckg/id/state-tj (or a CURIE, kgi:state-tj)")
    svc = service(graph)
    entry = svc.entry(iri)
    if entry is None:
        return None
    facts = []
    for prop in PREVIEW_FACTS:
        values = sorted(svc.values(iri, prop), key=str)
        if not values:
            continue
        shown = [svc.label(v.value) or curie(v.value) if isinstance(v, ox.NamedNode) else str(getattr(v, "value", v)) for v in values[:5]]
        facts.append((svc.label(prop), ", ".join(shown) + (" …" if len(values) > 5 else "")))
        if len(facts) >= MAX_FACTS:
            break
    from kg.views import NAME_PROPERTIES

    # the names the graph states (not the gazetteer's matching aids, which are no facts)
    stated = sorted({q.object.value for p in NAME_PROPERTIES for q in svc.store.quads_for_pattern(ox.NamedNode(iri), p, None, ox.DefaultGraph())
                     if isinstance(q.object, ox.Literal)})
    others = [n for n in stated if n != entry.label][:6]
    return render("reconcile-preview.html", label=entry.label or curie(iri), iri=iri, curie=curie(iri), page=base + href(iri),
                  types=[svc.type_name(t) for t in entry.types], description=_short(entry.description, 300), facts=facts,
                  others=others, width=PREVIEW_WIDTH, height=PREVIEW_HEIGHT)


# ---------------------------------------------------------------- helpers


def as_iri(text: str) -> str | None:
    """The IRI ``text`` writes (``<IRI>``, an absolute IRI, or a CURIE with the project's
    prefixes), or None when it is none of these (a name)."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if text.startswith(("http://", "https://", "urn:")) and " " not in text:
        return text
    if " " not in text and ":" in text:
        return expand_curie(text)
    return None


def _local_words(iri: str) -> str:
    import re

    local = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).replace("-", " ").lower()


def _short(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"


def _json_kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")
