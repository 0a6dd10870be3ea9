"""Labels the normalisation tables do not know yet: what the non-blocking unknown-labels check lists.

A country name that :mod:`pipeline.countries` cannot map is published as printed with its code empty,
because one misspelt territory must not stop a release (reconciliation with the printed total is what
blocks). This module finds those rows so a person can review them, with the closest known names as
suggestions. Suggestions are never applied: a code is assigned only by a reviewed entry in
``countries.OVERRIDES``.

Which tables can hold such a label is declared once, in :data:`LABEL_COLUMNS`:

* ``cybertipline_reports_by_country``: ``country_as_printed`` -> ``country_iso3``. The unknown-location
  row ("Null", "No Country Listed*") has no code by design and is not listed.
* ``cybertipline_reports_by_esp``: ESP names are published as printed and nothing normalises them, so
  no ESP label can be unknown; the table is declared with no label column.
* ``cybertipline_reports_to_law_enforcement`` and ``cybertipline_law_enforcement_feedback``: the
  recipient rows are part of the table's structure (they identify the table and fill a closed set of
  categories), so an unrecognised recipient stops the document in the parser instead; these tables
  never hold an empty recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline import countries
from pipeline.parsers.ncmec_country import FOOTNOTE_MARKERS

__all__ = ["LABEL_COLUMNS", "LabelColumn", "unknown_labels"]


@dataclass(frozen=True)
class LabelColumn:
    label: str  # the label as printed
    normalised: str  # the column left empty when the label is not known
    exempt: str | None = None  # boolean column: rows empty by design (the unknown-location row)


LABEL_COLUMNS: dict[str, LabelColumn | None] = {
    "cybertipline_reports_by_country": LabelColumn(
        "country_as_printed", "country_iso3", exempt="is_location_unknown"
    ),
    "cybertipline_reports_by_esp": None,
    "cybertipline_reports_to_law_enforcement": None,
    "cybertipline_law_enforcement_feedback": None,
}


def _suggest(label: str) -> str:
    name = label.rstrip(FOOTNOTE_MARKERS).strip()
    return "; ".join(f"{known} ({code})" for known, code in countries.suggestions(name))


def unknown_labels(table: str, df: pd.DataFrame) -> list[dict]:
    """One dict per row whose label the normalisation tables do not know, sorted by document, page
    and label: ``document_id``, ``page``, ``label`` (as printed), ``column`` (the normalised column
    left empty) and ``suggestions`` (closest known names with their codes, "; "-separated, for a
    person to confirm in ``countries.OVERRIDES``; may be empty).

    Tables without a normalised label column return an empty list; a table this module does not
    know raises ValueError, so a misspelt table name cannot silently pass the check."""
    if table not in LABEL_COLUMNS:
        raise ValueError(f"unknown table {table!r}; expected one of {sorted(LABEL_COLUMNS)}")
    spec = LABEL_COLUMNS[table]
    if spec is None or df.empty:
        return []
    # None from the parser, NaN or "" after a CSV round trip: all mean "not known".
    empty = df[spec.normalised].fillna("").astype(str).str.strip() == ""
    if spec.exempt is not None:
        empty &= ~df[spec.exempt].astype(bool)
    out = [
        {
            "document_id": row["document_id"],
            "page": int(row["page"]),
            "label": row[spec.label],
            "column": spec.normalised,
            "suggestions": _suggest(row[spec.label]),
        }
        for _, row in df[empty].iterrows()
    ]
    return sorted(out, key=lambda d: (d["document_id"], d["page"], d["label"]))
