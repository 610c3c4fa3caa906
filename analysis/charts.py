"""The report's charts. Each returns a `Chart`: the figure as SVG plus alt text made from its data."""

from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Bbox

from analysis import style
from analysis.catalogue import indicators, indicators_in
from analysis.formatting import format_number, with_unit
from analysis.labels import label
from analysis.report import TownReport
from analysis.scoring import STRENGTH, WEAKNESS


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str
    title: str


MARGIN_PAD = 4.0  # points of white kept around the outermost text of a chart


@lru_cache(maxsize=4096)  # tick labels repeat from chart to chart (years, round values)
def _text_size(text: str, size: float) -> tuple[float, float]:
    """Width and height (with descent) of one line of text, in points, as matplotlib lays it out."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    font = FontProperties(family=style.FONT, size=size)
    width, _, _ = text_to_path.get_text_width_height_descent(text, font, ismath=False)
    _, height, descent = text_to_path.get_text_width_height_descent("lp", font, ismath=False)  # a full line's height
    return width, height + descent


def _tick_labels(axis) -> list[str]:
    """The tick labels the axis will draw for its present limits."""
    low, high = sorted(axis.get_view_interval())
    slack = (high - low) * 1e-9
    locations = [v for v in axis.get_major_locator()() if low - slack <= v <= high + slack]
    return [text for text in axis.get_major_formatter().format_ticks(locations) if text]


def _fit_margins(figure, axes, y_tick_size: float | None = None) -> None:
    """Set the margins so that tick and axis labels just fit: what `bbox_inches="tight"` finds.

    Tight-bbox saving lays the whole figure out once more before drawing it (0.2 s of the
    0.6 s a report's charts take); measuring the few label strings costs next to nothing.
    Every chart keeps its set width. tests/analysis/test_charts.py checks on the demo towns
    that no text is cut off and little white is left.
    """
    from matplotlib import rcParams

    x_tick_size = rcParams["font.size"]
    y_tick_size = y_tick_size or x_tick_size
    width_pt, height_pt = (dimension * 72 for dimension in figure.get_size_inches())
    tick_room = rcParams["ytick.major.size"] + rcParams["ytick.major.pad"]
    y_texts = [_text_size(text, y_tick_size) for text in _tick_labels(axes.yaxis)] or [(0.0, 0.0)]
    x_texts = [_text_size(text, x_tick_size) for text in _tick_labels(axes.xaxis)] or [(0.0, 0.0)]
    left = max(w for w, _ in y_texts) + tick_room + MARGIN_PAD
    if axes.get_ylabel():
        left += _text_size("lp", axes.yaxis.label.get_fontsize())[1] + rcParams["axes.labelpad"]
    bottom = max(h for _, h in x_texts) + tick_room + MARGIN_PAD
    if axes.get_xlabel():
        bottom += _text_size("lp", axes.xaxis.label.get_fontsize())[1] + rcParams["axes.labelpad"]
    right = max(w for w, _ in x_texts) / 2 + MARGIN_PAD  # the last year's label overhangs the axes by half
    top = max(h for _, h in y_texts) / 2 + MARGIN_PAD  # so does the top value's
    figure.subplots_adjust(left=left / width_pt, right=1 - right / width_pt,
                           bottom=bottom / height_pt, top=1 - top / height_pt)


_blank_figures: dict[str, tuple[Figure, object]] = {}  # chart kind -> a figure and axes, drawn on again
_reuse_figures = True


@contextmanager
def new_figures() -> Iterator[None]:
    """Draw every chart on a new figure, as matplotlib is usually used: the reference that
    tests/analysis/test_charts.py compares the reused figures with."""
    global _reuse_figures
    _reuse_figures, before = False, _reuse_figures
    try:
        yield
    finally:
        _reuse_figures = before


def _blank_axes(kind: str, size: tuple[float, float]):
    """A figure of `size` with empty axes, for a chart of `kind`.

    Making a figure, its axes and their ticks is a third of the cost of a chart, and a
    report draws eleven. So a figure is kept per kind of chart and emptied for the next:
    its data, labels and legend removed and its limits reset to those of new axes. It holds
    nothing of the previous chart that reaches the next one's SVG: the tests require every
    chart of the demo towns to be byte-identical to the same chart drawn on a new figure.
    Figures are made without pyplot, so `plt.close("all")` leaves them be.
    """
    style.apply()
    if not _reuse_figures or kind not in _blank_figures:
        figure = Figure(figsize=size)
        axes = figure.subplots()
        if _reuse_figures:
            _blank_figures[kind] = (figure, axes)
        return figure, axes
    figure, axes = _blank_figures[kind]
    figure.set_size_inches(size)
    for artist in [*axes.lines, *axes.collections, *axes.patches, *axes.texts]:
        artist.remove()
    if axes.get_legend() is not None:
        axes.get_legend().remove()
    axes.set_xlabel("")
    axes.set_ylabel("")
    axes.set_xlim(0, 1)  # the limits of new axes, should a chart have no data to scale to
    axes.set_ylim(0, 1)
    axes.dataLim.set(Bbox.null())
    axes.ignore_existing_data_limits = True
    axes.set_autoscale_on(True)
    return figure, axes


def _to_svg(figure, axes, y_tick_size: float | None = None) -> str:
    _fit_margins(figure, axes, y_tick_size)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def peer_statistics_by_year(report: TownReport, indicator_id: str):
    """Per year: the town's value, and the peers' median and quartiles."""
    column = report.values[indicator_id].unstack("teryt")
    peers = column[list(report.peers.members)]
    return column[report.teryt], peers.median(axis=1), peers.quantile(0.25, axis=1), peers.quantile(0.75, axis=1)


def trend_chart(report: TownReport, indicator_id: str) -> Chart:
    indicator = indicators()[indicator_id]
    language = report.language
    town, median, q1, q3 = peer_statistics_by_year(report, indicator_id)
    figure, axes = _blank_axes("trend", (6.4, 3.0))
    axes.fill_between(q1.index, q1.values, q3.values, color=style.PEER_BAND, alpha=0.35,
                      label=label("iqr_label", language), linewidth=0)
    axes.plot(median.index, median.values, color=style.PEER_MEDIAN, linestyle="--", marker="s",
              markersize=3, label=label("median_label", language))
    axes.plot(town.index, town.values, color=style.TOWN, marker="o", markersize=4, linewidth=2, label=report.name)
    axes.set_ylabel(indicator.unit(language))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(
        lambda v, _: format_number(v, max(indicator.decimals - 1, 0) if abs(v) >= 10 else indicator.decimals, language)))
    axes.legend(frameon=False, fontsize=8, loc="best")
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    title = label("trend_title", language, indicator=indicator.name(language), town=report.name)
    return Chart(svg=_to_svg(figure, axes), alt=_trend_alt(report, indicator, town, median), title=title)


def _trend_alt(report, indicator, town, median) -> str:
    language = report.language
    unit = indicator.unit(language)

    def show(value):
        return with_unit(format_number(value, indicator.decimals, language), unit)

    town, median = town.dropna(), median.dropna()
    if town.empty:
        return f"{indicator.name(language)}: {'brak danych' if language == 'pl' else 'no data'}."
    first, last = int(town.index.min()), int(town.index.max())
    if language == "pl":
        text = (f"Wykres liniowy: {indicator.name_pl}, lata {first}–{last}. "
                f"{report.name}: od {show(town.iloc[0])} do {show(town.iloc[-1])}.")
        if not median.empty:
            text += f" Mediana grupy porównawczej: od {show(median.iloc[0])} do {show(median.iloc[-1])}."
        return text
    text = (f"Line chart: {indicator.name_en}, {first}–{last}. "
            f"{report.name}: from {show(town.iloc[0])} to {show(town.iloc[-1])}.")
    if not median.empty:
        text += f" Peer median: from {show(median.iloc[0])} to {show(median.iloc[-1])}."
    return text


POSITION_LABEL_SIZE = 7.5  # the indicator names beside the position chart's dots


def position_chart(report: TownReport, section: str) -> Chart:
    """Direction-aware percentile of each judged indicator: 100 = best among peers."""
    language = report.language
    comparison = report.comparison
    rows = [(ind, comparison.at[ind.id, "percentile"]) for ind in indicators_in(section)
            if comparison.at[ind.id, "judged"]]
    figure, axes = _blank_axes("position", (6.4, 0.32 * len(rows) + 0.9))
    names = [ind.name(language) for ind, _ in rows]
    values = [p for _, p in rows]
    marks = {STRENGTH: style.GOOD, WEAKNESS: style.BAD}  # the one rule (analysis.scoring), not the percentile alone
    colours = [marks.get(comparison.at[ind.id, "assessment"], style.NEUTRAL) for ind, _ in rows]
    positions = np.arange(len(rows))[::-1]
    axes.axvspan(25, 75, color=style.PEER_BAND, alpha=0.2, linewidth=0)
    axes.axvline(50, color=style.PEER_MEDIAN, linestyle="--", linewidth=1)
    axes.hlines(positions, 0, values, color=colours, linewidth=2)
    axes.scatter(values, positions, color=colours, zorder=3, s=22)
    axes.set_yticks(positions, labels=[n if len(n) <= 60 else n[:57] + "…" for n in names],
                    fontsize=POSITION_LABEL_SIZE)
    axes.set_xlim(0, 100)
    axes.set_xlabel(label("percentile", language))
    title = label("position_title", language, section=label(section, language))
    best = max(rows, key=lambda r: r[1]) if rows else None
    worst = min(rows, key=lambda r: r[1]) if rows else None
    if language == "pl":
        alt = f"Wykres punktowy: {title}. Wskaźników: {len(rows)}."
        if best:
            alt += (f" Najwyżej: {best[0].name_pl} ({format_number(best[1], 0, language)})."
                    f" Najniżej: {worst[0].name_pl} ({format_number(worst[1], 0, language)}).")
    else:
        alt = f"Dot chart: {title}. Indicators: {len(rows)}."
        if best:
            alt += (f" Highest: {best[0].name_en} ({format_number(best[1], 0, language)})."
                    f" Lowest: {worst[0].name_en} ({format_number(worst[1], 0, language)}).")
    return Chart(svg=_to_svg(figure, axes, POSITION_LABEL_SIZE), alt=alt, title=title)


def headline_charts(report: TownReport, section: str) -> list[Chart]:
    """Trend charts of the section's headline indicators (flagged in the catalogue)."""
    return [trend_chart(report, ind.id) for ind in indicators_in(section) if ind.headline]


def projection_chart(report: TownReport) -> Chart | None:
    """Population history and the 5-year projection with its 95% prediction interval."""
    if report.projection is None:
        return None
    language = report.language
    history = report.values["population"].xs(report.teryt, level="teryt").dropna()
    forecast = report.projection.forecast
    figure, axes = _blank_axes("projection", (6.4, 3.0))
    axes.plot(history.index, history.values, color=style.TOWN, marker="o", markersize=4, linewidth=2,
              label=report.name)
    axes.fill_between(forecast.index, forecast["low"], forecast["high"], color=style.PEER_BAND, alpha=0.35,
                      linewidth=0, label="95% przedział predykcji" if language == "pl" else "95% prediction interval")
    axes.plot([history.index[-1], *forecast.index], [history.iloc[-1], *forecast["mean"]], color=style.TOWN,
              linestyle=":", linewidth=2, label="prognoza" if language == "pl" else "projection")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, 0, language)))
    axes.set_ylabel(indicators()["population"].unit(language))
    axes.legend(frameon=False, fontsize=8)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    last = forecast.iloc[-1]
    year = int(forecast.index[-1])
    if language == "pl":
        title = f"Liczba ludności: {report.name}, dane i prognoza do {year} r."
        alt = (f"Wykres liniowy: liczba ludności, {int(history.index[0])}–{int(history.index[-1])}, od "
               f"{format_number(history.iloc[0], 0, language)} do {format_number(history.iloc[-1], 0, language)}; "
               f"prognoza na {year} r.: {format_number(last['mean'], 0, language)} (95% przedział "
               f"{format_number(last['low'], 0, language)}–{format_number(last['high'], 0, language)}).")
    else:
        title = f"Population: {report.name}, data and projection to {year}"
        alt = (f"Line chart: population, {int(history.index[0])}–{int(history.index[-1])}, from "
               f"{format_number(history.iloc[0], 0, language)} to {format_number(history.iloc[-1], 0, language)}; "
               f"projection for {year}: {format_number(last['mean'], 0, language)} (95% interval "
               f"{format_number(last['low'], 0, language)}–{format_number(last['high'], 0, language)}).")
    return Chart(svg=_to_svg(figure, axes), alt=alt, title=title)
