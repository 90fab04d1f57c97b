"""Coverage of state machines and gateway routes, as data (``coverage``), and its reports (``render``: term
and json; ``html``: pages with the state graph as SVG). Imports nothing from pytest: the pytest side is
``pytest_serverless.plugin.coverage`` and ``pytest_serverless.plugin.contracts``;
``python -m pytest_serverless.reporting`` combines data files and reports outside pytest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_serverless._lazy import lazy_exports

if TYPE_CHECKING:
    from .coverage import ApiCoverage, CoverageData, MachineCoverage, MachineSummary, trace_execution
    from .graph import MachineGraph, Transition

__all__ = [
    "DATA_FILE",
    "ApiCoverage",
    "CoverageData",
    "MachineCoverage",
    "MachineGraph",
    "MachineSummary",
    "Transition",
    "trace_execution",
]

# The data file's default name: here, so that the plugin's options name it without importing the coverage
# model (imported on first use, as the other names below: a session without a coverage report never does).
DATA_FILE = ".sfn-coverage.json"

_LAZY = {
    "ApiCoverage": ".coverage",
    "CoverageData": ".coverage",
    "MachineCoverage": ".coverage",
    "MachineSummary": ".coverage",
    "trace_execution": ".coverage",
    "MachineGraph": ".graph",
    "Transition": ".graph",
}

__getattr__ = lazy_exports(__name__, _LAZY, globals())
