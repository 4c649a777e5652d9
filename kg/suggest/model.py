"""What ``kg suggest`` produces: candidates, each a small block of statements with the
passage it rests on, and the draft that holds them."""

from __future__ import annotations

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
        from kg.suggest.draft import to_turtle

        return to_turtle(self, self.selected(accepted), edits=edits or {}, reviewed_by=reviewed_by, reviewed_at=reviewed_at)

    def review(self, *, width: int = 100) -> str:
        from kg.suggest.draft import review_text

        return review_text(self, width=width)

    def as_json(self) -> dict[str, Any]:
        return {
            "source": {"iri": self.source_iri, "title": self.source.title, "publisher": self.source.publisher,
                       "issued": self.source.issued, "url": self.source.url, "language": self.language},
            "messages": list(self.messages),
            "candidates": [c.as_json() for c in self.candidates],
            "text_length": len(self.text),
        }
