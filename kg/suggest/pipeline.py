"""``suggest``: read the text, apply the rules, and build the candidates' statements in
the graph's model, checking each against what the graph already holds so that a known
event yields additions and amendments, never a duplicate."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyoxigraph as ox

from kg.errors import UsageError
from kg.namespaces import PREFIXES
from kg.store.backend import Reads
from kg.suggest.dates import find_dates
from kg.suggest.gazetteer import KGC, KGI, Entry, Gazetteer
from kg.suggest.model import Candidate, Draft, SourceInfo
from kg.suggest.reading import language_of, read_text
from kg.suggest.rules import EventFact, Fact, Reader, expand, short_iri
from kg.suggest.text import (
    Sentence,
    local_name,
    ordinal_word,
    sentences,
    slug,
    turtle_literal,
)

KNOWN_LANGUAGES = ("en", "ru")
# the statements the shapes want a passage for (kg:AttributedStatementShape)
_KEY_PREDICATES = frozenset({"schema:startDate", "schema:endDate", "kg:eventStatus", "kg:establishmentStatus", "kg:instrumentStatus",
                             "kg:adoptionDate", "kg:adoptedAt", "kg:topic", "kg:attestedOn"})
_TRIPLE = re.compile(r"^(\S+) (\S+) (.+) \.$")
_KG = PREFIXES["kg"]


def suggest(graph: Any, text: str | bytes, source: SourceInfo, *, content_type: str | None = None,
            gazetteer: Gazetteer | None = None, store: Reads | None = None, location: str = "<text>") -> Draft:
    """Candidate facts from ``text`` (plain text or HTML), from ``source``."""
    if not source.title.strip() or not source.publisher.strip():
        raise UsageError("a source needs its title and its publisher", hint="give --title and --publisher")
    issued = None
    if source.issued:
        try:
            issued = dt.date.fromisoformat(source.issued)
        except ValueError as exc:
            raise UsageError(f"--issued {source.issued!r} is not a day (YYYY-MM-DD)") from exc
    if source.url and not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", source.url):
        raise UsageError(f"--url {source.url!r} is not an http(s) address")
    if language_of(source.title) not in ("en", "latin", "und"):
        raise UsageError(f"the title {source.title!r} is not in English: the graph keeps its sources' titles in English",
                         hint='give --title in English, a translation in brackets as the graph\'s other sources have it: "[SCO Prosecutors General meet in Bishkek]"')
    body = read_text(text, content_type=content_type, location=location)
    store = store if store is not None else graph.store().store
    gz = gazetteer or Gazetteer.from_store(store)
    language = source.language or language_of(body)
    build = _Builder(body, language, gz, store, issued, source)
    return build.run()


class _Builder:
    def __init__(self, text: str, language: str, gz: Gazetteer, store: Reads, issued: dt.date | None, source: SourceInfo) -> None:
        self.text, self.language, self.gz, self.store, self.issued, self.source = text, language, gz, store, issued, source
        self.candidates: list[Candidate] = []
        self.messages: list[str] = []
        self.src = ""
        self.used_iris: set[str] = set()

    # ------------------------------------------------------------ helpers

    def add(self, kind: str, passage: Sentence | None, summary: str, why: str, confidence: float, statements: list[str], *,
            status: str = "matched", depends: tuple[str, ...] = (), subject: str = "", value: str = "",
            previous: str = "", previous_passage: str = "") -> Candidate:
        if passage is not None:
            statements = self.with_attributions(statements, passage.text)
        c = Candidate(id=f"c{len(self.candidates) + 1:02d}", kind=kind, summary=summary,
                      passage=passage.text if passage else "", start=passage.start if passage else 0,
                      end=passage.end if passage else 0, confidence=confidence, why=why, status=status,
                      statements=statements, depends=tuple(d for d in depends if d), subject=subject, value=value,
                      previous=previous, previous_passage=previous_passage)
        self.candidates.append(c)
        return c

    def with_attributions(self, statements: list[str], quote: str) -> list[str]:
        """Each key statement (dates, statuses, adoption, topics: the shapes' attributed
        statements) gets its kg:Attribution with the candidate's passage, unless it has one."""
        out = list(statements)
        have = {s.split(" ", 1)[0] for s in statements if s.endswith(" a kg:Attribution .")}
        for s in statements:
            m = _TRIPLE.match(s)
            if m and m.group(2) in _KEY_PREDICATES:
                extra = self.attribution(m.group(1), m.group(2), m.group(3), quote)
                if extra[0].split(" ", 1)[0] not in have:
                    have.add(extra[0].split(" ", 1)[0])
                    out += extra
        return out

    def exists(self, curie: str) -> bool:
        node = ox.NamedNode(_iri(curie))
        return next(iter(self.store.quads_for_pattern(node, None, None, None)), None) is not None

    def fresh(self, base: str) -> str:
        """A new kgi: IRI from ``base`` that nothing in the graph or the draft uses."""
        base = base.strip("-") or "entity"
        candidate, n = base, 2
        while self.exists("kgi:" + candidate) or candidate in self.used_iris:
            candidate, n = f"{base}-{n}", n + 1
        self.used_iris.add(candidate)
        return "kgi:" + candidate

    def values(self, curie: str, predicate: str) -> list[Any]:
        return [q.object for q in self.store.quads_for_pattern(ox.NamedNode(_iri(curie)), ox.NamedNode(_iri(predicate)), None, None)]

    def passage_of(self, curie: str, predicate: str | None = None) -> str:
        """The graph's passage for a statement (its attribution) or for the entity."""
        if predicate:
            q = f"""SELECT ?quote WHERE {{ ?a a <{_KG}Attribution> ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <{_iri(curie)}> ;
                   <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <{_iri(predicate)}> ; <{_KG}quote> ?quote }} LIMIT 1"""
            for row in self.store.query(q):
                return str(row["quote"].value)
        for v in self.values(curie, "kg:quote"):
            return str(v.value)
        return ""

    def cite(self, subject: str) -> str:
        return f"{subject} prov:wasDerivedFrom {self.src} ."

    def attribution(self, subject: str, predicate: str, obj: str, quote: str) -> list[str]:
        prop = re.sub(r"(?<!^)(?=[A-Z])", "-", predicate.split(":", 1)[1]).lower()  # eventStatus -> event-status
        node = f"{subject}--{prop}--{local_name(obj)}"
        node = re.sub(r"-{3,}", "--", node)
        return [f"{node} a kg:Attribution .", f"{node} kg:quote {turtle_literal(quote)} .", f"{node} rdf:subject {subject} .",
                f"{node} rdf:predicate {predicate} .", f"{node} rdf:object {obj} .", self.cite(node)]

    # ------------------------------------------------------------ the run

    def run(self) -> Draft:
        if self.language not in KNOWN_LANGUAGES:
            self.messages.append(f"the text's language looks like {self.language!r}: the matcher knows English and Russian, "
                                 "so only names spelt as the graph spells them are found")
        sents = sentences(self.text)
        mentions = self.gz.find(self.text)
        dates = find_dates(self.text, self.issued)
        if self.issued is None:
            self.messages.append("no publication day (--issued): dates without a year are not proposed, and weekdays are not read")
        reader = Reader(self.text, self.language, self.gz, self.issued, sents, mentions, dates)
        self.source_candidate()
        events = reader.events()
        main = next((e for e in events if e.key[1] != "next"), None)
        event_ids: dict[tuple[str, Any], tuple[str, str]] = {}
        for ev in events:
            got = self.event(ev, event_ids)
            if got:
                event_ids[ev.key] = got
        main_ref = event_ids.get(main.key) if main else None
        participations: dict[str, tuple[str, str]] = {}
        for fact in reader.participants(main):
            if main is not None and main_ref:  # main_ref is set only when main is
                got = self.participant(fact, main, main_ref)
                if got:
                    participations[fact.data["entry"].iri] = got
        for fact in reader.people():
            self.person(fact, main, main_ref, participations)
        for fact in reader.documents():
            self.document(fact, main_ref)
        for fact in reader.topics():
            self.topic(fact, main_ref)
        for fact in reader.bodies():
            self.body(fact)
        unknown = reader.unknown_in_lists()
        if unknown:
            self.messages.append(f"named among states but not states of the graph, so not proposed: {', '.join(unknown)}; a new "
                                 "state comes with its ISO codes from the reference data (scripts/build_reference.py)")
        if len(self.candidates) == 1:
            self.messages.append("the text names no event, participant, document or topic the rules recognise: the draft holds "
                                 "only its source; nothing would be added")
        return Draft(self.source, self.src, self.text, self.language, self.candidates, self.messages)

    # ------------------------------------------------------------ source

    def source_candidate(self) -> None:
        s = self.source
        known = None
        if s.url:
            for q in self.store.quads_for_pattern(None, ox.NamedNode(PREFIXES["schema"] + "url"), ox.NamedNode(s.url), None):
                known = q.subject.value
        # "Economic Cooperation Organization (ECO)": the name, or the short form in brackets
        names = [s.publisher, re.sub(r"\s*\([^)]*\)", "", s.publisher), *re.findall(r"\(([^)]+)\)", s.publisher)]
        publisher = next(([m.entry] for n in names if n.strip() for m in self.gz.lookup(n, kinds=("organisation",), limit=1) if m.exact), [])
        if known:
            self.src = _curie(known)
            self.add("source", None, f"{self.src}: already in the graph ({s.url})", "the address is the graph's source", 1.0,
                     [], subject=self.src)
            self.messages.append(f"the graph already holds this source ({self.src}): the draft adds to it")
            return
        pub = short_iri(publisher[0].iri) if publisher else slug(s.publisher, 3)
        base = "-".join(p for p in ("src", pub, self.issued.isoformat() if self.issued else "", slug(s.title, 5)) if p)
        self.src = self.fresh(base)
        lang = self.language if self.language in ("en", "ru") else "en"
        st = [f"{self.src} a kg:SourceDocument .", f"{self.src} dcterms:title {turtle_literal(s.title, 'en')} .",
              f"{self.src} kg:publisherName {turtle_literal(s.publisher)} .", f"{self.src} kg:documentKind kgc:news-item .",
              f"{self.src} dcterms:language {turtle_literal(lang)} ."]
        if publisher:
            st.append(f"{self.src} dcterms:publisher {publisher[0].curie} .")
        if self.issued:
            st.append(f'{self.src} dcterms:issued "{self.issued.isoformat()}"^^xsd:date .')
        if s.url:
            st.append(f"{self.src} schema:url <{s.url}> .")
        self.add("source", None, f"{self.src}: \"{s.title}\" ({s.publisher}{', ' + self.issued.isoformat() if self.issued else ''})",
                 "the details given with the text", 1.0, st, status="new", subject=self.src)

    # ------------------------------------------------------------ events

    def _existing_event(self, ev: EventFact) -> Entry | None:
        if ev.series is None:
            return None
        for e in self.gz.of_kind("event"):
            if e.series != ev.series.iri:
                continue
            if ev.ordinal is not None and e.ordinal == ev.ordinal:
                return e
            if ev.ordinal is None and ev.dates is not None:
                starts = [v.value for v in self.values(e.curie, "schema:startDate")]
                if ev.dates.first.isoformat() in starts:
                    return e
        return None

    def event(self, ev: EventFact, done: dict[tuple[str, Any], tuple[str, str]]) -> tuple[str, str] | None:
        series_cid = ""
        if ev.series is not None and not ev.series.known:
            org = _curie(ev.series.organisation)
            iri = _curie(ev.series.iri)
            if not any(c.subject == iri for c in self.candidates):
                st = [f"{iri} a kg:MeetingFormat .", f"{iri} rdfs:label {turtle_literal(ev.series.label, 'en')} .", f"{iri} kg:unitOf {org} .",
                      f"{iri} kg:establishmentStatus kgc:established .", f"{iri} kg:quote {turtle_literal(ev.passage.text)} .", self.cite(iri)]
                series_cid = self.add("body", ev.passage, f"{iri}: {ev.series.label} (a meeting series the graph does not hold)",
                                      "the text reports a sitting of it", 0.7, st, status="new", subject=iri).id
            else:
                series_cid = next(c.id for c in self.candidates if c.subject == iri)
        existing = self._existing_event(ev)
        if existing is not None:
            e = existing.curie
            c = self.add("event", ev.passage, f"{e}: {existing.label} (in the graph)", ev.why + "; the graph holds this sitting", 0.9,
                         [self.cite(e)], subject=e)
            self._event_facts(ev, e, c.id, existing=True)
            return e, c.id
        label = self._event_label(ev)
        local = self._event_local(ev)
        e = self.fresh(local)
        status = ev.status or ("held" if self.issued and (ev.dates is None or ev.dates.last <= self.issued) else "scheduled")
        why_status = f'"{_cue(ev)}"' if ev.status else "no tense cue: " + ("dates before the publication day" if ev.dates else "a report of the past")
        st = [f"{e} a {_curie(ev.cls)} .", f"{e} rdfs:label {turtle_literal(label, 'en')} .", f"{e} kg:eventStatus kgc:{status} .",
              f"{e} kg:quote {turtle_literal(ev.passage.text)} .", self.cite(e)]
        if ev.series is not None:
            st.append(f"{e} kg:sittingOf {_curie(ev.series.iri)} .")
        if ev.ordinal is not None:
            st.append(f"{e} kg:ordinal {ev.ordinal} .")
        st += self.attribution(e, "kg:eventStatus", f"kgc:{status}", (ev.status_passage or ev.passage).text)
        depends: tuple[str, ...] = (series_cid,)
        if ev.next_of is not None and ev.next_of.key in done:
            st.append(f"{e} kg:followsUp {done[ev.next_of.key][0]} .")
            depends += (done[ev.next_of.key][1],)
        kind = "next-event" if ev.key[1] == "next" else "event"
        c = self.add(kind, ev.passage, f"{e}: {label}, {status}" + (" (announced as the next)" if kind == "next-event" else ""),
                     f"{ev.why}; status from {why_status}", 0.85 if ev.status else 0.6, st, status="new", depends=depends,
                     subject=e, value=f"kgc:{status}")
        self._event_facts(ev, e, c.id, existing=False)
        return e, c.id

    def _event_label(self, ev: EventFact) -> str:
        if ev.series is None:
            return ("Courtesy call" if ev.cls.endswith("CourtesyCall") else "Bilateral meeting") + \
                (f" of {ev.dates.first.isoformat()}" if ev.dates else "")
        base = ev.series.label
        if ev.series.known:
            base = self.gz.entries[ev.series.iri].label
        if not re.match(r"(?i)(meeting|council|conference|summit|session|forum)\b", base):
            base = "Meeting of the " + base  # "Heads of Supreme Courts ..." names the series, not a sitting
        if ev.ordinal is not None:
            return f"{ordinal_word(ev.ordinal)} {base}"
        if ev.key[1] == "next":
            return f"Next {base}" + (f" after the {ordinal_word(ev.next_of.ordinal)}" if ev.next_of is not None and ev.next_of.ordinal else "")
        return f"{base} of {ev.dates.first.isoformat()}" if ev.dates else base

    def _event_local(self, ev: EventFact) -> str:
        if ev.series is None:
            kind = "courtesy-call" if ev.cls.endswith("CourtesyCall") else "bilateral-meeting"
            return f"{kind}-{ev.dates.first.isoformat() if ev.dates else (self.issued.isoformat() if self.issued else 'undated')}"
        base = short_iri(ev.series.iri)
        if ev.ordinal is not None:
            return f"{base}-{ev.ordinal}"
        if ev.dates is not None:
            return f"{base}-{ev.dates.first.isoformat()}"
        if ev.key[1] == "next":  # named after the text that announces it: its number is not stated
            return f"{base}-next-{self.issued.isoformat() if self.issued else 'undated'}"
        return f"{base}-{self.issued.year if self.issued else 'undated'}"

    def _event_facts(self, ev: EventFact, e: str, event_cid: str, *, existing: bool) -> None:
        # status of a known event: an amendment when the text moves it (scheduled -> held)
        if existing and ev.status:
            now = [_curie(v.value) for v in self.values(e, "kg:eventStatus")]
            new = f"kgc:{ev.status}"
            if now and new not in now:
                self.amend(e, "kg:eventStatus", now[0], new, ev.status_passage or ev.passage, "status-change", event_cid,
                           f"the text reports the {self.gz.entries[_iri(e)].label if _iri(e) in self.gz.entries else e} as {ev.status}")
        if ev.dates is not None:
            d1, d2 = ev.dates.first.isoformat(), ev.dates.last.isoformat()
            now = [v.value for v in self.values(e, "schema:startDate")] if existing else []
            passage = ev.date_passage or ev.passage
            why = f'"{ev.dates.text}"' + (f" (year from the publication day, {self.issued})" if ev.dates.inferred_year else "") + \
                (" (a weekday, read from the publication day)" if ev.dates.relative else "")
            if now and d1 not in now:
                self.disagree(e, "schema:startDate", f'"{now[0]}"^^xsd:date', f'"{d1}"^^xsd:date', passage, event_cid)
                self.amend(e, "schema:startDate", f'"{now[0]}"^^xsd:date', f'"{d1}"^^xsd:date', passage, "correction", event_cid,
                           "the text gives another start date", extra=[f'{e} schema:endDate "{d2}"^^xsd:date .'], alternative=True)
            elif not now:
                st = [f'{e} schema:startDate "{d1}"^^xsd:date .', f'{e} schema:endDate "{d2}"^^xsd:date .', self.cite(e)]
                st += self.attribution(e, "schema:startDate", f'"{d1}"^^xsd:date', passage.text)
                self.add("date", passage, f"{e} from {d1}" + (f" to {d2}" if d2 != d1 else ""), why,
                         0.65 if ev.dates.inferred_year or ev.dates.relative else 0.9, st, depends=(event_cid,), subject=e, value=f'"{d1}"^^xsd:date')
        if ev.place is not None or ev.new_place is not None:
            place_cid = ""
            if ev.place is not None:
                place = ev.place.curie
            else:
                name, state, s, _end = ev.new_place  # type: ignore[misc]
                # "Санья" is the graph's Sanya: a city the graph holds under its English name
                same = [p for p in self.gz.of_kind("place") if any(slug(n) == slug(name) for n, _ in p.names)]
                if len(same) == 1:
                    ev.place, ev.new_place = same[0], None
            if ev.place is not None:
                place = ev.place.curie
            else:
                name, state, s, _end = ev.new_place  # type: ignore[misc]
                place = self.fresh(slug(name))
                lang = "ru" if self.language == "ru" else "en"
                st = [f"{place} a kg:City .", f"{place} rdfs:label {turtle_literal(name, lang)} .", self.cite(place),
                      f"{place} kg:quote {turtle_literal((ev.place_passage or ev.passage).text)} ."]
                if state is not None:
                    st.append(f"{place} kg:locatedIn {state.curie} .")
                # the graph holds a city with its state (kg:CityShape); a text that does not say
                # which state gives a candidate that starts unticked and says what it lacks
                why = f'"{name}" names no place the graph knows' + (
                    "" if state else f"; the text does not say in which state {name} lies, and a city needs it (kg:locatedIn): "
                                     "add it to the downloaded draft, or leave the place out")
                place_cid = self.add("place", ev.place_passage, f"{place}: {name}" + (f", {state.label}" if state else ", state not stated") +
                                     " (a city the graph does not hold)", why, 0.6 if state else 0.4, st, status="new", subject=place).id
            now = [_curie(v.value) for v in self.values(e, "kg:location")] if existing else []
            passage = ev.place_passage or ev.passage
            located = ev.place is not None or ev.new_place[1] is not None  # type: ignore[index]
            if now and place not in now:
                self.disagree(e, "kg:location", now[0], place, passage, event_cid, depends=(place_cid,))
                self.amend(e, "kg:location", now[0], place, passage, "correction", event_cid, "the text names another place",
                           depends=(place_cid,), alternative=True)
            elif not now:
                st = [f"{e} kg:location {place} .", self.cite(e)] + self.attribution(e, "kg:location", place, passage.text)
                self.add("place", passage, f"{e} in {place}", "a place named in the event's sentence" + ("" if located else f" (needs {place_cid}, which lacks its state)"),
                         0.85 if located else 0.4, st, depends=(event_cid, place_cid), subject=e, value=place)

    def disagree(self, e: str, predicate: str, held: str, reported: str, passage: Sentence, event_cid: str, *,
                 depends: tuple[str, ...] = ()) -> None:
        """Another report of a sitting gives another date or place: by default both stay,
        each with its source (a kg:DivergentReport; the query disagreements lists them).
        The alternative, an amendment, is for a source that corrects the earlier one."""
        node = self.fresh(f"div-{local_name(self.src)}-{local_name(e)}-{slug(predicate.split(':')[1], 3)}")
        st = [f"{node} a kg:DivergentReport .", f"{node} rdf:subject {e} .", f"{node} rdf:predicate {predicate} .",
              f"{node} rdf:object {reported} .", f"{node} kg:quote {turtle_literal(passage.text)} .", self.cite(node)]
        self.add("disagreement", passage, f"{e} {predicate}: the graph has {held}, this text {reported}: both kept, each with its source",
                 "another report of this sitting says otherwise; tick the amendment instead if this text corrects the earlier one",
                 0.8, st, status="amendment", depends=(event_cid,) + depends, subject=e, value=reported, previous=held,
                 previous_passage=self.passage_of(e, predicate))

    def amend(self, e: str, predicate: str, old: str, new: str, passage: Sentence, change: str, event_cid: str, reason: str, *,
              extra: list[str] | None = None, depends: tuple[str, ...] = (), alternative: bool = False) -> None:
        # the day the earlier statement stopped holding: the report's day; without one, the
        # sitting's own first day (a meeting announced and then held changed on that day)
        starts = sorted(v.value for v in self.values(e, "schema:startDate"))
        day = self.issued.isoformat() if self.issued else (starts[0] if starts else dt.date.today().isoformat())
        if not self.issued:
            reason += f" (no publication day: dated {'by the sitting' if starts else 'today; correct it'})"
        node = self.fresh(f"chg-{day}-{local_name(e)}-{slug(predicate.split(':')[1], 3)}")
        st = [f"{node} a kg:Supersession .", f"{node} kg:changeKind kgc:{change} .", f"{node} kg:newValue {new} .",
              f"{node} kg:quote {turtle_literal(passage.text)} .", f"{node} kg:reason {turtle_literal(reason[0].upper() + reason[1:] + '.', 'en')} .",
              f'{node} kg:supersededOn "{day}"^^xsd:date .', f"{node} rdf:subject {e} .", f"{node} rdf:predicate {predicate} .",
              f"{node} rdf:object {old} .", self.cite(node), f"{e} {predicate} {new} .", self.cite(e)]
        st += self.attribution(e, predicate, new, passage.text) + (extra or [])
        why = reason + " (kg amend)" + ("; the alternative to keeping both reports (the disagreement above): tick one of the two" if alternative else "")
        self.add("amendment", passage, f"{e} {predicate}: {old} -> {new}", why, 0.45 if alternative else 0.8, st, status="amendment",
                 depends=(event_cid,) + depends, subject=e, value=new, previous=old, previous_passage=self.passage_of(e, predicate))

    # ------------------------------------------------------------ participants, people

    def held_participation(self, e: str, participant: str) -> str | None:
        """The participation of ``participant`` in ``e`` the graph already holds, if any."""
        for p in self.values(e, "kg:participation"):
            if any(v == ox.NamedNode(participant) for v in self.values(_curie(p.value), "kg:participant")):
                return _curie(p.value)
        return None

    def participant(self, fact: Fact, main: EventFact, ref: tuple[str, str]) -> tuple[str, str] | None:
        e, event_cid = ref
        entry, role = fact.data["entry"], fact.data["role"]
        held = self.held_participation(e, entry.iri)
        if held is not None:
            return held, ""  # the graph has it already
        node = self.fresh(f"{local_name(e)}-{role}-{local_name(entry.curie).removeprefix('state-')}")
        cls = "kg:Delegation" if role == "delegation" else "kg:Participation"
        what = {"delegation": "Delegation of {} to the {}", "host": "{}, host of the {}", "guest": "{}, guest at the {}"}[role]
        ev_label = self._short_event_label(e)
        st = [f"{node} a {cls} .", f"{node} rdfs:label {turtle_literal(what.format(entry.label, ev_label), 'en')} .",
              f"{node} kg:participant {entry.curie} .", f"{node} kg:participationRole kgc:{role} .",
              f"{node} kg:quote {turtle_literal(fact.passage.text)} .", self.cite(node), f"{e} kg:participation {node} ."]
        c = self.add("participant", fact.passage, f"{entry.label} at {e} as {role}", fact.why, fact.confidence, st,
                     depends=(event_cid,), subject=node, value=entry.curie)
        return node, c.id

    def _short_event_label(self, e: str) -> str:
        iri = _iri(e)
        label = self.gz.entries[iri].label if iri in self.gz.entries else next((c.summary.split(": ", 1)[-1].split(",")[0] for c in self.candidates if c.subject == e), e)
        m = re.match(r"(\d+(?:st|nd|rd|th) \w+)", label)
        return m.group(1) if m else label

    def person(self, fact: Fact, main: EventFact | None, ref: tuple[str, str] | None, participations: dict[str, tuple[str, str]]) -> None:
        d = fact.data
        holder: Entry | None = d["holder"]
        known: Entry | None = d["known"]
        depends: list[str] = []
        st: list[str] = []
        post = ""
        if holder is not None and d["role"] is not None:
            found = [m.entry for m in self.gz.lookup(d["post_label"], kinds=("post",), limit=1) if m.score >= 95]
            if found:
                post = found[0].curie
            else:
                post = self.fresh("post-" + slug(d["post_text"], 4) + "-" + local_name(holder.curie).removeprefix("state-"))
                st += [f"{post} a kg:Post .", f"{post} rdfs:label {turtle_literal(d['post_label'], 'en')} .", f"{post} kg:postIn {holder.curie} .",
                       f"{post} kg:postRole kgc:{d['role']} .", f"{post} kg:quote {turtle_literal(fact.passage.text)} .", self.cite(post)]
        if known is not None:
            p = known.curie
            st.append(self.cite(p))
            status = "matched"
        else:
            p = self.fresh(slug(d["name"]))
            st += [f"{p} a kg:Person .", f"{p} rdfs:label {turtle_literal(d['name'], 'en')} .", f"{p} kg:quote {turtle_literal(fact.passage.text)} .", self.cite(p)]
            if d["honorific"]:
                st.append(f"{p} schema:honorificPrefix {turtle_literal(d['honorific'])} .")
            status = "new"
        if post and not (known is not None and any(_curie(v.value) == post for v in self.values(p, "kg:holds"))):
            st.append(f"{p} kg:holds {post} .")
        if post and main is not None and main.dates is not None:
            # the graph dates who held a post by tenures: this text shows them in it on the day of the meeting
            day = main.dates.first.isoformat()
            t = f"kgi:tenure-{local_name(post).removeprefix('post-')}-{local_name(p)}"
            if not self.exists(t):
                st += [f"{t} a kg:Tenure .", f"{t} kg:tenureHolder {p} .", f"{t} kg:tenureOf {post} .",
                       f"{t} kg:quote {turtle_literal(fact.passage.text)} .", f'{t} kg:attestedOn "{day}"^^xsd:date .', self.cite(t)]
        # the person speaks for their state's (or organisation's) participation in the main
        # event; a head of state named in a ministers' or prosecutors' report sent greetings
        # or was praised far more often than he attended: he is not taken as its head
        if ref is not None and holder is not None and d["role"] != "head-of-state":
            e, event_cid = ref
            part = participations.get(holder.iri)
            held = self.held_participation(e, holder.iri) if part is None else None
            if held:
                part = (held, "")  # a second report: the graph's own delegation
            if part is None and holder.kind in ("organisation", "body", "state"):
                role = "attendee" if holder.kind != "state" else "delegation"
                node = self.fresh(f"{local_name(e)}-{role}-{local_name(holder.curie).removeprefix('state-')}")
                cls = "kg:Delegation" if role == "delegation" else "kg:Participation"
                label = (f"Delegation of {holder.label} to the {self._short_event_label(e)}" if role == "delegation"
                         else f"{holder.label} at the {self._short_event_label(e)}")
                st += [f"{node} a {cls} .", f"{node} rdfs:label {turtle_literal(label, 'en')} .", f"{node} kg:participant {holder.curie} .",
                       f"{node} kg:participationRole kgc:{role} .", f"{node} kg:quote {turtle_literal(fact.passage.text)} .", self.cite(node),
                       f"{e} kg:participation {node} ."]
                depends.append(event_cid)
                part = (node, "")
                participations[holder.iri] = part
            if part is not None:
                st.append(f"{part[0]} kg:representedBy {p} .")
                if post:
                    st.append(f"{part[0]} kg:representedByPost {post} .")
                st.append(self.cite(part[0]))
                depends.append(part[1])
        self.add("person", fact.passage, f"{p}: {d['name']}, {d['post_label']}" + (f" (post {post})" if post else " (no post the graph can record)"),
                 fact.why, fact.confidence, st, status=status, depends=tuple(depends), subject=p, value=post)

    # ------------------------------------------------------------ documents, topics, bodies

    def document(self, fact: Fact, ref: tuple[str, str] | None) -> None:
        d = fact.data
        known: Entry | None = d["known"]
        if known is not None:
            if ref is None:
                return
            e, event_cid = ref
            if any(_curie(v.value) == known.curie for v in self.values(e, "kg:relatedInstrument")):
                return
            st = [f"{e} kg:relatedInstrument {known.curie} .", self.cite(e)]
            self.add("document", fact.passage, f"{e} concerns {known.curie} ({known.label})", fact.why, fact.confidence, st,
                     depends=(event_cid,), subject=e, value=known.curie)
            return
        title = d["title"]
        cls = _instrument_class(title)
        doc = self.fresh(slug(title, 7))
        st = [f"{doc} a {cls} .", f"{doc} dcterms:title {turtle_literal(title, 'en')} .", f"{doc} rdfs:label {turtle_literal(title, 'en')} .",
              f"{doc} kg:quote {turtle_literal(fact.passage.text)} .", self.cite(doc)]
        depends: tuple[str, ...] = ()
        status = d["status"]
        if status == "adopted" and ref is None:
            status = None  # adopted needs who adopted it; the text gives no event
        if status:
            st.append(f"{doc} kg:instrumentStatus kgc:{status} .")
            st.append(f"{doc} kg:adoptionVerb {turtle_literal(d['verb'].lower())} .")
        if ref is not None:
            e, event_cid = ref
            st.append(f"{doc} kg:adoptedAt {e} ." if status == "adopted" else f"{e} kg:relatedInstrument {doc} .")
            if status != "adopted":
                st.append(self.cite(e))
            depends = (event_cid,)
        self.add("document", fact.passage, f"{doc}: {title}" + (f", {status} ({d['verb'].lower()})" if status else ", mentioned"),
                 fact.why, fact.confidence, st, status="new", depends=depends, subject=doc, value=f"kgc:{status}" if status else "")

    def topic(self, fact: Fact, ref: tuple[str, str] | None) -> None:
        if ref is None:
            return
        e, event_cid = ref
        t = fact.data["entry"].curie
        if any(_curie(v.value) == t for v in self.values(e, "kg:topic")):
            return
        st = [f"{e} kg:topic {t} .", self.cite(e)] + self.attribution(e, "kg:topic", t, fact.passage.text)
        self.add("topic", fact.passage, f"{e} on {t} ({fact.data['entry'].label})", fact.why, fact.confidence, st,
                 depends=(event_cid,), subject=e, value=t)

    def body(self, fact: Fact) -> None:
        d = fact.data
        if d["known"] is not None:
            return  # a body the graph holds: its status comes from its own sources
        b = self.fresh(slug(d["label"], 7))
        st = [f"{b} a kg:Body .", f"{b} rdfs:label {turtle_literal(d['label'], 'en')} .", f"{b} kg:establishmentStatus kgc:{d['status']} .",
              f"{b} kg:quote {turtle_literal(fact.passage.text)} .", self.cite(b)]
        if d["organisation"] is not None:
            st.append(f"{b} kg:unitOf {d['organisation'].curie} .")
        self.add("body", fact.passage, f"{b}: {d['label']}, {d['status']}", fact.why, fact.confidence, st, status="new",
                 subject=b, value=f"kgc:{d['status']}")


def _instrument_class(title: str) -> str:
    t = title.lower()
    if "declaration" in t or "communiqu" in t or "joint statement" in t:
        return "kg:Declaration"
    if "charter" in t or "statute" in t:
        return "kg:Charter"
    if "plan" in t or "roadmap" in t or "road map" in t or "programme" in t or "program" in t:
        return "kg:Plan"
    if "convention" in t:
        return "kg:Convention"
    return "kg:Instrument"


def _cue(ev: EventFact) -> str:
    from kg.suggest.rules import FUTURE, HELD

    s = (ev.status_passage or ev.passage).text
    m = (FUTURE if ev.status == "scheduled" else HELD).search(s)
    return m.group(0) if m else (ev.status or "")


def _iri(curie: str) -> str:
    if curie.startswith("<") and curie.endswith(">"):
        return curie[1:-1]
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and not curie.startswith("http") else curie


def _curie(iri: str) -> str:
    for prefix in ("kgi", "kgc", "kg"):
        ns = PREFIXES[prefix]
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9][\w-]*", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


__all__ = ["suggest", "KGI", "KGC", "expand"]
