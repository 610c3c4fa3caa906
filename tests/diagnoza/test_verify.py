"""`diagnoza verify`: a town's figures computed again from its record's parameters, against those kept beside it.

The town folders are written here as a build leaves them, as far as verifying reads them: the executed notebook's
parameters (papermill's metadata) and the figures the build wrote from the same computation (`write_figures`)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from analysis.catalogue import variable_ids
from analysis.editions import RECORD_NAME, write_figures
from analysis.paths import DEMO_STORE_DIR
from analysis.report import compute_report
from analysis.store import load_store, write_store
from analysis.town import TownParams
from diagnoza.cli import app
from diagnoza.publish import PUBLISHED_MARK
from diagnoza.verify import NOTEBOOK_NAME, verify_town

TOWN = "0490013"
EDITION = "2026-12-06"


def built_town(folder, teryt=TOWN, **parameters):
    """A town's folder as a build leaves it (its record's parameters, its figures), for `parameters`."""
    town = TownParams(teryt=teryt, edition=EDITION, **parameters)
    folder.mkdir(parents=True)
    notebook = {
        "cells": [],
        "metadata": {"papermill": {"parameters": town.notebook_parameters()}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / NOTEBOOK_NAME).write_text(json.dumps(notebook), encoding="utf-8")
    write_figures(compute_report(town), folder / RECORD_NAME)
    return folder


def store_with_sewerage(target, percent: float):
    """The demo store, but the town's share of residents on the sewage system in its last year set to `percent`."""
    store = load_store(DEMO_STORE_DIR)
    observations = store.observations.copy()
    last = observations["year"].max()
    row = (
        (observations["teryt"] == TOWN)
        & (observations["var_id"] == variable_ids()["sewage_users_pct"])
        & (observations["year"] == last)
    )
    assert row.sum() == 1 and observations.loc[row, "value"].iloc[0] != percent
    observations.loc[row, "value"] = percent
    write_store(target, store.units, observations, store.metadata)
    return target


def test_figures_computed_again_with_the_records_own_parameters_reproduce(tmp_path):
    # Ten peers, not the default twenty: a check that ignored the record's parameters would find other peers.
    town = built_town(tmp_path / TOWN, peer_k=10)
    check = verify_town(town)
    assert check.reproduced and check.differences == [] and not check.problem and not check.method_changed


def test_a_figure_that_moved_in_the_store_is_named_with_its_kept_and_its_new_value(tmp_path):
    town = built_town(tmp_path / "batch" / TOWN)
    kept = json.loads((town / RECORD_NAME).read_text(encoding="utf-8"))["indicators"]["sewage_users"]["value"]
    store = store_with_sewerage(tmp_path / "store", 12.5)
    check = verify_town(town, data_dir=str(store))
    # The indicator is the variable itself (% of residents): its new value is the one written.
    assert f"indicators.sewage_users.value: {json.dumps(kept)} → 12.5" in check.differences
    assert not check.reproduced
    # Only what rests on that figure moved: the town's other values did not; its voivodeship's and Poland's
    # sums over their gminy, printed beside it on page one and in the section's table, did.
    moved_values = {line.split(":")[0] for line in check.differences if line.split(":")[0].endswith(".value")}
    assert moved_values == {"indicators.sewage_users.value"}
    moved = {line.split(":")[0] for line in check.differences}
    assert {"indicators.sewage_users.areas[0]", "indicators.sewage_users.areas[1]"} <= moved
    assert not any(place.startswith("projection") for place in moved)  # the population did not change

    result = CliRunner().invoke(app, ["verify", str(tmp_path / "batch"), "--data", str(store)])
    assert result.exit_code == 1
    assert f"{TOWN}: {len(check.differences)} figures differ" in result.output
    assert "indicators.sewage_users.value" in result.output
    assert "0 of 1 town in" in result.output


def test_a_town_without_its_figures_or_its_parameters_is_not_verified_and_says_why(tmp_path):
    town = built_town(tmp_path / "batch" / TOWN)
    (town / RECORD_NAME).unlink()
    assert RECORD_NAME in verify_town(town).problem
    town = built_town(tmp_path / "other" / TOWN)
    (town / NOTEBOOK_NAME).write_text(json.dumps({"cells": [], "metadata": {}}), encoding="utf-8")
    assert "no parameters in its metadata" in verify_town(town).problem
    result = CliRunner().invoke(app, ["verify", str(tmp_path / "other")])
    assert result.exit_code == 1 and f"{TOWN}: not verified: " in result.output
    # A store that moved since the build: its place is asked for, not a fetch of it, once for the towns it stops.
    store = store_with_sewerage(tmp_path / "store", 12.5)
    for teryt in (TOWN, "0290011"):
        built_town(tmp_path / "third" / teryt, teryt=teryt, data_dir=str(store))
    store.rename(tmp_path / "moved")
    problem = f"its data store {store} is not there (moved? give its place: --data DIR)"
    assert verify_town(tmp_path / "third" / TOWN).problem == problem
    result = CliRunner().invoke(app, ["verify", str(tmp_path / "third")])
    assert result.exit_code == 1 and result.output.count(problem) == 1
    assert f"0290011, {TOWN}: not verified: {problem}" in result.output


def test_figures_of_another_version_of_the_method_reproduce_and_the_version_is_noted(tmp_path):
    # On another machine, with other library versions, a report's figures may all be the same: they reproduce,
    # and a note says that the method's version differs (which may explain a figure that does not).
    town = built_town(tmp_path / TOWN)
    record = json.loads((town / RECORD_NAME).read_text(encoding="utf-8"))
    (town / RECORD_NAME).write_text(json.dumps(record | {"method": "an older version"}), encoding="utf-8")
    check = verify_town(town)
    assert check.reproduced and check.method_changed
    result = CliRunner().invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 0 and "1 of 1 town in" in result.output
    assert "note: 1 report was computed with another version of the method" in result.output


def test_a_folder_without_built_reports_or_an_unknown_town_is_refused(tmp_path):
    result = CliRunner().invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 2 and "no built report here" in result.output
    (tmp_path / PUBLISHED_MARK).write_text("", encoding="utf-8")  # what `diagnoza publish` leaves in its copy
    result = CliRunner().invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 2 and "a copy for readers, made by diagnoza publish" in result.output
    built_town(tmp_path / TOWN)
    result = CliRunner().invoke(app, ["verify", str(tmp_path), "--only", "290011"])  # as a spreadsheet shows it
    assert result.exit_code == 2 and "no built report of 0290011" in result.output
    result = CliRunner().invoke(app, ["verify", str(tmp_path), "--only", TOWN.lstrip("0")])
    assert result.exit_code == 0 and "1 of 1 town in" in result.output and "note:" not in result.output
    result = CliRunner().invoke(app, ["verify", str(tmp_path), "--data", str(tmp_path / "moved")])
    assert result.exit_code == 2 and "no such data store" in result.output
