"""What changed since the previous edition of a town's report.

Each edition keeps, beside a town's report, the figures the next edition needs to compare
(`figures.json`: every indicator's value, year (and first year, if pooled), GUS's marks on its figures, peer
median, percentile and assessment, the section verdicts and what they rest on, the peers, the data years and the
version of the method; the batch workbook reads it too), and the rest of what the report prints
(intervals, quartiles, changes, voivodeship and Poland values, trends, the projection), which
`diagnoza verify` compares with the figures computed again (`record_differences`). `compare_editions` lists what moved
between two such records: indicators whose value, position, assessment or GUS marks changed, verdicts that
changed, new data years, and peers that joined or left; and whether the method changed between
them, so a reader can tell a change in the town from a change in how it is measured. Values count
as changed only beyond their shown precision, so rounding noise is never news.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.boundaries import BoundaryChange
from analysis.catalogue import indicators
from analysis.compare import value_period
from analysis.gus_marks import on_value
from analysis.narrative import hinges_within_chance
from analysis.report import TownReport, method_version
from analysis.rounding import round_half_up
from analysis.scoring import judged_by_design
from analysis.synthesis import rule_key

FORMAT = 1  # the figures.json layout; a different one is not compared
RECORD_NAME = "figures.json"  # beside each town's report: <edition folder>/<TERYT>/figures.json
POSITION_STEP = 10  # percentile points a position must move to be listed


def figures(report: TownReport) -> dict:
    """The record of this edition's figures for the next edition (JSON-safe). It holds what the report prints of
    each indicator, its projection included, so that `diagnoza verify` can tell whether they all still follow
    from the data; editions compare only what `compare_editions` reads, the batch workbook what it lists."""

    def number(value):
        return None if value is None or pd.isna(value) else float(value)

    def numbers(*values):
        return [number(value) for value in values]

    trends = report.trends.reindex(report.comparison.index)
    projection = report.projection.forecast if report.projection is not None else None
    catalogue = indicators()
    return {
        "format": FORMAT,
        "teryt": report.teryt,
        "edition": report.params.edition,
        "years": [report.first_year, report.last_year],
        "peers": list(report.peers.members),
        "peer_year": report.peers.reference_year,  # the year they were matched on (`analysis.peers.matching_year`)
        "peer_rule": rule_key(report.peers.rule),  # "nearest_20", "voivodeship": a new rule moves the peers by itself
        # Their names, so that the next edition can name the peers that left it (it knows its own peers only).
        "peer_names": dict(zip(report.peer_units["teryt"], report.peer_units["name"])),
        "indicators": {
            indicator_id: {
                "value": number(row["value"]),
                "year": None if pd.isna(row["year"]) else int(row["year"]),
                "period_start": None if pd.isna(row["period_start"]) else int(row["period_start"]),
                "percentile": number(row["percentile"]),
                "assessment": row["assessment"] or "",
                # False for a value the report does not judge by design (neutral, or matched on): its table says so
                "judged": judged_by_design(catalogue[indicator_id], bool(row["matching"])),
                "peer_median": number(row["peer_median"]),  # for the batch workbook; editions do not compare it
                # GUS's marks on the peers' figures the median rests on (`TownReport.reference_marks`), for the same
                "peer_median_gus_marks": [
                    [kind, year] for kind, year in report.reference_marks.get(indicator_id, {}).get("peer_median", ())
                ],
                # GUS's marks on the figures the value reads (`analysis.gus_marks.on_value`): a preliminary
                # estimate then, final now, is news even where the value did not move
                "gus_marks": [
                    [kind, year]
                    for kind, year in on_value(catalogue[indicator_id], row, report.gus_marks.get(indicator_id, ()))
                ],
                # The rest of what the report prints of it (page one, the section tables): for `diagnoza verify`.
                "interval": numbers(row["ci_low"], row["ci_high"]),
                "peer_quartiles": numbers(row["peer_q1"], row["peer_q3"]),
                "change_5y": numbers(row["change"], row["peer_median_change"]),
                "change_10y": numbers(row["change_10y"], row["peer_median_change_10y"]),
                "areas": numbers(report.areas.at[indicator_id, "voivodeship"], report.areas.at[indicator_id, "poland"]),
                "trend": numbers(
                    *trends.loc[indicator_id, ["slope", "low", "high", "vs_peers", "vs_peers_low", "vs_peers_high"]]
                ),
            }
            for indicator_id, row in report.comparison.iterrows()
        },
        # year -> [forecast, low, high] of the population projection (`analysis.projection`), {} without one.
        "projection": {} if projection is None else {str(year): numbers(*row) for year, row in projection.iterrows()},
        "verdicts": {section: row["verdict"] for section, row in report.verdicts.iterrows()},
        # The town's changes of boundaries in the data, so that the next edition can say which are news.
        "boundaries": [
            {
                "year": change.year,
                "area_before": change.area_before,
                "area_after": change.area_after,
                "residents_step": number(change.residents_step),
            }
            for change in report.boundaries
        ],
        "sections": verdict_grounds(report),  # for the batch workbook; editions compare the verdicts only
        "method": method_version(),  # the code, catalogue and libraries the figures were computed with
    }


def verdict_grounds(report: TownReport) -> dict[str, dict]:
    """What each section verdict rests on, JSON-safe: the columns of the report's verdicts table
    (`analysis.display.scores_table`), with whether its hinge differs from the peers only within chance (marked
    there ¹), and whether the verdict holds under every other peer group (its sensitivity analysis; None where
    there is no verdict to compare)."""
    return {
        section: {
            "score": None if pd.isna(row["score"]) else float(row["score"]),
            "judged": int(row["judged"]),
            "judgeable": int(row["judgeable"]),
            "same_under_other_peers": report.robust.get(section),
            "hinges_on": row["hinges_on"],
            "verdict_without": row["verdict_without"],
            "hinge_within_chance": hinges_within_chance(row, report.comparison),
        }
        for section, row in report.verdicts.iterrows()
    }


def write_figures(report: TownReport, path: Path, absent_from: str = "") -> None:
    """The record of this edition (`figures`) and, for a report built against a previous edition, what
    changed since it in brief (`since_previous`), which the batch workbook lists town by town. `absent_from`:
    the previous edition a build with --previous compared the batch with, where it had no record of this town
    (new to the batch since): the brief says so, rather than nothing, which reads as a build without it."""
    record = figures(report)
    changes = changes_since(report, report.params.previous)
    if changes is not None:
        record["since_previous"] = {
            "edition": changes.previous_edition,
            "verdicts": {section: list(pair) for section, pair in changes.verdicts.items()},
            "indicators": list(changes.indicators.index),
            "new_years": changes.new_years,
            "boundary_changes": [change.year for change in changes.boundary_changes],
            "peers_joined": changes.peers_joined,
            "peers_left": changes.peers_left,
            "peer_rule": list(changes.peer_rules) if changes.peer_rules else None,
            "method_changed": changes.method_changed,
        }
    elif absent_from:
        record["since_previous"] = {"edition": absent_from, "new_to_batch": True}
    staged = path.with_name(f".{path.name}.tmp")
    staged.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(staged, path)


def read_figures(path: str | Path) -> dict | None:
    """A previous edition's record, or None if there is none (a town new to the batch) or it is unreadable."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None


def later_edition(record: dict, edition: str) -> str | None:
    """The record's edition where it is later than `edition` (both YYYY-MM-DD), else None. A "previous" edition
    dated after the report that compares with it is no previous one: folders swapped, or a mistyped edition
    date; the report would say what changed "since" a later edition. The same day is fine (a rebuild)."""
    recorded = str(record.get("edition", ""))
    return recorded if edition and recorded > edition else None


def record_problem(path: str | Path, teryt: str, older: str = "", edition: str = "") -> str | None:
    """Why `path` cannot be the previous edition's record of town `teryt`, or None if it can. A batch finds
    each town's record itself (`diagnoza build --previous`); a notebook is given the path, and a mistyped
    one would drop the section unsaid, another town's would print that town's figures as this one's past.
    `older`: the town's code before the store joined its series under `teryt` (`analysis.renumbering`), which
    an edition built before names it by. `edition`: the report's own (`later_edition`)."""
    path = Path(path)
    if path.is_dir():
        for candidate in (path / RECORD_NAME, path / teryt / RECORD_NAME):
            if candidate.is_file():
                return f"{path} is a folder: give the record in it, {candidate}"
        return f"{path} is a folder without town {teryt}'s record: give <an earlier edition>/{teryt}/{RECORD_NAME}"
    if not path.is_file():
        return f"{path}: no such file (give <an earlier edition>/{teryt}/{RECORD_NAME})"
    record = read_figures(path)
    if record is None:
        return f"{path} is not a Diagnoza edition's record (a {RECORD_NAME} of format {FORMAT})"
    if record.get("teryt") not in (teryt, older or teryt):
        return f"{path} is the record of town {record.get('teryt')}, not of {teryt}"
    later = later_edition(record, edition)
    if later:
        return f"{path} is of edition {later}, later than this report's {edition}: give an earlier edition's record"
    return None


@dataclass(frozen=True)
class EditionChanges:
    previous_edition: str
    indicators: pd.DataFrame  # indicator -> old/new value, year, percentile, assessment (only those that moved)
    # Indicators not listed whose position moved by less than `POSITION_STEP` (a peer's revised figure can move
    # a town by a rank): too small to list, but a report must not then say that no position moved.
    small_position_moves: int = 0
    verdicts: dict[str, tuple[str, str]] = field(default_factory=dict)  # section -> (old, new)
    new_years: list[int] = field(default_factory=list)
    # The town's changes of boundaries the previous edition's data did not hold: its figures of residents step.
    boundary_changes: list[BoundaryChange] = field(default_factory=list)
    peers_joined: list[str] = field(default_factory=list)
    peers_left: list[str] = field(default_factory=list)
    peers_left_named: dict[str, str] = field(default_factory=dict)  # their names, where the previous record has them
    # (previous, this) year the peers were matched on, where the two differ (a store fetched before a year's income
    # was published, then after): why peers joined and left. None where they agree or the record does not say.
    peer_years: tuple[int, int] | None = None
    # (previous, this) peer rule (`analysis.synthesis.rule_key`), where the batch changed it (k = 20, then 10): why
    # peers joined and left, more than anything in the data. None where they agree or the record does not say.
    peer_rules: tuple[str, str] | None = None
    # Computed with another version of the method (code, catalogue or libraries): some changes may be its.
    # None where the previous record does not say (one written before records kept the method).
    method_changed: bool | None = False

    @property
    def nothing(self) -> bool:
        return (
            self.indicators.empty
            and not self.verdicts
            and not self.new_years
            and not self.boundary_changes
            and not self.peers_joined
            and not self.peers_left
            and self.peer_rules is None
        )


def _moved(old, new, decimals: int) -> bool:
    """Whether a value moved as the report prints it (half up): a change no printed digit shows is none."""
    if old is None or new is None:
        return (old is None) != (new is None)
    return round_half_up(old, decimals) != round_half_up(new, decimals)


def kept_marks(record: dict, key: str = "gus_marks") -> tuple[tuple[str, int], ...] | None:
    """An indicator's GUS marks as a record keeps them (`figures`), as (kind, year): on its value, or with `key`
    "peer_median_gus_marks" on its peer median; None where it keeps none (a record written before records kept
    them)."""
    if key not in record:
        return None
    return tuple((str(kind), int(year)) for kind, year in record[key])


def compare_editions(previous: dict, current: dict, renumbered: dict[str, str] | None = None) -> EditionChanges:
    """What moved between two records of one town. `renumbered`: older TERYT code → newer, for gminy whose
    series the store joined since (`analysis.renumbering`): the previous record names them by the older code,
    and a peer renumbered is the same peer, not one that left beside one that joined."""
    newer = renumbered or {}
    previous = previous | {
        "teryt": newer.get(previous.get("teryt"), previous.get("teryt")),
        "peers": [newer.get(code, code) for code in previous.get("peers", [])],
        "peer_names": {newer.get(code, code): name for code, name in previous.get("peer_names", {}).items()},
    }
    if previous.get("teryt") != current["teryt"]:  # two towns' figures are no town's changes
        raise ValueError(f"the previous record is of town {previous.get('teryt')}, not of {current['teryt']}")
    catalogue = indicators()
    rows, small_position_moves = [], 0
    for indicator_id, now in current["indicators"].items():
        before = previous["indicators"].get(indicator_id)
        if before is None or indicator_id not in catalogue:
            continue
        value_moved = _moved(before["value"], now["value"], catalogue[indicator_id].decimals)
        # A position that appeared or went (too few peers with a value, too few events) moved as much as any.
        old_position, new_position = before["percentile"], now["percentile"]
        position_moved = (old_position is None) != (new_position is None) or (
            old_position is not None and abs(new_position - old_position) >= POSITION_STEP
        )
        # The years a value covers: a new data year, or a value now pooled over years (an older record
        # has no period_start: its values were one year's), is listed even when the value stayed.
        period_moved = value_period(before) != value_period(now)
        # GUS's marks on the value's figures: a record written before records kept them does not say
        old_marks, new_marks = (kept_marks(record) for record in (before, now))
        marks_moved = old_marks is not None and new_marks is not None and set(old_marks) != set(new_marks)
        # Judged then, not now (the peers now matched on it, or its direction reviewed). A record written before
        # records kept it: judged as the other record judges it, else as the catalogue does (not matched on).
        new_judged = now.get("judged", judged_by_design(catalogue[indicator_id], matching=False))
        old_judged = before.get("judged", new_judged)
        judging_moved = old_judged != new_judged
        assessment_moved = before["assessment"] != now["assessment"]
        if value_moved or position_moved or assessment_moved or judging_moved or period_moved or marks_moved:
            rows.append(
                {
                    "indicator": indicator_id,
                    **{f"old_{key}": before[key] for key in ("value", "year", "percentile", "assessment")},
                    "old_judged": old_judged,
                    "old_period": value_period(before),
                    "old_marks": old_marks or (),
                    **{f"new_{key}": now[key] for key in ("value", "year", "percentile", "assessment")},
                    "new_judged": new_judged,
                    "new_period": value_period(now),
                    "new_marks": new_marks or (),
                }
            )
        elif old_position is not None and new_position != old_position:
            small_position_moves += 1
    columns = ["indicator"] + [
        f"{age}_{key}"
        for age in ("old", "new")
        for key in ("value", "year", "percentile", "assessment", "judged", "period", "marks")
    ]
    table = pd.DataFrame(rows, columns=columns).set_index("indicator")
    verdicts = {
        section: (previous["verdicts"].get(section, "none"), verdict)  # a section new since then had no verdict
        for section, verdict in current["verdicts"].items()
        if previous["verdicts"].get(section) != verdict
    }
    old_last, new_last = previous["years"][1], current["years"][1]
    # Changes of boundaries the previous data did not hold: not in its record; where the record does not keep
    # them (one written before records did), those after its last year.
    known = {change["year"] for change in previous["boundaries"]} if "boundaries" in previous else None
    boundary_changes = [
        BoundaryChange(
            change["year"],
            change["area_before"],
            change["area_after"],
            math.nan if change["residents_step"] is None else change["residents_step"],
        )
        for change in current.get("boundaries", [])
        if (change["year"] not in known if known is not None else change["year"] > old_last)
    ]
    return EditionChanges(
        previous_edition=str(previous.get("edition", "")),
        indicators=table,
        small_position_moves=small_position_moves,
        verdicts=verdicts,
        new_years=list(range(old_last + 1, new_last + 1)) if new_last > old_last else [],
        boundary_changes=boundary_changes,
        peers_joined=sorted(set(current["peers"]) - set(previous["peers"])),
        peers_left=(left := sorted(set(previous["peers"]) - set(current["peers"]))),
        peers_left_named={code: name for code, name in previous.get("peer_names", {}).items() if code in left},
        peer_years=(
            (previous["peer_year"], current["peer_year"])
            if previous.get("peer_year") not in (None, current.get("peer_year")) and current.get("peer_year")
            else None
        ),
        peer_rules=(
            (previous["peer_rule"], current["peer_rule"])
            if previous.get("peer_rule") not in (None, current.get("peer_rule"))
            else None
        ),
        method_changed=None if previous.get("method") is None else previous["method"] != current.get("method"),
    )


# What a record holds beside its figures: the version of the method it was computed with (compared apart, as
# `method_changed`: other library versions may give the same figures) and the brief of a previous edition's
# changes (`write_figures`), which rests on that edition's record, not on the data.
NOT_FIGURES = ("method", "since_previous")
REPRODUCED_WITHIN = 1e-9  # relative: what floating point may move between machines; far below any printed digit
ABSENT = object()  # a figure the kept record holds and the recomputed one lacks


def record_differences(kept: dict, recomputed: dict) -> list[str]:
    """Where a recomputed record (`figures`) differs from a kept one: one line per figure, its place in the record
    and both values, `indicators.births_per_1000.value: 8.31 → 8.29`; [] where every figure reproduces. Numbers
    count as equal within `REPRODUCED_WITHIN`. Every figure the kept record holds is compared (one the new lacks
    is shown as "absent"); one it lacks is not: a record written by an earlier version kept fewer."""
    differences: list[str] = []

    def walk(old, new, place: str) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(old, key=str):
                if place or key not in NOT_FIGURES:
                    walk(old[key], new.get(key, ABSENT), f"{place}.{key}" if place else str(key))
        elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            for position, (before, after) in enumerate(zip(old, new)):
                walk(before, after, f"{place}[{position}]")
        elif not _same_figure(old, new):
            differences.append(f"{place}: {_shown(old)} → {_shown(new)}")

    walk(kept, recomputed, "")
    return differences


def _same_figure(old, new) -> bool:
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return math.isclose(old, new, rel_tol=REPRODUCED_WITHIN, abs_tol=REPRODUCED_WITHIN)
    return old is not ABSENT and new is not ABSENT and old == new


def _shown(value) -> str:
    return "absent" if value is ABSENT else json.dumps(value, ensure_ascii=False)


def changes_since(report: TownReport, previous_figures: str) -> EditionChanges | None:
    """The report's changes since the edition recorded at `previous_figures`; None if there is no record."""
    previous = read_figures(previous_figures) if previous_figures else None
    if previous is None:
        return None
    renumbered = {change.predecessor: change.successor for change in report.renumbered}
    return compare_editions(previous, figures(report), renumbered)
