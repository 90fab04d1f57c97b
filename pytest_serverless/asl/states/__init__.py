"""Which runner runs which state kind: the one place that knows every state module.

``RUNNERS[type(state)](interp, state, value, frame, run)`` returns ``(next, output)``, or a generator
returning it for states that wait (Wait, Task, Parallel, Map). One module per state kind (``pass_``,
``task``, ``choice``, ``wait``, ``succeed``, ``fail``, ``parallel``, ``map``); ``_fanout`` holds the child
threads Parallel and Map share. The interpreter gets this table from ``StateMachine`` and imports none of
the state modules, so the import graph of ``asl/`` stays acyclic: adding a state kind is its module plus
one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl.states.choice import run_choice
from pytest_serverless.asl.states.fail import run_fail
from pytest_serverless.asl.states.map import run_map
from pytest_serverless.asl.states.parallel import run_parallel
from pytest_serverless.asl.states.pass_ import run_pass
from pytest_serverless.asl.states.succeed import run_succeed
from pytest_serverless.asl.states.task import run_task
from pytest_serverless.asl.states.wait import run_wait

__all__ = ["RUNNERS"]

RUNNERS: dict[type, Callable[..., Any]] = {
    m.PassState: run_pass,
    m.TaskState: run_task,
    m.ChoiceState: run_choice,
    m.WaitState: run_wait,
    m.SucceedState: run_succeed,
    m.FailState: run_fail,
    m.ParallelState: run_parallel,
    m.MapState: run_map,
}
