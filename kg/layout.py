"""Where a graph directory keeps its parts: ontology, data, queries, shapes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import UsageError
from kg.namespaces import PREFIXES


@dataclass(frozen=True)
class Layout:
    """Where a graph directory keeps its parts (the repository has this layout)."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    def graph_files(self) -> list[Path]:
        """Ontology and vocabularies, then data; the shapes are not part of the graph."""
        ontology = [p for p in sorted(self.ontology_dir.glob("*.ttl")) if p != self.shapes_file]
        return ontology + sorted(self.data_dir.glob("*.ttl"))

    def graph_iri(self, path: Path) -> str:
        """The named graph of a file: ``kgg:`` + its path without the suffix."""
        rel = path.resolve().relative_to(self.root.resolve()).with_suffix("")
        return PREFIXES["kgg"] + rel.as_posix()

    def graph_name(self, path: Path) -> Any:
        """``graph_iri`` as an rdflib ``URIRef`` (for the rdflib-based reference code)."""
        from rdflib import URIRef

        return URIRef(self.graph_iri(path))

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def find_layout(data: Path | str | None = None) -> Layout:
    """The graph directory: ``data``, else ``$KG_DATA``, else the current directory or the
    checkout this package was installed from, whichever has ``ontology/`` and ``data/``."""
    candidates: list[Path]
    explicit = data or os.environ.get("KG_DATA")
    if explicit:
        candidates = [Path(explicit)]
    else:
        candidates = [Path.cwd(), Path(__file__).resolve().parents[1]]
    for c in candidates:
        if (c / "ontology").is_dir() and (c / "data").is_dir():
            return Layout(c)
    where = candidates[0]
    raise UsageError(
        f"{where} is not a graph directory (it needs ontology/ and data/)",
        hint="pass --data DIR pointing at a checkout of the graph, or run from one",
    )
