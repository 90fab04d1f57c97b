"""Static validation of an Amazon States Language definition, before anything runs.

``validate_definition(definition)`` returns every problem at once as ``(json_pointer, message)`` pairs, in
document order. The modules:

- ``machines.py``: ``validate_definition``; walks machines (the top level, Parallel branches, Map item
  processors), their fields, state names and transition graphs (unknown targets, unreachable states, no
  terminal state);
- ``states.py``: the fields of each state type (``StateChecker``);
- ``flow.py``: Choice rules, Retry and Catch (``FlowChecker``);
- ``fields.py``: typed scalars, paths, payload templates and variables (``FieldChecker``, the base of both);
- ``syntax.py``: the strings inside them: JSONPath and reference paths, intrinsic functions, JSONata.
"""

from __future__ import annotations

from pytest_serverless.asl.validation.machines import (
    MAX_DEFINITION_BYTES,
    MAX_STATE_NAME_LENGTH,
    validate_definition,
)

__all__ = ["MAX_DEFINITION_BYTES", "MAX_STATE_NAME_LENGTH", "validate_definition"]
