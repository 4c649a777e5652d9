"""Every `kg COMMAND --help` is true: the files its examples name exist in the checkout."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from kg.cli import cli

ROOT = Path(__file__).resolve().parents[1]
# a path of the checkout an example names (not an output it would write)
NAMED = re.compile(r"(?<![\w/.-])((?:examples|queries|ontology|data|tests)/[\w./-]+\.(?:ttl|rq|txt|nt|jsonld|json))")


def _helps() -> dict[str, str]:
    ctx = click.Context(cli, info_name="kg")
    out = {"kg": cli.get_help(ctx)}
    for name, command in cli.commands.items():
        out[f"kg {name}"] = command.get_help(click.Context(command, info_name=name, parent=ctx))
    return out


HELPS = _helps()


def test_the_pattern_finds_the_named_files() -> None:
    """The check bites: it finds the example files the commands name, and a made-up one."""
    named = {p for text in HELPS.values() for p in NAMED.findall(text)}
    assert any(p.startswith("examples/") for p in named), named
    assert NAMED.findall("  kg validate examples/accepted/nope.ttl -f json") == ["examples/accepted/nope.ttl"]


@pytest.mark.parametrize("command", sorted(HELPS))
def test_the_files_a_help_names_exist(command: str) -> None:
    missing = [p for p in NAMED.findall(HELPS[command]) if not (ROOT / p).exists()]
    assert missing == [], f"{command} --help names files that do not exist: {missing}"
