"""The report's charts, as matplotlib Figures an analyst can restyle, resize or draw into their own axes.

Each chart function takes `ax=None` (draw into these axes, else a new figure of the report's
width) and returns the Figure. Its title and alt text for the report come from the matching
`*_text` function, made from the same data. Turning a figure into the page's SVG is a separate
step (`to_svg`). Statistical layers use seaborn (the peers' median and middle half,
distributions, several towns); styling is a theme applied only while drawing (`analysis.style`).
"""

from __future__ import annotations

import io
import textwrap
import warnings
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Callable

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import MatplotlibDeprecationWarning
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.textpath import text_to_path
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from analysis import census, style
from analysis.boundaries import BoundaryChange, last_change_within, stepping
from analysis.catalogue import Indicator, indicators, indicators_in
from analysis.compare import section_without_values, town_without_values, value_period
from analysis.formatting import bind_short_words, format_number, quantity
from analysis.labels import label
from analysis.narrative import area_words, no_projection_sentence, too_few_years_within_boundaries
from analysis.params import MIN_PEERS
from analysis.projection import MIN_TRAIN
from analysis.report import TownReport
from analysis.scoring import PERCENTILE_DECIMALS, STRENGTH, WEAKNESS


@dataclass(frozen=True)
class Position:
    """One indicator of a position chart, as the page lays it out on a phone (`analysis.display`): there the
    drawing's names beside the dots would leave the scale off the screen, so the rows become a list."""

    name: str
    percentile: float  # 0–100, 100 = best among peers
    mark: str | None  # STRENGTH, WEAKNESS or None, as the drawing marks it
    shown: str  # the position as printed: "85"
    mark_word: str  # the mark in words, "mocna strona"; "" for none


@dataclass(frozen=True)
class ChartText:
    """What the report says about a chart: its caption and the alt text read out instead of it."""

    title: str
    alt: str
    missing: str = ""  # where there is no chart: the sentence in its place, if more than "too little data"
    positions: tuple[Position, ...] = ()  # a position chart's rows, for the page's phone layout
    indicator: str = ""  # a trend chart's indicator: those the data did not allow are named in one note


class ChartFigure(Figure):
    """A Figure that shows itself in a notebook, whichever backend the kernel has: made without
    pyplot (so pyplot's state and the analyst's `plt.show()` are untouched), it would otherwise
    display as its text representation.

    Its margins are fitted to its labels, legend and title each time it is drawn, so a title the
    analyst sets, or a new size, is never cut off."""

    legend_rows: int | None = None  # set by `_finish`: the chart's own one-axes layout, fitted when drawn

    def _repr_svg_(self) -> str:
        return to_svg(self)

    def draw(self, renderer) -> None:
        if self.legend_rows is not None and len(self.axes) == 1:
            _fit_margins(self, self.axes[0], self.legend_rows)
        super().draw(renderer)


def _axes(ax: Axes | None, height: float, width: float = style.WIDTH) -> tuple[Figure, Axes]:
    """The axes to draw into: the caller's, or those of a new figure of `width` inches (`style.LINE_WIDTH`
    for a line chart over the years) and `height` inches without its legend (`_finish` adds that).

    The figure is made without pyplot, so pyplot's state (and the analyst's `plt.show()`) is
    untouched. Its margins are set when the chart is finished (`_finish`)."""
    if ax is not None:
        return ax.figure, ax
    figure = ChartFigure(figsize=(width, height))
    return figure, figure.subplots()


def _finish(figure: Figure, ax: Axes, handles: list) -> None:
    """Place the legend and fit the margins to the labels.

    On the chart's own figure the legend goes below the axes, across the whole width, where it
    never covers data, and the margins are measured from the labels' text (`_margins`); in an
    analyst's axes the legend goes inside them, where matplotlib finds room, and their layout is
    the analyst's."""
    if len(figure.axes) != 1:
        ax.legend(handles=handles, fontsize=LEGEND_SIZE)
        return
    columns = _legend_columns(handles, figure.get_figwidth())
    legend_rows = -(-len(handles) // columns) if handles else 0
    if handles:
        figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0), ncol=columns, fontsize=LEGEND_SIZE)
    if isinstance(figure, ChartFigure):
        # The legend adds to the chart's own figure, not taking its height from the plot: a narrow line
        # chart's legend of three or four rows would otherwise squeeze its lines.
        figure.set_figheight(figure.get_figheight() + _legend_height(legend_rows))
        figure.legend_rows = legend_rows
    _fit_margins(figure, ax, legend_rows)


def _fit_margins(figure: Figure, ax: Axes, legend_rows: int) -> None:
    left, bottom, right, top = _margins(ax, legend_rows)
    width, height = figure.get_size_inches()
    figure.subplots_adjust(left=left / width, bottom=bottom / height, right=1 - right / width, top=1 - top / height)


# Why measured margins and not matplotlib's constrained layout: the layout draws every chart
# twice (once to measure, once to render), 1 s of each town's 3 s (benchmarks/build_speed.py).
# The text is measured with the font the chart uses; tests/analysis/test_charts.py checks with
# matplotlib's own bounding boxes that nothing is cut off.
LEGEND_SIZE = 8
PAD = 4 / 72  # inches of white at the figure's edges


def _text_size(texts: list[str], size: float) -> tuple[float, float]:
    """Width of the widest text and the line height, in inches, in the theme's font at `size` points."""
    family = tuple(matplotlib.rcParams["font.family"])
    widths = [_text_width(line, size, family) for text in texts for line in text.split("\n") if line]
    return max(widths, default=0.0) / 72, size * 1.2 / 72


@lru_cache(maxsize=4096)  # the same tick labels and legend entries recur in every chart
def _text_width(text: str, size: float, family: tuple[str, ...]) -> float:
    """Width in points of one line of text."""
    prop = FontProperties(family=list(family), size=size)
    return text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0]


def _labels_size(labels: list) -> tuple[float, float]:
    """Width of the widest of an axis's tick labels and their line height, in inches."""
    size = labels[0].get_fontsize() if labels else matplotlib.rcParams["font.size"]
    return _text_size([text.get_text() for text in labels], size)


class _TickNumbers(Formatter):
    """Tick labels in the report's number format ("12 900", "2,5"), all of an axis with the same decimals: the
    fewest that write every tick exactly, at most the indicator's. Ticks by 2 read "−14 … −2 0", not "−10"
    beside "−8,0"; by 2.5, "2,5 5,0 7,5 10,0"."""

    def __init__(self, decimals: int, language: str):
        self.decimals, self.language, self.ticks = decimals, language, []

    def set_locs(self, locs) -> None:  # matplotlib gives the axis's ticks before it asks for their labels
        self.ticks = list(locs)

    def __call__(self, value, pos=None) -> str:
        return format_number(value, self._shared_decimals(), self.language)

    def _shared_decimals(self) -> int:
        for decimals in range(self.decimals):
            if all(abs(round(v, decimals) - v) < 1e-9 * max(1.0, abs(v)) for v in self.ticks):
                return decimals
        return self.decimals


def _numbers_as_printed(axis, indicator: Indicator, language: str) -> None:
    axis.set_major_formatter(_TickNumbers(indicator.decimals, language))


def _margins(ax: Axes, legend_rows: int) -> tuple[float, float, float, float]:
    """Left, bottom, right and top margins in inches that hold the tick labels, axis labels and legend."""
    rc = matplotlib.rcParams
    y_labels, x_labels = ax.yaxis.get_ticklabels(), ax.xaxis.get_ticklabels()
    y_width, y_height = _labels_size(y_labels)
    last_x_width, x_height = _labels_size(x_labels[-1:])
    tick = (rc["ytick.major.size"] + rc["ytick.major.pad"]) / 72
    axis_label = (rc["axes.labelpad"] + 1.2 * FontProperties(size=rc["axes.labelsize"]).get_size_in_points()) / 72
    kind, offset = ax.spines["left"].get_position()  # a scale's line set off from the axes (points)
    left = PAD + y_width + tick + (offset / 72 if kind == "outward" else 0) + (axis_label if ax.get_ylabel() else 0)
    bottom = PAD + tick + x_height + (axis_label if ax.get_xlabel() else 0)
    bottom += _legend_height(legend_rows)
    right = PAD + last_x_width / 2
    top = PAD + y_height / 2
    if ax.get_title():
        top += (rc["axes.titlepad"] + 1.2 * ax.title.get_fontsize()) / 72
    return left, bottom, right, top


def _legend_height(rows: int) -> float:
    """Inches a legend of `rows` rows takes below the axes."""
    return rows * LEGEND_SIZE * 1.6 / 72 + PAD if rows else 0.0


def _legend_columns(handles: list, figure_width: float) -> int:
    """As many legend columns as fit the figure's width. matplotlib fills them one after another, the first
    ones a row longer where the entries do not divide evenly; each is as wide as its widest entry (its key, a
    gap and its text), with a gap between columns, and the legend's box pads them on either side."""
    em, rc = LEGEND_SIZE / 72, matplotlib.rcParams
    key = (rc["legend.handlelength"] + rc["legend.handletextpad"]) * em
    widths = [_text_size([handle.get_label()], LEGEND_SIZE)[0] + key for handle in handles]
    for columns in range(len(widths), 1, -1):
        rows, longer = divmod(len(widths), columns)
        starts = np.cumsum([0] + [rows + 1] * longer + [rows] * (columns - longer))
        gaps = rc["legend.columnspacing"] * em * (columns - 1)
        needed = sum(max(widths[start:end]) for start, end in zip(starts, starts[1:])) + gaps
        if needed + 2 * rc["legend.borderpad"] * em <= figure_width:
            return columns
    return 1


def to_svg(figure: Figure) -> str:
    """The figure as the SVG the HTML page and the PDF embed (text kept as text, stable ids)."""
    buffer = io.StringIO()
    with style.theme():
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


# --- The 2021 census re-basing, marked where a chart shows its step ----------------------------


def _census_breaks(indicator: Indicator, years) -> list[int]:
    """The re-basings whose step a chart of `indicator` over `years` shows (`analysis.census`)."""
    return census.breaks_within(years) if census.steps_at_breaks(indicator.inputs) else []


def _mark_census_breaks(ax: Axes, breaks: list[int], language: str) -> list[Line2D]:
    """A dotted line between the last year before each re-basing and its first, with its legend entry:
    a reader must not take the census's correction for residents lost or gained."""
    handles = []
    for year in breaks:
        ax.axvline(year - 0.5, color=style.NEUTRAL, linestyle=":", linewidth=1.2, zorder=1)
        handles.append(
            Line2D(
                [],
                [],
                color=style.NEUTRAL,
                linestyle=":",
                linewidth=1.2,
                label=label("census_break", language, year=year),
            )
        )
    return handles


def _census_alt(breaks: list[int], language: str) -> str:
    """What the alt text adds for each marked re-basing."""
    return "".join(" " + label("census_break_alt", language, before=year - 1, year=year) for year in breaks)


# --- A change of the town's boundaries, marked where a chart shows its step ---------------------


def _boundary_changes(report: TownReport, indicator: Indicator, years) -> list[BoundaryChange]:
    """The changes of the town's boundaries that a chart of `indicator` over `years` shows as a step
    (`analysis.boundaries.stepping`): those within the years."""
    if not len(years):
        return []
    return [
        change for change in stepping(report.boundaries, indicator.inputs) if min(years) < change.year <= max(years)
    ]


def _mark_boundary_changes(ax: Axes, changes: list[BoundaryChange], language: str) -> list[Line2D]:
    """A dash-dotted line before the first year within new boundaries, with its legend entry: a step of
    residents gained with land is no growth (the census's re-basing has the dotted one)."""
    handles = []
    for change in changes:
        ax.axvline(change.year - 0.5, color=style.NEUTRAL, linestyle="-.", linewidth=1.2, zorder=1)
        name = label("boundary_change", language, year=change.year)
        handles.append(Line2D([], [], color=style.NEUTRAL, linestyle="-.", linewidth=1.2, label=name))
    return handles


def _boundary_alt(changes: list[BoundaryChange], language: str) -> str:
    """What the alt text adds for each marked change of boundaries."""
    texts = []
    for change in changes:
        before, after, which = area_words(change, language)
        texts.append(label("boundary_change_alt", language, year=change.year, before=before, after=after, which=which))
    return "".join(" " + text for text in texts)


# --- Trend of one indicator beside the peers ------------------------------------------------


def peer_series(report: TownReport, indicator_id: str) -> pd.DataFrame:
    """Long table of the indicator per year for the town and each peer: year, teryt, value, group.

    The peers' values only in years where at least `MIN_PEERS` of them have one: fewer make no median or
    middle half, in the charts as in the tables (`analysis.compare`)."""
    frame = report.values[indicator_id].rename("value").reset_index()
    frame["group"] = np.where(frame["teryt"] == report.teryt, "town", "peer")
    peers = frame["group"] == "peer"
    counted = frame.loc[peers].groupby("year")["value"].count()
    frame.loc[peers & frame["year"].isin(counted.index[counted < MIN_PEERS]), "value"] = np.nan
    return frame


MIN_TREND_YEARS = 2  # a line needs two years; a single value is in the section's table


def trend_chart(report: TownReport, indicator_id: str, ax: Axes | None = None) -> Figure | None:
    """The town's yearly values over the peers' median and middle half (seaborn: median, 50 % percentile interval).

    None where the town has a value in fewer than `MIN_TREND_YEARS` years (a sparse store): a chart of one
    point or none would only show matplotlib's empty default axes."""
    indicator = indicators()[indicator_id]
    language = report.language
    series = peer_series(report, indicator_id)
    peers, town = series[series["group"] == "peer"], series[series["group"] == "town"]
    if town["value"].notna().sum() < MIN_TREND_YEARS:
        return None
    with style.theme():
        figure, ax = _axes(ax, 2.5, style.LINE_WIDTH)
        if peers["value"].notna().any():
            sns.lineplot(
                data=peers,
                x="year",
                y="value",
                estimator="median",
                errorbar=("pi", 50),
                ax=ax,
                color=style.PEER_MEDIAN,
                linestyle="--",
                marker="s",
                markersize=4,
                markeredgewidth=0,
                err_kws={"facecolor": style.PEER_BAND, "alpha": 0.35, "linewidth": 0},
            )
        ax.plot(town["year"], town["value"], color=style.TOWN, marker="o", markersize=4, linewidth=2)
        ax.set_xlabel("")
        ax.set_ylabel(indicator.unit(language))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _numbers_as_printed(ax.yaxis, indicator, language)
        handles = [
            Line2D([], [], color=style.TOWN, marker="o", markersize=4, linewidth=2, label=report.name),
            Line2D(
                [],
                [],
                color=style.PEER_MEDIAN,
                linestyle="--",
                marker="s",
                markersize=4,
                label=label("median_label", language),
            ),
            Patch(color=style.PEER_BAND, alpha=0.35, linewidth=0, label=label("iqr_label", language)),
        ]
        years = town["year"][town["value"].notna()]
        handles += _mark_census_breaks(ax, _census_breaks(indicator, years), language)
        handles += _mark_boundary_changes(ax, _boundary_changes(report, indicator, years), language)
        _finish(figure, ax, handles)
    return figure


def trend_text(report: TownReport, indicator_id: str) -> ChartText:
    indicator = indicators()[indicator_id]
    language = report.language
    title = label("trend_title", language, indicator=indicator.name(language), town=report.name)
    column = report.values[indicator_id].unstack("teryt")
    town = column[report.teryt].dropna()
    median = column[list(report.peers.members)].median(axis=1).dropna()
    # Where the town has no value at all (a sparse store), its chart is missing for want of data, not of years.
    missing = label("no_values_named", language, title=title) if town.empty else ""
    return ChartText(
        title=title, alt=_trend_alt(report, indicator, town, median), missing=missing, indicator=indicator_id
    )


def _trend_alt(report: TownReport, indicator: Indicator, town: pd.Series, median: pd.Series) -> str:
    language = report.language
    unit = indicator.unit(language)

    def show(value):  # every value follows "od" or "do": the genitive ("od 9 268 osób")
        return quantity(value, indicator.decimals, unit, language, genitive=True)

    if town.empty:
        return f"{indicator.name(language)}: {'brak danych' if language == 'pl' else 'no data'}."
    first, last = int(town.index.min()), int(town.index.max())
    if language == "pl":
        text = (
            f"Wykres liniowy: {indicator.name_pl}, lata {first}–{last}. "
            f"{report.name}: od {show(town.iloc[0])} do {show(town.iloc[-1])}."
        )
        if not median.empty:
            text += f" Mediana grupy porównawczej: od {show(median.iloc[0])} do {show(median.iloc[-1])}."
        return text + _steps_alt(report, indicator, town.index)
    text = (
        f"Line chart: {indicator.name_en}, {first}–{last}. "
        f"{report.name}: from {show(town.iloc[0])} to {show(town.iloc[-1])}."
    )
    if not median.empty:
        text += f" Peer median: from {show(median.iloc[0])} to {show(median.iloc[-1])}."
    return text + _steps_alt(report, indicator, town.index)


def _steps_alt(report: TownReport, indicator: Indicator, years) -> str:
    """What a chart's alt text adds for the steps it marks: census re-basings, changes of boundaries."""
    return _census_alt(_census_breaks(indicator, years), report.language) + _boundary_alt(
        _boundary_changes(report, indicator, years), report.language
    )


# --- Position among the peers -----------------------------------------------------------------

POSITION_LABEL_SIZE = 7.5  # the indicator names beside the position chart's dots
POSITION_LABEL_WIDTH = 48  # characters per line of those names
ROW_ROOM = 0.6  # rows of room between a position chart's outer rows and its edges
# The one rule's verdict (analysis.scoring), shown by colour and by shape, so that it survives greyscale.
MARKS = {STRENGTH: (style.GOOD, "^"), WEAKNESS: (style.BAD, "v"), None: (style.NEUTRAL, "o")}


def _position_rows(report: TownReport, section: str) -> list[tuple[Indicator, float, str | None]]:
    comparison = report.comparison
    return [
        (ind, comparison.at[ind.id, "percentile"], comparison.at[ind.id, "assessment"] or None)
        for ind in indicators_in(section)
        if comparison.at[ind.id, "judged"]
    ]


def position_chart(report: TownReport, section: str, ax: Axes | None = None) -> Figure | None:
    """Direction-aware percentile of each judged indicator: 100 = best among peers; None where none is judged."""
    language = report.language
    rows = _position_rows(report, section)
    if not rows:
        return None
    with style.theme():
        figure, ax = _axes(ax, 0.32 * len(rows) + 1.0)
        positions = np.arange(len(rows))[::-1]
        ax.axvspan(25, 75, color=style.PEER_BAND, alpha=0.2, linewidth=0)
        ax.axvline(50, color=style.PEER_MEDIAN, linestyle="--", linewidth=1)
        marks = [mark if mark in MARKS else None for _, _, mark in rows]
        percentiles = np.array([percentile for _, percentile, _ in rows], dtype=float)
        ax.hlines(positions, 0, percentiles, color=[MARKS[mark][0] for mark in marks], linewidth=2)
        for mark, (colour, marker) in MARKS.items():  # one layer per mark: its colour and its shape
            chosen = np.array([m == mark for m in marks], dtype=bool)
            if chosen.any():
                # Not clipped: a dot at 0 or 100 (the best or worst of the peers) is drawn whole, not halved.
                ax.scatter(
                    percentiles[chosen], positions[chosen], color=colour, marker=marker, zorder=3, s=30, clip_on=False
                )
        names = [ind.name(language) for ind, _, _ in rows]
        # A long name takes two lines rather than losing its end ("…w wieku produk…" / "…przedp…" read alike),
        # never after a one-letter word (textwrap breaks at spaces, not at the no-break ones).
        labels = [textwrap.fill(bind_short_words(n), POSITION_LABEL_WIDTH) for n in names]
        ax.set_yticks(positions, labels=labels, fontsize=POSITION_LABEL_SIZE)
        ax.set_xlim(0, 100)
        # The scale's line stands a little left of 0, so a town at 0 (below all its peers) shows its mark
        # clear of the line and its ticks rather than drawn over them.
        ax.spines["left"].set_position(("outward", 6))
        # Over half a row of room above the first row and below the last, whatever the number of rows: a
        # margin in proportion to the rows (matplotlib's) left a section of six sitting on the axis line.
        ax.set_ylim(-ROW_ROOM, len(rows) - 1 + ROW_ROOM)
        ax.set_xlabel(label("percentile", language))
        ax.grid(False)
        handles = [
            Line2D([], [], color=style.GOOD, marker="^", linewidth=2, label=label(STRENGTH, language)),
            Line2D([], [], color=style.BAD, marker="v", linewidth=2, label=label(WEAKNESS, language)),
            Line2D([], [], color=style.NEUTRAL, marker="o", linewidth=2, label=label("other_indicators", language)),
            Patch(color=style.PEER_BAND, alpha=0.2, label=label("middle_half", language)),
        ]
        _finish(figure, ax, handles)
    return figure


def position_text(report: TownReport, section: str) -> ChartText:
    language = report.language
    rows = _position_rows(report, section)
    positions = []
    for ind, percentile, mark in rows:
        mark = mark if mark in MARKS else None
        shown = format_number(percentile, PERCENTILE_DECIMALS, language)
        positions.append(Position(ind.name(language), percentile, mark, shown, label(mark, language) if mark else ""))
    title = label("position_title", language, section=label(section, language))
    best = max(rows, key=lambda r: r[1]) if rows else None
    worst = min(rows, key=lambda r: r[1]) if rows else None
    if language == "pl":
        alt = f"Wykres punktowy: {title}. Wskaźników: {len(rows)}."
        if best:
            alt += (
                f" Najwyżej: {best[0].name_pl} ({format_number(best[1], 0, language)})."
                f" Najniżej: {worst[0].name_pl} ({format_number(worst[1], 0, language)})."
            )
    else:
        alt = f"Dot chart: {title}. Indicators: {len(rows)}."
        if best:
            alt += (
                f" Highest: {best[0].name_en} ({format_number(best[1], 0, language)})."
                f" Lowest: {worst[0].name_en} ({format_number(worst[1], 0, language)})."
            )
    # Where the town has no value of any of the section's indicators (a sparse store), nothing could be placed.
    values = report.comparison.loc[[ind.id for ind in indicators_in(section)], "value"]
    missing = label("no_values_named", language, title=title) if values.isna().all() else ""
    return ChartText(title=title, alt=alt, positions=tuple(positions), missing=missing)


# --- Population projection ------------------------------------------------------------------


def projection_chart(report: TownReport, ax: Axes | None = None) -> Figure | None:
    """Population history and the 5-year projection with its calibrated 95% prediction interval."""
    if report.projection is None:
        return None
    language = report.language
    history = report.values["population"].xs(report.teryt, level="teryt").dropna()
    forecast = report.projection.forecast
    with style.theme():
        figure, ax = _axes(ax, 2.5, style.LINE_WIDTH)
        ax.plot(
            history.index, history.values, color=style.TOWN, marker="o", markersize=4, linewidth=2, label=report.name
        )
        # The interval opens from the last known year, where it is nil, as the projection line does.
        start, last = history.index[-1], history.iloc[-1]
        ax.fill_between(
            [start, *forecast.index],
            [last, *forecast["low"]],
            [last, *forecast["high"]],
            color=style.PEER_BAND,
            alpha=0.35,
            linewidth=0,
            label=label("prediction_interval", language),
        )
        ax.plot(
            [start, *forecast.index],
            [last, *forecast["mean"]],
            color=style.TOWN,
            linestyle=":",
            linewidth=2,
            label=label("projection", language),
        )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, 0, language)))
        ax.set_ylabel(indicators()["population"].unit(language))
        population = indicators()["population"]
        handles = ax.get_legend_handles_labels()[0]
        handles += _mark_census_breaks(ax, _census_breaks(population, history.index), language)
        handles += _mark_boundary_changes(ax, _boundary_changes(report, population, history.index), language)
        _finish(figure, ax, handles)
    return figure


def projection_text(report: TownReport) -> ChartText:
    language = report.language
    if report.projection is None:  # the report's note names the chart it lacks, and why where it can
        title = (
            f"Prognoza liczby ludności: {report.name}" if language == "pl" else f"Population projection: {report.name}"
        )
        # Too short a batch for the backtest that calibrates the interval, or too few years since the town's
        # boundaries changed: why (the demography text says it too).
        missing = no_projection_sentence(report.projection_years, language, report.name)
        moved = last_change_within(report.boundaries, report.first_year, report.last_year)
        if not missing and moved is not None and (years := report.last_year - moved + 1) < MIN_TRAIN:
            missing = too_few_years_within_boundaries(moved, years, 0, False, True, language)
        return ChartText(title=title, alt=label("no_chart", language), missing=missing)
    history = report.values["population"].xs(report.teryt, level="teryt").dropna()
    year, last = report.projection.printed_end  # as the demography text gives it: to tens

    def show(value):
        return format_number(value, 0, language)

    steps_note = _steps_alt(report, indicators()["population"], history.index)
    if language == "pl":
        return ChartText(
            title=f"Liczba ludności: {report.name}, dane i prognoza do {year} r.",
            alt=(
                f"Wykres liniowy: liczba ludności, {int(history.index[0])}–{int(history.index[-1])}, od "
                f"{show(history.iloc[0])} do {show(history.iloc[-1])}; prognoza na {year} r.: ok. "
                f"{show(last['mean'])} (95% przedział {show(last['low'])}–{show(last['high'])}).{steps_note}"
            ),
        )
    return ChartText(
        title=f"Population: {report.name}, data and projection to {year}",
        alt=(
            f"Line chart: population, {int(history.index[0])}–{int(history.index[-1])}, from "
            f"{show(history.iloc[0])} to {show(history.iloc[-1])}; projection for {year}: about "
            f"{show(last['mean'])} (95% interval {show(last['low'])}–{show(last['high'])}).{steps_note}"
        ),
    )


# --- The charts of a report section, in order -------------------------------------------------


CHART_KINDS = ("projection", "position", "trend")


def _section_chart_makers(report: TownReport, section: str) -> list[tuple[str, Callable, Callable]]:
    """(kind, draw, text) for each chart a report shows in a section, in order: the projection in the summary; in
    a topic section its position chart, then a trend chart per headline indicator (flagged in the catalogue);
    none in a section the data do not cover, nor in one where the town has no value (`section_without_values`,
    `town_without_values`: its text says so, once). No position chart where nothing is judged: its note ("…
    pozycja … – za mało danych do wykresu.") stood over the text's "Brak danych pozwalających porównać…"."""
    if section == "summary":
        return [("projection", partial(projection_chart, report), partial(projection_text, report))]
    if section_without_values(report.comparison, section) or town_without_values(report.comparison, section):
        return []
    makers = []
    if _position_rows(report, section):
        makers += [("position", partial(position_chart, report, section), partial(position_text, report, section))]
    makers += [
        ("trend", partial(trend_chart, report, ind.id), partial(trend_text, report, ind.id))
        for ind in indicators_in(section)
        if ind.headline
    ]
    return makers


def _chosen(makers: list[tuple[str, Callable, Callable]], only: str | None) -> list[tuple[str, Callable, Callable]]:
    if only is not None and only not in CHART_KINDS:
        raise ValueError(f"only: {only!r} is not a kind of chart ({', '.join(CHART_KINDS)})")
    return [maker for maker in makers if only is None or maker[0] == only]


def section_charts(report: TownReport, section: str, only: str | None = None) -> list[tuple[Figure | None, ChartText]]:
    """The charts a report shows in a section, each with its text (see `_section_chart_makers`); `only`: those of
    one kind (`CHART_KINDS`). The report shows a section's position chart before its text: the tallest of its
    charts, it then starts the section's page, where it always fits; after the text it left a page half empty."""
    return [(draw(), text()) for _, draw, text in _chosen(_section_chart_makers(report, section), only)]


def section_chart_texts(report: TownReport, section: str, only: str | None = None) -> list[ChartText]:
    """The captions and alt texts of a section's charts, without drawing them."""
    return [text() for _, _, text in _chosen(_section_chart_makers(report, section), only)]


# --- For exploring: distributions and several towns ---------------------------------------------


def _no_values(figure: Figure, ax: Axes, title: str, language: str) -> Figure:
    """A chart of an indicator the data hold no value of: its name and a sentence saying so, no axes."""
    ax.set_title(title)
    ax.text(0.5, 0.5, label("no_values_chart", language), ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    _finish(figure, ax, [])
    return figure


def distribution_chart(
    report: TownReport, indicator_id: str, year: int | None = None, ax: Axes | None = None
) -> Figure:
    """The peers' values of one indicator (box and points), with the town marked; every colour named in the
    legend, as in the report's charts.

    By default the values as the report compares them: its year (an earlier one where the last is missing),
    pooled over years where the catalogue says, without peers whose boundaries changed. So the town's place
    and the box agree with the percentile and quartiles printed beside the chart; the yearly values of a
    pooled indicator would not. With `year`: that year's values as published, every peer's."""
    indicator = indicators()[indicator_id]
    values, period = _distribution_values(report, indicator_id, year)
    peers = values.drop(report.teryt, errors="ignore").dropna()
    with style.theme():
        figure, ax = _axes(ax, 1.8)
        if peers.empty and pd.isna(values.get(report.teryt)):  # empty axes would pass for a chart
            return _no_values(figure, ax, indicator.name_with_unit(report.language, period), report.language)
        with warnings.catch_warnings():  # seaborn 0.13.2 (the latest) still passes matplotlib 3.11's deprecated `vert`
            warnings.filterwarnings("ignore", "vert: bool was deprecated", MatplotlibDeprecationWarning)
            sns.boxplot(x=peers, ax=ax, color=style.PEER_BAND, width=0.5, fliersize=0, boxprops={"alpha": 0.5})
        sns.stripplot(x=peers, ax=ax, color=style.PEER_MEDIAN, size=4, jitter=0.15)
        handles = []
        if report.teryt in values.index and pd.notna(values[report.teryt]):
            handles.append(ax.axvline(values[report.teryt], color=style.TOWN, linewidth=2, label=report.name))
        if not peers.empty:
            handles += [
                Line2D(
                    [],
                    [],
                    color=style.PEER_MEDIAN,
                    marker="o",
                    markersize=4,
                    linestyle="",
                    label=label("peer_towns_label", report.language),
                ),
                Patch(color=style.PEER_BAND, alpha=0.5, linewidth=0, label=label("iqr_label", report.language)),
            ]
        ax.set_title(label("trend_title", report.language, indicator=indicator.name(report.language), town=report.name))
        ax.set_xlabel(indicator.name_with_unit(report.language, period))
        ax.set_yticks([])  # one row of peers: no categories to name
        _numbers_as_printed(ax.xaxis, indicator, report.language)
        ax.grid(axis="x")
        _finish(figure, ax, handles)
    return figure


def _distribution_values(report: TownReport, indicator_id: str, year: int | None) -> tuple[pd.Series, str]:
    """The town's and peers' values a distribution chart draws (by teryt), and their year or years."""
    row = report.comparison.loc[indicator_id]
    if year is not None or pd.isna(row["year"]):  # asked for a year, or the report compares no value
        year = year or report.last_year
        return report.values[indicator_id].xs(year, level="year"), str(year)
    values = report.compared[indicator_id].xs(int(row["year"]), level="year")
    return values.drop(list(row["peers_left_out"]), errors="ignore"), value_period(row)


def towns_chart(reports: list[TownReport], indicator_id: str, ax: Axes | None = None) -> Figure:
    """One indicator over the years for several towns side by side (seaborn, one colour and marker per town)."""
    indicator = indicators()[indicator_id]
    language = reports[0].language if reports else "pl"
    frame = pd.concat(
        [
            report.values[indicator_id]
            .xs(report.teryt, level="teryt")
            .rename("value")
            .reset_index()
            .assign(town=f"{report.name} ({report.teryt})")
            for report in reports
        ],
        ignore_index=True,
    )
    with style.theme():
        figure, ax = _axes(ax, 3.0)
        if frame["value"].isna().all():  # empty axes (0 to 1 both ways) would pass for a chart
            return _no_values(figure, ax, indicator.name(language), language)
        count = frame["town"].nunique()
        sns.lineplot(
            data=frame,
            x="year",
            y="value",
            hue="town",
            style="town",
            markers=True,
            dashes=False,
            ax=ax,
            palette=list(style.TOWNS[:count]) if count <= len(style.TOWNS) else None,
        )
        ax.set_xlabel("")
        ax.set_ylabel(indicator.unit(language))
        ax.set_title(indicator.name(language))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        years = frame.loc[frame["value"].notna(), "year"]
        if years.nunique() == 1:  # matplotlib widens a single year by 5 % each way: 1919 to 2121
            ax.set_xticks([years.iloc[0]])
            ax.set_xlim(years.iloc[0] - 0.5, years.iloc[0] + 0.5)
        _numbers_as_printed(ax.yaxis, indicator, language)
        breaks = _census_breaks(indicator, years)
        handles = ax.get_legend_handles_labels()[0] + _mark_census_breaks(ax, breaks, language)
        ax.get_legend().remove()  # seaborn's, inside the axes over the lines: _finish puts one below them
        _finish(figure, ax, handles)
    return figure
