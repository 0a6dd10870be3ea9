"""The Quick Facts five-year trend chart is found by its axis, whatever its title (issue 7 item 8).

No real Quick Facts sheet is available offline: every PDF here is a generated stand-in
(tests/standins/ussc.py; each page's footer says so), written into tmp_path.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from pipeline.parsers import ussc_quick_facts
from pipeline.parsers.base import ParseError, ParseResult
from pipeline.registry import by_id
from tests.standins import ussc as standin

DOC22 = by_id("ussc_quick_facts_child_pornography_fy2022")
CP = "child_pornography"
OS = "offenders_sentenced"
BARS_2022 = [(2018, 1617), (2019, 1544), (2020, 1023), (2021, 1143), (2022, 1435)]

TITLES = {
    "number": "Number of Child Pornography Offenders",
    "sentenced_range": "Child Pornography Offenders Sentenced, FY {first} - FY {last}",
    "untitled": "",
}
LABELS = {"FY19": "short", "FY 2019": "spaced", "2019": "bare"}

# Prose rows of a FY2022 sheet in wording "a" (page 1); the chart adds FY2018-FY2021 on page 2.
PROSE_A = [
    (2022, "all_offenses", OS, 64142.0, 1),
    (2022, CP, "mean_sentence_months", 103.0, 1),
    (2022, CP, "median_sentence_months", 84.0, 1),
    (2022, CP, OS, 1435.0, 1),
    (2022, CP, "share_of_all_offenders", 2.1, 1),
    (2022, CP, "share_sentenced_to_prison", 99.4, 1),
    (2022, "distribution", "offense_type_share", 43.9, 1),
    (2022, "possession", "offense_type_share", 45.0, 1),
    (2022, "receipt", "offense_type_share", 11.1, 1),
]
CHART_A = [(y, CP, OS, float(v), 2) for y, v in BARS_2022[:-1]]


def _write(tmp_path: Path, wording: str = "a", chart=None, **spec) -> Path:
    """A FY2022 stand-in sheet whose chart is varied by ``spec`` (see standin.ChartSpec)."""
    return standin.write_quick_facts(
        tmp_path / f"ussc_fy2022_{wording}_standin.pdf",
        2022,
        wording,
        chart=chart,
        chart_spec=standin.ChartSpec(**spec),
    )


def _parse(path: Path) -> ParseResult:
    out = ussc_quick_facts.parse(path, DOC22)
    assert isinstance(out, ParseResult)
    return out


def _rows(out: ParseResult) -> list[tuple]:
    df = out.tables["federal_sentencing"]
    return [
        (r.fiscal_year, r.offense_group, r.measure, r.value, r.page)
        for r in df.itertuples(index=False)
    ]


def _bars(path: Path) -> tuple[int, list[tuple[int, int]]]:
    page, bars = ussc_quick_facts.read_trend_chart(path, DOC22)
    return page, [(b.fiscal_year, b.count) for b in bars]


# -- found whatever the title and the axis labels ------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "labels"),
    list(itertools.product(TITLES, LABELS)),
    ids=[f"{t}-{lab}" for t, lab in itertools.product(TITLES, LABELS)],
)
def test_chart_is_read_whatever_its_title_and_axis_labels(tmp_path, title, labels):
    """Wording "a": the chart alone at the top of page 2, count labels on top of the bars."""
    path = _write(tmp_path, "a", title=TITLES[title], year_style=LABELS[labels])
    assert _bars(path) == (2, BARS_2022)


@pytest.mark.parametrize(
    ("title", "labels"),
    list(itertools.product(TITLES, LABELS)),
    ids=[f"{t}-{lab}" for t, lab in itertools.product(TITLES, LABELS)],
)
def test_chart_under_prose_with_y_ticks_publishes_its_bars(tmp_path, title, labels):
    """Wording "b": the chart under a prose statement on page 1, count labels on one line, a y axis
    with tick labels left of the plot. The whole sheet parses, the chart's bars become rows."""
    path = _write(tmp_path, "b", title=TITLES[title], year_style=LABELS[labels])
    out = _parse(path)
    assert out.warnings == []
    chart_rows = [r for r in _rows(out) if r[0] < 2022]
    assert chart_rows == [(y, CP, OS, float(v), 1) for y, v in BARS_2022[:-1]]


def test_title_that_failed_the_whole_document_now_parses(tmp_path):
    """ "... Offenders Sentenced, FY 2018 - FY 2022" over "FY18" labels: today's wording-"a" sheet."""
    path = _write(tmp_path, "a", title=TITLES["sentenced_range"])
    out = _parse(path)
    assert out.warnings == []
    assert _rows(out) == sorted(CHART_A + PROSE_A, key=lambda r: r[0])


# -- a year range in a title is not an axis ------------------------------------------------------------


def test_year_range_in_a_title_is_not_read_as_axis_labels(tmp_path):
    """The title's "FY 2018" and "FY 2022" are fiscal-year labels on one baseline, but two are not an
    axis: the only candidate axis on the page is the chart's own row of five."""
    import pdfplumber

    path = _write(tmp_path, "a", title=TITLES["sentenced_range"], year_style="spaced")
    with pdfplumber.open(path) as pdf:
        words = ussc_quick_facts._page_words(pdf.pages[1])
    rows = ussc_quick_facts._baseline_rows(ussc_quick_facts._year_labels(words))
    assert [[w["text"] for w in r] for r in rows] == [
        ["FY 2018", "FY 2022"],  # the title
        ["FY 2018", "FY 2019", "FY 2020", "FY 2021", "FY 2022"],  # the axis
        ["2018", "2022"],  # "SOURCE: ..., 2018 through 2022 Datafiles"
    ]
    assert _bars(path) == (2, BARS_2022)


def test_title_with_a_year_range_and_no_chart_under_it_is_no_chart(tmp_path):
    """A range title printed without its chart is not mistaken for a two-bar chart: the sheet
    publishes its prose and warns that no five-year chart was found."""
    path = standin.write_quick_facts(
        tmp_path / "ussc_fy2022_title_only_standin.pdf",
        2022,
        "a",
        omit=["chart"],
        extra=["Child Pornography Offenders Sentenced, FY 2018 - FY 2022"],
    )
    out = _parse(path)
    assert _rows(out) == PROSE_A
    assert out.warnings == [
        "chart not read: ussc_quick_facts_child_pornography_fy2022, page -: expected a five-year "
        "trend chart: a row of 5 fiscal-year axis labels ('FY19', 'FY 2019' or '2019') with a "
        "count label over each (searched pages 1-2)"
    ]


# -- another chart on the sheet ------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["number", "untitled"])
def test_chart_of_another_measure_is_not_the_count_chart(tmp_path, title):
    """An "Average Sentence in Months" chart with the same five-year axis is passed over."""
    path = _write(tmp_path, "a", title=TITLES[title], year_style="bare", average_chart=True)
    assert _bars(path) == (2, BARS_2022)
    assert _parse(path).warnings == []


def test_untitled_chart_under_label_value_lines_is_read(tmp_path):
    """Wording "d" prints "Average sentence: 103 months ... Sentenced to prison: 99.4%" right above
    an untitled chart. Those lines hold figures, so they are not its title, and their "average" does
    not make it a chart of another measure."""
    path = _write(tmp_path, "d", title="", year_style="spaced")
    assert _bars(path) == (1, BARS_2022)


# -- an absent or unreadable chart is a warning; the prose still publishes -----------------------------


@pytest.mark.parametrize("wording", ["a", "b"])
def test_sheet_without_chart_publishes_prose_and_warns(tmp_path, wording):
    path = standin.write_quick_facts(
        tmp_path / f"ussc_fy2022_{wording}_nochart_standin.pdf", 2022, wording, omit=["chart"]
    )
    out = _parse(path)
    assert [r for r in _rows(out) if r[0] != 2022] == []
    assert (2022, CP, OS, 1435.0, 1) in _rows(out)
    assert len(_rows(out)) == 9
    assert len(out.warnings) == 1
    assert out.warnings[0].startswith(
        "chart not read: ussc_quick_facts_child_pornography_fy2022, page -: expected a five-year "
        "trend chart"
    )


@pytest.mark.parametrize(
    ("bars", "problem"),
    [
        (
            {2018: 1617, 2019: None, 2020: 1023, 2021: 1143, 2022: 1435},
            "page 2: expected exactly one count label above trend chart bar 'FY19'; found '0 (none)'",
        ),
        (
            {2016: 1825, 2018: 1617, 2019: 1544, 2021: 1143, 2022: 1435},
            "page 2: expected 5 consecutive fiscal years on the trend chart axis; "
            "found 'FY16 FY18 FY19 FY21 FY22'",
        ),
    ],
    ids=["bar-without-label", "years-not-consecutive"],
)
def test_garbled_chart_publishes_prose_and_warns(tmp_path, bars, problem):
    path = _write(tmp_path, "a", chart=bars)
    out = _parse(path)
    assert _rows(out) == PROSE_A
    assert out.warnings == [f"chart not read: ussc_quick_facts_child_pornography_fy2022, {problem}"]


def test_unreadable_chart_raises_parse_error_with_page_and_expectation(tmp_path):
    """The chart reader itself still raises; only parse() turns it into a warning."""
    path = _write(tmp_path, "a", chart={2018: 1617, 2019: 1544, 2020: None, 2021: 1143, 2022: 1435})
    with pytest.raises(ParseError) as exc:
        ussc_quick_facts.read_trend_chart(path, DOC22)
    assert exc.value.page == 2
    assert exc.value.expected == "exactly one count label above trend chart bar 'FY20'"
    assert exc.value.found == "0 (none)"


# -- a chart that contradicts the prose still fails the document ---------------------------------------


@pytest.mark.parametrize("title", ["sentenced_range", "untitled"])
def test_chart_bar_contradicting_prose_is_still_a_parse_error(tmp_path, title):
    bars = {2018: 1617, 2019: 1544, 2020: 1023, 2021: 1143, 2022: 1453}
    path = _write(tmp_path, "b", chart=bars, title=TITLES[title], year_style="bare")
    with pytest.raises(ParseError) as exc:
        ussc_quick_facts.parse(path, DOC22)
    assert exc.value.page == 1
    assert (
        exc.value.expected == "the chart's FY2022 bar to equal the 1,435 offenders stated on page 1"
    )
    assert exc.value.found == "1,453"


def test_chart_ending_at_another_year_is_still_a_parse_error(tmp_path):
    bars = {2017: 1703, 2018: 1617, 2019: 1544, 2020: 1023, 2021: 1143}
    path = _write(tmp_path, "a", chart=bars, title="")
    with pytest.raises(ParseError) as exc:
        ussc_quick_facts.parse(path, DOC22)
    assert (exc.value.page, exc.value.expected, exc.value.found) == (
        2,
        "the trend chart to end at FY2022",
        "FY2021",
    )
