"""Every path the project uses, rooted at this file so that nothing depends on the cwd."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent

CATALOGUE_DIR = PACKAGE_DIR / "catalogue"
VARIABLES_FILE = CATALOGUE_DIR / "variables.yaml"
INDICATORS_FILE = CATALOGUE_DIR / "indicators.yaml"

DEMO_STORE_DIR = PACKAGE_DIR / "data" / "demo"

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORT_NOTEBOOK = NOTEBOOKS_DIR / "report.ipynb"
PARAMS_DIR = PROJECT_ROOT / "params"
TEMPLATES_DIR = PROJECT_ROOT / "templates"
REPORTS_DIR = PROJECT_ROOT / "reports"
DOCS_DIR = PROJECT_ROOT / "docs"
BDL_CACHE_DIR = PROJECT_ROOT / ".cache" / "bdl"  # pages fetched from GUS BDL; never committed
VALIDATED_STORES_DIR = PROJECT_ROOT / ".cache" / "validated-stores"  # analysis.store: validation results
