"""Objects a notebook displays: each renders as HTML (for the web page) and as
Markdown or SVG (for the PDF), so both outputs come from one executed notebook."""

from __future__ import annotations

import base64
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from analysis.aggregates import (
    MIN_AREA_COVERAGE,
    holds_enough_residents,
    is_aggregable,
    is_total,
    of_budgets,
    published_rate,
)
from analysis.boundaries import crossed, stepping
from analysis.catalogue import SECTIONS, Direction, Indicator, indicators, indicators_in, split_lag
from analysis.census import LEVEL_BREAKS, steps_at_breaks, steps_in_changes, value_steps
from analysis.compare import (
    CHANGE_YEARS,
    pooled_years,
    section_without_values,
    too_few_peers,
    unranked,
    value_period,
    within_chance,
)
from analysis.editions import POSITION_STEP, changes_since
from analysis.formatting import (
    INDICATORS,
    MISSING,
    MUNICIPALITIES,
    MUNICIPALITIES_COUNTED,
    MUNICIPALITIES_WITHOUT,
    NOT_APPLICABLE,
    YEARS,
    escape_markdown,
    figures_range,
    format_bound,
    format_number,
    format_range,
    listed,
    plural_category,
    preposition_z,
    quantity,
    voivodeship_genitive,
    voivodeship_locative,
    voivodeship_name,
    voivodeship_phrase,
    with_noun,
)
from analysis.gus_marks import GUS_MARK, on_change, on_value, years_by_kind
from analysis.labels import label
from analysis.narrative import (
    WITHIN_CHANCE_MARK,
    boundary_sentence,
    gus_mark_notes,
    hinges_within_chance,
    judged_phrase,
    matched_indicator_name,
    verdict_lines,
    verdict_otherwise,
    within_chance_note,
)
from analysis.params import MIN_PEERS
from analysis.peers import INCOME, PIT_STAND_IN, PeerRule, income_measure, population_class_bounds
from analysis.reliability import UNRELIABLE_BELOW, events_text, exceeds_its_base, with_uncertain_mark
from analysis.report import TownReport, shown_method_version
from analysis.rounding import as_printed, round_half_up
from analysis.scoring import PERCENTILE_DECIMALS, STRENGTH, WEAKNESS, judged_by_design
from analysis.store import CITY_WITH_POWIAT_RIGHTS
from analysis.style import VERDICT_MARKS
from analysis.synthesis import SCORE_DECIMALS, rule_key
from analysis.trends import MIN_POINTS, fewest_years

if TYPE_CHECKING:  # only types here; importing charts loads matplotlib, which the renderers do not need
    from matplotlib.figure import Figure as MatplotlibFigure

    from analysis.charts import ChartText, Position

ROLE = "diagnoza"  # key of the output metadata the renderers read


class Markdown:
    """Markdown text; `role` tells the renderers what it is (e.g. the title block)."""

    def __init__(self, text: str, role: str = "text", info: dict | None = None):
        self.text, self.role, self.info = text, role, info

    def _repr_mimebundle_(self, include=None, exclude=None):
        metadata = {"role": self.role, **({"info": self.info} if self.info else {})}
        return {"text/markdown": self.text, "text/plain": self.text}, {ROLE: metadata}


class Nothing:
    """Shows nothing: the place of a table in a section the data do not cover (`section_without_values`),
    which the section's text says once. The notebook's cells stay the same for every town."""

    def _ipython_display_(self) -> None:
        pass


class Table:
    """A captioned table: a real <table> in HTML, a pipe table in Markdown.

    `marks`: for a column of section verdicts, each row's verdict ("better", …), whose mark
    (`style.VERDICT_MARKS`: ▲ ● ▼, as the batch index shows them) stands before the cell's text. The
    frame keeps the words alone; the page draws the mark from its stylesheet, hidden from screen readers (the
    word says the same), and the PDF prints it in its colour (templates/pdf/report.typ)."""

    def __init__(
        self, frame: pd.DataFrame, caption: str, role: str = "table", marks: dict[str, list[str]] | None = None
    ):
        self.frame, self.caption, self.role, self.marks = frame, caption, role, marks or {}

    def _marked_rows(self) -> Iterable[list[tuple[object, str | None]]]:
        """Each row as its cells, each with its verdict (None in a column without marks)."""
        for position, row in enumerate(self.frame.itertuples(index=False)):
            yield [
                (value, self.marks[column][position] if column in self.marks else None)
                for value, column in zip(row, self.frame.columns)
            ]

    def _repr_html_(self) -> str:
        """Each cell names its column (`data-label`): on a phone report.css shows a row as a card of named lines.
        The ARIA roles keep it a table for a screen reader once its cells are laid out as blocks."""
        columns = [html.escape(str(c)) for c in self.frame.columns]
        aligns = [RIGHT if figures_column(self.frame[c]) else LEFT for c in self.frame.columns]
        head = "".join(f'<th scope="col" role="columnheader" {a}>{c}</th>' for c, a in zip(columns, aligns))
        body = "".join(
            '<tr role="row">' + "".join(_html_cell(v, c, a, m) for (v, m), c, a in zip(row, columns, aligns)) + "</tr>"
            for row in self._marked_rows()
        )
        caption = html.escape(self.caption)
        return scroll_region(
            caption,
            f'<table class="diagnoza-table" role="table"><caption>{caption}</caption>'
            f'<thead role="rowgroup"><tr role="row">{head}</tr></thead><tbody role="rowgroup">{body}</tbody></table>',
        )

    def _repr_markdown_(self) -> str:
        def cell(value) -> str:
            return escape_markdown(str(value)).replace("\n", " ")

        # The dashes under the header follow the content, as the PDF's column widths do (diagnoza.render).
        widths = [max([len(str(c))] + [len(str(v)) for v in self.frame[c]]) for c in self.frame.columns]
        lines = [
            "| " + " | ".join(cell(c) for c in self.frame.columns) + " |",
            "|" + "|".join("-" * min(max(w, 3), 40) for w in widths) + "|",
        ]
        lines += [
            "| " + " | ".join(cell(verdict_mark(m) + str(v)) for v, m in row) + " |" for row in self._marked_rows()
        ]
        return "\n".join(lines) + f"\n\n: {cell(self.caption)}\n"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self._repr_html_(), "text/markdown": self._repr_markdown_(), "text/plain": self.caption}
        return data, {ROLE: {"role": self.role}}


WRAPPED_CELL = 24  # characters: a figure ("22 869 – 58 347") keeps one line; a longer text wraps (report.css)


# JupyterLab right-aligns every table cell, so an analyst would read the indicator names ragged on the
# left: a column of words reads from the left, a column of figures from the right, where the units, tens
# and thousands of its numbers stand one above the other (a phone's cards set both from the left, report.css).
LEFT = 'style="text-align: left"'
RIGHT = 'style="text-align: right"'

# A figure as the tables print it: "3 338", "−78¹", "+4,1", "28,5%", "2022–2024" (a word joiner after its
# dash keeps it whole), "2 250 – 4 375" (a range), and the words a column of figures has for a figure it lacks.
_NUMBER = r"[+−-]?\d[\d \u00a0.,]*[¹²³⁴*]?\s?[%‰]?"  # Polish "8 738 002,5", English "8,738,002.5"
FIGURE = re.compile(rf"{_NUMBER}(?:\s?[–-]\u2060?\s?{_NUMBER})?")
NO_FIGURE = re.compile(r"[^\d]{0,12}")  # "—", "b.d.", "n/a", "x", "nie" (not placed)


def figures_column(values: Iterable) -> bool:
    """Whether a table column holds figures, to be aligned right: each of its filled cells a figure or a short
    word in place of one, and at least half of them figures."""
    texts = [str(v).strip() for v in values if str(v).strip()]
    figures = sum(bool(FIGURE.fullmatch(text)) for text in texts)
    return (
        bool(texts) and figures * 2 >= len(texts) and all(FIGURE.fullmatch(s) or NO_FIGURE.fullmatch(s) for s in texts)
    )


def verdict_mark(verdict: str | None) -> str:
    """A verdict's mark as text, before its word ("▲ korzystniej"); none for a section without a verdict."""
    return f"{VERDICT_MARKS[verdict][0]}\u00a0" if verdict in VERDICT_MARKS else ""


def _html_cell(value, column: str, align: str = LEFT, mark: str | None = None) -> str:
    """A cell, naming its `column` (already escaped) for the phone's card layout (report.css); a verdict's
    `mark` is drawn by the page's stylesheet (templates/html), as the batch index draws it."""
    text = html.escape(str(value))
    if mark in VERDICT_MARKS:
        text = f'<span class="verdict-mark verdict-mark-{mark}" aria-hidden="true"></span>{text}'
    classes = [
        name for name, wanted in (("wrap", len(str(value)) > WRAPPED_CELL), ("figure", align == RIGHT)) if wanted
    ]
    class_attribute = f' class="{" ".join(classes)}"' if classes else ""
    return f'<td{class_attribute} role="cell" data-label="{column}" {align}>{text}</td>'


def scroll_region(label: str, content: str) -> str:
    """Content wider than the screen scrolls inside its own region, which a keyboard can reach
    (tabindex) and a screen reader names (`label`, already escaped): the page never scrolls sideways."""
    return f'<div class="diagnoza-scroll" role="region" tabindex="0" aria-label="{label}">{content}</div>'


def _phone_positions(positions: tuple[Position, ...]) -> str:
    """A position chart as a list for a phone, where its drawing, kept legible, would scroll its scale off the
    screen: each indicator's name (and its mark in words) above a bar as long as its position, with the
    drawing's colour and shape, and the position at its end. Hidden until report.css shows it on a narrow
    screen (JupyterLab has not that stylesheet); the bars are drawn in CSS, not read out."""
    from analysis.charts import MARKS

    shapes = {"^": "up", "v": "down", "o": "dot"}  # the drawing's markers (MARKS), as report.css draws them
    items = []
    for row in positions:
        (colour, marker), width = MARKS[row.mark], f"{min(max(row.percentile, 0.0), 100.0):g}%"
        mark_word = f" – <strong>{html.escape(row.mark_word)}</strong>" if row.mark_word else ""
        items.append(
            f'<li><span class="diagnoza-position-name">{html.escape(row.name)}{mark_word}</span>'
            '<span class="diagnoza-position-row"><span class="diagnoza-track" aria-hidden="true">'
            f'<span class="diagnoza-bar" style="width: {width}; background: {colour}"></span>'
            f'<span class="diagnoza-mark {shapes[marker]}" style="left: {width}; background: {colour}"></span>'
            f'</span><span class="diagnoza-position-value">{html.escape(row.shown)}</span></span></li>'
        )
    return f'<div class="diagnoza-phone" hidden><ol class="diagnoza-positions">{"".join(items)}</ol></div>'


CSS_PX_PER_INCH = 96  # a CSS pixel is 1/96 inch


class Chart:
    """A chart on the page: SVG with alt text and caption in HTML, the SVG itself for the PDF; a position
    chart also as a list that a phone shows instead (`_phone_positions`).

    The page shows it at `style.SCREEN_SCALE` of its size, or narrower where the screen is (report.css): a
    line chart is drawn narrow enough to stay legible on a phone (`style.LINE_WIDTH`)."""

    def __init__(self, figure: MatplotlibFigure, text: ChartText):
        from analysis import style
        from analysis.charts import to_svg

        self.svg, self.alt, self.title, self.positions = to_svg(figure), text.alt, text.title, text.positions
        width, height = figure.get_size_inches() * CSS_PX_PER_INCH * style.SCREEN_SCALE
        self.size = f'width="{round(width)}" height="{round(height)}"'

    def _repr_mimebundle_(self, include=None, exclude=None):
        encoded = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        title = html.escape(self.title, quote=True)
        image = f'<img src="data:image/svg+xml;base64,{encoded}" {self.size} alt="{html.escape(self.alt, quote=True)}">'
        # A position chart's list, hidden until report.css shows it on a phone instead of the drawing.
        phone = _phone_positions(self.positions) if self.positions else ""
        figure = (
            f'<figure class="diagnoza-figure{" has-phone" if self.positions else ""}">{image}'
            f"{phone}<figcaption>{title}</figcaption></figure>"
        )

        data = {"text/html": figure, "image/svg+xml": self.svg, "text/plain": self.alt}
        return data, {ROLE: {"role": "figure", "alt": self.alt, "caption": self.title}}


# Two marks, explained in their tables' captions. The trend's is the statistician's star ("clearly different");
# a change holding a census step has its own, so that one report never gives "*" two meanings.
TREND_MARK = "*"  # changes tables: the town's trend clearly differs from its peers' median's
STEP_MARK = "¹"  # key figures: a change that holds a census re-basing (the changes tables say it in words)
BOUNDARY_MARK = "²"  # key figures: a change that holds a change of the town's boundaries


def _trend_cell(trends: pd.DataFrame, indicator, language: str, ranked: bool = True, years: int = 0) -> str:
    """Slope per year with its 95% interval, always; "niejednoznaczny" where the interval covers zero
    ("stabilny" where it is 0 to 0), an asterisk where the town's trend clearly differs from the peer
    median's. None for a value not ranked for too few events: its yearly values rest on fewer still, and
    their slope (often 0 between years without a single event, with an interval of width 0) would pass for
    a finding. Where the town's `years` of values are too few for the indicator's ρ (`trends.fewest_years`),
    that, not "b.d.": the data are there, a trend from them is not."""
    if not ranked:
        return "—"
    if indicator.id not in trends.index or pd.isna(trends.at[indicator.id, "slope"]):
        rho = trends.at[indicator.id, "rho"] if indicator.id in trends.index else float("nan")
        needed = fewest_years(float(rho)) if pd.notna(rho) else MIN_POINTS
        if MIN_POINTS <= years < needed:
            return label("trend_too_short", language, years=years, needed=needed)
        return format_number(float("nan"), 0, language)
    row = trends.loc[indicator.id]
    decimals = indicator.trend_decimals
    text = (
        f"{format_number(row['slope'], decimals, language, signed=True)} "
        f"({format_bound(row['low'], decimals, language)}; {format_bound(row['high'], decimals, language)})"
    )
    if row["stable"]:
        text += ", " + label("trend_stable", language)
    elif not row["clear"]:
        text += ", " + label("trend_unclear", language)
    if row["vs_peers_clear"]:
        text += " " + TREND_MARK
    return text


def _notes(row, indicator, language: str, missing_years: bool = True, boundaries=(), gus_marks=()) -> str:
    """Why a value is flagged: a share above its whole, few events (with its interval), not ranked, a
    difference within chance (a position that would be a strength or weakness, unmarked), matched on, missing
    years (unless `missing_years` is false); a value taken over several years together; and a 5-year change that
    holds the census's re-basing or a change of the town's `boundaries` (for an indicator that is itself a
    change, its value that holds it)."""
    pl = language == "pl"
    notes = []
    if pooled_years(row) > 1:
        years = with_noun(pooled_years(row), YEARS[language], 0, language, genitive=True)  # "z 3 lat"
        notes.append(label("note_pooled_share" if indicator.pooled_share else "note_pooled", language, years=years))
    if pd.notna(row.get("value")) and exceeds_its_base(indicator, row["value"]):
        whole = format_number(indicator.count_multiplier, 0, language) + ("%" if indicator.unit_en == "%" else "")
        notes.append(label("note_over_base", language, whole=whole))
    if row.get("reliability") in ("unreliable", "not_ranked"):
        events = events_text(indicator, row["events"], language)
        interval = format_range(row["ci_low"], row["ci_high"], indicator.decimals, language)
        if row["reliability"] == "not_ranked":
            notes.append(label("note_not_judged", language, events=events))
        else:
            notes.append(label("note_uncertain", language, events=events, interval=interval))
    if within_chance(row, indicator):  # a position in the best or worst quarter, unmarked: why
        interval = format_range(row["ci_low"], row["ci_high"], indicator.decimals, language)
        said = row.get("reliability") == "unreliable"  # its interval is in the note before
        notes.append(label("note_within_chance_again" if said else "note_within_chance", language, interval=interval))
    if too_few_peers(row):
        peers = with_noun(int(row["peer_count"]), MUNICIPALITIES_COUNTED[language], 0, language)
        notes.append(label("note_too_few_peers", language, peers=peers))
    # Peers whose figure holds a change of their boundaries (`compare_town`): for a change, left out of its
    # median; for a value, out of its change's (the one median the changes table shows for it).
    left_out = len(row.get("peers_left_out" if indicator.is_change else "peers_left_out_change", ()))
    if left_out:
        peers = with_noun(left_out, MUNICIPALITIES_WITHOUT[language], 0, language)
        notes.append(
            label("note_peers_left_out_one" if left_out == 1 else "note_peers_left_out", language, peers=peers)
        )
    if row.get("matching") and indicator.direction != "neutral" and pd.notna(row.get("value")):  # else nothing to judge
        if indicator.id == PIT_STAND_IN:
            notes.append(label("pit_stand_in_note", language))
        else:
            notes.append(
                "według tego wskaźnika dobrano grupę, więc go nie oceniamy"
                if pl
                else "the peers were matched on it, so it is not judged"
            )
    notes += gus_mark_notes(gus_marks, language)
    if row.get("low_precision"):  # shown, not ranked (`compare_town`): after the note naming the figures' years
        notes.append(label("note_low_precision", language))
    if missing_years and row.get("missing_years"):
        missing = with_noun(int(row["missing_years"]), YEARS[language], 0, language)
        notes.append(label("note_missing", language, missing=missing))
    if pd.isna(row.get("year")):
        return "; ".join(notes)
    if indicator.is_change and pd.notna(row["value"]):  # its value's notes, not its change's (`changes_table`)
        notes.insert(0, label("note_is_change", language))
        steps = value_steps(indicator.inputs, int(row["year"]))
    else:
        steps = (
            steps_in_changes(indicator.inputs, int(row["year"]), CHANGE_YEARS[:1]) if pd.notna(row["change"]) else []
        )
    notes += [label("note_census_step", language, year=year) for year in steps]
    if steps_at_breaks(indicator.inputs):  # residents or their density: a boundary change steps them too
        year, span = int(row["year"]), (max(split_lag(name)[1] for name in indicator.inputs) or CHANGE_YEARS[0])
        spans_it = indicator.is_change or pd.notna(row["change"])
        moved = crossed(stepping(boundaries, indicator.inputs), year, span) if spans_it else []
        held = row.get("boundary_change") if indicator.is_change else None  # so its value is not ranked
        notes += [
            label(
                "note_boundary_not_judged" if change.year == held else "note_boundary_change",
                language,
                year=change.year,
            )
            for change in moved
        ]
    return "; ".join(notes)


def _without_data(row: pd.Series, area: pd.Series) -> bool:
    """No figure at all, for the town, its peers, its voivodeship or Poland (a sparse store): such an
    indicator is named in its table's caption rather than shown as a row of "b.d."."""
    return bool(pd.isna([row["value"], row["peer_median"], area["voivodeship"], area["poland"]]).all())


def _short_of_residents(indicator: Indicator, area: pd.Series) -> bool:
    """No voivodeship's or Poland's value because the gminy with the figure hold too few of the area's
    residents (`analysis.aggregates.required_coverage`), which the caption must say."""
    coverage = area[["voivodeship_coverage", "poland_coverage"]].astype("float64")
    return bool((coverage.notna() & ~holds_enough_residents(indicator, coverage)).any())


def _areas_short_notes(short: list[Indicator], language: str) -> str:
    """Why an area has no value of these indicators: too few residents behind a ratio, or a total (the
    population) missing for some of its gminy."""
    notes = ""
    if any(not is_total(indicator) for indicator in short):
        notes += label("areas_short", language, share=format_number(100 * MIN_AREA_COVERAGE, 0, language) + "%")
    if any(is_total(indicator) for indicator in short):
        notes += label("areas_short_total", language)
    return notes


def area_budgets_note(report: TownReport) -> str:
    """ "; …": which kind of budgets the voivodeship's and Poland's budget figures sum, where they sum one kind
    only (`analysis.aggregates.budget_kinds`); "" where they sum every gmina. For captions and the method sheet."""
    if report.area_budgets is None:
        return ""
    cities = CITY_WITH_POWIAT_RIGHTS in report.area_budgets
    return label("areas_budgets_cities" if cities else "areas_budgets_gminy", report.language)


def _budgets_note(report: TownReport, shown: list[Indicator]) -> str:
    """`area_budgets_note` for a caption of a table that shows a budget indicator."""
    return area_budgets_note(report) if any(of_budgets(indicator) for indicator in shown) else ""


def _not_summed(indicator: Indicator, area: pd.Series) -> bool:
    """No voivodeship value because GUS publishes the gminy's figure only as a rate, and the store holds no
    published figure of the area either (`analysis.aggregates.published_rate`)."""
    return not is_aggregable(indicator) and pd.isna(area["voivodeship"])


def _published_areas(report: TownReport, among: Iterable[Indicator]) -> list[str]:
    """The names of the indicators among `among` whose voivodeship and Poland values in the report are the
    figures GUS publishes, not sums over the gminy (`analysis.aggregates.published_rate`)."""
    return [
        indicator.name_in_sentence(report.language)
        for indicator in among
        if published_rate(indicator) and report.areas.loc[indicator.id, ["voivodeship", "poland"]].notna().any()
    ]


def _published_note(report: TownReport, shown: list[Indicator]) -> str:
    """Which rows' voivodeship and Poland values are the figures GUS publishes, not sums over the gminy."""
    published = _published_areas(report, shown)
    if not published:
        return ""
    key = "areas_published_one" if len(published) == 1 else "areas_published_many"
    return label(key, report.language, names=", ".join(published))


def _poland_cell(indicator: Indicator, area: pd.Series, show: Callable[[float], str]) -> str:
    """Poland's value, or GUS's "x" (not applicable) for a flow between gminy, which nets out over the
    country: "b.d." would say a figure is missing where none can exist."""
    return NOT_APPLICABLE if indicator.nets_out_nationally else show(area["poland"])


def comparison_table(report: TownReport, section: str) -> Table | Nothing:
    """Where the town stands: each indicator of the section beside its peers' median and quartiles, its
    voivodeship and Poland (ratios of sums over their gminy), with its position and the one rule's
    assessment. How it changes, and the notes on each value, are in `changes_table`: together the ten
    columns would leave the indicators' names a sliver of an A4 page. Everything else is in the spreadsheet.
    Without a single value of the town or a peer median: nothing (the section's text says why)."""
    language = report.language
    if section_without_values(report.comparison, section):
        return Nothing()
    rows, without_data, shown = [], [], []
    marked: dict[str, list[str]] = {}  # GUS's marks on values, as the notes say them -> the indicators they are on
    for indicator in indicators_in(section):
        row, area = report.comparison.loc[indicator.id], report.areas.loc[indicator.id]
        if _without_data(row, area):
            without_data.append(indicator.name_in_sentence(language))
            continue
        shown.append(indicator)

        def show(value):  # an indicator that is itself a change has its sign, as page one and the text give it
            return format_number(value, indicator.decimals, language, signed=indicator.is_change)

        on_value = _gus_marks_on(report, indicator, row)[0]  # the table shows no change: marks on its value only
        beside = report.reference_marks.get(indicator.id, {})  # the peers' and the areas' (quartiles: the median's)
        _note_gus_marks(marked, indicator, (on_value, *beside.values()), language)
        rows.append(
            {
                label("indicator", language): indicator.name_with_unit(language),
                label("year", language): value_period(row),
                label("value", language): with_uncertain_mark(show(row["value"]), row) + GUS_MARK * bool(on_value),
                label("peer_median", language): show(row["peer_median"]) + _gus_mark(beside, "peer_median"),
                label("peer_quartiles", language): MISSING[language]
                if pd.isna(row["peer_q1"])  # no peer values: one "b.d.", not "b.d. – b.d."
                else f"{show(row['peer_q1'])} – {show(row['peer_q3'])}"  # may break: see figures_range
                + _gus_mark(beside, "peer_median"),
                # The voivodeship is named in the caption: a long name ("zachodniopomorskie"), or the word itself
                # ("Województwo", wider than any of its figures), would narrow the indicators' names.
                label("voivodeship_abbreviated", language): show(area["voivodeship"])
                + _gus_mark(beside, "voivodeship"),
                label("poland", language): _poland_cell(indicator, area, show) + _gus_mark(beside, "poland"),
                label("percentile", language): label("position_not_ranked", language)
                if unranked(row)
                else format_number(row["percentile"], PERCENTILE_DECIMALS, language),
                label("assessment", language): assessment_cell(indicator, row, language),
            }
        )
    # The caption names the year only where every row is of it: pooled rows ("2022–2024") and rows of an
    # earlier year (the last one missing) send the reader to the year column.
    periods = Counter(row[label("year", language)] for row in rows if row[label("year", language)])
    main = periods.most_common(1)[0][0] if periods else str(report.last_year)
    one_year = set(periods) <= {main}
    if one_year:  # the caption names it: a column repeating it on every row only narrows the others
        for row in rows:
            del row[label("year", language)]
    caption = label(
        "table_caption" if one_year else "table_caption_mixed",
        language,
        section=label(section, language),
        town=report.name,
        year=main,
        voivodeship=voivodeship_genitive(report.voivodeship)
        if language == "pl"
        else voivodeship_phrase(report.voivodeship, language),
    )
    if any(_neutral_position(indicator, report.comparison.loc[indicator.id]) for indicator in shown):
        caption += label("position_of_neutral", language)
    if any(_not_summed(indicator, report.areas.loc[indicator.id]) for indicator in shown):
        caption += label("areas_not_summed", language)
    caption += _published_note(report, shown)
    caption += _budgets_note(report, shown)
    caption += _areas_short_notes([i for i in shown if _short_of_residents(i, report.areas.loc[i.id])], language)
    if any(indicator.nets_out_nationally for indicator in shown):
        caption += label("poland_nets_out", language)
    if not report.national:
        caption += label("poland_not_covered", language)
    if (report.comparison.loc[[i.id for i in shown], "reliability"] == "unreliable").any():
        caption += _uncertain_note("uncertain_marked", language)
    caption += _gus_marks_caption(marked, language)
    if without_data:
        caption += label("without_data", language, names=", ".join(without_data))
    return Table(pd.DataFrame(rows), caption)


def assessment_cell(indicator: Indicator, row: pd.Series, language: str) -> str:
    """The one rule's mark ("mocna strona", "słaba strona", "—"); "nieoceniany" for a value the report does not
    judge by design (a neutral indicator, or the one the peers were matched on), so that its position is not read
    as a verdict. A value too uncertain to rank says so in its position ("nie oceniono")."""
    return assessment_word(
        row["assessment"],
        judged=judged_by_design(indicator, bool(row.get("matching"))),
        placed=pd.notna(row["value"]) and not unranked(row),
        language=language,
    )


def assessment_word(assessment: str, judged: bool, placed: bool, language: str) -> str:
    """The words of `assessment_cell`, from what a row says: its assessment, whether the report judges it
    (`judged_by_design`) and whether it has a position among the peers."""
    if assessment:
        return label(assessment, language)
    return label("assessment_not_judged", language) if placed and not judged else "—"


def _neutral_position(indicator: Indicator, row: pd.Series) -> bool:
    """Whether the table shows a neutral indicator's position, which counts from the lowest value, not the worst."""
    return indicator.direction == Direction.NEUTRAL and pd.notna(row["percentile"]) and not unranked(row)


def _change_end_year(row, indicator, last_year: int) -> int | None:
    """The year a row's 5-year changes (the town's and its peers' median's) run to, where it is not `last_year`:
    a value missing in the last year is compared, and changed, in the latest year it has (a pooled value: its
    window ends there), as the section table's year column shows. None where the changes end in the last
    year, or where no change is shown (none computed, or the indicator is itself a change: "—")."""
    if indicator.is_change or pd.isna(row.get("year")) or int(row["year"]) == last_year:
        return None
    shown = pd.notna(row["change"]) or pd.notna(row["peer_median_change"])
    return int(row["year"]) if shown else None


def changes_table(report: TownReport, section: str) -> Table | Markdown | Nothing:
    """How the town changes: the 5-year change beside the peers' median change, and the yearly trend with
    its 95% interval (an asterisk where it clearly differs from the peers' median's); and the notes on each
    value (pooled years, few events, matched on, missing years). An indicator with neither a change nor a trend
    nor a note on its value is named in the caption; a change, the town's or the peers' median's, that rests on
    figures GUS marks carries `GUS_MARK`, as in the key figures; a section without any: a note instead of the table; data
    too short for any change or trend: the notes alone, and the caption says why; a section the data do not
    cover at all (`section_without_values`): nothing, as its text says."""
    language = report.language
    if section_without_values(report.comparison, section):
        return Nothing()
    rows, without_changes, notes_alone = [], [], []
    ends_earlier = False  # a row whose changes end before the last year (`_change_end_year`)
    blank = {MISSING[language], "—", ""}
    marked: dict[str, list[str]] = {}  # GUS's marks on the changes, the town's and its peers' median's
    for indicator in indicators_in(section):
        row = report.comparison.loc[indicator.id]
        marks = report.gus_marks.get(indicator.id, ())  # the town's: in its notes, with the years they are on
        # ... and on its change, marked as the key figures mark it; a change of a change is not shown (below)
        town_marks = () if indicator.is_change else _gus_marks_on(report, indicator, row)[1]
        peer_marks = report.peer_change_marks.get(indicator.id, ())  # none for a change itself, shown as "—"
        _note_gus_marks(marked, indicator, (town_marks, peer_marks), language)
        cells = {
            label("change", language): format_number(row["change"], indicator.decimals, language, signed=True)
            + GUS_MARK * bool(town_marks),
            label("peer_change", language): format_number(
                row["peer_median_change"], indicator.decimals, language, signed=True
            )
            + GUS_MARK * bool(peer_marks),
            label("trend", language): _trend_cell(
                report.trends,
                indicator,
                language,
                ranked=row["reliability"] != "not_ranked",
                years=int(report.values[indicator.id].xs(report.teryt, level="teryt").notna().sum()),
            ),
            label("notes", language): _notes(row, indicator, language, boundaries=report.boundaries, gus_marks=marks),
        }
        if indicator.is_change and pd.notna(row["value"]):
            # The change of a 5-year change ("−1,8" beside "Zmiana liczby ludności w ciągu 5 lat") would be
            # read as the change itself (−11,4%): the row keeps its notes and points to the value instead.
            cells.update(dict.fromkeys(list(cells)[:-1], "—"))  # its notes (`_notes`) are its value's
        # A row of "b.d." only, or of "b.d." beside the years it lacks (a store of one or two years): the
        # indicator is named in the caption instead. Missing years stay noted beside a change or a trend.
        told = {
            **cells,
            label("notes", language): _notes(
                row, indicator, language, missing_years=False, boundaries=report.boundaries, gus_marks=marks
            ),
        }
        change_end = _change_end_year(row, indicator, report.last_year)
        if change_end:  # the caption says "to <last year>": this row's changes end earlier, where its value does
            ends_earlier = True
            for notes in (cells, told):
                notes[label("notes", language)] = "; ".join(
                    filter(None, [notes[label("notes", language)], label("note_change_to", language, year=change_end)])
                )
        if set(told.values()) <= blank:
            without_changes.append(indicator.name_in_sentence(language))
        else:
            rows.append({label("indicator", language): indicator.name_with_unit(language), **cells})
            notes_alone.append(told[label("notes", language)])
    if not rows:
        return Markdown(f"*{label('no_changes_table', language, section=label(section, language))}*")
    frame = pd.DataFrame(rows)
    whose = {"section": label(section, language), "town": report.name}
    over_time = [label(name, language) for name in ("change", "peer_change", "trend")]
    if frame[over_time].isin(blank).all().all():
        # Data too short for any change or trend (a first edition of two years): three columns of "b.d." give
        # way to a word on why, as in the key figures; the notes on the values are what the table holds (the
        # years a value lacks, which told why a change or trend is missing, say nothing beside none).
        frame[label("notes", language)] = notes_alone
        caption = label("notes_caption", language, **whose, first=report.first_year, last=report.last_year)
        return Table(frame.drop(columns=over_time), caption)
    caption = label("changes_caption", language, **whose, year=report.last_year, trend_mark=TREND_MARK)
    if any(in_current_prices(indicator) for indicator in indicators_in(section)):
        caption += label("current_prices", language)
    # A note "zawiera skok po NSP 2021" stands in the row beside the trend, which rests on the re-based series
    # (`analysis.report.trend_values`): the caption says the trend does not hold it.
    for year in LEVEL_BREAKS:
        if any(label("note_census_step", language, year=year) in notes for notes in frame[label("notes", language)]):
            caption += label("trends_without_census_step", language, year=year)
    if ends_earlier:
        caption += label("changes_to_earlier_years", language, year=report.last_year)
    caption += _gus_marks_caption(marked, language)  # on the changes (the trends' years: in the notes)
    if without_changes:
        caption += label("without_changes", language, names=", ".join(without_changes))
    return Table(frame, caption)


def in_current_prices(indicator: Indicator) -> bool:
    """Money, as GUS and the Ministry of Finance publish it: in current prices, so a change over years holds
    the rise in prices (a comparison within one year does not)."""
    return indicator.unit_en == "PLN"


# A group larger than this is not listed (the peer-group text gives its size): a size class or a voivodeship
# of real gminy holds hundreds of towns, pages of names in the PDF; the data workbook lists every group in full.
PEERS_LISTED = 50


def peers_table(report: TownReport, listed: int = PEERS_LISTED) -> Table | Markdown:
    """The peer towns, or for a group of more than `listed` (whose size the peer-group text gives), where
    they are listed."""
    language = report.language
    if len(report.peer_units) > listed:
        return Markdown(f"*{label('peers_not_listed', language, sheet=label('peers_sheet', language))}*")
    frame = pd.DataFrame(
        {
            "TERYT": report.peer_units["teryt"],
            label("town", language): report.peer_units["name"],
            label("kind", language): [label(kind, language) for kind in report.peer_units["kind"]],
            label("voivodeship", language): [voivodeship_name(v, language) for v in report.peer_units["voivodeship"]],
            label("population", language): [format_number(v, 0, language) for v in report.peer_units["population"]],
        }
    )
    return Table(frame, label("peers_caption", language))


def _uncertain_note(key: str, language: str) -> str:
    """A caption's note on "≈", its words the page-one finding's own (`uncertain_value`), its pointer the table's."""
    return label(key, language, uncertain=label("uncertain_value", language, events=UNRELIABLE_BELOW))


def _gus_marks_on(report: TownReport, indicator: Indicator, row: pd.Series) -> tuple[tuple, tuple]:
    """GUS's marks on the figures a row reads (`TownReport.gus_marks`): those on its value
    (`analysis.gus_marks.on_value`), and those on its 5-year change (`analysis.gus_marks.on_change`: its ends,
    the value's year among them, and between). A mark on the trend's years alone is in the changes table's notes."""
    marks = report.gus_marks.get(indicator.id, ())
    return on_value(indicator, row, marks), on_change(indicator, row, marks, CHANGE_YEARS[0])


def _gus_mark(beside: dict[str, tuple], column: str) -> str:
    """`GUS_MARK` after a figure beside the town's (`TownReport.reference_marks`) that rests on figures GUS marks."""
    return GUS_MARK * bool(beside.get(column))


def _note_gus_marks(marked: dict[str, list[str]], indicator: Indicator, marks: Iterable[tuple], language: str) -> None:
    """Add a row's GUS marks, on any of its cells (`marks`: one (kind, year) tuple per cell), to a caption's
    `marked` (`_gus_marks_caption`): their notes, said once each however many cells carry them."""
    found = {mark for cell in marks for mark in cell}
    if found:
        notes = "; ".join(gus_mark_notes(tuple(found), language))
        marked.setdefault(notes, []).append(indicator.name_in_sentence(language))


def _gus_marks_caption(marked: dict[str, list[str]], language: str) -> str:
    """A caption's note on `GUS_MARK`: what GUS's marks say ("; ³ zawiera szacunek wstępny GUS z 2024 r."), and
    where the rows' marks differ, whose is which ("; ³ saldo migracji …: …; odsetek …: …"). `marked`: the notes
    (`gus_mark_notes`, joined) -> the indicators marked so."""
    if not marked:
        return ""
    if len(marked) == 1:
        return f"; {GUS_MARK} {next(iter(marked))}"
    return f"; {GUS_MARK} " + "; ".join(f"{listed(names, language)}: {notes}" for notes, names in marked.items())


def key_figures(report: TownReport) -> Table:
    """The headline indicators at a glance: the town's value and 5-year change beside its peers'
    median, its voivodeship and Poland (ratios of sums over their gminy, `analysis.aggregates`).

    An indicator the store has no figure for at all (a sparse store) is named in the caption rather than
    shown as a row of "b.d."; the note on rates that are not summed stands only where such a row is shown."""
    language = report.language
    rows, without_data, steps, moved = [], [], set(), set()
    marked: dict[str, list[str]] = {}  # GUS's marks, as the notes say them -> the indicators they are on
    not_summed = few = nets_out = in_points = in_zloty = uncertain = False  # the notes the caption needs
    short, shown = [], []  # indicators without an area's value for want of residents behind it; every row
    voivodeship_column = label(
        "voivodeship_column", language, voivodeship=voivodeship_name(report.voivodeship, language)
    )
    for indicator in indicators().values():
        if not indicator.headline:
            continue
        row, area = report.comparison.loc[indicator.id], report.areas.loc[indicator.id]
        if _without_data(row, area):
            without_data.append(indicator.name_in_sentence(language))
            continue
        shown.append(indicator)
        not_summed = not_summed or _not_summed(indicator, area)
        if _short_of_residents(indicator, area):
            short.append(indicator)
        few = few or too_few_peers(row)
        nets_out = nets_out or indicator.nets_out_nationally
        uncertain = uncertain or row["reliability"] == "unreliable"

        def show(value, signed=False):
            return format_number(value, indicator.decimals, language, signed=signed)

        period = value_period(row) if pd.notna(row["year"]) else ""
        change = show(row["change"], signed=True)
        if pd.notna(row["change"]):
            # A change across a census re-basing, or of residents across a change of the town's boundaries,
            # holds its step (as the changes table notes): marked here too; two marks apart, not read as "¹²".
            stepped = steps_in_changes(indicator.inputs, int(row["year"]), CHANGE_YEARS[:1])
            crossing = crossed(stepping(report.boundaries, indicator.inputs), int(row["year"]), CHANGE_YEARS[0])
            change += "\u202f".join([STEP_MARK] * bool(stepped) + [BOUNDARY_MARK] * bool(crossing))
            steps.update(stepped)
            moved.update(boundary.year for boundary in crossing)
            in_points = in_points or indicator.unit_pl == "%"  # a share's change is in points, not in %
            in_zloty = in_zloty or in_current_prices(indicator)
        value = with_uncertain_mark(show(row["value"]), row)
        on_value, on_change = _gus_marks_on(report, indicator, row)
        beside = report.reference_marks.get(indicator.id, {})
        value += GUS_MARK * bool(on_value)
        change += GUS_MARK * bool(on_change)
        _note_gus_marks(marked, indicator, (on_value, on_change, *beside.values()), language)
        rows.append(
            {
                label("indicator", language): indicator.name_with_unit(language, period),
                report.name: value,
                label("change", language): change,
                label("peer_median", language): show(row["peer_median"]) + _gus_mark(beside, "peer_median"),
                voivodeship_column: show(area["voivodeship"]) + _gus_mark(beside, "voivodeship"),
                label("poland", language): _poland_cell(indicator, area, show) + _gus_mark(beside, "poland"),
            }
        )
    caption = label("key_figures_caption", language)
    if in_points:
        caption += label("key_figures_in_points", language)
    if in_zloty:
        caption += label("current_prices", language)
    if not_summed:
        caption += label("key_figures_not_summed", language)
    caption += _published_note(report, shown)
    caption += _budgets_note(report, shown)
    caption += _areas_short_notes(short, language)
    if few:
        caption += label("key_figures_too_few_peers", language, peers=MIN_PEERS)
    if uncertain:
        caption += _uncertain_note("key_figures_uncertain", language)
    if nets_out:
        caption += label("poland_nets_out", language)
    if not report.national:
        caption += label("poland_not_covered", language)
    for year in sorted(steps):
        caption += label("key_figures_census_step", language, mark=STEP_MARK, year=year)
    for year in sorted(moved):
        caption += label("key_figures_boundary_change", language, mark=BOUNDARY_MARK, year=year)
    caption += _gus_marks_caption(marked, language)
    frame = pd.DataFrame(rows)
    if rows and (frame[label("change", language)] == MISSING[language]).all():
        # Data shorter than the change's span: a column of "b.d." only gives way to a word on why.
        frame = frame.drop(columns=label("change", language))
        caption += label("key_figures_no_change", language, first=report.first_year, last=report.last_year)
    if without_data:
        caption += label("without_data", language, names=", ".join(without_data))
    return Table(frame, caption, role="key_figures")  # the end of page one (diagnoza.render)


# More peers joined or left than this are counted, not named: a size class of real gminy can shift by dozens.
MOVES_LISTED = 10


def _peer_moves(report: TownReport, changes, language: str) -> list[str]:
    """Peers that joined or left, each said only when it happened, in the number it happened to."""
    names = dict(zip(report.peer_units["teryt"], report.peer_units["name"]))
    # No longer peers: named as the previous edition's record names them; by TERYT code where it does not (a
    # record written before records kept the names).
    named = all(code in changes.peers_left_named for code in changes.peers_left)
    names |= changes.peers_left_named
    # A name two gminy of the group, now or then, share (106 rural gminy share theirs: two Adamów in lubelskie)
    # is followed by its TERYT code, as the peers table gives it.
    shared = {name for name, count in Counter(names.values()).items() if count > 1}

    def told(code: str) -> str:
        name = names.get(code, code)
        return f"{name} ({code})" if name in shared else name

    joined = [told(t) for t in changes.peers_joined]
    left = [told(code) for code in changes.peers_left] if named else list(changes.peers_left)
    sentences = []
    if changes.peer_rules:  # another rule than last time (the batch's choice): why peers moved
        old, new = (rule_name(rule, language) for rule in changes.peer_rules)
        sentences.append(label("peer_rule_changed", language, old=old, new=new))
    if changes.peer_years:  # matched on another year than last time: why peers moved
        old, new = changes.peer_years
        sentences.append(label("peer_year_moved", language, old=old, new=new))
    if language == "pl":

        def counted(n: int, few: str, many: str) -> str:  # "dołączyły 22 gminy", "dołączyło 25 gmin"
            return f"{few if plural_category(n, 'pl') == 'few' else many} {with_noun(n, MUNICIPALITIES_COUNTED['pl'])}"

        if len(joined) > MOVES_LISTED:
            sentences.append(f"Do grupy porównawczej {counted(len(joined), 'dołączyły', 'dołączyło')}.")
        elif joined:
            verb = "dołączyła gmina" if len(joined) == 1 else "dołączyły gminy"
            sentences.append(f"Do grupy porównawczej {verb} {listed(joined)}.")  # "A, B i C", as a sentence lists
        if len(left) > MOVES_LISTED:
            sentences.append(f"Z grupy porównawczej {counted(len(left), 'odeszły', 'odeszło')}.")
        elif left and named:
            verb = "odeszła gmina" if len(left) == 1 else "odeszły gminy"
            sentences.append(f"Z grupy porównawczej {verb} {listed(left)}.")
        elif left:
            verb = "odeszła gmina o kodzie" if len(left) == 1 else "odeszły gminy o kodach"
            sentences.append(f"Z grupy porównawczej {verb} TERYT {listed(left)}.")
        return sentences
    if len(joined) > MOVES_LISTED:
        sentences.append(f"{with_noun(len(joined), MUNICIPALITIES['en'], 0, 'en')} joined the peer group.")
    elif joined:
        sentences.append(f"Joined the peer group: {', '.join(joined)}.")
    if len(left) > MOVES_LISTED:
        sentences.append(f"{with_noun(len(left), MUNICIPALITIES['en'], 0, 'en')} left the peer group.")
    elif left:
        sentences.append(f"Left the peer group{'' if named else ' (TERYT)'}: {', '.join(left)}.")
    return sentences


def edition_changes(report: TownReport, previous_figures: str) -> list[Markdown | Table]:
    """ "What changed since the previous edition": nothing at all without a previous edition's record;
    else a heading, a sentence on verdicts, data years and peers, and a table of the indicators that moved."""
    changes = changes_since(report, previous_figures)
    if changes is None:
        return []
    language = report.language
    pl = language == "pl"
    title = label("edition_changes_title", language)
    parts = [Markdown(f"### {title} ({changes.previous_edition})")]  # a part of the summary
    if changes.nothing:
        said = _nothing_listed(changes.small_position_moves, language)
        if changes.method_changed:  # a new version of the method, which moved none of the figures listed
            moved = changes.small_position_moves  # ... but may have moved those positions
            said += " " + label("edition_method_changed" if moved else "edition_method_changed_nothing", language)
        parts.append(Markdown(said))
        return parts
    sentences = []
    for section, (old, new) in changes.verdicts.items():
        sentences.append(
            f"{label(section, language)}: "
            + (
                f"ocena zmieniła się z „{label('verdict_' + old, language)}” na „{label('verdict_' + new, language)}”."
                if pl
                else f"verdict changed from “{label('verdict_' + old, language)}” to "
                f"“{label('verdict_' + new, language)}”."
            )
        )
    if changes.new_years:
        years = ", ".join(map(str, changes.new_years))
        one = len(changes.new_years) == 1
        if pl:
            sentences.append(f"{'Nowy rok' if one else 'Nowe lata'} danych: {years}.")
        else:
            sentences.append(f"New data {'year' if one else 'years'}: {years}.")
    sentences += _assessment_moves(report, changes.indicators, language)
    sentences += [boundary_sentence(change, language) for change in changes.boundary_changes]
    sentences += _peer_moves(report, changes, language)
    if changes.method_changed:
        sentences.append(label("edition_method_changed", language))
    if sentences:
        parts.append(paragraphs(sentences))
    if not changes.indicators.empty:
        rows = []
        marked: dict[str, list[str]] = {}  # GUS's marks on either edition's value -> the indicators they are on
        for indicator_id, row in changes.indicators.iterrows():
            indicator = indicators()[indicator_id]
            notes = _edition_marks_note(row["old_marks"], row["new_marks"], language)
            if notes:
                marked.setdefault(notes, []).append(indicator.name_in_sentence(language))

            def show(age: str) -> str:  # as the section tables print it (a change with its sign), and its years
                value = format_number(row[f"{age}_value"], indicator.decimals, language, signed=indicator.is_change)
                value += GUS_MARK * bool(row[f"{age}_marks"])  # a figure GUS marked then, or marks now
                return f"{value} ({row[f'{age}_period']})" if row[f"{age}_period"] else value  # "b.d.", not "b.d. (—)"

            def position(age: str) -> str:  # a value without a position was not ranked, not missing
                if pd.isna(row[f"{age}_percentile"]) and pd.notna(row[f"{age}_value"]):
                    return label("position_not_ranked", language)
                return format_number(row[f"{age}_percentile"], PERCENTILE_DECIMALS, language)

            rows.append(
                {
                    label("indicator", language): indicator.name_with_unit(language),
                    label("before", language): show("old"),
                    label("now", language): show("new"),
                    label("difference", language): _printed_difference(
                        row["old_value"], row["new_value"], indicator.decimals, language
                    ),
                    label("position_before_now", language): _before_now(position("old"), position("new")),
                    label("assessment_before_now", language): _before_now(
                        *(_edition_assessment(row, age, language) for age in ("old", "new"))
                    ),
                }
            )
        caption = label("edition_changes_caption", language, step=POSITION_STEP)
        moved = changes.indicators
        if any(  # a neutral indicator's position, as in the section tables: it counts from the lowest value
            indicators()[i].direction == Direction.NEUTRAL
            and moved.loc[i, ["old_percentile", "new_percentile"]].notna().any()
            for i in moved.index
        ):
            caption += label("position_of_neutral", language)
        caption += _gus_marks_caption(marked, language)
        parts.append(Table(pd.DataFrame(rows), caption))
    return parts


def _edition_marks_note(before: tuple, now: tuple, language: str) -> str:
    """What GUS's marks on a row of the edition table say, in one note per indicator: where both editions' values
    are marked, and differently (a pooled value's years moved on), which is which ("było – …, jest – …"), not the
    indicator named twice; else the one edition's marks, or nothing."""
    if before and now and set(before) != set(now):
        return ", ".join(
            f"{label(age, language).lower()} – {', '.join(gus_mark_notes(marks, language))}"
            for age, marks in (("before", before), ("now", now))
        )
    return "; ".join(gus_mark_notes(now or before, language))  # as the section tables say them


def _assessment_moves(report: TownReport, moved: pd.DataFrame, language: str) -> list[str]:
    """The strengths and weaknesses that came or went since the previous edition, said before the table where
    they are one column of many rows: what a reader of the report wants first. A new one is phrased with its
    direction, as page one phrases it ("wysoki udział …"); one that went by its name (the previous edition's
    peers' median is not compared)."""
    catalogue, sentences = indicators(), []
    then, now = moved["old_assessment"], moved["new_assessment"]
    for change in ("new", "lost"):
        for mark in (STRENGTH, WEAKNESS):
            if change == "new":
                came = moved.index[(now == mark) & (then != mark)]
                items = [judged_phrase(catalogue[i], report.comparison.loc[i], language) for i in came]
            else:
                items = [catalogue[i].name_in_sentence(language) for i in moved.index[(then == mark) & (now != mark)]]
            if items:  # separated as a section's strengths are ("Mocne strony na tle grupy porównawczej: a; b.")
                key = f"edition_{change}_{mark}_{'one' if len(items) == 1 else 'many'}"
                sentences.append(label(key, language, items="; ".join(items)))
    return sentences


def _nothing_listed(small_position_moves: int, language: str) -> str:
    """What an edition that moved nothing enough to list says: that nothing changed, unless some positions moved
    by less than `POSITION_STEP` (a peer's revised figure moving the town by a rank), which it then counts."""
    if not small_position_moves:
        return label("edition_nothing", language)
    key = "edition_position_moved_one" if small_position_moves == 1 else "edition_position_moved"
    indicators_moved = with_noun(small_position_moves, INDICATORS[language], language=language, genitive=True)
    moved = label(key, language, indicators=indicators_moved)
    return label("edition_nothing_listed", language, moved=moved, step=POSITION_STEP)


def _printed_difference(before, now, decimals: int, language: str) -> str:
    """By how much a value moved: the difference of the two values as printed ("+1,5"), the one a reader of the
    row computes; "—" where either is missing."""
    if pd.isna(before) or pd.isna(now):
        return "—"
    return format_number(as_printed(now, decimals) - as_printed(before, decimals), decimals, language, signed=True)


def _before_now(before: str, now: str) -> str:
    """ "70 → 55"; what did not change is said once ("słaba strona", not "słaba strona → słaba strona")."""
    return before if before == now else f"{before} → {now}"


def _edition_assessment(row: pd.Series, age: str, language: str) -> str:
    """An edition's assessment as the section tables word it: "nieoceniany" for a placed value the report does
    not judge (neutral, or matched on), so that its position is not read as a verdict there either."""
    assessment = row[f"{age}_assessment"] if row[f"{age}_assessment"] in (STRENGTH, WEAKNESS) else ""
    placed = pd.notna(row[f"{age}_value"]) and pd.notna(row[f"{age}_percentile"])
    return assessment_word(assessment, bool(row[f"{age}_judged"]), placed, language)


def chart(figure: MatplotlibFigure | None, text: ChartText, language: str = "pl") -> Chart | Markdown:
    """A chart, or a short note, naming the chart, where the data did not allow one (e.g. too few years)."""
    if figure is not None:
        return Chart(figure, text)
    if text.missing:
        return Markdown(f"*{escape_markdown(text.missing)}*")
    if not text.title:
        return Markdown(f"*{label('no_chart', language)}*")
    return Markdown(f"*{label('no_chart_named', language, title=escape_markdown(text.title))}*")


def charts(figures: list[tuple[MatplotlibFigure | None, ChartText]], language: str = "pl") -> list[Chart | Markdown]:
    """Several charts (`analysis.charts.section_charts`), for one `display(*...)`. The trend charts the data did
    not allow are named in one note after the others: on a sparse store, a note in place of each read as a list
    of failures ("Liczba ludności: Cieszyn na tle grupy porównawczej – za mało danych do wykresu." and two more)."""
    shown = [chart(figure, text, language) for figure, text in figures if figure is not None or not text.indicator]
    missing = [text for figure, text in figures if figure is None and text.indicator]
    return shown + [_missing_trend_charts(missing, language)] if missing else shown


def _missing_trend_charts(texts: list[ChartText], language: str) -> Markdown:
    """ "Bez wykresów zmian w czasie: liczba ludności (dane gminy z jednego roku); zgony na 1000 ludności (brak
    danych gminy)." A trend chart needs the town's values of two years (`charts.MIN_TREND_YEARS`); one without
    any value has its `missing` sentence ("– brak danych.")."""
    catalogue = indicators()
    groups = []
    for no_values, reason in ((False, "trend_one_year"), (True, "trend_no_values")):
        names = [
            catalogue[text.indicator].name_in_sentence(language) for text in texts if bool(text.missing) == no_values
        ]
        if names:
            groups.append(f"{', '.join(names)} ({label(reason, language)})")
    note = label("no_trend_charts" if len(texts) > 1 else "no_trend_chart", language, charts="; ".join(groups))
    return Markdown(f"*{escape_markdown(note)}*")


def _edition(report: TownReport) -> str:
    """The edition date; an empty one is today, as `TownParams.edition` says (a report an analyst computes
    without the notebook's `validate_town`)."""
    return report.params.edition or date.today().isoformat()


def report_title(report: TownReport) -> str:
    """The title the run was given, or the standard one in the report's language: an English run of the
    notebook with its defaults is not titled in Polish."""
    return report.params.title or label("report_title", report.language)


def report_info(report: TownReport) -> dict:
    """What the cover, header and metadata of the rendered report say (`diagnoza.render.ReportInfo`).

    Kept in the title block's output, so an executed notebook carries all its renderers need."""
    language = report.language
    return {
        "title": report_title(report),
        "town": report.name,
        "teryt": report.teryt,
        "voivodeship": report.voivodeship,
        "kind": report.kind,
        "first_year": report.first_year,
        "last_year": report.last_year,
        "edition": _edition(report),
        "language": language,
        "synthetic": report.synthetic,
        "source": report.source,
        "vintage": label("vintage", language, vintage=report.vintage) if report.vintage else "",
    }


# Between the title block's items an em space, where a line may break (it stays, unseen, at the line's end).
# Within an item no break: no-break spaces, and a word joiner after each dash of the years and the date.
ITEM_GAP, NBSP, WORD_JOINER = "\u2003", "\u00a0", "\u2060"


def _unbreakable(text: str) -> str:
    return text.replace(" ", NBSP).replace("–", "–" + WORD_JOINER).replace("-", "-" + WORD_JOINER)


def title_block(report: TownReport) -> Markdown:
    """Title, place and data years; a banner when the data are synthetic."""
    language = report.language
    title, edition = report_title(report), _edition(report)
    # Items apart by a wide space, each unbreakable: where a phone wraps the line, no separator hangs.
    items = [
        f"**{label(report.kind, language)}, {escape_markdown(voivodeship_phrase(report.voivodeship, language))}**",
        f"TERYT {report.teryt}",
        f"{label('data_years', language)}: {report.first_year}–{report.last_year}",
        f"{label('edition', language)}: {edition}",
    ]
    lines = [
        f"# {escape_markdown(title)}: {escape_markdown(report.name)}",
        "",
        ITEM_GAP.join([items[0], *map(_unbreakable, items[1:])]),
    ]
    if report.synthetic:
        lines += ["", f"> **{label('synthetic_banner', language)}**"]
    return Markdown("\n".join(lines), role="title", info=report_info(report))


REPORT_SECTIONS = ("summary", "demography", "economy", "services", "peer_group", "methodology")


class Heading:
    """A section heading with a stable anchor (`#demography`) for the table of contents."""

    def __init__(self, key: str, language: str):
        self.key, self.text = key, label(key, language)

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            "text/html": f'<h2 id="{self.key}">{html.escape(self.text)}</h2>',
            "text/markdown": f"## {escape_markdown(self.text)}",
            "text/plain": self.text,
        }
        return data, {ROLE: {"role": "heading", "anchor": self.key}}


class Contents:
    """The HTML table of contents; the PDF builds its own outline, so it has no print form."""

    def __init__(self, language: str):
        self.language = language

    def _repr_mimebundle_(self, include=None, exclude=None):
        title = label("contents", self.language)
        items = "".join(
            f'<li><a href="#{key}">{html.escape(label(key, self.language))}</a></li>' for key in REPORT_SECTIONS
        )
        nav = f'<nav class="toc" aria-label="{title}"><h2 class="toc-title">{title}</h2><ol>{items}</ol></nav>'
        return {"text/html": nav, "text/plain": title}, {ROLE: {"role": "contents"}}


def heading(section: str, language: str) -> Heading:
    return Heading(section, language)


def contents(language: str) -> Contents:
    return Contents(language)


def paragraphs(sentences: list[str]) -> Markdown:
    return Markdown("\n\n".join(sentences))


def _matching_sentence(report: TownReport) -> str:
    from analysis.catalogue import indicators

    judged_elsewhere = [i for i in report.peers.matching if indicators()[i].direction != "neutral"]
    if not judged_elsewhere:
        return ""
    names = ", ".join(matched_indicator_name(i, report.language) for i in judged_elsewhere)
    one = len(judged_elsewhere) == 1
    if report.language == "pl":
        what = "wskaźnika, w którym" if one else "wskaźników, w których"
        return (
            f" Gminy dobrano tak, by były podobne pod tym względem, więc {what} gmina wypadałaby przeciętnie "
            f"z samego założenia, nie oceniamy: {names}."
        )
    typical = "the town would look typical by construction"
    what = f"the indicator in which {typical} is" if one else f"the indicators in which {typical} are"
    return f" The peers were chosen to be alike in this, so {what} not judged: {names}."


def peer_method_text(report: TownReport) -> Markdown:
    """Which towns the report compares with, and why these: in words, without jargon."""
    rule: PeerRule = report.peers.rule
    language = report.language
    count = len(report.peers.members)
    name, year = escape_markdown(report.name), report.peers.reference_year
    if language == "pl":
        towns = f"{preposition_z(count)} {with_noun(count, MUNICIPALITIES['pl'], 0, 'pl')}"  # "z 20 gminami"
        counted = with_noun(count, MUNICIPALITIES_COUNTED["pl"], 0, "pl")  # "(112 gmin)"
        text = {
            "nearest": (
                f"Gminę {name} porównujemy {towns} tego samego rodzaju ({label(report.kind, 'pl')}), "
                f"które w {year} r. były do niej najbardziej podobne pod względem liczby ludności i dochodów "
                "mieszkańców (mierzonych wpływami gminy z udziału w podatku PIT na mieszkańca; gdy gminie ich brak – "
                "dochodami własnymi na mieszkańca, jej i pozostałych gmin). Obie wielkości porównujemy w skali "
                "logarytmicznej, tak by gmina dwa razy większa była tak samo odległa jak dwa razy mniejsza."
            ),
            "voivodeship": (
                f"Gminę {name} porównujemy ze wszystkimi pozostałymi gminami tego samego rodzaju "
                f"({label(report.kind, 'pl')}) w województwie {escape_markdown(voivodeship_locative(report.voivodeship))} "
                f"({counted})."
            ),
            "powiat": f"Gminę {name} porównujemy ze wszystkimi pozostałymi gminami tego samego powiatu ({counted}).",
            "population_class": (
                f"Gminę {name} porównujemy {towns} tego samego rodzaju ({label(report.kind, 'pl')}) "
                f"i tej samej klasy wielkości według liczby ludności w {year} r.{_size_class(report)}."
            ),
            "explicit": f"Grupę porównawczą wskazała gmina lub analityk; liczba gmin w grupie: {count}.",
        }[rule.method]
    else:
        towns = with_noun(count, MUNICIPALITIES["en"], 0, "en")
        text = {
            "nearest": (
                f"{name} is compared with the {towns} of the same kind ({label(report.kind, 'en')}) that were "
                f"most similar to it in {year} in population and residents' incomes (measured by the PIT-share "
                "revenue per capita, or, where the town's is missing, by own revenue per capita, its own and the "
                "other towns'). Both are compared on a log scale, so a town twice as large is as far away as one "
                "half the size."
            ),
            "voivodeship": (
                f"{name} is compared with all the other municipalities of the same kind "
                f"({label(report.kind, 'en')}) in {escape_markdown(voivodeship_phrase(report.voivodeship, 'en'))} "
                f"({towns})."
            ),
            "powiat": f"{name} is compared with all the other municipalities of the same powiat ({towns}).",
            "population_class": (
                f"{name} is compared with the {towns} of the same kind ({label(report.kind, 'en')}) "
                f"and the same size class by population in {year}{_size_class(report)}."
            ),
            "explicit": f"The peer group ({towns}) was chosen by the municipality or the analyst.",
        }[rule.method]
    if rule.method == "nearest" and report.peers.reference_year != report.last_year:  # `peers.matching_year`
        text += " " + _matched_earlier(report)
    if not report.national and rule.method in ("nearest", "population_class"):  # chosen "from all" of a part
        text += " " + label("peers_from_part", language)
    if rule.method == "nearest" and count >= (report.peers.candidates or count + 1):  # none left to choose from
        text += " " + label("peers_all_of_kind", language)
    if report.kind == CITY_WITH_POWIAT_RIGHTS and rule.method in ("nearest", "voivodeship", "population_class"):
        text += " " + label("peers_cities_apart", language)  # why only cities (analysis.store)
    return Markdown(text + _matching_sentence(report) + _how_alike_sentence(report))


def _size_class(report: TownReport) -> str:
    """ " (od 10 000 do 19 999 mieszkańców)": the size class the `population_class` rule matched the town in, which
    the text names so that a reader need not know GUS's classes; "" where the town has no population that year."""
    population = report.values["population"].get((report.teryt, report.peers.reference_year), float("nan"))
    if pd.isna(population):
        return ""
    lower, upper = population_class_bounds(population)
    language = report.language
    shown = {"lower": format_number(lower, 0, language)}
    if upper is not None:
        shown |= {"upper": format_number(upper, 0, language), "last": format_number(upper - 1, 0, language)}
    key = "size_class_below" if lower == 0 else "size_class_from" if upper is None else "size_class_between"
    return f" ({label(key, language, **shown)})"


def _matched_earlier(report: TownReport) -> str:
    """Why the peers were matched on a year before the report's last (`analysis.peers.matching_year`): what the
    data lack in that year, the residents or the income of every gmina (the town's says which)."""
    last = report.last_year
    population = report.values["population"].get((report.teryt, last), float("nan"))
    what = "matched_missing_population" if pd.isna(population) else "matched_missing_income"
    return label(
        "peers_matched_earlier",
        report.language,
        year=report.peers.reference_year,
        last=last,
        what=label(what, report.language),
    )


def _how_alike_sentence(report: TownReport) -> str:
    """How alike the peers are in size and income in the peer group's year (what a reader asks first of a
    peer group: as large? as well off?): the town's value beside the peers' range and median, so a reader
    sees why these towns (and how far the farthest is). Income on the measure the town is matched on.
    A town at the edge (the smallest town of its kind has only larger ones to be matched with) is said to
    be below or above every peer, in words: a range read in passing does not show that the group is not
    around it."""
    language, year = report.language, report.peers.reference_year
    if year not in report.values.index.get_level_values("year"):
        return ""
    in_year = report.values.xs(year, level="year")
    parts = []
    for indicator_id in ("population", income_measure(in_year[INCOME].get(report.teryt, float("nan")))):
        indicator = indicators()[indicator_id]
        own = in_year[indicator_id].get(report.teryt, float("nan"))
        peers = in_year[indicator_id].reindex(list(report.peers.members)).dropna()
        if pd.isna(own) or peers.empty:
            continue
        values = (own, peers.min(), peers.max(), peers.median())
        if indicator_id == "population":  # residents: the number alone reads best ("od 2 145 do 21 980")
            shown = [format_number(value, indicator.decimals, language) for value in values]
        else:
            unit = indicator.unit(language)
            shown = [quantity(value, indicator.decimals, unit, language, genitive=True) for value in values]
        town, lowest, highest = (round_half_up(value, indicator.decimals) for value in values[:3])  # as printed
        edge = "below_every_peer" if town < lowest else "above_every_peer" if town > highest else "peers_range"
        parts.append((indicator.name_in_sentence(language), edge, *shown))
    if not parts:
        return ""
    name = escape_markdown(report.name)
    said = "; ".join(
        f"{what} – {name}: {own}, {label(edge, language, low=low, high=high, median=median)}"
        for what, edge, own, low, high, median in parts
    )
    return f" {label('in_year', language, year=year)} {said}."


def methodology_text(report: TownReport) -> Markdown:
    """The report's last section: how its figures, positions, verdicts and trends are made, a paragraph per
    topic under a bold lead (a statistician checks one topic at a time, a reader looks up one), then the notes
    on this report's own data (renumbered codes, GUS's marks) and the source line."""
    from analysis.reliability import NOT_RANKED_BELOW, UNRELIABLE_BELOW
    from analysis.scoring import SCORE_CAP
    from analysis.synthesis import VERDICT_BAND

    language = report.language
    band, cap = format_number(VERDICT_BAND, 2, language), format_number(SCORE_CAP, 0, language)
    coverage = format_number(100 * MIN_AREA_COVERAGE, 0, language) + "%"
    published = ", ".join(_published_areas(report, indicators().values()))
    pooled_shares = [indicator.name(language) for indicator in indicators().values() if indicator.pooled_share]
    shares = listed(pooled_shares, language)
    if language == "pl":
        paragraphs = {
            "Wskaźniki i obszary": (
                "Wskaźniki obliczono według definicji z katalogu wskaźników Diagnozy (wzór, jednostka, zmienne "
                "źródłowe, kierunek oceny i jego uzasadnienie opisuje dokumentacja metodologiczna). "
                "Wartość województwa i Polski to wzór wskaźnika "
                "na sumach zmiennych ich gmin (np. wszystkie urodzenia przez całą ludność); podajemy ją, gdy gminy "
                f"z danymi obejmują co najmniej {coverage} ludności obszaru, a liczbę ludności – gdy ma ją każda gmina obszaru. "
                + (
                    f"Wyjątek: {published} – GUS podaje dla gmin sam wskaźnik, bez mianownika, więc wartość województwa i Polski to ta, "
                    "którą GUS podaje dla obszaru. "
                    if published
                    else ""
                )
                + "Wskaźniki na mieszkańca i na 1000 ludności liczymy od liczby ludności na koniec roku (31 XII), dla "
                "gminy, jej grupy, województwa i Polski tak samo; GUS w swoich publikacjach dzieli urodzenia, zgony "
                "i saldo migracji przez ludność w połowie roku, więc jego wartości mogą się od nich różnić o kilka "
                "dziesiątych promila. "
                "Przy braku danych za ostatni rok użyto ostatniego dostępnego roku (kolumna „Rok”). "
                "Wskaźniki rzadkich zdarzeń, które tabele oznaczają jako średnią roczną z kilku lat, liczymy łącznie "
                "dla tych lat: suma zdarzeń podzielona przez sumę ludności, czyli średnio na rok (lata podaje kolumna "
                "„Rok”); wykresy pokazują wartości roczne."
                + (
                    f" {shares} liczymy z kwot z kilku ostatnich lat łącznie (lata podaje kolumna „Rok”): takie "
                    "wydatki rozkładają się na projekty kilkuletnie, więc jeden rok mówi więcej o etapie projektu niż o gminie."
                    if shares
                    else ""
                )
            ),
            "Pozycja, mocne i słabe strony": (
                "Mediana i kwartyle dotyczą gmin grupy porównawczej w tym samym roku; jeśli wartość wskaźnika znamy "
                f"dla mniej niż {MIN_PEERS} gmin grupy, nie porównujemy z nią gminy. "
                "Pozycja (percentyl) to odsetek gmin grupy, od których gmina wypada korzystniej: 100 oznacza "
                "najkorzystniej, 50 – tak jak mediana; dla wskaźników, przy których niższa wartość jest lepsza, "
                "skala jest odwrócona. Wskaźników neutralnych nie oceniamy: ich pozycja to odsetek gmin grupy "
                "o niższej wartości. "
                "Mocna strona to wskaźnik, w którym gmina należy do najlepszej ćwiartki grupy, różni się od mediany "
                "co najmniej o minimalną istotną różnicę z katalogu, a przedział ufności jej wartości (gdy wynika "
                "z liczby zdarzeń) nie obejmuje mediany; słaba strona – odwrotnie. "
                f"Wartości opartych na mniej niż {UNRELIABLE_BELOW} zdarzeniach nie uznajemy za pewne, a na mniej niż "
                f"{NOT_RANKED_BELOW} – nie oceniamy."
            ),
            "Ocena części raportu": (
                "Wynik części raportu to średnia ograniczonych odchyleń od mediany grupy (od −"
                f"{cap} do +{cap}), liczona najpierw w obrębie dziedzin (jak {label('age_structure', language)} czy "
                f"{label('natural_change', language)}), potem między nimi. Wartość opartą na liczbie zdarzeń, której "
                "przedział ufności obejmuje medianę grupy, liczymy jako równą medianie: różnica w granicach przypadku "
                f"nie wpływa na wynik. Przy wyniku +{band} i wyższym gmina wypada korzystniej niż typowa gmina grupy, przy "
                f"−{band} i niższym – mniej korzystnie, przy wyniku pomiędzy nimi – podobnie. "
                "Gdy ocenić można mniej niż połowę wskaźników części albo tylko wskaźniki jednej dziedziny, nie wydajemy oceny."
            ),
            "Zmiany i trendy": (
                "Zmiana w 5 lat to różnica wartości między ostatnim rokiem a rokiem o pięć lat wcześniejszym (także "
                "sprzed lat raportu). Kwoty w zł są w cenach bieżących: ich zmiany i trendy obejmują wzrost cen, "
                "porównanie z grupą w tym samym roku – nie. "
                "Trend roczny to mediana nachyleń między parami lat (metoda Theila–Sena) z 95-procentowym przedziałem "
                "uwzględniającym autokorelację; „niejednoznaczny” oznacza, że przedział obejmuje zero, a gwiazdka – że "
                "różnica między gminą a medianą grupy wyraźnie rośnie lub maleje. Trend wymaga co najmniej "
                f"{MIN_POINTS} lat danych, a szeregi, które zmieniają się jak błądzenie losowe (np. liczba ludności) – "
                "więcej (tabele podają wtedy, ile)."
            ),
        }
    else:
        paragraphs = {
            "Indicators and areas": (
                "Indicators follow the definitions of Diagnoza's indicator catalogue (formula, unit, source variables, "
                "direction and its reason are documented in the methodology). "
                "The voivodeship's and Poland's values are the indicator's formula over their gminy's summed variables "
                "(e.g. all births over all residents), shown where the gminy with data hold at least "
                f"{coverage} of the area's residents, the population where every gmina of the area has it. "
                + (
                    f"Except {published}: GUS publishes only the gminy's ratio, without its denominator, so the voivodeship's and Poland's values "
                    "are the figures GUS publishes for the area. "
                    if published
                    else ""
                )
                + "Figures per resident and per 1,000 residents divide by the residents at the end of the year "
                "(31 December), alike for the town, its peers, the voivodeship and Poland; GUS's published rates of "
                "births, deaths and net migration divide by the mid-year population, so they may differ from these by "
                "a few tenths of a per mille. "
                "Where the latest year is missing, the latest available year is used (column “Year”). Indicators of "
                "rare events, which the tables mark as a yearly average of several years, are taken over those years "
                "together: the events summed over them divided by the residents summed over them, a yearly average "
                "(column “Year” gives the years); charts show yearly values."
                + (
                    f" {shares} {'is' if len(pooled_shares) == 1 else 'are'} taken over the amounts of the last few "
                    "years together (column “Year” gives the years): such spending comes in projects of several "
                    "years, so one year says more about where a project stands than about the gmina."
                    if shares
                    else ""
                )
            ),
            "Position, strengths and weaknesses": (
                "Median and quartiles refer to the peer group in the same year; where fewer than "
                f"{MIN_PEERS} peers have a value, the town is not compared. "
                "Position (percentile) is the share of peers the municipality does better "
                "than: 100 is best, 50 equals the median; for lower-is-better indicators the scale is reversed, and "
                "neutral indicators are not judged: their position is the share of peers with a lower value. "
                "A strength is an indicator on which the town is in the best quarter "
                "of its peers, at least the catalogue's minimum meaningful difference from their median, and, where "
                "the value rests on counts, with a confidence interval that excludes the median; a weakness mirrors it. "
                f"Values resting on fewer than {UNRELIABLE_BELOW} events are marked uncertain, on fewer than "
                f"{NOT_RANKED_BELOW} not judged."
            ),
            "Section verdicts": (
                "A section's score is the mean of bounded distances from the peer median "
                f"(−{cap} to +{cap}), averaged within sub-domains (such as {label('age_structure', language)}, or "
                f"{label('natural_change', language)}) first, then across them. A value resting on counts whose "
                "confidence interval includes the peer median counts as equal to it: a difference within chance does "
                f"not move the score. A score of +{band} or more is better than the typical peer, −{band} or less worse, "
                "one in between close to it. A section with fewer than half of its indicators judged, or with those "
                "of one sub-domain only, gets no verdict."
            ),
            "Changes and trends": (
                "The 5-year change is the difference between the latest year and five years earlier (also before the "
                "report's years). Amounts in PLN are at current prices: their changes and trends include inflation, a "
                "comparison with the peers in one year does not. The yearly trend is the "
                "median slope between pairs of years (Theil–Sen) with a 95% interval that allows for autocorrelation; "
                "“unclear” means the interval includes zero, and an asterisk that the gap between the town and the "
                f"peer median clearly widens or narrows. A trend needs at least {MIN_POINTS} years of data, and more "
                "for a series that changes like a random walk, such as population (the tables then say how many)."
            ),
        }
    notes = " ".join(part for part in (renumbered_text(report), gus_marks_text(report)) if part)
    if notes:
        paragraphs[label("method_data_notes", language)] = notes
    said = "\n\n".join(f"**{lead}.** {text}" for lead, text in paragraphs.items())
    return Markdown(
        f"{said}\n\n"
        f"*{report.source}; {label('data_years', language).lower()} {report.first_year}–{report.last_year}; "
        f"{label('method_version', language).lower()} {shown_method_version()}.*"
    )


def gus_marks_text(report: TownReport) -> str:
    """Where GUS marks any of the figures the report reads, the town's (`TownReport.gus_marks`) or those beside them
    (`TownReport.reference_marks`, `TownReport.peer_change_marks`): which kinds of marks ("szacunki wstępne lub
    dane o niskiej precyzji"), that the figures are used as published, and where the notes name them; "" where
    none is marked."""
    language = report.language
    beside = (mark for cells in report.reference_marks.values() for marks in cells.values() for mark in marks)
    changes = (mark for marks in report.peer_change_marks.values() for mark in marks)
    kinds = years_by_kind([*(mark for marks in report.gus_marks.values() for mark in marks), *beside, *changes])
    if not kinds:
        return ""
    named = [label(f"gus_marks_{kind}", language) for kind in kinds]
    either = " lub " if language == "pl" else " or "
    said = either.join([", ".join(named[:-1]), named[-1]]) if len(named) > 1 else named[0]
    text = label("gus_marks_method", language, kinds=said, mark=GUS_MARK)
    if report.comparison["low_precision"].astype(bool).any():  # not ranked (`analysis.compare.compare_town`)
        text += label("gus_marks_not_ranked", language)
    return text


def renumbered_text(report: TownReport) -> str:
    """Which series of the report join two TERYT codes (`analysis.renumbering`): a reader who looks the town
    up in BDL under its present code finds only the years since the change."""
    pl = report.language == "pl"
    sentences = []
    for change in report.renumbered:
        until, kind = change.since - 1, label(change.kind, report.language)
        if change.successor == report.teryt:
            sentences.append(
                f"Do końca {until} r. gmina {report.name} miała kod TERYT {change.predecessor} ({kind}): dane z tych "
                "lat, które GUS podaje pod tym kodem, włączono do jej szeregu."
                if pl
                else f"Until {until}, {report.name} had the TERYT code {change.predecessor} ({kind}): the data GUS "
                "gives under that code for those years are joined to its series."
            )
    names = dict(zip(report.peer_units["teryt"], report.peer_units["name"]))
    peers = [
        f"{names[change.successor]} ("
        + (
            f"do końca {change.since - 1} r. {change.predecessor}, "
            if pl
            else f"{change.predecessor} until {change.since - 1}, "
        )
        + f"{label(change.kind, report.language)})"
        for change in report.renumbered
        if change.successor in names
    ]
    if peers:
        start = {
            ("pl", True): "Szereg gminy grupy porównawczej, której zmienił się kod TERYT, łączy dane",
            ("pl", False): "Szeregi gmin grupy porównawczej, którym zmienił się kod TERYT, łączą dane",
            ("en", True): "The series of a peer whose TERYT code changed joins the data",
            ("en", False): "The series of peers whose TERYT code changed join the data",
        }[("pl" if pl else "en", len(peers) == 1)]
        sentences.append(f"{start} {'spod obu kodów' if pl else 'under both codes'}: {', '.join(peers)}.")
    return " ".join(sentences)


def hinge_cell(hinges_on: str, verdict_without: str, language: str, within_chance: bool = False) -> str:
    """The indicator a section verdict hinges on, with the verdict it would have without it:
    "Mieszkania oddane do użytkowania na 1000 ludności (korzystniej)"; "—" when none (or when an
    earlier edition named one the catalogue no longer has). `within_chance`: its difference from the peers is
    within chance, marked as on page one (`narrative.hinges_within_chance`)."""
    if hinges_on not in indicators():
        return "—"
    mark = WITHIN_CHANCE_MARK if within_chance else ""
    return f"{indicators()[hinges_on].name(language)}{mark} ({verdict_otherwise(verdict_without, language)})"


def verdicts_table(report: TownReport) -> Table:
    """Page one's verdicts: a line per section with its reason and what it depends on (`narrative.verdict_lines`),
    so the three verdicts read at a glance; the scores table gives the numbers behind them."""
    language = report.language
    lines = verdict_lines(report.verdicts, report.robust, report.comparison, language, report.other_peer_groups)
    rows = [
        {
            label("report_section", language): label(line.section, language),
            label("verdict", language): label(f"verdict_{line.verdict}", language),
            label("verdict_reason", language): line.reason,
            label("verdict_depends_on", language): line.depends_on or "—",
        }
        for line in lines
    ]
    caption = label("verdicts_caption", language)
    if any(line.hinge_within_chance for line in lines):
        caption += f"; {within_chance_note(language)}"
    return Table(pd.DataFrame(rows), caption, marks={label("verdict", language): [line.verdict for line in lines]})


def scores_table(report: TownReport) -> Table:
    """Section verdicts with the score, its drop-one range and the indicators behind it, so a reader can check."""
    language = report.language
    pl = language == "pl"
    rows, within_chance = [], []
    for section, row in report.verdicts.iterrows():
        has_score = not pd.isna(row["score"])
        within = hinges_within_chance(row, report.comparison)
        within_chance.append(within)
        rows.append(
            {
                label("report_section", language): label(section, language),
                label("verdict", language): label(f"verdict_{row['verdict']}", language),
                label("score", language): format_number(row["score"], SCORE_DECIMALS, language, signed=True),
                label("score_drop_one", language): figures_range(
                    format_number(row["drop_low"], SCORE_DECIMALS, language, signed=True),
                    format_number(row["drop_high"], SCORE_DECIMALS, language, signed=True),
                )
                if has_score
                else "—",
                label("judged", language): label(
                    "judged_of", language, judged=int(row["judged"]), judgeable=int(row["judgeable"])
                ),
                label("hinges_on", language): hinge_cell(row["hinges_on"], row["verdict_without"], language, within),
            }
        )
    caption = (  # what analysis.synthesis.aggregate_score computes, in words
        "Ocena części raportu: wynik to odległość od mediany grupy porównawczej w jednostkach rozrzutu grupy "
        "(dla każdego wskaźnika od −2 do +2; 0, gdy różnica mieści się w granicach przypadku), "
        "uśredniona najpierw w dziedzinach, potem między nimi (dodatni = korzystniej)"
        if pl
        else "Section verdicts: the score is the distance from the peer median in units of the peers' spread "
        "(each indicator within ±2; 0 for a difference within chance), averaged "
        "within sub-domains, then across them (positive = better)"
    )
    if any(within_chance):
        caption += f"; {within_chance_note(language)}"
    return Table(pd.DataFrame(rows), caption, marks={label("verdict", language): list(report.verdicts["verdict"])})


def rule_name(key: str, language: str, found: int | None = None) -> str:
    """A peer rule in words ("20 najbardziej podobnych gmin"), from its key (`synthesis.rule_key`). `found`: the
    peers it gave, said where fewer than it asks for (a store of part of the country: "40 najbardziej podobnych
    gmin – w danych tylko 20")."""
    method, _, k = key.partition("_") if key.startswith("nearest") else (key, "", "")
    if not k:
        return label(f"rule_{method}", language)
    name = label(f"rule_{method}", language, k=k)
    return name + label("rule_nearest_fewer", language, found=found) if found is not None and found < int(k) else name


def sensitivity_table(report: TownReport) -> Table:
    """The section verdicts (and scores) under the report's own peer group, first, and each alternative rule.

    The report's row is there whatever its rule: a reader sees the verdicts it compares with beside the others,
    also for a group no alternative gives (a list the town chose, its powiat, another k)."""
    language = report.language
    own = rule_key(report.peers.rule)
    own_row = {"peers": len(report.peers.members)}  # in the shape of a sensitivity row
    for section in SECTIONS:
        own_row[section], own_row[f"{section}_score"] = report.verdicts.loc[section, ["verdict", "score"]]
    groups = {f"{rule_name(own, language, own_row['peers'])} {label('own_peer_group', language)}": own_row} | {
        rule_name(str(rule), language, int(row["peers"])): row for rule, row in report.other_peer_groups.iterrows()
    }
    rows = []
    for group, row in groups.items():
        entry = {label("peer_rule", language): group, label("peer_count", language): str(int(row["peers"]))}
        for section in SECTIONS:
            verdict = label(f"verdict_{row[section]}", language)
            score = row[f"{section}_score"]
            entry[label(section, language)] = (
                verdict
                if pd.isna(score)
                else f"{verdict} ({format_number(score, SCORE_DECIMALS, language, signed=True)})"
            )
        rows.append(entry)
    caption = label("sensitivity_caption", language)
    if (report.sensitivity["peers"] < MIN_PEERS).any():  # a rule that found a group too small to compare with
        caption += label("sensitivity_too_few_peers", language, peers=MIN_PEERS)
    marks = {label(section, language): [row[section] for row in groups.values()] for section in SECTIONS}
    return Table(pd.DataFrame(rows), caption, marks=marks)


def sensitivity_text(report: TownReport) -> Markdown:
    """Which sections' verdicts hold under every alternative peer group, and which depend on the choice:
    one sentence for each kind, naming its sections (a section without a verdict is not named); without any
    verdict, a sentence that says so."""
    language = report.language
    pl = language == "pl"

    def parts(robust: bool) -> tuple[str, bool]:
        """The sections whose robustness is `robust`, named as titles ("„Demografia” i „Usługi publiczne”"):
        quoted, as a section's own "and" ("Economy and municipal finance") would else read as the list's."""
        names = [label(s, language) for s, held in report.robust.items() if held is robust]
        return listed([f"„{name}”" if pl else f"“{name}”" for name in names], language), len(names) == 1

    (held, one_held), (depend, one_depends) = parts(True), parts(False)
    sentences = []
    if held:
        sentences.append(
            (
                f"Ocena jest taka sama przy każdej z pozostałych grup porównawczych w części {held}."
                if one_held
                else f"Oceny są takie same przy każdej z pozostałych grup porównawczych w częściach {held}."
            )
            if pl
            else f"The {'verdict is' if one_held else 'verdicts are'} the same under every alternative peer "
            f"group in {'the section' if one_held else 'the sections'} {held}."
        )
    if depend:
        sentences.append(
            (
                f"Od doboru grupy porównawczej zależy ocena części {depend} – należy ją czytać ostrożnie."
                if one_depends
                else f"Od doboru grupy porównawczej zależą oceny części {depend} – należy je czytać ostrożnie."
            )
            if pl
            else f"The {'verdict depends' if one_depends else 'verdicts depend'} on the choice of peers in "
            f"{'the section' if one_depends else 'the sections'} {depend} – read {'it' if one_depends else 'them'} "
            "with care."
        )
    if not held and not depend:  # no section has a verdict: a table of "no verdict" alone would leave it unsaid
        sentences.append(
            "Żadna część raportu nie ma oceny, więc nie ma ocen do porównania przy innych grupach porównawczych; "
            "tabela podaje, ile gmin liczy każda z nich."
            if pl
            else "No section of the report has a verdict, so there are no verdicts to compare under other peer "
            "groups; the table gives the number of municipalities in each."
        )
    return Markdown(" ".join(sentences))
