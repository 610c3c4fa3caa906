"""Build a batch: validate, run the report notebook per town in parallel, render, publish.

A town's files are written to a staging folder and moved into place only when all
of them exist, so a failed build never leaves a half-written report where a good
one stood. One failing town does not stop the others; the batch fails at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import multiprocessing
import nbformat

from analysis import __version__ as analysis_version
from analysis.params import Batch, ParamsError, check_against_store, load_batch
from analysis.paths import REPORT_NOTEBOOK, REPORTS_DIR
from analysis.store import Store, load_store
from analysis.labels import label
from analysis.export import town_tables, write_town_data
from analysis.report import prepare_report, report_arguments, save_report
from diagnoza.publish import write_bundle, write_index
from diagnoza.render import ReportInfo, render_html, render_pdf

OUTPUTS = ("report.html", "report.pdf", "data.xlsx", "data.csv")


@dataclass(frozen=True)
class TownJob:
    teryt: str
    name: str
    parameters: dict
    info: ReportInfo


@dataclass
class TownResult:
    teryt: str
    name: str
    status: str  # "built" | "failed"
    seconds: float
    error: str = ""
    outputs: list[str] = field(default_factory=list)


@dataclass
class BatchResult:
    batch: str
    out_dir: Path
    towns: list[TownResult]

    @property
    def failed(self) -> list[TownResult]:
        return [t for t in self.towns if t.status == "failed"]


def plan_jobs(batch: Batch, store: Store, data_dir: str, only: list[str] | None, edition: str) -> list[TownJob]:
    """One job per town of the batch (or of `only`, which must be towns of the batch)."""
    teryts = batch.teryts
    if only:
        unknown = [code for code in only if code not in teryts]
        if unknown:
            raise ParamsError("--only", [f"TERYT code {code} is not a town of batch {batch.batch!r}" for code in unknown])
        teryts = [code for code in teryts if code in only]
    jobs = []
    source = label("source_synthetic" if store.synthetic else "source", batch.language)
    for teryt in teryts:
        unit = store.unit(teryt)
        rule = batch.peer_rule(teryt)
        parameters = {
            "teryt": teryt, "first_year": batch.years.first, "last_year": batch.years.last,
            "language": batch.language, "peer_method": rule.method, "peer_k": rule.k,
            "peer_members": ",".join(rule.members), "data_dir": data_dir, "title": batch.title,
            "edition": edition,
        }
        info = ReportInfo(
            title=batch.title, town=str(unit["name"]), teryt=teryt, voivodeship=str(unit["voivodeship"]),
            kind=str(unit["kind"]), first_year=batch.years.first, last_year=batch.years.last,
            edition=edition, language=batch.language, synthetic=store.synthetic, source=source,
            vintage=label("vintage", batch.language, vintage=store.vintage) if store.vintage else "",
        )
        jobs.append(TownJob(teryt=teryt, name=str(unit["name"]), parameters=parameters, info=info))
    return jobs


def execute_notebook(parameters: dict, output: Path, workdir: Path) -> nbformat.NotebookNode:
    import papermill

    # The kernel must be this environment's Python, not a user-wide "python3" kernelspec.
    os.environ.setdefault("JUPYTER_PREFER_ENV_PATH", "1")
    papermill.execute_notebook(
        str(REPORT_NOTEBOOK), str(output), parameters=parameters, kernel_name="python3",
        progress_bar=False, log_output=False, cwd=str(workdir),
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no transport warnings in the build log
    )
    return nbformat.read(output, as_version=4)


def _replace_directory(staging: Path, final: Path) -> None:
    """Swap `staging` in for `final`; the old folder is removed only after the swap."""
    previous = final.with_name(f".{final.name}.previous")
    if previous.exists():
        shutil.rmtree(previous)
    if final.exists():
        final.rename(previous)
    staging.rename(final)
    if previous.exists():
        shutil.rmtree(previous)


def _precompute(job: TownJob, target: Path):
    """The town's analysis computed once, for the notebook and the data export; None if it fails."""
    try:
        report = prepare_report(**report_arguments(job.parameters))
    except Exception:  # noqa: BLE001 - the notebook run reproduces and records the error
        return None
    save_report(report, target)
    return report


def build_town(job: TownJob, out_dir: Path) -> TownResult:
    """Run, render and publish one town; never raises, reports failure in the result."""
    started = time.perf_counter()
    staging_root = out_dir / ".staging"
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{job.teryt}-", dir=staging_root))
    staging.chmod(0o755)  # mkdtemp's 0700 would hide published reports from a web server
    try:
        report = _precompute(job, staging / "analysis.pickle")
        parameters = {**job.parameters, "precomputed": str(staging / "analysis.pickle") if report else ""}
        # When the analysis failed, the notebook computes it itself, fails in the same place,
        # and keeps the error in its cell (papermill's banner) for the analyst.
        notebook = execute_notebook(parameters, staging / "report.ipynb", staging)
        if report is None:
            raise RuntimeError("the analysis failed in the build process but not in the notebook")
        (staging / "report.html").write_text(render_html(notebook, job.info), encoding="utf-8")
        render_pdf(notebook, job.info, staging / "pdf-source", staging / "report.pdf")
        write_town_data(town_tables(report, job.info.edition), staging / "data.xlsx", staging / "data.csv")
        shutil.rmtree(staging / "pdf-source")
        (staging / "analysis.pickle").unlink()
        missing = [name for name in OUTPUTS if not (staging / name).is_file()]
        if missing:
            raise RuntimeError(f"rendering produced no {', '.join(missing)}")
        bundle = write_bundle(staging, job.info, staging / "bundle.zip")
        _replace_directory(staging, out_dir / job.teryt)
        os.replace(out_dir / job.teryt / bundle.name, out_dir / f"{job.teryt}.zip")
        return TownResult(job.teryt, job.name, "built", time.perf_counter() - started,
                          outputs=[f"{job.teryt}/{name}" for name in OUTPUTS] + [f"{job.teryt}.zip"])
    except Exception as error:  # noqa: BLE001 - any failure of one town is reported, not raised
        failed_dir = out_dir / "_failed" / job.teryt
        if failed_dir.exists():
            shutil.rmtree(failed_dir)
        failed_dir.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(failed_dir)  # the executed notebook (with papermill's error cell) stays for inspection
        (failed_dir / "error.log").write_text(traceback.format_exc(), encoding="utf-8")
        return TownResult(job.teryt, job.name, "failed", time.perf_counter() - started, error=describe_error(error))


def write_manifest(out_dir: Path, batch: Batch, edition: str, results: list[TownResult]) -> None:
    """Record this run; towns not rebuilt now (``--only``) keep their earlier entries."""
    path = out_dir / "manifest.json"
    previous = json.loads(path.read_text(encoding="utf-8")).get("towns", {}) if path.is_file() else {}
    towns = {t: entry for t, entry in previous.items() if t in batch.teryts}
    towns.update({r.teryt: {**asdict(r), "edition": edition} for r in results})
    manifest = {"batch": batch.batch, "python": sys.version.split()[0], "analysis": analysis_version,
                "towns": {t: towns[t] for t in batch.teryts if t in towns}}
    staged = out_dir / ".manifest.json.tmp"
    staged.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(staged, path)


def describe_error(error: Exception) -> str:
    """One line naming what went wrong; for a notebook error, the exception raised in the cell."""
    ename, evalue = getattr(error, "ename", None), getattr(error, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(error).__name__}: {error}"
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(error).__name__)
    return first[:300]


def validate(params_path: Path, data: str | None = None) -> tuple[Batch, Store, str]:
    """Load the batch and its store and check one against the other; raises ParamsError."""
    batch = load_batch(params_path)
    data_dir = data if data is not None else (batch.data or "")
    store = load_store(data_dir or None)
    check_against_store(batch, store, str(params_path))
    return batch, store, str(Path(data_dir).resolve()) if data_dir else ""


def build_batch(
    params_path: Path,
    *,
    only: list[str] | None = None,
    workers: int | None = None,
    data: str | None = None,
    out_root: Path = REPORTS_DIR,
    edition: str | None = None,
    on_result: Callable[[TownResult, int, int], None] | None = None,
) -> BatchResult:
    batch, store, data_dir = validate(params_path, data)
    edition = edition or date.today().isoformat()
    jobs = plan_jobs(batch, store, data_dir, only, edition)
    out_dir = Path(out_root) / batch.batch
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    results: list[TownResult] = []
    if workers == 1:
        for job in jobs:
            results.append(build_town(job, out_dir))
            if on_result:
                on_result(results[-1], len(results), len(jobs))
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(build_town, job, out_dir) for job in jobs]
            for future in as_completed(futures):
                results.append(future.result())
                if on_result:
                    on_result(results[-1], len(results), len(jobs))
    shutil.rmtree(out_dir / ".staging", ignore_errors=True)
    order = {job.teryt: i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[r.teryt])
    result = BatchResult(batch=batch.batch, out_dir=out_dir, towns=results)
    write_index(out_dir, batch, store, result.towns)
    write_manifest(out_dir, batch, edition, results)
    return result
