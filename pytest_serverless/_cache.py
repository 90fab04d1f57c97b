"""One bounded cache for the package's memos: ``BoundedCache`` (used inline) and ``memoize`` (a decorator).

The policy, the same everywhere:

- **Bounded.** A cache holds at most ``maxsize`` entries. Adding one to a full cache first drops the older
  half of its entries (in the order they were added); what was added last stays. A hit is a plain ``dict``
  lookup with no bookkeeping (the request path reads these caches many times per request); a miss pays an
  amortised constant for the eviction.
- **Process-wide only for pure functions.** A module-level cache may only remember what is a function of
  its key alone (a compiled path or template, a formatted time, whether a header is well formed): any
  gateway, test or thread asking gets the same answer, so sharing it leaks nothing and lets the next test
  start warm.
- **State lives with its owner.** Whatever depends on a gateway's or a test's state (authorizer results,
  a stage's answer cache, a route table's lookups) is kept by the object that owns that state (the ``Api``,
  the ``Stage``, the route table), never by a module, so two gateways never see each other's.

Add entries with ``put`` (``cache[key] = value`` would skip the bound); read them as from any ``dict``.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Hashable
from typing import ParamSpec, TypeVar

__all__ = ["BoundedCache", "memoize"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
P = ParamSpec("P")
_KEYWORDS = object()  # in a key, between the positional arguments and the keyword ones


class BoundedCache(dict[K, V]):
    """A ``dict`` of at most ``maxsize`` entries: ``put`` drops the older half first when it is full."""

    __slots__ = ("maxsize",)

    def __init__(self, maxsize: int) -> None:
        if type(maxsize) is not int or maxsize < 2:
            raise ValueError(f"BoundedCache(maxsize=...) takes an int >= 2, got {maxsize!r}")
        super().__init__()
        self.maxsize = maxsize

    def put(self, key: K, value: V) -> V:
        """Remember ``value`` under ``key`` (dropping the older half of the entries when full); returns it."""
        if len(self) >= self.maxsize and key not in self:
            for old in list(itertools.islice(self, len(self) - self.maxsize // 2)):
                del self[old]
        self[key] = value
        return value

    def __repr__(self) -> str:
        return f"BoundedCache({len(self)} of {self.maxsize})"


def memoize(maxsize: int) -> Callable[[Callable[P, V]], Callable[P, V]]:
    """Decorate a pure function (hashable arguments) to remember its answers in a ``BoundedCache``.

    The cache is the function's ``cache`` attribute (a ``dict``: ``clear()`` it to start afresh).
    """

    def decorate(fn: Callable[P, V]) -> Callable[P, V]:
        cache: BoundedCache[Hashable, V] = BoundedCache(maxsize)
        put = cache.put

        @functools.wraps(fn)
        def memoized(*args: P.args, **kwargs: P.kwargs) -> V:
            key: Hashable = args if not kwargs else (*args, _KEYWORDS, *kwargs.items())
            try:
                return cache[key]
            except KeyError:
                pass  # computed outside the handler: an error of ``fn`` carries no KeyError context
            return put(key, fn(*args, **kwargs))

        memoized.cache = cache  # type: ignore[attr-defined]
        return memoized

    return decorate
