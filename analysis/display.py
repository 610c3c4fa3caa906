"""Objects a notebook displays: each renders as HTML (for the web page) and as
Markdown or SVG (for the PDF), so both outputs come from one executed notebook."""

from __future__ import annotations

import base64
import html

from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalogue import indicators_in
from analysis.peers import PeerRule
from analysis.formatting import escape_markdown, format_number
from analysis.labels import label
from analysis.report import TownReport

if TYPE_CHECKING:  # only a type here; importing charts loads matplotlib, which the renderers do not need
    from analysis.charts import Chart

ROLE = "diagnoza"  # key of the output metadata the renderers read


class Markdown:
    """Markdown text; `role` tells the renderers what it is (e.g. the title block)."""

    def __init__(self, text: str, role: str = "text"):
        self.text, self.role = text, role

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.text, "text/plain": self.text}, {ROLE: {"role": self.role}}


class Table:
    """A captioned table: a real <table> in HTML, a pipe table in Markdown."""

    def __init__(self, frame: pd.DataFrame, caption: str):
        self.frame, self.caption = frame, caption

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in self.frame.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
            for row in self.frame.itertuples(index=False)
        )
        return (f'<table class="diagnoza-table"><caption>{html.escape(self.caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def _repr_markdown_(self) -> str:
        def cell(value) -> str:
            return escape_markdown(str(value)).replace("\n", " ")

        # The dashes under the header follow the content, as the PDF's column widths do (diagnoza.render).
        widths = [max([len(str(c))] + [len(str(v)) for v in self.frame[c]]) for c in self.frame.columns]
        lines = ["| " + " | ".join(cell(c) for c in self.frame.columns) + " |",
                 "|" + "|".join("-" * min(max(w, 3), 40) for w in widths) + "|"]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in self.frame.itertuples(index=False)]
        return "\n".join(lines) + f"\n\n: {cell(self.caption)}\n"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self._repr_html_(), "text/markdown": self._repr_markdown_(),
                "text/plain": self.caption}
        return data, {ROLE: {"role": "table"}}


class Figure:
    """A chart: inline SVG image with alt text in HTML, the SVG itself for the PDF."""

    def __init__(self, chart: Chart):
        self.chart = chart

    def _repr_mimebundle_(self, include=None, exclude=None):
        encoded = base64.b64encode(self.chart.svg.encode("utf-8")).decode("ascii")
        figure = (f'<figure class="diagnoza-figure"><img src="data:image/svg+xml;base64,{encoded}" '
                  f'alt="{html.escape(self.chart.alt, quote=True)}">'
                  f"<figcaption>{html.escape(self.chart.title)}</figcaption></figure>")
        data = {"text/html": figure, "image/svg+xml": self.chart.svg, "text/plain": self.chart.alt}
        return data, {ROLE: {"role": "figure", "alt": self.chart.alt, "caption": self.chart.title}}


def _trend_cell(trends: pd.DataFrame, indicator, language: str) -> str:
    """Slope per year with its 95% interval; "≈ 0" where the interval includes zero."""
    if indicator.id not in trends.index or pd.isna(trends.at[indicator.id, "slope"]):
        return format_number(float("nan"), 0, language)
    row = trends.loc[indicator.id]
    decimals = indicator.decimals + 1
    if not row["significant"]:
        return "≈ 0"
    text = (f"{format_number(row['slope'], decimals, language, signed=True)} "
            f"({format_number(row['low'], decimals, language)}; {format_number(row['high'], decimals, language)})")
    if row["vs_peers_significant"]:
        text += " *"
    return text


def _notes(row, language: str) -> str:
    notes = []
    if row.get("small_numbers"):
        notes.append("mała liczba ludności: wartość niestabilna" if language == "pl" else "small population: unstable value")
    if row.get("missing_years"):
        notes.append(f"brak danych: {int(row['missing_years'])} lat(a)" if language == "pl"
                     else f"missing years: {int(row['missing_years'])}")
    return "; ".join(notes)


def comparison_table(report: TownReport, section: str) -> Table:
    """The section's indicators beside the peer median and quartiles, formatted for print."""
    language = report.language
    rows = []
    for indicator in indicators_in(section):
        row = report.comparison.loc[indicator.id]

        def show(value, signed=False):
            return format_number(value, indicator.decimals, language, signed=signed)

        rows.append({
            label("indicator", language): indicator.name(language),
            label("unit", language): indicator.unit(language),
            label("year", language): "" if pd.isna(row["year"]) else str(int(row["year"])),
            label("value", language): show(row["value"]),
            label("peer_median", language): show(row["peer_median"]),
            label("peer_quartiles", language): f"{show(row['peer_q1'])} – {show(row['peer_q3'])}",
            label("percentile", language): format_number(row["percentile"], 0, language),
            label("change", language): show(row["change"], signed=True),
            label("peer_change", language): show(row["peer_median_change"], signed=True),
            label("trend", language): _trend_cell(report.trends, indicator, language),
            label("notes", language): _notes(row, language),
        })
    caption = label("table_caption", language, section=label(section, language), town=report.name,
                    year=report.last_year)
    return Table(pd.DataFrame(rows), caption)


def peers_table(report: TownReport) -> Table:
    language = report.language
    frame = pd.DataFrame({
        "TERYT": report.peer_units["teryt"],
        label("town", language): report.peer_units["name"],
        label("kind", language): [label(kind, language) for kind in report.peer_units["kind"]],
        label("voivodeship", language): report.peer_units["voivodeship"],
        label("population", language): [format_number(v, 0, language) for v in report.peer_units["population"]],
    })
    return Table(frame, label("peers_caption", language))


def figure(chart: Chart | None, language: str = "pl") -> Figure | Markdown:
    """A chart, or a short note where the data did not allow one (e.g. too few years to project)."""
    return Figure(chart) if chart is not None else Markdown(f"*{label('no_chart', language)}*")




def title_block(report: TownReport, title: str, edition: str) -> Markdown:
    """Title, place and data years; a banner when the data are synthetic."""
    language = report.language
    lines = [
        f"# {escape_markdown(title)}: {escape_markdown(report.name)}",
        "",
        f"**{label(report.kind, language)}, {label('voivodeship', language).lower()} {escape_markdown(report.voivodeship)}** · "
        f"TERYT {report.teryt} · {label('data_years', language)}: {report.first_year}–{report.last_year} · "
        f"{label('edition', language)}: {edition}",
    ]
    if report.synthetic:
        lines += ["", f"> **{label('synthetic_banner', language)}**"]
    return Markdown("\n".join(lines), role="title")


REPORT_SECTIONS = ("summary", "demography", "economy", "services", "peer_group", "methodology")


class Heading:
    """A section heading with a stable anchor (`#demography`) for the table of contents."""

    def __init__(self, key: str, language: str):
        self.key, self.text = key, label(key, language)

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": f'<h2 id="{self.key}">{html.escape(self.text)}</h2>',
                "text/markdown": f"## {escape_markdown(self.text)}", "text/plain": self.text}
        return data, {ROLE: {"role": "heading", "anchor": self.key}}


class Contents:
    """The HTML table of contents; the PDF builds its own outline, so it has no print form."""

    def __init__(self, language: str):
        self.language = language

    def _repr_mimebundle_(self, include=None, exclude=None):
        title = "Spis treści" if self.language == "pl" else "Contents"
        items = "".join(f'<li><a href="#{key}">{html.escape(label(key, self.language))}</a></li>'
                        for key in REPORT_SECTIONS)
        nav = f'<nav class="toc" aria-label="{title}"><h2 class="toc-title">{title}</h2><ol>{items}</ol></nav>'
        return {"text/html": nav, "text/plain": title}, {ROLE: {"role": "contents"}}


def heading(section: str, language: str) -> Heading:
    return Heading(section, language)


def contents(language: str) -> Contents:
    return Contents(language)


def paragraphs(sentences: list[str]) -> Markdown:
    return Markdown("\n\n".join(sentences))


def peer_method_text(report: TownReport) -> Markdown:
    rule: PeerRule = report.peers.rule
    language = report.language
    count = len(report.peers.members)
    name, voivodeship = escape_markdown(report.name), escape_markdown(report.voivodeship)
    if language == "pl":
        text = {
            "nearest": (f"Grupę porównawczą tworzy {count} gmin tego samego rodzaju ({label(report.kind, 'pl')}) "
                        f"najbardziej podobnych do gminy {name} pod względem liczby ludności i dochodów "
                        f"z udziału w podatku PIT na mieszkańca w {report.peers.reference_year} r. "
                        "Podobieństwo mierzono odległością w przestrzeni standaryzowanych logarytmów obu zmiennych "
                        "(gdy brak danych o PIT, użyto dochodów własnych na mieszkańca)."),
            "voivodeship": f"Grupę porównawczą tworzą pozostałe gminy województwa {voivodeship} ({count}).",
            "powiat": f"Grupę porównawczą tworzą pozostałe gminy tego samego powiatu ({count}).",
            "explicit": f"Grupę porównawczą ({count} gmin) wskazała gmina lub analityk.",
        }[rule.method]
    else:
        text = {
            "nearest": (f"The peer group is the {count} municipalities of the same kind ({label(report.kind, 'en')}) "
                        f"closest to {name} in population and PIT-share revenue per capita in "
                        f"{report.peers.reference_year}, measured as distance between standardised logarithms of "
                        "both (own revenue per capita where PIT is missing)."),
            "voivodeship": f"The peer group is the other municipalities of {voivodeship} voivodeship ({count}).",
            "powiat": f"The peer group is the other municipalities of the same powiat ({count}).",
            "explicit": f"The peer group ({count} municipalities) was chosen by the municipality or the analyst.",
        }[rule.method]
    return Markdown(text)


def methodology_text(report: TownReport) -> Markdown:
    language = report.language
    if language == "pl":
        text = (
            "Wskaźniki obliczono według definicji z katalogu wskaźników Diagnozy (wzór, jednostka, zmienne "
            "źródłowe i kierunek oceny każdego wskaźnika opisuje dokumentacja metodologiczna). "
            "Mediana i kwartyle dotyczą gmin grupy porównawczej w tym samym roku. "
            "Pozycja (percentyl) to odsetek gmin grupy, od których gmina wypada korzystniej: 100 oznacza "
            "najkorzystniej, 50 – tak jak mediana; dla wskaźników, przy których niższa wartość jest lepsza, "
            "skala jest odwrócona, a wskaźników neutralnych nie oceniamy. "
            "Zmiana w 5 lat to różnica wartości między ostatnim rokiem a rokiem o pięć lat wcześniejszym. "
            "Przy braku danych za ostatni rok użyto ostatniego dostępnego roku (kolumna „Rok”). "
            "Trend roczny to nachylenie prostej MNK dopasowanej do wartości z kolejnych lat, z 95-procentowym "
            "przedziałem ufności; „≈ 0” oznacza, że przedział obejmuje zero, a gwiazdka – że trend gminy "
            "istotnie różni się od trendu mediany grupy porównawczej."
        )
    else:
        text = (
            "Indicators follow the definitions of Diagnoza's indicator catalogue (formula, unit, source variables "
            "and direction of each are documented in the methodology). Median and quartiles refer to the peer "
            "group in the same year. Position (percentile) is the share of peers the municipality does better "
            "than: 100 is best, 50 equals the median; for lower-is-better indicators the scale is reversed, and "
            "neutral indicators are not judged. The 5-year change is the difference between the latest year "
            "and five years earlier. Where the latest year is missing, the latest available year is used "
            "(column “Year”). The yearly trend is the OLS slope over the years with its 95% confidence interval; "
            "“≈ 0” means the interval includes zero, and an asterisk that the town's trend differs significantly "
            "from the peer median's."
        )
    return Markdown(f"{text}\n\n*{report.source}; {label('data_years', language).lower()} "
                    f"{report.first_year}–{report.last_year}.*")


def scores_table(report: TownReport) -> Table:
    """Section scores, with the count of indicators behind each, so a reader can check them."""
    language = report.language
    directional = report.comparison.loc[report.comparison["direction"] != "neutral"]
    rows = []
    for section, score in report.scores.items():
        counted = directional.loc[directional["section"] == section, "robust_z"].notna().sum()
        rows.append({
            ("Część raportu" if language == "pl" else "Section"): label(section, language),
            ("Wynik (średni z odporny)" if language == "pl" else "Score (mean robust z)"): format_number(score, 2, language, signed=True),
            ("Liczba wskaźników" if language == "pl" else "Indicators"): str(counted),
        })
    caption = ("Wynik syntetyczny: średnia odpornych odchyleń od mediany grupy (dodatnie = korzystniej)" if language == "pl"
               else "Summary score: mean robust deviation from the peer median (positive = better)")
    return Table(pd.DataFrame(rows), caption)


def sensitivity_table(report: TownReport) -> Table:
    """Mean percentile per section under each alternative peer rule."""
    language = report.language
    names = {"nearest": ("najbliższe podobne gminy" if language == "pl" else "nearest similar municipalities"),
             "voivodeship": ("gminy tego samego województwa" if language == "pl" else "same voivodeship"),
             "population_class": ("gminy tej samej klasy wielkości" if language == "pl" else "same size class")}
    rows = []
    for rule, row in report.sensitivity.iterrows():
        entry = {("Reguła doboru" if language == "pl" else "Peer rule"): names.get(rule, rule),
                 ("Liczba gmin" if language == "pl" else "Peers"): str(int(row["peers"]))}
        for section in ("demography", "economy", "services"):
            entry[label(section, language)] = format_number(row[section], 0, language)
        rows.append(entry)
    caption = ("Wrażliwość na dobór grupy: średni percentyl w każdej części przy różnych regułach"
               if language == "pl" else "Sensitivity to the peer rule: mean percentile per section under each rule")
    return Table(pd.DataFrame(rows), caption)
