"""The projection: methods by hand, the pooled backtest's choice, and calibration on held-out towns."""

import numpy as np
import pandas as pd
import pytest

from analysis.projection import BENCHMARK, HORIZON, METHODS, Projection, backtest, project, town_noise

YEARS = list(range(2014, 2025))


def test_methods_by_hand():
    history = np.log(np.array([[100.0, 110.0, 121.0, 150.0]]))  # +10 %, +10 %, +24 %
    steps = np.diff(history[0])
    drift = METHODS["drift"](history, 2)[0]
    assert drift == pytest.approx(history[0, -1] + steps.mean() * np.array([1, 2]))
    median = METHODS["median_drift"](history, 2)[0]
    assert median == pytest.approx(history[0, -1] + np.log(1.1) * np.array([1, 2]))  # the jump does not set it
    damped = METHODS["damped_median_drift"](history, 2)[0]
    assert damped == pytest.approx(history[0, -1] + np.log(1.1) * np.array([0.8, 0.8 + 0.64]))
    line = METHODS["linear"](np.array([[1.0, 2.0, 3.0]]), 2)[0]
    assert line == pytest.approx([4.0, 5.0])


def test_on_exact_geometric_decline_drift_is_chosen_and_exact():
    # Every town loses exactly 1 % a year: drift, median drift and the line forecast without error;
    # on a tie the benchmark (drift) is chosen.
    population = pd.DataFrame(
        [[n * 0.99**t for t in range(11)] for n in (5_000, 20_000, 80_000)], index=["A", "B", "C"], columns=YEARS
    )
    result = backtest(population)
    assert result.mae("drift") == pytest.approx(0, abs=1e-12)
    assert result.mae("damped_median_drift") > 0
    assert result.chosen == "drift"
    projection = project(population.loc["B"], result)
    assert projection.forecast["mean"].tolist() == pytest.approx([20_000 * 0.99**t for t in range(11, 16)])
    assert list(projection.forecast.index) == [2025, 2026, 2027, 2028, 2029]


def test_a_town_with_a_missing_year_is_projected_from_the_years_after_it():
    # Every town loses exactly 1 % a year (drift forecasts it exactly); town B lacks 2016. Read as consecutive
    # steps, its ten years of decline would span nine steps and the forecast fall 10/9 as fast: by hand, from
    # 2017–2024 alone the forecast is still 20,000 × 0.99^t.
    population = pd.DataFrame(
        [[n * 0.99**t for t in range(11)] for n in (5_000, 20_000, 80_000)], index=["A", "B", "C"], columns=YEARS
    )
    town = population.loc["B"].copy()
    town[2016] = np.nan
    projection = project(town, backtest(population))
    assert projection.forecast["mean"].tolist() == pytest.approx([20_000 * 0.99**t for t in range(11, 16)])
    town[2020] = np.nan  # 2021–2024: four years, too few to project from
    assert project(town, backtest(population)) is None


def test_the_backtest_tells_how_often_the_population_fell_below_the_5_year_forecast():
    # Every town loses 1 % a year to 2021; then three lose 2 % a year and one none. Only the forecast from 2019
    # (the first origin, six years of history) reaches 5 years ahead, to 2024: drift says 5 × −1 %, the three
    # came out at 2 × −1 % + 3 × −2 % (below it), the fourth at 2 × −1 % (above). By hand: 3 of 4 below.
    # (The 2021 change is the towns' usual −1 %, so no census step is read into these series.)
    def town(size: float, later: float) -> list[float]:
        changes = [0.99] * 7 + [later] * 3  # 2015–2021, then 2022–2024
        return list(size * np.cumprod([1.0, *changes]))

    rows = [town(10_000, 0.98), town(20_000, 0.98), town(40_000, 0.98), town(15_000, 1.0)]
    result = backtest(pd.DataFrame(rows, index=["A", "B", "C", "D"], columns=YEARS))
    assert result.origins[0] == 2019
    assert result.share_below("drift") == pytest.approx(3 / 4)
    projection = project(pd.Series(rows[0], index=YEARS), result)
    assert projection.method == "drift"  # its pooled error on these towns is the smallest of the methods
    assert projection.share_below == pytest.approx(3 / 4)
    # Two of three below or more (LEAN): the forecast leans high; one of three or less: low; between: no lean.
    assert [Projection(projection.forecast, "drift", 1.0, 1.0, 4, 2014, share).lean for share in (0.75, 0.5, 0.3)] == [
        -1,
        0,
        1,
    ]
    # Half below and half above: no lean.
    even = backtest(pd.DataFrame(rows[2:], index=["C", "D"], columns=YEARS))
    assert even.share_below("drift") == pytest.approx(1 / 2)


def test_intervals_are_calibrated_on_towns_left_out():
    # 400 random walks with drift and town-specific noise: intervals calibrated on half the towns
    # must cover about 95 % of the other half's held-out years.
    rng = np.random.default_rng(7)
    noise = rng.uniform(0.002, 0.02, size=400)
    steps = rng.normal(-0.005, 1, size=(400, 10)) * noise[:, None]
    logs = np.log(10_000) + np.concatenate([np.zeros((400, 1)), np.cumsum(steps, axis=1)], axis=1)
    result = backtest(pd.DataFrame(np.exp(logs), index=[f"T{i}" for i in range(400)], columns=YEARS))
    towns = np.arange(400)
    coverage = result.coverage(result.chosen, towns % 2 == 0, towns % 2 == 1)
    assert 0.92 <= coverage <= 0.98


def test_the_interval_and_the_stated_errors_by_a_second_method():
    # 30 towns whose decline quickens (as the demo store's and Poland's do), so the backtest's errors lean one
    # way and the interval is lopsided. Recomputed here with plain loops over towns, origins and horizons, from
    # the documented rule (methodology, `analysis.projection`): forecasts from every origin with at least 6 years
    # of history, 1–5 years ahead; each error (log actual − log forecast) divided by the town's noise at that
    # origin (1.4826 × the MAD of its yearly log changes, at least 0.002); the interval at horizon h is the
    # forecast plus the 2.5th and 97.5th percentiles of the pooled scaled errors at h, times the town's noise.
    # Years 2000–2010: no census re-basing (2021) within them.
    rng = np.random.default_rng(11)
    steps = rng.normal(-0.004 - 0.001 * np.arange(10), 0.004, size=(30, 10))
    logs = np.log(8_000) + np.concatenate([np.zeros((30, 1)), np.cumsum(steps, axis=1)], axis=1)
    population = pd.DataFrame(np.exp(logs), index=[f"T{i:02}" for i in range(30)], columns=range(2000, 2011))

    def noise_of(history):
        changes = np.diff(history)
        return max(1.4826 * np.median(np.abs(changes - np.median(changes))), 0.002)

    def by_hand(method):
        scaled, last_errors = {h: [] for h in range(1, 6)}, []
        for row in logs:
            for end in range(5, len(row) - 1):  # index of the last year of history: 6 years or more
                forecast = METHODS[method](row[None, : end + 1], 5)[0]
                for h in range(1, 6):
                    if end + h < len(row):
                        scaled[h].append((row[end + h] - forecast[h - 1]) / noise_of(row[: end + 1]))
                        if h == 5:
                            last_errors.append(abs(row[end + h] - forecast[h - 1]))
        low = [np.percentile(scaled[h], 2.5) for h in range(1, 6)]
        high = [np.percentile(scaled[h], 97.5) for h in range(1, 6)]
        return np.array(low), np.array(high), 100 * np.mean(last_errors)

    result = backtest(population)
    method = result.chosen
    low, high, error = by_hand(method)
    assert high[-1] + low[-1] < 0  # the errors lean below the forecast: the interval is lopsided, as meant
    projection = project(population.loc["T07"], result)
    town = logs[7]
    forecast = METHODS[method](town[None, :], 5)[0]
    assert projection.forecast["mean"].to_numpy() == pytest.approx(np.exp(forecast))
    assert projection.forecast["low"].to_numpy() == pytest.approx(np.exp(forecast + low * noise_of(town)))
    assert projection.forecast["high"].to_numpy() == pytest.approx(np.exp(forecast + high * noise_of(town)))
    # The errors the report states beside each other: the method's and drift's, in % at 5 years.
    assert projection.backtest_error == pytest.approx(error)
    assert projection.benchmark_error == pytest.approx(by_hand(BENCHMARK)[2])


def test_town_noise_is_robust_and_floored():
    history = np.log(np.array([[100.0, 101.0, 102.0, 103.0, 150.0, 151.5], [100.0] * 6]))
    noise = town_noise(history)
    assert noise[0] < 0.01  # the one jump does not inflate it
    assert noise[1] == 0.002  # a perfectly flat series still gets the floor


def test_too_little_history_gives_no_projection():
    short = pd.DataFrame([[1000.0, 990.0, 980.0]], index=["A"], columns=[2022, 2023, 2024])
    assert backtest(short) is None
    assert project(short.loc["A"], None) is None


def test_forecast_interval_brackets_the_forecast():
    rng = np.random.default_rng(1)
    population = pd.DataFrame(
        10_000 * np.exp(np.cumsum(rng.normal(-0.01, 0.01, (50, 11)), axis=1)),
        index=[f"T{i}" for i in range(50)],
        columns=YEARS,
    )
    forecast = project(population.iloc[0], backtest(population)).forecast
    assert (forecast["low"] < forecast["mean"]).all() and (forecast["mean"] < forecast["high"]).all()
    assert len(forecast) == HORIZON


def test_a_last_year_without_anyones_population_leaves_the_projection_from_the_year_before(demo_store, tmp_path):
    # A store fetched before GUS published 2024's residents: every town's 2024 population is missing. The
    # backtest read 2014–2024 and so no town's series was complete: no projection for any town, and no word
    # why (the report's eleven years were enough). It now reads 2014–2023: ten years, one short of the 6 + 5 a
    # 5-year horizon's interval needs, and the demography text says so, counting the population's years.
    from analysis.catalogue import variables
    from analysis.projection import backtest_population
    from analysis.report import compute_report, load_store_and_values
    from analysis.store import write_store
    from analysis.town import TownParams

    population = variables()["population"].bdl_id
    observations = demo_store.observations
    late = observations.loc[~((observations["year"] == 2024) & (observations["var_id"] == population))]
    write_store(tmp_path / "store", demo_store.units, late, dict(demo_store.metadata))
    values = load_store_and_values(str(tmp_path / "store"))[1]
    assert list(backtest_population(values, 2014, 2024).columns) == list(range(2014, 2024))
    report = compute_report(TownParams(teryt="0290011", data_dir=str(tmp_path / "store")))
    assert report.projection is None and report.projection_years == 10
    text = " ".join(report.narrative["demography"]).replace("\xa0", " ")
    assert "a dane o liczbie ludności w latach raportu obejmują 10 lat." in text
    # The whole demo store: eleven years, a projection.
    whole = compute_report(TownParams(teryt="0290011"))
    assert whole.projection is not None and whole.projection_years == 11
