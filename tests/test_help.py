"""Every `kg COMMAND --help` is true: the files its examples name exist in the checkout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.cli import cli, main

ROOT = Path(__file__).resolve().parents[1]
# a path of the checkout an example names (not an output it would write)
NAMED = re.compile(r"(?<![\w/.-])((?:examples|queries|ontology|data|tests)/[\w./-]+\.(?:ttl|rq|txt|nt|jsonld|json))")
COMMANDS = sorted(cli.commands)


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What `kg ARGV --help` prints, run as the command line runs it."""
    assert main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def test_the_pattern_finds_the_named_files(capsys: pytest.CaptureFixture[str]) -> None:
    """The check bites: it finds the example files the commands name, and a made-up one."""
    named = {p for command in COMMANDS for p in NAMED.findall(_help(capsys, command))}
    assert any(p.startswith("examples/") for p in named), named
    assert NAMED.findall("  kg validate examples/accepted/nope.ttl -f json") == ["examples/accepted/nope.ttl"]


@pytest.mark.parametrize("command", ["", *COMMANDS], ids=lambda c: f"kg {c}".strip())
def test_the_files_a_help_names_exist(capsys: pytest.CaptureFixture[str], command: str) -> None:
    text = _help(capsys, *([command] if command else []))
    missing = [p for p in NAMED.findall(text) if not (ROOT / p).exists()]
    assert missing == [], f"kg {command} --help names files that do not exist: {missing}"
