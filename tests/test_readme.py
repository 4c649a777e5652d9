"""The README's examples are true: every `$ kg ...` line runs with the exit code it
states (`# exit N`, else 0) and prints what the README shows under it, where `...`
stands for any text, as in doctest (a line of its own: the lines left out)."""

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
    """(command, expected exit code, expected output or None when the README shows none)."""
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
            shown = "\n".join(output) + "\n" if output else None
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


def shows(shown: str, printed: str) -> bool:
    """Whether ``printed`` is what the README shows, each ``...`` matching any text
    (doctest's ELLIPSIS, without its other allowances: every other character counts)."""
    pieces = shown.split("...")
    if len(pieces) == 1:
        return printed == shown
    first, *middle, last = pieces
    if not printed.startswith(first) or not printed.endswith(last) or len(printed) < len(first) + len(last):
        return False
    at, end = len(first), len(printed) - len(last)
    for piece in middle:  # leftmost match of each is enough: what follows can only gain room
        at = printed.find(piece, at, end)
        if at < 0:
            return False
        at += len(piece)
    return True


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 15
    elided = [c for c, _, shown in EXAMPLES if shown is not None and "..." in shown]
    assert len(elided) >= 5, elided  # the outputs shown in part are compared too


def test_an_ellipsis_matches_any_text_and_nothing_else_does() -> None:
    shown = "statements asserted: 12\n...\nper source file:\n...\n"
    assert shows(shown, "statements asserted: 12\ninferred: 0\n\nper source file:\n  7 data/a\n  5 data/b\n")
    assert not shows(shown, "statements asserted: 13\ninferred: 0\n\nper source file:\n  7 data/a\n")
    assert not shows(shown, "statements asserted: 12\ninferred: 0\n")
    assert not shows("a\nb\n", "a\nb\nc\n")
    assert not shows("a\n...\nb\n", "a\nb\n")  # a line of its own stands for at least a line break
    assert shows("a ... c\n", "a b c\n") and not shows("a ... c\n", "a b d\n")
    assert not shows("ab...ba\n", "aba\n")  # the start and the end do not overlap


@pytest.mark.parametrize(("command", "code", "shown"), EXAMPLES, ids=[c for c, _, _ in EXAMPLES])
def test_readme_example_runs_as_shown(command: str, code: int, shown: str | None, checkout: Path) -> None:
    run = _run(command, checkout)
    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr
    if shown is not None:
        assert shows(shown, run.stdout), f"the README shows:\n{shown}\nthe command printed:\n{run.stdout}"


def test_first_screen_command_prints_the_delegations(checkout: Path) -> None:
    run = _run(FIRST_SCREEN, checkout)
    assert run.returncode == 0, run.stderr
    # a table on a terminal; here stdout is a pipe, so CSV
    assert "state-az,Azerbaijan" in run.stdout and "concept/delegation" in run.stdout
