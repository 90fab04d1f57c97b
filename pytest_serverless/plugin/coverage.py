"""``--sfn-coverage``: state, transition and route coverage of the test session, and its fail-under gate.

Observes executions and gateway responses through the plugin's own hooks
(``pytest_serverless_execution_finished``, ``pytest_serverless_gateway_response``); the machines and APIs a
test made but did not fully exercise are registered at the test's teardown, so they show their misses.
Under pytest-xdist each worker sends its data to the controller (``config.workeroutput``, merged in
``pytest_testnodedown``), as pytest-cov does; the controller writes the data file and the reports. The
data file (``.sfn-coverage.json``) can be combined with the next run's (``--sfn-coverage-append``).
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_serverless.reporting import DATA_FILE  # the rest of reporting: when a report is asked for

__all__ = ["CoverageSession"]

_SESSION = pytest.StashKey["CoverageSession"]()
_WORKER_KEY = "pytest_serverless_sfn_coverage"
_KINDS = ("term", "html", "json")
_DEFAULT_TARGETS = {"html": "sfn-coverage", "json": "sfn-coverage.json"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("serverless", "pytest_serverless (Step Functions and API Gateway in process)")
    group.addoption(
        "--sfn-coverage",
        dest="sfn_coverage",
        action="append",
        nargs="?",
        const="term",
        default=None,
        metavar="term|html|json",
        help="report state machine coverage (states and transitions) and gateway routes: term, html[:DIR] "
        "(default sfn-coverage/), json[:FILE] (default sfn-coverage.json); repeatable or comma-separated.",
    )
    group.addoption(
        "--sfn-coverage-fail-under",
        dest="sfn_coverage_fail_under",
        default=None,
        metavar="PCT",
        help="fail the session when the total state machine coverage is below PCT percent.",
    )
    group.addoption(
        "--sfn-coverage-data",
        dest="sfn_coverage_data",
        default=None,
        metavar="PATH",
        help="the coverage data file written at the end of the session "
        f"(default: {DATA_FILE} in the rootdir).",
    )
    group.addoption(
        "--sfn-coverage-append",
        dest="sfn_coverage_append",
        action="store_true",
        default=False,
        help="combine this session's coverage with the data file of earlier runs before reporting.",
    )


class CoverageSession:
    """What one pytest process records, and (on the controller) the reports at the end."""

    def __init__(
        self,
        *,
        reports: dict[str, Path | None],
        fail_under: float | None,
        data_file: Path,
        append: bool,
        worker: bool,
    ) -> None:
        self.reports = reports
        self.fail_under = fail_under
        self.data_file = data_file
        self.append = append
        self.worker = worker
        from pytest_serverless.reporting.coverage import CoverageData

        self.data = CoverageData()
        self.failure: str | None = None
        self.written: list[str] = []

    # recording

    def execution(self, execution: Any, state_machine: Any) -> None:
        definition = getattr(state_machine, "definition", None)
        if definition is None:
            state_machine = getattr(execution, "state_machine", None)
            definition = getattr(state_machine, "definition", None)
        if isinstance(definition, dict):
            self.data.add_execution(_label(state_machine, "StateMachine"), definition, execution)

    def machine(self, state_machine: Any) -> None:
        definition = getattr(state_machine, "definition", None)
        if isinstance(definition, dict):
            self.data.add_machine(_label(state_machine, "StateMachine"), definition)

    def gateway(self, gateway: Any) -> None:
        for api in dict(getattr(gateway, "apis", None) or {}).values():
            self.data.add_api(
                _label(api, "API"), str(getattr(api, "kind", "REST")), list(getattr(api, "routes", {}) or {})
            )

    def response(self, request: Any, response: Any, gateways: list[Any]) -> None:
        domain = str(getattr(request, "domain_name", "") or "")
        api_id = domain.partition(".")[0]
        name, kind = api_id or "(unknown API)", "REST"
        for gateway in gateways:
            for api in dict(getattr(gateway, "apis", None) or {}).values():
                if getattr(api, "id", None) == api_id:
                    name, kind = _label(api, "API"), str(getattr(api, "kind", "REST"))
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            self.data.add_response(name, kind, getattr(response, "route_key", None), status)

    # the end of the session

    def finish(self, rootpath: Path) -> None:
        """Write the data file and the file reports; decide the fail-under outcome (controller only)."""
        from pytest_serverless.reporting.coverage import CoverageData
        from pytest_serverless.reporting.render import json_text, under_threshold

        problem = None
        if self.append and self.data_file.is_file():
            try:
                earlier = CoverageData.load(self.data_file)
            except ValueError as error:
                problem = f"FAIL --sfn-coverage-append: {error} (not combined, overwritten)"
            else:
                earlier.merge(self.data)
                self.data = earlier
        self.data.save(self.data_file)
        for kind, target in self.reports.items():
            if kind == "html":
                assert target is not None
                from pytest_serverless.reporting.html import write_html  # only for html reports

                index = write_html(self.data, target)
                self.written.append(
                    f"state machine coverage html written to {_shown(index.parent, rootpath)}/"
                )
            elif kind == "json":
                assert target is not None
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json_text(self.data), encoding="utf-8")
                self.written.append(f"state machine coverage json written to {_shown(target, rootpath)}")
        if self.fail_under is not None:
            self.failure = under_threshold(self.data, self.fail_under)
        if problem is not None:
            self.failure = problem if self.failure is None else f"{problem}\n{self.failure}"

    def summary_lines(self) -> list[str]:
        from pytest_serverless.reporting.render import term_lines

        lines = term_lines(self.data) if "term" in self.reports else []
        return [*lines, *self.written]


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _parse_reports(values: list[str], base: Path) -> dict[str, Path | None]:
    reports: dict[str, Path | None] = {}
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            kind, _, target = part.partition(":")
            if kind not in _KINDS:
                raise pytest.UsageError(
                    f"--sfn-coverage: unknown report {kind!r}; use term, html[:DIR] or json[:FILE] "
                    f"(e.g. --sfn-coverage=term,html)"
                )
            if kind == "term":
                if target:
                    raise pytest.UsageError(f"--sfn-coverage: the term report takes no target ({part!r})")
                reports[kind] = None
            else:
                reports[kind] = base / (target or _DEFAULT_TARGETS[kind])
    return reports


def _fail_under(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(str(value).rstrip("%"))
    except ValueError:
        number = -1.0
    if not 0 <= number <= 100:
        raise pytest.UsageError(
            f"--sfn-coverage-fail-under: expected a percentage from 0 to 100, got {value!r}"
        )
    return number


def pytest_configure(config: pytest.Config) -> None:
    values = config.getoption("sfn_coverage", None) or []
    fail_under = _fail_under(config.getoption("sfn_coverage_fail_under", None))
    if not values and fail_under is None:
        return
    base = Path(config.invocation_params.dir)
    data_option = config.getoption("sfn_coverage_data", None)
    config.stash[_SESSION] = CoverageSession(
        reports=_parse_reports(values, base),
        fail_under=fail_under,
        data_file=base / data_option if data_option else config.rootpath / DATA_FILE,
        append=bool(config.getoption("sfn_coverage_append", False)),
        worker=hasattr(config, "workerinput"),
    )


def _label(thing: Any, default: str) -> str:
    """A machine's or API's logical id when it came from a template, else its name: reports never carry
    physical names derived from the checkout folder."""
    return str(getattr(thing, "logical_id", None) or getattr(thing, "name", None) or default)


def _session(config: pytest.Config) -> CoverageSession | None:
    return config.stash.get(_SESSION, None)


def observing(config: pytest.Config) -> bool:
    """Whether this plugin's observer hooks have anything to do (a coverage report was asked for)."""
    return _session(config) is not None


def _gateways(item: Any) -> list[Any]:
    """The gateways of a test: its ``gateway`` fixture and its ``serverless_app``'s."""
    found: list[Any] = []
    for value in dict(getattr(item, "funcargs", None) or {}).values():
        candidate = (
            value if isinstance(getattr(value, "apis", None), dict) and hasattr(value, "rest_api") else None
        )
        if candidate is None and hasattr(value, "gateway") and hasattr(value, "state_machines"):
            candidate = value.gateway
        if candidate is not None and all(candidate is not known for known in found):
            found.append(candidate)
    return found


# section: hooks


def pytest_serverless_execution_finished(execution: Any, state_machine: Any, item: Any) -> None:
    session = _session(item.config) if item is not None else None
    if session is not None:
        session.execution(execution, state_machine)


def pytest_serverless_gateway_response(request: Any, response: Any, item: Any) -> None:
    session = _session(item.config) if item is not None else None
    if session is not None:
        session.response(request, response, _gateways(item))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Register what the test made (machines it may not have run, every route of its APIs)."""
    session = _session(item.config)
    if session is None:
        return
    for gateway in _gateways(item):
        session.gateway(gateway)
    for value in dict(getattr(item, "funcargs", None) or {}).values():
        for machine in dict(getattr(value, "state_machines", None) or {}).values():
            session.machine(machine)
    from . import hooks

    key = getattr(hooks, "_RECORD", None)  # the test's record (plugin core), while the test tears down
    record = item.stash.get(key, None) if key is not None else None
    for machine in getattr(record, "machines", None) or ():
        session.machine(machine)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: merge a worker's data."""
    session = _session(node.config)
    output = getattr(node, "workeroutput", None) or {}
    if session is not None and _WORKER_KEY in output:
        from pytest_serverless.reporting.coverage import CoverageData

        session.data.merge(CoverageData.from_json(output[_WORKER_KEY]))


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    result = yield
    coverage = _session(session.config)
    if coverage is None:
        return result
    if coverage.worker:
        session.config.workeroutput[_WORKER_KEY] = coverage.data.to_json()  # type: ignore[attr-defined]
        return result
    coverage.finish(session.config.rootpath)
    if coverage.failure is not None:
        session.testsfailed += 1
    return result


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    coverage = _session(config)
    if coverage is None or coverage.worker:
        return
    lines = coverage.summary_lines()
    if lines:
        terminalreporter.write_sep("-", "state machine coverage")
        for line in lines:
            terminalreporter.write_line(line)
    if coverage.failure is not None:
        terminalreporter.write_line(coverage.failure, red=True, bold=True)
    elif coverage.fail_under is not None:
        terminalreporter.write_line(
            f"Required state machine coverage of {coverage.fail_under:g}% reached. "
            f"Total coverage: {coverage.data.summary().percent:.2f}%",
            green=True,
        )
