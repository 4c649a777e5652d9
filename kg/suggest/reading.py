"""Reading a new text: bytes or a string, plain text or an HTML page, to the article's text.

An HTML page keeps only what a reader reads: the ``<article>`` (or ``<main>``, or the
body) without scripts, styles, navigation, headers, footers, asides and forms. Whitespace
is tidied and page furniture ("Share", "Print", copyright lines) dropped, so that the
passages the candidates quote are the article's sentences. Offsets of candidates index
into the text returned here, which ``kg suggest`` keeps in the draft's header.
"""

from __future__ import annotations

import os
import re
import unicodedata
from html.parser import HTMLParser

from kg.errors import UsageError

#: the largest text accepted, in bytes (KG_SUGGEST_MAX_BYTES): a news item is 2-20 kB, a
#: long report 200 kB; a 10 MB file is not one text to review sentence by sentence
DEFAULT_MAX_BYTES = 2_000_000

_SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg", "iframe",
         "button", "select", "option", "head", "menu", "figure", "figcaption", "object", "embed", "canvas"}
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article",
          "main", "blockquote", "pre", "dd", "dt", "dl", "hr", "td", "th", "body", "html", "title"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
_FURNITURE = re.compile(
    r"^(share( this)?( on \w+)?|print|tweet|e-?mail|facebook|twitter|telegram|whatsapp|linkedin|read (also|more)|"
    r"related( news| articles)?|tags?:.*|photo( credit)?:.*|source:.*|©.*|copyright.*|all rights reserved.*|"
    r"subscribe.*|advertisement|поделиться|читайте также.*|фото:.*|источник:.*)$", re.IGNORECASE)


def max_bytes() -> int:
    try:
        return int(os.environ.get("KG_SUGGEST_MAX_BYTES", DEFAULT_MAX_BYTES))
    except ValueError:
        return DEFAULT_MAX_BYTES


def read_text(data: bytes | str, *, content_type: str | None = None, location: str = "<text>") -> str:
    """The article text of ``data``; a clear UsageError for what is not a text to read."""
    cap = max_bytes()
    if isinstance(data, bytes):
        if len(data) > cap:
            raise UsageError(f"{location}: the text is {len(data):,} bytes, more than kg suggest reads ({cap:,} bytes)",
                             hint="split it into its parts (one news item or report section at a time), or raise KG_SUGGEST_MAX_BYTES")
        if b"\x00" in data[:65536]:
            raise UsageError(f"{location}: this is a binary file, not a text",
                             hint="give the text itself: plain text (UTF-8) or an HTML page; for a PDF or a Word file, save it as text first")
        try:
            raw = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{location}: byte {exc.start} is not UTF-8", hint="save the text as UTF-8 (most editors: Save as, encoding UTF-8)") from exc
    else:
        raw = data
        if len(raw.encode("utf-8", "surrogatepass")) > cap:
            raise UsageError(f"{location}: the text is more than kg suggest reads ({cap:,} bytes)",
                             hint="split it into its parts, or raise KG_SUGGEST_MAX_BYTES")
    if _control_heavy(raw):
        raise UsageError(f"{location}: this is a binary file, not a text", hint="give the text itself: plain text (UTF-8) or an HTML page")
    is_html = (content_type or "").split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml") or _looks_html(raw)
    text = _article(raw) if is_html else raw
    text = tidy(text)
    if not text.strip():
        raise UsageError(f"{location}: the text is empty" + (" (the page has no article text)" if is_html else ""),
                         hint="give the news item or report itself")
    return text


def tidy(text: str) -> str:
    """NFC, one kind of line end, spaces tidied within lines, furniture lines dropped."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t\f\v]+", " ", line).strip()
        if line and _FURNITURE.match(line):
            continue
        lines.append(line)
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"


def _looks_html(raw: str) -> bool:
    head = raw.lstrip()[:2000].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or bool(re.search(r"<(body|article|p|div|h1)\b", head))


def _control_heavy(raw: str) -> bool:
    sample = raw[:65536]
    if not sample:
        return False
    bad = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f\v")
    return "\x00" in sample or bad > max(8, len(sample) // 100)


class _Article(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: dict[str, list[str]] = {"article": [], "main": [], "body": []}
        self.open: dict[str, int] = {"article": 0, "main": 0, "body": 0}
        self.done_article = False
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag in ("br", "hr"):
                self._emit("\n")
            return
        self.stack.append(tag)
        role = dict(attrs).get("role") or ""
        if tag in _SKIP or role in ("navigation", "banner", "contentinfo", "complementary", "search"):
            self.skip += 1
            self.stack[-1] = "\0" + tag
            return
        if tag in self.open and not (tag == "article" and self.done_article):
            self.open[tag] += 1
        if tag in _BLOCK:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        while self.stack:
            top = self.stack.pop()
            name = top.lstrip("\0")
            if top.startswith("\0"):
                self.skip -= 1
            elif name in self.open and self.open[name] > 0:
                self.open[name] -= 1
                if name == "article" and self.open[name] == 0:
                    self.done_article = True  # the first article is the page's
            if name in _BLOCK:
                self._emit("\n")
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._emit(data)

    def _emit(self, text: str) -> None:
        if self.skip:
            return
        for part in ("article", "main", "body"):
            if self.open[part] > 0:
                self.parts[part].append(text)
        if not any(self.open.values()):
            self.parts.setdefault("rest", []).append(text)


def _article(raw: str) -> str:
    parser = _Article()
    parser.feed(raw)
    parser.close()
    for part in ("article", "main", "body", "rest"):
        text = "".join(parser.parts.get(part, []))
        if text.strip():
            return text
    return ""


def language_of(text: str) -> str:
    """"en", "ru", or the script's name when the matcher knows neither ("und" if no letters)."""
    counts = {"latin": 0, "cyrillic": 0, "arabic": 0, "cjk": 0, "other": 0}
    for c in text[:20000]:
        if not c.isalpha():
            continue
        o = ord(c)
        if o < 0x250:
            counts["latin"] += 1
        elif 0x400 <= o < 0x530:
            counts["cyrillic"] += 1
        elif 0x600 <= o < 0x700 or 0xFB50 <= o < 0xFE00:
            counts["arabic"] += 1
        elif 0x4E00 <= o < 0xA000:
            counts["cjk"] += 1
        else:
            counts["other"] += 1
    script = max(counts, key=lambda k: counts[k])
    if not counts[script]:
        return "und"
    if script == "cyrillic":
        return "ru"
    if script == "latin":
        words = re.findall(r"[a-z]+", text[:20000].lower())
        common = sum(1 for w in words if w in _EN_COMMON)
        return "en" if words and common / len(words) > 0.08 else "latin"
    return script


_EN_COMMON = frozenset("the of and in to a on was were is are for with by at from that as will be has have this which".split())
