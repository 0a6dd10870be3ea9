"""The registry holds every document the issues require, each well-formed."""

import pytest

from pipeline.registry import RegistryError, allowed_hosts, load_registry, registry


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
