"""A server worker: opens the graph, then answers calls from ``kg.web.pool`` until its
pipe closes. Started as ``python -m kg.web.worker``; not a command for people."""

from __future__ import annotations

import os
import pickle
import signal
import sys
from multiprocessing.connection import Connection


def _die_with_parent() -> None:
    # a worker busy in a long query would outlive a server killed with SIGKILL
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def main() -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    receive = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # a stray print must not corrupt the pipe
    from kg.limits import _portable
    from kg.web import ops

    try:
        config = pickle.loads(receive.recv_bytes())
        graph = ops.open_graph(config)
    except BaseException as exc:  # noqa: BLE001 - the server reports it
        send.send_bytes(pickle.dumps(("error", _portable(exc))))
        return
    send.send_bytes(pickle.dumps(("ready", os.getpid())))
    while True:
        try:
            op, args = pickle.loads(receive.recv_bytes())
        except (EOFError, OSError):
            return  # the server closed the pipe: it is shutting down
        try:
            answer = ("ok", getattr(ops, op)(graph, *args))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            answer = ("error", _portable(exc))
        try:
            send.send_bytes(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        except (BrokenPipeError, OSError):
            return


if __name__ == "__main__":
    main()
