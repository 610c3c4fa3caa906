"""`diagnoza data fetch` against a BDL look-alike on 127.0.0.1, then `diagnoza build --data` on the real batch.

The fake BDL (tests/bdl_fake.py) serves the demo store's figures, with 29 of its
towns relabelled as the 29 towns of params/rozwoj-lokalny-laureaci.yaml (same kind,
their real TERYT codes and names), so the real batch can be built offline.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from typer.testing import CliRunner

from analysis.catalogue import variables
from analysis.params import load_batch
from analysis.paths import DEMO_STORE_DIR, PARAMS_DIR
from analysis.store import Store, load_store
from analysis.teryt import VOIVODESHIPS
from diagnoza.cli import _count_and_share, app
from tests.bdl_fake import from_store, serve, unreachable_api_url
from tests.diagnoza.conftest import diagnoza_command

pytestmark = pytest.mark.slow

KEY = "k3y-0f-the-association-7f1c9a"
LAUREATES = PARAMS_DIR / "rozwoj-lokalny-laureaci.yaml"
BUILT = ["2403011", "3006023"]  # Cieszyn (urban) and Jarocin (urban-rural)


def relabelled_demo(demo_store: Store) -> Store:
    """The demo store with 29 towns renamed to the laureates (kind kept), for a realistic batch."""
    batch = load_batch(LAUREATES)
    units = demo_store.units.copy()
    mapping = {}
    for town in batch.towns:
        kind = {"1": "urban", "3": "urban-rural"}[town.teryt[-1]]
        candidates = units.loc[(units["kind"] == kind) & ~units["teryt"].isin(list(mapping))]
        mapping[candidates["teryt"].iloc[0]] = town
    for old, town in mapping.items():
        row = units["teryt"] == old
        units.loc[row, ["teryt", "name", "voivodeship", "powiat"]] = [
            town.teryt,
            town.name,
            VOIVODESHIPS[town.teryt[:2]],
            town.teryt[:4],
        ]
    codes = {old: town.teryt for old, town in mapping.items()}
    observations = demo_store.observations.assign(teryt=demo_store.observations["teryt"].replace(codes))
    return Store(units=units, observations=observations, metadata={})


def diagnoza(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(diagnoza_command() + list(args), capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def fetched(tmp_path_factory):
    """Run the real command line: fetch with a key from the fake BDL, then build two laureates."""
    from analysis.store import load_store as load

    root = tmp_path_factory.mktemp("bdl")
    fake = from_store(relabelled_demo(load()), variables().values())
    server, api_url = serve(fake)
    env = {**os.environ, "BDL_API_URL": api_url, "BDL_API_KEY": KEY}
    try:
        fetch = diagnoza(
            "data",
            "fetch",
            "--years",
            "2014-2024",
            "--out",
            str(root / "store"),
            "--cache",
            str(root / "cache"),
            env=env,
        )
        again = diagnoza(
            "data",
            "fetch",
            "--years",
            "2014-2024",
            "--out",
            str(root / "store2"),
            "--cache",
            str(root / "cache"),
            "--plan",
            env=env,
        )
    finally:
        server.stop()
    build = diagnoza(
        "build",
        str(LAUREATES),
        "--data",
        str(root / "store"),
        "--only",
        ",".join(BUILT),
        "--out",
        str(root / "reports"),
        "--edition",
        "2026-11-22",
        "--workers",
        "1",
    )
    return {"root": root, "fake": fake, "fetch": fetch, "again": again, "build": build}


def test_the_fetched_store_is_built_into_reports_of_the_real_batch(fetched):
    assert fetched["fetch"].returncode == 0, fetched["fetch"].stderr
    assert fetched["build"].returncode == 0, fetched["build"].stdout + fetched["build"].stderr
    store = load_store(fetched["root"] / "store")
    assert store.units.set_index("teryt").at["2403011", "name"] == "Cieszyn"
    reports = fetched["root"] / "reports" / "rozwoj-lokalny-laureaci"
    for teryt, name in zip(BUILT, ["Cieszyn", "Jarocin"]):
        html = (reports / teryt / "report.html").read_text(encoding="utf-8")
        assert name in html and (reports / teryt / "report.pdf").stat().st_size > 10_000
        assert "Stan danych" in html or "stan danych" in html.lower()


def test_the_key_is_sent_and_written_nowhere(fetched):
    assert {entry.headers.get("X-Clientid") for entry in fetched["fake"].log} == {KEY}
    leaks = [path for path in fetched["root"].rglob("*") if path.is_file() and KEY.encode() in path.read_bytes()]
    assert leaks == []
    for run in ("fetch", "again", "build"):
        assert KEY not in fetched[run].stdout + fetched[run].stderr


def test_a_second_fetch_plan_finds_every_page_cached(fetched):
    assert fetched["again"].returncode == 0
    assert "plan: 0 requests to send" in fetched["again"].stderr


def test_status_describes_the_store(fetched):
    result = CliRunner().invoke(app, ["data", "status", str(fetched["root"] / "store")])
    assert result.exit_code == 0, result.output
    assert "GUS, Bank Danych Lokalnych" in result.output and "2014–2024" in result.output
    assert "population" in result.output and "72305" in result.output


def test_status_takes_the_store_as_every_other_command_does_with_data(fetched):
    # `build`, `validate` and `data towns` take a store as --data DIR; so does `status`, beside its argument.
    store = fetched["root"] / "store"
    result = CliRunner().invoke(app, ["data", "status", "--data", str(store)])
    assert result.exit_code == 0 and f"{store}: valid store" in result.output, result.output
    both = CliRunner().invoke(app, ["data", "status", str(store), "--data", str(DEMO_STORE_DIR)])
    assert both.exit_code != 0 and "two stores given" in both.output


def test_status_without_a_folder_describes_the_embedded_demo_store():
    # As `build` and `validate` read a batch that names no store: the demo store, said to be synthetic.
    result = CliRunner().invoke(app, ["data", "status"])
    assert result.exit_code == 0, result.output
    assert "(synthetic)" in result.output and "analysis/data/demo: valid store" in result.output
    assert "  area:    Poland (all 16 voivodeships)\n" in result.output
    # GUS's figures of the 16 voivodeships and Poland of the two rates published so (analysis.aggregates)
    published = result.output.split("published for voivodeships and Poland")[1]
    assert re.search(r"nursery_places_per_1000_under3\s+1649860\s+17\s+2014–2024", published)
    # The figures GUS marks, counted per mark from the store's own column (analysis.gus_marks)
    from analysis.store import load_store

    counts = load_store().observations["mark"].value_counts()
    line = next(row for row in result.output.splitlines() if "figures GUS marks" in row)
    assert f'{counts["s"]} "s" (preliminary)' in line and f'{counts["v"]} "v" (low precision)' in line
    assert re.search(r"population_density\s+60559\s+17\s+2014–2024", published)


def test_status_says_a_store_of_one_voivodeship_is_part_of_poland(demo_store, tmp_path):
    # As `data fetch --voivodeship 24` writes it: its reports have no Poland sums, which status said nowhere.
    from analysis.store import write_store

    units = demo_store.units.loc[demo_store.units["voivodeship"] == "śląskie"]
    observations = demo_store.observations.loc[demo_store.observations["teryt"].isin(units["teryt"])]
    write_store(tmp_path / "s", units, observations, {**demo_store.metadata, "voivodeship": "24"})
    result = CliRunner().invoke(app, ["data", "status", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert "  area:    part of Poland: śląskie (1 of 16 voivodeships); reports built from it give no Poland" in (
        result.output
    )


def test_status_counts_the_town_years_a_variable_lacks_and_never_rounds_a_gap_to_none(demo_store):
    # Counted here from the store's rows: every town-year of the store, less those with a value.
    first, last = demo_store.years
    town_years = len(demo_store.units) * (last - first + 1)
    rows = demo_store.observations
    density = variables()["population_density"].bdl_id
    missing = town_years - int(rows.loc[(rows["var_id"] == density) & rows["value"].notna()].shape[0])
    assert 0 < missing < 0.005 * town_years  # a few gaps: 0% when rounded
    result = CliRunner().invoke(app, ["data", "status"])
    line = next(line for line in result.output.splitlines() if line.strip().startswith("population_density"))
    assert f" {missing} (<1%) " in line


@pytest.mark.parametrize(
    ("part", "whole", "said"),
    [
        (15, 4954, "15 (<1%)"),
        (0, 4954, "0 (0%)"),
        (2477, 4954, "2477 (50%)"),
        (4950, 4954, "4950 (>99%)"),
        (4954, 4954, "4954 (100%)"),
        (0, 0, "—"),
    ],
)
def test_a_share_of_town_years_is_said_with_its_count(part, whole, said):
    assert _count_and_share(part, whole) == said


def test_towns_found_by_name_paste_into_a_batch_that_validates(tmp_path, demo_store):
    # The analyst's way from names to a batch: `diagnoza data towns` prints each match as a `towns:` line.
    result = CliRunner().invoke(app, ["data", "towns", "bursztynojar", "ZURAWIOL"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith("#")]
    batch_file = tmp_path / "pasted.yaml"
    batch_file.write_text("batch: pasted\nyears: {first: 2014, last: 2024}\ntowns:\n" + "\n".join(lines) + "\n")
    batch = load_batch(batch_file)
    units = demo_store.units.set_index("teryt")["name"]
    # Every demo town whose name holds the query once its Polish letters are plain (a table by hand here, where
    # the command uses Unicode decomposition): Żurawiolas and Żurawiołęka both hold "zurawiol".
    plain = str.maketrans("ąćęłńóśźż", "acelnoszz")
    expected = [
        c for c, name in units.items() for q in ("bursztynojar", "zurawiol") if q in name.lower().translate(plain)
    ]
    assert sorted(batch.teryts) == sorted(expected) and len(expected) == 3
    assert "# ZURAWIOL: 2 gminy" in result.output
    # Nothing found: named, exit status 1
    missing = CliRunner().invoke(app, ["data", "towns", "xyzzy"])
    assert missing.exit_code == 1 and "'xyzzy'" in missing.output


def test_towns_are_found_in_the_terc_register_before_any_fetch(terc):
    # Before a store exists, the codes come from the register; its kinds named as a store names them: Jelenia
    # Góra is a city with powiat rights (the register's row "02;61;;;Jelenia Góra;miasto na prawach powiatu"),
    # where its gmina's row says "gmina miejska" (RODZ 1).
    from tests.conftest import TERC_FILE

    register = str(TERC_FILE)
    result = CliRunner().invoke(app, ["data", "towns", "jelenia gora", "radkow", "--register", register])
    assert result.exit_code == 0, result.output
    assert '  - "0261011"  # Jelenia Góra, miasto na prawach powiatu, dolnośląskie' in result.output
    # Two gminy share the name Radków (the register's rows "02;08;12;3" and "26;13;04;2"): told apart by kind.
    radkow = [line for line in result.output.splitlines() if "Radków" in line]
    assert radkow == [
        '  - "0208123"  # Radków, gmina miejsko-wiejska, dolnośląskie',
        '  - "2613042"  # Radków, gmina wiejska, świętokrzyskie',
    ]


def test_the_real_batch_matches_the_terc_register(terc):
    from analysis.params import check_against_register
    from analysis.teryt import read_terc
    from tests.conftest import TERC_FILE

    batch = load_batch(LAUREATES)
    assert len(batch.towns) == 29
    check_against_register(batch, read_terc(TERC_FILE))  # raises, naming the town, on a wrong code or name
    wrong = batch.model_copy(update={"towns": [batch.towns[0].model_copy(update={"name": "Hajnówka"})]})
    with pytest.raises(ValueError, match="2403011 is 'Cieszyn'"):
        check_against_register(wrong, read_terc(TERC_FILE))


def test_a_register_that_is_missing_or_not_utf8_is_named_without_a_traceback(tmp_path):
    def validate(register):
        return CliRunner().invoke(app, ["validate", str(LAUREATES), "--register", str(register)])

    missing = validate(tmp_path / "TERC.csv")
    assert missing.exit_code == 2 and f"{tmp_path / 'TERC.csv'}: no such file" in missing.output
    legacy = tmp_path / "TERC-cp1250.csv"  # as a spreadsheet saves it on a Polish Windows
    legacy.write_bytes("WOJ;POW;GMI;RODZ;NAZWA\n24;03;01;1;Cieszyn – gmina ąę\n".encode("cp1250"))
    result = validate(legacy)
    assert result.exit_code == 2 and "not UTF-8 text" in result.output
    assert "Traceback" not in missing.output + result.output


def test_check_variables_reports_a_wrong_unit(fake_bdl_with_catalogue):
    fake, api_url, cache = fake_bdl_with_catalogue
    population = variables()["population"].bdl_id
    fake.variables[population]["measureUnitName"] = "tys. osób"
    result = CliRunner().invoke(app, ["data", "check-variables", "--cache", str(cache)], env={"BDL_API_URL": api_url})
    assert result.exit_code == 1
    assert "WRONG population" in result.output and "'tys. osób'" in result.output
    assert "1 of 28 catalogue variables disagree" in result.output


def test_a_fetch_that_would_drop_part_of_the_store_in_its_folder_is_refused_before_any_request(demo_store, tmp_path):
    # `--years 2023-2024 --out data/bdl`, meant to bring the last years up to date, replaced a store of 2014–2024
    # with one of two years: up to 12 hours of BDL's anonymous quota to fetch again. Refused, naming what it would
    # drop, with nothing sent (BDL_API_URL points nowhere) and the store untouched; --plan says so and plans.
    from analysis.store import write_store

    store = tmp_path / "store"
    write_store(store, demo_store.units, demo_store.observations, dict(demo_store.metadata))
    before = {path.name: path.read_bytes() for path in store.iterdir()}
    arguments = ["data", "fetch", "--years", "2023-2024", "--out", str(store), "--cache", str(tmp_path / "cache")]
    env = {"BDL_API_URL": unreachable_api_url()}
    refused = CliRunner().invoke(app, arguments, env=env)
    assert refused.exit_code == 2
    assert f"data fetch: {store} holds a store with 9 other years (2014, 2015," in refused.output
    assert "add --replace to drop them" in refused.output and "plan:" not in refused.output
    assert {path.name: path.read_bytes() for path in store.iterdir()} == before
    planned = CliRunner().invoke(app, [*arguments, "--plan"], env=env)
    assert planned.exit_code == 0 and "note: " in planned.output and "plan: " in planned.output
    replaced = CliRunner().invoke(app, [*arguments, "--plan", "--replace"], env=env)
    assert replaced.exit_code == 0 and "note: " not in replaced.output and "plan: " in replaced.output


def test_check_variables_stops_at_once_where_bdl_is_out_of_reach(tmp_path, monkeypatch):
    # Before, a machine without the network waited a minute per variable (six attempts each), then listed all 28 as
    # "not found": wrong entries, to an analyst about to correct the catalogue. Nothing answers at this address.
    from analysis.bdl import client

    url = unreachable_api_url()
    monkeypatch.setattr(client.Settings, "from_environment", classmethod(lambda cls: cls(url, attempts=2, backoff=0)))
    result = CliRunner().invoke(app, ["data", "check-variables", "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 1
    assert "data check-variables stopped: BDL API: variable 72305 (metadata): gave up after 2 attempts" in result.output
    assert "connection failed (Connection refused)" in result.output
    assert f"checked before it: 0 of {len(variables())} catalogue variables" in result.output
    assert "WRONG" not in result.output and "not found" not in result.output


@pytest.fixture
def fake_bdl_with_catalogue(demo_store, tmp_path):
    fake = from_store(demo_store, variables().values(), years=[2020])
    server, api_url = serve(fake)
    yield fake, api_url, tmp_path / "cache"
    server.stop()


def test_a_store_that_is_missing_names_the_fetch_command(tmp_path):
    result = CliRunner().invoke(app, ["validate", str(LAUREATES), "--data", str(tmp_path / "none")])
    assert result.exit_code == 2 and "diagnoza data fetch" in result.output
    # and, as a fetch needs the internet, the check that needs none: the towns against a TERC register
    assert "the batch's towns can be checked without a store: --register" in result.output


def test_a_store_that_is_there_but_wrong_is_named_without_the_hint_to_check_without_one(demo_store, tmp_path):
    # A register checks the towns where there is no store yet; a store that is there but wrong (a negative
    # count) must be mended, and the hint to go without one would send the analyst the wrong way.
    from analysis.store import write_store

    write_store(tmp_path / "store", demo_store.units, demo_store.observations, dict(demo_store.metadata))
    observations = demo_store.observations.copy()
    observations.loc[observations.index[0], "value"] = -1.0
    observations.to_parquet(tmp_path / "store" / "observations.parquet")
    result = CliRunner().invoke(app, ["validate", str(PARAMS_DIR / "demo.yaml"), "--data", str(tmp_path / "store")])
    assert result.exit_code == 2 and "negative values" in result.output
    assert "--register" not in result.output


def test_a_batch_names_its_store_with_data(fetched, tmp_path):
    """`data:` in params (relative to the project root, or absolute) instead of --data."""
    import yaml

    raw = yaml.safe_load(LAUREATES.read_text(encoding="utf-8"))
    raw["data"] = str(fetched["root"] / "store")
    params = tmp_path / "laureates.yaml"
    params.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(params)])
    assert result.exit_code == 0, result.output
    assert "29 towns" in result.output


def test_status_counts_the_marks_gus_gives_its_own_figures_of_the_areas(demo_store, tmp_path):
    # The demo's published area figures carry none (so status says nothing of them); two marked here, by hand.
    from analysis.store import write_store

    published = demo_store.area_values
    marked = published.assign(mark=published["mark"].mask(published.index.isin(published.index[:2]), "s"))
    write_store(tmp_path / "s", demo_store.units, demo_store.observations, demo_store.metadata, marked)
    result = CliRunner().invoke(app, ["data", "status", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert '    of which GUS marks (kept, and noted beside them in the reports): 2 "s" (preliminary)\n' in result.output
    plain = CliRunner().invoke(app, ["data", "status"]).output
    assert "of which GUS marks" not in plain
