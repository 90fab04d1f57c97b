from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import pytest_serverless
from pytest_serverless import errors


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(out.split())


# section: dependency direction


@pytest.mark.parametrize("module", ["pytest_serverless", "pytest_serverless.asl", "pytest_serverless.clock"])
def test_core_imports_neither_pytest_nor_responses(module):
    loaded = _modules_after_import(module)
    assert "pytest" not in loaded
    assert "responses" not in loaded


def test_httpx_and_websockets_are_fenced_and_serving_loads_no_third_party_client():
    package = Path(pytest_serverless.__file__).parent
    importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"^\s*(import|from) httpx\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert importers == ["gateway/interception.py"]
    websockets_importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"^\s*(import|from) websockets\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert websockets_importers == ["gateway/serving_websocket.py"]
    loaded = _modules_after_import("pytest_serverless.gateway.serving")
    assert not {"httpx", "requests", "responses", "werkzeug", "pytest"} & loaded


@pytest.mark.parametrize(
    ("library", "home"),
    [
        ("botocore", "aws"),
        ("boto3", "aws"),
        ("jsonpath_ng", "asl/paths.py"),
        ("jwt", "gateway/authorizers/cognito_jwt.py"),
    ],
)
def test_third_party_imports_are_fenced(library, home):
    """STYLE.md section 2: each of these libraries is imported in one place of the package only."""
    package = Path(pytest_serverless.__file__).parent
    pattern = re.compile(rf"^\s*(import|from) {library}\b", re.MULTILINE)
    importers = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if pattern.search(path.read_text("utf-8"))
    }
    assert importers, library
    assert all(name == home or name.startswith(home + "/") for name in importers), sorted(importers)


def test_public_names_are_all_importable():
    for name in pytest_serverless.__all__:
        assert getattr(pytest_serverless, name) is not None, name


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = pytest_serverless.Nope  # type: ignore[attr-defined]


# section: errors


def test_invalid_definition_lists_every_problem_with_its_pointer():
    error = errors.InvalidDefinition([("/States/A", "missing 'Type'"), ("/StartAt", "no state 'B'")])
    assert isinstance(error, ValueError)
    assert error.problems == [("/States/A", "missing 'Type'"), ("/StartAt", "no state 'B'")]
    assert str(error) == (
        "invalid state machine definition (2 problems):\n"
        "  /States/A: missing 'Type'\n"
        "  /StartAt: no state 'B'"
    )


def test_unmocked_task_names_state_resource_and_what_was_given():
    error = errors.UnmockedTask("Charge", "arn:aws:states:::lambda:invoke", available=["Notify"])
    assert error.state_name == "Charge"
    assert error.resource == "arn:aws:states:::lambda:invoke"
    assert "'Notify'" in str(error)
    assert "mock_task('Charge'" in str(error)


def test_template_error_names_file_and_pointer():
    error = errors.TemplateError("unknown intrinsic !Reff", source="template.yaml", pointer="/Resources/Fn")
    assert str(error) == "template.yaml:/Resources/Fn: unknown intrinsic !Reff"
    assert isinstance(error, ValueError)


def test_usage_error_is_a_type_error():
    assert issubclass(errors.UsageError, TypeError)
    assert issubclass(errors.UsageError, errors.ServerlessError)


# section: the repository stands alone

# A citation of a file outside the repository: the sibling ``shared`` folder (as a path or a Path join) or the
# reference notes kept there. Facts are cited from docs/ or by the AWS documentation page they come from.
_OUTSIDE = re.compile(
    r"\.\./shared\b|/work/shared\b|[\"']shared[\"']\s*/|\breference/(?:apigw|asl)[\w./-]*|\breference/[\w-]+\.md"
)
_TEXT = {".py", ".md", ".json", ".yaml", ".yml", ".toml", ".ini", ".txt", ".cfg", ".html", ".j2"}


def test_nothing_cites_files_outside_the_repository():
    root = Path(__file__).resolve().parents[1]
    places = [root / name for name in ("pytest_serverless", "tests", "examples", "benchmarks", "docs")]
    files = [root / "README.md"] + [
        path
        for place in places
        for path in place.rglob("*")
        if path.suffix in _TEXT and path.is_file() and "__pycache__" not in path.parts
    ]
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in files
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if _OUTSIDE.search(line)
    ]
    assert len(files) > 200
    assert found == []
