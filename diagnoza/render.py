"""From an executed notebook to the files a town receives: HTML (nbconvert) and PDF (Typst).

Both renderers read the same outputs. Each display object of `analysis.display`
carries an HTML form, a Markdown or SVG form, and a `diagnoza` role in its output
metadata, so the HTML shows the web form and the PDF the print form of one result.
"""

from __future__ import annotations

import base64
import copy
import html
import json
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from functools import cache
from pathlib import Path

import nbformat

from analysis.display import ROLE, WORD_JOINER, figures_column, scroll_region
from analysis.formatting import bind_short_words, slug, voivodeship_phrase
from analysis.labels import label
from analysis.paths import REPORT_NOTEBOOK, TEMPLATES_DIR
from analysis.style import VERDICT_MARKS

HTML_TEMPLATES = TEMPLATES_DIR / "html"
PDF_TEMPLATE = TEMPLATES_DIR / "pdf" / "report.typ"
PDF_TABLES = TEMPLATES_DIR / "pdf" / "tables.typ"  # where a table meets the foot of a page
TABLES_PLACED = f'#import "{PDF_TABLES.name}": placed-table'
TABLES_WHOLE = f'#import "{PDF_TABLES.name}": whole-table as placed-table'  # page one's: broken only if over a page
UNSETTLED = "did not converge"  # Typst's warning where five layout passes did not settle the document


def _font_dir() -> Path:
    """matplotlib's DejaVu Sans, the charts' font, for the PDF text too (found without importing matplotlib:
    Typst needs only the folder; the tables' widths read the font's metrics with matplotlib, `_advance_em`)."""
    from importlib.util import find_spec

    return Path(find_spec("matplotlib").origin).parent / "mpl-data" / "fonts" / "ttf"


@cache
def _pdf_fonts():
    """The PDF's fonts, read once per process: DejaVu Sans and Typst's own, never the system's.

    Scanning the system's fonts for every report cost more (0.05 s) than typesetting it, and
    made the PDF depend on the machine that built it.
    """
    import typst

    return typst.Fonts(include_system_fonts=False, font_paths=[str(_font_dir())])


@dataclass(frozen=True)
class ReportInfo:
    """What the cover, header and metadata of a report say; plain text, escaped by the renderers."""

    title: str
    town: str
    teryt: str
    voivodeship: str
    kind: str
    first_year: int
    last_year: int
    edition: str
    language: str
    synthetic: bool
    source: str
    vintage: str = ""  # "Stan danych: 2026-11-20", shown with the source line


def _outputs(notebook: nbformat.NotebookNode):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") in ("display_data", "execute_result"):
                    yield output


def _role(output) -> dict:
    return output.get("metadata", {}).get(ROLE, {})


# Cells neither renderer shows: the notebook's own notes, its parameters and papermill's (which gives its
# injected cell a random id: left out, the same inputs give the same page).
REMOVED_CELL_TAGS = {"remove-cell", "parameters", "injected-parameters"}
IMAGES = ("image/svg+xml", "image/png")


def _shown(cell) -> bool:
    return not REMOVED_CELL_TAGS & set(cell.metadata.get("tags", []))


def _shown_cells(notebook: nbformat.NotebookNode):
    return (cell for cell in notebook.cells if _shown(cell))


def _cell_number(cell, position: int) -> str:
    """A code cell as JupyterLab numbers it ("[7]", its execution count), else by its place."""
    return f"[{cell.get('execution_count') or position}]"


def _own_outputs(notebook: nbformat.NotebookNode):
    """(cell number, output) of each output without a `diagnoza` role: what an analyst added in JupyterLab."""
    for position, cell in enumerate(notebook.cells, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") in ("display_data", "execute_result") and not _role(output):
                yield _cell_number(cell, position), output


def failed_cell(notebook: nbformat.NotebookNode) -> str:
    """The first cell that failed when the notebook ran, named as JupyterLab numbers it, with its error
    ("cell [3] failed: TooFewPeers: …"); "" where none did. Its cells below never ran: a report of its
    outputs would be a title without a diagnosis, or none at all."""
    for position, cell in enumerate(notebook.cells, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"cell {_cell_number(cell, position)} failed: {output.get('ename')}: {output.get('evalue')}"
    return ""


def run_order_problem(notebook: nbformat.NotebookNode) -> str:
    """Why a notebook's outputs are not those of one run, top to bottom, or "".

    A report rendered from them would be wrong in a way nobody sees: a code cell that never ran leaves its
    part out (a section, the methodology), and a cell run again after the cells below it (a parameter
    changed and only some cells re-run) shows figures of another town or year beside those of the rest.
    Cells are named as JupyterLab numbers them ("[7]"), a cell that never ran by its place among the code cells."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    not_run = [str(place) for place, cell in enumerate(code, 1) if cell.get("execution_count") is None]
    if not_run:
        which = f"code cell {not_run[0]}" if len(not_run) == 1 else f"code cells {', '.join(not_run)}"
        return f"{which} (counting from the top) did not run: the report would lack what they show"
    counts = [cell["execution_count"] for cell in code]
    for above, below in zip(counts, counts[1:]):
        if below <= above:
            return (
                f"cell [{above}] ran after cell [{below}] below it: what it shows may be of other parameters "
                "than the cells around it"
            )
    return ""


def unnamed_figures(notebook: nbformat.NotebookNode) -> list[str]:
    """The cells ("[7]", as JupyterLab numbers them) that show an image without alt text: an analyst's own
    chart (`plt.show()`, a chart function's Figure shown bare). `analysis.display.chart(figure,
    ChartText(title, alt))` shows one with its caption and alt text, as the report's own charts are."""
    cells = [cell for cell, output in _own_outputs(notebook) if any(kind in output.get("data", {}) for kind in IMAGES)]
    return list(dict.fromkeys(cells))


def printed_cells(notebook: nbformat.NotebookNode) -> list[str]:
    """The shown cells ("[9]", as JupyterLab numbers them) that printed text (`print`, a warning): a report shows
    what cells display, not what they print, which is a log's (a library's warning, an analyst's check), so
    `diagnoza render` names them for the analyst who meant it for the reader. The report notebook's own cells
    are left out: what they print is meant for the log (the store's missing variables, below the parameters'
    check), and the advice to move it to a Markdown cell was wrong for it."""
    return [
        _cell_number(cell, position)
        for position, cell in enumerate(notebook.cells, 1)
        if _shown(cell)
        and cell.source not in _report_cells()
        and any(output.get("output_type") == "stream" for output in cell.get("outputs", []))
    ]


@cache
def _report_cells() -> frozenset[str]:
    """The sources of the report notebook's own code cells."""
    cells = nbformat.read(REPORT_NOTEBOOK, as_version=4).cells
    return frozenset(cell.source for cell in cells if cell.cell_type == "code")


# A DataFrame's corner above its index, and the blanks beside its index's name, are header cells with no text,
# which a screen reader announces as headers of nothing (axe-core: empty-table-header): they are plain cells.
EMPTY_HEADER = re.compile(r"<th(\s[^>]*)?>(?:\s|&nbsp;)*</th>")


def _own_outputs_shown(notebook: nbformat.NotebookNode, language: str) -> None:
    """Give what an analyst added the forms the report's own outputs have, in place. An image gets the form
    of a report figure: alt text saying that it has none, naming its cell (a page may not show an image
    without one, and a tagged PDF cannot hold one), no wider than the screen, as the report's charts. A table
    (a DataFrame's HTML) scrolls inside a region a keyboard can reach, as the report's tables do, and its empty
    header cells are plain ones (`EMPTY_HEADER`)."""
    for cell, output in _own_outputs(notebook):
        data = output.get("data", {})
        kind = next((kind for kind in IMAGES if kind in data), None)
        if kind is not None:
            alt = label("figure_without_alt", language, cell=cell)
            source = data[kind] if kind == "image/png" else base64.b64encode(data[kind].encode("utf-8")).decode()
            image = f'<img src="data:{kind};base64,{source.strip()}" alt="{html.escape(alt, quote=True)}">'
            data["text/html"] = f'<figure class="diagnoza-figure">{image}</figure>'
            output.setdefault("metadata", {})[ROLE] = {"role": "figure", "alt": alt, "caption": ""}
        elif "text/html" in data:
            data["text/html"] = scroll_region(
                html.escape(label("output_of_cell", language, cell=cell)),
                EMPTY_HEADER.sub(r"<td\1></td>", data["text/html"]),
            )


# Two numbers (Polish or English format, signed, thousands held by a no-break space), or two numbered names
# ("Q1–Q3"), joined by an en dash, or by one between no-break spaces (a table's `figures_range`): a line
# may not break after its dash.
NUMBER_RANGE = re.compile(r"(?:[−+]|\b[A-Z])?\d[\d,.\u00a0]*–\u00a0?(?:[−+]|[A-Z])?\d(?:[\d,.\u00a0]*\d)?")


def typeset(notebook: nbformat.NotebookNode, hold_ranges: bool = False, language: str = "pl") -> nbformat.NotebookNode:
    """A copy of the report notebook whose text the page and the PDF show follows Polish typesetting
    (`analysis.formatting.bind_short_words`: no one-letter word at a line's end, no "r." at a line's start).
    With `hold_ranges` (the HTML page), a word joiner after the dash of each range of numbers keeps it on
    one line, as a browser may break after any en dash; browsers' find and screen readers pass over it.
    The PDF boxes its ranges instead (`_typst_piece`), keeping its text as written. The executed notebook
    itself, the report's record, is left as it ran. An analyst's own chart gets a figure's form
    (`_own_outputs_shown`), in `language`."""

    def typeset_text(text: str) -> str:
        text = bind_short_words(text)
        return NUMBER_RANGE.sub(lambda match: match[0].replace("–", "–" + WORD_JOINER), text) if hold_ranges else text

    notebook = copy.deepcopy(notebook)
    _own_outputs_shown(notebook, language)
    for output in _outputs(notebook):
        data, role = output.get("data", {}), _role(output)
        for kind in ("text/markdown", "text/html"):  # text/html: tables and figures (an SVG image is base64)
            if kind in data:
                data[kind] = typeset_text(data[kind])
        if "caption" in role:
            role["caption"] = typeset_text(role["caption"])
    for cell in notebook.cells:  # an analyst's own notes
        if cell.cell_type == "markdown":
            cell.source = typeset_text(cell.source)
    return notebook


class NotAReport(ValueError):
    """A notebook that is not an executed report notebook (no title block with its report information)."""


def report_info(notebook: nbformat.NotebookNode) -> ReportInfo:
    """The report information the notebook's title block carries (`analysis.display.report_info`)."""
    for output in _outputs(notebook):
        role = _role(output)
        if role.get("role") == "title" and "info" in role:
            return ReportInfo(**role["info"])
    raise NotAReport(
        "the notebook has no report title block: is it an executed report notebook that ran without errors?"
    )


# --- HTML -------------------------------------------------------------------------


@cache
def _html_exporter(language: str):
    """One exporter per language and process: building one compiles its templates (0.1 s)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.extra_template_basedirs = [str(HTML_TEMPLATES)]
    config.HTMLExporter.template_name = "diagnoza"
    config.HTMLExporter.language_code = language
    config.HTMLExporter.optimistic_validation = True  # validate once after the preprocessors, not after each
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = REMOVED_CELL_TAGS
    return HTMLExporter(config=config)


def prepare_renderers(language: str) -> None:
    """Ready the renderers ahead of the first report (about 0.5 s), e.g. while its notebook runs.

    Besides the imports and fonts: an empty notebook through the HTML exporter compiles its
    templates (0.17 s on the first page otherwise), and the Markdown parser is built.
    """
    _pdf_fonts()
    _pdf_font()  # the tables' widths read its metrics (and import matplotlib's font module, 0.2 s)
    _markdown_parser()
    _html_exporter(language).from_notebook_node(
        nbformat.v4.new_notebook(),
        resources={"diagnoza": {"skip_link": "", "footer": "", "links": "", "verdict_marks": VERDICT_MARKS}},
    )


def batch_links(info: ReportInfo) -> list[tuple[str, str]]:
    """What a report built in a batch links to, beside it: its PDF, spreadsheet, CSV, zip and the index."""
    return [
        ("PDF", "report.pdf"),
        (label("xlsx_link", info.language), "data.xlsx"),
        ("CSV (Excel)", "data-excel.csv"),
        ("ZIP", f"../{info.teryt}.zip"),
        (label("index_link", info.language), "../index.html"),
    ]


def links_list(links: list[tuple[str, str]]) -> str:
    """A report's links (label, relative address) as the HTML list its page shows at its top and bottom: made
    here alone, so that the zip's copy of the page can find it and point it at the zip's own files."""
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>' for text, href in links)
    return f"<ul>{items}</ul>"


def render_html(notebook: nbformat.NotebookNode, info: ReportInfo, links: list[tuple[str, str]] = ()) -> str:
    """The report's page; `links` (label, relative address) are listed at its top and bottom (a batch's
    report links its own files and the index: `batch_links`)."""
    exporter = _html_exporter(info.language)
    notebook = typeset(notebook, hold_ranges=True, language=info.language)  # a copy: the record stays as it ran
    notebook.metadata["title"] = f"{info.title}: {info.town}"
    language = info.language
    resources = {
        "diagnoza": {
            "skip_link": label("skip_link", language),
            "footer": f"{info.source}. {label('data_years', language)}: {info.first_year}–{info.last_year}. "
            + (f"{info.vintage}. " if info.vintage else "")
            + f"{label('edition', language)}: {info.edition}.",
            "links": links_list(list(links)) if links else "",
            "links_label": label("report_files", language),
            "verdict_marks": VERDICT_MARKS,
        }
    }
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return body


# --- PDF --------------------------------------------------------------------------


def _typst_string(text: str, lines: bool = False) -> str:
    """Text as a Typst string literal: shown as written, never read as markup; with `lines`, its line
    breaks kept (a block of code or of a table's plain text), else read as spaces."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + (text.replace("\n", "\\n") if lines else text.replace("\n", " ")) + '"'


def _typst_inline(nodes: list[dict]) -> str:
    """Markdown inline nodes (mistune's syntax tree) as one Typst expression of content."""
    merged: list[dict] = []
    for node in nodes:  # escapes split a text into several text nodes: one string each is enough
        if node["type"] == "text" and merged and merged[-1]["type"] == "text":
            merged[-1] = {"type": "text", "raw": merged[-1]["raw"] + node["raw"]}
        else:
            merged.append(node)
    parts = []
    for node in merged:
        kind = node["type"]
        if kind == "text":  # straight quotes become typographic ones, as in Typst markup (and pandoc)
            parts += [
                _typst_piece(piece) for piece in re.split(f"(['\"]|{NUMBER_RANGE.pattern})", node["raw"]) if piece
            ]
        elif kind in ("emphasis", "strong"):
            parts.append(f"{'emph' if kind == 'emphasis' else 'strong'}({_typst_inline(node['children'])})")
        elif kind == "softbreak":
            parts.append('" "')
        elif kind == "linebreak":
            parts.append("linebreak()")
        elif kind == "codespan":
            parts.append(f"raw({_typst_string(node['raw'])})")
        elif kind == "link":  # in an analyst's own notes
            parts.append(f"link({_typst_string(node['attrs']['url'])}, {_typst_inline(node['children'])})")
        else:
            raise ValueError(f"the PDF has no form for Markdown {kind!r}")
    return "{" + "; ".join(parts) + "}" if parts else '""'  # a code block joins its values


def _typst_piece(piece: str) -> str:
    """A piece of text: a straight quote as Typst's typographic one; a range of numbers ("1,41–3,99",
    "2022–2024", "Q1–Q3") in a box, so that no line breaks after its dash (Typst may break after any en
    dash); other text as it is."""
    if piece in ("'", '"'):
        return "smartquote(double: false)" if piece == "'" else "smartquote()"
    if NUMBER_RANGE.fullmatch(piece):
        return f"box({_typst_string(piece)})"
    return _typst_string(piece)


def _plain(nodes: list[dict]) -> str:
    return "".join(node.get("raw", "") or _plain(node.get("children", [])) for node in nodes)


# What a PDF table has to fit in: the A4 text width (210 mm less 2 × 18 mm margins), at the tables' 7.5 pt,
# with 4 pt of inset each side of a cell.
TABLE_WIDTH_PT = (210 - 2 * 18) / 25.4 * 72
TABLE_FONT_PT = 7.5
CHAR_EM = 0.6  # DejaVu Sans's average character, for the longest text a column is widened to (60 of them)
# A cell's inset, and a little to spare: a text as wide as its column's room (to Typst's rounding, or to the 0.1 pt
# the widths are written with) would wrap, or run over.
CELL_PADDING_PT = 8.0 + 0.3
SMALLEST_FONT_PT = 5.5
PDF_FONT_FILE = "DejaVuSans.ttf"


@cache
def _advance_em(character: str) -> float:
    """How far a character of the PDF's font advances the line, in em (from the font file it embeds).

    An average width (0.6 em) left a name of wide letters 5.5 pt wider than its column at 7.5 pt ("Rymanów":
    m and w are 0.97 and 0.82 em), so it ran up to the next column's words; "ilość" is as much narrower.
    A character the font lacks (Typst then draws it in another) counts as an em, on the safe side."""
    from matplotlib.ft2font import LoadFlags

    font = _pdf_font()
    if not font.get_char_index(ord(character)):
        return 1.0
    return font.load_char(ord(character), flags=LoadFlags.NO_SCALE).horiAdvance / font.units_per_EM


@cache
def _pdf_font():
    """The PDF's text font, read once per process (its metrics only: Typst embeds it)."""
    from matplotlib.ft2font import FT2Font

    return FT2Font(str(_font_dir() / PDF_FONT_FILE))


def _ems(text: str) -> float:
    """The width of a text at a font size of 1 pt, in points. Kerning is left out: at 7.5 pt it moves a pair of
    letters by a third of a point at most, nearly always closer ("AA" and "r”" apart: `CELL_PADDING_PT`'s spare)."""
    return sum(_advance_em(character) for character in text)


def _unbreakable(text: str) -> list[str]:
    """The pieces of a cell's text a line cannot break inside: words, and the parts of a hyphenated word,
    which Typst breaks after its hyphen and, in Polish, repeats it on the next line ("kujawsko-" / "-pomorskie")."""
    pieces = []
    for word in text.split(" "):
        parts = word.split("-") if re.search(r"[^\W\d]-[^\W\d]", word) else [word]
        pieces += [("-" if i else "") + part + ("-" if i < len(parts) - 1 else "") for i, part in enumerate(parts)]
    return pieces or [""]


def table_columns(texts: list[list[str]]) -> tuple[str, float]:
    """Column widths (Typst) and font size for a table of these cell texts, so that no word runs into the
    next column: each column is at least as wide as its longest unbreakable word (numbers keep their
    non-breaking spaces), and the room left is shared in proportion to the longer texts. Where the texts
    do not fit on one line each, a header (`texts[0]`) counts at half its length: it takes two lines
    rather than room from the rows ("Wynik (od −2 / do +2)"). A table whose words alone are too wide for
    the page gets a smaller font (down to 5.5 pt)."""
    count = len(texts[0])
    longest_word = [max(_ems(word) for row in texts for word in _unbreakable(row[i])) for i in range(count)]
    size = TABLE_FONT_PT
    need = [word * size + CELL_PADDING_PT for word in longest_word]
    if sum(need) > TABLE_WIDTH_PT:
        size = max(
            SMALLEST_FONT_PT, size * (TABLE_WIDTH_PT - CELL_PADDING_PT * count) / (sum(need) - CELL_PADDING_PT * count)
        )
        need = [word * size + CELL_PADDING_PT for word in longest_word]

    def wanted(header_share: float) -> list[float]:
        longest = [max([_ems(texts[0][i]) * header_share] + [_ems(row[i]) for row in texts[1:]]) for i in range(count)]
        return [max(min(text, 60 * CHAR_EM) * size + CELL_PADDING_PT, n) for text, n in zip(longest, need)]

    want = wanted(1.0)
    if sum(want) > TABLE_WIDTH_PT:
        want = wanted(0.5)
    if sum(want) <= TABLE_WIDTH_PT:
        widths = want
    else:
        room = max(TABLE_WIDTH_PT - sum(need), 0.0)
        extra = [w - n for w, n in zip(want, need)]
        widths = [n + room * e / sum(extra) if sum(extra) else n for n, e in zip(need, extra)]
    return "(" + ", ".join(f"{width:.1f}pt" for width in widths) + ")", size


def _typst_table(table: dict, caption: list[dict] | None) -> str:
    """A pipe table as a Typst figure of kind table; its header repeats on every page it spans. Where it meets
    the foot of a page is decided in Typst, where the room left is known (templates/pdf/tables.typ): it is
    written as its rows and two functions of them, the table with its caption and without."""
    head = next(part for part in table["children"] if part["type"] == "table_head")["children"]
    body = [row["children"] for part in table["children"] if part["type"] == "table_body" for row in part["children"]]
    texts = [[_plain(cell["children"]) for cell in row] for row in [head, *body]]
    columns, size = table_columns(texts)
    header = ", ".join(_typst_inline(cell["children"]) for cell in head)
    # Words read from the left; a column of figures (and its header) from the right, as on the HTML page.
    right = [i for i in range(len(head)) if i and figures_column([row[i] for row in texts[1:]])]
    align = f"(x, y) => (if x in {_typst_array(right)} {{ right }} else {{ left }}) + horizon"
    caption_argument = f", caption: {_typst_inline(caption)}" if caption else ""

    def cells(row: list) -> str:  # trailing commas: an array of one is `(x,)`
        return "".join(f"{_typst_inline(cell['children'])}, " for cell in row)

    rows = "(" + "".join(f"({cells(row)}), " for row in body) + ")"
    table_of = (
        f"rows => align(center, text(size: {size:.2f}pt, table(columns: {columns}, align: {align}, "
        f"table.header({header}), table.hline(), ..rows.flatten())))"
    )
    figure_of = f"rows => figure(table-of(rows){caption_argument}, kind: table)"
    fewest = MIN_TABLE_ROWS_ON_A_PAGE
    if len(body) <= 2 * fewest:  # too short to leave enough rows on both pages: moved whole
        placed = "block(breakable: false, figure-of(rows))"
    else:
        placed = f"placed-table(figure-of, table-of, rows, {fewest}, {FILLED_PAGE})"
    return f"#{{\n  let table-of = {table_of}\n  let figure-of = {figure_of}\n  let rows = {rows}\n  {placed}\n}}"


def _typst_array(numbers: list[int]) -> str:
    """A Typst array of integers: `(1, 2)`, `(1,)` or `()`."""
    return "(" + ", ".join(str(n) for n in numbers) + ("," if len(numbers) == 1 else "") + ")"


MIN_TABLE_ROWS_ON_A_PAGE = 3  # a table's rows at a page's foot below its header, and overleaf, at the fewest
FILLED_PAGE = 0.6  # share of a page's height its content reaches: a table moves whole only from such a page, and
# `diagnoza proof` reports a page ending higher while its section goes on


def _table_caption(node: dict) -> list[dict] | None:
    """pandoc's table caption: a paragraph `: caption` right after the table."""
    children = node.get("children") or []
    if node["type"] != "paragraph" or not children or children[0]["type"] != "text":
        return None
    if not children[0]["raw"].startswith(": "):
        return None
    return [{**children[0], "raw": children[0]["raw"][2:]}, *children[1:]]


def markdown_to_typst(markdown: str) -> str:
    """The Markdown the display objects write (headings, paragraphs, emphasis, quotes, pipe
    tables with a caption), as Typst markup. Headings move up one level: the report's `##`
    sections are the PDF's chapters. Anything else is refused rather than shown wrongly."""
    return _typst_blocks(_markdown_parser()(markdown))


def _typst_blocks(nodes: list[dict]) -> str:
    blocks = [node for node in nodes if node["type"] != "blank_line"]
    parts, caption_of_table = [], None
    for index, node in enumerate(blocks):
        if node is caption_of_table:
            continue
        kind = node["type"]
        if kind == "heading":
            parts.append(f"#heading(level: {max(node['attrs']['level'] - 1, 1)}, {_typst_inline(node['children'])})")
        elif kind in ("paragraph", "block_text"):
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if following is not None and following["type"] == "list":  # "Słabe strony …:" stays with its list
                parts.append(f"#block(sticky: true, {_typst_inline(node['children'])})")
            else:
                parts.append(f"#{_typst_inline(node['children'])}")
        elif kind == "list":
            items = ", ".join(f"[{_typst_blocks(item['children'])}]" for item in node["children"])
            parts.append(f"#{'enum' if node['attrs'].get('ordered') else 'list'}({items})")
        elif kind == "block_quote":
            parts.append(f"#quote(block: true, [{_typst_blocks(node['children'])}])")
        elif kind == "thematic_break":
            parts.append("#line(start: (25%, 0%), end: (75%, 0%))")
        elif kind == "block_code":  # in an analyst's own notes
            parts.append(_raw_block(node["raw"]))
        elif kind == "table":
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            caption = _table_caption(following) if following else None
            caption_of_table = following if caption else None
            parts.append(_typst_table(node, caption))
        else:
            raise ValueError(f"the PDF has no form for Markdown {kind!r}")
    return "\n\n".join(parts)


def _raw_block(text: str) -> str:
    """Text shown as it is, in a fixed-width font: a block of code, or a table's plain text."""
    return f"#text(size: 7.5pt, raw(block: true, {_typst_string(text.rstrip(), lines=True)}))"


@cache
def _markdown_parser():
    import mistune  # nbconvert's Markdown parser

    return mistune.create_markdown(renderer=None, plugins=["table"])


def notebook_typst(notebook: nbformat.NotebookNode, media_dir: Path, language: str = "pl") -> tuple[str, str]:
    """The report body as Typst markup, in two parts: page one (the summary up to the key figures,
    which the template fits on the first page) and the rest; charts written as SVG files into `media_dir`.
    A notebook without key figures (an older record) has all of it in the rest.

    The title block is left out: the Typst template's title band shows it from `ReportInfo`.
    The contents stand where the notebook shows them (after the summary): the diagnosis comes first.
    """
    media_dir.mkdir(parents=True, exist_ok=True)
    parts, figures, page_one = [], 0, []
    for number, cell in enumerate(_shown_cells(typeset(notebook, language=language)), 1):
        if cell.cell_type == "markdown":  # an analyst's own notes, as the HTML page shows them
            try:
                parts.append(markdown_to_typst(cell.source))
            except ValueError as error:
                raise ValueError(f"the notes in cell {number}: {error}") from None
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            role = _role(output)
            data = output.get("data", {})
            if role.get("role") == "title":
                continue
            if role.get("role") == "contents":
                # Whole on one page: where page one cannot hold it, it moves overleaf rather than leave its last
                # entries there alone (diagnoza proof: "the contents go on").
                outline = f"outline(title: {_typst_string(label('contents', language))}, depth: 2)"
                parts.append(f"#block(breakable: false, {outline})")
                continue
            kind = next((kind for kind in IMAGES if kind in data), None)
            if kind is not None:
                figures += 1
                path = media_dir / f"figure-{figures:02d}.{'svg' if kind == 'image/svg+xml' else 'png'}"
                if kind == "image/png":
                    path.write_bytes(base64.b64decode(data[kind]))
                else:
                    path.write_text(data[kind], encoding="utf-8")
                caption = role.get("caption", "")
                parts.append(
                    f"#figure(image({_typst_string(path.name)}, alt: {_typst_string(role['alt'])})"
                    + (f", caption: {_typst_string(caption)})" if caption else ")")
                )
            elif "text/markdown" in data:
                parts.append(markdown_to_typst(data["text/markdown"]))
            elif not role and "text/plain" in data:  # an analyst's own result, e.g. a DataFrame
                parts.append(_raw_block(data["text/plain"]))
            if role.get("role") == "key_figures":
                page_one, parts = parts, []
    return "\n\n".join(page_one) + "\n", "\n\n".join(parts) + "\n"


def _pdf_metadata(info: ReportInfo) -> dict:
    language = info.language
    return {
        "title": info.title,
        "town": info.town,
        "subtitle": f"{label(info.kind, language)}, {voivodeship_phrase(info.voivodeship, language)}",
        "teryt": info.teryt,
        "years": f"{label('data_years', language)}: {info.first_year}–{info.last_year}",
        "edition": f"{label('edition', language)}: {info.edition}",
        "lang": info.language,
        "source": bind_short_words(info.source),  # the running text of the page: typeset as the body is
        "vintage": info.vintage,
        "banner": bind_short_words(label("synthetic_banner", language)) if info.synthetic else "",
        "toc-title": label("contents", language),
        "verdict-marks": {symbol: colour for symbol, colour in VERDICT_MARKS.values()},  # coloured in the tables
        "page-word": label("page_word", language),
        "of-word": label("of_word", language),
    }


def render_typst_source(notebook: nbformat.NotebookNode, info: ReportInfo, workdir: Path) -> Path:
    """Write `report.typ` (the template), `tables.typ`, `metadata.json`, `page-one.typ`, `body.typ` and the SVG charts
    into `workdir`; return the path of `report.typ`. The template reads the metadata as data, so
    no text of a report is ever read as Typst code."""
    workdir.mkdir(parents=True, exist_ok=True)
    page_one, body = notebook_typst(notebook, workdir, info.language)
    # Page one's tables stay whole: the template fits that page as a whole (templates/pdf/tables.typ).
    page_one = f"{TABLES_WHOLE}\n\n{page_one}"
    body = f"{TABLES_PLACED}\n\n{body}"
    (workdir / "page-one.typ").write_text(page_one, encoding="utf-8")
    (workdir / "body.typ").write_text(body, encoding="utf-8")
    (workdir / "metadata.json").write_text(json.dumps(_pdf_metadata(info), ensure_ascii=False), encoding="utf-8")
    typ = workdir / "report.typ"
    shutil.copyfile(PDF_TEMPLATE, typ)
    shutil.copyfile(PDF_TABLES, workdir / PDF_TABLES.name)
    return typ


def _timestamp(edition: str) -> datetime | None:
    """The edition date as the PDF's creation date, so the same inputs give the same bytes."""
    try:
        return datetime.combine(date.fromisoformat(edition), time(12), tzinfo=timezone.utc)
    except ValueError:
        return None


def render_pdf(notebook: nbformat.NotebookNode, info: ReportInfo, workdir: Path, output: Path) -> Path:
    """Compile the report as a tagged PDF/UA-1 document (alt text, language, title, reading order)."""
    import typst

    typ = render_typst_source(notebook, info, workdir)
    options = dict(
        output=str(output),
        root=str(workdir),
        font_paths=_pdf_fonts(),
        pdf_standards=["ua-1"],
        timestamp=_timestamp(info.edition),
    )
    _, warnings = typst.compile_with_warnings(str(typ), **options)
    if any(UNSETTLED in str(warning) for warning in warnings):
        # Where each table breaks depends on where the one before it ended (templates/pdf/tables.typ); should
        # those places still move after Typst's five passes, its page numbers could be wrong. Tables kept
        # whole, as before, depend on no position.
        body = workdir / "body.typ"
        body.write_text(body.read_text(encoding="utf-8").replace(TABLES_PLACED, TABLES_WHOLE, 1), encoding="utf-8")
        typst.compile(str(typ), **options)
    return output


# --- Charts as files ----------------------------------------------------------------

CHART_PPI = 150  # PNG resolution: sharp in a slide or a Word document at the report's width


def chart_files(notebook: nbformat.NotebookNode, target: Path) -> list[Path]:
    """Every chart of the report as SVG (as drawn) and PNG (rendered from it by Typst), named by its
    order and caption, e.g. `01-liczba-ludnosci-bławatkopole.svg`; for slides and documents."""
    import typst

    target.mkdir(parents=True, exist_ok=True)
    svgs = []
    for output in _outputs(notebook):
        svg = output.get("data", {}).get("image/svg+xml")
        if svg:
            name = slug(_role(output).get("caption", "") or "chart")
            name = name if len(name) <= 60 else name[:60].rsplit("-", 1)[0]  # whole words only
            path = target / f"{len(svgs) + 1:02d}-{name}.svg"
            path.write_text(svg, encoding="utf-8")
            svgs.append(path)
    if not svgs:
        return []
    # One Typst page per chart, each the chart's own size: one compile gives every PNG.
    pages = "\n#pagebreak()\n".join(f"#image({_typst_string(path.name)})" for path in svgs)
    source = target / ".charts.typ"
    source.write_text(f"#set page(width: auto, height: auto, margin: 0pt, fill: white)\n{pages}\n", encoding="utf-8")
    try:
        images = typst.compile(str(source), root=str(target), format="png", ppi=CHART_PPI, font_paths=_pdf_fonts())
    finally:
        source.unlink()
    pngs = []
    for path, image in zip(svgs, images if isinstance(images, list) else [images]):
        pngs.append(path.with_suffix(".png"))
        pngs[-1].write_bytes(image)
    return sorted(svgs + pngs)
