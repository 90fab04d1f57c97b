"""Finding the Python function behind each Lambda function of a template.

A handler comes from ``load_template(handlers={"LogicalId": fn})`` or, as SAM does, from ``CodeUri`` +
``Handler``: the code folder is put on ``sys.path`` while the module is imported, then taken off again, and
the modules imported from that folder are dropped from ``sys.modules`` so that two functions with an
``app.py`` each, or the same function loaded by two tests, never see each other's module. The function's
``Environment.Variables`` are set in ``os.environ`` while its module is imported and while it runs.

``with_limits`` runs a handler as Lambda runs the template's function: its ``context`` counts down from
the function's ``Timeout`` (on the virtual clock) and reports its ``MemorySize``; a run past ``Timeout``
fails with ``FunctionTimedOut`` (Step Functions: ``Lambda.Unknown``; API Gateway: 502 REST / 500 HTTP).
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import types
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import TemplateError
from pytest_serverless.lambdas import FunctionTimedOut, LambdaContext

from .model import FunctionSpec

__all__ = ["resolve_handler", "unresolved_handler", "with_environment", "with_limits"]

Handler = Callable[[Any, Any], Any]


@contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update({name: str(value) for name, value in variables.items()})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _with_environment(handler: Handler, variables: Mapping[str, str]) -> Handler:
    if not variables:
        return handler

    def invoke(event: Any, context: Any) -> Any:
        with _environment(variables):
            return handler(event, context)

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


def _import_from(folder: Path, module_name: str) -> types.ModuleType:
    before = set(sys.modules)
    top = module_name.split(".")[0]
    shadowed: dict[str, types.ModuleType] = {}
    if top in sys.modules:  # a module of that name (or package) is loaded: set it aside while importing
        prefix = top + "."
        loaded = list(sys.modules.items())
        shadowed = {name: mod for name, mod in loaded if name == top or name.startswith(prefix)}
    for name in shadowed:
        del sys.modules[name]
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        return importlib.import_module(module_name)
    finally:
        if str(folder) in sys.path:
            sys.path.remove(str(folder))
        for name in set(sys.modules) - before:
            module = sys.modules.get(name)
            if module is not None and (
                _inside(getattr(module, "__file__", None), folder) or name in shadowed
            ):
                del sys.modules[name]
        sys.modules.update(shadowed)


def _inline_module(function: FunctionSpec) -> types.ModuleType:
    module = types.ModuleType("index")
    module.__file__ = f"<inline code of {function.logical_id}>"
    code = compile(function.inline_code or "", module.__file__, "exec")
    exec(code, module.__dict__)  # noqa: S102 - the template's own inline code, as Lambda would run it
    return module


def resolve_handler(function: FunctionSpec, *, source: str) -> Handler | None:
    """Import ``function``'s handler from its code; ``None`` when the code is not local Python."""
    if function.handler is None or (function.runtime and not function.runtime.startswith("python")):
        return None
    module_name, _, attribute = function.handler.rpartition(".")
    pointer = function.pointer + "/Handler"
    if not module_name or not attribute:
        raise TemplateError(
            f"Handler {function.handler!r} is not 'module.function' (e.g. 'app.lambda_handler')",
            source=source,
            pointer=pointer,
        )
    module_name = module_name.replace("/", ".")
    try:
        with _environment(function.environment):
            if function.inline_code is not None:
                module = _inline_module(function)
            elif function.code_dir is not None:
                folder = Path(function.code_dir).resolve()
                if not folder.is_dir() and not zipfile.is_zipfile(folder):  # a CodeUri .zip imports too
                    raise TemplateError(
                        f"CodeUri folder {str(folder)!r} does not exist",
                        source=source,
                        pointer=function.pointer + "/CodeUri",
                    )
                module = _import_from(folder, module_name)
            else:
                return None
    except TemplateError:
        raise
    except ModuleNotFoundError as exc:
        raise TemplateError(
            f"cannot import handler module {module_name!r} of {function.logical_id} from "
            f"{function.code_dir}: {exc}; pass handlers={{{function.logical_id!r}: fn}} to use another "
            "function",
            source=source,
            pointer=pointer,
        ) from None
    except Exception as exc:  # the user's module failed while importing
        raise TemplateError(
            f"importing handler module {module_name!r} of {function.logical_id} raised "
            f"{type(exc).__name__}: {exc}",
            source=source,
            pointer=pointer,
        ) from exc
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise TemplateError(
            f"module {module_name!r} has no function {attribute!r} (Handler {function.handler!r})",
            source=source,
            pointer=pointer,
        )
    return _with_environment(handler, function.environment)


def with_environment(handler: Handler, function: FunctionSpec) -> Handler:
    """A handler given by the test, run with the function's environment variables."""
    return _with_environment(handler, function.environment)


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

    @functools.wraps(handler)
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

    return limited


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)
