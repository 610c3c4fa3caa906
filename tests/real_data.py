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


def read_tabl_iv() -> pd.DataFrame:
    raw = pd.read_excel(FILES["gus"], header=None, dtype=str, engine="calamine")
    rows = raw.loc[raw[1].fillna("").str.fullmatch(r"\d{7}") & raw[1].fillna("").str[-1].isin(["1", "2", "3"])]
    return pd.DataFrame(
        {
            "teryt": rows[1].to_numpy(),
            "population": _number(rows[2]).to_numpy(),
            "live_births": _number(rows[4]).to_numpy(),
            "deaths": _number(rows[5]).to_numpy(),
            "net_migration_internal": _number(rows[10]).to_numpy(),
            "net_migration_foreign": _number(rows[13]).to_numpy(),
            "net_migration": _number(rows[14]).to_numpy(),
        }
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
