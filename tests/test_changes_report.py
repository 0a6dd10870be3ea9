"""CHANGES.md as a real diff: rows matched on the schema's primary key, one changed value reads as
old -> new with its document, and a new column reads as a new column, not as every row changed."""

from __future__ import annotations

import pandas as pd

from pipeline.changes_report import diff_tables, render_changes, table_key
from pipeline.publish import render_csv

BY_YEAR = "cybertipline_reports_by_year"
BY_ESP = "cybertipline_reports_by_esp"


def by_year(values=(21_751_085, 21_447_786, 303_299)):
    measures = ("reports_total", "reports_esp", "reports_public")
    return pd.DataFrame(
        {
            "calendar_year": [2020] * 3,
            "measure": list(measures),
            "value": list(values),
            "qualifier": [None] * 3,
            "note": [None] * 3,
            "document_id": ["ncmec_transparency_2022"] * 3,
            "page": [4] * 3,
        }
    )


def by_esp(n=3):
    return pd.DataFrame(
        {
            "calendar_year": [2020] * n,
            "esp_name": ["Facebook*", "Twitter", "Zoom"][:n],
            "reports": [20_307_216, 65_062, 499][:n],
            "note": ["Footnote '*' in the document: Report totals ... combined.", None, None][:n],
            "document_id": ["ncmec_esp_2020"] * n,
            "page": [3, 6, 6][:n],
        }
    )


def test_primary_key_is_the_schemas_unique():
    assert table_key(BY_YEAR) == ("document_id", "calendar_year", "measure")
    assert table_key("documents") == ("document_id", "sha256")


def test_one_changed_value_reads_old_to_new_with_its_document():
    diff = diff_tables(
        BY_YEAR,
        render_csv(by_year()),
        render_csv(by_year(values=(1, 21_447_786, 303_299))),
        table_key(BY_YEAR),
    )
    assert (diff.added, diff.removed, len(diff.changed_rows), diff.values_changed) == (0, 0, 1, 1)
    assert render_changes([diff]) == (
        "- `cybertipline_reports_by_year.csv`: 3 rows; 0 added, 0 removed, 1 changed (1 value)\n"
        "  - changed `calendar_year=2020, measure=reports_total` in ncmec_transparency_2022 p. 4: "
        "value 21751085 -> 1\n"
    )


def test_an_added_column_reads_as_a_new_column_not_as_changed_rows():
    old = render_csv(by_esp())
    new_frame = by_esp().assign(esp_key=["facebook", "twitter", "zoom"])
    new_frame.loc[2, "esp_key"] = None  # one row left empty: "2 rows filled"
    diff = diff_tables(BY_ESP, old, render_csv(new_frame), table_key(BY_ESP))
    assert (diff.added, diff.removed, diff.changed_rows) == (0, 0, [])
    assert diff.columns_added == ("esp_key",) and diff.filled == {"esp_key": 2}
    assert render_changes({BY_ESP: diff}) == (
        "- `cybertipline_reports_by_esp.csv`: 3 rows; 0 added, 0 removed; "
        "new column esp_key (2 rows filled)\n"
    )


def test_rows_added_and_removed_by_key_and_a_dropped_column():
    old = by_esp().drop(index=1)  # Twitter is new in the new release
    new = by_esp().drop(index=2).drop(columns=["note"])  # Zoom removed, note dropped
    diff = diff_tables(BY_ESP, render_csv(old), render_csv(new))
    assert render_changes([diff]) == (
        "- `cybertipline_reports_by_esp.csv`: 2 rows; 1 added, 1 removed; dropped column note\n"
        "  - added `esp_name=Twitter` in ncmec_esp_2020 p. 6\n"
        "  - removed `esp_name=Zoom` in ncmec_esp_2020 p. 6\n"
    )


def test_listing_is_capped_per_table():
    old = by_year()
    new = old.assign(value=old["value"] + 1, page=5)
    diff = diff_tables(BY_YEAR, render_csv(old), render_csv(new))
    text = render_changes([diff], limit=2)
    assert "3 changed (6 values)" in text
    assert text.splitlines()[1] == (
        "  - changed `calendar_year=2020, measure=reports_total` in ncmec_transparency_2022 p. 5: "
        "value 21751085 -> 21751086; page 4 -> 5"
    )
    assert text.splitlines()[-1] == "  - ... 1 more"
    assert len(text.splitlines()) == 4


def test_unchanged_new_and_rekeyed_tables():
    same = render_csv(by_year())
    assert not diff_tables(BY_YEAR, same, same).changed
    assert render_changes([diff_tables(BY_YEAR, same, same)]) == ""
    first = diff_tables(BY_YEAR, None, same)
    assert render_changes([first]) == (
        "- `cybertipline_reports_by_year.csv`: 3 rows; 3 added, 0 removed (new table)\n"
    )
    # A key column the old release lacks: rows are matched whole on the shared columns.
    old = render_csv(by_year().drop(columns=["measure"]))
    diff = diff_tables(BY_YEAR, old, same)
    assert diff.matched_whole_rows and diff.columns_added == ("measure",)
    assert (diff.added, diff.removed) == (0, 0)
