"""What ``kg suggest`` produces: candidates, each a small block of statements with the
passage it rests on, and the draft that holds them.

Writing a draft (below): Turtle a person edits by deleting blocks, and the review list.

Every candidate is one block of complete statements, headed by a comment that says what
it is, how sure the rule is, and the passage (QuickStatements' lesson: one line per claim,
readable, deletable). A block never continues another, so deleting any block leaves valid
Turtle; a block that needs another (a participation needs its event) says so with
"needs cNN", and the review page drops dependants with what they need.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: the kinds of candidate, in the order the review list shows them
KINDS = ("source", "event", "date", "place", "status", "participant", "person", "post", "document", "topic",
         "body", "next-event", "amendment", "disagreement")


@dataclass(frozen=True)
class SourceInfo:
    """The source document a text comes from, as the person gives it."""

    title: str
    publisher: str
    issued: str | None = None  # YYYY-MM-DD, or None when the page carries no date
    url: str | None = None
    language: str | None = None  # BCP 47; None: detected from the text


@dataclass
class Candidate:
    """One proposed fact (or a small group that stands or falls together)."""

    id: str  # stable within a draft: "c01", "c02", ...
    kind: str  # one of KINDS
    summary: str  # one line a person reads: what is proposed
    passage: str  # the exact text it rests on
    start: int  # offsets of ``passage`` in the draft's text
    end: int
    confidence: float  # 0..1
    why: str  # the rule and the match that produced it
    status: str = "matched"  # matched | new (proposes a new entity) | amendment (changes or disputes what the graph holds)
    #: Turtle statements, one per line, each complete ("s p o ."), in the project's prefixes
    statements: list[str] = field(default_factory=list)
    #: candidates this one needs (an event's participants need the event)
    depends: tuple[str, ...] = ()
    #: the IRI (CURIE) this candidate is about, and the one it proposes as value, if any
    subject: str = ""
    value: str = ""
    #: an amendment shows what the graph holds now, and its passage
    previous: str = ""
    previous_passage: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "summary": self.summary, "status": self.status,
            "confidence": round(self.confidence, 2), "why": self.why, "subject": self.subject, "value": self.value,
            "passage": self.passage, "start": self.start, "end": self.end, "depends": list(self.depends),
            "previous": self.previous or None, "previous_passage": self.previous_passage or None,
            "statements": list(self.statements),
        }


@dataclass
class Draft:
    source: SourceInfo
    source_iri: str  # CURIE of the source document
    text: str  # the text read (offsets index into it)
    language: str
    candidates: list[Candidate]
    messages: list[str] = field(default_factory=list)  # what a person should know (nothing found, unknown language...)

    def selected(self, accepted: Iterable[str] | None) -> list[Candidate]:
        """The accepted candidates and, transitively, those they need; all when None."""
        if accepted is None:
            return list(self.candidates)
        by_id = {c.id: c for c in self.candidates}
        keep: set[str] = set()
        # the source document always goes with its facts
        todo = [i for i in accepted if i in by_id] + [c.id for c in self.candidates if c.kind == "source"]
        while todo:
            i = todo.pop()
            if i in keep:
                continue
            keep.add(i)
            todo.extend(d for d in by_id[i].depends if d in by_id)
        return [c for c in self.candidates if c.id in keep]

    def turtle(self, accepted: Iterable[str] | None = None, *, edits: Mapping[str, str] | None = None,
               reviewed_by: str | None = None, reviewed_at: str | None = None) -> str:
        return to_turtle(self, self.selected(accepted), edits=edits or {}, reviewed_by=reviewed_by, reviewed_at=reviewed_at)

    def review(self, *, width: int = 100) -> str:
        return review_text(self, width=width)

    def as_json(self) -> dict[str, Any]:
        return {
            "source": {"iri": self.source_iri, "title": self.source.title, "publisher": self.source.publisher,
                       "issued": self.source.issued, "url": self.source.url, "language": self.language},
            "messages": list(self.messages),
            "candidates": [c.as_json() for c in self.candidates],
            "text_length": len(self.text),
        }


# ---------------------------------------------------------------- writing a draft

PREFIXES = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix kg: <https://w3id.org/jckg/ontology#> .
@prefix kgc: <https://w3id.org/jckg/concept/> .
@prefix kgi: <https://w3id.org/jckg/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

_CURIE = re.compile(r"^(?:kgi|kgc|kg):[A-Za-z0-9][\w-]*$|^<https?://[^\s<>\"]+>$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _comment(text: str) -> str:
    # one comment line: no line break can end the comment and start a statement
    return re.sub(r"[\r\n\u0085\u2028\u2029]+", " ", text)


def edited_term(old: str, new: str) -> str:
    """The Turtle term for a reviewer's edit of a value shown as ``old``."""
    from kg.suggest.text import turtle_literal as _lit

    new = new.strip()
    if _CURIE.match(new):
        return new
    if re.fullmatch(r"\d+", old) and re.fullmatch(r"\d+", new):
        return new  # an integer stays an integer (kg:ordinal)
    if new.startswith(("http://", "https://")):
        return f"<{new}>"
    if _DAY.match(new):
        return f'"{new}"^^xsd:date'
    lang = re.search(r'"@([a-z-]+)$', old)
    return _lit(new, lang.group(1) if lang else None)


def to_turtle(draft: Draft, chosen: list[Candidate], *, edits: Mapping[str, str], reviewed_by: str | None,
              reviewed_at: str | None) -> str:
    from kg.suggest.text import turtle_literal as _lit

    out = [f"# Draft from kg suggest: candidate facts from {_comment(draft.source.title)!s}",
           "# Review each block: delete the blocks that the text does not support, then run",
           "#   kg add --dry-run THIS_FILE   (kg amend --dry-run when a block says 'amendment')",
           "", PREFIXES]
    for c in chosen:
        statements = list(c.statements)
        if c.id in edits and c.value and c.kind == "date":
            statements = _edit_dates(statements, edits[c.id])
        elif c.id in edits and c.value:
            new = edited_term(c.value, edits[c.id])
            statements = [_replace_object(s, c.value, new) for s in statements]
        if not statements:
            continue
        summary = c.summary
        if c.id in edits and c.value:
            summary = f"{c.kind} edited by the reviewer to {edited_term(c.value, edits[c.id])}"
        badge = {"new": "NEW ", "amendment": "AMENDMENT "}.get(c.status, "")
        needs = f"  needs {', '.join(c.depends)}" if c.depends else ""
        out.append(f"# [{c.id}] {badge}{c.kind}: {_comment(summary)}  ({c.confidence:.2f}: {_comment(c.why)}){needs}")
        if c.passage:
            out.append(f"#   \u00ab{_comment(c.passage)}\u00bb")
        if c.previous:
            out.append(f"#   the graph now: {c.previous}" + (f" \u00ab{_comment(c.previous_passage)}\u00bb" if c.previous_passage else ""))
        out.extend(statements)
        out.append("")
    if reviewed_by or reviewed_at:
        src = draft.source_iri
        out.append("# who reviewed this draft, and when")
        if reviewed_by:
            out.append(f"{src} kg:reviewedBy {_lit(reviewed_by)} .")
        if reviewed_at:
            out.append(f'{src} kg:reviewedAt "{reviewed_at}"^^xsd:dateTime .')
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _edit_dates(statements: list[str], edit: str) -> list[str]:
    """A date candidate edited to "2026-09-25" (one day) or "2026-09-25/2026-09-27": start
    and end each take their own day, with their attributions."""
    first, _, last = edit.strip().partition("/")
    last = last or first
    out = list(statements)
    for predicate, day in (("schema:startDate", first), ("schema:endDate", last)):
        old = next((s.split(" ", 2)[2][:-2] for s in statements if s.split(" ")[1] == predicate and " a " not in s), None)
        if old is None:
            continue
        new = edited_term(old, day)
        out = [_replace_object(s, old, new) if s.split(" ")[1] == predicate or _about(s, statements, predicate) else s for s in out]
    return out


def _about(statement: str, statements: list[str], predicate: str) -> bool:
    # a statement of the attribution node of ``predicate`` (its name holds the property)
    prop = re.sub(r"(?<!^)(?=[A-Z])", "-", predicate.split(":", 1)[1]).lower()
    return f"--{prop}--" in statement.split(" ", 1)[0]


def _replace_object(statement: str, old: str, new: str) -> str:
    """The value replaced in object position, and in the name of the value's attribution
    (``kgi:e--location--tashkent`` becomes ``kgi:e--location--baku``)."""
    from kg.suggest.text import local_name as _local

    suffix = f" {old} ."
    if statement.endswith(suffix):
        statement = statement[: -len(suffix)] + f" {new} ."
    subject, _, rest = statement.partition(" ")
    tail = f"--{_local(old)}"
    if subject.endswith(tail):
        subject = subject[: -len(tail)] + f"--{_local(new)}"
    return f"{subject} {rest}"


def review_text(draft: Draft, *, width: int = 100) -> str:
    lines = [f"source {draft.source_iri}  ({draft.language}, {len(draft.text):,} characters)"]
    for m in draft.messages:
        lines.append(f"note: {m}")
    for c in draft.candidates:
        badge = {"new": "NEW", "amendment": "AMEND"}.get(c.status, "")
        lines.append(f"{c.id}  {c.kind:<11} {badge:<5} {c.confidence:.2f}  {c.summary}")
        lines.append(f"{'':4}why: {c.why}" + (f"; needs {', '.join(c.depends)}" if c.depends else ""))
        if c.passage:
            quoted = textwrap.shorten(c.passage, width=max(40, width - 16), placeholder=" …")
            lines.append(f"{'':4}\u00ab{quoted}\u00bb  [{c.start}:{c.end}]")
        if c.previous:
            lines.append(f"{'':4}the graph now: {c.previous}" + (f" \u00ab{textwrap.shorten(c.previous_passage, width=max(40, width - 30), placeholder=' …')}\u00bb" if c.previous_passage else ""))
    return "\n".join(lines) + "\n"
