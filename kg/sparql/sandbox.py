"""Switch the network off in a process that evaluates user text, and tie it to its parent.

pyoxigraph always carries Oxigraph's HTTP client, and its ``Store.query`` has no option to
turn SERVICE calls off (the Rust ``without_default_http_service_handler`` is not exposed).
A refusal decided on the query's text can only be as good as the parser behind it, so the
guarantee is made where the query runs instead: the worker process that evaluates a query
installs a seccomp filter that makes ``socket()`` fail for every address family but
``AF_UNIX`` (the worker's pipes to its parent), and ``io_uring_setup`` with it, since
io_uring can open sockets without the ``socket`` system call. Whatever a query says, the
engine then cannot reach a host: a SERVICE call fails like an unreachable endpoint.

The filter is Linux-only (x86_64 and aarch64, the machines the project runs on); elsewhere
``deny_network`` returns False and the text-level refusal in ``kg.sparql.engine`` stands alone.
A filter cannot be lifted once installed, so it is only ever installed in a worker process
(a fork of the command line's process, or a server worker), never in the process a user
or notebook keeps.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import signal
import struct
import sys
import threading
import time

# <linux/audit.h>, <linux/seccomp.h>, <linux/filter.h>, <linux/prctl.h>
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_NR_SOCKET = {"x86_64": 41, "aarch64": 198}
_NR_IO_URING_SETUP = 425  # the same number on both
_X32_SYSCALL_BIT = 0x40000000
_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
_AF_UNIX = 1

_installed = False
_worker = False


def _stmt(code: int, k: int) -> bytes:
    return struct.pack("HBBI", code, 0, 0, k)


def _jump(code: int, k: int, if_true: int, if_false: int) -> bytes:
    return struct.pack("HBBI", code, if_true, if_false, k)


def _program(machine: str) -> bytes:
    deny = _RET_ERRNO | errno.EACCES
    return b"".join(
        [
            _stmt(_LD_W_ABS, 4),  # seccomp_data.arch
            _jump(_JEQ_K, _AUDIT_ARCH[machine], 1, 0),
            _stmt(_RET_K, deny),  # another ABI (32-bit calls on a 64-bit kernel): nothing
            _stmt(_LD_W_ABS, 0),  # seccomp_data.nr
            _jump(_JGE_K, _X32_SYSCALL_BIT, 0, 1),
            _stmt(_RET_K, deny),  # the x32 ABI numbers the same calls differently
            _jump(_JEQ_K, _NR_IO_URING_SETUP, 0, 1),
            _stmt(_RET_K, _RET_ERRNO | errno.ENOSYS),
            _jump(_JEQ_K, _NR_SOCKET[machine], 0, 3),
            _stmt(_LD_W_ABS, 16),  # seccomp_data.args[0], low 32 bits: the address family
            _jump(_JEQ_K, _AF_UNIX, 1, 0),
            _stmt(_RET_K, deny),
            _stmt(_RET_K, _RET_ALLOW),
        ]
    )


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def supported() -> bool:
    """Whether ``deny_network`` can work on this machine."""
    return sys.platform.startswith("linux") and platform.machine() in _AUDIT_ARCH


def enter_worker(*, offline: bool) -> bool:
    """Declare this process a worker that evaluates user text (a server's worker), so
    ``kg.sparql.limits.call`` runs work here instead of forking again; ``offline``: and cut it off
    from the network. Returns whether the process is offline."""
    global _worker
    _worker = True
    return deny_network() if offline else False


def in_worker() -> bool:
    """Whether ``enter_worker`` was called in this process."""
    return _worker


def deny_network() -> bool:
    """From now on this process (and any child it starts) cannot open a network socket.

    Returns whether the filter is in place; False where the platform has no seccomp."""
    global _installed
    if _installed:
        return True
    if not supported():
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    prog = _program(platform.machine())
    buf = ctypes.create_string_buffer(prog, len(prog))
    fprog = _SockFprog(len(prog) // 8, ctypes.addressof(buf))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return False
    global _worker
    _installed = _worker = True  # cut off, it is a worker: work it is given runs right here
    return True


def die_with_parent(parent: int | None = None) -> None:
    """End this process when its parent ends, even if the parent was killed with SIGKILL.

    On Linux the kernel sends SIGKILL (PR_SET_PDEATHSIG); elsewhere a daemon thread
    watches the parent id. ``parent``: the pid the caller expects as parent; if it is
    already gone (it died between fork and here), end now."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    expected = parent if parent is not None else os.getppid()
    if os.getppid() != expected:
        os._exit(1)
    if not sys.platform.startswith("linux"):

        def watch() -> None:
            while os.getppid() == expected:
                time.sleep(0.2)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
