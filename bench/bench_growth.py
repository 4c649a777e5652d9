"""The pictures and the home page on the grown graph, against the graph before it grew.

Issue 19 brought the region's public record in: many more sources and events. This times
what a person sees that grows with the graph (the three pictures of `kg draw`, the
server's home page, a stored query over every event) on the graph as it is, and on the
graph as it was before (the seed sources and reference data only), in the same run, and
reports the ratios. It also renders the timeline of both to bench/results/ so that a
person can look at them.

    python bench/bench_growth.py          # writes bench/results/growth.md
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RUNS = 5


def _graph_dirs(tmp: Path) -> dict[str, Path]:
    from bench_suggest import BASELINE_FILES

    before = tmp / "before"
    for part in ("ontology", "queries"):
        shutil.copytree(ROOT / part, before / part)
    (before / "data").mkdir()
    for name in BASELINE_FILES:
        shutil.copy2(ROOT / "data" / name, before / "data" / name)
    return {"before": before, "now": ROOT}


def _timings(graph, client) -> dict[str, float]:
    """The median times of one graph (a kg.Graph) and the app's test client over it."""
    from kg.publish.draw import render

    return {
        "kg draw timeline (SVG)": _time(lambda: render(graph, "timeline", fmt="svg")),
        "kg draw network (SVG)": _time(lambda: render(graph, "network", fmt="svg")),
        "kg draw matrix (SVG)": _time(lambda: render(graph, "matrix", fmt="svg")),
        "home page (GET /)": _time(lambda: client.get("/").close()),
        "event-status of every event (SPARQL)": _time(lambda: list(graph.sparql(
            "SELECT ?e ?s WHERE { ?e kg:eventStatus ?s }").rows)),
    }


def _time(fn) -> float:
    fn()  # warm: the store built, the templates loaded
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    from werkzeug.test import Client

    import kg
    from kg.publish.draw import render
    from kg.web.app import App, Settings

    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import InProcessPool

    tmp = Path(tempfile.mkdtemp(prefix="kg-growth-"))
    out = ROOT / "bench" / "results"
    rows: dict[str, dict[str, float]] = {}
    sizes: dict[str, str] = {}
    for name, root in _graph_dirs(tmp).items():
        graph = kg.open(root)
        stats = graph.sparql("SELECT (COUNT(DISTINCT ?e) AS ?events) (COUNT(DISTINCT ?s) AS ?sources) WHERE { "
                             "{ ?e a/rdfs:subClassOf* kg:Event } UNION { ?s a kg:SourceDocument } }")
        row = next(iter(stats))
        count = sum(1 for _ in graph.quads())
        sizes[name] = f"{row['events'].value} events, {row['sources'].value} sources, {count:,} statements"
        rows[name] = _timings(graph, Client(App(graph, InProcessPool(root), Settings())))
        (out / f"growth-timeline-{name}.svg").write_bytes(render(graph, "timeline", fmt="svg"))
    lines = ["# The pictures and the home page as the graph grew", "",
             f"Before: {sizes['before']}. Now: {sizes['now']}. Median of {RUNS} warm runs each, in one process.", "",
             "| what | before (ms) | now (ms) | now / before |", "|---|---|---|---|"]
    for what in rows["now"]:
        b, n = rows["before"][what] * 1000, rows["now"][what] * 1000
        lines.append(f"| {what} | {b:.1f} | {n:.1f} | {n / b:.2f} |")
    lines += ["", "The timelines are in `growth-timeline-before.svg` and `growth-timeline-now.svg`.", ""]
    (out / "growth.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
