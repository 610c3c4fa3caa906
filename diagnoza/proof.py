"""Print faults in a built batch's PDFs, found before the reports go out to the towns.

The tests typeset two demo towns and check them; a real batch has other names, other numbers and other
page breaks. `diagnoza proof` reads every town's PDF as a proofreader would and names each fault:

- two words printed over each other (a table's columns running together);
- a chart caption at the top of a page, its chart left on the page before;
- a page left half empty while its section goes on on the next (an item too tall for the rest of the page
  moved on, and nothing took its place);
- the key figures table not wholly on page one (page one is the diagnosis);
- the contents begun on one page and carried on to the next;
- a line that introduces a list ("Słabe strony na tle grupy porównawczej:") ending a page, its list overleaf;
- a line ending inside a range of numbers ("1,41–" and "3,99" on the next line);
- in a Polish report, a line ending in a one-letter word ("w", "i", "z"), or starting with the year's
  abbreviation ("r.") or with a dash ("– nie."), which an editor marks first.

Words and their boxes come from poppler's `pdftotext -bbox-layout` (Debian: poppler-utils); the key figures
table's rows from the report's HTML page, made from the same notebook outputs.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from diagnoza.preview import find_tool
from diagnoza.publish import batch_towns
from diagnoza.render import FILLED_PAGE

RUNNING_HEADER_BOTTOM = 45.0  # points from the top of an A4 page: below it starts the page's own content
FOOTER_TOP = 20 * 72 / 25.4  # points from the bottom of a page: the bottom margin, where the footer stands
SECTION_HEADING = re.compile(r"\d+\. ")  # "3. Gospodarka i finanse gminy"
OVERLAP = 0.5  # points two words on one baseline may share before they count as printed over each other
SAME_BASELINE = 1.0  # points
CHART_CAPTION = re.compile(r"(Rysunek|Figure) \d+:")
ONE_LETTER_AT_END = re.compile(r"(^|\s)[aiouwzAIOUWZ]$")
RANGE_AT_END = re.compile(r"\d–$")  # a line's last word "1,41–": its range goes on on the next line
# Points between a page's last words and where its next item would start: the 4-pt inset of a table's cell
# and the 1.2-em (11.4-pt) space between blocks, less the words' descent. The PDF moves a table whole from a
# page where the table would start at FILLED_PAGE or lower (templates/pdf/tables.typ), which its last words
# may end up to this much above.
NEXT_ITEM_GAP = 16.0
CONTENTS_ENTRY = re.compile(r"( \.){5,} ?\S*$")  # "3. Gospodarka i finanse gminy . . . . . 5": dot leaders
LIST_MARKERS = ("•", "‣", "–")  # Typst's list markers, by level


class ProofToolMissing(RuntimeError):
    """pdftotext is not installed; the message says how to install it."""


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    right: float
    bottom: float  # the baseline, near enough: poppler's yMax


@dataclass(frozen=True)
class Page:
    number: int
    lines: tuple[tuple[Word, ...], ...]
    height: float = 841.89  # points (A4)

    @property
    def words(self) -> list[Word]:
        return [word for line in self.lines for word in line]

    def squeezed(self) -> str:
        """The page's text without any whitespace: a table cell's words match however they wrapped."""
        return "".join(word.text for word in self.words)

    def line_texts(self) -> list[str]:
        return [" ".join(word.text for word in line) for line in self.lines]

    def body_words(self) -> list[Word]:
        """The page's own words: below the running header, above the footer."""
        return [w for w in self.words if w.top > RUNNING_HEADER_BOTTOM and w.bottom < self.height - FOOTER_TOP]

    def first_line(self) -> str:
        """The page's first line of its own words (below the running header)."""
        body = [line for line in self.lines if line and line[0].top > RUNNING_HEADER_BOTTOM]
        return " ".join(word.text for word in body[0]) if body else ""

    def opening(self) -> str:
        """The first two of the page's own words, read from the top left."""
        words = sorted(self.body_words(), key=lambda w: (round(w.top), w.left))
        return " ".join(w.text for w in words[:2])


def read_pages(pdf: Path) -> list[Page]:
    """The PDF's pages, lines and words with their boxes (points from the page's top left)."""
    pdftotext = find_tool(("pdftotext",), "poppler-utils", "apt-get install poppler-utils", ProofToolMissing)
    run = subprocess.run(
        [pdftotext, "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, timeout=120, check=False
    )
    if run.returncode != 0:
        raise RuntimeError(f"pdftotext could not read {pdf}: {run.stderr.strip()}")
    xhtml = re.sub(r"<!DOCTYPE[^>]*>", "", run.stdout).replace(' xmlns="http://www.w3.org/1999/xhtml"', "")
    pages = []
    for number, page in enumerate(ElementTree.fromstring(xhtml).iter("page"), start=1):
        lines = tuple(
            tuple(
                Word(
                    word.text or "",
                    float(word.get("xMin")),
                    float(word.get("yMin")),
                    float(word.get("xMax")),
                    float(word.get("yMax")),
                )
                for word in line.iter("word")
            )
            for line in page.iter("line")
        )
        pages.append(Page(number, lines, float(page.get("height"))))
    return pages


def overlapping_words(page: Page) -> list[str]:
    """Pairs of words on one baseline whose horizontal extents cross."""
    words = sorted(page.words, key=lambda w: (w.bottom, w.left))
    found = []
    for i, word in enumerate(words):
        for other in words[i + 1 :]:
            if other.bottom - word.bottom > SAME_BASELINE:
                break
            if min(word.right, other.right) - max(word.left, other.left) > OVERLAP:
                found.append(f"page {page.number}: {word.text!r} printed over {other.text!r}")
    return found


def orphaned_chart_caption(page: Page) -> list[str]:
    """A chart caption ("Rysunek 3:") opening the page: the chart's axis labels are words, so a caption with
    nothing above it but the running header has lost its chart to the page before."""
    opening = page.opening()
    if not CHART_CAPTION.match(opening):
        return []
    return [f"page {page.number}: opens with the caption {opening!r}, its chart on the page before"]


def half_empty_page(page: Page, following: Page) -> list[str]:
    """A page whose next item would have started above `FILLED_PAGE` of its height (its content's end and
    `NEXT_ITEM_GAP`) while the next page goes on with its section.

    An item that cannot break (a chart, a short table kept whole) moves to the next page when it does not fit,
    leaving the rest of the page blank; in the demo reports a section's tallest chart once did so after its
    text, on page 3 of 41 of 54 reports. A page before a section's opening heading may end anywhere."""
    if SECTION_HEADING.match(following.opening()):
        return []
    bottom = max((w.bottom for w in page.body_words()), default=0.0)
    if bottom + NEXT_ITEM_GAP >= FILLED_PAGE * page.height:
        return []
    return [
        f"page {page.number}: half empty, its content ends at {bottom / page.height:.0%} of the page's height"
        f" while its section goes on on page {following.number}"
    ]


def broken_contents(page: Page, following: Page) -> list[str]:
    """The contents going on from one page to the next: the next page opens with a contents entry (a title,
    dot leaders and a page number). A reader finds the end of the list alone overleaf."""
    if not CONTENTS_ENTRY.search(following.first_line()):
        return []
    return [f"page {page.number}: the contents go on on page {following.number}"]


def introduction_left_behind(page: Page, following: Page) -> list[str]:
    """A page whose last line introduces a list (ends with a colon) while the next page opens with the list's
    first item: the reader turns over to find what the line announced (5 of the 54 demo PDFs did so)."""
    own = set(page.body_words())
    body = [line for line in page.lines if line and all(word in own for word in line)]
    if not body or not following.opening().startswith(LIST_MARKERS):
        return []
    last = max(body, key=lambda line: line[-1].bottom)
    text = " ".join(word.text for word in last)
    if not text.endswith(":"):
        return []
    return [f"page {page.number}: ends with {text!r}, the list it introduces on page {following.number}"]


def polish_line_breaks(page: Page) -> list[str]:
    """Lines ending in a one-letter word, or starting with the year's abbreviation "r." or with a spaced dash
    (Polish typesetting ties each to the next or previous word; a dash ends its line)."""
    found = []
    for text in page.line_texts():
        if ONE_LETTER_AT_END.search(text):
            found.append(f"page {page.number}: a line ends with a one-letter word: …{text[-40:]!r}")
        if re.match(r"r\.(\s|$)", text):
            found.append(f'page {page.number}: a line starts with "r.": {text[:40]!r}…')
        if re.match(r"– \S", text):
            found.append(f"page {page.number}: a line starts with a dash: {text[:40]!r}…")
    return found


class _FirstTableRows(HTMLParser):
    """The first cell of each body row of the page's first table: the key figures' row names."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.language = ""
        self._tables = self._cell = 0
        self._in_body = self._first_cell = False
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.language = dict(attrs).get("lang") or ""
        elif tag == "table":
            self._tables += 1
        elif self._tables == 1 and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self._cell = 0
        elif self._in_body and tag in ("td", "th"):
            self._cell += 1
            self._first_cell, self._text = self._cell == 1, []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif self._in_body and tag in ("td", "th") and self._first_cell:
            self.rows.append("".join(self._text))
            self._first_cell = False

    def handle_data(self, data):
        if self._first_cell:  # as a reader sees it: without the word joiner (U+2060) holding a range together
            self._text.append(data.replace("\u2060", ""))


def key_figures_off_page_one(pages: list[Page], rows: list[str]) -> list[str]:
    """The key figures rows (from the HTML page) that page one of the PDF does not hold."""
    if not pages:
        return ["the PDF has no pages"]
    page_one = pages[0].squeezed()
    return [f"page 1: the key figures row {row!r} is not on it" for row in rows if "".join(row.split()) not in page_one]


def broken_ranges(page: Page) -> list[str]:
    """Lines ending at the dash of a range of numbers, in a report of any language."""
    found = []
    for text in page.line_texts():
        if RANGE_AT_END.search(text):
            found.append(f"page {page.number}: a range of numbers breaks at its dash: …{text[-40:]!r}")
    return found


def proof_report(folder: Path) -> list[str]:
    """Every print fault of one town's report.pdf (beside its report.html)."""
    pdf, html = folder / "report.pdf", folder / "report.html"
    table = _FirstTableRows()
    table.feed(html.read_text(encoding="utf-8"))
    pages = read_pages(pdf)
    faults = key_figures_off_page_one(pages, table.rows)
    for page, following in zip(pages, pages[1:] + [None]):
        faults += overlapping_words(page) + orphaned_chart_caption(page) + broken_ranges(page)
        if following is not None:
            faults += half_empty_page(page, following) + broken_contents(page, following)
            faults += introduction_left_behind(page, following)
        if table.language == "pl":
            faults += polish_line_breaks(page)
    return faults


def proof_batch(out_dir: Path) -> dict[str, list[str]]:
    """Print faults per town (TERYT -> faults, empty when none) of every built report of a batch's towns
    (`publish.batch_towns`: not of a folder left by a town taken out of the batch)."""
    folders = [out_dir / teryt for teryt in sorted(batch_towns(out_dir))]
    return {
        folder.name: proof_report(folder)
        for folder in folders
        if (folder / "report.pdf").is_file() and (folder / "report.html").is_file()
    }
