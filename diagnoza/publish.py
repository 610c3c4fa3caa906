"""What leaves the house besides the reports: the batch's index page and each town's zip bundle."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import zipfile
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from analysis.editions import RECORD_NAME, read_figures
from analysis.export import batch_tables, write_town_data
from analysis.formatting import slug, voivodeship_name
from analysis.labels import label
from analysis.params import Batch
from analysis.paths import TEMPLATES_DIR
from analysis.store import Store
from analysis.style import VERDICT_MARKS
from analysis.synthesis import BETTER, NO_VERDICT, SECTIONS, SIMILAR, WORSE
from diagnoza import inputs

INDEX_TEMPLATES = TEMPLATES_DIR / "index"
# What the index links for every town: label -> path relative to the batch folder.
TOWN_FILES = {
    "HTML": "{teryt}/report.html",
    "PDF": "{teryt}/report.pdf",
    "XLSX": "{teryt}/data.xlsx",
    "CSV": "{teryt}/data.csv",
    "CSV (Excel)": "{teryt}/data-excel.csv",
    "ZIP": "{teryt}.zip",
}


CHARTS = "charts"  # a town's folder of chart files (SVG and PNG), also in its zip
# Every built town's figures and verdicts in one workbook: label -> path relative to the batch folder.
BATCH_FILES = {"XLSX": "batch.xlsx", "CSV": "batch.csv", "CSV (Excel)": "batch-excel.csv"}
BATCH_STAMP = ".batch-inputs.sha256"  # the fingerprint of what the batch files were last written from


def town_files(teryt: str) -> dict[str, str]:
    return {kind: path.format(teryt=teryt) for kind, path in TOWN_FILES.items()}


def write_bundle(town_dir: Path, info, target: Path) -> Path:
    """The town's HTML, PDF, data and charts (SVG and PNG) in one zip for mailing, named after the town.

    The page in the zip links the zip's own PDF and spreadsheets, by their names there, and not the batch's
    index and zip, which the recipient does not have (`bundle_page`). Entries carry the edition date, not the
    build time, so the same report gives the same zip.
    """
    stem = f"{info.teryt}-{slug(info.town)}"
    try:
        stamp = date.fromisoformat(info.edition).timetuple()[:6]
    except ValueError:
        stamp = (1980, 1, 1, 0, 0, 0)
    data = label("zip_data", info.language)
    names = {  # file beside the report -> its name in the zip
        name: f"{stem}{Path(name).suffix}" if name.startswith("report") else f"{stem}-{data}{name[4:]}"
        for name in ("report.html", "report.pdf", "data.xlsx", "data.csv", "data-excel.csv")
    }
    contents = {names[name]: (town_dir / name).read_bytes() for name in names}
    contents[names["report.html"]] = bundle_page(contents[names["report.html"]].decode("utf-8"), info, names).encode()
    folder = label("zip_charts", info.language)
    contents |= {
        f"{stem}-{folder}/{chart.name}": chart.read_bytes() for chart in sorted((town_dir / CHARTS).glob("*.*"))
    }
    staged = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(staged, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, content in contents.items():
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            bundle.writestr(entry, content)
    os.replace(staged, target)
    return target


def bundle_page(page: str, info, names: dict[str, str]) -> str:
    """The report's page as the zip holds it: its links (top and bottom) to the report's files point at their
    names in the zip (`names`: file beside the report -> name in the zip), and those to the batch's index and
    zip, which are not in it, are left out. Raises where the page has not its two lists of the batch's links."""
    from diagnoza.render import batch_links, links_list

    links = batch_links(info)
    if page.count(links_list(links)) != 2:
        raise ValueError("the report page has not its links to its files at its top and bottom")
    return page.replace(links_list(links), links_list([(text, names[href]) for text, href in links if href in names]))


IN_PLACE = ("built", "kept")  # the statuses of a town whose report is in place


def index_rows(out_dir: Path, batch: Batch, store: Store, results) -> list[dict]:
    """One row per town of the batch: this run's result, else what an earlier build left."""
    by_teryt = {r.teryt: r for r in results}
    rows = []
    for teryt in batch.teryts:
        unit = store.unit(teryt)
        result = by_teryt.get(teryt)
        files = {kind: path for kind, path in town_files(teryt).items() if (out_dir / path).is_file()}
        complete = len(files) == len(TOWN_FILES)
        failed = result is not None and result.status == "failed"
        # "kept": this build of the town failed and its earlier report stands (`diagnoza.build` never removes
        # a good report for a failed one); the index still shows and links it, and says it was not updated.
        status = ("kept" if failed else "built") if complete else ("failed" if failed else "missing")
        # What the report keeps for the next edition (figures.json): the index shows its section verdicts,
        # in the words of the reports' summaries, and the batch workbook its figures.
        record = (read_figures(out_dir / teryt / RECORD_NAME) or {}) if complete else {}
        rows.append(
            {
                "teryt": teryt,
                "name": str(unit["name"]),
                "voivodeship": voivodeship_name(str(unit["voivodeship"]), batch.language),
                "kind": label(str(unit["kind"]), batch.language),
                "status": status,
                "error": result.error if failed else "",
                "log": f"_failed/{teryt}/error.log" if failed else "",
                "files": files,
                "record": record,
                "verdicts": index_verdicts(record, batch.language),
            }
        )
    return rows


def index_verdicts(record: dict, language: str) -> dict[str, str]:
    """Each section's verdict as the index shows it, in the words of the reports' summaries; where a build
    with --previous found it changed, with the earlier one: "mniej korzystnie (poprzednio: podobnie)"."""
    verdicts = record.get("verdicts", {})
    changed = record.get("since_previous", {}).get("verdicts", {})
    shown = {}
    for section in (s for s in SECTIONS if s in verdicts):
        shown[section] = label(f"verdict_{verdicts[section]}", language)
        if section in changed:
            before = label(f"verdict_{changed[section][0]}", language)
            shown[section] += f" ({label('index_previously', language)}: {before})"
    return shown


def verdict_options(rows: list[dict]) -> list[tuple[str, list[str]]]:
    """The index's verdict filter: each section with the verdicts its towns were given, in the reports' order."""
    given = {(section, code) for row in rows for section, code in row["record"].get("verdicts", {}).items()}
    return [
        (section, [code for code in (BETTER, SIMILAR, WORSE, NO_VERDICT) if (section, code) in given])
        for section in SECTIONS
    ]


def write_batch_data(out_dir: Path, rows: list[dict], language: str) -> dict[str, str]:
    """Every built town in one workbook and two CSVs beside the index (analysis.export.batch_tables);
    the files written, label -> path relative to the batch folder, for the index to link."""
    towns = [
        {key: row[key] for key in ("teryt", "name", "voivodeship", "kind", "record")} for row in rows if row["record"]
    ]
    targets = {name: out_dir / path for name, path in BATCH_FILES.items()}
    stamp = out_dir / BATCH_STAMP
    if not towns:  # no report yet: no workbook of nothing, and none left from an earlier batch of this name
        for target in (*targets.values(), stamp):
            target.unlink(missing_ok=True)
        return {}
    # Written again only when what it is made of changed: rewriting it costs a second, most of a no-change build.
    fingerprint = inputs.batch_files_fingerprint(towns, language)
    unchanged = stamp.is_file() and stamp.read_text(encoding="utf-8") == fingerprint
    if not (unchanged and all(target.is_file() for target in targets.values())):
        write_town_data(
            batch_tables(towns, language), targets["XLSX"], targets["CSV"], targets["CSV (Excel)"], language
        )
        stamp.write_text(fingerprint, encoding="utf-8")  # after the files: a stamp never vouches for a half-write
    return BATCH_FILES


def index_editions(out_dir: Path, rows: list[dict]) -> list[str]:
    """The editions of the reports in place, from the manifest (written first): usually one date."""
    manifest = out_dir / "manifest.json"
    try:
        towns = json.loads(manifest.read_text(encoding="utf-8")).get("towns", {}) if manifest.is_file() else {}
    except json.JSONDecodeError:
        return []
    built = {row["teryt"] for row in rows if row["status"] in IN_PLACE}
    return sorted({entry["edition"] for teryt, entry in towns.items() if teryt in built and entry.get("edition")})


READERS_INDEX = ".index-for-readers.html"  # what `publish_batch` copies as the readers' index.html


def write_index(out_dir: Path, batch: Batch, store: Store, results) -> Path:
    """The batch's index, `index.html`, for the analysts: each town's status and, for a failed one, its error
    and log. Beside it, `READERS_INDEX`: the same page as readers get it from `diagnoza publish`, which says
    which report a reader can open (an earlier edition's, or none) but not why a build failed."""
    environment = Environment(loader=FileSystemLoader(INDEX_TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    template = environment.get_template("index.html.j2")
    rows = index_rows(out_dir, batch, store, results)
    batch_files = write_batch_data(out_dir, rows, batch.language)
    values = dict(
        batch_files=batch_files,
        editions=index_editions(out_dir, rows),
        # The edition(s) a build with --previous compared with, which "(poprzednio: …)" in a verdict refers to.
        compared_with=sorted(
            {r["record"]["since_previous"]["edition"] for r in rows if "since_previous" in r["record"]}
        ),
        batch=batch,
        rows=rows,
        label=lambda key, **values: label(key, batch.language, **values),
        # In TERYT order, which is Polish alphabetical order ("łódzkie" after "lubuskie"; by code point it came last).
        voivodeships=[name for _, name in sorted({(row["teryt"][:2], row["voivodeship"]) for row in rows})],
        kinds=sorted({row["kind"] for row in rows}),
        verdict_options=verdict_options(rows),
        sections=SECTIONS,
        verdict_marks=VERDICT_MARKS,
        synthetic=store.synthetic,
        vintage=store.vintage,
        years=f"{batch.years.first}–{batch.years.last}",
        built=sum(r["status"] in IN_PLACE for r in rows),
        failed=sum(r["status"] in ("failed", "kept") for r in rows),
    )
    for name, readers in ((READERS_INDEX, True), ("index.html", False)):
        staged = out_dir / f".{name.lstrip('.')}.tmp"
        staged.write_text(template.render(values, readers=readers), encoding="utf-8")
        os.replace(staged, out_dir / name)
    return out_dir / "index.html"


# --- Publishing: the readers' copy of a batch ---------------------------------------------------------------

PUBLISHED_MARK = ".diagnoza-published"  # in a folder `publish_batch` wrote: the only kind it replaces whole


class PublishError(ValueError):
    """A batch folder that cannot be published, or a target folder that must not be replaced."""


def batch_towns(out_dir: Path) -> list[str]:
    """The towns of a built batch, as its last build's manifest lists them: a folder of a town taken out of the
    batch stays on disk (the build deletes nothing it did not replace), so listing the folders is not enough."""
    try:
        return list(json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))["towns"])
    except (OSError, ValueError, KeyError, TypeError):
        raise PublishError(f"{out_dir}: no built batch (no readable manifest.json); build it first") from None


def published_files(out_dir: Path) -> list[str]:
    """What a batch's readers get (paths relative to its folder): the index, the batch's data files and, for each
    town of the batch (its manifest) whose report is in place, the files the index and the report link, and its
    charts. Left out: the analysts' records (manifest, executed notebooks, figures for the next edition and kept
    from earlier ones, the cache, failed towns' notebooks and logs with the build machine's paths) and towns no
    longer in the batch. The index is the readers' one (`READERS_INDEX`)."""
    files = ["index.html", *BATCH_FILES.values()]
    for teryt in batch_towns(out_dir):
        if report_in_place(out_dir, teryt):
            files += list(town_files(teryt).values()) + [
                f"{teryt}/{CHARTS}/{chart.name}" for chart in sorted((out_dir / teryt / CHARTS).glob("*.*"))
            ]
    return [path for path in files if (out_dir / path).is_file()]


def report_in_place(out_dir: Path, teryt: str) -> bool:
    """Every file of the town's report that the index and its page link is there: it can be published."""
    return all((out_dir / path).is_file() for path in town_files(teryt).values())


def towns_not_current(out_dir: Path) -> tuple[list[str], list[str]]:
    """The towns of a built batch whose readers get no report, and those whose readers get the report an earlier
    build left (their last build failed), each as "TERYT Name": the readers' index says only "raport niedostępny" or
    "raport z edycji …" of them, so whoever publishes is told which towns they are."""
    towns = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))["towns"]
    missing, earlier = [], []
    for teryt, entry in towns.items():
        town = f"{teryt} {entry.get('name', '')}".strip()
        if not report_in_place(out_dir, teryt):
            missing.append(town)
        elif entry.get("status") == "failed":
            earlier.append(town)
    return missing, earlier


def publish_batch(out_dir: Path, target: Path, proofread: bool = True) -> list[str]:
    """Copy a built batch's `published_files` into `target`, for a web server or a shared drive; returns them.

    `target` is replaced whole, so that a town taken out of the batch or a file no longer made leaves it too:
    only a new or empty folder, or one this function wrote before (it holds `PUBLISHED_MARK`), is accepted, never
    the batch's own folder or one around it. The copy is made beside `target` and swapped in when complete.
    With `proofread`, every PDF to be published is read for print faults first (`refuse_print_faults`)."""
    out_dir, target = out_dir.resolve(), target.resolve()
    if target == out_dir or target in out_dir.parents or out_dir in target.parents:
        raise PublishError(
            f"{target}: the readers' copy must be a folder of its own, outside {out_dir} and not around it"
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not (target / PUBLISHED_MARK).is_file():
        raise PublishError(
            f"{target} is not empty and was not written by diagnoza publish: give a new or empty folder "
            "(it is replaced whole at every publication)"
        )
    from diagnoza.build import BuildLocked  # build imports this module

    batch_towns(out_dir)  # a folder no build wrote is refused before the lock would make it
    try:
        with _copy_lock(out_dir):  # a build running now would swap towns under the copy
            files = published_files(out_dir)
            if "index.html" not in files:
                raise PublishError(f"{out_dir}: no index.html; build the batch first")
            if not (out_dir / READERS_INDEX).is_file():  # a folder an older Diagnoza built
                raise PublishError(
                    f"{out_dir}: no readers' index (built by an older Diagnoza); build the batch again, then publish"
                )
            if proofread:
                refuse_print_faults(out_dir, files)
            staged = target.with_name(f".{target.name}.publishing")
            shutil.rmtree(staged, ignore_errors=True)
            for path in files:
                (staged / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(out_dir / (READERS_INDEX if path == "index.html" else path), staged / path)
    except BuildLocked as locked:
        raise PublishError(f"{locked}, then publish") from None
    (staged / PUBLISHED_MARK).write_text("Written by diagnoza publish, which replaces this folder whole.\n")
    replace_directory(staged, target)
    return files


SKIP_PROOF = "--skip-proof"  # the `diagnoza publish` option that publishes PDFs unread


def refuse_print_faults(out_dir: Path, files: list[str]) -> None:
    """Refuse a publication whose PDFs have print faults (`diagnoza.proof`: words printed over each other, key
    figures off page one...): publishing is when the reports go out, so the proofreading is not left to memory.
    Without poppler's pdftotext it is refused too, saying what to install; `SKIP_PROOF` publishes regardless."""
    from diagnoza.proof import ProofToolMissing, proof_report  # proof imports this module

    towns = [path.split("/")[0] for path in files if path.endswith("/report.pdf")]
    try:
        faults = [f"  {teryt} {fault}" for teryt in towns for fault in proof_report(out_dir / teryt)]
    except ProofToolMissing as missing:
        raise PublishError(
            f"{missing}: the PDFs are proofread before they are published (or publish them unread: {SKIP_PROOF})"
        ) from None
    if faults:
        raise PublishError(
            f"{out_dir}: nothing published, the PDFs have print faults (as `diagnoza proof` reports them):\n"
            + "\n".join(faults)
            + f"\nCorrect them and build again, or publish the PDFs as they are: {SKIP_PROOF}"
        )


def _copy_lock(out_dir: Path) -> contextlib.AbstractContextManager:
    """The batch folder's lock for the time of a copy: the build's own, naming `diagnoza publish`; in a folder
    this user may read but not write (another user's batch), a shared one that names no holder; none in such a
    folder without a lock file (itself a copy), where no build runs."""
    from diagnoza.build import LOCK_FILE, batch_lock

    lock_file = out_dir / LOCK_FILE
    if os.access(lock_file if lock_file.exists() else out_dir, os.W_OK):
        return batch_lock(out_dir, "diagnoza publish")
    return batch_lock(out_dir, shared=True) if lock_file.exists() else contextlib.nullcontext()


SET_ASIDE = ".previous"  # a folder's old copy while its new one is moved in: `.<name>.previous`


def replace_directory(staging: Path, final: Path) -> None:
    """Swap `staging` in for `final` (a town's report, a published copy); the old folder is removed only after
    the swap. Killed between its two renames, it leaves the old folder as `.<name>.previous`."""
    previous = final.with_name(f".{final.name}{SET_ASIDE}")
    if previous.exists():
        shutil.rmtree(previous)
    if final.exists():
        final.rename(previous)
    staging.rename(final)
    if previous.exists():
        shutil.rmtree(previous)
