"""The domain's rules: from sentences, names and dates to candidate facts.

Each rule reads one sentence (and the names and dates found in it) and proposes facts in
the graph's own model, with the sentence as their passage. The rules are few and
explicit, so that a reviewer reading "why" knows what fired:

* **event**: a meeting noun (meeting, session, summit, met, совещание...) with a series'
  keywords and its organisation in one sentence; the ordinal before the noun; the dates,
  the city and the status (held / scheduled) of that sentence;
* **participant**: a state named in a sentence about attendance (attended, delegations,
  took part, приняли участие) is a delegation; "hosted by" makes a host, "guest" a guest;
* **person**: a post (Prosecutor General, Secretary-General, ...) of a state or
  organisation next to a capitalised name, either order; the person heads that state's
  participation;
* **document**: a document noun (Protocol, Memorandum, Declaration, Plan...) with a verb
  of its sentence deciding its status: signed/adopted/approved -> adopted; will sign,
  proposed, draft -> draft;
* **topic**: a label of a topic concept of the graph in the text;
* **body**: "establish(ment of) a ... Centre/Group/Council" with proposed/agreed wording;
* **next event**: "the next meeting (will be held) in X".
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kg.suggest.dates import DateSpan
from kg.suggest.gazetteer import Entry, Gazetteer, Mention, lexicon, roman
from kg.suggest.text import Sentence

HELD = re.compile(
    r"\b(was|were)\s+(held|convened|organi[sz]ed|hosted|opened|conducted)\b|\b(took place|convened|gathered|met|concluded|"
    r"opened|held|hosted|was attended|were attended|participated|took part|signed|adopted)\b|"
    r"прошл[оаи]|состоял[осаи]?|состоялось|провел[иа]?|собрались|приняли участие|завершил|начал[оаи]? (?:свою )?работу|открыл[оасиь]*ся",
    re.I)
FUTURE = re.compile(
    r"\b(will\s+(?:be\s+)?(?:held|take place|convene|hold|meet|gather|host)|is\s+(?:scheduled|expected|set|due)\s+to|are\s+"
    r"(?:scheduled|expected|due)\s+to|scheduled|upcoming|to be held|forthcoming)\b|состоится|пройд[её]т|будет проведен|планируется",
    re.I)
_NEXT = re.compile(r"\b(next|following|subsequent)\s+(meeting|session|summit|conference)\b|следующ\w+\s+(совещани|заседани|встреч|саммит)\w*", re.I)
_EVENT_NOUN = re.compile(
    r"\b(meetings?|sessions?|summit|conference|forum|met|meet|meets|convened|gathered|round ?table|courtesy call|called on)\b|визит\w* вежливости|"
    r"совещани\w*|заседани\w*|встреч\w*|саммит\w*|конференци\w*", re.I)
_SAID = re.compile(r"\b(said|says|told|reported|announced|stated|noted|informed|cited)\b[^.]{0,12}$|сообщил\w*|заявил\w*", re.I)
_ATTEND = re.compile(
    r"\b(attended|attending|participat\w+|took part|delegations?|delegates|representatives?|heads? of (?:the )?delegations?|"
    r"joined|present)\b|приняли участие|участ\w+|делегаци\w*|представител\w*", re.I)
_HOST = re.compile(r"\bhost(?:ed|ing|s)?\b(?:\s+by)?|\bat the invitation of\b|\b(?:under the )?(?:chairmanship|chairing|presidency) of\b|"
                   r"\bchaired by\b|принимающ\w+|по приглашению|под председательством|председательств\w+", re.I)
_GUEST = re.compile(r"\bguests?\b|\binvited\b|\bobservers?\b|\bdialogue partners?\b|в качестве гост\w+|гост\w+|наблюдател\w*|партн[её]р\w* по диалогу", re.I)
_MEMBER_STATES = re.compile(r"^\W*(member[- ]states?|member[- ]countries|государств[- ]член\w*|стран[- ]участниц\w*)", re.I)
_ORDINAL = re.compile(
    r"\b(?P<num>\d{1,3})(?:st|nd|rd|th)\b|\b(?P<word>(?:twenty|thirty|forty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|"
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|"
    r"sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)\b|(?-i:\b(?P<roman>[IVXL]{1,6})\b)|"
    r"(?<!\w)(?P<ru>\d{1,3})-?(?:е|го|м|ое|ого|ом|й|я|ая)(?!\w)|(?P<ruword>(?:двадцать|тридцать|сорок)\s+[а-яё]+|[а-яё]+(?:ое|ый|ий|ой|ого|ом|ая|ую))",
    re.I)
_WORD_ORD = {w: i for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth "
    "sixteenth seventeenth eighteenth nineteenth twentieth".split(), 1)}
_RU_ORD = {w: i for i, w in enumerate(
    "первый второй третий четвёртый пятый шестой седьмой восьмой девятый десятый одиннадцатый двенадцатый тринадцатый "
    "четырнадцатый пятнадцатый шестнадцатый семнадцатый восемнадцатый девятнадцатый двадцатый".split(), 1)}
_RU_ORD.update({k.replace("ё", "е"): v for k, v in list(_RU_ORD.items())})
_RU_ORD.update({"тридцатый": 30, "сороковой": 40})
_RU_TENS = {"двадцать": 20, "тридцать": 30, "сорок": 40}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40}
_DOC_NOUN = (r"(?i:(?:Joint\s+)?(?:Protocol|Memorandum(?:\s+of\s+Understanding)?|MoU|Declaration|Joint\s+Statement|Communiqu[eé]|"
             r"Action\s+Plan|Work\s+Plans?|Plan(?:\s+of\s+(?:Action|Interaction|Cooperation|Measures))?|Programme|Program|Agreement|Statute|Charter|"
             r"Resolution|Roadmap|Road\s+Map|Convention|Concept|Regulations?))")
_DOC = re.compile(
    rf"(?P<doc>(?:(?:the|a|an)\s+)?(?:(?:[A-Z][\w'’-]*|of|on|and|for|the)\s+){{0,5}}{_DOC_NOUN}"
    rf"(?:\s+(?:on|of|between|for|about|concerning|setting\s+out|providing\s+for|against)\s+[^.;:()]{{3,140}}?)?)(?=\s*(?:[,.;:()]|\s+(?:was|were|is|are|has|had|have|will|which|that|by|at|during|in\s+(?:the\s+)?[A-Z]|signed|adopted|approved)\b|$))")
_ADOPTED = re.compile(r"\b(signed|adopted|approved|endorsed|ratified|concluded|inked)\b|подписал\w*|принял\w*|утвердил\w*|одобрил\w*", re.I)
_PLANNED = re.compile(r"\b(will sign|to sign|to be signed|will be signed|will adopt|to be adopted|plan(?:s|ned)? to sign|draft|proposed|"
                      r"propose[sd]?|suggest(?:ed|s)?|initiated|prepar(?:e|ed|ing))\b|проект\w*|предложил\w*|подпиш\w*", re.I)
_BODY = re.compile(
    r"(?P<verb>establish(?:ing|ment of|ed)?|creat(?:e|ing|ion of|ed)|set(?:ting)?\s+up|launch(?:ing|ed)?|form(?:ing|ation of)?)\s+"
    r"(?:of\s+)?(?:a|an|the)\s+(?P<body>(?:(?:[A-Z][\w'’-]*|of|on|and|for|the|joint|regional|permanent)\s+){0,7}"
    r"(?:Cent(?:re|er)|Working\s+Group|Expert\s+Group|Council|Commission|Network|Platform|Committee|Mechanism|Forum)"
    r"(?:\s+(?:of|on|for)\s+[^.,;()]{3,90}?)?)(?=\s*(?:[,.;()]|\s+(?:was|were|is|will|which|that|to|in|at|under)\b|$))")
_BODY_PROPOSED = re.compile(r"\b(propos\w+|suggest\w+|initiative|idea|call(?:ed|s)? for|consider\w*|plan\w*|intend\w*|explore)\b", re.I)
_BODY_AGREED = re.compile(r"\b(agreed|decided|resolved)\s+to\b|\bestablished\b|\bwas\s+set\s+up\b", re.I)
_NAME = r"(?P<name>[A-Z][a-zA-Z'’-]+(?:\s+(?:[A-Z]\.\s*)?[A-Z][a-zA-Z'’-]+){1,3})"
_HONORIFIC = r"(?P<hon>(?:H\.\s?E\.?\s+|His Excellency\s+|Her Excellency\s+)?(?:(?:Mr|Mrs|Ms|Dr|Prof|Judge|Justice|Madam|Mister)\.?\s+)?)"
_NAME_WORD = r"(?:[A-Z][a-z'’]+(?:-[A-Za-z][a-z'’]+)*(?!\.\s?[A-Z][a-z]?\.)|[A-Z][a-z]?\.(?:\s?[A-Z][a-z]?\.)?)"
_NAME_AFTER = re.compile(
    rf"\s*,?\s*(?:the\s+)?{_HONORIFIC}(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}})(?![\w-])")
_NAME_BEFORE = re.compile(rf"{_HONORIFIC}(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}),\s+(?:the\s+)?(?:[A-Z][\w'’]*\s+)?$")
_NOT_NAMES = frozenset("the a an this that these meeting session summit conference secretary general prosecutor prosecutors "
                       "attorney minister office ministry republic state states member members during on at in of and deputy "
                       "first islamic people's federation kingdom court supreme council ambassador president excellency his her "
                       "general chief justice director union law foreign chairman chairperson head executive".split())
_MONTHS = frozenset("january february march april may june july august september october november december".split())


@dataclass
class Fact:
    """One candidate before it is written: what kind, about what, and why."""

    kind: str
    passage: Sentence
    summary: str
    why: str
    confidence: float
    data: dict[str, Any] = field(default_factory=dict)
    status: str = "matched"


@dataclass
class Series:
    iri: str
    organisation: str
    cls: str
    keywords: tuple[str, ...]
    label: str
    known: bool = False


@dataclass
class EventFact:
    key: tuple[str, Any]
    series: Series | None
    ordinal: int | None
    cls: str
    passage: Sentence
    status: str | None = None
    status_passage: Sentence | None = None
    dates: DateSpan | None = None
    date_passage: Sentence | None = None
    place: Entry | None = None
    new_place: tuple[str, Entry | None, int, int] | None = None  # (name, state, start, end)
    place_passage: Sentence | None = None
    next_of: EventFact | None = None
    why: str = ""


def series_table(gz: Gazetteer) -> list[Series]:
    out = []
    for s in lexicon().get("series", []):
        iri = expand(s["iri"])
        out.append(Series(iri, expand(s["organisation"]), expand(s["class"]), tuple(k.lower() for k in s["keywords"]), s["label"],
                          known=iri in gz.entries))
    return out


def expand(curie: str) -> str:
    from kg.namespaces import PREFIXES

    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


def ordinal_before(text: str, end: int) -> int | None:
    """The ordinal among the three words right before ``end`` ("the 21st Meeting", "the XX
    jubilee meeting", "четырнадцатое заседание", "двадцать втором заседании")."""
    head = text[:end]
    words = list(re.finditer(r"[\w-]+", head))[-3:]
    if not words:
        return None
    window = head[words[0].start():]
    found = None
    for m in _ORDINAL.finditer(window):
        value = None
        if m.group("num") or m.group("ru"):
            value = int(m.group("num") or m.group("ru"))
        elif m.group("word"):
            w = m.group("word").lower().replace(" ", "-")
            if "-" in w:
                tens, unit = w.split("-")
                value = _TENS[tens] + _WORD_ORD[unit]
            else:
                value = _WORD_ORD.get(w) or (30 if w == "thirtieth" else None)
        elif m.group("roman"):
            value = roman(m.group("roman"))
        elif m.group("ruword"):
            value = _russian_ordinal(m.group("ruword"))
        if value:
            found = value
    return found


def _russian_ordinal(words: str) -> int | None:
    from kg.suggest.gazetteer import morph

    parts = words.lower().split()
    # the ordinal reading, not the first one ("второе" is also a noun: the main course)
    parses = morph().parse(parts[-1])
    lemma = str(next((p for p in parses if "Anum" in p.tag), parses[0]).normal_form).replace("ё", "е")
    unit = _RU_ORD.get(lemma)
    if unit is None:
        return None
    return _RU_TENS[parts[0]] + unit if len(parts) == 2 and parts[0] in _RU_TENS and unit < 10 else (unit if len(parts) == 1 else None)


class Reader:
    """Applies the rules to one text."""

    def __init__(self, text: str, language: str, gz: Gazetteer, issued: dt.date | None, sentences: list[Sentence],
                 mentions: list[Mention], dates: list[DateSpan]) -> None:
        self.text, self.language, self.gz, self.issued = text, language, gz, issued
        self.sentences, self.mentions, self.dates = sentences, mentions, dates
        self.series = series_table(gz)
        self.orgs = Counter(m.entry.iri for m in mentions if m.entry.iri in {s.organisation for s in self.series})

    def in_sentence(self, s: Sentence, kinds: tuple[str, ...] | None = None) -> list[Mention]:
        return [m for m in self.mentions if s.start <= m.start and m.end <= s.end and (kinds is None or m.entry.kind in kinds)]

    def dates_in(self, s: Sentence) -> list[DateSpan]:
        """The dates of a sentence that can be an event's: not a dateline's (the day of the
        report), not the day something was said ("said on Monday"); explicit days first."""
        found = [d for d in self.dates if s.start <= d.start and d.end <= s.end and d.end > self._dateline_end
                 and not (d.relative and _SAID.search(self.text[max(s.start, d.start - 30):d.start]))]
        return sorted(found, key=lambda d: (d.relative, d.start))

    @property
    def _dateline_end(self) -> int:
        """Where a news agency's dateline ends: "New Delhi [India], March 11 (ANI):",
        "BAKU, Azerbaijan, September 15.", "ASTANA. KAZINFORM"."""
        head = self.text[:160]
        m = re.match(r"^[^\n]{0,100}?\((?:[A-Z][A-Za-z .&-]{1,30})\)\s*[:\-–—]", head) or \
            re.match(r"^[A-Z][A-Z'’ -]{2,}(?:,\s*[A-Z][\w ]+)*,\s*[A-Z][a-z]+\.?\s+\d{1,2}(?:,\s*\d{4})?\s*[.:\-–—]", head)
        return m.end() if m else -1

    # ------------------------------------------------------------ events

    def events(self) -> list[EventFact]:
        found: dict[tuple[str, Any], EventFact] = {}
        order: list[tuple[str, Any]] = []
        for s in self.sentences:
            noun = _EVENT_NOUN.search(s.text)
            if not noun:
                continue
            series = self._series_of(s)
            if series is None and _NEXT.search(s.text) and order:
                series = found[order[0]].series  # "the next meeting": of the series the text is about
            kind_cls = None
            lowered = s.text.lower()
            if re.search(r"courtesy call|\bcalled on\b|нанес\w* визит вежливости", lowered):
                kind_cls = "CourtesyCall"
            elif re.search(r"bilateral (meeting|talks)|двусторонн\w+ встреч", lowered):
                kind_cls = "BilateralMeeting"
            if series is None and kind_cls is None:
                continue
            is_next = bool(_NEXT.search(s.text))
            ordinal = None
            if series is not None and kind_cls is None:
                ordinal = next((o for o in (ordinal_before(s.text, n.start()) for n in _EVENT_NOUN.finditer(s.text)) if o), None)
                if ordinal is None:  # "the 40th SCO RATS Council meeting": before the series' name
                    anchor = self._series_anchor(s, series)
                    ordinal = ordinal_before(s.text, anchor) if anchor is not None else None
            dates = self.dates_in(s)
            if is_next and series is not None:
                key: tuple[str, Any] = (series.iri, "next")
            elif kind_cls is not None:
                d = dates[0].first.isoformat() if dates else (self.issued.isoformat() if self.issued else "undated")
                key = (kind_cls, d)
            elif ordinal is not None:
                key = (series.iri, ordinal)  # type: ignore[union-attr]
            else:
                key = (series.iri, dates[0].first.isoformat() if dates else "main")  # type: ignore[union-attr]
            # "the meeting" without number or date in a later sentence is the text's main event
            if key[1] == "main" and order:
                key = next((k for k in order if k[0] == key[0]), order[0])
            ev = found.get(key)
            if ev is None:
                cls = expand("kg:" + kind_cls) if kind_cls else series.cls  # type: ignore[union-attr]
                ev = EventFact(key, None if kind_cls else series, ordinal, cls, s,
                               why=("courtesy call" if kind_cls == "CourtesyCall" else "bilateral meeting") if kind_cls else
                               f"series keywords and {short_iri(series.organisation).upper()} in one sentence" + (f", ordinal {ordinal}" if ordinal else ""))  # type: ignore[union-attr]
                found[key] = ev
                order.append(key)
            self._fill(ev, s, dates, is_next)
        events = self._merged([found[k] for k in order])
        main = next((e for e in events if e.key[1] != "next"), None)
        if main is not None and main.place is None and main.new_place is None:
            # "The event, organized in Tashkent, ...": where the text says the event was held
            for s in self.sentences:
                if _NEXT.search(s.text) or not re.search(r"\b(held|took place|organi[sz]ed|convened|underway|host(?:s|ed))\b|состоял|прошл", s.text, re.I):
                    continue
                places = self.in_sentence(s, ("place",))
                new = None if places else self.unknown_city(s)
                if places or new:
                    main.place, main.new_place, main.place_passage = (places[0].entry if places else None), new, s
                    break
        if main is not None and main.place is None and main.new_place is None and self.sentences:
            # a news agency's dateline: "BAKU, Azerbaijan, September 15." / "ASTANA. KAZINFORM ..."
            first = self.sentences[0]
            m = re.match(r"^(?P<city>[A-Z][A-Z'’-]{2,}(?:\s[A-Z][A-Z'’-]{2,})?)(?=[.,]|\s*[-–—])", first.text)
            if m:
                places = [mm for mm in self.in_sentence(first, ("place",)) if mm.start == first.start]
                if places:
                    main.place, main.place_passage = places[0].entry, first
                else:
                    name = m.group("city").title()
                    state = next((mm.entry for mm in self.in_sentence(first, ("state",))), None)
                    main.new_place, main.place_passage = (name, state, first.start, first.start + len(m.group("city"))), first
        for e in events:
            if e.key[1] == "next":
                # its number is not inferred (the one after the 13th is the 14th only if the
                # text says so); it follows up the text's meeting
                e.next_of = main if main is not None and main.series is e.series else None
                e.status = "scheduled"
        return events

    @staticmethod
    def _merged(events: list[EventFact]) -> list[EventFact]:
        """A headline's "Prosecutors General meet in Tashkent" and the body's "The Seventh
        Meeting ... was held on 25 September" are one event: an unnumbered, undated mention
        joins the numbered or dated one of the same series."""
        out: list[EventFact] = []
        for ev in events:
            vague = ev.series is not None and ev.key[1] == "main"
            target = next((o for o in events if vague and o is not ev and o.series is ev.series and o.key[1] != "next"
                           and o.key[1] != "main"), None) if vague else None
            if target is None and ev.series is not None and ev.ordinal is None and ev.key[1] != "next":
                # "the meeting ... from March 10-12" beside "the 18th meeting": the one numbered
                # sitting of the series in the text, when it has no other dates
                numbered = [o for o in events if o is not ev and o.series is ev.series and o.ordinal is not None and o.key[1] != "next"]
                if len(numbered) == 1 and (numbered[0].dates is None or numbered[0].dates.relative or ev.dates is None):
                    target = numbered[0]
                    if ev.dates is not None and (target.dates is None or target.dates.relative):
                        target.dates, target.date_passage = ev.dates, ev.date_passage
            if target is None:
                out.append(ev)
                continue
            target.status = target.status or ev.status
            target.status_passage = target.status_passage or ev.status_passage
            if target.place is None and target.new_place is None:
                target.place, target.new_place, target.place_passage = ev.place, ev.new_place, ev.place_passage
            if target.dates is None:
                target.dates, target.date_passage = ev.dates, ev.date_passage
        return out

    def _series_of(self, s: Sentence) -> Series | None:
        lowered = s.text.lower()
        orgs = {m.entry.iri for m in self.in_sentence(s, ("organisation",))}
        # a series or sitting named in full is a name the graph knows: its organisation counts
        by_iri = {x.iri: x for x in self.series}
        for m in self.in_sentence(s, ("series", "event")):
            known = by_iri.get(m.entry.iri if m.entry.kind == "series" else m.entry.series or "")
            if known is not None:
                orgs.add(known.organisation)
        ranked = []
        for series in self.series:
            hit = next((k for k in series.keywords if k in lowered), None)
            if hit is None:
                continue
            if series.organisation in orgs:
                ranked.append((0, self.series.index(series), series))
            elif not orgs and self.orgs and self.orgs.most_common(1)[0][0] == series.organisation:
                ranked.append((1, self.series.index(series), series))
        return min(ranked, key=lambda r: (r[0], r[1]))[2] if ranked else None

    def _series_anchor(self, s: Sentence, series: Series) -> int | None:
        lowered = s.text.lower()
        positions = [lowered.find(k) for k in series.keywords if k in lowered]
        nouns = [m.start() for m in _EVENT_NOUN.finditer(s.text)]
        candidates = [p for p in positions + nouns if p >= 0]
        # the ordinal stands before the noun phrase: "the 21st Meeting of the Prosecutors General"
        return min(candidates) if candidates else None

    def _fill(self, ev: EventFact, s: Sentence, dates: list[DateSpan], is_next: bool) -> None:
        if ev.status is None:
            if FUTURE.search(s.text) or is_next:
                ev.status, ev.status_passage = "scheduled", s
            elif HELD.search(s.text):
                ev.status, ev.status_passage = "held", s
        if dates and (ev.dates is None or ev.dates.relative and not dates[0].relative):
            ev.dates, ev.date_passage = dates[0], s  # an explicit day later on beats a weekday
            if self.issued is not None and ev.dates.first > self.issued and ev.status != "scheduled":
                ev.status, ev.status_passage = "scheduled", s
        if ev.place is None and ev.new_place is None:
            places = self.in_sentence(s, ("place",))
            if places:
                ev.place, ev.place_passage = places[0].entry, s
            else:
                new = self.unknown_city(s)
                if new is not None:
                    ev.new_place, ev.place_passage = new, s

    def unknown_city(self, s: Sentence) -> tuple[str, Entry | None, int, int] | None:
        """"in Astana, Kazakhstan" / "in Astana" where Astana is no name the graph knows."""
        said_city = False  # "capital of X", "г. X", "X hosted": the text itself says X is a city
        if self.language == "ru":
            m = re.search(r"(?<!\w)(?:в|во)\s+(?P<g>г\.\s*|городе\s+)?(?P<city>[А-ЯЁ][а-яё]*(?:-[А-ЯЁа-яё][а-яё]+)*)(?:\s*,\s*(?P<state>[А-ЯЁ][а-яё-]+))?", s.text)
            said_city = bool(m and m.group("g"))
        else:
            m = re.search(r"\bcapital(?:\s+city)?\s+of\s+(?P<city>[A-Z][a-zA-Z'’-]+)()(?P<state>)", s.text) or \
                re.search(r"(?:^|(?<=\s))(?P<city>[A-Z][a-z][a-zA-Z'’-]+)(?:,\s+(?:the\s+)?capital[^,]*,)?\s+(?:today\s+|will\s+)?host(?:s|ed)?\b()(?P<state>)", s.text)
            if m is not None and re.search(r"[A-Z][a-z]+\s+$", s.text[:m.start("city")]):
                m = None  # "Ravi Shankar Prasad will host": the end of a person's name
            said_city = m is not None
            if m is None:
                m = re.search(r"\b(?:in|at)\s+(?:the\s+(?:[A-Z]\w+\s+)?city\s+of\s+)?(?P<city>[A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+)?)(?:\s*,\s*(?:the\s+)?(?P<state>[A-Z][\w'’ -]+?))?(?=[\s,.;:)]|$)", s.text)
                if m and not m.group("state") and re.search(r"\b(?:held|took place|organi[sz]ed|convened|underway|hosted|opened|meeting|session|summit|met)\s+(?:[\w’',.-]+\s+){0,8}?(?:in|at)\s+(?:the\s+(?:[A-Z]\w+\s+)?city\s+of\s+)?" + re.escape(m.group("city")), s.text):
                    said_city = True  # "held in Bishkek": where an event is held is a place
        if not m:
            return None
        name = m.group("city")
        start = s.start + m.start("city")
        if any(mm.start <= start < mm.end for mm in self.mentions) or name.lower() in _MONTHS or name.lower() in _NOT_NAMES:
            return None
        if self.language == "ru":
            from kg.suggest.gazetteer import morph

            parsed = morph().parse(name.lower())
            geo = [p for p in parsed if "Geox" in p.tag]
            if not geo and not said_city:
                return None  # only a word the dictionary knows as a place name
            lemma = (geo or parsed)[0].normal_form
            name = lemma.capitalize() if "-" not in lemma else "-".join(w.capitalize() for w in lemma.split("-"))
        state = None
        if m.group("state"):
            st = self.gz.by_name(m.group("state"), kinds=("state",))
            state = st[0] if st else None
        elif self.language != "ru" and not said_city:
            return None  # "in Astana" alone could be anything capitalised: ask for "City, State" or an event held there
        return name, state, start, start + len(m.group("city"))

    # ------------------------------------------------------------ participants and people

    def participants(self, main: EventFact | None) -> list[Fact]:
        out: list[Fact] = []
        if main is None:
            return out
        seen: set[tuple[str, str]] = set()
        for s in self.sentences:
            attend, host, guest = _ATTEND.search(s.text), _HOST.search(s.text), _GUEST.search(s.text)
            if _NEXT.search(s.text):
                continue  # the next meeting's host is not this meeting's
            named = self.in_sentence(s, ("state", "organisation", "authority", "body"))
            states = {m.entry.iri for m in named if m.entry.kind == "state"}
            # "the prosecutors general of Türkiye, Uzbekistan, Iran, ...": a list of states in
            # a sentence about the meeting lists those who took part
            listing = len(states) >= 3 and (_EVENT_NOUN.search(s.text) or any(k in s.text.lower() for k in (main.series.keywords if main.series else ())))
            for m in named:
                if re.search(r"\b(?:except|excluding|other than|apart from|but not)\s+(?:the\s+)?$|кроме\s+$", self.text[max(s.start, m.start - 20):m.start], re.I):
                    continue  # "all member states except Turkmenistan"
                if m.entry.kind in ("organisation", "body") and (_MEMBER_STATES.match(self.text[m.end:m.end + 40])
                                                                  or main.series is not None and m.entry.iri == main.series.organisation):
                    continue  # "the SCO member states" names no participant; the series' own organisation neither
                if m.entry.kind == "organisation" and not attend:
                    continue  # an organisation named in passing; its officials take part through a person (below)
                role = None
                if host and self._near(s, host, m):
                    role = "host"
                elif guest and (self._near(s, guest, m) or re.search(r"наблюдател|observer", s.text, re.I)):
                    role = "guest"  # observers and dialogue partners are guests of a members' meeting
                elif attend or (listing and m.entry.kind == "state"):
                    role = "delegation"
                if role is None or (m.entry.iri, role) in seen or role == "delegation" and (m.entry.iri, "host") in seen:
                    continue  # the host is not also a delegation of its own meeting
                seen.add((m.entry.iri, role))
                cue = host if role == "host" else guest if role == "guest" else attend
                why = f'"{cue.group(0)}" and {m.entry.label} in one sentence' if cue else f"{m.entry.label} in a list of states in a sentence about the meeting"
                out.append(Fact("participant", s, f"{m.entry.label} as {role}", why,
                                0.85 if role == "delegation" else 0.75, {"entry": m.entry, "role": role, "mention": m}))
        return out

    def unknown_in_lists(self) -> list[str]:
        """Names in a list of states the graph does not know ("Belarus, Mongolia and
        Iran" where Mongolia is no state of the graph): the reviewer should know they were
        not proposed, and why."""
        unknown: list[str] = []
        for s in self.sentences:
            states = [m for m in self.in_sentence(s, ("state",))]
            if len(states) < 2:
                continue
            first, last = states[0].start - s.start, states[-1].end - s.start
            span = s.text[max(0, first - 40):min(len(s.text), last + 40)]
            base = s.start + max(0, first - 40)
            for m in re.finditer(r"(?:(?<=, )|(?<=\band )|(?<=\bи )|(?<=— ))(?P<name>[A-ZА-ЯЁ][\w'’-]+(?:\s[A-ZА-ЯЁ][\w'’-]+)?)(?=,|\s+(?:and|и|in|as|were|was)\s|\.|\)|$)", span):
                at, end = base + m.start("name"), base + m.end("name")
                if any(mm.start < end and at < mm.end for mm in self.mentions) or m.group("name").lower() in _NOT_NAMES:
                    continue
                # inside a list of states: a state right before it and right after it
                before = any(0 < at - mm.end <= 6 and re.fullmatch(r",\s*|\s+(?:and|и)\s+|\s*—\s*", self.text[mm.end:at]) for mm in states)
                after = any(0 < mm.start - end <= 6 and re.fullmatch(r",\s*|\s+(?:and|и)\s+", self.text[end:mm.start]) for mm in states)
                if not (before and after):
                    continue
                if m.group("name") not in unknown:
                    unknown.append(m.group("name"))
        return unknown

    @staticmethod
    def _near(s: Sentence, cue: re.Match[str], m: Mention) -> bool:
        # "hosted by Uzbekistan" / "the host, Uzbekistan": the name within a few words of the cue
        cue_at = s.start + cue.start()
        return abs(m.start - cue_at) < 60

    def people(self) -> list[Fact]:
        """Persons next to a post: "the Prosecutor General of Uzbekistan, H.E. Mr. Nigmatilla
        Yuldoshev", "Prosecutor-General of the Republic of Kazakhstan Gizat Nurdauletov",
        "Kazakhstan's Prosecutor General X", "ECO Secretary General X", "X, Secretary General
        of the ECO". The post's holder is a state or organisation the graph knows, found
        by the matcher right after "of" or right before the post."""
        if self.language == "ru":
            return []  # Russian names and posts are left to the reviewer for now
        out: list[Fact] = []
        seen: set[str] = set()
        posts = [(re.compile(p["pattern"], re.I), p["role"]) for p in lexicon().get("posts", [])]
        post_rx = re.compile(r"\b(?:" + "|".join(f"(?:{p['pattern']})" for p in lexicon().get("posts", [])) + r")\b", re.I)
        for s in self.sentences:
            for pm in post_rx.finditer(s.text):
                post_text = pm.group(0)
                role = next((r for rx, r in posts if rx.fullmatch(post_text)), None)
                holder, after = self._holder_after(s, s.start + pm.end())
                if holder is None:
                    holder = self._holder_before(s, s.start + pm.start())
                name_m = _NAME_AFTER.match(self.text, after)
                hon = ""
                if name_m is None:
                    back = _NAME_BEFORE.search(self.text[s.start:s.start + pm.start()])
                    if back is None:
                        continue
                    name, name_start, hon = back.group("name"), s.start + back.start("name"), (back.group("hon") or "").strip()
                else:
                    name, name_start, hon = name_m.group("name"), name_m.start("name"), (name_m.group("hon") or "").strip()
                name = name.strip()
                words = name.split()
                if len(words) < 2 or any(w.lower() in _NOT_NAMES | _MONTHS for w in words):
                    continue
                if any(mm.start <= name_start < mm.end and mm.entry.kind != "person" for mm in self.mentions):
                    continue  # a state or organisation, not a person
                if holder is None and role is not None:
                    role = None  # "the Prosecutor General" of whom? the person, without a post
                known = self.gz.by_name(name, kinds=("person",)) or self._same_person(name)
                key = known[0].iri if known else name.lower()
                if key in seen:
                    continue
                seen.add(key)
                post_label = _post_label(post_text, holder)
                out.append(Fact("person", s, f"{name}, {post_label}", f'post "{post_text}" next to the name "{name}"',
                                0.85 if holder else 0.7,
                                {"name": name, "known": known[0] if known else None, "role": role, "holder": holder,
                                 "post_label": post_label, "honorific": hon, "post_text": post_text, "name_start": name_start}))
        return out

    def _same_person(self, name: str) -> list[Entry]:
        """A person the graph holds under another spelling ("Kazimjan Kamilov" for
        "Kozimjon Kamilov") or with initials ("D.F. Mezentsev" for "Dmitry Mezentsev"):
        the same surname and a first name that agrees with it."""
        from rapidfuzz import fuzz

        words = name.replace(".", ". ").split()
        surname, first = words[-1].lower(), words[0].lower().rstrip(".")
        found = []
        for e in self.gz.of_kind("person"):
            for n, _ in e.names:
                w = n.replace(".", ". ").split()
                if len(w) < 2:
                    continue
                other_first = w[0].lower().rstrip(".")
                same_surname = w[-1].lower() == surname or fuzz.ratio(w[-1].lower(), surname) >= 85
                initials = (len(first) <= 2 or len(other_first) <= 2) and first[:1] == other_first[:1]
                if same_surname and (initials or fuzz.ratio(other_first, first) >= 75):
                    found.append(e)
                    break
        return found[:1] if len(found) == 1 else []

    def _holder_after(self, s: Sentence, at: int) -> tuple[Entry | None, int]:
        """"of (the) <state or organisation>" right after a post; where the name may start."""
        m = re.compile(r"\s+(?:of|at|to)\s+(?:the\s+)?").match(self.text, at)
        if m is None:
            return None, at
        start = m.end()
        # "Chief Justice of the Supreme Court of the Republic of Kazakhstan": past the institution
        inst = re.compile(r"(?:Supreme\s+(?:People's\s+)?Court|Supreme\s+People's\s+Procuratorate|(?:Prosecutor|Procurator)[- ]General's\s+Office|"
                          r"General\s+Prosecutor's\s+Office|Ministry\s+of\s+Justice)\s+of\s+(?:the\s+)?").match(self.text, start)
        if inst is not None:
            start = inst.end()
        for mm in self.mentions:
            if mm.start == start and mm.entry.kind in ("state", "organisation", "body", "authority"):
                return mm.entry, mm.end
        # inside a longer name ("Prosecutor General of Kazakhstan" is a post the graph
        # holds), or a name the graph does not know ("of the Republic of Armenia")
        phrase = re.compile(r"(?:(?:Republic|Kingdom|State|Federation)\s+of\s+(?:the\s+)?)?[A-Z][\w'’-]+(?:\s+(?:Republic|Federation))?").match(self.text, start)
        if phrase is None:
            return None, at
        for name in (phrase.group(0), re.sub(r"^(?:Republic|Kingdom|State|Federation)\s+of\s+(?:the\s+)?", "", phrase.group(0))):
            known = self.gz.by_name(name, kinds=("state", "organisation", "body", "authority"))
            if known:
                return known[0], phrase.end()
        return None, phrase.end()

    def _holder_before(self, s: Sentence, at: int) -> Entry | None:
        """"Kazakhstan's Prosecutor General", "the Uzbek Prosecutor General", "ECO Secretary General"."""
        for mm in reversed(self.mentions):
            if mm.end <= at and at - mm.end <= 3 and s.start <= mm.start and mm.entry.kind in ("state", "organisation", "body", "authority"):
                return mm.entry
            if mm.end <= at - 4:
                break
        # inside a longer name the graph knows ("ECO Secretary General" is a post)
        for mm in self.mentions:
            if mm.start <= at < mm.end and mm.entry.kind == "post":
                words = self.text[mm.start:at].strip()
                named = self.gz.by_name(words, kinds=("state", "organisation", "body")) if words else []
                if named:
                    return named[0]
        return None

    # ------------------------------------------------------------ documents, topics, bodies

    def documents(self) -> list[Fact]:
        out: list[Fact] = []
        seen: set[str] = set()
        for s in self.sentences:
            if self.language == "ru":
                continue
            adopted, planned = _ADOPTED.search(s.text), _PLANNED.search(s.text)
            for m in _DOC.finditer(s.text):
                title = re.sub(r"^(?:the|a|an)\s+", "", m.group("doc").strip(), flags=re.I)
                title = re.sub(r"\s+(?:with\s+(?:his|her|their|its)|during|on the sidelines|at the|in the presence)\b.*$", "", title)
                if title[:1].islower() and not (adopted or planned):
                    continue  # "a plan", "the agreement" in passing: only a document the sentence signs, adopts or proposes
                if len(title) < 6 or title.lower() in ("plan", "programme", "program", "concept", "agreement", "regulation", "regulations"):
                    continue
                if planned and (not adopted or planned.start() < adopted.start() or re.search(r"will|to be", planned.group(0))):
                    status, verb = "draft", planned.group(0)
                elif adopted:
                    status, verb = "adopted", adopted.group(0)
                else:
                    status, verb = None, ""
                known = [e for e in self.gz.by_name(title, kinds=("instrument",))]
                if not known:
                    known = [mt.entry for mt in self.gz.lookup(title, kinds=("instrument",), limit=1) if mt.score >= 95]
                k = known[0].iri if known else title.lower()
                if k in seen:
                    continue
                seen.add(k)
                out.append(Fact("document", s, f"{title}" + (f" ({verb})" if verb else " (mentioned)"),
                                f'document noun "{m.group("doc").strip()}"' + (f' with "{verb}"' if verb else ""),
                                0.8 if status else 0.6, {"title": title, "status": status, "verb": verb, "known": known[0] if known else None,
                                                         "start": s.start + m.start("doc")}))
        return out

    def topics(self) -> list[Fact]:
        out: list[Fact] = []
        seen: set[str] = set()
        for m in self.mentions:
            if m.entry.kind != "topic" or m.entry.iri in seen:
                continue
            around = self.text[max(0, m.start - 25):m.end + 12].lower()
            if re.search(r"minist\w*\s+of\s+(?:law\s+(?:and|&)\s+)?justice|justice\s+minist|(?:chief|court)\s+justice", around) and m.text.lower() == "justice":
                continue  # "Ministers of Justice" is a title, not the topic
            seen.add(m.entry.iri)
            s = next(x for x in self.sentences if x.start <= m.start < x.end)
            out.append(Fact("topic", s, m.entry.label, f'"{m.text}" is a label of {m.entry.curie}', 0.8, {"entry": m.entry}))
        return out

    def bodies(self) -> list[Fact]:
        out: list[Fact] = []
        if self.language == "ru":
            return out
        for s in self.sentences:
            for m in _BODY.finditer(s.text):
                label = re.sub(r"^(?:the|a|an)\s+", "", m.group("body").strip(), flags=re.I)
                if len(label.split()) < 2:
                    continue
                if _BODY_PROPOSED.search(s.text):
                    status = "proposed"
                elif _BODY_AGREED.search(s.text):
                    status = "being-established" if re.search(r"agreed|decided|resolved", s.text, re.I) else "established"
                else:
                    continue  # a body mentioned without saying it is proposed or set up
                known = self.gz.by_name(label, kinds=("body",))
                orgs = [mm.entry for mm in self.in_sentence(s, ("organisation",))]
                out.append(Fact("body", s, f"{label} ({status})", f'"{m.group("verb")}" with a body noun; "{status}" from the sentence\'s wording',
                                0.7, {"label": label, "status": status, "known": known[0] if known else None,
                                      "organisation": orgs[0] if orgs else None}))
        return out


def _post_label(post_text: str, holder: Entry | None) -> str:
    words = " ".join(w if w.isupper() else w.capitalize() if w.lower() not in ("of", "the") else w.lower()
                     for w in re.split(r"\s+", post_text.strip()))
    words = re.sub(r"(?i)general", "General", words)
    if holder is None:
        return words
    if holder.kind == "state":
        return f"{words} of {holder.label}"
    return f"{short_iri(holder.iri).upper()} {words}" if len(short_iri(holder.iri)) <= 4 else f"{words} of the {holder.label}"


def short_iri(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]
