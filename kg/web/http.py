"""HTTP pieces every route module shares: the error answer (``Problem``), content
negotiation read from ``kg.formats``, and JSON answers. Nothing here knows a route.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Request, Response

from kg import formats
from kg.errors import KgError

#: media type -> kg.rdf.render format, in the order offered when the client does not care
TABLE_TYPES = formats.media_types("table")
GRAPH_TYPES = formats.media_types("graph")
#: ``format=`` values people type, for clients that cannot set Accept (and download links)
FORMAT_NAMES = formats.web_names()
#: the download links under a result table
DOWNLOADS = {"table": formats.downloads("table"), "graph": formats.downloads("graph")}
HTML = "text/html"
class Problem(Exception):
    """An answer other than 200, with a message for the person or program that asked."""

    def __init__(self, status: int, message: str, *, hint: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.hint, self.headers = status, message, hint, headers or {}



#: advice only the command line can follow: an option or a command of ``kg``
_COMMAND_LINE = re.compile(r"(?<![\w-])--[a-z]|`kg |\bkg [a-z]+ |\bpass -[a-zA-Z]\b|\brun with -")


def web_hint(exc: KgError) -> str | None:
    """The one place a problem's advice is chosen for the web: its web wording where the
    error has one, else its own hint unless that is the command line's (then none: a
    person at a page cannot pass ``--as-of``; the CLI keeps the hint, ``str(exc)``)."""
    if exc.web_hint is not None:
        return exc.web_hint or None
    if exc.hint and _COMMAND_LINE.search(exc.hint):
        return None
    return exc.hint


def problem_of(exc: KgError, status: int, headers: dict[str, str] | None = None) -> Problem:
    """The answer for an error of the API, worded for the web."""
    message = f"{exc.location}: {exc.message}" if exc.location else exc.message
    return Problem(status, message, hint=web_hint(exc), headers=headers)


def wants_html(request: Request) -> bool:
    """A browser (``text/html`` preferred over every RDF and result type) unless ``format=`` says."""
    if request.args.get("format"):
        return request.args["format"] in ("html", HTML)
    return _prefers_html(request.headers.get("Accept", ""))


# Parsing Accept and matching it against every type offered cost the front more than
# anything else per request; clients send the same few headers over and over.
@functools.lru_cache(maxsize=256)
def _prefers_html(header: str) -> bool:
    accept = parse_accept_header(header, MIMEAccept)
    if not accept or accept.best == "*/*":
        return False
    best = accept.best_match([HTML, "application/xhtml+xml"] + [m for m, _ in TABLE_TYPES + GRAPH_TYPES])
    return best in (HTML, "application/xhtml+xml")


def accepts_json(request: Request) -> bool:
    return request.accept_mimetypes.best in ("application/json", "application/sparql-results+json")


def negotiate(request: Request, form: str, *, allow_html: bool = False) -> tuple[str, str]:
    """(media type, kg.rdf.render format) for a result of ``form``, from ``format=`` or Accept; 406 if none fits."""
    asked = request.args.get("format") or (request.form.get("format") if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded" else None)
    found = _choose(request.headers.get("Accept", ""), asked, form in ("CONSTRUCT", "DESCRIBE"), allow_html)
    if isinstance(found, Problem):
        raise Problem(found.status, found.message.replace("{form}", ("an " if form[0] in "AEIOU" else "a ") + form), hint=found.hint)
    return found


@functools.lru_cache(maxsize=256)
def _choose(header: str, asked: str | None, graph: bool, allow_html: bool) -> tuple[str, str] | Problem:
    offered = GRAPH_TYPES if graph else TABLE_TYPES
    if asked:
        media = FORMAT_NAMES.get(asked.lower(), asked.lower())
        for m, fmt in offered:
            if m == media:
                return m, fmt
        return Problem(406, f"format {asked!r} does not fit {{form}} result",
                       hint="use one of " + ", ".join(sorted({n for n, m in FORMAT_NAMES.items() if m in dict(offered)})))
    accept = parse_accept_header(header, MIMEAccept)
    if not accept:
        return offered[0]
    choices = [m for m, _ in offered] + ([HTML] if allow_html else [])
    best = accept.best_match(choices)
    if best is None:
        return Problem(406, "none of the types in Accept fits {form} result",
                       hint="accept one of " + ", ".join(m for m, _ in offered[:6]))
    if best == HTML:
        return HTML, "html"
    return best, dict(offered)[best]


def json_response(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value, ensure_ascii=False, indent=1), status=status, mimetype="application/json")


# ---------------------------------------------------------------- representations and the cache
#
# The graph changes rarely and is read often: an answer is a function of the store version
# and of the request (method, path and query string, the headers negotiation reads, a POST's
# body), so once made it can be answered again from memory, compressed once, with a strong
# validator a client can revalidate with (304).

#: every read answer, unless a route says otherwise: stored anywhere, but checked each time
REVALIDATE = "public, max-age=0, must-revalidate"
#: a file whose URL names its content (``?v=`` of ``static_url``): never changes
IMMUTABLE = "public, max-age=31536000, immutable"
GZIP_MIN = 512  # bytes below which gzip saves less than its header and the CPU cost
_COMPRESSIBLE = ("text/", "application/json", "application/ld+json", "application/sparql-results+", "application/rdf+xml",
                 "application/n-triples", "application/n-quads", "application/trig", "application/xml", "image/svg+xml",
                 "application/javascript", "application/vnd.oai.openapi")
#: the request headers an answer may vary on, besides the path, the query string and a POST's body
KEY_HEADERS = ("accept", "accept-language", "content-type")
#: requests carrying these may be answered for one person only: never from or into the cache
PRIVATE_HEADERS = ("authorization", "cookie")


def compressible(media: str) -> bool:
    return media.startswith(_COMPRESSIBLE) or media.endswith(("+json", "+xml"))


@functools.lru_cache(maxsize=64)
def accepts_gzip(header: str) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip`` or ``*`` with a q above 0)."""
    found = None
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        if name.strip() in ("gzip", "x-gzip"):
            return q > 0
        if name.strip() == "*":
            found = q > 0
    return bool(found)


@functools.lru_cache(maxsize=16)
def http_date(when: float) -> str:
    from email.utils import formatdate

    return formatdate(when, usegmt=True)


@functools.lru_cache(maxsize=64)
def _parse_date(text: str) -> float | None:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


class Entry:
    """One answer, ready to send again: its status and headers, its body and (for a
    compressible type) the body gzipped once, each with its strong ETag."""

    __slots__ = ("status", "headers", "body", "gzipped", "etag", "etag_gz", "modified", "modified_at", "size", "validators")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes, *, version: str | None, modified: float | None) -> None:
        import hashlib

        media = ""
        kept = []
        vary: list[str] = []
        cache_control = None
        for k, v in headers:
            lk = k.lower()
            if lk in ("content-length", "etag", "last-modified", "content-encoding"):
                continue
            if lk == "vary":
                vary += [x.strip() for x in v.split(",") if x.strip()]
                continue
            if lk == "content-type":
                media = v.split(";", 1)[0].strip().lower()
            if lk == "cache-control":
                cache_control = v
            kept.append((k, v))
        self.status, self.body, self.modified_at = status, body, modified
        # validators only for what a version decides; a remote store's answers have none
        self.validators = version is not None and status == 200
        # made on the first request that accepts gzip (b"": not worth it), then kept
        self.gzipped: bytes | None = None if compressible(media) and len(body) >= GZIP_MIN and status in (200, 404) else b""
        if compressible(media):
            vary.append("Accept-Encoding")
        if vary:
            seen: dict[str, str] = {}
            for v in vary:
                seen.setdefault(v.lower(), v)
            kept.append(("Vary", ", ".join(seen.values())))
        if cache_control is None and status in (200, 404):
            kept.append(("Cache-Control", REVALIDATE))
        self.headers = kept
        self.etag = self.etag_gz = ""
        self.modified = ""
        if self.validators:
            h = hashlib.blake2b(digest_size=12)
            h.update(f"{version}\0{media}\0".encode())
            h.update(body)
            tag = h.hexdigest()
            self.etag, self.etag_gz = f'"{tag}"', f'"{tag}-gzip"'
            if modified is not None:
                self.modified = http_date(modified)
        # room for the gzipped copy is counted from the start, so the bound holds once it is made
        self.size = len(body) * (2 if self.gzipped is None else 1) + sum(len(k) + len(v) for k, v in kept) + 256

    def answer(self, method: str, headers: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        """(status, headers, body) for a request with these headers (a mapping with
        ``get``, lower-case names): gzip if accepted, 304 if the client's copy is current,
        no body for HEAD (its Content-Length is GET's)."""
        zipped = self.gzipped != b"" and accepts_gzip(headers.get("accept-encoding") or "")
        if zipped and self.gzipped is None:
            import gzip

            packed = gzip.compress(self.body, compresslevel=6, mtime=0)
            # two threads may both compress it: the same bytes either way
            self.gzipped = packed if len(packed) < len(self.body) else b""
            zipped = self.gzipped != b""
        body = self.gzipped if zipped else self.body
        assert body is not None
        out = list(self.headers)
        etag = self.etag_gz if zipped else self.etag
        if etag:
            out.append(("ETag", etag))
            if self.modified:
                out.append(("Last-Modified", self.modified))
            if method in ("GET", "HEAD") and _not_modified(headers, etag, self.modified_at):
                return 304, [(k, v) for k, v in out if k.lower() in _KEPT_ON_304], b""
        if zipped:
            out.append(("Content-Encoding", "gzip"))
        out.append(("Content-Length", str(len(body))))
        return self.status, out, b"" if method == "HEAD" else body


_KEPT_ON_304 = {"cache-control", "content-location", "etag", "expires", "vary", "last-modified",
                "access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers",
                "access-control-max-age", "x-content-type-options"}


def _not_modified(headers: Any, etag: str, modified: float | None) -> bool:
    # RFC 9110 13.2.2: If-None-Match first (weak comparison); If-Modified-Since only without it
    inm = headers.get("if-none-match")
    if inm is not None:
        if inm.strip() == "*":
            return True
        bare = etag.strip('"')
        return any(t.strip().removeprefix("W/").strip('"') == bare for t in inm.split(","))
    ims = headers.get("if-modified-since")
    if ims and modified is not None:
        since = _parse_date(ims)
        return since is not None and int(modified) <= since
    return False


def cache_key(version: str, method: str, path: str, query: str, headers: Any, body: bytes) -> tuple:
    """What an answer depends on besides the code: the store version, the method (HEAD
    is answered from GET's entry), the address, the negotiated headers and a POST's body.
    ``Accept-Encoding`` is not in it: an entry holds both the plain and the gzipped body."""
    return (version, "GET" if method == "HEAD" else method, path, query,
            *(headers.get(h) or "" for h in KEY_HEADERS), body if method == "POST" else b"")


class ResponseCache:
    """Answers by ``cache_key``, least recently used first out, at most ``max_bytes`` in
    all (bodies, gzipped bodies, headers and keys) and ``max_entry`` each. Thread-safe:
    the front's event loop reads it, the request threads fill it. Entries of an older store
    version are unreachable (the version is in the key) and dropped when a new one is seen."""

    def __init__(self, max_bytes: int = 64 << 20, max_entry: int | None = None) -> None:
        import threading
        from collections import OrderedDict

        self.max_bytes = max_bytes
        self.max_entry = max_bytes // 8 if max_entry is None else max_entry
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._version: str | None = None
        self.bytes = 0
        self.hits = self.misses = self.stored = self.evicted = 0

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple, entry: Entry) -> bool:
        size = entry.size + len(key[-1]) + sum(len(x) for x in key[2:-1])
        if size > self.max_entry or size > self.max_bytes:
            return False
        with self._lock:
            if key[0] != self._version:  # a new store version: the old answers can never be asked for again
                self._entries.clear()
                self.bytes = 0
                self._version = key[0]
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            entry.size = size
            self._entries[key] = entry
            self.bytes += size
            self.stored += 1
            while self.bytes > self.max_bytes:
                _, gone = self._entries.popitem(last=False)
                self.bytes -= gone.size
                self.evicted += 1
        return True

    def __len__(self) -> int:
        return len(self._entries)

    def state(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self.bytes, "max_bytes": self.max_bytes,
                    "hits": self.hits, "misses": self.misses, "evicted": self.evicted}
