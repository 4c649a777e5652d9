"""The facade, as the README's Python API section shows it: one object, plain results."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

import kg

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_block_is_true(bundled: kg.Graph) -> None:
    """Each value the README's comments promise is what the API gives."""
    block = re.search(r"## Python API.*?```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S).group(1)  # type: ignore[union-attr]
    assert "kg.open()" in block
    rows = bundled.query("members-on-date", organisation="kgi:sco", date="2023-01-01")
    assert (rows.vars, len(rows)) == (["state", "stateLabel", "role", "since", "source"], 8)
    assert "['state', 'stateLabel', 'role', 'since', 'source'], 8" in block
    first = rows.to_dicts(plain=True)[0]
    assert first["state"] == "https://w3id.org/jckg/id/state-cn" and first["since"] == datetime.date(2001, 6, 15)
    assert bundled.sparql("ASK { kgi:state-tj kg:isoAlpha2 'TJ' }").boolean is True
    assert bundled.describe("Таджикистан").label == "Tajikistan"
    assert bundled.stats().asserted > 3000
    assert bundled.export("trig").startswith(b"@prefix")


def test_rows_are_dicts_of_terms_and_plain_values(bundled: kg.Graph) -> None:
    rows = bundled.query("delegations-at-meeting", event="kgi:eco-apg-meeting-4")
    as_terms = list(rows)
    assert all(isinstance(r, dict) for r in as_terms) and len(as_terms) == 9
    assert "head" not in as_terms[-1]  # unbound values are left out, not None
    plain = rows.to_dicts(plain=True)
    assert {r["participantLabel"] for r in plain} >= {"Azerbaijan", "Türkiye", "Uzbekistan"}


def test_to_dataframe_needs_pandas_or_gives_a_frame(bundled: kg.Graph) -> None:
    rows = bundled.query("delegations-at-meeting", event="kgi:eco-apg-meeting-4")
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            rows.to_dataframe()
    else:
        frame = rows.to_dataframe()
        assert list(frame.columns) == rows.vars and len(frame) == 9


def test_errors_are_the_documented_exceptions(bundled: kg.Graph) -> None:
    with pytest.raises(kg.UsageError, match="unknown parameter"):
        bundled.query("members-on-date", organization="kgi:sco")
    with pytest.raises(kg.QueryError, match="Update is not allowed"):
        bundled.sparql("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(kg.KgError, match="SERVICE"):
        bundled.sparql("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


def test_parameters_are_terms_not_text(bundled: kg.Graph) -> None:
    """A parameter that looks like SPARQL stays one literal: it matches nothing and
    cannot open the query."""
    hostile = '" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    from kg.sparql.engine import bind, prepare

    prepared = prepare("SELECT ?s WHERE { ?s rdfs:label ?name }")
    import pyoxigraph as ox

    before = bundled.stats().asserted
    text = bind(prepared, {"name": ox.Literal(hostile)})
    assert '"\\" } } ; DROP ALL' in text  # the quote is escaped: the value stays inside its literal
    assert bundled.sparql(text).rows == []
    assert bundled.stats().asserted == before
