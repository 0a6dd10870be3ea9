"""Honest periods in prose (issue 7 items 4-7): the shared rules of pipeline.parsers.prose as the ICAC,
USSC and BJS parsers apply them.

Every sentence here is MADE UP for these tests (shapes taken from the issue, never copied from a DOJ,
USSC or BJS page); so are the numbers. Each trap shape is tested in at least two wordings, asserting
the exact rows (fiscal_year, measure, value, qualifier, period_note), that the cumulative, partial
and relative figures are not rows, and that each is listed in ``skipped`` with its reason and an
evidence span holding the words that set its period.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import schemas
from pipeline.doctext import document_pages, normalize
from pipeline.parsers import bjs, icac, prose, ussc_quick_facts
from pipeline.parsers.base import SKIP_REASONS, ParseError
from pipeline.registry import by_id
from tests.standins import bjs as bjs_standin
from tests.standins import icac as icac_standin
from tests.standins import ussc as ussc_standin

PROGRAM = by_id("ojjdp_icac_program_page")
NS2016 = by_id("doj_national_strategy_2016")  # registry title "... (April 2016)"
USSC22 = by_id("ussc_quick_facts_child_pornography_fy2022")
BJS06 = by_id("bjs_fpcseo_2006")
HEADING = "Internet Crimes Against Children (ICAC) Task Force Program\n"
APRIL_2016 = (2016, 4)
LAST_YEAR_NOTE = "'last year' in a report dated April 2016, read as FY 2015"


def read(text: str, dated: tuple[int, int] | None = None) -> tuple[list[tuple], list[tuple]]:
    """(rows, skipped) of one ICAC page text: rows as (fiscal_year, measure, value, qualifier,
    period_note), skipped as (measure, value, reason, evidence)."""
    ex = icac.extract([HEADING + text], "t", "html", dated)
    rows = [(r.fiscal_year, r.measure, r.value, r.qualifier, r.period_note) for r in ex.rows]
    skipped = [(s.measure, s.value, s.reason, s.evidence) for s in ex.skipped]
    assert all(s.reason in SKIP_REASONS for s in ex.skipped)
    return rows, skipped


# ----------------------------------------------------------------------------- the rule set itself


@pytest.mark.parametrize(
    "text, kind, cue",
    [
        (
            "made 900 arrests since the program's inception in 1998",
            "cumulative",
            "since the program's inception in 1998",
        ),  # fmt: skip
        ("Since FY 2004, the task forces made 900 arrests", "cumulative", "Since FY 2004"),
        ("900 arrests to date", "cumulative", "to date"),
        ("900 arrests in total", "cumulative", "in total"),
        ("During the same period, 900 arrests", "cumulative", "During the same period"),
        ("900 arrests over the past five years", "cumulative", "over the past five years"),
        (
            "In the first three quarters of FY 2009, 900 arrests",
            "partial",
            "In the first three quarters of",
        ),  # fmt: skip
        (
            "In the first six months of FY 2009, 900 arrests",
            "partial",
            "In the first six months of",
        ),
        ("900 arrests through March", "partial", "through March"),
        ("As of June 30, 900 arrests", "partial", "As of"),
        ("900 arrests year to date", "partial", "year to date"),
        ("900 arrests so far", "partial", "so far"),
        ("900 arrests last year", "relative", "last year"),
        ("This fiscal year, 900 arrests", "relative", "This fiscal year"),
    ],
)
def test_period_cues(text, kind, cue):
    assert [(c.kind, c.text) for c in prose.period_cues(text)] == [(kind, cue)]


@pytest.mark.parametrize(
    "text",
    [
        "In FY 2022, 900 arrests",
        "a total of 64,142 offenders",  # "a total of" is not "in total"
        "That same year, 900 arrests",  # carried, not relative
        "900 arrests each year",  # an average (ICAC's own rule), not a period cue
    ],
)
def test_no_period_cue(text):
    assert prose.period_cues(text) == []


def test_document_date_and_relative_years():
    assert prose.document_date(NS2016) == APRIL_2016
    assert prose.document_date(PROGRAM) is None  # overwritten every year: never dated
    assert prose.resolve_relative("last year", APRIL_2016) == (2015, "", LAST_YEAR_NOTE)
    assert prose.resolve_relative("this year", APRIL_2016)[:2] == (None, "partial")
    assert prose.resolve_relative("last year", None)[:2] == (None, "relative")


@pytest.mark.parametrize("word", ["roughly", "in excess of", "some", "around", "close to"])
def test_unmapped_qualifier_is_a_parse_error_naming_it(word):
    with pytest.raises(ParseError) as exc:
        prose.check_qualifier(word, "doc", 3, f"{word} 1,435")
    assert exc.value.expected.endswith(f"not {word!r}")
    assert (exc.value.document_id, exc.value.page, exc.value.found) == ("doc", 3, f"{word} 1,435")


# ------------------------------------------------------------------------------ cumulative cue


@pytest.mark.parametrize(
    "text, value, cue",
    [
        (
            "In FY 2022, ICAC task forces completed 9,400 forensic exams and helped bring about the "
            "arrest of more than 91,000 people, since the program's inception in 1998.",
            "91,000",
            "since the program's inception in 1998",
        ),
        (
            "In fiscal year 2022, ICAC task forces across the nation made 88,800 arrests to date.",
            "88,800",
            "to date",
        ),
        (
            "In FY 2022, the ICAC task forces made 90,100 arrests in total.",
            "90,100",
            "in total",
        ),
    ],
)
def test_cumulative_cue_after_the_figure_is_never_a_fiscal_year_row(text, value, cue):
    rows, skipped = read(text + " In FY 2022, ICAC task forces made 9,100 arrests.")
    assert rows == [(2022, "arrests", 9_100, None, None)]
    arrests = [s for s in skipped if s[1] == value]
    assert [(m, r) for m, _, r, _ in arrests] == [("arrests", "cumulative")]
    evidence = arrests[0][3]
    assert cue in evidence and "2022" in evidence and value in evidence


def test_cumulative_cue_poisons_every_figure_of_its_clause_not_the_next_clause():
    rows, skipped = read(
        "In FY 2022, ICAC task forces completed 9,400 forensic exams and made 91,000 arrests since "
        "1998; in FY 2022 they also conducted 120,500 investigations."
    )
    assert rows == [(2022, "investigations", 120_500, None, None)]
    assert [(m, v, r) for m, v, r, _ in skipped] == [
        ("forensic_examinations", "9,400", "cumulative"),
        ("arrests", "91,000", "cumulative"),
    ]


# ----------------------------------------------------------------------------------- partial


@pytest.mark.parametrize(
    "text, measure, value, detail",
    [
        (
            "In the first three quarters of FY 2009, the ICACs have arrested nearly 2,300 "
            "individuals.",
            "arrests",
            "2,300",
            "first three quarters of FY 2009",
        ),
        (
            "During the first six months of FY 2010, ICAC task forces conducted 12,000 "
            "investigations.",
            "investigations",
            "12,000",
            "first six months of FY 2010",
        ),
        (
            "Through March of fiscal year 2019, ICAC task forces made about 4,100 arrests.",
            "arrests",
            "4,100",
            "Through March",
        ),
        (
            "As of May, ICAC task forces had made 3,900 arrests in FY 2019.",
            "arrests",
            "3,900",
            "As of",
        ),
    ],
)
def test_partial_year_figure_is_not_a_fiscal_year_row(text, measure, value, detail):
    ex = icac.extract([HEADING + text], "t", "html")
    assert ex.rows == []
    [s] = ex.skipped
    assert (s.measure, s.value, s.reason, s.detail) == (measure, value, "partial", detail)
    assert detail in s.evidence and value in s.evidence
    assert text.rstrip(".").endswith(s.evidence) or s.evidence in text


def test_partial_period_carries_with_its_year():
    rows, skipped = read(
        "In the first half of FY 2009, ICAC task forces made 2,000 arrests. They also conducted "
        "9,000 investigations."
    )
    assert rows == []
    assert [(v, r) for _, v, r, _ in skipped] == [("2,000", "partial"), ("9,000", "partial")]
    assert "first half of FY 2009" in skipped[1][3]


# ---------------------------------------------------------------------------------- relative


@pytest.mark.parametrize(
    "text, row, evidence",
    [
        (
            "Just last year, ICAC task forces made more than 8,700 arrests.",
            (2015, "arrests", 8_700, "more than", LAST_YEAR_NOTE),
            "last year, ICAC task forces made more than 8,700 arrests",
        ),
        (
            "ICAC task forces conducted 61,000 investigations last year.",
            (2015, "investigations", 61_000, None, LAST_YEAR_NOTE),
            "61,000 investigations last year",
        ),
    ],
)
def test_relative_year_is_resolved_by_the_document_date(text, row, evidence):
    ex = icac.extract([HEADING + text], "t", "html", APRIL_2016)
    assert [(r.fiscal_year, r.measure, r.value, r.qualifier, r.period_note) for r in ex.rows] == [
        row
    ]
    assert ex.rows[0].evidence == evidence
    assert ex.skipped == []
    # without the document's date the same sentence is no row at all
    rows, skipped = read(text)
    assert rows == []
    assert [(r, "last year" in e) for _, _, r, e in skipped] == [("relative", True)]


@pytest.mark.parametrize(
    "text",
    ["This year, ICAC task forces made 3,000 arrests.", "ICAC made 3,000 arrests this year."],
)
def test_this_year_in_a_dated_report_is_a_year_still_running(text):
    rows, skipped = read(text, APRIL_2016)
    assert rows == []
    assert [(v, r) for _, v, r, _ in skipped] == [("3,000", "partial")]


# ------------------------------------------------------------------------------ carried anchor


@pytest.mark.parametrize(
    "text, rows",
    [
        (
            "In FY 2022, ICAC task forces made more than 9,100 arrests. That same year, the task "
            "forces trained approximately 48,000 law enforcement officers.",
            [
                (2022, "arrests", 9_100, "more than", None),
                (
                    2022,
                    "people_trained_law_enforcement",
                    48_000,
                    "approximately",
                    "'That same year' carries FY 2022 from the sentence before",
                ),
            ],
        ),
        (
            "During fiscal year 2020, ICAC task forces conducted 95,000 investigations. In the same "
            "fiscal year, they trained about 5,500 prosecutors.",
            [
                (2020, "investigations", 95_000, None, None),
                (
                    2020,
                    "people_trained_prosecutors",
                    5_500,
                    "about",
                    "'the same fiscal year' carries FY 2020 from the sentence before",
                ),
            ],
        ),
        (
            # the brief's shape: the sentence referred to is itself cumulative; its year still carries
            "In FY 2022, ICAC task forces conducted 99,000 investigations, resulting in the arrest "
            "of more than 91,000 people, since the program's inception in 1998. That same year, ICAC "
            "trained approximately 31,000 professionals.",
            [
                (
                    2022,
                    "people_trained",
                    31_000,
                    "approximately",
                    "'That same year' carries FY 2022 from the sentence before",
                )
            ],
        ),
    ],
)
def test_carried_anchor_takes_the_year_of_the_sentence_before(text, rows):
    ex = icac.extract([HEADING + text], "t", "html")
    got = [(r.fiscal_year, r.measure, r.value, r.qualifier, r.period_note) for r in ex.rows]
    assert got == rows
    carried = ex.rows[-1]
    assert carried.evidence.startswith(("In FY", "During fiscal year"))
    assert "same" in carried.evidence


def test_carried_anchor_without_a_year_before_is_skipped():
    rows, skipped = read("That same year, ICAC task forces trained 4,000 prosecutors.")
    assert rows == []
    assert [(m, r) for m, _, r, _ in skipped] == [("people_trained_prosecutors", "no_year")]


# ------------------------------------------------------------------------------ funding list


@pytest.mark.parametrize(
    "items",
    [
        [
            "Fiscal Year 2023\u2014$40.8 million",
            "FY 2022: $31.2 million",
            "FY 2021 \u2013 $28.5 million",
        ],  # fmt: skip
        [
            "FY 2023: $40.8 million",
            "Fiscal Year 2022 \u2014 $31.2 million",
            "Fiscal Year 2021: $28.5M",
        ],  # fmt: skip
    ],
)
@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_funding_history_list_gives_one_row_per_year(items, fmt):
    page = HEADING + "Funding History\n" + "\n".join(items)
    ex = icac.extract([page], "t", fmt)
    assert [(r.fiscal_year, r.measure, r.value, r.qualifier, r.period_note) for r in ex.rows] == [
        (2023, "funding_usd", 40_800_000, None, None),
        (2022, "funding_usd", 31_200_000, None, None),
        (2021, "funding_usd", 28_500_000, None, None),
    ]
    assert [r.evidence for r in ex.rows] == [normalize(i) for i in items]
    assert ex.skipped == []


def test_year_dollar_pairs_without_funding_words_are_not_read():
    rows, _ = read("Milestones\nFY 2023: $40.8 million")
    assert rows == []


# ------------------------------------------------------------------------------------ typo


@pytest.mark.parametrize(
    "text, measure",
    [
        (
            "In FY 2020, ICAC task forces reviewed 1,575,032 million reports and made 8,800 arrests.",
            "reports",
        ),  # fmt: skip
        (
            "In FY 2020, ICAC task forces conducted 1,575,032 million investigations and made 8,800 arrests.",
            "investigations",
        ),  # fmt: skip
    ],
)
def test_impossible_magnitude_is_skipped_as_malformed_not_fatal(text, measure):
    rows, skipped = read(text)
    assert rows == [(2020, "arrests", 8_800, None, None)]
    assert [(m, v, r) for m, v, r, _ in skipped] == [(measure, "1,575,032 million", "malformed")]


# ------------------------------------------------------------------- missing is not malformed


@pytest.mark.parametrize(
    "paragraphs, warning",
    [
        (
            [
                "In FY 2019, ICAC task forces conducted more than 75,000 investigations.",
                "OJJDP awarded $31.2 million in FY 2019 to support the ICAC task forces.",
            ],
            "no arrests figure in this document (it has investigations, funding_usd for FY 2019)",
        ),
        (
            [
                "ICAC task forces completed 61,500 forensic examinations in fiscal year 2018, "
                "supported by $28.0 million in OJJDP funding."
            ],
            "no arrests figure in this document (it has forensic_examinations, funding_usd for "
            "FY 2018)",
        ),
    ],
)
def test_page_without_arrests_publishes_what_it_has_with_a_warning(tmp_path, paragraphs, warning):
    html = icac_standin.html_page(
        icac_standin.PROGRAM_TITLE, [("Program Accomplishments", paragraphs)]
    )
    path = icac_standin.write_html(tmp_path / "no_arrests_standin.html", html)
    out = icac.parse(path, PROGRAM)
    df = out.tables["icac_task_force_activity"]
    schemas.TABLES["icac_task_force_activity"].validate(df, lazy=True)
    assert len(df) == 2 and "arrests" not in set(df["measure"])
    assert out.warnings == [warning]


# ------------------------------------------------------------------- unmapped qualifier, everywhere


@pytest.mark.parametrize(
    "sentence",
    [
        "In FY 2024, ICAC task forces made roughly 1,435 arrests.",
        "Roughly 1,435 offenders were arrested by ICAC task forces in FY 2024.",
    ],
)
def test_icac_unmapped_qualifier_names_the_word(sentence):
    with pytest.raises(ParseError) as exc:
        icac.extract([HEADING + sentence], "t", "html")
    assert exc.value.expected.endswith("not 'roughly'")


@pytest.mark.parametrize(
    "statement",
    [
        "Of these, roughly 1,435 were child pornography offenders.",
        "In fiscal year 2022, there were roughly 64,142 offenders sentenced under the guidelines.",
    ],
)
def test_ussc_unmapped_qualifier_names_the_word(tmp_path, statement):
    path = ussc_standin.write_quick_facts(
        tmp_path / "ussc_roughly_standin.pdf", 2022, "a", extra=[statement]
    )
    with pytest.raises(ParseError) as exc:
        ussc_quick_facts.parse(path, USSC22)
    assert exc.value.expected.endswith("not 'roughly'")
    assert (exc.value.document_id, exc.value.page) == (USSC22.id, 1)


@pytest.mark.parametrize(
    "statement",
    [
        "In 2006, U.S. attorneys referred roughly 3,661 suspects for child sex exploitation offenses.",
        "Roughly 1,940 defendants were prosecuted for child sex exploitation offenses in 2006.",
    ],
)
def test_bjs_unmapped_qualifier_names_the_word(tmp_path, statement):
    path = bjs_standin.write_cse_2006(tmp_path / "bjs_roughly_standin.pdf", "a", extra=[statement])
    with pytest.raises(ParseError) as exc:
        bjs.parse(path, BJS06)
    assert exc.value.expected.endswith("not 'roughly'")
    assert (exc.value.document_id, exc.value.page) == (BJS06.id, 1)


# ------------------------------------------------------------------------ end to end: parse()


def _evidence_on_page(df: pd.DataFrame, path: Path, fmt: str) -> None:
    pages = [normalize(t) for t in document_pages(path, fmt)]
    for r in df.itertuples():
        assert r.evidence in pages[r.page - 1], r.evidence


ICAC_TRAP_ROWS = {
    "a": [
        (2014, "funding_usd", 26_900_000, None, None),
        (2015, "arrests", 8_500, "more than", LAST_YEAR_NOTE),
        (2015, "funding_usd", 27_600_000, None, None),
        (
            2015,
            "people_trained_law_enforcement",
            27_000,
            "approximately",
            LAST_YEAR_NOTE + "; 'That same year' carries FY 2015 from the sentence before",
        ),
    ],
    "b": [
        (2014, "funding_usd", 26_900_000, None, None),
        (2015, "arrests", 8_500, "more than", LAST_YEAR_NOTE),
        (2015, "funding_usd", 27_600_000, None, None),
        (2015, "investigations", 54_000, "more than", None),
        (
            2015,
            "people_trained_law_enforcement",
            27_000,
            "approximately",
            LAST_YEAR_NOTE + "; 'the same fiscal year' carries FY 2015 from the sentence before",
        ),
    ],
}
ICAC_TRAP_SKIPPED = {
    "a": [
        ("investigations", "54,000", "cumulative", "since the program's inception in 1998"),
        ("arrests", "71,000", "cumulative", "since the program's inception in 1998"),
        ("arrests", "6,100", "partial", "first three quarters of FY 2015"),
        ("reports", "1,575,032 million", "malformed", "1,575,032 million"),
    ],
    "b": [
        ("arrests", "71,000", "cumulative", "to date"),
        ("arrests", "6,100", "partial", "Through June"),
        ("forensic_examinations", "1,575,032 million", "malformed", "1,575,032 million"),
    ],
}


@pytest.mark.parametrize("wording", ["a", "b"])
def test_icac_period_traps_end_to_end(tmp_path, wording):
    path = icac_standin.write_period_traps(tmp_path, wording)
    assert "standin" in path.name
    out = icac.parse(path, NS2016)
    df = out.tables["icac_task_force_activity"]
    assert list(df.columns) == icac.COLUMNS
    schemas.TABLES["icac_task_force_activity"].validate(df, lazy=True)
    _evidence_on_page(df, path, "pdf")
    got = sorted(
        (
            int(r.fiscal_year),
            r.measure,
            int(r.value),
            None if pd.isna(r.qualifier) else r.qualifier,
            None if pd.isna(r.period_note) else r.period_note,
        )
        for r in df.itertuples()
    )
    assert got == ICAC_TRAP_ROWS[wording]
    # the cumulative, partial and typo'd figures are not rows in any year ...
    for _, value, _, _ in ICAC_TRAP_SKIPPED[wording]:
        number = int(value.split()[0].replace(",", ""))
        assert number not in set(df["value"])
    # ... and are listed, each with its reason and the words that set its period
    assert [(s.measure, s.value, s.reason) for s in out.skipped] == [
        t[:3] for t in ICAC_TRAP_SKIPPED[wording]
    ]
    for s, (_, _, _, words) in zip(out.skipped, ICAC_TRAP_SKIPPED[wording], strict=True):
        assert words in s.evidence and s.value.split()[0] in s.evidence
    assert out.warnings == []


@pytest.mark.parametrize("wording", ["a", "b"])
def test_icac_period_traps_without_a_document_date(tmp_path, wording):
    """The same report with no date in the registry: "last year" and what it carries are skipped."""
    from dataclasses import replace

    undated = replace(NS2016, title="The National Strategy (stand-in without a date)")
    out = icac.parse(icac_standin.write_period_traps(tmp_path, wording), undated)
    df = out.tables["icac_task_force_activity"]
    assert 8_500 not in set(df["value"]) and 27_000 not in set(df["value"])
    assert df["period_note"].isna().all()
    relative = [(s.measure, s.value) for s in out.skipped if s.reason == "relative"]
    assert relative == [("arrests", "8,500"), ("people_trained_law_enforcement", "27,000")]


@pytest.mark.parametrize(
    "statement, value, reason, words",
    [
        (
            "Since 2004, U.S. attorneys have referred 9,977 suspects for child sex exploitation "
            "offenses.",
            "9,977",
            "cumulative",
            "Since 2004",
        ),
        (
            "During the same period, U.S. attorneys referred 9,977 suspects for child sex "
            "exploitation offenses.",
            "9,977",
            "cumulative",
            "During the same period",
        ),
        (
            "Through March 2006, U.S. attorneys referred 912 suspects for child sex exploitation "
            "offenses.",
            "912",
            "partial",
            "Through March",
        ),
        (
            "Last year, U.S. attorneys referred 3,300 suspects for child sex exploitation offenses.",
            "3,300",
            "relative",
            "Last year",
        ),
    ],
)
def test_bjs_period_cues_end_to_end(tmp_path, statement, value, reason, words):
    path = bjs_standin.write_cse_2006(tmp_path / "bjs_cue_standin.pdf", "a", extra=[statement])
    out = bjs.parse(path, BJS06)
    df = out.tables["federal_prosecutions"]
    schemas.TABLES["federal_prosecutions"].validate(df, lazy=True)
    assert int(value.replace(",", "")) not in set(df["value"])
    assert len(df) == 6  # the stand-in's own figures, unchanged
    hits = [s for s in out.skipped if s.value == value]
    assert [(s.measure, s.reason) for s in hits] == [("suspects_referred", reason)]
    assert words in hits[0].evidence


@pytest.mark.parametrize(
    "statement, value, reason, words",
    [
        (
            "Since fiscal year 2018, 7,100 were child pornography offenders.",
            "7,100",
            "cumulative",
            "Since fiscal year 2018",
        ),  # fmt: skip
        ("Through March, 610 were child pornography offenders.", "610", "partial", "Through March"),
        ("Last year, 1,143 were child pornography offenders.", "1,143", "relative", "Last year"),
    ],
)
def test_ussc_period_cues_end_to_end(tmp_path, statement, value, reason, words):
    path = ussc_standin.write_quick_facts(
        tmp_path / "ussc_cue_standin.pdf", 2022, "a", extra=[statement]
    )
    out = ussc_quick_facts.parse(path, USSC22)
    df = out.tables["federal_sentencing"]
    schemas.TABLES["federal_sentencing"].validate(df, lazy=True)
    prose_rows = df[df["page"] == 1]
    assert float(value.replace(",", "")) not in set(prose_rows["value"])
    hits = [s for s in out.skipped if s.value == value]
    assert [(s.measure, s.reason) for s in hits] == [("offenders_sentenced", reason)]
    assert words in hits[0].evidence
