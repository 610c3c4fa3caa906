import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.compare import compare_town, robust_z
from analysis.synthesis import section_scores, strongest_and_weakest
from analysis.catalogue import Direction


def test_robust_z_by_hand():
    # peers 1, 2, 3, 4, 100: median 3; deviations 2, 1, 0, 1, 97 -> MAD 1; scale 1.4826
    assert robust_z(6, [1, 2, 3, 4, 100]) == pytest.approx(3 / 1.4826)
    assert robust_z(6, [1, 2, 3, 4, 100], Direction.LOWER_BETTER) == pytest.approx(-3 / 1.4826)
    assert np.isnan(robust_z(6, [3, 3, 3]))  # no spread among peers: no z


def comparison():
    return pd.DataFrame({
        "section": ["demography", "demography", "demography", "economy", "services"],
        "direction": ["higher_better", "lower_better", "neutral", "higher_better", "higher_better"],
        "robust_z": [2.0, -1.0, 9.0, np.nan, 0.5],
        "percentile": [90, 20, 99, np.nan, 60],
    }, index=["births_per_1000", "deaths_per_1000", "population", "pit_per_capita", "sewage_users"])


def test_section_score_is_the_mean_of_directional_robust_z():
    scores = section_scores(comparison())
    assert scores["demography"] == pytest.approx((2.0 - 1.0) / 2)  # the neutral 9.0 does not count
    assert np.isnan(scores["economy"])
    assert scores["services"] == 0.5


def test_strongest_and_weakest():
    strongest, weakest = strongest_and_weakest(comparison())
    assert strongest == ["births_per_1000", "sewage_users"]
    assert weakest == ["deaths_per_1000"]


values_strategy = st.lists(st.floats(1, 1000), min_size=6, max_size=6)


@settings(max_examples=30, deadline=None)
@given(values_strategy, st.floats(-1e6, 1e6))
def test_a_town_outside_the_peer_group_changes_nothing(values, outsider_value):
    codes = ["T", "P1", "P2", "P3", "P4", "P5"]
    index = pd.MultiIndex.from_product([codes, [2024]], names=["teryt", "year"])
    frame = pd.DataFrame({"births_per_1000": values}, index=index)
    outsider = pd.DataFrame({"births_per_1000": [outsider_value]},
                            index=pd.MultiIndex.from_tuples([("X", 2024)], names=["teryt", "year"]))
    with_outsider = pd.concat([frame, outsider])
    from analysis.catalogue import indicators
    catalogue = {"births_per_1000": indicators()["births_per_1000"]}
    before = compare_town("T", tuple(codes[1:]), frame, 2024, catalogue)
    after = compare_town("T", tuple(codes[1:]), with_outsider, 2024, catalogue)
    pd.testing.assert_frame_equal(before, after)
