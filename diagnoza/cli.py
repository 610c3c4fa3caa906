"""The `diagnoza` command."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from analysis.params import ParamsError
from analysis.store import StoreError

app = typer.Typer(help="Diagnoza: socio-economic diagnosis reports for Polish towns.", no_args_is_help=True)
data_app = typer.Typer(help="Data stores: the embedded demo store.", no_args_is_help=True)
app.add_typer(data_app, name="data")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _codes(only: Optional[str]) -> list[str] | None:
    return [c.strip() for c in only.split(",") if c.strip()] if only else None


@app.command()
def validate(
    params: Path = typer.Argument(..., help="A batch file, e.g. params/demo.yaml."),
    data: Optional[str] = typer.Option(None, help="Data store directory (default: the batch's `data`, else the demo store)."),
) -> None:
    """Check a batch file against its data store without building anything."""
    from diagnoza.build import validate as validate_batch

    try:
        batch, store, _ = validate_batch(params, data)
    except (ParamsError, StoreError) as error:
        _fail(str(error))
    typer.echo(f"{params}: OK — batch {batch.batch!r}, {len(batch.towns)} towns, "
               f"years {batch.years.first}–{batch.years.last}, language {batch.language}")


@app.command()
def build(
    params: Path = typer.Argument(..., help="A batch file, e.g. params/demo.yaml."),
    only: Optional[str] = typer.Option(None, help="Build only these towns: TERYT[,TERYT...]."),
    workers: Optional[int] = typer.Option(None, min=1, help="Parallel processes (default: CPU count)."),
    data: Optional[str] = typer.Option(None, help="Data store directory (default: the batch's `data`, else the demo store)."),
    out: Path = typer.Option(None, help="Output root (default: reports/)."),
    edition: Optional[str] = typer.Option(None, help="Edition date printed on reports (default: today)."),
) -> None:
    """Build every town's report (HTML + PDF) and the batch index under reports/<batch>/."""
    from analysis.paths import REPORTS_DIR
    from diagnoza.build import build_batch

    def progress(result, done, total):
        mark = "built " if result.status == "built" else "FAILED"
        detail = f" — {result.error}" if result.error else ""
        typer.echo(f"[{done:>3}/{total}] {mark} {result.teryt} {result.name} ({result.seconds:.1f} s){detail}")

    try:
        result = build_batch(params, only=_codes(only), workers=workers, data=data,
                             out_root=out or REPORTS_DIR, edition=edition, on_result=progress)
    except (ParamsError, StoreError) as error:
        _fail(str(error))
    built = sum(t.status == "built" for t in result.towns)
    typer.echo(f"\n{built} built, {len(result.failed)} failed → {result.out_dir / 'index.html'}")
    if result.failed:
        for town in result.failed:
            typer.echo(f"  failed: {town.teryt} {town.name}: {town.error}", err=True)
        raise typer.Exit(1)


@app.command()
def preview(
    teryt: str = typer.Argument(..., help="TERYT code of a town of the batch."),
    params: Path = typer.Option(Path("params/demo.yaml"), help="The batch the town belongs to."),
    images: Optional[Path] = typer.Option(None, help="Folder for the PNGs (default: reports/<batch>/preview/)."),
    pages: int = typer.Option(2, min=1, help="How many PDF pages to picture."),
    data: Optional[str] = typer.Option(None, help="Data store directory (default: the batch's `data`, else the demo store)."),
    out: Path = typer.Option(None, help="Output root (default: reports/)."),
    edition: Optional[str] = typer.Option(None, help="Edition date printed on the report (default: today)."),
) -> None:
    """Build one town and write PNGs of its first PDF pages and of its HTML page."""
    from analysis.paths import REPORTS_DIR
    from diagnoza.build import build_batch
    from diagnoza.preview import PreviewError, html_page, pdf_pages

    try:
        result = build_batch(params, only=[teryt], workers=1, data=data, out_root=out or REPORTS_DIR, edition=edition)
    except (ParamsError, StoreError) as error:
        _fail(str(error))
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
def methodology(out: Optional[Path] = typer.Option(None, help="File (default: docs/methodology.md).")) -> None:
    """Write the methodology document generated from the indicator catalogue."""
    from analysis.methodology import render_methodology
    from analysis.paths import DOCS_DIR

    target = out or DOCS_DIR / "methodology.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_methodology(), encoding="utf-8")
    typer.echo(f"methodology written to {target}")


@data_app.command("demo")
def data_demo(out: Optional[Path] = typer.Option(None, help="Directory (default: the embedded demo store).")) -> None:
    """Regenerate the embedded synthetic demo store (deterministic: same seed, same data)."""
    from analysis.demo_data import write_demo_store
    from analysis.paths import DEMO_STORE_DIR

    path = write_demo_store(out or DEMO_STORE_DIR)
    typer.echo(f"demo store written to {path}")


if __name__ == "__main__":
    app()
