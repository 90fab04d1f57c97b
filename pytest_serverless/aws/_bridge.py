"""The botocore bridge: two botocore event handlers, registered on every session botocore creates while a
``Scope`` is active (``botocore.handlers.BUILTIN_HANDLERS``, the list each new session registers), and
boto3's default session set aside meanwhile so that ``boto3.client(...)`` builds a session that has them.

* ``before-parameter-build``: keeps the call's parameters (validated by botocore right after);
* ``before-call``: answers the call in process (``emit_until_response``: nothing else runs, nothing is
  signed, nothing is sent), with the wire response botocore parses (``_wire``), or raises
  ``UnemulatedCall`` (recorded on every active scope), or, with moto's ``mock_aws`` active, lets moto answer.

The handlers do nothing when no scope is active: a client made inside a block is answered by nothing of ours
after it. While a scope is active, the process has a Lambda-like AWS environment: fake credentials, a region
(us-east-1 unless one is set), no instance metadata lookups, no profile.

Activation is cheap: nothing here imports botocore. When a scope is entered and ``botocore.handlers`` is not
imported yet, a finder on ``sys.meta_path`` waits for it and adds the handlers the moment it is imported (so
a test that never touches boto3 pays for no botocore import); the finder leaves with the last scope.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from pytest_serverless import _environ
from pytest_serverless._cache import BoundedCache
from pytest_serverless._ids import FAKE_CREDENTIALS
from pytest_serverless.errors import AwsError, UnemulatedCall

__all__ = ["FAKE_CREDENTIALS", "Answerer", "Scope", "active_scopes"]

# ``answer(operation_name, params) -> output dict`` (params: the call's, and ``"@url"``); ``None`` when the
# operation is not emulated; raises
# ``AwsError`` (AWS's error code) or ``UnemulatedCall`` (a function or bus the app does not have).
Answerer = Callable[[str, dict[str, Any]], "Mapping[str, Any] | None"]

_NOT_FOUND = frozenset(
    {
        "StateMachineDoesNotExist",
        "ExecutionDoesNotExist",
        "ActivityDoesNotExist",
        "InvalidToken",
        "GoneException",
    }
)
_PARAMS = "pytest_serverless.params"

_LOCK = threading.RLock()
_ACTIVE: list[Scope] = []
_SAVED: dict[str, Any] = {}


class Scope:
    """A set of in-process answerers, one list per botocore service name (``"stepfunctions"``, ``"events"``,
    ``"lambda"``, ``"apigatewaymanagementapi"``), active between ``__enter__`` and ``__exit__``.
    ``.unemulated`` lists the ``UnemulatedCall`` errors raised while it was active."""

    def __init__(self, answerers: Mapping[str, Answerer] | None = None) -> None:
        self.answerers: dict[str, list[Answerer]] = {}
        self.unemulated: list[UnemulatedCall] = []
        for service, answerer in (answerers or {}).items():
            self.add(service, answerer)

    def add(self, service: str, answerer: Answerer) -> None:
        """Answer ``service``'s calls with ``answerer`` too (tried after the ones added before)."""
        found = self.answerers.setdefault(service, [])
        if answerer not in found:
            found.append(answerer)

    def __enter__(self) -> Scope:
        with _LOCK:
            _ACTIVE.append(self)
            if len(_ACTIVE) == 1:
                _install()
        return self

    def __exit__(self, *exc: object) -> None:
        with _LOCK:
            if self in _ACTIVE:
                _ACTIVE.remove(self)
            if not _ACTIVE:
                _uninstall()


def active_scopes() -> list[Scope]:
    """The active scopes, innermost last."""
    return list(_ACTIVE)


# section: installing and removing the handlers


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    if _ACTIVE:
        context[_PARAMS] = dict(params)


def _answer_call(model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> Any:
    if not _ACTIVE:
        return None
    service = model.service_model.service_name
    operation = model.name
    # the call's parameters, and the URL it would go to (``"@url"``: the WebSocket stage of @connections)
    params = {**context.get(_PARAMS, {}), "@url": params.get("url", "")}
    try:
        return _dispatch(model, service, operation, params)
    except UnemulatedCall as error:
        if _moto_active():
            return None
        for scope in _ACTIVE:
            scope.unemulated.append(error)
        raise


def _dispatch(model: Any, service: str, operation: str, params: dict[str, Any]) -> Any:
    from ._wire import answer_response, error_response

    candidates = [answerer for scope in reversed(_ACTIVE) for answerer in scope.answerers.get(service, ())]
    first_error: AwsError | None = None
    unknown: UnemulatedCall | None = None
    for answerer in candidates:
        try:
            output = answerer(operation, params)
        except AwsError as error:
            if error.code not in _NOT_FOUND:
                return error_response(model, error)
            first_error = first_error or error
            continue
        except UnemulatedCall as error:  # not this app's function, bus or stage: maybe another's
            unknown = unknown or error
            continue
        if output is None:
            break
        return answer_response(model, output)
    if first_error is not None:
        return error_response(model, first_error)
    if unknown is not None:
        raise unknown
    if candidates:
        raise UnemulatedCall(service, operation, f"is not one of the {service} operations emulated here")
    raise UnemulatedCall(service, operation)


def _moto_active() -> bool:
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))


_HANDLERS: list[tuple[Any, ...]] = []  # botocore's BUILTIN_HANDLERS entries, made on first use
_HANDLERS_MODULE = "botocore.handlers"


def _handler_specs(handlers: Any) -> list[tuple[Any, ...]]:
    if not _HANDLERS:
        _HANDLERS.extend(
            [
                ("before-parameter-build", _keep_params),
                ("before-call", _answer_call, handlers.REGISTER_FIRST),
            ]
        )
    return _HANDLERS


def _register(handlers: Any) -> None:
    """Add the handlers to botocore's ``BUILTIN_HANDLERS`` (once), for the sessions made from now on."""
    with _LOCK:
        if not _ACTIVE:
            return
        for spec in _handler_specs(handlers):
            if spec not in handlers.BUILTIN_HANDLERS:
                handlers.BUILTIN_HANDLERS.append(spec)


class _Registering(importlib.abc.Loader):
    """``botocore.handlers``'s own loader, then ``_register`` (the module keeps its own loader after)."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        module.__loader__ = self.loader
        self.loader.exec_module(module)
        _register(module)


class _Watcher(importlib.abc.MetaPathFinder):
    """On ``sys.meta_path`` while a scope is active and botocore.handlers is not imported yet."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _HANDLERS_MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Registering(spec.loader)
                return spec
        return None


_WATCHER = _Watcher()


def _install() -> None:
    handlers = sys.modules.get(_HANDLERS_MODULE)
    if handlers is not None:
        _register(handlers)
    elif _WATCHER not in sys.meta_path:
        sys.meta_path.insert(0, _WATCHER)
    boto3: Any = sys.modules.get("boto3")
    _SAVED.clear()
    if boto3 is not None:
        _SAVED["session"] = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = None  # the next boto3.client(...) makes a session with the handlers
    environ = os.environ
    # botocore reads AWS_DEFAULT_REGION (Lambda sets both): set it when it is not
    region = None if environ.get("AWS_DEFAULT_REGION") else environ.get("AWS_REGION") or "us-east-1"
    variables = _variables(region)
    _SAVED["environ"] = (variables, _environ.apply(variables))  # every value before; what differs is set


_ENVIRONMENT = {**FAKE_CREDENTIALS, "AWS_EC2_METADATA_DISABLED": "true"}
_REMOVED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
# the region to set (None: none) -> the scope's variables
_VARIABLES: BoundedCache[str | None, _environ.Encoded] = BoundedCache(16)


def _variables(region: str | None) -> _environ.Encoded:
    """The scope's variables, encoded once per region: the removed ones (unset), then the set ones."""
    known = _VARIABLES.get(region)
    if known is None:
        variables: dict[str, str | None] = {**dict.fromkeys(_REMOVED), **_ENVIRONMENT}
        if region is not None:
            variables["AWS_DEFAULT_REGION"] = region
        known = _VARIABLES.put(region, _environ.encode(variables))
    return known


def _uninstall() -> None:
    if _WATCHER in sys.meta_path:
        sys.meta_path.remove(_WATCHER)
    handlers: Any = sys.modules.get(_HANDLERS_MODULE)
    if handlers is not None:
        for spec in _HANDLERS:
            while spec in handlers.BUILTIN_HANDLERS:
                handlers.BUILTIN_HANDLERS.remove(spec)
    module: Any = sys.modules.get("boto3")
    if module is not None:  # the session made inside (fake credentials) does not outlive the block
        module.DEFAULT_SESSION = _SAVED.get("session")
    saved = _SAVED.get("environ")
    if saved is not None:
        _environ.restore(*saved)
    _SAVED.clear()


@contextmanager
def answering(answerers: Mapping[str, Answerer] | None = None) -> Iterator[Scope]:
    """``with answering({"stepfunctions": answer}) as scope:`` botocore calls answered in process."""
    with Scope(answerers) as scope:
        yield scope
