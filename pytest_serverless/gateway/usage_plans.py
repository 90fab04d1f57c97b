"""API keys and usage plans: per-key throttle (token bucket) and quota (requests per DAY, WEEK or MONTH)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import UsageError

from .throttling import TokenBucket, check_throttle

if TYPE_CHECKING:
    from .model import Gateway

__all__ = ["QUOTA_PERIODS", "UsagePlan", "UsagePlans"]

QUOTA_PERIODS = ("DAY", "WEEK", "MONTH")


def _period_start(moment: datetime, period: str) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "DAY":
        return day
    if period == "WEEK":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


class UsagePlan:
    """``api.usage_plan(name, api_keys=[...], throttle=(rate, burst), quota=(limit, "DAY"))``.

    Applies to the API's stages (all of them unless ``stages`` names some) for routes with
    ``api_key_required=True``; keys are the values clients send in ``x-api-key``.
    """

    def __init__(
        self,
        name: str,
        *,
        api_keys: Iterable[str],
        clock: VirtualClock,
        throttle: tuple[float, int] | None = None,
        quota: tuple[int, str] | None = None,
        stages: Iterable[str] | None = None,
    ) -> None:
        where = f"usage plan {name!r}"
        if isinstance(api_keys, str):
            raise UsageError(f"{where}: api_keys must be a list of key values, e.g. api_keys=[{api_keys!r}]")
        keys = list(api_keys)
        for key in keys:
            if not isinstance(key, str) or len(key) < 1:
                raise UsageError(f"{where}: API keys must be non-empty strings, got {key!r}")
        self.name = name
        self.api_keys = keys
        self.disabled: set[str] = set()
        self.throttle = check_throttle(throttle, where) if throttle is not None else None
        if quota is not None:
            if (
                not isinstance(quota, (tuple, list))
                or len(quota) != 2
                or isinstance(quota[0], bool)
                or not isinstance(quota[0], int)
                or quota[0] < 0
                or quota[1] not in QUOTA_PERIODS
            ):
                raise UsageError(
                    f"{where}: quota must be (limit, period) with a whole limit >= 0 and period one of "
                    f"{', '.join(QUOTA_PERIODS)}, got {quota!r}"
                )
            self.quota: tuple[int, str] | None = (quota[0], quota[1])
        else:
            self.quota = None
        self.stages = None if stages is None else frozenset(stages)
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._used: dict[str, tuple[datetime, int]] = {}

    def applies_to(self, stage: str) -> bool:
        """Whether the plan covers ``stage`` (a plan without stages covers every stage)."""
        return self.stages is None or stage in self.stages

    def disable_key(self, key: str) -> None:
        """Disable a key (requests with it get 403 Forbidden, as with a disabled key in AWS)."""
        self.disabled.add(key)

    def enable_key(self, key: str) -> None:
        """Enable API key ``key`` again after ``disable_key``."""
        self.disabled.discard(key)

    def take(self, key: str) -> str | None:
        """Count one request for ``key``: ``None``, ``"THROTTLED"`` or ``"QUOTA_EXCEEDED"``."""
        now = self._clock.time()
        if self.throttle is not None:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(self.throttle[0], self.throttle[1], now)
            if not bucket.take(now):
                return "THROTTLED"
        if self.quota is not None:
            limit, period = self.quota
            start = _period_start(datetime.fromtimestamp(now, UTC), period)
            began, used = self._used.get(key, (start, 0))
            if began != start:
                used = 0
            if used >= limit:
                return "QUOTA_EXCEEDED"
            self._used[key] = (start, used + 1)
        return None

    def remaining(self, key: str) -> int | None:
        """Requests left in the current quota period for ``key`` (``None`` without a quota)."""
        if self.quota is None:
            return None
        limit, period = self.quota
        start = _period_start(self._clock.now(), period)
        began, used = self._used.get(key, (start, 0))
        return limit - (used if began == start else 0)

    def __repr__(self) -> str:
        keys = len(self.api_keys)
        return f"UsagePlan({self.name!r}, keys={keys}, throttle={self.throttle}, quota={self.quota})"


class UsagePlans:
    """``api.usage_plan(...)`` and the API key step's lookup, for the APIs with API keys (REST, WebSocket).

    The API sets ``gateway``, ``usage_plans`` (its plans, in order) and ``_key_plans`` (API key -> plan).
    """

    gateway: Gateway
    usage_plans: list[UsagePlan]
    _key_plans: dict[str, UsagePlan]

    def _check_usage_plan(self, name: str) -> None:
        """Refuse ``usage_plan(name)`` where this kind of API has no usage plans (all have by default)."""

    def usage_plan(
        self,
        name: str,
        api_keys: Iterable[str] = (),
        *,
        throttle: tuple[float, int] | None = None,
        quota: tuple[int, str] | None = None,
        stages: Iterable[str] | None = None,
    ) -> UsagePlan:
        """API keys with a per-key throttle and quota, for routes declared with ``api_key_required=True``.

        A key belongs to one plan of the API (``UsageError`` otherwise).
        """
        self._check_usage_plan(name)
        plan = UsagePlan(
            name, api_keys=api_keys, clock=self.gateway.clock, throttle=throttle, quota=quota, stages=stages
        )
        by_key = self._key_plans
        for key in plan.api_keys:
            if key in by_key:
                raise UsageError(
                    f"usage plan {plan.name!r}: API key {key!r} is already in plan {by_key[key].name!r}"
                )
        for key in plan.api_keys:
            by_key[key] = plan
        self.usage_plans.append(plan)
        return plan

    def _plan_for_key(self, key: str, stage: str) -> UsagePlan | None:
        """The plan that admits ``key`` on ``stage``, or None (unknown, disabled, or not on that stage)."""
        plan = self._key_plans.get(key)
        if plan is None or key in plan.disabled or not plan.applies_to(stage):
            return None
        return plan
