"""Reconciliation rules and caveats: each must fail on a table that is wrong in exactly one place."""

import pandas as pd

from pipeline import reconcile
from pipeline.caveats import BUNDLING_NOTE, apply_caveats


def by_year(rows):
    return pd.DataFrame(
        [
            {
                "calendar_year": y,
                "measure": m,
                "value": v,
                "qualifier": None,
                "note": None,
                "document_id": d,
                "page": p,
            }
            for y, m, v, d, p in rows
        ]
    )


ESP = pd.DataFrame(
    {
        "calendar_year": [2021] * 3,
        "esp_name": ["A", "B", "C"],
        "reports": [41, 33, 3],
        "document_id": ["ncmec_esp_2021"] * 3,
        "page": [1, 1, 2],
    }
)


def test_row_sums_hold_and_fail_naming_document_page_and_values():
    stated = by_year([(2021, "reports_esp", 77, "ncmec_esp_2021", 7)])
    assert reconcile.row_sums("cybertipline_reports_by_esp", ESP, stated) == []
    wrong = by_year([(2021, "reports_esp", 78, "ncmec_esp_2021", 7)])
    assert reconcile.row_sums("cybertipline_reports_by_esp", ESP, wrong) == [
        {
            "document_id": "ncmec_esp_2021",
            "page": 7,
            "stated": 78,
            "summed": 77,
            "problem": "rows do not sum to the stated reports_esp",
        }
    ]
    missing = reconcile.row_sums(
        "cybertipline_reports_by_esp", ESP, by_year([(2021, "reports_total", 1, "x", 1)])
    )
    assert missing[0]["problem"] == "no reports_esp total stated for this document"


def test_parts_equal_totals():
    good = [
        (2020, "reports_total", 10, "t", 4),
        (2020, "reports_esp", 7, "t", 4),
        (2020, "reports_public", 3, "t", 4),
    ]
    assert reconcile.parts_equal_totals(by_year(good)) == []
    bad = good[:2] + [(2020, "reports_public", 4, "t", 4)]
    [problem] = reconcile.parts_equal_totals(by_year(bad))
    assert (problem["stated"], problem["summed"], problem["page"]) == (10, 11, 4)
    # parts printed by another document are not mixed in
    other = good[:2] + [(2020, "reports_public", 3, "u", 4)]
    assert reconcile.parts_equal_totals(by_year(other)) == []


def test_class_totals():
    rows = [("actionable", 395173), ("informational", 11900), ("total", 407073)]
    df = pd.DataFrame(
        [
            {
                "calendar_year": 2021,
                "recipient": "icac_task_forces",
                "report_class": c,
                "reports": n,
                "note": None,
                "document_id": "t",
                "page": 8,
            }
            for c, n in rows
        ]
    )
    assert reconcile.class_totals(df) == []
    df.loc[2, "reports"] = 407074
    assert reconcile.class_totals(df)[0]["summed"] == 407073


def test_revisions_list_documents_and_values():
    df = by_year(
        [
            (2020, "reports_total", 21751085, "a", 1),
            (2020, "reports_total", 21751086, "b", 2),
            (2021, "reports_total", 5, "a", 1),
            (2021, "reports_total", 5, "b", 2),
        ]
    )
    assert reconcile.revisions(df, ["calendar_year", "measure"]) == [
        {"calendar_year": 2020, "measure": "reports_total", "values": "a=21751085; b=21751086"}
    ]


def test_bundling_caveat_travels_with_2024_report_counts_only():
    df = by_year(
        [
            (2023, "reports_total", 1, "a", 1),
            (2024, "reports_total", 2, "a", 1),
            (2024, "incident_child_sex_trafficking", 3, "a", 1),
        ]
    )
    out = apply_caveats("cybertipline_reports_by_year", df)
    assert list(out["note"].fillna("")) == ["", BUNDLING_NOTE, ""]
    assert (
        apply_caveats("cybertipline_reports_by_year", out)["note"].iloc[1] == BUNDLING_NOTE
    )  # idempotent


def test_bundling_caveat_on_esp_rows_keeps_their_footnote():
    df = ESP.assign(
        calendar_year=[2023, 2024, 2024], note=[None, None, "Footnote '*' in the document: x"]
    )
    out = apply_caveats("cybertipline_reports_by_esp", df)
    assert list(out["note"].fillna("")) == [
        "",
        BUNDLING_NOTE,
        f"Footnote '*' in the document: x {BUNDLING_NOTE}",
    ]
