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
