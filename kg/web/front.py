"""The HTTP front of ``kg serve``: uvicorn's HTTP/1.1 (httptools, uvloop where installed),
with the limits a public server needs, in front of the WSGI application.

Why uvicorn and not waitress (the front before): waitress's event loop looks at every
open connection on every turn, and stopped accepting at its connection limit, so a few
hundred idle connections slowed or stopped the server; it has no deadline for a
request's headers, so a client sending them a byte a second kept a connection forever.
An asyncio loop (epoll) costs nothing per idle connection, uvicorn's HTTP parsing is in
C, and it tells the application when a client leaves (granian, cheaper still, does not
through WSGI); ``bench/results/front-choice.md`` has the measurements. uvicorn has no
deadline for headers and no limit on connections either: ``_Protocol`` adds them. The
application stays WSGI (werkzeug); ``Bridge`` runs it on a pool of threads, which mostly
wait on the query workers (``kg.web.pool``).

What a client gets (``Limits``):

* a connection that sends nothing is closed after ``idle_timeout`` seconds, and so is
  a kept-alive connection between two requests;
* a request's line and headers must arrive within ``header_timeout`` of its first byte
  (slowloris), and be at most ``max_header_bytes``; its body within ``body_timeout``;
* at ``max_connections`` open connections, the longest idle ones are closed to make
  room (then those with a request half sent); a new connection is refused only when
  every open one has a request running;
* a client that closes its connection while its request runs is seen at once: the
  application's ``kg.client_disconnected`` callable says so, and the pool kills the
  worker running the query.
"""

from __future__ import annotations

import asyncio
import io
import socket
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from kg.web.app import DISCONNECTED


@dataclass(frozen=True)
class Limits:
    max_connections: int = 1024  # open connections; past it the longest idle are closed
    idle_timeout: float = 15.0  # seconds a connection may stay silent (before a request, or between two)
    header_timeout: float = 10.0  # seconds from a request's first byte to the end of its headers
    body_timeout: float = 30.0  # seconds from the end of the headers to the end of the body
    max_header_bytes: int = 80 << 10  # request line and headers (the query string is limited below it)
    max_body: int = 1 << 20  # bytes of a body; larger ones get 413 without being read


def _plain(status: str, text: str) -> bytes:
    body = text.encode()
    return (f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


_TIMEOUT_408 = _plain("408 Request Timeout", "the request's headers did not arrive in time; send them all at once\n")
#: httptools parses a URL with 16-bit offsets: a longer one cannot be read at all
MAX_URL_BYTES = 65_535
_URL_TOO_LONG_414 = _plain("414 URI Too Long", f"the URL is longer than the server's limit of {MAX_URL_BYTES:,} bytes\n"
                           "hint: send the query in a POST body instead\n")
_TOO_LARGE_431 = _plain("431 Request Header Fields Too Large", "the request's line and headers are too long; send the query in a POST body\n")


def protocol_class(limits: Limits) -> type:
    """uvicorn's httptools protocol with a deadline for headers, a size limit on them, an
    idle timeout from the first byte on, and room made at the connection limit."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class _Protocol(HttpToolsProtocol):
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self.kg_last = self.loop.time()
            self.kg_header_bytes = self.kg_url_bytes = 0
            self.kg_header_timer: Any = None
            # until the first byte: uvicorn's own keep-alive timer starts only after an answer
            self.kg_idle_timer: Any = self.loop.call_later(limits.idle_timeout, self._kg_close_idle)
            if len(self.connections) > limits.max_connections:
                _make_room(self, self.connections, limits.max_connections)

        def data_received(self, data: bytes) -> None:
            self.kg_last = self.loop.time()
            if self.kg_idle_timer is not None:
                self.kg_idle_timer.cancel()
                self.kg_idle_timer = None
            if self.cycle is None or self.cycle.response_complete:
                self._kg_headers_begin()  # bytes before a request line count too (a trickle of blank lines)
            super().data_received(data)

        def on_message_begin(self) -> None:
            self._kg_headers_begin()
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            self.kg_url_bytes += len(url)
            if self.kg_url_bytes > MAX_URL_BYTES:
                self._kg_refuse(_URL_TOO_LONG_414)
            self._kg_count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._kg_count(len(name) + len(value) + 4)
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            if self.kg_header_timer is not None:
                self.kg_header_timer.cancel()
                self.kg_header_timer = None
            self.kg_header_bytes = self.kg_url_bytes = 0
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            for timer in (self.kg_idle_timer, self.kg_header_timer):
                if timer is not None:
                    timer.cancel()
            super().connection_lost(exc)

        def kg_busy(self) -> bool:
            """A request is running (its answer not sent yet)."""
            return self.cycle is not None and not self.cycle.response_complete

        def kg_half_sent(self) -> bool:
            return self.kg_header_timer is not None

        def _kg_headers_begin(self) -> None:
            if self.kg_header_timer is None:
                self.kg_header_timer = self.loop.call_later(limits.header_timeout, self._kg_too_slow)

        def _kg_count(self, n: int) -> None:
            self.kg_header_bytes += n
            if self.kg_header_bytes > limits.max_header_bytes:
                self._kg_refuse(_TOO_LARGE_431)

        def _kg_refuse(self, answer: bytes) -> None:
            if not self.transport.is_closing():
                self.transport.write(answer)
                self.transport.close()
            self.kg_refused = True
            raise _Refused  # stops the parser; uvicorn then calls send_400_response

        def send_400_response(self, msg: str) -> None:
            if not getattr(self, "kg_refused", False):  # else this connection got its answer already
                super().send_400_response(msg)

        def _kg_too_slow(self) -> None:
            self.kg_header_timer = None
            if not self.transport.is_closing():
                self.transport.write(_TIMEOUT_408)
                self.transport.close()

        def _kg_close_idle(self) -> None:
            self.kg_idle_timer = None
            if not self.transport.is_closing() and not self.kg_busy():
                self.transport.close()

    return _Protocol


def _make_room(new: Any, connections: set[Any], limit: int) -> None:
    """Close the longest idle connections, then the oldest half-sent requests, so that
    ``connections`` is back under ``limit``; the new one only if nothing else can go."""
    excess = len(connections) - limit
    others = [c for c in connections if c is not new and not c.transport.is_closing()]
    idle = sorted((c for c in others if not c.kg_busy() and not c.kg_half_sent()), key=lambda c: c.kg_last)
    half = sorted((c for c in others if not c.kg_busy() and c.kg_half_sent()), key=lambda c: c.kg_last)
    # a batch, so that a flood of connections does not pay for this scan on every accept
    batch = max(excess, limit // 64)
    victims = (idle + half)[:batch]
    for c in victims:
        c.transport.close()
    if len(victims) < excess:
        new.transport.close()


class Bridge:
    """An ASGI application that runs a WSGI application on ``threads`` threads.

    It reads the body first (up to the limit, within ``body_timeout``), then calls the
    application with ``kg.client_disconnected`` in its environ, while a task listens for
    the client going away."""

    def __init__(self, app: Callable[..., Any] | None, *, threads: int, limits: Limits, server_name: str, server_port: int) -> None:
        self.app, self.limits = app, limits
        # the application's cache lookup (``kg.web.app.App.cached``), asked before a thread is
        self.cached: Callable[..., Any] | None = getattr(app, "cached", None)
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="kg-front")
        self.server_name, self.server_port = server_name, str(server_port)

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            return
        app = self.app
        if app is None:  # Front.run() serves only once an application is mounted
            raise RuntimeError("no WSGI application mounted")
        length = _content_length(scope["headers"])
        body = b""
        close = False
        if length is not None and length > self.limits.max_body:
            close = True  # the application answers 413 from the header; the body is never read
        elif not length and not _chunked(scope["headers"]):
            pass  # no body to wait for (a GET): no timer, no task
        else:
            try:
                received = await asyncio.wait_for(self._body(receive), self.limits.body_timeout)
            except asyncio.TimeoutError:
                await _send_plain(send, 408, b"the request's body did not arrive in time\n")
                return
            except _Gone:
                return
            if received is None:  # over the limit without a Content-Length (chunked)
                length, close = self.limits.max_body + 1, True
            else:
                body = received
        if self.cached is not None and not close:
            # a repeated request is answered here, on the event loop: no thread, no worker
            try:
                hit = self.cached(scope["method"], _path_info(scope), scope["query_string"].decode("latin-1"), _key_headers(scope["headers"]), body)
            except Exception:  # whatever it was, the application answers it on a thread (and logs a bug)
                hit = None
            if hit is not None:
                status, headers, content = hit
                await send({"type": "http.response.start", "status": status,
                            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]})
                await send({"type": "http.response.body", "body": content})
                return
        gone = threading.Event()
        environ = self._environ(scope, body, length if close else None)
        environ[DISCONNECTED] = gone.is_set
        watcher = asyncio.ensure_future(_watch(receive, gone))
        try:
            status, headers, chunks = await asyncio.get_running_loop().run_in_executor(self.executor, _call, app, environ)
        finally:
            watcher.cancel()
        if gone.is_set():
            return  # nobody to answer
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        if close:
            raw.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": int(status.split(" ", 1)[0]), "headers": raw})
        await send({"type": "http.response.body", "body": chunks})

    async def _body(self, receive: Callable[..., Any]) -> bytes | None:
        parts, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Gone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body:
                return None
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)

    def _environ(self, scope: dict[str, Any], body: bytes, declared: int | None) -> dict[str, Any]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": scope["method"],
            "SCRIPT_NAME": "",
            "PATH_INFO": _path_info(scope),
            "QUERY_STRING": scope["query_string"].decode("latin-1"),
            "SERVER_NAME": self.server_name,
            "SERVER_PORT": self.server_port,
            "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
            "REMOTE_ADDR": (scope.get("client") or ("", 0))[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(declared if declared is not None else len(body)),
        }
        for name, value in scope["headers"]:
            key = name.decode("latin-1").upper().replace("-", "_")
            text = value.decode("latin-1")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = text
                continue
            if key == "CONTENT_LENGTH":
                continue
            key = "HTTP_" + key
            environ[key] = f"{environ[key]},{text}" if key in environ else text
        return environ

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class _Gone(Exception):
    """The client closed the connection while sending its body."""


class _Refused(Exception):
    """A request refused by the front while its headers were read."""


def _path_info(scope: dict[str, Any]) -> str:
    # WSGI wants the path's bytes as latin-1 text, percent-decoded once
    return unquote_to_bytes(scope.get("raw_path") or scope["path"].encode()).decode("latin-1")


#: the request headers the cache's key and answer read (``kg.web.http``)
_KEY_HEADERS = frozenset({b"accept", b"accept-encoding", b"accept-language", b"content-type", b"if-none-match",
                          b"if-modified-since", b"authorization", b"cookie"})


def _key_headers(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in headers:
        if name in _KEY_HEADERS:
            key, text = name.decode("latin-1"), value.decode("latin-1")
            # joined as the environ joins them, so both build the same key
            found[key] = f"{found[key]},{text}" if key in found and key != "content-type" else text
    return found


def _chunked(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name == b"transfer-encoding" for name, _ in headers)


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _watch(receive: Callable[..., Any], gone: threading.Event) -> None:
    # after the body, uvicorn's receive() returns only when the client disconnects
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            gone.set()
            return


def _call(app: Callable[..., Any], environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None  # the application never writes this way

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return captured["status"], captured["headers"], body


async def _send_plain(send: Callable[..., Any], status: int, text: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": text})


class Front:
    """The listening socket and the server over it; ``mount`` the WSGI application, then
    ``run()`` serves until SIGINT or SIGTERM (or ``stop()``)."""

    def __init__(self, app: Callable[..., Any] | None = None, *, host: str, port: int, threads: int, limits: Limits) -> None:
        import uvicorn

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind((host, port))
            # listening from here on: a client told the address may connect before the loop
            # runs, and waits in the backlog rather than being refused
            self.sock.listen(2048)
        except OSError:
            self.sock.close()
            raise
        self.effective_host, self.effective_port = self.sock.getsockname()[:2]
        _raise_file_limit(limits.max_connections + 256)
        self.bridge = Bridge(app, threads=threads, limits=limits, server_name=str(self.effective_host),
                             server_port=self.effective_port)
        config = uvicorn.Config(
            self.bridge,
            http=protocol_class(limits),
            loop="auto",  # uvloop where it is installed
            interface="asgi3",
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            server_header=False,
            timeout_keep_alive=int(max(1, limits.idle_timeout)),
            timeout_graceful_shutdown=3,
            backlog=2048,
        )
        self.server = uvicorn.Server(config)

    def mount(self, app: Callable[..., Any]) -> None:
        self.bridge.app = app
        self.bridge.cached = getattr(app, "cached", None)

    def run(self) -> None:
        assert self.bridge.app is not None, "mount an application first"
        self.server.run(sockets=[self.sock])

    def stop(self) -> None:
        self.server.should_exit = True

    def close(self) -> None:
        self.bridge.close()
        try:
            self.sock.close()
        except OSError:
            pass


def _raise_file_limit(wanted: int) -> None:
    """Each connection is a file descriptor: lift the soft limit toward ``wanted``."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
