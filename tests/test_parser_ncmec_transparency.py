"""The OJJDP-NCMEC transparency report parser against the real CY2022 report, and against perturbed
copies of its extracted cells (the CY2023 and CY2024 editions are not available offline, so drift is
simulated on the real structure: renamed labels, wrapped numbers, merged rows, broken totals).

The PDF is read once per module; every perturbation works on a deep copy of those extracted pages.
"""

from __future__ import annotations

import copy
import csv

import pandas as pd
import pytest

import schemas
from pipeline.caveats import DERIVED_COLUMNS
from pipeline.parsers import ncmec_transparency as nt
from pipeline.parsers.base import ParseError
from pipeline.registry import by_id
from schemas._common import NOT_ARRESTS_NOTE
from tests.conftest import TRANSCRIPTIONS, ncmec_pdf

PDF = "OJJDP-NCMEC-Transparency_2022-Calendar-Year.pdf"
DOC_ID = "ncmec_transparency_2022"
WHERE_8 = f"{DOC_ID}, page 8"

BY_YEAR, TO_LE, FEEDBACK = nt.BY_YEAR, nt.TO_LE, nt.FEEDBACK

# Read from the PDF (pages 8 and 10); not in the transcriptions.
LE_TOTALS = {
    (2020, "icac_task_forces"): 285_454,
    (2020, "local_law_enforcement"): 2_485,
    (2020, "federal_law_enforcement"): 869_843,
    (2020, "international_law_enforcement"): 20_623_499,
    (2021, "icac_task_forces"): 407_073,
    (2021, "local_law_enforcement"): 1_734,
    (2021, "federal_law_enforcement"): 1_506_447,
    (2021, "international_law_enforcement"): 27_529_929,
    (2022, "icac_task_forces"): 892_370,
    (2022, "local_law_enforcement"): 1_465,
    (2022, "federal_law_enforcement"): 2_354_463,
    (2022, "international_law_enforcement"): 29_005_980,
}
FEEDBACK_INSTANCES = {
    (2020, "icac_task_forces"): 186_528,
    (2020, "local_law_enforcement"): 816,
    (2020, "federal_law_enforcement"): 336,
    (2020, "international_law_enforcement"): 46_583,
    (2021, "icac_task_forces"): 226_879,
    (2021, "local_law_enforcement"): 91,
    (2021, "federal_law_enforcement"): 303,
    (2021, "international_law_enforcement"): 36_948,
    (2022, "icac_task_forces"): 204_517,
    (2022, "local_law_enforcement"): 51,
    (2022, "federal_law_enforcement"): 478,
    (2022, "international_law_enforcement"): 56_689,
}
# CATALOG.md [P]: totals, ESP and public reports.
ESP_PUBLIC = {
    (2020, "reports_esp"): 21_447_786,
    (2020, "reports_public"): 303_299,
    (2021, "reports_esp"): 29_157_083,
    (2021, "reports_public"): 240_598,
    (2022, "reports_esp"): 31_802_525,
    (2022, "reports_public"): 256_504,
}

TRANSCRIBED_RECIPIENTS = {
    "internet crimes against children units": "icac_task_forces",
    "local law enforcement": "local_law_enforcement",
    "federal law enforcement": "federal_law_enforcement",
    "international law enforcement": "international_law_enforcement",
}
TRANSCRIBED_CONTENTS = {
    ("reports", "total"): "reports_total",
    ("reports", "with unique photos/videos"): "reports_with_unique_images_videos",
    ("reports", "with similar photos/videos"): "reports_with_visually_similar_images_videos",
    ("user location", "U.S."): "reports_location_us",
    ("user location", "international"): "reports_location_international",
    ("user location", "unknown"): "reports_location_unknown",
    ("kind of exploitation", "child pornography"): "incident_child_sexual_abuse_material",
    (
        "kind of exploitation",
        "misleading words/images online",
    ): "incident_misleading_words_or_images",
    ("kind of exploitation", "online enticement of children"): "reports_online_enticement",
    ("kind of exploitation", "child sex trafficking"): "incident_child_sex_trafficking",
    ("kind of exploitation", "obscene material sent to a child"): (
        "incident_unsolicited_obscene_material"
    ),
    ("kind of exploitation", "misleading domain name"): "incident_misleading_domain_name",
    ("kind of exploitation", "child sexual molestation"): "incident_child_sexual_molestation",
    ("kind of exploitation", "child sex tourism"): "incident_child_sex_tourism",
}


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _transcription(name: str) -> list[dict]:
    with open(TRANSCRIPTIONS / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def doc():
    return by_id(DOC_ID)


@pytest.fixture(scope="module")
def pages():
    return nt.extract_pages(ncmec_pdf(PDF))


@pytest.fixture(scope="module")
def parsed(pages, doc):
    return nt.parse_pages(pages, doc.id, doc.year)


def _parse(pages) -> dict[str, pd.DataFrame]:
    return nt.parse_pages(pages, DOC_ID, 2022)


def _values(df: pd.DataFrame, keys: list[str], value: str) -> dict:
    return {tuple(r[k] for k in keys): r[value] for r in df.to_dict("records")}


def _raw_table(pages, needle: str) -> nt.RawTable:
    for page in pages:
        for table in page.tables:
            if needle in " ".join(c for row in table.rows for c in row if c):
                return table
    raise AssertionError(f"no extracted table contains {needle!r}")


def perturb(pages, needle: str, old: str, new: str, count: int = 1):
    """A deep copy of ``pages`` with ``old`` replaced by ``new`` in the cells of the first table that
    contains ``needle``; exactly ``count`` cells must change."""
    pages = copy.deepcopy(pages)
    table = _raw_table(pages, needle)
    hits = 0
    for row in table.rows:
        for i, cell in enumerate(row):
            if cell and old in cell:
                row[i] = cell.replace(old, new)
                hits += 1
    assert hits == count, f"{old!r} found in {hits} cells, expected {count}"
    return pages


# --- the real PDF ---------------------------------------------------------------------------------


def test_parse_reads_the_pdf_and_parses_its_pages(monkeypatch, pages, parsed, doc):
    path = ncmec_pdf(PDF)
    seen = []
    monkeypatch.setattr(nt, "extract_pages", lambda p: seen.append(p) or pages)
    out = nt.parse(path, doc)
    assert seen == [path]
    assert list(out) == [BY_YEAR, TO_LE, FEEDBACK]
    for name, df in out.items():
        pd.testing.assert_frame_equal(df, parsed[name])


def test_row_counts(parsed):
    # 25 yearly totals (1998-2022) + 3 years x (ESP, public, 3 locations, 8 incident types, 2 content)
    assert len(parsed[BY_YEAR]) == 70
    assert len(parsed[TO_LE]) == 36  # 3 years x 4 recipients x actionable/informational/total
    assert len(parsed[FEEDBACK]) == 12  # 3 years x 4 recipients


@pytest.mark.parametrize("name", [BY_YEAR, TO_LE, FEEDBACK])
def test_tables_pass_their_schema(parsed, name):
    df = parsed[name]
    validated = schemas.TABLES[name].validate(df, lazy=True)
    assert len(validated) == len(df)
    # the parser gives every column but those assembly derives across documents
    derived = DERIVED_COLUMNS.get(name, ())
    assert list(df.columns) == [
        c for c in schemas.TABLES[name].to_schema().columns if c not in derived
    ]
    assert set(df["document_id"]) == {DOC_ID}


def test_measures_emitted(parsed):
    assert parsed[BY_YEAR].groupby("measure").size().to_dict() == {
        "reports_total": 25,
        "reports_esp": 3,
        "reports_public": 3,
        "reports_location_us": 3,
        "reports_location_international": 3,
        "reports_location_unknown": 3,
        "reports_online_enticement": 3,
        "incident_child_sexual_abuse_material": 3,
        "incident_misleading_words_or_images": 3,
        "incident_child_sex_trafficking": 3,
        "incident_unsolicited_obscene_material": 3,
        "incident_misleading_domain_name": 3,
        "incident_child_sexual_molestation": 3,
        "incident_child_sex_tourism": 3,
        "reports_with_unique_images_videos": 3,
        "reports_with_visually_similar_images_videos": 3,
    }
    assert parsed[BY_YEAR]["qualifier"].isna().all()


def test_yearly_totals_equal_the_transcription(parsed):
    expected = {
        int(r["year"]): int(r["reports"])
        for r in _transcription("ocse-reports-per-year.csv")
        if int(r["year"]) <= 2022
    }
    df = parsed[BY_YEAR]
    got = _values(df[df["measure"] == "reports_total"], ["calendar_year"], "value")
    assert {y: v for (y,), v in got.items()} == expected
    assert expected[1998] == 4_560 and expected[2022] == 32_059_029


def test_report_contents_equal_the_transcription(parsed):
    expected = {
        (int(r["year"]), TRANSCRIBED_CONTENTS[(r["category"], r["label"])]): _int(r["quantity"])
        for r in _transcription("ocse-report-contents.csv")
        if int(r["year"]) <= 2022 and r["category"] != "attachments"  # files are not published
    }
    assert len(expected) == 42
    df = parsed[BY_YEAR]
    got = _values(df[df["calendar_year"] >= 2020], ["calendar_year", "measure"], "value")
    assert {k: got[k] for k in expected} == expected
    # The rest of the three-year rows: ESP and public reports, from CATALOG.md.
    assert {k: v for k, v in got.items() if k not in expected} == ESP_PUBLIC


def test_catalog_figures(parsed):
    by_year = _values(parsed[BY_YEAR], ["calendar_year", "measure"], "value")
    assert by_year[(2021, "reports_online_enticement")] == 44_155
    assert by_year[(2022, "reports_online_enticement")] == 80_524
    assert [by_year[(y, "reports_total")] for y in (2020, 2021, 2022)] == [
        21_751_085,
        29_397_681,
        32_059_029,
    ]
    le = _values(parsed[TO_LE], ["calendar_year", "recipient", "report_class"], "reports")
    icac = [le[(y, "icac_task_forces", "total")] for y in (2020, 2021, 2022)]
    assert icac == [285_454, 407_073, 892_370]
    fb = _values(parsed[FEEDBACK], ["calendar_year", "recipient"], "feedback_instances")
    assert [fb[(y, "icac_task_forces")] for y in (2020, 2021, 2022)] == [186_528, 226_879, 204_517]


def test_reports_to_law_enforcement_equal_the_transcription(parsed):
    expected = {
        (int(r["year"]), TRANSCRIBED_RECIPIENTS[r["recipients"]], r["level_of_detail"]): _int(
            r["reports"]
        )
        for r in _transcription("ocse-report-recipients.csv")
        if int(r["year"]) <= 2022
    }
    assert len(expected) == 24
    got = _values(parsed[TO_LE], ["calendar_year", "recipient", "report_class"], "reports")
    assert {k: v for k, v in got.items() if k[2] != "total"} == expected
    assert {k[:2]: v for k, v in got.items() if k[2] == "total"} == LE_TOTALS


def test_feedback_instances(parsed):
    df = parsed[FEEDBACK]
    assert _values(df, ["calendar_year", "recipient"], "feedback_instances") == FEEDBACK_INSTANCES
    assert (df["note"] == NOT_ARRESTS_NOTE).all()
    assert df["note"].str.contains("not arrests").all()


def test_pages(parsed):
    by_year = parsed[BY_YEAR]
    pages = {
        m: sorted(set(by_year.loc[by_year["measure"] == m, "page"])) for m in by_year["measure"]
    }
    assert pages["reports_total"] == [4, 19]
    assert pages["reports_esp"] == pages["reports_location_us"] == [4]
    assert pages["reports_online_enticement"] == pages["incident_child_sex_tourism"] == [5]
    assert pages["reports_with_unique_images_videos"] == [6]
    totals = by_year[by_year["measure"] == "reports_total"]
    assert set(totals.loc[totals["calendar_year"] >= 2020, "page"]) == {4}
    assert set(parsed[TO_LE]["page"]) == {8}
    assert set(parsed[FEEDBACK]["page"]) == {10}


def test_label_typo_is_corrected_by_rule_and_noted(parsed):
    df = parsed[TO_LE]
    noted = df[df["note"].notna()]
    assert len(noted) == 1
    row = noted.iloc[0]
    assert (row["calendar_year"], row["recipient"], row["report_class"], row["reports"]) == (
        2021,
        "federal_law_enforcement",
        "informational",
        590_383,
    )
    assert row["note"] == (
        "Label printed as 'International:' read as 'Informational:' by rule: the cell already has "
        "'Actionable:' and 'Total:', and actionable + this value = the printed total."
    )


def test_only_1998_carries_a_note(parsed):
    df = parsed[BY_YEAR]
    noted = df[df["note"].notna()]
    assert noted[["calendar_year", "measure"]].values.tolist() == [[1998, "reports_total"]]
    assert noted.iloc[0]["note"] == (
        "The narrative (page 3) says NCMEC created the CyberTipline in March 1998, so this count "
        "covers part of CY1998 although Appendix A labels it 1/1/98-12/31/98."
    )


def test_baseline_placement_keeps_the_last_row(pages):
    # pdfplumber's default cell assignment loses the ESP row (font boxes sit below the glyphs).
    rows = _raw_table(pages, "Public CyberTipline Reports").rows
    assert [c for c in rows[-1] if c] == [
        "ESP CyberTipline Reports",
        "21,447,786",
        "29,157,083",
        "31,802,525",
    ]


# --- cells ----------------------------------------------------------------------------------------


def test_multi_value_cell():
    cell = "Actionable: 395,173\nInformational: 11,900\nTotal: 407,073"
    assert nt.parse_labelled_cell(cell, DOC_ID, 8) == (
        {"actionable": 395_173, "informational": 11_900, "total": 407_073},
        None,
    )


def test_multi_value_cell_with_wrapped_value_and_spaced_label():
    cell = "Actionable: 13,995,567\nI n formational:\n15,010,413\nTotal: 29,005,980"
    values, note = nt.parse_labelled_cell(cell, DOC_ID, 8)
    assert values == {"actionable": 13_995_567, "informational": 15_010_413, "total": 29_005_980}
    assert note is None


def test_number_split_mid_number():
    assert nt.read_count("24,768,90\n3", DOC_ID, 15) == 24_768_903
    assert nt.read_count("1,\n234", DOC_ID, 15) == 1_234
    assert nt.read_count("887,252\n4.1%", DOC_ID, 4) == 887_252
    cell = "Actionable: 24,768,90\n3\nInformational: 1\nTotal: 24,768,904"
    assert nt.parse_labelled_cell(cell, DOC_ID, 8)[0]["actionable"] == 24_768_903


@pytest.mark.parametrize("cell", ["336\n46,583", "1\n234", "12,345\n6"])
def test_separate_numbers_never_fuse(cell):
    with pytest.raises(ParseError, match=f"^{DOC_ID}, page 10: expected one count"):
        nt.read_count(cell, DOC_ID, 10)


def test_malformed_count():
    with pytest.raises(ParseError) as err:
        nt.read_count("12,34", DOC_ID, 10)
    assert str(err.value) == f"{DOC_ID}, page 10: expected a count such as 1,234; found '12,34'"


def test_bare_count_is_a_total():
    assert nt.parse_labelled_cell("285,454", DOC_ID, 8) == ({"total": 285_454}, None)


def test_typo_rule_needs_the_other_two_labels():
    cell = "Actionable: 1\nInformational: 2\nInternational: 3\nTotal: 3"
    with pytest.raises(ParseError, match="expected labels Actionable, Informational and Total"):
        nt.parse_labelled_cell(cell, DOC_ID, 8)


def test_typo_rule_needs_a_label_like_informational():
    cell = "Actionable: 916,064\nReferrals: 590,383\nTotal: 1,506,447"
    with pytest.raises(ParseError, match="found 'Actionable: 916,064\\\\nReferrals"):
        nt.parse_labelled_cell(cell, DOC_ID, 8)


def test_typo_rule_still_reconciles():
    cell = "Actionable: 916,064\nInternational: 590,384\nTotal: 1,506,447"
    with pytest.raises(ParseError) as err:
        nt.parse_labelled_cell(cell, DOC_ID, 8)
    assert str(err.value) == (
        f"{WHERE_8}: expected printed total 1,506,447 to equal actionable + informational; "
        "found '916,064 + 590,384 = 1,506,448'"
    )


# --- perturbed documents --------------------------------------------------------------------------


def test_number_split_across_lines_in_the_document(pages, parsed):
    p = perturb(pages, "Feedback Relating to", "226,879", "226,87\n9")
    p = perturb(p, "Recipients of", "Actionable: 17,129,598", "Actionable: 17,129,\n598")
    out = _parse(p)
    for name in (TO_LE, FEEDBACK):
        pd.testing.assert_frame_equal(out[name], parsed[name])


def test_renamed_labels_and_captions(pages, parsed):
    p = perturb(
        pages,
        "Recipients of",
        "Internet Crimes\nAgainst Children\n(ICACs) Units",
        "ICAC Task Forces",
    )
    p = perturb(p, "Recipients of", "Recipients of", "Reports Made Available to")
    p = perturb(
        p,
        "Feedback Relating to",
        "Internet Crimes Against Children\n(ICACs) Units",
        "Internet Crimes Against Children Task Force units",
    )
    p = perturb(p, "the Public and ESPs", "Public CyberTipline Reports", "Reports from the Public")
    p = perturb(
        p, "the Public and ESPs", "ESP CyberTipline Reports", "Electronic Service Provider Reports"
    )
    p = perturb(p, "Categorization of", "Child Pornography\n", "Child Sexual Abuse Material\n")
    p = perturb(p, "Date Range", "CY2021 (1/1/21-12/31/21)", "Calendar Year 2021")
    out = _parse(p)
    for name in (BY_YEAR, TO_LE, FEEDBACK):
        pd.testing.assert_frame_equal(out[name], parsed[name])


def test_rows_merged_by_a_missing_rule_are_split(pages, parsed):
    """pdfplumber's default extraction of the feedback table: a label wrapped into its own row and two
    rows merged into one cell each."""
    p = copy.deepcopy(pages)
    _raw_table(p, "Feedback Relating to").rows = [
        ["", "", "", "CY 2020", "CY 2021", "CY 2022"],
        [None, "Instances of Law Enforcement", None, None, None, None],
        [None, "Feedback Relating to\nCyberTipline Reports", None, None, None, None],
        ["Internet Crimes Against Children", None, None, "", "", ""],
        ["(ICACs) Units", None, None, "186,528", "226,879", "204,517"],
        ["Local Law Enforcement", None, None, "816", "91", "51"],
        [
            "Federal Law Enforcement\nInternational Law Enforcement",
            None,
            None,
            "336\n46,583",
            "303\n36,948",
            "478\n56,689",
        ],
    ]
    pd.testing.assert_frame_equal(_parse(p)[FEEDBACK], parsed[FEEDBACK])


def test_table_broken_by_a_page_break(pages, parsed):
    p = copy.deepcopy(pages)
    appendix = _raw_table(p, "Date Range")
    moved, appendix.rows = appendix.rows[-10:], appendix.rows[:-10]
    p.append(nt.ExtractedPage(number=20, text="", tables=[nt.RawTable(rows=moved)]))
    out = _parse(p)[BY_YEAR]
    expected = parsed[BY_YEAR].copy()
    expected.loc[expected["calendar_year"] <= 2007, "page"] = 20
    pd.testing.assert_frame_equal(out, expected)


def test_recipient_total_that_does_not_add_up(pages):
    p = perturb(pages, "Recipients of", "Total: 407,073", "Total: 407,074")
    with pytest.raises(ParseError) as err:
        _parse(p)
    assert str(err.value) == (
        f"{WHERE_8}: expected printed total 407,074 to equal actionable + informational; "
        "found '395,173 + 11,900 = 407,073'"
    )


def test_public_plus_esp_that_does_not_add_up(pages):
    p = perturb(pages, "the Public and ESPs", "303,299", "303,300")
    with pytest.raises(ParseError) as err:
        _parse(p)
    assert str(err.value) == (
        f"{DOC_ID}, page 4: expected CY2020 reports (ESP + public): printed total 21,751,085 to "
        "equal the sum of its parts; found 'reports_esp 21,447,786 + reports_public 303,300 = "
        "21,751,086'"
    )


def test_location_parts_that_do_not_add_up(pages):
    p = perturb(pages, "International Users", "1,312,655", "1,312,656")
    with pytest.raises(ParseError, match=f"^{DOC_ID}, page 4: expected CY2022 reports by user loc"):
        _parse(p)


def test_missing_table(pages):
    p = copy.deepcopy(pages)
    p[9].tables = [t for t in p[9].tables if t is not _raw_table(p, "Feedback Relating to")]
    with pytest.raises(ParseError) as err:
        _parse(p)
    assert str(err.value).startswith(
        f"{DOC_ID}, page -: expected the law-enforcement feedback table with rows "
        "['icac_task_forces', 'international_law_enforcement', 'federal_law_enforcement', "
        "'local_law_enforcement'], captioned like 'feedback'; found 'no such table'"
    )


def test_missing_row(pages):
    p = copy.deepcopy(pages)
    table = _raw_table(p, "the Public and ESPs")
    table.rows = [r for r in table.rows if "ESP CyberTipline Reports" not in r]
    with pytest.raises(ParseError, match=f'^{DOC_ID}, page 4: .*found "no row for reports_esp '):
        _parse(p)


def test_unrecognised_row_label(pages):
    # Unlike a country name, a recipient row is structure: the four recipients are a closed set that
    # identifies the recipients and feedback tables, and the schema has no recipient-as-printed
    # column. So an unrecognised recipient fails the document (pipeline/labels.py lists no recipient
    # labels); spelling drift in the words around the key word is absorbed by the row patterns.
    p = perturb(pages, "Recipients of", "Local Law\nEnforcement", "Tribal Police")
    with pytest.raises(ParseError, match=f"^{WHERE_8}: .*found \"unrecognised row 'Tribal Police'"):
        _parse(p)


def test_an_extra_recipient_row_fails_the_document(pages):
    p = copy.deepcopy(pages)
    table = _raw_table(p, "Recipients of")
    local = next(r for r in table.rows if r[0] == "Local Law\nEnforcement")
    table.rows.append(["Tribal Law\nEnforcement", *local[1:]])
    with pytest.raises(ParseError) as err:
        _parse(p)
    assert (err.value.page, err.value.found) == (8, "unrecognised row 'Tribal Law Enforcement'")


def test_misspelt_recipient_words_around_the_key_word_are_absorbed(pages, parsed):
    p = perturb(pages, "Recipients of", "Federal Law\nEnforcement", "Federal Law\nEnforcment")
    p = perturb(p, "Feedback Relating to", "Local Law", "Local Lw")
    out = _parse(p)
    for name in (TO_LE, FEEDBACK):
        pd.testing.assert_frame_equal(out[name], parsed[name])


def test_missing_value(pages):
    p = perturb(pages, "Feedback Relating to", "226,879", "")
    with pytest.raises(
        ParseError, match=f"^{DOC_ID}, page 10: expected law-enforcement feedback: 3"
    ):
        _parse(p)


def test_edition_year_must_match_the_columns(pages):
    with pytest.raises(
        ParseError, match="columns ending with CY2023; found '\\[2020, 2021, 2022\\]'"
    ):
        nt.parse_pages(pages, DOC_ID, 2023)


def test_appendix_and_table_disagree(pages, parsed):
    p = perturb(pages, "Date Range", "21,751,085", "21,751,086")
    df = _parse(p)[BY_YEAR]
    row = df[(df["calendar_year"] == 2020) & (df["measure"] == "reports_total")].iloc[0]
    assert (row["value"], row["page"]) == (21_751_085, 4)
    assert row["note"] == (
        "Appendix A (page 19) prints 21,751,086 for CY2020; this value is the three-year table's, "
        "which reconciles with ESP + public reports."
    )
    assert len(df) == len(parsed[BY_YEAR])


def test_appendix_missing_a_year(pages):
    p = copy.deepcopy(pages)
    table = _raw_table(p, "Date Range")
    table.rows = [r for r in table.rows if not (r[0] or "").startswith("CY2005")]
    with pytest.raises(
        ParseError, match=f"^{DOC_ID}, page 19: expected Appendix A: each year from"
    ):
        _parse(p)


def test_narrative_and_appendix_disagree_on_the_first_year(pages):
    p = copy.deepcopy(pages)
    p[2].text = p[2].text.replace("NCMEC received 4,560 reports", "NCMEC received 4,561 reports")
    df = _parse(p)[BY_YEAR]
    note = df[df["calendar_year"] == 1998].iloc[0]["note"]
    assert note.endswith("The narrative (page 3) says 4,561 reports for CY1998.")


def test_incident_categories_that_do_not_sum_to_the_year(pages):
    p = perturb(pages, "Categorization of", "955", "956")
    df = _parse(p)[BY_YEAR]
    incidents = df[
        df["measure"].str.startswith("incident_") | (df["measure"] == "reports_online_enticement")
    ]
    notes = incidents.groupby("calendar_year")["note"].unique().to_dict()
    assert list(notes[2020]) == [
        "The sum of the incident categories for CY2020 is 21,751,086; "
        "the year's total reports are 21,751,085 (page 4)."
    ]
    assert pd.isna(notes[2021]).all() and pd.isna(notes[2022]).all()


def test_caption_above_the_table(pages, parsed):
    """A header holding only years: the table is named by the text just above it."""
    p = copy.deepcopy(pages)
    table = _raw_table(p, "Feedback Relating to")
    table.rows[1:3] = []
    table.rows[0][1] = ""
    table.context = "Instances of Law Enforcement Feedback Relating to CyberTipline Reports"
    pd.testing.assert_frame_equal(_parse(p)[FEEDBACK], parsed[FEEDBACK])
    table.context = "The chart below shows the amount of help provided."
    with pytest.raises(ParseError, match=f"^{DOC_ID}, page -: expected the law-enforcement feedb"):
        _parse(p)
