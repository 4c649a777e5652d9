"""Safe file writes: a reader sees the old file or the new one, never half of either.

Every write goes to a temporary file in the target's directory (same filesystem, so the
rename is atomic), is flushed and fsynced, then renamed over the target; the directory
is fsynced so the rename itself survives a crash. On any failure the temporary file is
removed and the target is untouched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from kg.errors import UsageError, WriteError


def fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; raise ``UsageError``/``WriteError`` on failure."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(
            f"cannot write {path}: directory {directory} does not exist",
            hint="create the directory first or choose another output path",
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror}", hint=advice(exc)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            pause = _test_pause()
            if pause:
                # KG_TEST_SLOW_WRITE widens the write window so tests can kill a run inside it
                fh.write(data[: len(data) // 2])
                fh.flush()
                time.sleep(pause)
                fh.write(data[len(data) // 2 :])
                fh.flush()
                time.sleep(pause)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            # keep the permissions the user gave the file
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {path}: {exc.strerror}", hint=advice(exc)) from exc
        raise
    fsync_dir(directory)


def _test_pause() -> float:
    try:
        return float(os.environ.get("KG_TEST_SLOW_WRITE", "0") or 0)
    except ValueError:
        return 0.0


def advice(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full; free space and run again, nothing was changed"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the directory is not writable; fix its permissions, nothing was changed"
    return "nothing was changed"


@contextlib.contextmanager
def exclusive_lock(directory: Path, *, name: str = ".kg.lock", shared: bool = False) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``directory`` so writers take turns; ``shared``:
    a reader's lock, which waits for a writer to finish and lets other readers in.

    The lock is released by the kernel when the process dies, so a killed run never
    leaves a stale lock behind. A reader needs no write access: where the lock file cannot
    be created (a read-only directory), no writer can work there either, and it reads
    without one.
    """
    import fcntl  # POSIX only; imported here so read-only commands work elsewhere

    lock_path = Path(directory) / name
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if not shared:
            raise WriteError(f"cannot lock {directory}: {exc.strerror}", hint=advice(exc)) from exc
        try:
            fd = os.open(lock_path, os.O_RDONLY)
        except OSError:
            yield
            return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
