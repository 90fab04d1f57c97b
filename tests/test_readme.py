"""README's runnable examples (blocks after a ``<!-- readme-test -->`` line) run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"<!-- readme-test -->\n```python\n(.*?)```", re.DOTALL)


def _blocks() -> list[str]:
    return _BLOCK.findall(README.read_text(encoding="utf-8"))


def test_readme_has_runnable_examples():
    assert len(_blocks()) >= 2


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_readme_example_runs(index):
    code = _blocks()[index]
    exec(compile(code, f"README.md example {index + 1}", "exec"), {"__name__": "readme_example"})


def test_readme_opens_with_the_two_command_quickstart():
    text = README.read_text(encoding="utf-8")
    assert text.startswith("# Quickstart\n")
    first_block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert first_block is not None
    commands = [line for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == [
        'python -m pip install -e ".[dev]" && python -m pytest examples',
        "python -m pytest",
    ]
