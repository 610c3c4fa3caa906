"""The published pages in a real browser (headless Chromium): axe-core's accessibility rules at a desktop
and a phone width, no sideways scrolling on a phone, and the index's filters.

Runs wherever Chromium, its driver, Selenium and axe-core are installed (`make a11y` installs them);
skipped, saying what is missing, elsewhere.
"""

from __future__ import annotations

import base64
import io
import re
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from analysis.editions import read_figures
from analysis.params import load_batch
from analysis.paths import DEMO_STORE_DIR, PARAMS_DIR
from analysis.store import load_store
from diagnoza.accessibility import WIDTHS, browser, check_pages, tools_available
from tests.diagnoza.conftest import OTHER, TOWN, index_with_failed_towns

pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(tools_available()), reason=tools_available() or "ok")]


@pytest.fixture(scope="module")
def violations(demo_build):
    out = demo_build.out_dir
    return check_pages([out / "index.html", out / TOWN / "report.html"])


def test_no_serious_or_critical_violation_on_a_report_or_the_index(violations):
    blocking = [v.describe() for v in violations if v.blocking]
    assert not blocking, "\n".join(blocking)


def test_the_browser_leaves_no_temporary_files(tmp_path, monkeypatch):
    # Chromium left a folder of its socket in the temporary folder after every session, though told to quit:
    # 692 of them on a developer's machine in a day of tests and checks. (A short temporary folder: a socket's
    # path has a limit of 108 bytes, which pytest's own folder, nested, would pass.)
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><title>t</title><p>x", encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="t", dir="/tmp") as temporary:
        monkeypatch.setenv("TMPDIR", temporary)
        monkeypatch.setattr(tempfile, "tempdir", temporary)
        with browser() as driver:
            driver.get(page.as_uri())
            assert driver.title == "t"
        assert list(Path(temporary).iterdir()) == []


def test_the_check_sees_a_violation_when_there_is_one(tmp_path):
    # The check itself must be able to fail: an image without alt text and a button without a name
    # are serious or critical in axe-core's rules (image-alt, button-name).
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="pl"><head><title>t</title></head>'
        '<body><main><img src="x.png"><button></button></main></body></html>',
        encoding="utf-8",
    )
    found = check_pages([page], widths=WIDTHS[:1])
    assert {"image-alt", "button-name"} <= {v.rule for v in found if v.blocking}


@pytest.mark.parametrize("width", [390, 768])
def test_on_a_phone_or_a_tablet_no_page_scrolls_sideways(demo_build, width):
    # Wide tables and charts scroll inside their own regions; the page itself must fit a phone (390 px) and a
    # tablet held upright (768 px, where the index's nine columns once pushed it to 970 px).
    out = demo_build.out_dir
    with browser(width=width) as driver:
        for page in (out / "index.html", out / TOWN / "report.html"):
            driver.get(page.resolve().as_uri())
            width = driver.execute_script("return document.documentElement.clientWidth")
            scroll = driver.execute_script("return document.documentElement.scrollWidth")
            assert scroll <= width, (page.name, scroll, width)


def _on_a_phone_and_a_desktop(page, script: str) -> tuple:
    """What `script` returns on the page at 390 px and at 1280 px."""
    results = []
    for width in (390, 1280):
        with browser(width=width) as driver:
            driver.get(page.resolve().as_uri())
            results.append(driver.execute_script(script))
    return tuple(results)


def test_a_phone_shows_a_position_chart_as_its_list_and_a_desktop_its_drawing(demo_build):
    # Drawn, its names would take most of a phone's width and push the scale off the screen.
    shown = (
        "return Array.from(document.querySelectorAll('figure.has-phone')).map(f => ["
        "f.querySelector('img').offsetWidth > 0, f.querySelector('.diagnoza-phone').offsetWidth > 0,"
        "f.querySelector('.diagnoza-phone').scrollWidth <= f.querySelector('.diagnoza-phone').clientWidth]);"
    )
    phone, desktop = _on_a_phone_and_a_desktop(demo_build.out_dir / TOWN / "report.html", shown)
    assert len(phone) == 3  # one position chart per section
    assert phone == [[False, True, True]] * 3  # the list, fitting the screen; not the drawing
    assert [row[:2] for row in desktop] == [[True, False]] * 3


def test_on_a_phone_every_line_chart_fits_the_screen_with_legible_labels(demo_build):
    # Each chart's shown width over its drawn width (naturalWidth: the SVG's own size, 96 px an inch) scales its
    # 9 pt = 12 px labels: on a phone at least 10 / 12 of it, so no label is under 10 px, and nothing past the
    # screen's edge (the latest years and the legend were once off it); on a desktop the 1.25 of
    # analysis.style.SCREEN_SCALE.
    shown = (
        "return Array.from(document.querySelectorAll('figure:not(.has-phone) img')).map(i => ["
        "i.getBoundingClientRect().right <= document.documentElement.clientWidth, i.clientWidth / i.naturalWidth]);"
    )
    phone, desktop = _on_a_phone_and_a_desktop(demo_build.out_dir / TOWN / "report.html", shown)
    assert len(phone) >= 8 and all(fits for fits, _ in phone)
    assert min(scale for _, scale in phone) >= 10 / 12
    assert [scale for _, scale in desktop] == pytest.approx([1.25] * len(desktop), abs=0.01)


@pytest.mark.parametrize("width", [700, 768, 1280])
def test_on_a_phone_on_its_side_a_tablet_and_a_desktop_every_table_fits_the_page(demo_build, width):
    # At 1280 px, on a tablet held upright (768 px) and on a phone on its side (700 px), no table of the report
    # scrolls inside its region: each figure is read without scrolling sideways (the section tables used to
    # need 1,200–1,650 px of a 920-px column; at 768 px, and until 768 px, their position and mark, the columns
    # a reader looks for, were off the screen).
    with browser(width=width) as driver:
        driver.get((demo_build.out_dir / TOWN / "report.html").resolve().as_uri())
        regions = driver.execute_script(
            "return Array.from(document.querySelectorAll('.diagnoza-scroll')).filter(e => e.querySelector('table'))"
            ".map(e => [e.querySelector('caption').textContent.slice(0, 50), e.scrollWidth, e.clientWidth]);"
        )
    assert len(regions) >= 8
    assert [region for region in regions if region[1] > region[2]] == []


def test_printed_from_the_browser_every_table_keeps_all_its_columns_on_the_page(demo_build):
    # A4 less the page's side margins (15 mm × 2 of 210 mm, report.css) is 180 mm, 680 px. Printed, a section table
    # ran past it, and its region cut the position and mark columns off the paper. Now every table is a table
    # (its header shown, not a phone's cards) whose right edge is within the page's text.
    with browser(width=680) as driver:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        driver.get((demo_build.out_dir / TOWN / "report.html").resolve().as_uri())
        tables = driver.execute_script(
            "const main = document.querySelector('main').getBoundingClientRect().right;"
            "return Array.from(document.querySelectorAll('table.diagnoza-table')).map(t => ["
            "t.querySelector('caption').textContent.slice(0, 50), t.getBoundingClientRect().right <= main + 0.5,"
            " t.querySelector('thead').getBoundingClientRect().height > 1]);"
        )
    assert len(tables) >= 8
    assert [table for table in tables if not all(table[1:])] == []


def _printed_report(out_dir: Path, script: str):
    """The town's report page, changed by `script` (whose return value is returned), printed on A4 as
    report.css's @page sets it: (the script's value, the text of each printed page, read with pypdf)."""
    with browser(width=680) as driver:
        driver.get((out_dir / TOWN / "report.html").resolve().as_uri())
        returned = driver.execute_script(script)
        printed = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"]
    return returned, [page.extract_text() for page in PdfReader(io.BytesIO(base64.b64decode(printed))).pages]


def _page_of(pages: list[str], mark: str) -> int:
    """The one printed page a word of its own (a mark the test put there) is on."""
    [page] = [number for number, text in enumerate(pages) if re.search(rf"\b{mark}\b", text)]
    return page


def test_printed_from_the_browser_a_table_that_fits_on_a_page_is_whole_and_no_file_link_shows(demo_build):
    # Printed, the demography table began at a page's foot with its caption, header and one row, and went on
    # overleaf (the PDF never leaves fewer than three rows under a caption: templates/pdf/tables.typ). Each
    # table's caption and last row are marked with a word of their own, and the printed A4 pages (report.css's
    # @page) read with pypdf: a table of a page or less has both marks on one page.
    rows, pages = _printed_report(
        demo_build.out_dir,
        "return Array.from(document.querySelectorAll('table.diagnoza-table')).map((t, i) => {"
        " t.caption.prepend('Start' + i + ' '); const last = t.tBodies[0].rows[t.tBodies[0].rows.length - 1];"
        " last.cells[0].prepend('End' + i + ' '); return t.tBodies[0].rows.length; });",
    )
    short = [i for i, count in enumerate(rows) if count <= 20]
    assert len(short) >= 8 and len(pages) > 10  # the premise: the report's tables, printed on pages
    assert [i for i in short if _page_of(pages, f"Start{i}") != _page_of(pages, f"End{i}")] == []
    # Nor does paper show the links to the report's files and the index, which it cannot follow.
    assert "Arkusz XLSX" not in pages[0] and "Wszystkie raporty zestawu" not in " ".join(pages)


def test_printed_from_the_browser_a_line_introducing_a_list_stays_with_it(demo_build):
    # As in the PDF: "Słabe strony na tle grupy porównawczej:" must not end a printed page while its list starts
    # overleaf. The report's page, its content replaced by 40 copies of the line and a list, each on a page of
    # its own below a spacer 8 px taller than the one before, is printed once: at every height the line stands on
    # the page of the list's first item. (Without report.css's rule, it stayed behind at 4 of the 40 heights.)
    _, pages = _printed_report(
        demo_build.out_dir,
        "const chunks = [];"
        "for (let i = 0; i < 40; i++) {"
        " const spacer = document.createElement('div');"
        " spacer.style.height = (820 + 8 * i) + 'px'; spacer.style.breakBefore = 'page';"
        " const line = document.createElement('p'); line.textContent = 'Intro' + i + ' Słabe strony:';"
        " const list = document.createElement('ul');"
        " for (const item of ['Item' + i + ' pierwsza słabość', 'druga słabość']) {"
        "  const li = document.createElement('li'); li.textContent = item; list.append(li); }"
        " chunks.push(spacer, line, list); }"
        "document.querySelector('main').replaceChildren(...chunks);",
    )
    assert len(pages) >= 40  # the premise: a page for each copy
    assert [i for i in range(40) if _page_of(pages, f"Intro{i}") != _page_of(pages, f"Item{i}")] == []


def test_the_printed_index_is_a_table_of_the_towns_shown_within_the_page(demo_build):
    # Printed (A4 less its margins, 680 px), the index was a card per town, 15 pages for the demo's 54; now it
    # is the table, with its header, within the page's width, without the controls and links paper cannot
    # use, and with only the towns a filter shows.
    with browser(width=680) as driver:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        driver.get((demo_build.out_dir / "index.html").resolve().as_uri())
        driver.execute_script(
            "const v = document.getElementById('voivodeship'); v.value = v.options[1].value;"
            "v.dispatchEvent(new Event('change'));"
        )
        shown = driver.execute_script(
            "const t = document.getElementById('towns'), box = e => e.getBoundingClientRect();"
            "const rows = Array.from(t.querySelectorAll('tbody tr'));"
            "return [box(t).right <= box(document.querySelector('main')).right + 0.5, box(t.tHead).height > 1,"
            " getComputedStyle(t.querySelector('td')).display, box(document.getElementById('filters')).height,"
            " Array.from(t.querySelectorAll('td.files')).every(c => box(c).width === 0),"
            " rows.filter(r => box(r).height > 0).length, rows.length];"
        )
    within, header, display, filters, no_links, printed, towns = shown
    assert within and header and display == "table-cell"
    assert filters == 0 and no_links
    assert 0 < printed < towns


def test_on_a_phone_every_table_is_a_card_per_row_that_fits_the_screen(demo_build):
    # Each table row on its own, as wide as the screen's column (not its content), with no table scrolling in
    # its region; a cell shows its column's name before its value (data-label, read off the header here).
    shown = (
        "return Array.from(document.querySelectorAll('.diagnoza-scroll')).filter(e => e.querySelector('table'))"
        ".map(e => { const t = e.querySelector('table'), r = t.querySelector('tbody tr'),"
        " c = r.querySelectorAll('td')[1], h = t.querySelectorAll('thead th')[1];"
        " return [e.scrollWidth <= e.clientWidth, r.getBoundingClientRect().width <= e.clientWidth,"
        " getComputedStyle(c, '::before').content === JSON.stringify(h.textContent + ': '),"
        " t.querySelector('thead').getBoundingClientRect().height <= 1]; });"
    )
    phone, desktop = _on_a_phone_and_a_desktop(demo_build.out_dir / TOWN / "report.html", shown)
    assert len(phone) >= 8 and phone == [[True, True, True, True]] * len(phone)
    assert [row[2:] for row in desktop] == [[False, False]] * len(desktop)  # a desktop keeps the table's header


def test_the_index_filters_by_voivodeship_kind_and_verdict(demo_build):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    # Expected counts straight from the batch file and the store's units, not from the page.
    units = load_store(DEMO_STORE_DIR).units.set_index("teryt")
    towns = units.loc[load_batch(PARAMS_DIR / "demo.yaml").teryts]
    voivodeship = towns["voivodeship"].iloc[0]
    in_voivodeship = int((towns["voivodeship"] == voivodeship).sum())
    urban_there = int(((towns["voivodeship"] == voivodeship) & (towns["kind"] == "urban")).sum())

    def visible() -> int:
        return len([row for row in driver.find_elements(By.CSS_SELECTOR, "#towns tbody tr") if row.is_displayed()])

    with browser() as driver:
        driver.get((demo_build.out_dir / "index.html").resolve().as_uri())
        assert visible() == len(towns)
        Select(driver.find_element(By.ID, "voivodeship")).select_by_visible_text(voivodeship)
        assert visible() == in_voivodeship < len(towns)
        Select(driver.find_element(By.ID, "kind")).select_by_visible_text("gmina miejska")
        assert visible() == urban_there
        shown = driver.execute_script('return document.getElementById("shown").textContent')
        assert shown.endswith(f"{urban_there}\u00a0/\u00a0{len(towns)}")  # held together on a phone
        driver.find_element(By.ID, "filter").send_keys(TOWN)
        assert visible() == int(towns.loc[TOWN, "voivodeship"] == voivodeship and towns.loc[TOWN, "kind"] == "urban")
        # A name typed without its Polish letters finds it, as typed with them: "zurawiol" and "Żurawioł" both
        # find Żurawiołęka (0890041) and no other town; the expected matches are counted from the units here.
        for control in ("voivodeship", "kind"):
            Select(driver.find_element(By.ID, control)).select_by_index(0)
        assert towns.loc["0890041", "name"] == "Żurawiołęka"
        expected = int(towns["name"].str.lower().str.startswith("żurawioł").sum())
        for typed in ("zurawiol", "Żurawioł"):
            driver.find_element(By.ID, "filter").clear()
            driver.find_element(By.ID, "filter").send_keys(typed)
            assert visible() == expected >= 1, typed

        # A section's verdict: the towns given it, counted from each report's own record (figures.json).
        driver.find_element(By.ID, "filter").clear()
        for control in ("voivodeship", "kind"):
            Select(driver.find_element(By.ID, control)).select_by_index(0)  # "wszystkie"
        records = {t: read_figures(demo_build.out_dir / t / "figures.json") for t in towns.index}
        economy = {t: record["verdicts"]["economy"] for t, record in records.items() if record}  # the towns built
        given = [t for t, verdict in economy.items() if verdict == economy[TOWN]]
        Select(driver.find_element(By.ID, "verdict")).select_by_value(f"economy:{economy[TOWN]}")
        assert visible() == len(given) and TOWN in given
        Select(driver.find_element(By.ID, "voivodeship")).select_by_visible_text(towns.loc[OTHER, "voivodeship"])
        assert visible() == sum(towns.loc[t, "voivodeship"] == towns.loc[OTHER, "voivodeship"] for t in given)


def test_the_analysts_index_shows_the_failed_towns_alone_when_asked(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    batch = load_batch(PARAMS_DIR / "demo.yaml")
    page, failing = index_with_failed_towns(tmp_path, load_store(DEMO_STORE_DIR))
    with browser() as driver:
        driver.get(page.resolve().as_uri())

        def visible() -> list[str]:
            rows = driver.find_elements(By.CSS_SELECTOR, "#towns tbody tr")
            return [row.find_element(By.TAG_NAME, "td").text for row in rows if row.is_displayed()]

        assert len(visible()) == len(batch.teryts)
        Select(driver.find_element(By.ID, "status")).select_by_value("failed")
        assert visible() == failing
        driver.find_element(By.ID, "filter").send_keys(failing[1])  # with the other filters, as they combine
        assert visible() == failing[1:]
        Select(driver.find_element(By.ID, "status")).select_by_index(0)
        assert visible() == [failing[1]]
        driver.find_element(By.ID, "filter").clear()
        assert len(visible()) == len(batch.teryts)


BROKEN_RANGES = r"""
const range = /(?:−|\b[A-Z])?\d[\d,.\u00a0]*–\u2060?(?:−|[A-Z])?\d(?:[\d,.\u00a0]*\d)?/g;
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
let seen = 0;
const broken = [];
while (walker.nextNode()) {
  const node = walker.currentNode;
  for (const match of node.data.matchAll(range)) {
    const span = document.createRange();
    span.setStart(node, match.index);
    span.setEnd(node, match.index + match[0].length);
    const lines = new Set([...span.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
    if (lines.size) seen += 1;
    if (lines.size > 1) broken.push(match[0]);
  }
}
return [seen, broken];
"""


def test_on_a_phone_no_range_of_numbers_breaks_at_its_dash_and_a_search_still_finds_it(demo_build, tmp_path):
    # A browser may break a line after any en dash: "2022–" at a line's end, "2024" on the next. The page holds
    # each range with a word joiner after its dash (diagnoza.render.typeset), which Chromium's find passes over.
    control = tmp_path / "control.html"  # the same kind of text without the joiner: the check can fail
    words = " ".join(f"w latach {year}–{year + 2}, przedział 1,41–3,99;" for year in range(2000, 2030))
    control.write_text(f'<!doctype html><html lang="pl"><body><p style="width:60px">{words}</p></body></html>', "utf-8")
    report = demo_build.out_dir / TOWN / "report.html"
    with browser(width=390) as driver:
        driver.get(control.resolve().as_uri())
        assert driver.execute_script(BROKEN_RANGES)[1]
        driver.get(report.resolve().as_uri())
        seen, broken = driver.execute_script(BROKEN_RANGES)
        assert seen >= 10  # the years of pooled values, the quartile headers, intervals
        assert broken == [], broken
        assert driver.execute_script("return window.find('2022–2024')")
