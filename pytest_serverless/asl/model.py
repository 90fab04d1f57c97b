"""The parsed, compiled form of a state machine: one frozen dataclass per state kind.

Built once per ``StateMachine`` by ``parse.py``; the interpreter only reads it. Fields hold compiled paths,
payload templates, intrinsic calls, Choice rules and JSONata templates, so nothing is parsed per execution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .paths import CompiledPath, PayloadTemplate

__all__ = [
    "JSONATA",
    "JSONPATH",
    "NULL_PATH",
    "Catcher",
    "ChoiceBranch",
    "ChoiceState",
    "FailState",
    "MapState",
    "ParallelState",
    "PassState",
    "Program",
    "Retrier",
    "State",
    "SucceedState",
    "TaskState",
    "WaitState",
]

JSONPATH = "JSONPath"
JSONATA = "JSONata"


class _NullPath:
    """``"InputPath": null`` / ``"ResultPath": null`` / ``"OutputPath": null``."""

    def __repr__(self) -> str:
        return "NULL_PATH"


NULL_PATH: Any = _NullPath()


@dataclass(frozen=True)
class Retrier:
    """One ``Retry`` entry of a Task, Parallel or Map state."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1.0
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_full: bool = False


@dataclass(frozen=True)
class Catcher:
    """One ``Catch`` entry of a Task, Parallel or Map state."""

    error_equals: tuple[str, ...]
    next: str
    result_path: Any = None  # CompiledPath | NULL_PATH | None (default "$")
    output: Any = None  # JsonataTemplate | None
    assign: Any = None  # PayloadTemplate | JsonataTemplate | None


@dataclass(frozen=True)
class State:
    """The fields every state kind has; one subclass per ``Type``."""

    name: str
    type: str
    query_language: str
    pointer: str
    next: str | None = None
    end: bool = False
    input_path: Any = None  # CompiledPath | NULL_PATH | None (default "$")
    output_path: Any = None
    output: Any = None  # JSONata Output template
    assign: Any = None  # PayloadTemplate (JSONPath) or JsonataTemplate
    assign_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class PassState(State):
    """A ``Pass`` state."""

    parameters: PayloadTemplate | None = None
    result: Any = None
    has_result: bool = False
    result_path: Any = None


@dataclass(frozen=True)
class TaskState(State):
    """A ``Task`` state."""

    resource: str = ""
    parameters: Any = None  # PayloadTemplate (JSONPath) | JsonataTemplate (Arguments)
    result_selector: PayloadTemplate | None = None
    result_path: Any = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    timeout_seconds: Any = None  # number | JsonataTemplate
    timeout_seconds_path: CompiledPath | None = None
    heartbeat_seconds: Any = None
    heartbeat_seconds_path: CompiledPath | None = None
    resource_template: Any = None  # Resource with a JSONata expression (rare)


@dataclass(frozen=True)
class ChoiceBranch:
    """One entry of a Choice state's ``Choices``: a JSONPath rule or a JSONata ``Condition``."""

    next: str
    rule: Any = None  # choice.ChoiceRule (JSONPath)
    condition: Any = None  # JsonataTemplate (JSONata)
    assign: Any = None
    output: Any = None
    pointer: str = ""


@dataclass(frozen=True)
class ChoiceState(State):
    """A ``Choice`` state."""

    choices: tuple[ChoiceBranch, ...] = ()
    default: str | None = None


@dataclass(frozen=True)
class WaitState(State):
    """A ``Wait`` state."""

    seconds: Any = None  # number | JsonataTemplate
    seconds_path: CompiledPath | None = None
    timestamp: Any = None  # str | JsonataTemplate
    timestamp_path: CompiledPath | None = None


@dataclass(frozen=True)
class SucceedState(State):
    """A ``Succeed`` state."""


@dataclass(frozen=True)
class FailState(State):
    """A ``Fail`` state."""

    error: Any = None  # str | JsonataTemplate
    cause: Any = None
    error_path: Any = None  # CompiledPath | intrinsic
    cause_path: Any = None


@dataclass(frozen=True)
class Program:
    """A ``StartAt`` + ``States`` block: the machine, a Parallel branch or a Map's processor."""

    start_at: str
    states: dict[str, State]
    query_language: str
    processor_mode: str = "INLINE"


@dataclass(frozen=True)
class ParallelState(State):
    """A ``Parallel`` state."""

    branches: tuple[Program, ...] = ()
    parameters: Any = None
    result_selector: PayloadTemplate | None = None
    result_path: Any = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True)
class MapState(State):
    """A ``Map`` state (inline or distributed)."""

    processor: Program | None = None
    distributed: bool = False
    express_children: bool = False  # DISTRIBUTED with ExecutionType EXPRESS: 5-minute child executions
    items_path: CompiledPath | None = None
    items: Any = None  # JSONata Items template
    item_selector: Any = None  # PayloadTemplate | JsonataTemplate
    item_reader: dict[str, Any] | None = None
    item_reader_template: Any = None
    item_batcher: dict[str, Any] | None = None
    item_batcher_template: Any = None  # JSONata ItemBatcher with expressions
    result_writer: dict[str, Any] | None = None
    max_concurrency: Any = 0
    max_concurrency_path: CompiledPath | None = None
    tolerated_failure_count: Any = None
    tolerated_failure_count_path: CompiledPath | None = None
    tolerated_failure_percentage: Any = None
    tolerated_failure_percentage_path: CompiledPath | None = None
    result_selector: PayloadTemplate | None = None
    result_path: Any = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
