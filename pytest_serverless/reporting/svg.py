"""One execution drawn as the coverage report draws a machine: the whole graph, the states entered and the
transitions taken highlighted (``Execution.to_svg()``, ``--serverless-artifacts``)."""

from __future__ import annotations

from typing import Any

from .coverage import CoverageData
from .html import machine_svg

__all__ = ["execution_svg"]


def execution_svg(execution: Any, definition: Any = None, name: str | None = None) -> str:
    """The ``<svg>`` of the execution's machine with its path highlighted."""
    machine = getattr(execution, "state_machine", None)
    if definition is None:
        definition = getattr(machine, "definition", None)
    if not isinstance(definition, dict):
        raise ValueError("to_svg() needs the execution's state machine definition")
    label = name or str(getattr(machine, "logical_id", None) or getattr(machine, "name", "StateMachine"))
    return machine_svg(CoverageData().add_execution(label, definition, execution))
