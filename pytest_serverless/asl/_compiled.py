"""Definitions loaded, validated and parsed once per process: a suite that builds the same machine in every
test (``sfn(definition)``, a template's state machines) pays for the checks once.

The key is the definition as given (a dict, JSON/YAML text, or a file path with the file's modification
time and size) and the substitutions. Only valid definitions are kept. Every machine made from one key shares
the loaded definition dict and the parsed ``Program`` (frozen dataclasses), which nothing in the engine
mutates.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from . import model as m

__all__ = ["compile_definition"]

_SIZE = 256
_CACHE: OrderedDict[tuple[str, str], tuple[dict[str, Any], m.Program]] = OrderedDict()


def _key(definition: Any, substitutions: Mapping[str, Any] | None) -> tuple[str, str] | None:
    if isinstance(definition, dict):
        try:
            text = json.dumps(definition, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            return None
    elif isinstance(definition, str) and ("\n" in definition or definition.lstrip().startswith("{")):
        text = "text:" + definition
    elif isinstance(definition, (str, os.PathLike)):  # a file: keyed by its state, it may change
        try:
            stat = os.stat(definition)
        except (OSError, ValueError):
            return None
        text = f"file:{os.path.abspath(definition)}:{stat.st_mtime_ns}:{stat.st_size}"
    else:
        return None
    try:
        return text, json.dumps(dict(substitutions or {}), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None


def compile_definition(
    definition: Any, substitutions: Mapping[str, Any] | None
) -> tuple[dict[str, Any], m.Program]:
    """``(loaded definition, Program)``; raises ``InvalidDefinition`` listing every problem."""
    from pytest_serverless.errors import InvalidDefinition

    key = _key(definition, substitutions)
    if key is not None:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    from .definition import load_definition
    from .parse import parse_definition
    from .validate import validate_definition

    loaded = load_definition(definition, substitutions)
    if not isinstance(loaded, dict):
        raise InvalidDefinition([("", "the definition must be a JSON object")])
    problems = validate_definition(loaded)
    if problems:
        raise InvalidDefinition(problems)
    compiled = (loaded, parse_definition(loaded))
    if key is not None:
        _CACHE[key] = compiled
        while len(_CACHE) > _SIZE:
            _CACHE.popitem(last=False)
    return compiled
