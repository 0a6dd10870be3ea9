"""The registry holds every document the issues require, each well-formed."""

import json

import pytest

from pipeline.registry import (
    RegistryError,
    allowed_hosts,
    by_id,
    load_registry,
    load_sources,
    registry,
    sources,
)


def ids():
    return {d.id for d in registry()}


def test_required_documents_registered():
    want = {f"ncmec_esp_{y}" for y in range(2019, 2026)} | {
        f"ncmec_country_{y}" for y in range(2019, 2026)
    }
    want |= {f"ncmec_transparency_{y}" for y in (2022, 2023, 2024)}
    want |= {f"ncmec_cybertipline_report_{y}" for y in (2023, 2024, 2025)}
    want |= {f"ussc_quick_facts_child_pornography_fy{y}" for y in range(2019, 2025)}
    want |= {"ojjdp_icac_program_page", "bjs_fpcseo_2006", "bjs_fpcsecc_2004_2013"}
    assert want <= ids()


def test_entries_follow_the_data_contract():
    for d in registry():
        assert (d.family, d.period_type) in {("reports", "calendar"), ("outcomes", "fiscal")}, d.id
        assert d.url.startswith("https://") and d.landing_page.startswith("https://"), d.id
    assert registry()[0].url.endswith("2019-reports-by-esp.pdf")
    icac = next(d for d in registry() if d.id == "ojjdp_icac_program_page")
    assert (
        icac.url
        == "https://ojjdp.ojp.gov/programs/internet-crimes-against-children-task-force-program"
    )
    assert icac.format == "html"


def test_mirrored_documents_carry_catalog_checksums():
    refs = {d.id: d.reference_sha256 for d in registry() if d.reference_sha256}
    assert len(refs) == 9
    assert refs["ncmec_transparency_2022"] == "49e975b0f00fdd90"


def test_allowlist_is_derived_from_registry():
    assert allowed_hosts() == {
        "www.missingkids.org",
        "ojjdp.ojp.gov",
        "web.archive.org",
        "www.justice.gov",
        "www.ojjdp.gov",
        "www.ussc.gov",
        "bjs.ojp.gov",
        "www.uscourts.gov",
    }


@pytest.mark.parametrize(
    "patch, message",
    [
        ('family = "reports"\nperiod_type = "fiscal"', "reports documents are calendar-year"),
        ('url = "http://example.org/x.pdf"', "url must be https"),
        ('format = "docx"', "format must be one of"),
    ],
)
def test_bad_entries_are_refused(tmp_path, patch, message):
    base = {
        "id": "x",
        "family": "outcomes",
        "publisher": "p",
        "title": "t",
        "period_type": "fiscal",
        "period": "2020",
        "url": "https://example.org/x.pdf",
        "landing_page": "https://example.org/",
        "format": "pdf",
    }
    lines = ["[[document]]"]
    overrides = dict(line.split(" = ", 1) for line in patch.splitlines())
    for k, v in base.items():
        lines.append(f"{k} = {overrides.pop(k, repr(v).replace(chr(39), chr(34)))}")
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RegistryError, match=message):
        load_registry(path)


@pytest.mark.parametrize("bad", ["../../x", "a/b", "Ncmec_2019", "x.pdf", ""])
def test_ids_must_be_safe_folder_names(tmp_path, bad):
    path = tmp_path / "sources.toml"
    path.write_text(
        "[[document]]\n"
        f'id = "{bad}"\nfamily = "outcomes"\npublisher = "p"\ntitle = "t"\n'
        'period_type = "fiscal"\nperiod = "2020"\nurl = "https://example.org/x.pdf"\n'
        'landing_page = "https://example.org/"\nformat = "pdf"\n'
    )
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert str(err.value) == (
        f"registry entry {bad!r}: id must be 1-100 lowercase letters, digits or underscores "
        "(it names the document's folder under raw/)"
    )


def test_series_defaults_make_an_edition_three_lines(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(
        '[series.s]\nid = "s_{period}"\nfamily = "outcomes"\npublisher = "P"\n'
        'title = "Quick Facts, Fiscal Year {period}"\nperiod_type = "fiscal"\n'
        'landing_page = "https://example.org/"\nformat = "pdf"\nparser = "ussc_quick_facts"\n'
        '[[document]]\nseries = "s"\nperiod = "2031"\nurl = "https://example.org/FY31.pdf"\n'
    )
    (doc,) = load_registry(path)
    assert (doc.id, doc.title, doc.parser, doc.period_type, doc.series) == (
        "s_2031",
        "Quick Facts, Fiscal Year 2031",
        "ussc_quick_facts",
        "fiscal",
        "s",
    )


def test_landing_pages_are_archived_only_html_documents():
    landings = [d for d in registry() if d.is_landing_page]
    assert {d.id for d in landings} == {
        "landing_ncmec_cybertiplinedata",
        "landing_doj_national_strategy",
        "landing_ussc_quick_facts_child_pornography",
        "landing_bjs_fpcseo_2006",
        "landing_bjs_fpcsecc_2004_2013",
        "landing_eousa_annual_statistical_reports",
        "landing_uscourts_caseload_tables",
    }
    for d in landings:
        assert (d.format, d.parser, d.period, d.url) == ("html", "", "current", d.landing_page)
    # every rule reads a registered html page; the ICAC rule reads the program page itself
    for rule in sources().rules:
        assert by_id(rule.landing).format == "html"


def test_court_statistics_are_registered_archive_only():
    d2 = [d for d in registry() if d.series == "uscourts_d2"]
    assert [d.id for d in d2] == [f"uscourts_table_d2_fy{y}" for y in range(2019, 2025)]
    assert all(d.url_is_guess and not d.parser and d.family == "outcomes" for d in d2)
    assert {r.series for r in sources().rules} >= {"uscourts_d2", "eousa_annual_statistical_report"}


def test_discovered_documents_merge_and_hand_written_entries_win(tmp_path):
    path = tmp_path / "discovered.json"
    ncmec = "https://www.missingkids.org/content/dam/missingkids/pdfs"
    entries = [
        {"id": "ncmec_esp_2019", "series": "ncmec_esp", "period": "2019", "url": f"{ncmec}/x.pdf"},
        {
            "id": "ncmec_esp_2030",
            "series": "ncmec_esp",
            "period": "2030",
            "url": f"{ncmec}/2030.pdf",
            "rule": "ncmec_esp",
            "title": "2030 CyberTipline Reports by ESP",
        },
    ]
    path.write_text(json.dumps({"documents": entries}))
    docs = {d.id: d for d in load_registry(discovered=path)}
    assert docs["ncmec_esp_2019"].url.endswith("/2019-reports-by-esp.pdf")
    new = docs["ncmec_esp_2030"]
    assert (new.parser, new.discovered_by, new.title) == (
        "ncmec_esp",
        "ncmec_esp",
        "2030 CyberTipline Reports by ESP",
    )
    # a discovered document can never widen the allowlist
    entries[1]["url"] = "https://elsewhere.example/2030.pdf"
    path.write_text(json.dumps({"documents": entries}))
    with pytest.raises(RegistryError, match="host elsewhere.example is not a host"):
        load_registry(discovered=path)


def test_bad_rules_are_refused(tmp_path):
    base = (
        '[series.s]\nfamily = "outcomes"\npublisher = "P"\ntitle = "t"\nperiod_type = "fiscal"\n'
        'format = "pdf"\nlanding_page = "https://example.org/"\n'
        '[[landing]]\nid = "landing_x"\nfamily = "outcomes"\npublisher = "P"\ntitle = "t"\n'
        'url = "https://example.org/"\n'
    )
    path = tmp_path / "sources.toml"
    path.write_text(
        base + '[[discover]]\nrule = "r"\nseries = "s"\nlanding = "landing_x"\n'
        "link = '(?P<month>\\d+)'\n"
    )
    with pytest.raises(RegistryError, match="named groups must be among"):
        load_sources(path)
    path.write_text(base + '[[discover]]\nrule = "r"\nseries = "s"\nlanding = "nope"\nlink = "x"\n')
    with pytest.raises(RegistryError, match="is not a registered html page"):
        load_sources(path)
