"""Charts of the published tables, as PNG bytes that are identical for identical tables.

Each chart shows one side of the record (CyberTipline reports per calendar year, or outcomes per
federal fiscal year) in a figure of its own, with its own axes and the period type in its title: the
two sides are never overlaid, joined or divided (see DESIGN.md). Captions name the documents the
plotted figures come from and say that the figures are as printed and not linked to the other side.

The same figure printed in several editions is plotted once, from the newest edition (the registry's
period, then its order; a web-archive capture ranks below the live copy, and an
``is_latest_edition``/``preferred`` column, where a table has one, decides first).

Determinism: figures are drawn with the object API (no pyplot state) on the Agg canvas inside an
``rc_context`` that starts from matplotlib's defaults, at a fixed size and dpi, with DejaVu Sans (shipped
with matplotlib) and PNG metadata without the Software key (matplotlib writes no timestamp into PNG).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.style
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter

import schemas
from pipeline.caveats import BUNDLING_FROM_YEAR, edition_rank, registry_index

__all__ = ["CHART_FILES", "ChartSpec", "RenderedCharts", "render_charts"]

WIDTH_IN, HEIGHT_IN, DPI = 11.0, 6.5, 100  # 1100 x 650 px
PERIOD_LABELS = {"calendar": "calendar year", "fiscal": "federal fiscal year"}
PERIOD_COLUMNS = {"calendar": "calendar_year", "fiscal": "fiscal_year"}
# The other side, named in every caption's "not linked" sentence.
NOT_LINKED = {
    "reports": "Figures as printed; not linked to any arrest, prosecution or sentencing figure.",
    "outcomes": "Figures as printed; not linked to any CyberTipline report figure.",
}
PNG_METADATA = {"Software": None}
CAPTION_WIDTH, CAPTION_LINE_PX, CAPTION_PAD_PX = 170, 14, 8  # 8 pt caption text at DPI
TOP_ESPS = 15
# rcParams set on top of matplotlib's defaults for every chart, so a caller's style cannot leak in.
STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "axes.titlesize": 11,
    "figure.titlesize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "path.simplify": False,
    "svg.hashsalt": "cybertipline-charts",
}
COLORS = {"total": "#1b4f72", "esp": "#2e86c1", "public": "#d35400", "outcome": "#6c3483"}
RECIPIENT_LABELS = {
    "icac_task_forces": "ICAC task forces",
    "local_law_enforcement": "Local law enforcement (other than ICAC)",
    "federal_law_enforcement": "Federal law enforcement",
    "international_law_enforcement": "International law enforcement",
}


@dataclass(frozen=True)
class ChartSpec:
    """What one chart shows: enough for asset metadata and for tests to check the title and side."""

    file: str
    title: str
    side: str  # reports | outcomes: every table the chart reads is of this side
    period_type: str  # calendar | fiscal
    tables: tuple[str, ...]
    document_ids: tuple[str, ...]
    caption: str


class RenderedCharts(dict):
    """PNG bytes by file name (``charts/<name>.png``), plus ``specs`` (file -> ChartSpec of each
    rendered chart) and ``skipped`` (file -> why it was not drawn: a table missing or without rows)."""

    def __init__(self):
        super().__init__()
        self.specs: dict[str, ChartSpec] = {}
        self.skipped: dict[str, str] = {}


class _Skip(Exception):
    """The chart cannot be drawn from the tables given; the message says why."""


@dataclass
class _Plan:
    spec: ChartSpec
    draw: Callable[[Figure], None]


# -- choosing one value per period and measure -----------------------------------------------------
def newest_edition(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per ``keys``: the one from the newest edition that prints it. Published tables carry
    ``is_latest_edition``; the ranking (pipeline.caveats.edition_rank) also serves tables without it
    and the measures a chart groups differently from the table's figure key."""
    if "is_latest_edition" in df.columns:
        df = df[df["is_latest_edition"].astype("boolean").fillna(False).astype(bool)]
    if df.empty:
        return df
    index = registry_index()
    captures = df["capture_timestamp"] if "capture_timestamp" in df.columns else [None] * len(df)
    ranked = df.assign(
        _rank=[edition_rank(d, c, index) for d, c in zip(df["document_id"], captures, strict=True)]
    )
    ranked = ranked.sort_values([*keys, "_rank", "document_id"], kind="stable")
    return ranked.groupby(keys, sort=True).tail(1).drop(columns=["_rank"])


# -- text helpers ----------------------------------------------------------------------------------
def _thousands(v: float, _pos=None) -> str:
    return f"{int(round(v)):,}"


def _compact(v: float, _pos=None) -> str:
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(v) >= div:
            s = f"{v / div:.1f}".rstrip("0").rstrip(".")
            return f"{s}{suffix}"
    return f"{v:.0f}"


def _with_qualifier(value: float, qualifier) -> str:
    q = "" if qualifier is None or pd.isna(qualifier) or not str(qualifier) else f"{qualifier} "
    return f"{q}{_thousands(value)}"


def _caption(side: str, document_ids: Iterable[str], tables: dict, extra: str = "") -> str:
    ids = sorted(set(document_ids))
    parts = [f"Source documents: {', '.join(ids)}.", NOT_LINKED[side]]
    unverified = _unverified(ids, tables.get("documents"))
    if unverified:
        parts.append(
            "None of these copies is verified as the publisher's own (e.g. labelled stand-ins)."
            if unverified == ids
            else f"Not verified as the publisher's own (e.g. labelled stand-ins): {', '.join(unverified)}."
        )
    if extra:
        parts.append(extra)
    return " ".join(parts)


def _unverified(ids: list[str], documents: pd.DataFrame | None) -> list[str]:
    if documents is None or documents.empty or "parser_verified" not in documents.columns:
        return []
    verified = documents.groupby("document_id")["parser_verified"].agg(
        lambda s: s.astype("boolean").fillna(False).any()
    )
    return [d for d in ids if d in verified.index and not verified[d]]


def _require(tables: dict, name: str) -> pd.DataFrame:
    df = tables.get(name)
    if df is None:
        raise _Skip(f"table {name} not given")
    if df.empty:
        raise _Skip(f"table {name} has no rows")
    return df


def _spec(file, title, period_type, table_names, document_ids, caption) -> ChartSpec:
    if PERIOD_LABELS[period_type] not in title:
        raise ValueError(f"{file}: the title does not name its period type: {title!r}")
    sides = {schemas.family_of(t) for t in table_names}
    if len(sides) != 1:  # a chart definition that mixes the sides is a bug, not data
        raise ValueError(f"{file} reads tables of more than one side: {sorted(sides)}")
    return ChartSpec(
        file=file,
        title=title,
        side=sides.pop(),
        period_type=period_type,
        tables=tuple(table_names),
        document_ids=tuple(sorted(set(document_ids))),
        caption=caption,
    )


def _year_axis(ax, years: list[int], label: str) -> None:
    ax.xaxis.set_major_locator(FixedLocator(years))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{int(v)}"))
    ax.set_xlabel(label)
    ax.grid(False, axis="x")


def _bar_labels(ax, xs, heights, labels, fontsize=9) -> None:
    top = max(heights) if len(heights) else 0
    ax.set_ylim(0, top * 1.15 if top else 1)
    for x, h, text in zip(xs, heights, labels, strict=True):
        ax.annotate(
            text,
            (x, h),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=fontsize,
        )


# -- 1. reports per calendar year ------------------------------------------------------------------
REPORT_SERIES = [
    ("reports_total", "All reports", COLORS["total"]),
    ("reports_esp", "From electronic service providers (ESPs)", COLORS["esp"]),
    ("reports_public", "From the public", COLORS["public"]),
]


def _reports_per_year(tables: dict) -> _Plan:
    table = "cybertipline_reports_by_year"
    df = _require(tables, table)
    df = df[df["measure"].isin([m for m, _, _ in REPORT_SERIES])]
    if df.empty:
        raise _Skip(f"table {table} has no reports_total, reports_esp or reports_public rows")
    df = newest_edition(df, ["calendar_year", "measure"])
    first, last = int(df["calendar_year"].min()), int(df["calendar_year"].max())
    file = "charts/reports_per_year.png"
    title = f"CyberTipline reports received per calendar year, {first}\u2013{last}"
    bundled = last >= BUNDLING_FROM_YEAR
    extra = (
        f"From {BUNDLING_FROM_YEAR} NCMEC bundles related incidents into one report: counts from "
        f"{BUNDLING_FROM_YEAR} on are not comparable with earlier years."
        if bundled
        else ""
    )
    spec = _spec(
        file,
        title,
        "calendar",
        [table],
        df["document_id"],
        _caption("reports", df["document_id"], tables, extra),
    )
    years = list(range(first, last + 1))

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        for measure, label, color in REPORT_SERIES:
            s = df[df["measure"] == measure].set_index("calendar_year")["value"]
            if s.empty:
                continue
            # NaN for years a series has no figure, and a break before the bundling year: the line
            # stops instead of bridging a gap or a change of counting
            s = s.reindex(years).astype(float)
            style = "--" if measure == "reports_esp" else "-"  # ESP runs close to the total
            segments = _segments(s)
            # the value at the end of each run, in the legend: labels beside the points would
            # collide with each other and with the bundling marker
            ends = "; ".join(f"{seg.index[-1]}: {_thousands(seg.iloc[-1])}" for seg in segments)
            for i, segment in enumerate(segments):
                ax.plot(
                    segment.index.tolist(),
                    segment.to_numpy(),
                    style,
                    marker="o",
                    markersize=4,
                    color=color,
                    label=f"{label} ({ends})" if i == 0 else None,
                )
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10))
        ax.yaxis.set_major_formatter(FuncFormatter(_compact))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_ylabel("Reports (log scale)")
        step = 2 if len(years) > 14 else 1
        _year_axis(ax, years[(len(years) - 1) % step :: step], "Calendar year")
        ax.set_xlim(first - 0.7, last + 0.7)
        if bundled:
            x = BUNDLING_FROM_YEAR - 0.5
            ax.axvline(x, color="#7f7f7f", linestyle="--", linewidth=1)
            ax.annotate(
                f"{BUNDLING_FROM_YEAR}: 'bundling' begins;\nnot comparable with earlier years",
                (x, 0.04),
                xycoords=("data", "axes fraction"),
                xytext=(-6, 0),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=8,
                color="#4d4d4d",
            )
        ax.legend(loc="upper left", frameon=False)

    return _Plan(spec, draw)


def _segments(s: pd.Series) -> list[pd.Series]:
    """Runs of consecutive years with a value, split before the bundling year."""
    out, run = [], []
    for year, value in s.items():
        if pd.isna(value) or year == BUNDLING_FROM_YEAR:
            if run:
                out.append(s.loc[run])
            run = [] if pd.isna(value) else [year]
        else:
            run.append(year)
    if run:
        out.append(s.loc[run])
    return out


# -- 2. top ESPs of the latest year ----------------------------------------------------------------
def _top_esps(tables: dict) -> _Plan:
    table = "cybertipline_reports_by_esp"
    df = _require(tables, table)
    year = int(df["calendar_year"].max())
    rows = df[df["calendar_year"] == year]
    # one edition of the year's list: the newest document that prints it
    doc = newest_edition(rows[["calendar_year", "document_id"]], ["calendar_year"])["document_id"]
    rows = rows[rows["document_id"] == doc.iloc[0]]
    top = rows.sort_values(["reports", "esp_name"], ascending=[False, True], kind="stable").head(
        TOP_ESPS
    )
    file = "charts/top_esps_latest_year.png"
    title = (
        f"CyberTipline reports by electronic service provider, calendar year {year}: "
        f"top {len(top)} of {len(rows)}"
    )
    marked = (
        top["related_platforms_combined"].astype("boolean").fillna(False)
        if "related_platforms_combined" in top.columns
        else top["note"].fillna("").str.contains("combined", case=False)
    )
    extra = "Names as printed. " + (
        "* as printed: report totals for related platforms and companies combined."
        if marked.any()
        else ""
    )
    spec = _spec(
        file,
        title,
        "calendar",
        [table],
        top["document_id"],
        _caption("reports", top["document_id"], tables, extra.strip()),
    )

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        names = top["esp_name"].tolist()[::-1]
        values = top["reports"].astype(float).tolist()[::-1]
        pos = list(range(len(names)))
        ax.barh(pos, values, color=COLORS["esp"], height=0.7)
        ax.set_yticks(pos, names)
        ax.set_xlim(0, max(values) * 1.18)
        for p, v in zip(pos, values, strict=True):
            ax.annotate(
                _thousands(v),
                (v, p),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
        ax.set_xlabel(f"Reports in calendar year {year}")
        ax.grid(False, axis="y")

    return _Plan(spec, draw)


# -- 3. reports made available to law enforcement ------------------------------------------------
def _to_law_enforcement(tables: dict) -> _Plan:
    table = "cybertipline_reports_to_law_enforcement"
    df = _require(tables, table)
    df = df[df["report_class"] == "total"]  # the printed total only: never add the classes up
    if df.empty:
        raise _Skip(f"table {table} has no report_class 'total' rows")
    df = newest_edition(df, ["calendar_year", "recipient"])
    known = [r for r in RECIPIENT_LABELS if r in set(df["recipient"])]
    recipients = known + sorted(set(df["recipient"]) - set(known))
    years = sorted(int(y) for y in df["calendar_year"].unique())
    file = "charts/reports_to_law_enforcement.png"
    title = (
        "CyberTipline reports made available to law enforcement, by recipient type, per "
        f"calendar year, {years[0]}\u2013{years[-1]}"
    )
    extra = (
        "Printed totals (actionable + informational). Each panel has its own scale. Reports made "
        "available are not investigations, arrests or prosecutions."
    )
    spec = _spec(
        file,
        title,
        "calendar",
        [table],
        df["document_id"],
        _caption("reports", df["document_id"], tables, extra),
    )

    def draw(fig: Figure) -> None:
        ncols = 2 if len(recipients) > 1 else 1
        nrows = -(-len(recipients) // ncols)
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for i, (ax, recipient) in enumerate(zip(axes, recipients, strict=False)):
            s = df[df["recipient"] == recipient].set_index("calendar_year")["reports"]
            xs = [int(y) for y in s.index]
            ax.bar(xs, s.astype(float).tolist(), color=COLORS["total"], width=0.6)
            _bar_labels(ax, xs, s.astype(float).tolist(), [_thousands(v) for v in s], 8)
            last_row = i >= len(recipients) - ncols
            _year_axis(ax, years, "Calendar year" if last_row else "")
            ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
            ax.yaxis.set_major_formatter(FuncFormatter(_compact))
            ax.set_ylabel("Reports made available" if i % ncols == 0 else "")
            ax.set_title(RECIPIENT_LABELS.get(recipient, recipient), loc="left")
        for ax in axes[len(recipients) :]:
            ax.set_visible(False)

    return _Plan(spec, draw)


# -- 4. ICAC task force arrests and investigations ------------------------------------------------
ICAC_PANELS = [("arrests", "Arrests"), ("investigations", "Investigations")]


def _icac(tables: dict) -> _Plan:
    table = "icac_task_force_activity"
    df = _require(tables, table)
    df = df[df["measure"].isin([m for m, _ in ICAC_PANELS])]
    if df.empty:
        raise _Skip(f"table {table} has no arrests or investigations rows")
    df = newest_edition(df, ["fiscal_year", "measure"])
    years = sorted(int(y) for y in df["fiscal_year"].unique())
    file = "charts/icac_activity_per_fiscal_year.png"
    title = (
        "ICAC task forces: arrests and investigations per federal fiscal year, "
        f"{years[0]}\u2013{years[-1]}"
    )
    extra = (
        "Only years for which a source prints a whole-fiscal-year figure; gaps are years with no "
        "such figure, not zero. Qualifiers as printed."
    )
    spec = _spec(
        file,
        title,
        "fiscal",
        [table],
        df["document_id"],
        _caption("outcomes", df["document_id"], tables, extra),
    )

    def draw(fig: Figure) -> None:
        axes = fig.subplots(len(ICAC_PANELS), 1, sharex=True)
        for ax, (measure, label) in zip(axes, ICAC_PANELS, strict=True):
            s = df[df["measure"] == measure].sort_values("fiscal_year")
            xs = s["fiscal_year"].astype(int).tolist()
            vals = s["value"].astype(float).tolist()
            ax.set_title(f"{label} (own scale)", loc="left")
            ax.grid(False, axis="x")
            if not xs:
                ax.text(
                    0.5,
                    0.5,
                    "No whole-fiscal-year figure in the sources",
                    transform=ax.transAxes,
                    ha="center",
                    va="center",
                    color="#7f7f7f",
                )
                ax.set_yticks([])
                continue
            ax.bar(xs, vals, color=COLORS["outcome"], width=0.6)
            labels = [_with_qualifier(v, q) for v, q in zip(vals, s["qualifier"], strict=True)]
            _bar_labels(ax, xs, vals, labels, 8)
            ax.yaxis.set_major_formatter(FuncFormatter(_compact))
        _year_axis(axes[-1], years, "Federal fiscal year (October\u2013September)")
        axes[-1].set_xlim(years[0] - 1, years[-1] + 1)

    return _Plan(spec, draw)


# -- 5. federal sentencing --------------------------------------------------------------------------
def _sentencing(tables: dict) -> _Plan:
    table = "federal_sentencing"
    df = _require(tables, table)
    df = df[(df["offense_group"] == "child_pornography") & (df["measure"] == "offenders_sentenced")]
    if df.empty:
        raise _Skip(f"table {table} has no child_pornography offenders_sentenced rows")
    df = newest_edition(df, ["fiscal_year"])
    years = sorted(int(y) for y in df["fiscal_year"].unique())
    file = "charts/federal_sentencing_per_fiscal_year.png"
    title = (
        "Child pornography offenders sentenced in federal courts per federal fiscal year, "
        f"{years[0]}\u2013{years[-1]}"
    )
    extra = "U.S. Sentencing Commission Quick Facts; each year from the newest edition printing it."
    spec = _spec(
        file,
        title,
        "fiscal",
        [table],
        df["document_id"],
        _caption("outcomes", df["document_id"], tables, extra),
    )

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        s = df.sort_values("fiscal_year")
        xs = s["fiscal_year"].astype(int).tolist()
        vals = s["value"].astype(float).tolist()
        ax.bar(xs, vals, color=COLORS["outcome"], width=0.6)
        _bar_labels(
            ax, xs, vals, [_with_qualifier(v, q) for v, q in zip(vals, s["qualifier"], strict=True)]
        )
        _year_axis(ax, years, "Federal fiscal year (October\u2013September)")
        ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
        ax.set_ylabel("Offenders sentenced")
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))

    return _Plan(spec, draw)


CHARTS: dict[str, Callable[[dict], _Plan]] = {
    "charts/reports_per_year.png": _reports_per_year,
    "charts/top_esps_latest_year.png": _top_esps,
    "charts/reports_to_law_enforcement.png": _to_law_enforcement,
    "charts/icac_activity_per_fiscal_year.png": _icac,
    "charts/federal_sentencing_per_fiscal_year.png": _sentencing,
}
CHART_FILES = tuple(CHARTS)
# Tables the charts read: publishing any of them renders the charts again.
CHART_TABLES = frozenset(
    {
        "cybertipline_reports_by_year",
        "cybertipline_reports_by_esp",
        "cybertipline_reports_to_law_enforcement",
        "icac_task_force_activity",
        "federal_sentencing",
    }
)


# -- rendering ---------------------------------------------------------------------------------------
@contextmanager
def _style():
    """matplotlib's default style with STYLE on top, for the duration of a render only: a caller's
    rcParams (or a matplotlibrc) cannot change the bytes, and nothing set here stays behind."""
    with mpl.style.context("default"), mpl.rc_context(STYLE):
        yield


def _figure(spec: ChartSpec) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    caption = textwrap.wrap(spec.caption, CAPTION_WIDTH)
    # room at the bottom for the caption, which constrained layout does not place
    bottom = (len(caption) * CAPTION_LINE_PX + 2 * CAPTION_PAD_PX) / (HEIGHT_IN * DPI)
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    fig.suptitle("\n".join(textwrap.wrap(spec.title, 95)), fontweight="bold")
    fig.text(
        0.01,
        CAPTION_PAD_PX / (HEIGHT_IN * DPI),
        "\n".join(caption),
        ha="left",
        va="bottom",
        fontsize=8,
        color="#333333",
    )
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata=PNG_METADATA)
    return buf.getvalue()


def render_charts(
    tables: dict[str, pd.DataFrame],
    inspect: Callable[[ChartSpec, Figure], None] | None = None,
) -> RenderedCharts:
    """PNG bytes by file name for every chart the tables allow; ``.skipped`` says why the others
    are missing and ``.specs`` what each drawn one shows. ``inspect`` (tests) sees each finished
    figure before it is saved."""
    out = RenderedCharts()
    with _style():
        for file, plan_chart in CHARTS.items():
            try:
                plan = plan_chart(tables)
            except _Skip as skip:
                out.skipped[file] = str(skip)
                continue
            fig = _figure(plan.spec)
            plan.draw(fig)
            if inspect is not None:
                inspect(plan.spec, fig)
            out[file] = _png(fig)
            out.specs[file] = plan.spec
    return out
