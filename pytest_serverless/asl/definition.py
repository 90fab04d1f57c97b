"""Loading Amazon States Language definitions: dicts, JSON or YAML text, files, and ``${Name}`` substitutions.

``load_definition(definition, substitutions)`` returns a fresh ``dict`` (the caller's dict is never mutated)
or raises ``InvalidDefinition`` naming the file, the JSON pointer or the line and column.

Substitutions follow CloudFormation's ``DefinitionSubstitutions``: the service replaces ``${Name}`` in the
definition *text* with the value (a string, integer or boolean). So in a JSON or YAML file an unquoted
placeholder (``"TimeoutSeconds": ${Timeout}``) becomes a number and a quoted one stays a string, exactly as
on AWS. A Python dict has no unquoted form, so there a string that is a placeholder and nothing else takes
the value with its own JSON type (``{"TimeoutSeconds": "${Timeout}"}`` with ``Timeout=30`` gives ``30``);
a placeholder inside a longer string is replaced by the value's JSON text. When ``substitutions`` is given,
a placeholder it has no value for is reported with its JSON pointer.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_serverless._nesting import MAX_DOCUMENT_DEPTH, too_deep
from pytest_serverless.asl.validation.problems import Problems
from pytest_serverless.asl.validation.syntax import pointer_join, type_name
from pytest_serverless.errors import InvalidDefinition

if TYPE_CHECKING:
    from pytest_serverless._yaml_limits import LimitedSafeLoader

__all__ = ["DEFINITION_SUFFIXES", "load_definition"]

DEFINITION_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml")
_MAX_DEFINITION_BYTES = 1024 * 1024

_PLACEHOLDER = re.compile(r"\$\{([^${}]+)\}")


@cache
def _definition_loader() -> type[LimitedSafeLoader]:
    """The YAML loader, made on the first YAML definition (a definition given as a dict or JSON text
    does not import the YAML parser)."""
    import yaml

    from pytest_serverless._yaml_limits import LimitedSafeLoader

    class _DefinitionLoader(LimitedSafeLoader):
        """YAML loader that keeps timestamps as strings (a Wait ``Timestamp`` must stay text); no aliases and
        bounded size and depth (``_yaml_limits``)."""

    _DefinitionLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return _DefinitionLoader


def load_definition(
    definition: Mapping[str, Any] | str | bytes | os.PathLike[str],
    substitutions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Load a definition from a dict, JSON or YAML text, or a ``.json``/``.asl.json``/``.yaml`` file path."""
    source: str | None = None
    if isinstance(definition, Mapping):
        data: object = definition
    elif isinstance(definition, os.PathLike) or (
        isinstance(definition, str) and _looks_like_path(definition)
    ):
        path = Path(os.fspath(definition))
        source = str(path)
        text = _read(path)
        data = _parse(_substitute_text(text, substitutions), source)
    elif isinstance(definition, (str, bytes)):
        text = definition.decode("utf-8", "replace") if isinstance(definition, bytes) else definition
        data = _parse(_substitute_text(text, substitutions), None)
    else:
        raise InvalidDefinition(
            [
                (
                    "",
                    "a definition must be a dict, JSON or YAML text, or a path to a "
                    ".json/.asl.json/.yaml file; "
                    f"got {type(definition).__name__}",
                )
            ]
        )
    if not isinstance(data, Mapping):
        message = f"a state machine definition must be a JSON object, got {type_name(data)}"
        path_like = isinstance(data, str) and " " not in data and any(mark in data for mark in "/\\.")
        if source is None and path_like and data == str(definition).strip():
            message += f" (if {data!r} is meant as a file path: no such file)"
        raise InvalidDefinition([("", message)], source=source)
    problems = Problems()
    result = _substitute(data, "", substitutions, problems)
    if problems:
        raise InvalidDefinition(problems, source=source)
    assert isinstance(result, dict)
    return result


def _looks_like_path(text: str) -> bool:
    stripped = text.strip()
    if not stripped or stripped[0] in "{[" or "\n" in stripped or ": " in stripped:
        return False
    if stripped.lower().endswith(DEFINITION_SUFFIXES):
        return True
    try:
        return Path(stripped).is_file()
    except (OSError, ValueError):
        return False


def _read(path: Path) -> str:
    """A regular file of at most 1 MB (Step Functions' largest definition); ``/dev/zero`` never ends."""
    try:
        if path.exists() and not path.is_file() and not path.is_dir():
            raise InvalidDefinition(
                [("", f"definition path is not a regular file (a device or pipe): {path}")], source=str(path)
            )
        with path.open("rb") as handle:
            data = handle.read(_MAX_DEFINITION_BYTES + 1)
        if len(data) > _MAX_DEFINITION_BYTES:
            message = (
                f"definition file is larger than 1 MB ({_MAX_DEFINITION_BYTES:,} bytes, AWS's limit): {path}"
            )
            raise InvalidDefinition([("", message)], source=str(path))
        return data.decode("utf-8")
    except FileNotFoundError:
        message = f"definition file not found: {path}"
    except IsADirectoryError:
        message = f"definition path is a directory, not a file: {path}"
    except UnicodeDecodeError as error:
        message = f"definition file is not UTF-8 text: {path} ({error.reason} at byte {error.start})"
    except OSError as error:
        message = f"cannot read definition file {path}: {error.strerror or error}"
    raise InvalidDefinition([("", message)], source=str(path))


def _parse(text: str, source: str | None) -> object:
    """JSON first, then YAML, as CloudFormation does; a syntax error names its line and column."""
    if too_deep(text, MAX_DOCUMENT_DEPTH):
        raise InvalidDefinition([("", "the definition is nested too deeply")], source=source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        json_error = error
    except RecursionError:
        raise InvalidDefinition([("", "the definition is nested too deeply")], source=source) from None
    if text.lstrip().startswith(("{", "[")) or (source or "").lower().endswith(".json"):
        message = f"invalid JSON at line {json_error.lineno}, column {json_error.colno}: {json_error.msg}"
        placeholder = _PLACEHOLDER.search(text)
        if placeholder is not None:
            line = text.count("\n", 0, placeholder.start()) + 1
            message += f" (placeholder {placeholder.group(0)!r} at line {line} has no substitution value)"
        raise InvalidDefinition([("", message)], source=source) from None
    import yaml

    from pytest_serverless._yaml_limits import TooDeep

    try:
        return yaml.load(text, Loader=_definition_loader())  # noqa: S506 - a SafeLoader subclass
    except TooDeep:
        raise InvalidDefinition([("", "the definition is nested too deeply")], source=source) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = error.problem or error.context or "syntax error"
        raise InvalidDefinition([("", f"invalid YAML{where}: {reason}")], source=source) from None
    except yaml.YAMLError as error:
        raise InvalidDefinition([("", f"invalid YAML: {error}")], source=source) from None


def _render(value: object) -> str:
    """The text a substitution value stands for: strings as they are, other values as JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


def _substitute_text(text: str, substitutions: Mapping[str, Any] | None) -> str:
    if not substitutions or "${" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return _render(substitutions[name]) if name in substitutions else match.group(0)

    return _PLACEHOLDER.sub(replace, text)


def _substitute(
    value: object, pointer: str, substitutions: Mapping[str, Any] | None, problems: Problems
) -> object:
    """Deep copy of ``value`` with placeholders replaced; unresolved ones go to ``problems``."""
    if isinstance(value, Mapping):
        copied: dict[str, Any] = {}
        for key, item in value.items():
            new_key = key
            if substitutions is not None and isinstance(key, str) and "${" in key:
                new_key = _substitute_string(
                    key, pointer_join(pointer, key), substitutions, problems, whole=False
                )
            copied[str(new_key)] = _substitute(
                item, pointer_join(pointer, str(new_key)), substitutions, problems
            )
        return copied
    if isinstance(value, (list, tuple)):
        return [
            _substitute(item, pointer_join(pointer, index), substitutions, problems)
            for index, item in enumerate(value)
        ]
    if substitutions is not None and isinstance(value, str) and "${" in value:
        return _substitute_string(value, pointer, substitutions, problems, whole=True)
    return value


def _substitute_string(
    text: str,
    pointer: str,
    substitutions: Mapping[str, Any],
    problems: Problems,
    *,
    whole: bool,
) -> Any:
    whole_match = _PLACEHOLDER.fullmatch(text) if whole else None
    if whole_match and whole_match.group(1) in substitutions:
        return _substitute(substitutions[whole_match.group(1)], pointer, None, problems)
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in substitutions:
            return _render(substitutions[name])
        missing.append(name)
        return match.group(0)

    result = _PLACEHOLDER.sub(replace, text)
    for name in missing:
        given = ", ".join(repr(key) for key in substitutions) or "none"
        problems.add(pointer, f"no value for placeholder '${{{name}}}'; substitutions given: {given}")
    return result
