"""Build a batch: validate, decide what changed, run the towns in parallel, render, publish.

- Incremental: a town is rebuilt only when a hash of its inputs (code, parameters, the data
  of the towns it is compared with: `diagnoza.inputs`) differs from the one its present
  outputs were built from; `--force` rebuilds all, `--dry-run` says what would be built and why.
- One contract: each town is a `TownParams` (analysis.town), the notebook's parameters, the
  input hash's parameters and the report's key at once.
- Compute once: a worker computes the town's analysis for the spreadsheet and keeps it in
  `<batch>/.cache/` by its key; the notebook loads it by the same key (or computes it, when
  re-run elsewhere). Speed measures are listed in `diagnoza.runtime`.
- Isolated and atomic: a town's files are written to a staging folder and moved into place
  only when all exist; a failure leaves the previous good report untouched, keeps the
  executed notebook and a log under `_failed/<TERYT>/`, and does not stop the other towns.
  A lock file stops two builds of one batch at once; Ctrl-C leaves no half-written files, and so
  do SIGTERM and SIGHUP, and no worker starts a town after (`diagnoza.workers`). A worker whose build
  process was killed outright stops too, and the next build puts back a report it had set aside mid-swap.
- Editions: a report to be replaced by one of another edition first leaves its record (figures.json) under
  `<batch>/editions/<edition>/`, which `--previous` takes (`keep_earlier_record`).
- Where: a local process pool, or an existing Dask cluster (`--scheduler`).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from analysis import __version__ as analysis_version
from analysis.editions import RECORD_NAME, later_edition, read_figures
from analysis.indicators import store_notes
from analysis.params import (
    Batch,
    ParamsError,
    check_against_store,
    edition_before_data,
    edition_problem,
    load_batch,
    normal_edition,
)
from analysis.paths import PROJECT_ROOT, REPORTS_DIR
from analysis.report import load_store_and_values, towns_compared
from analysis.store import Store
from analysis.teryt import codes_named, codes_told_apart, name_like
from analysis.town import TownParams, town_params
from diagnoza import inputs, runtime
from diagnoza.publish import (
    CHARTS,
    PUBLISHED_MARK,
    SET_ASIDE,
    replace_directory,
    report_in_place,
    town_files,
    write_bundle,
    write_index,
)
from diagnoza.workers import TownPool, stopping_as_on_ctrl_c, worker_pool

TOWN_FOLDER = "[0-9]" * 7  # a town's report folder under the batch's, named by its TERYT code
NOTEBOOK_NAME = "report.ipynb"  # in a town's folder: the executed notebook, the report's audit record
OUTPUTS = ("report.html", "report.pdf", "data.xlsx", "data.csv", "data-excel.csv", RECORD_NAME)


# How long a build waits for `--scheduler` to answer (distributed tries again until then), and then for a worker of
# its to be there, before it stops.
SCHEDULER_TIMEOUT = 30  # seconds


class BuildError(RuntimeError):
    """The batch cannot be built at all (as opposed to one town failing): said in one line, no traceback."""


class BuildLocked(BuildError):
    """Another build of the same batch is running."""


def check_writable(out_dir: Path) -> None:
    """The output folder can be made and written, checked before a minute is spent building into it."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".write-check.{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise BuildError(f"{out_dir}: cannot write the reports there ({error.strerror or error})") from None


@dataclass(frozen=True)
class TownJob:
    name: str
    town: TownParams
    compared_with: tuple[str, ...] = ()
    inputs: dict = field(default_factory=dict)  # component -> hash (diagnoza.inputs)
    problem: str = ""  # why its report cannot be computed on this store, known before it is built
    # With --previous: that edition's date where it has no record of the town (new to the batch since), else "".
    absent_from: str = ""

    @property
    def teryt(self) -> str:
        return self.town.teryt

    @property
    def input_hash(self) -> str:
        return inputs.input_hash(self.inputs)


@dataclass
class TownResult:
    teryt: str
    name: str
    status: str  # "built" | "skipped" (unchanged) | "failed" | "planned" (dry run)
    seconds: float
    error: str = ""
    outputs: list[str] = field(default_factory=list)
    reason: str = ""  # why it was (or would be) built
    input_hash: str = ""  # the inputs the town's present outputs were built from
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")  # which process built it


@dataclass
class BatchResult:
    batch: str
    out_dir: Path
    towns: list[TownResult]
    # What the batch is told of its store (`analysis.indicators.store_notes`): what no report can have a value
    # of, and how to get it; which variables the batch's last year lacks; which figures GUS marks. "" for nothing.
    store_notes: str = ""
    # Report folders of towns that are no longer in the batch (`towns_outside`), left as they were.
    outside: list[str] = field(default_factory=list)
    # With --previous, the towns (code and name) the earlier edition has no record of: new to the batch since,
    # their reports have no section on what changed. The analyst learns it here, not from 51 sections of 54.
    not_in_previous: list[str] = field(default_factory=list)
    # The towns whose report in place is of another edition, which this build replaces (a dry run: would), and
    # that edition: their records are kept under `EARLIER_EDITIONS` (`keep_earlier_record`). TERYT -> edition.
    replaced: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> list[TownResult]:
        return [t for t in self.towns if t.status == "failed"]

    def count(self, status: str) -> int:
        return sum(t.status == status for t in self.towns)


CACHE_DIR = ".cache"  # under the batch's output folder: computed reports, keyed by everything they depend on
EARLIER_EDITIONS = "editions"  # under the batch's output folder: the records of the editions its builds replaced


def plan_jobs(
    batch: Batch,
    store: Store,
    data_dir: str,
    teryts: list[str] | None,
    edition: str,
    cache_dir: str = "",
    previous: Path | None = None,
    previous_edition: str = "",
    arriving: dict[str, Path] | None = None,
) -> list[TownJob]:
    """One job per town of `teryts` (`planned_towns`; None: the whole batch), with its input hashes.
    `previous_edition`: the edition of the folder `previous` (`check_previous`), for the towns it has no record of.
    `arriving`: towns whose record a build would keep in `previous` before it starts, and where that record is
    now (a dry run's: it keeps none, and plans with the record where it is)."""
    jobs = []
    code = inputs.code_fingerprints()
    data = inputs.town_data_fingerprints(store)
    calibration = inputs.calibration_fingerprint(store)
    areas = inputs.area_fingerprints(store, data)
    older = store.earlier_codes
    for teryt in batch.teryts if teryts is None else teryts:
        previous_figures = previous / teryt / RECORD_NAME if previous is not None else None
        if previous_figures is not None and not previous_figures.is_file() and teryt in older:
            previous_figures = previous / older[teryt] / RECORD_NAME  # an edition before its code changed
        previous_figures = (arriving or {}).get(teryt, previous_figures)
        kept = previous_figures is not None and previous_figures.is_file()
        town = town_params(batch, teryt, data_dir, edition, cache_dir, str(previous_figures) if kept else "")
        absent_from = previous_edition if previous is not None and not kept else ""
        compared, problem = compared_or_problem(town)
        unit = store.unit(teryt)
        job_inputs = {
            **code,
            "params": inputs.params_fingerprint(town, store.metadata),
            "data": inputs.data_fingerprint(compared, data),
            "areas": areas[unit["voivodeship"]],
            "calibration": calibration,
            # its record's content; for a town the previous edition lacks, that edition (its record says so)
            "previous": inputs.file_fingerprint(town.previous) or (f"absent from {absent_from}" if absent_from else ""),
        }
        jobs.append(
            TownJob(
                str(unit["name"]),
                town,
                compared_with=compared,
                inputs=job_inputs,
                problem=problem,
                absent_from=absent_from,
            )
        )
    return jobs


def planned_towns(batch: Batch, store: Store, only: list[str] | None) -> list[str]:
    """The batch's towns a build plans (those of `only`, where given), in the batch's order."""
    if not only:
        return batch.teryts
    chosen = chosen_towns(only, batch, store)
    return [code for code in batch.teryts if code in chosen]


def chosen_towns(only: list[str], batch: Batch, store: Store) -> list[str]:
    """The TERYT codes of `--only`'s towns, each given by its code or its name (`analysis.teryt.codes_named`):
    an analyst thinks of "Bursztynojar" more readily than of 0290011. Raises ParamsError naming each one not
    in the batch."""
    towns = store.units.loc[store.units["teryt"].isin(batch.teryts)]
    codes, problems = [], []
    for given in only:
        found = [given] if given in batch.teryts else codes_named(given, towns)
        if len(found) == 1:
            codes.append(found[0])
        elif found:
            problems.append(
                f"{given} names {len(found)} towns of batch {batch.batch!r}: give {codes_told_apart(found, towns)}"
            )
        elif given.isdigit():
            problems.append(
                f"TERYT code {given} ({store.unit(given)['name']}) is a gmina of the store, not a town of batch "
                f"{batch.batch!r}"
                if (store.units["teryt"] == given).any()
                else f"TERYT code {given} is not a town of batch {batch.batch!r}"
            )
        elif elsewhere := codes_named(given, store.units):  # not a slip: a gmina the batch does not list
            problems.append(
                f"{given} ({', '.join(elsewhere)}) {'is a gmina' if len(elsewhere) == 1 else 'are gminy'} of the store, "
                f"not {'a town' if len(elsewhere) == 1 else 'towns'} of batch {batch.batch!r}"
            )
        else:
            like = name_like(given, towns)
            problems.append(
                f"{given} is neither a TERYT code nor the name of a town of batch {batch.batch!r}"
                + (f" (did you mean {like}?)" if like else "")
            )
    if problems:
        raise ParamsError("--only", problems, what="option")
    return codes


def compared_or_problem(town: TownParams) -> tuple[tuple[str, ...], str]:
    """The towns whose data enter the town's report (`towns_compared`), or, where its peer group cannot
    be formed on the store (no population or income to match it on), the town alone and why: its build
    will fail with that error, and `validate` and `--dry-run` say so before."""
    try:
        return towns_compared(town), ""
    except (KeyError, ValueError) as error:
        return (town.teryt,), str(error.args[0] if error.args else error).removeprefix(f"{town.teryt}: ")


def unbuildable_towns(batch: Batch, store: Store, data_dir: str) -> dict[str, str]:
    """The batch's towns whose report cannot be computed on this store, with why."""
    problems = {}
    for teryt in batch.teryts:
        _, problem = compared_or_problem(town_params(batch, teryt, data_dir, edition=""))
        if problem:
            problems[teryt] = problem
    return problems


def check_previous(previous: Path, batch: Batch, out_dir: Path, edition: str) -> str:
    """`--previous` must be an earlier edition of this batch: a mistyped folder would otherwise give every
    report silently no "what changed" section, and a later one (`edition`: this build's) say what changed
    since an edition that came after it. Raises ParamsError naming the folder; returns its edition (the latest
    of its records', or the folder's name where they have none)."""
    if previous.resolve() == out_dir.resolve():  # its figures are replaced by the very build that compares with them
        raise ParamsError(
            "--previous",
            [
                f"{previous} is this build's own output folder: give the earlier edition's records that a build "
                f"of another edition kept there ({out_dir / EARLIER_EDITIONS}/<edition>), or a copy of the "
                f"earlier edition made before it is rebuilt (e.g. cp -r {out_dir} {out_dir}-{date.today():%Y-%m})"
            ],
            what="option",
        )
    arriving = records_to_keep_in(previous, batch, out_dir, edition)
    if not previous.is_dir() and not arriving:
        raise ParamsError(
            "--previous",
            [f"{previous}: no such folder (give an earlier edition's output folder of this batch)"],
            what="option",
        )
    recorded = read_manifest(previous).get("batch")
    if recorded and recorded != batch.batch:
        raise ParamsError(
            "--previous", [f"{previous} is an edition of batch {recorded!r}, not of {batch.batch!r}"], what="option"
        )
    # A record that is there but unreadable fails its town, saying so (`analysis.editions.record_problem`);
    # a folder of none, or of none this version reads, is refused here once rather than town by town.
    records = [read_figures(previous / teryt / RECORD_NAME) or arriving.get(teryt) for teryt in batch.teryts]
    records = [record for record in records if record is not None]
    if not records:
        kept = sorted({path.parent.parent.name for path in previous.glob(f"*/{TOWN_FOLDER}/{RECORD_NAME}")})
        if kept:
            hint = f"give one of the editions kept in it: {', '.join(str(previous / edition) for edition in kept)}"
        elif (previous / PUBLISHED_MARK).is_file():  # readers get no records (`diagnoza.publish.published_files`)
            hint = (
                f"it is a copy for readers, made by diagnoza publish: give {out_dir / EARLIER_EDITIONS}/<edition>, "
                f"where a build keeps the records of the edition it replaced, or a copy of {out_dir} made before"
            )
        else:
            hint = f"give an earlier edition's folder, e.g. a copy of reports/{batch.batch}"
        raise ParamsError(
            "--previous",
            [
                f"{previous} holds no earlier edition of batch {batch.batch!r}: none of its towns has a readable "
                f"<TERYT>/{RECORD_NAME} there ({hint})"
            ],
            what="option",
        )
    later = max(filter(None, (later_edition(record, edition) for record in records)), default=None)
    if later:
        raise ParamsError(
            "--previous",
            [
                f"{previous} holds reports of edition {later}, later than this build's edition {edition}: give an "
                "earlier edition's folder, or check --edition (or the batch's `edition`)"
            ],
            what="option",
        )
    return max((str(record.get("edition") or "") for record in records), default="") or previous.name


def records_to_keep_in(previous: Path, batch: Batch, out_dir: Path, edition: str) -> dict[str, dict]:
    """Where `previous` is `<out_dir>/editions/<edition kept>`: the records of the reports in place of that
    edition, which this build keeps there before it plans (`keep_replaced_records`), TERYT -> record. The
    build's own advice, "to say what changed since that edition: --previous <out_dir>/editions/<edition>",
    named a folder that only this build creates: it was refused as missing, and the first build of the next
    edition into the folder of the last could not compare with it."""
    if previous.resolve().parent != (out_dir / EARLIER_EDITIONS).resolve() or previous.name == edition:
        return {}
    in_place = {teryt: read_figures(out_dir / teryt / RECORD_NAME) for teryt in batch.teryts}
    return {teryt: record for teryt, record in in_place.items() if record and record.get("edition") == previous.name}


def replaced_edition(out_dir: Path, teryt: str, edition: str) -> str:
    """The edition of the town's report in `out_dir` where it is another than `edition`, which replaces it; else ""."""
    record = read_figures(out_dir / teryt / RECORD_NAME) or {}
    earlier = str(record.get("edition") or "")
    return earlier if earlier != edition and not edition_problem(earlier) else ""


def keep_earlier_record(out_dir: Path, teryt: str, edition: str) -> str:
    """Where the town's report in place is of another edition than `edition`, which replaces it, keep its record
    (figures.json) under `EARLIER_EDITIONS/<that edition>/<TERYT>/`: a folder that `--previous` takes. Building
    a new edition into the folder of the last one, without a copy of it, lost what the new one could compare
    with. Returns that edition, or "" when the report in place is of this one (a rebuild) or has no record.
    Kept before the build: should the town fail, its earlier report stays, and the copy is only a copy."""
    earlier = replaced_edition(out_dir, teryt, edition)
    if earlier:
        kept = out_dir / EARLIER_EDITIONS / earlier / teryt / RECORD_NAME
        kept.parent.mkdir(parents=True, exist_ok=True)
        staged = kept.with_name(f".{RECORD_NAME}.tmp")
        shutil.copyfile(out_dir / teryt / RECORD_NAME, staged)
        os.replace(staged, kept)
    return earlier


def keep_replaced_records(
    out_dir: Path,
    towns: list[str],
    edition: str,
    previous: Path | None,
    dry_run: bool,
    older: dict[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, Path]]:
    """Before a build plans its towns: those whose report in place is of another edition, which the build
    replaces (a report's edition is one of its inputs), TERYT -> that edition, each record kept first
    (`keep_earlier_record`), where `--previous`, given that edition's kept folder, finds it for this very build.
    A town renumbered since its report (`older`: TERYT -> its code before) has that report under its older
    code, and its record is kept under that code, where `plan_jobs` looks for it too.
    A dry run keeps none: it gives as well the records `previous` would receive, and where they are now."""
    older = older or {}
    in_place = {
        teryt: teryt if (out_dir / teryt / RECORD_NAME).is_file() or teryt not in older else older[teryt]
        for teryt in towns
    }
    keep = replaced_edition if dry_run else keep_earlier_record
    replaced = {teryt: kept for teryt, code in in_place.items() if (kept := keep(out_dir, code, edition))}
    if not dry_run:
        return replaced, {}
    receiving = Path(previous).resolve() if previous is not None else None
    arriving = {
        teryt: out_dir / in_place[teryt] / RECORD_NAME
        for teryt, kept in replaced.items()
        if (out_dir / EARLIER_EDITIONS / kept).resolve() == receiving
    }
    return replaced, arriving


def towns_outside(out_dir: Path, batch: Batch) -> list[str]:
    """The report folders of towns that are not in the batch (a town taken out of its file): the index, the
    manifest and the batch's data files leave them out, but the build deletes no report it did not replace,
    so they are named for the analyst to remove, or the town to be put back."""
    return sorted(path.name for path in out_dir.glob(TOWN_FOLDER) if path.is_dir() and path.name not in batch.teryts)


def recorded_towns(out_dir: Path) -> dict[str, dict]:
    """Every town record of the manifest (TERYT -> entry): the batch's, and those of towns taken out of it."""
    manifest = read_manifest(out_dir)
    return {**manifest.get("outside", {}), **manifest.get("towns", {})}


def read_manifest(out_dir: Path) -> dict:
    path = out_dir / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except json.JSONDecodeError:
        return {}  # an unreadable manifest only costs a full rebuild


INPUT_NAMES = {
    "code": "code or templates",
    "catalogue": "indicator or variable catalogue",
    "libraries": "library versions",
    "params": "parameters",
    "data": "data of the town or its peers",
    "areas": "data of its voivodeship's or Poland's gminy",
    "calibration": "population or density of the store's towns (projection backtest)",
    "previous": "the previous edition's figures (--previous)",
}


def why_build(job: TownJob, previous: dict | None, out_dir: Path, force: bool) -> str:
    """Why the town must be built, or "" when its present outputs are up to date."""
    if force:
        return "forced"
    if not previous or not previous.get("input_hash"):
        return "new"
    if not report_in_place(out_dir, job.teryt):
        return "outputs missing"
    if previous["input_hash"] == job.input_hash:
        return ""
    changed = [
        INPUT_NAMES.get(key, key) for key, value in job.inputs.items() if previous.get("inputs", {}).get(key) != value
    ]
    was = previous.get("edition")
    if INPUT_NAMES["params"] in changed and was and was != job.town.edition:  # the date of the build, unless kept
        changed[changed.index(INPUT_NAMES["params"])] += f" (edition {was} → {job.town.edition})"
    return "changed: " + ", ".join(changed or ["inputs"])


def _finish_interrupted_swaps(out_dir: Path) -> None:
    """A build killed outright (SIGKILL, a power cut) between the two renames of `replace_directory` left a
    town's good report set aside and no report in its place: put it back, before this build's towns run, so
    that a failing rebuild still leaves it standing. A set-aside copy whose town has its new report goes."""
    for previous in out_dir.glob(f".*{SET_ASIDE}"):
        final = previous.with_name(previous.name[1 : -len(SET_ASIDE)])
        if final.exists():
            shutil.rmtree(previous)
        else:
            previous.rename(final)


def _precompute(job: TownJob):
    """The town's analysis, computed once here and kept in the batch's cache, where the notebook finds
    it by its key; None if it fails."""
    from analysis.report import prepare_report

    try:
        return prepare_report(job.town)
    except Exception:  # noqa: BLE001 - the notebook run reproduces and records the error
        return None


def _drop_older_reports(job: TownJob) -> None:
    """Keep one computed report per town in the cache: the one its present outputs were built from."""
    from analysis.report import cached_report_path

    current = cached_report_path(job.town)
    for path in current.parent.glob(f"{job.teryt}-*.pickle"):
        if path != current:
            path.unlink(missing_ok=True)


def _write_town_data(report, town: TownParams, staging: Path) -> None:
    """The spreadsheet and both CSVs, their tables made here too: in the side thread, so that where the notebook
    fails (say, on a `previous` record of another town, which its first cell refuses by name), its error is
    the town's, not that of the tables made from the same parameters before it ran."""
    from analysis.export import town_tables, write_town_data

    tables = town_tables(report, town.edition)
    write_town_data(tables, staging / "data.xlsx", staging / "data.csv", staging / "data-excel.csv", town.language)


def build_town(job: TownJob, out_dir: Path, reuse_kernel: bool = True) -> TownResult:
    """Run, render and publish one town; never raises, reports failure in the result."""
    # Imported here, in the worker: a build that finds nothing to do never loads them.
    from analysis.editions import write_figures
    from diagnoza import kernels
    from diagnoza.render import batch_links, chart_files, prepare_renderers, render_html, render_pdf, report_info

    if reuse_kernel:
        kernels.prestart()  # boots (in its own process) while this process computes the analysis
    started = time.perf_counter()
    staging_root = out_dir / ".staging"
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{job.teryt}-", dir=staging_root))
    staging.chmod(0o755)  # mkdtemp's 0700 would hide published reports from a web server
    try:
        report = _precompute(job)
        # When the analysis failed, the notebook computes it itself, fails in the same place,
        # and keeps the error in its cell (papermill's banner) for the analyst.
        # While the kernel runs the notebook this process only waits: meanwhile a thread writes
        # the spreadsheet and readies the renderers. The `with` joins it before anything moves.
        with ThreadPoolExecutor(1, thread_name_prefix="town-side") as side:
            if report is not None:
                tables = side.submit(_write_town_data, report, job.town, staging)
            side.submit(prepare_renderers, job.town.language)
            notebook = kernels.execute_notebook(
                job.town.notebook_parameters(), staging / NOTEBOOK_NAME, staging, reuse_kernel=reuse_kernel
            )
            if report is None:
                raise RuntimeError("the analysis failed in the build process but not in the notebook")
            tables.result()
        write_figures(report, staging / RECORD_NAME, job.absent_from)
        info = report_info(notebook)
        (staging / "report.html").write_text(render_html(notebook, info, batch_links(info)), encoding="utf-8")
        render_pdf(notebook, info, staging / "pdf-source", staging / "report.pdf")
        shutil.rmtree(staging / "pdf-source")
        chart_files(notebook, staging / CHARTS)
        missing = [name for name in OUTPUTS if not (staging / name).is_file()]
        if missing:
            raise RuntimeError(f"rendering produced no {', '.join(missing)}")
        bundle = write_bundle(staging, info, staging / "bundle.zip")
        replace_directory(staging, out_dir / job.teryt)
        shutil.rmtree(out_dir / "_failed" / job.teryt, ignore_errors=True)  # an earlier failure is now stale
        _drop_older_reports(job)
        os.replace(out_dir / job.teryt / bundle.name, out_dir / f"{job.teryt}.zip")
        return TownResult(
            job.teryt,
            job.name,
            "built",
            time.perf_counter() - started,
            outputs=list(town_files(job.teryt).values()),
            input_hash=job.input_hash,
        )
    except Exception as error:  # noqa: BLE001 - any failure of one town is reported, not raised
        failed_dir = out_dir / "_failed" / job.teryt
        if failed_dir.exists():
            shutil.rmtree(failed_dir)
        failed_dir.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(failed_dir)  # the executed notebook (with papermill's error cell) stays for inspection
        (failed_dir / "error.log").write_text(traceback.format_exc(), encoding="utf-8")
        return TownResult(job.teryt, job.name, "failed", time.perf_counter() - started, error=describe_error(error))


def write_manifest(out_dir: Path, batch: Batch, jobs: list[TownJob], results: list[TownResult]) -> None:
    """Record the state of every town: this run's result, else what an earlier run left.

    `input_hash` is the hash of the inputs the town's present outputs were built from; a
    failed rebuild keeps the earlier one and its edition, since the earlier report is still in place.
    """
    from importlib.metadata import version

    path = out_dir / "manifest.json"
    recorded = recorded_towns(out_dir)
    towns = {t: entry for t, entry in recorded.items() if t in batch.teryts}
    job_of = {job.teryt: job for job in jobs}
    for result in results:
        job, previous = job_of[result.teryt], towns.get(result.teryt, {})
        entry = {**asdict(result), "edition": job.town.edition, "compared_with": list(job.compared_with)}
        if result.status == "built":
            entry["inputs"] = job.inputs
        elif result.status in ("failed", "skipped"):
            entry["input_hash"] = previous.get("input_hash", "")
            entry["inputs"] = previous.get("inputs", {})
            entry["outputs"] = previous.get("outputs", [])
            entry["edition"] = previous.get("edition", job.town.edition)  # of the report in place, if any
            if result.status == "skipped":
                entry["seconds"] = previous.get("seconds", 0.0)
        towns[result.teryt] = entry
    manifest = {
        "batch": batch.batch,
        "python": sys.version.split()[0],
        "papermill": version("papermill"),
        "analysis": analysis_version,
        "towns": {t: towns[t] for t in batch.teryts if t in towns},
        # The records of towns taken out of the batch whose reports are still on disk (`towns_outside`): a town
        # put back is then as up to date as its report, not built anew. Not the batch's (publish, proof).
        "outside": {t: recorded[t] for t in towns_outside(out_dir, batch) if t in recorded},
    }
    staged = out_dir / ".manifest.json.tmp"
    staged.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(staged, path)


def _record_build(out_dir: Path, batch: Batch, store: Store, jobs: list[TownJob], results: list[TownResult]) -> None:
    """The manifest, then the index. Written last, when the disk may have filled up or the folder been
    made read-only: say which record is missing and what that costs, not a traceback."""
    records = (
        (
            "manifest.json",
            write_manifest,
            (out_dir, batch, jobs, results),
            "the towns built now are not recorded, so the next build builds them again",
        ),
        (
            "index.html",
            write_index,
            (out_dir, batch, store, results),
            "the reports are in place; the next build writes the index again",
        ),
    )
    for record, write, arguments, cost in records:
        try:
            write(*arguments)
        except OSError as error:
            raise BuildError(f"{out_dir / record}: could not be written ({error.strerror or error}); {cost}") from None


# What a bare library message leaves a reader to guess, said after it.
ERROR_HINTS = {
    "DeadKernelError": "the notebook's Python process ended during a cell, most often for lack of memory",
    "CellTimeoutError": "the cell was stopped; the town's kernel was replaced",
}


def describe_error(error: Exception) -> str:
    """One line naming what went wrong; for a notebook error, the exception raised in the cell."""
    ename, evalue = getattr(error, "ename", None), getattr(error, "evalue", None)
    text = f"{ename}: {evalue}" if ename else f"{type(error).__name__}: {error}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else type(error).__name__
    # A ParamsError's first line says only "invalid parameters"; its problems are the lines listed below it.
    problems = [line[2:] for line in lines[1:] if line.startswith("- ")]
    if problems:
        first = f"{first}: {'; '.join(problems)}"
    hint = ERROR_HINTS.get(type(error).__name__)
    return (f"{first.rstrip('.')} ({hint})" if hint else first)[:300]


def validate(params_path: Path, data: str | None = None) -> tuple[Batch, Store, str]:
    """Load the batch and its store and check one against the other; raises ParamsError."""
    batch = load_batch(params_path)
    if data is not None:
        data_dir = data  # from the command line: relative to the working directory
    else:
        data_dir = str(PROJECT_ROOT / batch.data) if batch.data else ""  # in params: relative to the project
    data_dir = str(Path(data_dir).resolve()) if data_dir else ""
    store, _ = load_store_and_values(data_dir)  # the same key as the towns_compared calls that follow
    check_against_store(batch, store, str(params_path))
    return batch, store, data_dir


LOCK_FILE = ".build.lock"  # in a batch's folder: held by the command working on it, which writes its pid there


@contextmanager
def batch_lock(out_dir: Path, command: str = "diagnoza build", shared: bool = False) -> Iterator[None]:
    """One command at a time on a batch's folder: a build, or a publication, which must not copy it half-built.
    A second one stops at once, naming the holder's pid and command.

    `shared`, for a copy made from a folder the user may read but not write (another user's batch): a shared
    lock through a read-only handle, which stops the copy while a build runs and a build while the copy is made,
    but cannot record who holds it."""
    if shared:
        with open(out_dir / LOCK_FILE, encoding="utf-8") as handle:
            _take_lock(handle, fcntl.LOCK_SH, out_dir)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK_FILE, "a+", encoding="utf-8") as handle:
        _take_lock(handle, fcntl.LOCK_EX, out_dir)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {command}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _take_lock(handle, kind: int, out_dir: Path) -> None:
    try:
        fcntl.flock(handle, kind | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid, _, holder = handle.read().strip().partition(" ")
        running = (
            f"{holder or 'another build'} is running (pid {pid})"
            if pid
            else "another build, or a copy by diagnoza publish, is running"
        )
        raise BuildLocked(f"{out_dir} is in use: {running}; wait for it to finish") from None


def _run_local(
    todo: list[TownJob],
    out_dir: Path,
    workers: int,
    reuse_kernel: bool,
    report: Callable[[TownResult], None],
    pool: TownPool | None = None,
) -> None:
    if workers == 1 and pool is None:
        for job in todo:
            try:
                report(build_town(job, out_dir, reuse_kernel))
            except Exception as error:  # noqa: BLE001 - see _unrecorded_failure
                report(_unrecorded_failure(job, error))
        return
    lost = []
    with nullcontext(pool) if pool is not None else worker_pool(workers, reuse_kernel) as pool:
        futures = {pool.submit(build_town, job, out_dir, reuse_kernel): job for job in todo}
        unreported = set(futures)
        try:
            for future in as_completed(futures):
                unreported.discard(future)
                try:
                    report(future.result())
                except BrokenProcessPool:  # a worker died: every town not finished went with the pool
                    lost.append(futures[future])
                except Exception as error:  # noqa: BLE001 - see _unrecorded_failure
                    report(_unrecorded_failure(futures[future], error))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            # Stopped: a town its worker finished while the build was stopping is in place, so it is recorded.
            for future in sorted(unreported, key=lambda f: todo.index(futures[f])):
                finished = future.done() and not future.cancelled() and future.exception() is None
                if finished and future.result().status == "built":
                    report(future.result())
    for job in sorted(lost, key=todo.index):
        report(_build_alone(job, out_dir, reuse_kernel))


def _unrecorded_failure(job: TownJob, error: Exception) -> TownResult:
    """A town whose build raised: `build_town` reports a town's failure itself, so its record of the failure
    failed too (a full disk, an unwritable `_failed/`). The town fails, named, and the batch goes on."""
    return TownResult(job.teryt, job.name, "failed", 0.0, error=describe_error(error))


WORKER_DIED = "its build process ended twice while building it, most often for lack of memory"


def _build_alone(job: TownJob, out_dir: Path, reuse_kernel: bool) -> TownResult:
    """A town lost with a worker process that died (killed by the system: its kernel dying is a town's
    ordinary failure), built again in a process of its own: the towns lost with it build, and the town
    that killed it, dying again, fails alone and named."""
    started = time.perf_counter()
    with worker_pool(1, reuse_kernel) as pool:
        try:
            return pool.submit(build_town, job, out_dir, reuse_kernel).result()
        except BrokenProcessPool:
            pass
        except Exception as error:  # noqa: BLE001 - see _unrecorded_failure
            return _unrecorded_failure(job, error)
    failed_dir = out_dir / "_failed" / job.teryt
    shutil.rmtree(failed_dir, ignore_errors=True)  # what an earlier failure left is not this one's record
    failed_dir.mkdir(parents=True)
    (failed_dir / "error.log").write_text(f"{job.teryt} {job.name}: {WORKER_DIED}\n", encoding="utf-8")
    error = f"BrokenProcessPool: {WORKER_DIED}"
    return TownResult(job.teryt, job.name, "failed", time.perf_counter() - started, error=error)


def _run_dask(
    todo: list[TownJob], out_dir: Path, scheduler: str, reuse_kernel: bool, report: Callable[[TownResult], None]
) -> None:
    """The same town tasks on an existing Dask cluster; its workers must see `out_dir` and the store."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    try:
        client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, ValueError) as error:  # nothing answers there, or no address of a scheduler: no town started
        raise BuildError(
            f"--scheduler {scheduler}: {error}. Start a scheduler there (`dask scheduler`) and workers that see the"
            " store and the output folder at the same paths, or leave --scheduler out to build on this machine."
        ) from None
    with client:
        try:
            client.wait_for_workers(1, timeout=SCHEDULER_TIMEOUT)
        except TimeoutError:  # its towns would wait for a worker, with nothing said, for as long as none joins
            raise BuildError(
                f"--scheduler {scheduler}: the scheduler has no workers (none joined within {SCHEDULER_TIMEOUT} s);"
                f" start them with `dask worker {scheduler}` where the store and the output folder are seen at the"
                " same paths as here."
            ) from None
        futures = {
            client.submit(
                build_town, job, out_dir, reuse_kernel, key=f"diagnoza-{job.teryt}-{job.input_hash[:12]}", pure=False
            ): job
            for job in todo
        }
        for future in dask_completed(futures):
            try:
                report(future.result())
            except Exception as error:  # noqa: BLE001 - the task was lost (KilledWorker: the town's worker died
                # as often as the scheduler allows), or see _unrecorded_failure; the rest go on.
                report(_unrecorded_failure(futures[future], error))


@stopping_as_on_ctrl_c()
def build_batch(
    params_path: Path,
    *,
    only: list[str] | None = None,
    workers: int | None = None,
    data: str | None = None,
    out_root: Path = REPORTS_DIR,
    edition: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    scheduler: str | None = None,
    reuse_kernel: bool = True,
    on_plan: Callable[[list[tuple[TownJob, str]]], None] | None = None,
    on_result: Callable[[TownResult, int, int], None] | None = None,
    previous: Path | None = None,
) -> BatchResult:
    """Build the batch's towns whose inputs changed (all with `force`); with `previous`, an earlier
    edition's output folder of the same batch, each report says what changed since that edition."""
    runtime.limit_threads()
    if reuse_kernel and force and not dry_run and not scheduler and (workers == 1 or (only and len(only) == 1)):
        # Certain to build here, in this process (one town, or one worker): its kernel boots
        # (1.2 s) while the batch is validated and planned, instead of after.
        from diagnoza import kernels

        kernels.prestart()
    problem = edition_problem(edition or "")
    if problem:  # before the batch is read: every town would fail on it
        raise ParamsError("--edition", [f"{problem} (got {edition!r})"], what="option")
    batch, store, data_dir = validate(params_path, data)
    note = "\n".join(store_notes(store, batch.years.first, batch.years.last))
    edition = normal_edition(edition or "") or batch.edition or date.today().isoformat()  # option, batch, today
    if problem := edition_before_data(edition, batch.years.last):  # the batch's own was checked as it was read
        raise ParamsError("--edition", [f"{edition} {problem}"], what="option")
    out_dir = Path(out_root) / batch.batch
    previous_edition = check_previous(Path(previous), batch, out_dir, edition) if previous is not None else ""
    if not dry_run:
        check_writable(out_dir)
    certain = force or not (out_dir / "manifest.json").exists()  # every town will be built
    pool_size = max(1, min(workers or os.cpu_count() or 1, len(set(only) if only else batch.teryts)))
    early = certain and not dry_run and not scheduler and pool_size > 1
    # A build holds the batch's folder from before it keeps the replaced editions' records to its end: a second
    # build, or a publication, started meanwhile stops at once, having written nothing. A dry run writes nothing.
    folder_lock = nullcontext() if dry_run else batch_lock(out_dir)
    with folder_lock, worker_pool(pool_size if early else 0, reuse_kernel) as pool:  # workers start as we plan
        if not dry_run:
            _finish_interrupted_swaps(out_dir)  # before planning, which reads the reports in place
        teryts = planned_towns(batch, store, only)
        replaced, arriving = keep_replaced_records(out_dir, teryts, edition, previous, dry_run, store.earlier_codes)
        jobs = plan_jobs(
            batch, store, data_dir, teryts, edition, str(out_dir / CACHE_DIR), previous, previous_edition, arriving
        )
        not_in_previous = [f"{job.teryt} {job.name}" for job in jobs if job.absent_from]
        recorded = recorded_towns(out_dir)
        decisions = [(job, why_build(job, recorded.get(job.teryt), out_dir, force)) for job in jobs]
        if on_plan:
            on_plan(decisions)
        if dry_run:
            towns = [
                TownResult(job.teryt, job.name, "planned" if reason else "skipped", 0.0, job.problem, reason=reason)
                for job, reason in decisions
            ]
            return BatchResult(
                batch.batch, out_dir, towns, note, towns_outside(out_dir, batch), not_in_previous, replaced
            )
        todo = [job for job, reason in decisions if reason]
        reasons = {job.teryt: reason for job, reason in decisions}
        results = [TownResult(job.teryt, job.name, "skipped", 0.0) for job, reason in decisions if not reason]

        def report(result: TownResult) -> None:
            result.reason = reasons[result.teryt]
            results.append(result)
            if on_result:
                on_result(result, len(results), len(jobs))

        try:
            if todo and scheduler:
                _run_dask(todo, out_dir, scheduler, reuse_kernel, report)
            elif todo:
                _run_local(
                    todo,
                    out_dir,
                    max(1, min(workers or os.cpu_count() or 1, len(todo))),
                    reuse_kernel,
                    report,
                    pool,
                )
        finally:  # also on Ctrl-C: no staging left behind, and the towns finished so far are recorded
            shutil.rmtree(out_dir / ".staging", ignore_errors=True)
            for result in results:  # up to date with its good report: an earlier failure no longer applies
                if result.status == "skipped":
                    shutil.rmtree(out_dir / "_failed" / result.teryt, ignore_errors=True)
            order = {job.teryt: i for i, job in enumerate(jobs)}
            results.sort(key=lambda r: order[r.teryt])
            _record_build(out_dir, batch, store, jobs, results)
        return BatchResult(
            batch.batch, out_dir, results, note, towns_outside(out_dir, batch), not_in_previous, replaced
        )
