"""``AWS::ApiGateway::UsagePlan`` resources with their keys and stages, for every API kind that has them
(REST APIs in ``apigateway.py``, WebSocket APIs in ``websocket.py``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .cloudformation import Template
from .model import UsagePlanSpec
from .sam import logical_target
from .sam_api import usage_plan_limits

__all__ = ["read_usage_plans"]


def read_usage_plans(
    t: Template,
    key_values: Mapping[str, str],
    plans_of: Callable[[Any], list[UsagePlanSpec] | None],
) -> None:
    """Each ``ApiStages`` entry of the template's ``AWS::ApiGateway::UsagePlan`` resources, as a
    ``UsagePlanSpec`` appended to ``plans_of(raw ApiId)`` (an entry it answers ``None`` for belongs to
    another kind of API); the plan's keys are the ``AWS::ApiGateway::UsagePlanKey`` resources naming keys of
    ``key_values``."""
    plan_keys: dict[str, list[str]] = {}
    for logical_id in t.resources:
        if t.resource_type(logical_id) != "AWS::ApiGateway::UsagePlanKey":
            continue
        plan = logical_target(t, t.raw_property(logical_id, "UsagePlanId"), ("AWS::ApiGateway::UsagePlan",))
        key = logical_target(t, t.raw_property(logical_id, "KeyId"), ("AWS::ApiGateway::ApiKey",))
        if plan is not None and key is not None and key in key_values:
            plan_keys.setdefault(plan, []).append(key_values[key])
    for logical_id in t.resources:
        if t.resource_type(logical_id) != "AWS::ApiGateway::UsagePlan":
            continue
        props = t.properties(logical_id)
        raw_stages = t.raw_property(logical_id, "ApiStages") or []
        for index, entry in enumerate(props.get("ApiStages") or []):
            raw_entry = (
                raw_stages[index]
                if index < len(raw_stages) and isinstance(raw_stages[index], Mapping)
                else {}
            )
            plans = plans_of(raw_entry.get("ApiId"))
            if plans is None:
                continue
            try:
                throttle, quota = usage_plan_limits(props)
            except ValueError as exc:
                raise t.error(str(exc), f"/Resources/{logical_id}/Properties") from None
            plans.append(
                UsagePlanSpec(
                    name=str(props.get("UsagePlanName") or logical_id),
                    api_keys=list(plan_keys.get(logical_id, [])),
                    throttle=throttle,
                    quota=quota,
                    stages=[str(entry.get("Stage"))] if entry.get("Stage") else [],
                )
            )
