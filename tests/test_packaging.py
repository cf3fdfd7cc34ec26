"""What a user meets before the first test: the distribution's metadata, its extras,
and the commands and links of the README.

The distribution is `timestream-mock` (the index's `tsmock` is another project); a
plain install stays light; the README's commands are the ones CI runs; its links
work when the README is shown away from the repository (on the package index).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

import tsmock

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the metadata tests skip, the file tests still run
    tomllib = None

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
REPO = "https://github.com/tsmock-dev/timestream-mock"
DOCS = "https://tsmock-dev.github.io/timestream-mock/"
EXAMPLE_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/python examples/quickstart.py"
)
TEST_COMMAND = (
    'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]" && '
    ".venv/bin/python -m pytest -q -n auto"
)


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    if tomllib is None:
        pytest.skip("reading pyproject.toml needs tomllib (Python 3.11+)")
    with (ROOT / "pyproject.toml").open("rb") as file:
        data: dict[str, Any] = tomllib.load(file)
    return data


def names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0] for requirement in requirements}


def test_the_distribution_is_timestream_mock(project: dict[str, Any]) -> None:
    assert project["project"]["name"] == "timestream-mock"
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["tsmock*"]


def test_the_version_has_one_source(project: dict[str, Any]) -> None:
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "tsmock.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]|rc)?\d*", tsmock.__version__)
    # A literal, so that setuptools reads it without importing the package.
    init = (ROOT / "tsmock" / "__init__.py").read_text(encoding="utf-8")
    assert f'__version__ = "{tsmock.__version__}"' in init.splitlines()


def test_runtime_dependencies_stay_light(project: dict[str, Any]) -> None:
    assert names(project["project"]["dependencies"]) == {"boto3", "botocore", "responses"}


def test_the_extras(project: dict[str, Any]) -> None:
    extras = project["project"]["optional-dependencies"]
    assert set(extras) == {"query", "test", "docs", "dev"}
    assert names(extras["query"]) == {"sqlglot", "duckdb", "pyarrow"}
    assert names(extras["docs"]) == {"mkdocs-material"}
    assert "timestream-mock[query]" in extras["test"]
    assert {"pytest", "pytest-xdist", "freezegun", "hypothesis", "moto", "requests"} <= names(
        extras["test"]
    )
    assert any(r.startswith("moto[s3,sns,sts]") for r in extras["test"])
    # Contributor tools stay out of what a user's tests need.
    heavy = {"awswrangler", "pandas", "mypy", "ruff", "pytest-benchmark", "aiobotocore"}
    assert not heavy & names(extras["test"])
    assert "timestream-mock[test,docs]" in extras["dev"]
    assert heavy - {"pandas"} <= names(extras["dev"])


def test_urls_and_classifiers(project: dict[str, Any]) -> None:
    urls = project["project"]["urls"]
    assert urls["Homepage"] == REPO and urls["Repository"] == REPO
    assert urls["Documentation"] == DOCS
    assert urls["Issues"] == f"{REPO}/issues"
    classifiers = project["project"]["classifiers"]
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert project["project"]["requires-python"] == ">=3.10"


def test_the_readme_gives_both_commands_near_the_top() -> None:
    top = README[: README.index("## Usage")]
    assert EXAMPLE_COMMAND in top
    assert TEST_COMMAND in top


def test_ci_and_tox_run_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install --quiet -e ".[dev]"' in ci
    assert "\npython -m pytest -q -n auto || status=$?" in ci
    assert "\npython examples/quickstart.py" in ci
    tox = (ROOT / "tox.ini").read_text(encoding="utf-8")
    assert "extras = dev\n" in tox
    assert "commands = python -m pytest -q -n auto {posargs}" in tox


def test_readme_links_are_absolute() -> None:
    links = re.findall(r"\]\(([^)]+)\)", README) + re.findall(r"<(https?://[^>]+)>", README)
    assert links
    relative = [link for link in links if not link.startswith(("https://", "http://"))]
    assert relative == []
    assert all(link.startswith((REPO, DOCS)) or "keepachangelog" in link for link in links)


def test_mkdocs_knows_where_it_lives() -> None:
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert f"site_url: {DOCS}\n" in mkdocs
    assert f"repo_url: {REPO}\n" in mkdocs
    assert "comparison.md" in mkdocs
