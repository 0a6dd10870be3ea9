import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import _common as c


class Documents(pa.DataFrameModel):
    """One row per archived version of a registered document: where it came from, its checksum, what
    its parser made of it and which published tables use its rows. Every other table joins here on
    document_id (the version marked is_parsed is the one its rows were read from; when the newest copy
    of a document fails to parse, an earlier copy that parsed keeps supplying the rows)."""

    document_id: Series[str] = c.document_id()
    family: Series[str] = pa.Field(
        isin=["reports", "outcomes"],
        description="reports (NCMEC) or outcomes (DOJ/OJJDP, USSC, BJS).",
    )
    publisher: Series[str] = pa.Field(description="Publisher.")
    title: Series[str] = pa.Field(description="Document title.")
    period_type: Series[str] = pa.Field(
        isin=["calendar", "fiscal"],
        description="Whether the document counts calendar or federal fiscal years.",
    )
    period: Series[str] = pa.Field(
        description="Year or span of years the document covers, as registered."
    )
    url: Series[str] = pa.Field(
        str_startswith="https://", description="Registered URL of the document."
    )
    via: Series[str] = pa.Field(
        isin=["origin", "mirror", "web-archive"],
        description="Whether these bytes were first retrieved from the publisher (origin), from a mirror, "
        "or from a web-archive capture of the registered URL (web-archive: the origin no longer served "
        "the document and no copy was archived; capture_timestamp says when it was captured).",
    )
    retrieved_at: Series[str] = pa.Field(
        str_matches=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$",
        description="UTC time these bytes were first archived.",
    )
    sha256: Series[str] = pa.Field(
        str_matches=r"^[0-9a-f]{64}$", description="SHA-256 of the archived bytes."
    )
    bytes: Series[int] = pa.Field(ge=1, description="Size of the archived file.")
    pages: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=1, description="Page count (PDF only)."
    )
    is_parsed: Series[bool] = pa.Field(
        description="True for a version whose rows are in at least one published table "
        "(see used_in_tables)."
    )
    parser: Series[str] = pa.Field(
        nullable=True,
        description="Parser module that reads this document; empty when archived only.",
    )
    parser_verified: Series[bool] = pa.Field(
        description="True once rows its parser read from this version are published and the bytes are "
        "known to be the publisher's own (fetched from the publisher's URL, or matching a reference "
        "checksum of a real copy); false for stand-ins, unverified copies and copies that failed to parse."
    )

    capture_timestamp: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^\d{14}$",
        description="For a web-archive capture of a page that is overwritten yearly: the capture time "
        "(YYYYMMDDhhmmss), matching capture_timestamp in icac_task_force_activity.csv; empty otherwise.",
    )

    parse_status: Series[str] = pa.Field(
        isin=["parsed", "failed", "superseded", "archived_only"],
        description="What the parser made of these bytes: parsed; failed (see parse_error; an earlier "
        "copy that parsed is used instead, if any); superseded (a newer copy parsed, so this one was "
        "not read); archived_only (no parser for this document yet).",
    )
    parse_error: Series[str] = pa.Field(
        nullable=True,
        description="For a failed parse: document, page and what the parser expected; empty otherwise.",
    )
    used_in_tables: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^[a-z_]+(;[a-z_]+)*$",
        description="Published tables (separated by ';') whose rows were read from this version; "
        "empty when no published row comes from it.",
    )

    class Config:
        strict = True
        coerce = True
        unique = ["document_id", "sha256"]
        title = "Archived source documents"
