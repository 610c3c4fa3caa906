"""The indicator and source-variable catalogues, loaded from YAML and validated.

The YAML files beside this module are the single definition of every indicator;
code elsewhere asks this module, never repeats a name, unit or formula.
"""

from __future__ import annotations

import ast
import re
from enum import StrEnum
from functools import cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from analysis.paths import INDICATORS_FILE, VARIABLES_FILE

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
    confidence: str


class Indicator(BaseModel):
    """One indicator: its formula over source variables, unit and direction."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    section: Literal["demography", "economy", "services"]
    name_pl: str
    name_en: str
    unit_pl: str
    unit_en: str
    formula: str
    direction: Direction
    decimals: int = Field(ge=0, le=3)
    min_denominator: int | None = None
    headline: bool = False

    def name(self, language: str) -> str:
        return self.name_pl if language == "pl" else self.name_en

    def unit(self, language: str) -> str:
        return self.unit_pl if language == "pl" else self.unit_en

    @field_validator("formula")
    @classmethod
    def _formula_is_arithmetic(cls, formula: str) -> str:
        formula_names(formula)  # raises on anything but arithmetic over names
        return formula

    @property
    def inputs(self) -> tuple[str, ...]:
        """Names the formula reads (variables, possibly with a `_lagN` suffix)."""
        return formula_names(self.formula)


_ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Constant,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd,
)


@cache  # a report asks for every indicator's inputs many times; parsing is the cost
def formula_names(formula: str) -> tuple[str, ...]:
    """The variable names in a formula; ValueError if it is more than arithmetic."""
    tree = ast.parse(formula, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValueError(f"formula {formula!r}: {type(node).__name__} is not allowed")
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
    return tuple(dict.fromkeys(names))


def split_lag(name: str) -> tuple[str, int]:
    """`population_lag5` -> (`population`, 5); `population` -> (`population`, 0)."""
    match = LAG_SUFFIX.match(name)
    if match:
        return match["variable"], int(match["years"])
    return name, 0


def _read_yaml(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml's, when built in


@cache
def variables() -> dict[str, Variable]:
    raw = _read_yaml(VARIABLES_FILE)
    result = {key: Variable(key=key, **spec) for key, spec in raw.items()}
    ids = [v.bdl_id for v in result.values()]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"{VARIABLES_FILE.name}: BDL ids used twice: {duplicated}")
    return result


@cache
def indicators() -> dict[str, Indicator]:
    raw = _read_yaml(INDICATORS_FILE)
    result = {key: Indicator(id=key, **spec) for key, spec in raw.items()}
    known = variables()
    for indicator in result.values():
        for name in indicator.inputs:
            variable, _ = split_lag(name)
            if variable not in known:
                raise ValueError(
                    f"{INDICATORS_FILE.name}: indicator {indicator.id!r} uses unknown "
                    f"variable {variable!r}"
                )
    return result


def indicators_in(section: str) -> list[Indicator]:
    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}; expected one of {SECTIONS}")
    return [i for i in indicators().values() if i.section == section]


def variable_ids() -> dict[str, int]:
    """Variable key -> BDL id."""
    return {key: v.bdl_id for key, v in variables().items()}
