"""Several towns side by side: the tables carry the reports' own numbers, and say which are pooled."""

import pytest

from analysis import explore
from analysis.params import ParamsError
from analysis.report import prepare_report
from analysis.town import TownParams

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


def test_verdicts_side_by_side_has_a_row_per_town_and_a_column_per_section(reports):
    frame = explore.verdicts_side_by_side(reports)
    assert frame.shape == (2, 3)
    for report, (_, row) in zip(reports, frame.iterrows()):
        score = report.verdicts.loc["demography", "score"]
        assert row.iloc[0].endswith(f"({score:+.2f})")


def test_every_bad_code_is_named_at_once():
    with pytest.raises(ParamsError) as error:
        explore.validate_towns("0490013, 9999999, 12")
    text = str(error.value)
    assert "9999999" in text and "(12)" in text
    with pytest.raises(ParamsError, match="at least one"):
        explore.validate_towns(" , ")
