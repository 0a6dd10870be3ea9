"""USSC Quick Facts parser, tested on generated stand-ins (no real sheet is available offline; see
tests/standins/ussc.py for which figures are real and which are made up)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import schemas
from pipeline.doctext import document_pages, normalize
from pipeline.parsers import ussc_quick_facts
from pipeline.parsers.base import ParseError
from pipeline.registry import by_id, registry
from tests.standins import ussc as standin

DOC22 = by_id("ussc_quick_facts_child_pornography_fy2022")
CP = "child_pornography"
OS = "offenders_sentenced"

# (fiscal_year, offense_group, measure, value, unit, page) -- wording "a" prints the chart on page 2.
EXPECTED_A = [
    (2018, CP, OS, 1617.0, "offenders", 2),  # chart bars: 2018, 2019, 2021 stand-in values
    (2019, CP, OS, 1544.0, "offenders", 2),
    (2020, CP, OS, 1023.0, "offenders", 2),
    (2021, CP, OS, 1143.0, "offenders", 2),
    (2022, "all_offenses", OS, 64142.0, "offenders", 1),
    (2022, CP, "mean_sentence_months", 103.0, "months", 1),
    (2022, CP, "median_sentence_months", 84.0, "months", 1),
    (2022, CP, OS, 1435.0, "offenders", 1),
    (2022, CP, "share_of_all_offenders", 2.1, "percent", 1),
    (2022, CP, "share_sentenced_to_prison", 99.4, "percent", 1),
    (2022, "distribution", "offense_type_share", 43.9, "percent", 1),
    (2022, "possession", "offense_type_share", 45.0, "percent", 1),
    (2022, "receipt", "offense_type_share", 11.1, "percent", 1),
]
# Wording "b": chart on page 1, punishment statements on page 2.
_B_PAGES = {
    (2022, CP, "mean_sentence_months"): 2,
    (2022, CP, "median_sentence_months"): 2,
    (2022, CP, "share_sentenced_to_prison"): 2,
}
EXPECTED_B = [(y, g, m, v, u, _B_PAGES.get((y, g, m), 1)) for y, g, m, v, u, _ in EXPECTED_A]


def _write(tmp_path: Path, wording: str, fy: int = 2022, **kw) -> Path:
    return standin.write_quick_facts(
        tmp_path / f"ussc_fy{fy}_{wording}_standin.pdf", fy, wording, **kw
    )


def _rows(df: pd.DataFrame) -> list[tuple]:
    return [
        (r.fiscal_year, r.offense_group, r.measure, r.value, r.unit, r.page)
        for r in df.itertuples(index=False)
    ]


def _check_contract(df: pd.DataFrame, path: Path, doc) -> None:
    assert list(df.columns) == ussc_quick_facts.COLUMNS
    schemas.TABLES["federal_sentencing"].validate(df, lazy=True)
    assert "calendar_year" not in df.columns
    assert set(df["document_id"]) == {doc.id}
    pages = [normalize(t) for t in document_pages(path, "pdf")]
    for r in df.itertuples(index=False):
        assert r.evidence in pages[r.page - 1], (r.measure, r.evidence)
        assert r.evidence == normalize(r.evidence)


@pytest.mark.parametrize(("wording", "expected"), [("a", EXPECTED_A), ("b", EXPECTED_B)])
def test_both_wordings_parse_to_exact_rows(tmp_path, wording, expected):
    path = _write(tmp_path, wording)
    df = ussc_quick_facts.parse(path, DOC22).tables["federal_sentencing"]
    assert _rows(df) == expected
    assert df["qualifier"].isna().all()
    _check_contract(df, path, DOC22)


def test_evidence_is_the_statement_or_chart_line(tmp_path):
    a = ussc_quick_facts.parse(_write(tmp_path, "a"), DOC22).tables["federal_sentencing"]
    ev = {(r.fiscal_year, r.offense_group, r.measure): r.evidence for r in a.itertuples()}
    assert ev[(2022, CP, OS)] == "Of these, 1,435 were child pornography offenders."
    assert ev[(2022, "all_offenses", OS)] == (
        "In fiscal year 2022, there were 64,142 offenders sentenced under the guidelines."
    )
    assert ev[(2022, CP, "share_sentenced_to_prison")] == (
        "99.4% of child pornography offenders were sentenced to prison."
    )
    # labels of bars of different heights sit on lines of their own
    assert ev[(2020, CP, OS)] == "1,023"
    b = ussc_quick_facts.parse(_write(tmp_path, "b"), DOC22).tables["federal_sentencing"]
    ev = {(r.fiscal_year, r.offense_group, r.measure): r.evidence for r in b.itertuples()}
    assert ev[(2020, CP, OS)] == "1,617 1,544 1,023 1,143 1,435"
    assert ev[(2022, CP, OS)] == (
        "Of the 64,142 cases reported to the Commission in FY 2022, 1,435 involved offenders whose "
        "primary offense was child pornography."
    )


@pytest.mark.parametrize("wording", ["c", "d"])
def test_unseen_wordings_fail_loudly(tmp_path, wording):
    """Wordings written before the parser was run on them: "c" puts the count after its noun
    ("child pornography was the primary offense for 1,435 of them"), "d" is label: value style
    ("Child pornography offenders sentenced in FY 2022: 1,435"). Neither is read -- loudly."""
    with pytest.raises(ParseError) as exc:
        ussc_quick_facts.parse(_write(tmp_path, wording), DOC22)
    assert str(exc.value) == (
        "ussc_quick_facts_child_pornography_fy2022, page 1: expected a statement of the number of "
        "child pornography offenders sentenced in fiscal year 2022 (searched pages 1-2)"
    )


@pytest.mark.parametrize("wording", ["a", "b"])
def test_missing_offenders_count_is_a_parse_error(tmp_path, wording):
    path = _write(tmp_path, wording, omit=["cp_count"])
    with pytest.raises(
        ParseError, match=r"fy2022, page 1: expected a statement of the number of child"
    ):
        ussc_quick_facts.parse(path, DOC22)


def test_unrecognised_document_names_document_and_page(tmp_path):
    path = standin.write_unrelated(tmp_path / "newsletter_standin.pdf")
    with pytest.raises(ParseError) as exc:
        ussc_quick_facts.parse(path, DOC22)
    assert str(exc.value).startswith(
        "ussc_quick_facts_child_pornography_fy2022, page 1: expected a USSC Quick Facts sheet on "
        "child pornography offenders ('child pornography' on page 1); found 'Quarterly Newsletter"
    )


@pytest.mark.parametrize("wording", ["a", "b"])
def test_year_mismatch_with_registry_is_a_parse_error(tmp_path, wording):
    path = _write(tmp_path, wording)  # a FY2022 sheet registered as FY2023
    doc23 = by_id("ussc_quick_facts_child_pornography_fy2023")
    with pytest.raises(ParseError) as exc:
        ussc_quick_facts.parse(path, doc23)
    assert str(exc.value).startswith(
        "ussc_quick_facts_child_pornography_fy2023, page 1: expected the offenders count to be for "
        "fiscal year 2023 (registry period); found 'fiscal year 2022:"
    )


# An absent or unreadable chart is a warning and the sheet's own prose figures still publish
# (issue 7 item 8); a chart that is read but contradicts the prose stays a ParseError (below).
PROSE_ONLY_A = [r for r in EXPECTED_A if r[0] == 2022]


def test_missing_chart_is_a_warning(tmp_path):
    out = ussc_quick_facts.parse(_write(tmp_path, "a", omit=["chart"]), DOC22)
    assert _rows(out.tables["federal_sentencing"]) == PROSE_ONLY_A
    assert len(out.warnings) == 1
    assert out.warnings[0].startswith(
        "chart not read: ussc_quick_facts_child_pornography_fy2022, page -: expected a five-year "
        "trend chart"
    )


def test_chart_bar_without_label_is_a_warning(tmp_path):
    chart = {2018: 1617, 2019: None, 2020: 1023, 2021: 1143, 2022: 1435}
    out = ussc_quick_facts.parse(_write(tmp_path, "a", chart=chart), DOC22)
    assert _rows(out.tables["federal_sentencing"]) == PROSE_ONLY_A
    assert out.warnings == [
        "chart not read: ussc_quick_facts_child_pornography_fy2022, page 2: expected exactly one "
        "count label above trend chart bar 'FY19'; found '0 (none)'"
    ]


def test_chart_bar_must_equal_prose_count(tmp_path):
    chart = {2018: 1617, 2019: 1544, 2020: 1023, 2021: 1143, 2022: 1453}
    with pytest.raises(ParseError) as exc:
        ussc_quick_facts.parse(_write(tmp_path, "b", chart=chart), DOC22)
    assert str(exc.value) == (
        "ussc_quick_facts_child_pornography_fy2022, page 1: expected the chart's FY2022 bar to equal "
        "the 1,435 offenders stated on page 1; found '1,453'"
    )


def test_chart_must_end_at_the_sheets_year(tmp_path):
    chart = {2017: 1703, 2018: 1617, 2019: 1544, 2020: 1023, 2021: 1143}
    with pytest.raises(
        ParseError, match=r"page 2: expected the trend chart to end at FY2022; found 'FY2021'"
    ):
        ussc_quick_facts.parse(_write(tmp_path, "a", chart=chart), DOC22)


def test_chart_years_must_be_consecutive(tmp_path):
    chart = {2016: 1825, 2018: 1617, 2019: 1544, 2021: 1143, 2022: 1435}
    out = ussc_quick_facts.parse(_write(tmp_path, "a", chart=chart), DOC22)
    assert _rows(out.tables["federal_sentencing"]) == PROSE_ONLY_A
    assert [w.split(": expected ")[1] for w in out.warnings] == [
        "5 consecutive fiscal years on the trend chart axis; found 'FY16 FY18 FY19 FY21 FY22'"
    ]


def test_offense_types_must_add_up(tmp_path, monkeypatch):
    bad = dataclasses.replace(standin.FIGURES[2022], receipt="21.1")
    monkeypatch.setitem(standin.FIGURES, 2022, bad)
    with pytest.raises(
        ParseError,
        match=r"page 1: expected offense-type shares that add up to 100%; found \"110.0% in 'Of child",
    ):
        ussc_quick_facts.parse(_write(tmp_path, "a"), DOC22)


def test_single_year_registry_period_is_required(tmp_path):
    doc = dataclasses.replace(DOC22, period="2021-2022")
    with pytest.raises(
        ParseError, match=r"page -: expected a registry period that is a single fiscal year"
    ):
        ussc_quick_facts.parse(_write(tmp_path, "a"), doc)


def test_mirror_stand_ins_parse_vintage_aware(tmp_path):
    paths = standin.write_mirror(tmp_path)
    docs = [d for d in registry() if d.parser == "ussc_quick_facts"]
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        f"www.ussc.gov/sites/default/files/pdf/research-and-publications/quick-facts/Child_Pornography_FY{y % 100}.pdf"
        for y in range(2019, 2025)
    ]
    frames = []
    for path, doc in zip(paths, docs, strict=True):
        df = ussc_quick_facts.parse(path, doc).tables["federal_sentencing"]
        _check_contract(df, path, doc)
        assert len(df) == 13
        frames.append(df)
    allrows = pd.concat(frames)
    counts = allrows[(allrows.offense_group == CP) & (allrows.measure == OS)]
    # FY2020 is stated by its own sheet and restated by the FY2021-FY2024 charts: five rows, one per edition
    fy20 = counts[counts.fiscal_year == 2020]
    assert sorted(fy20["document_id"]) == [
        f"ussc_quick_facts_child_pornography_fy{y}" for y in range(2020, 2025)
    ]
    assert set(fy20["value"]) == {1023.0}
    assert set(counts[counts.fiscal_year == 2022]["value"]) == {1435.0}
    assert len(counts) == 6 * 5


def test_distractor_statements_are_not_misread(tmp_path):
    """Statements near the figures that a looser reading would misfile: an offense type's own
    sentence, another year's share, a prison-term band, and the count used as a denominator."""
    extra = [
        "The average sentence for possession offenders was 71 months.",
        "Child pornography offenders accounted for 1.9% of all offenders in fiscal year 2018.",
        "Of these, 80.2% were sentenced to prison terms of more than five years.",
        "Of the 1,435 offenders sentenced for child pornography, 98.9% were men.",
        "Of these, 640 were child pornography possession offenders.",
    ]
    path = _write(tmp_path, "a", extra=extra)
    df = ussc_quick_facts.parse(path, DOC22).tables["federal_sentencing"]
    assert _rows(df) == EXPECTED_A
    _check_contract(df, path, DOC22)


def test_mirror_stand_ins_go_through_fetch_parse_and_evidence_check(tmp_path):
    """The mirror is a transport: fetch from it, parse the archived copy, verify every figure."""
    from pipeline.archive import Archive
    from pipeline.evidence import unverified_rows
    from pipeline.fetch import fetch_document

    root = tmp_path / "mirror"
    standin.write_mirror(root)
    archive = Archive(tmp_path / "raw")
    frames = []
    for doc in (d for d in registry() if d.parser == "ussc_quick_facts"):
        r = fetch_document(doc, archive, mirror=str(root))
        assert r.ok, r.one_line()
        frames.append(
            ussc_quick_facts.parse(archive.latest(doc.id).path, doc).tables["federal_sentencing"]
        )
    df = pd.concat(frames, ignore_index=True)
    assert len(df) == 6 * 13
    assert unverified_rows(df, archive) == []
