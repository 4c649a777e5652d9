"""kg.publish.draw: the timeline, participation network and membership matrix pictures."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

import pytest

from kg.errors import UsageError
from kg.publish import draw
from kg.publish.draw import FORMATS, KINDS, render

PNG = b"\x89PNG\r\n\x1a\n"


def titles(svg: bytes) -> list[str]:
    """The hover texts of the picture (one <title> per event, participant, membership)."""
    return re.findall(r"<title>([^<]*)</title>", svg.decode("utf-8"))


def labels_of(bundled, query: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r["x"]: r["label"] for r in bundled.sparql(query).to_dicts(plain=True)}


@pytest.fixture(scope="module")
def timeline_svg(bundled) -> bytes:  # type: ignore[no-untyped-def]
    return render(bundled, "timeline")


# ---------------------------------------------------------------- timeline


def test_every_dated_event_is_on_the_timeline_by_its_label(bundled, timeline_svg: bytes) -> None:  # type: ignore[no-untyped-def]
    events = labels_of(bundled, """
        SELECT ?x ?label WHERE { ?x a ?t . ?t rdfs:subClassOf* kg:Event . ?x schema:startDate ?d ;
                                 rdfs:label ?label FILTER (lang(?label) = "en") }""")
    assert len(events) >= 8
    shown = "\n".join(titles(timeline_svg))
    for iri, label in events.items():
        assert escape(label) in shown, (iri, label)
    text = timeline_svg.decode("utf-8")
    assert "<text" in text and "4th Meeting" in text  # text is text, shortened in its lane
    assert "Meeting of the Attorneys/Prosecutors General of the ECO Member States" in text  # the lane
    assert "without a start date not shown" in text  # kgi:eco-apg-meeting-1..3 have none


def test_scheduled_and_held_are_told_apart_as_of_a_day(bundled, timeline_svg: bytes) -> None:  # type: ignore[no-untyped-def]
    sixth = "6th Meeting of the Attorneys/Prosecutors General of the ECO Member States"
    then = render(bundled, "timeline", as_of="2025-06-01")
    assert any(t.startswith(f"{sixth} (scheduled, 25–26 Sep 2025") for t in titles(then))
    assert "25–26 Sep 2025 · scheduled" in then.decode("utf-8")  # written beside the (hollow) mark
    assert "as of 2025-06-01" in then.decode("utf-8")
    assert any(t.startswith(f"{sixth} (held,") for t in titles(timeline_svg))
    # held now: nothing of the 6th Meeting is drawn as scheduled (other meetings of the
    # record are announced and may be)
    assert not any(t.startswith(f"{sixth} (scheduled") for t in titles(timeline_svg))
    assert f"{sixth} (held," in "\n".join(titles(timeline_svg))


def test_timeline_of_an_entity_shows_only_its_events(bundled) -> None:  # type: ignore[no-untyped-def]
    shown = "\n".join(titles(render(bundled, "timeline", entity="kgi:sco")))
    assert "Meeting of the SCO Council of Heads of State" in shown
    assert "of the Attorneys/Prosecutors General of the ECO" not in shown  # an ECO series
    # a state: the events it (or one of its authorities) took part in
    az = "\n".join(titles(render(bundled, "timeline", entity="Azerbaijan")))
    assert "4th Meeting" in az and "Bilateral meeting of the ECO Secretary General" in az
    assert "Heads of State" not in az
    # a meeting format: its sittings and what was held during them
    fmt = "\n".join(titles(render(bundled, "timeline", entity="kgi:eco-apg-meeting")))
    assert "Cultural Programme during the 5th Meeting" in fmt and "COP29" not in fmt


# ---------------------------------------------------------------- network


def test_every_participant_of_the_4th_meeting_is_in_the_network(bundled) -> None:  # type: ignore[no-untyped-def]
    people = labels_of(bundled, """
        SELECT ?x ?label WHERE { kgi:eco-apg-meeting-4 kg:participation/kg:participant ?x .
                                 ?x rdfs:label ?label FILTER (lang(?label) = "en") }""")
    assert len(people) >= 9
    for svg in (render(bundled, "network"), render(bundled, "network", entity="kgi:eco-apg-meeting-4")):
        shown = "\n".join(titles(svg))
        text = svg.decode("utf-8")
        for iri, label in people.items():
            assert escape(label) in shown, (iri, label)
        assert "delegation" in text and "edge: role of the participant" in text  # the legend
    narrow = "\n".join(titles(render(bundled, "network", entity="kgi:eco-apg-meeting-4")))
    assert "Saudi Arabia" not in narrow  # a guest at the 5th, not at the 4th


# ---------------------------------------------------------------- matrix


def test_matrix_has_every_member_state_and_marks_founders(bundled) -> None:  # type: ignore[no-untyped-def]
    svg = render(bundled, "matrix")
    shown = titles(svg)
    states = labels_of(bundled, """
        SELECT DISTINCT ?x ?label WHERE { ?m a org:Membership ; org:member ?x . ?x rdfs:label ?label FILTER (lang(?label) = "en") }""")
    assert len(states) >= 14
    for iri, label in states.items():
        assert escape(label) in shown, (iri, label)
    founders = labels_of(bundled, """
        SELECT ?x ?label WHERE { ?m a org:Membership ; org:member ?x ; org:organization kgi:eco ; org:role kgc:founding-member .
                                 ?x rdfs:label ?label FILTER (lang(?label) = "en") }""")
    assert sorted(founders.values()) == ["Iran", "Pakistan", "Türkiye"]
    for label in founders.values():
        assert f"{label}, ECO: founding member since 1985" in shown
    assert "Azerbaijan, ECO: member state since 1992-11-28" in shown
    text = svg.decode("utf-8")
    assert "founding member" in text and "member state" in text and ">ECO<" in text.replace("\n", "")  # legend, column


# ---------------------------------------------------------------- formats, determinism, errors


@pytest.mark.parametrize("kind", KINDS)
def test_png_and_svg_are_well_formed_and_deterministic(bundled, kind: str) -> None:  # type: ignore[no-untyped-def]
    import matplotlib

    before = dict(matplotlib.rcParams)
    png = render(bundled, kind, fmt="png")
    assert png.startswith(PNG)
    assert render(bundled, kind, fmt="png") == png
    svg = render(bundled, kind)
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    assert render(bundled, kind, fmt="svg") == svg
    import xml.etree.ElementTree as ET

    ET.fromstring(svg)  # the <title> elements kept it well formed
    assert dict(matplotlib.rcParams) == before  # no global matplotlib state changed


def test_links_are_written_when_asked(bundled) -> None:  # type: ignore[no-untyped-def]
    svg = render(bundled, "matrix", link=lambda iri: "/id/" + iri.rsplit("/", 1)[1]).decode("utf-8")
    assert 'xlink:href="/id/state-ir"' in svg


def test_bad_kind_and_format_name_the_allowed_values(bundled) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="unknown picture 'pie'.*timeline, network, matrix"):
        render(bundled, "pie")
    with pytest.raises(UsageError, match="unknown picture format 'pdf'.*svg, png"):
        render(bundled, "timeline", fmt="pdf")
    assert FORMATS == ("svg", "png") and KINDS == ("timeline", "network", "matrix")


def test_unknown_or_empty_entities_are_usage_errors(bundled) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="nothing in the graph is named"):
        render(bundled, "network", entity="Atlantis of the North")
    with pytest.raises(UsageError, match="kgi:no-such-thing is not in the graph"):
        render(bundled, "timeline", entity="kgi:no-such-thing")
    # a proposed centre: the graph knows it, but no event concerns it
    with pytest.raises(UsageError, match="kgi:sco-universal-centre has no events to draw"):
        render(bundled, "timeline", entity="kgi:sco-universal-centre")
    with pytest.raises(UsageError, match="kgi:sco-universal-centre has no participations to draw"):
        render(bundled, "network", entity="kgi:sco-universal-centre")
    with pytest.raises(UsageError, match="kgi:eco-apg-meeting-4 has no memberships to draw"):
        render(bundled, "matrix", entity="kgi:eco-apg-meeting-4")
    matrix = titles(render(bundled, "matrix", entity="kgi:sco"))
    assert any(t.startswith("China, SCO") for t in matrix) and not any(", ECO:" in t for t in matrix)


def test_big_graphs_are_aggregated_instead_of_labelled(bundled, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(draw, "MAX_EVENT_ROWS", 3)
    monkeypatch.setattr(draw, "MAX_NETWORK_EVENTS", 3)
    monkeypatch.setattr(draw, "MAX_PARTICIPANTS", 5)
    timeline = render(bundled, "timeline").decode("utf-8")
    dated = len(labels_of(bundled, "SELECT ?x ?label WHERE { ?x a/rdfs:subClassOf* kg:Event ; schema:startDate ?d ; rdfs:label ?label FILTER (lang(?label) = \"en\") }"))
    assert f"Too many events ({dated} &gt; 3) to label one by one" in timeline
    assert "one lane per meeting format" in timeline and "4th Meeting" not in timeline
    network = render(bundled, "network").decode("utf-8")
    assert "events are joined by meeting format" in network
    assert re.search(r"\d+ less frequent participants not shown \(at most 5\)", network)
    assert render(bundled, "network", fmt="png").startswith(PNG)


# ---------------------------------------------------------------- fit to print


def svg_text(svg: bytes) -> str:
    """What a reader reads in an SVG: its text elements in drawing order, the lines of a
    wrapped text joined by a space."""
    from html import unescape

    return " ".join(unescape(t) for t in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg.decode("utf-8")))


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG) and png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


TITLES = {"timeline": "Events of the graph", "network": "Who took part in which meeting format",
          "matrix": "Memberships: states × organisations"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_picture_has_a_title_and_a_source_line(bundled, kind: str) -> None:  # type: ignore[no-untyped-def]
    documents = int(bundled.sparql("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:SourceDocument }").to_dicts(plain=True)[0]["n"])
    assert documents >= 50
    version = bundled.store().key[:12]
    text = svg_text(render(bundled, kind))
    source = (f"Source: Regional legal and judicial cooperation knowledge graph, {documents} source documents, "
              f"graph version {version}; licence CC0 1.0 (https://creativecommons.org/publicdomain/zero/1.0/)")
    assert TITLES[kind] in text and source in text
    texts, _legends = drawn_text(bundled, kind)
    assert max(texts, key=lambda t: t[1].y1)[0].startswith(TITLES[kind])  # above everything
    assert min(texts, key=lambda t: t[1].y0)[0].startswith("Source: Regional legal")  # below everything
    then = svg_text(render(bundled, kind, as_of="2025-06-01"))
    assert f"graph version {version} as of 2025-06-01; licence" in then


@pytest.mark.parametrize("kind", KINDS)
def test_png_is_drawn_at_twice_the_screen_resolution(bundled, kind: str) -> None:  # type: ignore[no-untyped-def]
    assert draw.PNG_DPI == 220
    png = render(bundled, kind, fmt="png")
    width, height = png_size(png)
    at = png.index(b"pHYs")  # what a printer reads: 220 dots an inch, in dots a metre
    assert png[at + 4:at + 13] == (8661).to_bytes(4, "big") * 2 + b"\x01"
    # the SVG gives the picture's size in points (1/72 inch): the PNG has 220 pixels an inch
    m = re.search(rb'<svg[^>]* width="([\d.]+)pt" height="([\d.]+)pt"', render(bundled, kind))
    assert m is not None
    inches = float(m.group(1)) / 72, float(m.group(2)) / 72
    # (the text's boxes, so the tight crop, differ by a few pixels between the two renderers)
    assert abs(width / (inches[0] * 220) - 1) < 0.01 and abs(height / (inches[1] * 220) - 1) < 0.01


def test_the_6th_meeting_shows_its_participants_and_the_states_that_made_offers(bundled) -> None:  # type: ignore[no-untyped-def]
    took_part = labels_of(bundled, """
        SELECT ?x ?label WHERE { kgi:eco-apg-meeting-6 kg:participation/kg:participant ?x .
                                 ?x rdfs:label ?label FILTER (lang(?label) = "en") }""")
    offered = labels_of(bundled, """
        SELECT ?x ?label WHERE { kgi:eco-apg-meeting-6 kg:proposal/kg:proposedBy ?x .
                                 ?x rdfs:label ?label FILTER (lang(?label) = "en") }""")
    assert sorted(took_part.values()) == ["Economic Cooperation Organization", "Uzbekistan"]
    assert sorted(offered.values()) == ["Azerbaijan", "Iran", "Kazakhstan", "Pakistan"]
    svg = render(bundled, "network", entity="kgi:eco-apg-meeting-6")
    shown = titles(svg)
    for label in took_part.values():
        assert any(t.startswith(f"{label} (") and "took part in 1 event)" in t for t in shown), label
    for label in offered.values():
        assert f"{label} (state; made a proposal at 1 event, taking part not recorded)" in shown
    text = svg_text(svg)
    assert "made a proposal there (not recorded as taking part)" in text and "participants (and proposers)" in text
    # the four offers are dashed, and so is their legend's line; nothing else is
    assert svg.decode("utf-8").count("stroke-dasharray") == 5
    # a state that only made an offer there is around the event, and the event around it
    assert "6th Meeting" in "\n".join(titles(render(bundled, "network", entity="Kazakhstan", by="event")))


def test_the_whole_network_joins_events_by_meeting_format(bundled) -> None:  # type: ignore[no-untyped-def]
    svg = render(bundled, "network")
    text = svg_text(svg)
    assert re.search(r"\d+ events are joined by meeting format \(more than 24 to draw one by one\)", text)
    assert "edge width: events of the format" in text and "meeting formats" in text
    # the edge from a state to a format says how many of the format's events it took part in
    # (and the events it only made a proposal at: the 6th Meeting)
    apg = "Meeting of the Attorneys/Prosecutors General of the ECO Member States"
    assert f"Azerbaijan: took part in 5 of the 8 events of {apg}, made a proposal at 1 more" in titles(svg)
    assert f"Uzbekistan: took part in 3 of the 8 events of {apg}" in titles(svg)
    one_by_one = svg_text(render(bundled, "network", by="event"))
    assert "joined by meeting format" not in one_by_one and "4th Meeting of the Attorneys/Prosecutors" in one_by_one


def test_years_keep_the_events_that_started_then(bundled) -> None:  # type: ignore[no-untyped-def]
    svg = render(bundled, "timeline", years="2023")
    shown = "\n".join(titles(svg))
    assert "4th Meeting of the Attorneys/Prosecutors General" in shown  # 14-16 Sep 2023
    assert "5th Meeting of the Attorneys/Prosecutors General" not in shown  # 16 May 2024
    assert "Events of the graph, 2023 " in svg_text(svg)
    network = svg_text(render(bundled, "network", years="2024-2025", entity="kgi:eco-apg-meeting"))
    assert "5th Meeting" in network and "6th Meeting" in network and "4th Meeting" not in network
    with pytest.raises(UsageError, match="years '2020-2016' end before they begin"):
        render(bundled, "timeline", years="2020-2016")
    with pytest.raises(UsageError, match="years 'last year' are not YEAR or FROM-TO"):
        render(bundled, "timeline", years="last year")
    with pytest.raises(UsageError, match="unknown grouping 'state'.*auto, event, series"):
        render(bundled, "network", by="state")
    with pytest.raises(UsageError, match="no participations to draw in 1990"):
        render(bundled, "network", years="1990")


# ---------------------------------------------------------------- nothing over anything


def drawn_text(graph, kind: str, **options: str) -> tuple[list[tuple[str, object, bool]], list[object]]:  # type: ignore[no-untyped-def]
    """Every text the picture draws (its string, its box in pixels, whether it is in a
    legend) and the legends' boxes, measured after a draw."""
    from unittest import mock

    from matplotlib.text import Text

    seen: list[Text] = []
    original = Text.draw

    def record(self: Text, renderer: object) -> None:
        if self.get_visible() and self.get_text().strip():
            seen.append(self)
        original(self, renderer)

    with draw.figure(graph, kind, **options) as canvas:
        fig = canvas.fig
        with mock.patch.object(Text, "draw", record):
            fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        in_legend = {id(t) for legend in fig.legends for t in legend.findobj(Text)}
        texts = [(t.get_text(), t.get_window_extent(renderer), id(t) in in_legend) for t in seen]
        legends = [legend.get_window_extent(renderer) for legend in fig.legends]
    return texts, legends


def overlaps(a, b) -> bool:  # type: ignore[no-untyped-def]
    """Boxes that share more than a pixel's edge."""
    return a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1


def assert_nothing_overlaps(graph, kind: str, **options: str) -> int:  # type: ignore[no-untyped-def]
    texts, legends = drawn_text(graph, kind, **options)
    assert len(texts) >= 10
    clashes = [(s, t) for i, (s, a, _l) in enumerate(texts) for (t, b, _m) in texts[i + 1:] if overlaps(a, b)]
    assert clashes == [], (kind, options, clashes[:5])
    for box in legends:
        under = [s for s, b, in_legend in texts if not in_legend and overlaps(box, b)]
        assert under == [], (kind, options, under[:5])
    for i, a in enumerate(legends):
        assert not any(overlaps(a, b) for b in legends[i + 1:]), (kind, options)
    return len(texts)


PICTURES = [("timeline", {}), ("timeline", {"as_of": "2025-06-01"}), ("timeline", {"entity": "kgi:eco-apg-meeting"}),
            ("network", {}), ("network", {"by": "event"}), ("network", {"entity": "kgi:eco-apg-meeting-6"}),
            ("network", {"entity": "kgi:eco-apg-meeting"}), ("matrix", {}), ("matrix", {"entity": "kgi:sco"})]


@pytest.mark.parametrize(("kind", "options"), PICTURES, ids=[f"{k}-{'-'.join(o.values()) or 'all'}" for k, o in PICTURES])
def test_no_text_overlaps_at_the_bundled_size(bundled, kind: str, options: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert_nothing_overlaps(bundled, kind, **options)


def test_the_overlap_check_sees_an_overlap(bundled, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # rows an inch apart squeezed to a tenth: the participants' labels run into each other
    monkeypatch.setattr(draw, "_RIGHT_PITCH", 0.05)
    monkeypatch.setattr(draw, "_LEFT_PITCH", 0.05)
    with pytest.raises(AssertionError):
        assert_nothing_overlaps(bundled, "network", entity="kgi:eco-apg-meeting")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A graph with about 20,000 generated statements beside the bundled ones (bench/generate.py)."""
    import sys
    from pathlib import Path

    import kg

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from generate import generate, graph_dir

    return kg.open(graph_dir(tmp_path_factory.mktemp("generated") / "graph", generate(20_000, 1)))


@pytest.mark.parametrize(("kind", "options"), [("timeline", {}), ("network", {}), ("matrix", {}),
                                               ("network", {"entity": "kgi:eco", "years": "2020-2024"})])
def test_no_text_overlaps_on_a_larger_generated_graph(generated, kind: str, options: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    events = int(generated.sparql("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a/rdfs:subClassOf* kg:Event }").to_dicts(plain=True)[0]["n"])
    assert events > 150  # beyond what is labelled event by event: the pictures aggregate
    assert_nothing_overlaps(generated, kind, **options)
