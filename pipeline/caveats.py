"""Caveats that change what a figure means travel with the rows, not only in the documentation."""

from __future__ import annotations

import pandas as pd

BUNDLING_FROM_YEAR = 2024
BUNDLING_NOTE = (
    "From 2024 NCMEC 'bundles' related incidents into one report (one report can stand for many "
    "incidents), so report counts from 2024 on are not comparable with earlier years."
)
# Tables whose rows count CyberTipline reports and have a note column.
_REPORT_COUNT_TABLES = {
    "cybertipline_reports_by_year",
    "cybertipline_reports_to_law_enforcement",
    "cybertipline_reports_by_esp",
    "cybertipline_reports_by_country",
}


def _join(existing, note: str):
    if existing is None or (isinstance(existing, float) and pd.isna(existing)) or existing == "":
        return note
    return existing if note in existing else f"{existing} {note}"


def apply_caveats(table: str, df: pd.DataFrame) -> pd.DataFrame:
    if table not in _REPORT_COUNT_TABLES or df.empty:
        return df
    df = df.copy()
    mask = df["calendar_year"].astype(int) >= BUNDLING_FROM_YEAR
    if table == "cybertipline_reports_by_year":
        mask &= df["measure"].str.startswith("reports_")
    df["note"] = df["note"].astype(object)
    df.loc[mask, "note"] = [_join(v, BUNDLING_NOTE) for v in df.loc[mask, "note"]]
    return df
