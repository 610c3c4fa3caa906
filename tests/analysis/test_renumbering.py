"""One gmina's series under two TERYT codes, joined under the newer one (pairs worked out by hand)."""

import dataclasses

import pandas as pd
import pytest

from analysis.params import ParamsError, load_batch
from analysis.renumbering import Renumbering, join_renumbered, renumberings
from analysis.report import compute_report
from analysis.store import load_store, write_store
from analysis.town import TownParams


def units(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"teryt": [code for code, _ in rows], "kind": [kind for _, kind in rows]})


def observations(spans: dict[str, range]) -> pd.DataFrame:
    rows = [(code, year, 72305, 1000.0 + year) for code, years in spans.items() for year in years]
    return pd.DataFrame(rows, columns=["teryt", "year", "var_id", "value"])


def test_a_gmina_that_became_urban_rural_is_one_series_under_its_new_code():
    # Dubiecko: rural (1813022) to 2020, urban-rural (1813023) from 2021, when its seat became a town.
    found = renumberings(
        units(("1813022", "rural"), ("1813023", "urban-rural"), ("1813011", "urban")),
        observations({"1813022": range(2014, 2021), "1813023": range(2021, 2025), "1813011": range(2014, 2025)}),
    )
    assert found == (Renumbering("1813022", "1813023", 2021, "rural"),)


@pytest.mark.parametrize(
    "rows, spans",
    [
        # Both codes have 2020: which one continues which is not clear.
        (
            (("1813022", "rural"), ("1813023", "urban-rural")),
            {"1813022": range(2014, 2021), "1813023": range(2020, 2025)},
        ),
        # Three codes share six digits.
        (
            (("1813021", "urban"), ("1813022", "rural"), ("1813023", "urban-rural")),
            {"1813021": range(2014, 2017), "1813022": range(2017, 2021), "1813023": range(2021, 2025)},
        ),
        # The older code has no figure at all: there is nothing to join.
        ((("1813022", "rural"), ("1813023", "urban-rural")), {"1813023": range(2021, 2025)}),
        # Different gminy of one powiat (the fifth and sixth digits differ).
        (
            (("1813022", "rural"), ("1813033", "urban-rural")),
            {"1813022": range(2014, 2021), "1813033": range(2021, 2025)},
        ),
    ],
    ids=["years overlap", "three codes", "no figures", "other gminy"],
)
def test_codes_whose_series_are_not_clearly_one_are_left_apart(rows, spans):
    assert renumberings(units(*rows), observations(spans)) == ()


def test_joining_moves_the_older_codes_figures_under_the_newer_and_drops_the_older_unit():
    table = units(("1813022", "rural"), ("1813023", "urban-rural"), ("1813011", "urban"))
    figures = observations({"1813022": range(2014, 2021), "1813023": range(2021, 2025), "1813011": range(2019, 2021)})
    joined_units, joined = join_renumbered(table, figures, renumberings(table, figures))
    assert joined_units["teryt"].tolist() == ["1813023", "1813011"]
    assert joined.loc[joined["teryt"] == "1813023", "year"].tolist() == list(range(2014, 2025))  # 7 + 4 years
    assert joined.loc[joined["teryt"] == "1813011", "year"].tolist() == [2019, 2020]
    assert len(joined) == len(figures)


@pytest.fixture(scope="module")
def split_store(tmp_path_factory, demo_store):
    """The demo store with one peer of 0290033 (an urban-rural gmina) renumbered: its figures to 2020 under a
    rural code of the same six digits, as BDL would list a gmina that became urban-rural in 2021."""
    town = "0290033"
    report = compute_report(TownParams(teryt=town, edition="2026-11-22"))
    codes = set(demo_store.units["teryt"])
    peer = next(p for p in report.peers.members if p.endswith("3") and p[:6] + "2" not in codes)
    older = peer[:6] + "2"
    store_units = pd.concat(
        [demo_store.units, demo_store.units.loc[demo_store.units["teryt"] == peer].assign(teryt=older, kind="rural")]
    )
    moved = (demo_store.observations["teryt"] == peer) & (demo_store.observations["year"] <= 2020)
    store_observations = demo_store.observations.assign(teryt=demo_store.observations["teryt"].mask(moved, older))
    directory = tmp_path_factory.mktemp("split") / "store"
    write_store(directory, store_units, store_observations, dict(demo_store.metadata))
    return {"town": town, "peer": peer, "older": older, "report": report, "directory": directory}


def test_a_store_with_a_renumbered_gmina_loads_as_the_store_without_it(split_store, demo_store):
    store = load_store(split_store["directory"])
    assert store.renumbered == (Renumbering(split_store["older"], split_store["peer"], 2021, "rural"),)
    pd.testing.assert_frame_equal(store.units, demo_store.units)
    pd.testing.assert_frame_equal(store.observations, demo_store.observations)


def test_a_report_reads_a_renumbered_peer_whole_and_says_so(split_store):
    # Without the join the peer would have only 2021–2024 under its code: no 5- or 10-year change of its own,
    # so the peer medians of the changes would rest on one peer fewer. With it, every figure is the demo's.
    before = split_store["report"]
    after = compute_report(
        TownParams(teryt=split_store["town"], edition="2026-11-22", data_dir=str(split_store["directory"]))
    )
    assert after.peers.members == before.peers.members
    pd.testing.assert_frame_equal(after.comparison, before.comparison)
    assert before.renumbered == ()
    from analysis.display import renumbered_text

    name = after.peer_units.set_index("teryt").at[split_store["peer"], "name"]
    assert renumbered_text(after) == (
        "Szereg gminy grupy porównawczej, której zmienił się kod TERYT, łączy dane spod obu kodów: "
        f"{name} (do końca 2020 r. {split_store['older']}, gmina wiejska)."
    )
    # Two peers, in English: the plural, each named.
    first, second = after.peers.members[:2]
    names = after.peer_units.set_index("teryt")["name"]
    two = dataclasses.replace(
        after,
        params=after.params.model_copy(update={"language": "en"}),
        renumbered=(Renumbering("9999992", first, 2019, "rural"), Renumbering("9999982", second, 2023, "rural")),
    )
    assert renumbered_text(two) == (
        "The series of peers whose TERYT code changed join the data under both codes: "
        f"{names[first]} (9999992 until 2018, rural municipality), {names[second]} (9999982 until 2022, rural municipality)."
    )


def test_the_renumbered_towns_own_report_says_which_years_it_had_its_older_code(split_store):
    town = TownParams(
        teryt=split_store["peer"], edition="2026-11-22", language="en", data_dir=str(split_store["directory"])
    )
    report = compute_report(town)
    from analysis.display import methodology_text

    assert (
        f"Until 2020, {report.name} had the TERYT code {split_store['older']} (rural municipality): the data GUS "
        "gives under that code for those years are joined to its series."
    ) in methodology_text(report).text
    assert report.comparison.loc["population_change_10y", "value"] == pytest.approx(
        split_store["report"].values.loc[(split_store["peer"], 2024), "population"]
        / split_store["report"].values.loc[(split_store["peer"], 2014), "population"]
        * 100
        - 100
    )


def test_a_batch_naming_the_older_code_is_told_the_newer_one(split_store, tmp_path):
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        f"batch: renumbered\ndata: {split_store['directory']}\nyears: {{first: 2014, last: 2024}}\n"
        f'towns:\n  - {{teryt: "{split_store["older"]}"}}\n',
        encoding="utf-8",
    )
    from analysis.params import check_against_store

    with pytest.raises(ParamsError) as raised:
        check_against_store(load_batch(batch), load_store(split_store["directory"]))
    [problem] = raised.value.problems
    assert problem.startswith(f"towns[0]: TERYT code {split_store['older']} is not in the data store: since 2021 ")
    assert f"that gmina is {split_store['peer']} (" in problem


def test_the_stores_status_lists_the_series_it_joined(split_store):
    from typer.testing import CliRunner

    from diagnoza.cli import app

    result = CliRunner().invoke(app, ["data", "status", str(split_store["directory"])])
    assert result.exit_code == 0, result.output
    demo_units = len(load_store().units)  # the store is the demo's plus the older code, which is no unit
    assert f"towns:   {demo_units} (" in result.output
    older, newer = split_store["older"], split_store["peer"]
    joined = f"joined:  1 renumbered in TERYT (older code → newer, first year under it): {older} → {newer} (2021)"
    assert joined in result.output


def test_an_edition_before_the_renumbering_names_the_same_peer_by_its_older_code(split_store, tmp_path):
    # The previous edition, built before the peer's code changed, listed it by the older code: the report on
    # the store that joined its series says no peer joined or left.
    import json

    from analysis.editions import changes_since, figures

    before, older, newer = split_store["report"], split_store["older"], split_store["peer"]
    record = figures(before)
    record["peers"] = [older if code == newer else code for code in record["peers"]]
    record["peer_names"] = {older if code == newer else code: name for code, name in record["peer_names"].items()}
    path = tmp_path / "figures.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    after = compute_report(
        TownParams(teryt=split_store["town"], edition="2026-11-22", data_dir=str(split_store["directory"]))
    )
    changes = changes_since(after, str(path))
    assert changes.peers_joined == [] and changes.peers_left == []


def test_a_town_renumbered_since_the_previous_edition_is_compared_with_its_record_under_the_older_code(
    split_store, tmp_path
):
    # The previous edition named the town by its older code, in a folder of that code: the build finds it
    # there, the notebook's check takes it as the town's, and the section compares the two editions.
    import json

    from analysis.editions import changes_since, figures
    from diagnoza.build import plan_jobs

    older, newer, directory = split_store["older"], split_store["peer"], split_store["directory"]
    record = figures(compute_report(TownParams(teryt=newer, edition="2025-11-22"))) | {"teryt": older}
    (tmp_path / "previous" / older).mkdir(parents=True)
    path = tmp_path / "previous" / older / "figures.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    batch_file = tmp_path / "batch.yaml"
    batch_file.write_text(
        f'batch: renumbered\ndata: {directory}\nyears: {{first: 2014, last: 2024}}\ntowns:\n  - {{teryt: "{newer}"}}\n',
        encoding="utf-8",
    )
    store = load_store(directory)
    [job] = plan_jobs(load_batch(batch_file), store, str(directory), None, "2026-11-22", previous=tmp_path / "previous")
    assert job.town.previous == str(path)
    job.town.check_previous("parameters", store.renumbered)  # the town's own record, under its older code
    with pytest.raises(ParamsError, match=f"is the record of town {older}, not of {newer}"):
        job.town.check_previous("parameters")  # without the store's word, another town's
    changes = changes_since(compute_report(job.town), str(path))
    assert changes is not None and changes.peers_joined == changes.peers_left == []


def test_a_town_renumbered_since_the_last_edition_built_in_the_same_folder_keeps_that_record(split_store, tmp_path):
    # The last edition's report of the town stands under its older code (a folder outside the batch now). A build
    # of the next edition into that folder keeps its record in the kept edition's folder under that code, where
    # --previous finds it; a dry run, which keeps nothing, plans with it where it is. Before, only the folders of
    # the batch's codes were looked at, and the town was taken for one new to the batch.
    import json

    from analysis.editions import figures
    from diagnoza.build import keep_replaced_records, plan_jobs

    older, newer, directory = split_store["older"], split_store["peer"], split_store["directory"]
    record = figures(compute_report(TownParams(teryt=newer, edition="2025-11-22"))) | {"teryt": older}
    out = tmp_path / "reports" / "renumbered"
    (out / older).mkdir(parents=True)
    (out / older / "figures.json").write_text(json.dumps(record), encoding="utf-8")
    batch_file = tmp_path / "batch.yaml"
    batch_file.write_text(
        f'batch: renumbered\ndata: {directory}\nyears: {{first: 2014, last: 2024}}\ntowns:\n  - {{teryt: "{newer}"}}\n',
        encoding="utf-8",
    )
    store, kept = load_store(directory), out / "editions" / "2025-11-22"
    renumbered = {newer: older}

    replaced, arriving = keep_replaced_records(out, [newer], "2026-11-22", kept, True, renumbered)
    assert replaced == {newer: "2025-11-22"} and arriving == {newer: out / older / "figures.json"}
    assert not kept.exists()
    [job] = plan_jobs(
        load_batch(batch_file), store, str(directory), None, "2026-11-22", previous=kept, arriving=arriving
    )
    assert job.town.previous == str(out / older / "figures.json") and not job.absent_from

    assert keep_replaced_records(out, [newer], "2026-11-22", kept, False, renumbered) == ({newer: "2025-11-22"}, {})
    assert (kept / older / "figures.json").read_bytes() == (out / older / "figures.json").read_bytes()
    [job] = plan_jobs(load_batch(batch_file), store, str(directory), None, "2026-11-22", previous=kept)
    assert job.town.previous == str(kept / older / "figures.json") and not job.absent_from
    job.town.check_previous("parameters", store.renumbered)  # its own record, under its older code
