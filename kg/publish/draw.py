"""Pictures of the graph: a timeline of events, the participation network, the membership matrix.

    >>> import kg
    >>> from kg.publish.draw import render
    >>> g = kg.open()
    >>> svg = render(g, "timeline")                          # bytes of an SVG document
    >>> png = render(g, "network", entity="kgi:eco-apg-meeting-4", fmt="png")
    >>> b"as of 2025-06-01" in render(g, "timeline", as_of="2025-06-01")   # the graph as it stood then
    True

Everything is read with SPARQL through the facade (``graph.sparql``), so a picture shows
the same view of the graph a query does (the current view, or ``as_of`` a day).

The pictures are drawn with matplotlib (Agg, no pyplot: nothing global is left behind;
the settings are applied with ``matplotlib.rc_context`` only while drawing) and are
deterministic: the same graph gives the same bytes (``svg.hashsalt`` fixed, no date in
the metadata, every order sorted). In SVG, text stays text (``svg.fonttype: none``) and
every event, participant and membership carries a ``<title>`` (its full label and what the
picture says about it): a browser shows it on hover and a test can look for it.

Layouts are computed here, not by a force-directed algorithm: rows in date order for the
timeline, two columns (events | participants) for the network, a grid for the matrix.
When a graph is too big to label event by event (more than ``MAX_EVENT_ROWS`` events on a
timeline, ``MAX_NETWORK_EVENTS`` in a network) the picture aggregates instead: one lane per
meeting format (or organisation) with a mark per event, and one node per meeting format
with edges as thick as the number of participations; a network keeps the
``MAX_PARTICIPANTS`` most frequent participants and says how many it left out. ``by``
chooses for the network ("event", "series"; "auto": by event up to ``MAX_NETWORK_EVENTS``)
and ``years`` ("2016-2020", "2023") keeps the events that started in those years.

A network draws what the graph says about each event: a participation (kg:participation)
is a solid edge in its role's colour, and an actor that only put a proposal forward there
(kg:proposal / kg:proposedBy: the offers of four states at the 6th Meeting) a dashed one,
so that a reader never takes the participants for everyone the event's page names.

Every picture is made to be printed: a title above, a source line below (the dataset's
title, how many source documents the view holds, the store version, the licence), text
never over text (the legends and notes are placed below what is drawn, measured, not at
fixed fractions of the figure; ``tests/test_draw.py`` checks every label's box), and PNGs
at ``PNG_DPI`` (twice the screen's 110 dpi), so that text stays crisp on paper.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import pyoxigraph as ox

from kg.errors import UsageError
from kg.namespaces import PREFIXES, curie
from kg.publish import Graph  # the facade, given to us: never imported here

if TYPE_CHECKING:  # matplotlib itself is imported when a picture is drawn
    from matplotlib.typing import RcKeyType

KINDS = ("timeline", "network", "matrix")
FORMATS = ("svg", "png")

#: Above this many events a timeline draws one lane per group instead of one row per event.
MAX_EVENT_ROWS = 60
#: Above this many events a network joins the events of a meeting format into one node
#: (one row per event needs about half an inch: more would be a poster, not a page).
MAX_NETWORK_EVENTS = 24
#: A network shows at most this many participants (the most frequent ones).
MAX_PARTICIPANTS = 60

KG = PREFIXES["kg"]
KGC = PREFIXES["kgc"]

_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "kg.publish.draw",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "text.parse_math": False,  # a "$" in a label is a dollar sign
    "axes.unicode_minus": False,
    "path.simplify": True,
}
_DPI = 110  # the screen's; the layout is measured at it, in inches
#: PNGs are written at twice the screen's resolution: text stays crisp when printed.
PNG_DPI = 2 * _DPI
#: How a network groups its events.
NETWORK_BY = ("auto", "event", "series")
# matplotlib's rcParams are process-wide: two threads (a server's) draw in turn
_LOCK = threading.Lock()

# tab10, by name, so the colours do not depend on the style in use
_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
_EVENT_COLOURS = {
    "Meeting": "#1f77b4",
    "Summit": "#9467bd",
    "ConferenceSession": "#17becf",
    "SideEvent": "#ff7f0e",
    "BilateralMeeting": "#2ca02c",
    "CourtesyCall": "#d62728",
    "CulturalProgramme": "#e377c2",
    "Event": "#7f7f7f",
}
_ROLE_COLOURS = {
    "delegation": "#1f77b4",
    "host": "#d62728",
    "guest": "#2ca02c",
    "attendee": "#7f7f7f",
    "organiser": "#ff7f0e",
    "proposer": "#6a3d9a",  # PROPOSER, dashed
}
_MEMBERSHIP_STYLE = {  # role -> (marker, face, edge, legend order)
    "founding-member": ("*", "#b8860b", "#6b4f00", 0),
    "member-state": ("o", "#1f77b4", "#0b3d66", 1),
    "observer": ("o", "white", "#1f77b4", 2),
}
# participant kinds: (label, marker, colour), in column order
_KINDS_OF_ACTOR = [
    ("State", "state", "o", "#1f77b4"),
    ("IntergovernmentalOrganization", "organisation", "D", "#d62728"),
    ("Body", "body of an organisation", "^", "#ff7f0e"),
    ("NationalAuthority", "national authority", "p", "#2ca02c"),
    ("Person", "person", "h", "#9467bd"),
    ("", "other", "s", "#7f7f7f"),
]


# ---------------------------------------------------------------- the entry point


def render(
    graph: Graph,
    kind: str,
    *,
    entity: str | None = None,
    fmt: str = "svg",
    as_of: str | dt.date | None = None,
    link: Callable[[str], str | None] | None = None,
    by: str = "auto",
    years: str | None = None,
) -> bytes:
    """The picture ``kind`` (one of ``KINDS``) of ``graph`` as ``fmt`` (``FORMATS``) bytes.

    ``entity`` (a CURIE, IRI or label, resolved by ``graph.resolve``) narrows the picture to
    what concerns it; ``as_of`` (a day) draws the graph as it stood then; ``link`` maps an
    IRI to the URL its label should link to in SVG (``None``: no link); ``by`` (``NETWORK_BY``)
    how a network groups its events; ``years`` ("2016-2020", "2023") the events kept by the
    year they started. Bad input raises ``kg.errors.UsageError``."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown picture format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    with figure(graph, kind, entity=entity, as_of=as_of, link=link, by=by, years=years) as canvas:
        return canvas.save(fmt)


@contextmanager
def figure(
    graph: Graph,
    kind: str,
    *,
    entity: str | None = None,
    as_of: str | dt.date | None = None,
    link: Callable[[str], str | None] | None = None,
    by: str = "auto",
    years: str | None = None,
) -> Iterator[_Canvas]:
    """The drawn picture (``.fig``: the matplotlib figure), while matplotlib's settings are
    those it was drawn with: what :func:`render` saves, for a test to measure."""
    if kind not in KINDS:
        raise UsageError(f"unknown picture {kind!r}", hint=f"use one of {', '.join(KINDS)}")
    if by not in NETWORK_BY:
        raise UsageError(f"unknown grouping {by!r}", hint=f"use one of {', '.join(NETWORK_BY)}")
    span = parse_years(years) if years is not None else None
    reader = _Reader(graph, as_of, span)
    focus = _focus(graph, reader, entity) if entity is not None else None
    with _LOCK:
        import matplotlib

        with matplotlib.rc_context(_RC):
            canvas = _Canvas(link, source=_source_line(graph, reader))
            if kind == "network":
                _network(reader, focus, canvas, by)
            else:
                {"timeline": _timeline, "matrix": _matrix}[kind](reader, focus, canvas)
            yield canvas


def parse_years(text: str) -> tuple[int, int]:
    """'2016-2020' -> (2016, 2020); '2023' -> (2023, 2023)."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?", text)
    if not m:
        raise UsageError(f"years {text!r} are not YEAR or FROM-TO", hint="e.g. 2023 or 2016-2020")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    if lo > hi:
        raise UsageError(f"years {text!r} end before they begin", hint=f"write {hi}-{lo}")
    return lo, hi


def _source_line(graph: Graph, reader: _Reader) -> str:
    """Where the picture comes from, in words the dataset's description uses: nothing the
    graph does not say (the source documents are counted in the view drawn)."""
    from kg.publish.dataset import LICENSE, TITLE

    rows = reader.rows("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:SourceDocument }")
    docs = int(rows[0]["n"].value) if rows else 0
    version = f"graph version {graph.store().key[:12]}"
    if reader.as_of:
        version += f" as of {reader.as_of}"
    licence = "CC0 1.0" if LICENSE == "https://creativecommons.org/publicdomain/zero/1.0/" else LICENSE
    return f"Source: {TITLE}, {docs:,} source document{'s' if docs != 1 else ''}, {version}; licence {licence} ({LICENSE})"


# ---------------------------------------------------------------- reading the graph


class _Reader:
    """SPARQL through the facade, on the current view or as of a day."""

    def __init__(self, graph: Graph, as_of: Any, years: tuple[int, int] | None = None) -> None:
        self.graph = graph
        self.as_of = as_of
        self.years = years
        self._labels: dict[str, str] = {}
        self._short: dict[str, str] = {}

    def rows(self, text: str) -> list[dict[str, Any]]:
        return list(self.graph.sparql(text, as_of=self.as_of, source="<kg.publish.draw>"))

    def ask(self, text: str) -> bool:
        return bool(self.graph.sparql(text, as_of=self.as_of, source="<kg.publish.draw>").boolean)

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        """Readable names: the @en label, else the first label, else the CURIE."""
        wanted = sorted(set(iris) - set(self._labels))
        for chunk in _chunks(wanted, 500):
            found: dict[str, list[tuple[int, str]]] = defaultdict(list)
            values = " ".join(f"<{i}>" for i in chunk)
            for r in self.rows(f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s rdfs:label|skos:prefLabel ?l }}"):
                lit = r["l"]
                if isinstance(lit, ox.Literal):
                    found[r["s"].value].append((0 if lit.language == "en" else 1, lit.value))
            for i in chunk:
                self._labels[i] = min(found[i])[1] if found.get(i) else curie(i)
        return {i: self._labels[i] for i in iris}

    def short_names(self, iris: Iterable[str]) -> dict[str, str]:
        """An acronym (an all-capitals alternative label, ECO, SCO) or the label."""
        iris = list(iris)
        wanted = sorted(set(iris) - set(self._short))
        labels = self.labels(wanted)
        for chunk in _chunks(wanted, 500):
            values = " ".join(f"<{i}>" for i in chunk)
            found: dict[str, list[str]] = defaultdict(list)
            for r in self.rows(f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s skos:altLabel ?l }}"):
                text = r["l"].value
                if re.fullmatch(r"[A-Z][A-Z0-9&-]{1,9}", text):
                    found[r["s"].value].append(text)
            for i in chunk:
                self._short[i] = min(found[i], key=lambda t: (len(t), t)) if found.get(i) else labels[i]
        return {i: self._short[i] for i in iris}


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _focus(graph: Graph, reader: _Reader, entity: str) -> str:
    node = graph.resolve(entity)
    iri = node.value
    if not reader.ask(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"):
        raise UsageError(f"{curie(iri)} is not in the graph", hint="check the IRI, or name the entity by its label")
    return iri


# Events that concern x: the event itself and its parts; the sittings of a meeting format
# and their parts; the sittings (and parts) of an organisation's meeting formats
# (kg:unitOf, any depth); events a state, organisation or body took part in, organised or
# put a proposal forward at (itself, a body of it, or one of its national authorities).
# Computed with lookups that start from bound terms: one SPARQL union of property paths
# took a minute on 10^5 statements.
def _related_events(reader: _Reader, focus: str) -> set[str]:
    within = {r["y"].value for r in reader.rows(f"SELECT DISTINCT ?y WHERE {{ ?y (kg:unitOf|kg:authorityOf)* <{focus}> }}")} | {focus}
    seeds = set()  # events whose parts count too
    found = set()
    for chunk in _chunks(sorted(within), 500):
        values = " ".join(f"<{i}>" for i in chunk)
        for r in reader.rows(f"SELECT DISTINCT ?e WHERE {{ VALUES ?y {{ {values} }} ?e kg:sittingOf ?y }}"):
            seeds.add(r["e"].value)
        for r in reader.rows(f"""SELECT DISTINCT ?e WHERE {{ VALUES ?y {{ {values} }}
                                   {{ ?p kg:participant ?y . ?e kg:participation ?p }} UNION {{ ?e kg:organizer ?y }}
                                   UNION {{ ?e kg:proposal/kg:proposedBy ?y . ?e a/rdfs:subClassOf* kg:Event }} }}"""):
            found.add(r["e"].value)
    seeds.add(focus)
    children: dict[str, list[str]] = defaultdict(list)
    for r in reader.rows("SELECT ?e ?p WHERE { ?e kg:partOfEvent ?p }"):
        children[r["p"].value].append(r["e"].value)
    todo, seen = sorted(seeds), set()
    while todo:
        e = todo.pop()
        if e in seen:
            continue
        seen.add(e)
        todo.extend(children.get(e, ()))
    return found | seen


def _values(var: str, iris: Iterable[str] | None) -> str:
    """A VALUES block restricting ``var`` to ``iris`` (nothing when ``iris`` is None)."""
    if iris is None:
        return ""
    return f"VALUES {var} {{ {' '.join(f'<{i}>' for i in sorted(iris))} }}"


# ---------------------------------------------------------------- events


@dataclass
class _Event:
    iri: str
    type: str  # local name of the most specific kg: event class
    start: dt.date | None = None
    end: dt.date | None = None
    start_text: str = ""
    status: str = ""  # local name of the kgc: concept, "" when unknown
    label: str = ""
    group: tuple[str, str] = ("~", "")  # (sort key, iri or "") of its lane


_DAY = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _day(term: Any) -> dt.date | None:
    """A date, gYearMonth, gYear or dateTime literal as a day (its first day)."""
    if term is None:
        return None
    m = _DAY.match(term.value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _events(reader: _Reader, focus: str | None, *, dated_only: bool, only: set[str] | None = None) -> dict[str, _Event]:
    """Every event (with a start date if ``dated_only``; concerning ``focus``; among ``only``),
    its most specific class, status, label."""
    related = _values("?e", _related_events(reader, focus) if focus else only)
    dated = "?e schema:startDate ?start ." if dated_only else "OPTIONAL { ?e schema:startDate ?start }"
    rows = reader.rows(f"""
        SELECT ?e ?type ?start ?end ?status WHERE {{
          {related}
          ?e a ?type . ?type rdfs:subClassOf* kg:Event .
          {dated}
          OPTIONAL {{ ?e schema:endDate ?end }}
          OPTIONAL {{ ?e kg:eventStatus ?status }}
        }}""")
    parents = {r["sub"].value: r["sup"].value for r in reader.rows(
        "SELECT ?sub ?sup WHERE { ?sub rdfs:subClassOf+ kg:Event . ?sub rdfs:subClassOf ?sup . ?sup rdfs:subClassOf* kg:Event }")}
    depth: dict[str, int] = {}

    def level(c: str) -> int:
        if c not in depth:
            seen, n, cur = set(), 0, c
            while cur in parents and cur not in seen:
                seen.add(cur)
                cur, n = parents[cur], n + 1
            depth[c] = n
        return depth[c]

    events: dict[str, _Event] = {}
    for r in rows:
        e = r["e"]
        if not isinstance(e, ox.NamedNode):
            continue
        ev = events.setdefault(e.value, _Event(e.value, ""))
        t = r["type"].value
        if not ev.type or (level(KG + ev.type), KG + ev.type) < (level(t), t):
            ev.type = _local(t)
        start = _day(r.get("start"))
        if start is not None and (ev.start is None or start < ev.start):
            ev.start, ev.start_text = start, r["start"].value
        end = _day(r.get("end"))
        if end is not None and (ev.end is None or end > ev.end):
            ev.end = end
        if "status" in r:
            ev.status = max(ev.status, _local(r["status"].value))
    if reader.years:
        lo, hi = reader.years
        events = {i: ev for i, ev in events.items() if ev.start and lo <= ev.start.year <= hi}
    labels = reader.labels(events)
    for iri, ev in events.items():
        ev.label = labels[iri]
    return events


def _groups(reader: _Reader, events: dict[str, _Event]) -> dict[tuple[str, str], str]:
    """Give each event its lane: the meeting format it (or the event it is part of) is a
    sitting of, else its organiser's organisation, else "other events". Returns lane titles."""
    sitting = {r["e"].value: r["f"].value for r in reader.rows("SELECT ?e ?f WHERE { ?e kg:sittingOf ?f }")}
    part_of = {r["e"].value: r["p"].value for r in reader.rows("SELECT ?e ?p WHERE { ?e kg:partOfEvent ?p }")}
    unit_of = {r["b"].value: r["o"].value for r in reader.rows("SELECT ?b ?o WHERE { ?b kg:unitOf ?o }")}
    organiser: dict[str, str] = {}
    for r in reader.rows("SELECT ?e ?o WHERE { ?e kg:organizer ?o . ?o a kg:IntergovernmentalOrganization }"):
        organiser[r["e"].value] = min(organiser.get(r["e"].value, r["o"].value), r["o"].value)

    def top(o: str) -> str:
        seen = set()
        while o in unit_of and o not in seen:
            seen.add(o)
            o = unit_of[o]
        return o

    lanes: dict[str, str] = {}
    for ev in events.values():
        cur, seen, lane = ev.iri, set(), ""
        while cur and cur not in seen:
            seen.add(cur)
            if cur in sitting:
                lane = sitting[cur]
                break
            if cur in organiser:
                lane = organiser[cur]
                break
            cur = part_of.get(cur, "")
        lanes[ev.iri] = lane
    names = reader.labels([lane for lane in lanes.values() if lane])
    owners = sorted({top(lane) for lane in lanes.values() if lane in unit_of})
    orgs = reader.short_names(owners)
    org_names = reader.labels(owners)
    titles: dict[str, str] = {}
    for lane in sorted(set(lanes.values())):
        if not lane:
            titles[lane] = "Other events"
            continue
        title = names[lane]
        owner = unit_of.get(lane)
        if owner:
            acronym = orgs[top(lane)]
            if acronym not in title and org_names[top(lane)] not in title:
                title = f"{acronym}: {title}"
        titles[lane] = title
    first: dict[str, tuple[dt.date, str]] = {}
    for ev in events.values():
        key = (ev.start or dt.date.max, ev.iri)
        lane = lanes[ev.iri]
        first[lane] = min(first.get(lane, key), key)
    result: dict[tuple[str, str], str] = {}
    for ev in events.values():
        lane = lanes[ev.iri]
        # lanes in order of their first event; "other events" last
        ev.group = ("~" if not lane else f"{first[lane][0].isoformat()} {titles[lane]}", lane)
        result[ev.group] = titles[lane]
    return result


def _short_event_label(label: str, lane_title: str) -> str:
    """'4th Meeting of the Attorneys/Prosecutors General of the ECO Member States' in the lane of
    that meeting format -> '4th Meeting': the words the label shares with the lane's title,
    from an 'of' on, go."""
    words, lane = label.split(), lane_title.split(": ", 1)[-1].split()
    n = 0
    while n < min(len(words), len(lane)) and words[-1 - n] == lane[-1 - n]:
        n += 1
    if n >= 3:
        tail = words[len(words) - n :]
        if "of" in tail:
            cut = len(words) - n + tail.index("of")
            if cut > 0:
                return " ".join(words[:cut])
    return label


def _wrap(text: str, width: int = 42, lines: int = 2) -> str:
    parts = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def _span(ev: _Event) -> str:
    """'14–16 Sep 2023', '16 May 2024', '2019'."""
    if ev.start is None:
        return "no date"
    text = ev.start_text
    if re.fullmatch(r"-?\d{4}", text):
        return text
    if re.fullmatch(r"-?\d{4}-\d{2}", text):
        return ev.start.strftime("%b %Y")
    s, e = ev.start, ev.end
    if e is None or e <= s:
        return f"{s.day} {s:%b %Y}"
    if (s.year, s.month) == (e.year, e.month):
        return f"{s.day}–{e.day} {e:%b %Y}"
    if s.year == e.year:
        return f"{s.day} {s:%b} – {e.day} {e:%b %Y}"
    return f"{s.day} {s:%b %Y} – {e.day} {e:%b %Y}"


def _status_word(ev: _Event) -> str:
    return ev.status.replace("-", " ") if ev.status else "status unknown"


def _event_style(ev: _Event) -> dict[str, Any]:
    colour = _EVENT_COLOURS.get(ev.type, _PALETTE[_hash_index(ev.type)])
    if ev.status in ("cancelled", "postponed"):
        return {"marker": "X", "markerfacecolor": colour, "markeredgecolor": colour}
    if ev.status == "held":
        return {"marker": "o", "markerfacecolor": colour, "markeredgecolor": "#222222"}
    # scheduled, or unknown: hollow
    return {"marker": "o", "markerfacecolor": "white", "markeredgecolor": colour, "markeredgewidth": 2}


def _hash_index(text: str) -> int:
    """A stable palette index for a name (Python's hash() is salted per process)."""
    return sum(text.encode()) % len(_PALETTE)


_STATUS_LEGEND: list[tuple[str, dict[str, Any]]] = [
    ("held", {"marker": "o", "markerfacecolor": "#555555", "markeredgecolor": "#222222"}),
    ("scheduled (hollow)", {"marker": "o", "markerfacecolor": "white", "markeredgecolor": "#555555", "markeredgewidth": 2}),
    ("cancelled or postponed", {"marker": "X", "markerfacecolor": "#555555", "markeredgecolor": "#555555"}),
]


def _class_names(reader: _Reader, types: Iterable[str]) -> dict[str, str]:
    labels = reader.labels([KG + t for t in types])
    return {t: labels[KG + t][:1].upper() + labels[KG + t][1:] for t in types}


# ---------------------------------------------------------------- the canvas


@dataclass
class _Canvas:
    link: Callable[[str], str | None] | None
    fig: Any = None
    titles: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def figure(self, width: float, height: float) -> Any:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(width, height), dpi=_DPI)
        FigureCanvasAgg(self.fig)
        return self.fig

    def tip(self, artist: Any, text: str, iri: str | None = None) -> None:
        """A hover text (SVG <title>) and, with ``link``, a link on ``artist``."""
        gid = f"kg-{len(self.titles)}"
        artist.set_gid(gid)
        self.titles[gid] = text
        if iri and self.link:
            url = self.link(iri)
            if url:
                artist.set_url(url)

    def legend(self, handles: list[Any], title: str | None = None, **options: Any) -> Any:
        """A legend for :meth:`finish` to place."""
        return self.fig.legend(handles=handles, loc="upper left", frameon=False, fontsize=8.5, title=title, title_fontsize=8.5,
                               alignment="left", **options)

    def finish(self, title: str, legends: Iterable[Any] = (), notes: Iterable[str] = ()) -> None:
        """The title above everything drawn; below it, the legends side by side (a row
        more when they do not fit), the notes and the source line. Placed by measuring
        what is drawn, in inches: whatever the picture's height, nothing lands on a tick
        label or on another legend."""
        fig = self.fig
        renderer = fig.canvas.get_renderer()
        inches = fig.dpi_scale_trans
        width, height = fig.get_size_inches()
        legends = list(legends)
        for legend in legends:  # not yet where they go
            legend.set_visible(False)
        box = fig.get_tightbbox(renderer)  # in inches, from the figure's lower left corner
        for legend in legends:
            legend.set_visible(True)
        left, right = box.x0, max(box.x1, box.x0 + 6.5)

        def at(x: float, y: float) -> tuple[float, float]:
            # in the figure's fraction: savefig's tight crop moves what is placed so, not
            # what is placed in inches
            return x / width, y / height

        def columns(size: float) -> int:  # characters of a line as wide as the picture
            return max(40, int((right - left) * 72 / (size * 0.6)))

        def extent(artist: Any) -> Any:
            return artist.get_window_extent(renderer).transformed(inches.inverted())

        fig.text(*at(left, box.y1 + 0.2), _wrap(title, columns(12), 3), ha="left", va="bottom", fontsize=12, fontweight="bold")
        top = box.y0 - 0.25
        x, bottom = left, top
        for legend in legends:
            legend.set_bbox_to_anchor(at(x, top), transform=fig.transFigure)
            if x > left and extent(legend).x1 > right:
                x, top = left, bottom - 0.1
                legend.set_bbox_to_anchor(at(x, top), transform=fig.transFigure)
            found = extent(legend)
            x, bottom = found.x1 + 0.3, min(bottom, found.y0)
        y = bottom - 0.08
        for text, size, style in [(note, 8.0, "italic") for note in notes if note] + [(self.source, 7.5, "normal")]:
            wrapped = "\n".join(textwrap.fill(line, columns(size)) for line in text.split("\n"))
            t = fig.text(*at(left, y), wrapped, ha="left", va="top", fontsize=size, color="#555555", style=style)
            y = extent(t).y0 - 0.06

    def save(self, fmt: str) -> bytes:
        buf = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        dpi = PNG_DPI if fmt == "png" else _DPI
        self.fig.savefig(buf, format=fmt, metadata=metadata, bbox_inches="tight", pad_inches=0.25, dpi=dpi)
        data = buf.getvalue()
        if fmt == "svg" and self.titles:
            text = data.decode("utf-8")
            for gid, title in self.titles.items():
                text = text.replace(f'<g id="{gid}">', f'<g id="{gid}">\n   <title>{escape(title)}</title>', 1)
            data = text.encode("utf-8")
        return data


# ---------------------------------------------------------------- timeline


def _timeline(reader: _Reader, focus: str | None, canvas: _Canvas) -> None:
    events = _events(reader, focus, dated_only=True)
    if not events:
        if focus:
            raise UsageError(f"{curie(focus)} has no events to draw", hint="the timeline shows events with a start date (schema:startDate)")
        raise UsageError("the graph has no events with a start date to draw")
    lanes = _groups(reader, events)
    undated = 0 if focus or reader.years else _undated_events(reader)
    by_lane: dict[tuple[str, str], list[_Event]] = defaultdict(list)
    for ev in events.values():
        by_lane[ev.group].append(ev)
    for evs in by_lane.values():
        evs.sort(key=lambda e: (e.start or dt.date.max, e.label, e.iri))
    order = sorted(by_lane)
    types = sorted({ev.type for ev in events.values()}, key=lambda t: (list(_EVENT_COLOURS).index(t) if t in _EVENT_COLOURS else 99, t))
    type_names = _class_names(reader, types)
    title = "Events" + (f" concerning {reader.labels([focus])[focus]}" if focus else " of the graph") + _when(reader)
    if len(events) > MAX_EVENT_ROWS:
        _timeline_lanes(canvas, order, by_lane, lanes, types, type_names, title, undated)
        return

    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    # one row per event, a header row per lane
    rows: list[tuple[str, Any]] = []
    for key in order:
        rows.append(("lane", key))
        rows.extend(("event", ev) for ev in by_lane[key])
    height = 1.2 + 0.36 * len(rows) + 0.25 * sum(1 for kind, x in rows if kind == "event" and "\n" in _row_label(x, lanes))
    fig = canvas.figure(11, max(3.2, height))
    ax = fig.add_axes((0.42, 0.12, 0.55, 0.8))
    starts = [ev.start for ev in events.values() if ev.start]
    ends = [ev.end or ev.start for ev in events.values() if ev.start]
    lo, hi = min(starts), max(e for e in ends if e)
    pad = max(dt.timedelta(days=45), (hi - lo) * 0.06)
    ax.set_xlim(mdates.date2num(lo - pad), mdates.date2num(hi + pad * 3.2))
    ax.set_ylim(len(rows) - 0.4, -0.6)
    blended = ax.get_yaxis_transform()
    lane_no = 0
    for y, (kind, item) in enumerate(rows):
        if kind == "lane":
            lane_no += 1
            end = y + len(by_lane[item])
            if lane_no % 2 == 0:
                ax.axhspan(y - 0.5, end + 0.5, color="#f2f2f2", zorder=0)
            ax.text(-0.01, y, _wrap(lanes[item], 70, 2), transform=blended, ha="right", va="center", fontweight="bold", fontsize=9.5, clip_on=False)
            continue
        ev = item
        x = mdates.date2num(ev.start)
        style = _event_style(ev)
        colour = _EVENT_COLOURS.get(ev.type, _PALETTE[_hash_index(ev.type)])
        if ev.end and ev.start and ev.end > ev.start:
            ax.plot([x, mdates.date2num(ev.end)], [y, y], color=colour, linewidth=4, solid_capstyle="round", zorder=2)
        (mark,) = ax.plot([x], [y], linestyle="none", markersize=9, zorder=3, **style)
        info = f"{ev.label} ({_status_word(ev)}, {_span(ev)}; {type_names[ev.type].lower()})"
        canvas.tip(mark, info, ev.iri)
        text = ax.text(-0.01, y, _row_label(ev, lanes), transform=blended, ha="right", va="center", fontsize=9, clip_on=False)
        canvas.tip(text, info, ev.iri)
        when = _span(ev) + ("" if ev.status == "held" else f" · {_status_word(ev)}")
        ax.annotate(when, (x, y), xytext=(9, 0), textcoords="offset points", va="center", fontsize=8,
                    color="#333333" if ev.status == "held" else "#b00020", style="normal" if ev.status == "held" else "italic")
    _date_axis(ax, ticks=(3, 8))
    handles = [Line2D([], [], linestyle="none", marker="s", markersize=9, color=_EVENT_COLOURS.get(t, _PALETTE[_hash_index(t)]), label=type_names[t]) for t in types]
    status = [Line2D([], [], linestyle="none", markersize=9, label=name, **style) for name, style in _STATUS_LEGEND]
    legends = [canvas.legend(handles, "colour: kind of event", ncol=2), canvas.legend(status, "fill: status")]
    note = f"{undated} event{'s' if undated != 1 else ''} without a start date not shown" if undated else ""
    canvas.finish(title, legends, [note])


def _when(reader: _Reader) -> str:
    """What a title says of the years and the day drawn."""
    said = ""
    if reader.years:
        lo, hi = reader.years
        said += f", {lo}" if lo == hi else f", {lo}–{hi}"
    if reader.as_of:
        said += f", as of {reader.as_of}"
    return said


def _date_axis(ax: Any, *, ticks: tuple[int, int]) -> None:
    """A timeline's axes: dates along the bottom with a light grid, rows labelled by hand."""
    import matplotlib.dates as mdates

    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    locator = mdates.AutoDateLocator(minticks=ticks[0], maxticks=ticks[1])
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="x", color="#dddddd", linewidth=0.8, zorder=0)


def _row_label(ev: _Event, lanes: dict[tuple[str, str], str]) -> str:
    return _wrap(_short_event_label(ev.label, lanes[ev.group]), 46, 2)


def _undated_events(reader: _Reader) -> int:
    rows = reader.rows("""SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?t . ?t rdfs:subClassOf* kg:Event .
                          FILTER NOT EXISTS { ?e schema:startDate ?d } }""")
    return int(rows[0]["n"].value) if rows else 0


def _timeline_lanes(canvas: _Canvas, order: list[Any], by_lane: dict[Any, list[_Event]], lanes: dict[Any, str],
                    types: list[str], type_names: dict[str, str], title: str, undated: int) -> None:
    """Too many events to label: one lane per group, a mark per event, counts per lane."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    total = sum(len(v) for v in by_lane.values())
    height = 2.4 + 0.55 * len(order)
    fig = canvas.figure(11, height)
    ax = fig.add_axes((0.3, 0.2, 0.55, 0.7))
    for y, key in enumerate(order):
        evs = by_lane[key]
        for t in types:
            for _status, filled in (("held", True), ("other", False)):
                chosen = [e for e in evs if e.type == t and ((e.status == "held") == filled)]
                if not chosen:
                    continue
                colour = _EVENT_COLOURS.get(t, _PALETTE[_hash_index(t)])
                xs = [mdates.date2num(e.start) for e in chosen]
                ax.plot(xs, [y] * len(xs), linestyle="none", marker="|" if filled else "o", markersize=14 if filled else 6,
                        markeredgewidth=1.2, color=colour, markerfacecolor=colour if filled else "white", alpha=0.55 if filled else 0.9, zorder=3)
        scheduled = sum(1 for e in evs if e.status and e.status != "held")
        first, last = evs[0].start, evs[-1].start
        ax.text(-0.01, y, _wrap(lanes[key], 48, 2), transform=ax.get_yaxis_transform(), ha="right", va="center", fontweight="bold", clip_on=False)
        summary = f"{len(evs):,} event{'s' if len(evs) != 1 else ''}" + (f", {scheduled:,} not held" if scheduled else "") + f"\n{first:%Y}–{last:%Y}"
        ax.text(1.01, y, summary, transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=8, clip_on=False)
    ax.set_ylim(len(order) - 0.5, -0.5)
    _date_axis(ax, ticks=(4, 10))
    handles = [Line2D([], [], linestyle="none", marker="s", markersize=9, color=_EVENT_COLOURS.get(t, _PALETTE[_hash_index(t)]), label=type_names[t]) for t in types]
    marks = [Line2D([], [], linestyle="none", marker="|", markersize=12, markeredgewidth=1.5, color="#555555", label="held"),
             Line2D([], [], linestyle="none", marker="o", markersize=6, color="#555555", markerfacecolor="white", label="scheduled or not held (hollow)")]
    note = f"Too many events ({total:,} > {MAX_EVENT_ROWS}) to label one by one: each mark is one event."
    if undated:
        note += f" {undated:,} events without a start date not shown."
    legends = [canvas.legend(handles, "colour: kind of event", ncol=3), canvas.legend(marks, "mark: status")]
    canvas.finish(f"{title}: {total:,} events, one lane per meeting format", legends, [note])


# ---------------------------------------------------------------- network


def _actor_kind(types: set[str]) -> int:
    for i, (cls, *_rest) in enumerate(_KINDS_OF_ACTOR):
        if cls and KG + cls in types:
            return i
    return len(_KINDS_OF_ACTOR) - 1


def _network(reader: _Reader, focus: str | None, canvas: _Canvas, by: str = "auto") -> None:
    related = _values("?e", _related_events(reader, focus)) if focus else ""
    rows = reader.rows(f"""
        SELECT DISTINCT ?e ?pt ?role WHERE {{
          {related}
          ?e kg:participation ?p . ?p kg:participant ?pt .
          OPTIONAL {{ ?p kg:participationRole ?role }}
        }}""")
    # an actor that put a proposal forward at an event (the 6th Meeting "welcomed offers
    # from" four states it does not record as participants) is drawn too, told apart
    offers = reader.rows(f"""
        SELECT DISTINCT ?e ?pt WHERE {{
          {related}
          ?e kg:proposal/kg:proposedBy ?pt . ?e a/rdfs:subClassOf* kg:Event .
        }}""")
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        role = _local(r["role"].value) if "role" in r else "unknown"
        edges[(r["e"].value, r["pt"].value)].add(role)
    for r in offers:
        if isinstance(r["pt"], ox.NamedNode):
            edges[(r["e"].value, r["pt"].value)].add(PROPOSER)
    all_events = _events(reader, None, dated_only=False, only={e for e, _ in edges})
    if reader.years:  # _events kept the events of those years
        edges = defaultdict(set, {(e, p): rs for (e, p), rs in edges.items() if e in all_events})
    if not edges:
        where = f"{curie(focus)} has" if focus else "the graph has"
        when = f" in {_when(reader)[2:]}" if reader.years else ""
        raise UsageError(f"{where} no participations to draw{when}", hint="the network shows who took part in which event (kg:participation)")
    events = {e: all_events.get(e) or _Event(e, "Event") for e, _ in edges}
    if any(not ev.label for ev in events.values()):
        labels = reader.labels(events)
        for iri, ev in events.items():
            ev.label = ev.label or labels[iri]
    participants = sorted({p for _, p in edges})
    types: dict[str, set[str]] = defaultdict(set)
    for chunk in _chunks(participants, 500):
        values = " ".join(f"<{i}>" for i in chunk)
        for r in reader.rows(f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {values} }} ?s a/rdfs:subClassOf* ?t }}"):
            types[r["s"].value].add(r["t"].value)
    kind = {p: _actor_kind(types[p]) for p in participants}
    around = f": around {reader.labels([focus])[focus]}" if focus else ""
    if by == "series" or (by == "auto" and len(events) > MAX_NETWORK_EVENTS):
        lanes = _groups(reader, events)
        _network_aggregated(reader, canvas, events, lanes, edges, participants, kind, f"Who took part in which meeting format{around}{_when(reader)}", focus, by)
        return
    ev_order = sorted(events.values(), key=lambda e: (e.start or dt.date.max, e.label, e.iri))
    row = {ev.iri: i for i, ev in enumerate(ev_order)}
    weight: dict[str, list[int]] = defaultdict(list)
    for e, p in edges:
        weight[p].append(row[e])
    dropped = 0
    if len(participants) > MAX_PARTICIPANTS:
        keep = sorted(participants, key=lambda p: (-len(weight[p]), p))[:MAX_PARTICIPANTS]
        dropped = len(participants) - len(keep)
        participants = sorted(keep)
    names = reader.labels(participants)
    # participants: by kind, then by the mean row of their events (fewer crossings), then name
    order = sorted(participants, key=lambda p: (kind[p], sum(weight[p]) / len(weight[p]), names[p], p))
    shown = set(participants)
    _bipartite(
        canvas,
        left=[(ev.iri, _wrap(ev.label, 46, 2), _span(ev), ev) for ev in ev_order],
        right=[(p, _wrap(names[p], 40, 2), kind[p]) for p in order],
        edges={(e, p): roles for (e, p), roles in edges.items() if p in shown},
        title=f"Who took part in which event{around}{_when(reader)}",
        focus=focus,
        notes=[f"{dropped} less frequent participants not shown (at most {MAX_PARTICIPANTS})." if dropped else ""],
        event_types=_class_names(reader, sorted({ev.type for ev in ev_order})),
        participant_names=names,
    )


#: The edge of an actor that put a proposal forward at an event without being recorded as
#: taking part in it: a role of its own, drawn dashed.
PROPOSER = "proposer"
_PROPOSER_WORDS = "made a proposal there (not recorded as taking part)"
# inches between two rows: an event's two lines above its centre and its date below; a
# participant's two lines around its centre
_LEFT_PITCH = 0.52
_RIGHT_PITCH = 0.4


def _bipartite(canvas: _Canvas, *, left: list[tuple[str, str, str, Any]], right: list[tuple[str, str, int]],
               edges: dict[tuple[str, str], set[str]], title: str, focus: str | None, notes: list[str],
               event_types: dict[str, str] | None = None, participant_names: dict[str, str] | None = None,
               widths: dict[tuple[str, str], float] | None = None, edge_tips: dict[tuple[str, str], str] | None = None,
               width_legend: list[tuple[float, str]] | None = None) -> None:
    """Events (or groups of events) in a left column, participants in a right one, an edge per
    participation. Rows are laid out in inches, so that no two labels meet however many there are."""
    from matplotlib.lines import Line2D

    height = max(len(left) * _LEFT_PITCH, len(right) * _RIGHT_PITCH, 1.2)
    fig = canvas.figure(12, height)
    ax = fig.add_axes((0.33, 0, 0.34, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(height, 0)

    def spread(items: list[Any]) -> dict[str, float]:
        step = height / len(items)
        return {item[0]: (i + 0.5) * step for i, item in enumerate(items)}

    ly, ry = spread(left), spread(right)
    roles_seen: set[str] = set()
    for (e, p), roles in sorted(edges.items(), key=lambda kv: (ly.get(kv[0][0], 0), ry.get(kv[0][1], 0))):
        if e not in ly or p not in ry:
            continue
        role = min(roles, key=_role_rank)  # one edge per pair: the most telling role
        roles_seen.add(role)
        colour = _ROLE_COLOURS.get(role, "#999999")
        lw = widths[(e, p)] if widths else 1.2
        strong = focus in (e, p)
        (line,) = ax.plot([0, 1], [ly[e], ry[p]], color=colour, linewidth=lw * (1.6 if strong else 1),
                          alpha=(0.85 if not widths else 0.7) if strong or not focus else 0.45, zorder=1, solid_capstyle="butt",
                          linestyle=(0, (4, 2)) if role == PROPOSER else "-")
        if edge_tips and (e, p) in edge_tips:
            canvas.tip(line, edge_tips[(e, p)])
    for iri, text, when, ev in left:
        y = ly[iri]
        if isinstance(ev, _Event):
            style = _event_style(ev)
            style["marker"] = "s"
        else:
            style = {"marker": "s", "markerfacecolor": "#1f77b4", "markeredgecolor": "#222222"}
        big = iri == focus
        (mark,) = ax.plot([0], [y], linestyle="none", markersize=11 if big else 8, zorder=3, clip_on=False, **style)
        label = ax.annotate(text, (0, y), xytext=(-12, 1), textcoords="offset points", ha="right", va="bottom" if when else "center",
                            fontsize=8.5, fontweight="bold" if big else "normal", annotation_clip=False)
        if when:
            ax.annotate(when, (0, y), xytext=(-12, -1), textcoords="offset points", ha="right", va="top", fontsize=7.5, color="#555555",
                        annotation_clip=False)
        info = f"{ev.label} ({_status_word(ev)}, {_span(ev)})" if isinstance(ev, _Event) else f"{ev} ({when})"
        canvas.tip(mark, info, iri if isinstance(ev, _Event) else None)
        canvas.tip(label, info, iri if isinstance(ev, _Event) else None)
    for iri, text, k in right:
        y = ry[iri]
        _cls, _name, marker, colour = _KINDS_OF_ACTOR[k]
        big = iri == focus
        (mark,) = ax.plot([1], [y], linestyle="none", marker=marker, markersize=11 if big else 8, color=colour,
                          markeredgecolor="black" if big else "#222222", markeredgewidth=2 if big else 0.8, zorder=3, clip_on=False)
        label = ax.annotate(text, (1, y), xytext=(12, 0), textcoords="offset points", ha="left", va="center", fontsize=8.5,
                            fontweight="bold" if big else "normal", annotation_clip=False)
        mine = [roles for (e, p), roles in edges.items() if p == iri and e in ly]
        took_part = sum(1 for roles in mine if roles - {PROPOSER})
        offered = len(mine) - took_part
        unit = "event" if widths is None else "meeting format"
        said = [f"took part in {took_part} {unit}{'s' if took_part != 1 else ''}"] if took_part else []
        if offered:
            said.append(f"made a proposal at {offered}{' more' if took_part else f' {unit}'}{'s' if offered != 1 and not took_part else ''}"
                        + ("" if took_part else ", taking part not recorded"))
        info = f"{(participant_names or {}).get(iri, text.replace(chr(10), ' '))} ({_name}; {', '.join(said)})"
        canvas.tip(mark, info, iri)
        canvas.tip(label, info, iri)
    proposers = "" if PROPOSER not in roles_seen else " (and proposers)"
    for x, word in ((0, "meeting formats" if widths else "events"), (1, "participants" + proposers)):
        ax.annotate(word, (x, 0), xytext=(0, 8), textcoords="offset points", ha="center", va="bottom", fontsize=9, color="#555555",
                    style="italic", annotation_clip=False)
    order = list(_ROLE_COLOURS)
    handles = [Line2D([], [], color=_ROLE_COLOURS.get(r, "#999999"), linewidth=2.5, label=_PROPOSER_WORDS if r == PROPOSER else r,
                      linestyle=(0, (4, 2)) if r == PROPOSER else "-")
               for r in sorted(roles_seen, key=lambda r: (order.index(r) if r in order else 99, r))]
    legends = [canvas.legend(handles, "edge: role of the participant")]
    if width_legend:
        legends.append(canvas.legend([Line2D([], [], color="#555555", linewidth=w, label=said) for w, said in width_legend],
                                     "edge width: events of the format"))
    kinds_seen = sorted({k for *_r, k in right})
    shapes = [Line2D([], [], linestyle="none", marker=_KINDS_OF_ACTOR[k][2], color=_KINDS_OF_ACTOR[k][3], markeredgecolor="#222222", markersize=8, label=_KINDS_OF_ACTOR[k][1]) for k in kinds_seen]
    for t, name in sorted((event_types or {}).items(), key=lambda kv: (list(_EVENT_COLOURS).index(kv[0]) if kv[0] in _EVENT_COLOURS else 99, kv[0])):
        shapes.append(Line2D([], [], linestyle="none", marker="s", markersize=8, color=_EVENT_COLOURS.get(t, _PALETTE[_hash_index(t)]),
                             markeredgecolor="#222222", label="event: " + name.lower()))
    if not event_types:
        shapes.append(Line2D([], [], linestyle="none", marker="s", markersize=8, color="#1f77b4", markeredgecolor="#222222", label="events of a meeting format"))
    else:
        shapes += [Line2D([], [], linestyle="none", markersize=8, label="event " + name, **{**style, "marker": "s"}) for name, style in _STATUS_LEGEND[1:2]]
    legends.append(canvas.legend(shapes, "node: kind"))
    canvas.finish(title, legends, notes)


def _role_rank(role: str) -> tuple[int, str]:
    order = ("host", "organiser", "delegation", "guest", "attendee")
    if role == PROPOSER:  # a participant who also made a proposal is drawn as a participant
        return (len(order) + 2, role)
    return (order.index(role) if role in order else len(order), role)


def _network_aggregated(reader: _Reader, canvas: _Canvas, events: dict[str, _Event], lanes: dict[Any, str],
                        edges: dict[tuple[str, str], set[str]], participants: list[str], kind: dict[str, int],
                        title: str, focus: str | None, by: str) -> None:
    """One node per lane (meeting format), edges as thick as the number of its events the participant took part in."""
    count: Counter[tuple[Any, str]] = Counter()
    offers: Counter[tuple[Any, str]] = Counter()  # events where the actor only made a proposal
    roles: dict[tuple[Any, str], Counter[str]] = defaultdict(Counter)
    for (e, p), rs in edges.items():
        key = (events[e].group, p)
        count[key] += 1
        offers[key] += rs == {PROPOSER}
        roles[key].update(rs)
    per_lane: Counter[Any] = Counter(ev.group for ev in events.values())
    per_participant: Counter[str] = Counter()
    for (_lane, p), c in count.items():
        per_participant[p] += c
    keep = sorted(participants, key=lambda p: (-per_participant[p], p))[:MAX_PARTICIPANTS]
    dropped = len(participants) - len(keep)
    names = reader.labels(keep)
    kept = set(keep)
    # fewer crossings: participants by kind and the mean row of their formats, then the
    # formats by the mean row of their participants, then the participants again
    lane_order = sorted(per_lane)
    order = keep
    for _round in range(2):
        lane_row = {k: i for i, k in enumerate(lane_order)}
        order = sorted(keep, key=lambda p: (kind[p], sum(lane_row[lk] * c for (lk, q), c in count.items() if q == p) / per_participant[p], names[p], p))
        if _round == 0:
            at = {p: i for i, p in enumerate(order)}
            pull: dict[Any, list[int]] = defaultdict(list)
            for (lk, p), c in count.items():
                if p in kept:
                    pull[lk] += [at[p]] * c
            lane_order = sorted(lane_order, key=lambda k: (sum(pull[k]) / len(pull[k]) if pull[k] else len(keep), k))
    top = max(count.values())
    ids = {k: f"lane:{i}" for i, k in enumerate(lane_order)}
    left = []
    for k in lane_order:
        evs = [ev for ev in events.values() if ev.group == k]
        starts = sorted(ev.start for ev in evs if ev.start)
        when = f"{per_lane[k]:,} event{'s' if per_lane[k] != 1 else ''}"
        if starts:
            when += f" · {starts[0]:%Y}" + (f"–{starts[-1]:%Y}" if starts[-1].year != starts[0].year else "")
        left.append((ids[k], _wrap(lanes[k], 46, 2), when, lanes[k]))

    def width(c: int) -> float:
        return 0.5 + 5.5 * (c - 1) / max(top - 1, 1)

    edge_roles: dict[tuple[str, str], set[str]] = {}
    widths: dict[tuple[str, str], float] = {}
    tips: dict[tuple[str, str], str] = {}
    for (lk, p), c in count.items():
        if p not in kept:
            continue
        took = roles[(lk, p)].copy()
        del took[PROPOSER]
        edge_roles[(ids[lk], p)] = {took.most_common(1)[0][0]} if took else {PROPOSER}
        widths[(ids[lk], p)] = width(c)
        o = offers[(lk, p)]
        tips[(ids[lk], p)] = (f"{names[p]}: took part in {c - o} of the {per_lane[lk]} event{'s' if per_lane[lk] != 1 else ''} of {lanes[lk]}"
                              + (f", made a proposal at {o} more" if o else ""))
    samples = sorted({1, (top + 1) // 2, top})
    note = (f"{len(events):,} events are joined by meeting format"
            + (f" (more than {MAX_NETWORK_EVENTS} to draw one by one)" if by == "auto" else "")
            + ": an edge's width is the number of the format's events the participant took part in (or made a proposal at), "
              "its colour the participant's most frequent role there.")
    _bipartite(canvas, left=left, right=[(p, _wrap(names[p], 40, 2), kind[p]) for p in order], edges=edge_roles,
               title=title, focus=focus, participant_names=names, widths=widths, edge_tips=tips,
               width_legend=[(width(c), f"{c} event{'s' if c != 1 else ''}") for c in samples],
               notes=[note, f"{dropped:,} less frequent participants not shown (at most {MAX_PARTICIPANTS})." if dropped else ""])


# ---------------------------------------------------------------- matrix


def _matrix(reader: _Reader, focus: str | None, canvas: _Canvas) -> None:
    where = f"FILTER (?st = <{focus}> || ?org = <{focus}> || ?m = <{focus}>)" if focus else ""
    rows = reader.rows(f"""
        SELECT ?m ?st ?org ?role ?start WHERE {{
          ?m a org:Membership ; org:member ?st ; org:organization ?org .
          OPTIONAL {{ ?m org:role ?role }}
          OPTIONAL {{ ?m schema:startDate ?start }}
          {where}
        }}""")
    if not rows:
        if focus:
            raise UsageError(f"{curie(focus)} has no memberships to draw", hint="name a state or an organisation with org:Membership records")
        raise UsageError("the graph has no memberships (org:Membership) to draw")
    cells: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)  # (state, org) -> [(start, role, membership)]
    for r in rows:
        role = _local(r["role"].value) if "role" in r else "member"
        start = r["start"].value if "start" in r else ""
        cells[(r["st"].value, r["org"].value)].append((start, role, r["m"].value))
    states = sorted({s for s, _ in cells})
    orgs = sorted({o for _, o in cells})
    names = reader.labels(states + orgs)
    shorts = reader.short_names(orgs)
    states.sort(key=lambda s: (names[s].casefold(), s))
    orgs.sort(key=lambda o: (shorts[o], o))
    role_names = reader.labels([KGC + r for cell in cells.values() for _s, r, _m in cell])
    from matplotlib.lines import Line2D

    n_rows, n_cols = len(states), len(orgs)
    height = 2.6 + 0.32 * n_rows
    width = max(5.0, 2.6 + 1.5 * n_cols)
    fig = canvas.figure(width, height)
    ax = fig.add_axes((2.3 / width, 0.16, 1.5 * n_cols / width, 0.7))
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    for i in range(n_rows):
        if i % 2:
            ax.axhspan(i - 0.5, i + 0.5, color="#f4f4f4", zorder=0)
    for j in range(n_cols + 1):
        ax.axvline(j - 0.5, color="#cccccc", linewidth=0.8, zorder=1)
    seen_roles: set[str] = set()
    for (st, og), entries in sorted(cells.items()):
        y, x = states.index(st), orgs.index(og)
        entries.sort()
        start, role, _m = entries[-1]  # the latest membership decides the mark
        seen_roles.add(role)
        marker, face, edge, _o = _MEMBERSHIP_STYLE.get(role, ("s", "#7f7f7f", "#333333", 9))
        (mark,) = ax.plot([x - 0.22], [y], linestyle="none", marker=marker, markersize=13 if marker == "*" else 9,
                          markerfacecolor=face, markeredgecolor=edge, markeredgewidth=1.5, zorder=3)
        years = " / ".join(s[:4] for s, _r, _m in entries if s) or "—"
        ax.text(x - 0.05, y, years, ha="left", va="center", fontsize=8.5, zorder=3)
        said = "; ".join(f"{role_names.get(KGC + r, r)}" + (f" since {s}" if s else "") for s, r, _m in entries)
        canvas.tip(mark, f"{names[st]}, {shorts[og]}: {said}", entries[-1][2])
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    for i, st in enumerate(states):
        t = ax.text(-0.53, i, names[st], ha="right", va="center", fontsize=9, fontweight="bold" if st == focus else "normal",
                    transform=ax.transData, clip_on=False)
        canvas.tip(t, names[st], st)
    for j, og in enumerate(orgs):
        head = shorts[og]
        sub = _wrap(names[og], 18, 3) if names[og] != head else ""
        t = ax.annotate(head, (j, -0.5), xytext=(0, 4), textcoords="offset points", ha="center", va="bottom", fontsize=11,
                        fontweight="bold", annotation_clip=False)
        canvas.tip(t, names[og], og)
        if sub:
            ax.annotate(sub, (j, -0.5), xytext=(0, 20), textcoords="offset points", ha="center", va="bottom", fontsize=7, color="#555555",
                        annotation_clip=False)
    title = "Memberships: states × organisations"
    if focus:
        title += f" ({names.get(focus) or reader.labels([focus])[focus]})"
    if reader.as_of:
        title += f", as of {reader.as_of}"
    order = sorted(seen_roles, key=lambda r: (_MEMBERSHIP_STYLE.get(r, ("", "", "", 9))[3], r))
    handles = []
    for role in order:
        marker, face, edge, _o = _MEMBERSHIP_STYLE.get(role, ("s", "#7f7f7f", "#333333", 9))
        handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=13 if marker == "*" else 9, markerfacecolor=face,
                              markeredgecolor=edge, markeredgewidth=1.5, label=role_names.get(KGC + role, role)))
    legend = canvas.legend(handles, "mark: role (of the latest membership) · number: year it started", ncol=min(3, len(handles)))
    canvas.finish(title, [legend])
