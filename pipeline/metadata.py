"""datapackage.json and the data dictionary, generated from the pandera models in ``schemas/``.

The models are the one place a column is defined; nothing here restates a column by hand.
"""

from __future__ import annotations

import importlib
import json

import pandera.pandas as pa

import schemas

PACKAGE = {
    "name": "cybertipline-reports-and-outcomes",
    "title": "CyberTipline reports and law-enforcement outcomes, side by side",
    "description": (
        "What NCMEC publishes about CyberTipline reports (calendar years) and what DOJ/OJJDP, the U.S. "
        "Sentencing Commission and BJS publish about arrests, prosecutions and sentences (federal fiscal "
        "years), each read from the public documents with provenance. The public record does not link "
        "reports to outcomes, so these tables are never joined and no ratio between them is published."
    ),
}

_TYPES = {
    "int64": "integer",
    "Int64": "integer",
    "float64": "number",
    "bool": "boolean",
    "str": "string",
}


def _field_type(column: pa.Column) -> str:
    dtype = str(column.dtype)
    for key, ftype in _TYPES.items():
        if dtype.startswith(key):
            return ftype
    return "string"


def _constraints(column: pa.Column) -> dict:
    out: dict = {}
    if not column.nullable:
        out["required"] = True
    for check in column.checks:
        stats = check.statistics or {}
        name = check.name
        if name == "greater_than_or_equal_to":
            out["minimum"] = stats["min_value"]
        elif name == "greater_than":
            out["exclusiveMinimum"] = stats["min_value"]
        elif name == "less_than_or_equal_to":
            out["maximum"] = stats["max_value"]
        elif name == "isin":
            out["enum"] = sorted(stats["allowed_values"])
        elif name == "str_matches":
            out["pattern"] = stats["pattern"]
        elif name == "str_length":
            if stats.get("min_value") is not None:
                out["minLength"] = stats["min_value"]
            if stats.get("max_value") is not None:
                out["maxLength"] = stats["max_value"]
    return out


def table_fields(table: str) -> list[dict]:
    schema = schemas.TABLES[table].to_schema()
    fields = []
    for name, column in schema.columns.items():
        f = {"name": name, "type": _field_type(column), "description": column.description or ""}
        if f["type"] == "boolean":
            f["trueValues"], f["falseValues"] = ["true"], ["false"]
        unit = (column.metadata or {}).get("unit")
        if unit:
            f["unit"] = unit
        c = _constraints(column)
        if c:
            f["constraints"] = c
        fields.append(f)
    return fields


def _doc(model) -> str:
    return " ".join((model.__doc__ or "").split())


def resource(table: str, with_documents: bool = True) -> dict:
    model = schemas.TABLES[table]
    schema = model.to_schema()
    key = list(getattr(model.Config, "unique", []) or [])
    table_schema: dict = {"fields": table_fields(table), "missingValues": [""]}
    if key and not any(schema.columns[k].nullable for k in key):
        table_schema["primaryKey"] = key
    if table != "documents" and with_documents:
        # Provenance only: every row points at the document it was read from. There is deliberately
        # no relation between reports tables and outcomes tables.
        table_schema["foreignKeys"] = [
            {
                "fields": "document_id",
                "reference": {"resource": "documents", "fields": "document_id"},
            }
        ]
    return {
        "name": table,
        "path": f"{table}.csv",
        "profile": "tabular-data-resource",
        "title": model.Config.title,
        "description": _doc(model),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "family": schemas.family_of(table),
        "schema": table_schema,
    }


def datapackage(tables: list[str]) -> str:
    pkg = dict(PACKAGE)
    pkg["profile"] = "tabular-data-package"
    pkg["resources"] = [resource(t, "documents" in tables) for t in schemas.TABLES if t in tables]
    return json.dumps(pkg, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _value_lists(table: str) -> dict[str, dict[str, str]]:
    """Named value lists (MEASURES, STAGES, RECIPIENTS) defined beside a model explain its codes."""
    module = importlib.import_module(schemas.TABLES[table].__module__)
    return {
        name: value
        for name, value in vars(module).items()
        if name.isupper()
        and isinstance(value, dict)
        and all(isinstance(v, str) for v in value.values())
    }


def data_dictionary(tables: list[str]) -> str:
    """Every table the pipeline can publish; those without a file yet (``tables`` lists the present
    ones) are marked, so analysts know the outcomes columns before the first real document arrives."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from the pandera models in `schemas/` by `pipeline/metadata.py`; do not edit by hand.",
        "",
        PACKAGE["description"],
        "",
        "- **Reports** tables (`cybertipline_*`) count by **calendar year** (`calendar_year`).",
        "- **Outcomes** tables (`icac_*`, `federal_*`) count by **federal fiscal year** (`fiscal_year`, "
        "October-September, named by the year it ends).",
        "- Every row carries `document_id` and `page`; `documents.csv` gives each document's URL, "
        "sha256 and retrieval time.",
        "- Numbers are plain integers (no separators); a missing figure is an empty cell, never 0.",
        "- A figure restated by several editions appears once per edition; `is_latest_edition` marks "
        "the row from the newest one, so `df[df.is_latest_edition]` gives one value per figure "
        "(summing all rows would count a year once per edition).",
        "- `cybertipline_reports_by_esp.esp_key` groups one provider's rows across editions "
        "(spellings, markers, corporate suffixes and reviewed renames folded); "
        "`related_platforms_combined` marks counts that include related platforms.",
        "- Where two documents print comparable figures with different values, the "
        "'Differences between documents' list under the table says what differs, where it is known; "
        "a warning check lists every such difference.",
        "",
    ]
    for table in schemas.TABLES:
        model = schemas.TABLES[table]
        lines += [f"## `{table}.csv` - {model.Config.title}", "", _doc(model), ""]
        if table not in tables:
            lines += [
                "*Not published yet: no document of this family has been parsed and validated.*",
                "",
            ]
        lines += ["| column | type | description |", "| --- | --- | --- |"]
        for f in table_fields(table):
            desc = f["description"].replace("|", "\\|")
            if f.get("unit"):
                desc += f" Unit: {f['unit']}."
            lines.append(f"| `{f['name']}` | {f['type']} | {desc} |")
        lines.append("")
        for list_name, values in _value_lists(table).items():
            lines += [f"{list_name.lower().replace('_', ' ').capitalize()}:", ""]
            lines += [f"- `{k}`: {v}" for k, v in values.items()]
            lines.append("")
    return "\n".join(lines)
