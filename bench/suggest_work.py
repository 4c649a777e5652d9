"""kg suggest on real work: the totals of the reviewers' record (bench/suggest/record/*.yaml).

Each entry is one source brought into the graph: how many candidates kg suggest proposed,
how many the reviewer kept unchanged, kept after correcting a value, or rejected, and how
many groups of facts (an event, a participant, a person...) were added by hand because
the draft missed them. Kept / proposed is the assistant's precision on the work; kept /
(kept + added by hand) its recall, counted in the same units.

    python bench/suggest_work.py          # writes bench/results/suggest-work.md
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("proposed", "unchanged", "edited", "rejected", "added_by_hand")


def main() -> int:
    rows = []
    for path in sorted((ROOT / "bench/suggest/record").glob("*.yaml")):
        for rec in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            rows.append({"file": path.name, "language": rec.get("language", ""), **{f: int(rec.get(f) or 0) for f in FIELDS}})
    lines = ["# kg suggest on real work: the reviewers' record", "",
             f"{len(rows)} sources, from `bench/suggest/record/`.", "",
             "| part | sources | proposed | unchanged | edited | rejected | added by hand | precision (kept / proposed) | exact (unchanged / proposed) | recall (kept / kept + added) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    groups = {"all": rows, "English": [r for r in rows if r["language"] == "en"], "Russian": [r for r in rows if r["language"] == "ru"]}
    for name, part in groups.items():
        t = {f: sum(r[f] for r in part) for f in FIELDS}
        kept = t["unchanged"] + t["edited"]
        p = kept / t["proposed"] if t["proposed"] else float("nan")
        e = t["unchanged"] / t["proposed"] if t["proposed"] else float("nan")
        r = kept / (kept + t["added_by_hand"]) if kept + t["added_by_hand"] else float("nan")
        lines.append(f"| {name} | {len(part)} | {t['proposed']} | {t['unchanged']} | {t['edited']} | {t['rejected']} | {t['added_by_hand']} | {p:.2f} | {e:.2f} | {r:.2f} |")
    nothing = [r for r in rows if r["proposed"] <= 1]
    lines += ["", f"Sources where the draft held nothing but its source: {len(nothing)}.", "",
              "The tool was improved while the work went on (the misses the reviewers noted: second reports that made new "
              "delegations, Russian ordinals, posts' holders, observers as guests, cities in Russian); later sources were "
              "drafted by the better tool. The reviewers' notes, per source, are in the YAML files and in docs/coverage.md.", ""]
    (ROOT / "bench/results/suggest-work.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
