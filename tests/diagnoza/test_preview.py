"""Preview pictures: pdftoppm for PDF pages, headless Chromium for the HTML (skipped where not installed)."""

from __future__ import annotations

import shutil
import struct

import pytest
from pypdf import PdfReader

from diagnoza import preview
from diagnoza.render import render_pdf
from tests.diagnoza.test_render import INFO, notebook_with


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed (make preview-tools)")
def test_pdf_pages_become_a4_shaped_pngs(tmp_path):
    pdf = render_pdf(notebook_with(), INFO, tmp_path / "src", tmp_path / "report.pdf")
    images = preview.pdf_pages(pdf, tmp_path / "img", pages=2, dpi=50)
    count = min(2, len(PdfReader(pdf).pages))  # a short test report may have a single page
    assert [p.name for p in images] == [f"report-page-{n}.png" for n in range(1, count + 1)]
    width, height = png_size(images[0])
    assert height / width == pytest.approx(297 / 210, rel=0.02)


@pytest.mark.skipif(not any(shutil.which(n) for n in preview.CHROMIUM_NAMES), reason="chromium not installed")
def test_html_page_is_photographed(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html><html lang="pl"><body><h1>Żółwiowo</h1></body></html>', encoding="utf-8")
    image = preview.html_page(page, tmp_path / "page.png", width=400, height=300)
    assert png_size(image) == (400, 300)


def test_a_missing_tool_is_named_with_its_package(monkeypatch, tmp_path):
    monkeypatch.setattr(preview.shutil, "which", lambda name: None)
    with pytest.raises(preview.PreviewError, match="poppler-utils"):
        preview.pdf_pages(tmp_path / "x.pdf", tmp_path)
    with pytest.raises(preview.PreviewError, match="chromium"):
        preview.html_page(tmp_path / "x.html", tmp_path / "x.png")


def test_preview_of_a_town_not_in_the_batch_names_the_teryt_it_was_given(tmp_path):
    from typer.testing import CliRunner

    from diagnoza.cli import app

    result = CliRunner().invoke(app, ["preview", "9999999", "--out", str(tmp_path / "reports")])
    assert result.exit_code == 2
    assert "TERYT: invalid argument" in result.output and "9999999 is not a town of batch 'demo'" in result.output
    assert "--only" not in result.output  # the user typed no --only


def test_preview_given_a_batch_file_for_its_town_says_where_the_batch_goes(tmp_path):
    # `diagnoza build params/demo.yaml` takes the batch first; `preview` takes a town and `--params`. Given the
    # batch file, it said "TERYT code params/demo.yaml is not a town of batch 'demo'".
    from typer.testing import CliRunner

    from diagnoza.cli import app

    result = CliRunner().invoke(app, ["preview", "params/demo.yaml", "--out", str(tmp_path / "reports")])
    assert result.exit_code == 2
    assert "params/demo.yaml is a batch file; give a town's TERYT code, and the batch as --params" in result.output
    assert not (tmp_path / "reports").exists()  # nothing was built


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed (make preview-tools)")
@pytest.mark.skipif(not any(shutil.which(n) for n in preview.CHROMIUM_NAMES), reason="chromium not installed")
def test_preview_of_a_town_given_by_its_name_pictures_that_towns_report(tmp_path):
    # `--only` takes names, and so does preview's town; it looked for the PDF under reports/demo/bursztynojar/.
    from typer.testing import CliRunner

    from diagnoza.cli import app

    images = tmp_path / "img"
    result = CliRunner().invoke(
        app, ["preview", "bursztynojar", "--pages", "1", "--out", str(tmp_path / "reports"), "--images", str(images)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in images.iterdir()) == ["report-html.png", "report-page-1.png"]
    assert (tmp_path / "reports" / "demo" / "0290011" / "report.pdf").is_file()  # Bursztynojar is 0290011
