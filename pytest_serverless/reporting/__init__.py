"""Coverage of state machines and gateway routes, as data (``coverage``), and its reports (``render``: term
and json; ``html``: pages with the state graph as SVG). Imports nothing from pytest: the pytest side is
``pytest_serverless.plugin.coverage`` and ``pytest_serverless.plugin.contracts``;
``python -m pytest_serverless.reporting`` combines data files and reports outside pytest.
"""

from __future__ import annotations

from .coverage import DATA_FILE, ApiCoverage, CoverageData, MachineCoverage, MachineSummary, trace_execution
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
