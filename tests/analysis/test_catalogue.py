import pytest
from pydantic import ValidationError

from analysis.catalogue import SECTIONS, Direction, Indicator, formula_names, indicators, split_lag, variables
from analysis.params import ParamsError


def test_every_section_has_at_least_three_indicators():
    for section in SECTIONS:
        assert len([i for i in indicators().values() if i.section == section]) >= 3, section


def test_every_indicator_reads_only_catalogued_variables():
    known = set(variables())
    for indicator in indicators().values():
        for name in indicator.inputs:
            assert split_lag(name)[0] in known, (indicator.id, name)


def test_every_indicator_is_fully_described():
    for indicator in indicators().values():
        assert indicator.name_pl and indicator.name_en and indicator.unit_pl and indicator.unit_en
        assert isinstance(indicator.direction, Direction)


def test_bdl_ids_are_unique():
    ids = [v.bdl_id for v in variables().values()]
    assert len(ids) == len(set(ids))


def test_formula_names_and_lags():
    assert formula_names("(population / population_lag5 - 1) * 100") == ("population", "population_lag5")
    assert split_lag("population_lag5") == ("population", 5)
    assert split_lag("population") == ("population", 0)


@pytest.mark.parametrize(
    "formula", ["__import__('os')", "population.sum()", "population if deaths else 0", "a[0]", "deaths / population +"]
)
def test_formulas_beyond_arithmetic_are_rejected(formula):
    with pytest.raises(ValidationError):
        Indicator(
            id="x",
            section="economy",
            name_pl="x",
            name_en="x",
            unit_pl="x",
            unit_en="x",
            formula=formula,
            direction="neutral",
            decimals=0,
        )


def test_every_variable_id_is_a_gmina_level_candidate_with_its_recorded_confidence():
    """The catalogue against the research list of BDL ids (../shared/data/bdl-variable-candidates.csv).

    Ids below "high" confidence are still to be confirmed online with `diagnoza data check-variables`;
    here we check that none was mistyped or promoted on the way into the catalogue.
    """
    import csv

    from tests.conftest import SHARED

    candidates_file = SHARED / "bdl-variable-candidates.csv"
    if not candidates_file.is_file():
        pytest.skip(f"candidates list not present: {candidates_file}")
    with open(candidates_file, encoding="utf-8") as handle:
        candidates = {int(row["var_id"]): row for row in csv.DictReader(handle) if row["var_id"].isdigit()}
    for variable in variables().values():
        candidate = candidates.get(variable.bdl_id)
        assert candidate is not None, variable.key
        assert candidate["confidence"] == variable.confidence, variable.key
        assert candidate["unit"] == variable.unit and candidate["finest_level"].startswith("6"), variable.key


def test_an_edited_catalogue_is_read_again_without_a_restart(tmp_path, monkeypatch):
    # An analyst edits indicators.yaml in JupyterLab and re-runs a cell: the new definition counts.
    import os
    import shutil

    import analysis.catalogue as catalogue

    copy = tmp_path / "indicators.yaml"
    shutil.copy(catalogue.INDICATORS_FILE, copy)
    monkeypatch.setattr(catalogue, "INDICATORS_FILE", copy)
    before = catalogue.indicators()["population"].name_pl
    copy.write_text(
        copy.read_text(encoding="utf-8").replace(f"name_pl: {before}", "name_pl: Ludność ogółem", 1), encoding="utf-8"
    )
    os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 1_000_000))  # a later save
    assert catalogue.indicators()["population"].name_pl == "Ludność ogółem"


def test_only_counts_and_budget_amounts_can_be_pooled_over_years():
    from analysis.catalogue import variables

    known = {"variables": variables()}  # as the catalogue file is loaded
    births = indicators()["births_per_1000"].model_dump()
    Indicator(**births | {"pool_years": 3})  # events over their base: the sums over years mean something
    with pytest.raises(ValidationError, match="pool_years needs a count model"):
        Indicator(**births | {"pool_years": 3, "counts": None})  # a published rate does not add up over years
    change = indicators()["population_change_5y"].model_dump()
    with pytest.raises(ValidationError, match="pool_years needs a count model"):
        Indicator(**change | {"pool_years": 2})
    # Spending of a kind over all spending: amounts of a budget's years, which add up; the share is of the years'
    # spending together (`pooled_share`), not a yearly average.
    investment = indicators()["investment_share"].model_dump() | {"pool_years": 2}
    assert Indicator.model_validate(investment, context=known).pooled_share
    assert not indicators()["births_per_1000"].pooled_share
    # CIT per resident reads the population, no budget amount: without a count model that names it as the base,
    # nothing says what its sum over years would mean.
    cit = indicators()["cit_per_capita"].model_dump() | {"pool_years": 3}
    with pytest.raises(ValidationError, match="or a formula over budget amounts only"):
        Indicator.model_validate(cit, context=known)


def test_an_assumed_gross_flow_goes_with_a_net_flow_and_only_with_it():
    from analysis.catalogue import CountModel

    CountModel(model="net_flow", events="net_migration", base="population", gross_per_1000=23)
    with pytest.raises(ValidationError, match="gross_per_1000"):
        CountModel(model="net_flow", events="net_migration", base="population")  # no noise without the moves
    with pytest.raises(ValidationError, match="gross_per_1000"):
        CountModel(model="poisson", events="live_births", base="population", gross_per_1000=10)
    with pytest.raises(ValidationError):
        CountModel(model="net_flow", events="net_migration", base="population", gross_per_1000=0)


def test_every_net_migration_has_a_count_model():
    # A balance of a few moves must not be judged as if exact (issue #13: differences must clear the noise).
    for indicator in indicators().values():
        if indicator.formula.startswith("net_migration"):
            assert indicator.counts is not None and indicator.counts.model == "net_flow", indicator.id


def test_a_change_model_needs_the_same_variable_earlier():
    from analysis.catalogue import CountModel

    assert CountModel(model="change", events="population", base="population_lag5", gross_per_1000=44).span == 5
    with pytest.raises(ValidationError, match="population_lag5"):
        CountModel(model="change", events="population", base="population", gross_per_1000=44)  # no span
    with pytest.raises(ValidationError, match="population_lag5"):
        CountModel(model="change", events="population", base="dwellings_lag5", gross_per_1000=44)  # another level


def test_a_name_inside_a_sentence_keeps_its_acronym():
    # "Gminy dobrano tak, by były podobne … (udziały w PIT na 1 mieszkańca)": lower-casing the whole name
    # printed "udziały w pit".
    catalogue = indicators()
    assert catalogue["pit_per_capita"].name_in_sentence("pl") == "udziały w PIT na 1 mieszkańca"
    assert catalogue["pit_per_capita"].name_in_sentence("en") == "PIT share revenue per capita"
    assert catalogue["births_per_1000"].name_in_sentence("pl") == "urodzenia żywe na 1000 ludności"


@pytest.mark.parametrize(
    ("town", "peers", "better", "polish", "english"),
    [
        # Both lose residents, the town less: a smaller decline, never a "favourable change" of −3.2%.
        (-3.2, -4.7, True, "mniejszy spadek liczby ludności w ciągu 5 lat", "smaller population decline over 5 years"),
        (-7.6, -4.6, False, "większy spadek liczby ludności w ciągu 5 lat", "larger population decline over 5 years"),
        (1.2, -2.0, True, "wzrost liczby ludności w ciągu 5 lat", "population growth over 5 years"),  # signs differ
        (-1.2, 2.0, False, "spadek liczby ludności w ciągu 5 lat", "population decline over 5 years"),
        (3.0, 1.0, True, "większy wzrost liczby ludności w ciągu 5 lat", "larger population growth over 5 years"),
        (1.0, 3.0, False, "mniejszy wzrost liczby ludności w ciągu 5 lat", "smaller population growth over 5 years"),
        (2.5, -2.5, True, "wzrost liczby ludności w ciągu 5 lat", "population growth over 5 years"),  # same size
        # Printed as "+0,0%" where the peers lose 2 %: less of a decline than theirs.
        (0.04, -2.0, True, "mniejszy spadek liczby ludności w ciągu 5 lat", "smaller population decline over 5 years"),
        (-2.0, 0.0, False, "spadek liczby ludności w ciągu 5 lat", "population decline over 5 years"),
        # Nothing to tell apart (never a strength under the rule): the phrase of a high value.
        (
            -2.0,
            -2.0,
            True,
            "korzystna zmiana liczby ludności w ciągu 5 lat",
            "favourable population change over 5 years",
        ),
    ],
)
def test_a_signed_indicator_is_named_by_the_signs_a_reader_sees(town, peers, better, polish, english):
    change = indicators()["population_change_5y"]
    assert change.judged_phrase(better, "pl", value=town, peer_median=peers) == polish
    assert change.judged_phrase(better, "en", value=town, peer_median=peers) == english


def test_an_unsigned_indicator_is_named_by_its_rank_whatever_its_values():
    deaths = indicators()["deaths_per_1000"]  # lower is better: a strength is a low value
    assert deaths.judged_phrase(True, "pl", value=9.1, peer_median=11.4) == "niska liczba zgonów na 1000 ludności"
    assert deaths.judged_phrase(False, "en", value=13.0, peer_median=11.4) == "high death rate"


def test_rise_and_fall_phrases_come_together_on_a_judged_indicator():
    change = indicators()["population_change_5y"].model_dump()
    with pytest.raises(ValidationError, match="rise_pl, fall_pl, rise_en, fall_en go together"):
        Indicator(**change | {"fall_en": None})
    population = indicators()["population"].model_dump()  # neutral: never a strength, never named so
    with pytest.raises(ValidationError, match="go together, on a judged indicator"):
        Indicator(**population | {"rise_pl": "a", "fall_pl": "b", "rise_en": "c", "fall_en": "d"})


SEWAGE_AS_RATE = "  additive: false\n  rate_of: population\nlibrary_readers:"


@pytest.mark.parametrize(
    "as_edited",
    [
        "  rate_of: population\nlibrary_readers:",  # additive: a count cannot be a rate
        "  additive: false\n  rate_of: population_density\nlibrary_readers:",  # a rate of a rate
        "  additive: false\n  rate_of: residents\nlibrary_readers:",  # of a variable the catalogue lacks
    ],
    ids=["a count", "a rate of a rate", "of an unknown variable"],
)
def test_a_rate_names_an_additive_variable_of_the_catalogue_it_is_a_rate_of(tmp_path, monkeypatch, as_edited):
    # An area's value of a rate is weighted by what it is a rate of; a wrong `rate_of` is stopped on load.
    import analysis.catalogue as catalogue

    text = catalogue.VARIABLES_FILE.read_text(encoding="utf-8")
    assert text.count(SEWAGE_AS_RATE) == 1  # the sewerage share, a rate of population, before library readers
    copy = tmp_path / "variables.yaml"
    copy.write_text(text.replace(SEWAGE_AS_RATE, as_edited), encoding="utf-8")
    monkeypatch.setattr(catalogue, "VARIABLES_FILE", copy)
    with pytest.raises(ParamsError, match="sewage_users_pct: rate_of"):
        catalogue.variables()


def test_a_misspelt_confidence_of_a_variable_is_named(tmp_path, monkeypatch):
    # "medum-high" passed as a grade of its own: no list of the ids to confirm online could rely on the grades.
    import analysis.catalogue as catalogue

    text = catalogue.VARIABLES_FILE.read_text(encoding="utf-8")
    deaths = 'deaths:\n  bdl_id: 65\n  name_pl: "Zgony ogółem"\n  unit: osoba\n  confidence: medium-high\n'
    assert text.count(deaths) == 1
    copy = tmp_path / "variables.yaml"
    copy.write_text(text.replace(deaths, deaths.replace("medium-high", "medum-high")), encoding="utf-8")
    monkeypatch.setattr(catalogue, "VARIABLES_FILE", copy)
    with pytest.raises(ParamsError, match="deaths: confidence: .*'medium-high'.*got 'medum-high'"):
        catalogue.variables()


NEW_INDICATOR = """
{id}:
  section: demography
  name_pl: Zgony na jedno urodzenie
  name_en: Deaths per live birth
  unit_pl: ""
  unit_en: ""
  formula: {formula}
  direction: {direction}
  subdomain: natural_change
  topic: natural_increase
  direction_reason: More deaths than births shrink the population.
  direction_reason_pl: Przewaga zgonów nad urodzeniami zmniejsza liczbę ludności.
  decimals: 2
"""


def test_every_mistake_in_an_edited_catalogue_is_named_at_once_with_its_indicator(tmp_path, monkeypatch):
    # An analyst adds two indicators with three mistakes between them: one run names all three, and where.
    import analysis.catalogue as catalogue

    copy = tmp_path / "indicators.yaml"
    added = NEW_INDICATOR.format(id="deaths_per_birth", formula="deaths / live_birth", direction="lower_beter")
    added += NEW_INDICATOR.format(id="births_per_death", formula="live_births / deaths", direction="higher_better")
    copy.write_text(catalogue.INDICATORS_FILE.read_text(encoding="utf-8") + added, encoding="utf-8")
    monkeypatch.setattr(catalogue, "INDICATORS_FILE", copy)
    with pytest.raises(ParamsError) as raised:
        catalogue.indicators()
    problems = raised.value.problems
    assert len(problems) == 3, problems
    assert problems[0].startswith("deaths_per_birth: formula: unknown variable 'live_birth'")
    assert problems[1].startswith("deaths_per_birth: direction:") and "'lower_beter'" in problems[1]
    assert problems[2].startswith("births_per_death: a judged indicator (higher_better) needs")
    assert problems[2].endswith("missing: high_pl, low_pl, high_en, low_en, min_difference")
    assert str(copy) in str(raised.value)


def test_a_formula_left_unfinished_is_named_with_its_indicator(tmp_path, monkeypatch):
    # An analyst's edit leaves a formula with a trailing operator: before, Python's SyntaxError came out as a
    # traceback ending in 'File "<unknown>", line 1', naming neither the indicator nor the catalogue.
    import analysis.catalogue as catalogue

    copy = tmp_path / "indicators.yaml"
    added = NEW_INDICATOR.format(id="deaths_per_birth", formula="deaths / live_births *", direction="neutral")
    copy.write_text(catalogue.INDICATORS_FILE.read_text(encoding="utf-8") + added, encoding="utf-8")
    monkeypatch.setattr(catalogue, "INDICATORS_FILE", copy)
    with pytest.raises(ParamsError) as raised:
        catalogue.indicators()
    [problem] = raised.value.problems
    assert (
        problem
        == "deaths_per_birth: formula: not a complete expression (invalid syntax) (got 'deaths / live_births *')"
    )


def test_a_catalogue_that_is_not_valid_yaml_is_named_with_the_line_of_the_mistake(tmp_path, monkeypatch):
    # An indicator added with an unclosed list: before, PyYAML's ParserError came out as a traceback.
    import analysis.catalogue as catalogue

    copy = tmp_path / "indicators.yaml"
    text = catalogue.INDICATORS_FILE.read_text(encoding="utf-8")
    added = "births_per_death:\n  name_pl: [Urodzenia na zgon\n  unit_pl: x\n"
    copy.write_text(text + added, encoding="utf-8")
    monkeypatch.setattr(catalogue, "INDICATORS_FILE", copy)
    with pytest.raises(ParamsError) as raised:
        catalogue.indicators()
    [problem] = raised.value.problems
    line = text.count("\n") + 3  # the added entry's third line, where the list is still open (counted by hand)
    assert problem.startswith(f"not valid YAML: line {line}, column ") and "expected ',' or ']'" in problem, problem
    assert str(raised.value).startswith(f"{copy}: invalid indicators catalogue")


def test_an_indicator_copied_without_renaming_its_id_is_refused_not_put_in_place_of_the_first(tmp_path, monkeypatch):
    # An analyst copies the deaths block to start a new indicator and edits its formula, but not its id: YAML
    # as PyYAML reads it keeps the last of two equal keys, so every report would print the new formula as
    # "Zgony na 1000 ludności". The catalogue names both lines instead.
    import analysis.catalogue as catalogue

    copy = tmp_path / "indicators.yaml"
    text = catalogue.INDICATORS_FILE.read_text(encoding="utf-8")
    first = text.splitlines().index("deaths_per_1000:") + 1  # its line, counted from 1
    added = NEW_INDICATOR.format(id="deaths_per_1000", formula="deaths / live_births", direction="lower_better")
    copy.write_text(text + added, encoding="utf-8")
    monkeypatch.setattr(catalogue, "INDICATORS_FILE", copy)
    with pytest.raises(ParamsError) as raised:
        catalogue.indicators()
    line = text.count("\n") + 2  # the added block's id: after the file's lines and NEW_INDICATOR's empty first line
    assert raised.value.problems == [
        f"not valid YAML: line {line}, column 1: 'deaths_per_1000' given a second time (first on line {first})"
    ]


def test_a_misspelt_field_of_an_added_indicator_is_named_with_the_field_it_resembles(tmp_path, monkeypatch):
    import analysis.catalogue as catalogue

    copy = tmp_path / "indicators.yaml"
    added = NEW_INDICATOR.format(id="births_per_death", formula="live_births / deaths", direction="neutral")
    added += "  decimls: 2\n"
    copy.write_text(catalogue.INDICATORS_FILE.read_text(encoding="utf-8") + added, encoding="utf-8")
    monkeypatch.setattr(catalogue, "INDICATORS_FILE", copy)
    with pytest.raises(ParamsError) as raised:
        catalogue.indicators()
    assert raised.value.problems == ["births_per_death: decimls: unknown key (did you mean decimals?)"]


def test_every_topic_of_a_subdomain_is_some_indicators_and_is_worded_in_both_languages():
    # A verdict's reason names topics (analysis.narrative.marked_themes): each one must be what some indicator
    # is marked under, and have a Polish and an English label, or page one would print its key.
    from analysis.catalogue import TOPICS
    from analysis.labels import LABELS

    used = {i.topic for i in indicators().values() if i.topic}
    assert used == {topic for topics in TOPICS.values() for topic in topics}
    for topic in used:
        assert LABELS["pl"][topic] and LABELS["en"][topic], topic
    # The sub-domains a reason would have named as one are split where their indicators say different things.
    assert indicators()["net_migration_per_1000"].theme != indicators()["population_change_5y"].theme
    assert indicators()["share_working_age"].theme == indicators()["ageing_index"].theme == "age_structure"


@pytest.mark.parametrize(
    "old, new, problem",
    [
        ("  topic: natural_increase\n", "", "sub-domain 'natural_change' holds the topics"),
        ("  topic: natural_increase\n", "  topic: migration\n", "sub-domain 'natural_change' holds the topics"),
        ("  subdomain: natural_change\n", "  subdomain: age_structure\n", "sub-domain 'age_structure' is one topic"),
    ],
    ids=["no topic", "another sub-domain's topic", "a topic in a sub-domain of one"],
)
def test_a_topic_is_one_of_its_subdomains_topics(tmp_path, monkeypatch, old, new, problem):
    import analysis.catalogue as catalogue

    added = NEW_INDICATOR.format(id="births_per_death", formula="live_births / deaths", direction="neutral")
    assert added.count(old) == 1
    copy = tmp_path / "indicators.yaml"
    copy.write_text(catalogue.INDICATORS_FILE.read_text(encoding="utf-8") + added.replace(old, new), encoding="utf-8")
    monkeypatch.setattr(catalogue, "INDICATORS_FILE", copy)
    with pytest.raises(ParamsError) as raised:
        catalogue.indicators()
    [found] = raised.value.problems
    assert found.startswith(f"births_per_death: {problem}"), found
