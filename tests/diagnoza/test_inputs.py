"""What a report's input hash reads: a notebook's code, not its outputs; the catalogue apart from the code; the libraries' versions."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.paths import INDICATORS_FILE, PACKAGE_DIR, REPORT_NOTEBOOK, TEMPLATES_DIR, VARIABLES_FILE
from diagnoza import inputs


def _saved_after_a_run(tmp_path):
    """The report notebook as JupyterLab saves it after a run: outputs, counts, kernel metadata."""
    notebook = nbformat.read(REPORT_NOTEBOOK, as_version=4)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code":
            cell.execution_count = number
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="run\n")]
            cell.metadata["execution"] = {"iopub.status.busy": "2026-11-29T10:00:00Z"}
    notebook.metadata["widgets"] = {"state": {}}
    path = tmp_path / "saved.ipynb"
    nbformat.write(notebook, path)
    return path, notebook


def test_a_notebook_run_and_saved_is_the_same_code(tmp_path):
    path, _ = _saved_after_a_run(tmp_path)
    assert path.read_bytes() != REPORT_NOTEBOOK.read_bytes()
    assert inputs.notebook_code(path) == inputs.notebook_code(REPORT_NOTEBOOK)


def test_an_edited_cell_is_new_code(tmp_path):
    path, notebook = _saved_after_a_run(tmp_path)
    notebook.cells[-1].source += "\nprint('one more line')"
    nbformat.write(notebook, path)
    assert inputs.notebook_code(path) != inputs.notebook_code(REPORT_NOTEBOOK)


def _parts_with(monkeypatch, version=None, edited=None):
    """`inputs.code_fingerprints` and `code_fingerprint` with one library reported at another `version`, or one
    file `edited` (a line added to it as it is read); then the real ones again."""
    from importlib import metadata

    real_version, real_read = metadata.version, Path.read_bytes
    if version:
        monkeypatch.setattr(metadata, "version", lambda name: version if name == "matplotlib" else real_version(name))
    if edited:
        monkeypatch.setattr(Path, "read_bytes", lambda path: real_read(path) + (b"\n# x" if path == edited else b""))
    inputs.code_fingerprints.cache_clear()
    try:
        return inputs.code_fingerprints(), inputs.code_fingerprint()
    finally:
        monkeypatch.undo()
        inputs.code_fingerprints.cache_clear()


@pytest.mark.parametrize(
    "change, part",
    [
        ({"version": "99.0"}, "libraries"),  # an upgrade of matplotlib can move a chart: it rebuilds every town
        ({"edited": INDICATORS_FILE}, "catalogue"),  # an analyst's new indicator
        ({"edited": VARIABLES_FILE}, "catalogue"),
        ({"edited": TEMPLATES_DIR / "pdf" / "report.typ"}, "code"),
        ({"edited": PACKAGE_DIR / "scoring.py"}, "code"),
    ],
)
def test_each_change_of_what_turns_data_into_reports_moves_its_own_part_of_the_fingerprint(monkeypatch, change, part):
    # Three parts, so that a dry run says which changed ("changed: indicator or variable catalogue" after an
    # edit of indicators.yaml, not "code or templates"); together they are the code fingerprint.
    before = inputs.code_fingerprints()
    after, whole = _parts_with(monkeypatch, **change)
    assert {name for name in before if after[name] != before[name]} == {part}
    assert whole != inputs.code_fingerprint()  # the batch's data files are rebuilt too


def test_a_dry_run_names_the_parts_that_changed(tmp_path):
    from analysis.town import TownParams
    from diagnoza.build import TownJob, why_build
    from diagnoza.publish import town_files

    for path in town_files("0290011").values():  # a report in place, so what is compared is its inputs
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).touch()
    parts = inputs.code_fingerprints()
    job = TownJob("Bursztynojar", TownParams(teryt="0290011"), inputs={**parts, "params": "same"})
    built = {"inputs": {**parts, "params": "same"}}
    assert why_build(job, {**built, "input_hash": job.input_hash}, tmp_path, force=False) == ""
    edited = {**built, "input_hash": "older", "inputs": {**built["inputs"], "catalogue": "older"}}
    assert why_build(job, edited, tmp_path, force=False) == "changed: indicator or variable catalogue"
    upgraded = {**edited, "inputs": {**edited["inputs"], "libraries": "older"}}
    assert why_build(job, upgraded, tmp_path, force=False) == (
        "changed: indicator or variable catalogue, library versions"
    )


def _with_more_births(store, teryt: str, units=None):
    """The store (cut to `units` if given) and a copy where `teryt` has 700 more births in 2024."""
    from analysis.catalogue import variable_ids
    from analysis.store import Store

    units = store.units if units is None else units
    observations = store.observations.loc[store.observations["teryt"].isin(units["teryt"])]
    rows = (
        (observations["teryt"] == teryt)
        & (observations["year"] == 2024)
        & (observations["var_id"] == variable_ids()["live_births"])
    )
    changed = observations.copy()
    changed.loc[rows, "value"] += 700
    return Store(units, observations, store.metadata), Store(units, changed, store.metadata)


def test_a_gminas_data_reach_the_reports_of_its_voivodeship_and_where_the_store_is_polands_every_report(demo_store):
    # Jaśminolas (0290033, dolnośląskie) is no town's peer here: what it reaches is the areas' sums. That it
    # does is checked first with the sums themselves (analysis.aggregates): its births move both the
    # voivodeship's rate and Poland's.
    from analysis.aggregates import COUNTRY, voivodeship_and_country

    before, after = _with_more_births(demo_store, "0290033")
    rates = [voivodeship_and_country(store, 2024).values["births_per_1000"] for store in (before, after)]
    assert rates[0]["dolnośląskie"] != rates[1]["dolnośląskie"] and rates[0][COUNTRY] != rates[1][COUNTRY]
    assert rates[0]["lubelskie"] == rates[1]["lubelskie"]
    hashes = [inputs.area_fingerprints(store, inputs.town_data_fingerprints(store)) for store in (before, after)]
    assert set(hashes[0]) == set(demo_store.units["voivodeship"])
    assert all(hashes[0][v] != hashes[1][v] for v in hashes[0])  # Poland's value is on every report

    # A store of two voivodeships (as from `diagnoza data fetch --voivodeship`, twice) has no Poland value:
    # a gmina of one reaches no report of the other.
    two = demo_store.units.loc[demo_store.units["voivodeship"].isin(["dolnośląskie", "kujawsko-pomorskie"])]
    before, after = _with_more_births(demo_store, "0290033", two)
    hashes = [inputs.area_fingerprints(store, inputs.town_data_fingerprints(store)) for store in (before, after)]
    assert hashes[0]["dolnośląskie"] != hashes[1]["dolnośląskie"]
    assert hashes[0]["kujawsko-pomorskie"] == hashes[1]["kujawsko-pomorskie"]


def test_a_published_area_figure_reaches_the_reports_of_its_voivodeship_and_polands_every_report(demo_store):
    # GUS's figure of a voivodeship (Store.area_values) is a value on its towns' reports only; Poland's, on every
    # report. Revised, each moves exactly those reports' area hashes.
    from dataclasses import replace

    fingerprints = inputs.town_data_fingerprints(demo_store)
    published = demo_store.area_values

    def revised(area):
        rows = (published["area"] == area) & (published["year"] == 2024)
        return replace(demo_store, area_values=published.assign(value=published["value"].mask(rows, 1.0)))

    before = inputs.area_fingerprints(demo_store, fingerprints)
    voivodeship = inputs.area_fingerprints(revised("02"), fingerprints)
    assert {v for v in before if before[v] != voivodeship[v]} == {"dolnośląskie"}
    country = inputs.area_fingerprints(revised("PL"), fingerprints)
    assert all(before[v] != country[v] for v in before)


def test_a_revised_density_that_drops_a_town_from_the_projection_backtest_moves_every_reports_calibration(demo_store):
    # The backtest leaves out the towns whose boundaries changed with residents, which it finds from the
    # residents and their density (`analysis.boundaries`). Found by hand in the demo store: 0492041's population
    # changed 4.6% beyond its usual yearly change in 2021 (the census). A density 10% higher from 2021 on (its area
    # revised) makes that year a change of boundaries that moved residents, so the town leaves the backtest, and
    # every report's interval is calibrated on one town fewer: each report's input hash must say so.
    from analysis.catalogue import variable_ids
    from analysis.projection import backtest_population
    from analysis.report import indicator_table
    from analysis.store import Store

    observations = demo_store.observations

    def revised(variable: str) -> Store:
        rows = (
            (observations["teryt"] == "0492041")
            & (observations["var_id"] == variable_ids()[variable])
            & (observations["year"] >= 2021)
        )
        return Store(
            demo_store.units,
            observations.assign(value=observations["value"].mask(rows, observations["value"] * 1.1)),
            demo_store.metadata,
        )

    denser = revised("population_density")
    read = [backtest_population(indicator_table(store), 2014, 2024).index for store in (demo_store, denser)]
    assert "0492041" in read[0] and "0492041" not in read[1] and len(read[1]) == len(read[0]) - 1
    assert inputs.calibration_fingerprint(denser) != inputs.calibration_fingerprint(demo_store)
    # The hash reads what the backtest reads, no less: given only those variables, it reads the same towns and years.
    values = indicator_table(denser)
    alone = backtest_population(values[list(inputs.CALIBRATION_VARIABLES)], 2014, 2024)
    pd.testing.assert_frame_equal(alone, backtest_population(values, 2014, 2024))
    # More births do not reach the backtest, nor so its fingerprint (they reach the town's and its peers' reports).
    assert inputs.calibration_fingerprint(revised("live_births")) == inputs.calibration_fingerprint(demo_store)


def test_a_mark_gus_puts_on_a_figure_moves_that_towns_data_hash_alone(demo_store):
    # A figure GUS marks as a preliminary estimate (analysis.gus_marks) has the same value, but its report gains
    # a note: the town's data hash must move with the mark, and no other town's.
    from dataclasses import replace

    from analysis.catalogue import variable_ids

    observations = demo_store.observations
    rows = (
        (observations["teryt"] == "0290011")
        & (observations["var_id"] == variable_ids()["registered_unemployed"])
        & (observations["year"] == 2024)
    )
    assert observations.loc[rows, "mark"].tolist() == [""]  # the premise: a plain figure in the demo store
    marked = replace(demo_store, observations=observations.assign(mark=observations["mark"].mask(rows, "s")))
    before, after = inputs.town_data_fingerprints(demo_store), inputs.town_data_fingerprints(marked)
    assert {teryt for teryt in before if before[teryt] != after[teryt]} == {"0290011"}
