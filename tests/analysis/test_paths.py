import subprocess
import sys

from analysis import paths


def test_every_path_the_project_ships_is_where_the_paths_module_says():
    # One module names every path (rooted at its own file); a file moved without it would fail at run time,
    # far from the move. What the project ships must be there; what runs write (reports/, .cache/) need not be.
    assert (paths.PROJECT_ROOT / "pyproject.toml").is_file()
    for shipped in (paths.VARIABLES_FILE, paths.INDICATORS_FILE, paths.REPORT_NOTEBOOK):
        assert shipped.is_file(), shipped
    for folder in (paths.DEMO_STORE_DIR, paths.NOTEBOOKS_DIR, paths.PARAMS_DIR, paths.TEMPLATES_DIR, paths.DOCS_DIR):
        assert folder.is_dir() and any(folder.iterdir()), folder


def test_the_paths_do_not_depend_on_the_working_directory(tmp_path):
    # A kernel in notebooks/, a build started from elsewhere: the same paths.
    shown = subprocess.run(
        [sys.executable, "-c", "from analysis import paths; print(paths.INDICATORS_FILE)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(paths.PROJECT_ROOT)},
    )
    assert shown.stdout.strip() == str(paths.INDICATORS_FILE)
