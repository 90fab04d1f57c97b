"""JSONata regular expressions with a deadline: a client-chosen string must not hang the test run.

JSONata regexes are JavaScript's, matched by backtracking: ``/(a+)+$/`` against 40 ``a`` and a ``!`` takes
hours. Python's ``re`` cannot count its steps, but its matcher checks for signals every few thousand
steps, so on the main thread a real-time timer (``SIGALRM``) ends a match that runs past
``REGEX_DEADLINE_SECONDS``; the expression then fails with ``D1012`` (``States.QueryEvaluationError``),
as AWS's evaluation timeout does. Where no timer can be set (another thread, a platform without
``SIGALRM``, or another SIGALRM user such as pytest-timeout's signal method), matches run unbounded.

Every pattern is wrapped (``bounded_regex_engine``, jsonata-python's pluggable regex engine), so
``$match``, ``$replace``, ``$split``, ``$contains`` and the ``~>`` forms are all covered. Only the
``re`` call itself runs under the timer: a ``$replace`` callback runs with the same deadline.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing jsonata raises the recursion limit; asl/jsonata.py imports it and restores it
    from jsonata.regex_engine import RegexFlags

__all__ = ["REGEX_DEADLINE_SECONDS", "bounded_regex_engine"]

REGEX_DEADLINE_SECONDS = 1.0
_TIMEOUT_MILLIS = 5000  # reported in the D1012 message, as the rest of the evaluation budget reports it
_HAS_TIMER = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")


class _Expired(Exception):
    pass


class _Timer:
    """One deadline at a time (nested calls, e.g. from a ``$replace`` callback, share the outer one)."""

    active = False

    @staticmethod
    def _ring(signum: int, frame: Any) -> None:
        if _Timer.active:
            raise _Expired

    @staticmethod
    def run(call: Callable[[], Any]) -> Any:
        if _Timer.active or not _HAS_TIMER or threading.current_thread() is not threading.main_thread():
            return call()
        if signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, signal.SIG_IGN, None):
            return call()  # someone else's alarm (pytest-timeout...): leave it alone
        if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
            return call()
        previous = signal.signal(signal.SIGALRM, _Timer._ring)
        _Timer.active = True
        signal.setitimer(signal.ITIMER_REAL, REGEX_DEADLINE_SECONDS)
        try:
            return call()
        except _Expired:
            from jsonata.jexception import JException  # loaded by now: the pattern came from jsonata

            raise JException("D1012", -1, _TIMEOUT_MILLIS) from None
        finally:
            _Timer.active = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class BoundedPattern:
    """An ``re.Pattern`` whose matching methods run under the deadline (the methods jsonata-python uses)."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def search(self, string: str) -> re.Match[str] | None:
        return _Timer.run(lambda: self.pattern.search(string))  # type: ignore[no-any-return]

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        return iter(_Timer.run(lambda: list(self.pattern.finditer(string))))

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        return _Timer.run(lambda: self.pattern.sub(repl, string, count))  # type: ignore[no-any-return]

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        return _Timer.run(lambda: self.pattern.split(string, maxsplit))  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:  # flags, groups, pattern text...
        return getattr(self.pattern, name)


def bounded_regex_engine(pattern: str, flags: RegexFlags) -> BoundedPattern:
    """jsonata-python's default engine (``re``), each pattern wrapped in the deadline."""
    py_flags = (re.IGNORECASE if flags.case_insensitive else 0) | (re.MULTILINE if flags.multiline else 0)
    return BoundedPattern(re.compile(pattern, py_flags))
