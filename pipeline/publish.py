"""Write-audit-publish of the tidy CSVs in ``processed/`` (``PIPELINE_PROCESSED_DIR``).

All tables handed to :func:`publish` are validated first; only if every one passes are they rendered into
a staging folder and moved over the published files. Any failure before that point leaves every
previously published file byte-identical. Output bytes are deterministic: stable row order (set by
``pipeline.build.assemble``), fixed number formatting, ``\\n`` line ends, UTF-8.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

import schemas
from pipeline import release
from pipeline.archive import REPO_ROOT
from pipeline.changes_report import TableDiff, diff_tables, render_changes, table_key
from pipeline.metadata import data_dictionary, datapackage


def default_processed_dir() -> Path:
    return Path(os.environ.get("PIPELINE_PROCESSED_DIR") or REPO_ROOT / "processed")


class PublishBlocked(RuntimeError):
    """Validation failed; nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("publishing blocked: " + " | ".join(problems))


@dataclass
class PublishReport:
    out_dir: Path
    changes: dict[str, TableDiff] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)  # files actually replaced

    def summary(self) -> str:
        parts = [f"{t}: {c.rows} rows (+{c.added}/-{c.removed})" for t, c in self.changes.items()]
        return "; ".join(parts)


def contract_problems(table: str, df: pd.DataFrame) -> list[str]:
    """The data contract: reports tables use calendar_year, outcomes tables fiscal_year, never both."""
    family = schemas.family_of(table)
    cols = set(df.columns)
    problems = []
    if {"calendar_year", "fiscal_year"} <= cols:
        problems.append(f"{table}: has both calendar_year and fiscal_year")
    if family == "reports" and "calendar_year" not in cols:
        problems.append(f"{table}: a reports table must have calendar_year")
    if family == "outcomes" and "fiscal_year" not in cols:
        problems.append(f"{table}: an outcomes table must have fiscal_year")
    # The schema lets parsers' own rows omit the columns assembly derives; a published file may not,
    # since datapackage.json declares every column.
    missing = [c for c in schemas.TABLES[table].to_schema().columns if c not in cols]
    if missing:
        problems.append(f"{table}: missing columns {', '.join(missing)}")
    return problems


def validate(table: str, df: pd.DataFrame) -> tuple[pd.DataFrame | None, list[str]]:
    """Validated (coerced) frame, or None and one line per failure case."""
    problems = contract_problems(table, df)
    # Failure cases are reported by row position; a duplicate index would also trip pandera's
    # failure-case formatting under pandas 3.
    df = df.reset_index(drop=True)
    try:
        out = schemas.TABLES[table].validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        for _, row in fc.head(50).iterrows():
            problems.append(
                f"{table}: column {row['column']} failed {row['check']} "
                f"(value {row['failure_case']!r}, row {row['index']})"
            )
        if len(fc) > 50:
            problems.append(f"{table}: ... and {len(fc) - 50} more failure cases")
        return None, problems
    return (out if not problems else None), problems


def published_document_ids(tables: dict[str, pd.DataFrame], out_dir: Path) -> set[str]:
    """Documents with rows in a table being published now or already published (and not replaced)."""
    ids: set[str] = set()
    for name in schemas.TABLES:
        if name == "documents":
            continue
        if name in tables:
            ids.update(tables[name]["document_id"].astype(str))
        elif (out_dir / f"{name}.csv").exists():
            with open(out_dir / f"{name}.csv", newline="", encoding="utf-8") as fh:
                ids.update(row["document_id"] for row in csv.DictReader(fh))
    return ids


def merge_used_in(documents: pd.DataFrame, publishing: set[str], out_dir: Path) -> pd.DataFrame:
    """``used_in_tables`` as it will be once this publish lands: each table's membership comes from the
    build for the tables published now, and from the published documents.csv for every other table
    (whose CSV is not replaced, so its rows still come from the copies recorded then)."""
    old: dict[tuple[str, str], set[str]] = {}
    path = out_dir / "documents.csv"
    if path.exists():
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                used = row.get("used_in_tables") or ""
                old[(row["document_id"], row["sha256"])] = {t for t in used.split(";") if t}
    documents = documents.copy()
    merged = []
    for doc_id, sha, used in zip(
        documents["document_id"], documents["sha256"], documents["used_in_tables"], strict=True
    ):
        now = {t for t in (used if isinstance(used, str) else "").split(";") if t} & publishing
        kept = old.get((doc_id, sha), set()) - publishing
        merged.append(";".join(sorted(now | kept)) or None)
    documents["used_in_tables"] = merged
    documents["is_parsed"] = documents["used_in_tables"].notna()
    return documents


def confirm_verified(
    documents: pd.DataFrame, tables: dict[str, pd.DataFrame], out_dir: Path
) -> pd.DataFrame:
    """A parser counts as verified on a real copy only once rows read from that copy are published:
    a real copy whose parse failed leaves ``parser_verified`` false."""
    published = published_document_ids(tables, out_dir)
    documents = documents.copy()
    documents["parser_verified"] = (
        documents["parser_verified"]
        & documents["is_parsed"]
        & documents["document_id"].isin(published)
    )
    return documents


def _cell(value) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else format(value, ".10g")
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    if isinstance(value, str):
        return neutralise_formula(value)
    return str(value)  # ints (negative ones too) are numbers, never formulas


# A text cell a spreadsheet would run as a formula (OWASP "CSV injection"): =, +, -, @, tab, CR first.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Prefix a quote to a TEXT cell that a spreadsheet would evaluate, so it is shown, not run.
    Numbers are rendered before this and never reach it; no published text cell starts so today, so
    this only matters if a document prints one (it is then visible in the CSV as a leading ')."""
    return "'" + text if text.startswith(FORMULA_START) else text


def render_csv(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(df.columns)
    for row in df.itertuples(index=False, name=None):
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def publish(tables: dict[str, pd.DataFrame], out_dir: Path | None = None) -> PublishReport:
    """Validate every table, then switch to a new release holding them (:mod:`pipeline.release`).
    Raises PublishBlocked (writing nothing) if any table fails. Each table has its own publish step, and
    those steps may run at once (Dagster's multiprocess executor); they share documents.csv,
    datapackage.json and CHANGES.md, so each publish holds a lock, and documents.csv is merged so it
    speaks for every table published so far."""
    out_dir = Path(out_dir) if out_dir is not None else default_processed_dir()
    with release.locked(out_dir):
        return _publish(tables, out_dir)


def _publish(tables: dict[str, pd.DataFrame], out_dir: Path) -> PublishReport:
    problems: list[str] = []
    validated: dict[str, pd.DataFrame] = {}
    for name, df in tables.items():
        if name not in schemas.TABLES:
            problems.append(f"{name}: not a published table")
            continue
        ok, found = validate(name, df)
        problems += found
        if ok is not None:
            validated[name] = ok
    if problems:
        raise PublishBlocked(problems)

    if "documents" in validated:
        publishing = set(validated) - {"documents"}
        documents = merge_used_in(validated["documents"], publishing, out_dir)
        validated["documents"] = confirm_verified(documents, validated, out_dir)
    rendered = {f"{name}.csv": render_csv(df) for name, df in validated.items()}
    present = {p.stem for p in out_dir.glob("*.csv") if p.stem in schemas.TABLES} | set(validated)
    # (out_dir may not exist yet: glob then finds nothing and the first release is created.)
    rendered.update(_charts(validated, rendered, out_dir))
    rendered["datapackage.json"] = datapackage(sorted(present)).encode("utf-8")
    rendered["README.md"] = data_dictionary(sorted(present)).encode("utf-8")

    report = PublishReport(out_dir)
    for fname, data in rendered.items():
        if fname.endswith(".csv"):
            old = out_dir / fname
            table = fname[:-4]
            report.changes[table] = diff_tables(
                table, old.read_bytes() if old.exists() else None, data, table_key(table)
            )

    # A file whose bytes would not change is not rewritten: an unchanged world leaves every published
    # file with the same bytes and the same mtime (so `make`, rsync and git see nothing to do).
    rendered = {
        fname: data
        for fname, data in rendered.items()
        if not ((out_dir / fname).exists() and (out_dir / fname).read_bytes() == data)
    }
    report.written = sorted(rendered)
    if not rendered:
        return report
    changed = [t for t, c in report.changes.items() if c.changed]
    if changed:
        rendered["CHANGES.md"] = _changes_entry(out_dir, report, changed)
    # Everything is validated and rendered: the new release is staged beside the old and switched in
    # one step, so a reader or a crash sees one whole release, never a mix.
    release.switch(release.stage(out_dir, rendered), out_dir)
    return report


def read_published(table: str, path: Path) -> pd.DataFrame:
    """A published CSV back as typed columns (booleans from 'true'/'false', integers, empty = missing),
    so derived outputs can be made from the release without re-running any parser."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for name, col in schemas.TABLES[table].to_schema().columns.items():
        if name not in df.columns:
            continue
        dtype = str(col.dtype)
        if dtype == "bool":
            df[name] = df[name].map({"true": True, "false": False})
        elif dtype.lower().startswith("int"):
            df[name] = pd.to_numeric(df[name].replace("", None)).astype("Int64")
        elif dtype.startswith("float"):
            df[name] = pd.to_numeric(df[name].replace("", None))
        else:
            df[name] = df[name].replace("", None)
    return df


CHART_INPUTS = "charts/inputs.sha256"


def _charts(
    validated: dict[str, pd.DataFrame], rendered: dict[str, bytes], out_dir: Path
) -> dict[str, bytes]:
    """processed/charts/*.png from the release as it will be: the tables published now plus those
    already published. Rendered only when the bytes of a table a chart reads change (the digest of
    those tables is kept beside the charts), since rendering costs about a second."""
    from pipeline.charts import CHART_TABLES, render_charts

    if not (set(validated) & CHART_TABLES):
        return {}
    digest = hashlib.sha256(Path(render_charts.__code__.co_filename).read_bytes())  # chart code too
    for t in sorted(CHART_TABLES):
        path = out_dir / f"{t}.csv"
        data = rendered.get(f"{t}.csv") or (path.read_bytes() if path.exists() else b"")
        digest.update(f"{t}:{len(data)}:".encode() + data)
    # Of documents.csv the charts read only which documents are verified copies (their captions).
    docs = validated.get("documents")
    if docs is None and (out_dir / "documents.csv").exists():
        docs = read_published("documents", out_dir / "documents.csv")
    if docs is not None:
        verified = docs.groupby("document_id")["parser_verified"].any().sort_index()
        digest.update(repr(verified.to_dict()).encode())
    inputs = (digest.hexdigest() + "\n").encode()
    previous = out_dir / CHART_INPUTS
    if previous.exists() and previous.read_bytes() == inputs:
        return {}
    tables = {
        t: validated[t] if t in validated else read_published(t, out_dir / f"{t}.csv")
        for t in schemas.TABLES
        if t in validated or (out_dir / f"{t}.csv").exists()
    }
    return {**render_charts(tables), CHART_INPUTS: inputs}


CHANGES_PREAMBLE = "# Changes to the published tables\n\nNewest first. Written by each publish that changed data.\n"


def _changes_entry(out_dir: Path, report: PublishReport, changed: list[str]) -> bytes:
    path = out_dir / "CHANGES.md"
    old = path.read_text(encoding="utf-8") if path.exists() else CHANGES_PREAMBLE
    rest = old[len(CHANGES_PREAMBLE) :] if old.startswith(CHANGES_PREAMBLE) else old
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    entry = [f"## {stamp}", ""]
    entry.append(render_changes([report.changes[t] for t in changed]).rstrip("\n"))
    return (CHANGES_PREAMBLE + "\n" + "\n".join(entry) + "\n" + rest).encode("utf-8")
