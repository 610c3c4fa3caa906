"""How far a rate or share can be trusted, from the counts it rests on.

A town of 3,000 residents has about 25 births a year: its birth rate moves by a
third from one year to the next by chance alone. The interval and the flags here
come from the counts (events and base), not from the population, so a large
town with a rare event is flagged and a small town with a common one is not.

- poisson: events / base, exact (Garwood) Poisson interval for the events;
- proportion: events of base, Wilson score interval;
- poisson_difference: (events − minus) / base, normal approximation with
  variance events + minus (a Skellam difference of two Poisson counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from analysis.catalogue import Indicator

def import_models() -> None:
    """Import the statsmodels and scipy parts the intervals use, ahead of the first town (a worker's warm-up)."""
    import scipy.stats  # noqa: F401
    import statsmodels.stats.proportion  # noqa: F401
    import statsmodels.stats.rates  # noqa: F401


CONFIDENCE = 0.95
UNRELIABLE_BELOW = 20  # events: the value is shown with a warning
NOT_RANKED_BELOW = 10  # events: the value is shown but not ranked, scored or judged


@dataclass(frozen=True)
class CountInterval:
    events: float     # the count the reliability rests on (births + deaths for a difference)
    low: float        # 95% interval of the indicator, in its own unit
    high: float

    @property
    def unreliable(self) -> bool:
        return self.events < UNRELIABLE_BELOW

    @property
    def ranked(self) -> bool:
        return self.events >= NOT_RANKED_BELOW


def count_interval(indicator: Indicator, counts: dict[str, float]) -> CountInterval | None:
    """The indicator's 95% interval from the town's counts in one year; None without a count model
    or with a count missing."""
    model = indicator.counts
    if model is None:
        return None
    return _interval(indicator, tuple(float(counts.get(name, math.nan)) for name in model.variables))


@lru_cache(maxsize=4096)  # the same town's counts are asked for under every peer rule of the sensitivity table
def _interval(indicator: Indicator, counted: tuple[float, ...]) -> CountInterval | None:
    model = indicator.counts
    values = dict(zip(model.variables, counted))
    if any(math.isnan(v) for v in values.values()) or values[model.base] <= 0:
        return None
    events, base = values[model.events], values[model.base]
    scale = indicator.count_multiplier
    alpha = 1 - CONFIDENCE
    if model.model == "poisson":
        from statsmodels.stats.rates import confint_poisson

        low, high = confint_poisson(events, base, method="exact-c", alpha=alpha)
        return CountInterval(events, float(low) * scale, float(high) * scale)
    if model.model == "proportion":
        from statsmodels.stats.proportion import proportion_confint

        low, high = proportion_confint(min(events, base), base, alpha=alpha, method="wilson")
        return CountInterval(events, float(low) * scale, float(high) * scale)
    minus = values[model.minus]
    from scipy.stats import norm

    half = norm.ppf(1 - alpha / 2) * math.sqrt(events + minus)
    difference = events - minus
    return CountInterval(events + minus, (difference - half) / base * scale, (difference + half) / base * scale)
