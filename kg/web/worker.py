"""A server worker: opens the graph, then answers calls from ``kg.web.pool`` until its
pipe closes. Started as ``python -m kg.web.worker``; not a command for people.

A worker evaluates what clients send (query text, parameters, IRIs), so once its graph
is open it declares itself a worker and gives up the network (``kg.sparql.sandbox.enter_worker``,
which installs ``deny_network``): whatever a query says, a SERVICE call cannot leave the
machine, nor reach a port on it. Being a worker also tells ``kg.sparql.limits`` to run each query
right here rather than fork again: the pool kills the whole worker on time. A worker
reading from a remote endpoint (``--endpoint``) needs its sockets; there the text-level
refusal in ``kg.sparql.engine`` is what stands.
"""

from __future__ import annotations

import os
import pickle
import signal
from multiprocessing.connection import Connection
from typing import Any


def main() -> None:
    from kg.sparql.sandbox import die_with_parent, enter_worker

    die_with_parent()  # a worker busy in a long query would outlive a server killed with SIGKILL
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    receive = Connection(os.dup(0), writable=False)
    send = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # a stray print must not corrupt the pipe
    from kg.errors import portable
    from kg.web import ops

    try:
        config = pickle.loads(receive.recv_bytes())
        graph = ops.open_graph(config)
        sandboxed = enter_worker(offline=not config.endpoint)
    except BaseException as exc:  # the server reports it
        send.send_bytes(pickle.dumps(("error", portable(exc))))
        return
    send.send_bytes(pickle.dumps(("ready", {"pid": os.getpid(), "sandboxed": sandboxed})))
    while True:
        try:
            op, args, pin = pickle.loads(receive.recv_bytes())
        except (EOFError, OSError):
            return  # the server closed the pipe: it is shutting down
        try:
            if pin is not None:
                graph.pin(pin)
            answer = ("ok", operation(ops, op)(graph, *args))
        except BaseException as exc:  # every failure goes back to the caller
            answer = ("error", portable(exc))
        try:
            send.send_bytes(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        except (BrokenPipeError, OSError):
            return


def operation(ops: Any, name: str) -> Any:
    """``kg.web.ops.NAME``, or for the review page's operations (``review_...``) ``kg.web.review.NAME``."""
    if name.startswith("review_"):
        from kg.web import review

        return getattr(review, name)
    return getattr(ops, name)


if __name__ == "__main__":
    main()
