"""Token buckets on the virtual clock: account, stage, route/method and usage-plan key limits (429)."""

from __future__ import annotations

import math

from pytest_serverless.errors import UsageError

__all__ = ["ACCOUNT_DEFAULT", "TokenBucket", "check_throttle"]

ACCOUNT_DEFAULT = (10000.0, 5000)  # AWS's per-Region account limit: 10,000 requests/s, burst 5,000


def check_throttle(value: object, where: str) -> tuple[float, int]:
    """Validate a ``(rate_per_second, burst)`` pair; raise ``UsageError`` naming ``where``."""
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value)
    ):
        raise UsageError(
            f"{where}: throttle must be a (rate_per_second, burst) pair of numbers, got {value!r}"
        )
    rate, burst = float(value[0]), value[1]
    if math.isnan(rate) or rate < 0 or burst < 0 or int(burst) != burst:
        raise UsageError(f"{where}: throttle rate must be >= 0 and burst a whole number >= 0, got {value!r}")
    return rate, int(burst)


class TokenBucket:
    """``burst`` tokens at most, refilled at ``rate`` tokens per virtual second; each request takes one."""

    __slots__ = ("burst", "rate", "tokens", "updated")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = now

    def take(self, now: float) -> bool:
        """Take one token if there is one (after refilling for the time elapsed since the last call)."""
        if now > self.updated:
            self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate}, burst={self.burst}, tokens={self.tokens:.2f})"
