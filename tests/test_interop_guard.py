"""Under CI, an interop test that skips fails the run (the hooks of tests/conftest.py).

An interop test skips when its third-party client is missing; locally that is a
convenience, under CI it would hide that the test never ran.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

CONFTEST = (Path(__file__).parent / "conftest.py").read_text(encoding="utf-8")

MISSING_CLIENT = """
import pytest

client = pytest.importorskip("a_client_that_is_not_installed")


def test_uses_the_client():
    assert client
"""

SKIPS_INSIDE = """
import pytest


@pytest.mark.interop
def test_marked():
    pytest.skip("client missing")


def test_not_interop():
    pytest.skip("an ordinary skip")
"""


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Any:
    def run(ci: str | None) -> pytest.RunResult:
        pytester.makeconftest(CONFTEST)
        pytester.makefile(".ini", pytest="[pytest]\nmarkers =\n    interop: interop test\n")
        if ci is None:
            monkeypatch.delenv("CI", raising=False)
        else:
            monkeypatch.setenv("CI", ci)
        return pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rA")

    return run


@pytest.mark.parametrize("ci", [None, ""])
def test_outside_ci_interop_skips_stay_skips(
    pytester: pytest.Pytester, run: Any, ci: str | None
) -> None:
    pytester.makepyfile(test_interop_missing=MISSING_CLIENT, test_inside=SKIPS_INSIDE)
    result = run(ci)
    result.assert_outcomes(skipped=3)
    assert result.ret == 0


def test_under_ci_a_module_level_importorskip_fails(pytester: pytest.Pytester, run: Any) -> None:
    pytester.makepyfile(test_interop_missing=MISSING_CLIENT)
    result = run("1")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*interop module skipped under CI*a_client_that_is_not_installed*"]
    )
    assert result.ret != 0


def test_under_ci_a_marked_test_that_skips_fails(pytester: pytest.Pytester, run: Any) -> None:
    pytester.makepyfile(test_inside=SKIPS_INSIDE)
    result = run("true")
    # The marked test fails; an ordinary skip elsewhere stays a skip.
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*interop test skipped under CI*client missing*"])


def test_the_awswrangler_tests_are_marked_interop() -> None:
    source = (Path(__file__).parent / "test_interop_awswrangler.py").read_text(encoding="utf-8")
    assert "pytestmark = pytest.mark.interop" in source
