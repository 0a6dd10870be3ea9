"""Stand-in Bureau of Justice Statistics bulletins on federal prosecution of child sexual exploitation.

No real copy of NCJ 219412 or NCJ 250746 is available offline, so tests generate PDFs that follow the
published structure of a BJS bulletin: a title block with the NCJ number, prose statements
(highlights) and a numbered table with one column per fiscal year, ending in Note/Source lines.
Every page says in its footer that it is a generated stand-in.

Real figures (CATALOG.md section 3): NCJ 219412 -- 3,661 suspects referred in 2006, child
pornography 69% of referrals; NCJ 250746 -- suspects referred 2,972 (2004) and 4,579 (2013),
defendants prosecuted 1,405 (2004) and 2,776 (2013). Every other number below is MADE UP.

Wordings: "a" and "b" are the two the parser was written against; "c" was written before the
parser was run on it and never used to tune it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tests.standins._page import MARGIN, WIDTH, PageWriter, mirror_path, n

FOOTER = "Stand-in generated for tests; not a Bureau of Justice Statistics publication."
WORDINGS = ("a", "b", "c")

# NCJ 219412 table: suspects referred, by most serious offense and fiscal year.
# Only 3,661 (2006 total) is real; the rest is MADE UP, chosen so that the offenses add up to the
# totals and child pornography is 69% of 2006 referrals (2,539 / 3,661 = 69.4%).
CSE_REFERRED = {
    "total": {2004: 3_014, 2005: 3_302, 2006: 3_661},
    "child_pornography": {2004: 2_016, 2005: 2_254, 2006: 2_539},
    "sex_abuse": {2004: 851, 2005: 895, 2006: 947},
    "sex_transportation": {2004: 147, 2005: 153, 2006: 175},
}
# NCJ 219412 wording "b" also tabulates defendants charged: MADE UP.
CSE_CHARGED = {
    "total": {2004: 1_485, 2005: 1_703, 2006: 1_940},
    "child_pornography": {2004: 1_102, 2005: 1_268, 2006: 1_455},
}
# NCJ 250746 table: only the 2004 and 2013 values are real; 2005-2012 are MADE UP.
CSEC_REFERRED = dict(
    zip(
        range(2004, 2014),
        [2_972, 3_110, 3_402, 3_611, 3_853, 4_004, 4_251, 4_412, 4_498, 4_579],
        strict=True,
    )
)
CSEC_PROSECUTED = dict(
    zip(
        range(2004, 2014),
        [1_405, 1_512, 1_698, 1_870, 2_041, 2_197, 2_394, 2_531, 2_688, 2_776],
        strict=True,
    )
)
# MADE UP distractor row (not persons): median days from referral to charge.
CSEC_MEDIAN_DAYS = dict(
    zip(range(2004, 2014), [131, 128, 126, 122, 120, 118, 117, 115, 112, 110], strict=True)
)


class _Bulletin(PageWriter):
    FOOTER = FOOTER
    BODY_FONT = "Times-Roman"
    TEXT_GAP = 5.0
    HEADING_SIZE = 12.0
    HEADING_PAD = 4.0
    HEADING_GAP = 3.0

    def masthead(self, kind: str, title: str, ncj: str):
        self.text("U.S. Department of Justice", size=9, font="Helvetica", gap=0)
        self.text("Office of Justice Programs", size=9, font="Helvetica", gap=0)
        self.text("Bureau of Justice Statistics", size=9, font="Helvetica-Bold", gap=6)
        self.text(kind, size=11, font="Helvetica-Bold", gap=2)
        self.text(title, size=17, font="Helvetica-Bold", gap=2)
        self.text(ncj, size=9, font="Helvetica", gap=8)

    def table(
        self,
        title: str,
        years: list[int],
        rows: list[tuple[str, list[str]]],
        *,
        header_label: str = "",
        notes: Iterable[str] = (),
    ):
        """rows: (label, cells); a row without cells is a section line. Cells are right-aligned
        under right-aligned year headers."""
        self.y -= 6
        self.text(title, size=9, font="Helvetica-Bold", gap=4)
        c = self.c
        first, last = 250.0, WIDTH - MARGIN
        step = (last - first) / max(len(years) - 1, 1) if len(years) > 1 else 0
        xs = [first + step * i for i in range(len(years))] if len(years) > 1 else [last]
        c.setLineWidth(0.5)
        c.line(MARGIN, self.y + 9, last, self.y + 9)
        c.setFont("Helvetica-Bold", 8)
        if header_label:
            c.drawString(MARGIN, self.y, header_label)
        for x, yr in zip(xs, years, strict=True):
            c.drawRightString(x, self.y, str(yr))
        self.y -= 4
        c.line(MARGIN, self.y, last, self.y)
        self.y -= 11
        c.setFont("Helvetica", 8)
        for label, cells in rows:
            indent = 10 if label.startswith("  ") else 0
            c.drawString(MARGIN + indent, self.y, label.strip())
            for x, cell in zip(xs, cells, strict=True):
                c.drawRightString(x, self.y, cell)
            self.y -= 11
        c.line(MARGIN, self.y + 7, last, self.y + 7)
        self.y -= 4
        for note in notes:
            self.text(note, size=7, font="Helvetica", gap=1)


def _cells(series: dict[int, int], years: Iterable[int]) -> list[str]:
    return [n(series[y]) for y in years]


# ------------------------------------------------------------------------------------------------
# NCJ 219412: Federal Prosecution of Child Sex Exploitation Offenders, 2006

CSE_TITLE = "Federal Prosecution of Child Sex Exploitation Offenders, 2006"
CSE_YEARS = [2004, 2005, 2006]


def write_cse_2006(
    path: Path, wording: str = "a", *, omit: Iterable[str] = (), extra: Iterable[str] = ()
) -> Path:
    """NCJ 219412 stand-in. ``omit`` may hold "referred" (drop every suspects-referred figure for
    2006: the prose statement and the table's 2006 column). ``extra`` adds statements to page 1
    (wording "a" only), e.g. distractors that must not be read."""
    if wording not in WORDINGS:
        raise ValueError(f"wording must be one of {WORDINGS}")
    if extra and wording != "a":
        raise ValueError("extra statements are supported in wording 'a' only")
    omit = set(omit)
    years = CSE_YEARS[:-1] if "referred" in omit else CSE_YEARS
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    b = _Bulletin(path, CSE_TITLE)
    if wording == "a":
        b.masthead("Special Report", CSE_TITLE, "December 2007, NCJ 219412")
        if "referred" not in omit:
            b.text(
                "In 2006, U.S. attorneys referred 3,661 suspects for child sex exploitation offenses. "
                "Child pornography made up 69% of these referrals."
            )
        # MADE UP distractor: an all-offense total that must not be read as a child-exploitation count.
        b.text(
            "Of all 150,000 suspects referred to U.S. attorneys in 2006, 2.4% were suspected of "
            "child sex exploitation offenses."
        )
        for statement in extra:
            b.text(statement)
        b.text(
            "Investigations of child sex exploitation are conducted mainly by the Federal Bureau of "
            "Investigation, Immigration and Customs Enforcement and the U.S. Postal Inspection Service."
        )
        b.new_page()
        b.table(
            "Table 1. Suspects referred to U.S. attorneys for child sex exploitation offenses, by fiscal year",
            years,
            [
                ("Child sex exploitation, total", _cells(CSE_REFERRED["total"], years)),
                ("  Child pornography", _cells(CSE_REFERRED["child_pornography"], years)),
                ("  Sex abuse", _cells(CSE_REFERRED["sex_abuse"], years)),
                ("  Sex transportation", _cells(CSE_REFERRED["sex_transportation"], years)),
            ],
            header_label="Offense",
            notes=[
                "Note: Offense is the most serious offense investigated.",
                "Source: Bureau of Justice Statistics, Federal Justice Statistics Program.",
            ],
        )
    elif wording == "b":
        b.masthead("Bureau of Justice Statistics Special Report", CSE_TITLE, "NCJ 219412")
        b.heading("Highlights")
        if "referred" not in omit:
            b.text(
                "\u2022 During fiscal year 2006, 3,661 suspects were referred to U.S. attorneys for child "
                "sex exploitation offenses; child pornography accounted for 69 percent of referrals."
            )
        b.text("\u2022 Most child sex exploitation defendants were convicted.")
        b.table(
            "Table 1. Child sex exploitation suspects and defendants, by offense and fiscal year",
            years,
            [
                ("Suspects referred to U.S. attorneys", ["" for _ in years]),
                ("  All child sex exploitation", _cells(CSE_REFERRED["total"], years)),
                ("  Child pornography", _cells(CSE_REFERRED["child_pornography"], years)),
                ("Defendants charged in U.S. district court", ["" for _ in years]),
                ("  All child sex exploitation", _cells(CSE_CHARGED["total"], years)),
                ("  Child pornography", _cells(CSE_CHARGED["child_pornography"], years)),
            ],
            header_label="Most serious offense",
            notes=[
                "Source: Bureau of Justice Statistics, Federal Justice Statistics Program, 2004-2006."
            ],
        )
    else:
        b.masthead("Special Report", CSE_TITLE, "NCJ 219412")
        if "referred" not in omit:
            b.text(
                "A total of 3,661 suspects in child sex exploitation matters were received by U.S. "
                "attorneys in 2006, and child pornography was the lead charge in 69% of them."
            )
        b.table(
            "Table 1. Child sex exploitation matters received by U.S. attorneys, 2004\u20132006",
            years,
            [
                ("Suspects in matters received", _cells(CSE_REFERRED["total"], years)),
                ("Child pornography suspects", _cells(CSE_REFERRED["child_pornography"], years)),
            ],
            notes=["Source: Bureau of Justice Statistics, Federal Justice Statistics Program."],
        )
    b.save()
    return path


# ------------------------------------------------------------------------------------------------
# NCJ 250746: Federal Prosecution of Commercial Sexual Exploitation of Children Cases, 2004-2013

CSEC_TITLE = (
    "Federal Prosecution of Commercial Sexual Exploitation of Children Cases, 2004\u20132013"
)
CSEC_YEARS = list(range(2004, 2014))


def write_csec_2004_2013(path: Path, wording: str = "a", *, omit: Iterable[str] = ()) -> Path:
    """NCJ 250746 stand-in. ``omit`` may hold "referred" (drop every suspects-referred figure)."""
    if wording not in WORDINGS:
        raise ValueError(f"wording must be one of {WORDINGS}")
    omit = set(omit)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    y = CSEC_YEARS
    b = _Bulletin(path, CSEC_TITLE)
    if wording == "a":
        b.masthead("Bulletin", CSEC_TITLE, "September 2017, NCJ 250746")
        if "referred" not in omit:
            b.text(
                "The number of suspects referred to U.S. attorneys for commercial sexual exploitation "
                "of children (CSEC) offenses increased from 2,972 in 2004 to 4,579 in 2013."
            )
        b.text(
            "The number of defendants prosecuted for CSEC offenses increased from 1,405 in 2004 to "
            "2,776 in 2013."
        )
        b.text("Most CSEC suspects were referred for child pornography offenses.")
        b.new_page()
        rows = [("Defendants prosecuted", _cells(CSEC_PROSECUTED, y))]
        if "referred" not in omit:
            rows.insert(0, ("Suspects referred", _cells(CSEC_REFERRED, y)))
        rows.append(
            (
                "Percent prosecuted",
                [f"{CSEC_PROSECUTED[i] / CSEC_REFERRED[i] * 100:.1f}" for i in y],
            )
        )
        b.table(
            "Table 1. Suspects referred to U.S. attorneys and defendants prosecuted for CSEC offenses, "
            "by fiscal year, 2004\u20132013",
            y,
            rows,
            notes=[
                "Note: Fiscal years run from October 1 through September 30.",
                "Source: Bureau of Justice Statistics, Federal Justice Statistics Program, 2004\u20132013.",
            ],
        )
    elif wording == "b":
        b.masthead("Bulletin", CSEC_TITLE, "NCJ 250746")
        b.heading("Highlights")
        if "referred" not in omit:
            b.text(
                "Between 2004 and 2013, suspects referred to U.S. attorneys for CSEC offenses rose from "
                "2,972 to 4,579, and defendants charged grew from 1,405 to 2,776."
            )
        else:
            b.text(
                "Between 2004 and 2013, defendants charged with CSEC offenses grew from 1,405 to 2,776."
            )
        b.text("Child pornography was the most common CSEC offense.")
        b.new_page()
        rows = []
        if "referred" not in omit:
            rows.append(("Referred to U.S. attorneys", _cells(CSEC_REFERRED, y)))
        rows.append(("Charged in U.S. district court", _cells(CSEC_PROSECUTED, y)))
        rows.append(("Median days from referral to charge", [str(CSEC_MEDIAN_DAYS[i]) for i in y]))
        b.table(
            "Table 2. Commercial sexual exploitation of children cases, by stage and fiscal year",
            y,
            rows,
            header_label="Stage",
            notes=["Source: Bureau of Justice Statistics, Federal Justice Statistics Program."],
        )
    else:
        b.masthead("Bulletin", CSEC_TITLE, "NCJ 250746")
        if "referred" not in omit:
            b.text(
                "Referrals of CSEC suspects to U.S. attorneys went up 54%, reaching 4,579 in 2013 "
                "compared with 2,972 in 2004."
            )
        b.text(
            "Prosecutions followed: 2,776 defendants were charged in 2013, versus 1,405 in 2004."
        )
        rows = []
        if "referred" not in omit:
            rows.append(("Suspects in matters referred", _cells(CSEC_REFERRED, y)))
        rows.append(("Defendants in cases filed", _cells(CSEC_PROSECUTED, y)))
        b.table(
            "Table 1. CSEC suspects in matters referred and defendants in cases filed, by fiscal year",
            y,
            rows,
            notes=["Source: Bureau of Justice Statistics, Federal Justice Statistics Program."],
        )
    b.save()
    return path


def write_unrelated(path: Path) -> Path:
    """A BJS-looking bulletin on another subject: not one of the parser's reports."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    b = _Bulletin(path, "Drug Offenders in Federal Prisons")
    b.masthead("Bulletin", "Drug Offenders in Federal Prisons, 2012", "NCJ 000000")
    b.text("In 2012, U.S. attorneys referred 30,000 suspects for drug offenses.")
    b.save()
    return path


WRITERS = {
    "bjs_fpcseo_2006": write_cse_2006,
    "bjs_fpcsecc_2004_2013": write_csec_2004_2013,
}


def write_mirror(root: Path) -> list[Path]:
    """A stand-in (wording "a") at the mirror location (<root>/<host>/<url path>) of every registered
    BJS document. Returns the paths written; a registered BJS document without a writer here is an
    error, so a new registry entry cannot be skipped silently."""
    from pipeline.registry import registry

    paths = []
    for doc in registry():
        if doc.parser != "bjs":
            continue
        if doc.id not in WRITERS:
            raise KeyError(f"no stand-in writer for registered BJS document {doc.id}")
        paths.append(WRITERS[doc.id](mirror_path(root, doc.url), "a"))
    return paths
