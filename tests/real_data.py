"""Readers of the real GUS and Ministry of Finance files in ../shared/data/real, for tests.

Nothing of them is in the project (../shared/data/PROVENANCE.md): tests that use them skip
where they are absent (`REAL_DATA_PRESENT`).
"""

from __future__ import annotations

import pandas as pd

from tests.conftest import SHARED

REAL = SHARED / "real"
FILES = {
    "gus": REAL / "gus_ludnosc_tabl_IV_gminy_2020.xls",
    **{
        f"mf_{kind}_{year}": REAL / f"mf_pit_share_{kind}_{year}.xlsx"
        for kind in ("gminy", "miasta_npp")
        for year in (2019, 2020)
    },
}


def _number(column: pd.Series) -> pd.Series:
    """GUS prints a dash for zero."""
    return pd.to_numeric(column.replace({"-": "0"}), errors="coerce")


# Tabl. IV's columns: counts, and the rates per 1,000 GUS prints for them (on mid-year population).
TABL_IV_COUNTS = {
    "population": 2,
    "live_births": 4,
    "deaths": 5,
    "net_migration_internal": 10,
    "net_migration_foreign": 13,
    "net_migration": 14,
}
TABL_IV_RATES = {"births_per_1000": 16, "deaths_per_1000": 17, "net_migration_per_1000": 19}


def _read_tabl_iv_sheet() -> pd.DataFrame:
    return pd.read_excel(FILES["gus"], header=None, dtype=str, engine="calamine")


def read_tabl_iv() -> pd.DataFrame:
    raw = _read_tabl_iv_sheet()
    rows = raw.loc[raw[1].fillna("").str.fullmatch(r"\d{7}") & raw[1].fillna("").str[-1].isin(["1", "2", "3"])]
    return pd.DataFrame(
        {
            "teryt": rows[1].to_numpy(),
            **{key: _number(rows[column]).to_numpy() for key, column in TABL_IV_COUNTS.items()},
        }
    )


def read_tabl_iv_printed_rates() -> pd.DataFrame:
    """GUS's own rates per 1,000 of every gmina (on its mid-year population), by TERYT, as Tabl. IV prints them."""
    raw = _read_tabl_iv_sheet()
    rows = raw.loc[raw[1].fillna("").str.fullmatch(r"\d{7}") & raw[1].fillna("").str[-1].isin(["1", "2", "3"])]
    return pd.DataFrame(
        {key: _number(rows[column]).to_numpy() for key, column in TABL_IV_RATES.items()}, index=rows[1].to_numpy()
    )


def read_tabl_iv_areas() -> pd.DataFrame:
    """GUS's own totals printed above the gminy: Poland (as "Polska") and each voivodeship (named in lower
    case, as the TERC register names it), with the counts and GUS's printed rates per 1,000."""
    raw = _read_tabl_iv_sheet()
    rows = raw.loc[raw[0].fillna("").str.match(r"\s*(POLSKA|WOJ\. )")]
    names = rows[0].str.split("\n").str[0].str.strip()
    areas = names.str.removeprefix("WOJ. ").str.lower().replace({"polska": "Polska"})
    columns = {**TABL_IV_COUNTS, **{f"printed_{key}": column for key, column in TABL_IV_RATES.items()}}
    return pd.DataFrame(
        {key: _number(rows[column]).to_numpy() for key, column in columns.items()}, index=areas.to_numpy()
    )


def read_pit(year: int) -> pd.Series:
    """PIT-share revenue (rozdział 75621, dochody wykonane) per TERYT for all gminy, cities with powiat rights too."""
    parts = []
    for kind in ("gminy", "miasta_npp"):
        raw = pd.read_excel(FILES[f"mf_{kind}_{year}"], header=None, dtype=str, engine="calamine").iloc[7:]
        raw = raw.loc[raw[8] == "75621"]
        gmina = raw[2].where(raw[2] != "-", "01")
        kind_digit = raw[3].where(raw[3] != "-", "1")
        parts.append(
            pd.Series(pd.to_numeric(raw[11]).to_numpy(), index=(raw[0] + raw[1] + gmina + kind_digit).to_numpy())
        )
    return pd.concat(parts)


REAL_DATA_PRESENT = all(f.is_file() for f in FILES.values())
