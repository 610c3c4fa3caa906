"""How far a rate or share can be trusted, from the counts it rests on.

A town of 3,000 residents has about 25 births a year: its birth rate moves by a
third from one year to the next by chance alone. The interval and the flags here
come from the counts (events and base), not from the population, so a large
town with a rare event is flagged and a small town with a common one is not.

- poisson: events / base, exact (Garwood) Poisson interval for the events;
- proportion: events of base, Wilson score interval. Where the events exceed the base the
  value is not a share of it (GUS counts pre-school children where they attend, so a town whose
  pre-schools take its neighbours' children has more of them than it has children: 115%): the
  interval is then the Poisson one of the count, as for a rate, which holds the value;
- poisson_difference: (events − minus) / base, normal approximation with
  variance events + minus (a Skellam difference of two Poisson counts);
- net_flow: a net flow (in − out, e.g. net migration) / base, where the store holds
  only the net: as a Skellam difference, with the moves in + out taken as the larger
  of the catalogue's assumed gross rate × base and |net| (in + out can never be less).
  Without it, a net flow of a few people would be judged as if exact;
- change: a level's change over a span (population now against 5 years ago) / the
  earlier level, the same way: the events behind it (births, deaths, moves) taken as
  the assumed rate × span × the earlier level, never fewer than |change|.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from analysis.catalogue import Indicator


def import_models() -> None:
    """Import the scipy parts the intervals use, ahead of the first town (a worker's warm-up)."""
    import scipy.special  # noqa: F401


CONFIDENCE = 0.95
UNRELIABLE_BELOW = 20  # events: the value is shown with a warning
NOT_RANKED_BELOW = 10  # events: the value is shown but not ranked, scored or judged
UNCERTAIN_MARK = "≈"  # before a value on fewer than UNRELIABLE_BELOW events, wherever the report prints it


def with_uncertain_mark(text: str, row) -> str:
    """A printed value, marked where it rests on few events (a comparison row's `reliability`): the tables,
    the key figures, page one and the section text mark the same values alike."""
    return UNCERTAIN_MARK + text if row.get("reliability") == "unreliable" else text


@dataclass(frozen=True)
class CountInterval:
    events: float  # the count the reliability rests on (births + deaths for a difference, the moves of a net flow)
    low: float  # 95% interval of the indicator, in its own unit
    high: float

    @property
    def unreliable(self) -> bool:
        return self.events < UNRELIABLE_BELOW

    @property
    def ranked(self) -> bool:
        return self.events >= NOT_RANKED_BELOW


def exceeds_its_base(indicator: Indicator, value: float) -> bool:
    """Whether a share (a `proportion`) counts more than its base: 115% of a town's children in its
    pre-schools, which also take its neighbours'. The value is then a count over a base, not a share of it."""
    model = indicator.counts
    return model is not None and model.model == "proportion" and value > indicator.count_multiplier


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
    if model.model == "proportion" and events <= base:
        low, high = wilson(events, base)
        return CountInterval(events, low * scale, high * scale)
    if model.model in ("poisson", "proportion"):  # a "share" above 100% is a count over a base (see above)
        low, high = garwood(events)
        return CountInterval(events, low / base * scale, high / base * scale)
    if model.assumed:
        difference = events if model.model == "net_flow" else events - base
        moves = max(model.gross_per_1000 * model.span * base / 1000, abs(difference))
    else:
        difference, moves = events - values[model.minus], events + values[model.minus]
    half = _z() * math.sqrt(moves)
    return CountInterval(moves, (difference - half) / base * scale, (difference + half) / base * scale)


def events_text(indicator: Indicator, events: float, language: str) -> str:
    """`5 zdarzeń`, or `ok. 5 zdarzeń` where the events are assumed (net migration, population change).

    Rounded down, not to the nearest: the thresholds are "fewer than" whole numbers, and 9.6 assumed moves,
    not judged for being fewer than 10, read "nie oceniono: tylko ok. 10 zdarzeń" (a real gmina's report).
    Rounded down, the number shown is below a threshold exactly when the count is."""
    from analysis.formatting import EVENTS, with_noun

    text = with_noun(math.floor(events), EVENTS[language], 0, language)
    if indicator.counts is not None and indicator.counts.assumed:
        return ("ok. " if language == "pl" else "about ") + text
    return text


def _z() -> float:
    from scipy.special import ndtri  # scipy.special, not scipy.stats: a second's import in every process

    return float(ndtri((1 + CONFIDENCE) / 2))


def garwood(events: float) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson count: chi-square quantiles χ²(α/2; 2k)/2 and χ²(1−α/2; 2k+2)/2."""
    from scipy.special import chdtri  # chdtri(v, p) is the chi-square quantile of upper tail p

    tail = (1 - CONFIDENCE) / 2
    low = chdtri(2 * events, 1 - tail) / 2 if events > 0 else 0.0
    return float(low), float(chdtri(2 * events + 2, tail) / 2)


def wilson(successes: float, trials: float) -> tuple[float, float]:
    """Wilson score interval of a proportion (stays within 0–1, sound near 0 % and 100 %)."""
    z = _z()
    share = successes / trials
    centre = (share + z**2 / (2 * trials)) / (1 + z**2 / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z**2 / (4 * trials**2)) / (1 + z**2 / trials)
    return max(centre - half, 0.0), min(centre + half, 1.0)
