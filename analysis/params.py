"""Batch parameters (`params/*.yaml`): which towns, years, peer rule and language.

A batch is validated in two steps before any notebook runs: the file's shape
(`load_batch`), then its codes and years against the data store
(`check_against_store`). Every problem is reported at once, naming its entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analysis.peers import PeerRule
from analysis.store import Store

TERYT_CODE = r"^\d{7}$"


class ParamsError(ValueError):
    """Invalid batch parameters; `problems` lists each one with the entry it concerns."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))

    def __str__(self) -> str:
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        return f"{self.source}: invalid batch parameters\n{lines}"


class YearRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    first: int = Field(ge=1995, le=2100)
    last: int = Field(ge=1995, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> "YearRange":
        if self.last - self.first < 5:
            raise ValueError(
                f"years {self.first}–{self.last}: need at least 6 years (5-year changes are reported)"
            )
        return self


class TownSpec(BaseModel):
    """One town of a batch; `peers` overrides the batch's peer rule for this town.

    `name`, when given, is checked against the store or register: a mistyped code
    that happens to exist is caught instead of reporting on the wrong town.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    teryt: str = Field(pattern=TERYT_CODE)
    name: str | None = None
    peers: PeerRule | None = None


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    batch: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="folder name under reports/")
    title: str = "Diagnoza społeczno-gospodarcza"
    data: str | None = Field(default=None, description="store directory; empty = embedded demo data")
    years: YearRange
    language: Literal["pl", "en"] = "pl"
    peers: PeerRule = PeerRule()
    towns: list[TownSpec] = Field(min_length=1)

    @field_validator("towns", mode="before")
    @classmethod
    def _codes_as_entries(cls, towns):
        """A town may be given as a bare TERYT code or as a mapping."""
        if isinstance(towns, list):
            return [{"teryt": str(t)} if isinstance(t, (str, int)) else t for t in towns]
        return towns

    @model_validator(mode="after")
    def _no_duplicates(self) -> "Batch":
        first_seen: dict[str, int] = {}
        problems = []
        for index, town in enumerate(self.towns):
            if town.teryt in first_seen:
                problems.append(
                    f"towns[{index}]: TERYT code {town.teryt} is listed twice (also towns[{first_seen[town.teryt]}])"
                )
            first_seen.setdefault(town.teryt, index)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def teryts(self) -> list[str]:
        return [town.teryt for town in self.towns]

    def peer_rule(self, teryt: str) -> PeerRule:
        for town in self.towns:
            if town.teryt == teryt:
                return town.peers or self.peers
        raise KeyError(teryt)


def _describe(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        location = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]).lstrip(".")
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        value = item.get("input")
        shown = f" (got {value!r})" if isinstance(value, (str, int, float)) and item["type"] != "extra_forbidden" else ""
        problems.append(f"{location or 'file'}: {message}{shown}")
    return problems


def parse_batch(raw: object, source: str = "params") -> Batch:
    if not isinstance(raw, dict):
        raise ParamsError(source, ["the file must be a YAML mapping (key: value)"])
    try:
        return Batch.model_validate(raw)
    except ValidationError as error:
        raise ParamsError(source, _describe(error)) from None


def load_batch(path: Path | str) -> Batch:
    path = Path(path)
    if not path.is_file():
        raise ParamsError(str(path), ["no such file"])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ParamsError(str(path), [f"not valid YAML: {error}"]) from None
    return parse_batch(raw, str(path))


def check_towns(batch: Batch, units, source: str = "params", where: str = "the data store") -> list[str]:
    """Problems with the batch's town and peer codes (and names, when given) against a units table."""
    names = dict(zip(units["teryt"], units["name"]))
    problems = []
    for index, town in enumerate(batch.towns):
        if town.teryt not in names:
            problems.append(f"towns[{index}]: TERYT code {town.teryt} is not in {where}")
        elif town.name and town.name.casefold() != str(names[town.teryt]).casefold():
            problems.append(f"towns[{index}]: TERYT code {town.teryt} is {names[town.teryt]!r} in {where}, "
                            f"not {town.name!r}")
        rule = town.peers or batch.peers
        for member in rule.members:
            if member not in names:
                problems.append(f"towns[{index}] ({town.teryt}): peer TERYT code {member} is not in {where}")
    return problems


def check_against_register(batch: Batch, register, source: str = "params", where: str = "the register") -> None:
    """Every town code exists in a units register (e.g. TERC) under the name the batch gives it."""
    problems = check_towns(batch, register, source, where)
    if problems:
        raise ParamsError(source, problems)


def check_against_store(batch: Batch, store: Store, source: str = "params") -> None:
    """Every town and peer code exists in the store (under its name, if given) and the years are covered."""
    problems = check_towns(batch, store.units, source)
    first, last = store.years
    if batch.years.first < first or batch.years.last > last:
        problems.append(
            f"years: {batch.years.first}–{batch.years.last} is outside the store's years {first}–{last}"
        )
    if problems:
        raise ParamsError(source, problems)
