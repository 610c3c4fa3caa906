"""The bounded score and the one strength/weakness rule, checked against values worked out by hand."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.catalogue import indicators
from analysis.formatting import format_number
from analysis.scoring import (
    NONE,
    SCORE_CAP,
    STRENGTH,
    WEAKNESS,
    assess,
    bounded_score,
    distance_from_peers,
    held_back_by_chance,
    score_scale,
)

BIRTHS = indicators()["births_per_1000"]  # higher is better, minimum meaningful difference 0.5
DEATHS = indicators()["deaths_per_1000"]  # lower is better, 0.5
PRESCHOOL = indicators()["preschool_coverage"]  # higher is better, 2.0 percentage points
POPULATION = indicators()["population"]  # neutral


def score_of(*args) -> float:
    """A value's score as a comparison gives it: its distance from the peers, capped."""
    return bounded_score(distance_from_peers(*args))


def test_scale_is_the_largest_of_mad_iqr_and_the_minimum_difference():
    # peers 1, 2, 3, 4, 100: median 3, absolute deviations 2, 1, 0, 1, 97 -> MAD 1 -> 1.4826;
    # numpy's linear quartiles 2 and 4 -> IQR 2 -> 2 / 1.349 = 1.48258
    assert score_scale(np.array([1, 2, 3, 4, 100.0]), 0.5) == pytest.approx(1.4826)
    assert score_scale(np.array([1, 2, 3, 4, 100.0]), 5.0) == 5.0


def test_score_by_hand_and_its_cap():
    peers = [1, 2, 3, 4, 100]
    assert score_of(4.0, peers, BIRTHS) == pytest.approx(1 / 1.4826)
    assert score_of(4.0, peers, DEATHS) == pytest.approx(-1 / 1.4826)  # above the median is worse
    assert SCORE_CAP == 2.0  # the cap the reports and the methodology print: "w skali od −2 do +2"
    assert score_of(50.0, peers, BIRTHS) == 2.0  # (50 − 3) / 1.48 = 31.7, capped
    assert distance_from_peers(50.0, peers, BIRTHS) == pytest.approx(47 / 1.4826)  # the distance itself is not
    assert math.isnan(score_of(4.0, peers, POPULATION))  # neutral: not scored
    assert math.isnan(score_of(float("nan"), peers, BIRTHS))


def test_a_difference_within_chance_scores_zero_and_one_that_clears_it_keeps_its_size():
    # Peers 1, 2, 3, 4, 100: median 3, scale 1.4826 (above). By hand:
    peers = [1, 2, 3, 4, 100]
    # 4.0 with interval 2.1–6.4: it includes the median 3, a difference within chance -> 0 (without it: 0.67).
    assert score_of(4.0, peers, BIRTHS, 2.1, 6.4) == 0.0
    assert score_of(2.0, peers, DEATHS, 0.9, 3.0) == 0.0  # an end at the median is within chance too
    # 5.0 with interval 4.0–6.2 clears the median: its whole distance, (5 − 3) / 1.4826, as without an interval.
    assert score_of(5.0, peers, BIRTHS, 4.0, 6.2) == pytest.approx(2 / 1.4826)
    assert score_of(1.0, peers, DEATHS, 0.5, 2.0) == pytest.approx(2 / 1.4826)  # fewer deaths: better
    assert score_of(50.0, peers, BIRTHS, 40.0, 60.0) == SCORE_CAP  # (50 − 3) / 1.48 = 31.7, capped
    # No interval (a value not resting on counts): the value's distance.
    assert score_of(4.0, peers, BIRTHS) == pytest.approx(1 / 1.4826)


def test_peers_that_do_not_vary_give_a_small_score_not_an_explosion():
    # Pre-school coverage of every peer 99.5 %: MAD 0 and IQR 0, so the 2-point minimum difference is the scale.
    # The old robust z divided by 1.4826 × MAD and gave −496 for a town 0.1 point under a clustered median.
    clustered = [99.5] * 20
    assert score_of(99.4, clustered, PRESCHOOL) == pytest.approx(-0.1 / 2.0)
    assert score_of(90.0, clustered, PRESCHOOL) == -SCORE_CAP


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e6, 1e6), st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30))
def test_no_single_indicator_can_score_beyond_the_cap(value, peers):
    score = score_of(value, peers, BIRTHS)
    assert -SCORE_CAP <= score <= SCORE_CAP


def test_the_one_rule():
    # median 8.0; a strength needs percentile ≥ 75 and at least 0.5 better, with the interval clear of 8.0
    assert assess(BIRTHS, 9.0, 8.0, 80.0) == STRENGTH
    assert assess(BIRTHS, 8.3, 8.0, 90.0) == NONE  # top of the group but 0.3 < 0.5 apart
    assert assess(BIRTHS, 9.0, 8.0, 70.0) == NONE  # not in the best quarter
    assert assess(BIRTHS, 9.0, 8.0, 80.0, 7.2, 11.1) == NONE  # 90 births: interval covers the median
    assert assess(BIRTHS, 9.0, 8.0, 80.0, 8.4, 9.6) == STRENGTH
    assert assess(BIRTHS, 7.0, 8.0, 10.0) == WEAKNESS
    assert assess(DEATHS, 13.0, 12.0, 10.0, 12.5, 13.5) == WEAKNESS  # more deaths, interval above the median
    assert assess(DEATHS, 11.0, 12.0, 90.0, 10.5, 11.6) == STRENGTH
    assert assess(DEATHS, 11.0, 12.0, 90.0, 10.5, 12.6) == NONE
    assert assess(BIRTHS, float("nan"), 8.0, 80.0) == NONE


def test_an_interval_ending_at_the_median_is_within_chance_for_the_rule_as_for_the_score():
    # Peers 6–10: median 8. A value 1.0 better than it, in the best quarter, whose 95% interval ends exactly at
    # the median: the score counts the difference as within chance (0), so the rule must not mark it either,
    # or the spreadsheet would call a strength what the section verdict counts as nothing.
    peers = [6, 7, 8, 9, 10]
    assert score_of(9.0, peers, BIRTHS, 8.0, 10.0) == 0.0
    assert assess(BIRTHS, 9.0, 8.0, 80.0, 8.0, 10.0) == NONE
    assert score_of(7.0, peers, DEATHS, 6.0, 8.0) == 0.0  # fewer deaths, the interval's upper end at the median
    assert assess(DEATHS, 7.0, 8.0, 80.0, 6.0, 8.0) == NONE
    assert assess(BIRTHS, 7.0, 8.0, 20.0, 6.0, 8.0) == NONE  # the same for a weakness


def test_a_value_the_interval_alone_keeps_unmarked_is_said_to_be_held_back_by_chance():
    # Position and size would make it a strength (80th percentile, 1.0 above the median of 8.0, more than 0.5):
    # with an interval 7.2–11.1 that includes 8.0 the rule leaves it unmarked, and that is what is reported.
    assert held_back_by_chance(BIRTHS, 9.0, 8.0, 80.0, 7.2, 11.1)
    assert held_back_by_chance(DEATHS, 11.0, 12.0, 90.0, 10.5, 12.6)  # the same for a lower-is-better one
    assert not held_back_by_chance(BIRTHS, 9.0, 8.0, 80.0, 8.4, 9.6)  # interval clear: a strength, not held back
    assert not held_back_by_chance(BIRTHS, 9.0, 8.0, 70.0, 7.2, 11.1)  # not in the best quarter anyway
    assert not held_back_by_chance(BIRTHS, 8.3, 8.0, 90.0, 7.2, 11.1)  # 0.3 apart: too small anyway
    assert not held_back_by_chance(BIRTHS, 9.0, 8.0, 80.0, math.nan, math.nan)  # no interval: a strength


def test_a_position_is_read_against_the_quarters_as_it_is_printed():
    # With 100 or more peers a percentile can print as "75" (or "25") from 74.6 (25.4): the reader sees the
    # best (worst) quarter, so the rule must too. 74.4 prints "74" and stays out.
    assert format_number(74.6, 0) == "75" and assess(BIRTHS, 9.0, 8.0, 74.6) == STRENGTH
    assert format_number(74.4, 0) == "74" and assess(BIRTHS, 9.0, 8.0, 74.4) == NONE
    assert format_number(25.4, 0) == "25" and assess(BIRTHS, 7.0, 8.0, 25.4) == WEAKNESS
    assert assess(BIRTHS, 7.0, 8.0, 25.5) == NONE  # prints "26" (half up)
