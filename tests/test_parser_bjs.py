"""BJS parser, tested on generated stand-ins (no real report is available offline; see
tests/standins/bjs.py for which figures are real and which are made up)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import schemas
from pipeline.doctext import document_pages, normalize
from pipeline.parsers import bjs
from pipeline.parsers.base import ParseError
from pipeline.registry import by_id, registry
from tests.standins import bjs as standin

CSE_DOC = by_id("bjs_fpcseo_2006")
CSEC_DOC = by_id("bjs_fpcsecc_2004_2013")
CSE, CP, CSEC = (
    "child_sex_exploitation",
    "child_pornography",
    "commercial_sexual_exploitation_of_children",
)
REF, PROS = "suspects_referred", "defendants_prosecuted"

# (fiscal_year, offense_scope, stage, value, page)
CSE_A = [
    (2004, CP, REF, 2016, 2),
    (2004, CSE, REF, 3014, 2),
    (2005, CP, REF, 2254, 2),
    (2005, CSE, REF, 3302, 2),
    (2006, CP, REF, 2539, 2),
    (2006, CSE, REF, 3661, 1),  # prose on page 1 wins over the equal table cell on page 2
]
CSE_B = [
    (2004, CP, PROS, 1102, 1),
    (2004, CP, REF, 2016, 1),
    (2004, CSE, PROS, 1485, 1),
    (2004, CSE, REF, 3014, 1),
    (2005, CP, PROS, 1268, 1),
    (2005, CP, REF, 2254, 1),
    (2005, CSE, PROS, 1703, 1),
    (2005, CSE, REF, 3302, 1),
    (2006, CP, PROS, 1455, 1),
    (2006, CP, REF, 2539, 1),
    (2006, CSE, PROS, 1940, 1),
    (2006, CSE, REF, 3661, 1),
]
REFERRED = [2972, 3110, 3402, 3611, 3853, 4004, 4251, 4412, 4498, 4579]
PROSECUTED = [1405, 1512, 1698, 1870, 2041, 2197, 2394, 2531, 2688, 2776]


def _csec(prose_page: int, table_page: int) -> list[tuple]:
    rows = []
    for i, year in enumerate(range(2004, 2014)):
        page = prose_page if year in (2004, 2013) else table_page
        rows.append((year, CSEC, PROS, PROSECUTED[i], page))
        rows.append((year, CSEC, REF, REFERRED[i], page))
    return rows


def _write(tmp_path: Path, doc, wording: str, **kw) -> Path:
    return standin.WRITERS[doc.id](tmp_path / f"{doc.id}_{wording}_standin.pdf", wording, **kw)


def _rows(df: pd.DataFrame) -> list[tuple]:
    return [
        (r.fiscal_year, r.offense_scope, r.stage, r.value, r.page)
        for r in df.itertuples(index=False)
    ]


def _check_contract(df: pd.DataFrame, path: Path, doc) -> None:
    assert list(df.columns) == bjs.COLUMNS
    schemas.TABLES["federal_prosecutions"].validate(df, lazy=True)
    assert "calendar_year" not in df.columns
    assert set(df["document_id"]) == {doc.id}
    pages = [normalize(t) for t in document_pages(path, "pdf")]
    for r in df.itertuples(index=False):
        assert r.evidence in pages[r.page - 1], (r.stage, r.evidence)
        assert f"{r.value:,}" in r.evidence


@pytest.mark.parametrize(
    ("doc", "wording", "expected"),
    [
        (CSE_DOC, "a", CSE_A),
        (CSE_DOC, "b", CSE_B),
        (CSEC_DOC, "a", _csec(prose_page=1, table_page=2)),
        (CSEC_DOC, "b", _csec(prose_page=1, table_page=2)),
    ],
    ids=["cse-a", "cse-b", "csec-a", "csec-b"],
)
def test_both_wordings_parse_to_exact_rows(tmp_path, doc, wording, expected):
    path = _write(tmp_path, doc, wording)
    df = bjs.parse(path, doc).tables["federal_prosecutions"]
    assert _rows(df) == expected
    assert df["qualifier"].isna().all()
    _check_contract(df, path, doc)


def test_evidence_quotes_prose_and_table_rows(tmp_path):
    df = bjs.parse(_write(tmp_path, CSE_DOC, "a"), CSE_DOC).tables["federal_prosecutions"]
    ev = {(r.fiscal_year, r.offense_scope): r.evidence for r in df.itertuples()}
    assert (
        ev[(2006, CSE)]
        == "In 2006, U.S. attorneys referred 3,661 suspects for child sex exploitation offenses."
    )
    assert ev[(2005, CSE)] == "Child sex exploitation, total 3,014 3,302 3,661"
    assert 150000 not in set(df["value"])  # "Of all 150,000 suspects referred ..." names no scope
    df = bjs.parse(_write(tmp_path, CSEC_DOC, "b"), CSEC_DOC).tables["federal_prosecutions"]
    ev = {(r.fiscal_year, r.stage): r.evidence for r in df.itertuples()}
    assert ev[(2013, PROS)] == (
        "Between 2004 and 2013, suspects referred to U.S. attorneys for CSEC offenses rose from 2,972 "
        "to 4,579, and defendants charged grew from 1,405 to 2,776."
    )
    assert 131 not in set(
        df["value"]
    )  # "Median days from referral to charge" is not a count of persons


def test_unseen_wording_csec_parses_correctly_from_its_table(tmp_path):
    """Written before the parser was run on it: prose "went up 54%, reaching 4,579 in 2013 compared
    with 2,972 in 2004" and "2,776 defendants were charged in 2013, versus 1,405 in 2004" (two years
    in one sentence) are not read; the table ("Suspects in matters referred", "Defendants in cases
    filed") gives every figure."""
    path = _write(tmp_path, CSEC_DOC, "c")
    df = bjs.parse(path, CSEC_DOC).tables["federal_prosecutions"]
    assert _rows(df) == _csec(prose_page=1, table_page=1)
    assert df.loc[df.fiscal_year == 2013, "evidence"].tolist() == [
        "Defendants in cases filed 1,405 1,512 1,698 1,870 2,041 2,197 2,394 2,531 2,688 2,776",
        "Suspects in matters referred 2,972 3,110 3,402 3,611 3,853 4,004 4,251 4,412 4,498 4,579",
    ]
    _check_contract(df, path, CSEC_DOC)


def test_unseen_wording_cse_fails_loudly(tmp_path):
    """Written before the parser was run on it: "A total of 3,661 suspects in child sex exploitation
    matters were received by U.S. attorneys in 2006" and a table of "matters received" name no
    referral, so nothing is read as suspects referred -- loudly."""
    with pytest.raises(ParseError) as exc:
        bjs.parse(_write(tmp_path, CSE_DOC, "c"), CSE_DOC)
    assert str(exc.value) == (
        "bjs_fpcseo_2006, page 1: expected the number of suspects referred to U.S. attorneys in fiscal "
        "year 2006 (searched prose and tables on pages 1-1)"
    )


@pytest.mark.parametrize(
    ("doc", "wording", "year", "pages"),
    [
        (CSE_DOC, "a", 2006, "1-2"),
        (CSE_DOC, "b", 2006, "1-1"),
        (CSEC_DOC, "a", 2013, "1-2"),
        (CSEC_DOC, "b", 2013, "1-2"),
    ],
)
def test_missing_suspects_referred_is_a_parse_error(tmp_path, doc, wording, year, pages):
    with pytest.raises(ParseError) as exc:
        bjs.parse(_write(tmp_path, doc, wording, omit=["referred"]), doc)
    assert str(exc.value) == (
        f"{doc.id}, page 1: expected the number of suspects referred to U.S. attorneys in fiscal year "
        f"{year} (searched prose and tables on pages {pages})"
    )


def test_unrecognised_document_names_document_and_page(tmp_path):
    path = standin.write_unrelated(tmp_path / "drug_bulletin_standin.pdf")
    with pytest.raises(ParseError) as exc:
        bjs.parse(path, CSE_DOC)
    assert str(exc.value).startswith(
        "bjs_fpcseo_2006, page 1: expected a BJS report on child sex exploitation or commercial sexual "
        "exploitation of children (its title on page 1); found 'U.S. Department of Justice"
    )


def test_prose_and_table_disagreeing_is_a_parse_error(tmp_path, monkeypatch):
    monkeypatch.setitem(standin.CSE_REFERRED["total"], 2006, 3_616)
    with pytest.raises(ParseError) as exc:
        bjs.parse(_write(tmp_path, CSE_DOC, "a"), CSE_DOC)
    assert str(exc.value) == (
        "bjs_fpcseo_2006, page 2: expected one value for suspects_referred (child_sex_exploitation, "
        "2006) (page 1 says 'In 2006, U.S. attorneys referred 3,661 suspects for child sex "
        "exploitation offenses.'); found 'Child sex exploitation, total 3,014 3,302 3,616'"
    )


def test_years_after_the_registry_period_are_a_parse_error(tmp_path):
    doc = dataclasses.replace(CSEC_DOC, period="2004-2012")
    with pytest.raises(
        ParseError, match=r"expected fiscal years up to 2012 \(registry period 2004-2012\)"
    ):
        bjs.parse(_write(tmp_path, CSEC_DOC, "a"), doc)


def test_mirror_stand_ins(tmp_path):
    paths = standin.write_mirror(tmp_path)
    docs = [d for d in registry() if d.parser == "bjs"]
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "bjs.ojp.gov/content/pub/pdf/fpcseo06.pdf",
        "bjs.ojp.gov/content/pub/pdf/fpcsecc0413.pdf",
    ]
    for path, doc in zip(paths, docs, strict=True):
        df = bjs.parse(path, doc).tables["federal_prosecutions"]
        _check_contract(df, path, doc)
        assert _rows(df) == (CSE_A if doc.id == "bjs_fpcseo_2006" else _csec(1, 2))


def test_distractor_statements_are_not_misread(tmp_path):
    """Counts of other offenses, a trend of all offenses and a statement with two years are left out."""
    extra = [
        "In 2006, U.S. attorneys referred 25,000 suspects for drug offenses.",
        "The number of suspects referred for all federal offenses rose from 140,000 in 2004 to 150,000 in 2006.",
        "U.S. attorneys prosecuted 1,940 defendants for child sex exploitation offenses in 2006, up from 1,485 in 2004.",
    ]
    path = standin.write_cse_2006(tmp_path / "cse_distractors_standin.pdf", "a", extra=extra)
    df = bjs.parse(path, CSE_DOC).tables["federal_prosecutions"]
    assert _rows(df) == CSE_A
    _check_contract(df, path, CSE_DOC)


def test_mirror_stand_ins_go_through_fetch_parse_and_evidence_check(tmp_path):
    """The mirror is a transport: fetch from it, parse the archived copy, verify every figure."""
    from pipeline.archive import Archive
    from pipeline.evidence import unverified_rows
    from pipeline.fetch import fetch_document

    root = tmp_path / "mirror"
    standin.write_mirror(root)
    archive = Archive(tmp_path / "raw")
    frames = []
    for doc in (CSE_DOC, CSEC_DOC):
        r = fetch_document(doc, archive, mirror=str(root))
        assert r.ok, r.one_line()
        frames.append(bjs.parse(archive.latest(doc.id).path, doc).tables["federal_prosecutions"])
    df = pd.concat(frames, ignore_index=True)
    assert len(df) == 6 + 20
    assert unverified_rows(df, archive) == []


def test_prose_qualifier_is_kept(tmp_path):
    extra = [
        "In 2003, U.S. attorneys referred nearly 2,500 suspects for child sex exploitation offenses."
    ]
    path = standin.write_cse_2006(tmp_path / "cse_qualifier_standin.pdf", "a", extra=extra)
    df = bjs.parse(path, CSE_DOC).tables["federal_prosecutions"]
    assert _rows(df) == [(2003, CSE, REF, 2500, 1)] + CSE_A
    first = df.iloc[0]
    assert (first.qualifier, first.evidence) == ("nearly", extra[0])
    assert df["qualifier"].iloc[1:].isna().all()
    _check_contract(df, path, CSE_DOC)
