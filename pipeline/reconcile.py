"""Reconciliation and consistency rules over assembled tables: plain functions returning problems.

Each returns a list of dicts (empty when everything holds) so the Dagster checks, the tests and the
refresh summary can all say exactly which document, page, stated and summed values disagree.
"""

from __future__ import annotations

import pandas as pd

from pipeline.caveats import edition_rank, registry_index

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


# -- cross-document disagreements (WARN) ------------------------------------------------------------
# The five inhabited U.S. territories the by-country PDFs list as countries and the transparency
# reports count as U.S. (checked on CY 2021, where they explain the whole difference).
US_TERRITORIES = ("ASM", "GUM", "MNP", "PRI", "VIR")
# by_year location measure -> which by-country rows print a comparable figure.
_COUNTRY_FIGURES = {
    "reports_location_us": "'United States' row",
    "reports_location_unknown": "no-country row(s) (is_location_unknown)",
    "reports_location_international": "all other country rows",
}


def _country_figures(rows: pd.DataFrame) -> dict[str, tuple[int, int | None, int]]:
    """measure -> (value, page, territories' reports) from one by-country document's rows."""
    iso = rows["country_iso3"].fillna("")
    unknown = rows["is_location_unknown"].astype(bool)
    us = rows[iso == "USA"]
    other = rows[~unknown & (iso != "USA")]
    territories = int(rows.loc[iso.isin(US_TERRITORIES), "reports"].sum())

    def page(df):
        return int(df["page"].iloc[0]) if len(df) == 1 else None

    return {
        "reports_location_us": (int(us["reports"].sum()), page(us), territories),
        "reports_location_unknown": (
            int(rows.loc[unknown, "reports"].sum()),
            page(rows[unknown]),
            territories,
        ),
        "reports_location_international": (int(other["reports"].sum()), None, territories),
    }


def _location_reason(measure: str, diff: int, territories: int, unknown_shift: int) -> tuple:
    """(kind, reason) for transparency value - by-country value = diff. ``unknown_shift`` is how many
    more reports the by-country PDF lists under no country than the transparency report does."""
    parts = {
        "reports_location_us": [
            (territories, "the five inhabited U.S. territories"),
            (unknown_shift, "reports the by-country PDF lists under no country"),
        ],
        "reports_location_international": [(-territories, "the five inhabited U.S. territories")],
        "reports_location_unknown": [
            (-unknown_shift, "reports the transparency report places in the U.S.")
        ],
    }[measure]
    explained = [(n, what) for n, what in parts if n]
    rest = diff - sum(n for n, _ in explained)
    said = "; ".join(f"{n:+,} {what}" for n, what in explained)
    if rest == 0:
        return "definitions differ", f"definitions differ: {said} explain the whole difference"
    tail = f"{rest:+,} unexplained (a revision or a definition neither document states)"
    return "partly unexplained", "definitions differ: " + (f"{said}; {tail}" if said else tail)


def disagreements(by_year: pd.DataFrame, by_country: pd.DataFrame | None = None) -> list[dict]:
    """Comparable figures that two documents print with different values (WARN: both stay
    published). Two kinds:

    * the same (calendar_year, measure) in two editions of ``cybertipline_reports_by_year``: each
      older edition is compared with the latest (``is_latest_edition``); kind ``revision``;
    * the transparency reports' location measures (reports_location_us / _unknown /
      _international) against the same year's by-country PDF rows ('United States', the no-country
      row, the rest); the reason decomposes the difference into what is known
      (schemas/cybertipline_reports_by_year.py DIFFERENCES_BETWEEN_DOCUMENTS says it in words).

    Each problem names both documents with page and value, the difference (b - a), ``kind``
    ('revision', 'definitions differ', 'partly unexplained') and ``reason``."""
    index = registry_index()
    out: list[dict] = []
    for (year, measure), g in by_year.groupby(["calendar_year", "measure"], sort=True):
        if g["document_id"].nunique() < 2:
            continue
        ranked = sorted(
            g.itertuples(index=False),
            key=lambda r: edition_rank(r.document_id, None, index),
            reverse=True,
        )
        latest = ranked[0]
        for r in ranked[1:]:
            if int(r.value) != int(latest.value):
                out.append(
                    _problem(
                        year,
                        measure,
                        r.document_id,
                        r.page,
                        r.value,
                        latest.document_id,
                        latest.page,
                        latest.value,
                        "revision",
                        f"revision: the later edition {latest.document_id} prints a "
                        f"different value for the same measure; neither document explains it",
                    )
                )
    if by_country is None or by_country.empty:
        return out
    unknown_shift: dict[tuple, int] = {}
    rows = []
    for (year, doc_c), rows_c in by_country.groupby(["calendar_year", "document_id"], sort=True):
        figures = _country_figures(rows_c)
        b = by_year[(by_year["calendar_year"] == year) & by_year["measure"].isin(_COUNTRY_FIGURES)]
        for doc_b, g in b.groupby("document_id", sort=True):
            printed = {
                m: (int(v), int(p))
                for m, v, p in zip(g["measure"], g["value"], g["page"], strict=True)
            }
            if "reports_location_unknown" in printed:
                unknown_shift[(year, doc_c, doc_b)] = (
                    figures["reports_location_unknown"][0] - printed["reports_location_unknown"][0]
                )
            rows.append((year, doc_c, doc_b, figures, printed))
    for year, doc_c, doc_b, figures, printed in rows:
        for measure, (value_b, page_b) in printed.items():
            value_a, page_a, territories = figures[measure]
            if value_a == value_b:
                continue
            kind, reason = _location_reason(
                measure, value_b - value_a, territories, unknown_shift.get((year, doc_c, doc_b), 0)
            )
            out.append(
                _problem(
                    year,
                    measure,
                    doc_c,
                    page_a,
                    value_a,
                    doc_b,
                    page_b,
                    value_b,
                    kind,
                    f"{reason} (document a: {_COUNTRY_FIGURES[measure]})",
                )
            )
    return out


def _problem(year, measure, doc_a, page_a, value_a, doc_b, page_b, value_b, kind, reason) -> dict:
    return {
        "calendar_year": int(year),
        "measure": measure,
        "document_a": doc_a,
        "page_a": None if page_a is None or pd.isna(page_a) else int(page_a),
        "value_a": int(value_a),
        "document_b": doc_b,
        "page_b": None if page_b is None or pd.isna(page_b) else int(page_b),
        "value_b": int(value_b),
        "difference": int(value_b) - int(value_a),
        "kind": kind,
        "reason": reason,
    }
