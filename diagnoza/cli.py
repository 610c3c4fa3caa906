"""The `diagnoza` command."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

from diagnoza.runtime import limit_threads

limit_threads()  # the command's entry: before numpy is first imported, here and in every process it starts

import typer  # noqa: E402

from analysis.params import ParamsError, normalise_teryt  # noqa: E402
from analysis.store import NoStore, StoreError  # noqa: E402

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(help="Diagnoza: socio-economic diagnosis reports for Polish towns.", no_args_is_help=True)
data_app = typer.Typer(
    help="Data stores: fetch from GUS BDL, inspect, check the variable catalogue; the demo store.", no_args_is_help=True
)
app.add_typer(data_app, name="data")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _codes(only: Optional[list[str]]) -> list[str] | None:
    """The towns of `--only A,B --only C`: repeated and comma-separated alike; 290011 read as 0290011 (a name
    is kept as given, for the build to find among the batch's towns)."""
    codes = [normalise_teryt(code) for value in only or [] for code in value.split(",") if code.strip()]
    if only is not None and not codes:  # `--only "$TOWN"` with TOWN unset: not the whole batch
        _fail("--only: no town given (a TERYT code or a name, e.g. --only 0290011)")
    return codes or None


@app.command()
def validate(
    params: Path = typer.Argument(..., help="A batch file, e.g. params/demo.yaml."),
    data: Optional[str] = typer.Option(
        None, help="Data store directory (default: the batch's `data`, else the demo store)."
    ),
    register: Optional[Path] = typer.Option(
        None,
        help="Check the towns against a TERC register file (GUS, `;`-separated) "
        "instead of a store, e.g. before any data is fetched.",
    ),
) -> None:
    """Check a batch file against its data store (or a TERC register) without building anything."""
    from analysis.params import check_against_register, load_batch
    from analysis.teryt import read_terc
    from diagnoza.build import unbuildable_towns
    from diagnoza.build import validate as validate_batch

    unbuildable = {}
    try:
        if register:
            batch = load_batch(params)
            check_against_register(batch, read_terc(register), str(params), f"the register {register.name}")
        else:
            batch, store, data_dir = validate_batch(params, data)
            unbuildable = unbuildable_towns(batch, store, data_dir)
    except NoStore as error:  # no store yet (no internet to fetch one, say): a register can still check the towns
        _fail(f"{error}\n(the batch's towns can be checked without a store: --register <a TERC register file>)")
    except (ParamsError, ValueError) as error:  # a store that is there but wrong among them: mend it, named
        _fail(str(error))
    towns = f"{len(batch.towns)} town{'' if len(batch.towns) == 1 else 's'}"
    if unbuildable:  # the batch is well formed, but a build would fail these towns
        them = "it" if len(unbuildable) == 1 else "them"
        typer.echo(
            f"{params}: {len(unbuildable)} of {towns} cannot be built on this store; a build fails {them} "
            "and goes on with the others:"
        )
        for teryt, problem in unbuildable.items():
            typer.echo(f"  - {teryt} {store.unit(teryt)['name']}: {problem}")
    else:
        typer.echo(
            f"{params}: OK — batch {batch.batch!r}, {towns}, "
            f"years {batch.years.first}–{batch.years.last}, language {batch.language}, "
            f"edition {batch.edition or 'the day of the build'}"
        )
    if not register:
        from analysis.indicators import store_notes

        for note in store_notes(store, batch.years.first, batch.years.last):
            _note(note)
    if unbuildable:
        raise typer.Exit(1)


def _first_ten(items: list[str]) -> str:
    """A list for one line of `data status`: its first ten, and how many more."""
    return ", ".join(items[:10]) + (f" and {len(items) - 10} more" if len(items) > 10 else "")


def _note(text: str) -> None:
    """A note that is not an error (e.g. `analysis.indicators.without_data_note`), where there is one."""
    if text:
        typer.echo(text)


@app.command()
def build(
    params: Path = typer.Argument(..., help="A batch file, e.g. params/demo.yaml."),
    only: Optional[list[str]] = typer.Option(
        None, help="Build only these towns, by TERYT code or name: 0290011[,Bursztynojar...]; may be repeated."
    ),
    workers: Optional[int] = typer.Option(None, min=1, help="Parallel processes (default: CPU count)."),
    data: Optional[str] = typer.Option(
        None, help="Data store directory (default: the batch's `data`, else the demo store)."
    ),
    out: Path = typer.Option(None, help="Output root (default: reports/)."),
    edition: Optional[str] = typer.Option(
        None, help="Edition date printed on reports, YYYY-MM-DD (default: the batch's `edition`, else today)."
    ),
    force: bool = typer.Option(False, "--force", help="Rebuild every town, changed or not."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would be built and why; build nothing."),
    scheduler: Optional[str] = typer.Option(None, help="Run on an existing Dask cluster, e.g. tcp://HOST:8786."),
    fresh_kernels: bool = typer.Option(False, "--fresh-kernels", help="Start a new kernel for every town (slower)."),
    previous: Optional[Path] = typer.Option(
        None,
        help="An earlier edition's output folder of this batch (a copy of reports/demo, or "
        "reports/demo/editions/<edition>, kept by the build that replaced it): each report then says what "
        "changed since it.",
    ),
) -> None:
    """Build every town's report (HTML, PDF, XLSX, zip) and the batch index under reports/<batch>/.

    Only towns whose inputs changed since their last good build are rebuilt.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from analysis.paths import REPORTS_DIR
    from diagnoza.build import BuildError, build_batch

    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = None

    def planned(decisions):
        nonlocal task
        if dry_run:
            return
        todo = sum(bool(reason) for _, reason in decisions)
        typer.echo(f"{todo} of {len(decisions)} towns to build, {len(decisions) - todo} unchanged")
        if todo:
            progress.start()
            task = progress.add_task("building", total=todo)

    def finished(result, done, total):
        if task is not None:
            progress.update(task, advance=1, description=f"{result.teryt} {result.name}")
        mark = "built " if result.status == "built" else "FAILED"
        detail = f" — {result.error}" if result.error else ""
        progress.console.print(
            f"{mark} {result.teryt} {result.name} ({result.seconds:.1f} s){detail}", markup=False, highlight=False
        )

    try:
        result = build_batch(
            params,
            only=_codes(only),
            workers=workers,
            data=data,
            out_root=out or REPORTS_DIR,
            edition=edition,
            force=force,
            dry_run=dry_run,
            scheduler=scheduler,
            reuse_kernel=not fresh_kernels,
            on_plan=planned,
            on_result=finished,
            previous=previous,
        )
    except (ParamsError, StoreError, BuildError) as error:
        progress.stop()
        _fail(str(error))
    except KeyboardInterrupt:
        progress.stop()
        _fail("interrupted: finished towns are in place, unfinished ones left no files", code=130)
    finally:
        from diagnoza.runtime import freeze_imports

        freeze_imports()  # the command ends here: spare the collector's last passes
    progress.stop()
    if dry_run:
        for town in result.towns:
            typer.echo(
                f"{'build' if town.status == 'planned' else 'skip '} {town.teryt} {town.name}: "
                f"{town.reason or 'unchanged'}" + (f" — will fail: {town.error}" if town.error else "")
            )
        typer.echo(f"\n{result.count('planned')} would be built, {result.count('skipped')} unchanged")
        _note(result.store_notes)
        _note(_outside_note(result))
        _note(_not_in_previous_note(result, previous))
        _note(_replaced_editions_note(result, previous, dry_run))
        return
    _summary(result, console)
    _note(result.store_notes)
    _note(_outside_note(result))
    _note(_not_in_previous_note(result, previous))
    _note(_replaced_editions_note(result, previous, dry_run))
    if result.failed:
        raise typer.Exit(1)


def _outside_note(result) -> str:
    """Report folders of towns no longer in the batch: out of its index and data files, but not deleted."""
    if not result.outside:
        return ""
    if len(result.outside) == 1:
        [teryt] = result.outside
        return (
            f"{teryt} is not in the batch any more: its index and data files leave it out, but its report "
            f"stays in {result.out_dir / teryt} (and {teryt}.zip). Delete them if it has left the batch for good."
        )
    return (
        f"{', '.join(result.outside)} are not in the batch any more: its index and data files leave them out, "
        f"but their reports stay in {result.out_dir}/<TERYT> (and <TERYT>.zip). Delete them if they have left "
        "the batch for good."
    )


def _not_in_previous_note(result, previous: Path | None) -> str:
    """Towns of a build with --previous that the earlier edition did not have: no section on what changed."""
    towns = result.not_in_previous
    if not towns:
        return ""
    which = f"{towns[0]} is" if len(towns) == 1 else f"{len(towns)} towns are"
    return (
        f"{which} not in the earlier edition {previous} (new to the batch since): "
        + ("" if len(towns) == 1 else f"{', '.join(towns)}; ")
        + f"{'its report has' if len(towns) == 1 else 'their reports have'} no section on what changed since it."
    )


def _replaced_editions_note(result, previous: Path | None, dry_run: bool) -> str:
    """Reports of another edition that the build replaced (or would): where their records are kept, which the
    next build can compare with, and how (`diagnoza.build.keep_earlier_record`)."""
    from collections import Counter

    from diagnoza.build import EARLIER_EDITIONS

    replacing = {town.teryt for town in result.towns if town.status in ("built", "planned")}
    replaced = Counter(edition for teryt, edition in result.replaced.items() if teryt in replacing)
    notes = []
    for edition, count in sorted(replaced.items()):
        kept = result.out_dir / EARLIER_EDITIONS / edition
        reports = "1 report" if count == 1 else f"{count} reports"
        notes.append(
            f"{reports} of edition {edition} {'would be' if dry_run else 'was' if count == 1 else 'were'} replaced; "
            f"{'its' if count == 1 else 'their'} figures {'would be' if dry_run else 'are'} kept in {kept}"
            + ("" if previous is not None else f" (to say what changed since that edition: --previous {kept})")
        )
    return "\n".join(notes)


def _summary(result, console) -> None:
    """The end-of-build table: every town built or failed now, then the totals."""
    from rich.table import Table

    table = Table(title=f"batch {result.batch}", title_justify="left")
    for column in ("TERYT", "town", "status", "seconds", "error"):
        table.add_column(column)
    for town in result.towns:
        if town.status != "skipped":
            table.add_row(
                town.teryt,
                town.name,
                town.status,
                f"{town.seconds:.1f}",
                town.error,
                style=("red" if town.status == "failed" else None),
            )
    if table.row_count:
        console.print(table)
    typer.echo(
        f"{result.count('built')} built, {result.count('skipped')} unchanged, {len(result.failed)} failed "
        f"→ {result.out_dir / 'index.html'}"
    )
    for town in result.failed:
        log = result.out_dir / "_failed" / town.teryt / "error.log"
        kept = "; its earlier report stays in place" if (result.out_dir / town.teryt).is_dir() else ""
        details = f" (log: {log}{kept})" if log.is_file() else ""
        typer.echo(f"  failed: {town.teryt} {town.name}: {town.error}{details}", err=True)


@app.command()
def preview(
    teryt: str = typer.Argument(..., help="TERYT code (or name) of a town of the batch."),
    params: Path = typer.Option(Path("params/demo.yaml"), help="The batch the town belongs to."),
    images: Optional[Path] = typer.Option(None, help="Folder for the PNGs (default: reports/<batch>/preview/)."),
    pages: int = typer.Option(2, min=1, help="How many PDF pages to picture."),
    data: Optional[str] = typer.Option(
        None, help="Data store directory (default: the batch's `data`, else the demo store)."
    ),
    out: Path = typer.Option(None, help="Output root (default: reports/)."),
    edition: Optional[str] = typer.Option(
        None, help="Edition date printed on the report, YYYY-MM-DD (default: the batch's `edition`, else today)."
    ),
) -> None:
    """Build one town and write PNGs of its first PDF pages and of its HTML page."""
    from analysis.paths import REPORTS_DIR
    from diagnoza.build import BuildError, build_batch
    from diagnoza.preview import PreviewError, html_page, pdf_pages

    if teryt.endswith((".yaml", ".yml")):  # `diagnoza preview params/x.yaml`, as `build` takes its batch
        _fail(f"TERYT: {teryt} is a batch file; give a town's TERYT code, and the batch as --params {teryt}")
    teryt = normalise_teryt(teryt)
    try:
        result = build_batch(params, only=[teryt], workers=1, data=data, out_root=out or REPORTS_DIR, edition=edition)
    except ParamsError as error:
        # The town was given as the TERYT argument, not as --only.
        _fail(str(ParamsError("TERYT", error.problems, "argument") if error.source == "--only" else error))
    except (StoreError, BuildError) as error:
        _fail(str(error))
    teryt = result.towns[0].teryt  # its code, where the town was given by name
    if result.failed:
        _fail(f"{teryt}: the build failed: {result.failed[0].error}", code=1)
    town_dir = result.out_dir / teryt
    target = images or result.out_dir / "preview"
    try:
        written = pdf_pages(town_dir / "report.pdf", target, pages=pages)
        written.append(html_page(town_dir / "report.html", target / "report-html.png"))
    except PreviewError as error:
        _fail(str(error), code=1)
    for path in written:
        typer.echo(f"wrote {path}")


@app.command()
def a11y(
    folder: Path = typer.Argument(Path("reports/demo"), help="A built batch's folder (holds index.html)."),
    town: Optional[str] = typer.Option(None, help="TERYT code of the report to check (default: the batch's first)."),
) -> None:
    """Run axe-core in headless Chromium on the batch's index and one report, at 1280 px and 390 px.

    Exits 1 when a serious or critical violation is found; lists every violation."""
    from diagnoza.accessibility import AccessibilityToolMissing, check_pages
    from diagnoza.publish import PublishError, batch_towns

    index = folder / "index.html"
    try:
        towns = [town] if town else sorted(batch_towns(folder))
    except PublishError as error:
        _fail(str(error))
    reports = [folder / teryt / "report.html" for teryt in towns if (folder / teryt / "report.html").is_file()]
    if not index.is_file() or not reports:
        _fail(f"{folder}: no index.html or no report{' of ' + town if town else ''}; build the batch first")
    try:
        violations = check_pages([index, reports[0]])
    except AccessibilityToolMissing as missing:
        _fail(str(missing))
    for violation in violations:
        kind = "BLOCKING" if violation.blocking else "review  " if violation.review else "minor   "
        typer.echo(f"{kind} {violation.describe()}")
    blocking = [v for v in violations if v.blocking]
    review = [v for v in violations if v.review]
    typer.echo(
        f"axe-core on {index} and {reports[0]} at 1280 and 390 px: {len(blocking)} serious or critical, "
        f"{len(violations) - len(blocking) - len(review)} minor or moderate, {len(review)} for a person to review"
    )
    if blocking:
        raise typer.Exit(1)


@app.command()
def proof(
    folder: Path = typer.Argument(Path("reports/demo"), help="A built batch's folder (holds <TERYT>/report.pdf)."),
) -> None:
    """Read every report PDF of a built batch for print faults before it goes out.

    Faults: overlapping words, captions without charts, key figures off page one, split ranges, bad line breaks.

    Exits 1 when any is found, naming the town, the page and the words (`diagnoza.proof` says what each means)."""
    from diagnoza.proof import ProofToolMissing, proof_batch
    from diagnoza.publish import PublishError

    try:
        faults = proof_batch(folder)
    except (ProofToolMissing, PublishError) as problem:
        _fail(str(problem))
    if not faults:
        _fail(f"{folder}: no built report (report.pdf and report.html); build the batch first")
    for teryt, found in faults.items():
        for fault in found:
            typer.echo(f"{teryt} {fault}")
    faulty = sum(bool(found) for found in faults.values())
    typer.echo(f"{len(faults)} PDF{'s' if len(faults) != 1 else ''} read in {folder}: {faulty} with print faults")
    if faulty:
        raise typer.Exit(1)


@app.command()
def verify(
    folder: Path = typer.Argument(
        Path("reports/demo"), help="A built batch's folder (holds <TERYT>/report.ipynb), or one town's folder."
    ),
    only: Optional[list[str]] = typer.Option(
        None, help="Verify only these towns, by TERYT code: 0290011[,0490013...]; may be repeated."
    ),
    data: Optional[str] = typer.Option(
        None, help="Data store directory, where the store the reports were built from has moved."
    ),
) -> None:
    """Compute each town's figures again from its executed notebook's parameters and compare them with its report's.

    A check that the published numbers still follow from the data and the code, e.g. after fetching the store again or on another machine. It checks figures, not pages; about half a second a town.

    Exits 1 when a town's figures differ, naming each figure with its kept and its new value."""
    from diagnoza.verify import VerifyError, town_folders, verify_town

    if data is not None and not Path(data).is_dir():
        _fail(f"--data {data}: no such data store")
    try:
        towns = town_folders(folder)
    except VerifyError as error:
        _fail(str(error))
    if only:
        wanted = set(_codes(only))
        unknown = sorted(wanted - {town.name for town in towns})
        if unknown:
            _fail(f"{folder}: no built report of {', '.join(unknown)}")
        towns = [town for town in towns if town.name in wanted]
    checks = [verify_town(town, data) for town in towns]
    problems: dict[str, list[str]] = {}  # a store moved since the build stops every town alike: said once
    for check in checks:
        if check.problem:
            problems.setdefault(check.problem, []).append(check.teryt)
        elif check.differences:
            count = len(check.differences)
            differ = "1 figure differs" if count == 1 else f"{count} figures differ"
            typer.echo(f"{check.teryt}: {differ} from its report (kept → now):")
            for difference in check.differences:
                typer.echo(f"  {difference}")
        else:
            typer.echo(f"{check.teryt}: figures reproduced")
    for problem, teryts in problems.items():
        typer.echo(f"{', '.join(teryts)}: not verified: {problem}")
    reproduced = sum(check.reproduced for check in checks)
    typer.echo(f"{reproduced} of {len(checks)} town{'' if len(checks) == 1 else 's'} in {folder}: figures reproduced")
    other_method = sum(check.method_changed for check in checks if not check.problem)
    if other_method:
        typer.echo(
            f"note: {other_method} {'report was' if other_method == 1 else 'reports were'} computed with another "
            "version of the method (code, catalogue or libraries) than the one used now"
        )
    if reproduced < len(checks):
        raise typer.Exit(1)


@app.command()
def publish(
    folder: Path = typer.Argument(..., help="A built batch's folder, e.g. reports/demo."),
    target: Path = typer.Argument(..., help="The readers' copy: a new or empty folder, or an earlier publication."),
    skip_proof: bool = typer.Option(
        False, "--skip-proof", help="Publish without reading the PDFs for print faults first (as `diagnoza proof`)."
    ),
) -> None:
    """Copy what a batch's readers get (index, reports, PDFs, spreadsheets, charts, zips) to a folder of its own.

    For a web server or a shared drive: the manifest, executed notebooks, cache and failed towns' logs stay behind.

    So do towns no longer in the batch. An earlier publication in the target is replaced whole.

    Refused while a build of the batch runs, and when a PDF has print faults (`diagnoza proof`)."""
    from diagnoza.publish import PublishError, publish_batch, towns_not_current

    try:
        files = publish_batch(folder, target, proofread=not skip_proof)
    except PublishError as error:
        _fail(str(error))
    towns = len({path.split("/")[0] for path in files if "/" in path})
    typer.echo(f"{len(files)} files of {towns} town{'' if towns == 1 else 's'} and the index published to {target}")
    missing, earlier = towns_not_current(folder)
    if missing:
        typer.echo(f"No report to publish (the index lists them as unavailable): {', '.join(missing)}")
    if earlier:
        typer.echo(f"With the report of an earlier build (their last build failed): {', '.join(earlier)}")


@app.command()
def render(
    notebook: Path = typer.Argument(
        ..., help="An executed report notebook, e.g. one run in JupyterLab or by papermill."
    ),
    out: Optional[Path] = typer.Option(
        None, help="Folder for NOTEBOOK.html and NOTEBOOK.pdf, named as the notebook (default: beside it)."
    ),
) -> None:
    """Turn an executed report notebook into the styled HTML and PDF, as `diagnoza build` does for a batch."""
    import tempfile

    import nbformat

    from diagnoza.render import (
        NotAReport,
        failed_cell,
        printed_cells,
        render_html,
        render_pdf,
        report_info,
        run_order_problem,
        unnamed_figures,
    )

    if not notebook.is_file():
        _fail(f"{notebook}: no such file")
    try:
        executed = nbformat.read(notebook, as_version=4)
    except UnicodeDecodeError:  # a PDF or a spreadsheet given for the notebook beside it
        _fail(f"{notebook}: not a Jupyter notebook (give the executed .ipynb)")
    except (nbformat.reader.NotJSONError, ValueError) as error:
        _fail(f"{notebook}: {error}")
    failed = failed_cell(executed)  # before the title block, which a cell failing above it never showed
    if failed:
        _fail(f"{notebook}: {failed}; fix it and run the notebook again before rendering")
    try:
        info = report_info(executed)
    except NotAReport as error:
        _fail(f"{notebook}: {error}")
    problem = run_order_problem(executed)
    if problem:
        _fail(
            f"{notebook}: {problem}; run it top to bottom (Kernel > Restart Kernel and Run All Cells), save, then render"
        )
    target = out or notebook.parent
    target.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = target / f"{notebook.stem}.html", target / f"{notebook.stem}.pdf"
    # Both files are made whole beside their places, then put there: a failure (or a full disk) on the way
    # leaves the pair rendered before as it was, never a page cut off halfway.
    with tempfile.TemporaryDirectory(dir=target) as scratch:
        staged_html, staged_pdf = Path(scratch) / "report.html", Path(scratch) / "report.pdf"
        try:
            page = render_html(executed, info, [("PDF", pdf_path.name)])  # the page links the PDF beside it
            staged_html.write_text(page, encoding="utf-8")
            render_pdf(executed, info, Path(scratch) / "pdf", staged_pdf)
        except ValueError as error:  # e.g. Markdown in an analyst's notes that the PDF has no form for
            _fail(f"{notebook}: {error}")
        except OSError as error:
            _fail(f"{notebook}: cannot write its report in {target}: {error.strerror or error}")
        staged_html.replace(html_path)
        staged_pdf.replace(pdf_path)
    typer.echo(f"{info.town} ({info.teryt}): {html_path}, {pdf_path}")
    unnamed = unnamed_figures(executed)
    if unnamed:
        typer.echo(
            f"note: the charts of cell{'s' if len(unnamed) > 1 else ''} {', '.join(unnamed)} have no text description; "
            "they are shown as 'a chart added in the notebook'. Show one as the report's charts are: "
            "display(show.chart(figure, ChartText(title=..., alt=...))), with `from analysis.charts import ChartText`"
        )
    printed = printed_cells(executed)
    if printed:
        typer.echo(
            f"note: what cell{'s' if len(printed) > 1 else ''} {', '.join(printed)} printed is not in the report, which "
            "shows what cells display; for the reader, write it in a Markdown cell, or display(Markdown(...)) with "
            "`from IPython.display import Markdown`"
        )


@app.command()
def methodology(out: Optional[Path] = typer.Option(None, help="File (default: docs/methodology.md).")) -> None:
    """Write the methodology document generated from the indicator catalogue."""
    from analysis.methodology import render_methodology
    from analysis.paths import DOCS_DIR

    target = out or DOCS_DIR / "methodology.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_methodology(), encoding="utf-8")
    typer.echo(f"methodology written to {target}")


@app.command()
def validation(out: Optional[Path] = typer.Option(None, help="Folder (default: docs/).")) -> None:
    """Measure the method on the demo store and write validation.md and validation.json (about a minute)."""
    from analysis.paths import DOCS_DIR
    from analysis.validation import render_json, render_markdown, validation_results

    folder = out or DOCS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    results = validation_results()
    (folder / "validation.json").write_text(render_json(results), encoding="utf-8")
    (folder / "validation.md").write_text(render_markdown(results), encoding="utf-8")
    typer.echo(f"validation written to {folder / 'validation.md'} and {folder / 'validation.json'}")


@data_app.command("demo")
def data_demo(out: Optional[Path] = typer.Option(None, help="Directory (default: the embedded demo store).")) -> None:
    """Regenerate the embedded synthetic demo store (deterministic: same seed, same data)."""
    from analysis.demo_data import write_demo_store
    from analysis.paths import DEMO_STORE_DIR

    path = write_demo_store(out or DEMO_STORE_DIR)
    typer.echo(f"demo store written to {path}")


def _bdl_client(cache: Optional[Path], refresh: bool = False):
    """A BDL client configured from BDL_API_URL / BDL_API_KEY; the key is never echoed."""
    from analysis.bdl.client import BDLClient, Settings
    from analysis.paths import BDL_CACHE_DIR

    settings = Settings.from_environment()
    client = BDLClient(
        settings, cache or BDL_CACHE_DIR, refresh=refresh, notify=lambda message: typer.echo(f"  {message}", err=True)
    )
    typer.echo(
        f"BDL API {settings.base_url} ({'with a key' if settings.keyed else 'anonymous'}); "
        f"cache {cache or BDL_CACHE_DIR}",
        err=True,
    )
    return client


@data_app.command("fetch")
def data_fetch(
    years: str = typer.Option(..., help="Years to fetch: 2014-2024, or 2014,2019,2024."),
    out: Path = typer.Option(..., help="Store directory to write (units, observations, area values, metadata.json)."),
    voivodeship: Optional[str] = typer.Option(None, help="Only this voivodeship (2-digit TERYT code, e.g. 24)."),
    plan: bool = typer.Option(
        False,
        "--plan",
        help="Print how many requests are needed and how long the quota makes them take; fetch nothing.",
    ),
    cache: Optional[Path] = typer.Option(None, help="Response cache (default: .cache/bdl/ in the project)."),
    refresh: bool = typer.Option(False, "--refresh", help="Revalidate every cached page with BDL (ETag) first."),
    replace: bool = typer.Option(
        False, "--replace", help="Replace a store in --out that holds years or voivodeships this fetch does not."
    ),
) -> None:
    """Fetch every catalogue variable for the gminy from GUS BDL into a store.

    Configured by the environment: BDL_API_URL (default https://bdl.stat.gov.pl/api/v1) and BDL_API_KEY (optional).

    BDL_API_KEY is sent as the X-ClientId header, and raises the quota about tenfold.

    Interrupted, the same command resumes: pages already fetched are not requested again.
    """
    from analysis.bdl.client import BDLError
    from analysis.bdl.fetch import FetchSpec, fetch_store, plan_fetch, what_the_fetch_would_drop

    try:
        spec = FetchSpec.create(years, voivodeship)
    except ValueError as error:
        _fail(f"data fetch: {error}")
    if (dropped := what_the_fetch_would_drop(out, spec)) and not replace:
        refusal = (
            f"{out} holds a store with {' and '.join(dropped)}, which this fetch would not have: a fetch replaces"
            " the store in its folder whole. Fetch into another folder, or add --replace to drop them."
        )
        if not plan:
            _fail(f"data fetch: {refusal}")
        typer.echo(f"note: {refusal}", err=True)
    client = _bdl_client(cache, refresh)
    typer.echo(f"plan: {plan_fetch(client, spec).describe()}", err=True)
    if plan:
        return
    try:
        store = fetch_store(client, spec, out, on_step=lambda step: typer.echo(f"  {step}", err=True))
    except BDLError as error:
        _fail(f"data fetch failed: {error}\n(pages fetched so far are cached: run the same command again to resume)", 1)
    except StoreError as error:
        _fail(f"data fetch: BDL's answers do not make a valid store: {error}", 1)
    except KeyboardInterrupt:
        _fail("interrupted: pages fetched so far are cached; run the same command again to resume", 130)
    typer.echo(
        f"store written to {out}: {len(store.units)} gminy, years {store.years_said()}, "
        f"{len(store.observations)} observations ({client.sent} requests sent, {client.reused} pages from cache)"
    )


def _area_said(store) -> str:
    """Which part of Poland a store's gminy are: on a part (a fetch with --voivodeship), the reports have no Poland
    value summed over gminy, which a reader of the status should know before building."""
    from analysis.aggregates import covers_country
    from analysis.teryt import VOIVODESHIPS

    if covers_country(store):
        return f"Poland (all {len(VOIVODESHIPS)} voivodeships)"
    held = sorted(set(store.units["voivodeship"]))
    return (
        f"part of Poland: {', '.join(held)} ({len(held)} of {len(VOIVODESHIPS)} voivodeships); reports built from it"
        " give no Poland value summed over gminy"
    )


@data_app.command("status")
def data_status(
    store_dir: Optional[Path] = typer.Argument(None, help="A store directory (default: the embedded demo store)."),
    data: Optional[Path] = typer.Option(
        None, help="The same, as `build`, `validate` and `data towns` take it: --data DIR."
    ),
) -> None:
    """Describe a store: source, fetch date, years, towns, and each variable's coverage."""
    from analysis.catalogue import variables
    from analysis.paths import DEMO_STORE_DIR
    from analysis.store import load_store

    if store_dir and data and store_dir.resolve() != data.resolve():
        _fail(f"two stores given, {store_dir} and --data {data}: give one")
    store_dir = store_dir or data or DEMO_STORE_DIR  # as `build` and `validate` take it when a batch names no store
    try:
        store = load_store(store_dir)
    except StoreError as error:
        _fail(str(error))
    meta = store.metadata
    first, last = store.years
    typer.echo(f"{store_dir}: valid store")
    typer.echo(f"  source:  {meta.get('source', 'unknown')}" + (" (synthetic)" if store.synthetic else ""))
    typer.echo(f"  fetched: {meta.get('fetched') or '—'}")
    typer.echo(f"  years:   {store.years_said()}")
    kinds = store.units["kind"].value_counts().to_dict()
    typer.echo(f"  towns:   {len(store.units)} (" + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())) + ")")
    typer.echo(f"  area:    {_area_said(store)}")
    if store.renumbered:  # one gmina's series under two TERYT codes, joined on load (analysis.renumbering)
        joined = [f"{c.predecessor} → {c.successor} ({c.since})" for c in store.renumbered]
        typer.echo(
            f"  joined:  {len(joined)} renumbered in TERYT (older code → newer, first year under it): "
            + _first_ten(joined)
        )
    set_aside = meta.get("figures_of_powiat_and_city") or []  # analysis.bdl.fetch.observation_rows
    if set_aside:
        typer.echo(
            f"  set aside: {len(set_aside)} figure{'s' * (len(set_aside) != 1)} BDL marks as a powiat's and its"
            " city's together, stored as missing (TERYT, year, variable): "
            + _first_ten([f"{f['teryt']} {f['year']} {f['variable']}" for f in set_aside])
        )
    observations = store.observations
    described = meta.get("variables", {})
    # Missing counts every town-year of the store without a value, marked missing by GUS or not there at
    # all: a variable of one year in a two-year store (GUS's Tabl. IV) is half missing, not complete.
    town_years = len(store.units) * (last - first + 1)
    typer.echo("  variables (BDL id, values, town-years without one, years with values, last update at GUS):")
    for key, variable in variables().items():
        rows = observations.loc[observations["var_id"] == variable.bdl_id]
        valued = rows.loc[rows["value"].notna(), "year"]
        missing = _count_and_share(town_years - len(valued), town_years)
        if valued.empty:
            years = "—"
        elif valued.min() == valued.max():
            years = str(valued.min())
        else:
            years = f"{valued.min()}–{valued.max()}"
        updated = (described.get(key) or {}).get("lastUpdate") or "—"
        typer.echo(f"    {key:<34} {variable.bdl_id:>8}  {len(valued):>7}  {missing:>12}  {years:<9}  {updated}")
    # GUS's marks on figures it publishes (analysis.gus_marks): kept with them, noted beside the values they reach
    if said := _marks_counted(observations):
        typer.echo("  figures GUS marks (kept, and noted in the reports they reach): " + said)
    # GUS's figures of voivodeships and Poland, the area values of rates not summed (analysis.aggregates)
    typer.echo("  published for voivodeships and Poland (BDL id, areas with values, years with values):")
    published = store.area_values.loc[store.area_values["value"].notna()]
    for key, variable in variables().items():
        if not variable.published_for_areas:
            continue
        rows = published.loc[published["var_id"] == variable.bdl_id]
        years = f"{rows['year'].min()}–{rows['year'].max()}" if not rows.empty else "— (voivodeship and Poland: b.d.)"
        typer.echo(f"    {key:<34} {variable.bdl_id:>8}  {rows['area'].nunique():>7}  {years}")
    if said := _marks_counted(published):
        typer.echo("    of which GUS marks (kept, and noted beside them in the reports): " + said)


def _marks_counted(figures: pd.DataFrame) -> str:
    """GUS's marks among `figures` (a store's observations or area values), counted per symbol: `3 "s"
    (preliminary), 2 "M" (method changed)`; "" where none is marked (analysis.gus_marks)."""
    from analysis.gus_marks import MARK_KINDS

    marks = figures.loc[figures["mark"] != "", "mark"].value_counts().sort_index()
    return ", ".join(f'{count} "{mark}" ({MARK_KINDS[mark].replace("_", " ")})' for mark, count in marks.items())


def _count_and_share(part: int, whole: int) -> str:
    """`15 (<1%)`: a count and its share, which is never rounded to 0% while some are there, nor to 100%
    while some are not (15 of 4,954 town-years missing is not none)."""
    if not whole:
        return "—"
    share = part / whole
    if 0 < share < 0.005:
        said = "<1%"
    elif 0.995 <= share < 1:
        said = ">99%"
    else:
        said = f"{share:.0%}"
    return f"{part} ({said})"


@data_app.command("towns")
def data_towns(
    queries: list[str] = typer.Argument(
        ..., help='Part of a name ("zurawiol" finds Żurawiołęka) or the start of a TERYT code ("0290").'
    ),
    data: Optional[Path] = typer.Option(None, help="Data store directory (default: the embedded demo store)."),
    register: Optional[Path] = typer.Option(
        None, help="Search a TERC register file (GUS, `;`-separated) instead of a store, e.g. before any fetch."
    ),
) -> None:
    """Find gminy by name or code: each as a line to paste into a batch file's `towns:` list."""
    from analysis.paths import DEMO_STORE_DIR
    from analysis.store import cities_with_powiat_rights, load_store
    from analysis.teryt import batch_entry, read_terc, units_matching

    # TERC lists a city with powiat rights as an urban gmina; named here as a store names it (its own kind).
    try:
        units = cities_with_powiat_rights(read_terc(register)) if register else load_store(data or DEMO_STORE_DIR).units
    except (StoreError, ValueError) as error:
        _fail(str(error))
    missing = []
    for query in queries:
        found = units_matching(query, units)
        if found.empty:
            missing.append(query)
            continue
        typer.echo(f"# {query}: {len(found)} {'gmina' if len(found) == 1 else 'gminy'}")
        for _, unit in found.iterrows():
            typer.echo(batch_entry(unit))
    if missing:
        _fail(
            f"no gmina of {register or data or 'the demo store'} is named like, or has a code starting with: "
            + ", ".join(repr(q) for q in missing),
            code=1,
        )


@data_app.command("check-variables")
def data_check_variables(
    cache: Optional[Path] = typer.Option(None, help="Response cache (default: .cache/bdl/)."),
) -> None:
    """Compare the variable catalogue with BDL's /variables/{id}: unit, level and name (needs the API)."""
    from analysis.bdl.client import BDLUnreachable
    from analysis.bdl.variables import check_variable
    from analysis.catalogue import variables

    client = _bdl_client(cache, refresh=True)
    wrong = 0
    for checked, variable in enumerate(variables().values()):
        try:
            check = check_variable(client, variable)
        except BDLUnreachable as error:
            _fail(
                f"data check-variables stopped: {error}\nchecked before it: {checked} of {len(variables())} catalogue"
                " variables; is BDL's API (BDL_API_URL) reachable from this machine?",
                1,
            )
        mark = "ok   " if check.ok else "WRONG"
        wrong += not check.ok
        typer.echo(f"{mark} {variable.key} ({variable.bdl_id}, confidence {variable.confidence})")
        for problem in check.problems:
            typer.echo(f"        {problem}")
        if check.bdl_name:
            flag = "  ← names differ: check by eye" if check.name_similarity < 0.5 else ""
            typer.echo(f"        catalogue: {variable.name_pl}\n        BDL:       {check.bdl_name}{flag}")
    typer.echo(f"{wrong} of {len(variables())} catalogue variables disagree with BDL")
    if wrong:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
