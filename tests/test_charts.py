"""Charts: every chart renders from tables built from the mirror, byte for byte the same in another
process, one side and one period type per figure, and a missing table skips its chart with a reason.

The tables come from one build (``build_all``) over a temporary mirror holding the real NCMEC PDFs
of ../shared/sources/mirror plus generated STAND-INS where no real copy exists offline: every outcomes
document (tests/standins) and a 2024 by-country edition (so the 2024 bundling break has a year to
mark). The stand-ins' figures are made up or copied from CATALOG.md; the charts say the copies are
not verified as the publisher's own.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.text import Text

import schemas
from pipeline import charts
from pipeline.archive import Archive
from pipeline.build import build_all
from pipeline.caveats import BUNDLING_FROM_YEAR
from pipeline.charts import CHART_FILES, render_charts
from pipeline.fetch import fetch_document, mirror_location
from pipeline.registry import by_id, registry
from tests.conftest import MIRROR, REPO
from tests.standins.__main__ import write_all
from tests.standins.ncmec_future import write_country_unknown_spelling

REPORTS_CHARTS = {
    "charts/reports_per_year.png",
    "charts/top_esps_latest_year.png",
    "charts/reports_to_law_enforcement.png",
}
OUTCOMES_CHARTS = {
    "charts/icac_activity_per_fiscal_year.png",
    "charts/federal_sentencing_per_fiscal_year.png",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_mirror(root: Path) -> Path:
    """The real mirror plus stand-ins for the outcomes documents and a 2024 by-country edition."""
    mirror = root / "mirror"
    shutil.copytree(MIRROR, mirror)
    write_all(mirror)
    target = mirror / mirror_location(by_id("ncmec_country_2024").url)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_country_unknown_spelling(target, 2024)
    return mirror


def build_tables(mirror: Path, raw: Path) -> dict[str, pd.DataFrame]:
    archive = Archive(raw)
    for doc in registry():
        if (mirror / mirror_location(doc.url)).is_file():
            assert fetch_document(doc, archive, mirror=str(mirror)).ok, doc.id
    tables, failures = build_all(archive, cache=False)
    assert failures == {}
    return tables


def digests(rendered: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(png).hexdigest() for name, png in sorted(rendered.items())}


def is_vertical_marker(line) -> bool:
    """An axvline: two points at one x, spanning the axes (its y is in axes coordinates)."""
    xs = list(line.get_xdata())
    return len(xs) == 2 and xs[0] == xs[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("charts")
    mirror = make_mirror(root)
    return mirror, build_tables(mirror, root / "raw")


@pytest.fixture(scope="module")
def tables(built):
    return built[1]


@pytest.fixture(scope="module")
def rendered(tables):
    """The charts, plus every figure's texts and plotted numbers as seen through the inspect hook."""
    seen = {}

    def inspect(spec, fig):
        texts = [t.get_text() for t in fig.findobj(Text) if t.get_text()]
        plotted = []
        for ax in fig.axes:
            # a bar's value is its height (vertical) or width (horizontal); its thickness is < 1
            sizes = ((p.get_height(), p.get_width()) for p in ax.patches)
            plotted += [float(v) for pair in sizes for v in pair if v >= 1]
            for line in ax.get_lines():
                if not is_vertical_marker(line):
                    plotted += [float(y) for y in line.get_ydata() if y == y]  # skip NaN
        vlines = [
            line.get_xdata()[0]
            for ax in fig.axes
            for line in ax.get_lines()
            if is_vertical_marker(line)
        ]
        seen[spec.file] = {
            "suptitle": fig.get_suptitle(),
            "texts": texts,
            "plotted": plotted,
            "vlines": vlines,
            "xlabels": [ax.get_xlabel() for ax in fig.axes if ax.get_xlabel()],
        }

    return render_charts(tables, inspect=inspect), seen


# -- every chart renders ------------------------------------------------------------------------------
def test_every_chart_renders_as_a_png_of_fixed_size(rendered):
    out, _ = rendered
    assert list(out) == list(CHART_FILES)
    assert set(out) == REPORTS_CHARTS | OUTCOMES_CHARTS
    assert out.skipped == {}
    for name, png in out.items():
        assert png.startswith(PNG_SIGNATURE), name
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert (width, height) == (1100, 650), name
        # no Software text chunk, no modification time: nothing that varies between runs
        assert b"Software" not in png and b"tIME" not in png, name


def test_png_metadata_has_no_timestamp_or_software_key():
    assert charts.PNG_METADATA == {"Software": None}


# -- byte-identical --------------------------------------------------------------------------------
def test_two_renders_are_byte_identical_and_caller_style_does_not_leak(tables, rendered):
    first, _ = rendered
    with mpl.rc_context({"font.size": 22, "lines.linewidth": 7, "axes.grid": False}):
        before = dict(mpl.rcParams)
        again = render_charts(tables)
        assert dict(mpl.rcParams) == before  # nothing the charts set stays behind
    assert digests(again) == digests(first)


CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from tests.test_charts import build_tables, digests
    from pipeline.charts import render_charts
    tables = build_tables(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps(digests(render_charts(tables))))
    """
)


def test_a_second_build_in_another_process_gives_the_same_bytes(built, rendered, tmp_path):
    mirror, _ = built
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(mirror), str(tmp_path / "raw")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == digests(rendered[0])


def test_the_font_is_the_dejavu_sans_shipped_with_matplotlib():
    with charts._style():
        path = Path(findfont(FontProperties(family=mpl.rcParams["font.family"])))
    assert path.name == "DejaVuSans.ttf"
    assert path.is_relative_to(Path(mpl.get_data_path()))


# -- one side and one period type per figure ---------------------------------------------------------
def test_titles_and_axes_carry_the_period_type(rendered):
    out, seen = rendered
    for name in REPORTS_CHARTS:
        assert "calendar year" in seen[name]["suptitle"], name
        assert out.specs[name].period_type == "calendar"
        assert not any("fiscal" in t.lower() for t in seen[name]["texts"]), name
    for name in OUTCOMES_CHARTS:
        assert "federal fiscal year" in seen[name]["suptitle"], name
        assert out.specs[name].period_type == "fiscal"
        assert seen[name]["xlabels"] == ["Federal fiscal year (October\u2013September)"], name
        assert not any("calendar" in t.lower() for t in seen[name]["texts"]), name


def test_captions_cite_the_documents_and_say_figures_as_printed_not_linked(rendered):
    out, seen = rendered
    for name, spec in out.specs.items():
        caption = next(t for t in seen[name]["texts"] if t.startswith("Source documents:"))
        flat = " ".join(caption.split())
        assert "Figures as printed; not linked to any" in flat, name
        for doc_id in spec.document_ids:
            assert doc_id in flat, (name, doc_id)
    assert out.specs["charts/top_esps_latest_year.png"].document_ids == ("ncmec_esp_2022",)
    # the stand-ins say so
    assert "None of these copies is verified" in out.specs[
        "charts/federal_sentencing_per_fiscal_year.png"
    ].caption.replace("\n", " ")


def test_reports_and_outcomes_never_share_a_figure(tables, rendered):
    out, seen = rendered
    for name, spec in out.specs.items():
        side = "reports" if name in REPORTS_CHARTS else "outcomes"
        assert spec.side == side
        assert {schemas.family_of(t) for t in spec.tables} == {side}, name
        # every plotted number is a figure of the chart's own tables: nothing from the other side,
        # no ratio of one to the other
        own = set()
        for t in spec.tables:
            column = "reports" if "reports" in tables[t].columns else "value"
            own |= {float(v) for v in tables[t][column]}
        plotted = {v for v in seen[name]["plotted"] if v > 0}
        assert plotted and plotted <= own, (name, sorted(plotted - own)[:5])


def test_a_chart_definition_mixing_the_sides_is_refused():
    with pytest.raises(ValueError, match="more than one side"):
        charts._spec(
            "charts/x.png",
            "x per calendar year",
            "calendar",
            ["cybertipline_reports_by_year", "icac_task_force_activity"],
            [],
            "",
        )
    with pytest.raises(ValueError, match="does not name its period type"):
        charts._spec("charts/x.png", "x per year", "fiscal", ["federal_sentencing"], [], "")


# -- what each chart shows -------------------------------------------------------------------------
def test_reports_per_year_takes_one_value_per_year_from_the_newest_edition(tables, rendered):
    out, seen = rendered
    year = tables["cybertipline_reports_by_year"]
    chosen = charts.newest_edition(
        year[year["measure"].isin(["reports_total", "reports_esp", "reports_public"])],
        ["calendar_year", "measure"],
    ).set_index(["calendar_year", "measure"])
    assert not chosen.index.duplicated().any()
    # 2019's total is printed by the 2019 by-country PDF and again by the 2022 transparency report
    assert chosen.loc[(2019, "reports_total"), "document_id"] == "ncmec_transparency_2022"
    assert chosen.loc[(2019, "reports_total"), "value"] == 16987361
    totals = [float(v) for v in chosen.xs("reports_total", level="measure").sort_index()["value"]]
    assert totals[0] == 4560 and len(totals) == 1 + 2022 - 1998 + 1  # 1998-2022 and 2024
    plotted = seen["charts/reports_per_year.png"]["plotted"]
    assert plotted.count(32059029.0) == 1  # 2022 plotted once although three documents print it
    legend = " ".join(seen["charts/reports_per_year.png"]["texts"])
    assert "All reports (2022: 32,059,029; 2024: " in legend


def test_the_2024_bundling_break_is_marked_only_when_2024_is_present(tables, rendered):
    _, seen = rendered
    assert seen["charts/reports_per_year.png"]["vlines"] == [BUNDLING_FROM_YEAR - 0.5]
    assert any("bundling" in t for t in seen["charts/reports_per_year.png"]["texts"])

    year = tables["cybertipline_reports_by_year"]
    before = {**tables, "cybertipline_reports_by_year": year[year["calendar_year"] < 2024]}
    seen_before = {}
    out = render_charts(
        before,
        inspect=lambda spec, fig: seen_before.setdefault(
            spec.file, [t.get_text() for t in fig.findobj(Text)]
        ),
    )
    assert "2022" in out.specs["charts/reports_per_year.png"].title
    assert not any("bundl" in t for t in seen_before["charts/reports_per_year.png"])


def test_top_esps_are_the_15_largest_of_the_latest_year_as_printed(rendered):
    out, seen = rendered
    spec = out.specs["charts/top_esps_latest_year.png"]
    assert spec.title.endswith("calendar year 2022: top 15 of 236")
    bars = seen["charts/top_esps_latest_year.png"]["texts"]
    assert "Facebook" in bars and "21,165,208" in bars and "45,992" in bars  # 1st and 15th
    assert "25,042" not in bars  # 20th is left out


def test_law_enforcement_chart_plots_the_printed_totals_only(tables, rendered):
    _, seen = rendered
    le = tables["cybertipline_reports_to_law_enforcement"]
    totals = {float(v) for v in le.loc[le["report_class"] == "total", "reports"]}
    plotted = seen["charts/reports_to_law_enforcement.png"]["plotted"]
    assert set(plotted) <= totals | {0.0}
    assert sorted(v for v in plotted if v) == sorted(totals)  # 4 recipients x 3 years, once each
    assert 892370.0 in plotted  # ICAC task forces 2022, not actionable + informational + total


def test_icac_and_sentencing_show_each_fiscal_year_once_with_qualifiers(rendered):
    _, seen = rendered
    icac = seen["charts/icac_activity_per_fiscal_year.png"]
    assert "more than 2,040" in icac["texts"] and "about 203,467" in icac["texts"]
    assert sorted(icac["plotted"]) == sorted(
        [2040.0, 3108.0, 5387.0, 5819.0, 8500.0, 12600.0, 54000.0, 203467.0]
    )
    sentencing = seen["charts/federal_sentencing_per_fiscal_year.png"]
    assert sentencing["plotted"] == [1912, 1825, 1703, 1617, 1544, 1023, 1143, 1435, 1350, 1298]


# -- skipped charts ------------------------------------------------------------------------------------
def test_a_missing_or_empty_table_skips_its_chart_with_the_reason(tables):
    partial = {k: v for k, v in tables.items() if k != "federal_sentencing"}
    partial["icac_task_force_activity"] = tables["icac_task_force_activity"].iloc[0:0]
    le = tables["cybertipline_reports_to_law_enforcement"]
    partial["cybertipline_reports_to_law_enforcement"] = le[le["report_class"] != "total"]
    out = render_charts(partial)
    assert out.skipped == {
        "charts/federal_sentencing_per_fiscal_year.png": "table federal_sentencing not given",
        "charts/icac_activity_per_fiscal_year.png": "table icac_task_force_activity has no rows",
        "charts/reports_to_law_enforcement.png": (
            "table cybertipline_reports_to_law_enforcement has no report_class 'total' rows"
        ),
    }
    assert set(out) == {"charts/reports_per_year.png", "charts/top_esps_latest_year.png"}
    assert render_charts({}).skipped.keys() == set(CHART_FILES)
