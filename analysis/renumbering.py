"""Gminy renumbered in TERYT: one gmina's series under two codes, joined under the newer one.

A rural gmina whose seat gains town rights becomes urban-rural: the kind digit of its TERYT code changes
(…2 → …3), and BDL lists the new code as a new unit, with figures from that year on, beside the old code
with the years before. Some 80 gminy changed so in 2014–2024. The territory is the same, so a report that
read only the new code would have two or three years of data: no 5- or 10-year change, no trend, no
projection, and a peer of that kind would count in the peer medians only from its new code's first year.

Two codes are read as one gmina's when they differ only in the kind digit and the figures of one end
before those of the other begin: the older code's figures then count under the newer one, and the older
unit leaves the store as loaded (the files stay as fetched). Codes whose years overlap, or three codes
sharing six digits, are left as they are: which series continues which is then not clear.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Renumbering:
    predecessor: str  # the older TERYT code, e.g. 1813022
    successor: str  # the newer one, which the store keeps: 1813023
    since: int  # the first year with a figure under the newer code
    kind: str  # the kind the gmina was under the older code ("rural")


def renumberings(units: pd.DataFrame, observations: pd.DataFrame) -> tuple[Renumbering, ...]:
    """The pairs of codes of `units` that are one gmina's series (see the module's docstring), by successor."""
    six = units["teryt"].str[:6]
    shared = units.loc[six.map(six.value_counts()).eq(2)]
    if shared.empty:
        return ()
    spans = observations.loc[observations["teryt"].isin(shared["teryt"])].groupby("teryt")["year"].agg(["min", "max"])
    kinds = dict(zip(shared["teryt"], shared["kind"]))
    found = []
    for _, pair in shared.groupby(shared["teryt"].str[:6]):
        with_figures = [code for code in pair["teryt"] if code in spans.index]
        if len(with_figures) < 2:
            continue  # a code without any figure continues nothing
        older, newer = sorted(with_figures, key=lambda code: (spans.at[code, "min"], spans.at[code, "max"]))
        if spans.at[older, "max"] < spans.at[newer, "min"]:
            found.append(Renumbering(older, newer, int(spans.at[newer, "min"]), str(kinds[older])))
    return tuple(sorted(found, key=lambda change: change.successor))


def join_renumbered(
    units: pd.DataFrame, observations: pd.DataFrame, changes: tuple[Renumbering, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The store's tables with each predecessor's figures under its successor's code, and without its unit."""
    if not changes:
        return units, observations
    successor = {change.predecessor: change.successor for change in changes}
    observations = observations.assign(teryt=observations["teryt"].replace(successor))
    observations = observations.sort_values(["teryt", "year", "var_id"]).reset_index(drop=True)
    return units.loc[~units["teryt"].isin(successor)].reset_index(drop=True), observations
