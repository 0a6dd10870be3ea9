"""Reconciliation and consistency rules over assembled tables: plain functions returning problems.

Each returns a list of dicts (empty when everything holds) so the Dagster checks, the tests and the
refresh summary can all say exactly which document, page, stated and summed values disagree.
"""

from __future__ import annotations

import pandas as pd

# (parts table, stated measure in cybertipline_reports_by_year, value column of the parts table)
ROW_SUM_RULES = {
    "cybertipline_reports_by_esp": ("reports_esp", "reports"),
    "cybertipline_reports_by_country": ("reports_total", "reports"),
}
# In one document and year, these measures must add up to the first one when all are printed.
PART_RULES = [
    ("reports_total", ("reports_esp", "reports_public")),
    (
        "reports_total",
        ("reports_location_us", "reports_location_international", "reports_location_unknown"),
    ),
]


def row_sums(parts_table: str, parts: pd.DataFrame, by_year: pd.DataFrame) -> list[dict]:
    """Rows of each document must sum exactly to the total the same document prints."""
    measure, col = ROW_SUM_RULES[parts_table]
    stated = by_year[by_year["measure"] == measure].set_index("document_id")
    problems = []
    for doc_id, group in parts.groupby("document_id", sort=True):
        summed = int(group[col].sum())
        if doc_id not in stated.index:
            problems.append(
                {
                    "document_id": doc_id,
                    "page": None,
                    "stated": None,
                    "summed": summed,
                    "problem": f"no {measure} total stated for this document",
                }
            )
            continue
        row = stated.loc[doc_id]
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        if int(row["value"]) != summed:
            problems.append(
                {
                    "document_id": doc_id,
                    "page": int(row["page"]),
                    "stated": int(row["value"]),
                    "summed": summed,
                    "problem": f"rows do not sum to the stated {measure}",
                }
            )
    return problems


def parts_equal_totals(by_year: pd.DataFrame) -> list[dict]:
    """Within one document and year, printed parts add up to the printed total."""
    problems = []
    for (doc_id, year), g in by_year.groupby(["document_id", "calendar_year"], sort=True):
        values = dict(zip(g["measure"], g["value"].astype(int), strict=False))
        pages = dict(zip(g["measure"], g["page"].astype(int), strict=False))
        for total, parts in PART_RULES:
            if total in values and all(p in values for p in parts):
                summed = sum(values[p] for p in parts)
                if summed != values[total]:
                    problems.append(
                        {
                            "document_id": doc_id,
                            "page": pages[total],
                            "calendar_year": int(year),
                            "stated": values[total],
                            "summed": summed,
                            "problem": f"{' + '.join(parts)} != {total}",
                        }
                    )
    return problems


def class_totals(to_le: pd.DataFrame) -> list[dict]:
    """actionable + informational = total, per document, year and recipient."""
    problems = []
    for (doc_id, year, rec), g in to_le.groupby(
        ["document_id", "calendar_year", "recipient"], sort=True
    ):
        v = dict(zip(g["report_class"], g["reports"].astype(int), strict=False))
        if {"actionable", "informational", "total"} <= set(v):
            summed = v["actionable"] + v["informational"]
            if summed != v["total"]:
                page = int(g[g["report_class"] == "total"]["page"].iloc[0])
                problems.append(
                    {
                        "document_id": doc_id,
                        "page": page,
                        "calendar_year": int(year),
                        "recipient": rec,
                        "stated": v["total"],
                        "summed": summed,
                        "problem": "actionable + informational != total",
                    }
                )
    return problems


def revisions(df: pd.DataFrame, key: list[str], value: str = "value") -> list[dict]:
    """The same figure printed by several documents with different values (warning, not an error:
    publishers revise; the table keeps every vintage)."""
    out = []
    for k, g in df.groupby(key, sort=True):
        if g[value].nunique(dropna=True) > 1:
            k = k if isinstance(k, tuple) else (k,)
            out.append(
                {
                    **dict(zip(key, k, strict=True)),
                    "values": "; ".join(
                        f"{d}={v}" for d, v in zip(g["document_id"], g[value], strict=True)
                    ),
                }
            )
    return out
