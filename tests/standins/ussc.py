"""Stand-in U.S. Sentencing Commission "Quick Facts: Child Pornography Offenders" sheets.

No real copy of these fact sheets is available offline, so tests generate two-page PDFs that follow
the published structure (title block, headed prose statements, a five-year "Number of Child
Pornography Offenders" bar chart whose bar labels are text, a second page of sentencing detail).
Every page says in its footer that it is a generated stand-in. They carry the real figures that are
known from third parties and plausible made-up figures elsewhere, marked below.

Wordings: "a" and "b" are the two the parser was written against; "c" (prose paraphrase) and "d"
(label: value infographic style) were written before the parser was run on them and never used to
tune it.

Chart variants (:class:`ChartSpec`): any title, including none and one with a year range ("...
Sentenced, FY 2018 - FY 2022"); axis labels "FY19", "FY 2019", "FY2019" or "2019"; bars without
labels or with other years; and a second five-year chart of another measure ("Average Sentence in
Months", its values MADE UP).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.standins._page import MARGIN, WIDTH, PageWriter, mirror_path, n

FOOTER = "Stand-in generated for tests; not a U.S. Sentencing Commission publication."

# Child pornography offenders sentenced, by fiscal year, as the stand-ins print them.
#   2020: 1,023 and 2022: 1,435 are third-party quotes of the real sheets (CATALOG.md section 3).
#   2019: 1,544, 2021: 1,143 and 2023: 1,350 are the example chart labels of the task brief; they
#         have not been checked against a real sheet.
#   2015-2018 and 2024 are MADE UP (plausible magnitudes only).
CP_COUNTS = {
    2015: 1_912,  # made up
    2016: 1_825,  # made up
    2017: 1_703,  # made up
    2018: 1_617,  # made up
    2019: 1_544,  # task-brief example, unverified
    2020: 1_023,  # third-party quote of the real FY2020 sheet
    2021: 1_143,  # task-brief example, unverified
    2022: 1_435,  # third-party quote of the real FY2022 sheet
    2023: 1_350,  # task-brief example, unverified
    2024: 1_298,  # made up
}


@dataclass(frozen=True)
class SheetFigures:
    fiscal_year: int
    all_offenders: int
    share_of_all: str  # as printed, e.g. "2.1"
    possession: str
    distribution: str  # printed as "trafficking" or "distribution" depending on the wording
    receipt: str
    mean_months: int
    median_months: int
    prison_share: str

    @property
    def cp_offenders(self) -> int:
        return CP_COUNTS[self.fiscal_year]


# Only FY2022's 64,142 offenders and its 45.0 / 43.9 / 11.1 offense-type split are from the task
# brief and third-party quotes; 2.1% is the brief's example wording (1,435 / 64,142 would be 2.2%;
# the real sheet's denominator may differ). Every other figure in this table is MADE UP.
FIGURES = {
    2019: SheetFigures(2019, 76_538, "2.0", "44.1", "42.6", "13.3", 105, 87, "99.1"),
    2020: SheetFigures(2020, 64_565, "1.6", "46.2", "41.5", "12.3", 103, 84, "99.3"),
    2021: SheetFigures(2021, 57_287, "2.0", "45.5", "42.9", "11.6", 102, 84, "99.2"),
    2022: SheetFigures(2022, 64_142, "2.1", "45.0", "43.9", "11.1", 103, 84, "99.4"),
    2023: SheetFigures(2023, 64_124, "2.1", "44.7", "44.0", "11.3", 104, 85, "99.5"),
    2024: SheetFigures(2024, 61_678, "2.1", "43.8", "45.1", "11.1", 106, 87, "99.6"),
}

WORDINGS = ("a", "b", "c", "d")


class _Sheet(PageWriter):
    """A two-page fact sheet: the shared page writer plus a bar chart whose labels are text."""

    FOOTER = FOOTER

    def chart(
        self,
        title: str,
        bars: list[tuple[str, str, int]],
        *,
        labels_on_one_line: bool = False,
        y_ticks: bool = False,
    ):
        """A bar chart: (year label, count label, bar height value) per bar; labels are text."""
        plot_h = 120.0
        top_pad = 34.0
        if title:
            self.heading(title, size=11)
        base = self.y - top_pad - plot_h
        left, right = MARGIN + 50, WIDTH - MARGIN - 40
        spacing = (right - left) / len(bars)
        peak = max(v for _, _, v in bars) or 1
        c = self.c
        c.setLineWidth(0.5)
        c.line(left, base, right, base)
        if y_ticks:
            step = 500
            c.setFont("Helvetica", 7)
            for t in range(0, int(peak) + step, step):
                y = base + plot_h * t / peak
                if y > base + plot_h + 5:
                    break
                c.drawRightString(left - 22, y - 2, n(t))
                c.setStrokeGray(0.8)
                c.line(left - 18, y, right, y)
                c.setStrokeGray(0)
        for i, (year_label, count_label, value) in enumerate(bars):
            cx = left + spacing * (i + 0.5)
            h = plot_h * value / peak
            c.setFillGray(0.55)
            c.rect(cx - spacing * 0.28, base, spacing * 0.56, h, stroke=0, fill=1)
            c.setFillGray(0)
            c.setFont("Helvetica-Bold", 9)
            label_y = base + plot_h + 10 if labels_on_one_line else base + h + 4
            if count_label:
                c.drawCentredString(cx, label_y, count_label)
            c.setFont("Helvetica", 9)
            c.drawCentredString(cx, base - 13, year_label)
        self.y = base - 32


# Axis label styles: "FY19", "FY 2019" (two words), "FY2019", "2019".
YEAR_STYLES = ("short", "spaced", "long", "bare")


@dataclass(frozen=True)
class ChartSpec:
    """How a sheet draws its trend chart; None keeps the wording's own choice.

    ``bars`` replaces the counts ({fiscal year: count, None = bar without a label}); ``title``
    replaces the title ("" for an untitled chart; "{first}" and "{last}" become the first and last
    fiscal year, as in "..., FY {first} - FY {last}"); ``year_style`` is one of :data:`YEAR_STYLES`;
    ``average_chart`` adds a second five-year chart, "Average Sentence in Months", after it."""

    bars: Mapping[int, int | None] | None = None
    title: str | None = None
    year_style: str | None = None
    average_chart: bool = False


def _year_label(y: int, year_style: str) -> str:
    return {"short": f"FY{y % 100:02d}", "spaced": f"FY {y}", "long": f"FY{y}", "bare": str(y)}[
        year_style
    ]


def _chart_bars(fy: int, year_style: str, chart: Mapping[int, int | None] | None):
    years = range(fy - 4, fy + 1)
    counts = dict(chart) if chart is not None else {y: CP_COUNTS[y] for y in years}
    bars = []
    for y in sorted(counts):
        value = counts[y]
        bars.append((_year_label(y, year_style), n(value) if value is not None else "", value or 0))
    return bars


def _draw_chart(s: _Sheet, fy: int, spec: ChartSpec, title: str, year_style: str, **kw):
    """The wording's trend chart (its own title and label style unless ``spec`` says otherwise)."""
    title = spec.title if spec.title is not None else title
    title = title.format(first=fy - 4, last=fy)
    style = spec.year_style or year_style
    s.chart(title, _chart_bars(fy, style, spec.bars), **kw)
    if spec.average_chart:
        months = [
            (_year_label(y, style), str(100 + y % 7), 100 + y % 7) for y in range(fy - 4, fy + 1)
        ]
        s.chart("Average Sentence in Months", months, **kw)


def write_quick_facts(
    path: Path,
    fiscal_year: int,
    wording: str = "a",
    *,
    omit: Iterable[str] = (),
    chart: Mapping[int, int | None] | None = None,
    stated_year: int | None = None,
    extra: Iterable[str] = (),
    chart_spec: ChartSpec | None = None,
) -> Path:
    """Write a stand-in sheet for ``fiscal_year`` in one of :data:`WORDINGS`.

    ``omit`` may hold "cp_count" (drop the statement of the number of child pornography offenders)
    or "chart". ``chart`` replaces the bars ({fiscal year: count, None = bar without a label}).
    ``stated_year`` prints another fiscal year in the text than the one the figures are for (to
    test the year check against the registry). ``extra`` adds statements to page 1 (wording "a"
    only), e.g. distractors that must not be read. ``chart_spec`` varies the chart's title, axis
    labels and company (its ``bars`` and ``chart`` may not both be given).
    """
    if wording not in WORDINGS:
        raise ValueError(f"wording must be one of {WORDINGS}")
    omit = set(omit)
    if chart_spec is not None and chart is not None and chart_spec.bars is not None:
        raise ValueError("give the bars either as chart or as chart_spec.bars")
    spec = chart_spec or ChartSpec()
    if chart is not None:
        spec = dataclasses.replace(spec, bars=chart)
    f = FIGURES[fiscal_year]
    fy = stated_year or fiscal_year
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if wording == "a":
        _wording_a(path, f, fy, omit, spec, list(extra))
    elif extra:
        raise ValueError("extra statements are supported in wording 'a' only")
    else:
        {"b": _wording_b, "c": _wording_c, "d": _wording_d}[wording](path, f, fy, omit, spec)
    return path


def _page_two(s: _Sheet, f: SheetFigures, fy: int):
    s.heading("Sentences Relative to the Guideline Range")
    s.text(
        "Of these offenders, 31.2% were sentenced within the guideline range. The average guideline "
        "minimum was 137 months."
    )
    s.text(
        "Of the 68.5% of offenders sentenced below the guideline range, 22.4% received a "
        "substantial assistance departure."
    )
    s.heading("Criminal History")
    s.text("82.7% of these offenders had little or no prior criminal history (Category I).")
    s.text(
        f"SOURCE: U.S. Sentencing Commission, {fy - 4} through {fy} Datafiles, "
        f"USSCFY{(fy - 4) % 100:02d}-USSCFY{fy % 100:02d}."
    )


def _wording_a(path, f: SheetFigures, fy, omit, spec: ChartSpec, extra=()):
    s = _Sheet(path, f"Quick Facts: Child Pornography Offenders, Fiscal Year {fy}")
    s.text("U.S. SENTENCING COMMISSION", size=9, font="Helvetica-Bold")
    s.text("QUICK FACTS", size=20, font="Helvetica-Bold")
    s.text("Child Pornography Offenders", size=16, font="Helvetica-Bold", gap=0)
    s.text(f"Fiscal Year {fy}", size=12)
    s.heading("Offender and Offense Characteristics")
    lead = f"In fiscal year {fy}, there were {n(f.all_offenders)} offenders sentenced under the guidelines."
    if "cp_count" not in omit:
        lead += f" Of these, {n(f.cp_offenders)} were child pornography offenders."
    s.text(lead)
    s.text(
        f"Child pornography offenders accounted for {f.share_of_all}% of all offenders sentenced "
        "under the guidelines."
    )
    first = CP_COUNTS[f.fiscal_year - 4]
    change = abs(f.cp_offenders - first) / first * 100
    trend = "decreased" if f.cp_offenders < first else "increased"
    s.text(
        f"The number of child pornography offenders has {trend} {change:.1f}% since fiscal year {fy - 4}."
    )
    for statement in extra:
        s.text(statement)
    s.heading("Offense Type")
    s.text(
        f"Of child pornography offenders, {f.possession}% were sentenced for possession, "
        f"{f.distribution}% for trafficking, and {f.receipt}% for receipt."
    )
    s.heading("Punishment")
    s.text(f"{f.prison_share}% of child pornography offenders were sentenced to prison.")
    s.text(
        f"The average sentence for child pornography offenders was {f.mean_months} months. "
        f"The median sentence was {f.median_months} months."
    )
    s.new_page()
    if "chart" not in omit:
        _draw_chart(s, fy, spec, "Number of Child Pornography Offenders", "short")
    _page_two(s, f, fy)
    s.save()


def _wording_b(path, f: SheetFigures, fy, omit, spec: ChartSpec):
    s = _Sheet(path, f"Quick Facts: Child Pornography Offenders, FY {fy}")
    s.text("QUICK FACTS", size=20, font="Helvetica-Bold")
    s.text("Offenders Whose Primary Offense Was Child Pornography", size=14, font="Helvetica-Bold")
    s.text(f"FY {fy}", size=12)
    if "cp_count" not in omit:
        s.text(
            f"Of the {n(f.all_offenders)} cases reported to the Commission in FY {fy}, "
            f"{n(f.cp_offenders)} involved offenders whose primary offense was child pornography."
        )
    else:
        s.text(f"The Commission received {n(f.all_offenders)} case files in FY {fy}.")
    s.text(
        f"These offenders made up {f.share_of_all} percent of all offenders sentenced under the guidelines."
    )
    if "chart" not in omit:
        _draw_chart(
            s,
            fy,
            spec,
            "Number of Offenders Sentenced for Child Pornography, by Fiscal Year",
            "spaced",
            labels_on_one_line=True,
            y_ticks=True,
        )
    s.heading("Offense Characteristics")
    s.text(
        f"Possession accounted for {f.possession} percent of these cases, distribution for "
        f"{f.distribution} percent and receipt for {f.receipt} percent."
    )
    s.new_page()
    s.heading("Punishment")
    s.text(
        f"Child pornography offenders received an average prison term of {f.mean_months} months "
        f"(median {f.median_months} months); {f.prison_share} percent were sentenced to imprisonment."
    )
    _page_two(s, f, fy)
    s.save()


def _wording_c(path, f: SheetFigures, fy, omit, spec: ChartSpec):
    """Unseen wording 1: a prose paraphrase with the count after its noun."""
    s = _Sheet(path, f"Quick Facts: Child Pornography Offenders, Fiscal Year {fy}")
    s.text("Quick Facts", size=20, font="Helvetica-Bold")
    s.text("Child Pornography Offenders", size=16, font="Helvetica-Bold", gap=0)
    s.text(f"Fiscal Year {fy}", size=12)
    s.heading("At a Glance")
    if "cp_count" not in omit:
        s.text(
            f"The Commission received information on {n(f.all_offenders)} federal offenders "
            f"sentenced in FY{fy % 100:02d}; child pornography was the primary offense for "
            f"{n(f.cp_offenders)} of them."
        )
    s.text(f"That is {f.share_of_all}% of all offenders sentenced under the guidelines.")
    s.text(
        f"Offense type breakdown: possession ({f.possession}%), trafficking ({f.distribution}%) "
        f"and receipt ({f.receipt}%)."
    )
    s.text(
        f"Nearly all of these offenders ({f.prison_share}%) were sentenced to prison, for an "
        f"average of {f.mean_months} months; the median term was {f.median_months} months."
    )
    if "chart" not in omit:
        _draw_chart(
            s, fy, spec, "Child Pornography Offenders Sentenced, Number per Fiscal Year", "long"
        )
    s.new_page()
    _page_two(s, f, fy)
    s.save()


def _wording_d(path, f: SheetFigures, fy, omit, spec: ChartSpec):
    """Unseen wording 2: infographic 'label: value' statements without verbs."""
    s = _Sheet(path, f"Quick Facts: Child Pornography Offenders, FY{fy}")
    s.text("QUICK FACTS", size=20, font="Helvetica-Bold")
    s.text("Child Pornography", size=16, font="Helvetica-Bold")
    if "cp_count" not in omit:
        s.text(f"Child pornography offenders sentenced in FY {fy}: {n(f.cp_offenders)}")
    s.text(f"All offenders sentenced under the guidelines: {n(f.all_offenders)}")
    s.text(f"Share of all offenders: {f.share_of_all}%")
    s.text(f"Possession {f.possession}% | Trafficking {f.distribution}% | Receipt {f.receipt}%")
    s.text(f"Average sentence: {f.mean_months} months")
    s.text(f"Median sentence: {f.median_months} months")
    s.text(f"Sentenced to prison: {f.prison_share}%")
    if "chart" not in omit:
        _draw_chart(s, fy, spec, "Number of Child Pornography Offenders", "short")
    s.new_page()
    _page_two(s, f, fy)
    s.save()


def write_unrelated(path: Path) -> Path:
    """A two-page PDF that is not a Quick Facts sheet (another agency's newsletter)."""
    path = Path(path)
    s = _Sheet(path, "Newsletter")
    s.text("Quarterly Newsletter", size=18, font="Helvetica-Bold")
    s.text("In fiscal year 2022, the agency answered 12,345 letters from the public.")
    s.new_page()
    s.text("Staff news and upcoming events.")
    s.save()
    return path


def write_mirror(root: Path) -> list[Path]:
    """A stand-in at the mirror location (<root>/<host>/<url path>) of every registered Quick Facts
    sheet; even fiscal years in wording "a", odd ones in "b". Returns the paths written."""
    from pipeline.registry import registry

    paths = []
    for doc in registry():
        if doc.parser != "ussc_quick_facts":
            continue
        wording = "a" if doc.year % 2 == 0 else "b"
        paths.append(write_quick_facts(mirror_path(root, doc.url), doc.year, wording))
    return paths
