"""U.S. Sentencing Commission "Quick Facts: Child Pornography Offenders" fact sheets (FY2019-FY2024).

A Quick Facts sheet is two pages of short prose statements and small charts. Two kinds of reading:

* **Prose** is read sentence by sentence from the page text of :func:`pipeline.doctext.document_pages`
  after :func:`pipeline.doctext.normalize` -- the same text the figure-verification check reads -- so
  every ``evidence`` span is cut out of that text and is a substring of it by construction (and is
  checked again before a row is returned). Patterns are anchored on the grammar of one statement
  ("<count> were/involved ... child pornography", "<pct> of all offenders", "average ... <n>
  months"), not on one edition's exact sentence, and accept "fiscal year 2022", "FY 2022", "FY2022"
  and "FY22".
* **The trend chart** ("Number of Child Pornography Offenders", five fiscal years) is read from the
  chart's text labels with pdfplumber word boxes. Count labels sit on top of bars of different
  heights, so reading order scrambles them; they are paired with the FY axis labels **by x-position**:
  each FY label owns the column within 0.45 label spacings of its centre, and must hold exactly one
  count label. A count in the chart area that falls in no column, a column with no or two counts,
  years that are not consecutive, or a last year that is not the sheet's fiscal year, is a
  ParseError -- never a best guess.

The sheet's own year is checked three ways: the fiscal year stated with the offenders count (or, if
that sentence has none, the first fiscal year on page 1) must equal the registry's ``doc.period``; the
chart must end at that year; and the chart's bar for that year must equal the count stated in prose.
The chart's earlier four bars become rows for those years, tagged with this document, so revisions
between editions stay visible (vintage-aware).

Figures a sheet does not state are simply absent; the offenders count for the sheet's year and the
trend chart are required (ParseError without them). A figure found twice with different values is a
ParseError. Offense-type shares must add up to 100 (+/- 1 for rounding), or ParseError. Rather than
misfile a figure, the parser leaves out statements that name another fiscal year ("up from 1.9% in
fiscal year 2018") and whole-group figures stated for one offense type ("the average sentence for
possession offenders"). "Trafficking" and "distribution" are one offense type (``distribution``);
the printed word stays in ``evidence``. The sheet's count of all offenders sentenced is kept as
``offense_group = "all_offenses"`` (the denominator of the share), and must exceed the child
pornography count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pdfplumber

from pipeline.doctext import document_pages, normalize
from pipeline.parsers import prose
from pipeline.parsers.base import COUNT_RE, ParseError, parse_count
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

# Each FY axis label owns the horizontal band within this fraction of the label spacing of its centre.
COLUMN_HALF_WIDTH = 0.45
# Words whose tops differ by less than this (points) are on one line.
# An "FY" word and the year word after it are one label when the gap is below this (points).
FY_GAP = 8.0
# A chart title wrapped over several lines: lines within this many points above its lowest line.
TITLE_REACH = 45.0

_QUAL = r"(?:(?P<qual>more than|approximately|nearly|over|about|at least|less than|almost) )?"
# A printed count not glued to a word, a decimal or a percent sign ("FY22", "2.1%" are not counts).
_COUNT = r"(?<![\w.,$])(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?!\w|,\d|\.\d|%| percent)"
_PCT = r"(?<![\w.,])(?P<p>\d{1,3}(?:\.\d+)?)(?:%| percent\b)"
_FY = re.compile(r"\b(?:fiscal\s+year|FY)\s?'?(\d{4}|\d{2})\b", re.I)
_CP = r"child pornography"
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
    + r"(?<![\w.,])(?P<m>\d{1,3}(?:,\d{3})*) months\b",
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
    """FY axis labels as single boxes; 'FY 2019' printed as two words is merged into one."""
    ordered = sorted(words, key=lambda w: (round(w["top"]), w["x0"]))
    labels = []
    skip = set()
    for i, w in enumerate(ordered):
        if i in skip:
            continue
        m = _FY_LABEL.match(w["text"])
        if m:
            labels.append({**w, "year": _fiscal_year(m.group(1))})
            continue
        if w["text"].upper() == "FY" and i + 1 < len(ordered):
            nxt = ordered[i + 1]
            m2 = _YEAR_WORD.match(nxt["text"])
            if (
                m2
                and abs(nxt["top"] - w["top"]) < prose.SAME_LINE
                and 0 <= nxt["x0"] - w["x1"] < FY_GAP
            ):
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
                skip.add(i + 1)
    return labels


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
) -> tuple[str, float]:
    """The chart title: the nearest non-numeric text lines above the axis that reach into the chart's
    columns (whole lines, since titles are often flush left of the plot; a wrapped title included).
    Returns (title text, bottom of its lowest line)."""
    axis_top = min(w["top"] for w in axis)
    above = [w for w in words if w["bottom"] <= axis_top + 1 and not COUNT_RE.match(w["text"])]
    lines = [
        ln for ln in prose.word_lines(above) if any(w["x1"] > left and w["x0"] < right for w in ln)
    ]
    if not lines:
        return "", 0.0
    bottom = max(w["bottom"] for w in lines[-1])
    title_lines = [ln for ln in lines if bottom - ln[0]["top"] <= TITLE_REACH]
    text = " ".join(
        " ".join(w["text"] for w in sorted(ln, key=lambda w: w["x0"])) for ln in title_lines
    )
    return text, bottom


def read_trend_chart(path: Path, doc: Document) -> tuple[int, list[ChartBar]]:
    """Find the 'Number of ... Child Pornography Offenders' chart; return (page, bars by year)."""
    pages_text = [normalize(t) for t in document_pages(path, "pdf")]
    found: list[tuple[int, list[ChartBar]]] = []
    with pdfplumber.open(path) as pdf:
        for pno, page in enumerate(pdf.pages, start=1):
            words = _page_words(page)
            for axis in prose.word_lines(_year_labels(words)):
                if len(axis) < 2:
                    continue
                axis = sorted(axis, key=lambda w: w["x0"])
                centres = [(w["x0"] + w["x1"]) / 2 for w in axis]
                spacing = min(b - a for a, b in zip(centres, centres[1:], strict=False))
                if spacing <= 0:
                    continue
                half = COLUMN_HALF_WIDTH * spacing
                left, right = centres[0] - spacing / 2, centres[-1] + spacing / 2
                title, title_bottom = _chart_title(axis, words, left, right)
                if not (re.search(r"\bnumber\b", title, re.I) and re.search(_CP, title, re.I)):
                    continue
                bars = _pair_bars(
                    doc,
                    pno,
                    axis,
                    centres,
                    half,
                    left,
                    right,
                    title_bottom,
                    words,
                    page,
                    pages_text[pno - 1],
                )
                found.append((pno, bars))
    if not found:
        raise ParseError(
            doc.id,
            1,
            "a trend chart titled 'Number of ... Child Pornography Offenders' with FY axis labels "
            f"and count labels as text (searched pages 1-{len(pages_text)})",
        )
    if len(found) > 1:
        raise ParseError(
            doc.id, found[1][0], "one 'Number of Child Pornography Offenders' chart", "a second one"
        )
    return found[0]


def _pair_bars(doc, pno, axis, centres, half, left, right, title_bottom, words, page, page_norm):
    axis_top = min(w["top"] for w in axis)
    counts = [
        w
        for w in words
        if COUNT_RE.match(w["text"])
        and w["bottom"] <= axis_top + 1
        and w["top"] >= title_bottom - 1
        and left <= (w["x0"] + w["x1"]) / 2 <= right
    ]
    axis_text = " ".join(w["text"] for w in axis)
    years = [w["year"] for w in axis]
    if years != list(range(years[0], years[0] + len(years))):
        raise ParseError(doc.id, pno, "consecutive fiscal years on the trend chart axis", axis_text)
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
        raise ParseError(
            doc.id,
            pno,
            f"every count label of the trend chart to sit over one of {axis_text}",
            "unpaired " + ", ".join(stray),
        )
    return bars


# --------------------------------------------------------------------------------------------------
# prose


def _qualifier(m: re.Match) -> str | None:
    return m.group("qual") if "qual" in m.re.groupindex and m.group("qual") else None


def _stated_year(sentences: list[str], i: int) -> int | None:
    for s in (sentences[i], sentences[i - 1] if i > 0 else ""):
        m = _FY.search(s)
        if m:
            return _fiscal_year(m.group(1))
    return None


def _offense_types(sentence: str) -> list[tuple[str, float, str]]:
    """(offense type, percent, clause) for each clause holding exactly one percent and one type."""
    out = []
    for clause in _CLAUSE_SPLIT.split(sentence):
        pcts = list(re.finditer(_PCT, clause, re.I))
        types = [t for t, rx in _OFFENSE_TYPES.items() if rx.search(clause)]
        if len(pcts) == 1 and len(types) == 1:
            out.append((types[0], float(pcts[0].group("p")), clause.strip()))
    return out


def _names_other_year(s: str, year: int) -> bool:
    return any(_fiscal_year(m.group(1)) != year for m in _FY.finditer(s))


def _names_offense_type(text: str) -> bool:
    return any(rx.search(text) for rx in _OFFENSE_TYPES.values())


def _read_prose(
    doc: Document, raw_pages: list[str]
) -> tuple[list[_Row], list[tuple[int, int, str]]]:
    """Rows read from sentences, and (year stated, page, evidence) for the offenders count.

    Figures other than the offenders count are read only from sentences that name no other fiscal
    year ("up from 1.9% in fiscal year 2018") and, for whole-group figures, no offense type ("the
    average sentence for possession offenders"): such a figure is left out rather than misfiled.
    """
    rows: list[_Row] = []
    cp_years: list[tuple[int, int, str]] = []
    year = doc.year

    def add(group, measure, value, unit, m, s, pno):
        rows.append(
            _Row(
                year,
                group,
                measure,
                value,
                unit,
                _qualifier(m),
                prose.evidence(s, m.start(), m.end()),
                pno,
            )
        )

    for pno, raw in enumerate(raw_pages, start=1):
        sentences = prose.sentences(raw)
        for i, s in enumerate(sentences):
            for rx in _CP_COUNT:
                for m in rx.finditer(s):
                    if _names_offense_type(prose.clause_after(s, m.start("n"))):
                        continue  # "640 were child pornography possession offenders"
                    n = parse_count(m.group("n"), doc.id, pno)
                    stated = _stated_year(sentences, i)
                    cp_years.append(
                        (
                            stated if stated is not None else -1,
                            pno,
                            prose.evidence(s, m.start(), m.end()),
                        )
                    )
                    add(GROUP, "offenders_sentenced", float(n), "offenders", m, s, pno)
            if _names_other_year(s, year):
                continue
            for rx in _TOTAL_COUNT:
                for m in rx.finditer(s):
                    # "Of the 1,435 offenders sentenced for child pornography" is not the denominator
                    if re.search(_CP, prose.clause_after(s, m.end()), re.I):
                        continue
                    n = parse_count(m.group("n"), doc.id, pno)
                    add("all_offenses", "offenders_sentenced", float(n), "offenders", m, s, pno)
            if not _names_offense_type(s):
                for m in _SHARE_OF_ALL.finditer(s):
                    # said of child pornography offenders, by name or by "these"/"they"
                    if re.search(
                        _CP + r"|\b(?:these|such|they|this group|those)\b", s[: m.start()], re.I
                    ):
                        add(
                            GROUP,
                            "share_of_all_offenders",
                            float(m.group("p")),
                            "percent",
                            m,
                            s,
                            pno,
                        )
                for m in _PRISON.finditer(s):
                    add(
                        GROUP,
                        "share_sentenced_to_prison",
                        float(m.group("p")),
                        "percent",
                        m,
                        s,
                        pno,
                    )
                if _SENTENCE_WORDS.search(s) and not re.search(r"all offenders", s, re.I):
                    for m in _SENTENCE_STAT.finditer(s):
                        if _NOT_A_SENTENCE.search(m.group("mid")):
                            continue
                        kind = m.group("kind").lower()
                        measure = (
                            "median_sentence_months" if kind == "median" else "mean_sentence_months"
                        )
                        add(
                            GROUP,
                            measure,
                            float(m.group("m").replace(",", "")),
                            "months",
                            m,
                            s,
                            pno,
                        )
            types = _offense_types(s)
            if len(types) >= 2:
                total = sum(p for _, p, _ in types)
                if not 99.0 <= total <= 101.0:
                    raise ParseError(
                        doc.id,
                        pno,
                        "offense-type shares that add up to 100%",
                        f"{total:.1f}% in {s!r}",
                    )
                for t, p, clause in types:
                    ev = s if len(s) <= 300 else clause
                    rows.append(_Row(year, t, "offense_type_share", p, "percent", None, ev, pno))
    return rows, cp_years


def _dedupe(doc: Document, rows: list[_Row]) -> list[_Row]:
    """One row per key; the same figure restated keeps its first statement, a different one fails."""
    seen: dict[tuple, _Row] = {}
    for r in rows:
        key = (r.fiscal_year, r.offense_group, r.measure)
        if key in seen:
            if seen[key].value != r.value:
                raise ParseError(
                    doc.id,
                    r.page,
                    f"one value for {r.measure} ({r.offense_group}, FY{r.fiscal_year})",
                    f"{seen[key].value:g} (page {seen[key].page}) and {r.value:g} in {r.evidence!r}",
                )
            continue
        seen[key] = r
    return list(seen.values())


def parse(path: Path, doc: Document) -> dict[str, pd.DataFrame]:
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
    rows, cp_years = _read_prose(doc, raw_pages)
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
    rows = _dedupe(doc, rows)

    chart_page, bars = read_trend_chart(path, doc)
    if bars[-1].fiscal_year != doc.year:
        raise ParseError(
            doc.id,
            chart_page,
            f"the trend chart to end at FY{doc.year}",
            f"FY{bars[-1].fiscal_year}",
        )
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
    if bars[-1].count != stated.value:
        raise ParseError(
            doc.id,
            chart_page,
            f"the chart's FY{doc.year} bar to equal the {stated.value:,.0f} offenders stated on page "
            f"{stated.page}",
            bars[-1].count_text,
        )
    for b in bars[:-1]:
        rows.append(
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
        )

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
    return {TABLE: df}
