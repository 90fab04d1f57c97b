"""``--serverless-contracts=check|update``: the paths executions took and the statuses responses got, per
test, kept in a reviewable file next to the tests, as syrupy keeps snapshots.

``tests/test_orders.py`` gets ``tests/__serverless_contracts__/test_orders.json``: one entry per test (its
name after the module, e.g. ``TestOrders::test_create[eu]``) with the executions it ran (machine, status,
error, path) and the responses it got (request line, status), in the order they happened. The file is
sorted JSON with one state per line, so a changed path shows as a small diff in review.

* ``update`` writes the entries of the tests that ran and passed (and drops those of tests that no longer
  exist); under xdist the workers send their entries to the controller, which writes the files.
* ``check`` (the default when the module's file exists) fails a test whose paths or statuses differ from
  its entry, or that has none, showing the difference.
* ``off`` ignores the files.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["CONTRACTS_DIR", "ContractSession", "contract_file", "contract_name"]

CONTRACTS_DIR = "__serverless_contracts__"
_SESSION = pytest.StashKey["ContractSession"]()
_OBSERVED = pytest.StashKey[list[tuple[str, dict[str, Any]]]]()
_WORKER_KEY = "pytest_serverless_contracts"
_MODES = ("check", "update", "off")
_UPDATE_HINT = "run pytest --serverless-contracts=update to accept it"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("serverless", "pytest_serverless (Step Functions and API Gateway in process)")
    group.addoption(
        "--serverless-contracts",
        dest="serverless_contracts",
        default=None,
        metavar="check|update",
        help="record (update) or verify (check, the default when a "
        f"{CONTRACTS_DIR}/<module>.json file exists) "
        "the paths executions take and the statuses responses get, per test; off ignores the files.",
    )


def contract_file(item: pytest.Item) -> Path:
    """``tests/test_orders.py`` -> ``tests/__serverless_contracts__/test_orders.json``."""
    path = Path(item.path)
    return path.parent / CONTRACTS_DIR / f"{path.stem}.json"


def contract_name(item: pytest.Item) -> str:
    """The test's name inside its module's file: its node id after the file (``TestX::test_y[1]``)."""
    return item.nodeid.split("::", 1)[1] if "::" in item.nodeid else item.name


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class ContractSession:
    """Contract files read (cached) and, in update mode, the entries to write at the end."""

    def __init__(self, mode: str | None, worker: bool) -> None:
        self.mode = mode
        self.worker = worker
        self._files: dict[Path, dict[str, Any] | None] = {}
        self._module_files: dict[str, Path] = {}  # test module -> its contract file
        self.updates: dict[str, dict[str, Any]] = {}  # file -> {test name: entry}
        self.known: dict[str, list[str]] = {}  # file -> names of the tests collected
        self.checked = 0
        self.changed = 0
        self.written: list[str] = []
        self.summary: str | None = None

    def stored(self, path: Path) -> dict[str, Any] | None:
        if path not in self._files:
            try:
                data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
            except ValueError as error:
                raise pytest.UsageError(f"{path}: not a serverless contracts file: {error}") from None
            self._files[path] = data if isinstance(data, dict) else None
        return self._files[path]

    def mode_for(self, item: pytest.Item) -> str | None:
        if self.mode is not None:
            return None if self.mode == "off" else self.mode
        module = str(item.path)
        path = self._module_files.get(module)
        if path is None:
            path = self._module_files[module] = contract_file(item)
        return "check" if self.stored(path) is not None else None

    def check(self, item: pytest.Item, entry: dict[str, Any]) -> str | None:
        """The failure message when ``entry`` differs from the stored one, else None."""
        path = contract_file(item)
        name = contract_name(item)
        stored = (self.stored(path) or {}).get(name)
        self.checked += 1
        where = _relative(path, item.config.rootpath)
        if stored is None:
            if not entry["executions"] and not entry["responses"]:
                return None
            self.changed += 1
            return (
                f"serverless contract missing: {where} has no entry {name!r} for this test "
                f"(it ran {_count(entry)}); {_UPDATE_HINT}\n{_dumps(entry).rstrip()}"
            )
        if stored == entry:
            return None
        self.changed += 1
        import difflib  # a changed contract only

        diff = difflib.unified_diff(
            _dumps(stored).splitlines(), _dumps(entry).splitlines(), "recorded", "this run", lineterm="", n=3
        )
        return "\n".join([f"serverless contract changed: {where} :: {name} ({_UPDATE_HINT})", *diff])

    def record(self, item: pytest.Item, entry: dict[str, Any]) -> None:
        if entry["executions"] or entry["responses"]:
            self.updates.setdefault(str(contract_file(item)), {})[contract_name(item)] = entry

    def merge(self, data: dict[str, Any]) -> None:
        for path, entries in (data.get("updates") or {}).items():
            self.updates.setdefault(path, {}).update(entries)
        for path, names in (data.get("known") or {}).items():
            self.known[path] = sorted(set(self.known.get(path, [])) | set(names))
        self.checked += int(data.get("checked", 0))
        self.changed += int(data.get("changed", 0))

    def to_json(self) -> dict[str, Any]:
        return {
            "updates": self.updates,
            "known": self.known,
            "checked": self.checked,
            "changed": self.changed,
        }

    def write(self, rootpath: Path, partial: frozenset[Path] = frozenset()) -> None:
        """Update mode, at the end (controller): rewrite every contract file of the modules that ran.

        The entries of tests that were not collected are dropped, except in the files of ``partial``
        modules (selected by node id, ``test_x.py::test_y``): there the other tests were not looked at.
        """
        total = removed = 0
        for path_text in sorted(set(self.updates) | set(self.known)):
            path = Path(path_text)
            existing = dict(self.stored(path) or {})
            known = set(self.known.get(path_text, []))
            if path in partial:
                known |= set(existing)
            kept = {name: entry for name, entry in existing.items() if name in known}
            removed += len(existing) - len(kept)
            kept.update(self.updates.get(path_text, {}))
            total += len(self.updates.get(path_text, {}))
            if kept:
                path.parent.mkdir(parents=True, exist_ok=True)
                text = _dumps(dict(sorted(kept.items())))
                if not path.is_file() or path.read_text(encoding="utf-8") != text:
                    path.write_text(text, encoding="utf-8")
                    self.written.append(_relative(path, rootpath))
            elif path.is_file():
                path.unlink()
                self.written.append(f"{_relative(path, rootpath)} (removed: no test records anything)")
        self.summary = f"serverless contracts: {total} recorded, {removed} removed"


def _count(entry: dict[str, Any]) -> str:
    runs, answers = len(entry["executions"]), len(entry["responses"])
    return f"{runs} execution{'s' if runs != 1 else ''} and {answers} response{'s' if answers != 1 else ''}"


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def pytest_configure(config: pytest.Config) -> None:
    mode = config.getoption("serverless_contracts", None)
    if mode is not None and mode not in _MODES:
        raise pytest.UsageError(f"--serverless-contracts: expected check, update or off, got {mode!r}")
    config.stash[_SESSION] = ContractSession(mode, worker=hasattr(config, "workerinput"))


def _session(config: pytest.Config) -> ContractSession | None:
    return config.stash.get(_SESSION, None)


def observing(item: pytest.Item) -> bool:
    """Whether this plugin's observer hooks have anything to do for ``item`` (its contract is checked or
    recorded)."""
    session = _session(item.config)
    return session is not None and session.mode_for(item) is not None


# section: what a test did


def pytest_serverless_execution_finished(execution: Any, state_machine: Any, item: Any) -> None:
    if item is None:
        return
    entry: dict[str, Any] = {
        "machine": str(
            getattr(state_machine, "logical_id", None)  # a template's: never a folder-derived name
            or getattr(state_machine, "name", None)
            or getattr(execution.state_machine, "name", "?")
        ),
        "status": str(execution.status),
        "path": list(execution.path),
    }
    if getattr(execution, "error", None):
        entry["error"] = str(execution.error)
    item.stash.setdefault(_OBSERVED, []).append(("executions", entry))


def pytest_serverless_gateway_response(request: Any, response: Any, item: Any) -> None:
    if item is None:
        return
    line = f"{getattr(request, 'method', '?')} {getattr(request, 'path', '')}"
    item.stash.setdefault(_OBSERVED, []).append(
        ("responses", {"request": line, "status": response.status_code})
    )


def _entry(item: pytest.Item) -> dict[str, Any]:
    entry: dict[str, Any] = {"executions": [], "responses": []}
    for kind, value in item.stash.get(_OBSERVED, []):
        entry[kind].append(value)
    return entry


# section: checking and recording


def pytest_itemcollected(item: pytest.Item) -> None:
    session = _session(item.config)
    if session is not None and session.mode == "update":
        session.known.setdefault(str(contract_file(item)), []).append(contract_name(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    __tracebackhide__ = True
    result = yield  # a failing test is not checked nor recorded
    session = _session(item.config)
    mode = session.mode_for(item) if session is not None else None
    if session is None or mode is None:
        return result
    entry = _entry(item)
    if mode == "update":
        session.record(item, entry)
        return result
    message = session.check(item, entry)
    if message is not None:
        from .hooks import flag_plugin_error

        raise flag_plugin_error(AssertionError(message))
    return result


def _partially_selected(config: pytest.Config) -> frozenset[Path]:
    """The contract files of the modules named with a node id on the command line (``test_x.py::test_y``)."""
    files = set()
    for arg in config.args:
        module, separator, _ = str(arg).partition("::")
        if separator:
            path = Path(config.invocation_params.dir, module)
            files.add(path.parent / CONTRACTS_DIR / f"{path.stem}.json")
    return frozenset(files)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    session = _session(node.config)
    output = getattr(node, "workeroutput", None) or {}
    if session is not None and _WORKER_KEY in output:
        session.merge(output[_WORKER_KEY])


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    result = yield
    contracts = _session(session.config)
    if contracts is None:
        return result
    if contracts.worker:
        session.config.workeroutput[_WORKER_KEY] = contracts.to_json()  # type: ignore[attr-defined]
    elif contracts.mode == "update":
        contracts.write(session.config.rootpath, _partially_selected(session.config))
    return result


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    contracts = _session(config)
    if contracts is None or contracts.worker:
        return
    if contracts.mode == "update" and contracts.summary is not None:
        terminalreporter.write_sep("-", "serverless contracts")
        for line in contracts.written:
            terminalreporter.write_line(f"written: {line}")
        terminalreporter.write_line(contracts.summary)
    elif contracts.checked and contracts.changed:
        terminalreporter.write_sep("-", "serverless contracts")
        terminalreporter.write_line(
            f"serverless contracts: {contracts.changed} of {contracts.checked} tests changed; {_UPDATE_HINT}"
        )
