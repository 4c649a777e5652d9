"""A progress bar on stderr for work that can take more than a second.

Drawn only on a terminal (the CLI passes none to pipes and CI logs), and only once the
work has run for half a second, so quick commands print nothing.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


class Bar:
    def __init__(self, stream: TextIO | None = None, delay: float | None = None) -> None:
        self.stream: TextIO = stream or sys.stderr
        self.delay = float(os.environ.get("KG_PROGRESS_DELAY", "0.5")) if delay is None else delay
        self.started: dict[str, float] = {}
        self.drawn = False

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        start = self.started.setdefault(what, now)
        finished = total > 0 and done >= total
        if now - start < self.delay and not (finished and self.drawn):
            return
        width = 30
        share = min(1.0, done / total) if total else 0.0
        bar = "#" * int(width * share) + "-" * (width - int(width * share))
        self.stream.write(f"\r{what}: [{bar}] {share:4.0%} {now - start:5.1f} s")
        self.drawn = True
        if finished:
            self.stream.write("\n")
            self.drawn = False
            self.started.pop(what, None)
        self.stream.flush()
