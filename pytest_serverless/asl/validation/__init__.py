"""Static validation of an Amazon States Language definition, before anything runs.

``validate_definition(definition)`` returns every problem at once as ``(json_pointer, message)`` pairs, in
document order. The modules:

- ``machines.py``: ``validate_definition``; walks machines (the top level, Parallel branches, Map item
  processors), their fields, state names and transition graphs (unknown targets, unreachable states, no
  terminal state);
- ``states.py``: the fields of each state type (``StateChecker``);
- ``flow.py``: Choice rules, Retry and Catch (``FlowChecker``);
- ``fields.py``: typed scalars, paths, payload templates and variables (``FieldChecker``, the base of both);
- ``syntax.py``: the strings inside them: JSONPath and reference paths, intrinsic functions, JSONata;
- ``problems.py``: ``Problems``, the one collector all checks ``add`` to (the parser, placeholder
  substitution and the Choice rule checks too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_serverless._lazy import lazy_exports

if TYPE_CHECKING:
    from .machines import MAX_DEFINITION_BYTES, MAX_STATE_NAME_LENGTH, validate_definition

__all__ = ["MAX_DEFINITION_BYTES", "MAX_STATE_NAME_LENGTH", "validate_definition"]

# lazy: the parser and placeholder substitution import ``problems.py`` alone
__getattr__ = lazy_exports(
    __name__,
    dict.fromkeys(__all__, ".machines"),
    globals(),
)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
