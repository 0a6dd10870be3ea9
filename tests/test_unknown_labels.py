"""A country name the normalisation tables do not know is published as printed with its code empty and
listed (with suggestions a person confirms) by pipeline.labels.unknown_labels; reconciliation with the
printed total still blocks, and a broken layout still fails the document with its page.

No real by-country edition with a misspelt territory is in the mirror (the real 2023 file is not), so
these use generated stand-ins from tests/standins/ncmec_future.py; the real 2019-2022 editions are
checked in tests/test_parser_ncmec_country.py (no unknown labels in any of them).
"""

from __future__ import annotations

import pandas as pd
import pdfplumber
import pytest

import schemas
from pipeline import countries, reconcile
from pipeline.labels import LABEL_COLUMNS, unknown_labels
from pipeline.parsers import ncmec_country
from pipeline.parsers.base import ParseError
from pipeline.registry import by_id
from tests.standins import ncmec_future

DOC = by_id("ncmec_country_2023")
COUNTRY = "cybertipline_reports_by_country"
YEAR = "cybertipline_reports_by_year"
MISSPELT = "Saint Helena, Ascencion and Tristan da Cunha"


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """The unknown-spelling stand-in, written and parsed once: (generator's answer, tables, path)."""
    path = tmp_path_factory.mktemp("unknown") / "2023-reports-by-country-standin.pdf"
    info = ncmec_future.write_country_unknown_spelling(path, 2023)
    return info, ncmec_country.parse(path, DOC), path


def test_generator_answer(edition):
    info, _, _ = edition
    # Pinned: a change to the generator changes what the end-to-end test relies on.
    assert info == {
        "total": 21_335_942,
        "rows": 85,
        "unknown_label": MISSPELT,
        "unknown_page": 3,
    }


def test_unknown_spelling_is_published_as_printed_with_no_code(edition):
    info, out, _ = edition
    df = out[COUNTRY]
    assert len(df) == info["rows"]
    row = df[df["country_as_printed"] == info["unknown_label"]]
    assert row[
        ["country_iso3", "is_location_unknown", "reports", "page", "document_id"]
    ].values.tolist() == [[None, False, 4, info["unknown_page"], DOC.id]]
    # Every other name still has its code; the only other empty code is the unknown-location row.
    empty = df[df["country_iso3"].isna()]
    assert empty[["country_as_printed", "is_location_unknown"]].values.tolist() == [
        [MISSPELT, False],
        ["No Country Listed*", True],
    ]


def test_table_still_sums_to_the_printed_total(edition):
    info, out, _ = edition
    assert int(out[COUNTRY]["reports"].sum()) == info["total"]
    assert out[YEAR][["measure", "value"]].values.tolist() == [["reports_total", info["total"]]]
    assert reconcile.row_sums(COUNTRY, out[COUNTRY], out[YEAR]) == []


def test_schema_accepts_the_row_and_keys_stay_unique(edition):
    _, out, _ = edition
    validated = schemas.TABLES[COUNTRY].validate(out[COUNTRY], lazy=True)
    assert len(validated) == len(out[COUNTRY])
    assert not out[COUNTRY].duplicated(["document_id", "country_as_printed"]).any()


def test_schema_still_refuses_a_code_on_the_unknown_location_row(edition):
    _, out, _ = edition
    df = out[COUNTRY].copy()
    df.loc[df["is_location_unknown"], "country_iso3"] = "USA"
    with pytest.raises(Exception, match="unknown_location_has_no_iso3"):
        schemas.TABLES[COUNTRY].validate(df, lazy=True)


def test_unknown_labels_lists_it_with_document_page_and_a_suggestion(edition):
    info, out, _ = edition
    assert unknown_labels(COUNTRY, out[COUNTRY]) == [
        {
            "document_id": DOC.id,
            "page": info["unknown_page"],
            "label": MISSPELT,
            "column": "country_iso3",
            "suggestions": "Saint Helena, Ascension and Tristan da Cunha (SHN)",
        }
    ]


def test_suggestion_is_never_applied():
    with pytest.raises(countries.UnknownCountryError):
        countries.to_iso3(MISSPELT)


def _frame(rows):
    """rows: (name as printed, iso3, is_location_unknown, page)."""
    return pd.DataFrame(
        [
            {
                "calendar_year": 2023,
                "country_as_printed": name,
                "country_iso3": iso3,
                "is_location_unknown": unknown,
                "reports": 1,
                "note": None,
                "document_id": DOC.id,
                "page": page,
            }
            for name, iso3, unknown, page in rows
        ]
    )


def test_known_spellings_and_unknown_location_rows_are_not_listed():
    df = _frame(
        [
            ("Saint Helena, Ascension and Tristan da Cunha", "SHN", False, 2),
            ("Cote d\u2019Ivoire (Ivory Coast)", "CIV", False, 1),
            ("Null", None, True, 3),
            ("No Country Listed*", None, True, 3),
        ]
    )
    assert unknown_labels(COUNTRY, df) == []


@pytest.mark.parametrize(
    ("label", "suggestions"),
    [
        ("Cote d Ivoire", "C\u00f4te d'Ivoire (CIV)"),
        ("Norfolk Islnd*", "Norfolk Island (NFK); Cook Islands (COK); Falkland Islands (FLK)"),
        (
            "Republic of Korea",
            "Korea, Republic of (KOR); Republic of Kenya (KEN); Republic of Iraq (IRQ)",
        ),
        ("Atlantis", "Albania (ALB)"),
        ("Zzyzx", ""),
    ],
)
def test_suggestions_for_a_person_to_confirm(label, suggestions):
    df = _frame([("Albania", "ALB", False, 1), (label, None, False, 2)])
    assert unknown_labels(COUNTRY, df) == [
        {
            "document_id": DOC.id,
            "page": 2,
            "label": label,
            "column": "country_iso3",
            "suggestions": suggestions,
        }
    ]


def test_empty_code_after_a_csv_round_trip_is_still_unknown():
    df = _frame([("Norfolk Islnd", "", False, 4), ("Null", float("nan"), True, 5)])
    assert [d["label"] for d in unknown_labels(COUNTRY, df)] == ["Norfolk Islnd"]


def test_listing_is_sorted_by_document_page_label():
    df = _frame([("Zedland", None, False, 3), ("Atlantis", None, False, 3), ("Oz", None, False, 1)])
    assert [(d["page"], d["label"]) for d in unknown_labels(COUNTRY, df)] == [
        (1, "Oz"),
        (3, "Atlantis"),
        (3, "Zedland"),
    ]


def test_tables_without_a_normalised_label_column_never_list_anything():
    # ESP names are published as printed and nothing normalises them; recipients are structural
    # (an unknown recipient fails the transparency document in the parser).
    esp = pd.DataFrame({"esp_name": ["Nowhere Labs"], "document_id": ["x"], "page": [1]})
    assert unknown_labels("cybertipline_reports_by_esp", esp) == []
    for table in (
        "cybertipline_reports_to_law_enforcement",
        "cybertipline_law_enforcement_feedback",
    ):
        assert LABEL_COLUMNS[table] is None
        assert unknown_labels(table, pd.DataFrame()) == []


def test_a_table_it_does_not_know_is_refused():
    with pytest.raises(ValueError, match="unknown table 'cybertipline_reports_by_countries'"):
        unknown_labels("cybertipline_reports_by_countries", _frame([]))


def test_broken_layout_fails_the_document_with_its_page(tmp_path):
    path = tmp_path / "2023-reports-by-country-broken-standin.pdf"
    info = ncmec_future.write_country_broken_layout(path, 2023)
    with pytest.raises(ParseError) as err:
        ncmec_country.parse(path, DOC)
    assert (err.value.document_id, err.value.page) == (DOC.id, info["expected_error_page"])
    assert err.value.expected == (
        "the table header repeated on every table page "
        "(last seen: 'Country / Territory Number of Reports')"
    )


def test_stand_ins_say_so(edition, tmp_path):
    broken = tmp_path / "broken.pdf"
    ncmec_future.write_country_broken_layout(broken, 2024)
    for path in (edition[2], broken):
        with pdfplumber.open(path) as pdf:
            assert "stand-in" in pdf.metadata["Creator"]
            assert "not a real NCMEC publication" in pdf.metadata["Subject"]
            assert "STAND-IN" in pdf.pages[0].extract_text()
