"""A small cache of read templates, so a suite loading one template per test reads it once.

The key is the template's path, a digest of its bytes and the parameter overrides; an entry also remembers
the digests of the other local files read into it (``AWS::Include``, OpenAPI bodies, ``DefinitionUri``
definitions) and is dropped when any of them changed. An entry keeps the template's ``Blueprint``
(``blueprint.py``): the one read-only ``Template`` and ``TemplateModel`` every app of it is built from
(nothing changes them), what those apps share, and a function making a private copy of the pair (unpickled
from the read, kept pickled: a deep copy, 4x faster than ``copy.deepcopy``): an app's public ``model`` and
``template`` are such copies, made on first access, so nothing mutable is shared between apps.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pytest_serverless._cache import BoundedCache

from .blueprint import Blueprint
from .cloudformation import Template
from .model import TemplateModel
from .yaml_cfn import MAX_FILE_BYTES

__all__ = ["TemplateCache"]

Read = tuple[Template, TemplateModel]
_Key = tuple[str, str, str]


# keyed by the path's text: hashing a new ``Path`` costs more than the ``stat``
_DIGESTS: BoundedCache[str, tuple[int, int, str]] = BoundedCache(1024)


def _digest(path: str) -> str | None:
    """The file's SHA-256, recomputed only when its modification time or size changed (one ``stat`` when
    they did not); ``None`` for anything but a regular file of at most 1 MB (``/dev/zero`` never ends): the
    reader then reports it."""
    try:
        found = os.stat(path)
        if not stat.S_ISREG(found.st_mode) or found.st_size > MAX_FILE_BYTES:
            return None
        known = _DIGESTS.get(path)
        if known is not None and known[0] == found.st_mtime_ns and known[1] == found.st_size:
            return known[2]
        with open(path, "rb") as file:
            digest = hashlib.sha256(file.read()).hexdigest()
    except (OSError, ValueError):  # ValueError: a NUL byte in the path
        return None
    _DIGESTS.put(path, (found.st_mtime_ns, found.st_size, digest))
    return digest


_NO_PARAMETERS = "{}"


def _parameters_key(parameters: Mapping[str, Any] | None) -> str:
    if not parameters:
        return _NO_PARAMETERS
    return json.dumps(dict(parameters), sort_keys=True, default=repr)


# (working directory, path as given) -> the resolved path
_RESOLVED: BoundedCache[tuple[str, str], str] = BoundedCache(1024)


def _resolved(given: str) -> str:
    """``str(Path(given).resolve())``, worked out once per path as given (and working directory)."""
    where = (given, "") if os.path.isabs(given) else (given, os.getcwd())
    known = _RESOLVED.get(where)
    if known is None:
        known = _RESOLVED.put(where, str(Path(given).resolve()))
    return known


def _thaw(frozen: bytes) -> Read:
    template, model = pickle.loads(frozen)  # noqa: S301 - bytes this process pickled itself
    return template, model


class TemplateCache:
    """The blueprints of the least recently read templates, at most ``size`` of them."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        # key -> (the digests of the other files read into it, its blueprint)
        self._entries: OrderedDict[_Key, tuple[tuple[tuple[str, str | None], ...], Blueprint]] = OrderedDict()

    def blueprint(
        self,
        source: Path,
        parameters: Mapping[str, Any] | None,
        reader: Callable[[Path, Mapping[str, Any] | None], Read],
    ) -> Blueprint:
        """The template's blueprint: kept while the template and its files stay as they were read."""
        given = os.fspath(source)
        digest = _digest(given)
        if digest is None:  # unreadable: let the reader report it
            template, model = reader(source, parameters)
            return Blueprint(template, model, lambda: (template, model))
        key = (_resolved(given), digest, _parameters_key(parameters))
        entry = self._entries.get(key)
        if entry is not None and all(_digest(file) == known for file, known in entry[0]):
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]
        self.misses += 1
        template, model = reader(source, parameters)
        files = tuple((text, _digest(text)) for text in map(os.fspath, template.files))
        try:
            frozen = pickle.dumps((template, model), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):  # an odd value in the template: no cache
            copies = [(template, model)]
            return Blueprint(template, model, lambda: copies.pop() if copies else reader(source, parameters))
        # the blueprint's pair is a thawed copy too: nothing the reader kept a reference to is shared
        shared = _thaw(frozen)
        found = Blueprint(*shared, lambda: _thaw(frozen))
        self._entries[key] = (files, found)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return found

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
