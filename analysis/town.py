"""One town run's parameters: the contract shared by the notebook, the build, the input hash and papermill.

`TownParams` is the only definition of a report's parameters. The notebook's
`parameters` cell holds the same names with the same defaults (a test reads it with
`papermill.inspect_notebook`); the next cell validates them here with the batch's
own rules (`analysis.params`), so a mistake fails at once, naming the parameter,
instead of deep inside pandas after the whole computation.
"""

from __future__ import annotations

import ast
import difflib
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from analysis.params import (
    PATTERN_IN_WORDS,
    TERYT_CODE,
    Batch,
    ParamsError,
    PeerMethod,
    PeerRule,
    describe_errors,
    edition_before_data,
    normalise_teryt,
    town_problems,
    valid_edition,
    year_range_problem,
)
from analysis.paths import PROJECT_ROOT

if TYPE_CHECKING:  # importing the store loads pandas: validating parameters must stay instant
    from analysis.store import Store


def resolve_data_dir(data_dir: str) -> str:
    """A store directory as an absolute path; a relative one is read from the project root,
    so `data/bdl` means the same in the shell, in JupyterLab (whose kernel runs in
    `notebooks/`) and in a build. Empty: the embedded demo store."""
    if not data_dir:
        return ""
    path = Path(data_dir).expanduser()
    return str(path if path.is_absolute() else (PROJECT_ROOT / path).resolve())


class TownParams(BaseModel):
    """Everything one town's report depends on besides the data: who, which years, compared how, said how."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    teryt: str = Field(default="0290011", description="7-character TERYT code of the town")
    first_year: int = Field(default=2014, ge=1995, le=2100)
    last_year: int = Field(default=2024, ge=1995, le=2100)
    language: Literal["pl", "en"] = "pl"
    peer_method: PeerMethod = "nearest"
    peer_k: int = Field(default=20, description='peers chosen by the "nearest" rule')
    peer_members: str = Field(default="", description="comma-separated TERYT codes, for the explicit rule")
    data_dir: str = Field(default="", description="data store directory; empty: the embedded demo store")
    title: str = Field(default="", description="report title; empty: the standard title in the report's language")
    edition: str = Field(default="", description="edition date, YYYY-MM-DD; empty: today")
    cache_dir: str = Field(default="", description="where `diagnoza build` keeps computed reports; empty: none")
    previous: str = Field(default="", description="figures.json of the previous edition; empty: no comparison")

    @field_validator("teryt", mode="before")
    @classmethod
    def _teryt(cls, value: object) -> object:
        return normalise_teryt(value)

    @field_validator("teryt")
    @classmethod
    def _seven_digits(cls, value: str) -> str:
        if not re.fullmatch(TERYT_CODE, value):
            raise ValueError(PATTERN_IN_WORDS[TERYT_CODE])
        return value

    @field_validator("edition")
    @classmethod
    def _date(cls, value: str, info: ValidationInfo) -> str:
        edition = valid_edition(value)
        problem = edition_before_data(edition, info.data["last_year"]) if "last_year" in info.data else None
        if problem:
            raise ValueError(problem)
        return edition

    @field_validator("peer_members", mode="before")
    @classmethod
    def _members(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):  # papermill's `-p peer_members 0290021`
            value = normalise_teryt(value)
        if isinstance(value, (list, tuple)):
            value = ",".join(str(normalise_teryt(code)) for code in value)
        return value

    @field_validator("data_dir", "cache_dir", "previous")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return resolve_data_dir(value)

    @model_validator(mode="after")
    def _batch_rules(self) -> "TownParams":
        """The batch's own rules for a year range and a peer rule (`analysis.params`, `analysis.peers`)."""
        problem = year_range_problem(self.first_year, self.last_year)
        if problem:
            raise ValueError(f"first_year/last_year: {problem}")
        try:
            self.peer_rule
        except ValidationError as error:
            raise ValueError(
                "; ".join(
                    f"peer_{line}" if not line.startswith("peer") else line
                    for line in describe_errors(error, whole="peer_members")  # the rule-level checks are of its members
                )
            ) from None
        return self

    @property
    def members(self) -> tuple[str, ...]:
        # Commas as the parameters cell shows; semicolons and spaces too, as codes pasted from a sheet or a list
        # come: "0290021 0490013 0690021" read as one code was "an explicit peer group needs at least 3 members".
        return tuple(str(normalise_teryt(code)) for code in re.split(r"[,;\s]+", self.peer_members) if code)

    @property
    def peer_rule(self) -> PeerRule:
        if self.peer_method == "nearest":
            return PeerRule(method=self.peer_method, k=self.peer_k, members=self.members)
        return PeerRule(method=self.peer_method, members=self.members)  # the notebook's peer_k is then unused

    # What enters the computed report; the title, edition and places do not.
    ANALYSIS_FIELDS: ClassVar[tuple[str, ...]] = (
        "teryt",
        "first_year",
        "last_year",
        "language",
        "peer_method",
        "peer_k",
        "peer_members",
    )

    def analysis_key(self) -> dict:
        return {name: getattr(self, name) for name in self.ANALYSIS_FIELDS}

    def notebook_parameters(self) -> dict:
        """The values papermill injects into the notebook's `parameters` cell."""
        return self.model_dump()

    @classmethod
    def checked(cls, source: str = "parameters", **values) -> "TownParams":
        """Validate notebook or command-line values, raising `ParamsError` that names each bad parameter."""
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = describe_errors(error, whole="", data=values.get("data_dir", ""))
            raise ParamsError(source, problems, "parameters") from None

    def check_against_store(self, store, source: str = "parameters") -> None:
        """The town (and explicit peers) exist in the store and its years cover the asked range."""
        names = dict(zip(store.units["teryt"], store.units["name"]))
        where = f"the data store {self.data_dir}" if self.data_dir else "the embedded demo store"
        problems = town_problems(
            self.teryt, None, self.members, names, where, "teryt", "peer_members", store.renumbered
        )
        first, last = store.years
        if self.first_year < first:
            problems.append(f"first_year: {self.first_year} is before the store's first year {first}")
        if self.last_year > last:
            why = store.years_without_figures_said
            problems.append(
                f"last_year: {self.last_year} is after the store's last year {last}" + (f"; {why}" if why else "")
            )
        if problems:
            raise ParamsError(source, problems, "parameters")

    def check_previous(self, source: str = "parameters", renumbered=()) -> None:
        """A `previous` record exists and is this town's (a batch passes only those it found): under its code,
        or under the older code of a series its store joined (`renumbered`, `analysis.renumbering`)."""
        from analysis.editions import record_problem  # editions reads reports, which read these parameters

        older = next((change.predecessor for change in renumbered if change.successor == self.teryt), "")
        edition = self.edition or date.today().isoformat()
        problem = record_problem(self.previous, self.teryt, older, edition) if self.previous else None
        if problem:
            raise ParamsError(source, [f"previous: {problem}"], "parameters")


def town_params(
    batch: Batch, teryt: str, data_dir: str, edition: str, cache_dir: str = "", previous: str = ""
) -> TownParams:
    """One town of a batch as the parameters of its notebook run."""
    rule = batch.peer_rule(teryt)
    return TownParams(
        teryt=teryt,
        first_year=batch.years.first,
        last_year=batch.years.last,
        language=batch.language,
        peer_method=rule.method,
        peer_k=rule.k,
        peer_members=",".join(rule.members),
        data_dir=data_dir,
        title=batch.title,
        edition=edition,
        cache_dir=cache_dir,
        previous=previous,
    )


PAPERMILL_CELL = "# Parameters\n"  # the first line of the cell papermill injects after the `parameters` cell


def injected_names(history: Sequence[str]) -> list[str]:
    """The names papermill set in this run: the assignments of the last cell it injected, found in the
    kernel's executed cells (IPython's `In`); none when the notebook runs without papermill."""
    for source in reversed(history):
        if source.startswith(PAPERMILL_CELL):
            assignments = [node for node in ast.parse(source).body if isinstance(node, ast.Assign)]
            return [target.id for node in assignments for target in node.targets if isinstance(target, ast.Name)]
    return []


def unknown_parameters(history: Sequence[str], parameters: Sequence[str] = ()) -> list[str]:
    """A problem for each name papermill passed that is not a parameter (`parameters`; default: the report
    notebook's, `TownParams`): without this check a mistyped `-p tery 0490013` would only set an unused
    variable and build the default town."""
    fields = list(parameters or TownParams.model_fields)
    problems = []
    for name in injected_names(history):
        if name not in fields:
            close = difflib.get_close_matches(name, fields, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{name}: not a parameter of this notebook{hint}; its parameters: {', '.join(fields)}")
    return problems


def unused_parameters(history: Sequence[str], values: dict) -> list[str]:
    """A problem for `-p peer_k 10` beside a `peer_method` other than nearest: papermill passed a value no rule
    reads, as a batch file's `k` would be under that method (refused there too). Only a value papermill passed
    is known to be meant (the parameters cell always holds one), and only one other than the default: a build
    passes every parameter, the default k too, and its kept notebook re-runs with them."""
    method = values.get("peer_method", "nearest")
    passed = "peer_k" in injected_names(history) and values.get("peer_k") != TownParams.model_fields["peer_k"].default
    if method != "nearest" and passed:
        return [f"peer_k: only used with peer_method 'nearest' (how many nearest peers), not {method!r}"]
    return []


def validate_town(
    source: str = "parameters", history: Sequence[str] = (), say_missing_data: bool = True, **values
) -> TownParams:
    """The notebook's second cell: the parameters, typed and checked against their store, in well under a second.

    `history`: the kernel's executed cells (`In`), where papermill's injected cell shows a name it was
    given that the notebook does not have. A store short of catalogue variables is said below the cell, as the
    batch says it (`say_missing_data`), with the figures GUS marks: the report will say "no data" for the
    former, and name the latter. A caller validating several
    towns of one store (`analysis.explore`) passes False and says it once."""
    unknown = unknown_parameters(history) + unused_parameters(history, values)
    if unknown:
        raise ParamsError(source, unknown, "parameters")
    town = TownParams.checked(source, **values)
    # Imported only now: pandas and the store take 0.6 s, which a mistyped value need not wait for.
    from analysis.store import load_store

    store = load_store(town.data_dir or None)
    town.check_against_store(store, source)
    town.check_previous(source, store.renumbered)
    if say_missing_data:
        say_the_stores_notes(store, town.first_year, town.last_year)
    return town if town.edition else town.model_copy(update={"edition": date.today().isoformat()})


def say_the_stores_notes(store: Store, first_year: int, last_year: int) -> None:
    """The batch's notes on `store` (`analysis.indicators.store_notes`), on stderr: below the cell in a notebook."""
    from analysis.indicators import store_notes

    for note in store_notes(store, first_year, last_year):
        print(note, file=sys.stderr)
