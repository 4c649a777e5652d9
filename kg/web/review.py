"""The review page of ``kg serve``: from a new text to facts merged into the graph.

A person pastes a text (or uploads a plain-text or HTML file) with its source details at
``GET /suggest``; ``POST /suggest`` runs ``kg suggest`` on it and shows the candidate facts
beside the text, each passage highlighted, each candidate with a checkbox (ticked unless
its confidence is low), its status (NEW entity, amendment of what the graph holds), why
it was proposed and a box to correct its value. The Turtle of the ticked candidates can
always be downloaded (``action=turtle``) and added with ``kg add``.

Writes (``POST /suggest/submit``) exist only on a server started with ``--allow-writes``
and ``--token-file FILE`` (one reviewer per line, ``NAME TOKEN``). A submission must

* come from this server's own page: ``Origin`` (or ``Referer`` when there is no Origin)
  is the server's public address (``--base-url``), or the Host the browser used when that
  is an IP address or ``localhost`` (a name could be rebound to this machine by its DNS),
  and ``Sec-Fetch-Site`` is not cross-site;
* carry the per-form CSRF value twice, in a ``SameSite=Strict; HttpOnly`` cookie and a
  hidden field, equal (double submit);
* carry a reviewer's token (form field ``token`` or ``Authorization: Bearer``), compared
  in constant time with every token of the file.

Anything else is 403 and nothing is run. The submission itself is recomputed: the draft is
made again from the posted text and source details (``kg suggest`` is deterministic), in
a worker, against the files as they are now; if it is not the draft the person reviewed
(another reviewer merged meanwhile, so a NEW entity is now known), it is refused with 409
and the new draft shown. Otherwise the ticked candidates and the corrected values become
Turtle that names the reviewer and the time (``kg:reviewedBy``, ``kg:reviewedAt`` on the
source document), written to a temporary file and merged by ``kg.add.add_files``: exactly
``kg add`` (``kg amend`` when the draft supersedes a statement), under its lock, so two
reviewers submitting at once are merged one after the other (or the second is refused
with the reason). A draft that does not validate is 422 with the report; nothing written.

Where things run: the front (``App``) only reads the form, checks sizes, the origin, the
CSRF value and the token; everything that reads the text (suggest, Turtle, the merge)
runs in a worker (the ``review_*`` functions here, dispatched by ``kg.web.worker``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import stat
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kg.errors import KgError, UsageError

#: characters of a source detail (title, publisher, URL...)
MAX_FIELD = 2_000
#: below this confidence a candidate starts unticked
LOW_CONFIDENCE = 0.5
#: seconds a merge may take (it waits for another reviewer's merge, and may build a version)
WRITE_TIMEOUT = 300.0
#: shortest token the token file may hold
MIN_TOKEN = 16
CSRF_COOKIE = "kg_review_csrf"
UPLOAD_TYPES = {"text/plain": "text/plain", "text/html": "text/html", "application/xhtml+xml": "text/html"}
_CSRF_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
#: on every answer under /suggest: nothing of it cached, framed, or run from elsewhere
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
}


# ---------------------------------------------------------------- who may write


@dataclass(frozen=True)
class Reviewer:
    name: str
    token: bytes = field(repr=False)  # its SHA-256: compared digest to digest, same length every time


@dataclass(frozen=True)
class Writes:
    """Who may merge reviewed drafts (``kg serve --allow-writes --token-file FILE``)."""

    reviewers: tuple[Reviewer, ...] = field(repr=False)
    source: str = ""  # the token file, for messages

    def who(self, token: str | None) -> str | None:
        """The reviewer whose token this is, or None; every token is compared, in constant time."""
        if not token:
            return None
        given = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        found = None
        for r in self.reviewers:
            if hmac.compare_digest(given, r.token) and found is None:
                found = r.name
        return found


def load_token_file(path: Path | str) -> Writes:
    """The reviewers of a token file: one per line, ``NAME TOKEN`` or just ``TOKEN`` (named
    "reviewer"); blank lines and lines starting with ``#`` are skipped. Refused (UsageError):
    a file others can read or write, no reviewer, a token shorter than 16 characters, the
    same token or name twice."""
    path = Path(path)
    fix = f"chmod 600 {path}"
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"the token file {path} is not a regular file", hint="write one reviewer per line: NAME TOKEN")
        if info.st_mode & 0o077:
            raise UsageError(f"the token file {path} can be read or written by others (mode {stat.S_IMODE(info.st_mode):04o})",
                             hint=f"make it private to you: {fix}")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read the token file {path}: {exc.strerror or exc}", hint="write one reviewer per line: NAME TOKEN") from None
    except UnicodeDecodeError:
        raise UsageError(f"the token file {path} is not UTF-8 text") from None
    make = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
    reviewers: list[Reviewer] = []
    names: set[str] = set()
    digests: set[bytes] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        where = f"{path}:{number}"
        if len(words) == 1:
            name, token = "reviewer", words[0]
        elif len(words) == 2:
            name, token = words
        else:
            raise UsageError(f"{where}: a line holds a reviewer's name and token (NAME TOKEN), not {len(words)} words",
                             hint="the name is one word (letters, digits, . _ @ -); the token has no spaces")
        if not _NAME.fullmatch(name):
            raise UsageError(f"{where}: the reviewer name {name!r} is not one word of letters, digits, '.', '_', '@' or '-' (at most 64)")
        if len(token) < MIN_TOKEN:
            raise UsageError(f"{where}: the token of {name} has {len(token)} characters; a token needs at least {MIN_TOKEN}",
                             hint=f"make one with {make}")
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        if digest in digests:
            raise UsageError(f"{where}: this token is given twice", hint="give each reviewer a token of their own")
        if name in names and len(words) == 2:
            raise UsageError(f"{where}: the reviewer {name} is named twice", hint="one line per reviewer")
        names.add(name)
        digests.add(digest)
        reviewers.append(Reviewer(name, digest))
    if not reviewers:
        raise UsageError(f"the token file {path} names no reviewer",
                         hint=f"write one reviewer per line, NAME TOKEN; make a token with {make}; then {fix}")
    return Writes(tuple(reviewers), str(path))


def writes_from_options(allow_writes: bool, token_file: Path | str | None, endpoint: str | None = None) -> Writes | None:
    """What ``kg serve --allow-writes --token-file FILE`` allows; both or neither."""
    if not allow_writes and token_file is None:
        return None
    if not allow_writes:
        raise UsageError("--token-file is only read with --allow-writes", hint="pass both to let reviewers merge drafts from /suggest, or neither")
    if token_file is None:
        raise UsageError("--allow-writes needs --token-file FILE: the reviewers who may write, one per line (NAME TOKEN)",
                         hint="a server that writes without tokens would let anyone who reaches it change the graph")
    if endpoint:
        raise UsageError(f"--allow-writes writes the local files and cannot work on the endpoint {endpoint}",
                         hint="serve the local files (unset KG_ENDPOINT), then `kg push`")
    return load_token_file(token_file)


# ---------------------------------------------------------------- what the form says


@dataclass(frozen=True)
class Submission:
    """The form as it came, checked for size only; it pickles to a worker."""

    text: str = ""  # a pasted text (or, from a review page, the text read)
    data: bytes | None = None  # an uploaded file
    content_type: str | None = None
    filename: str = ""
    title: str = ""
    publisher: str = ""
    issued: str = ""
    url: str = ""
    language: str = ""
    reviewed: bool = False  # from a review page: its ticks count (none ticked is none)
    accepted: tuple[str, ...] = ()
    edits: tuple[tuple[str, str], ...] = ()
    fingerprint: str = ""  # of the draft the person reviewed


class FormProblem(Exception):
    """The form cannot be read; shown on the form again, with what the person typed."""

    def __init__(self, status: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint


def text_cap(settings: Any) -> int:
    """Bytes of text (or of an uploaded file) one review reads: what ``kg suggest`` reads
    (``KG_SUGGEST_MAX_BYTES``), and no more than the review page can post back within the
    server's body limit (``--max-body``: the text goes back in base64, a third larger)."""
    from kg.graph import Graph

    return max(1024, min(Graph.suggest_limit(), (settings.max_body - (64 << 10)) * 3 // 4))


def _too_large(what: str, size: int, cap: int) -> FormProblem:
    return FormProblem(413, f"{what} is {size:,} bytes; this server reviews at most {cap:,} bytes of text at once",
                       hint="paste the part of the document that holds the facts, or review it in parts "
                            "(the limit is kg suggest's KG_SUGGEST_MAX_BYTES and kg serve's --max-body)")


def read_form(request: Any, cap: int) -> Submission:
    """The submission in ``request`` (a werkzeug Request); FormProblem when it is too large or empty."""
    form = request.form

    def one(name: str, limit: int = MAX_FIELD) -> str:
        value = form.get(name, "")
        if len(value) > limit:
            raise FormProblem(413, f"the {name} is longer than {limit:,} characters")
        return value.strip()

    data = None
    content_type = None
    filename = ""
    upload = request.files.get("file")
    text = form.get("text", "")
    if upload is not None and upload.filename:
        filename = upload.filename[-200:]
        data = upload.stream.read(cap + 1)
        if len(data) > cap:
            raise _too_large(f"the file {filename}", len(data) + len(upload.stream.read()), cap)
        content_type = _upload_type(upload.mimetype, filename)
        if content_type is None:
            raise FormProblem(415, f"the file {filename} is neither plain text nor HTML ({upload.mimetype or 'no type'})",
                              hint="upload a .txt or .html file, or paste the text")
    elif form.get("carried"):
        # the text or file carried over from the review page, in base64: a form field's
        # line breaks are rewritten by the browser, and the offsets must stay those reviewed
        try:
            data = base64.b64decode(form["carried"], validate=True)
        except (binascii.Error, ValueError):
            raise FormProblem(400, "the carried text is not base64") from None
        if len(data) > cap:
            raise _too_large("the carried text", len(data), cap)
        filename = form.get("filename", "")[-200:]
        if form.get("carried_kind") != "file":
            try:
                text, data = data.decode("utf-8"), None
            except UnicodeDecodeError:
                raise FormProblem(400, "the carried text is not UTF-8") from None
        else:
            content_type = UPLOAD_TYPES.get(form.get("content_type", ""), "text/plain")
    if data is None:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > cap:
            raise _too_large("the text", size, cap)
        if not text.strip():
            raise FormProblem(400, "paste a text or choose a file", hint="a news item or report: the text the facts are read from")
        if form.get("content_type") in UPLOAD_TYPES:
            content_type = UPLOAD_TYPES[form["content_type"]]
    title, publisher = one("title"), one("publisher")
    if not title or not publisher:
        raise FormProblem(400, "the source needs its title and its publisher", hint="they describe the source document every fact cites")
    edits = tuple((k[len("value-"):], v) for k, v in form.items(multi=True) if k.startswith("value-") and len(v) <= MAX_FIELD)
    return Submission(
        text=text if data is None else "", data=data, content_type=content_type, filename=filename,
        title=title, publisher=publisher, issued=one("issued"), url=one("url"), language=one("language", 40),
        reviewed=form.get("reviewed") == "1", accepted=tuple(form.getlist("accept")), edits=edits,
        fingerprint=one("fingerprint", 128),
    )


def _upload_type(mimetype: str | None, filename: str) -> str | None:
    if mimetype in UPLOAD_TYPES:
        return UPLOAD_TYPES[mimetype]
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    return {"txt": "text/plain", "text": "text/plain", "md": "text/plain", "html": "text/html", "htm": "text/html",
            "xhtml": "text/html"}.get(suffix)


def form_values(request: Any) -> dict[str, str]:
    """What the person typed, to fill the form again after a problem."""
    form = request.form if request.method == "POST" else {}
    return {k: str(form.get(k, "")) if k == "text" else str(form.get(k, ""))[:MAX_FIELD] for k in ("title", "publisher", "issued", "url", "language", "text")}


# ---------------------------------------------------------------- same origin, CSRF, token (in the front)


def new_csrf(request: Any) -> str:
    """The CSRF value of this browser: the cookie's if it has a sound one, else a new one."""
    value = request.cookies.get(CSRF_COOKIE, "")
    return value if _CSRF_SHAPE.fullmatch(value) else secrets.token_urlsafe(32)


def set_csrf(response: Any, value: str, base_url: str) -> None:
    response.set_cookie(CSRF_COOKIE, value, path="/suggest", httponly=True, samesite="Strict",
                        secure=base_url.startswith("https:"))


def check_csrf(request: Any) -> None:
    from kg.web.http import Problem

    cookie = request.cookies.get(CSRF_COOKIE, "")
    given = request.form.get("csrf", "")
    if not cookie or not given:
        raise Problem(403, "the form carries no CSRF value (or its cookie is missing); nothing was written",
                      hint="submit the review from this server's /suggest page, with cookies on")
    if not hmac.compare_digest(cookie.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass")):
        raise Problem(403, "the form's CSRF value does not match its cookie; nothing was written",
                      hint="reload /suggest and review the text again")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, lower case, without a default port; None if it has none."""
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host:
        return None
    shown = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{shown}" + (f":{port}" if port and port != default else "")


def _unbindable(host: str) -> bool:
    """A host name no DNS answer can point elsewhere: an IP address, or localhost."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def check_same_origin(request: Any, base_url: str) -> None:
    """Refuse (403) a request another site's page made: by ``Sec-Fetch-Site``, then by
    ``Origin`` (or ``Referer`` without it) against the server's public address."""
    from kg.web.http import Problem

    site = request.headers.get("Sec-Fetch-Site", "")
    if site in ("cross-site", "same-site"):
        raise Problem(403, f"the submission came from another site's page (Sec-Fetch-Site: {site}); nothing was written",
                      hint="submit the review from this server's /suggest page")
    allowed = {origin_of(base_url)}
    host = request.host or ""
    if host and _unbindable(host):
        allowed.add(origin_of(f"{request.scheme}://{host}/"))
    allowed.discard(None)
    origin = request.headers.get("Origin")
    what = "Origin"
    if origin is None:
        referer = request.headers.get("Referer")
        if not referer:
            raise Problem(403, "the submission says neither where it comes from (Origin) nor which page sent it (Referer); nothing was written",
                          hint="submit it from this server's /suggest page; a script sends Origin: " + str(origin_of(base_url)))
        origin, what = origin_of(referer) or "null", "Referer"
    if origin_of(origin) not in allowed or origin.strip() == "null":
        raise Problem(403, f"the submission came from another origin ({what}: {origin[:200]}); nothing was written",
                      hint=f"submit it from this server's own page at {base_url}suggest (the address its operator set)")


def token_of(request: Any) -> str:
    token = request.form.get("token", "").strip()
    if token:
        return token
    kind, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if kind.lower() == "bearer" else ""


def now_utc() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- the pages (in the front)


def suggest_page(app: Any, request: Any) -> Any:
    """``GET /suggest``: the form; ``POST /suggest``: the review (``action=review``) or the
    draft Turtle of the ticked candidates as a download (``action=turtle``)."""
    from kg.web.http import Problem, web_hint

    try:
        if request.method != "POST":
            return _page(app, request, "input", values=form_values(request))
        action = request.form.get("action", "review")
        if action not in ("review", "turtle"):
            raise Problem(400, f"unknown action {action[:40]!r}", hint="review or turtle")
        try:
            sub = read_form(request, text_cap(app.settings))
        except FormProblem as p:
            return _page(app, request, "input", status=p.status, problem=p, values=form_values(request))
        if action == "turtle":
            try:
                name, body = app.call(request, "review_turtle", sub, what="the draft")
            except UsageError as exc:
                raise Problem(400, exc.message, hint=web_hint(exc)) from None
            return _secure(_turtle_response(name, body))
        try:
            view = app.call(request, "review_draft", sub, what="the suggestion")
        except UsageError as exc:
            return _page(app, request, "input", status=400, problem=FormProblem(400, exc.message, web_hint(exc)), values=form_values(request))
        if not _wants_html(request):
            return _json(view["draft"] | {"fingerprint": view["fingerprint"]})
        return _page(app, request, "review", view=view)
    except Problem as p:
        p.headers.update(SECURITY_HEADERS)
        raise


def submit_page(app: Any, request: Any) -> Any:
    """``POST /suggest/submit``: merge the ticked candidates (see the module's text)."""
    from kg.web.http import Problem

    try:
        writes = getattr(app.settings, "writes", None)
        if writes is None:
            raise Problem(403, "this server does not accept writes: nothing was written",
                          hint="download the draft's Turtle to add it to the graph's files, or ask the server's "
                               "operator to let reviewers merge")
        check_same_origin(request, app.settings.base_url)
        check_csrf(request)
        reviewer = writes.who(token_of(request))
        try:
            sub = read_form(request, text_cap(app.settings))
        except FormProblem as p:
            raise Problem(p.status, p.message, hint=p.hint) from None
        if reviewer is None:
            message = ("the reviewer's token is missing" if not token_of(request) else "the reviewer's token is not one this server knows")
            problem = Problem(403, message + "; nothing was written", hint="type the token your server's token file gives you")
            if not _wants_html(request):
                raise problem
            view = app.call(request, "review_draft", sub, what="the suggestion")
            return _page(app, request, "review", status=403, view=view, problem=problem)
        if not sub.reviewed:
            raise Problem(400, "this is not a reviewed draft: review the text first", hint="POST /suggest shows the candidates to tick")
        at = now_utc()
        app.versions.ready("none", app.settings.timeout)
        # a merge is not stopped when the client leaves: it would leave the person unsure of what happened
        out = app.pool.call("review_submit", sub, reviewer, at, timeout=max(app.settings.timeout, WRITE_TIMEOUT), what="the merge")
        app.versions.poke()  # the new version is built from now on; the old one is served meanwhile
        if not _wants_html(request):
            body = {k: v for k, v in out.items() if k != "view"}
            return _json(body, status=out["status"])
        if out["status"] == 200:
            return _page(app, request, "done", result=out["result"])
        problem = Problem(out["status"], out["problem"], hint=out.get("hint"))
        return _page(app, request, "review", status=out["status"], view=out["view"], problem=problem, report=out.get("report"))
    except Problem as p:
        p.headers.update(SECURITY_HEADERS)
        raise


def _page(app: Any, request: Any, mode: str, *, status: int = 200, **context: Any) -> Any:
    csrf = new_csrf(request)
    writes = getattr(app.settings, "writes", None)
    response = app.page("review.html", status=status, mode=mode, csrf=csrf, writes=writes is not None,
                        max_text=text_cap(app.settings), low=LOW_CONFIDENCE, **context)
    set_csrf(response, csrf, app.settings.base_url)
    return _secure(response)


def _secure(response: Any) -> Any:
    response.headers.update(SECURITY_HEADERS)
    return response


def _turtle_response(name: str, body: str) -> Any:
    from werkzeug.wrappers import Response

    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "draft"
    return Response(body.encode("utf-8"), mimetype="text/turtle",
                    headers={"Content-Disposition": f'attachment; filename="{safe}.ttl"'})


def _wants_html(request: Any) -> bool:
    from kg.web.http import wants_html

    return wants_html(request)


def _json(value: Any, status: int = 200) -> Any:
    from werkzeug.wrappers import Response

    return _secure(Response(json.dumps(value, ensure_ascii=False, indent=1), status=status, mimetype="application/json"))


# ---------------------------------------------------------------- in the workers


def _source_info(sub: Submission) -> dict[str, Any]:
    issued = sub.issued or None
    if issued is not None:
        try:
            _dt.date.fromisoformat(issued)
        except ValueError:
            raise UsageError(f"the issue date {issued[:40]!r} is not a day (YYYY-MM-DD)", hint="leave it empty if the source has no date") from None
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", issued):
            raise UsageError(f"write the issue date as YYYY-MM-DD, not {issued[:40]!r}")
    url = sub.url or None
    if url is not None and (origin_of(url) is None or any(c.isspace() or c in '<>"{}|\\^`' for c in url)):
        raise UsageError(f"the source's address {url[:200]!r} is not an http(s) URL", hint="copy it from the browser's address bar, or leave it empty")
    language = sub.language or None
    if language is not None and not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", language):
        raise UsageError(f"the language {language!r} is not a BCP 47 tag (en, ru, fa, zh-Hans...)", hint="leave it empty to have it detected")
    return {"title": sub.title, "publisher": sub.publisher, "issued": issued, "url": url, "language": language}


def _draft(graph: Any, sub: Submission) -> Any:
    body: str | bytes = sub.data if sub.data is not None else sub.text
    return graph.suggest(body, **_source_info(sub), content_type=sub.content_type, location="the text")


def fingerprint(draft: Any) -> str:
    """What identifies a draft: its candidates, passages and source, not the clock."""
    data = json.dumps(draft.as_json(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def _value_kind(value: str) -> str | None:
    from kg.namespaces import expand_curie

    if not value:
        return None
    if value.startswith(("http://", "https://", "<")) or (expand_curie(value) is not None and " " not in value):
        return "iri"
    return "literal"


_LITERAL = re.compile(r'^"((?:[^"\\]|\\.)*)"(?:\^\^\S+|@[A-Za-z0-9-]+)?$')


def shown_value(value: str) -> str:
    """A value as the edit box shows it: a literal's text (``2025-09-25`` for
    ``"2025-09-25"^^xsd:date``), an IRI as written."""
    m = _LITERAL.match(value)
    if not m:
        return value
    return re.sub(r"\\(.)", lambda e: {"n": "\n", "t": "\t", "r": "\r"}.get(e.group(1), e.group(1)), m.group(1))


def shown_of(candidate: Any) -> str:
    """A candidate's value in its edit box; a date candidate shows its span, first/last,
    as ``Draft.turtle`` takes an edit of it."""
    if candidate.kind == "date":
        days = {s.split(" ")[1]: shown_value(s.split(" ", 2)[2][:-2]) for s in candidate.statements
                if s.split(" ")[1] in ("schema:startDate", "schema:endDate")}
        first, last = days.get("schema:startDate", ""), days.get("schema:endDate", "")
        if first and last and last != first:
            return f"{first}/{last}"
    return shown_value(candidate.value)


def _segments(text: str, spans: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """The text cut at every passage's start and end: each piece with the candidates that
    cover it (shortest passage first) and those that start there."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    pieces = []
    for a, b in pairwise(cuts):
        if a == b:
            continue
        covering = sorted((e - s, i) for s, e, i in spans if s <= a and b <= e)
        pieces.append({"text": text[a:b], "ids": [i for _, i in covering], "starts": [i for s, _, i in spans if s == a]})
    return pieces


def view_of(draft: Any, sub: Submission) -> dict[str, Any]:
    """What the review page shows of a draft, with the person's ticks and edits when the
    form came from a review page."""
    ticks = set(sub.accepted) if sub.reviewed else None
    edits = dict(sub.edits)
    spans = []
    candidates = []
    for c in draft.candidates:
        shown = 0 <= c.start < c.end <= len(draft.text)
        if shown:
            spans.append((c.start, c.end, c.id))
        low = c.confidence < LOW_CONFIDENCE
        candidates.append(c.as_json() | {
            "ticked": (c.id in ticks) if ticks is not None else not low,
            "low": low,
            "shown": shown,
            "value_kind": _value_kind(c.value),
            "shown_value": shown_of(c),
            "edit": edits.get(c.id, shown_of(c)) if c.value else "",
        })
    raw = sub.data if sub.data is not None else sub.text.encode("utf-8", "surrogatepass")
    carried = {"carried": base64.b64encode(raw).decode("ascii"), "carried_kind": "file" if sub.data is not None else "text",
               "content_type": sub.content_type or "", "filename": sub.filename}
    return {
        "source": {"iri": draft.source_iri, "title": draft.source.title, "publisher": draft.source.publisher,
                   "issued": draft.source.issued or "", "url": draft.source.url or "", "language": sub.language,
                   "detected": draft.language, "filename": sub.filename},
        "carried": carried,
        "messages": list(draft.messages),
        "segments": _segments(draft.text, spans),
        "candidates": candidates,
        "fingerprint": fingerprint(draft),
        "draft": draft.as_json(),
    }


def _selection(draft: Any, sub: Submission) -> tuple[list[str], dict[str, str]]:
    by_id = {c.id: c for c in draft.candidates}
    unknown = [i for i in sub.accepted if i not in by_id]
    if unknown:
        raise UsageError(f"the draft has no candidate {unknown[0][:40]!r}", hint="review the text again: POST /suggest")
    if not sub.accepted:
        raise UsageError("no candidate is ticked", hint="tick the candidates the text supports")
    from kg.namespaces import curie

    edits = {}
    for cid, value in sub.edits:
        c = by_id.get(cid)
        value = value.strip()
        if value.startswith(("http://", "https://")) and not curie(value).startswith("<"):
            value = curie(value)  # as the suggest box's full IRIs are written in the graph's files
        if c is not None and c.value and value and value not in (c.value, shown_of(c)):
            edits[cid] = value
    return list(sub.accepted), edits


def review_draft(graph: Any, sub: Submission) -> dict[str, Any]:
    """The review page's data for the text of ``sub``."""
    return view_of(_draft(graph, sub), sub)


def review_turtle(graph: Any, sub: Submission) -> tuple[str, str]:
    """(file name, Turtle) of the ticked candidates of ``sub``'s draft (all the default
    ticks when it does not come from a review page)."""
    draft = _draft(graph, sub)
    if sub.reviewed:
        accepted, edits = _selection(draft, sub)
    else:
        accepted, edits = [c.id for c in draft.candidates if c.confidence >= LOW_CONFIDENCE], {}
    try:
        body = draft.turtle(accepted, edits=edits)
    except (KgError, ValueError) as exc:
        raise UsageError(f"the draft cannot be written: {exc}", hint="correct the value, or untick the candidate") from None
    return draft.source_iri.rsplit(":", 1)[-1].removeprefix("src-") or "draft", body


def review_submit(graph: Any, sub: Submission, reviewer: str, reviewed_at: str) -> dict[str, Any]:
    """Recompute the draft against the files as they are now, then merge the ticked
    candidates through ``kg add`` (``kg amend`` for a supersession); a dict with
    ``status`` (200, 400, 409, 422), and ``result`` or ``problem``, ``report`` and ``view``."""
    import tempfile

    from kg import views
    from kg.errors import InputError
    from kg.graph import Graph
    from kg.web.http import web_hint

    # the worker's own graph reads the version the front pins (perhaps older than the
    # files): a merge must read and lock the files as they are now, as `kg add` does
    current = Graph(graph.layout, cache=graph.cache, max_rows=None)
    draft = _draft(current, sub)
    view = view_of(draft, sub)
    if sub.fingerprint and view["fingerprint"] != sub.fingerprint:
        return {"status": 409, "view": view,
                "problem": "the graph changed since this text was reviewed (another reviewer merged facts): the draft below is "
                           "the one it gives now; nothing was written",
                "hint": "review the candidates again and submit"}
    try:
        accepted, edits = _selection(draft, sub)
        turtle = draft.turtle(accepted, edits=edits, reviewed_by=reviewer, reviewed_at=reviewed_at)
    except (KgError, ValueError) as exc:
        message = exc.message if isinstance(exc, KgError) else str(exc)
        return {"status": 422 if not isinstance(exc, UsageError) else 400, "view": view,
                "problem": f"the draft cannot be written: {message}; nothing was written",
                "hint": (web_hint(exc) if isinstance(exc, KgError) else None) or "correct the value, or untick the candidate"}
    with tempfile.TemporaryDirectory(prefix="kg-review-") as tmp:
        path = Path(tmp) / "draft.ttl"
        path.write_text(turtle, encoding="utf-8")
        amend = _supersedes(turtle)
        try:
            result = current.add([path], amend=amend)
        except InputError as exc:
            text = (f"{exc.location}: {exc.message}" if exc.location else exc.message).replace(str(path), "draft")
            return {"status": 422, "view": view, "problem": f"kg {'amend' if amend else 'add'} refused the draft: {text}; nothing was written",
                    "hint": "correct the value, or untick the candidate", "turtle": turtle}
        if not result.accepted:
            assert result.report is not None
            report = views.report_bytes(result.report, "text").decode("utf-8").replace(str(path), "draft")
            report = report.replace("The graph does NOT conform", "Rejected, nothing was written")
            return {"status": 422, "view": view, "report": report, "turtle": turtle,
                    "problem": "the draft does not validate against the graph's shapes; nothing was written",
                    "hint": "correct the values the report names, or untick their candidates"}
    from kg.namespaces import curie

    layout = current.layout
    return {"status": 200, "result": {
        "written": result.written,
        "command": "kg amend" if amend else "kg add",
        "target": layout.relative(result.target) if result.target else None,
        "new_file": result.new_file,
        "added": result.added,
        "already_present": result.already_present,
        "superseded": result.superseded,
        # attributions (kgi:NODE--PROPERTY--VALUE) hold the passages of key statements: counted apart
        "new_entities": [(str(e), curie(str(e))) for e in result.new_entities if "--" not in str(e)],
        "new_attributions": [(str(e), curie(str(e))) for e in result.new_entities if "--" in str(e)],
        "changed_entities": [(str(e), curie(str(e))) for e in result.changed_entities],
        "notes": list(result.notes),
        "source": curie(str(result.source)) if result.source else draft.source_iri,
        "source_iri": str(result.source) if result.source else "",
        "reviewed_by": reviewer,
        "reviewed_at": reviewed_at,
        "accepted": accepted,
    }}


def _supersedes(turtle: str) -> bool:
    """Whether the draft retires statements (kg:Supersession records): then it is ``kg amend``'s."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    kind = ox.NamedNode(PREFIXES["kg"] + "Supersession")
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    return any(q.predicate == rdf_type and q.object == kind for q in ox.parse(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE))

