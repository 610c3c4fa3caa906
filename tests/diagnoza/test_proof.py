"""The print-fault checks on small PDFs typeset here with each fault, and without it."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from diagnoza.cli import app
from diagnoza.proof import (
    Page,
    Word,
    _FirstTableRows,
    broken_contents,
    broken_ranges,
    half_empty_page,
    introduction_left_behind,
    key_figures_off_page_one,
    orphaned_chart_caption,
    overlapping_words,
    polish_line_breaks,
    proof_report,
    read_pages,
)
from tests.diagnoza import typeset

KEY_FIGURES_HTML = (
    '<html lang="pl"><body><table><caption>Najważniejsze liczby</caption><thead><tr><th>Wskaźnik</th>'
    "<th>Gmina</th></tr></thead><tbody><tr><td>Liczba ludności (osoby, 2024)</td><td>3 483</td></tr>"
    "<tr><td>Miejsca w&nbsp;żłobkach (miejsca, 2024)</td><td>55</td></tr></tbody></table>"
    "<table><tbody><tr><td>Demografia</td></tr></tbody></table></body></html>"
)


@pytest.mark.usefixtures("pdftotext")
def test_words_printed_over_each_other_are_found_and_words_side_by_side_are_not(tmp_path):
    # "Alfa" at x = 0 and "Beta" 6 pt to its right share a baseline and most of their width.
    over = read_pages(typeset(tmp_path, "#place(dx: 0pt)[Alfa]\n#place(dx: 6pt)[Beta]"))
    assert overlapping_words(over[0]) == ["page 1: 'Alfa' printed over 'Beta'"]
    apart = read_pages(typeset(tmp_path, "Alfa Beta\n\nGamma"))
    assert overlapping_words(apart[0]) == []


@pytest.mark.usefixtures("pdftotext")
def test_a_chart_caption_opening_a_page_is_found(tmp_path):
    orphan = read_pages(typeset(tmp_path, "Rysunek 3: Liczba ludności"))
    assert orphaned_chart_caption(orphan[0]) == [
        "page 1: opens with the caption 'Rysunek 3:', its chart on the page before"
    ]
    with_chart = read_pages(typeset(tmp_path, "2014 2016 2018\n\nRysunek 3: Liczba ludności"))  # axis labels above
    assert orphaned_chart_caption(with_chart[0]) == []


A4_WITH_FOOTER = (
    '#set page(paper: "a4", margin: (x: 18mm, top: 22mm, bottom: 20mm), footer: [Źródło: test #h(1fr) strona 1 z 2])\n'
)


@pytest.mark.usefixtures("pdftotext")
@pytest.mark.parametrize(
    "gap, next_page, ends",
    [
        # Two 10 pt lines 300 pt apart under the 22 mm (62 pt) top margin: the second line's foot at 62 + 300 +
        # 2 × (7 to 24 pt) of a line and its spacing, 44–49% of the page's 842 pt; the section goes on: found.
        # The footer's words, at 95%, are not content; counted, they would hide every half-empty page.
        ("300pt", "Dalszy tekst sekcji", (44, 49)),
        ("300pt", "3. Gospodarka i finanse gminy", None),  # the next page opens a section: this one may end anywhere
        ("450pt", "Dalszy tekst sekcji", None),  # 62% to 67%
        # 59% (497 pt): an item placed next would start at 60% (505 pt) or lower, NEXT_ITEM_GAP (16 pt) below
        # the last words, and the PDF moves a table whole from there (templates/pdf/tables.typ): filled. 56%
        # (472 pt) is 33 pt above 60%, more than that gap: still found.
        ("405pt", "Dalszy tekst sekcji", None),
        ("380pt", "Dalszy tekst sekcji", (55, 57)),
    ],
    ids=["half-empty", "before-a-section", "filled", "filled-up-to-the-next-item", "just-short-of-filled"],
)
def test_a_page_left_half_empty_while_its_section_goes_on_is_found(tmp_path, gap, next_page, ends):
    pages = read_pages(
        typeset(tmp_path, f"{A4_WITH_FOOTER}Tekst sekcji\n#v({gap})\nkoniec tekstu\n#pagebreak()\n{next_page}")
    )
    found = half_empty_page(pages[0], pages[1])
    if ends is None:
        assert found == []
        return
    [fault] = found
    share = re.fullmatch(
        r"page 1: half empty, its content ends at (\d+)% of the page's height while its section goes on on page 2",
        fault,
    )
    assert share and ends[0] <= int(share[1]) <= ends[1], fault


def test_contents_carried_on_to_the_next_page_are_found():
    def line(text, top):
        return tuple(Word(word, 60.0 + 12 * i, top, 70.0 + 12 * i, top + 10) for i, word in enumerate(text.split()))

    header = line("Diagnoza społeczno-gospodarcza: Krynica Morska", 20)  # the running header, above its rule
    entry = "3. Gospodarka i finanse gminy" + " ." * 40 + " \u20605"
    page_one = Page(1, (line("Spis treści", 700), line("2. Demografia" + " ." * 40 + " \u20603", 712)))
    assert broken_contents(page_one, Page(2, (header, line(entry, 60)))) == ["page 1: the contents go on on page 2"]
    # A section opening overleaf, its heading without dot leaders, or a page of text: nothing to report.
    assert broken_contents(page_one, Page(2, (header, line("3. Gospodarka i finanse gminy", 60)))) == []
    assert broken_contents(page_one, Page(2, (header, line("Tekst . . . sekcji.", 60)))) == []


def test_a_list_introduction_ending_a_page_with_its_list_overleaf_is_found():
    def line(text, top):
        return tuple(Word(word, 60.0 + 12 * i, top, 70.0 + 12 * i, top + 10) for i, word in enumerate(text.split()))

    header = line("Diagnoza społeczno-gospodarcza: Krynica Morska", 20)  # the running header
    footer = line("Źródło: dane syntetyczne strona 3 z 14", 800)  # below the body: not its last line
    introduction = line("Słabe strony na tle grupy porównawczej:", 760)
    page = Page(3, (header, line("Mocna strona: wysoki udział.", 700), introduction, footer))
    overleaf = Page(4, (header, line("• mniejszy przyrost ludności", 60)))
    assert introduction_left_behind(page, overleaf) == [
        "page 3: ends with 'Słabe strony na tle grupy porównawczej:', the list it introduces on page 4"
    ]
    # The list begun on the same page, or text (not a list) overleaf: nothing to report.
    begun = Page(3, (header, introduction, line("• niski udział", 772), footer))
    assert introduction_left_behind(begun, overleaf) == []
    assert introduction_left_behind(page, Page(4, (header, line("Tekst dalej.", 60)))) == []


def test_polish_line_breaks_an_editor_would_mark():
    def line(text, top):
        return tuple(Word(word, 60.0, top, 80.0, top + 10) for word in text.split())

    page = Page(
        2,
        (
            line("dane za rok w", 60),
            line("r. 2024 spadła", 72),
            line("w roku 2024", 84),
            line("– nie. Przy braku danych", 96),
            line("grupy –", 108),  # a dash ending its line, as it should
            line("—", 120),  # a table's "no assessment" cell
        ),
    )
    assert polish_line_breaks(page) == [
        "page 2: a line ends with a one-letter word: …'dane za rok w'",
        "page 2: a line starts with \"r.\": 'r. 2024 spadła'…",
        "page 2: a line starts with a dash: '– nie. Przy braku danych'…",
    ]


def test_a_range_of_numbers_broken_at_its_dash_is_found():
    def line(text, top):
        return tuple(Word(word, 60.0, top, 80.0, top + 10) for word in text.split())

    page = Page(3, (line("95% przedział 1,41–", 60), line("3,99", 72), line("od 2022 – do 2024", 84), line("Q1–", 96)))
    assert broken_ranges(page) == [
        "page 3: a range of numbers breaks at its dash: …'95% przedział 1,41–'",
        "page 3: a range of numbers breaks at its dash: …'Q1–'",  # a table header's "(Q1–" and "Q3)"
    ]


def test_key_figures_rows_come_from_the_pages_first_table():
    table = _FirstTableRows()
    table.feed(KEY_FIGURES_HTML)
    assert table.language == "pl"
    assert table.rows == ["Liczba ludności (osoby, 2024)", "Miejsca w\u00a0żłobkach (miejsca, 2024)"]


@pytest.mark.usefixtures("pdftotext")
def test_a_key_figures_row_on_page_two_is_found(tmp_path):
    rows = ["Liczba ludności (osoby, 2024)", "Miejsca w\u00a0żłobkach (miejsca, 2024)"]
    split = read_pages(typeset(tmp_path, f"{rows[0]}\n#pagebreak()\n{rows[1]}"))
    assert key_figures_off_page_one(split, rows) == [f"page 1: the key figures row {rows[1]!r} is not on it"]
    whole = read_pages(typeset(tmp_path, "Liczba ludności\n(osoby, 2024)\n\nMiejsca w żłobkach (miejsca, 2024)"))
    assert key_figures_off_page_one(whole, rows) == []  # however the row's words wrapped


def manifest(batch, *towns: str) -> None:
    """The batch's record of its towns, as a build writes it (what `diagnoza proof` reads)."""
    (batch / "manifest.json").write_text(json.dumps({"towns": {teryt: {} for teryt in towns}}), encoding="utf-8")


@pytest.mark.usefixtures("pdftotext")
def test_proof_names_every_fault_of_a_report_and_the_command_fails_on_it(tmp_path):
    town = tmp_path / "batch" / "0490013"
    town.mkdir(parents=True)
    manifest(tmp_path / "batch", "0490013")
    (town / "report.html").write_text(KEY_FIGURES_HTML, encoding="utf-8")
    typeset(
        town,
        "Liczba ludności (osoby, 2024)\n#pagebreak()\nRysunek 1: Miejsca w żłobkach (miejsca, 2024)\n\ndane za rok w",
    )
    assert proof_report(town) == [
        "page 1: the key figures row 'Miejsca w\\xa0żłobkach (miejsca, 2024)' is not on it",
        "page 1: half empty, its content ends at 35% of the page's height while its section goes on on page 2",
        "page 2: opens with the caption 'Rysunek 1:', its chart on the page before",
        "page 2: a line ends with a one-letter word: …'dane za rok w'",
    ]
    result = CliRunner().invoke(app, ["proof", str(tmp_path / "batch")])
    assert result.exit_code == 1
    assert "0490013 page 2: opens with the caption 'Rysunek 1:'" in result.output
    assert result.output.strip().endswith("1 PDF read in " + str(tmp_path / "batch") + ": 1 with print faults")

    # A report folder of a town taken out of the batch (the build leaves it on disk) is not proofread: before,
    # its faults failed the batch's proof.
    manifest(tmp_path / "batch", "0490021")
    shutil.copytree(town, tmp_path / "batch" / "0490021")
    typeset(tmp_path / "batch" / "0490021", "Liczba ludności (osoby, 2024)\n\nMiejsca w żłobkach (miejsca, 2024)")
    result = CliRunner().invoke(app, ["proof", str(tmp_path / "batch")])
    assert result.exit_code == 0 and "0490013" not in result.output, result.output
    assert result.output.strip().endswith("1 PDF read in " + str(tmp_path / "batch") + ": 0 with print faults")


def test_proof_of_a_folder_no_build_wrote_says_so(tmp_path):
    (tmp_path / "0490013").mkdir()
    result = CliRunner().invoke(app, ["proof", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path}: no built batch (no readable manifest.json); build it first" in " ".join(result.output.split())


def test_without_pdftotext_the_command_says_what_to_install(tmp_path, monkeypatch):
    town = tmp_path / "0490013"
    town.mkdir()
    manifest(tmp_path, "0490013")
    (town / "report.html").write_text(KEY_FIGURES_HTML, encoding="utf-8")
    typeset(town, "Liczba ludności (osoby, 2024)")
    monkeypatch.setattr("diagnoza.preview.shutil.which", lambda name: None)
    result = CliRunner().invoke(app, ["proof", str(tmp_path)])
    assert result.exit_code == 2
    assert "pdftotext not found: install the Debian package 'poppler-utils'" in result.output
