"""axe-core, the accessibility engine browsers' own audit tools use, run on published pages in Chromium.

A page is opened in headless Chromium (Debian's `chromium` with its matching `chromium-driver`,
driven by Selenium) at a desktop and a phone width, axe-core is injected and run, and every
violation comes back with its impact (minor, moderate, serious, critical). `make a11y` installs
the browser, its driver and axe-core (npm) when missing, then checks one report and the index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from analysis.paths import PROJECT_ROOT
from diagnoza.preview import CHROMIUM_NAMES, find_tool

WIDTHS = (1280, 390)  # desktop, and a common phone's CSS width
BLOCKING = ("serious", "critical")  # what a report must never have
AXE_CORE_NAME = "axe-core/axe.min.js"
TOOLS_DIR = PROJECT_ROOT / ".tools"  # where `make a11y` installs axe-core (npm --prefix .tools)
DRIVER_NAMES = ("chromedriver",)


class AccessibilityToolMissing(RuntimeError):
    """Chromium, its driver, Selenium or axe-core is not installed; the message says how to get it."""


@dataclass(frozen=True)
class Violation:
    """One axe-core rule a page breaks, at one window width."""

    page: str
    width: int
    rule: str
    impact: str
    help: str
    nodes: int
    example: str  # the first offending element's HTML, for finding it
    review: bool = False  # axe-core could not decide (its "incomplete" results): for a person to check

    @property
    def blocking(self) -> bool:
        return self.impact in BLOCKING and not self.review

    def describe(self) -> str:
        return f"{self.page} @ {self.width}px: {self.rule} ({self.impact}, {self.nodes}×) {self.help}: {self.example}"


def axe_core_script() -> Path:
    """axe.min.js: $AXE_CORE_JS, else .tools/ (make a11y), else npm's global packages."""
    candidates = []
    if os.environ.get("AXE_CORE_JS"):
        candidates.append(Path(os.environ["AXE_CORE_JS"]))
    candidates.append(TOOLS_DIR / "node_modules" / AXE_CORE_NAME)
    npm = shutil.which("npm")
    if npm:
        run = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=30)
        if run.returncode == 0 and run.stdout.strip():
            candidates.append(Path(run.stdout.strip()) / AXE_CORE_NAME)
    for path in candidates:
        if path.is_file():
            return path
    raise AccessibilityToolMissing("axe-core not found: run `make a11y` (npm install --prefix .tools axe-core)")


def _find(names: tuple[str, ...], package: str) -> str:
    return find_tool(names, package, "make a11y", AccessibilityToolMissing)


def tools_available() -> str:
    """ "" when everything the check needs is installed, else what is missing (for a test's skip reason)."""
    try:
        _find(CHROMIUM_NAMES, "chromium")
        _find(DRIVER_NAMES, "chromium-driver")
        axe_core_script()
        import selenium  # noqa: F401
    except (AccessibilityToolMissing, ImportError) as missing:
        return str(missing)
    return ""


@contextmanager
def browser(width: int = WIDTHS[0], height: int = 900):
    """Headless Chromium driven by Selenium, closed when the block ends."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as missing:
        raise AccessibilityToolMissing("Selenium is not installed: pip install -e '.[dev]'") from missing
    options = webdriver.ChromeOptions()
    options.binary_location = _find(CHROMIUM_NAMES, "chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    # Chromium's temporary files in a folder of ours: it leaves its socket's folder behind even when it quits.
    with tempfile.TemporaryDirectory(prefix="diagnoza-browser-", ignore_cleanup_errors=True) as scratch:
        # An explicit driver: Selenium then never tries to download one.
        service = Service(executable_path=_find(DRIVER_NAMES, "chromium-driver"), env={**os.environ, "TMPDIR": scratch})
        driver = webdriver.Chrome(options=options, service=service)
        try:
            driver.set_script_timeout(120)
            driver.set_window_size(width, height)
            yield driver
        finally:
            driver.quit()


def check_pages(pages: list[Path], widths: tuple[int, ...] = WIDTHS) -> list[Violation]:
    """Every axe-core violation of each page (a local HTML file) at each width, and what axe-core could not
    decide and leaves for a person to review (`review`)."""
    axe = axe_core_script().read_text(encoding="utf-8")
    violations = []
    with browser() as driver:
        for page in pages:
            for width in widths:
                driver.set_window_size(width, 900)
                driver.get(page.resolve().as_uri())
                driver.execute_script(axe)
                result = driver.execute_async_script(
                    "const done = arguments[arguments.length - 1];"
                    "axe.run(document, {resultTypes: ['violations', 'incomplete']})"
                    ".then(r => done(JSON.stringify({violations: r.violations, incomplete: r.incomplete})),"
                    " e => done(JSON.stringify({error: String(e)})));"
                )
                found = json.loads(result)
                if "error" in found:
                    raise RuntimeError(f"axe-core failed on {page}: {found['error']}")
                violations += [
                    Violation(
                        page=str(page),
                        width=width,
                        rule=item["id"],
                        impact=item.get("impact") or "minor",
                        help=item["help"],
                        nodes=len(item["nodes"]),
                        example=(item["nodes"][0]["html"][:200] if item["nodes"] else ""),
                        review=kind == "incomplete",
                    )
                    for kind in ("violations", "incomplete")
                    for item in found[kind]
                ]
    return violations
