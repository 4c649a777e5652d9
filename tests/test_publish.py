"""Publishing through the faces: kg docs, kg dataset, kg release, kg draw, and the same on
kg serve (/ontology/, /void.ttl, /draw/KIND.svg). The libraries behind them are tested in
test_docs.py, test_dataset.py, test_release.py and test_draw.py; here, that each face
gives what the library makes, and refuses bad input with a clear message and exit code."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]


def kg(*argv: str) -> int:
    return main(["--data", str(ROOT), *argv])


def test_kg_docs_writes_the_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kg("docs", "-o", str(tmp_path / "docs")) == 0
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["docs.css", "index.html", "shapes.html", "vocab.html"]
    assert 'id="Meeting"' in (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    assert "wrote 4 file(s)" in capsys.readouterr().out


def test_kg_dataset_prints_a_valid_description(capsys: pytest.CaptureFixture[str]) -> None:
    from kg.publish.dataset import check_description

    assert kg("dataset", "--sparql-endpoint", "http://127.0.0.1:8787/sparql") == 0
    data = capsys.readouterr().out.encode("utf-8")
    assert check_description(data) == []
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.TURTLE)
    [row] = store.query("PREFIX void: <http://rdfs.org/ns/void#> SELECT ?e WHERE { <https://w3id.org/jckg/dataset> void:sparqlEndpoint ?e }")
    assert row["e"].value == "http://127.0.0.1:8787/sparql"
    assert kg("dataset", "--version", "1.0") == 2


def _digests(path: Path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.rglob("*")) if p.is_file()}


def test_kg_release_builds_docs_description_and_bundle_reproducibly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kg("release", "1.0.0", "--to", str(tmp_path / "a")) == 0
    assert kg("release", "1.0.0", "--to", str(tmp_path / "b")) == 0
    bundle = tmp_path / "a" / "1.0.0"
    names = set(_digests(bundle))
    assert {"jckg-1.0.0.nq", "jckg-1.0.0.trig", "jckg-1.0.0.jsonld", "jckg-1.0.0.ttl", "void.ttl", "CHANGELOG.md", "SHA256SUMS",
            "docs/index.html", "docs/vocab.html", "docs/shapes.html"} <= names
    assert _digests(bundle) == _digests(tmp_path / "b" / "1.0.0")  # byte for byte
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=bundle, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    capsys.readouterr()
    before = _digests(tmp_path / "a")
    assert kg("release", "1.0.0", "--to", str(tmp_path / "a")) == 2  # exists: refused
    assert "exists already" in capsys.readouterr().err
    assert kg("release", "v1", "--to", str(tmp_path / "a")) == 2  # not a version
    assert "MAJOR.MINOR.PATCH" in capsys.readouterr().err
    assert _digests(tmp_path / "a") == before  # nothing overwritten or half-written


def test_kg_release_refuses_a_graph_that_does_not_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, tmp_path / part)
    broken = tmp_path / "data" / "eco-judicial-cooperation-2025.ttl"
    broken.write_text(broken.read_text(encoding="utf-8").replace('schema:startDate "2023-09-14"^^xsd:date', 'schema:startDate "2023-09-17"^^xsd:date', 1), encoding="utf-8")
    assert main(["--data", str(tmp_path), "release", "1.0.0", "--to", str(tmp_path / "releases")]) == 2
    assert "must pass validation" in capsys.readouterr().err
    assert not (tmp_path / "releases" / "1.0.0").exists()


def test_kg_draw_each_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kg("draw", "timeline", "-o", str(tmp_path / "t.svg")) == 0
    svg = (tmp_path / "t.svg").read_text(encoding="utf-8")
    assert "4th Meeting" in svg and "<svg" in svg
    assert kg("draw", "network", "--entity", "kgi:eco-apg-meeting-4", "-o", str(tmp_path / "n.png")) == 0
    assert (tmp_path / "n.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert kg("draw", "matrix", "-o", str(tmp_path / "m.svg")) == 0
    assert kg("draw", "timeline", "--as-of", "2025-06-01", "-o", str(tmp_path / "june.svg")) == 0
    assert "scheduled" in (tmp_path / "june.svg").read_text(encoding="utf-8")
    assert kg("draw", "network", "--entity", "kgi:eco-apg-meeting", "--years", "2024-2025", "--by", "series", "-o", str(tmp_path / "s.svg")) == 0
    series = (tmp_path / "s.svg").read_text(encoding="utf-8")
    assert "Who took part in which meeting format: around" in series and ", 2024–2025" in series and "4th Meeting" not in series


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["draw", "pie"], "Invalid value"),
        (["draw", "timeline", "--entity", "kgi:no-such-thing"], "is not in the graph"),
        (["draw", "timeline", "--as-of", "2025-02-30"], "is not a date"),
        (["draw", "matrix", "-o", "/no/such/dir/m.svg"], "does not exist"),
        (["draw", "timeline", "--years", "2020-2016"], "end before they begin"),
        (["draw", "network", "--by", "state"], "Invalid value"),
    ],
)
def test_kg_draw_refuses_bad_input(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert kg(*argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_kg_serve_publishes_docs_description_and_pictures(web) -> None:
    """The application in process (conftest ``web``), as `kg serve` runs it."""
    r = web.get("/ontology")  # not followed
    assert r.status_code == 303 and r.headers["Location"] == "/ontology/index.html"
    page = web.get("/ontology/index.html")
    assert page.status_code == 200 and 'id="Meeting"' in page.text and 'href="docs.css"' in page.text
    assert web.get("/ontology/docs.css").headers["Content-Type"].startswith("text/css")
    assert web.get("/ontology/secret.html").status_code == 404
    void = web.get("/.well-known/void")
    assert void.status_code == 200 and f"<{web.url}/sparql>" in void.text
    svg = web.get("/draw/timeline.svg")
    assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml") and "5th Meeting" in svg.text
    june = web.get("/draw/timeline.svg", params={"as_of": "2025-06-01"})
    assert "scheduled" in june.text
    assert web.get("/draw/timeline.svg", params={"entity": "kgi:no-such-thing"}).status_code == 400
    assert web.get("/draw/pie.svg").status_code == 404
    by_event = web.get("/draw/network.svg", params={"by": "event", "years": "2023"})
    assert by_event.status_code == 200 and "Who took part in which event, 2023" in by_event.text
    assert web.get("/draw/network.svg", params={"by": "state"}).status_code == 400
    assert web.get("/draw/timeline.svg", params={"years": "soon"}).status_code == 400
    home = web.get("/")
    assert '<img src="/draw/timeline.svg"' in home.text and 'href="/ontology/index.html"' in home.text


def test_the_server_draws_each_picture_once_per_store_version(bundled) -> None:
    from kg.web import ops

    first = ops.draw(bundled, "matrix", "svg", None, None)
    assert ops.draw(bundled, "matrix", "svg", None, None) is first  # kept, not drawn again
    assert ops.draw(bundled, "matrix", "svg", "kgi:eco", None) is not first  # another question
    assert b"ECO" in first and first.startswith(b"<?xml")
