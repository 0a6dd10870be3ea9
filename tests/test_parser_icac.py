"""The ICAC parser against generated stand-ins (no real ICAC document is available offline).

Stand-ins carry the figures of CATALOG.md section 2 in the documents' known structure; wordings "a"
and "b" were used to write the parser, wording "c" was written with its test before the parser was
run on it. Every row's evidence must be on its page in the text the figure-verification check reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import schemas
from pipeline.doctext import document_pages, normalize
from pipeline.parsers import icac
from pipeline.parsers.base import ParseError
from pipeline.registry import by_id
from tests.standins import icac as standins

PROGRAM = by_id("ojjdp_icac_program_page")
NS2010 = by_id("doj_national_strategy_2010")
NS2016 = by_id("doj_national_strategy_2016")
INTERIM = by_id("ojjdp_icac_interim_report_fy2010_2011")


def table(path: Path, doc) -> pd.DataFrame:
    out = icac.parse(path, doc)
    assert list(out.tables) == ["icac_task_force_activity"]
    df = out.tables["icac_task_force_activity"]
    assert list(df.columns) == icac.COLUMNS
    schemas.TABLES["icac_task_force_activity"].validate(df, lazy=True)
    assert_evidence_on_page(df, path, doc.format)
    assert (df["document_id"] == doc.id).all()
    assert df["capture_timestamp"].isna().all()
    return df


def assert_evidence_on_page(df: pd.DataFrame, path: Path, fmt: str) -> None:
    """The property the figure-verification check relies on, for every row."""
    pages = [normalize(t) for t in document_pages(path, fmt)]
    for row in df.itertuples():
        assert 1 <= row.page <= len(pages)
        assert row.evidence == normalize(row.evidence)
        assert row.evidence in pages[row.page - 1], (row.measure, row.evidence)


def facts(df: pd.DataFrame) -> list[tuple]:
    """(fiscal_year, measure, value, qualifier, term_as_published, page), sorted."""
    return sorted(
        (
            int(r.fiscal_year),
            r.measure,
            int(r.value),
            None if pd.isna(r.qualifier) else r.qualifier,
            r.term_as_published,
            int(r.page),
        )
        for r in df.itertuples()
    )


# ------------------------------------------------------------------ wording "c" (written first)


def test_program_page_unseen_wording_fails_loudly(tmp_path):
    # <h2>FY 2024 by the numbers</h2><ul><li>203,467 investigations (approx.)</li>
    # <li>12,600+ arrests</li><li>$39.9 million in funding</li></ul>: postfix qualifiers the schema
    # cannot hold. Reading 203,467 or 12,600 without its qualifier would be silently wrong.
    path = standins.write_program_page(tmp_path, 2024, "c")
    with pytest.raises(ParseError) as exc:
        icac.parse(path, PROGRAM)
    assert exc.value.document_id == "ojjdp_icac_program_page"
    assert exc.value.page == 1
    assert str(exc.value) == (
        "ojjdp_icac_program_page, page 1: expected a qualifier the schema allows (more than, "
        "approximately, nearly, over, about, at least, less than, almost), not '(approx.)'; found "
        "'FY 2024 by the numbers 203,467 investigations'"
    )


def test_national_strategy_2016_unseen_wording_fails_loudly(tmp_path):
    # "Over the course of 2015, ICAC task forces opened in excess of 54,000 investigations, leading to
    # the arrest of more than 8,500 suspects."
    path = standins.write_national_strategy_2016(tmp_path, "c")
    with pytest.raises(ParseError) as exc:
        icac.parse(path, NS2016)
    assert exc.value.document_id == "doj_national_strategy_2016"
    assert exc.value.page == 3
    assert str(exc.value).startswith(
        "doj_national_strategy_2016, page 3: expected an ICAC figure stated for a single fiscal year"
    )
    # "Over the course of 2015" is not a year anchor the parser knows, and a cumulative phrase in the
    # sentence before ("Since its inception in 1998, ...") is not a year to borrow: no fiscal year.
    assert str(exc.value).endswith(
        "every figure found was skipped (no_year: no fiscal year in its sentence; the one before "
        "has 'Since its inception in 1998'); found 'arrest of more than 8,500 suspects'"
    )


def test_interim_report_unseen_wording_table_fails_loudly(tmp_path):
    # "Table 1. ICAC Task Force Program activity, FY2010 and FY2011" then a drawn table
    # "Measure FY2010 FY2011 / Arrests 5,387 5,819": a layout, not prose.
    path = standins.write_interim_report(tmp_path, "c")
    with pytest.raises(ParseError) as exc:
        icac.parse(path, INTERIM)
    assert exc.value.document_id == "ojjdp_icac_interim_report_fy2010_2011"
    assert str(exc.value).startswith(
        "ojjdp_icac_interim_report_fy2010_2011, page 1: expected ICAC Task Force Program figures "
        "for a fiscal year"
    )


# ------------------------------------------------------------------------- program page (HTML)

PROGRAM_EXPECTED = {
    2021: [
        (2021, "arrests", 10_400, "more than", "arrests", 1),
        (2021, "forensic_examinations", 90_300, "more than", "forensic interviews", 1),
        (2021, "investigations", 137_000, "more than", "investigations", 1),
    ],
    2023: [
        (2023, "arrests", 10_800, "more than", "arrests", 1),
        (2023, "funding_usd", 40_800_000, None, "FUNDING", 1),
        (2023, "investigations", 184_700, "approximately", "investigations", 1),
    ],
    2024: [
        (2024, "arrests", 12_600, "more than", "arrests", 1),
        (2024, "funding_usd", 39_900_000, None, "FUNDING", 1),
        (2024, "investigations", 203_467, "about", "investigations", 1),
    ],
}
FUNDING_TERM = {"a": "awarded", "b": "funding"}


@pytest.mark.parametrize("wording", ["a", "b"])
@pytest.mark.parametrize("fiscal_year", [2021, 2023, 2024])
def test_program_page(tmp_path, fiscal_year, wording):
    path = standins.write_program_page(tmp_path, fiscal_year, wording)
    assert "standin" in path.name
    expected = [
        r[:4] + ((FUNDING_TERM[wording],) if r[4] == "FUNDING" else (r[4],)) + r[5:]
        for r in PROGRAM_EXPECTED[fiscal_year]
    ]
    assert facts(table(path, PROGRAM)) == expected


def test_program_page_evidence_is_the_sentence_span(tmp_path):
    path = standins.write_program_page(tmp_path, 2023, "a")
    df = table(path, PROGRAM).set_index("measure")
    assert df.loc["arrests", "evidence"] == (
        "In FY 2023, ICAC task forces conducted approximately 184,700 investigations, which led to "
        "the arrests of more than 10,800 offenders"
    )
    assert df.loc["investigations", "evidence"] == (
        "In FY 2023, ICAC task forces conducted approximately 184,700 investigations"
    )
    assert df.loc["funding_usd", "evidence"] == "awarded $40.8 million in FY 2023"


def test_program_page_carries_the_year_to_the_next_sentence(tmp_path):
    path = standins.write_program_page(tmp_path, 2024, "b")
    df = table(path, PROGRAM).set_index("measure")
    assert df.loc["funding_usd", "evidence"] == (
        "in fiscal year (FY) 2024. These results were supported by $39.9 million in OJJDP funding"
    )
    assert df.loc["arrests", "evidence"] == (
        "arrests of more than 12,600 offenders in fiscal year (FY) 2024"
    )


@pytest.mark.parametrize("wording", ["a", "b"])
def test_cumulative_total_is_never_a_fiscal_year_row(tmp_path, wording):
    path = standins.write_program_page(tmp_path, 2024, wording)
    ex = icac.extract(document_pages(path, "html"), PROGRAM.id, "html")
    assert 154_600 not in {r.value for r in ex.rows}
    skipped = [s for s in ex.skipped if s.value == "154,600"]
    assert [(s.measure, s.reason) for s in skipped] == [("arrests", "cumulative")]
    assert skipped[0].evidence.startswith("Since its inception in 1998, the ICAC program has")


# ------------------------------------------------------------------------------------ the PDFs

NS2010_EXPECTED = {
    "a": [
        (2006, "arrests", 2_040, "more than", "arrested", 2),
        (2006, "forensic_examinations", 9_600, "more than", "forensic exams", 2),
        (2008, "arrests", 3_108, "more than", "arrested", 2),
        (2008, "forensic_examinations", 14_339, None, "forensic exams", 2),
    ],
    "b": [
        (2006, "arrests", 2_040, "more than", "arrests", 2),
        (2006, "forensic_examinations", 9_600, "more than", "forensic examinations", 2),
        (2008, "arrests", 3_108, "more than", "arrests", 2),
        (2008, "forensic_examinations", 14_339, None, "computer forensic examinations", 2),
    ],
}


@pytest.mark.parametrize("wording", ["a", "b"])
def test_national_strategy_2010(tmp_path, wording):
    path = standins.write_national_strategy_2010(tmp_path, wording)
    assert "standin" in path.name
    assert facts(table(path, NS2010)) == NS2010_EXPECTED[wording]


def test_national_strategy_2010_other_agency_is_not_icac(tmp_path):
    path = standins.write_national_strategy_2010(tmp_path, "a")
    ex = icac.extract(document_pages(path, "pdf"), NS2010.id, "pdf")
    assert [(s.value, s.reason, s.evidence) for s in ex.skipped] == [
        (
            "1,000",
            "other_agency",
            "In FY 2008, the FBI's Innocent Images National Initiative arrested more than 1,000 "
            "subjects",
        )
    ]


NS2016_EXPECTED = {
    "a": [
        (2015, "arrests", 8_500, "more than", "arrested", 3),
        (2015, "investigations", 54_000, "more than", "investigations", 3),
    ],
    "b": [
        (2015, "arrests", 8_500, "more than", "arrests", 3),
        (2015, "investigations", 54_000, "more than", "investigations", 3),
    ],
}


@pytest.mark.parametrize("wording", ["a", "b"])
def test_national_strategy_2016(tmp_path, wording):
    path = standins.write_national_strategy_2016(tmp_path, wording)
    assert "standin" in path.name
    assert facts(table(path, NS2016)) == NS2016_EXPECTED[wording]


def test_national_strategy_2016_hyphenated_line_break_is_quoted_verbatim(tmp_path):
    path = standins.write_national_strategy_2016(tmp_path, "b")
    df = table(path, NS2016).set_index("measure")
    assert df.loc["investigations", "evidence"] == (
        "During fiscal year 2015, the ICAC task forces conducted more than 54,000 investi- gations"
    )
    assert df.loc["arrests", "evidence"] == (
        "During fiscal year 2015, the ICAC task forces conducted more than 54,000 investi- gations. "
        "This work resulted in more than 8,500 arrests"
    )


def test_national_strategy_2016_homeland_security_decoy_is_not_icac(tmp_path):
    path = standins.write_national_strategy_2016(tmp_path, "a")
    ex = icac.extract(document_pages(path, "pdf"), NS2016.id, "pdf")
    assert [(s.page, s.value, s.reason, s.evidence) for s in ex.skipped] == [
        (
            2,
            "2,000",
            "other_agency",
            "In fiscal year 2015, HSI special agents arrested more than 2,000 individuals",
        )
    ]


INTERIM_EXPECTED = {
    "a": [
        (2010, "arrests", 5_387, None, "arrested", 2),
        (2011, "arrests", 5_819, None, "arrested", 2),
    ],
    "b": [
        (2010, "arrests", 5_387, None, "arrests", 2),
        (2011, "arrests", 5_819, None, "arrests", 2),
    ],
}


@pytest.mark.parametrize("wording", ["a", "b"])
def test_interim_report(tmp_path, wording):
    path = standins.write_interim_report(tmp_path, wording)
    assert "standin" in path.name
    assert facts(table(path, INTERIM)) == INTERIM_EXPECTED[wording]


def test_interim_report_two_year_total_is_skipped(tmp_path):
    path = standins.write_interim_report(tmp_path, "b")
    ex = icac.extract(document_pages(path, "pdf"), INTERIM.id, "pdf")
    assert [(s.value, s.reason, s.evidence) for s in ex.skipped] == [
        (
            "11,206",
            "range",
            "FY2010 and FY2011 combined, ICAC task forces arrested 11,206 offenders",
        )
    ]


# ------------------------------------------------------------------------------ failing loudly


def page_with(tmp_path: Path, *paragraphs: str) -> Path:
    sections = [("Program Accomplishments", list(paragraphs))]
    return standins.write_html(
        tmp_path / "program_page_standin.html", standins.html_page(standins.PROGRAM_TITLE, sections)
    )


def test_no_arrests_figure_publishes_the_rest_with_a_warning(tmp_path):
    # Missing is not malformed: the investigations figure publishes, the absence is a warning.
    path = page_with(
        tmp_path, "In FY 2024, ICAC task forces conducted about 203,467 investigations."
    )
    out = icac.parse(path, PROGRAM)
    assert facts(out.tables["icac_task_force_activity"]) == [
        (2024, "investigations", 203_467, "about", "investigations", 1)
    ]
    assert out.warnings == [
        "no arrests figure in this document (it has investigations for FY 2024)"
    ]
    assert out.skipped == []


def test_a_year_with_activity_but_no_arrests_is_a_warning(tmp_path):
    path = page_with(
        tmp_path,
        "In FY 2024, ICAC task forces made more than 12,600 arrests.",
        "In FY 2023, ICAC task forces conducted approximately 184,700 investigations.",
    )
    out = icac.parse(path, PROGRAM)
    assert facts(out.tables["icac_task_force_activity"]) == [
        (2023, "investigations", 184_700, "approximately", "investigations", 1),
        (2024, "arrests", 12_600, "more than", "arrests", 1),
    ]
    assert out.warnings == [
        "no arrests figure for FY 2023 (the document has investigations for FY 2023)"
    ]


def test_unrecognised_html_page_names_document_and_page(tmp_path):
    path = standins.write_html(
        tmp_path / "moved_standin.html",
        standins.html_page(
            "Page not found", [("", ["The page you requested has moved. Try the search box."])]
        ),
    )
    with pytest.raises(ParseError) as exc:
        icac.parse(path, PROGRAM)
    msg = str(exc.value)
    assert msg.startswith(
        "ojjdp_icac_program_page, page 1: expected ICAC Task Force Program figures for a fiscal "
        "year (e.g. 'In FY 2023, ICAC task forces conducted approximately 184,700 investigations, "
        "which led to the arrests of more than 10,800 offenders'); found no such figure on any "
        "page; found "
    )
    assert "Skip to main content An official website" in msg
    assert (exc.value.document_id, exc.value.page) == ("ojjdp_icac_program_page", 1)


def test_unrecognised_pdf_names_document_and_page(tmp_path):
    path = standins.write_pdf(
        tmp_path / "blank_standin.pdf",
        "blank",
        "Header",
        [[], [("p", "Nothing about the program here.")]],
    )
    with pytest.raises(ParseError) as exc:
        icac.parse(path, NS2016)
    assert (exc.value.document_id, exc.value.page) == ("doj_national_strategy_2016", 1)
    assert "doj_national_strategy_2016, page 1: expected ICAC Task Force Program figures" in str(
        exc.value
    )


def test_only_cumulative_figures_is_an_error(tmp_path):
    path = page_with(
        tmp_path,
        "Since its inception in 1998, the ICAC program has led to the arrests of more than 154,600 "
        "offenders.",
    )
    with pytest.raises(ParseError) as exc:
        icac.parse(path, PROGRAM)
    assert str(exc.value) == (
        "ojjdp_icac_program_page, page 1: expected an ICAC figure stated for a single fiscal year "
        "(e.g. 'In FY 2023, ICAC task forces ... arrests of more than 10,800 offenders'); every "
        "figure found was skipped (cumulative: Since its inception in 1998); found 'Since its "
        "inception in 1998, the ICAC program has led to the arrests of more than 154,600 offenders'"
    )


def test_two_values_for_one_year_and_measure_is_an_error(tmp_path):
    path = page_with(
        tmp_path,
        "In FY 2024, ICAC task forces made more than 12,600 arrests.",
        "In FY 2024, ICAC task forces made 12,700 arrests.",
    )
    with pytest.raises(ParseError, match=r"expected one arrests figure for FY 2024 \(page 1 says"):
        icac.parse(path, PROGRAM)


def test_restatement_of_the_same_figure_is_one_row(tmp_path):
    path = page_with(
        tmp_path,
        "In FY 2024, ICAC task forces made more than 12,600 arrests.",
        "<ul><li>In FY 2024, more than 12,600 offenders were arrested by ICAC task forces.</li></ul>",
    )
    df = table(path, PROGRAM)
    assert facts(df) == [(2024, "arrests", 12_600, "more than", "arrests", 1)]
    assert df.loc[0, "evidence"] == "In FY 2024, ICAC task forces made more than 12,600 arrests"
    skipped = icac.parse(path, PROGRAM).skipped
    assert [(s.measure, s.value, s.reason, s.evidence) for s in skipped] == [
        (
            "arrests",
            "12,600",
            "duplicate",
            "In FY 2024, more than 12,600 offenders were arrested",
        )
    ]


@pytest.mark.parametrize(
    "sentence, qualifier",
    [
        ("In FY 2024, ICAC task forces made roughly 12,600 arrests.", "roughly"),
        ("In FY 2024, ICAC task forces made in excess of 12,600 arrests.", "in excess of"),
        ("In FY 2024, ICAC made the arrests of 12,600 or more offenders.", "or more"),
        ("In FY 2024, ICAC made the arrests of 12,600+ offenders.", "+"),
    ],
)
def test_qualifier_outside_the_schema_is_an_error(tmp_path, sentence, qualifier):
    path = page_with(tmp_path, sentence)
    with pytest.raises(ParseError, match=rf"the schema allows .*, not '{re.escape(qualifier)}'"):
        icac.parse(path, PROGRAM)


def test_unread_postfix_qualifier_is_not_a_silent_figure(tmp_path):
    # "12,600 or more arrests" matches no figure pattern: the page then has no figure at all.
    path = page_with(tmp_path, "In FY 2024, ICAC task forces made 12,600 or more arrests.")
    with pytest.raises(ParseError, match="expected ICAC Task Force Program figures"):
        icac.parse(path, PROGRAM)


# --------------------------------------------------------------- sentence-level reading (synthetic)
# Figures below are SYNTHETIC (made up to exercise wording), except where a catalogue figure is reused.


def read(text: str) -> list[tuple]:
    ex = icac.extract(
        ["Internet Crimes Against Children (ICAC) Task Force Program\n" + text], "t", "html"
    )
    return [(r.fiscal_year, r.measure, r.value, r.qualifier, r.term_as_published) for r in ex.rows]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "In FY2023, ICAC task forces made 10,800 arrests.",
            [(2023, "arrests", 10_800, None, "arrests")],
        ),
        (
            "In FY23, ICAC task forces made 10,800 arrests.",
            [(2023, "arrests", 10_800, None, "arrests")],
        ),
        (
            "In fiscal year 2023, ICAC task forces arrested nearly 10,800 suspects.",
            [(2023, "arrests", 10_800, "nearly", "arrested")],
        ),
        (
            "During fiscal year (FY) 2024, ICAC task forces conducted over 203,467 investigations.",
            [(2024, "investigations", 203_467, "over", "investigations")],
        ),
        (
            "Since 1998, the program has grown to 61 task forces; in FY 2024 ICAC investigations "
            "resulted in more than 12,600 arrests.",
            [(2024, "arrests", 12_600, "more than", "arrests")],
        ),
        (
            "In FY 2024, ICAC task forces made 12.6 thousand arrests.",
            [(2024, "arrests", 12_600, None, "arrests")],
        ),
        (
            "In FY 2023, OJJDP allocated about $40.8 million to the ICAC program.",
            [(2023, "funding_usd", 40_800_000, "about", "allocated")],
        ),
        (
            "In FY 2023, the ICAC program received $40.8M in funding.",
            [(2023, "funding_usd", 40_800_000, None, "funding")],
        ),
        (
            "More than 10,800 offenders were arrested by ICAC task forces in FY 2023.",
            [(2023, "arrests", 10_800, "more than", "arrested")],
        ),
        (
            "In FY 2030, ICAC task forces trained more than 1,111 law enforcement personnel, over "
            "222 prosecutors, and almost 333 other professionals working in the ICAC field.",
            [
                (
                    2030,
                    "people_trained_law_enforcement",
                    1_111,
                    "more than",
                    "law enforcement personnel",
                ),
                (2030, "people_trained_prosecutors", 222, "over", "prosecutors"),
                (2030, "people_trained_other", 333, "almost", "other professionals"),
            ],
        ),
        (
            "In FY 2030, ICAC trained at least 4,444 law enforcement officers, prosecutors and other "
            "professionals.",
            [
                (
                    2030,
                    "people_trained",
                    4_444,
                    "at least",
                    "law enforcement officers, prosecutors and other professionals",
                )
            ],
        ),
        (
            "In FY 2024, the ICAC program, which began in 1998, conducted about 203,467 "
            "investigations and made more than 12,600 arrests.",
            [
                (2024, "investigations", 203_467, "about", "investigations"),
                (2024, "arrests", 12_600, "more than", "arrests"),
            ],
        ),
        (
            "In FY 2024, ICAC task forces made more than 12,600 arrests, up from more than 10,800 "
            "arrests in FY 2023.",
            [
                (2024, "arrests", 12_600, "more than", "arrests"),
                (2023, "arrests", 10_800, "more than", "arrests"),
            ],
        ),
        (
            "In FY 2024, ICAC task forces reviewed 200,000 CyberTipline reports from NCMEC and made "
            "more than 12,600 arrests.",
            [(2024, "arrests", 12_600, "more than", "arrests")],
        ),
        (
            "ICAC task forces arrested more than 8,500 individuals in 2015.",
            [(2015, "arrests", 8_500, "more than", "arrested")],
        ),
        # the cumulative rule
        ("The ICAC program, created by Congress in 1998, has made more than 154,600 arrests.", []),
        ("The ICAC program, set up in 1998, made more than 154,600 arrests.", []),
        ("ICAC task forces have made more than 154,600 arrests.", []),
        ("Overall, ICAC task forces made 154,600 arrests.", []),
        ("ICAC task forces made 154,600 arrests over the past 25 years.", []),
        ("From FY 2010 to FY 2011, ICAC task forces made 11,206 arrests.", []),
        ("In calendar year 2023, ICAC task forces made 10,800 arrests.", []),
        ("ICAC task forces make about 10,000 arrests each year.", []),
        ("In FY 2019, Operation Broken Heart led to 1,700 arrests by ICAC task forces.", []),
        ("ICAC task forces made 10,800 arrests.", []),
        # not counts of the measure
        ("In FY 2023, 61 ICAC task forces conducted investigations.", []),
        ("In FY 2023, ICAC arrests rose by 20 percent.", []),
        ("In FY 2023, the FBI made 5,000 arrests.", []),
    ],
)
def test_sentence_reading(text, expected):
    assert read(text) == expected


def test_carry_stops_at_a_cumulative_sentence():
    assert read(
        "In FY 2023, ICAC task forces conducted approximately 184,700 investigations. The program "
        "has led to more than 154,600 arrests."
    ) == [(2023, "investigations", 184_700, "approximately", "investigations")]


def test_unclassifiable_trained_group_is_an_error():
    with pytest.raises(ParseError, match="expected a trained group"):
        read("In FY 2030, ICAC trained 5,555 volunteers.")


# ---------------------------------------------------------------------------------------- mirror


def test_write_mirror_places_a_standin_at_every_icac_url(tmp_path):
    root = tmp_path / "mirror"
    paths = standins.write_mirror(root)
    assert paths == [
        root / "ojjdp.ojp.gov/programs/internet-crimes-against-children-task-force-program",
        root / "www.justice.gov/psc/docs/natstrategyreport.pdf",
        root / "www.justice.gov/psc/file/842411/download",
        root / "www.ojjdp.gov/pubs/ICACReport2012.pdf",
    ]
    assert all(p.is_file() for p in paths)
    for path, doc in zip(paths, (PROGRAM, NS2010, NS2016, INTERIM), strict=True):
        text = " ".join(document_pages(path, doc.format))
        assert "STAND-IN" in text
        assert len(table(path, doc)) >= 2


def test_mirror_standins_go_through_fetch_parse_and_evidence_check(tmp_path):
    """The mirror is a transport: fetch from it, parse the archived copy, verify every figure."""
    from pipeline.archive import Archive
    from pipeline.evidence import unverified_rows
    from pipeline.fetch import fetch_document

    root = tmp_path / "mirror"
    standins.write_mirror(root)
    archive = Archive(tmp_path / "raw")
    frames = []
    for doc in (PROGRAM, NS2010, NS2016, INTERIM):
        r = fetch_document(doc, archive, mirror=str(root))
        assert r.ok, r.one_line()
        frames.append(
            icac.parse(archive.latest(doc.id).path, doc).tables["icac_task_force_activity"]
        )
    df = pd.concat(frames, ignore_index=True)
    assert len(df) == 3 + 4 + 2 + 2
    assert unverified_rows(df, archive) == []
