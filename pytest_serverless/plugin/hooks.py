"""The pytest hooks of the plugin: options, markers, per-test records, checks after the test, reports."""

from __future__ import annotations

import gc
import inspect
import linecache
import os
import sys
from collections.abc import Generator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, Literal, TypeGuard

import pytest

from pytest_serverless import __version__, hookspecs
from pytest_serverless.errors import InternalError, ServerlessError, UnemulatedCall, UsageError
from pytest_serverless.hookspecs import IntegrationRegistry

from ._record import TestRecord
from .assertions import describe_outcome, explain_path, explain_status
from .markers import (
    MARKER_HELP,
    UnusedMockWarning,
    parse_expect_path,
    parse_expect_status,
    parse_mock_tasks,
    parse_serverless_template,
)

__all__ = ["flag_plugin_error", "record_for", "template_path"]

_RECORD = pytest.StashKey[TestRecord]()
_CURRENT = pytest.StashKey["pytest.Item | None"]()
_DISTRIBUTION = "pytest-serverless-contracts"
_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "RUNNING"})


# section: options, hooks, markers


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("serverless", "pytest_serverless (Step Functions and API Gateway in process)")
    group.addoption(
        "--serverless-template",
        dest="serverless_template",
        default=None,
        metavar="PATH",
        help="SAM / CloudFormation template for the serverless_app fixture "
        "(overrides the serverless_template ini option).",
    )
    group.addoption(
        "--serverless-artifacts",
        dest="serverless_artifacts",
        default=None,
        metavar="DIR",
        help="for each failing test, write DIR/<test>/ (DIR relative to the rootdir) with each execution's "
        "history as JSON and an SVG of its machine with the path taken.",
    )
    parser.addini(
        "serverless_template",
        "SAM / CloudFormation template for the serverless_app fixture (relative to the ini file).",
        type="string",
        default="",
    )
    parser.addini(
        "serverless_mock_validation",
        "how task mock results are checked against the AWS service models: PRESENT (the default: present "
        "members typed as the model says), STRICT (also every required member present) or NONE; a "
        "StateMachine's mock_validation= keyword wins.",
        type="string",
        default="",
    )
    parser.addini(
        "serverless_gc_freeze",
        "freeze the garbage collector's view of what exists when collection ends (gc.freeze) for the test "
        "loop, and unfreeze it after: each test then pays no cyclic-collection work over pytest's collected "
        "items (true, the default; false leaves the collector alone).",
        type="bool",
        default=True,
    )
    # --sfn-coverage, --sfn-coverage-fail-under and --serverless-contracts are added by plugin/coverage.py and
    # plugin/contracts.py (issue 7).


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_configure(config: pytest.Config) -> None:
    for text in MARKER_HELP.values():
        config.addinivalue_line("markers", text)
    config.stash[_CURRENT] = None


_TEMPLATE_PATH = pytest.StashKey["Path | None"]()


def template_path(config: pytest.Config) -> Path | None:
    """The template the serverless_app fixture loads: ``--serverless-template`` (relative to the invocation
    directory), else the ``serverless_template`` ini option (relative to the ini file), else None. Worked
    out once per session."""
    if _TEMPLATE_PATH not in config.stash:
        config.stash[_TEMPLATE_PATH] = _template_path(config)
    return config.stash[_TEMPLATE_PATH]


def _template_path(config: pytest.Config) -> Path | None:
    option = config.getoption("serverless_template", None)
    if option:
        return Path(config.invocation_params.dir, option)
    value = str(config.getini("serverless_template") or "").strip()
    if not value:
        return None
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return Path(base, value)


def pytest_report_header(config: pytest.Config) -> str:
    path = template_path(config)
    template = "none" if path is None else _relative(path, config.rootpath)
    parts = [f"serverless: {_DISTRIBUTION} {__version__}", f"template: {template}"]
    # the options of issue 7 in force, as given (plugin/coverage.py and plugin/contracts.py validate them)
    coverage = config.getoption("sfn_coverage", None)
    if coverage:
        parts.append(f"sfn-coverage: {','.join(str(value) for value in coverage)}")
    fail_under = config.getoption("sfn_coverage_fail_under", None)
    if fail_under is not None:
        parts.append(f"fail-under: {str(fail_under).rstrip('%')}%")
    contracts = config.getoption("serverless_contracts", None)
    if contracts:
        parts.append(f"contracts: {contracts}")
    return ", ".join(parts)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


# section: one record per test


class _NodeHooks:
    """Calls the plugin hooks through the test's node, so conftest.py files apply to the tests below them."""

    __slots__ = ("_ihook", "_item", "_observed")

    def __init__(self, item: pytest.Item) -> None:
        self._item = item
        self._ihook: Any = None
        self._observed: bool | None = None

    @property
    def ihook(self) -> Any:
        if self._ihook is None:  # looked up once per test (each lookup walks the conftest files)
            self._ihook = self._item.ihook
        return self._ihook

    def register_integrations(self, registry: IntegrationRegistry) -> None:
        # no implementation anywhere (plugins and conftest.py files all register with the plugin manager):
        # nothing to ask the test's node
        if not self._item.config.hook.pytest_serverless_register_integrations.get_hookimpls():
            return
        self.ihook.pytest_serverless_register_integrations(registry=registry)

    @property
    def observed(self) -> bool:
        """Whether an observer hook has work for this test: an implementation other than the plugin's own
        coverage and contracts, or those two when active (a report asked for, a contract checked)."""
        if self._observed is None:
            self._observed = _observed(self._item)
        return self._observed

    def execution_finished(self, execution: Any, state_machine: Any) -> None:
        if self.observed:
            self.ihook.pytest_serverless_execution_finished(
                execution=execution, state_machine=state_machine, item=self._item
            )

    def gateway_response(self, request: Any, response: Any) -> None:
        if self.observed:
            self.ihook.pytest_serverless_gateway_response(request=request, response=response, item=self._item)


def _observed(item: pytest.Item) -> bool:
    from . import contracts, coverage

    hook = item.config.hook
    own = (contracts, coverage)
    for caller in (hook.pytest_serverless_execution_finished, hook.pytest_serverless_gateway_response):
        if any(impl.plugin not in own for impl in caller.get_hookimpls()):
            return True
    return coverage.observing(item.config) or contracts.observing(item)


def _build_record(item: pytest.Item) -> TestRecord:
    """Validate the test's markers (closest first) into a fresh record. Raises UsageError."""
    mock_marks: list[tuple[pytest.Mark, str, bool]] = []
    path_marks: list[tuple[pytest.Item | Any, pytest.Mark]] = []
    status_marks: list[tuple[pytest.Item | Any, pytest.Mark]] = []
    template_marks: list[tuple[pytest.Item | Any, pytest.Mark]] = []
    for node, mark in item.iter_markers_with_node():  # one walk of the node chain, closest first
        name = mark.name
        if name == "mock_task":
            mock_marks.append((mark, node.nodeid, node is item))
        elif name == "expect_path":
            path_marks.append((node, mark))
        elif name == "expect_status":
            status_marks.append((node, mark))
        elif name == "serverless_template":
            template_marks.append((node, mark))
    mocks = parse_mock_tasks(mock_marks)
    # every marker is validated, the closest one is used
    for node, mark in template_marks:
        parse_serverless_template(mark, node.nodeid)  # a wrong marker fails its tests, used or not
    paths = [parse_expect_path(mark, node.nodeid) for node, mark in path_marks]
    statuses = [parse_expect_status(mark, node.nodeid) for node, mark in status_marks]
    validation = str(item.config.getini("serverless_mock_validation") or "").strip() or None
    if validation is not None and validation not in ("PRESENT", "STRICT", "NONE"):
        raise UsageError(
            f"serverless_mock_validation = {validation}: the ini option takes PRESENT, STRICT or NONE"
        )
    return TestRecord(
        mock_validation=validation,
        label=item.nodeid,
        hooks=_NodeHooks(item),
        mocks=mocks,
        expect_path=paths[0] if paths else None,
        expect_status=statuses[0] if statuses else None,
    )


def record_for(node: pytest.Item) -> TestRecord:
    """The record of the test ``node`` (made when the test is set up)."""
    record: TestRecord | None = node.stash.get(_RECORD, None)
    if record is None:
        record = _build_record(node)
        node.stash[_RECORD] = record
    return record


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    __tracebackhide__ = True
    item.config.stash[_CURRENT] = item
    try:
        item.stash[_RECORD] = _build_record(item)
    except UsageError as error:
        raise flag_plugin_error(error) from None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    __tracebackhide__ = True
    record = item.stash.get(_RECORD, None)
    try:
        result = yield
    except BaseException:
        if record is not None:
            _add_failure_notes(item, record)
        raise
    if record is not None:
        try:
            record.check_after_call()
        except (UsageError, AssertionError, UnemulatedCall) as error:
            _add_failure_notes(item, record, mocks=False)
            raise flag_plugin_error(error) from None
        record.passed = True
    return result


def flag_plugin_error(error: BaseException) -> BaseException:
    """Mark an exception raised by the plugin itself (not by the test's code) for a message-only report."""
    error._serverless_plugin = True  # type: ignore[attr-defined]
    return error


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    excinfo = call.excinfo
    if excinfo is None or not report.failed:
        return report
    artifacts = item.config.getoption("serverless_artifacts", None)
    record = item.stash.get(_RECORD, None)
    if artifacts and record is not None and record.executions:
        _write_artifacts(Path(item.config.rootpath, artifacts), item, record)
    if getattr(excinfo.value, "_serverless_plugin", False):
        # the message says it all; the plugin's own frames would only hide it
        report.longrepr = excinfo.getrepr(style="value")
    elif (
        isinstance(excinfo.value, ServerlessError)
        and not isinstance(excinfo.value, InternalError)  # a bug report: its frames are the point
        and not item.config.getoption("fulltrace", False)
        and item.config.getoption("tbstyle", "auto") in ("auto", "long", "short")
    ):
        # UnmockedTask, InvalidDefinition...: a misuse raised deep in the engine; show the user's line that
        # made the call (its message names the state and the fix), not a page of the engine's frames
        report.longrepr = _repr_without_own_frames(item, excinfo)
    return report


def _write_artifacts(folder: Path, item: pytest.Item, record: TestRecord) -> None:
    """``folder/<test node id>/``: ``execution-N-<machine>.json`` (the history) and ``.svg`` (the path)."""
    import json
    import re

    from pytest_serverless.reporting.svg import execution_svg

    target = folder / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_")
    target.mkdir(parents=True, exist_ok=True)
    for number, (machine, execution) in enumerate(record.executions, start=1):
        name = str(getattr(machine, "logical_id", None) or getattr(machine, "name", "machine"))
        stem = target / f"execution-{number}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}"
        history = getattr(execution, "history", [])
        stem.with_suffix(".json").write_text(
            json.dumps(history, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        definition = getattr(machine, "definition", None)
        if isinstance(definition, dict):
            stem.with_suffix(".svg").write_text(execution_svg(execution, definition, name), encoding="utf-8")


_PACKAGE_DIR = Path(hookspecs.__file__).resolve().parent


def _is_own_frame(path: object) -> bool:
    """Whether a traceback entry's file is inside pytest_serverless (engine, gateway, loaders, plugin)."""
    try:
        return Path(str(path)).resolve().is_relative_to(_PACKAGE_DIR)
    except (OSError, ValueError):
        return False


def _repr_without_own_frames(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:
    """The failure as pytest shows it (``repr_failure``), the package's trailing frames left out."""
    from _pytest._code import Traceback

    default_filter = getattr(item, "_traceback_filter", None)

    def tbfilter(info: pytest.ExceptionInfo[BaseException]) -> Traceback:
        entries = list(default_filter(info) if callable(default_filter) else info.traceback)
        while len(entries) > 1 and _is_own_frame(entries[-1].path):
            entries.pop()
        return Traceback(entries)

    config = item.config
    style: Literal["long", "short"] = "short" if config.getoption("tbstyle", "auto") == "short" else "long"
    options: dict[str, Any] = {
        "funcargs": True,
        "abspath": Path.cwd() != config.invocation_params.dir,
        "showlocals": bool(config.getoption("showlocals", False)),
        "style": style,
        "tbfilter": tbfilter,
        "truncate_locals": _verbosity(config) <= 1,
    }
    if _GETREPR_TRUNCATES_ARGS:  # pytest 8.3+
        options["truncate_args"] = _verbosity(config) <= 2
    return excinfo.getrepr(**options)


_GETREPR_TRUNCATES_ARGS = "truncate_args" in inspect.signature(pytest.ExceptionInfo.getrepr).parameters


def _verbosity(config: pytest.Config) -> int:
    """``config.get_verbosity()`` (pytest 8.3+), or the ``-v`` count on older pytest."""
    get = getattr(config, "get_verbosity", None)
    if callable(get):
        return int(get())
    return int(getattr(config.option, "verbose", 0) or 0)


def _add_failure_notes(item: pytest.Item, record: TestRecord, *, mocks: bool = True) -> None:
    """A failing test's report sections: mocks that named nothing, and each execution's events."""
    notes = record.unknown_mocks(shared=True) if mocks else []
    if notes:
        item.add_report_section("call", "serverless", "\n".join(notes))
    if record.executions:
        from pytest_serverless.reporting.event_lines import execution_lines

        named = [
            (str(getattr(machine, "logical_id", None) or getattr(machine, "name", "?")), execution)
            for machine, execution in record.executions
        ]
        item.add_report_section("call", "serverless executions", "\n".join(execution_lines(named)))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    record = item.stash.get(_RECORD, None)
    try:
        result = yield
    finally:
        # the record (executions, responses, machines) goes with the test
        if record is not None:
            del item.stash[_RECORD]
        item.config.stash[_CURRENT] = None
    if record is not None and getattr(item.config.option, "xmlpath", None):
        _junit_properties(item, record)
    if record is not None:
        shared = item.config.stash.setdefault(_SHARED_MOCKS, {})
        for declared, matched in record.shared_marker_matches().items():
            shared[declared] = shared.get(declared, False) or matched
    if record is not None and record.passed:
        for message in record.unused_mocks():
            item.warn(UnusedMockWarning(message))
    return result


def _junit_properties(item: pytest.Item, record: TestRecord) -> None:
    """Each execution's path and status and each response's status as JUnit properties (as
    ``record_property`` adds them): ``serverless_execution`` and ``serverless_response``."""
    for machine, execution in record.executions:
        name = getattr(machine, "logical_id", None) or getattr(machine, "name", "?")
        path = " > ".join(getattr(execution, "path", []) or [])
        item.user_properties.append(("serverless_execution", f"{name}: {execution.status}: {path}"))
    for request, response in record.responses:
        line = f"{getattr(request, 'method', '?')} {getattr(request, 'path', '')}"
        item.user_properties.append(("serverless_response", f"{line}: {response.status_code}"))


# section: class- and module-level mock_task markers that never matched (merged across xdist workers)

_SHARED_MOCKS = pytest.StashKey[dict[str, bool]]()
_SHARED_KEY = "pytest_serverless_shared_mocks"


_FROZEN = [0]  # test loops running with the collector frozen (an in-process pytest run nests one)
_FREEZE_FROM = 200  # tests in the session: below, the one full collection costs more than the freeze saves


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    freeze = (
        len(getattr(session, "items", ())) >= _FREEZE_FROM  # an xdist controller runs no tests: none
        and bool(session.config.getini("serverless_gc_freeze"))
        and gc.isenabled()
        and not _FROZEN[0]
    )
    if freeze:
        # what exists now (pytest's items, modules, the test modules' objects) lives until the session ends:
        # one full collection (~30 ms; it also sets the collector's count of long-lived objects, so the next
        # full collections come rarely), then those objects leave the collector's generations, and no full
        # collection walks them again after every few tests; undone when the loop ends
        gc.collect()
        gc.freeze()
        _FROZEN[0] += 1
    try:
        result = yield
    finally:
        if freeze:
            _FROZEN[0] -= 1
            gc.unfreeze()
    workeroutput = getattr(session.config, "workeroutput", None)
    if isinstance(workeroutput, dict):
        known: dict[str, bool] = session.config.stash.get(_SHARED_MOCKS, {})
        workeroutput[_SHARED_KEY] = dict(known)
    return result


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    output = getattr(node, "workeroutput", None) or {}
    shared = node.config.stash.setdefault(_SHARED_MOCKS, {})
    for declared, matched in (output.get(_SHARED_KEY) or {}).items():
        shared[declared] = shared.get(declared, False) or bool(matched)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    never = sorted(
        declared for declared, matched in config.stash.get(_SHARED_MOCKS, {}).items() if not matched
    )
    if never:
        terminalreporter.write_sep("-", "serverless: mock_task markers that never matched")
        for declared in never:
            terminalreporter.write_line(
                f"{declared}: matched no Task state or resource of any state machine its tests made"
            )


# section: assertion explanations


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: object, right: object
) -> list[str] | None:
    """Explain ``assert execution.path == [...]`` and ``assert response.status_code == N`` for executions and
    responses the current test got through the fixtures."""
    if op != "==":
        return None
    item = config.stash.get(_CURRENT, None)
    record = item.stash.get(_RECORD, None) if item is not None else None
    if record is None:
        return None
    if _is_state_list(left) and _is_state_list(right):
        return _explain_paths(record, left, right)
    if isinstance(left, str) and isinstance(right, str) and left in _STATUSES and right in _STATUSES:
        # assert execution.status == "SUCCEEDED": how the most recent execution with that status ended
        for _, execution in reversed(record.executions):
            status = getattr(execution, "status", None)
            if status in (left, right):
                path = getattr(execution, "path", [])
                return [f"{left!r} == {right!r}", f"  {describe_outcome(execution)}", f"  path: {path!r}"]
    if _is_status(left) and _is_status(right) and _assertion_mentions("status"):
        # the most recent response whose status is one side
        for _, response in reversed(record.responses):
            status = getattr(response, "status_code", None)
            for actual, expected in ((left, right), (right, left)):
                if status == actual:
                    return [f"{left!r} == {right!r}", *explain_status(response, expected)[1:]]
    return None


def _explain_paths(record: TestRecord, left: Sequence[str], right: Sequence[str]) -> list[str] | None:
    """The most recent execution whose path is one side (by identity first, then by value), explained."""
    for by_identity in (True, False):
        for _, execution in reversed(record.executions):
            path = getattr(execution, "path", None)
            if not isinstance(path, list):
                continue
            for actual, expected in ((left, right), (right, left)):
                if path is actual if by_identity else path == list(actual):
                    return [f"{left!r} == {right!r}", *explain_path(execution, list(expected), "exact")]
    return None


def _assertion_mentions(word: str) -> bool:
    """Whether the source line of the failing ``assert`` mentions ``word`` (True when it cannot be read).

    Two ints say nothing of where they came from: ``assert len(items) == 200`` is not about a response, even
    when the test's last response answered 200.
    """
    frame: FrameType | None = sys._getframe(1)
    for _ in range(40):
        if frame is None:
            return True
        filename = frame.f_code.co_filename
        if not any(part in filename for part in _FRAMEWORK_FILES) and not _is_own_frame(filename):
            line = linecache.getline(filename, frame.f_lineno)
            return not line or word in line.lower()
        frame = frame.f_back
    return True


_FRAMEWORK_FILES = (f"{os.sep}_pytest{os.sep}", f"{os.sep}pluggy{os.sep}")


def _is_state_list(value: object) -> TypeGuard[Sequence[str]]:
    return isinstance(value, (list, tuple)) and all(isinstance(state, str) for state in value)


def _is_status(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599
