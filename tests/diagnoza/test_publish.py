"""The zip bundle and file names of a town."""

from __future__ import annotations

import contextlib
import fcntl
import re
import zipfile

import pytest
from bs4 import BeautifulSoup

from diagnoza.publish import READERS_INDEX, PublishError, publish_batch, towns_not_current, write_bundle
from tests.diagnoza import report_info
from tests.diagnoza.conftest import index_with_failed_towns

# A report page's links as a batch's build writes them, at its top and bottom (diagnoza.render.batch_links).
LINKS = (
    '<ul><li><a href="report.pdf">PDF</a></li><li><a href="data.xlsx">Arkusz XLSX</a></li>'
    '<li><a href="data-excel.csv">CSV (Excel)</a></li><li><a href="../0000001.zip">ZIP</a></li>'
    '<li><a href="../index.html">Wszystkie raporty zestawu</a></li></ul>'
)


def test_bundle_is_deterministic_and_names_the_town(tmp_path):
    info = report_info(title="T", town="Łąka", teryt="0000001", voivodeship="v", source="s")
    for name in ("report.pdf", "data.xlsx", "data.csv", "data-excel.csv"):
        (tmp_path / name).write_bytes(name.encode())
    (tmp_path / "report.html").write_text(f"<nav>{LINKS}</nav><main>report.pdf</main><div>{LINKS}</div>")
    first = write_bundle(tmp_path, info, tmp_path / "a.zip").read_bytes()
    second = write_bundle(tmp_path, info, tmp_path / "b.zip").read_bytes()
    assert first == second  # no build time inside: an unchanged report gives an unchanged zip
    with zipfile.ZipFile(tmp_path / "a.zip") as bundle:
        assert sorted(bundle.namelist()) == [
            "0000001-laka-dane-excel.csv",
            "0000001-laka-dane.csv",
            "0000001-laka-dane.xlsx",
            "0000001-laka.html",
            "0000001-laka.pdf",
        ]
        assert bundle.read("0000001-laka.pdf") == b"report.pdf"
        assert bundle.getinfo("0000001-laka.html").date_time == (2026, 11, 22, 0, 0, 0)
        # The page's links lead to the zip's files, by their names there; the batch's index and zip, which
        # the zip does not hold, are left out. Nothing else of the page changes.
        inside = (
            '<ul><li><a href="0000001-laka.pdf">PDF</a></li><li><a href="0000001-laka-dane.xlsx">Arkusz XLSX</a></li>'
            '<li><a href="0000001-laka-dane-excel.csv">CSV (Excel)</a></li></ul>'
        )
        assert (
            bundle.read("0000001-laka.html").decode()
            == f"<nav>{inside}</nav><main>report.pdf</main><div>{inside}</div>"
        )


def test_a_bundle_of_a_page_without_its_links_is_refused(tmp_path):
    # Had the page's links changed form, the zip would keep links to files it does not hold: the town fails.
    info = report_info(title="T", town="Łąka", teryt="0000001", voivodeship="v", source="s")
    for name in ("report.pdf", "data.xlsx", "data.csv", "data-excel.csv"):
        (tmp_path / name).write_bytes(name.encode())
    (tmp_path / "report.html").write_text(f"<nav>{LINKS}</nav><main></main>")  # the bottom list is missing
    with pytest.raises(ValueError, match="has not its links to its files at its top and bottom"):
        write_bundle(tmp_path, info, tmp_path / "a.zip")


def test_the_index_speaks_the_batchs_language(tmp_path, demo_store):
    # Every fixed word of the index comes from analysis.labels: an English batch's index has none of the
    # Polish ones, and the Polish index none of the English ones.
    from analysis.labels import LABELS
    from analysis.params import load_batch
    from analysis.paths import PARAMS_DIR
    from diagnoza.publish import write_index

    polish = load_batch(PARAMS_DIR / "demo.yaml")
    pages = {}
    for language in ("pl", "en"):
        out = tmp_path / language
        out.mkdir()
        batch = polish.model_copy(update={"language": language})
        pages[language] = write_index(out, batch, demo_store, []).read_text(encoding="utf-8")
    for language, other in (("pl", "en"), ("en", "pl")):
        page = pages[language]
        for key in ("index_batch", "index_find", "index_caption", "status_missing", "index_synthetic"):
            assert LABELS[language][key] in page, (language, key)
            assert LABELS[other][key] not in page, (language, key)
    assert 'lang="en"' in pages["en"] and "Szukaj" not in pages["en"] and "nie zbudowano" not in pages["en"]
    # The status line under the title is a row of "Label: value" items; each label begins with a capital
    # (it read "Zestaw: demo · Edycja: … · lata danych: … · gotowe raporty: …").
    for page in pages.values():
        status = re.search(r"<p>(.*?)</p>", page.split("</h1>", 1)[1], re.S)[1]
        items = [re.sub(r"<[^>]+>", "", item).strip() for item in status.split("·")]
        assert len(items) >= 3 and all(item[0].isupper() and ": " in item for item in items), items


def test_the_index_shows_a_verdict_that_changed_since_the_previous_edition_with_the_earlier_one():
    from diagnoza.publish import index_verdicts

    # A record of a build with --previous (analysis.editions.write_figures): economy went from similar to
    # worse; demography stayed. A record without the brief (no --previous) shows its verdicts alone.
    record = {"verdicts": {"demography": "better", "economy": "worse"}}
    assert index_verdicts(record, "pl") == {"demography": "korzystniej", "economy": "mniej korzystnie"}
    record["since_previous"] = {"verdicts": {"economy": ["similar", "worse"]}}
    assert index_verdicts(record, "pl") == {
        "demography": "korzystniej",
        "economy": "mniej korzystnie (poprzednio: podobnie)",
    }
    assert index_verdicts(record, "en")["economy"] == "worse (previously: similar)"


def test_no_built_report_no_batch_workbook_and_none_left_from_before(tmp_path, demo_store):
    from analysis.params import load_batch
    from analysis.paths import PARAMS_DIR
    from diagnoza.publish import BATCH_FILES, write_index

    for path in BATCH_FILES.values():  # files of an earlier build whose reports are gone
        (tmp_path / path).write_text("stale", encoding="utf-8")
    page = write_index(tmp_path, load_batch(PARAMS_DIR / "demo.yaml"), demo_store, []).read_text(encoding="utf-8")
    assert not any((tmp_path / path).exists() for path in BATCH_FILES.values())
    assert "batch.xlsx" not in page


def test_the_batch_workbook_is_written_again_only_when_a_towns_record_changed(tmp_path, demo_store):
    import json
    import shutil

    import pandas as pd

    from analysis.editions import figures, write_figures
    from analysis.params import load_batch
    from analysis.paths import PARAMS_DIR
    from analysis.report import prepare_report
    from analysis.town import TownParams
    from diagnoza.publish import write_index

    batch = load_batch(PARAMS_DIR / "demo.yaml")
    teryt = batch.teryts[0]
    town = tmp_path / teryt
    town.mkdir()
    for name in ("report.html", "report.pdf", "data.xlsx", "data.csv", "data-excel.csv"):  # a built town's files
        (town / name).write_text("x", encoding="utf-8")
    (tmp_path / f"{teryt}.zip").write_text("x", encoding="utf-8")
    report = prepare_report(TownParams(teryt=teryt, edition="2026-11-30"))
    write_figures(report, town / "figures.json")
    workbook = tmp_path / "batch.xlsx"

    def editions() -> list[str]:
        return list(pd.read_excel(workbook, sheet_name="Oceny części", engine="openpyxl")["Data wydania"])

    write_index(tmp_path, batch, demo_store, [])
    first = workbook.stat().st_mtime_ns
    assert editions() == ["2026-11-30"]
    write_index(tmp_path, batch, demo_store, [])  # nothing changed: the workbook is not written again
    assert workbook.stat().st_mtime_ns == first
    # The town rebuilt as a new edition: its record changed, and so does the workbook.
    (town / "figures.json").write_text(json.dumps(figures(report) | {"edition": "2030-01-01"}), encoding="utf-8")
    write_index(tmp_path, batch, demo_store, [])
    assert editions() == ["2030-01-01"]
    shutil.rmtree(town)  # and without any built town, no workbook
    write_index(tmp_path, batch, demo_store, [])
    assert not workbook.exists()


def built_batch(tmp_path):
    """The least a built batch folder holds for publish: its manifest (no town) and its index."""
    batch = tmp_path / "demo"
    batch.mkdir()
    (batch / "manifest.json").write_text('{"towns": {}}', encoding="utf-8")
    (batch / "index.html").write_text("<html></html>", encoding="utf-8")
    (batch / READERS_INDEX).write_text("<html></html>", encoding="utf-8")
    return batch


@contextlib.contextmanager
def build_running(batch):
    """The batch's lock held as a running build (pid 4242) holds it, and emptied as it leaves it."""
    with open(batch / ".build.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242 diagnoza build")
        held.flush()
        yield
        held.truncate(0)


def test_publishing_names_the_towns_without_a_report_and_those_with_an_earlier_one(tmp_path):
    # Three towns as a build's manifest leaves them: one built; one whose last build failed and whose earlier report
    # stands (all its files in place); one that failed with no report before it (no files).
    import json

    from diagnoza.publish import town_files

    batch = built_batch(tmp_path)
    towns = {
        "0290011": ("Bursztynojar", "built"),
        "0290021": ("Czeremchostaw", "failed"),
        "0290033": ("Jaśminolas", "failed"),
    }
    manifest = {"towns": {teryt: {"name": name, "status": status} for teryt, (name, status) in towns.items()}}
    (batch / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for teryt in ("0290011", "0290021"):
        for path in town_files(teryt).values():
            (batch / path).parent.mkdir(parents=True, exist_ok=True)
            (batch / path).write_text("x", encoding="utf-8")
    assert towns_not_current(batch) == (["0290033 Jaśminolas"], ["0290021 Czeremchostaw"])
    (batch / "0290011" / "report.pdf").unlink()  # a report missing one of its files is not published either
    assert towns_not_current(batch) == (["0290011 Bursztynojar", "0290033 Jaśminolas"], ["0290021 Czeremchostaw"])


def test_a_batch_folder_is_not_published_while_a_build_runs_on_it(tmp_path):
    # A build swaps each town's folder for its new one and writes the index last: a copy made meanwhile could
    # link a town whose folder is, for a moment, not there. Before, publish copied whatever it found.
    batch, site = built_batch(tmp_path), tmp_path / "site"
    with build_running(batch):
        with pytest.raises(PublishError, match=r"diagnoza build is running \(pid 4242\); wait for it to finish, then"):
            publish_batch(batch, site)
    assert not site.exists()
    assert publish_batch(batch, site) == ["index.html"]  # the build done, the same call publishes
    # While a publication copies the folder, a build is refused the same way, naming it.
    from diagnoza.build import BuildLocked, batch_lock

    with batch_lock(batch, "diagnoza publish"):
        with pytest.raises(BuildLocked, match=r"diagnoza publish is running \(pid \d+\)"):
            with batch_lock(batch):
                pass


def test_a_batch_folder_this_user_may_only_read_is_published_under_a_shared_lock(tmp_path, monkeypatch):
    # Another user's batch (readable, not writable: `os.access` says so here, as the tests run as any user):
    # before the shared lock, taking the build's lock, which writes its holder, raised PermissionError.
    from diagnoza.build import LOCK_FILE, BuildLocked, batch_lock

    batch = built_batch(tmp_path)
    (batch / LOCK_FILE).write_text("", encoding="utf-8")  # as a finished build leaves it
    monkeypatch.setattr("diagnoza.publish.os.access", lambda path, mode: False)
    with build_running(batch):  # as its owner
        with pytest.raises(PublishError, match=r"diagnoza build is running \(pid 4242\)"):
            publish_batch(batch, tmp_path / "site")
    assert publish_batch(batch, tmp_path / "site") == ["index.html"]
    assert (batch / LOCK_FILE).read_text(encoding="utf-8") == ""  # nothing written into the owner's folder

    # While such a copy is made, the owner's build is refused; the copy could not record itself as the holder.
    with batch_lock(batch, shared=True):
        with pytest.raises(BuildLocked, match="in use: another build, or a copy by diagnoza publish, is running"):
            with batch_lock(batch):
                pass
    # A read-only folder without a lock file (a copy of a batch folder, made without it) is published as it is.
    (batch / LOCK_FILE).unlink()
    assert publish_batch(batch, tmp_path / "site") == ["index.html"]
    assert not (batch / LOCK_FILE).exists()


def test_a_batch_folder_without_the_readers_index_is_not_published_with_the_analysts_one(tmp_path):
    # A folder an older Diagnoza built holds only the analysts' index, with failed towns' errors and log paths.
    batch = built_batch(tmp_path)
    (batch / READERS_INDEX).unlink()
    with pytest.raises(PublishError, match="no readers' index .*; build the batch again, then publish"):
        publish_batch(batch, tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_the_voivodeship_filter_lists_in_polish_alphabetical_order_and_capitalised_in_english(tmp_path, demo_store):
    # Sorted by code point, "łódzkie", "śląskie" and "świętokrzyskie" came last and "małopolskie" after
    # "mazowieckie". The order below is the Polish alphabet's, written out by hand (it is also TERYT's).
    from analysis.params import load_batch
    from analysis.paths import PARAMS_DIR
    from diagnoza.publish import write_index

    polish = load_batch(PARAMS_DIR / "demo.yaml")  # a town in each of the 16 voivodeships
    alphabetical = [
        "dolnośląskie", "kujawsko-pomorskie", "lubelskie", "lubuskie", "łódzkie", "małopolskie", "mazowieckie",
        "opolskie", "podkarpackie", "podlaskie", "pomorskie", "śląskie", "świętokrzyskie", "warmińsko-mazurskie",
        "wielkopolskie", "zachodniopomorskie",
    ]  # fmt: skip
    for language, expected in (("pl", alphabetical), ("en", ["Dolnośląskie", "Kujawsko-Pomorskie", "Lubelskie"])):
        out = tmp_path / language
        out.mkdir()
        page = write_index(out, polish.model_copy(update={"language": language}), demo_store, [])
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        options = [option.get_text() for option in soup.select("select#voivodeship option")][1:]  # after "all"
        assert options[: len(expected)] == expected
        # each row's voivodeship is written as its filter's option, so the filter still finds it
        assert {row["data-voivodeship"] for row in soup.select("tr[data-voivodeship]")} == set(options)


def test_where_builds_failed_the_analysts_index_can_show_those_towns_alone(tmp_path, demo_store):
    # "Błędy: 2" on a batch of 54 sent the analyst scrolling for the two rows. The analysts' index now has a status
    # filter, and only where a build failed; the readers' copy (diagnoza publish) says nothing of failures.
    from analysis.params import load_batch
    from analysis.paths import PARAMS_DIR
    from diagnoza.publish import write_index

    index, failing = index_with_failed_towns(tmp_path, demo_store)
    page = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    options = page.select("select#status option")
    assert [option["value"] for option in options] == ["", "failed"]
    assert options[1].get_text() == "tylko z błędem budowy (2)"
    assert [row.td.get_text() for row in page.select('tr[data-status="failed"]')] == failing
    readers = BeautifulSoup((tmp_path / READERS_INDEX).read_text(encoding="utf-8"), "html.parser")
    assert readers.select("select#status") == [] and readers.select("tr[data-status]") == []
    # Without a failure, no such filter: it would offer an empty list.
    clean = tmp_path / "clean"
    clean.mkdir()
    batch = load_batch(PARAMS_DIR / "demo.yaml")
    page = BeautifulSoup(write_index(clean, batch, demo_store, []).read_text(encoding="utf-8"), "html.parser")
    assert page.select("select#status") == [] and page.select("tr[data-status]") == []
