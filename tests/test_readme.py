"""The README's examples are true: every `$ kg ...` line runs with the exit code it
states (`# exit N`, else 0), and where the README shows the whole output, that output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _console_examples() -> list[tuple[str, int, str | None]]:
    """(command, expected exit code, expected output or None when elided with '...')."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                i += 1
                continue
            command = lines[i][2:]
            output = []
            i += 1
            while i < len(lines) and not lines[i].startswith("$ "):
                output.append(lines[i])
                i += 1
            m = re.search(r"\s+#\s*exit (\d+)\s*$", command)
            code = int(m.group(1)) if m else 0
            command = re.sub(r"\s+#.*$", "", command) if "#" in command and "'" not in command.split("#")[-1] else command
            shown = None if (not output or any(line.strip() == "..." for line in output)) else "\n".join(output) + "\n"
            examples.append((command, code, shown))
    return examples


EXAMPLES = _console_examples()
FIRST_SCREEN = re.search(r"&& (kg query [^\n`]+)", README).group(1)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readme")
    for part in ("ontology", "data", "queries", "examples"):
        shutil.copytree(ROOT / part, root / part, ignore=shutil.ignore_patterns(".kg.lock"))
    return root


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("KG_DATA", None)
    return subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 15


@pytest.mark.parametrize(("command", "code", "shown"), EXAMPLES, ids=[c for c, _, _ in EXAMPLES])
def test_readme_example_runs_as_shown(command: str, code: int, shown: str | None, checkout: Path) -> None:
    run = _run(command, checkout)
    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr
    if shown is not None:
        assert run.stdout == shown


def test_first_screen_command_prints_the_delegations(checkout: Path) -> None:
    run = _run(FIRST_SCREEN, checkout)
    assert run.returncode == 0, run.stderr
    # a table on a terminal; here stdout is a pipe, so CSV
    assert "state-az,Azerbaijan" in run.stdout and "concept/delegation" in run.stdout
