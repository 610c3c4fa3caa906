"""Half-up rounding, as statistical publications round (Python's `round` is half-to-even).

One definition for the printed numbers (`formatting`) and for the rules that read a number as it is
printed (`scoring`: a percentile of "75" is in the best quarter; `synthesis`: a score printed "−0,25" is
not "similar"), so a figure and the verdict beside it never disagree.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, decimals: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def as_printed(value, decimals: int):
    """A number as the reports print it, as a float: rounded half-up, never −0 (a missing value stays as it
    is). What a reader computes from printed figures (a difference, a spreadsheet's cell) is computed from these."""
    import pandas as pd  # here, not above: a notebook's parameters are checked before pandas loads (analysis.town)

    if pd.isna(value):
        return value
    return float(round_half_up(value, decimals)) + 0.0
