"""In-process Lambda invocation: the context object and the call itself."""

from __future__ import annotations

from .context import LambdaContext
from .invoke import Handler, invoke_handler

__all__ = ["Handler", "LambdaContext", "invoke_handler"]
