"""Token buckets and usage plans on the virtual clock."""

from __future__ import annotations

import pytest

from pytest_serverless import Gateway, UsageError
from pytest_serverless.gateway.throttling import check_throttle
from tests.helpers import counting_handler


def statuses(client, n, path="/a", **kwargs):
    return [client.get(path, **kwargs).status_code for _ in range(n)]


# throttling


def test_stage_bucket_refills_with_virtual_time():
    gateway = Gateway()
    api = gateway.rest_api("t")
    api.route("GET /a", counting_handler()[0])
    client = api.deploy("prod", throttle=(2, 3)).client()
    assert statuses(client, 4) == [200, 200, 200, 429]
    gateway.clock.advance(0.5)  # one token back at 2/s
    assert statuses(client, 2) == [200, 429]
    gateway.clock.advance(10)  # refill is capped at the burst
    assert statuses(client, 4) == [200, 200, 200, 429]


def test_route_throttle_applies_to_its_route_only():
    gateway = Gateway()
    api = gateway.http_api("t")
    api.route("GET /a", counting_handler()[0], throttle=(0, 1))
    api.route("GET /b", counting_handler()[0])
    client = api.deploy("$default").client()
    assert statuses(client, 2, "/a") == [200, 429]
    assert statuses(client, 3, "/b") == [200, 200, 200]


def test_stage_route_throttles_override_route_defaults():
    gateway = Gateway()
    api = gateway.rest_api("t")
    api.route("GET /a", counting_handler()[0])
    client = api.deploy("prod", route_throttles={"GET /a": (0, 2)}).client()
    assert statuses(client, 3) == [200, 200, 429]


def test_account_limit_is_shared_by_every_api():
    gateway = Gateway()
    gateway.set_account_throttle(0, 3)
    first = gateway.rest_api("one")
    first.route("GET /a", counting_handler()[0])
    second = gateway.http_api("two")
    second.route("GET /a", counting_handler()[0])
    one, two = first.deploy("prod").client(), second.deploy("prod").client()
    assert statuses(one, 2) + statuses(two, 2) == [200, 200, 200, 429]


def test_usage_plan_throttle_is_per_key():
    gateway = Gateway()
    api = gateway.rest_api("t")
    api.route("GET /a", counting_handler()[0], api_key_required=True)
    api.usage_plan("basic", api_keys=["k1", "k2"], throttle=(0, 1))
    client = api.deploy("prod").client()
    assert statuses(client, 2, headers={"x-api-key": "k1"}) == [200, 429]
    assert statuses(client, 1, headers={"x-api-key": "k2"}) == [200]
    assert client.get("/a", headers={"x-api-key": "k1"}).answered_by == "throttle"


@pytest.mark.parametrize(
    ("period", "advance_ok", "advance_reset"),
    [("DAY", 3600, 86400), ("WEEK", 86400, 7 * 86400), ("MONTH", 86400, 31 * 86400)],
)
def test_quota_resets_at_the_start_of_the_next_period(period, advance_ok, advance_reset):
    gateway = Gateway()  # the clock starts on Monday 2024-01-01 00:00 UTC
    api = gateway.rest_api("q")
    api.route("GET /a", counting_handler()[0], api_key_required=True)
    plan = api.usage_plan("basic", api_keys=["k"], quota=(1, period))
    client = api.deploy("prod").client()
    headers = {"x-api-key": "k"}
    assert statuses(client, 2, headers=headers) == [200, 429]
    assert plan.remaining("k") == 0
    gateway.clock.advance(advance_ok)
    assert statuses(client, 1, headers=headers) == [429]
    gateway.clock.advance(advance_reset)
    assert statuses(client, 1, headers=headers) == [200]


def test_usage_plan_only_applies_to_its_stages():
    gateway = Gateway()
    api = gateway.rest_api("q")
    api.route("GET /a", counting_handler()[0], api_key_required=True)
    api.usage_plan("prod-only", api_keys=["k"], stages=["prod"])
    assert api.deploy("prod").client().get("/a", headers={"x-api-key": "k"}).status_code == 200
    assert api.deploy("dev").client().get("/a", headers={"x-api-key": "k"}).status_code == 403


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"throttle": (1,)},
            "usage plan 'p': throttle must be a (rate_per_second, burst) pair of numbers, got (1,)",
        ),
        (
            {"throttle": (-1, 2)},
            "usage plan 'p': throttle rate must be >= 0 and burst a whole number >= 0, got (-1, 2)",
        ),
        (
            {"quota": (5, "YEAR")},
            "usage plan 'p': quota must be (limit, period) with a whole limit >= 0 and period "
            "one of DAY, WEEK, MONTH, got (5, 'YEAR')",
        ),
    ],
)
def test_usage_plan_arguments_are_checked(kwargs, message):
    api = Gateway().rest_api("p")
    with pytest.raises(UsageError) as info:
        api.usage_plan("p", api_keys=["k"], **kwargs)
    assert str(info.value) == message


def test_api_key_in_two_plans_is_refused():
    api = Gateway().rest_api("p")
    api.usage_plan("a", api_keys=["k"])
    with pytest.raises(UsageError, match="usage plan 'b': API key 'k' is already in plan 'a'"):
        api.usage_plan("b", api_keys=["k"])


# section: edges found by mutation testing


# -- throttling -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [("5", 1), (5, "1"), (True, 1), (5, None)])
def test_throttle_values_must_be_numbers(value):
    with pytest.raises(UsageError) as info:
        check_throttle(value, "stage 'prod'")
    assert str(info.value) == (
        f"stage 'prod': throttle must be a (rate_per_second, burst) pair of numbers, got {value!r}"
    )
