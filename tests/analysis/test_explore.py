"""Several towns side by side: the tables carry the reports' own numbers, and say which are pooled."""

import pytest

from analysis import explore
from analysis.params import ParamsError
from analysis.report import prepare_report
from analysis.town import TownParams
from tests.analysis import printed_years

TOWNS = ("0490013", "0290011")


@pytest.fixture(scope="module")
def reports():
    return [prepare_report(TownParams(teryt=teryt)) for teryt in TOWNS]


def test_side_by_side_holds_each_reports_own_values(reports):
    frame = explore.side_by_side(reports)
    assert list(frame.columns) == [f"{r.name} ({r.teryt})" for r in reports]
    population = frame.loc["Liczba ludności"]
    for report, column in zip(reports, frame.columns):
        assert population[column] == report.comparison.loc["population", "value"]
    assert len(frame) == len(reports[0].comparison)


def test_a_pooled_row_names_its_years(reports):
    names = list(explore.side_by_side(reports).index)
    assert "Urodzenia żywe na 1000 ludności (2022–2024)" in names  # births: 3 years pooled in the catalogue
    assert "Liczba ludności" in names  # a single year's value: no years added


def _polish(number: float, decimals: int, signed: bool = False) -> str:
    """A number as a Polish report prints it, worked out with plain string formatting: a zero carries no sign."""
    signed = signed and round(number, decimals) != 0
    text = f"{number:{'+' if signed else ''},.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return text.replace("-", "\u2212")


def test_verdicts_side_by_side_has_a_row_per_town_and_a_column_per_section(reports):
    frame = explore.verdicts_side_by_side(reports)
    assert frame.shape == (2, 3)
    for report, (_, row) in zip(reports, frame.iterrows()):
        score = report.verdicts.loc["demography", "score"]
        assert row.iloc[0].endswith(f"({_polish(score, 2, signed=True)})")  # "(−0,78)", as the report prints it


def test_the_printed_table_shows_figures_as_the_report_prints_them(reports):
    # The same figures as side_by_side, each in its indicator's decimals and unit (births: 1 decimal, ‰,
    # pooled 2022–2024), percentiles whole, scores signed to two places; a missing figure is "b.d.".
    values = explore.side_by_side_printed(reports)
    percentiles = explore.side_by_side_printed(reports, "percentile")
    scores = explore.side_by_side_printed(reports, "score")
    for report, column in zip(reports, values.columns):
        comparison = report.comparison
        assert values.at["Liczba ludności (osoby)", column] == _polish(comparison.at["population", "value"], 0)
        births = comparison.at["births_per_1000", "value"]
        assert values.at["Urodzenia żywe na 1000 ludności (‰, 2022–2024)", column] == _polish(births, 1)
        percentile = comparison.at["births_per_1000", "percentile"]
        assert percentiles.at["Urodzenia żywe na 1000 ludności (2022–2024)", column] == f"{percentile:.0f}"
        score = comparison.at["births_per_1000", "score"]
        assert scores.at["Urodzenia żywe na 1000 ludności (2022–2024)", column] == _polish(score, 2, signed=True)
        assert scores.at["Liczba ludności", column] == "—"  # neutral: never scored, and nothing missing
    assert explore.side_by_side(reports).shape == values.shape  # the numbers to compute with, unchanged
    changes = explore.side_by_side_printed(reports, "change")
    change = reports[0].comparison.at["population", "change"]  # 0490013 lost residents: "−447"
    assert changes.at["Liczba ludności (osoby)", values.columns[0]] == _polish(change, 0, signed=True)
    years = explore.side_by_side_printed(reports, "year")  # not a figure of the indicator: as it is
    assert years.at["Liczba ludności", values.columns[0]] == reports[0].comparison.at["population", "year"]


def test_every_printed_value_is_the_one_the_towns_own_report_table_prints():
    # Read off each town's own section tables ("Wartość", and the year where it is a single one before 2024), in
    # the catalogue's order of indicators: the explore table gives the same strings (a change's sign, "≈" before
    # a value on few events, decimals, "b.d.", the year of a figure from before the last year).
    # By hand from the store: 1290013 grew from 10,707 (2019) to 10,742 (2024) residents, +0.33%; 3290013 had
    # 11 registered unemployed of 2,045 of working age in 2024, 0.54%, on fewer than 20 events: ≈; 1690021 has
    # no working-age population for 2024, so its unemployment is 2023's: 179 of 7,182, 2.49%.
    from analysis import display as show
    from analysis.catalogue import indicators_in

    # The peers' medians too, with "³" where the peers' figures carry GUS's marks (the demo's 2024 migration).
    reports = [prepare_report(TownParams(teryt=teryt)) for teryt in ("1290013", "3290013", "1690021")]
    values = explore.side_by_side_printed(reports)
    medians = explore.side_by_side_printed(reports, "peer_median")
    for report, column in zip(reports, values.columns):
        for section in ("demography", "economy", "services"):
            table = show.comparison_table(report, section)
            ids = [i.id for i in indicators_in(section)]
            assert len(table.frame) == len(ids)  # the demo store has every indicator: one row each, in this order
            rows = [list(report.comparison.index).index(i) for i in ids]
            for printed, header in ((values, "Wartość"), (medians, "Mediana grupy")):
                expected = [
                    value if year in ("2024", "") or "–" in year else f"{value} ({year})"
                    for value, year in zip(table.frame[header], printed_years(table))
                ]
                assert list(printed[column].to_numpy()[rows]) == expected, (report.name, section, header)
    assert medians[values.columns[0]].str.endswith(show.GUS_MARK).any()  # the premise: some median is marked
    assert values.at["Zmiana liczby ludności w ciągu 5 lat (%)", values.columns[0]] == "+0,3"
    assert values.at["Bezrobotni zarejestrowani w % ludności w wieku produkcyjnym (%)", values.columns[1]] == "≈0,5"
    assert (
        values.at["Bezrobotni zarejestrowani w % ludności w wieku produkcyjnym (%)", values.columns[2]] == "2,5 (2023)"
    )


def test_the_printed_table_does_not_place_a_value_on_too_few_events(reports):
    # 0490013's net foreign migration rests on fewer than 10 moves (2022–2024): its report shows the value
    # but no position ("nie oceniono"); "b.d." would deny a figure the values table prints. 0290011's (10–19
    # moves: uncertain) is ranked.
    name = "Saldo migracji zagranicznych na 1000 ludności (2022–2024)"
    columns = explore.side_by_side_printed(reports).columns
    assert [r.comparison.at["net_migration_foreign_per_1000", "reliability"] for r in reports] == [
        "not_ranked",
        "unreliable",
    ]
    for column in ("percentile", "score"):
        printed = explore.side_by_side_printed(reports, column)
        assert printed.at[name, columns[0]] == "nie oceniono"
        assert printed.at[name, columns[1]] not in ("nie oceniono", "b.d.")
    values = explore.side_by_side_printed(reports)
    assert values.at[name.replace("(", "(‰, "), columns[0]] != "b.d."  # the value itself is printed


def test_every_bad_code_is_named_at_once():
    with pytest.raises(ParamsError) as error:
        explore.validate_towns("0490013, 9999999, 12")
    text = str(error.value)
    assert "9999999" in text and "(12)" in text
    with pytest.raises(ParamsError, match="at least one"):
        explore.validate_towns(" , ")


def test_one_town_given_as_a_number_or_towns_as_a_list_are_read_as_codes():
    # papermill reads `-p towns 0290011` as YAML: the number 290011, which once stopped the notebook with
    # "'int' object has no attribute 'split'"; a list comes from `-y "towns: [...]"` or Python callers.
    assert [town.teryt for town in explore.validate_towns(290011)] == ["0290011"]
    assert [town.teryt for town in explore.validate_towns(["0290011", 490013])] == ["0290011", "0490013"]


def test_towns_may_be_given_by_name_and_an_unknown_name_is_said():
    # Names as params/demo.yaml's comments give them: Bursztynojar 0290011, Bławatkopole 0490013.
    chosen = explore.validate_towns("Bursztynojar, blawatkopole, 0690021")
    assert [town.teryt for town in chosen] == ["0290011", "0490013", "0690021"]
    with pytest.raises(ParamsError) as raised:
        explore.validate_towns("Warszawa,0290011")
    assert raised.value.problems == ["towns: no gmina of the store is named Warszawa"]
    with pytest.raises(ParamsError) as raised:  # a slip: the name it resembles is offered
        explore.validate_towns("Bursztynoja,0290011")
    assert raised.value.problems == ["towns: no gmina of the store is named Bursztynoja (did you mean Bursztynojar?)"]
    # Codes separated otherwise than by commas read as one name: said so, and not as if none were given.
    with pytest.raises(ParamsError) as raised:
        explore.validate_towns("0290011; 0490013")
    assert raised.value.problems == [
        "towns: no gmina of the store is named 0290011; 0490013 (separate TERYT codes with commas)"
    ]


def test_a_name_two_gminy_share_is_refused_with_each_told_apart(demo_store, tmp_path):
    # A town and the rural gmina around it often share a name (Hajnówka 2005011 and 2005062): both codes are
    # offered with their kinds, as `data towns` lists them. Here the demo's first rural gmina is given the name of
    # 0290011 Bursztynojar (urban, dolnośląskie) in a copy of the store.
    from analysis.store import write_store

    units = demo_store.units.copy()
    rural = units.loc[units["kind"] == "rural"].iloc[0]
    units.loc[units["teryt"] == rural["teryt"], "name"] = "Bursztynojar"
    write_store(tmp_path / "store", units, demo_store.observations, dict(demo_store.metadata))
    with pytest.raises(ParamsError) as raised:
        explore.validate_towns("bursztynojar", data_dir=str(tmp_path / "store"))
    first, second = sorted(["0290011", rural["teryt"]])
    kinds = {"0290011": "gmina miejska, dolnośląskie", rural["teryt"]: f"gmina wiejska, {rural['voivodeship']}"}
    assert raised.value.problems == [
        f"towns: bursztynojar names 2 gminy of the store: give {first} ({kinds[first]}) or {second} ({kinds[second]})"
    ]


def test_what_a_shared_store_lacks_is_said_once_not_once_per_town(tmp_path, capsys):
    # Three towns of one sparse store (tests/conftest.py): the report notebook's note on the variables it has
    # no value of, below the cell once; it was printed once per town, three copies of a 1,600-character note.
    from analysis.town import validate_town
    from tests.conftest import write_sparse_store

    store = str(write_sparse_store(tmp_path / "sparse"))
    validate_town(teryt="0290011", first_year=2023, last_year=2024, data_dir=store)
    one_town = capsys.readouterr().err
    # what it lacks, and the figures GUS marks in 2023–2024 (analysis.gus_marks): two notes
    assert one_town.startswith("note: ") and one_town.count("\n") == 2
    explore.validate_towns("0290011,0490013,0290021", first_year=2023, last_year=2024, data_dir=store)
    assert capsys.readouterr().err == one_town
    explore.validate_towns("0290011,0490013")  # the demo store lacks nothing: its marks, once
    said = capsys.readouterr().err
    assert said.startswith("note: GUS marks") and said.count("\n") == 1


def test_every_problem_of_the_explore_parameters_is_named_once_before_anything_is_computed():
    injected = '# Parameters\ntowns = "0490013"\nindicatr = "population"\n'  # papermill's cell, a name mistyped
    with pytest.raises(ParamsError) as error:
        explore.validate_towns(
            "0490013, 490013, 0290011",
            indicator="birth_per_1000",
            language="de",
            peer_method="explicit",
            history=["", injected],
        )
    problems = error.value.problems
    assert problems[0].startswith("indicatr: not a parameter of this notebook (did you mean indicator?)")
    assert problems[1:4] == [
        "towns: 0490013 is listed twice",  # once padded from 490013: one town
        "indicator: no indicator 'birth_per_1000' in analysis/catalogue/indicators.yaml"
        " (did you mean births_per_1000?)",
        "peer_method: 'explicit' is not offered here; one of nearest | voivodeship | powiat | population_class",
    ]
    # The language is every town's problem: said once, not once per town.
    assert problems[4:] == ["language: must be 'pl' or 'en' (got 'de')"]
    # -p peer_k beside another rule: refused, as in the report notebook and the batch file
    injected = '# Parameters\npeer_method = "powiat"\npeer_k = 10\n'
    with pytest.raises(ParamsError) as error:
        explore.validate_towns("0290011", peer_method="powiat", peer_k=10, history=["", injected])
    assert error.value.problems == [
        "peer_k: only used with peer_method 'nearest' (how many nearest peers), not 'powiat'"
    ]


def test_the_peer_controls_are_built_only_where_a_notebook_frontend_can_show_them(monkeypatch, capsys):
    # JupyterLab's server sets JPY_SESSION_NAME for its notebooks' kernels; papermill does not, and there a
    # widget shows nothing and can leave the run waiting for ever (jupyter/nbclient#312).
    ipywidgets = pytest.importorskip("ipywidgets")
    town = TownParams(teryt=TOWNS[0])
    monkeypatch.delenv(explore.NOTEBOOK_FRONTEND, raising=False)
    assert explore.peer_explorer(town) is None
    monkeypatch.setenv(explore.NOTEBOOK_FRONTEND, "notebooks/explore.ipynb")
    controls = explore.peer_explorer(town, "births_per_1000")
    assert isinstance(controls, ipywidgets.interactive)
    chosen = {child.description: child.value for child in controls.children if hasattr(child, "description")}
    assert chosen["peers"] == "nearest" and chosen["k"] == 20 and chosen["indicator"] == "births_per_1000"
    # k belongs to the nearest rule alone: for the others its slider is greyed out, not left to redraw the same
    method, k = (next(c for c in controls.children if getattr(c, "description", "") == d) for d in ("peers", "k"))
    assert not k.disabled
    method.value = "voivodeship"
    assert k.disabled
    method.value = "nearest"
    assert not k.disabled


def test_a_vs_code_notebook_counts_as_a_frontend_by_the_file_name_vs_code_puts_in_the_kernel(monkeypatch):
    # VS Code starts its kernels without Jupyter Server (so without JPY_SESSION_NAME) and defines
    # __vsc_ipynb_file__ in the kernel's namespace; papermill's kernel has neither, and outside a
    # kernel there is no shell at all.
    import IPython

    class Shell:
        user_ns: dict = {}

    monkeypatch.delenv(explore.NOTEBOOK_FRONTEND, raising=False)
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert not explore.has_notebook_frontend()
    monkeypatch.setattr(IPython, "get_ipython", Shell)
    assert not explore.has_notebook_frontend()
    Shell.user_ns = {explore.VSCODE_NOTEBOOK: "/home/analyst/diagnoza/notebooks/explore.ipynb"}
    assert explore.has_notebook_frontend()


def test_the_assessment_side_by_side_is_worded_as_the_reports_print_it():
    # The reports' tables say "mocna strona" / "słaba strona" / "—", never the codes they are kept as, and
    # "nieoceniany" for a value not judged by design: a neutral indicator, or the one the peers were matched on.
    reports = explore.prepare_reports(explore.validate_towns("0290011,0490013"))
    printed = explore.side_by_side_printed(reports, "assessment")
    raw = explore.side_by_side(reports, "assessment")
    words = {"strength": "mocna strona", "weakness": "słaba strona", "": "—"}
    expected = raw.replace(words)
    for column, report in zip(raw.columns, reports, strict=True):
        comparison = report.comparison
        by_design = (comparison["direction"] == "neutral") | comparison["matching"]
        expected.loc[by_design.to_numpy() & comparison["value"].notna().to_numpy(), column] = "nieoceniany"
    assert (printed.to_numpy() == expected.to_numpy()).all()
    assert {"mocna strona", "słaba strona", "nieoceniany"} <= set(printed.to_numpy().ravel())


def test_a_town_whose_peer_group_cannot_be_formed_is_named_before_anything_is_computed():
    # Powiat 0294 of the demo store holds three gminy: under `powiat` each has two peers, one short of three.
    # The explore notebook says so in its checking cell, for every such town at once, not after computing.
    with pytest.raises(ParamsError) as error:
        explore.validate_towns("0294013, 0290011", peer_method="powiat")
    assert error.value.problems == [
        "towns (0294013): the 'powiat' rule gives only 2 peers; 3 are needed, so give this town another peer rule"
    ]


def test_a_change_across_a_towns_annexation_has_no_position_side_by_side(demo_store, tmp_path):
    # As its own report's table (tests/analysis/test_narrative.py): Bursztynojar's 5-year change of residents,
    # holding land and residents taken in in 2022, is printed, with "nie oceniono" for its position and score.
    from tests.conftest import write_annexed_store

    store = write_annexed_store(demo_store, tmp_path / "store", "0290011", 2022, residents=1.3, land=1.4)
    annexed = prepare_report(TownParams(teryt="0290011", data_dir=str(store)))
    reports = [annexed, prepare_report(TownParams(teryt="0490013", data_dir=str(store)))]
    name = "Zmiana liczby ludności w ciągu 5 lat"
    for column in ("percentile", "score"):
        printed = explore.side_by_side_printed(reports, column)
        assert printed.at[name, printed.columns[0]] == "nie oceniono"
        assert printed.at[name, printed.columns[1]] != "nie oceniono"
    values = explore.side_by_side_printed(reports)
    assert values.at[f"{name} (%)", values.columns[0]].startswith("+21")
