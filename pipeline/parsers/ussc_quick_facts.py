"""U.S. Sentencing Commission "Quick Facts: Child Pornography Offenders" fact sheets (FY2019-FY2024).

A Quick Facts sheet is two pages of short prose statements and small charts. Two kinds of reading:

* **Prose** is read sentence by sentence from the page text of :func:`pipeline.doctext.document_pages`
  after :func:`pipeline.doctext.normalize` -- the same text the figure-verification check reads -- so
  every ``evidence`` span is cut out of that text and is a substring of it by construction (and is
  checked again before a row is returned). Patterns are anchored on the grammar of one statement
  ("<count> were/involved ... child pornography", "<pct> of all offenders", "average ... <n>
  months"), not on one edition's exact sentence, and accept "fiscal year 2022", "FY 2022", "FY2022"
  and "FY22".
* **The trend chart** (five fiscal years of offender counts) is found **by its axis, not its
  title**: a row of five consecutive fiscal-year labels on one baseline ("FY19", "FY2019", "FY 2019"
  as two words, or a bare "2019"). Its title may say "Number of ...", "... Sentenced, FY 2019 - FY
  2023" or be absent; a year range in a title is two labels, never an axis. The count labels are
  the all-number text lines between the axis and the first other line above it (the title, or
  prose); reading order scrambles labels on bars of different heights, so they are paired with the
  axis labels **by x-position**: each owns the column within 0.45 label spacings of its centre and
  must hold exactly one count. A chart whose title names another measure ("Average Sentence in
  Months") is passed over. A missing chart, or one that cannot be read without a guess (a column
  with no or two counts, a count in no column, years not consecutive), is a ParseError from
  :func:`read_trend_chart` that :func:`parse` turns into a warning: the prose figures still publish.

The sheet's own year is checked three ways: the fiscal year stated with the offenders count (or, if
that sentence has none, the first fiscal year on page 1) must equal the registry's ``doc.period``; the
chart must end at that year; and the chart's bar for that year must equal the count stated in prose.
The chart's earlier four bars become rows for those years, tagged with this document, so revisions
between editions stay visible (vintage-aware).

Figures a sheet does not state are simply absent; the offenders count for the sheet's year is
required (ParseError without it). A chart that is read but contradicts the sheet (ends at another
year, or its bar for the sheet's year differs from the prose count) is a ParseError. A figure found twice with different values is a
ParseError. Offense-type shares must add up to 100 (+/- 1 for rounding), or ParseError. Rather than
misfile a figure, the parser leaves out statements that name another fiscal year ("up from 1.9% in
fiscal year 2018") and whole-group figures stated for one offense type ("the average sentence for
possession offenders"). "Trafficking" and "distribution" are one offense type (``distribution``);
the printed word stays in ``evidence``. The sheet's count of all offenders sentenced is kept as
``offense_group = "all_offenses"`` (the denominator of the share), and must exceed the child
pornography count.

Prose follows the shared rules of :mod:`pipeline.parsers.prose`: any qualifier the schema has no word
for ("roughly 1,435", "1,435+") is a ParseError naming it; a statement whose clause has a cumulative,
partial or relative cue ("since fiscal year 2018", "through March", "last year") is not the sheet's
fiscal year; restatements are deduplicated. Every prose figure read but not published is listed in
``ParseResult.skipped`` with its reason (the cue, another fiscal year named, one offense type's own
figure, a duplicate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pdfplumber

from pipeline.doctext import document_pages, normalize
from pipeline.parsers import prose
from pipeline.parsers.base import COUNT_RE, ParseError, ParseResult, Skipped, parse_count
from pipeline.registry import Document

__all__ = ["parse", "read_trend_chart", "ChartBar", "COLUMNS"]

TABLE = "federal_sentencing"
COLUMNS = [
    "fiscal_year",
    "offense_group",
    "measure",
    "value",
    "unit",
    "qualifier",
    "evidence",
    "document_id",
    "page",
]
GROUP = "child_pornography"
OS = "offenders_sentenced"

# Each FY axis label owns the horizontal band within this fraction of the label spacing of its centre.
COLUMN_HALF_WIDTH = 0.45
# An "FY" word and the year word after it are one label when the gap is below this (points).
FY_GAP = 8.0
# A chart title wrapped over several lines: lines within this many points above its lowest line.
TITLE_REACH = 45.0
# A row of at least this many fiscal-year labels on one baseline is a candidate chart axis (a
# year range in a title, "FY 2019 - FY 2023", is two); the trend chart has CHART_YEARS of them.
AXIS_MIN_LABELS = 3
CHART_YEARS = 5

# Any qualifier, the schema's or not (prose rules: an unmapped one is a ParseError naming it).
_QUAL = prose.qualifier_group("qual")
# A printed count not glued to a word, a decimal, a percent sign or a "(cid:NN)" glyph ("FY22", "2.1%"
# are not counts; the shared number boundaries of pipeline.parsers.prose); a "+" after it is read, so
# that it fails as a qualifier instead of vanishing. A count that may be a piece of one wrapped over
# lines ("1,23\n4") is matched, then skipped as malformed (prose.broken_number).
_COUNT = rf"{prose.NUM_START}(?P<n>{prose.GROUPED}|\d+){prose.NUM_END}\+?(?!\w|,\d|\.\d|%| percent)"
_PCT = rf"{prose.NUM_START}(?P<p>\d{{1,3}}(?:\.\d+)?){prose.NUM_END}(?:%| percent\b)"
_FY = re.compile(r"\b(?:fiscal\s+year|FY)\s?'?(\d{4}|\d{2})\b" + prose.GLYPH_NEXT, re.I)
_CP = r"child pornography"
_BROKEN = "digits right before or after it across a space or line break: maybe a wrapped number"
# Sentence ends; "U.S. Attorneys" and "U.S. Sentencing Commission" do not end a sentence.

# "<count> were|involved|was|had ... child pornography" ("Of these, 1,435 were child pornography
# offenders"; "1,435 involved offenders whose primary offense was child pornography").
_CP_COUNT = [
    re.compile(
        _QUAL + _COUNT + r" (?:were|involved|was|had|concerned)\b(?: [\w'-]+){0,5}? " + _CP, re.I
    ),
    # "1,435 child pornography offenders were sentenced", "sentenced 1,435 child pornography offenders"
    re.compile(
        _QUAL + _COUNT + r" " + _CP + r" (?:offenders|cases|offenses)\b (?:were|was) sentenced",
        re.I,
    ),
    re.compile(
        r"\b(?:sentenced|there were) " + _QUAL + _COUNT + r" (?:" + _CP + r" offenders"
        r"|offenders whose primary offense was " + _CP + r")",
        re.I,
    ),
]
# The sheet's denominator: "there were 64,142 offenders sentenced", "Of the 64,142 cases reported".
_TOTAL_COUNT = [
    re.compile(r"\bthere were " + _QUAL + _COUNT + r" (?:offenders|cases|individuals)\b", re.I),
    re.compile(
        r"\bof the "
        + _QUAL
        + _COUNT
        + r" (?:offenders|cases|individuals) (?:sentenced|reported)\b",
        re.I,
    ),
    re.compile(r"\ba total of " + _QUAL + _COUNT + r" (?:offenders|cases|individuals)\b", re.I),
]
_SHARE_OF_ALL = re.compile(
    _QUAL + _PCT + r" of all (?:federal )?(?:offenders|cases|individuals)\b", re.I
)
_PRISON = re.compile(
    _QUAL
    + _PCT
    + r"(?: [\w'-]+){0,6}? (?:were |was )?(?:sentenced to (?:a term of )?(?:prison|imprisonment)"
    r"|received (?:a )?prison (?:sentences?|terms?)|incarcerated)\b"
    # ... and nothing more: "sentenced to prison terms of more than five years" is another figure
    r"(?=\s*(?:[.,;)]|$|and\b))",
    re.I,
)
_SENTENCE_STAT = re.compile(
    r"\b(?P<kind>average|mean|median)\b(?P<mid>[^.;()]{0,50}?)\(?"
    + _QUAL
    + prose.NUM_START
    + r"(?P<m>\d{1,3}(?:,\d{3})*)"
    + prose.NUM_END
    + r" months\b",
    re.I,
)
_SENTENCE_WORDS = re.compile(r"\bsentence|\bprison term|\bimprisonment|\bterm of", re.I)
_NOT_A_SENTENCE = re.compile(
    r"guideline|minimum|maximum|reduc|increas|departure|variance|range|all offenders", re.I
)
_OFFENSE_TYPES = {
    "possession": re.compile(r"\bpossess(?:ion|ing)\b", re.I),
    "receipt": re.compile(r"\b(?:receipt|receiving)\b", re.I),
    "distribution": re.compile(r"\b(?:trafficking|distribution|distributing)\b", re.I),
    "production": re.compile(r"\b(?:production|producing)\b", re.I),
}
_CLAUSE_SPLIT = re.compile(r"[,;:]\s|[()]|\band\b", re.I)
_FY_LABEL = re.compile(r"^FY'?(\d{2}|\d{4})$", re.I)
_YEAR_WORD = re.compile(r"^'?(\d{2}|\d{4})$")
# A bare year as an axis label ("2019"); two digits only after "FY" ("FY 19").
_BARE_YEAR = re.compile(r"^((?:19[89]|20\d)\d)$")
# A chart whose title names one of these is not the chart of offender counts.
_OTHER_MEASURE = re.compile(
    r"\b(?:average|mean|median|months?|percent(?:age)?|rate|share|proportion)\b|%", re.I
)


def _fiscal_year(token: str) -> int:
    """'22' -> 2022, '99' -> 1999, '2022' -> 2022."""
    if len(token) == 4:
        return int(token)
    yy = int(token)
    return 1900 + yy if yy >= 90 else 2000 + yy


@dataclass(frozen=True)
class ChartBar:
    """One bar of the trend chart: the FY axis label and the count label paired with it."""

    fiscal_year: int
    count: int
    count_text: str
    evidence: str  # the normalised text line the count label sits on


@dataclass
class _Row:
    fiscal_year: int
    offense_group: str
    measure: str
    value: float
    unit: str
    qualifier: str | None
    evidence: str
    page: int


# --------------------------------------------------------------------------------------------------
# trend chart


def _page_words(page) -> list[dict]:
    return page.extract_words(keep_blank_chars=False, use_text_flow=False)


def _year_labels(words: list[dict]) -> list[dict]:
    """Fiscal-year axis labels as single boxes with their ``year``: "FY19", "FY2019", "FY'19", a bare
    "2019", and "FY 2019" / "FY 19" printed as two words (merged into one box)."""
    labels = []
    for line in prose.word_lines(words):
        i = 0
        while i < len(line):
            w = line[i]
            nxt = line[i + 1] if i + 1 < len(line) else None
            m = _FY_LABEL.match(w["text"]) or _BARE_YEAR.match(w["text"])
            if m:
                labels.append({**w, "year": _fiscal_year(m.group(1))})
            elif w["text"].upper() == "FY" and nxt is not None:
                m2 = _YEAR_WORD.match(nxt["text"])
                if m2 and 0 <= nxt["x0"] - w["x1"] < FY_GAP:
                    labels.append(
                        {
                            "text": f"{w['text']} {nxt['text']}",
                            "x0": w["x0"],
                            "x1": nxt["x1"],
                            "top": min(w["top"], nxt["top"]),
                            "bottom": max(w["bottom"], nxt["bottom"]),
                            "year": _fiscal_year(m2.group(1)),
                        }
                    )
                    i += 1
            i += 1
    return labels


def _baseline_rows(labels: list[dict]) -> list[list[dict]]:
    """Labels grouped by a common baseline (bottoms within SAME_LINE), each row left to right."""
    rows: list[list[dict]] = []
    for w in sorted(labels, key=lambda w: (w["bottom"], w["x0"])):
        if rows and abs(w["bottom"] - rows[-1][0]["bottom"]) < prose.SAME_LINE:
            rows[-1].append(w)
        else:
            rows.append([w])
    return [sorted(r, key=lambda w: w["x0"]) for r in rows]


def _line_of(word: dict, lines: list[dict], page_norm: str) -> str:
    """The normalised text line a word sits on (a verbatim span of the page text)."""
    cx = (word["x0"] + word["x1"]) / 2
    for ln in lines:
        if (
            ln["top"] - 1 <= word["top"]
            and word["bottom"] <= ln["bottom"] + 1
            and ln["x0"] <= cx <= ln["x1"]
        ):
            text = normalize(ln["text"])
            if word["text"] in text and text in page_norm:
                return text if len(text) <= 300 else word["text"]
    return word["text"]


def _chart_title(
    axis: list[dict], words: list[dict], left: float, right: float
) -> tuple[list[dict], str]:
    """Walk up from the axis through the text lines that reach into the chart's columns: lines whose
    words there are all counts are bar labels; the first line with anything else ends the chart.

    Returns (count label words, title). The title is that first line plus the lines of a title
    wrapped above it (within TITLE_REACH); it is "" when the chart has none -- when nothing is above
    the labels or the line above is prose (it ends a sentence). Another chart's axis row ("2015 2016
    2017 ...") ends the chart too, although its words look like counts."""
    axis_top = min(w["top"] for w in axis)
    above = [w for w in words if w["bottom"] <= axis_top + 1]
    lines = [
        ln for ln in prose.word_lines(above) if any(w["x1"] > left and w["x0"] < right for w in ln)
    ]
    counts: list[dict] = []
    for i in range(len(lines) - 1, -1, -1):
        inside = [w for w in lines[i] if w["x1"] > left and w["x0"] < right]
        if (
            all(COUNT_RE.match(w["text"]) for w in inside)
            and len(_year_labels(lines[i])) < AXIS_MIN_LABELS
        ):
            counts.extend(inside)
            continue
        return counts, _title_above(lines[: i + 1])
    return counts, ""


def _line_text(line: list[dict]) -> str:
    return " ".join(w["text"] for w in line)


def _title_like(line: list[dict]) -> bool:
    """A title line ends no sentence and holds no number but years ("..., FY 2019 - FY 2023");
    "These offenders made up 2.1 percent ... guidelines." or "Sentenced to prison: 99.4%" is not."""
    text = _line_text(line)
    if re.search(r"[.!?]$", text):
        return False
    return not re.search(
        r"\d", re.sub(r"\b(?:FY\s?'?)?\d{4}\b|\bFY\s?'?\d{2}\b", "", text, flags=re.I)
    )


def _title_above(lines: list[list[dict]]) -> str:
    """The title whose lowest line is ``lines[-1]``, with the lines of a wrap above it: close below
    one another (gap under a line height), within TITLE_REACH, all title-like. "" when the lowest
    line is not title-like: that is prose above an untitled chart."""
    if not _title_like(lines[-1]):
        return ""
    bottom = max(w["bottom"] for w in lines[-1])
    title = [lines[-1]]
    for ln in reversed(lines[:-1]):
        ln_bottom = max(w["bottom"] for w in ln)
        height = ln_bottom - min(w["top"] for w in ln)
        if (
            bottom - ln[0]["top"] > TITLE_REACH
            or min(w["top"] for w in title[0]) - ln_bottom > height
            or not _title_like(ln)
        ):
            break
        title.insert(0, ln)
    return " ".join(_line_text(ln) for ln in title)


@dataclass(frozen=True)
class _Chart:
    page: int
    title: str
    bars: list[ChartBar]


def read_trend_chart(path: Path, doc: Document) -> tuple[int, list[ChartBar]]:
    """Find the five-year trend chart by its axis; return (page, bars by year).

    Any row of AXIS_MIN_LABELS or more fiscal-year labels on one baseline is a candidate axis; a
    year range in a title ("FY 2019 - FY 2023") is two labels, not a row. A candidate is read
    (:func:`_pair_bars`) or gives the ParseError that says why not. A chart whose title names another
    measure ("Average Sentence in Months", "... Rate") is not the count chart. Exactly one count
    chart must be readable; otherwise the first reason is raised (the caller makes it a warning).
    """
    pages_text = [normalize(t) for t in document_pages(path, "pdf")]
    charts: list[_Chart] = []
    problems: list[ParseError] = []
    with pdfplumber.open(path) as pdf:
        for pno, page in enumerate(pdf.pages, start=1):
            words = _page_words(page)
            for axis in _baseline_rows(_year_labels(words)):
                if len(axis) < AXIS_MIN_LABELS:
                    continue
                try:
                    charts.append(_read_chart(doc, pno, axis, words, page, pages_text[pno - 1]))
                except ParseError as err:
                    problems.append(err)
    if len(charts) > 1:
        raise ParseError(
            doc.id,
            charts[1].page,
            "one five-year trend chart of offender counts",
            "; ".join(f"page {c.page}: {c.title or 'untitled'}" for c in charts),
        )
    if charts:
        return charts[0].page, charts[0].bars
    if problems:
        raise problems[0]
    raise ParseError(
        doc.id,
        None,
        f"a five-year trend chart: a row of {CHART_YEARS} fiscal-year axis labels ('FY19', "
        f"'FY 2019' or '2019') with a count label over each (searched pages 1-{len(pages_text)})",
    )


def _read_chart(doc, pno, axis, words, page, page_norm) -> _Chart:
    axis_text = " ".join(w["text"] for w in axis)
    years = [w["year"] for w in axis]
    if len(years) != CHART_YEARS or years != list(range(years[0], years[0] + len(years))):
        raise ParseError(
            doc.id,
            pno,
            f"{CHART_YEARS} consecutive fiscal years on the trend chart axis",
            axis_text,
        )
    centres = [(w["x0"] + w["x1"]) / 2 for w in axis]
    spacing = min(b - a for a, b in zip(centres, centres[1:], strict=False))
    if spacing <= 0:
        raise ParseError(doc.id, pno, "trend chart axis labels side by side", axis_text)
    left, right = centres[0] - spacing / 2, centres[-1] + spacing / 2
    counts, title = _chart_title(axis, words, left, right)
    if _OTHER_MEASURE.search(title):
        raise ParseError(doc.id, pno, "a trend chart of offender counts", title)
    bars = _pair_bars(doc, pno, axis, centres, COLUMN_HALF_WIDTH * spacing, counts, page, page_norm)
    return _Chart(pno, title, bars)


def _pair_bars(doc, pno, axis, centres, half, counts, page, page_norm) -> list[ChartBar]:
    """Each axis label owns the band within ``half`` of its centre and must hold exactly one count
    label; a count label in no band is drift too."""
    lines = page.extract_text_lines()
    bars: list[ChartBar] = []
    used: set[int] = set()
    for label, c in zip(axis, centres, strict=True):
        mine = [i for i, w in enumerate(counts) if abs((w["x0"] + w["x1"]) / 2 - c) <= half]
        if len(mine) != 1:
            found = ", ".join(counts[i]["text"] for i in mine) or "none"
            raise ParseError(
                doc.id,
                pno,
                f"exactly one count label above trend chart bar {label['text']!r}",
                f"{len(mine)} ({found})",
            )
        used.update(mine)
        w = counts[mine[0]]
        bars.append(
            ChartBar(
                fiscal_year=label["year"],
                count=parse_count(w["text"], doc.id, pno),
                count_text=w["text"],
                evidence=_line_of(w, lines, page_norm),
            )
        )
    stray = [counts[i]["text"] for i in range(len(counts)) if i not in used]
    if stray:
        axis_text = " ".join(w["text"] for w in axis)
        raise ParseError(
            doc.id,
            pno,
            f"every count label of the trend chart to sit over one of {axis_text}",
            "unpaired " + ", ".join(stray),
        )
    return bars


def _chart_rows(doc: Document, chart_page: int, bars: list[ChartBar], stated: _Row) -> list[_Row]:
    """The chart's earlier bars as rows, once the chart agrees with the sheet: it ends at the
    sheet's year and that bar equals the count stated in prose (else ParseError: a contradiction)."""
    if bars[-1].fiscal_year != doc.year:
        raise ParseError(
            doc.id,
            chart_page,
            f"the trend chart to end at FY{doc.year}",
            f"FY{bars[-1].fiscal_year}",
        )
    if bars[-1].count != stated.value:
        raise ParseError(
            doc.id,
            chart_page,
            f"the chart's FY{doc.year} bar to equal the {stated.value:,.0f} offenders stated on page "
            f"{stated.page}",
            bars[-1].count_text,
        )
    return [
        _Row(
            b.fiscal_year,
            GROUP,
            "offenders_sentenced",
            float(b.count),
            "offenders",
            None,
            b.evidence,
            chart_page,
        )
        for b in bars[:-1]
    ]


# --------------------------------------------------------------------------------------------------
# prose


def _stated_year(sentences: list[str], i: int) -> int | None:
    for s in (sentences[i], sentences[i - 1] if i > 0 else ""):
        m = _FY.search(s)
        if m:
            return _fiscal_year(m.group(1))
    return None


def _offense_types(sentence: str) -> list[tuple[str, float, str, str | None]]:
    """(offense type, percent, clause, qualifier) for each clause holding exactly one percent and one
    type."""
    out = []
    for clause in _CLAUSE_SPLIT.split(sentence):
        pcts = list(re.finditer(prose.qualifier_group("qual") + _PCT, clause, re.I))
        types = [t for t, rx in _OFFENSE_TYPES.items() if rx.search(clause)]
        if len(pcts) == 1 and len(types) == 1:
            p = pcts[0]
            out.append((types[0], float(p.group("p")), clause.strip(), p.group("qual")))
    return out


def _names_other_year(s: str, year: int) -> bool:
    return any(_fiscal_year(m.group(1)) != year for m in _FY.finditer(s))


def _names_offense_type(text: str) -> bool:
    return any(rx.search(text) for rx in _OFFENSE_TYPES.values())


def _read_prose(
    doc: Document, raw_pages: list[str], skipped: list[Skipped]
) -> tuple[list[_Row], list[tuple[int, int, str]]]:
    """Rows read from sentences, and (year stated, page, evidence) for the offenders count; figures
    read but not published go to ``skipped`` with their reason.

    Figures other than the offenders count are read only from sentences that name no other fiscal
    year ("up from 1.9% in fiscal year 2018") and, for whole-group figures, no offense type ("the
    average sentence for possession offenders"): such a figure is left out rather than misfiled.
    A figure whose clause has a cumulative, partial or relative cue is left out too (prose rules).
    """
    rows: list[_Row] = []
    cp_years: list[tuple[int, int, str]] = []
    year = doc.year

    def add(group, measure, value, unit, m, s, pno, num="n", why=None) -> bool:
        """A row for match ``m`` (number in group ``num``), or a skipped entry; True if a row."""
        cut = prose.period_skip(doc, s, m.start(num))
        ev = prose.evidence(s, m.start(), m.end(), cut[2] if cut else ())
        if prose.broken_number(s, *m.span(num)):
            why = ("malformed", _BROKEN)
            cut = None
        if cut or why:
            reason, detail = (cut[0], cut[1]) if cut else why
            skipped.append(Skipped(pno, measure, m.group(num), reason, ev, detail))
            return False
        qual = m.group("qual") if "qual" in m.re.groupindex else None
        q = prose.qualifier_of(qual, s, m.end(num), m.end())
        q = prose.check_qualifier(q, doc.id, pno, ev)
        rows.append(_Row(year, group, measure, value, unit, q, ev, pno))
        return True

    for pno, raw in enumerate(raw_pages, start=1):
        sentences = prose.sentences(raw)
        for i, s in enumerate(sentences):
            for rx in _CP_COUNT:
                for m in rx.finditer(s):
                    if _names_offense_type(prose.clause_after(s, m.start("n"))):
                        # "640 were child pornography possession offenders"
                        why = ("other", "a count of one offense type, not of the whole group")
                        add(GROUP, "offenders_sentenced", 0.0, "offenders", m, s, pno, why=why)
                        continue
                    n = parse_count(m.group("n"), doc.id, pno)
                    if add(GROUP, "offenders_sentenced", float(n), "offenders", m, s, pno):
                        stated = _stated_year(sentences, i)
                        ev = rows[-1].evidence
                        cp_years.append((stated if stated is not None else -1, pno, ev))
            other = (
                ("other", "the sentence names another fiscal year")
                if _names_other_year(s, year)
                else None
            )
            for rx in _TOTAL_COUNT:
                for m in rx.finditer(s):
                    # "Of the 1,435 offenders sentenced for child pornography" is not the denominator
                    if re.search(_CP, prose.clause_after(s, m.end()), re.I):
                        continue
                    n = parse_count(m.group("n"), doc.id, pno)
                    add("all_offenses", OS, float(n), "offenders", m, s, pno, why=other)
            whole = other or (
                ("other", "the sentence names an offense type: a whole-group figure is not read")
                if _names_offense_type(s)
                else None
            )
            for m in _SHARE_OF_ALL.finditer(s):
                # said of child pornography offenders, by name or by "these"/"they"
                if re.search(
                    _CP + r"|\b(?:these|such|they|this group|those)\b", s[: m.start()], re.I
                ):
                    value = float(m.group("p"))
                    add(GROUP, "share_of_all_offenders", value, "percent", m, s, pno, "p", whole)
            for m in _PRISON.finditer(s):
                value = float(m.group("p"))
                add(GROUP, "share_sentenced_to_prison", value, "percent", m, s, pno, "p", whole)
            if _SENTENCE_WORDS.search(s) and not re.search(r"all offenders", s, re.I):
                for m in _SENTENCE_STAT.finditer(s):
                    if _NOT_A_SENTENCE.search(m.group("mid")):
                        continue
                    kind = m.group("kind").lower()
                    measure = (
                        "median_sentence_months" if kind == "median" else "mean_sentence_months"
                    )
                    value = float(m.group("m").replace(",", ""))
                    add(GROUP, measure, value, "months", m, s, pno, "m", whole)
            _offense_type_rows(doc, pno, s, year, rows, skipped, other)
    return rows, cp_years


def _offense_type_rows(doc, pno, s, year, rows, skipped, other) -> None:
    """Offense-type shares of one sentence (they must add up to 100); left out, with a reason, when
    the sentence names another fiscal year (``other``) or has a period cue."""
    types = _offense_types(s)
    if len(types) < 2:
        return
    total = sum(p for _, p, _, _ in types)
    if not 99.0 <= total <= 101.0:
        raise ParseError(
            doc.id,
            pno,
            "offense-type shares that add up to 100%",
            f"{total:.1f}% in {s!r}",
        )
    cut = prose.period_skip(doc, s, 0)
    cut = (*other, []) if other else cut
    for t, p, clause, qual in types:
        ev = s if len(s) <= prose.SENTENCE_QUOTE_MAX else clause
        if cut:
            skipped.append(Skipped(pno, "offense_type_share", f"{p:g}%", cut[0], ev, cut[1]))
            continue
        q = prose.check_qualifier(qual, doc.id, pno, ev)
        rows.append(_Row(year, t, "offense_type_share", p, "percent", q, ev, pno))


def _dedupe(doc: Document, rows: list[_Row], skipped: list[Skipped]) -> list[_Row]:
    """One row per key (shared prose rule): a restatement is listed as a duplicate, a different
    value is a ParseError."""
    return prose.dedupe(
        rows,
        key=lambda r: (r.fiscal_year, r.offense_group, r.measure),
        document_id=doc.id,
        what=lambda r: f"value for {r.measure} ({r.offense_group}, FY{r.fiscal_year})",
        skipped=skipped,
        measure=lambda r: r.measure,
        shown=lambda r: f"{r.value:g}",
    )


def parse(path: Path, doc: Document) -> ParseResult:
    path = Path(path)
    if doc.year is None:
        raise ParseError(doc.id, None, "a registry period that is a single fiscal year", doc.period)
    raw_pages = document_pages(path, "pdf")
    pages = [normalize(t) for t in raw_pages]
    if not pages or not re.search(_CP, pages[0], re.I):
        raise ParseError(
            doc.id,
            1,
            "a USSC Quick Facts sheet on child pornography offenders ('child pornography' on page 1)",
            pages[0][:120] if pages else "no pages",
        )
    skipped: list[Skipped] = []
    rows, cp_years = _read_prose(doc, raw_pages, skipped)
    if not cp_years:
        raise ParseError(
            doc.id,
            1,
            f"a statement of the number of child pornography offenders sentenced in fiscal year "
            f"{doc.year} (searched pages 1-{len(pages)})",
        )
    for stated, pno, ev in cp_years:
        if stated == -1:
            m = _FY.search(pages[0])
            stated = _fiscal_year(m.group(1)) if m else None
        if stated != doc.year:
            raise ParseError(
                doc.id,
                pno,
                f"the offenders count to be for fiscal year {doc.year} (registry period)",
                f"fiscal year {stated}: {ev}" if stated else f"no fiscal year stated: {ev}",
            )
    rows = _dedupe(doc, rows, skipped)

    stated = next(
        r for r in rows if r.offense_group == GROUP and r.measure == "offenders_sentenced"
    )
    total = next((r for r in rows if r.offense_group == "all_offenses"), None)
    if total is not None and total.value <= stated.value:
        raise ParseError(
            doc.id,
            total.page,
            f"the count of all offenders to exceed the {stated.value:,.0f} child pornography offenders",
            total.evidence,
        )
    # An unreadable or absent chart is a warning: the prose figures still publish. A chart that is
    # read but contradicts the prose (other end year, other count) is a ParseError.
    warnings: list[str] = []
    try:
        chart_page, bars = read_trend_chart(path, doc)
    except ParseError as err:
        warnings.append(f"chart not read: {err}")
    else:
        rows += _chart_rows(doc, chart_page, bars, stated)

    # the contract the figure-verification check relies on
    for r in rows:
        if r.evidence not in pages[r.page - 1]:
            raise ParseError(doc.id, r.page, "evidence that is verbatim page text", r.evidence)
    df = pd.DataFrame(
        [
            {
                "fiscal_year": r.fiscal_year,
                "offense_group": r.offense_group,
                "measure": r.measure,
                "value": float(r.value),
                "unit": r.unit,
                "qualifier": r.qualifier,
                "evidence": r.evidence,
                "document_id": doc.id,
                "page": r.page,
            }
            for r in rows
        ],
        columns=COLUMNS,
    )
    df = df.sort_values(["fiscal_year", "offense_group", "measure"], kind="stable").reset_index(
        drop=True
    )
    return ParseResult(tables={TABLE: df}, skipped=skipped, warnings=warnings)
