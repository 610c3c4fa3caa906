"""The batch's index page: every town with links to its files and its build status."""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from analysis.params import Batch
from analysis.paths import TEMPLATES_DIR
from analysis.store import Store

INDEX_TEMPLATES = TEMPLATES_DIR / "index"


def index_rows(out_dir: Path, batch: Batch, store: Store, results) -> list[dict]:
    """One row per town of the batch: this run's result, else what an earlier build left."""
    by_teryt = {r.teryt: r for r in results}
    rows = []
    for teryt in batch.teryts:
        unit = store.unit(teryt)
        result = by_teryt.get(teryt)
        files = {name: f"{teryt}/{name}" for name in ("report.html", "report.pdf")
                 if (out_dir / teryt / name).is_file()}
        if result is not None and result.status == "failed":
            status, error = "failed", result.error
        elif len(files) == 2:
            status, error = "built", ""
        else:
            status, error = "missing", ""
        rows.append({"teryt": teryt, "name": str(unit["name"]), "voivodeship": str(unit["voivodeship"]),
                     "status": status, "error": error, "files": files})
    return rows


def write_index(out_dir: Path, batch: Batch, store: Store, results) -> Path:
    environment = Environment(loader=FileSystemLoader(INDEX_TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    template = environment.get_template("index.html.j2")
    rows = index_rows(out_dir, batch, store, results)
    page = template.render(batch=batch, rows=rows, synthetic=store.synthetic,
                           years=f"{batch.years.first}–{batch.years.last}",
                           built=sum(r["status"] == "built" for r in rows),
                           failed=sum(r["status"] == "failed" for r in rows))
    target = out_dir / "index.html"
    staged = out_dir / ".index.html.tmp"
    staged.write_text(page, encoding="utf-8")
    os.replace(staged, target)
    return target
