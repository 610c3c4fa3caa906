"""TERYT codes: the 7-character gmina code every store is keyed by, and how BDL spells it.

A TERYT gmina code is WWPPGGR: voivodeship (2), powiat (2), gmina (2) and kind (1).
GUS BDL names a unit by a 12-character id whose characters 3–4 are the voivodeship
and 8–12 the powiat, gmina and kind, e.g. `011212001011` → `1201011` (Bochnia).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd

from analysis.formatting import slug
from analysis.labels import label

VOIVODESHIPS: dict[str, str] = {
    "02": "dolnośląskie",
    "04": "kujawsko-pomorskie",
    "06": "lubelskie",
    "08": "lubuskie",
    "10": "łódzkie",
    "12": "małopolskie",
    "14": "mazowieckie",
    "16": "opolskie",
    "18": "podkarpackie",
    "20": "podlaskie",
    "22": "pomorskie",
    "24": "śląskie",
    "26": "świętokrzyskie",
    "28": "warmińsko-mazurskie",
    "30": "wielkopolskie",
    "32": "zachodniopomorskie",
}

# The last TERYT digit of a gmina proper. Digits 4 and 5 (the town and the rural
# area of an urban-rural gmina), 8 and 9 (Warsaw's districts, city delegations)
# are parts of a gmina, not gminy, and are never compared with them.
KIND_BY_DIGIT: dict[str, str] = {"1": "urban", "2": "rural", "3": "urban-rural"}
DIGIT_BY_KIND: dict[str, str] = {kind: digit for digit, kind in KIND_BY_DIGIT.items()}

BDL_UNIT_ID = re.compile(r"^\d{12}$")


def teryt_from_bdl(unit_id: str) -> str:
    """The 7-character TERYT code of a 12-character BDL unit id."""
    if not BDL_UNIT_ID.match(unit_id or ""):
        raise ValueError(f"not a 12-digit BDL unit id: {unit_id!r}")
    return unit_id[2:4] + unit_id[7:12]


def voivodeship_bdl_id(unit_id: str) -> str:
    """The BDL id of the voivodeship a BDL unit lies in (its first four characters, then zeros)."""
    return unit_id[:4] + "0" * 8


def read_terc(path: Path | str) -> pd.DataFrame:
    """The gminy of an official TERC register file (GUS, `;`-separated, UTF-8 with BOM).

    Returns the columns a store's units have (teryt, name, kind, voivodeship,
    powiat), for checking batch parameters against the register.
    """
    if not Path(path).is_file():
        raise ValueError(f"{path}: no such file (a TERC register, as GUS publishes it: TERC_Urzedowy_*.csv)")
    try:
        frame = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text; a TERC register is UTF-8, as GUS publishes it") from None
    missing = {"WOJ", "POW", "GMI", "RODZ", "NAZWA"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: not a TERC register (missing columns {sorted(missing)})")
    gminy = frame.loc[frame["RODZ"].isin(list(KIND_BY_DIGIT)) & (frame["GMI"] != "")]
    teryt = gminy["WOJ"] + gminy["POW"] + gminy["GMI"] + gminy["RODZ"]
    return pd.DataFrame(
        {
            "teryt": teryt.to_numpy(),
            "name": gminy["NAZWA"].to_numpy(),
            "kind": gminy["RODZ"].map(KIND_BY_DIGIT).to_numpy(),
            "voivodeship": gminy["WOJ"].map(VOIVODESHIPS).to_numpy(),
            "powiat": (gminy["WOJ"] + gminy["POW"]).to_numpy(),
        }
    )


def codes_named(name: str, units: pd.DataFrame) -> list[str]:
    """The TERYT codes of the units of `units` called `name`, typed in any case and with or without its Polish
    letters ("zurawioleka" is Żurawiołęka). Several where a name repeats (a town and the rural gmina around it
    often share one); the caller asks which."""
    wanted = slug(name)
    return [str(code) for code, unit in zip(units["teryt"], units["name"]) if slug(str(unit)) == wanted]


def name_like(name: str, units: pd.DataFrame) -> str:
    """The name of a unit of `units` that `name` (which names none) looks like a typing slip of, compared as
    `codes_named` compares ("Zurawiolek" -> "Żurawiołęka"); "" where none is close."""
    names = {slug(str(unit)): str(unit) for unit in units["name"]}
    close = difflib.get_close_matches(slug(name), list(names), n=1, cutoff=0.8)
    return names[close[0]] if close else ""


def codes_told_apart(codes: list[str], units: pd.DataFrame) -> str:
    """Codes one name gives (`codes_named`), each with its kind and voivodeship, for the analyst to choose from:
    `2005011 (gmina miejska, podlaskie) or 2005062 (gmina wiejska, podlaskie)`."""
    by_code = units.set_index("teryt")
    return " or ".join(f"{code} ({_kind_and_voivodeship(by_code.loc[code])})" for code in codes)


def _kind_and_voivodeship(unit: pd.Series) -> str:
    """What tells apart gminy of one name: "gmina miejska, dolnośląskie"."""
    return f"{label(unit['kind'], 'pl')}, {unit['voivodeship']}"


def units_matching(query: str, units: pd.DataFrame) -> pd.DataFrame:
    """The units a batch's author is looking for: by a part of the name, typed in any case and with or without
    Polish letters ("zurawiol" finds Żurawiołęka, as the index's filter does), or by the start of a TERYT code
    ("0290": the gminy of powiat 0290). Sorted by code."""
    query = query.strip()
    if query.isdigit():
        chosen = units["teryt"].astype(str).str.startswith(query)
    else:
        wanted = slug(query)
        chosen = units["name"].map(lambda name: bool(wanted) and wanted in slug(str(name)))
    return units.loc[chosen].sort_values("teryt")


def batch_entry(unit: pd.Series) -> str:
    """A unit as a line of a batch file's `towns:` list, named in a comment as params/demo.yaml names them,
    with its kind, as a town and the rural gmina around it often share a name:
    `  - "0290011"  # Bursztynojar, gmina miejska, dolnośląskie`."""
    return f'  - "{unit["teryt"]}"  # {unit["name"]}, {_kind_and_voivodeship(unit)}'
