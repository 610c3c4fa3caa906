"""Pictures of a built report, so a person can look without a PDF viewer or a browser at hand.

The PDF's first pages are rasterised by poppler's `pdftoppm`; the HTML page is
photographed by headless Chromium (Debian's package) with a throw-away profile and
no network services. `make preview-tools` installs both.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


class PreviewError(RuntimeError):
    """A tool is missing or failed; the message says which and how to install it."""


def find_tool(
    names: tuple[str, ...], package: str, install: str = "make preview-tools", error: type[Exception] = PreviewError
) -> str:
    """The first of `names` on PATH; else `error`, naming the Debian package and the make target that installs it."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise error(f"{names[0]} not found: install the Debian package {package!r} ({install})")


def pdf_pages(pdf: Path, out_dir: Path, pages: int = 2, dpi: int = 80) -> list[Path]:
    """PNG images of the first `pages` pages: <out_dir>/<pdf stem>-page-1.png, ..."""
    pdftoppm = find_tool(("pdftoppm",), "poppler-utils")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        prefix = Path(scratch) / "page"
        run = subprocess.run(
            [pdftoppm, "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), str(pdf), str(prefix)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if run.returncode != 0:
            raise PreviewError(f"pdftoppm failed on {pdf}: {run.stderr.strip()}")
        images = []
        for number, page in enumerate(sorted(Path(scratch).glob("page-*.png")), start=1):
            target = out_dir / f"{pdf.stem}-page-{number}.png"
            shutil.move(page, target)
            images.append(target)
    return images


def html_page(html: Path, target: Path, width: int = 1200, height: int = 1600) -> Path:
    """A PNG of the top of the HTML page as a desktop browser shows it."""
    chromium = find_tool(CHROMIUM_NAMES, "chromium")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={target.resolve()}",
            html.resolve().as_uri(),
        ]
        run = subprocess.run(command, capture_output=True, text=True, timeout=180)
    if run.returncode != 0 or not target.is_file():
        raise PreviewError(f"chromium could not photograph {html}: {run.stderr.strip()[-500:]}")
    return target
