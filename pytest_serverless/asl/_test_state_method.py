"""``StateMachine.test_state``, the descriptor: the TestState machinery (``test_state.py`` and its request and
scope modules) is imported on the first call, not with the engine, as few suites use it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from .machine import StateMachine
    from .test_state import TestStateResult

__all__ = ["TestStateMethod"]


class TestStateMethod:
    """``StateMachine.test_state``: ``sm.test_state(state_name, input, ...)`` on a machine,
    ``StateMachine.test_state(state_definition, input, ...)`` on the class."""

    @overload
    def __get__(self, instance: None, owner: type[StateMachine]) -> Callable[..., TestStateResult]: ...

    @overload
    def __get__(
        self, instance: StateMachine, owner: type[StateMachine]
    ) -> Callable[..., TestStateResult]: ...

    def __get__(
        self, instance: StateMachine | None, owner: type[StateMachine]
    ) -> Callable[..., TestStateResult]:
        from .test_state import run_test_state  # the first call imports the machinery

        if instance is None:  # the machine class comes from here: this module never imports machine.py
            return functools.partial(run_test_state, owner)
        return functools.partial(run_test_state, instance)
