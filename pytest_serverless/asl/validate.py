"""``validate_definition`` and its limits, where they have always been imported from; the checks live in
the ``asl/validation/`` package."""

from __future__ import annotations

from pytest_serverless.asl.validation import (
    MAX_DEFINITION_BYTES,
    MAX_STATE_NAME_LENGTH,
    validate_definition,
)

__all__ = ["MAX_DEFINITION_BYTES", "MAX_STATE_NAME_LENGTH", "validate_definition"]
