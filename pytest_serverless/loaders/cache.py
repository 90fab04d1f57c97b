"""A small cache of read templates, so a suite loading one template per test parses it once.

The key is the template's path, a digest of its bytes and the parameter overrides; an entry also remembers
the digests of the other local files read into it (``AWS::Include``, OpenAPI bodies) and is dropped when any
of them changed. ``read`` gives each call its own copy of the ``Template`` and ``TemplateModel`` (unpickled
from the entry: a deep copy, 4x faster than ``copy.deepcopy``). ``read_shared`` gives the entry's one
read-only pair, which ``load_template`` builds apps from (it never changes them), with a function that makes a
private copy: an app's public ``model`` and ``template`` are such copies, made on first access, so nothing
mutable is shared between apps, and each app still builds fresh gateways, state machines, handlers and clocks.
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

from .cloudformation import Template
from .model import TemplateModel
from .yaml_cfn import MAX_FILE_BYTES

__all__ = ["TemplateCache"]

Read = tuple[Template, TemplateModel]
_Key = tuple[str, str, str]


_DIGESTS: BoundedCache[Path, tuple[int, int, str]] = BoundedCache(1024)


def _digest(path: Path) -> str | None:
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
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
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


def _resolved(source: Path) -> str:
    """``str(source.resolve())``, worked out once per path as given (and working directory)."""
    given = str(source)
    where = (given, "") if os.path.isabs(given) else (given, os.getcwd())
    known = _RESOLVED.get(where)
    if known is None:
        known = _RESOLVED.put(where, str(source.resolve()))
    return known


def _thaw(frozen: bytes) -> Read:
    template, model = pickle.loads(frozen)  # noqa: S301 - bytes this process pickled itself
    return template, model


class TemplateCache:
    """Least recently used ``(Template, TemplateModel)`` pairs, at most ``size`` of them."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[_Key, tuple[bytes, tuple[tuple[Path, str | None], ...]]] = OrderedDict()
        self._shared: dict[_Key, Read] = {}

    def read(
        self,
        source: Path,
        parameters: Mapping[str, Any] | None,
        reader: Callable[[Path, Mapping[str, Any] | None], Read],
    ) -> Read:
        """A private copy of the read template."""
        template, model, copy = self.read_shared(source, parameters, reader)
        return copy()

    def read_shared(
        self,
        source: Path,
        parameters: Mapping[str, Any] | None,
        reader: Callable[[Path, Mapping[str, Any] | None], Read],
    ) -> tuple[Template, TemplateModel, Callable[[], Read]]:
        """The entry's read-only pair (never change it) and a function making a private copy of it."""
        digest = _digest(source)
        if digest is None:  # unreadable: let the reader report it
            template, model = reader(source, parameters)
            return template, model, lambda: (template, model)
        key = (_resolved(source), digest, _parameters_key(parameters))
        entry = self._entries.get(key)
        if entry is not None and all(_digest(file) == known for file, known in entry[1]):
            self._entries.move_to_end(key)
            self.hits += 1
            shared = self._shared.get(key)
            if shared is None:
                shared = self._shared[key] = _thaw(entry[0])
            frozen = entry[0]
            return shared[0], shared[1], lambda: _thaw(frozen)
        self.misses += 1
        template, model = reader(source, parameters)
        files = tuple((file, _digest(file)) for file in template.files)
        try:
            frozen = pickle.dumps((template, model), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):  # an odd value in the template: no cache
            copies = [(template, model)]
            return template, model, lambda: copies.pop() if copies else reader(source, parameters)
        self._entries[key] = (frozen, files)
        self._entries.move_to_end(key)
        shared = self._shared[key] = _thaw(frozen)
        while len(self._entries) > self.size:
            old, _ = self._entries.popitem(last=False)
            self._shared.pop(old, None)
        return shared[0], shared[1], lambda: _thaw(frozen)

    def clear(self) -> None:
        self._entries.clear()
        self._shared.clear()

    def __len__(self) -> int:
        return len(self._entries)
