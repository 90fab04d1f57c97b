"""Finding the Python function behind each Lambda function of a template.

A handler comes from ``load_template(handlers={"LogicalId": fn})`` or, as SAM does, from ``CodeUri`` +
``Handler``, imported on the function's first call (``lazy_handler``): a function whose module cannot be
imported fails its own calls (``HandlerImportError``: a Task fails with ``Runtime.ImportModuleError``, a
route answers 502 REST / 500 HTTP), nothing else. Each app gets fresh modules, executed from code objects
compiled once per process (``CODE``): the code folder is searched first while the module is imported, and
the modules imported from that folder are dropped from ``sys.modules`` afterwards, so that two functions with
an ``app.py`` each, or the same function loaded by two tests, never see each other's module. The function's
``Environment.Variables`` are set in ``os.environ`` while its module is imported and while it runs, over the
Lambda runtime's own variables (``lambda_environment``: region, function name, memory, fake credentials).

``with_limits`` runs a handler as Lambda runs the template's function: its ``context`` counts down from
the function's ``Timeout`` (on the virtual clock) and reports its ``MemorySize``; a run past ``Timeout``
fails with ``FunctionTimedOut`` (Step Functions: ``Lambda.Unknown``; API Gateway: 502 REST / 500 HTTP).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import types
import zipfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest_serverless import _environ
from pytest_serverless._cache import BoundedCache, memoize
from pytest_serverless._ids import FAKE_CREDENTIALS, REGION
from pytest_serverless._user_code import UserCodeFailed, call_user
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import TaskFailure, TemplateError
from pytest_serverless.lambdas import FunctionTimedOut, LambdaContext

from .model import FunctionSpec

__all__ = [
    "HandlerImportError",
    "check_handler",
    "lambda_environment",
    "lazy_handler",
    "resolve_handler",
    "unresolved_handler",
    "with_environment",
    "with_limits",
]

Handler = Callable[[Any, Any], Any]


def lambda_environment(function: FunctionSpec) -> dict[str, str]:
    """The variables the Lambda runtime sets for ``function`` (region, name, memory, version, log group,
    credentials: fake ones), under the template's own ``Environment.Variables``."""
    runtime = function.runtime or "python3.12"
    return {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]00000000000000000000000000000000",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "_HANDLER": function.handler or "",
        **FAKE_CREDENTIALS,
    }


def _with_environment(handler: Handler, variables: Mapping[str, str]) -> Handler:
    if not variables:
        return handler
    encoded = _environ.encode(variables)
    apply, restore = _environ.apply, _environ.restore

    def invoke(event: Any, context: Any) -> Any:
        saved = apply(encoded)
        try:
            return handler(event, context)
        finally:
            restore(encoded, saved)

    invoke.__wrapped__ = handler  # type: ignore[attr-defined]
    invoke.__name__ = getattr(handler, "__name__", "handler")
    invoke.__qualname__ = getattr(handler, "__qualname__", invoke.__name__)
    return invoke


def _inside(file: str | None, folder: Path) -> bool:
    if not file:
        return False
    try:
        Path(file).resolve().relative_to(folder)
    except ValueError:
        return False
    return True


# section: compiled module code, shared by every app of the process


class _CodeCache:
    """Code objects of handler source files, compiled once per process (recompiled when a file changes)."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, int, types.CodeType]] = {}

    def get(self, path: str) -> types.CodeType:
        stat = os.stat(path)
        entry = self._entries.get(path)
        if entry is not None and entry[0] == stat.st_mtime_ns and entry[1] == stat.st_size:
            return entry[2]
        with open(path, "rb") as file:
            code = compile(file.read(), path, "exec", dont_inherit=True)
        self._entries[path] = (stat.st_mtime_ns, stat.st_size, code)
        return code


CODE = _CodeCache()


class _CodeLoader(importlib.abc.Loader):
    def __init__(self, path: str) -> None:
        self.path = path

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        exec(CODE.get(self.path), module.__dict__)  # noqa: S102 - the function's own code, as Lambda runs it


class _FolderFinder(importlib.abc.MetaPathFinder):
    """Finds the modules and packages of a function's code folder, then of its layers' folders (searched in
    that order, as Lambda's path has /var/task before /opt), with code objects from ``CODE``."""

    def __init__(self, folders: tuple[str, ...]) -> None:
        self.folders = folders
        self.found: set[str] = set()  # the names it found: gone from sys.modules after, whatever they hold

    def find_spec(
        self, fullname: str, path: Any = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        parts = fullname.split(".")
        found = None
        if path is None:
            for folder in self.folders:
                found = self._find(fullname, os.path.join(folder, *parts[:-1]), parts[-1])
                if found is not None:
                    break
        else:
            base = next((entry for entry in path if any(_under(entry, f) for f in self.folders)), "")
            found = self._find(fullname, base, parts[-1]) if base else None
        if found is not None:
            self.found.add(fullname)
        return found

    @staticmethod
    def _find(fullname: str, base: str, name: str) -> importlib.machinery.ModuleSpec | None:
        stem = os.path.join(base, name)
        package = os.path.join(stem, "__init__.py")
        if os.path.isfile(package):
            return _spec(fullname, package, stem)
        if os.path.isfile(stem + ".py"):
            return _spec(fullname, stem + ".py", None)
        return None


# source file -> its loader and __cached__
_LOADERS: BoundedCache[str, tuple[_CodeLoader, str | None]] = BoundedCache(4096)


def _spec(fullname: str, path: str, package_dir: str | None) -> importlib.machinery.ModuleSpec:
    """What ``spec_from_file_location`` makes, without working out the same file's loader and ``__cached__``
    again for each fresh module."""
    known = _LOADERS.get(path)
    if known is None:
        try:
            cached: str | None = importlib.util.cache_from_source(path)
        except NotImplementedError:  # no bytecode cache in this Python
            cached = None
        known = _LOADERS.put(path, (_CodeLoader(path), cached))
    spec = importlib.machinery.ModuleSpec(fullname, known[0], origin=path, is_package=package_dir is not None)
    if package_dir is not None:
        spec.submodule_search_locations = [package_dir]
    spec.has_location = True
    spec.cached = known[1]
    return spec


@memoize(256)
def _resolved(code_dir: str) -> Path:
    return Path(code_dir).resolve()


def _under(entry: str, folder: str) -> bool:
    return entry == folder or entry.startswith(folder + os.sep)


_SITE = os.path.join("python", "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}", "site-packages")


def _layer_paths(layers: tuple[str, ...]) -> tuple[str, ...]:
    """Where Lambda's Python finds a layer's modules (under /opt): ``python/lib/python3.x/site-packages``,
    ``python/``, then the layer itself."""
    paths = ((os.path.join(layer, _SITE), os.path.join(layer, "python"), layer) for layer in layers)
    return tuple(path for three in paths for path in three)


def _import_from(folder: Path, module_name: str, layers: tuple[str, ...] = ()) -> types.ModuleType:
    """Import ``module_name`` from ``folder`` (then ``layers``) as a fresh module (with fresh copies of the
    folders' other modules it imports), leaving ``sys.modules`` and ``sys.path`` as it found them."""
    modules = sys.modules
    top = module_name.split(".")[0]
    shadowed: dict[str, types.ModuleType] = {}
    if top in modules:  # a module of that name (or package) is loaded: set it aside while importing
        prefix = top + "."
        loaded = list(modules.items())
        shadowed = {name: mod for name, mod in loaded if name == top or name.startswith(prefix)}
    for name in shadowed:
        del modules[name]
    mark = next(reversed(modules), None)  # modules imported from here on come after it (insertion order)
    count = len(modules)
    where = (str(folder), *_layer_paths(layers)) if layers else (str(folder),)
    finder = _FolderFinder(where)
    sys.meta_path.insert(0, finder)
    sys.path[0:0] = where  # what the finder does not load (compiled modules, a .zip) Python's own finders do
    try:
        return _import(finder, module_name)
    finally:
        for entry in where:
            if entry in sys.path:
                sys.path.remove(entry)
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        for name in _added(mark, count):
            module = modules.get(name)
            if module is None:
                continue
            own = isinstance(getattr(module, "__loader__", None), _CodeLoader)
            file = getattr(module, "__file__", None)
            if (
                own
                or name in shadowed
                or name in finder.found
                or any(_inside(file, Path(entry)) for entry in where)
            ):
                del modules[name]
        modules.update(shadowed)


def _import(finder: _FolderFinder, module_name: str) -> types.ModuleType:
    """``importlib.import_module(module_name)``; a top-level module of the function's folder is executed
    into a fresh module directly (as ``importlib`` does it: in ``sys.modules`` while it runs)."""
    spec = finder.find_spec(module_name) if "." not in module_name else None
    if spec is None or not isinstance(spec.loader, _CodeLoader):
        return importlib.import_module(module_name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return sys.modules.get(
        module_name, module
    )  # a module may replace itself in sys.modules, as import allows


def _added(mark: str | None, count: int) -> list[str]:
    """The names ``sys.modules`` gained after ``mark`` (its last name when it had ``count`` names); every
    name when an older entry went meanwhile (then insertion order tells nothing)."""
    modules = sys.modules
    names: list[str] = []
    for name in reversed(modules):
        if name == mark:
            break
        names.append(name)
    if len(modules) != count + len(names):
        return list(modules)
    return names


def _inline_module(function: FunctionSpec) -> types.ModuleType:
    module = types.ModuleType("index")
    module.__file__ = f"<inline code of {function.logical_id}>"
    code = compile(function.inline_code or "", module.__file__, "exec")
    exec(code, module.__dict__)  # noqa: S102 - the template's own inline code, as Lambda would run it
    return module


class HandlerImportError(TaskFailure):
    """A function whose module could not be imported, or has no such handler: Lambda's init failure
    (``Runtime.ImportModuleError`` / ``Runtime.HandlerNotFound``), raised on each call of that function only:
    a Task fails with that error, a route answers as API Gateway does when its function fails (502 REST /
    500 HTTP). ``str()`` names the function, its handler and the cause."""

    def __init__(self, error_type: str, message: str, *, function: str, handler: str) -> None:
        self.error_message = message
        self.function = function
        self.handler = handler
        payload = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []}
        super().__init__(error_type, json.dumps(payload, separators=(",", ":")))

    def __str__(self) -> str:
        return self.error_message


def check_handler(function: FunctionSpec, *, source: str) -> bool:
    """Whether ``function`` has local Python code to import (``False``: not Python, or no code); raises
    ``TemplateError`` for what the template itself gets wrong (the ``Handler`` shape, a missing folder)."""
    if function.handler is None or (function.runtime and not function.runtime.startswith("python")):
        return False
    module_name, _, attribute = function.handler.rpartition(".")
    if not module_name or not attribute:
        raise TemplateError(
            f"Handler {function.handler!r} is not 'module.function' (e.g. 'app.lambda_handler')",
            source=source,
            pointer=function.pointer + "/Handler",
        )
    if function.inline_code is not None:
        return True
    if function.code_dir is None:
        return False
    folder = _resolved(function.code_dir)
    if not folder.is_dir() and not zipfile.is_zipfile(folder):  # a CodeUri .zip imports too
        raise TemplateError(
            f"CodeUri folder {str(folder)!r} does not exist",
            source=source,
            pointer=function.pointer + "/CodeUri",
        )
    for layer in function.layer_dirs:
        if not os.path.isdir(layer) and not zipfile.is_zipfile(layer):
            raise TemplateError(
                f"the layer folder {layer!r} (ContentUri) of {function.logical_id} does not exist",
                source=source,
                pointer=function.pointer + "/Layers",
            )
    return True


def _import_handler(function: FunctionSpec) -> Handler:
    """Import the function's module (fresh) and return its handler; ``HandlerImportError`` if it cannot.
    The caller sets the function's environment."""
    assert function.handler is not None
    module_name, _, attribute = function.handler.rpartition(".")
    module_name = module_name.replace("/", ".")
    name, handler_text = function.logical_id, function.handler

    def load() -> types.ModuleType:
        if function.inline_code is not None:
            return _inline_module(function)
        assert function.code_dir is not None
        return _import_from(_resolved(function.code_dir), module_name, function.layer_dirs)

    try:
        module = call_user(load, lets_through=())
    except UserCodeFailed as failed:  # the function's own module failed: its calls fail, nothing else
        exc = failed.error
        detail = (
            f"No module named {exc.name!r}"
            if isinstance(exc, ModuleNotFoundError) and exc.name
            else f"{type(exc).__name__}: {exc}"
        )
        raise HandlerImportError(
            "Runtime.ImportModuleError",
            f"Unable to import module {module_name!r} of {name} (Handler {handler_text!r}): {detail}",
            function=name,
            handler=handler_text,
        ) from exc
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise HandlerImportError(
            "Runtime.HandlerNotFound",
            f"module {module_name!r} of {name} has no function {attribute!r} (Handler {handler_text!r})",
            function=name,
            handler=handler_text,
        )
    return handler  # type: ignore[no-any-return]


def lazy_handler(function: FunctionSpec, environment: Mapping[str, str] | None = None) -> Handler:
    """The function's handler, imported (fresh, from compiled code) on its first call, not before: one
    function's missing package or failing import-time code fails only the calls of that function. Runs with
    the function's Lambda environment (``lambda_environment``), its environment variables over it and
    ``environment`` over them, at import and at each call."""
    variables = _lambda_variables(function, environment)
    loaded: list[Handler] = []
    failed: list[HandlerImportError] = []
    apply, restore = _environ.apply, _environ.restore

    def handler(event: Any, context: Any) -> Any:
        if failed:
            raise failed[0]
        saved = apply(variables)  # the first call imports in the same environment, as Lambda's init does
        try:
            if not loaded:
                try:
                    loaded.append(_import_handler(function))
                except HandlerImportError as error:
                    failed.append(error)
                    raise
            return loaded[0](event, context)
        finally:
            restore(variables, saved)

    handler.__name__ = function.handler or function.logical_id
    handler.__qualname__ = handler.__name__
    return handler


_ENCODED: BoundedCache[tuple[Any, ...], _environ.Encoded] = BoundedCache(1024)


def _lambda_variables(function: FunctionSpec, environment: Mapping[str, str] | None) -> _environ.Encoded:
    """The function's variables (``lazy_handler``), encoded once per process for what they depend on."""
    key: tuple[Any, ...] | None
    try:
        key = (
            function.runtime,
            function.name,
            function.memory_size,
            function.handler,
            tuple(function.environment.items()),
            tuple(environment.items()) if environment else (),
        )
        known = _ENCODED.get(key)
    except TypeError:  # an unhashable value: encoded each time
        key, known = None, None
    if known is None:
        known = _environ.encode(
            {**lambda_environment(function), **function.environment, **(environment or {})}
        )
        if key is not None:
            _ENCODED.put(key, known)
    return known


def resolve_handler(function: FunctionSpec, *, source: str) -> Handler | None:
    """The function's handler (imported on first call, see ``lazy_handler``); ``None`` when its code is not
    local Python."""
    if not check_handler(function, source=source):
        return None
    return lazy_handler(function)


def with_environment(
    handler: Handler, function: FunctionSpec, environment: Mapping[str, str] | None = None
) -> Handler:
    """A handler given by the test, run with the function's Lambda environment and environment variables
    (``environment`` over them)."""
    variables = {**lambda_environment(function), **function.environment, **(environment or {})}
    return _with_environment(handler, variables)


def unresolved_handler(function: FunctionSpec) -> Handler:
    """Stands in for a function whose code cannot be run here; calling it says how to provide one."""

    def missing(event: Any, context: Any) -> Any:
        raise RuntimeError(
            f"Lambda function {function.logical_id} has no Python handler here (runtime "
            f"{function.runtime or 'unknown'}, Handler {function.handler!r}); pass "
            f"load_template(..., handlers={{{function.logical_id!r}: fn}})"
        )

    missing.__name__ = f"missing_{function.logical_id}"
    return missing


def with_limits(handler: Handler, function: FunctionSpec) -> Handler:
    """``handler`` with the function's Timeout and MemorySize (see the module docstring)."""
    timeout, memory = function.timeout, function.memory_size

    def limited(event: Any, context: Any) -> Any:
        clock = getattr(context, "clock", None)
        if not isinstance(clock, VirtualClock):  # called by hand, not through an invocation
            return handler(event, context)
        own = LambdaContext(
            function_name=context.function_name,
            aws_request_id=context.aws_request_id,
            clock=clock,
            timeout_seconds=timeout,
            memory_limit_in_mb=memory,
        )
        started = clock.time()
        try:
            result = handler(event, own)
        except Exception:
            if clock.time() - started > timeout:  # Lambda stopped it before it could raise
                raise FunctionTimedOut(
                    request_id=context.aws_request_id, timeout=timeout, stopped_at=_at(started + timeout)
                ) from None
            raise
        if clock.time() - started > timeout:
            raise FunctionTimedOut(
                request_id=context.aws_request_id, timeout=timeout, stopped_at=_at(started + timeout)
            )
        return result

    # what functools.wraps copies, without its generic walk (one wrapper per function per app)
    limited.__dict__.update(getattr(handler, "__dict__", {}))
    limited.__wrapped__ = handler  # type: ignore[attr-defined]
    limited.__name__ = getattr(handler, "__name__", "handler")
    limited.__qualname__ = getattr(handler, "__qualname__", limited.__name__)
    limited.__doc__ = getattr(handler, "__doc__", None)
    limited.__module__ = getattr(handler, "__module__", limited.__module__)
    return limited


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)
