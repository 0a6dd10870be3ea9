"""Field factories shared by several tables, so a column means the same thing everywhere."""

import pandas as pd
import pandera.pandas as pa

NOT_ARRESTS_NOTE = (
    "Instances of feedback from law enforcement about CyberTipline reports; NCMEC states that most "
    "agencies give little or no feedback. Feedback instances are not arrests or prosecutions."
)


def document_id():
    return pa.Field(
        str_matches=r"^[a-z0-9_@]+$",
        description="Registry id of the source document (see documents.csv and pipeline/sources.toml).",
    )


def page(nullable: bool = False):
    return pa.Field(
        ge=1,
        nullable=nullable,
        description="1-based page of the source document the figure was read from.",
    )


def calendar_year():
    return pa.Field(
        ge=1998, le=2100, description="Calendar year (January-December) the NCMEC figure counts."
    )


def fiscal_year():
    return pa.Field(
        ge=1990,
        le=2100,
        description="Federal fiscal year (October-September), named by the year it ends.",
    )


# Prose qualifiers kept as data beside a figure. A parser meeting any other qualifier must fail rather
# than drop or rename it; adding one here is a deliberate decision.
QUALIFIERS = (
    "more than",
    "approximately",
    "nearly",
    "over",
    "about",
    "at least",
    "less than",
    "almost",
)


def qualifier():
    return pa.Field(
        nullable=True,
        isin=list(QUALIFIERS),
        description="Prose qualifier printed with the figure (e.g. 'more than'); empty when the figure is exact.",
    )


# The longest evidence span a row may quote; parsers cut their quotes to fit (pipeline.parsers.prose).
EVIDENCE_MAX = 400


def evidence():
    return pa.Field(
        str_length={"min_value": 3, "max_value": EVIDENCE_MAX},
        description="The short text span of the document the figure was read from, verbatim.",
    )


def period_note():
    return pa.Field(
        nullable=True,
        str_length={"min_value": 3},
        description="How the fiscal year was read when the figure's own words do not name it: e.g. "
        "\"'last year' in a report dated April 2016, read as FY 2015\", or \"'That same year' "
        'carries FY 2022 from the sentence before". Empty when the fiscal year is printed with the '
        "figure.",
    )


# Columns added at assembly (pipeline.caveats), never by a parser, are declared optional (``| None``)
# so a parser's own rows validate without them; every published table has them, because every table
# is assembled by pipeline.build.assemble, which calls pipeline.caveats.apply_caveats.


def is_latest_edition():
    return pa.Field(
        description="True on exactly one row per figure (the primary key without document_id and "
        "capture_timestamp): the one from the newest edition, i.e. the latest capture of a web page, "
        "else the document whose period ends last, ties going to the later registry entry "
        "(pipeline.caveats.edition_rank). df[df.is_latest_edition] gives one value per figure; every "
        "edition's row stays published so revisions remain visible.",
    )


def one_latest_per_figure(df: pd.DataFrame, model) -> pd.Series:
    """Row-wise: the row's figure has exactly one row with is_latest_edition true (vacuously true on a
    parser's rows, which do not have the column yet)."""
    if "is_latest_edition" not in df.columns:
        return pd.Series(True, index=df.index)
    key = [k for k in model.Config.unique if k not in ("document_id", "capture_timestamp")]
    flags = df["is_latest_edition"].astype(bool)
    return flags.groupby([df[k].astype(str) for k in key]).transform("sum") == 1
