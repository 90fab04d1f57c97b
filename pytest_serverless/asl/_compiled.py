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
from collections.abc import Mapping
from typing import Any

from pytest_serverless._cache import BoundedCache

from . import model as m

__all__ = ["compile_definition"]

_SIZE = 256
_CACHE: BoundedCache[tuple[str, str], tuple[dict[str, Any], m.Program]] = BoundedCache(_SIZE)
# The same dict object given again (a module-level ``MACHINE`` built in every test) is found by identity: the
# entry holds the object (so its id is not reused), a JSON copy of it taken when it was keyed (a mutated dict,
# even deep inside, no longer compares equal and is keyed again), the substitutions' key, and the
# substitutions mapping given with a copy of it (the same mapping given again, unchanged, is not keyed again).
_BY_ID: BoundedCache[
    int,
    tuple[
        dict[str, Any],
        Any,
        str,
        tuple[dict[str, Any], m.Program],
        Mapping[str, Any] | None,
        dict[str, Any] | None,
    ],
] = BoundedCache(_SIZE)
_NO_SUBSTITUTIONS = "{}"


def _substitutions_key(substitutions: Mapping[str, Any] | None) -> str | None:
    if not substitutions:
        return _NO_SUBSTITUTIONS
    try:
        return json.dumps(dict(substitutions), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None


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
    substitutions_key = _substitutions_key(substitutions)
    return None if substitutions_key is None else (text, substitutions_key)


def compile_definition(
    definition: Any, substitutions: Mapping[str, Any] | None
) -> tuple[dict[str, Any], m.Program]:
    """``(loaded definition, Program)``; raises ``InvalidDefinition`` listing every problem."""
    from pytest_serverless.errors import InvalidDefinition

    if isinstance(definition, dict):
        known = _BY_ID.get(id(definition))
        if (
            known is not None
            and known[0] is definition
            and _same_substitutions(known, substitutions)
            and definition == known[1]
        ):
            return known[3]
    key = _key(definition, substitutions)
    if key is not None:
        hit = _CACHE.get(key)
        if hit is not None:
            _remember(definition, key, hit, substitutions)
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
        _CACHE.put(key, compiled)
        _remember(definition, key, compiled, substitutions)
    return compiled


def _same_substitutions(known: Any, substitutions: Mapping[str, Any] | None) -> bool:
    if substitutions is known[4] and (substitutions is None or known[5] == substitutions):
        return True
    return bool(known[2] == _substitutions_key(substitutions))


def _remember(
    definition: Any,
    key: tuple[str, str],
    compiled: tuple[dict[str, Any], m.Program],
    substitutions: Mapping[str, Any] | None,
) -> None:
    if not isinstance(definition, dict) or not key[0].startswith("{"):
        return
    # the copy is read back from the key's JSON text: equal to the dict exactly when the dict is unchanged
    # (a tuple where the JSON has a list compares unequal: keyed again, never wrong)
    # a copy only of flat values (a list inside could change unseen by a shallow copy): else keyed each time
    flat = substitutions is None or all(isinstance(v, (str, int, float)) for v in substitutions.values())
    copy = dict(substitutions) if substitutions is not None and flat else None
    _BY_ID.put(id(definition), (definition, json.loads(key[0]), key[1], compiled, substitutions, copy))
