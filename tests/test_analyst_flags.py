"""Analyst conveniences on the real 2019-2022 NCMEC editions (built from the shared mirror): one
latest edition per figure, one esp_key per provider across years, the related-platforms flag, and the
cross-document disagreements with their reasons. Synthetic frames cover the outcomes tables (no real
outcomes document is in the mirror) and the edges of the rules."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.archive import Archive
from pipeline.build import build_all
from pipeline.caveats import DERIVED_COLUMNS, EDITIONED, apply_caveats, edition_rank, figure_key
from pipeline.esp_names import OVERRIDES, esp_key, normalize
from pipeline.fetch import fetch_document, mirror_location
from pipeline.publish import validate
from pipeline.reconcile import disagreements
from pipeline.registry import registry
from tests.conftest import MIRROR

BY_YEAR = "cybertipline_reports_by_year"
BY_ESP = "cybertipline_reports_by_esp"
BY_COUNTRY = "cybertipline_reports_by_country"


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    archive = Archive(tmp_path_factory.mktemp("flags") / "raw")
    for doc in registry():
        if (MIRROR / mirror_location(doc.url)).is_file():
            assert fetch_document(doc, archive, mirror=str(MIRROR)).ok
    built, failures = build_all(archive, cache=False)
    assert failures == {}
    return built


# -- is_latest_edition --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "table",
    [BY_YEAR, "cybertipline_reports_to_law_enforcement", "cybertipline_law_enforcement_feedback"],
)
def test_one_latest_row_per_figure_on_the_real_build(tables, table):
    df = tables[table]
    key = figure_key(table)
    latest = df[df.is_latest_edition]
    assert latest.groupby(key).size().eq(1).all()
    assert len(latest) == df.groupby(key).ngroups
    ok, problems = validate(table, df)
    assert problems == [] and ok is not None


def test_latest_edition_of_the_yearly_figures(tables):
    df = tables[BY_YEAR]
    assert (len(df), int(df.is_latest_edition.sum())) == (78, 71)
    latest = df[df.is_latest_edition].set_index(["calendar_year", "measure"])
    # A later edition (the CY 2022 transparency report) restates 2019-2022 totals: it is preferred.
    assert latest.loc[(2019, "reports_total"), "document_id"] == "ncmec_transparency_2022"
    assert latest.loc[(2020, "reports_esp"), "document_id"] == "ncmec_transparency_2022"
    assert latest.loc[(2022, "reports_total"), "document_id"] == "ncmec_transparency_2022"
    # The one-line filter gives one value per year and measure; summing everything would not.
    totals = df[df.measure == "reports_total"]
    assert totals.groupby("calendar_year")["value"].sum()[2020] == 2 * 21_751_085
    assert latest.loc[(2020, "reports_total"), "value"] == 21_751_085


def _frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


def test_latest_edition_on_outcomes_tables():
    icac = _frame(
        [
            (2010, "arrests", 5, "ojjdp_icac_interim_report_fy2010_2011", None),
            (2010, "arrests", 6, "doj_national_strategy_2016", None),
            (2014, "arrests", 7, "doj_national_strategy_2016", None),
            (2014, "arrests", 8, "ojjdp_icac_program_page", "20150301000000"),
            (2015, "arrests", 9, "ojjdp_icac_program_page", "20160301000000"),
            (2015, "arrests", 10, "ojjdp_icac_program_page", "20170301000000"),
            (2015, "arrests", 11, "ojjdp_icac_program_page", None),  # the live page
        ],
        ["fiscal_year", "measure", "value", "document_id", "capture_timestamp"],
    )
    out = apply_caveats("icac_task_force_activity", icac)
    # FY 2010: the strategy covering FY 2010-2015 (ranked as of 30 Sep 2015) beats the FY 2010-2011
    # interim report; FY 2014: it also beats a March 2015 capture of the page; FY 2015: the live page
    # beats every capture.
    assert list(out.value[out.is_latest_edition]) == [6, 7, 11]
    assert edition_rank("doj_national_strategy_2016")[0] == "20150930"
    assert edition_rank("ojjdp_icac_program_page", "20150301000000")[0] == "20150301"

    ussc = _frame(
        [
            (2019, "child_pornography", "offenders", 1, f"ussc_quick_facts_child_pornography_fy{y}")
            for y in (2019, 2020, 2021)
        ]
        + [
            (2020, "child_pornography", "offenders", 2, "ussc_quick_facts_child_pornography_fy2020")
        ],
        ["fiscal_year", "offense_group", "measure", "value", "document_id"],
    )
    out = apply_caveats("federal_sentencing", ussc)
    assert list(out.document_id[out.is_latest_edition]) == [
        "ussc_quick_facts_child_pornography_fy2021",
        "ussc_quick_facts_child_pornography_fy2020",
    ]
    # A document the registry does not know never outranks one it does.
    assert edition_rank("not_registered") < edition_rank("ncmec_esp_2019")


def test_every_editioned_table_declares_the_flag():
    import schemas

    for table in EDITIONED:
        assert "is_latest_edition" in schemas.TABLES[table].to_schema().columns
        assert figure_key(table) and "document_id" not in figure_key(table)
    for table, cols in DERIVED_COLUMNS.items():
        assert set(cols) <= set(schemas.TABLES[table].to_schema().columns)


# -- esp_key and related_platforms_combined ----------------------------------------------------------
@pytest.mark.parametrize(
    "names",
    [
        ("Facebook*", "Facebook"),
        ("Twitter", "Twitter, Inc."),
        ("Match Group, LLC*", "Match Group*", "Match Group", "Match Group, LLC"),
        ("LEGO System A/S", "LEGO System"),
        ("Linden Lab (SecondLife)", "Linden Lab/ SecondLife", "Linden Lab/SecondLife"),
        (
            "JNJ Mobile, Inc. (d/b/a MocoSpace)",
            "JNJ Mobile Inc, dba MocoSpace",
            "JNJ Mobile, Inc, d/b/a MocoSpace",
            "JNJ Mobile (MocoSpace)",
        ),
        ("MeetMe", "MeetMe.com (fka myYearbook.com)"),
        ("The Meet Group*", "Meet Group*"),
        ("Box", "Box , Inc. / Box.com"),
        ("Omegle", "Omegle.com LLC"),
        ("Endurance International Group*", "Endurance Int'l Group, Inc."),
        ("Verizon Media", "Yahoo!", "Yahoo! Inc"),  # override: a rename
        ("Twitter, Inc.", "X Corp."),  # override: a rename after 2022
        ("Twitch Interactive, Inc.", "Twitch"),  # override: operator named
    ],
)
def test_esp_key_collapses_known_variants(names):
    assert len({esp_key(n) for n in names}) == 1, {n: esp_key(n) for n in names}


def test_esp_key_keeps_different_providers_apart():
    apart = [
        "Microsoft*",
        "Microsoft - Xbox",
        "Microsoft - Online Operations",
        "Microsoft- other products",
        "MG Freesites",
        "MG Freesites (Pornhub)",
        "MG Freesites Ltd (dba Redtube)",
        "Amazon",
        "Amazon / Twitch",
        "Amazon Photos",
        "Twitch",
        "Automattic*",
        "WordPress.com/Automattic",
        "Tumblr",
        "Verizon Online",
        "Verizon Wireless",
        "Verizon Online - Account #2 (External)",
        "Facebook",
        "Instagram",
        "WhatsApp",
        "MediaLab AI*",
        "MediaLab/Kik",
        "TMTG, Corp.",
    ]
    keys = [esp_key(n) for n in apart]
    assert len(set(keys)) == len(apart), dict(zip(apart, keys, strict=True))
    assert esp_key("Twitter, Inc.") == "twitter"
    assert (
        esp_key("Multi Media, LLC/Zmedianow, LLC/ Chaturbate") == "multi-media/zmedianow/chaturbate"
    )


def test_overrides_are_reviewed_merges():
    for source, (target, reason) in OVERRIDES.items():
        assert normalize(source.replace("-", " ")) == source  # keys are normalised keys
        assert target not in OVERRIDES  # no chains
        assert len(reason) > 40


def test_esp_keys_on_the_real_editions(tables):
    df = tables[BY_ESP]
    assert df.groupby("document_id")["esp_key"].apply(lambda s: s.is_unique).all()
    years = (2019, 2020, 2021, 2022)
    assert set(df.calendar_year) == set(years)
    by_name = df.groupby("esp_name")["calendar_year"].nunique()
    by_key = df.groupby("esp_key")["calendar_year"].nunique()
    # Names as printed: 472, of which 37 in all four years; keys: 321, of which 95 in all four.
    assert (len(by_name), int((by_name == 4).sum())) == (472, 37)
    assert (len(by_key), int((by_key == 4).sum())) == (321, 95)
    facebook = df[df.esp_key == "facebook"].set_index("calendar_year")
    assert list(facebook.esp_name) == ["Facebook*", "Facebook*", "Facebook", "Facebook"]
    assert list(facebook.related_platforms_combined) == [True, True, False, False]
    ok, problems = validate(BY_ESP, df)
    assert problems == [] and ok is not None


def test_related_platforms_flag_is_the_footnote_of_the_marker(tables):
    df = tables[BY_ESP]
    flagged = df[df.related_platforms_combined]
    assert flagged.groupby("calendar_year").size().to_dict() == {2019: 9, 2020: 11}
    assert flagged.esp_name.str.endswith("*").all()
    assert (df.esp_name.str.endswith("*") == df.related_platforms_combined).all()


# -- cross-document disagreements ----------------------------------------------------------------------
def test_disagreements_find_the_2020_us_located_pair(tables):
    found = disagreements(tables[BY_YEAR], tables[BY_COUNTRY])
    us_2020 = next(
        p for p in found if (p["calendar_year"], p["measure"]) == (2020, "reports_location_us")
    )
    assert {k: us_2020[k] for k in ("document_a", "page_a", "value_a")} == {
        "document_a": "ncmec_country_2020",
        "page_a": 7,
        "value_a": 494_388,
    }
    assert {k: us_2020[k] for k in ("document_b", "page_b", "value_b", "difference")} == {
        "document_b": "ncmec_transparency_2022",
        "page_b": 4,
        "value_b": 887_252,
        "difference": 392_864,
    }
    assert us_2020["kind"] == "partly unexplained"
    assert "+12,532 the five inhabited U.S. territories" in us_2020["reason"]
    assert "+380,570 reports the by-country PDF lists under no country" in us_2020["reason"]
    assert "-238 unexplained" in us_2020["reason"]
    kinds = {(p["calendar_year"], p["measure"]): p["kind"] for p in found}
    assert kinds == {
        (2020, "reports_location_us"): "partly unexplained",
        (2020, "reports_location_unknown"): "definitions differ",
        (2020, "reports_location_international"): "partly unexplained",
        (2021, "reports_location_us"): "definitions differ",  # the territories, exactly
        (2021, "reports_location_international"): "definitions differ",
        (2022, "reports_location_us"): "definitions differ",
        (2022, "reports_location_unknown"): "definitions differ",
        (2022, "reports_location_international"): "definitions differ",
    }  # 2021 unknown agrees; no edition revises reports_total or reports_esp


def test_disagreements_name_a_revision_between_editions():
    rows = [
        (2020, "reports_total", 21_751_085, "ncmec_country_2020", 8),
        (2020, "reports_total", 21_751_086, "ncmec_transparency_2022", 4),
        (2020, "reports_esp", 5, "ncmec_esp_2020", 6),
        (2020, "reports_esp", 5, "ncmec_transparency_2022", 4),
    ]
    by_year = pd.DataFrame(
        rows, columns=["calendar_year", "measure", "value", "document_id", "page"]
    )
    (problem,) = disagreements(by_year)
    assert problem["kind"] == "revision"
    assert (problem["document_a"], problem["value_a"], problem["page_a"]) == (
        "ncmec_country_2020",
        21_751_085,
        8,
    )
    assert (problem["document_b"], problem["value_b"], problem["difference"]) == (
        "ncmec_transparency_2022",
        21_751_086,
        1,
    )
