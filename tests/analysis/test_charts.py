"""Charts are matplotlib Figures an analyst can change; what they draw is the report's data; drawing
them leaves matplotlib's global state alone; on the page nothing is cut off and widths line up."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import matplotlib
import numpy as np
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure

from analysis import charts
from analysis.catalogue import indicators
from analysis.params import load_batch
from analysis.paths import PARAMS_DIR
from analysis.report import prepare_report
from analysis.scoring import STRENGTH, WEAKNESS
from analysis.town import TownParams

SECTIONS = ("demography", "economy", "services")
TOWN = "0490013"


@pytest.fixture(scope="module")
def report():
    return prepare_report(TownParams(teryt=TOWN))


def _every_figure(report) -> list[Figure]:
    figures = [figure for section in ("summary", *SECTIONS) for figure, _ in charts.section_charts(report, section)]
    return [figure for figure in figures if figure is not None]


@pytest.fixture(scope="module")
def demo_figures():
    """Every chart of four demo towns in both languages."""
    teryts = load_batch(PARAMS_DIR / "demo.yaml").teryts[::14]
    figures = [
        figure
        for language in ("pl", "en")
        for teryt in teryts
        for figure in _every_figure(prepare_report(TownParams(teryt=teryt, language=language)))
    ]
    assert len(figures) > 40
    return figures


def test_a_chart_is_a_figure_whose_title_and_size_the_analyst_can_change(report):
    figure = charts.trend_chart(report, "population")
    assert isinstance(figure, Figure)
    figure.axes[0].set_title("Moja nazwa wykresu")
    figure.set_size_inches(8, 4)
    svg = charts.to_svg(figure)
    assert "Moja nazwa wykresu" in svg
    assert re.search(r'<svg[^>]* width="576pt"', svg)  # 8 in × 72 pt
    # The title, set after the chart was drawn, and the axis labels fit inside the resized figure: its margins
    # are fitted again when it is shown, so nothing is cut off at the top or the sides. Measured on the
    # rendered figure (matplotlib's own extents of the drawn texts, in pixels).
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    page = figure.bbox
    ax = figure.axes[0]
    (y_low, y_high), (x_low, x_high) = ax.get_ylim(), ax.get_xlim()
    drawn = [t for t in ax.get_yticklabels() if y_low <= t.get_position()[1] <= y_high]  # not those past the axis
    drawn += [t for t in ax.get_xticklabels() if x_low <= t.get_position()[0] <= x_high]
    for text in [ax.title, ax.yaxis.label, *drawn]:
        if text.get_text() and text.get_visible():
            box = text.get_window_extent(renderer)
            assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, text


def test_a_chart_draws_into_the_analysts_axes(report):
    figure = Figure(figsize=(10, 3))
    left, right = figure.subplots(1, 2)
    assert charts.trend_chart(report, "population", ax=left) is figure
    assert charts.position_chart(report, "economy", ax=right) is figure
    assert left.lines and right.collections


def test_drawing_charts_leaves_matplotlibs_settings_and_backend_alone(report):
    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    for figure in _every_figure(report):
        charts.to_svg(figure)
    after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()
    assert matplotlib.get_backend() == backend


def test_the_peer_band_is_the_peers_interquartile_range(report):
    # seaborn draws the band as its 50 % percentile interval; the reference is pandas' quartiles
    # of the peers' values, year by year, computed here from the report's value table.
    figure = charts.trend_chart(report, "population")
    band = next(c for c in figure.axes[0].collections if isinstance(c, PolyCollection))
    vertices = band.get_paths()[0].vertices
    column = report.values["population"].unstack("teryt")[list(report.peers.members)]
    for year, q1, q3 in zip(column.index, column.quantile(0.25, axis=1), column.quantile(0.75, axis=1)):
        at_year = vertices[np.isclose(vertices[:, 0], year), 1]
        assert min(at_year) == pytest.approx(q1) and max(at_year) == pytest.approx(q3), year


def test_the_position_chart_marks_strengths_and_weaknesses_by_shape_too(report):
    # One dot per judged indicator; its colour and its shape both follow the one rule's assessment,
    # so the marks survive greyscale printing. Expected counts come from the comparison table.
    from matplotlib.colors import to_hex

    from analysis import style

    for section in SECTIONS:
        figure = charts.position_chart(report, section)
        judged = report.comparison[report.comparison["judged"] & (report.comparison["section"] == section)]
        layers = [c for c in figure.axes[0].collections if isinstance(c, PathCollection)]
        colours = [to_hex(c.get_facecolor()[0]).upper() for c in layers for _ in c.get_offsets()]
        assert len(colours) == len(judged)  # one dot per judged indicator
        assert colours.count(style.GOOD) == (judged["assessment"] == STRENGTH).sum()
        assert colours.count(style.BAD) == (judged["assessment"] == WEAKNESS).sum()
        shapes = {to_hex(c.get_facecolor()[0]).upper(): c.get_paths()[0].vertices.round(3).tobytes() for c in layers}
        assert len(set(shapes.values())) == len(shapes)  # each mark has a shape of its own
        legend = [text.get_text() for text in figure.legends[0].get_texts()]
        assert "mocna strona" in legend and "słaba strona" in legend


def drawn_position_chart(teryt: str, indicator_id: str, percentile: float) -> tuple[Figure, np.ndarray]:
    """The demography position chart of a demo town whose `indicator_id` stands at `percentile`, and its pixels
    (RGB, 0–1; rows count from the top, display units from the bottom)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    report = prepare_report(TownParams(teryt=teryt))
    assert report.comparison.at[indicator_id, "percentile"] == percentile
    figure = charts.position_chart(report, "demography")
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return figure, np.asarray(canvas.buffer_rgba())[:, :, :3].astype(float) / 255


def test_a_dot_at_the_end_of_the_scale_is_drawn_whole():
    # 1690021 is the best of its peers on foreign net migration (percentile 100): its dot sits on the
    # axes' right edge. Clipped to the axes, its right half would be lost. Checked on the drawn pixels:
    # the strength colour must show to the right of the axes, level with the axes (the legend is below).
    from matplotlib.colors import to_rgb

    from analysis import style

    figure, pixels = drawn_position_chart("1690021", "net_migration_foreign_per_1000", 100)
    box = figure.axes[0].get_window_extent()
    height = pixels.shape[0]  # pixel rows count from the top, display units from the bottom
    beside_axes = pixels[int(height - box.y1) : int(height - box.y0), int(np.ceil(box.x1)) + 1 :]
    green = np.all(np.abs(beside_axes - to_rgb(style.GOOD)) < 0.05, axis=2)
    assert green.sum() >= 4


def test_a_mark_at_zero_stands_clear_of_the_scales_line():
    # 0891011 is the worst of its peers on its 5-year population change (percentile 0): its weakness mark sits at
    # the scale's 0. Drawn over the scale's line, it read as part of the axis. Checked on the drawn pixels: along
    # the mark's row, the weakness colour first shows right of the line's pixels, with white between them.
    from matplotlib.colors import to_rgb

    from analysis import style

    figure, pixels = drawn_position_chart("0891011", "population_change_5y", 0)
    ax = figure.axes[0]
    names = [tick.get_text().replace("\u00a0", " ") for tick in ax.get_yticklabels()]  # no-break spaces as spaces
    row = names.index(indicators()["population_change_5y"].name_pl)
    _, y = ax.transData.transform((0, ax.get_yticks()[row]))
    line = pixels[int(round(pixels.shape[0] - y))]  # pixel rows count from the top, display units from the bottom
    pink = np.flatnonzero(np.all(np.abs(line - to_rgb(style.BAD)) < 0.05, axis=1))
    dark = np.flatnonzero(line.max(axis=1) < 0.5)  # the scale's line (and its tick), left of the mark
    assert pink.size and dark.size
    spine = dark[dark < pink.min()].max()
    assert pink.min() - spine >= 3  # pixels between the line and the mark, white but for the edges' smoothing
    assert (line[spine + 1 : pink.min()].min(axis=1) > 0.95).sum() >= 2


def test_no_row_of_a_position_chart_sits_on_its_edge(report):
    # A section of six indicators had its last row drawn on the x axis's line, its mark half over it, as
    # matplotlib pads the data by a share of their range (a quarter of a row for six rows, 0.6 for 13). Measured
    # on the drawn figure: from each outer mark to the axes' edge at least half the distance between two rows.
    for section in SECTIONS:
        figure = charts.position_chart(report, section)
        figure.draw_without_rendering()
        ax = figure.axes[0]
        marks = [c for c in ax.collections if isinstance(c, PathCollection)]  # one layer per kind of mark
        rows = np.sort(np.concatenate([ax.transData.transform(c.get_offsets())[:, 1] for c in marks]))
        assert len(rows) == len(set(rows.round(3))) > 1
        pitch = np.diff(rows).min()
        box = ax.get_window_extent()
        assert rows[0] - box.y0 >= pitch / 2 and box.y1 - rows[-1] >= pitch / 2, section


def _white_around_content(figure) -> dict[str, float]:
    """Points between the figure's edges and its outermost artist, as the SVG backend measures text."""
    from matplotlib.backends.backend_svg import RendererSVG

    width, height = figure.get_size_inches()
    figure.set_dpi(72)  # one display unit = one point
    renderer = RendererSVG(width * 72, height * 72, io.StringIO())
    figure.draw_without_rendering()
    box = figure.get_tightbbox(renderer)
    return {"left": box.x0 * 72, "bottom": box.y0 * 72, "right": (width - box.x1) * 72, "top": (height - box.y1) * 72}


def test_no_chart_text_is_cut_off_and_no_margin_is_wasted(demo_figures):
    # The margins are measured from the labels' text (charts._margins); the figure's own tight
    # bounding box (every label, tick and legend, as matplotlib draws them) is the independent
    # check that nothing runs past an edge, and that no side keeps more than 18 pt (6 mm) of white.
    for figure in demo_figures:
        white = _white_around_content(figure)
        assert min(white.values()) >= -0.5, (figure.axes[0].get_ylabel(), white)
        assert max(white.values()) <= 18, (figure.axes[0].get_ylabel(), white)


def test_a_line_chart_fits_a_phone_legibly_and_a_position_chart_has_the_page_width(demo_figures):
    # A 390 px phone gives a chart 350 px (report.css's margins: 2 × 20 px). A line chart of 4.35 in is 417.6 px
    # (96 px an inch), so it shrinks to 350 / 417.6 = 0.84 of its size and its 9 pt (12 px) labels stay
    # 12 × 0.84 = 10.06 px high. A position chart (percentiles on 0–100), whose names need room, keeps the
    # page's 6.4 in = 460.8 pt; a phone shows its list instead.
    def svg_width(figure):
        return re.search(r'<svg[^>]* width="([0-9.]+)pt"', charts.to_svg(figure)).group(1)

    positions = [f for f in demo_figures if f.axes[0].get_xlim() == (0.0, 100.0)]
    lines = [f for f in demo_figures if f.axes[0].get_xlim() != (0.0, 100.0)]
    assert len(positions) >= 20 and len(lines) >= 30
    assert {svg_width(f) for f in positions} == {"460.8"}
    assert {svg_width(f) for f in lines} == {"313.2"}  # 4.35 in × 72
    assert 12 * 350 / (313.2 / 72 * 96) >= 10


def test_a_line_charts_legend_takes_two_columns_where_they_fit_and_the_chart_grows_by_it(report):
    # Every trend chart of the demo town fits its three or four entries in two columns of the 4.35 in, and
    # matplotlib's own drawing of the SVG (not charts._legend_columns' estimate) puts nothing past an edge.
    for indicator_id in ("population", "share_post_working_age", "net_migration_per_1000"):
        figure = charts.trend_chart(report, indicator_id)
        [legend] = figure.legends
        assert legend._ncols == 2 and min(_white_around_content(figure).values()) >= -0.5
        # The plot keeps its height: the figure is its 2.5 in plus the legend's rows.
        rows = -(-len(legend.legend_handles) // 2)
        assert figure.get_figheight() == pytest.approx(2.5 + rows * 8 * 1.6 / 72 + 4 / 72)


def test_the_same_chart_gives_the_same_bytes(report):
    # Reports are rebuilt only when inputs change, and compared byte for byte across kernels.
    first = charts.to_svg(charts.position_chart(report, "demography"))
    assert first == charts.to_svg(charts.position_chart(report, "demography"))


def test_the_trend_alt_text_names_the_first_and_last_values(report):
    text = charts.trend_text(report, "population")
    town = report.values["population"].xs(TOWN, level="teryt").dropna()
    first = f"{int(round(town.iloc[0])):,}".replace(",", "\u00a0")
    assert str(int(town.index.min())) in text.alt and first in text.alt
    assert report.name in text.title


def test_exploring_charts_draw_several_towns_and_a_distribution(report):
    other = prepare_report(TownParams(teryt=report.peers.members[0]))
    figure = charts.towns_chart([report, other], "population")
    assert len([line for line in figure.axes[0].lines if len(set(line.get_xdata())) > 1]) == 2  # not the census mark
    figure = charts.distribution_chart(report, "population")
    town_line = [line for line in figure.axes[0].lines if line.get_label() == report.name]
    assert town_line and town_line[0].get_xdata()[0] == report.values.at[(TOWN, report.last_year), "population"]
    # Every colour named, as in the report's charts: the town, the peers' points, their box; and a title.
    legend = [text.get_text() for text in figure.legends[0].get_texts()]
    assert legend == [report.name, "gminy grupy porównawczej", "połowa środkowa grupy (Q1–Q3)"]
    assert figure.axes[0].get_title() == f"Liczba ludności: {report.name} na tle grupy porównawczej"


def test_the_distribution_chart_draws_a_pooled_indicator_as_the_report_ranks_it(report):
    # Births are compared pooled over three years (the catalogue's pool_years): the explore notebook prints
    # the town's percentile and the peers' quartiles of the pooled rates, so the chart beside them must draw
    # those, not the last year's rates. Each peer's pooled rate is recomputed here by a second route: births
    # of 2022–2024 (rate × population / 1000, year by year) over their population.
    values = report.values
    years = range(report.last_year - 2, report.last_year + 1)

    def pooled(teryt):
        population = values.loc[[(teryt, year) for year in years], "population"]
        births = values.loc[[(teryt, year) for year in years], "births_per_1000"] * population / 1000
        return births.sum() / population.sum() * 1000

    figure = charts.distribution_chart(report, "births_per_1000")
    ax = figure.axes[0]
    [town_line] = [line for line in ax.lines if line.get_label() == report.name]
    assert town_line.get_xdata()[0] == pytest.approx(pooled(TOWN))
    drawn = sorted(x for collection in ax.collections for x, _ in collection.get_offsets())
    assert drawn == pytest.approx(sorted(pooled(peer) for peer in report.peers.members))
    # ...so the box and the town's place agree with what the report prints beside the chart.
    row = report.comparison.loc["births_per_1000"]
    assert np.quantile(drawn, [0.25, 0.5, 0.75]) == pytest.approx([row["peer_q1"], row["peer_median"], row["peer_q3"]])
    assert ax.get_xlabel() == f"Urodzenia żywe na 1000 ludności (‰, {report.last_year - 2}–{report.last_year})"
    # A year asked for draws that year's published rates.
    one_year = charts.distribution_chart(report, "births_per_1000", year=report.last_year).axes[0]
    assert one_year.get_xlabel() == f"Urodzenia żywe na 1000 ludności (‰, {report.last_year})"
    last = values["births_per_1000"].xs(report.last_year, level="year")
    assert sorted(x for c in one_year.collections for x, _ in c.get_offsets()) == pytest.approx(
        sorted(last.drop(TOWN).dropna())
    )


def test_exploring_charts_keep_their_labels_and_legend_off_the_data(report):
    # As the report's charts: the x label and the title inside the figure (measured by matplotlib), the
    # legend below the axes rather than over the lines, tick numbers in the report's format ("12 000").
    other = prepare_report(TownParams(teryt=report.peers.members[0]))
    for figure in (charts.towns_chart([report, other], "population"), charts.distribution_chart(report, "population")):
        white = _white_around_content(figure)
        assert min(white.values()) >= -0.5, white
        assert figure.axes[0].get_legend() is None and len(figure.legends) == 1
        axes_box = figure.axes[0].get_window_extent()
        assert figure.legends[0].get_window_extent().y1 <= axes_box.y0  # below the axes
        figure.canvas.draw()
        numbers = [t.get_text() for t in (figure.axes[0].get_yticklabels() + figure.axes[0].get_xticklabels())]
        assert any(re.fullmatch(r"\d{1,3}\u00a0\d{3}", number) for number in numbers), numbers


def test_a_sparse_store_gets_a_note_naming_the_chart_not_empty_axes(sparse_report):
    # A sparse store (tests/conftest.py): the services section has no data at all and unemployment only its
    # last year. An empty chart or one of a single point gets matplotlib's default axes (years from 1925 to
    # 2125, ticks of "0,0"); the report says instead which chart it lacks.
    from analysis import display

    report = sparse_report
    assert charts.position_chart(report, "services") is None  # nothing judged
    assert charts.trend_chart(report, "unemployed_share_working_age") is None  # one year
    assert isinstance(charts.trend_chart(report, "population"), Figure)  # two years: a line
    # No value of the section at all: no chart, nor a note in place of each (the section's text says it once).
    assert charts.section_charts(report, "services") == [] == charts.section_chart_texts(report, "services")
    # The chart's own note, for a section with values but none for this chart: "no data", not "too little data
    # for a chart", shown in its place.
    note = charts.position_text(report, "services").missing
    assert note.startswith("Usługi publiczne: pozycja") and note.endswith("– brak danych.")
    assert (
        display.chart(None, charts.position_text(report, "services"), "pl").text == f"*{display.escape_markdown(note)}*"
    )
    # The title holds a colon already ("Usługi publiczne: pozycja…"): in English too a dash, not a second colon.
    english_report = replace(report, params=report.params.model_copy(update={"language": "en"}))
    english = charts.position_text(english_report, "services").missing
    assert english.endswith("– no data.") and english.count(":") == 1
    # Unemployment has one year: too little for a line, which is what the section's note says.
    [(figure, text)] = [chart for chart in charts.section_charts(report, "economy") if "Bezrobotni" in chart[1].title]
    assert figure is None and text.indicator == "unemployed_share_working_age"
    note = display.charts(charts.section_charts(report, "economy"), "pl")[-1].text
    assert note.startswith("*Bez wykresu zmian w czasie: bezrobotni") and "z jednego roku" in note


def test_a_section_where_nothing_is_judged_has_no_position_chart_nor_a_note_in_its_place(tmp_path):
    # The economy of a store holding only the variables its peers are matched on (PIT shares and own revenue
    # per capita are never judged): its text says "Brak danych pozwalających porównać tę część z grupą
    # porównawczą."; above it stood "Gospodarka i finanse gminy: pozycja … – za mało danych do wykresu.",
    # the same said twice. Its trend charts stay (PIT per capita is a headline indicator).
    from analysis.catalogue import indicators_in
    from tests.conftest import write_sparse_store

    unjudged_only = (
        "regon_entities",
        "regon_new_entities",
        "registered_unemployed",
        "cit_share_revenue",
        "revenue_total",
        "expenditure_total",
        "investment_expenditure",
        "dwellings_completed",
    )
    store = write_sparse_store(tmp_path / "store", without=unjudged_only)
    report = prepare_report(TownParams(teryt="0490013", first_year=2023, last_year=2024, data_dir=str(store)))
    assert not report.comparison.loc[[ind.id for ind in indicators_in("economy")], "judged"].any()
    assert "Brak danych pozwalających porównać tę część" in " ".join(report.narrative["economy"])
    assert charts.section_charts(report, "economy", only="position") == []
    assert [text.indicator for text in charts.section_chart_texts(report, "economy")] == [
        ind.id for ind in indicators_in("economy") if ind.headline
    ]
    assert len(charts.section_charts(report, "demography", only="position")) == 1  # judged there: its chart


def test_a_sections_charts_of_one_kind_are_its_position_chart_or_its_trend_charts(report):
    # The notebook shows a section's position chart before its text and its trend charts after it. Expected from
    # the catalogue, not from the charts module: a position chart of the section (captioned "… pozycja …"), then a
    # trend chart per headline indicator, named in its caption, in the catalogue's order.
    from analysis.catalogue import indicators_in

    for section in SECTIONS:
        everything = charts.section_chart_texts(report, section)
        [position] = charts.section_chart_texts(report, section, only="position")
        trends = charts.section_chart_texts(report, section, only="trend")
        assert "pozycja" in position.title and everything == [position, *trends]
        headline = [ind.name_pl for ind in indicators_in(section) if ind.headline]
        assert len(trends) == len(headline) and all(name in text.title for name, text in zip(headline, trends))
        [(figure, _)] = charts.section_charts(report, section, only="position")
        assert figure.axes[0].get_xlim() == (0.0, 100.0)  # percentiles
    [projection] = charts.section_chart_texts(report, "summary", only="projection")
    assert charts.section_chart_texts(report, "summary") == [projection]
    assert charts.section_chart_texts(report, "summary", only="trend") == []
    with pytest.raises(ValueError, match="'trends' is not a kind of chart .projection, position, trend."):
        charts.section_charts(report, "economy", only="trends")


def _census_lines(figure) -> list:
    """Vertical lines of the chart (x constant across the axes' height): the census marks."""
    return [line for line in figure.axes[0].lines if len(set(line.get_xdata())) == 1 and len(line.get_xdata()) == 2]


def test_a_chart_of_the_number_of_residents_marks_the_census_step_and_says_so(report, sparse_report):
    # The demo store, like GUS's series, steps between 2020 and 2021 by the census's correction. On a chart of
    # the number of residents the step looks like residents lost; it is marked half-way between the two years,
    # named in the legend and explained in the alt text. A rate per 1,000 residents shows no such step, and a
    # store of 2023-2024 holds no re-basing.
    for figure in (
        charts.trend_chart(report, "population"),
        charts.projection_chart(report),
        charts.towns_chart([report], "population"),  # for exploring: its legend sits inside the axes
    ):
        assert [list(line.get_xdata()) for line in _census_lines(figure)] == [[2020.5, 2020.5]]
        legends = [*figure.legends, *filter(None, [figure.axes[0].get_legend()])]
        assert "od 2021 r.: dane według NSP 2021" in [
            text.get_text() for legend in legends for text in legend.get_texts()
        ]
    for text in (charts.trend_text(report, "population"), charts.projection_text(report)):
        assert text.alt.endswith(
            "Skok między 2020 a 2021 r. to przeliczenie ludności na podstawie Narodowego "
            "Spisu Powszechnego 2021, a nie zmiana liczby mieszkańców."
        )
    assert not _census_lines(charts.trend_chart(report, "births_per_1000"))
    assert "Spisu" not in charts.trend_text(report, "births_per_1000").alt
    assert not _census_lines(charts.trend_chart(sparse_report, "population"))
    assert "Spisu" not in charts.trend_text(sparse_report, "population").alt


def test_a_chart_of_the_number_of_residents_marks_a_change_of_boundaries_and_says_so(report):
    # Land taken in 2017 (area 4.5 → 5.8 km², as analysis.boundaries finds it): the step of residents gained is
    # marked before 2017, dash-dotted (the census's dotted line stays at 2020.5), named and explained. A rate
    # per resident, which land moves in its numerator and denominator alike, gets no mark.
    from analysis.boundaries import BoundaryChange

    annexed = replace(report, boundaries=(BoundaryChange(2017, 4.5, 5.8),))
    for figure in (charts.trend_chart(annexed, "population"), charts.projection_chart(annexed)):
        assert sorted(line.get_xdata()[0] for line in _census_lines(figure)) == [2016.5, 2020.5]
        [boundary] = [line for line in _census_lines(figure) if line.get_xdata()[0] == 2016.5]
        assert boundary.get_linestyle() == "-."
        assert "od 2017 r.: gmina w nowych granicach" in [text.get_text() for text in figure.legends[0].get_texts()]
    for text in (charts.trend_text(annexed, "population"), charts.projection_text(annexed)):
        assert text.alt.endswith(
            "W 2017 r. zmieniły się granice gminy (powierzchnia z 4,5 do 5,8 km²): skok w tym roku to mieszkańcy "
            "przyłączonego obszaru."
        )
    assert [line.get_xdata()[0] for line in _census_lines(charts.trend_chart(annexed, "births_per_1000"))] == []
    assert "granice" not in charts.trend_text(annexed, "births_per_1000").alt
    # Land taken in 2022 leaves three years within the present boundaries, too few to project from: the
    # chart's place says why, as the demography text does.
    late = replace(report, boundaries=(BoundaryChange(2022, 4.5, 5.8),), projection=None)
    assert charts.projection_text(late).missing.replace("\xa0", " ") == (
        "Prognozy liczby ludności nie podajemy: granice gminy zmieniły się w 2022 r., a od tego roku dane obejmują "
        "3 lata; prognoza wymaga co najmniej 6 lat danych."
    )


def test_the_projection_band_is_the_calibrated_interval_opening_from_the_last_known_year(report):
    # The band's outline, read back from the drawn polygon, must pass through the forecast's own 95% bounds in
    # each projected year and close on the last published value, where nothing is uncertain.
    figure = charts.projection_chart(report)
    (band,) = [c for c in figure.axes[0].collections if isinstance(c, PolyCollection)]
    outline = band.get_paths()[0].vertices
    forecast = report.projection.forecast
    last_year = report.values["population"].xs(TOWN, level="teryt").dropna().index[-1]
    last = report.values.at[(TOWN, last_year), "population"]
    for year, row in forecast.iterrows():
        drawn = sorted({round(y, 6) for x, y in outline if x == year})
        assert drawn == [round(row["low"], 6), round(row["high"], 6)]
    assert {round(y, 6) for x, y in outline if x == last_year} == {round(last, 6)}
    assert outline[:, 0].min() == last_year


def test_the_projection_alt_text_gives_the_forecast_the_demography_text_gives():
    # Złotowola's forecast for 2029 is 1 759.7 (95%: 1 653.8–1 808.9). The text said "ok. 1 760 osób (… 1 650–1 810)"
    # and the alt text "1 760 (95% przedział 1 654–1 809)": a screen reader's user heard other bounds. Both now
    # give the text's tens, here rounded by hand from the forecast's own figures.
    town = prepare_report(TownParams(teryt="0891011"))
    last = town.projection.forecast.iloc[-1]
    tens = {bound: f"{int(last[bound] / 10 + 0.5) * 10:,}".replace(",", " ") for bound in ("mean", "low", "high")}
    said = f"ok. {tens['mean']} (95% przedział {tens['low']}–{tens['high']})"
    assert said in charts.projection_text(town).alt.replace("\xa0", " ")
    text = " ".join(town.narrative["demography"]).replace("\xa0", " ")
    assert f"ok. {tens['mean']} osób (95% przedział predykcji: {tens['low']}–{tens['high']})" in text
    assert tens["low"] != f"{int(last['low'] + 0.5):,}".replace(",", " ")  # the case in point: units differ


def test_an_explore_chart_of_an_indicator_without_values_says_so_rather_than_draw_empty_axes(sparse_report):
    # The sparse store holds no public-services figure: matplotlib's empty axes (0 to 1 both ways) would pass
    # for a chart of zeros. The explore notebook's charts say instead that the data hold no value of it.
    for figure in (
        charts.towns_chart([sparse_report], "preschool_coverage"),
        charts.distribution_chart(sparse_report, "preschool_coverage"),
    ):
        [ax] = figure.axes
        assert not ax.axison and not ax.lines and not ax.collections
        assert [t.get_text() for t in ax.texts] == ["Dane nie zawierają żadnej wartości tego wskaźnika."]
        assert "Odsetek dzieci w wieku 3–6 lat" in ax.get_title()
    drawn = charts.towns_chart([sparse_report], "population")  # a figure the data hold: drawn as ever
    assert drawn.axes[0].axison and drawn.axes[0].lines and not drawn.axes[0].texts


def test_an_explore_chart_of_a_single_year_spans_that_year_not_two_centuries(sparse_report):
    # The sparse store has unemployment in 2024 alone (tests/conftest.py). matplotlib widens a range of one
    # value by 5 % of the value each way: the axis ran from 1919 to 2121 with the towns' points in its middle.
    figure = charts.towns_chart([sparse_report], "unemployed_share_working_age")
    [ax] = figure.axes
    assert ax.get_xlim() == (2023.5, 2024.5)
    charts.to_svg(figure)  # drawn: the one tick is the one year
    assert [t.get_text() for t in ax.get_xticklabels() if 2023.5 <= t.get_position()[0] <= 2024.5] == ["2024"]


def test_chart_text_names_dejavu_sans_first_and_a_generic_sans_serif_last(report):
    # A phone has no DejaVu Sans: a family list without a generic one leaves the SVG's text to the browser's
    # default font, a serif. The last family of every text must be the CSS generic `sans-serif` (unquoted).
    svg = charts.to_svg(charts.trend_chart(report, "population"))
    families = set(re.findall(r"font-family: ([^;\"]*)", svg))
    assert families and all(f.startswith("'DejaVu Sans',") and f.endswith(", sans-serif") for f in families)


@pytest.mark.parametrize(
    "limits, step, expected",
    [
        # Before, "one decimal fewer from 10 up": this axis read "−14 −12 −10 −8,0 −6,0 −4,0 −2,0 0,0".
        ((-14.5, 0.5), 2, ["−14", "−12", "−10", "−8", "−6", "−4", "−2", "0"]),
        # and this one "0,0 2,5 5,0 7,5 10": a tick between whole numbers needs its decimal on every label.
        ((-0.5, 10.5), 2.5, ["0,0", "2,5", "5,0", "7,5", "10,0"]),
    ],
)
def test_every_tick_label_of_an_axis_has_the_same_decimals(report, limits, step, expected):
    from matplotlib.ticker import MultipleLocator

    figure = charts.trend_chart(report, "net_migration_per_1000")  # one decimal in the catalogue
    ax = figure.axes[0]
    ax.set_ylim(*limits)
    ax.yaxis.set_major_locator(MultipleLocator(step))
    figure.canvas.draw()
    shown = [t.get_text() for t in ax.get_yticklabels() if limits[0] <= t.get_position()[1] <= limits[1]]
    assert shown == expected  # written by hand, as the report prints numbers (Polish comma, minus sign)


def test_no_axis_of_the_demo_charts_mixes_decimals():
    # The rule over real charts, every chart of three demo towns: on each numbered axis the tick labels drawn
    # have one number of decimals (counted in their text after the decimal comma), so "−10" never stands
    # beside "−8,0". Polish reports: a comma there is always the decimal one.
    checked = 0
    for teryt in load_batch(PARAMS_DIR / "demo.yaml").teryts[::20]:
        for figure in _every_figure(prepare_report(TownParams(teryt=teryt))):
            figure.canvas.draw()
            for ax in figure.axes:
                for axis, limits, along in ((ax.yaxis, ax.get_ylim(), 1), (ax.xaxis, ax.get_xlim(), 0)):
                    low, high = sorted(limits)
                    shown = [t.get_text() for t in axis.get_ticklabels() if low <= t.get_position()[along] <= high]
                    numbers = [text for text in shown if re.fullmatch(r"−?\d[\d\u00a0]*(,\d+)?", text)]
                    if len(numbers) > 1:
                        checked += 1
                        assert len({len(n.partition(",")[2]) for n in numbers}) == 1, numbers
    assert checked > 20
