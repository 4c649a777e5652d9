"""The names the graph knows, and where they occur in a text.

One matcher serves ``kg suggest`` (mentions in running text), the reconciliation service
(a name in a spreadsheet cell) and the forms' suggest box (a prefix as a person types).
It is built from the graph itself: every ``rdfs:label``, ``skos:prefLabel``,
``skos:altLabel`` and ``dcterms:title`` in every language, of states, organisations,
bodies, national authorities, posts, persons, places, meeting series, events,
instruments, initiatives and topic concepts, plus the few spelling variants and
adjectives in ``lexicon.yaml`` (matching aids, not facts: nothing from there enters the
graph).

Names are compared as keys: Unicode compatibility-folded, accents off, case folded,
punctuation as spaces, and each Russian word reduced to its dictionary form (pymorphy3's
OpenCorpora dictionary) so that "Узбекистана" and "в Ташкенте" find "Узбекистан" and
"Ташкент". Acronyms (all capitals, up to six letters) match only in capitals, so "eco-friendly"
does not find the ECO.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from typing import Any

import pyoxigraph as ox
import yaml

from kg.namespaces import PREFIXES
from kg.store.backend import Reads

_KG, _RDFS, _SKOS, _DCT, _RDF = PREFIXES["kg"], PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["dcterms"], PREFIXES["rdf"]
KGI = PREFIXES["kgi"]
KGC = PREFIXES["kgc"]

#: the kind of entity each class stands for, most specific first
KINDS: tuple[tuple[str, str], ...] = (
    ("MeetingFormat", "series"),
    ("State", "state"),
    ("NationalAuthority", "authority"),
    ("IntergovernmentalOrganization", "organisation"),
    ("Secretariat", "body"),
    ("PermanentBody", "body"),
    ("Centre", "body"),
    ("Body", "body"),
    ("Organization", "organisation"),
    ("Person", "person"),
    ("Post", "post"),
    ("City", "place"),
    ("Venue", "place"),
    ("Place", "place"),
    ("Initiative", "initiative"),
    ("Instrument", "instrument"),
    ("Declaration", "instrument"),
    ("Charter", "instrument"),
    ("Plan", "instrument"),
    ("Convention", "instrument"),
    ("ProgrammaticDocument", "instrument"),
    ("Meeting", "event"),
    ("Summit", "event"),
    ("ConferenceSession", "event"),
    ("SideEvent", "event"),
    ("BilateralMeeting", "event"),
    ("CourtesyCall", "event"),
    ("Event", "event"),
)
_KIND_OF = {_KG + c: k for c, k in KINDS}
_CLASS_RANK = {_KG + c: i for i, (c, _) in enumerate(KINDS)}
TOPIC_SCHEME = KGC + "topics"

_NAMES = (_RDFS + "label", _SKOS + "prefLabel", _SKOS + "altLabel", _DCT + "title")
_WORD = re.compile(r"[^\W_]+(?:['’ʼʻ`][^\W_]+)*", re.UNICODE)
_ACRONYM = re.compile(r"^[A-ZА-ЯЁ]{2,6}$")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}


@functools.lru_cache(maxsize=1)
def morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@functools.lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """A word's comparison key: folded, unaccented, lower case; Russian words lemmatised."""
    lowered = word.casefold()
    if _CYRILLIC.search(lowered):
        # lemmatise first: the dictionary needs "й" whole ("Китайской" -> "китайский"), and
        # only then fold the lemma like any other word
        lowered = str(morph().parse(lowered.replace("ё", "е"))[0].normal_form)
    folded = unicodedata.normalize("NFKD", lowered)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"['’ʼʻ`]", "", folded).replace("ё", "е")
    if _CYRILLIC.search(folded):
        return folded
    if folded.endswith("s") and len(folded) > 3 and folded[-2] in "'’":  # possessive
        folded = folded[:-2]
    return folded


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) for every word of ``text``; offsets are into ``text``."""
    for m in _WORD.finditer(text):
        yield m.start(), m.end(), m.group()


def key(text: str) -> tuple[str, ...]:
    """The key of a whole name: its words' keys, with an English possessive ending dropped."""
    out = []
    for _, _, w in words(text):
        k = word_key(w)
        if k.endswith("s") and len(w) > 2 and w[-2] in "'’":
            k = k[:-1]
        out.append(k)
    return tuple(out)


def _possessive(word: str) -> str:
    return re.sub(r"['’]s$", "", word)


def ordinal_in(text: str) -> int | None:
    """The ordinal a name carries: "4th", "fourth", "IV Meeting", "4-е", "четвертое"."""
    m = re.search(r"\b(\d{1,3})\s*(?:st|nd|rd|th|-?(?:й|е|я|го|м|ое|ой|ая))\b", text, re.IGNORECASE)
    if m:
        return int(m.group(1))
    lowered = text.casefold()
    for word, n in _ORDINAL_WORDS.items():
        if re.search(rf"\b{word}\b", lowered):
            return n
    m = re.search(r"\b([IVXL]{1,6})\s+(?:Meeting|Session|Conference|Summit|совещани\w*|заседани\w*)", text)
    if m:
        return roman(m.group(1))
    return None


def roman(text: str) -> int | None:
    values = {"I": 1, "V": 5, "X": 10, "L": 50}
    total, last = 0, 0
    for c in reversed(text.upper()):
        v = values.get(c)
        if v is None:
            return None
        total = total - v if v < last else total + v
        last = max(last, v)
    return total or None


@dataclass(frozen=True)
class Entry:
    """One entity the graph knows, with every name it goes by."""

    iri: str
    label: str  # the English label (or any label) to show
    kind: str  # state, organisation, body, authority, series, person, post, place, event, instrument, initiative, topic
    types: tuple[str, ...]  # its classes (IRIs), most specific first
    names: tuple[tuple[str, str], ...]  # (name, language tag)
    ordinal: int | None = None  # for events: kg:ordinal
    series: str | None = None  # for events: the meeting series (kg:sittingOf)
    description: str = ""

    @property
    def curie(self) -> str:
        return "kgi:" + self.iri[len(KGI):] if self.iri.startswith(KGI) else ("kgc:" + self.iri[len(KGC):] if self.iri.startswith(KGC) else self.iri)


@dataclass(frozen=True)
class Match:
    entry: Entry
    name: str  # the name of the entry that matched
    score: float  # 0..100
    exact: bool  # the whole query equals one of its names (after folding)


@dataclass(frozen=True)
class Mention:
    """A place in a text where a known name occurs."""

    start: int
    end: int
    text: str
    entry: Entry
    name: str


@dataclass
class Gazetteer:
    entries: dict[str, Entry]
    _index: dict[str, list[tuple[tuple[str, ...], Entry, str, bool]]] = field(default_factory=dict, repr=False)
    _by_key: dict[tuple[str, ...], list[tuple[Entry, str]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[tuple[tuple[str, ...], Entry, str, bool]]] = defaultdict(list)
        by_key: dict[tuple[str, ...], list[tuple[Entry, str]]] = defaultdict(list)
        for entry in self.entries.values():
            for name, _lang in entry.names:
                k = key(name)
                if not k:
                    continue
                acronym = bool(_ACRONYM.match(name.strip()))
                index[k[0]].append((k, entry, name, acronym))
                by_key[k].append((entry, name))
        for candidates in index.values():
            candidates.sort(key=lambda c: (-len(c[0]), c[1].iri, c[2]))  # longest name first
        self._index, self._by_key = dict(index), dict(by_key)

    # ------------------------------------------------------------ building

    @classmethod
    def from_store(cls, store: Reads, extra: Iterable[Entry] = ()) -> Gazetteer:
        return cls(_read_entries(store, extra))

    @classmethod
    def from_graph(cls, graph: Any) -> Gazetteer:
        """From the facade's store (the current view of the graph)."""
        return cls.from_store(graph.store().store)

    # ------------------------------------------------------------ running text

    def find(self, text: str, kinds: Iterable[str] | None = None) -> list[Mention]:
        """Every known name in ``text``, longest first where names overlap, in text order."""
        wanted = set(kinds) if kinds else None
        toks = [(s, e, w, word_key(w)) for s, e, w in words(text)]
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            found = None
            for k, entry, name, acronym in self._index.get(toks[i][3], ()):
                n = len(k)
                if i + n > len(toks) or wanted is not None and entry.kind not in wanted:
                    continue
                if tuple(t[3] for t in toks[i:i + n]) != k:
                    continue
                if acronym and _possessive(toks[i][2]) != name.strip():
                    continue
                if n > 1 and not _contiguous(text, toks[i:i + n]):
                    continue
                found = (n, entry, name)
                break
            if found:
                n, entry, name = found
                start, end = toks[i][0], toks[i + n - 1][1]
                out.append(Mention(start, end, text[start:end], entry, name))
                i += n
            else:
                i += 1
        return out

    # ------------------------------------------------------------ one name

    def lookup(self, query: str, *, kinds: Iterable[str] | None = None, types: Iterable[str] | None = None,
               limit: int = 5) -> list[Match]:
        """The entries ``query`` may name, best first: exact names score 100, then names whose
        words are a superset or close spelling (rapidfuzz), with the ordinal of "4th meeting"
        holding events to their number."""
        from rapidfuzz import fuzz

        wanted_kinds = set(kinds) if kinds else None
        wanted_types = set(types) if types else None
        q = " ".join(key(query))
        if not q:
            return []
        ordinal = ordinal_in(query)
        scored: dict[str, Match] = {}
        for entry in self.entries.values():
            if wanted_kinds is not None and entry.kind not in wanted_kinds:
                continue
            if wanted_types is not None and not wanted_types & set(entry.types):
                continue
            best: Match | None = None
            for name, _lang in entry.names:
                n = " ".join(key(name))
                if not n:
                    continue
                if n == q:
                    score, exact = 100.0, True
                else:
                    exact = False
                    # a name that holds every word of the query, and not much else, ranks first
                    score = max(0.6 * fuzz.token_set_ratio(q, n) + 0.4 * fuzz.token_sort_ratio(q, n), fuzz.ratio(q, n)) * 0.9
                    if len(q) >= 3 and (n.startswith(q) or f" {q}" in f" {n}"):
                        score = max(score, 80.0 + 10.0 * len(q) / len(n))
                if entry.ordinal is not None and ordinal is not None:
                    score = score + 10 if entry.ordinal == ordinal else score - 40
                score = max(0.0, min(score, 100.0))
                if best is None or score > best.score:
                    best = Match(entry, name, round(score, 1), exact)
            if best is not None and best.score >= 50:
                scored[entry.iri] = best
        ranked = sorted(scored.values(), key=lambda m: (-m.score, -_CLASS_RANK_MIN(m.entry), m.entry.label, m.entry.iri))
        return ranked[:limit]

    def complete(self, prefix: str, *, kinds: Iterable[str] | None = None, types: Iterable[str] | None = None,
                 limit: int = 10) -> list[Match]:
        """Entries with a name that starts with ``prefix``, or a word of which does (the
        suggest box), then close names."""
        p = " ".join(key(prefix))
        if not p:
            return []
        wanted_kinds = set(kinds) if kinds else None
        wanted_types = set(types) if types else None
        hits: list[Match] = []
        for entry in self.entries.values():
            if wanted_kinds is not None and entry.kind not in wanted_kinds:
                continue
            if wanted_types is not None and not wanted_types & set(entry.types):
                continue
            for name, _lang in entry.names:
                n = " ".join(key(name))
                if n.startswith(p):
                    hits.append(Match(entry, name, 100.0 if n == p else 90.0, n == p))
                    break
                if f" {p}" in f" {n}":
                    hits.append(Match(entry, name, 80.0, False))
                    break
        seen = {m.entry.iri for m in hits}
        if len(hits) < limit:
            hits += [m for m in self.lookup(prefix, kinds=kinds, types=types, limit=limit) if m.entry.iri not in seen]
        hits.sort(key=lambda m: (-m.score, m.entry.label.casefold(), m.entry.iri))
        return hits[:limit]

    def by_name(self, name: str, kinds: Iterable[str] | None = None) -> list[Entry]:
        """Entries one of whose names has exactly this key."""
        wanted = set(kinds) if kinds else None
        found = {e.iri: e for e, _ in self._by_key.get(key(name), ()) if wanted is None or e.kind in wanted}
        return [found[i] for i in sorted(found)]

    def of_kind(self, kind: str) -> list[Entry]:
        return sorted((e for e in self.entries.values() if e.kind == kind), key=lambda e: e.iri)

    # the matching rules' names, so a user of a gazetteer needs nothing else of this module
    # (last in the class: above, Entry in an annotation is the module's class, not this attribute)
    key = staticmethod(key)
    Entry = Entry
    KINDS = KINDS


def _CLASS_RANK_MIN(entry: Entry) -> int:  # a sort key
    return -min((_CLASS_RANK.get(t, 99) for t in entry.types), default=99)


def _contiguous(text: str, toks: list[tuple[int, int, str, str]]) -> bool:
    """The words of a multi-word name stand together: only spaces, hyphens, slashes or a
    few joining marks between them, never a sentence or clause break."""
    for (_, e1, _, _), (s2, _, _, _) in pairwise(toks):
        gap = text[e1:s2]
        if len(gap) > 3 or re.search(r"[.;:!?()\[\]\"«»\n]", gap):
            return False
    return True


@functools.lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """The curated matching aids: spelling variants and adjectives by IRI."""
    text = resources.files("kg.suggest").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


def _read_entries(store: Reads, extra: Iterable[Entry]) -> dict[str, Entry]:
    names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for p in _NAMES:
        for q in store.quads_for_pattern(None, ox.NamedNode(p), None, None):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                names[q.subject.value].append((q.object.value, q.object.language or ""))
    types: dict[str, set[str]] = defaultdict(set)
    rdf_type = ox.NamedNode(_RDF + "type")
    for q in store.quads_for_pattern(None, rdf_type, None, None):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            types[q.subject.value].add(q.object.value)
    topics = {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(_SKOS + "inScheme"), ox.NamedNode(TOPIC_SCHEME), None)}

    def one(s: str, p: str) -> Any:
        for q in store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), None, None):
            return q.object
        return None

    aids = lexicon().get("names", {})
    entries: dict[str, Entry] = {}
    for iri, found in names.items():
        classes = sorted((t for t in types.get(iri, ()) if t in _KIND_OF), key=lambda t: _CLASS_RANK[t])
        if iri in topics:
            kind = "topic"
        elif classes:
            kind = _KIND_OF[classes[0]]
        else:
            continue
        if not iri.startswith((KGI, KGC)):
            continue
        extra_names = [(n, "") for n in aids.get("kgi:" + iri[len(KGI):] if iri.startswith(KGI) else "kgc:" + iri[len(KGC):], ())]
        all_names = tuple(dict.fromkeys(sorted(set(found)) + extra_names))
        label = _english(found)
        ordinal = one(iri, _KG + "ordinal")
        series = one(iri, _KG + "sittingOf")
        description = one(iri, _DCT + "description")
        entries[iri] = Entry(
            iri=iri, label=label, kind=kind, types=tuple(classes) or (_SKOS + "Concept",), names=all_names,
            ordinal=int(ordinal.value) if isinstance(ordinal, ox.Literal) and ordinal.value.isdigit() else None,
            series=series.value if isinstance(series, ox.NamedNode) else None,
            description=description.value if isinstance(description, ox.Literal) else "",
        )
    for e in extra:
        entries[e.iri] = e
    return entries


def _english(found: list[tuple[str, str]]) -> str:
    for want in ("en", ""):
        for n, lang in found:
            if lang == want:
                return n
    return sorted(found)[0][0]
