"""Cold start of the kg command: each command as a fresh subprocess, against a baseline.

Every command runs ``--runs`` times (default 5) as a new process; the median wall time is
reported next to the median of ``python -c "import rdflib"`` measured in the same run, and
the ratio command / baseline is what to compare across machines and runs.

It also checks which heavy modules ``kg --help`` imports (``python -X importtime -m kg
--help``): pyshacl and owlrl must not be among them.

    python bench/bench_cli.py            # 5 runs each
    python bench/bench_cli.py --runs 9

Results: printed as a Markdown table and written to bench/results/bench_cli.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
HEAVY = ("pyshacl", "owlrl", "pyoxigraph", "rdflib")


def kg_command() -> list[str]:
    """The installed ``kg`` script next to this interpreter, else ``python -m kg``."""
    script = Path(sys.executable).with_name("kg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kg"]


def wall(cmd: list[str], runs: int) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t)
        code = proc.returncode
    return statistics.median(times), code


def imported_by_help() -> dict[str, bool]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kg", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    modules = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if line.startswith("import time:")}
    return {name: name in modules for name in HEAVY}


def main() -> int:
    parser = argparse.ArgumentParser(description="cold wall time of kg commands, as ratios to `import rdflib`")
    parser.add_argument("--runs", type=int, default=5, help="runs per command, median reported (default 5)")
    args = parser.parse_args()

    kg = kg_command()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        export_to = str(Path(tmp) / "graph.nq")
        commands = [
            ("baseline: python -c 'import rdflib'", [py, "-c", "import rdflib"]),
            ("python -c 'import kg.cli'", [py, "-c", "import kg.cli"]),
            ("kg --help", kg + ["--help"]),
            ("kg query delegations-at-meeting -p event kgi:eco-apg-meeting-4 -f csv",
             kg + ["query", "delegations-at-meeting", "-p", "event", "kgi:eco-apg-meeting-4", "-f", "csv"]),
            ("kg validate", kg + ["validate"]),
            ("kg export -f nq -o TMP", kg + ["export", "-f", "nq", "-o", export_to]),
            ("kg add --dry-run examples/accepted/eco-apg-meeting-6-sidelines.ttl",
             kg + ["add", "--dry-run", "examples/accepted/eco-apg-meeting-6-sidelines.ttl"]),
        ]
        rows = []
        for name, cmd in commands:
            median, code = wall(cmd, args.runs)
            rows.append((name, median, code))
            print(f"  {name}: {median:.3f} s (exit {code})", file=sys.stderr, flush=True)
    baseline = rows[0][1]
    heavy = imported_by_help()

    import pyshacl
    import rdflib

    lines = [
        "# bench_cli: cold wall time of kg commands",
        "",
        f"Run {dt.datetime.now().isoformat(timespec='seconds')}; python {platform.python_version()}, rdflib {rdflib.__version__}, "
        f"pyshacl {pyshacl.__version__}; machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}. Median of {args.runs} fresh subprocesses each.",
        "",
        "| command | median s | ratio to baseline | exit |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, median, code in rows:
        lines.append(f"| `{name}` | {median:.3f} | {median / baseline:.2f} | {code} |")
    lines += [
        "",
        "Modules imported by `kg --help` (`python -X importtime -m kg --help`): "
        + ", ".join(f"{m} {'yes' if v else 'no'}" for m, v in heavy.items()) + ".",
        "",
        "pyshacl and owlrl must not be imported by `--help`: "
        + ("OK." if not heavy["pyshacl"] and not heavy["owlrl"] else "**FAILED: they are.**"),
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_cli.md").write_text(text)
    print(text)
    return 0 if not heavy["pyshacl"] and not heavy["owlrl"] else 1


if __name__ == "__main__":
    sys.exit(main())
