"""The YAML loaders read events from libyaml's parser when PyYAML has it, and compose and construct them in
Python: documents load to the same values as with PyYAML's pure-Python parser, and the limits still hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pytest_serverless import _yaml_limits
from pytest_serverless.asl import definition
from pytest_serverless.loaders import yaml_cfn

ROOT = Path(__file__).resolve().parent.parent
YAML_FILES = sorted(
    path
    for folder in (ROOT / "tests", ROOT / "examples")
    for path in folder.rglob("*.y*ml")
    if path.suffix in (".yaml", ".yml") and path.stat().st_size < 200_000
)


def with_python_events(loader: type) -> type:
    """The same loader reading its events from PyYAML's pure-Python parser."""

    class PythonEvents(loader):  # type: ignore[misc,valid-type]
        def __init__(self, stream: str) -> None:
            super().__init__("")
            self._python = _yaml_limits._PythonEvents(stream)

        def check_event(self, *choices: Any) -> bool:
            return bool(self._python.check_event(*choices))

        def peek_event(self) -> Any:
            return self._python.peek_event()

        def get_event(self) -> Any:
            return self._python.get_event()

    return PythonEvents


def load(loader: type, text: str) -> Any:
    instance = loader(text)
    try:
        return instance.get_single_data()
    finally:
        instance.dispose()


def test_libyaml_parses_when_pyyaml_has_it():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML built without libyaml: the pure-Python parser is the only one")
    assert yaml.cyaml.CParser in _yaml_limits.LimitedSafeLoader.__mro__


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_yaml_file_of_the_repository_loads_to_the_same_values(path):
    text = path.read_text()
    for loader in (yaml_cfn._CfnLoader, definition._definition_loader()):
        try:
            expected = load(with_python_events(loader), text)
        except yaml.YAMLError as error:
            with pytest.raises(type(error)):
                load(loader, text)
            continue
        assert load(loader, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a: *b\n",  # an alias
        "[" * 300 + "]" * 300,  # deeper than the limit, flow style
        "a:\n" + "".join(" " * (2 * depth) + "- \n" for depth in range(1, 250)),  # deeper, block style
    ],
    ids=["alias", "deep-flow", "deep-block"],
)
def test_the_limits_hold_with_either_parser(text):
    for loader in (yaml_cfn._CfnLoader, with_python_events(yaml_cfn._CfnLoader)):
        with pytest.raises(yaml.composer.ComposerError):
            load(loader, text)


def test_the_comparison_really_reads_with_both_parsers():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML built without libyaml")
    problems = set()
    for loader in (yaml_cfn._CfnLoader, with_python_events(yaml_cfn._CfnLoader)):
        with pytest.raises(yaml.MarkedYAMLError) as info:
            load(loader, "a: [b\n")
        problems.add(info.value.problem)
    assert problems == {"did not find expected ',' or ']'", "expected ',' or ']', but got '<stream end>'"}
