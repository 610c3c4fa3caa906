"""A committed snapshot of one demo town's report content, which refactors must keep.

This is a change detector, not a correctness check (the numbers are checked against hand and
plain-pandas computations elsewhere: test_golden, test_indicators, test_scoring...). It holds
what a reader of the report sees: every figure of the comparison table, the verdicts, the
sensitivity table and every generated sentence. When a change of results is intended, rewrite
it deliberately and review the diff like code:

    .venv/bin/python -m pytest tests/analysis/test_snapshot.py --update-snapshot
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pandas as pd

from analysis.narrative import verdict_lines
from analysis.report import prepare_report
from analysis.town import TownParams

TOWN = "0490013"
SNAPSHOT = Path(__file__).parent / "snapshots" / f"report-{TOWN}.json"


def _plain(value):
    """JSON-safe, with floats at 9 significant digits: libraries' last-bit noise is not a change."""
    if isinstance(value, float) or hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "f":
        value = float(value)
        return None if math.isnan(value) else float(f"{value:.9g}")
    if hasattr(value, "item"):
        return value.item()
    return value


def _table(frame: pd.DataFrame) -> dict:
    return {
        str(index): {str(column): _plain(value) for column, value in row.items()} for index, row in frame.iterrows()
    }


def report_content(report) -> dict:
    return {
        "town": [report.teryt, report.name],
        "peers": list(report.peers.members),
        "comparison": _table(report.comparison),
        "verdicts": _table(report.verdicts),
        "sensitivity": _table(report.sensitivity),
        "trends": _table(report.trends),
        "strongest": report.strongest,
        "weakest": report.weakest,
        "narrative": report.narrative,
        "verdict_lines": [  # page one's verdict table
            dataclasses.asdict(line)
            for line in verdict_lines(
                report.verdicts, report.robust, report.comparison, report.language, report.other_peer_groups
            )
        ],
        "projection": _table(report.projection.forecast) if report.projection else None,
        "areas": _table(report.areas),
    }


def test_the_report_content_of_one_demo_town_is_unchanged(update_snapshot):
    content = report_content(prepare_report(TownParams(teryt=TOWN, edition="2026-11-22")))
    text = json.dumps(content, ensure_ascii=False, indent=1, sort_keys=True)
    if update_snapshot:
        SNAPSHOT.write_text(text + "\n", encoding="utf-8")
    assert SNAPSHOT.exists(), f"no snapshot at {SNAPSHOT}: create it with --update-snapshot"
    kept = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for part in content:
        assert json.loads(json.dumps(content[part], ensure_ascii=False)) == kept[part], (
            f"the report's {part} changed; if intended, rerun with --update-snapshot and review the diff"
        )
