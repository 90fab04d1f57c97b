"""The Amazon States Language engine. Knows nothing of pytest or the gateway.

``StateMachine(definition).execute(input, mocks=...)`` runs a definition in process on a virtual clock and
returns an ``Execution``; runtime ``States.*`` errors end the execution FAILED (see ``states_errors``).

The names below are imported on first use: a module that needs only ``states_errors`` (the coverage report
does, and the pytest plugin loads it in every session) does not pay for the whole engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_serverless._lazy import lazy_exports

if TYPE_CHECKING:
    from .machine import Execution, StateMachine, StepFunctions, TaskCall
    from .mocks import MockConfig, load_mock_config
    from .service import WaitingTask
    from .states_errors import StatesError, StatesErrorName, error_matches

__all__ = [
    "Execution",
    "MockConfig",
    "StateMachine",
    "StatesError",
    "StatesErrorName",
    "StepFunctions",
    "TaskCall",
    "WaitingTask",
    "error_matches",
    "load_mock_config",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "Execution": ".machine",
        "StateMachine": ".machine",
        "TaskCall": ".machine",
        "StepFunctions": ".machine",
        "WaitingTask": ".service",
        "MockConfig": ".mocks",
        "load_mock_config": ".mocks",
        "StatesError": ".states_errors",
        "StatesErrorName": ".states_errors",
        "error_matches": ".states_errors",
    },
    globals(),
)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
