"""Release versions: ``MAJOR.MINOR.PATCH`` with an optional ``-rc.N``, compared as semantic
versions, so ``1.0.0-rc.2 < 1.0.0 < 1.0.1 < 1.10.0``. Shared by the releases and the
dataset description that names them.

    >>> parse_version("1.0.0-rc.2") < parse_version("1.0.0") < parse_version("1.10.0")
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import UsageError

VERSION_PATTERN = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-rc\.(0|[1-9][0-9]*))?")
_FORM = "MAJOR.MINOR.PATCH with an optional -rc.N, e.g. 1.0.0 or 1.1.0-rc.1"


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    rc: int | None = None

    @property
    def key(self) -> tuple[int, int, int, int, int]:
        # a release candidate comes before its release
        return (self.major, self.minor, self.patch, 0 if self.rc is not None else 1, self.rc or 0)

    @property
    def text(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}" + (f"-rc.{self.rc}" if self.rc is not None else "")

    def __str__(self) -> str:
        return self.text

    def __lt__(self, other: Version) -> bool:
        return self.key < other.key

    def __le__(self, other: Version) -> bool:
        return self.key <= other.key

    def __gt__(self, other: Version) -> bool:
        return self.key > other.key

    def __ge__(self, other: Version) -> bool:
        return self.key >= other.key


def parse_version(text: str) -> Version:
    """A semantic version, or a ``UsageError`` that gives the expected form."""
    m = VERSION_PATTERN.fullmatch(str(text)) if isinstance(text, str) else None
    if m is None:
        raise UsageError(f"{text!r} is not a release version", hint=f"write it as {_FORM}")
    return Version(int(m[1]), int(m[2]), int(m[3]), int(m[4]) if m[4] is not None else None)
