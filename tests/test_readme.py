"""README's runnable examples run as written: blocks after a ``<!-- readme-test -->`` line as plain Python;
blocks after ``<!-- readme-pytest -->`` as test files of a project holding the example order service and the
``<!-- readme-pyproject -->`` configuration (every test in them must pass)."""

from __future__ import annotations

import importlib.util
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
    for module in re.findall(r"^\s*(?:from|import) (\w+)", code, re.MULTILINE):
        if module != "pytest_serverless" and importlib.util.find_spec(module) is None:
            # a tool the `test` extra brings (werkzeug with Schemathesis) but `test-core` does not
            pytest.skip(f"README example {index + 1} uses {module}, which is not installed")
    exec(compile(code, f"README.md example {index + 1}", "exec"), {"__name__": "readme_example"})


_PYTEST_BLOCK = re.compile(r"<!-- readme-pytest -->\n```python\n(.*?)```", re.DOTALL)
_PYPROJECT = re.compile(r"<!-- readme-pyproject -->\n```toml\n(.*?)```", re.DOTALL)
ORDER_SERVICE = Path(__file__).resolve().parents[1] / "examples" / "order_service"


def test_readme_test_files_pass_in_a_project_configured_as_readme_says(pytester):
    import shutil

    text = README.read_text(encoding="utf-8")
    blocks = _PYTEST_BLOCK.findall(text)
    assert len(blocks) >= 2
    for part in ("template.yaml", "src", "statemachine"):
        source = ORDER_SERVICE / part
        if source.is_dir():
            shutil.copytree(source, pytester.path / part)
        else:
            shutil.copy(source, pytester.path / part)
    (pytester.path / "pyproject.toml").write_text(_PYPROJECT.findall(text)[0])
    tests = pytester.path / "tests"
    tests.mkdir()
    expected = 0
    for index, code in enumerate(blocks):
        (tests / f"test_readme_{index}.py").write_text(code)
        expected += len(re.findall(r"^def test_", code, re.MULTILINE))
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", "tests")
    result.assert_outcomes(passed=expected)


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
