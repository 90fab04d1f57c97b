"""Token buckets and usage plans on the virtual clock; the REST stage cache."""

from __future__ import annotations

import pytest

from pytest_serverless import Gateway, UsageError, VirtualClock
from pytest_serverless.gateway.throttling import check_throttle


def counter():
    calls = []

    def handler(event, context):
        calls.append(event)
        return {"statusCode": 200, "body": str(len(calls))}

    return handler, calls


def statuses(client, n, path="/a", **kwargs):
    return [client.get(path, **kwargs).status_code for _ in range(n)]


# throttling


def test_stage_bucket_refills_with_virtual_time():
    gateway = Gateway()
    api = gateway.rest_api("t")
    api.route("GET /a", counter()[0])
    client = api.deploy("prod", throttle=(2, 3)).client()
    assert statuses(client, 4) == [200, 200, 200, 429]
    gateway.clock.advance(0.5)  # one token back at 2/s
    assert statuses(client, 2) == [200, 429]
    gateway.clock.advance(10)  # refill is capped at the burst
    assert statuses(client, 4) == [200, 200, 200, 429]


def test_route_throttle_applies_to_its_route_only():
    gateway = Gateway()
    api = gateway.http_api("t")
    api.route("GET /a", counter()[0], throttle=(0, 1))
    api.route("GET /b", counter()[0])
    client = api.deploy("$default").client()
    assert statuses(client, 2, "/a") == [200, 429]
    assert statuses(client, 3, "/b") == [200, 200, 200]


def test_stage_route_throttles_override_route_defaults():
    gateway = Gateway()
    api = gateway.rest_api("t")
    api.route("GET /a", counter()[0])
    client = api.deploy("prod", route_throttles={"GET /a": (0, 2)}).client()
    assert statuses(client, 3) == [200, 200, 429]


def test_account_limit_is_shared_by_every_api():
    gateway = Gateway()
    gateway.set_account_throttle(0, 3)
    first = gateway.rest_api("one")
    first.route("GET /a", counter()[0])
    second = gateway.http_api("two")
    second.route("GET /a", counter()[0])
    one, two = first.deploy("prod").client(), second.deploy("prod").client()
    assert statuses(one, 2) + statuses(two, 2) == [200, 200, 200, 429]


def test_usage_plan_throttle_is_per_key():
    gateway = Gateway()
    api = gateway.rest_api("t")
    api.route("GET /a", counter()[0], api_key_required=True)
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
    api.route("GET /a", counter()[0], api_key_required=True)
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
    api.route("GET /a", counter()[0], api_key_required=True)
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


# caching (REST)


def cached(ttl=300, **route_options):
    gateway = Gateway()
    api = gateway.rest_api("c")
    handler, calls = counter()
    api.route("GET /items/{id}", handler, **route_options)
    stage = api.deploy("prod", cache_ttl=ttl)
    return gateway, stage, calls


def test_cache_hit_within_ttl_and_miss_after():
    gateway, stage, calls = cached(ttl=60)
    client = stage.client()
    first = client.get("/items/1")
    second = client.get("/items/1")
    assert (first.text, second.text) == ("1", "1")
    assert second.answered_by == "cache"
    assert second.request_id != first.request_id
    assert second.headers["x-amzn-RequestId"] == second.request_id
    gateway.clock.advance(60)
    assert client.get("/items/1").text == "2"
    assert stage.metrics["CacheHitCount"] == 1
    assert stage.metrics["CacheMissCount"] == 2
    assert [entry["cacheHit"] for entry in stage.logs] == [False, True, False]


def test_without_cache_key_parameters_every_path_shares_one_entry():
    # AWS's well-known pitfall: a path parameter that is not a cache key does not split the cache.
    _, stage, calls = cached()
    client = stage.client()
    assert client.get("/items/1").text == "1"
    assert client.get("/items/2").text == "1"


def test_cache_key_parameters_split_the_cache():
    _, stage, calls = cached(cache_key_parameters=["method.request.path.id", "querystring.v"])
    client = stage.client()
    assert client.get("/items/1").text == "1"
    assert client.get("/items/2").text == "2"
    assert client.get("/items/2", params={"v": "x"}).text == "3"
    assert client.get("/items/2", params={"v": "x"}).text == "3"


def test_cache_control_max_age_zero_refreshes_the_entry_when_authorization_is_not_required():
    gateway = Gateway()
    api = gateway.rest_api("c")
    handler, calls = counter()
    api.route("GET /items/{id}", handler)
    stage = api.deploy("prod", cache_ttl=300, require_authorization_for_cache_control=False)
    client = stage.client()
    client.get("/items/1")
    assert client.get("/items/1", headers={"Cache-Control": "max-age=0"}).text == "2"
    assert client.get("/items/1").text == "2"


def test_only_get_is_cached_by_default_and_errors_are_not_cached():
    gateway = Gateway()
    api = gateway.rest_api("c")
    handler, calls = counter()
    api.route("POST /a", handler)
    failures = []

    def flaky(event, context):
        failures.append(1)
        return {"statusCode": 500 if len(failures) == 1 else 200, "body": str(len(failures))}

    api.route("GET /f", flaky)
    client = api.deploy("prod", cache_ttl=300).client()
    assert [client.post("/a").text for _ in range(2)] == ["1", "2"]
    assert [client.get("/f").text for _ in range(3)] == ["1", "2", "2"]


def test_cache_ttl_is_checked_and_rest_only():
    api = Gateway().rest_api("c")
    with pytest.raises(
        UsageError, match=r"stage 'prod': cache_ttl must be a number of seconds from 0 \(off\) to 3600"
    ):
        api.deploy("prod", cache_ttl=4000)
    http = Gateway().http_api("h")
    with pytest.raises(UsageError, match="HTTP APIs have no stage cache"):
        http.deploy("prod", cache_ttl=60)


def test_flush_cache_and_clock_from_outside():
    clock = VirtualClock()
    gateway = Gateway(clock=clock)
    api = gateway.rest_api("c")
    handler, calls = counter()
    api.route("GET /a", handler)
    stage = api.deploy("prod", cache_ttl=30)
    client = stage.client()
    client.get("/a")
    stage.flush_cache()
    assert client.get("/a").text == "2"
    clock.advance(31)
    assert client.get("/a").text == "3"


# section: Mutation-found edges of throttling.


# -- throttling -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [("5", 1), (5, "1"), (True, 1), (5, None)])
def test_throttle_values_must_be_numbers(value):
    with pytest.raises(UsageError) as info:
        check_throttle(value, "stage 'prod'")
    assert str(info.value) == (
        f"stage 'prod': throttle must be a (rate_per_second, burst) pair of numbers, got {value!r}"
    )
