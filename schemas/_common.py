"""Field factories shared by several tables, so a column means the same thing everywhere."""

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
