from decimal import Decimal

import pytest

from analysis.rounding import round_half_up


@pytest.mark.parametrize(
    "value, decimals, printed",
    [
        # A half goes up, as publications print it; Python's round() gives the even neighbour (2, 0.12, 74).
        (2.5, 0, "3"),
        (0.125, 2, "0.13"),
        (74.5, 0, "75"),  # a percentile printed "75" is in the best quarter (scoring reads it as printed)
        # A negative half goes away from zero, so a score and its mirror print alike: −0,25 beside +0,25.
        (-2.5, 0, "-3"),
        (-0.245, 2, "-0.25"),
        # The decimal the reader sees is rounded, not the binary float behind it: 1.005 is stored as
        # 1.00499999999999989…, which round() and "%.2f" print as 1.00; a table prints "1,01".
        (1.005, 2, "1.01"),
        (8.345, 2, "8.35"),
        # Below a half, down; whole numbers keep their decimals as asked.
        (2.4999, 0, "2"),
        (7.0, 1, "7.0"),
    ],
)
def test_a_half_is_rounded_away_from_zero_on_the_printed_decimal(value, decimals, printed):
    assert round_half_up(value, decimals) == Decimal(printed)
    assert str(round_half_up(value, decimals)) == printed


def test_a_number_as_printed_is_a_float_never_minus_zero_and_a_missing_one_stays_missing():
    import math

    import pandas as pd

    from analysis.rounding import as_printed

    assert as_printed(1.005, 2) == 1.01 and isinstance(as_printed(1.005, 2), float)  # half up, as above
    # −0.04 to one decimal prints "0,0", not "−0,0": the float's sign is +.
    assert math.copysign(1.0, as_printed(-0.04, 1)) == 1.0
    assert math.isnan(as_printed(float("nan"), 1))
    assert as_printed(None, 1) is None and as_printed(pd.NA, 1) is pd.NA
