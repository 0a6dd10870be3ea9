"""Small builders for Dagster metadata shared by the asset modules."""

import dagster as dg

import schemas


def md_table(rows: list[dict], limit: int = 50) -> dg.MetadataValue:
    """A markdown table (Dagster renders it in the asset's and check's metadata panes)."""
    if not rows:
        return dg.MetadataValue.md("(none)")
    cols = list(dict.fromkeys(k for r in rows for k in r))

    def cell(value) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
    for r in rows[:limit]:
        lines.append("| " + " | ".join(cell(r.get(c)) for c in cols) + " |")
    if len(rows) > limit:
        lines.append(f"\n... {len(rows) - limit} more")
    return dg.MetadataValue.md("\n".join(lines))


def column_schema(table: str) -> dg.TableSchema:
    cols = schemas.TABLES[table].to_schema().columns
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, str(c.dtype), description=c.description)
            for name, c in cols.items()
        ]
    )
