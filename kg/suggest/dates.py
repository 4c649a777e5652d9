"""Dates in a text, read relative to its publication day.

Only what names a day is read: "25 September 2025", "September 14-16, 2023",
"14-16 сентября 2023 года", "2025-09-25", "25.09.2025", and, given the publication day,
"September 15" (its year taken from the publication: the nearest such day to it, flagged
as inferred), "on Wednesday", "today", "yesterday". A year alone ("in 2016") or a month
alone names no day and is not read. Without a publication day a date without a year is
not proposed at all: the year would be a guess.

Written as patterns rather than with dateparser: its ``search_dates`` read the word "we"
and "at the 13th" as dates in this domain's texts (docs/design.md), and every accepted
span had to match a pattern anyway.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_EN_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_EN_MONTHS.update({m[:3]: i for m, i in list(_EN_MONTHS.items())})
_EN_MONTHS["sept"] = 9
_RU_MONTHS = {m: i for i, m in enumerate(
    "январ феврал март апрел ма июн июл август сентябр октябр ноябр декабр".split(), 1)}
_WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_RU_WEEKDAYS = {"понедельник": 0, "вторник": 1, "сред": 2, "четверг": 3, "пятниц": 4, "суббот": 5, "воскресень": 6}

_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_MON1 = _MON.replace("?P<mon>", "?P<mon1>")
_RU_MON = r"(?P<mon>января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
_RU_MON1 = _RU_MON.replace("?P<mon>", "?P<mon1>")
_D = r"(?:st|nd|rd|th)?"
_DASH = r"\s*(?:-|–|—|to|and|until|through)\s*"
_RU_DASH = r"\s*(?:-|–|—|по|и)\s*"
_YEAR = r"(?:,?\s*(?P<year>(?:19|20)\d\d))?"
_RU_YEAR = r"(?:\s+(?P<year>(?:19|20)\d\d)(?:\s*(?:года|г\.|г\b))?)?"

_PATTERNS = [
    # 14 September - 16 October 2023 ; 28 февраля - 1 марта 2024 года
    re.compile(rf"\b(?P<d1>\d{{1,2}}){_D}\s+(?:of\s+)?{_MON1}{_DASH}(?P<d2>\d{{1,2}}){_D}\s+(?:of\s+)?{_MON}{_YEAR}\b", re.I),
    re.compile(rf"(?<!\w)(?P<d1>\d{{1,2}})\s+{_RU_MON1}{_RU_DASH}(?P<d2>\d{{1,2}})\s+{_RU_MON}{_RU_YEAR}(?!\w)", re.I),
    # September 30 - October 2, 2023
    re.compile(rf"\b{_MON1}\s+(?P<d1>\d{{1,2}}){_D}{_DASH}{_MON}\s+(?P<d2>\d{{1,2}}){_D}{_YEAR}\b", re.I),
    # 14-16 September 2023 ; 14-16 сентября 2023 года
    re.compile(rf"\b(?P<d1>\d{{1,2}}){_D}{_DASH}(?P<d2>\d{{1,2}}){_D}\s+(?:of\s+)?{_MON}{_YEAR}\b", re.I),
    re.compile(rf"(?<!\w)(?P<d1>\d{{1,2}}){_RU_DASH}(?P<d2>\d{{1,2}})\s+{_RU_MON}{_RU_YEAR}(?!\w)", re.I),
    # September 14-16, 2023
    re.compile(rf"\b{_MON}\s+(?P<d1>\d{{1,2}}){_D}{_DASH}(?P<d2>\d{{1,2}}){_D}{_YEAR}\b", re.I),
    # 25 September 2025 ; 25 сентября 2025 года
    re.compile(rf"\b(?P<d1>\d{{1,2}}){_D}\s+(?:of\s+)?{_MON}{_YEAR}\b", re.I),
    re.compile(rf"(?<!\w)(?P<d1>\d{{1,2}})\s+{_RU_MON}{_RU_YEAR}(?!\w)", re.I),
    # September 25, 2025
    re.compile(rf"\b{_MON}\s+(?P<d1>\d{{1,2}}){_D}(?!\d){_YEAR}\b", re.I),
    # 2025-09-25
    re.compile(r"\b(?P<iy>(?:19|20)\d\d)-(?P<im>\d\d)-(?P<id>\d\d)\b"),
    # 25.09.2025
    re.compile(r"(?<![\d.])(?P<id>\d{1,2})\.(?P<im>\d{1,2})\.(?P<iy>(?:19|20)\d\d)(?![\d])"),
]
_RELATIVE = re.compile(
    r"\b(?:on\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(?P<rel>today|yesterday|tomorrow)\b|"
    r"(?<!\w)(?:в\s+|во\s+)?(?P<rwd>понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)(?!\w)|(?<!\w)(?P<rrel>сегодня|вчера|завтра)(?!\w)",
    re.I)
_FUTURE = re.compile(r"\b(will|shall|is to|are to|scheduled|upcoming|next|plans?|planned|to be held|is expected)\b|состоится|пройдет|будет|планируется", re.I)


@dataclass(frozen=True)
class DateSpan:
    start: int
    end: int
    text: str
    first: dt.date
    last: dt.date
    inferred_year: bool = False  # the year came from the publication day
    relative: bool = False  # a weekday or today/yesterday


def _month(name: str) -> int:
    n = name.lower().rstrip(".")
    if n in _EN_MONTHS:
        return _EN_MONTHS[n]
    for stem, i in _RU_MONTHS.items():
        if n.startswith(stem):
            return i
    raise KeyError(name)


def _nearest_year(month: int, day: int, base: dt.date) -> int | None:
    best = None
    for y in (base.year - 1, base.year, base.year + 1):
        try:
            d = dt.date(y, month, day)
        except ValueError:
            continue
        if best is None or abs((d - base).days) < abs((best - base).days):
            best = d
    return best.year if best else None


def find_dates(text: str, issued: dt.date | None) -> list[DateSpan]:
    """Every day (or span of days) ``text`` names, in text order, without overlaps."""
    taken: list[tuple[int, int]] = []
    out: list[DateSpan] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            span = _read(m, issued)
            if span is None:
                continue
            taken.append((m.start(), m.end()))
            out.append(DateSpan(m.start(), m.end(), m.group(0), *span))
    if issued is not None:
        for m in _RELATIVE.finditer(text):
            if not free(m.start(), m.end()):
                continue
            day = _relative(m, text, issued)
            if day is not None:
                taken.append((m.start(), m.end()))
                out.append(DateSpan(m.start(), m.end(), m.group(0), day, day, False, True))
    out.sort(key=lambda d: d.start)
    return out


def _read(m: re.Match[str], issued: dt.date | None) -> tuple[dt.date, dt.date, bool] | None:
    g = m.groupdict()
    try:
        if g.get("iy"):
            d = dt.date(int(g["iy"]), int(g["im"]), int(g["id"]))
            return d, d, False
        month = _month(g["mon"])
        month1 = _month(g["mon1"]) if g.get("mon1") else month
        d1 = int(g["d1"])
        d2 = int(g["d2"]) if g.get("d2") else d1
        inferred = False
        if g.get("year"):
            year = int(g["year"])
        else:
            if issued is None:
                return None  # a year would be a guess
            y = _nearest_year(month1, d1, issued)
            if y is None:
                return None
            year, inferred = y, True
        year1 = year - 1 if month1 > month else year  # 28 December - 2 January 2024
        first, last = dt.date(year1, month1, d1), dt.date(year, month, d2)
    except (KeyError, ValueError):
        return None
    if last < first:
        return None
    return first, last, inferred


def _relative(m: re.Match[str], text: str, issued: dt.date) -> dt.date | None:
    rel = (m.group("rel") or m.group("rrel") or "").lower()
    if rel:
        return issued + dt.timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1, "сегодня": 0, "вчера": -1, "завтра": 1}[rel])
    word = (m.group("wd") or m.group("rwd") or "").lower()
    wd = _WEEKDAYS.get(word)
    if wd is None:
        wd = next((i for stem, i in _RU_WEEKDAYS.items() if word.startswith(stem)), None)
    if wd is None:
        return None
    # the sentence's tense decides: a weekday in a sentence about the future is the next
    # one; otherwise the last one on or before the publication day (news reports the past)
    s = text.rfind(".", 0, m.start()) + 1
    e = text.find(".", m.end())
    sentence = text[s:e if e >= 0 else len(text)]
    delta = (wd - issued.weekday()) % 7
    if _FUTURE.search(sentence):
        return issued + dt.timedelta(days=delta or 7)
    return issued - dt.timedelta(days=(issued.weekday() - wd) % 7)
