"""End to end: the notebook run by papermill for demo towns, the HTML and PDF rendered from it, the index.

Slow (a Jupyter kernel per town): one module-scoped build of two demo towns, one
of a crafted store (a hostile town name, a town whose data break the analysis).
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import nbformat
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader
from typer.testing import CliRunner

from analysis.catalogue import indicators, variable_ids
from analysis.editions import FORMAT
from analysis.indicators import indicator_table
from analysis.paths import DEMO_STORE_DIR, PARAMS_DIR
from analysis.store import load_store, write_store
from diagnoza.build import batch_lock, keep_earlier_record
from diagnoza.cli import app
from tests.diagnoza import typeset
from tests.diagnoza.conftest import OTHER, TOWN  # the towns of the shared demo_build fixture

# `diagnoza publish` proofreads the PDFs with poppler's pdftotext (tested where it is installed); the tests of
# what it copies run without it too.
UNLESS_PROOFREAD = [] if shutil.which("pdftotext") else ["--skip-proof"]

pytestmark = pytest.mark.slow

HOSTILE_NAME = '<script>alert("x")</script> Gmina "Łąka" & <b>Ś</b>'


def _outputs(notebook) -> list:
    """What the cells showed, without execution counts and timings."""
    return [
        [{k: v for k, v in output.items() if k != "execution_count"} for output in cell.get("outputs", [])]
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def test_the_kept_notebook_is_the_record_and_re_runs_to_the_same_report(demo_build, tmp_path):
    # Re-run as an auditor would, with papermill and no parameters: the notebook's own injected
    # parameters rebuild the town. Once with the build's cached analysis (verified by its key),
    # once with the cache gone, so the notebook computes the report itself.
    import papermill

    from analysis.town import TownParams

    kept = demo_build.out_dir / TOWN / "report.ipynb"
    original = nbformat.read(kept, as_version=4)
    parameters = original.metadata.papermill.parameters
    assert TownParams(**parameters).cache_dir == str(demo_build.out_dir / ".cache")
    cached = list((demo_build.out_dir / ".cache").glob(f"{TOWN}-*.pickle"))
    assert len(cached) == 1
    rerun = papermill.execute_notebook(str(kept), str(tmp_path / "cached.ipynb"), progress_bar=False, cwd=str(tmp_path))
    assert _outputs(rerun) == _outputs(original)
    cached[0].unlink()
    recomputed = papermill.execute_notebook(
        str(kept), str(tmp_path / "computed.ipynb"), progress_bar=False, cwd=str(tmp_path)
    )
    assert _outputs(recomputed) == _outputs(original)
    assert len(list((demo_build.out_dir / ".cache").glob(f"{TOWN}-*.pickle"))) == 1  # kept again, same key


def test_a_kept_report_with_another_key_is_not_loaded(demo_build, tmp_path):
    # The cache is keyed by every parameter that enters the report: a different peer rule must
    # compute, never load the kept report of the default rule.
    from analysis.report import cached_report_path, prepare_report, report_key
    from analysis.town import TownParams

    town = TownParams(teryt=TOWN, cache_dir=str(tmp_path), peer_method="voivodeship")
    default = TownParams(teryt=TOWN, cache_dir=str(tmp_path))
    assert report_key(town) != report_key(default)
    prepare_report(default)
    assert prepare_report(town).peers.rule.method == "voivodeship"
    assert cached_report_path(town).is_file() and cached_report_path(default).is_file()


def test_page_one_of_the_pdf_is_the_diagnosis_with_voivodeship_and_poland(demo_build, demo_store):
    # The verdict of every section and the key figures beside the voivodeship's and Poland's values
    # are on page 1. Expected area values by plain pandas from the store: population summed over
    # the voivodeship's gminy and over all gminy in 2024, printed with Polish thousands separators.
    page_one = " ".join(PdfReader(demo_build.out_dir / TOWN / "report.pdf").pages[0].extract_text().split())
    units = demo_store.units.set_index("teryt")
    voivodeship = units.at[TOWN, "voivodeship"]
    obs = demo_store.observations
    population = obs.loc[(obs["year"] == 2024) & (obs["var_id"] == variable_ids()["population"])]
    in_voivodeship = population.loc[population["teryt"].map(units["voivodeship"]) == voivodeship, "value"].sum()
    for value in (in_voivodeship, population["value"].sum()):
        assert f"{int(round(value)):,}".replace(",", " ") in page_one, value
    assert "Polska" in page_one and voivodeship in page_one
    # The nursery rate is not summed: its row ends with GUS's figures of the voivodeship and Poland, read from the
    # store's published area values and rounded to whole places as the catalogue prints the rate.
    published = demo_store.area_values.set_index(["area", "year", "var_id"])["value"]
    nursery = variable_ids()["nursery_places_per_1000_under3"]
    own, country = (round(published[(area, 2024, nursery)]) for area in (TOWN[:2], "PL"))
    assert re.search(rf"do lat 3 \(miejsca, 2024\) \S+ \S+ \S+ {own} {country}\b", page_one), page_one
    # The verdict table: each section with its verdict, in the words and with the mark the index prints for it.
    from analysis.style import VERDICT_MARKS

    index = (demo_build.out_dir / "index.html").read_text(encoding="utf-8")
    row = re.search(rf'<tr role="row" data-search="{TOWN} .*?</tr>', index, re.S).group(0)
    cells = re.findall(r'class="verdict"[^>]*>(.*?)</td>', row)
    assert len(cells) == 3
    for section, cell in zip(("Demografia", "Gospodarka i finanse gminy", "Usługi publiczne"), cells):
        verdict, mark = re.sub(r"<[^>]+>", "", cell).strip(), re.search(r"mark-(\w+)", cell)
        symbol = f"{VERDICT_MARKS[mark.group(1)][0]} " if mark else ""
        assert f"{section} {symbol}{verdict}" in page_one, (section, symbol, verdict)
    assert "Ocena zależy od" in page_one
    assert "Podsumowanie" in page_one and "Spis treści" not in page_one  # the contents come after the diagnosis


def _seen(text: str) -> str:
    """Text as a reader sees it, to compare the page with the PDF: no spaces, no word joiner (U+2060, which
    holds a range of numbers together on the page; the PDF boxes the range instead)."""
    return "".join(text.replace("\u2060", "").split())


def test_no_page_ends_with_a_tables_caption_header_and_fewer_than_three_rows(demo_build):
    # 21 of the 54 first PDFs had a page holding a table's caption, its header and one row. A table now breaks
    # only where three of its rows stay under its header (templates/pdf/tables.typ, tested on typeset tables in
    # test_render). Here on the two towns: the caption's page holds the table's first three rows after it.
    # Tables and rows are read from the HTML report (the same notebook outputs), a row by its first cell.
    from diagnoza.render import MIN_TABLE_ROWS_ON_A_PAGE

    for teryt in (TOWN, OTHER):
        pages = [
            "".join(page.extract_text().split()) for page in PdfReader(demo_build.out_dir / teryt / "report.pdf").pages
        ]
        soup = BeautifulSoup((demo_build.out_dir / teryt / "report.html").read_text(encoding="utf-8"), "html.parser")
        checked = 0
        for table in soup.find_all("table"):
            caption = _seen(table.caption.get_text())[:40]
            on = [text for text in pages if caption in text]
            assert on, (teryt, caption)
            after = on[0][on[0].index(caption) :]
            for row in table.find("tbody").find_all("tr")[:MIN_TABLE_ROWS_ON_A_PAGE]:
                name = _seen(row.find(["td", "th"]).get_text())
                assert name in after, (teryt, caption, name)
                after = after[after.index(name) + len(name) :]
            checked += 1
        assert checked >= 5


def pdf_text(path) -> tuple[str, int]:
    """The PDF's text, with the no-break spaces of Polish typesetting ("i\u00a0finanse") read as spaces."""
    reader = PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " "), len(reader.pages)


def test_both_towns_are_built_with_html_pdf_and_index(demo_build):
    assert [t.status for t in demo_build.towns] == ["built", "built"], demo_build.towns
    for teryt in (TOWN, OTHER):
        assert (demo_build.out_dir / teryt / "report.html").stat().st_size > 10_000
        assert (demo_build.out_dir / teryt / "report.pdf").read_bytes().startswith(b"%PDF")
    assert (demo_build.out_dir / "index.html").is_file()
    assert not (demo_build.out_dir / ".staging").exists()


def test_executed_notebook_received_the_towns_parameters(demo_build):
    notebook = nbformat.read(demo_build.out_dir / TOWN / "report.ipynb", as_version=4)
    injected = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and f'teryt = "{TOWN}"' in injected[0].source


def test_pdf_names_the_town_with_diacritics_and_counts_pages(demo_build):
    text, pages = pdf_text(demo_build.out_dir / TOWN / "report.pdf")
    assert "Bławatkopole" in text
    assert "Demografia" in text and "Gospodarka i finanse gminy" in text and "Usługi publiczne" in text
    assert "Dane syntetyczne" in text
    assert "Diagnoza społeczno-gospodarcza" in text.split("Spis treści")[0]  # the cover title
    assert "Źródło: dane syntetyczne" in text
    assert f"strona 1 z {pages}" in text  # the cover counts, and N is the real page count
    assert f"strona 2 z {pages}" in text
    assert f"strona {pages} z {pages}" in text
    assert PdfReader(demo_build.out_dir / TOWN / "report.pdf").metadata.title.endswith("Bławatkopole")


def test_html_shows_results_and_no_code(demo_build):
    page = (demo_build.out_dir / TOWN / "report.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    assert soup.html["lang"] == "pl"
    assert "Bławatkopole" in soup.h1.get_text()
    visible = soup.get_text()
    for code in ("prepare_report", "display(", "import ", "peer_method =", "data_dir"):
        assert code not in visible, code
    assert soup.find_all("script") == []  # self-contained and static
    assert not re.search(r'(src|href)="https?://', page)
    images = soup.find_all("img")
    assert len(images) >= 6 and all(
        img["src"].startswith("data:image/svg+xml") and img["alt"].strip() for img in images
    )
    tables = soup.find_all("table")
    assert len(tables) >= 4 and all(t.caption and t.caption.get_text().strip() for t in tables)
    assert {h["id"] for h in soup.find_all("h2", id=True)} >= {"demography", "economy", "services"}
    assert "Dane syntetyczne" in visible


def test_html_figures_match_the_comparison(demo_build):
    """The table's value for population equals the store's 2024 population, formatted in Polish."""
    store = load_store()
    population = store.observations.query("teryt == @TOWN and year == 2024 and var_id == 72305")["value"].item()
    expected = f"{int(population):,}".replace(",", "\u00a0")
    soup = BeautifulSoup((demo_build.out_dir / TOWN / "report.html").read_text(encoding="utf-8"), "html.parser")
    table = next(t for t in soup.find_all("table") if t.caption.get_text().startswith("Demografia:"))
    first_row = [td.get_text() for td in table.find("tbody").find("tr").find_all("td")]
    assert first_row[0] == "Liczba ludności (osoby)" and first_row[2] == expected  # name (unit), year, value


def test_xlsx_holds_the_catalogue_values_of_the_town(demo_build):
    """Every indicator's value in the workbook equals the catalogue's computation for the town (as
    compared: pooled where the catalogue says), and two of them recomputed here by hand from the raw
    store (BDL ids) agree too: the population of 2024, and births, pooled over 2022–2024."""
    sheets = pd.read_excel(
        demo_build.out_dir / TOWN / "data.xlsx", sheet_name=None, dtype={"TERYT": str}, engine="openpyxl"
    )
    assert list(sheets) == [
        "Wskaźniki",
        "Oceny części",
        "Szeregi czasowe",
        "Szeregi grupy",
        "Prognoza ludności",
        "Grupa porównawcza",
        "Pełna precyzja",
        "Metoda",
    ]
    sheet = sheets["Pełna precyzja"].set_index("Kod wskaźnika")  # the unrounded figures
    assert set(sheet.index) == set(indicators())
    store = load_store()
    expected = indicator_table(store, pooled=True).xs(TOWN, level="teryt")
    for indicator_id, row in sheet.iterrows():
        want = expected.at[int(row["Rok wartości"]), indicator_id]
        assert row["Wartość"] == pytest.approx(want, rel=1e-12), indicator_id
    raw = store.observations.query("teryt == @TOWN and year == 2024").set_index("var_id")["value"]
    ids = variable_ids()
    assert sheet.at["population", "Wartość"] == raw[ids["population"]]
    window = store.observations.query("teryt == @TOWN and 2022 <= year <= 2024")
    years = window.pivot(index="year", columns="var_id", values="value")[[ids["live_births"], ids["population"]]]
    births, residents = years.dropna().sum()  # a year enters with both counts
    assert (
        sheet.at[
            "births_per_1000",
            "Od roku (jeśli wcześniejszy niż rok wartości, wartość jest z tych lat łącznie: zob. arkusz Metoda)",
        ]
        == 2022
    )
    assert sheet.at["births_per_1000", "Wartość"] == pytest.approx(1000 * births / residents)
    peers = sheets["Grupa porównawcza"]
    assert len(peers) == 20 and peers["TERYT"].str.fullmatch(r"\d{7}").all() and TOWN not in set(peers["TERYT"])
    csv = pd.read_csv(demo_build.out_dir / TOWN / "data.csv", encoding="utf-8-sig").set_index("Kod wskaźnika")
    pd.testing.assert_series_equal(csv["Wartość"], sheet["Wartość"], rtol=1e-12)
    # The CSV for Excel in a Polish locale: semicolons and decimal commas, the same numbers.
    first_line = (demo_build.out_dir / TOWN / "data-excel.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert ";" in first_line and "." not in first_line.split(";")[0]
    # The same numbers as the workbook's first sheet, which shows them rounded as the report prints them.
    excel = pd.read_csv(demo_build.out_dir / TOWN / "data-excel.csv", encoding="utf-8-sig", sep=";", decimal=",")
    rounded = sheets["Wskaźniki"].set_index("Kod wskaźnika")
    pd.testing.assert_series_equal(excel.set_index("Kod wskaźnika")["Wartość"], rounded["Wartość"], rtol=1e-12)
    assert (rounded["Wartość"] - sheet["Wartość"]).abs().max() <= 0.5  # half a unit, where 0 decimals are printed
    assert set(excel["Oceniany"]) == {"tak", "nie"}  # words, where the workbook has Excel's own booleans


def test_the_published_copy_holds_what_readers_follow_and_every_link_leads_into_it(demo_build, tmp_path):
    # The batch folder as a build leaves it, with a folder of a town no longer in the batch and a failed
    # town's log (a traceback with the build machine's paths): neither is for readers.
    out = tmp_path / "demo"
    shutil.copytree(demo_build.out_dir, out)
    shutil.copytree(out / TOWN, out / "0290021")
    (out / "_failed" / "0290033").mkdir(parents=True)
    (out / "_failed" / "0290033" / "error.log").write_text("Traceback: /home/analyst/diagnoza/...", encoding="utf-8")
    site = tmp_path / "site"
    result = CliRunner().invoke(app, ["publish", str(out), str(site), *UNLESS_PROOFREAD])
    assert result.exit_code == 0, result.output
    assert f"files of 2 towns and the index published to {site}" in " ".join(result.output.split())

    def published():
        return {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()}

    # What the index and the reports link, and the charts; listed here by hand.
    linked = {"index.html", "batch.xlsx", "batch.csv", "batch-excel.csv", ".diagnoza-published"}
    for teryt in (TOWN, OTHER):
        linked |= {
            f"{teryt}/{name}" for name in ("report.html", "report.pdf", "data.xlsx", "data.csv", "data-excel.csv")
        }
        linked |= {f"{teryt}.zip"} | {f"{teryt}/charts/{c.name}" for c in (out / teryt / "charts").iterdir()}
    assert published() == linked
    for page in ("index.html", f"{TOWN}/report.html", f"{OTHER}/report.html"):
        for link in BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser").find_all("a"):
            if not link["href"].startswith("#"):
                assert ((site / page).parent / link["href"]).resolve().is_file(), (page, link["href"])

    # Published again once a town has left the batch's record: the copy is replaced whole.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    del manifest["towns"][OTHER]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert CliRunner().invoke(app, ["publish", str(out), str(site), *UNLESS_PROOFREAD]).exit_code == 0
    assert not any(path.startswith(OTHER) for path in published()) and f"{TOWN}/report.pdf" in published()

    # A folder that is not an earlier publication, or the batch's own, is refused and left as it was.
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    refused = CliRunner().invoke(app, ["publish", str(out), str(mine)])
    assert refused.exit_code == 2 and "is not empty and was not written by diagnoza publish" in refused.output
    assert [path.name for path in mine.iterdir()] == ["notes.txt"]
    inside = CliRunner().invoke(app, ["publish", str(out), str(out / "www")])
    assert inside.exit_code == 2 and "must be a folder of its own" in inside.output


@pytest.mark.usefixtures("pdftotext")
def test_a_batch_whose_pdf_has_a_print_fault_is_published_only_when_asked(demo_build, tmp_path):
    # Publishing is when the reports go out: a PDF with words printed over each other stops it, naming the town and
    # the fault, and nothing of the batch reaches the readers' folder until the analyst says to publish it as it is.
    out, site = tmp_path / "demo", tmp_path / "site"
    shutil.copytree(demo_build.out_dir, out)
    typeset(out / OTHER, "#place(dx: 0pt)[Alfa]\n#place(dx: 6pt)[Beta]")  # the one PDF replaced by a faulty one
    refused = CliRunner().invoke(app, ["publish", str(out), str(site)])
    assert refused.exit_code == 2
    assert f"{OTHER} page 1: 'Alfa' printed over 'Beta'" in refused.output
    assert f"{TOWN} " not in refused.output  # the other town's real PDF has none
    assert "--skip-proof" in refused.output
    assert not site.exists()
    published = CliRunner().invoke(app, ["publish", str(out), str(site), "--skip-proof"])
    assert published.exit_code == 0, published.output
    assert (site / OTHER / "report.pdf").read_bytes() == (out / OTHER / "report.pdf").read_bytes()


def test_publishing_without_pdftotext_says_what_to_install_or_how_to_publish_unread(demo_build, tmp_path, monkeypatch):
    monkeypatch.setattr("diagnoza.preview.shutil.which", lambda name: None)
    site = tmp_path / "site"
    out = tmp_path / "demo"
    shutil.copytree(demo_build.out_dir, out)
    refused = CliRunner().invoke(app, ["publish", str(out), str(site)])
    assert refused.exit_code == 2 and not site.exists()
    message = " ".join(refused.output.split())
    assert "pdftotext not found: install the Debian package 'poppler-utils'" in message
    assert "or publish them unread: --skip-proof" in message


def test_the_batch_checks_read_the_towns_of_the_batch_not_a_folder_left_by_one_taken_out(
    demo_build, tmp_path, monkeypatch
):
    # A report folder of a town no longer in the batch, whose code sorts before the batch's towns: before, it was
    # the report `diagnoza a11y` checked, and `diagnoza proof` read it too.
    out = tmp_path / "demo"
    shutil.copytree(demo_build.out_dir, out)
    stray = "0190011"
    assert stray < min(TOWN, OTHER)
    shutil.copytree(out / TOWN, out / stray)
    checked = []
    monkeypatch.setattr("diagnoza.accessibility.check_pages", lambda pages: checked.extend(pages) or [])
    assert CliRunner().invoke(app, ["a11y", str(out)]).exit_code == 0
    assert checked == [out / "index.html", out / min(TOWN, OTHER) / "report.html"]
    refused = CliRunner().invoke(app, ["a11y", str(tmp_path)])  # no build's folder
    assert refused.exit_code == 2 and "no readable manifest.json" in refused.output


def test_zip_bundle_holds_the_towns_files_and_every_chart_as_svg_and_png(demo_build):
    notebook = nbformat.read(demo_build.out_dir / TOWN / "report.ipynb", as_version=4)
    captions = [
        output["metadata"]["diagnoza"]["caption"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/svg+xml" in output.get("data", {})
    ]
    assert len(captions) >= 8
    with zipfile.ZipFile(demo_build.out_dir / f"{TOWN}.zip") as bundle:
        names = sorted(bundle.namelist())
        charts = [name for name in names if name.startswith(f"{TOWN}-blawatkopole-wykresy/")]
        assert sorted(set(names) - set(charts)) == sorted(
            [
                f"{TOWN}-blawatkopole.html",
                f"{TOWN}-blawatkopole.pdf",
                f"{TOWN}-blawatkopole-dane.xlsx",
                f"{TOWN}-blawatkopole-dane.csv",
                f"{TOWN}-blawatkopole-dane-excel.csv",
            ]
        )
        assert bundle.read(f"{TOWN}-blawatkopole.pdf") == (demo_build.out_dir / TOWN / "report.pdf").read_bytes()
        # One SVG and one PNG per chart of the report, in its order, named after its caption.
        assert len(charts) == 2 * len(charts_svg := [name for name in charts if name.endswith(".svg")])
        assert len(charts_svg) == len(captions)
        assert charts_svg[0].endswith("-liczba-ludnosci-blawatkopole-dane-i-prognoza-do-2029-r.svg")
        for svg_name in charts_svg:
            svg = bundle.read(svg_name).decode("utf-8")
            png = bundle.read(svg_name[:-4] + ".png")
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            # The PNG is the SVG at 150 ppi: its pixel size is the SVG's size in points × 150 / 72.
            width_pt, height_pt = (
                float(v) for v in re.search(r'width="([0-9.]+)pt" height="([0-9.]+)pt"', svg).groups()
            )
            png_width, png_height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
            assert abs(png_width - width_pt * 150 / 72) <= 1 and abs(png_height - height_pt * 150 / 72) <= 1
        # Opened from the unpacked zip, the page's links lead to the zip's own files: before, they named the
        # files beside the report in the batch's folder (report.pdf, data.xlsx, ../index.html), none of
        # which a recipient of the zip has.
        page = BeautifulSoup(bundle.read(f"{TOWN}-blawatkopole.html"), "html.parser")
        addresses = [a["href"] for a in page.find_all("a") if not a["href"].startswith("#")]
        assert addresses == 2 * [
            f"{TOWN}-blawatkopole.pdf",
            f"{TOWN}-blawatkopole-dane.xlsx",
            f"{TOWN}-blawatkopole-dane-excel.csv",
        ]
        assert set(addresses) <= set(names)


def test_a_report_links_its_own_files_and_the_index(demo_build):
    page = demo_build.out_dir / TOWN / "report.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    links = {a["href"] for a in soup.select(".report-links a")}
    assert {"report.pdf", "data.xlsx", "data-excel.csv", f"../{TOWN}.zip", "../index.html"} <= links
    assert all((page.parent / href).resolve().is_file() for href in links)  # every link leads to a file
    assert len(soup.select("nav.report-links")) == 1  # one navigation landmark; the footer repeats the list


def test_index_links_every_town(demo_build):
    soup = BeautifulSoup((demo_build.out_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["href"] for a in soup.find_all("a")}
    assert {
        f"{TOWN}/report.html",
        f"{TOWN}/report.pdf",
        f"{TOWN}/data.xlsx",
        f"{TOWN}.zip",
        f"{TOWN}/data-excel.csv",
        f"{OTHER}/report.pdf",
    } <= links
    assert len(soup.find("tbody").find_all("tr")) == 54  # every town of the batch is listed, built or not
    text = soup.get_text(" ")
    assert "Zestaw" in text and "Partia" not in text  # a batch, not a political party
    assert "Edycja: 2026-11-22" in " ".join(text.split())  # the edition both reports were built as


def test_the_index_shows_each_built_towns_section_verdicts_as_its_report_does(demo_build):
    from analysis.labels import label
    from analysis.report import prepare_report
    from analysis.town import TownParams

    soup = BeautifulSoup((demo_build.out_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    rows = {tr.find("td").get_text(strip=True): tr for tr in soup.find("tbody").find_all("tr")}
    for teryt in (TOWN, OTHER):
        report = prepare_report(TownParams(teryt=teryt))  # computed here, apart from the build
        cells = {td["data-label"]: td.get_text(strip=True) for td in rows[teryt].find_all("td")}
        for section, row in report.verdicts.iterrows():
            assert cells[label(section)] == label(f"verdict_{row['verdict']}")
    unbuilt = next(tr for teryt, tr in rows.items() if teryt not in (TOWN, OTHER))
    assert [td.get_text(strip=True) for td in unbuilt.select("td.verdict")] == ["", "", ""]  # no report, no verdict


def test_the_index_marks_each_verdict_with_the_shape_and_colour_the_position_chart_gives_its_kind(demo_build):
    # "korzystniej" and "mniej korzystnie" look alike down a column of 54 towns: each verdict gets a mark, the
    # chart's shape and colour for a strength (better), a weakness (worse) or another indicator (similar), drawn
    # by the stylesheet and hidden from screen readers, which read the word beside it.
    from analysis.charts import MARKS
    from analysis.labels import label
    from analysis.scoring import STRENGTH, WEAKNESS
    from analysis.style import VERDICT_MARKS
    from analysis.synthesis import SECTIONS

    shapes = {"^": "▲", "v": "▼", "o": "●"}  # matplotlib's marker codes as the characters that draw them
    for verdict, kind in (("better", STRENGTH), ("worse", WEAKNESS), ("similar", None)):
        colour, marker = MARKS[kind]
        assert VERDICT_MARKS[verdict] == (shapes[marker], colour)
    page = (demo_build.out_dir / "index.html").read_text(encoding="utf-8")
    stylesheet = BeautifulSoup(page, "html.parser").style.get_text()
    for verdict, (symbol, colour) in VERDICT_MARKS.items():
        assert f'.mark-{verdict}::before {{ content: "{symbol}"; color: {colour}; }}' in stylesheet
    rows = {tr.find("td").get_text(strip=True): tr for tr in BeautifulSoup(page, "html.parser").tbody.find_all("tr")}
    marked = 0
    for teryt in (TOWN, OTHER):
        verdicts = json.loads((demo_build.out_dir / teryt / "figures.json").read_text(encoding="utf-8"))["verdicts"]
        for cell in rows[teryt].select("td.verdict"):
            section = next(section for section in SECTIONS if label(section) == cell["data-label"])
            mark = cell.find("span", class_="mark")
            assert mark["class"] == ["mark", f"mark-{verdicts[section]}"] and mark["aria-hidden"] == "true"
            assert mark.get_text() == ""  # the stylesheet draws it: the cell's text is the verdict's word alone
            marked += 1
    # Both towns' three sections. Their six verdicts happen to be alike; the stylesheet check above covers the
    # mark of every verdict.
    assert marked == 6
    unbuilt = next(tr for teryt, tr in rows.items() if teryt not in (TOWN, OTHER))
    assert not unbuilt.select("span.mark")  # no report, no verdict, no mark
    # A town's own page draws the marks of its verdict columns (analysis.display.Table) with the same rules: each
    # mark its page holds, and every other, has one.
    report_page = (demo_build.out_dir / TOWN / "report.html").read_text(encoding="utf-8")
    stylesheet = " ".join(style.get_text() for style in BeautifulSoup(report_page, "html.parser").find_all("style"))
    for verdict, (symbol, colour) in VERDICT_MARKS.items():
        assert f'.verdict-mark-{verdict}::before {{ content: "{symbol}"; color: {colour}; }}' in stylesheet
    assert BeautifulSoup(report_page, "html.parser").select("span.verdict-mark[aria-hidden=true]")


def test_the_batch_workbook_beside_the_index_holds_the_built_towns_figures_as_their_reports(demo_build):
    from analysis.catalogue import indicators
    from analysis.report import prepare_report
    from analysis.rounding import round_half_up
    from analysis.town import TownParams

    out = demo_build.out_dir
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert {"batch.xlsx", "batch.csv", "batch-excel.csv"} <= {a["href"] for a in soup.find_all("a")}
    sheets = pd.read_excel(out / "batch.xlsx", sheet_name=None, dtype={"TERYT": str}, engine="openpyxl")
    figures, verdicts = sheets["Wskaźniki"], sheets["Oceny części"]
    assert sorted(verdicts["TERYT"]) == sorted([TOWN, OTHER])  # the built towns only
    report = prepare_report(TownParams(teryt=TOWN))  # computed here, apart from the build
    mine = figures.loc[figures["TERYT"] == TOWN].set_index("Kod wskaźnika")
    assert len(mine) == len(indicators())
    for indicator_id in ("births_per_1000", "pit_per_capita", "population"):
        decimals = indicators()[indicator_id].decimals
        for column, key in (("Wartość", "value"), ("Mediana grupy", "peer_median")):
            expected = float(round_half_up(report.comparison.at[indicator_id, key], decimals))
            assert mine.at[indicator_id, column] == pytest.approx(expected), (indicator_id, column)
    # what each verdict rests on: three sections per built town, the same rows as the town's own workbook
    grounds = sheets["Podstawy ocen"]
    assert sorted(grounds["TERYT"]) == sorted([TOWN] * 3 + [OTHER] * 3)
    own = pd.read_excel(out / TOWN / "data.xlsx", sheet_name="Oceny części", engine="openpyxl")
    pd.testing.assert_frame_equal(
        grounds.loc[grounds["TERYT"] == TOWN, own.columns].reset_index(drop=True), own, check_dtype=False
    )
    people = pd.read_csv(out / "batch-excel.csv", sep=";", decimal=",", dtype={"TERYT": str}, encoding="utf-8-sig")
    # TERYT codes as Excel keeps them text (analysis.export.for_excel)
    assert len(people) == len(figures) and set(people["TERYT"]) == {f'="{TOWN}"', f'="{OTHER}"'}


@pytest.mark.usefixtures("pdftotext")
def test_the_pdfs_have_no_print_faults(demo_build):
    # diagnoza.proof's checks (each shown to find its fault in tests/diagnoza/test_proof.py) on the two towns:
    # no words printed over each other, no chart caption without its chart, the key figures wholly on page
    # one (the first town's page one is the fullest of the demo batch), no Polish line-break errors.
    from diagnoza.proof import proof_batch, read_pages

    assert proof_batch(demo_build.out_dir) == {TOWN: [], OTHER: []}
    for teryt in (TOWN, OTHER):  # the checks read whole reports, with their charts
        assert sum(len(page.lines) for page in read_pages(demo_build.out_dir / teryt / "report.pdf")) > 300
        assert (demo_build.out_dir / teryt / "report.html").read_text(encoding="utf-8").count("<figcaption") > 5


@pytest.mark.usefixtures("pdftotext")
def test_no_page_is_left_half_empty_while_its_section_goes_on(demo_build):
    # A section's position chart, the tallest of its charts, stood after the section's text: where it did not fit
    # below it, page 3 was left half empty (in 41 of the 54 demo reports, both towns here among them; its text
    # ended at 52% and 57% of the page). It now opens the section, where a new page always has room for it.
    # `diagnoza proof` finds such a page from the words' boxes (tested on pages typeset in test_proof).
    from diagnoza.proof import half_empty_page, read_pages

    for teryt in (TOWN, OTHER):
        pages = read_pages(demo_build.out_dir / teryt / "report.pdf")
        assert [fault for page, following in zip(pages, pages[1:]) for fault in half_empty_page(page, following)] == []


@pytest.mark.usefixtures("pdftotext")
def test_a_range_in_a_pdf_table_header_stays_on_one_line(demo_build):
    # The scores table's "Wynik (od −2 do +2)" broke into four lines in its narrow column, "+2)" alone on the
    # last: its scale is held whole, so the header takes two ("Wynik (od" / "−2 do +2)"). Read from the words'
    # boxes: "(od" and "+2)" (the caption's own "+2)," has its comma) one line apart, "−2" beside "+2)".
    from diagnoza.proof import read_pages

    for teryt in (TOWN, OTHER):
        page = next(
            p
            for p in read_pages(demo_build.out_dir / teryt / "report.pdf")
            if "Ocenaczęściraportu:wynik" in p.squeezed()
        )
        opening, closing = (next(w for w in page.words if w.text == text) for text in ("(od", "+2)"))
        height = opening.bottom - opening.top
        assert 0.5 * height < closing.top - opening.top < 1.6 * height, teryt
        assert any(w.text == "−2" and abs(w.top - closing.top) < 0.5 * height for w in page.words), teryt


def test_the_kept_notebook_is_not_typeset_only_its_page_and_pdf_are(demo_build):
    notebook = (demo_build.out_dir / TOWN / "report.ipynb").read_text(encoding="utf-8")
    page = (demo_build.out_dir / TOWN / "report.html").read_text(encoding="utf-8")
    assert "\u00a0r." not in notebook and "w 2024 r." in notebook  # the record is the notebook as it ran
    assert "w\u00a02024\u00a0r." in page and "w 2024 r." not in page


# --- a crafted store --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crafted_build(tmp_path_factory):
    """A copy of the demo store where OTHER has a hostile name and TOWN lacks its 2024 population."""
    root = tmp_path_factory.mktemp("crafted")
    store = load_store(DEMO_STORE_DIR)
    units = store.units.copy()
    units.loc[units["teryt"] == OTHER, "name"] = HOSTILE_NAME
    observations = store.observations
    broken = (
        (observations["teryt"] == TOWN)
        & (observations["year"] == 2024)
        & (observations["var_id"].isin([variable_ids()["population"]]))
    )
    metadata = {**store.metadata, "synthetic": False, "fetched": "2026-11-20T09:30:00+00:00"}  # as if from BDL
    write_store(root / "store", units, observations.loc[~broken], metadata)
    params = yaml.safe_load((PARAMS_DIR / "demo.yaml").read_text(encoding="utf-8"))
    params.update(batch="crafted", data=str(root / "store"), towns=[OTHER, TOWN])
    (root / "crafted.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    # One worker, in this process: a failing town among good ones in the pool of worker processes has tests
    # of its own below (killed workers, an unrecordable failure with workers=2).
    runner = CliRunner()
    result = runner.invoke(app, ["build", str(root / "crafted.yaml"), "--out", str(root / "reports"), "--workers", "1"])
    return root / "reports" / "crafted", result


def test_a_failing_town_does_not_stop_the_others(crafted_build):
    out, result = crafted_build
    assert result.exit_code == 1
    said = result.output.split(f"failed: {TOWN}")[1]
    assert f"(log: {out / '_failed' / TOWN / 'error.log'})" in said  # where to look; no earlier report to keep
    assert (out / OTHER / "report.pdf").is_file()
    assert not (out / TOWN).exists()
    kept = nbformat.read(out / "_failed" / TOWN / "report.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in kept.cells for o in c.get("outputs", []))
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    row = [tr for tr in index.find("tbody").find_all("tr") if tr.td.get_text() == TOWN][0]
    assert "nie powstał: budowa raportu nie powiodła się" in row.get_text() and not row.find_all("a")
    assert "population" in row.details.code.get_text()  # the error, for the analyst, under "szczegóły techniczne"


def test_the_published_index_says_a_report_is_not_available_without_the_analysts_details(crafted_build, tmp_path):
    # Before, the readers' copy kept the analysts' index: the error under "szczegóły techniczne", the path of a
    # log the copy does not hold, and their wording ("nie powstał: budowa raportu…", "Błędy: 1" in red).
    out, _ = crafted_build
    site = tmp_path / "site"
    published = CliRunner().invoke(app, ["publish", str(out), str(site), *UNLESS_PROOFREAD])
    assert published.exit_code == 0
    # Whoever publishes is told which town it is, which the readers' index does not say beyond "niedostępny".
    said = " ".join(published.output.split())
    assert f"No report to publish (the index lists them as unavailable): {TOWN} Bławatkopole" in said
    assert "earlier build" not in said
    page = (site / "index.html").read_text(encoding="utf-8")
    rows = {tr.td.get_text(): tr for tr in BeautifulSoup(page, "html.parser").find("tbody").find_all("tr")}
    assert rows[TOWN].find_all("td")[-1].get_text() == "raport niedostępny"
    assert "Gotowe raporty: 1&nbsp;/&nbsp;2" in page and "Błędy" not in page and "nie powstał" not in page
    assert "szczegóły techniczne" not in page and "error.log" not in page and "population" not in page
    assert "Błędy: 1" in (out / "index.html").read_text(encoding="utf-8")  # the analysts' index is unchanged
    assert rows[OTHER].find("a", href=f"{OTHER}/report.pdf") is not None
    assert not (site / "_failed").exists()


def test_names_from_data_are_escaped_everywhere(crafted_build):
    out, _ = crafted_build
    for page in (out / OTHER / "report.html", out / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<b>Ś</b>" not in text, page.name
        assert "&lt;script&gt;alert" in text, page.name
        soup = BeautifulSoup(text, "html.parser")
        assert HOSTILE_NAME in soup.get_text(), page.name  # shown literally, as text
    pdf, _ = pdf_text(out / OTHER / "report.pdf")
    assert 'Gmina "Łąka"' in pdf or "Gmina “Łąka”" in pdf


def test_real_data_reports_name_bdl_and_the_data_vintage(crafted_build):
    out, _ = crafted_build
    pdf, _ = pdf_text(out / OTHER / "report.pdf")
    assert "Źródło: GUS, Bank Danych Lokalnych. Stan danych: 2026-11-20" in pdf
    assert "Dane syntetyczne" not in pdf
    html = BeautifulSoup((out / OTHER / "report.html").read_text(encoding="utf-8"), "html.parser").get_text()
    assert "Stan danych: 2026-11-20" in html
    assert "Stan danych: 2026-11-20" in (out / "index.html").read_text(encoding="utf-8")


def test_unknown_code_stops_before_anything_is_built(tmp_path):
    params = yaml.safe_load((PARAMS_DIR / "demo.yaml").read_text(encoding="utf-8"))
    params["towns"] = params["towns"][:2] + ["1465011"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(params), encoding="utf-8")
    result = CliRunner().invoke(app, ["build", str(path), "--out", str(tmp_path / "reports")])
    assert result.exit_code == 2
    assert "1465011" in result.output and "towns[2]" in result.output
    assert not (tmp_path / "reports").exists()


def test_only_must_name_towns_of_the_batch(tmp_path):
    result = CliRunner().invoke(
        app, ["build", str(PARAMS_DIR / "demo.yaml"), "--only", "0290099", "--out", str(tmp_path / "reports")]
    )
    assert result.exit_code == 2 and "0290099" in result.output
    # An option of the command, as --edition's and --previous's errors say: the batch file is not at fault.
    assert "--only: invalid option" in result.output and "batch parameters" not in result.output


def test_validate_counts_the_towns_in_english_that_agrees_and_names_the_edition(tmp_path):
    one = tmp_path / "one.yaml"
    one.write_text(
        'batch: one\nyears: {first: 2014, last: 2024}\nedition: 2027-03-31\ntowns: ["0290011"]\n', encoding="utf-8"
    )
    outputs = [CliRunner().invoke(app, ["validate", str(path)]).output for path in (one, PARAMS_DIR / "demo.yaml")]
    assert "batch 'one', 1 town, years 2014–2024, language pl, edition 2027-03-31" in outputs[0]
    assert "batch 'demo', 54 towns, years 2014–2024, language pl, edition the day of the build" in outputs[1]


def test_validate_names_the_indicators_no_report_will_have_and_still_passes(tmp_path):
    # The sparse store lacks every variable only public services read (tests/conftest.py): not an error, but
    # before a build the analyst learns which indicators every report will give as "no data", and why.
    from tests.conftest import write_sparse_store

    store = write_sparse_store(tmp_path / "sparse")
    batch = tmp_path / "two.yaml"
    batch.write_text('batch: two\nyears: {first: 2023, last: 2024}\ntowns: ["0290011"]\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(batch), "--data", str(store)])
    assert result.exit_code == 0 and "OK" in result.output
    note = result.output.split("note: ", 1)[1]
    assert "library_readers_per_1000" in note and "preschool_coverage" in note and "Fetch them" not in note
    assert "population" not in note.split(";")[0]  # the variables it lacks, not the ones it has
    full = CliRunner().invoke(app, ["validate", str(PARAMS_DIR / "demo.yaml")])
    notes = [line for line in full.output.splitlines() if line.startswith("note:")]
    assert full.exit_code == 0 and len(notes) == 1 and notes[0].startswith("note: GUS marks")  # and nothing lacks
    # A build says it too, for the analyst who builds without validating first.
    out = tmp_path / "reports"
    planned = CliRunner().invoke(app, ["build", str(batch), "--data", str(store), "--dry-run", "--out", str(out)])
    assert planned.exit_code == 0 and "note: " + note in planned.output


def test_validate_and_the_dry_run_name_the_variables_the_last_year_lacks(tmp_path, demo_store):
    # The demo store without 2024's PIT share (fetched before GUS published it): the reports give PIT as of 2023
    # and match on own revenue, and before a build the analyst learns which variables 2024 lacks.
    from analysis.catalogue import variables
    from analysis.store import write_store

    observations = demo_store.observations
    pit = variables()["pit_share_revenue"].bdl_id
    late = observations.loc[~((observations["year"] == 2024) & (observations["var_id"] == pit))]
    store = tmp_path / "store"
    write_store(store, demo_store.units, late, dict(demo_store.metadata))
    batch = tmp_path / "late.yaml"
    batch.write_text('batch: late\nyears: {first: 2014, last: 2024}\ntowns: ["0290011"]\n', encoding="utf-8")
    said = "note: the store holds no value in 2024 of 1 catalogue variable: pit_share_revenue;"
    checked = CliRunner().invoke(app, ["validate", str(batch), "--data", str(store)])
    assert checked.exit_code == 0 and "OK" in checked.output and said in checked.output
    out = tmp_path / "reports"
    planned = CliRunner().invoke(app, ["build", str(batch), "--data", str(store), "--dry-run", "--out", str(out)])
    assert planned.exit_code == 0 and said in planned.output and "will fail" not in planned.output


def test_a_town_the_store_cannot_match_is_named_by_validate_and_the_dry_run_as_its_build_then_fails_it(tmp_path):
    # 0290021 has no figures in 2024, the year peers are matched on: the batch is well formed, but its
    # report cannot be computed. Before, `validate` said OK and only the build, towns later, failed it.
    from tests.conftest import write_sparse_store

    store = write_sparse_store(tmp_path / "sparse")
    observations = pd.read_parquet(store / "observations.parquet")
    gone = (observations["teryt"] == "0290021") & (observations["year"] == 2024)
    observations.loc[~gone].to_parquet(store / "observations.parquet")
    batch = tmp_path / "two.yaml"
    batch.write_text('batch: two\nyears: {first: 2023, last: 2024}\ntowns: ["0290011", "0290021"]\n', encoding="utf-8")
    why = (
        "no population in 2024, which nearest peers are matched on; give this town the 'voivodeship', 'powiat' or"
        " 'explicit' peer rule"
    )

    checked = CliRunner().invoke(app, ["validate", str(batch), "--data", str(store)])
    assert checked.exit_code == 1 and "OK" not in checked.output
    assert "1 of 2 towns cannot be built on this store" in checked.output
    assert f"  - 0290021 {load_store(store).unit('0290021')['name']}: {why}" in checked.output.splitlines()
    out = tmp_path / "reports"
    planned = CliRunner().invoke(app, ["build", str(batch), "--data", str(store), "--dry-run", "--out", str(out)])
    lines = {line.split(":")[0]: line for line in planned.output.splitlines() if line.startswith("build ")}
    assert lines["build 0290021 " + load_store(store).unit("0290021")["name"]].endswith(f"will fail: {why}")
    assert "will fail" not in lines["build 0290011 " + load_store(store).unit("0290011")["name"]]
    built = CliRunner().invoke(app, ["build", str(batch), "--data", str(store), "--only", "0290021", "--out", str(out)])
    assert built.exit_code == 1 and why in built.output  # the build fails it for the reason given before


def test_an_output_folder_that_cannot_be_written_is_named_before_anything_is_built(tmp_path):
    # A file where the folder should be (as a mistyped --out can meet): one line naming the folder and
    # why, exit code 2, at once; before, a traceback after the batch was planned.
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["build", str(PARAMS_DIR / "demo.yaml"), "--only", "0290011", "--out", str(blocker / "sub")]
    )
    assert result.exit_code == 2
    assert result.output.strip() == f"{blocker / 'sub' / 'demo'}: cannot write the reports there (Not a directory)"
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_only_takes_every_town_named_whether_repeated_or_comma_separated(tmp_path):
    # 290021 is 0290021 without its leading zero (as a spreadsheet leaves it): padded, as in a batch file.
    result = CliRunner().invoke(
        app,
        ["build", str(PARAMS_DIR / "demo.yaml"), "--only", "0290011,290021", "--only", "0490013", "--dry-run"]
        + ["--out", str(tmp_path / "reports")],
    )
    assert result.exit_code == 0, result.output
    planned = {code for code in ("0290011", "0290021", "0490013", "0490033") if code in result.output}
    assert planned == {"0290011", "0290021", "0490013"}


@pytest.mark.parametrize("given", ["", " , "])
def test_an_empty_only_is_refused_not_taken_for_the_whole_batch(tmp_path, given):
    # `--only "$TOWN"` in a script whose TOWN is unset: one town was meant, and all 54 were planned.
    result = CliRunner().invoke(
        app, ["build", str(PARAMS_DIR / "demo.yaml"), "--only", given, "--dry-run", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "--only: no town given" in result.output and "would be built" not in result.output


def test_only_takes_a_town_by_its_name_too(tmp_path):
    # Names as the store gives them (Bursztynojar is 0290011, Bławatkopole 0490013: params/demo.yaml's comments),
    # in any case and with or without Polish letters; a name that is no town of the batch is named as such, not as
    # a "TERYT code".
    def dry_run(*only):
        return CliRunner().invoke(
            app,
            ["build", str(PARAMS_DIR / "demo.yaml"), "--dry-run", "--out", str(tmp_path / "reports")]
            + [arg for value in only for arg in ("--only", value)],
        )

    result = dry_run("bursztynojar,blawatkopole")
    assert result.exit_code == 0, result.output
    planned = {code for code in ("0290011", "0490013", "0290021") if code in result.output}
    assert planned == {"0290011", "0490013"} and "2 would be built" in result.output
    result = dry_run("Warszawa")
    assert result.exit_code == 2
    assert "Warszawa is neither a TERYT code nor the name of a town of batch 'demo'" in result.output
    assert "(did you mean" not in result.output  # no town of the batch is named like it
    # A slip is answered with the name it resembles; a gmina of the store that the batch does not list (Żurawiolas,
    # 0292011, as `diagnoza data towns żuraw` lists it) is said to be one, not "did you mean Żurawiołęka?".
    result = dry_run("Bursztynoja")
    assert (
        "Bursztynoja is neither a TERYT code nor the name of a town of batch 'demo' (did you mean Bursztynojar?)"
        in (result.output)
    )
    result = dry_run("Żurawiolas", "0292011")
    assert "Żurawiolas (0292011) is a gmina of the store, not a town of batch 'demo'" in result.output
    assert "TERYT code 0292011 (Żurawiolas) is a gmina of the store, not a town of batch 'demo'" in result.output
    assert "did you mean" not in result.output


def test_a_name_two_towns_of_the_batch_share_is_refused_with_their_codes():
    # Gmina names repeat in Poland (many a "Nowa Wieś"): such a name builds neither, and the codes are offered.
    from types import SimpleNamespace

    from analysis.params import ParamsError, parse_batch
    from diagnoza.build import chosen_towns

    batch = parse_batch({"batch": "x", "years": {"first": 2014, "last": 2024}, "towns": ["0290011", "0490013"]})
    units = pd.DataFrame(
        {
            "teryt": ["0290011", "0490013"],
            "name": ["Nowa Wieś"] * 2,
            "kind": ["urban", "urban-rural"],
            "voivodeship": ["dolnośląskie", "kujawsko-pomorskie"],
        }
    )
    same_name = SimpleNamespace(units=units)
    with pytest.raises(ParamsError) as raised:
        chosen_towns(["nowa wieś"], batch, same_name)
    assert raised.value.problems == [  # each told apart by its kind and voivodeship, as `data towns` lists them
        "nowa wieś names 2 towns of batch 'x': give 0290011 (gmina miejska, dolnośląskie) or 0490013 (gmina "
        "miejsko-wiejska, kujawsko-pomorskie)"
    ]
    assert chosen_towns(["0490013"], batch, same_name) == ["0490013"]
    # The name of two gminy of the store, neither of them in the batch: both named, in the plural.
    outside = parse_batch({"batch": "y", "years": {"first": 2014, "last": 2024}, "towns": ["0690011"]})
    with pytest.raises(ParamsError) as raised:
        chosen_towns(["Nowa Wies"], outside, same_name)
    assert raised.value.problems == ["Nowa Wies (0290011, 0490013) are gminy of the store, not towns of batch 'y'"]


@pytest.mark.parametrize("edition", ["2026-02-30", "30.11.2026"])
def test_an_edition_that_is_no_date_is_refused_before_anything_runs(tmp_path, edition):
    # Every town's notebook would refuse it; before, the build died on the first town with a traceback.
    result = CliRunner().invoke(
        app,
        ["build", str(PARAMS_DIR / "demo.yaml"), "--edition", edition, "--dry-run", "--out", str(tmp_path)],
    )
    assert result.exit_code == 2, result.output
    assert f"--edition: invalid option\n  - must be a date YYYY-MM-DD, or empty for today (got '{edition}')" in (
        result.output
    )
    assert "Traceback" not in result.output and not (tmp_path / "demo").exists()


def test_an_edition_before_the_batchs_data_is_refused_before_anything_runs(tmp_path):
    # The demo batch's last year is 2024: `--edition 2016-12-06` (a typo for 2026) would date 54 reports before
    # their data existed. A single town run refuses it too (`TownParams`), naming the parameter.
    from pydantic import ValidationError

    from analysis.town import TownParams

    arguments = ["build", str(PARAMS_DIR / "demo.yaml"), "--dry-run", "--out", str(tmp_path), "--edition"]
    result = CliRunner().invoke(app, [*arguments, "2016-12-06"])
    assert result.exit_code == 2, result.output
    assert "--edition: invalid option\n  - 2016-12-06 comes before the data it reports on: their last year is 2024" in (
        result.output
    )
    assert not (tmp_path / "demo").exists()
    assert CliRunner().invoke(app, [*arguments, "2025-06-30"]).exit_code == 0
    with pytest.raises(
        ValidationError, match="edition\n.*comes before the data it reports on: their last year is 2020"
    ):
        TownParams(teryt="0290011", first_year=2014, last_year=2020, edition="2020-06-30")
    assert TownParams(teryt="0290011", first_year=2014, last_year=2020, edition="2021-06-30").edition == "2021-06-30"


def test_previous_must_be_an_earlier_edition_of_the_batch(tmp_path):
    def dry_run(previous, *options):
        return CliRunner().invoke(
            app,
            ["build", str(PARAMS_DIR / "demo.yaml"), "--only", "0290011", "--dry-run", "--previous", str(previous)]
            + ["--out", str(tmp_path / "reports"), *options],
        )

    # A mistyped folder (here: empty) would give every report silently no "what changed" section.
    empty = tmp_path / "empty"
    empty.mkdir()
    result = dry_run(empty)
    assert result.exit_code == 2 and "holds no earlier edition of batch 'demo'" in result.output
    other = tmp_path / "other"
    (other / "0290011").mkdir(parents=True)
    (other / "0290011" / "figures.json").write_text("{}", encoding="utf-8")
    (other / "manifest.json").write_text('{"batch": "small"}', encoding="utf-8")
    result = dry_run(other)
    assert result.exit_code == 2 and "is an edition of batch 'small', not of 'demo'" in result.output
    # Records it cannot read (here: of no format) are no edition either, said once rather than town by town.
    unreadable = tmp_path / "unreadable"
    (unreadable / "0290021").mkdir(parents=True)
    (unreadable / "0290021" / "figures.json").write_text("{}", encoding="utf-8")
    result = dry_run(unreadable)
    assert result.exit_code == 2 and "none of its towns has a readable <TERYT>/figures.json" in result.output
    # An edition holding another town of the batch is one: the town asked for may be new to it.
    edition = tmp_path / "edition"
    (edition / "0290021").mkdir(parents=True)
    (edition / "0290021" / "figures.json").write_text(
        json.dumps({"format": FORMAT, "teryt": "0290021"}), encoding="utf-8"
    )
    result = dry_run(edition)
    assert result.exit_code == 0, result.output
    # ... and the build says so: without it, that town's report lacks the section on what changed, unsaid.
    assert f"0290011 Bursztynojar is not in the earlier edition {edition} (new to the batch since)" in result.output
    (edition / "0290011").mkdir()
    (edition / "0290011" / "figures.json").write_text(
        json.dumps({"format": FORMAT, "teryt": "0290011"}), encoding="utf-8"
    )
    result = dry_run(edition)
    assert result.exit_code == 0 and "not in the earlier edition" not in result.output, result.output
    # An "earlier" edition dated after this build (folders swapped, a mistyped --edition) is refused once, before
    # every report says what changed since an edition that came after it; the same day is a rebuild's, and fine.
    for teryt in ("0290011", "0290021"):
        record = edition / teryt / "figures.json"
        record.write_text(json.dumps({"format": FORMAT, "teryt": teryt, "edition": "2026-06-30"}), encoding="utf-8")
    result = dry_run(edition, "--edition", "2026-06-29")
    assert result.exit_code == 2 and (
        f"{edition} holds reports of edition 2026-06-30, later than this build's edition 2026-06-29" in result.output
    )
    assert dry_run(edition, "--edition", "2026-06-30").exit_code == 0
    # The build's own output folder would have its figures replaced by the build that compares with them.
    own = tmp_path / "reports" / "demo"
    shutil.copytree(edition, own)
    for given in (own, tmp_path / "reports" / ".." / "reports" / "demo"):
        result = dry_run(given)
        assert result.exit_code == 2 and f"{given} is this build's own output folder" in result.output


def test_a_report_of_another_edition_keeps_its_record_when_replaced_and_the_dry_run_says_where(tmp_path):
    # Building a new edition into the folder of the last one replaced the last one's records, and with them
    # what the new edition could compare with, unless the analyst had copied the folder first.
    out = tmp_path / "reports" / "demo"
    record = {"format": FORMAT, "teryt": "0290011", "edition": "2026-06-30", "indicators": {}}
    (out / "0290011").mkdir(parents=True)
    (out / "0290011" / "figures.json").write_text(json.dumps(record), encoding="utf-8")

    def dry_run(edition, *options):
        result = CliRunner().invoke(
            app,
            ["build", str(PARAMS_DIR / "demo.yaml"), "--only", "0290011", "--dry-run", "--edition", edition]
            + ["--out", str(tmp_path / "reports"), *options],
        )
        assert result.exit_code == 0, result.output
        return result.output

    kept = out / "editions" / "2026-06-30"
    assert (
        f"1 report of edition 2026-06-30 would be replaced; its figures would be kept in {kept} "
        f"(to say what changed since that edition: --previous {kept})"
    ) in dry_run("2026-07-01")
    assert "would be replaced" not in dry_run("2026-06-30")  # a rebuild of the same edition replaces its own
    assert not kept.exists()  # a dry run keeps nothing

    # What the build does just before it swaps the new report in: the record, byte for byte, where --previous
    # takes it; nothing for a rebuild of the same edition.
    assert keep_earlier_record(out, "0290011", "2026-06-30") == "" and not kept.exists()
    assert keep_earlier_record(out, "0290011", "2026-07-01") == "2026-06-30"
    assert (kept / "0290011" / "figures.json").read_bytes() == (out / "0290011" / "figures.json").read_bytes()
    assert keep_earlier_record(out, "0290021", "2026-07-01") == ""  # no report in place, nothing to keep
    # The folder of kept editions given instead of one of them: the editions it holds are named.
    result = CliRunner().invoke(
        app,
        ["build", str(PARAMS_DIR / "demo.yaml"), "--dry-run", "--previous", str(out / "editions")]
        + ["--out", str(tmp_path / "elsewhere")],
    )
    assert result.exit_code == 2 and f"(give one of the editions kept in it: {kept})" in result.output
    # A readers' copy (`diagnoza publish`) has none of the records: said so, with where they are.
    site = tmp_path / "site"
    (site / "0290011").mkdir(parents=True)
    (site / ".diagnoza-published").write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["build", str(PARAMS_DIR / "demo.yaml"), "--dry-run", "--previous", str(site), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "it is a copy for readers, made by diagnoza publish" in result.output


def test_a_build_stopped_by_another_on_its_folder_has_written_nothing_there(tmp_path):
    # Keeping the replaced edition's records came before the build took the batch's folder: a second build,
    # started while another ran (or a publication copied the folder), wrote kept records into it and only then
    # stopped on the lock.
    out = tmp_path / "reports" / "demo"
    record = {"format": FORMAT, "teryt": "0290011", "edition": "2026-06-30", "indicators": {}}
    (out / "0290011").mkdir(parents=True)
    (out / "0290011" / "figures.json").write_text(json.dumps(record), encoding="utf-8")
    build = ["build", str(PARAMS_DIR / "demo.yaml"), "--only", "0290011", "--edition", "2026-07-01"]
    build += ["--out", str(tmp_path / "reports")]
    with batch_lock(out, "diagnoza publish"):
        before = sorted(path.relative_to(out) for path in out.rglob("*"))
        result = CliRunner().invoke(app, build)
        assert result.exit_code == 2 and "is in use: diagnoza publish is running" in result.output, result.output
        assert sorted(path.relative_to(out) for path in out.rglob("*")) == before  # no editions/ folder, nothing
        # A dry run writes nothing, so it needs no lock: it plans while the other holds the folder.
        result = CliRunner().invoke(app, [*build, "--dry-run"])
        assert result.exit_code == 0 and "1 report of edition 2026-06-30 would be replaced" in result.output


# seconds: the slowest cell (charts) takes 1.5 s alone, 3-4 s when the suite's workers share the cores
TEST_CELL_TIMEOUT = 8


@pytest.mark.parametrize(
    "trouble, code, error",
    [
        # sleeps past the cell timeout (TEST_CELL_TIMEOUT here, 600 s in production)
        (
            "a hang",
            "time.sleep(120)",
            f"CellTimeoutError: A cell timed out while it was being executed, after {TEST_CELL_TIMEOUT} seconds",
        ),
        # the kernel killed, as the out-of-memory killer does
        ("a dead kernel", "os.kill(os.getpid(), signal.SIGKILL)", "DeadKernelError: Kernel died"),
    ],
)
def test_a_town_whose_kernel_hangs_or_dies_fails_alone_and_the_batch_goes_on(
    tmp_path, monkeypatch, trouble, code, error
):
    # One cell of TOWN's run misbehaves: that town fails with what happened named in its result, its warm
    # kernel is replaced, and OTHER builds next in the same worker. Before, the warm kernel's connection
    # was a blocking one, on which nbclient can watch neither the clock nor the kernel: both waited for ever.
    import time

    from diagnoza import kernels
    from diagnoza.build import ERROR_HINTS, build_batch

    real = kernels._with_reset_cell

    def with_trouble() -> nbformat.NotebookNode:
        notebook = real()
        at = next(i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
        cell = nbformat.v4.new_code_cell(f"import os, signal, time\nif teryt == {TOWN!r}:\n    {code}")
        notebook.cells.insert(at + 1, cell)  # papermill injects the town's parameters between the two
        return notebook

    monkeypatch.setattr(kernels, "_with_reset_cell", with_trouble)
    monkeypatch.setattr(kernels, "CELL_TIMEOUT", TEST_CELL_TIMEOUT)
    started = time.monotonic()
    result = build_batch(PARAMS_DIR / "demo.yaml", only=[TOWN, OTHER], workers=1, out_root=tmp_path, force=True)
    assert time.monotonic() - started < 90, trouble
    status = {town.teryt: town for town in result.towns}
    assert status[TOWN].status == "failed" and status[TOWN].error.startswith(error)
    assert status[TOWN].error.endswith(f"({ERROR_HINTS[error.split(':')[0]]})")  # what the bare message leaves out
    assert status[OTHER].status == "built" and (result.out_dir / OTHER / "report.pdf").is_file()
    assert (result.out_dir / "_failed" / TOWN / "error.log").is_file() and not (result.out_dir / TOWN).exists()


def test_a_town_that_kills_its_build_process_fails_alone_and_the_others_build(tmp_path, monkeypatch):
    # TOWN's build kills its worker process: the pool breaks and takes every unfinished town with it. Those
    # are built again, each in a process of its own: TOWN dies again and fails, named; the others build.
    # Before, the first death ended the whole batch with BrokenProcessPool.
    from diagnoza import build
    from tests.diagnoza.dying_worker import build_town_or_die

    monkeypatch.setattr(build, "build_town", build_town_or_die)  # what the pool sends its workers, by name
    towns = [TOWN, OTHER]
    result = build.build_batch(PARAMS_DIR / "demo.yaml", only=towns, workers=2, out_root=tmp_path, force=True)
    status = {town.teryt: town for town in result.towns}
    assert [town.teryt for town in result.towns] == sorted(towns, key=load_batch_order().index)
    assert status[TOWN].status == "failed" and status[TOWN].error == f"BrokenProcessPool: {build.WORKER_DIED}"
    assert (result.out_dir / "_failed" / TOWN / "error.log").read_text(encoding="utf-8").startswith(TOWN)
    for teryt in towns[1:]:
        assert status[teryt].status == "built" and (result.out_dir / teryt / "report.pdf").is_file()
    assert not (result.out_dir / TOWN).exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_town_whose_failure_cannot_even_be_recorded_fails_named_and_the_others_build(tmp_path, monkeypatch, workers):
    # build_town reports a town's failure itself; when that report fails too (a full disk), the exception
    # reached the batch: it stopped, and the towns after it were not built.
    from diagnoza import build
    from tests.diagnoza.dying_worker import build_town_or_raise

    monkeypatch.setattr(build, "build_town", build_town_or_raise)
    result = build.build_batch(PARAMS_DIR / "demo.yaml", only=[TOWN, OTHER], workers=workers, out_root=tmp_path)
    status = {town.teryt: town for town in result.towns}
    assert status[TOWN].status == "failed" and status[TOWN].error == "OSError: [Errno 28] No space left on device"
    assert status[OTHER].status == "built" and (result.out_dir / OTHER / "report.pdf").is_file()
    assert TOWN in (result.out_dir / "index.html").read_text(encoding="utf-8")  # named there as failed


def test_a_town_built_again_alone_whose_failure_cannot_be_recorded_fails_named(tmp_path, monkeypatch):
    # The same, for a town that first took its worker down with it and is then built in a process of its own.
    from diagnoza import build
    from tests.diagnoza.dying_worker import build_town_dies_then_raises

    monkeypatch.setattr(build, "build_town", build_town_dies_then_raises)
    result = build.build_batch(PARAMS_DIR / "demo.yaml", only=[TOWN, OTHER], workers=2, out_root=tmp_path, force=True)
    status = {town.teryt: town for town in result.towns}
    assert status[TOWN].status == "failed" and status[TOWN].error == "OSError: [Errno 28] No space left on device"
    assert status[OTHER].status == "built" and (result.out_dir / OTHER / "report.pdf").is_file()


@pytest.mark.parametrize(
    "record, cost",
    [
        ("manifest.json", "the towns built now are not recorded, so the next build builds them again"),
        ("index.html", "the reports are in place; the next build writes the index again"),
    ],
)
def test_a_record_that_cannot_be_written_at_the_end_is_named_with_what_it_costs(tmp_path, monkeypatch, record, cost):
    # The manifest and the index are written last, when a disk may have filled up: before, a traceback.
    # A folder where the record is staged stands in for the full disk; no town needs building for it.
    from diagnoza import build
    from tests.diagnoza.dying_worker import build_town_or_raise

    monkeypatch.setattr(build, "build_town", build_town_or_raise)
    (tmp_path / "demo" / f".{record}.tmp").mkdir(parents=True)
    result = CliRunner().invoke(
        app, ["build", str(PARAMS_DIR / "demo.yaml"), "--only", TOWN, "--workers", "1", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2  # as for every error that stops a build (1: towns failed)
    assert "Traceback" not in result.output
    assert result.output.strip().endswith(
        f"{tmp_path / 'demo' / record}: could not be written (Is a directory); {cost}"
    ), result.output


def load_batch_order() -> list[str]:
    from analysis.params import load_batch

    return load_batch(PARAMS_DIR / "demo.yaml").teryts


def test_validate_and_the_build_say_which_figures_gus_marks_in_the_batchs_years(tmp_path, demo_store):
    # The demo store marks 2024's migration "s", 2021's water and sewage shares "M" and the dwellings of gminy
    # under 5,000 residents "v" (analysis/demo_data.py). Counted here from the store's own column: the gminy
    # of each variable and mark in the batch's years.
    from analysis.catalogue import variable_ids

    observations = demo_store.observations
    key_of = {bdl_id: key for key, bdl_id in variable_ids().items()}
    marked = observations.loc[(observations["mark"] != "") & observations["year"].between(2014, 2024)]
    expected = {
        (key_of[var_id], mark): rows["teryt"].nunique() for (var_id, mark), rows in marked.groupby(["var_id", "mark"])
    }
    assert expected[("net_migration", "s")] == len(demo_store.units)  # every gmina's 2024 figure
    result = CliRunner().invoke(app, ["validate", str(PARAMS_DIR / "demo.yaml")])
    note = next(line for line in result.output.splitlines() if line.startswith("note: GUS marks"))
    words = {"s": "preliminary in 2024", "M": "method changed in 2021", "v": "low precision in 2014–2024"}
    for (variable, mark), towns in expected.items():
        assert f"{variable} {words[mark]} ({towns} gminy)" in note
    # A batch of 2014–2020 reads no 2024 figure and no 2021 one: only the dwellings' marks of those years.
    batch = tmp_path / "early.yaml"
    batch.write_text('batch: early\nyears: {first: 2014, last: 2020}\ntowns: ["0290011"]\n', encoding="utf-8")
    early = CliRunner().invoke(app, ["validate", str(batch)])
    note = next(line for line in early.output.splitlines() if line.startswith("note: GUS marks"))
    assert "net_migration" not in note and "water_supply" not in note and "dwellings_completed low precision" in note
    # The build says it too.
    out = tmp_path / "reports"
    planned = CliRunner().invoke(app, ["build", str(batch), "--dry-run", "--out", str(out)])
    assert planned.exit_code == 0 and note in planned.output
