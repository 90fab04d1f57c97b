"""``StateMachine.test_state``, the descriptor: the TestState machinery (``test_state.py`` and its request and
scope modules) is imported on the first call, not with the engine, as few suites use it."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from .machine import StateMachine
    from .test_state import TestStateResult

__all__ = ["TestStateMethod"]

_MACHINERY = __name__.rpartition(".")[0] + ".test_state"
# (the machinery's module, its run_test_state) once imported: the next calls find it here, without an import
# statement, while that module is still the one imported (pytester's in-process runs drop modules)
_RUN: list[tuple[object, Callable[..., TestStateResult]]] = []


def _machinery() -> Callable[..., TestStateResult]:
    if _RUN and sys.modules.get(_MACHINERY) is _RUN[0][0]:
        return _RUN[0][1]
    from . import test_state

    _RUN[:] = [(test_state, test_state.run_test_state)]
    return test_state.run_test_state


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
        run_test_state = _machinery()  # the first call imports the machinery
        if instance is None:  # the machine class comes from here: this module never imports machine.py
            return functools.partial(run_test_state, owner)
        return functools.partial(run_test_state, instance)
