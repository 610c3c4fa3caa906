"""What a report rests on: no data after its last year; and the versions it records: which method computed its
figures, which code made the cached report."""

from __future__ import annotations

import ast
import dataclasses
import shutil

import pandas as pd
import pytest

from analysis import report as report_module
from analysis.paths import PACKAGE_DIR


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of the `analysis` code and catalogue that the version functions read instead of the package."""
    copy = tmp_path / "analysis"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    monkeypatch.setattr(report_module, "PACKAGE_DIR", copy)
    return copy


def _append(path, text="\n# an edit\n"):
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_wording_fix_is_no_new_method_but_new_code_for_the_cache(package_copy):
    # The next edition warns that changes may come from the method when the version differs: a fix of
    # words or layout must not make every town's report say so. A cached report holds its narrative,
    # so the cache key (code_version) follows every edit.
    method, code = report_module.method_version(), report_module.code_version()
    for module in ("labels.py", "narrative.py", "export.py", "formatting.py", "bdl/client.py"):
        _append(package_copy / module)
        assert report_module.method_version() == method, module
        assert report_module.code_version() != code, module
        code = report_module.code_version()


@pytest.mark.parametrize(
    "edit",
    ["scoring.py", "rounding.py", "catalogue/indicators.yaml", "a_new_module.py"],
    ids=["scoring", "rounding the rules use", "catalogue", "a module not yet listed"],
)
def test_an_edit_of_the_computation_is_a_new_method(package_copy, edit):
    method = report_module.method_version()
    path = package_copy / edit
    if path.exists():
        _append(path)
    else:
        path.write_text("WEIGHT = 2\n", encoding="utf-8")
    assert report_module.method_version() != method


def test_every_module_left_out_of_the_method_exists():
    # A stale name would leave out nothing; a misspelt one would leave the module in (the safe side), but say so.
    for name in report_module.PRESENTATION:
        assert (PACKAGE_DIR / name).exists(), name


def test_the_computation_takes_from_presentation_modules_only_words_paths_and_the_narrative():
    # What the method version leaves out must not feed a figure. Of the modules it covers, only these take
    # anything from a presentation module: error messages and labels (`labels`), words for numbers
    # (`formatting`: "12 zdarzeń"), file locations (`paths`), and the report's text (`report` calls
    # `narrative` to word the figures it has computed). The rounding the rules read is computation (`rounding`).
    # One check, by name: the town's parameters refuse a previous edition's record that is missing or another
    # town's (`editions.record_problem`), which raises or passes and feeds nothing.
    allowed = {"labels", "formatting", "paths", "narrative"}
    allowed_names = {("editions", "record_problem")}
    presentation = {name.removesuffix(".py") for name in report_module.PRESENTATION}
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        top = path.relative_to(PACKAGE_DIR).parts[0]
        if top in report_module.PRESENTATION:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis."):
                used = node.module.split(".")[1]
                names = {(used, alias.name) for alias in node.names}
                if used in presentation and used not in allowed and not names <= allowed_names:
                    found.setdefault(str(path.relative_to(PACKAGE_DIR)), []).append(used)
    assert found == {}
    # and the narrative, which the method leaves out, is only taken by the report that words its figures
    takers = [
        str(path.relative_to(PACKAGE_DIR))
        for path in PACKAGE_DIR.rglob("*.py")
        if path.relative_to(PACKAGE_DIR).parts[0] not in report_module.PRESENTATION
        and "analysis.narrative" in path.read_text(encoding="utf-8")
    ]
    assert takers == ["report.py"]


def test_a_report_to_a_year_reads_nothing_of_the_years_after_it(demo_store, tmp_path):
    # The second method: the same report computed on a copy of the store with every observation after 2022
    # deleted. A report of 2014–2022 must come out the same from both. Srebrnozdrój's 5-year change to 2022
    # spans the 2021 census step, so its page one and its population trend rest on the re-basing, whose
    # usual yearly change was read from 2023 and 2024 too (its change without the step read −2.7% or −2.8%).
    from analysis.report import compute_report
    from analysis.store import write_store
    from analysis.town import TownParams

    cut = tmp_path / "store"
    observations = demo_store.observations
    published = demo_store.area_values
    write_store(
        cut,
        demo_store.units,
        observations.loc[observations["year"] <= 2022],
        dict(demo_store.metadata),
        published.loc[published["year"] <= 2022],
    )
    asked = TownParams(teryt="3290021", last_year=2022, edition="2026-12-02")
    everything = compute_report(asked)
    until_then = compute_report(asked.model_copy(update={"data_dir": str(cut)}))
    assert "population_change_5y" in everything.changes_without_step  # the case the re-basing enters
    for field in dataclasses.fields(everything):
        if field.name in ("params", "vintage"):
            continue
        ours, theirs = getattr(everything, field.name), getattr(until_then, field.name)
        if isinstance(ours, pd.DataFrame):
            pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-9, obj=field.name)
        else:
            assert ours == theirs, field.name


def test_a_cache_folder_that_cannot_be_written_leaves_the_report_as_computed(tmp_path):
    # A town's record keeps its build's cache folder as a parameter (an absolute path); re-run on another machine,
    # or from a read-only copy, the folder cannot be made, and the record failed there after computing its report.
    # Here the folder would sit under a plain file, which no user can make a folder of.
    from analysis.report import compute_report, prepare_report
    from analysis.town import TownParams

    (tmp_path / "a-file").write_text("", encoding="utf-8")
    town = TownParams(teryt="0290011", edition="2026-12-06", cache_dir=str(tmp_path / "a-file" / "cache"))
    report = prepare_report(town)
    expected = compute_report(TownParams(teryt="0290011", edition="2026-12-06"))
    pd.testing.assert_frame_equal(report.comparison, expected.comparison)
    assert report.params == town and not (tmp_path / "a-file" / "cache").exists()
