"""Every ```python block of README.md and docs/**/*.md runs, so no example can rot.

The convention, for whoever writes documentation:

- Each block runs on its own, in a fresh namespace, as a reader who copies it would
  run it: it imports what it uses. (A missing ``import boto3`` is a failure.)
- A page whose prose says that its snippets share some imports marks the block that
  holds them with ``<!-- snippet: setup -->``: that block runs on its own, and its
  code runs before every later block of the same page.
- A block that builds on the block before it on the same page is preceded by
  ``<!-- snippet: continue -->``: it then runs after that block (and whatever that
  block continues), in one namespace, as one script.
- A block that defines pytest tests (``test_*`` functions, ``Test*`` classes) is
  written to a test module and run by pytest itself (``pytester``),
  with tsmock's plugin, so its fixtures (``timestream_write_mock``) and the
  block's own fixtures work; every test in it must pass, and at least one must run.
- Any other block is executed; it fails the test if it raises, or if it leaves a
  mock active.
- A block that cannot run here by nature (an outline with ``...`` standing for
  the reader's code, a feature not yet present) is preceded by
  ``<!-- snippet: skip: <reason> -->``; the reason is required.

Everything runs under the suite's network guard (tests/conftest.py).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import tsmock

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)\s*$")
_DIRECTIVE = re.compile(
    r"^\s*<!--\s*snippet:\s*(?P<what>skip|continue|setup)\b(?P<rest>.*?)-->\s*$"
)


@dataclass(frozen=True)
class Snippet:
    """One ```python block: where it is, its code, and what the comment before it says."""

    page: Path
    line: int  # 1-based line of the opening fence
    code: str
    directive: str | None  # "skip", "continue", "setup" or None
    reason: str

    @property
    def name(self) -> str:
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page.name
        return f"{page}:{self.line}"


def read_snippets(page: Path) -> list[Snippet]:
    """The Python blocks of one Markdown page, in page order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    snippets: list[Snippet] = []
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        start = index
        indent = len(fence["indent"])
        body: list[str] = []
        index += 1
        while index < len(lines) and not re.match(r"^ *```\s*$", lines[index]):
            body.append(lines[index][indent:])
            index += 1
        index += 1  # the closing fence
        if fence["lang"] not in ("python", "py"):
            continue
        directive, reason = None, ""
        previous = start - 1
        while previous >= 0 and not lines[previous].strip():
            previous -= 1
        match = _DIRECTIVE.match(lines[previous]) if previous >= 0 else None
        if match is not None:
            directive = match["what"]
            reason = match["rest"].strip().lstrip(":").strip()
        snippets.append(Snippet(page, start + 1, "\n".join(body) + "\n", directive, reason))
    return snippets


ALL_SNIPPETS = [snippet for page in PAGES for snippet in read_snippets(page)]


def program_of(snippet: Snippet, page_snippets: list[Snippet]) -> str:
    """The code that runs for a block: the page's setup blocks, the blocks it continues, itself."""
    position = page_snippets.index(snippet)
    parts = [snippet.code]
    while page_snippets[position].directive == "continue":
        if position == 0:
            raise AssertionError(f"{snippet.name}: 'continue' on the first block of a page")
        position -= 1
        parts.insert(0, page_snippets[position].code)
    setups = [s.code for s in page_snippets[:position] if s.directive == "setup"]
    return "\n".join(setups + parts)


def is_pytest_module(code: str) -> bool:
    """Whether the code defines tests, so that pytest must run it.

    A block that only defines fixtures is executed like any other block: that
    checks its imports and definitions; a block that continues it runs the tests.
    """
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
            "test"
        ):
            return True
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            return True
    return False


def test_the_pages_have_snippets() -> None:
    # The collection itself must not rot: README and the docs hold dozens of blocks.
    assert len(PAGES) > 20
    assert len(ALL_SNIPPETS) > 40
    assert any(s.page.name == "README.md" for s in ALL_SNIPPETS)


@pytest.fixture(scope="module")
def modules_loaded() -> None:
    """Import, in this process, every module a snippet's pytest run may import.

    An in-process pytest run forgets the modules first imported during it; a later
    run would import them again, with new exception classes that code loaded
    before no longer recognises. Loading them here keeps one copy of each.
    """
    for module in pkgutil.walk_packages(tsmock.__path__, "tsmock."):
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional extra that is not installed
            continue
    for name in ("freezegun", "moto", "awswrangler", "pandas", "hypothesis"):
        try:
            importlib.import_module(name)
        except ImportError:
            continue


def run_snippet(
    snippet: Snippet,
    page_snippets: list[Snippet],
    pytester: pytest.Pytester,
    namespace: dict[str, Any] | None = None,
) -> None:
    """Run one block by the convention above; raises (or fails) if the block does."""
    if snippet.directive == "skip":
        assert snippet.reason, f"{snippet.name}: a skipped block must say why"
        pytest.skip(f"marked in the page: {snippet.reason}")
    code = program_of(snippet, page_snippets)
    if is_pytest_module(code):
        pytester.makepyfile(test_snippet=code)
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q", "-p", "no:randomly")
        outcomes = result.parseoutcomes()
        assert result.ret == 0, f"{snippet.name} failed:\n{result.stdout.str()}"
        assert outcomes.get("passed", 0) >= 1, result.stdout.str()
        assert not outcomes.get("skipped"), result.stdout.str()
        return
    namespace = {} if namespace is None else namespace
    namespace["__name__"] = "__snippet__"
    exec(compile(code, snippet.name, "exec"), namespace)
    # A block must not leave a mock running: a new activation then starts empty.
    with tsmock.mock_timestream_write() as probe:
        left = sorted(probe.backend().databases)
    assert left == [], f"{snippet.name} left a mock active, holding databases {left}"


@pytest.mark.parametrize("snippet", ALL_SNIPPETS, ids=lambda s: s.name)
def test_snippet_runs(snippet: Snippet, pytester: pytest.Pytester, modules_loaded: None) -> None:
    run_snippet(snippet, [s for s in ALL_SNIPPETS if s.page == snippet.page], pytester)


# The harness itself must be able to fail.

PAGE = """# A page

<!-- snippet: setup -->

```python
import boto3
```

```python
assert boto3.__name__ == "boto3"
```

<!-- snippet: skip -->

```python
raise RuntimeError("skipped without a reason")
```

```python
value = 41
```

<!-- snippet: continue -->

```python
assert value + 1 == 42
```

```python
raise ValueError("a broken example")
```

```python
import boto3
from tsmock import mock_timestream_write

leaked = mock_timestream_write()
leaked.start()
boto3.client("timestream-write", region_name="us-east-1").create_database(DatabaseName="kept")
```

```python
def test_broken():
    assert 1 == 2
```

  ```python
  import tsmock
  ```
"""


@pytest.fixture
def page_snippets(tmp_path: Path) -> list[Snippet]:
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    return read_snippets(page)


def test_the_reader_sees_blocks_and_directives(page_snippets: list[Snippet]) -> None:
    assert [(s.line, s.directive) for s in page_snippets] == [
        (5, "setup"), (9, None), (15, "skip"), (19, None), (25, "continue"),
        (29, None), (33, None), (42, None), (47, None),
    ]  # fmt: skip
    assert page_snippets[-1].code == "import tsmock\n"


def test_setup_and_continue_build_the_program(page_snippets: list[Snippet]) -> None:
    continued = page_snippets[4]
    assert program_of(continued, page_snippets) == (
        "import boto3\n\nvalue = 41\n\nassert value + 1 == 42\n"
    )


def test_good_blocks_pass(page_snippets: list[Snippet], pytester: pytest.Pytester) -> None:
    for snippet in (page_snippets[0], page_snippets[1], page_snippets[4], page_snippets[8]):
        run_snippet(snippet, page_snippets, pytester)


def test_a_raising_block_fails(page_snippets: list[Snippet], pytester: pytest.Pytester) -> None:
    with pytest.raises(ValueError, match="a broken example"):
        run_snippet(page_snippets[5], page_snippets, pytester)


def test_a_failing_test_block_fails(
    page_snippets: list[Snippet], pytester: pytest.Pytester
) -> None:
    with pytest.raises(AssertionError, match=r"page\.md:42 failed"):
        run_snippet(page_snippets[7], page_snippets, pytester)


def test_a_block_that_leaves_a_mock_active_fails(
    page_snippets: list[Snippet], pytester: pytest.Pytester
) -> None:
    namespace: dict[str, Any] = {}
    try:
        with pytest.raises(
            AssertionError, match=r"left a mock active, holding databases \['kept'\]"
        ):
            run_snippet(page_snippets[6], page_snippets, pytester, namespace)
    finally:
        namespace["leaked"].stop()


def test_a_skip_needs_a_reason(page_snippets: list[Snippet], pytester: pytest.Pytester) -> None:
    with pytest.raises(AssertionError, match="must say why"):
        run_snippet(page_snippets[2], page_snippets, pytester)
