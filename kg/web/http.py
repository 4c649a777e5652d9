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
