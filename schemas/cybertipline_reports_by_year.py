import pandera.pandas as pa
from pandera.typing import Series

from schemas import _common as c

# Every measure this table may hold, with its meaning. A parser that meets a new kind of figure adds it
# here (so the data dictionary explains it) before it can be published.
MEASURES = {
    "reports_total": "All CyberTipline reports received in the year (ESP + public).",
    "reports_esp": "Reports submitted by electronic service providers.",
    "reports_public": "Reports submitted by members of the public.",
    "reports_location_us": "Reports whose reported user appeared to be located in the United States.",
    "reports_location_international": "Reports whose reported user appeared to be located outside the United States.",
    "reports_location_unknown": "Reports without a determinable user location.",
    "reports_online_enticement": "Reports of online enticement of children for sexual acts.",
    # Incident types ("Categorization of CyberTipline Reports" in the OJJDP-NCMEC transparency
    # reports). Each report has one category, and there the categories sum to reports_total; the
    # online-enticement category is published as reports_online_enticement.
    "incident_child_sexual_abuse_material": "Reports categorised as child sexual abuse material, printed 'Child Pornography (possession, manufacture, distribution)' (the U.S. legal term).",
    "incident_misleading_words_or_images": "Reports categorised 'Misleading Words or Digital Images on the Internet'.",
    "incident_child_sex_trafficking": "Reports categorised 'Child Sex Trafficking'.",
    "incident_unsolicited_obscene_material": "Reports categorised 'Unsolicited Obscene Material Sent to a Child'.",
    "incident_misleading_domain_name": "Reports categorised 'Misleading Domain Name'.",
    "incident_child_sexual_molestation": "Reports categorised 'Child Sexual Molestation'.",
    "incident_child_sex_tourism": "Reports categorised 'Child Sex Tourism'.",
    "reports_with_unique_images_videos": "Reports containing unique images/videos based on MD5 hash values (the transparency reports' table of ESP reports with unique and visually similar content). Overlaps reports_with_visually_similar_images_videos.",
    "reports_with_visually_similar_images_videos": "Reports containing visually similar images/videos determined by PhotoDNA and Videntifier. Overlaps reports_with_unique_images_videos.",
}

# Where another document prints a figure comparable with a measure here, and what is known about why
# the two differ (pipeline.reconcile.disagreements warns about every difference, with its reason).
DIFFERENCES_BETWEEN_DOCUMENTS = {
    "reports_location_us": "The transparency reports' 'U.S.' is not the by-country PDF's 'United "
    "States' row: it also counts the five inhabited U.S. territories (American Samoa, Guam, Northern "
    "Mariana Islands, Puerto Rico, U.S. Virgin Islands), which the by-country PDF lists as countries "
    "(this alone explains CY 2021 exactly), and in CY 2020 and CY 2022 it places in the U.S. reports "
    "the by-country PDF lists under no country (CY 2022: exactly 350,261; CY 2020: 380,570, with 238 "
    "left unexplained). Neither document says why. CY 2020: 887,252 here vs 494,388 in the by-country "
    "'United States' row.",
    "reports_location_unknown": "The by-country PDF's 'No Country Listed'/'Null' row (reasons: no IP "
    "address, proxy IPs) is larger than the transparency reports' 'Unknown' in CY 2020 and CY 2022 by "
    "the reports the transparency report places in the U.S. (see reports_location_us); equal in CY "
    "2021.",
    "reports_location_international": "Equals the by-country rows other than the United States, the "
    "five inhabited U.S. territories and the no-country row (exactly in CY 2021 and CY 2022; 238 "
    "reports apart in CY 2020).",
    "reports_total": "Printed by the by-country PDF and the transparency report; equal for every "
    "year both print. A difference would be a revision.",
    "reports_esp": "Printed by the by-ESP PDF (its table total) and the transparency report; equal "
    "for every year both print. A difference would be a revision.",
}


class CybertiplineReportsByYear(pa.DataFrameModel):
    """Yearly CyberTipline figures as stated in each NCMEC document: one row per figure per document, so
    the same year published in several editions appears once per edition and revisions stay visible."""

    calendar_year: Series[int] = c.calendar_year()
    measure: Series[str] = pa.Field(
        isin=list(MEASURES),
        description="What is counted; see the measure list in the data dictionary.",
    )
    value: Series[int] = pa.Field(
        ge=0, description="The figure as printed, as a plain integer.", metadata={"unit": "reports"}
    )
    qualifier: Series[str] = c.qualifier()
    note: Series[str] = pa.Field(
        nullable=True,
        description="Caveat that changes the meaning of the figure (e.g. 2024 bundling), or a correction made while reading it.",
    )
    is_latest_edition: Series[bool] | None = c.is_latest_edition()
    document_id: Series[str] = c.document_id()
    page: Series[int] = c.page()

    @pa.dataframe_check(description="exactly one row per figure is the latest edition")
    def one_latest_edition_per_figure(cls, df):
        return c.one_latest_per_figure(df, CybertiplineReportsByYear)

    class Config:
        strict = True
        coerce = True
        unique = ["document_id", "calendar_year", "measure"]
        title = "CyberTipline yearly figures"
