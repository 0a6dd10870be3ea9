"""CHANGES.md as a real diff: per table, rows added, removed and changed by primary key, and for each
changed value old -> new with the document it was read from.

Rows are matched on the table's primary key (the schema's ``Config.unique``), so a corrected figure
reads as one changed value, not as a row removed and a row added; and values are compared only in the
columns both releases have, so a new column reads as "new column X (N rows filled)", not as every row
changed. Where the key cannot be used (a key column is new, or the old file repeats a key) rows are
matched whole, as before. Works on the CSV bytes as published (what readers saw), not on frames.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import schemas

__all__ = ["MAX_LINES", "TableDiff", "diff_tables", "render_changes", "table_key"]

# Lines listed per table and kind of change before "... N more".
MAX_LINES = 20
# A value longer than this is cut in the listing (notes, evidence); the CSV has it whole.
MAX_VALUE = 60


@dataclass
class TableDiff:
    """What changed in one table between two releases. ``rows``, ``added``, ``removed``,
    ``columns_added``, ``columns_removed``, ``changed`` and ``describe()`` match
    ``pipeline.publish.TableChange``, so a publish report can hold either."""

    table: str
    rows: int
    key: tuple[str, ...]
    added_rows: list[dict] = field(default_factory=list)
    removed_rows: list[dict] = field(default_factory=list)
    # (row as published now, {column: (old, new)}) for rows whose key is in both releases
    changed_rows: list[tuple[dict, dict[str, tuple[str, str]]]] = field(default_factory=list)
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()
    filled: dict[str, int] = field(default_factory=dict)  # new column -> rows with a value
    matched_whole_rows: bool = False  # True when the key could not be used
    is_new: bool = False  # no earlier release of the table

    @property
    def added(self) -> int:
        return len(self.added_rows)

    @property
    def removed(self) -> int:
        return len(self.removed_rows)

    @property
    def values_changed(self) -> int:
        return sum(len(c) for _, c in self.changed_rows)

    @property
    def changed(self) -> bool:
        return bool(
            self.added_rows
            or self.removed_rows
            or self.changed_rows
            or self.columns_added
            or self.columns_removed
        )

    def describe(self) -> str:
        text = f"{self.rows} rows; {self.added} added, {self.removed} removed"
        if self.changed_rows:
            n = self.values_changed
            text += f", {len(self.changed_rows)} changed ({n} value{'s' if n != 1 else ''})"
        for col in self.columns_added:
            text += f"; new column {col} ({self.filled.get(col, 0)} rows filled)"
        for col in self.columns_removed:
            text += f"; dropped column {col}"
        if self.matched_whole_rows:
            text += " (rows matched whole: the primary key changed)"
        return text


def table_key(table: str) -> tuple[str, ...]:
    """The schema's primary key (``Config.unique``); empty for a table the schemas do not know."""
    model = schemas.TABLES.get(table)
    return tuple(getattr(model.Config, "unique", None) or ()) if model else ()


def _read(data: bytes | None) -> tuple[list[str], list[dict]]:
    if not data:
        return [], []
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def _index(rows: list[dict], key: tuple[str, ...]) -> dict[tuple, dict] | None:
    """key -> row, or None when a key repeats (then the key cannot match rows)."""
    out: dict[tuple, dict] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        if k in out:
            return None
        out[k] = row
    return out


def diff_tables(
    table: str,
    old_csv_bytes: bytes | None,
    new_csv_bytes: bytes,
    primary_key: tuple[str, ...] | list[str] | None = None,
) -> TableDiff:
    """Rows added, removed and changed between two published CSVs of ``table`` (``old_csv_bytes``
    None or empty: the table is new). ``primary_key`` defaults to the schema's ``Config.unique``."""
    old_cols, old_rows = _read(old_csv_bytes)
    new_cols, new_rows = _read(new_csv_bytes)
    key = tuple(primary_key if primary_key is not None else table_key(table))
    added_cols = tuple(c for c in new_cols if old_cols and c not in old_cols)
    diff = TableDiff(
        table,
        len(new_rows),
        key,
        columns_added=added_cols,
        columns_removed=tuple(c for c in old_cols if c not in new_cols),
        filled={c: sum(1 for r in new_rows if r.get(c, "") != "") for c in added_cols},
        is_new=not old_cols,
    )
    common = [c for c in new_cols if c in old_cols] if old_cols else list(new_cols)
    usable = bool(key) and all(c in common for c in key)
    old_ix = _index(old_rows, key) if usable else None
    new_ix = _index(new_rows, key) if usable else None
    if old_ix is None or new_ix is None:
        # Match whole rows on the shared columns: a row differing anywhere is removed + added.
        diff.matched_whole_rows = bool(old_rows) and bool(key)
        key = tuple(common)
        old_ix = {tuple(r[c] for c in key): r for r in old_rows}
        new_ix = {tuple(r[c] for c in key): r for r in new_rows}
    diff.added_rows = [r for k, r in new_ix.items() if k not in old_ix]
    diff.removed_rows = [r for k, r in old_ix.items() if k not in new_ix]
    for k, new in new_ix.items():
        old = old_ix.get(k)
        if old is None:
            continue
        changes = {c: (old[c], new[c]) for c in common if c not in key and old[c] != new[c]}
        if changes:
            diff.changed_rows.append((new, changes))
    return diff


def _short(value: str) -> str:
    if value == "":
        return "(empty)"
    return value if len(value) <= MAX_VALUE else value[: MAX_VALUE - 1] + "\u2026"


def _where(row: dict, key: tuple[str, ...]) -> str:
    """The row's key without its document (named after it), e.g. `2020, reports_esp` in doc p. 2."""
    shown = [c for c in key if c != "document_id"] or list(key)
    text = "`" + ", ".join(f"{c}={_short(row.get(c, ''))}" for c in shown) + "`"
    doc = row.get("document_id")
    if doc:
        text += f" in {doc}"
        if row.get("page"):
            text += f" p. {row['page']}"
    return text


def _lines(diff: TableDiff, limit: int) -> list[str]:
    items: list[str] = []
    for row, changes in diff.changed_rows:
        what = "; ".join(f"{c} {_short(o)} -> {_short(n)}" for c, (o, n) in changes.items())
        items.append(f"changed {_where(row, diff.key)}: {what}")
    items += [f"added {_where(r, diff.key)}" for r in diff.added_rows]
    items += [f"removed {_where(r, diff.key)}" for r in diff.removed_rows]
    shown = [f"  - {line}" for line in items[:limit]]
    if len(items) > limit:
        shown.append(f"  - ... {len(items) - limit} more")
    return shown


def render_changes(diffs, limit: int = MAX_LINES) -> str:
    """Markdown lines for one CHANGES.md entry: one bullet per changed table, then up to ``limit``
    indented lines naming what changed (changed values first, old -> new, with their document).
    ``diffs``: TableDiff values, or a mapping of table -> TableDiff."""
    diffs = list(diffs.values()) if isinstance(diffs, dict) else list(diffs)
    out: list[str] = []
    for d in diffs:
        if not d.changed:
            continue
        out.append(f"- `{d.table}.csv`: {d.describe()}" + (" (new table)" if d.is_new else ""))
        if not d.is_new:  # a first release would list every row
            out += _lines(d, limit)
    return "\n".join(out) + ("\n" if out else "")
