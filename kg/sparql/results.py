"""What a query returns: rows of pyoxigraph terms, a boolean, or triples.

A ``Result`` is plain data (it pickles, so it can come back from the query worker) and is
meant to be used directly in a notebook::

    rows = g.query("members-on-date", organisation="kgi:sco", date="2023-01-01")
    for row in rows: print(row["stateLabel"])   # each row is a dict of terms
    rows.to_dicts(plain=True)                   # IRIs as strings, literals as Python values
    rows.to_dataframe()                         # with pandas installed
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
}

Term = Any  # ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class Result:
    """``type`` is SELECT, ASK, CONSTRUCT or DESCRIBE."""

    type: str
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows) if self.type == "SELECT" else len(self.triples) if self.is_graph else 1

    def __iter__(self) -> Iterator[dict[str, Term]]:
        if self.is_graph:
            raise TypeError("a graph result holds triples: use .triples")
        for row in self.rows:
            yield {v: t for v, t in zip(self.vars, row, strict=True) if t is not None}

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.type == "ASK" else len(self) > 0

    @property
    def is_graph(self) -> bool:
        return self.type in ("CONSTRUCT", "DESCRIBE")

    def to_dicts(self, *, plain: bool = False) -> list[dict[str, Any]]:
        """Rows as dicts; with ``plain``, IRIs as strings and literals as Python values."""
        if self.type == "ASK":
            return [{"ask": self.boolean}]
        return [{k: (to_python(v) if plain else v) for k, v in row.items()} for row in self]

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of the plain values, one column per variable (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_dataframe() needs pandas: pip install pandas") from exc
        if self.is_graph:
            return pd.DataFrame(
                [(to_python(t.subject), to_python(t.predicate), to_python(t.object)) for t in self.triples],
                columns=["subject", "predicate", "object"],
            )
        columns = ["ask"] if self.type == "ASK" else self.vars
        return pd.DataFrame(self.to_dicts(plain=True), columns=columns)


def to_python(term: Term | None) -> Any:
    """An IRI as its string, a blank node as ``_:id``, a literal as the Python value of
    its datatype (int, Decimal, float, bool, date, datetime) or its text."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, ox.Literal):
        return str(term)
    dt = term.datatype.value
    local = dt[len(_XSD):] if dt.startswith(_XSD) else ""
    text = term.value
    try:
        if local in _INTEGERS:
            return int(text)
        if local == "decimal":
            return decimal.Decimal(text)
        if local in ("double", "float"):
            return float(text)
        if local == "boolean":
            return text in ("true", "1")
        if local == "date":
            return datetime.date.fromisoformat(text)
        if local == "dateTime":
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text  # an ill-typed value stays text
    return text
