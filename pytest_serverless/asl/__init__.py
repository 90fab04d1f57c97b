"""The Amazon States Language engine. Knows nothing of pytest or the gateway.

``StateMachine(definition).execute(input, mocks=...)`` runs a definition in process on a virtual clock and
returns an ``Execution``; runtime ``States.*`` errors end the execution FAILED (see ``states_errors``).
"""

from __future__ import annotations

from .machine import Execution, StateMachine, TaskCall
from .mocks import MockConfig, load_mock_config
from .states_errors import StatesError, StatesErrorName, error_matches

__all__ = [
    "Execution",
    "MockConfig",
    "StateMachine",
    "StatesError",
    "StatesErrorName",
    "TaskCall",
    "error_matches",
    "load_mock_config",
]
