"""Write-audit-publish: validation blocks publishing, failures leave published bytes identical, output
is deterministic, and the generated datapackage validates with frictionless."""

import hashlib
import json

import frictionless
import pandas as pd
import pytest

from pipeline.caveats import apply_caveats
from pipeline.publish import PublishBlocked, publish, render_csv


def by_esp(reports=(10, 20)):
    return apply_caveats("cybertipline_reports_by_esp", _by_esp(reports))


def by_year(value=30):
    return apply_caveats("cybertipline_reports_by_year", _by_year(value))


def _by_esp(reports=(10, 20)):
    return pd.DataFrame(
        {
            "calendar_year": [2020, 2020],
            "esp_name": ["Alpha, Inc.", "Beta"],
            "reports": list(reports),
            "note": [None, "Footnote '*' in the document: combined"],
            "document_id": ["ncmec_esp_2020"] * 2,
            "page": [1, 2],
        }
    )


def _by_year(value=30):
    return pd.DataFrame(
        {
            "calendar_year": [2020],
            "measure": ["reports_esp"],
            "value": [value],
            "qualifier": [None],
            "note": [None],
            "document_id": ["ncmec_esp_2020"],
            "page": [2],
        }
    )


def snapshot(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


def test_publish_writes_deterministic_csv_and_metadata(tmp_path):
    report = publish(
        {"cybertipline_reports_by_esp": by_esp(), "cybertipline_reports_by_year": by_year()},
        tmp_path,
    )
    text = (tmp_path / "cybertipline_reports_by_esp.csv").read_bytes()
    assert text == (
        b"calendar_year,esp_name,esp_key,reports,related_platforms_combined,note,document_id,page\n"
        b'2020,"Alpha, Inc.",alpha,10,false,,ncmec_esp_2020,1\n'
        b"2020,Beta,beta,20,false,Footnote '*' in the document: combined,ncmec_esp_2020,2\n"
    )
    assert (tmp_path / "cybertipline_reports_by_year.csv").read_text().splitlines()[1] == (
        "2020,reports_esp,30,,,true,ncmec_esp_2020,2"
    )
    assert report.changes["cybertipline_reports_by_esp"].added == 2
    pkg = json.loads((tmp_path / "datapackage.json").read_text())
    assert [r["name"] for r in pkg["resources"]] == [
        "cybertipline_reports_by_year",
        "cybertipline_reports_by_esp",
    ]
    assert "## `cybertipline_reports_by_esp.csv`" in (tmp_path / "README.md").read_text()
    assert "2 added, 0 removed" in (tmp_path / "CHANGES.md").read_text()
    before = snapshot(tmp_path)
    again = publish(
        {"cybertipline_reports_by_esp": by_esp(), "cybertipline_reports_by_year": by_year()},
        tmp_path,
    )
    assert snapshot(tmp_path) == before  # same input, same bytes, no CHANGES entry
    assert not any(c.changed for c in again.changes.values())


def test_invalid_table_blocks_publishing_and_leaves_files_identical(tmp_path):
    publish(
        {"cybertipline_reports_by_esp": by_esp(), "cybertipline_reports_by_year": by_year()},
        tmp_path,
    )
    before = snapshot(tmp_path)
    bad = by_esp(reports=(10, -5))  # negative count
    dup = pd.concat([by_year(), by_year()])  # duplicate natural key
    with pytest.raises(PublishBlocked) as err:
        publish({"cybertipline_reports_by_esp": bad, "cybertipline_reports_by_year": dup}, tmp_path)
    msg = str(err.value)
    assert (
        "cybertipline_reports_by_esp: column reports failed greater_than_or_equal_to(0) (value -5"
        in msg
    )
    assert "cybertipline_reports_by_year" in msg and "uniqueness" in msg
    assert snapshot(tmp_path) == before
    assert not list(tmp_path.glob(".staging*"))


def test_a_table_with_both_period_columns_is_refused(tmp_path):
    df = by_esp().assign(fiscal_year=2020)
    with pytest.raises(PublishBlocked, match="has both calendar_year and fiscal_year"):
        publish({"cybertipline_reports_by_esp": df}, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == []  # no data file written


def test_render_formats_numbers_and_missing_values():
    df = pd.DataFrame(
        {"a": [1.0, 45.1, float("nan")], "b": [True, False, None], "c": ["x", None, "y\nz"]}
    )
    assert render_csv(df) == b'a,b,c\n1,true,x\n45.1,false,\n,,"y\nz"\n'


def documents(doc_id="ncmec_esp_2020"):
    return pd.DataFrame(
        [
            {
                "document_id": doc_id,
                "family": "reports",
                "publisher": "NCMEC",
                "title": "t",
                "period_type": "calendar",
                "period": "2020",
                "url": "https://www.missingkids.org/x.pdf",
                "via": "mirror",
                "retrieved_at": "2026-11-25T00:00:00Z",
                "sha256": "0" * 64,
                "bytes": 10,
                "pages": 6,
                "is_parsed": True,
                "parser": "ncmec_esp",
                "parser_verified": True,
                "capture_timestamp": None,
                "parse_status": "parsed",
                "parse_error": None,
                "used_in_tables": "cybertipline_reports_by_esp;cybertipline_reports_by_year",
            }
        ]
    )


def test_datapackage_validates_with_frictionless(tmp_path):
    tables = {
        "cybertipline_reports_by_esp": by_esp(),
        "cybertipline_reports_by_year": by_year(),
        "documents": documents(),
    }
    publish(tables, tmp_path)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # and it really checks: a row pointing at an unknown document breaks the foreign key
    tables["documents"] = documents("ncmec_esp_2019")
    publish(tables, tmp_path)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert not report.valid
    assert {e[0] for e in report.flatten(["type"])} == {"foreign-key"}


def test_no_table_or_relation_links_reports_to_outcomes():
    import schemas
    from pipeline.metadata import datapackage

    pkg = json.loads(datapackage(list(schemas.TABLES)))
    for res in pkg["resources"]:
        names = {f["name"] for f in res["schema"]["fields"]}
        assert not {"calendar_year", "fiscal_year"} <= names, res["name"]
        if res["family"] == "reports":
            assert "calendar_year" in names and "fiscal_year" not in names
        if res["family"] == "outcomes":
            assert "fiscal_year" in names and "calendar_year" not in names
        # the only relation any table has is provenance: document_id -> documents
        for fk in res["schema"].get("foreignKeys", []):
            assert fk == {
                "fields": "document_id",
                "reference": {"resource": "documents", "fields": "document_id"},
            }


def test_parser_verified_only_once_rows_from_the_real_copy_are_published(tmp_path):
    docs = pd.concat([documents("ncmec_esp_2020"), documents("ncmec_esp_2021")], ignore_index=True)
    docs.loc[1, "sha256"] = "1" * 64
    publish(
        {
            "cybertipline_reports_by_esp": by_esp(),
            "cybertipline_reports_by_year": by_year(),
            "documents": docs,
        },
        tmp_path,
    )
    out = pd.read_csv(tmp_path / "documents.csv").set_index("document_id")["parser_verified"]
    # ncmec_esp_2021 is a real copy, but no row read from it is published: not verified
    assert out.to_dict() == {"ncmec_esp_2020": True, "ncmec_esp_2021": False}
