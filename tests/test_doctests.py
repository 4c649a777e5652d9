"""Every `>>>` example in the package runs and prints what it shows.

Each module's docstring examples run with doctest (``...`` matches any text, whitespace
is normalised), in a fresh working directory so examples that write files write there,
over the bundled graph (``KG_DATA``) and the session's store cache.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import kg

ROOT = Path(__file__).resolve().parents[1]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _with_examples() -> list[str]:
    """Modules whose source shows an example (read, not imported: collecting the tests
    must not import what the package loads lazily)."""
    package = Path(kg.__file__).parent
    names = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "__main__.py" or ">>>" not in path.read_text(encoding="utf-8"):
            continue
        parts = path.relative_to(package.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _tests(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    return [t for t in doctest.DocTestFinder(exclude_empty=True).find(module, name) if t.examples]


WITH_EXAMPLES = _with_examples()


def test_the_examples_are_found() -> None:
    """The modules that show examples are found, and doctest sees an example in each."""
    assert {"kg", "kg.graph", "kg.formats", "kg.publish.version"} <= set(WITH_EXAMPLES)
    for name in WITH_EXAMPLES:
        assert _tests(name), f"{name} shows '>>>' but doctest finds no example in it"


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KG_DATA", str(ROOT))
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    for test in _tests(name):
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, "".join(report)[:4000]
