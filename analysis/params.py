"""Batch parameters (`params/*.yaml`): which towns, years, peer rule and language.

A batch is validated in two steps before any notebook runs: the file's shape
(`load_batch`), then its codes and years against the data store
(`check_against_store`). Every problem is reported at once, naming its entry.
"""

from __future__ import annotations

import difflib
import re
import shlex
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from analysis.formatting import slug
from analysis.labels import label
from analysis.paths import PARAMS_DIR, PROJECT_ROOT

if TYPE_CHECKING:  # importing the store loads pandas: validating parameters must stay instant
    from analysis.store import Store

TERYT_CODE = r"^\d{7}$"
BATCH_NAME = r"^[a-z0-9][a-z0-9_-]*$"

# What each pattern asks for, in words: pydantic's own message would print the regular expression.
PATTERN_IN_WORDS = {
    TERYT_CODE: 'must be a 7-digit TERYT code, e.g. "0290011"',
    BATCH_NAME: "must be lower-case letters, digits, '-' or '_', as it names a folder under reports/",
}

# What a batch file's nested entries look like, for the line saying one is not a mapping: pydantic's own
# message names a Python class ("a valid dictionary or instance of YearRange").
MAPPING_IN_WORDS = {
    "YearRange": "must be the first and the last year, e.g. {first: 2014, last: 2024}",
    "PeerRule": "must be a peer rule, e.g. {method: nearest, k: 20} or {method: voivodeship}",
    "TownSpec": 'must be a TERYT code, or a town with its keys, e.g. {teryt: "0290011", peers: {method: powiat}}',
}

MIN_PEERS = 3  # the fewest peers any rule may give: fewer cannot have a median and quartiles worth printing

PeerMethod = Literal["nearest", "voivodeship", "powiat", "population_class", "explicit"]


def normalise_teryt(value: object) -> object:
    """A TERYT code as 7 characters: papermill's `-p teryt 0290011` arrives as the number 290011,
    and spreadsheets drop the leading zero, so an int or a 6-digit code is zero-padded. Only one zero
    can be lost (voivodeships are numbered 02–32): a shorter number is no code, and is refused as
    written rather than padded into one ("0000099")."""
    if isinstance(value, bool):
        return value  # rejected by the pattern
    if isinstance(value, int):
        return f"{value:07d}" if 100_000 <= value < 10_000_000 else str(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 6:
        return "0" + value.strip()
    return value.strip() if isinstance(value, str) else value


def edition_problem(edition: str) -> str | None:
    """What is wrong with an edition date, shared by the batch file, the notebook and `diagnoza build --edition`."""
    if edition:
        try:
            date.fromisoformat(edition)
        except ValueError:
            return "must be a date YYYY-MM-DD, or empty for today"
    return None


def edition_before_data(edition: str, last_year: int) -> str | None:
    """An edition dated no later than the last year of its data: GUS publishes a year's figures in the next year at
    the earliest, so such a date is a typo (2016 for 2026) that every report of the batch would print."""
    if edition and not edition_problem(edition) and date.fromisoformat(edition).year <= last_year:
        return (
            f"comes before the data it reports on: their last year is {last_year}, whose figures are published in"
            f" {last_year + 1} at the earliest"
        )
    return None


def normal_edition(edition: str) -> str:
    """An edition date in the one form the records keep (YYYY-MM-DD): Python 3.11+ reads "20261201" too;
    empty stays empty (today, filled in later). Check it with `edition_problem` first."""
    return date.fromisoformat(edition).isoformat() if edition else edition


def valid_edition(edition: str) -> str:
    """An edition date checked and in its one form, for the validators of a batch and a town's parameters:
    raises ValueError with `edition_problem`'s words."""
    problem = edition_problem(edition)
    if problem:
        raise ValueError(problem)
    return normal_edition(edition)


class PeerRule(BaseModel):
    """How to choose a town's peers; the same rule for every town of a batch unless overridden."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    method: PeerMethod = "nearest"
    k: int = Field(default=20, ge=3, le=100)
    members: tuple[str, ...] = ()

    @field_validator("members", mode="before")
    @classmethod
    def _member_codes(cls, members):
        return [normalise_teryt(code) for code in members] if isinstance(members, (list, tuple)) else members

    @model_validator(mode="after")
    def _members_only_for_explicit(self) -> "PeerRule":
        # A code listed twice would count that peer twice in every median and quartile.
        twice = sorted({code for code in self.members if self.members.count(code) > 1})
        if twice:
            raise ValueError(f"peer TERYT code{'s' if len(twice) > 1 else ''} {', '.join(twice)} listed twice")
        if self.method == "explicit" and len(self.members) < MIN_PEERS:
            raise ValueError(f"an explicit peer group needs at least {MIN_PEERS} member TERYT codes")
        if self.method != "explicit" and self.members:
            raise ValueError(f"members are only used with method 'explicit', not {self.method!r}")
        if self.method != "nearest" and "k" in self.model_fields_set:  # k: 20 left from a copied batch file
            raise ValueError(f"k (how many nearest peers) is only used with method 'nearest', not {self.method!r}")
        return self


class ParamsError(ValueError):
    """Invalid batch parameters; `problems` lists each one with the entry it concerns."""

    def __init__(self, source: str, problems: list[str], what: str = "batch parameters", note: str = ""):
        self.source = source
        self.problems = problems
        self.what = what
        self.note = note  # a line after the problems, e.g. what is checked once they are fixed
        super().__init__(f"{source}: " + "; ".join(problems))

    def __str__(self) -> str:
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        return f"{self.source}: invalid {self.what}\n{lines}" + (f"\n{self.note}" if self.note else "")


class YearRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    first: int = Field(ge=1995, le=2100)
    last: int = Field(ge=1995, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> "YearRange":
        problem = year_range_problem(self.first, self.last)
        if problem:
            raise ValueError(problem)
        return self


# A change and a trend need two years. Shorter spans than the 5-year change are allowed: the
# report then says that change is missing (as on a store holding only two years of real data).
MIN_YEARS = 2


def year_range_problem(first: int, last: int) -> str | None:
    """What is wrong with a year range, shared by batches and single town runs."""
    if last < first:
        return f"years {first}–{last}: the last year is before the first"
    if last - first < MIN_YEARS - 1:
        return f"years {first}–{last}: need at least {MIN_YEARS} years (a change needs two)"
    return None


class TownSpec(BaseModel):
    """One town of a batch; `peers` overrides the batch's peer rule for this town.

    `name`, when given, is checked against the store or register: a mistyped code
    that happens to exist is caught instead of reporting on the wrong town.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    teryt: str = Field(pattern=TERYT_CODE)
    name: str | None = None
    peers: PeerRule | None = None

    @field_validator("teryt", mode="before")
    @classmethod
    def _code(cls, value: object) -> object:
        return normalise_teryt(value)


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    batch: str = Field(pattern=BATCH_NAME, description="folder name under reports/")
    title: str = Field(default="", description="report title; empty: the standard title in the batch's language")
    data: str | None = Field(default=None, description="store directory; empty = embedded demo data")
    years: YearRange
    language: Literal["pl", "en"] = "pl"
    edition: str = Field(
        default="", description="edition date on every report, YYYY-MM-DD; empty: the day of the build"
    )
    peers: PeerRule = PeerRule()
    towns: list[TownSpec] = Field(min_length=1)

    @field_validator("edition", mode="before")
    @classmethod
    def _edition_date(cls, value: object) -> object:
        """A date kept in the batch file, so that the edition, and so each report's inputs, do not change
        at midnight: an incremental build the next day then has nothing to rebuild."""
        if isinstance(value, (int, date)):  # 20270331 in YAML; a date in a batch built in Python
            value = value.isoformat() if isinstance(value, date) else str(value)
        return valid_edition(value.strip()) if isinstance(value, str) else value

    @field_validator("edition")
    @classmethod
    def _edition_after_data(cls, edition: str, info: ValidationInfo) -> str:
        years = info.data.get("years")  # absent where the years themselves are wrong
        problem = edition_before_data(edition, years.last) if years else None
        if problem:
            raise ValueError(problem)
        return edition

    @field_validator("towns", mode="before")
    @classmethod
    def _codes_as_entries(cls, towns):
        """A town may be given as a bare TERYT code or as a mapping."""
        if isinstance(towns, list):
            return [{"teryt": t} if isinstance(t, (str, int)) else t for t in towns]
        return towns

    @field_validator("towns")
    @classmethod
    def _no_duplicates(cls, towns: list[TownSpec]) -> list[TownSpec]:
        """A field check (not a model one), so that it is reported beside problems with the other keys."""
        first_seen: dict[str, int] = {}
        problems = []
        for index, town in enumerate(towns):
            if town.teryt in first_seen:
                problems.append(
                    f"TERYT code {town.teryt} is listed twice (towns[{first_seen[town.teryt]}] and towns[{index}])"
                )
            first_seen.setdefault(town.teryt, index)
        if problems:
            raise ValueError("; ".join(problems))
        return towns

    @property
    def report_title(self) -> str:
        """The title given, or the standard one in the batch's language (the index's heading)."""
        return self.title or label("report_title", self.language)

    @property
    def teryts(self) -> list[str]:
        return [town.teryt for town in self.towns]

    def peer_rule(self, teryt: str) -> PeerRule:
        for town in self.towns:
            if town.teryt == teryt:
                return town.peers or self.peers
        raise KeyError(teryt)


def _model_at(model: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    """The model whose key the last part of an error's location is (`("peers", "methd")` in a batch: the
    peer rule's), following its fields through lists and optional values; None where it leads elsewhere."""
    for part in path[:-1]:
        if isinstance(part, int):  # an item of a list: the list's own type is already followed
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        kinds, inner = [field.annotation], None
        while kinds and inner is None:  # list[TownSpec], PeerRule | None, ...: the first model inside
            kind = kinds.pop(0)
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                inner = kind
            kinds += list(get_args(kind))
        if inner is None:
            return None
        model = inner
    return model


def _unknown_key(item: dict, model: type[BaseModel] | None) -> str:
    """ "unknown key", and the key it resembles where one does (`methd`: "did you mean method?")."""
    owner = _model_at(model, item["loc"]) if model is not None and item["loc"] else None
    known = list(owner.model_fields) if owner is not None else []
    close = difflib.get_close_matches(str(item["loc"][-1]), known, n=1, cutoff=0.75)
    return f"unknown key (did you mean {close[0]}?)" if close else "unknown key"


def _choice_it_resembles(value: object, expected: str) -> str:
    """The allowed value (pydantic's `expected`: "'a', 'b' or 'c'") that `value` resembles, in any case (`PL`)
    or spelling (`voivodship`), as "; did you mean 'voivodeship'?"; "" for none."""
    if not isinstance(value, str):
        return ""
    choices = re.findall(r"'([^']*)'", expected)
    folded = {choice.casefold(): choice for choice in choices}
    close = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.75)
    return f"; did you mean {folded[close[0]]!r}?" if close else ""


def describe_errors(
    error: ValidationError, whole: str = "file", model: type[BaseModel] | None = None, data: object = ""
) -> list[str]:
    """One line per problem, naming where it is (`towns[3].teryt`), what is wrong and the value given; given
    the `model` validated, an unknown key is shown with the key of that place it resembles. `data`: the store
    the values were to be read against, as given (a batch's `data`, a notebook's `data_dir`), which the
    command finding a town's code by its name must search too."""
    problems = []
    for item in error.errors():
        location = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]).lstrip(".")
        location = location or whole
        message = item["msg"].removeprefix("Value error, ")
        value = item.get("input")
        hint = ""  # what the value may have meant: one of the choices, or a town's code for its name
        if item["type"] == "extra_forbidden":
            message = _unknown_key(item, model)
        elif item["type"] == "string_pattern_mismatch":
            message = PATTERN_IN_WORDS.get(item["ctx"]["pattern"], message)
        elif item["type"] == "model_type":
            message = MAPPING_IN_WORDS.get(item["ctx"]["class_name"], message)
        elif item["type"] in ("list_type", "tuple_type"):  # `towns` and `members`, pydantic's "a valid tuple"
            message = 'must be a list of TERYT codes, e.g. ["0290011", "0290021"]'
        elif item["type"] == "too_short" and item["loc"] == ("towns",):
            message = "must list at least one town"
        elif item["type"] == "missing":
            message = "is required"
        elif item["type"] in ("greater_than_equal", "less_than_equal"):
            bound = item["ctx"].get("ge", item["ctx"].get("le"))
            message = f"must be {'at least' if item['type'] == 'greater_than_equal' else 'at most'} {bound}"
        elif item["type"] in ("int_parsing", "int_type", "int_from_float"):
            message = "must be a whole number"
        elif item["type"] == "literal_error":  # "Input should be 'pl' or 'en'": the choices, as the others say
            message = message.replace("Input should be ", "must be ", 1)
            hint = _choice_it_resembles(value, item["ctx"]["expected"])
        if message == PATTERN_IN_WORDS[TERYT_CODE]:  # the pattern's, or TownParams' own for a number
            hint = _code_finder(value, data)
        shown = (
            f" (got {value!r}{hint})"
            if isinstance(value, (str, int, float)) and item["type"] != "extra_forbidden"
            else ""
        )
        problems.append(f"{location}: {message}{shown}" if location or whole else f"{message}{shown}")
    return problems


def _code_finder(value: object, data: object = "") -> str:
    """Where a town was given by its name, instead of its TERYT code: the command that finds the code, in the
    store given (`data`; none: the embedded demo store, as the command's own default). A batch's `data` and a
    notebook's `data_dir` are read from the project root, the command's `--data` from the working directory:
    elsewhere than in the project root (a kernel runs in `notebooks/`) the store is named by its whole path."""
    if not isinstance(value, str) or not re.fullmatch(r"[^\W\d_][^\d]*", value.strip()):
        return ""
    store = ""
    if isinstance(data, str) and data.strip():
        path = Path(data.strip()).expanduser()
        if not path.is_absolute() and Path.cwd().resolve() != PROJECT_ROOT.resolve():
            path = (PROJECT_ROOT / path).resolve()
        store = f" --data {shlex.quote(str(path))}"
    return f"; to find a town's code by its name: diagnoza data towns {shlex.quote(value.strip())}{store}"


# Codes and years are checked against a store or register only in a batch that parses.
CHECKED_AGAINST_DATA_NEXT = "Once these are fixed, the TERYT codes and years are checked against the data."


def parse_batch(raw: object, source: str = "params") -> Batch:
    if not isinstance(raw, dict):
        raise ParamsError(source, ["the file must be a YAML mapping (key: value)"])
    try:
        return Batch.model_validate(raw)
    except ValidationError as error:
        problems = describe_errors(error, model=Batch, data=raw.get("data", ""))
        raise ParamsError(source, problems, note=CHECKED_AGAINST_DATA_NEXT) from None


class UniqueKeys:
    """A YAML loader's part that refuses a key given twice in one mapping, naming both lines. PyYAML keeps
    the last silently: a second `years:` in a batch would change its years unseen, and an indicator block
    copied in the catalogue without renaming its id would replace the first indicator's definition."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first_line = {}  # each key: the line it was first given on
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *defaults` may be overridden, as YAML means
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                earlier = first_line.get(key)
            except TypeError:  # an unhashable key: the reader's own error names it
                continue
            if earlier is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key!r} given a second time (first on line {earlier + 1})", key_node.start_mark
                )
            first_line[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


class _ParamsLoader(UniqueKeys, yaml.SafeLoader):
    """YAML as `yaml.safe_load` reads it, except that digits with a leading zero stay text: YAML 1.1 reads
    an unquoted TERYT code 0261011 as the octal number 90633 (YAML 1.2 no longer does), and a TERYT code
    is the only number in a batch that starts with 0. Dates stay text too (`edition: 2027-03-31`), so that
    an impossible one (2027-02-30) is named by the batch's check, not raised by the YAML reader."""


def _leading_zero_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    text = loader.construct_scalar(node)
    if len(text) > 1 and text.startswith("0") and text.isdigit():
        return text
    return loader.construct_yaml_int(node)


_ParamsLoader.add_constructor("tag:yaml.org,2002:int", _leading_zero_as_text)
_ParamsLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)


def _missing_file_problem(path: Path) -> str:
    """No such file, and the batch files that are there: a mistyped name is the usual cause."""

    def batch_files(folder: Path) -> list[str]:  # not hidden ones, such as .pre-commit-config.yaml
        return sorted(c.name for c in folder.glob("*.yaml") if c.is_file() and not c.name.startswith("."))

    folder = path.parent if path.parent.is_dir() else PARAMS_DIR
    there = batch_files(folder)
    if not there:
        folder, there = PARAMS_DIR, batch_files(PARAMS_DIR)
    if not there:
        return "no such file"
    return f"no such file; the batch files in {folder}: {', '.join(there)}"


def load_batch(path: Path | str) -> Batch:
    path = Path(path)
    if not path.is_file():
        raise ParamsError(str(path), [_missing_file_problem(path)], what="batch file")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_ParamsLoader)  # a SafeLoader
    except yaml.YAMLError as error:
        raise ParamsError(str(path), [f"not valid YAML: {yaml_problem(error)}"]) from None
    return parse_batch(raw, str(path))


def yaml_problem(error: yaml.YAMLError) -> str:
    """PyYAML's error in one line, with the line and column of the file where it was found: "line 3, column 1:
    expected the node content, but found '<stream end>'" (its own text spans lines and names "<unicode string>")."""
    mark, problem = getattr(error, "problem_mark", None), getattr(error, "problem", None)
    if mark is None or not problem:
        return " ".join(str(error).split())
    context, opened = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and opened is not None and opened.line != mark.line:  # where the unclosed list or mapping began
        context += f" (begun on line {opened.line + 1})"
    tab = " (YAML indents with spaces, not tabs)" if "'\\t'" in problem else ""  # an editor's Tab key
    return f"line {mark.line + 1}, column {mark.column + 1}: " + (f"{context}, " if context else "") + problem + tab


def check_towns(batch: Batch, units, source: str = "params", where: str = "the data store", renumbered=()) -> list[str]:
    """Problems with the batch's town and peer codes (and names, when given) against a units table
    (`renumbered`: the store's joined series, `analysis.renumbering`, whose older codes it names)."""
    names = dict(zip(units["teryt"], units["name"]))
    problems = []
    for index, town in enumerate(batch.towns):
        rule = town.peers or batch.peers
        at, members_at = f"towns[{index}]", f"towns[{index}] ({town.teryt})"
        problems += town_problems(town.teryt, town.name, rule.members, names, where, at, members_at, renumbered)
    return problems


def town_problems(
    teryt: str, name: str | None, members, names: dict, where: str, at: str, members_at: str, renumbered=()
) -> list[str]:
    """A town's code (and name, when given: in any case, with or without its Polish letters, as `data towns` finds
    names) and its explicit peers' codes against a units table's names. A code the store joined under a newer one
    (`renumbered`) is named with that one: the analyst's list predates it."""
    newer = {change.predecessor: change for change in renumbered}

    def missing(code: str) -> str:
        change = newer.get(code)
        if change is None or change.successor not in names:
            return f"TERYT code {code} is not in {where}" + _same_gmina(code, names)
        return (
            f"TERYT code {code} is not in {where}: since {change.since} that gmina is {change.successor} "
            f"({names[change.successor]}), under which the store keeps its whole series"
        )

    problems = []
    if teryt not in names:
        problems.append(f"{at}: {missing(teryt)}")
    elif name and slug(name) != slug(str(names[teryt])):  # "Hajnowka" is Hajnówka: the code, not the letters
        problems.append(f"{at}: TERYT code {teryt} is {names[teryt]!r} in {where}, not {name!r}")
    problems += [f"{members_at}: peer {missing(member)}" for member in members if member not in names]
    return problems


def _same_gmina(code: str, names: dict) -> str:
    """The gmina a code not in the store may have meant: one whose code differs only in its last digit, the
    kind. TERC lists an urban-rural gmina (kind 3) beside its town (4) and rural area (5), which are not gminy
    and have no figures of their own; and a kind may be mistyped."""
    alike = [other for other in names if other[:6] == code[:6]]
    if not alike:
        return ""
    meant = " or ".join(f"{other} ({names[other]})" for other in alike)
    return f"; did you mean {meant}? The codes differ only in the last digit, the kind of gmina"


def years_problem(first: int, last: int, store_years: tuple[int, int], at: str = "years", said: str = "") -> str | None:
    """`said`: the store's years as a message gives them (`Store.years_said`), where they need more than a range."""
    if first < store_years[0] or last > store_years[1]:
        return f"{at}: {first}–{last} is outside the store's years {said or f'{store_years[0]}–{store_years[1]}'}"
    return None


def check_against_register(batch: Batch, register, source: str = "params", where: str = "the register") -> None:
    """Every town code exists in a units register (e.g. TERC) under the name the batch gives it."""
    problems = check_towns(batch, register, source, where)
    if problems:
        raise ParamsError(source, problems)


def check_against_store(batch: Batch, store: Store, source: str = "params") -> None:
    """Every town and peer code exists in the store (under its name, if given) and the years are covered."""
    problems = check_towns(batch, store.units, source, renumbered=store.renumbered)
    years = years_problem(batch.years.first, batch.years.last, store.years, said=store.years_said())
    if years:
        problems.append(years)
    if problems:
        raise ParamsError(source, problems)
