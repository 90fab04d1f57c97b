"""Setting environment variables for a while and restoring them, cheaply (a leaf: imports nothing of ours).

A Lambda handler runs with its function's variables in ``os.environ`` (at import and at each call), the
botocore bridge with fake credentials and a region; every test pays for these sets and restores, so they
skip ``os.environ``'s per-item encoding: the variables are encoded once (``encode``) and written as
``os.environ`` itself writes them on POSIX (``putenv`` and its ``_data`` mapping). Elsewhere (Windows keys
are case-insensitive) the plain ``os.environ`` operations run.

``apply`` sets only the values that differ (a value ``None`` unsets the variable) and returns every value as
it was; ``restore`` puts back those that differ now, so a variable the code changed while it ran is undone
too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

__all__ = ["Encoded", "Saved", "apply", "encode", "restore"]

Encoded = tuple[tuple[object, object], ...]  # (key, value) as os.environ stores them
Saved = list[object]  # each variable's stored value before (None: unset), in the order of the Encoded

_DATA: dict[object, object] | None = getattr(os.environ, "_data", None)
_FAST = (
    os.name == "posix" and isinstance(_DATA, dict) and os.supports_bytes_environ and hasattr(os, "unsetenv")
)


def encode(variables: Mapping[str, object]) -> Encoded:
    """``variables`` (values made ``str``; ``None``: unset) as ``os.environ`` stores them."""
    convert = os.fsencode if _FAST else (lambda text: text)
    return tuple(
        (convert(name), None if value is None else convert(str(value))) for name, value in variables.items()
    )


def apply(variables: Encoded) -> Saved:
    """Set ``variables`` (only those that differ); the values before, for ``restore``."""
    if not _FAST:
        return _apply_plain(variables)
    data = _DATA
    assert data is not None
    putenv = os.putenv
    saved: Saved = []
    for key, value in variables:
        before = data.get(key)
        saved.append(before)
        if before != value:
            if value is None:
                os.unsetenv(key)  # type: ignore[arg-type]
                del data[key]
            else:
                putenv(key, value)  # type: ignore[arg-type]
                data[key] = value
    return saved


def restore(variables: Encoded, saved: Sequence[object]) -> None:
    """Put back every variable of ``variables`` whose value now differs from ``saved``."""
    if not _FAST:
        _restore_plain(variables, saved)
        return
    data = _DATA
    assert data is not None
    for (key, _), before in zip(variables, saved, strict=True):
        if data.get(key) == before:
            continue
        if before is None:
            os.unsetenv(key)  # type: ignore[arg-type]
            data.pop(key, None)
        else:
            os.putenv(key, before)  # type: ignore[arg-type]
            data[key] = before


def _apply_plain(variables: Encoded) -> Saved:
    environ = os.environ
    saved: Saved = []
    for key, value in variables:
        before = environ.get(str(key))
        saved.append(before)
        if before != value:
            if value is None:
                del environ[str(key)]
            else:
                environ[str(key)] = str(value)
    return saved


def _restore_plain(variables: Encoded, saved: Sequence[object]) -> None:
    environ = os.environ
    for (key, _), before in zip(variables, saved, strict=True):
        name = str(key)
        if environ.get(name) == before:
            continue
        if before is None:
            environ.pop(name, None)
        else:
            environ[name] = str(before)
