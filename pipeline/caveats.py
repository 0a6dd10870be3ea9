"""Caveats that change what a figure means travel with the rows, not only in the documentation; and
the few derived columns an analyst reaches for first, computed once here at assembly (never by a
parser, so every edition's rows get them the same way):

* the 2024 bundling note on report counts;
* ``esp_key`` and ``related_platforms_combined`` on ``cybertipline_reports_by_esp``
  (:mod:`pipeline.esp_names`);
* ``is_latest_edition`` on every table whose figures several editions restate (:data:`EDITIONED`):
  per figure, exactly one row is true, the one read from the newest edition (:func:`edition_rank`).

Every row of every edition stays published; the flags only say which one to prefer.
"""

from __future__ import annotations

import pandas as pd

import schemas
from pipeline.esp_names import add_esp_columns
from pipeline.registry import registry

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

# Tables whose figures are restated by several editions (a transparency report restates two earlier
# years, a Quick Facts sheet four, the ICAC page is captured many times). The by-ESP and by-country
# tables are not listed: one document per year prints them, so every row would be its own latest.
EDITIONED = (
    "cybertipline_reports_by_year",
    "cybertipline_reports_to_law_enforcement",
    "cybertipline_law_enforcement_feedback",
    "icac_task_force_activity",
    "federal_sentencing",
    "federal_prosecutions",
)
# Columns that name the edition rather than the figure; the rest of the primary key names the figure.
EDITION_COLUMNS = ("document_id", "capture_timestamp")
# Columns this module adds; parsers do not produce them (pipeline.build.assemble leaves them out when
# it selects the parsers' columns).
DERIVED_COLUMNS = {
    "cybertipline_reports_by_esp": ("esp_key", "related_platforms_combined"),
    **{t: ("is_latest_edition",) for t in EDITIONED},
}


def figure_key(table: str) -> list[str]:
    """What one figure is, whichever edition prints it: the primary key without the edition."""
    return [c for c in schemas.TABLES[table].Config.unique if c not in EDITION_COLUMNS]


def _period_end(period: str, period_type: str) -> str | None:
    """YYYYMMDD the document's period ends, e.g. '2010-2015' fiscal -> '20150930'."""
    years = [int(y) for y in period.replace("-", " ").split() if y.isdigit()]
    if not years:
        return None
    return f"{max(years)}{'0930' if period_type == 'fiscal' else '1231'}"


def edition_rank(document_id: str, capture_timestamp=None, index: dict | None = None) -> tuple:
    """Sort key: a larger rank is a newer edition.

    "Newest" is the edition whose information is most recent: for a web-archive capture its capture
    date; otherwise the end of the period the registry gives the document (a 2020-2022 transparency
    report ranks as of 31 Dec 2022, a FY 2010-2015 strategy as of 30 Sep 2015); a live copy of a page
    overwritten in place ('current') is newer than any capture. Ties (documents about the same period,
    e.g. the 2022 by-country PDF and the CY 2022 transparency report) go to the later entry in the
    registry (pipeline/sources.toml lists editions oldest first); a document not in the registry
    ranks below every registered one. ``index`` is :func:`registry_index`, passed when ranking many
    rows."""
    index = registry_index() if index is None else index
    if document_id not in index:
        return ("", -1, str(document_id))
    i, doc = index[document_id]
    if isinstance(capture_timestamp, str) and capture_timestamp:
        date = capture_timestamp[:8]
    else:
        date = _period_end(doc.period, doc.period_type) or "99999999"
    return (date, i, document_id)


def registry_index() -> dict:
    """document id -> (position in the registry, Document)."""
    return {d.id: (i, d) for i, d in enumerate(registry())}


def latest_edition(table: str, df: pd.DataFrame) -> pd.Series:
    """True on exactly one row per figure (:func:`figure_key`): the one from the newest edition."""
    if df.empty:
        return pd.Series([], index=df.index, dtype=bool)
    captures = (
        df["capture_timestamp"] if "capture_timestamp" in df.columns else pd.Series(None, df.index)
    )
    index = registry_index()
    rank = pd.Series(
        [edition_rank(d, c, index) for d, c in zip(df["document_id"], captures, strict=True)],
        index=df.index,
    )
    key = figure_key(table)
    groups = df[key].astype(str).agg("\x1f".join, axis=1) if key else pd.Series("", df.index)
    newest = rank.groupby(groups).transform("max")
    flags = rank == newest
    # One edition printing one figure twice is refused by the schema's unique key; should it reach
    # here all the same, only its first row is flagged, so the promise of one row per figure holds.
    return flags & ~(groups[flags].duplicated().reindex(df.index, fill_value=False))


def _join(existing, note: str):
    if existing is None or (isinstance(existing, float) and pd.isna(existing)) or existing == "":
        return note
    return existing if note in existing else f"{existing} {note}"


def _bundling(table: str, df: pd.DataFrame) -> pd.DataFrame:
    mask = df["calendar_year"].astype(int) >= BUNDLING_FROM_YEAR
    if table == "cybertipline_reports_by_year":
        mask &= df["measure"].str.startswith("reports_")
    df["note"] = df["note"].astype(object)
    df.loc[mask, "note"] = [_join(v, BUNDLING_NOTE) for v in df.loc[mask, "note"]]
    return df


def _schema_order(table: str, df: pd.DataFrame) -> pd.DataFrame:
    if table not in schemas.TABLES:
        return df
    columns = list(schemas.TABLES[table].to_schema().columns)
    return df[[c for c in columns if c in df.columns] + [c for c in df.columns if c not in columns]]


def apply_caveats(table: str, df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    if table in _REPORT_COUNT_TABLES and len(df):
        df = _bundling(table, df)
    if table == "cybertipline_reports_by_esp":
        df = (
            add_esp_columns(df) if len(df) else df.assign(esp_key=[], related_platforms_combined=[])
        )
    if table in EDITIONED and {"document_id", *figure_key(table)} <= set(df.columns):
        df["is_latest_edition"] = latest_edition(table, df)
    return _schema_order(table, df)
