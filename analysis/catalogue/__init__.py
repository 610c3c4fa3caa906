"""The indicator and source-variable catalogues, loaded from YAML and validated.

The YAML files beside this module are the single definition of every indicator;
code elsewhere asks this module, never repeats a name, unit or formula.
"""

from __future__ import annotations

import ast
import math
import re
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from analysis.params import ParamsError, UniqueKeys, describe_errors, yaml_problem
from analysis.paths import INDICATORS_FILE, PROJECT_ROOT, VARIABLES_FILE

SECTIONS: tuple[str, ...] = ("demography", "economy", "services")
LAG_SUFFIX = re.compile(r"^(?P<variable>[a-z0-9_]+?)_lag(?P<years>[1-9][0-9]?)$")


class Direction(StrEnum):
    HIGHER_BETTER = "higher_better"
    LOWER_BETTER = "lower_better"
    NEUTRAL = "neutral"


class Variable(BaseModel):
    """A source variable as published by GUS BDL (gmina level)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str
    bdl_id: int
    name_pl: str
    unit: str
    # How sure the BDL id is (the research list's grades): below "high", confirm it with `data check-variables`.
    confidence: Literal["high", "medium-high", "medium", "medium-low", "low", "low-inferred", "unknown"]
    additive: bool = True  # a count or an amount, which sums over gminy; False for published rates and shares
    # For a rate: the additive variable it is per (a share of residents: population). Rate × it is a count,
    # so an area's rate is the mean of its gminy's rates weighted by it, a ratio of sums (analysis.aggregates).
    rate_of: str | None = None
    signed: bool = False  # can be below zero: a balance (net migration), an amount refunds can exceed (CIT share)
    budget: bool = False  # an amount of the gmina's budget, which a city with powiat rights shares with its powiat
    # A rate GUS also publishes for each voivodeship and for Poland (BDL levels 2 and 0): where it cannot be
    # summed over gminy (no `rate_of`), an area's value is GUS's own figure (analysis.aggregates).
    published_for_areas: bool = False


# Sub-domains of each section, in reading order: a section verdict averages within each first.
SUBDOMAINS: dict[str, tuple[str, ...]] = {
    "demography": ("size", "age_structure", "natural_change", "migration_and_change"),
    "economy": ("enterprise_and_labour", "budget_income", "investment"),
    "services": ("childcare", "utilities", "social_and_culture"),
}

# The topics of a sub-domain that holds more than one. A verdict's reason names the topics its strengths and
# weaknesses are in: two weak migration balances named as "migration and population change" would tell a
# mayor the population change is weak too, beside a change the same page shows better than the peers'.
# A sub-domain not listed is one topic, named as the sub-domain.
TOPICS: dict[str, tuple[str, ...]] = {
    "natural_change": ("births", "deaths", "natural_increase"),
    "migration_and_change": ("population_change", "migration"),
    "enterprise_and_labour": ("businesses", "labour_market"),
    "investment": ("investment_spending", "housebuilding"),
    "utilities": ("water_supply", "sewerage"),
    "social_and_culture": ("social_assistance", "libraries", "education_spending"),
}


class CountModel(BaseModel):
    """The counts behind a rate or a share: what its confidence interval and reliability rest on."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    model: Literal["poisson", "proportion", "poisson_difference", "net_flow", "change"]
    # the counted events (births), the part of the base (children in pre-school), a net flow, or (change)
    # the level at the end of the span (population)
    events: str
    # the population at risk (residents), the whole (children aged 3–6), or (change) the level at the
    # start of the span (population_lag5)
    base: str
    minus: str | None = None  # poisson_difference only: the events subtracted (deaths)
    # net_flow and change only, assumed: the events behind the net a year per 1,000 of the base (moves in
    # + out for net migration; births, deaths and moves for a change of population). The store holds
    # only the net, whose chance variation is that of those events.
    gross_per_1000: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _fields_of_the_model(self) -> "CountModel":
        if (self.model == "poisson_difference") != (self.minus is not None):
            raise ValueError("`minus` goes with model poisson_difference, and only with it")
        if self.assumed != (self.gross_per_1000 is not None):
            raise ValueError("`gross_per_1000` goes with models net_flow and change, and only with them")
        if self.model == "change" and self.span <= 0:
            raise ValueError("model change: `base` is the level `span` years before `events`, e.g. population_lag5")
        return self

    @property
    def assumed(self) -> bool:
        """The events are an assumed number (net_flow, change), not counted in the store."""
        return self.model in ("net_flow", "change")

    @property
    def span(self) -> int:
        """Years between the base and the events (a change of population over 5 years: 5); else 1."""
        if self.model != "change":
            return 1
        (events, events_lag), (base, base_lag) = split_lag(self.events), split_lag(self.base)
        return base_lag - events_lag if events == base else 0

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(v for v in (self.events, self.minus, self.base) if v)


# Before a signed indicator's rise or fall (a masculine noun in Polish: wzrost, spadek, przyrost, ubytek).
COMPARATIVES = {"pl": ("większy", "mniejszy"), "en": ("larger", "smaller")}
# A yearly trend is printed with one decimal more than the indicator's values: over a decade a slope is about a
# tenth of the change. The tables, the spreadsheet and the text print it alike (`Indicator.trend_decimals`).
TREND_EXTRA_DECIMALS = 1


class Indicator(BaseModel):
    """One indicator: its formula over source variables, unit, direction and how it is judged."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    section: Literal["demography", "economy", "services"]
    subdomain: str
    topic: str | None = None  # one of the sub-domain's TOPICS, where it has several
    name_pl: str
    name_en: str
    unit_pl: str
    unit_en: str
    formula: str
    direction: Direction
    direction_reason: str
    direction_reason_pl: str
    min_difference: float = Field(default=0.0, ge=0)
    counts: CountModel | None = None
    pool_years: int = Field(default=1, ge=1, le=5)
    high_pl: str | None = None
    low_pl: str | None = None
    high_en: str | None = None
    low_en: str | None = None
    # A signed value (a change, a net flow) above and below zero: "wzrost liczby ludności …", "spadek …".
    rise_pl: str | None = None
    fall_pl: str | None = None
    rise_en: str | None = None
    fall_en: str | None = None
    decimals: int = Field(ge=0, le=3)
    headline: bool = False
    # False for a ratio whose phrase names it but not what it counts ("wysoki indeks starości"): a sentence
    # gives its value as a bare number, as GUS does, since "191,7 osoby" would drop the "per 100" it means.
    unit_in_sentence: bool = True
    # True for a flow between gminy of Poland (internal migration): summed over the whole country it is zero
    # by definition, so Poland has no value to compare with; tables print GUS's "x" (not applicable) there.
    nets_out_nationally: bool = False
    # True for a stock that carries each year's changes into the next (residents, registered firms): its
    # yearly noise adds up like a random walk, so its trend takes ρ = 1 (analysis.trends.trend_rho).
    stock: bool = False

    def name(self, language: str) -> str:
        return self.name_pl if language == "pl" else self.name_en

    def name_in_sentence(self, language: str) -> str:
        """The name inside a sentence: its first letter in lower case, unless it starts with an acronym
        ("dochody własne gminy…", "udziały w PIT…", but "PIT share revenue…" as it is)."""
        name = self.name(language)
        return name if name[:2].isupper() else name[:1].lower() + name[1:]

    def reason(self, language: str) -> str:
        """Why the indicator ranks in its direction, in the report's language."""
        return self.direction_reason_pl if language == "pl" else self.direction_reason

    def unit(self, language: str) -> str:
        return self.unit_pl if language == "pl" else self.unit_en

    def name_with_unit(self, language: str, *details: str) -> str:
        """The name with its unit and any details in brackets, as a row label or an axis title:
        "Urodzenia żywe na 1000 ludności (‰, 2024)"; a ratio without a unit shows no empty brackets."""
        inside = ", ".join(part for part in (self.unit(language), *details) if part)
        return f"{self.name(language)} ({inside})" if inside else self.name(language)

    @property
    def theme(self) -> str:
        """What a verdict's reason calls the indicator's marks: its topic, else its sub-domain."""
        return self.topic or self.subdomain

    @property
    def trend_decimals(self) -> int:
        """The decimals of its yearly trend and the trend's interval, wherever they are printed."""
        return self.decimals + TREND_EXTRA_DECIMALS

    @property
    def is_change(self) -> bool:
        """A change over years (`population_change_5y`): sentences give its values with their sign, `+1,2%`."""
        return self.counts is not None and self.counts.model == "change"

    def judged_phrase(self, better: bool, language: str, *, value: float, peer_median: float) -> str:
        """What the town's value is called when it is better (or worse) than the peers':
        `niska liczba zgonów na 1000 ludności` for a low value of a lower-is-better indicator.

        A signed indicator is named by the signs of the town's value and the peer median, as a reader
        sees them printed: "korzystna zmiana liczby ludności: −3,2%" would call a loss favourable, so it
        reads "mniejszy spadek liczby ludności" where both fall, "spadek …" where only the town falls."""
        suffix = "pl" if language == "pl" else "en"
        town, peers = round(value, self.decimals), round(peer_median, self.decimals)
        if self.rise_pl and math.isfinite(town) and math.isfinite(peers) and (town or peers):
            larger, smaller = COMPARATIVES[suffix]
            # The noun follows the town's sign; a town printed as 0 has less of what the peers have.
            noun = getattr(self, f"{'rise' if (town or peers) > 0 else 'fall'}_{suffix}")
            if not town:
                return f"{smaller} {noun}"
            if town * peers <= 0:  # opposite signs, or peers at 0: the town's rise or fall is the difference
                return noun
            if abs(town) != abs(peers):
                return f"{larger if abs(town) > abs(peers) else smaller} {noun}"
        high = better == (self.direction == Direction.HIGHER_BETTER)
        return getattr(self, f"{'high' if high else 'low'}_{suffix}")

    @field_validator("formula")
    @classmethod
    def _formula_is_arithmetic(cls, formula: str, info: ValidationInfo) -> str:
        names = formula_names(formula)  # raises on anything but arithmetic over names
        known = (info.context or {}).get("variables")  # given on load from the catalogue file
        unknown = [name for name in names if known is not None and split_lag(name)[0] not in known]
        if unknown:
            raise ValueError(f"unknown variable {', '.join(map(repr, unknown))} (see {VARIABLES_FILE.name})")
        return formula

    @property
    def count_multiplier(self) -> float:
        """The constant that turns events per unit of base into the indicator (1000 for a rate per 1,000).

        Read off the formula itself, as what one more event adds with a base of 1 (events 2 against 1,
        minus 0), so it cannot disagree with it: 1000 for `x / y * 1000`, 100 for `(x / y - 1) * 100`.
        """
        counts = self.counts

        def at(events: float) -> float:
            names = {counts.events: events, counts.base: 1.0} | ({counts.minus: 0.0} if counts.minus else {})
            return float(eval(compile(self.formula, "<formula>", "eval"), {"__builtins__": {}}, names))  # arithmetic

        return at(2.0) - at(1.0)

    @model_validator(mode="after")
    def _counts_are_the_formula(self) -> "Indicator":
        if self.counts and set(self.inputs) != set(self.counts.variables):
            raise ValueError(f"counts {self.counts.variables} must be exactly the formula's variables {self.inputs}")
        return self

    @model_validator(mode="after")
    def _pooled_over_what_adds_up(self, info: ValidationInfo) -> "Indicator":
        # Pooling sums the formula's variables over years: counts (events and their base) add up, and so do the
        # amounts of a budget's years (spending of a kind over all spending); a rate or a lagged level does not.
        if self.pool_years == 1:
            return self
        known = (info.context or {}).get("variables")  # given on load from the catalogue file
        amounts = known is not None and all(name in known and known[name].budget for name in self.inputs)
        if (self.counts is None and not amounts) or any(split_lag(name)[1] for name in self.inputs):
            raise ValueError(
                "pool_years needs a count model, or a formula over budget amounts only, and no lagged variables"
            )
        return self

    @property
    def pooled(self) -> bool:
        return self.pool_years > 1

    @property
    def pooled_share(self) -> bool:
        """Pooled budget amounts (no count model): the share of the years' amounts together (investment over all
        spending of 2022–2024), where pooled counts per resident are a yearly average; the texts say which."""
        return self.pooled and self.counts is None

    @model_validator(mode="after")
    def _judged_indicators_are_fully_described(self) -> "Indicator":
        if self.subdomain not in SUBDOMAINS[self.section]:
            raise ValueError(f"sub-domain {self.subdomain!r} is not one of {SUBDOMAINS[self.section]}")
        topics = TOPICS.get(self.subdomain, ())
        if (self.topic is None and topics) or (self.topic is not None and self.topic not in topics):
            raise ValueError(
                f"sub-domain {self.subdomain!r} holds the topics {topics}: `topic` must be one of them"
                if topics
                else f"sub-domain {self.subdomain!r} is one topic: no `topic`"
            )
        if self.direction != Direction.NEUTRAL:
            missing = [f for f in ("high_pl", "low_pl", "high_en", "low_en") if not getattr(self, f)]
            missing += ["min_difference"] if self.min_difference <= 0 else []
            if missing:
                raise ValueError(
                    f"a judged indicator ({self.direction}) needs min_difference > 0 and the phrases "
                    f"high_pl, low_pl, high_en, low_en; missing: {', '.join(missing)}"
                )
        return self

    @model_validator(mode="after")
    def _signed_phrases_come_together(self) -> "Indicator":
        given = [f for f in ("rise_pl", "fall_pl", "rise_en", "fall_en") if getattr(self, f)]
        if given and (len(given) < 4 or self.direction == Direction.NEUTRAL):
            raise ValueError("rise_pl, fall_pl, rise_en, fall_en go together, on a judged indicator")
        return self

    @property
    def inputs(self) -> tuple[str, ...]:
        """Names the formula reads (variables, possibly with a `_lagN` suffix)."""
        return formula_names(self.formula)


_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
)


@cache  # a report asks for every indicator's inputs many times; parsing is the cost
def formula_names(formula: str) -> tuple[str, ...]:
    """The variable names in a formula; ValueError if it is more than arithmetic, or not an expression at all."""
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as error:  # not a ValueError: the catalogue's checks would let it out as a traceback
        raise ValueError(f"not a complete expression ({error.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValueError(f"only names, numbers, brackets and + - * / are allowed (found {type(node).__name__})")
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
    return tuple(dict.fromkeys(names))


def split_lag(name: str) -> tuple[str, int]:
    """`population_lag5` -> (`population`, 5); `population` -> (`population`, 0)."""
    match = LAG_SUFFIX.match(name)
    if match:
        return match["variable"], int(match["years"])
    return name, 0


class _CatalogueLoader(UniqueKeys, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's, when built in
    """The catalogue's reader: an id given twice is refused, not the first definition replaced."""


def _read_yaml(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_CatalogueLoader)


def catalogue_stamp() -> tuple:
    """When and how big the two catalogue files are: an edit (in JupyterLab, without restarting
    the kernel) is read on the next call, and caches of what was computed from it are keyed by it."""
    return tuple((path.stat().st_mtime_ns, path.stat().st_size) for path in (VARIABLES_FILE, INDICATORS_FILE))


def variables() -> dict[str, Variable]:
    return _variables(catalogue_stamp())


def indicators() -> dict[str, Indicator]:
    """Every indicator of the catalogue by id, read again whenever the file has changed."""
    return _indicators(catalogue_stamp())


def _entries(path: Path, model: type[BaseModel], key_field: str, **context) -> tuple[dict, list[str]]:
    """Every entry of a catalogue file as `model`, and every problem of every entry, each named by its key:
    an analyst who adds an indicator with three mistakes sees all three at once, and where they are."""
    try:
        raw = _read_yaml(path)
    except yaml.YAMLError as error:  # a mistake in the file's layout, e.g. an indentation, before any entry
        return {}, [f"not valid YAML: {yaml_problem(error)}"]
    if not isinstance(raw, dict):
        return {}, ["the file must be a YAML mapping of keys to definitions"]
    entries, problems = {}, []
    for key, spec in raw.items():
        if not isinstance(spec, dict):
            problems.append(f"{key}: must be a mapping of fields (name_pl: ..., unit_pl: ...)")
            continue
        try:
            entries[key] = model.model_validate({**spec, key_field: key}, context=context)
        except ValidationError as error:
            problems += [f"{key}: {problem}" for problem in describe_errors(error, whole="", model=model)]
    return entries, problems


def _raise_on(path: Path, problems: list[str]) -> None:
    if problems:
        shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
        raise ParamsError(str(shown), problems, f"{path.stem} catalogue")


@lru_cache(maxsize=1)
def _variables(stamp: tuple) -> dict[str, Variable]:
    result, problems = _entries(VARIABLES_FILE, Variable, "key")
    for variable in result.values():
        base = result.get(variable.rate_of or "")
        if variable.rate_of and (variable.additive or base is None or not base.additive):
            problems.append(
                f"{variable.key}: rate_of {variable.rate_of!r}: a variable with rate_of must be a rate "
                "(additive: false) of an additive variable of the catalogue"
            )
    ids = [v.bdl_id for v in result.values()]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        problems.append(f"BDL ids used twice: {duplicated}")
    _raise_on(VARIABLES_FILE, problems)
    return result


@lru_cache(maxsize=1)
def _indicators(stamp: tuple) -> dict[str, Indicator]:
    # The counts' variables are the formula's (`_counts_are_the_formula`): checking the formula checks both.
    result, problems = _entries(INDICATORS_FILE, Indicator, "id", variables=_variables(stamp))
    _raise_on(INDICATORS_FILE, problems)
    return result


def indicators_in(section: str) -> list[Indicator]:
    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}; expected one of {SECTIONS}")
    return [i for i in indicators().values() if i.section == section]


def variable_ids() -> dict[str, int]:
    """Variable key -> BDL id."""
    return {key: v.bdl_id for key, v in variables().items()}


def variable_keys() -> dict[int, str]:
    """BDL id -> variable key: how a store's rows, keyed by BDL id, name the catalogue's variables."""
    return {bdl_id: key for key, bdl_id in variable_ids().items()}
