"""The project's two dependency lists: `environment.yml` (conda users) mirrors `pyproject.toml`'s runtime list."""

from __future__ import annotations

import re
import tomllib

import yaml

from analysis.paths import PROJECT_ROOT


def _requirement(text: str) -> str:
    """A requirement as written, without spaces: "typer>=0.16,!=0.29.*"."""
    return re.sub(r"\s+", "", text)


def test_environment_yml_lists_exactly_the_runtime_dependencies_of_pyproject():
    # Nothing tied the two lists: a dependency added to pyproject.toml alone gives conda users an environment in
    # which `diagnoza build` fails on an import; a bound raised in one file alone gives them other versions than
    # the oldest ones `make test-oldest` tests. conda's and pip's names are the same for every dependency here.
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    environment = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [entry for entry in environment["dependencies"] if isinstance(entry, str)]
    pip = next(entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict))
    listed = [_requirement(entry) for entry in conda + pip if entry not in ("pip", "-e .")]
    python = [entry for entry in listed if re.match(r"python[<>=!~]", entry)]
    assert python == [f"python{project['requires-python']}"]
    runtime = sorted(_requirement(requirement) for requirement in project["dependencies"])
    assert sorted(entry for entry in listed if entry not in python) == runtime
    assert "-e ." in pip  # Diagnoza itself, with its `diagnoza` command
