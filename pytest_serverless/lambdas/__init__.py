"""In-process Lambda invocation: the context object and the call itself."""

from __future__ import annotations

from .context import LambdaContext
from .invoke import FunctionTimedOut, Handler, invoke_handler

__all__ = ["FunctionTimedOut", "Handler", "LambdaContext", "invoke_handler"]
