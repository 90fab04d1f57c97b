"""A small cache of read templates, so a suite loading one template per test parses it once.

The key is the template's path, a digest of its bytes and the parameter overrides; an entry also remembers
the digests of the other local files read into it (``AWS::Include``, OpenAPI bodies) and is dropped when any
of them changed. Every load gets its own copy of the ``Template`` and ``TemplateModel`` (unpickled from the
entry: a deep copy, 4x faster than ``copy.deepcopy``): nothing mutable is shared between apps, and each app
still builds fresh gateways, state machines, handlers and clocks.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .cloudformation import Template
from .model import TemplateModel
from .yaml_cfn import MAX_FILE_BYTES

__all__ = ["TemplateCache"]

Read = tuple[Template, TemplateModel]
_Key = tuple[str, str, str]


def _digest(path: Path) -> str | None:
    """The file's SHA-256; ``None`` for anything but a regular file of at most 1 MB (``/dev/zero`` never
    ends): the reader then reports it."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _parameters_key(parameters: Mapping[str, Any] | None) -> str:
    return json.dumps(dict(parameters or {}), sort_keys=True, default=repr)


class TemplateCache:
    """Least recently used ``(Template, TemplateModel)`` pairs, at most ``size`` of them."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[_Key, tuple[bytes, tuple[tuple[Path, str | None], ...]]] = OrderedDict()

    def read(
        self,
        source: Path,
        parameters: Mapping[str, Any] | None,
        reader: Callable[[Path, Mapping[str, Any] | None], Read],
    ) -> Read:
        digest = _digest(source)
        if digest is None:  # unreadable: let the reader report it
            return reader(source, parameters)
        key = (str(source.resolve()), digest, _parameters_key(parameters))
        entry = self._entries.get(key)
        if entry is not None and all(_digest(file) == known for file, known in entry[1]):
            self._entries.move_to_end(key)
            self.hits += 1
            template, model = pickle.loads(entry[0])  # noqa: S301 - bytes this process pickled itself
            return template, model
        self.misses += 1
        template, model = reader(source, parameters)
        files = tuple((file, _digest(file)) for file in template.files)
        try:
            frozen = pickle.dumps((template, model), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):  # an odd value in the template: no cache
            return template, model
        self._entries[key] = (frozen, files)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return template, model

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
