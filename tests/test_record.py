"""The region's record, source by source: a meeting announced by one source and reported
by another, and two sources that disagree (both stay, each with its source; a stored
query lists them)."""

from __future__ import annotations

from pathlib import Path

import kg
from kg.suggest import SourceInfo, suggest


def test_the_disagreements_query_shows_both_reports(tmp_path: Path) -> None:
    from conftest import graph_copy

    root = graph_copy(tmp_path / "graph")
    g = kg.open(root)
    text = ("The 6th Meeting of the Attorneys/Prosecutors General of the ECO Member States was held in Baku, Azerbaijan "
            "on 25 September 2025.")
    draft = suggest(g, text, SourceInfo("ECO meeting report", "ECO", "2025-10-01"))
    (tmp_path / "d.ttl").write_text(draft.turtle([c.id for c in draft.candidates if c.kind != "amendment"]), encoding="utf-8")
    assert g.add([tmp_path / "d.ttl"]).accepted
    before = {tuple(str(t) for t in r) for r in kg.open(graph_copy(tmp_path / "before")).query("disagreements").rows}
    after = {tuple(str(t) for t in r) for r in kg.open(root).query("disagreements").rows}
    (row,) = after - before  # exactly one new disagreement, with both sides
    text_row = " ".join(row)
    assert "eco-apg-meeting-6" in text_row and "tashkent" in text_row and "baku" in text_row and "src-eco-2025-10-01" in text_row
    assert "held in Baku" in text_row  # the other source's passage


def test_a_meeting_announced_then_reported_held_keeps_its_date(tmp_path: Path) -> None:
    """Found on real work: the 32nd RATS Council, announced in February and reported held
    on 5 April, could not get its date, because the rule that a source cannot report as
    held what has not happened looked at every source of the event, the announcement too."""
    from conftest import graph_copy

    root = graph_copy(tmp_path / "graph")
    g = kg.open(root)
    announced = suggest(g, "The 90th meeting of the Council of the Regional Anti-Terrorist Structure of the SCO will be held "
                           "in Tashkent, Uzbekistan on 5 April 2030.", SourceInfo("RATS Council to meet", "SCO", "2030-02-22"))
    (tmp_path / "a.ttl").write_text(announced.turtle(), encoding="utf-8")
    assert g.add([tmp_path / "a.ttl"]).accepted
    g = kg.open(root)
    reported = suggest(g, "On 5 April 2030, the 90th meeting of the Council of the Regional Anti-Terrorist Structure of the SCO "
                          "was held in Tashkent, Uzbekistan.", SourceInfo("RATS Council met", "SCO", "2030-04-06"))
    kinds = {c.kind for c in reported.candidates}
    assert "amendment" in kinds  # scheduled -> held, on the later source's word
    (tmp_path / "r.ttl").write_text(reported.turtle(), encoding="utf-8")
    result = g.amend([tmp_path / "r.ttl"])
    assert result.accepted, [(r.focus, r.message) for r in result.report.results if r.severity == "Violation"]
    held = kg.open(root).sparql("SELECT ?s ?d WHERE { kgi:sco-rats-council-90 kg:eventStatus ?s ; schema:startDate ?d }")
    assert [(r["s"].value.rsplit("/", 1)[-1], r["d"].value) for r in held] == [("held", "2030-04-05")]
