"""Incremental builds and failure isolation on a copy of the demo store (slow: real builds).

A: 0290011 (urban, dolnośląskie), B: 0290021 (urban, dolnośląskie), C: 0490013
(urban-rural, kujawsko-pomorskie). A is in B's voivodeship group; A cannot be in any of
C's groups (other kind, other voivodeship), so A's data reach C's report only through Poland's
figures, which are summed over every gmina of the store.
"""

from __future__ import annotations

import json
import shutil
from datetime import date

import nbformat
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from analysis.catalogue import variable_ids
from analysis.indicators import indicator_table
from analysis.paths import DEMO_STORE_DIR, PARAMS_DIR
from analysis.peers import PeerRule, choose_peers
from analysis.store import load_store, write_store
from analysis.synthesis import SENSITIVITY_RULES
from diagnoza.cli import app
from diagnoza.publish import READERS_INDEX

pytestmark = pytest.mark.slow

A, B, C = "0290011", "0290021", "0490013"
EDITION = "2026-11-22"


def copy_store(target, change=None):
    """Write the demo store to `target`, after `change(observations)` if given."""
    store = load_store(DEMO_STORE_DIR)
    observations = store.observations.copy()
    if change is not None:
        observations = change(observations)
    write_store(target, store.units, observations, store.metadata)
    return target


def batch_file(path, towns, store_dir):
    params = yaml.safe_load((PARAMS_DIR / "demo.yaml").read_text(encoding="utf-8"))
    params.update(batch="small", data=str(store_dir), towns=towns)
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


def build(params, out, *extra, edition=EDITION):
    """`diagnoza build` in this process, one town after another in its reused kernel. What these tests check
    (which towns to build, what a failure leaves) is settled outside the towns' builds, with or without the
    pool of worker processes; the pool has its own tests (test_build, test_stopping), and this saves each
    build two worker processes and their kernels."""
    return CliRunner().invoke(
        app, ["build", str(params), "--out", str(out), "--edition", edition, "--workers", "1", *extra]
    )


def manifest(out):
    return json.loads((out / "small" / "manifest.json").read_text(encoding="utf-8"))["towns"]


@pytest.fixture(scope="module")
def built_a_and_c(tmp_path_factory):
    """A and C built once on an unchanged copy of the demo store, for the tests that start from such a build."""
    root = tmp_path_factory.mktemp("a_and_c")
    params = batch_file(root / "small.yaml", [A, C], copy_store(root / "store"))
    result = build(params, root / "reports")
    assert result.exit_code == 0, result.output
    return root / "reports"


def start_from(built, tmp_path):
    """A test's own copy of that build, with a store of its own to change: (params, store_dir, out)."""
    store_dir = copy_store(tmp_path / "store")
    params = batch_file(tmp_path / "small.yaml", [A, C], store_dir)
    shutil.copytree(built, tmp_path / "reports")
    return params, store_dir, tmp_path / "reports"


def more_births(teryt, year=2020):
    def change(observations):
        rows = (
            (observations["teryt"] == teryt)
            & (observations["year"] == year)
            & (observations["var_id"] == variable_ids()["live_births"])
        )
        observations.loc[rows, "value"] += 7
        return observations

    return change


def test_unchanged_rebuild_builds_nothing_and_a_data_change_rebuilds_exactly_its_dependants(tmp_path):
    store_dir = copy_store(tmp_path / "store")
    params = batch_file(tmp_path / "small.yaml", [A, B, C], store_dir)
    out = tmp_path / "reports"
    first = build(params, out)
    assert first.exit_code == 0, first.output
    assert {t: e["status"] for t, e in manifest(out).items()} == {A: "built", B: "built", C: "built"}
    stamps = {t: (out / "small" / t / "report.pdf").stat().st_mtime_ns for t in (A, B, C)}

    again = build(params, out)
    assert again.exit_code == 0 and "0 of 3 towns to build" in again.output
    assert {e["status"] for e in manifest(out).values()} == {"skipped"}
    assert {t: (out / "small" / t / "report.pdf").stat().st_mtime_ns for t in (A, B, C)} == stamps

    # Which towns' reports include A's data, worked out from the peer rules themselves.
    store = load_store(store_dir)
    values = indicator_table(store)
    rules = (PeerRule(method="nearest", k=20), *SENSITIVITY_RULES)
    depends_on_a = {A} | {
        t for t in (B, C) if any(A in choose_peers(t, store.units, values, r, 2024).members for r in rules)
    }
    assert depends_on_a == {A, B}  # the premise of this test (see the module docstring)

    copy_store(store_dir, more_births(A))
    dry = build(params, out, "--dry-run")
    lines = " ".join(dry.output.split())
    assert dry.exit_code == 0 and f"build {B} Czeremchostaw: changed: data of the town or its peers" in lines
    # C is compared with neither A nor its peers, but prints Poland's figures, which A's births are part of.
    assert f"build {C} Bławatkopole: changed: data of its voivodeship's or Poland's gminy" in lines
    assert {t: e["status"] for t, e in manifest(out).items()} == {A: "skipped", B: "skipped", C: "skipped"}

    changed = build(params, out)
    assert changed.exit_code == 0, changed.output
    rebuilt = {t for t, e in manifest(out).items() if e["status"] == "built"}
    assert rebuilt == depends_on_a | {C}

    forced = build(params, out, "--force", "--only", C)
    assert forced.exit_code == 0 and manifest(out)[C]["status"] == "built" and manifest(out)[C]["reason"] == "forced"


def test_a_failing_rebuild_keeps_the_previous_report_and_the_others_are_built(built_a_and_c, tmp_path):
    params, store_dir, out = start_from(built_a_and_c, tmp_path)
    good = {name: (out / "small" / C / name).read_bytes() for name in ("report.html", "report.pdf", "data.xlsx")}

    def break_c(observations):  # C loses its 2024 population: its analysis raises
        rows = (
            (observations["teryt"] == C)
            & (observations["year"] == 2024)
            & (observations["var_id"] == variable_ids()["population"])
        )
        return observations.loc[~rows]

    def index_row(teryt):
        page = BeautifulSoup((out / "small" / "index.html").read_text(encoding="utf-8"), "html.parser")
        return next(tr for tr in page.find("tbody").find_all("tr") if tr.td.get_text() == teryt)

    verdicts_before = [td.get_text() for td in index_row(C).find_all("td", class_="verdict")]
    assert all(verdicts_before), verdicts_before

    copy_store(store_dir, break_c)
    result = build(params, out, "--force", edition="2026-12-01")  # a new edition, whose build of C fails
    assert result.exit_code == 1
    said = result.output.split(f"failed: {C}")[1]
    assert "population" in said and f"_failed/{C}/error.log; its earlier report stays in place" in said
    entries = manifest(out)
    assert entries[C]["status"] == "failed" and entries[C]["error"]
    assert entries[C]["edition"] == EDITION  # the edition of the report in place, not of the failed attempt
    assert entries[A]["status"] == "built" and entries[A]["edition"] == "2026-12-01"
    for name, content in good.items():
        assert (out / "small" / C / name).read_bytes() == content, name  # the earlier good report stands
    assert (out / "small" / "_failed" / C / "report.ipynb").is_file()
    assert (out / "small" / "_failed" / C / "error.log").read_text(encoding="utf-8").strip()
    assert not (out / "small" / ".staging").exists()
    # The index still shows and links that report, with its verdicts, and says it was not updated and why.
    row = index_row(C)
    status = row.find_all("td")[-1]
    assert f"nie zaktualizowano: budowa raportu nie powiodła się; pozostaje raport z edycji {EDITION}" in status.text
    assert "population" in status.details.code.text and f"_failed/{C}/error.log" in status.details.text
    assert [td.get_text() for td in row.find_all("td", class_="verdict")] == verdicts_before
    assert {a["href"] for a in row.find_all("a")} >= {f"{C}/report.html", f"{C}/report.pdf"}
    header = (out / "small" / "index.html").read_text(encoding="utf-8")
    assert f"Edycje: {EDITION}, 2026-12-01" in header and "Gotowe raporty: 2&nbsp;/&nbsp;2" in header
    assert C in set(pd.read_csv(out / "small" / "batch.csv", dtype=str)["TERYT"])  # its figures stay in the batch's
    # Readers (`diagnoza publish` copies this page as their index) learn which report they get, not the failure.
    readers = BeautifulSoup((out / "small" / READERS_INDEX).read_text(encoding="utf-8"), "html.parser")
    row = next(tr for tr in readers.find("tbody").find_all("tr") if tr.td.get_text() == C)
    assert row.find_all("td")[-1].get_text() == f"raport z edycji {EDITION}"
    assert {a["href"] for a in row.find_all("a")} >= {f"{C}/report.html", f"{C}/report.pdf"}

    copy_store(store_dir)  # the data mended: C builds again, and its stale failure record goes
    assert build(params, out).exit_code == 0
    assert not (out / "small" / "_failed" / C).exists()


def test_a_report_set_aside_by_a_build_killed_mid_swap_is_put_back_and_outlives_a_failing_rebuild(
    built_a_and_c, tmp_path
):
    params, store_dir, out = start_from(built_a_and_c, tmp_path)
    batch = out / "small"
    good = (batch / C / "report.pdf").read_bytes()
    # What a build killed between the two renames of C's swap leaves: C's good report set aside, none in
    # its place; and A's set-aside copy, killed after its new report was already moved in.
    (batch / C).rename(batch / f".{C}.previous")
    shutil.copytree(batch / A, batch / f".{A}.previous")

    def break_c(observations):  # C's rebuild fails: only the restored report can stand
        return observations.loc[~((observations["teryt"] == C) & (observations["year"] == 2024))]

    copy_store(store_dir, break_c)
    result = build(params, out)
    assert result.exit_code == 1 and f"failed: {C}" in result.output
    assert (batch / C / "report.pdf").read_bytes() == good
    assert not list(batch.glob(".*.previous"))


def test_a_town_taken_out_of_the_batch_leaves_its_index_and_its_report_is_named_not_deleted(built_a_and_c, tmp_path):
    params, store_dir, out = start_from(built_a_and_c, tmp_path)
    kept = (out / "small" / C / "report.pdf").read_bytes()
    batch_file(params, [A], store_dir)  # C taken out of the batch file
    result = build(params, out)
    assert result.exit_code == 0, result.output
    assert "0 of 1 towns to build" in result.output
    said = " ".join(result.output.split())
    assert f"{C} is not in the batch any more: its index and data files leave it out, but its report stays in" in said
    assert set(manifest(out)) == {A}
    index = BeautifulSoup((out / "small" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert A in index.get_text() and C not in index.get_text()
    assert C not in (out / "small" / "batch.csv").read_text(encoding="utf-8")
    assert (out / "small" / C / "report.pdf").read_bytes() == kept and (out / "small" / f"{C}.zip").is_file()
    # Put back, C is in the batch again, and as up to date as its report: nothing to build. Before, its record
    # had left the manifest with it and it was built anew.
    batch_file(params, [A, C], store_dir)
    again = build(params, out)
    assert again.exit_code == 0 and "0 of 2 towns to build" in again.output and "not in the batch" not in again.output
    assert set(manifest(out)) == {A, C} and (out / "small" / C / "report.pdf").read_bytes() == kept
    assert "0 would be built, 2 unchanged" in build(params, out, "--dry-run").output
    # Taken out again and its folder deleted, its record goes too: put back, it is new.
    batch_file(params, [A], store_dir)
    assert build(params, out).exit_code == 0
    shutil.rmtree(out / "small" / C)
    assert build(params, out).exit_code == 0
    batch_file(params, [A, C], store_dir)
    assert f"build {C} Bławatkopole: new" in build(params, out, "--dry-run").output


def test_an_edition_date_kept_in_the_batch_file_leaves_nothing_to_rebuild_on_a_later_day(built_a_and_c, tmp_path):
    # A and C were built as edition EDITION, given with --edition. Kept in the batch file instead, the date
    # is the same input on any later day: nothing to build. Another date in the file is a new edition of
    # every town, and --edition still overrides the file.
    params, _, out = start_from(built_a_and_c, tmp_path)
    assert date.today().isoformat() != EDITION  # the premise: the day of the build is another edition

    def dry_run(edition_in_file, *extra):
        raw = yaml.safe_load(params.read_text(encoding="utf-8"))
        params.write_text(yaml.safe_dump({**raw, "edition": edition_in_file}, allow_unicode=True), encoding="utf-8")
        result = CliRunner().invoke(app, ["build", str(params), "--out", str(out), "--dry-run", *extra])
        assert result.exit_code == 0, result.output
        return result.output

    assert "0 would be built, 2 unchanged" in dry_run(EDITION)
    later = dry_run("2026-12-01")
    assert "2 would be built, 0 unchanged" in later
    assert f"build {A} Bursztynojar: changed: parameters (edition {EDITION} → 2026-12-01)" in later
    assert "0 would be built, 2 unchanged" in dry_run("2026-12-01", "--edition", EDITION)
    assert "2 would be built, 0 unchanged" in dry_run("")  # no date in the file: the day of the build


def test_a_second_build_of_the_same_batch_is_refused_while_one_runs(tmp_path):
    import fcntl

    store_dir = copy_store(tmp_path / "store")
    params = batch_file(tmp_path / "small.yaml", [A], store_dir)
    (tmp_path / "reports" / "small").mkdir(parents=True)
    with open(tmp_path / "reports" / "small" / ".build.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242")
        held.flush()
        result = build(params, tmp_path / "reports")
    assert result.exit_code == 2 and "another build" in result.output and "4242" in result.output
    assert not (tmp_path / "reports" / "small" / A).exists()


def test_reused_kernel_gives_byte_identical_reports(built_a_and_c, tmp_path):
    """Two towns run one after the other in one warm kernel (the module's build of A and C) equal the same towns
    run in fresh kernels from the same batch file, and so do their records: the same cells, numbered alike (the
    second town's from 1 too)."""
    fresh = build(built_a_and_c.parent / "small.yaml", tmp_path / "fresh", "--fresh-kernels")
    assert fresh.exit_code == 0, fresh.output
    outputs, records = {}, {}
    for reuse, out in ((True, built_a_and_c), (False, tmp_path / "fresh")):
        assert {town["status"] for town in manifest(out).values()} == {"built"} and len(manifest(out)) == 2
        outputs[reuse] = {
            (t, name): (out / "small" / t / name).read_bytes()
            for t in (A, C)
            for name in ("report.html", "report.pdf", "data.csv")
        }
        records[reuse] = {t: nbformat.read(out / "small" / t / "report.ipynb", as_version=4) for t in (A, C)}
        for record in records[reuse].values():  # the cache_dir parameter names each build's own folder
            for cell in record.cells:
                cell.source = cell.source.replace(str(out), "OUT")
    assert outputs[True] == outputs[False]
    for teryt in (A, C):
        warm, fresh = records[True][teryt], records[False][teryt]
        assert [(c.cell_type, c.source, c.get("execution_count")) for c in warm.cells] == [
            (c.cell_type, c.source, c.get("execution_count")) for c in fresh.cells
        ]
        counts = [c.execution_count for c in warm.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))
        assert "%reset" in warm.metadata["diagnoza"]["kernel"] and "diagnoza" not in fresh.metadata


def test_another_towns_record_in_the_previous_edition_fails_that_town_saying_so(built_a_and_c, tmp_path):
    # A's folder of the earlier edition holds C's record (folders copied by hand): comparing them would print
    # C's figures as A's past. A fails, the summary line naming the record, and C is built against its own.
    params, _, first = start_from(built_a_and_c, tmp_path)
    shutil.copy(first / "small" / C / "figures.json", first / "small" / A / "figures.json")
    result = build(params, tmp_path / "second", "--previous", str(first / "small"))
    assert result.exit_code != 0
    status = {town["teryt"]: town for town in manifest(tmp_path / "second").values()}
    record = first / "small" / A / "figures.json"
    assert status[A]["status"] == "failed"
    assert f"previous: {record} is the record of town {C}, not of {A}" in status[A]["error"]
    assert status[C]["status"] == "built"


def test_a_new_edition_says_what_changed_since_the_previous_one(built_a_and_c, tmp_path):
    # Edition 1 on the demo data; edition 2 on a store where A has 7 more births in 2024 (and so a
    # higher birth rate). A's report lists births per 1000 with its old and new value; C, whose
    # inputs did not change, says nothing changed. Old and new rates by hand from the store: births
    # are compared over 2022–2024 together (pool_years 3), so all births of those years over all residents.
    params, store_dir, first = start_from(built_a_and_c, tmp_path)
    for teryt in (A, C):
        assert (first / "small" / teryt / "figures.json").is_file()

    copy_store(store_dir, more_births(A, 2024))
    second = tmp_path / "second"
    result = build(params, second, "--previous", str(first / "small"))
    assert result.exit_code == 0, result.output

    store = load_store(store_dir)
    obs = store.observations.set_index(["teryt", "year", "var_id"])["value"]
    window = [(A, year) for year in (2022, 2023, 2024)]
    births = sum(obs[(*key, variable_ids()["live_births"])] for key in window)
    population = sum(obs[(*key, variable_ids()["population"])] for key in window)
    old_rate, new_rate = 1000 * (births - 7) / population, 1000 * births / population

    def page(teryt):  # as a reader sees it: without the word joiners and no-break spaces of typesetting
        html = (second / "small" / teryt / "report.html").read_text(encoding="utf-8")
        html = html.replace("\u2060", "").replace("\u00a0", " ")
        return BeautifulSoup(html, "html.parser")

    text_a = " ".join(page(A).get_text(" ").split())
    assert "Co się zmieniło od poprzedniej edycji" in text_a
    row = next(tr for tr in page(A).find_all("tr") if "Urodzenia żywe na 1000 ludności" in tr.get_text())
    cells = " ".join(row.get_text(" ").split())
    old_shown, new_shown = (f"{rate:.1f}".replace(".", ",") for rate in (old_rate, new_rate))
    assert f"{old_shown} (2022–2024)" in cells and f"{new_shown} (2022–2024)" in cells
    text_c = " ".join(page(C).get_text(" ").split())
    assert "Co się zmieniło od poprzedniej edycji" in text_c and "Nic się nie zmieniło" in text_c
    # Without --previous there is no such section.
    assert "Co się zmieniło" not in (first / "small" / A / "report.html").read_text(encoding="utf-8")
    # The batch workbook lists the same town by town, so the analysts see which reports moved before sending.
    sheets = pd.read_excel(second / "small" / "batch.xlsx", sheet_name=None, dtype={"TERYT": str}, engine="openpyxl")
    since = sheets["Od poprzedniej edycji"].set_index("TERYT")
    moved = "Wskaźniki, których wartość, pozycja lub ocena się zmieniły"
    assert "Urodzenia żywe na 1000 ludności" in since.at[A, moved] and since.at[C, moved] == "—"
    assert set(since["Poprzednia edycja"]) == {
        json.loads((first / "small" / A / "figures.json").read_text())["edition"]
    }
    assert "Od poprzedniej edycji" not in pd.read_excel(
        first / "small" / "batch.xlsx", sheet_name=None, engine="openpyxl"
    )
    # The index names the edition its "(poprzednio: …)" refers to; the first edition's index compares with none.
    earlier = json.loads((first / "small" / A / "figures.json").read_text())["edition"]
    assert f"Porównanie z edycją: {earlier}" in (second / "small" / "index.html").read_text(encoding="utf-8")
    assert "Porównanie z edycją" not in (first / "small" / "index.html").read_text(encoding="utf-8")


def test_a_town_new_to_the_batch_since_the_previous_edition_is_said_to_be_so(built_a_and_c, tmp_path):
    # The earlier edition had A only; C joined the batch since. C's report has nothing to compare with, but the
    # build names it, and the workbook's sheet since the previous edition gives it a row that says so (before, C had
    # no row, and nothing said why). C, built before without --previous, is rebuilt for it: its record changes.
    params, _, out = start_from(built_a_and_c, tmp_path)
    earlier = tmp_path / "earlier"
    shutil.copytree(out / "small", earlier)
    shutil.rmtree(earlier / C)
    result = build(params, out, "--previous", str(earlier))
    assert result.exit_code == 0, result.output
    assert "2 of 2 towns to build" in result.output
    assert f"{C} Bławatkopole is not in the earlier edition {earlier} (new to the batch since)" in result.output
    record = json.loads((out / "small" / C / "figures.json").read_text(encoding="utf-8"))
    assert record["since_previous"] == {"edition": EDITION, "new_to_batch": True}
    sheets = pd.read_excel(out / "small" / "batch.xlsx", sheet_name=None, dtype={"TERYT": str}, engine="openpyxl")
    since = sheets["Od poprzedniej edycji"].set_index("TERYT")["Nowa w zestawie (nie było jej w tamtej edycji)"]
    assert since.to_dict() == {A: "nie", C: "tak"}
    # The same build again: nothing changed, nothing to build.
    assert "0 of 2 towns to build" in build(params, out, "--previous", str(earlier)).output


def test_a_new_edition_built_over_the_last_keeps_its_records_which_previous_then_compares_with(built_a_and_c, tmp_path):
    # The analyst forgot to copy the folder before building the next edition into it: the last edition's
    # figures.json, which the next one compares with, were replaced with nothing left. They are kept now.
    params, _, out = start_from(built_a_and_c, tmp_path)
    records = {teryt: (out / "small" / teryt / "figures.json").read_bytes() for teryt in (A, C)}
    kept = out / "small" / "editions" / EDITION
    # First A alone, in the new edition: C's report stays of the last one.
    result = build(params, out, "--only", A, edition="2026-12-06")
    assert result.exit_code == 0, result.output
    assert f"1 report of edition {EDITION} was replaced; its figures are kept in {kept}" in result.output
    assert f"--previous {kept})" in result.output
    assert (kept / A / "figures.json").read_bytes() == records[A] and not (kept / C).exists()
    assert json.loads((out / "small" / A / "figures.json").read_text(encoding="utf-8"))["edition"] == "2026-12-06"
    # Then the whole batch, comparing with the kept edition as the note offers: C's record, still in place, is
    # kept before the build compares with it, so neither town is taken for one new to the batch; nothing changed
    # (same data). The dry run says the same beforehand.
    dry_run = build(params, out, "--previous", str(kept), "--dry-run", edition="2026-12-06")
    assert "not in the earlier edition" not in dry_run.output and "1 report of edition" in dry_run.output
    assert not (kept / C).exists()  # a dry run keeps nothing
    result = build(params, out, "--previous", str(kept), edition="2026-12-06")
    assert result.exit_code == 0, result.output
    assert "2 of 2 towns to build" in result.output and "not in the earlier edition" not in result.output
    assert {teryt: (kept / teryt / "figures.json").read_bytes() for teryt in (A, C)} == records
    for teryt in (A, C):
        html = (out / "small" / teryt / "report.html").read_text(encoding="utf-8")
        text = " ".join(html.replace("\u00a0", " ").replace("\u2060", "").split())
        assert f"Co się zmieniło od poprzedniej edycji ({EDITION})" in text and "Nic się nie zmieniło" in text
    assert sorted(path.name for path in (out / "small" / "editions").iterdir()) == [EDITION]


def test_the_first_build_of_a_new_edition_compares_with_the_last_one_it_replaces_as_the_dry_run_advises(
    built_a_and_c, tmp_path
):
    # The annual round in one step: the last edition's reports stand in the folder, no copy was made, and the
    # dry run advises "--previous <folder>/editions/<last edition>", a folder this very build creates. It was
    # refused as "no such folder", and the first build of the new edition could not compare with the last.
    params, _, out = start_from(built_a_and_c, tmp_path)
    kept = out / "small" / "editions" / EDITION
    dry_run = build(params, out, "--only", A, "--dry-run", edition="2026-12-06")
    assert f"(to say what changed since that edition: --previous {kept})" in dry_run.output
    dry_run = build(params, out, "--only", A, "--dry-run", "--previous", str(kept), edition="2026-12-06")
    assert dry_run.exit_code == 0, dry_run.output
    assert "not in the earlier edition" not in dry_run.output and not kept.exists()
    result = build(params, out, "--only", A, "--previous", str(kept), edition="2026-12-06")
    assert result.exit_code == 0, result.output
    html = (out / "small" / A / "report.html").read_text(encoding="utf-8")
    text = " ".join(html.replace("\u00a0", " ").replace("\u2060", "").split())
    assert f"Co się zmieniło od poprzedniej edycji ({EDITION})" in text and "Nic się nie zmieniło" in text
    # A folder that neither exists nor is one this build keeps is still refused, by name.
    missing = out / "small" / "editions" / "2025-01-01"
    result = build(params, out, "--only", A, "--previous", str(missing), edition="2026-12-07")
    assert result.exit_code == 2 and f"{missing}: no such folder" in " ".join(result.output.split())


def test_next_years_edition_one_data_year_later_builds_every_town_and_names_the_new_year(tmp_path):
    # The annual round: last year's edition had data to 2023, this one to 2024, built with --previous. With a
    # new year nearly every indicator moves, and the list of them, a table before the contents, pushed the
    # contents on: Typst refused every town's PDF (tests/diagnoza/test_render.py has the layout itself). The
    # earlier edition reads the same store up to 2023, as a store that ended there would give.
    store_dir = copy_store(tmp_path / "store")
    earlier = batch_file(tmp_path / "earlier.yaml", [A, C], store_dir)
    params = yaml.safe_load(earlier.read_text(encoding="utf-8"))
    params["years"]["last"] = 2023
    earlier.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    assert build(earlier, tmp_path / "2025", edition="2025-11-22").exit_code == 0

    result = build(
        batch_file(tmp_path / "small.yaml", [A, C], store_dir),
        tmp_path / "2026",
        "--previous",
        str(tmp_path / "2025" / "small"),
    )
    assert result.exit_code == 0, result.output
    assert {entry["status"] for entry in manifest(tmp_path / "2026").values()} == {"built"}
    for teryt in (A, C):
        text = (tmp_path / "2026" / "small" / teryt / "report.html").read_text(encoding="utf-8")
        assert "Nowy rok danych: 2024." in text.replace("\u00a0", " ")
        assert (tmp_path / "2026" / "small" / teryt / "report.pdf").stat().st_size > 0
