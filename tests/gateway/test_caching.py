"""Per-key cache invalidation: ``Cache-Control: max-age=0`` refreshes a cached answer only for a caller
allowed ``execute-api:InvalidateCache`` (RequireAuthorizationForCacheControl,
UnauthorizedCacheControlHeaderStrategy)."""

from __future__ import annotations

import textwrap

import pytest

from pytest_serverless import Gateway, IamAuthorizer, UsageError, VirtualClock
from pytest_serverless.gateway.authorizers import sign_request
from pytest_serverless.gateway.caching import normalize_cache_key_parameter
from pytest_serverless.loaders import UnsupportedResourceWarning, load_template
from tests.helpers import counting_handler

KEY, SECRET = "AKIDCACHE", "cache-secret"
OTHER, OTHER_SECRET = "AKIDOTHER", "other-secret"
WARNING = '199 "Cache-control headers were ignored because the caller was unauthorized."'
NO_CACHE = {"Cache-Control": "max-age=0"}


def invalidate_policy(resource="arn:aws:execute-api:*:*:*/prod/GET/items/*", effect="Allow"):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Action": "execute-api:InvalidateCache", "Resource": resource}],
    }


def stage_of(*, iam=False, policies=None, **deploy):
    gateway = Gateway()
    api = gateway.rest_api("c")
    calls = []

    def handler(event, context):
        calls.append(1)
        return {"statusCode": 200, "body": str(len(calls))}

    options = {}
    if iam:
        api.authorizer(
            "iam", IamAuthorizer(credentials={KEY: SECRET, OTHER: OTHER_SECRET}, policies=policies)
        )
        options["authorizer"] = "iam"
    api.route("GET /items/{id}", handler, cache_key_parameters=["method.request.path.id"], **options)
    return gateway, api.deploy("prod", cache_ttl=300, **deploy)


def signed_get(gateway, stage, path, key=KEY, secret=SECRET, headers=None):
    headers = dict(headers or {})
    added = sign_request("GET", stage.url + path, headers, b"", key, secret, clock=gateway.clock)
    return stage.client().get(path, headers={**headers, **added})


def test_aws_default_ignores_an_unauthorized_max_age_zero_and_adds_a_warning():
    _, stage = stage_of()
    client = stage.client()
    first = client.get("/items/1")
    assert first.text == "1"
    assert "Warning" not in first.headers
    ignored = client.get("/items/1", headers=NO_CACHE)
    assert ignored.status_code == 200
    assert ignored.text == "1"  # served from the cache: the header was ignored
    assert ignored.headers["Warning"] == WARNING
    assert client.get("/items/1").headers.get("Warning") is None  # the warning is not cached
    missed = client.get("/items/2", headers=NO_CACHE)  # nothing cached yet: the integration answers
    assert missed.text == "2"
    assert missed.headers["Warning"] == WARNING
    assert client.get("/items/2").text == "2"


def test_succeed_without_response_header_ignores_it_silently():
    _, stage = stage_of(unauthorized_cache_control_header_strategy="SUCCEED_WITHOUT_RESPONSE_HEADER")
    client = stage.client()
    client.get("/items/1")
    answer = client.get("/items/1", headers={"Cache-Control": "no-store, max-age=0"})
    assert answer.text == "1"
    assert "Warning" not in answer.headers


def test_fail_with_403_refuses_the_unauthorized_caller():
    _, stage = stage_of(unauthorized_cache_control_header_strategy="FAIL_WITH_403")
    client = stage.client()
    client.get("/items/1")
    refused = client.get("/items/1", headers=NO_CACHE)
    assert refused.status_code == 403
    assert refused.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert stage.logs[-1]["status"] == 403
    assert client.get("/items/1").text == "1"  # the entry is still there
    assert client.get("/items/1", headers={"Cache-Control": "max-age=60"}).status_code == 200


def test_no_authorization_required_lets_any_client_refresh():
    _, stage = stage_of(require_authorization_for_cache_control=False)
    client = stage.client()
    client.get("/items/1")
    refreshed = client.get("/items/1", headers=NO_CACHE)
    assert refreshed.text == "2"
    assert "Warning" not in refreshed.headers
    assert client.get("/items/1").text == "2"


@pytest.mark.parametrize("strategy", ["SUCCEED_WITH_RESPONSE_HEADER", "FAIL_WITH_403"])
def test_an_iam_caller_allowed_invalidate_cache_refreshes_the_entry(strategy):
    gateway, stage = stage_of(
        iam=True,
        policies={KEY: invalidate_policy()},
        unauthorized_cache_control_header_strategy=strategy,
    )
    assert signed_get(gateway, stage, "/items/1").text == "1"
    refreshed = signed_get(gateway, stage, "/items/1", headers=NO_CACHE)
    assert refreshed.status_code == 200
    assert refreshed.text == "2"
    assert "Warning" not in refreshed.headers
    assert signed_get(gateway, stage, "/items/1").text == "2"  # the refreshed answer replaced the entry
    # a signed caller without the permission (no policy) is unauthorized
    other = signed_get(gateway, stage, "/items/1", OTHER, OTHER_SECRET, headers=NO_CACHE)
    if strategy == "FAIL_WITH_403":
        assert other.status_code == 403
    else:
        assert other.text == "2"
        assert other.headers["Warning"] == WARNING


def test_the_policy_is_read_per_request_scoped_by_resource_and_deny_wins():
    policies = {}
    gateway, stage = stage_of(iam=True, policies=policies)
    signed_get(gateway, stage, "/items/1")
    assert signed_get(gateway, stage, "/items/1", headers=NO_CACHE).text == "1"  # no policy yet
    policies[KEY] = invalidate_policy(resource="arn:aws:execute-api:*:*:*/prod/GET/items/2")
    assert signed_get(gateway, stage, "/items/1", headers=NO_CACHE).headers["Warning"] == WARNING
    policies[KEY] = invalidate_policy()
    assert signed_get(gateway, stage, "/items/1", headers=NO_CACHE).text == "2"
    allow, deny = invalidate_policy(), invalidate_policy(effect="Deny")
    policies[KEY] = {"Statement": allow["Statement"] + deny["Statement"]}
    assert signed_get(gateway, stage, "/items/1", headers=NO_CACHE).text == "2"  # explicit deny: ignored
    invoke_only = {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}
    policies[KEY] = invoke_only
    assert signed_get(gateway, stage, "/items/1", headers=NO_CACHE).headers["Warning"] == WARNING


def test_bad_settings_and_policies_are_refused_clearly():
    with pytest.raises(UsageError, match="unauthorized_cache_control_header_strategy must be one of"):
        stage_of(unauthorized_cache_control_header_strategy="FAIL")
    with pytest.raises(UsageError, match="require_authorization_for_cache_control must be True or False"):
        stage_of(require_authorization_for_cache_control="yes")
    with pytest.raises(UsageError, match="policies"):
        IamAuthorizer(credentials={KEY: SECRET}, policies=[("AKID", {})])
    gateway, stage = stage_of(iam=True, policies={KEY: {"Statement": [{"Effect": "Maybe"}]}})
    signed_get(gateway, stage, "/items/1")
    with pytest.raises(UsageError, match=f"the policy of '{KEY}'.*Effect"):
        signed_get(gateway, stage, "/items/1", headers=NO_CACHE)


TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      CacheClusterEnabled: true
      Auth: {{DefaultAuthorizer: AWS_IAM}}
      MethodSettings:
        - {{ResourcePath: "/*", HttpMethod: "*", CachingEnabled: true, CacheTtlInSeconds: 60{extra}}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "{code}"
      Events:
        Get: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /items, Method: get}}}}
"""


CODE = (
    "import itertools\\nn = itertools.count(1)\\n"
    "def handler(event, context):\\n    return {'statusCode': 200, 'body': str(next(n))}\\n"
)


def load(tmp_path, extra=""):
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE.format(extra=extra, code=CODE)))
    app = load_template(path)
    return app, app.api("Api").stage("prod")


def test_a_sam_template_gets_aws_defaults_and_app_iam_policies_grant_invalidation(tmp_path):
    app, stage = load(tmp_path)
    [(key, secret)] = app.iam_credentials.items()
    gateway = app.gateway
    assert signed_get(gateway, stage, "/items", key, secret).text == "1"
    ignored = signed_get(gateway, stage, "/items", key, secret, headers=NO_CACHE)
    assert ignored.text == "1"
    assert ignored.headers["Warning"] == WARNING
    app.iam_policies[key] = invalidate_policy(resource="arn:aws:execute-api:*:*:*/prod/GET/items")
    assert signed_get(gateway, stage, "/items", key, secret, headers=NO_CACHE).text == "2"
    assert signed_get(gateway, stage, "/items", key, secret).text == "2"


def test_a_template_method_setting_chooses_the_strategy(tmp_path):
    app, stage = load(tmp_path, ", UnauthorizedCacheControlHeaderStrategy: FAIL_WITH_403")
    [(key, secret)] = app.iam_credentials.items()
    signed_get(app.gateway, stage, "/items", key, secret)
    assert signed_get(app.gateway, stage, "/items", key, secret, headers=NO_CACHE).status_code == 403
    app, stage = load(tmp_path, ", RequireAuthorizationForCacheControl: false")
    signed_get(app.gateway, stage, "/items", key, secret)
    assert signed_get(app.gateway, stage, "/items", key, secret, headers=NO_CACHE).text == "2"


def test_a_bad_template_strategy_names_the_stage(tmp_path):
    from pytest_serverless.errors import TemplateError

    with pytest.raises(TemplateError, match="stage prod: .*unauthorized_cache_control_header_strategy"):
        load(tmp_path, ", UnauthorizedCacheControlHeaderStrategy: NOPE")


def test_per_method_cache_control_settings_are_listed_as_not_emulated(tmp_path):
    extra = (
        '}\n        - {ResourcePath: "/items", HttpMethod: GET, RequireAuthorizationForCacheControl: false'
    )
    with pytest.warns(UnsupportedResourceWarning, match="RequireAuthorizationForCacheControl per method"):
        app, stage = load(tmp_path, extra)
    assert any("RequireAuthorizationForCacheControl per method" in entry for entry in app.unsupported)
    [(key, secret)] = app.iam_credentials.items()
    signed_get(app.gateway, stage, "/items", key, secret)
    ignored = signed_get(app.gateway, stage, "/items", key, secret, headers=NO_CACHE)
    assert ignored.headers["Warning"] == WARNING  # the stage's (AWS's default) setting applies


# section: The REST stage cache: hits within the TTL, cache key parameters, Cache-Control, flushes.


# caching (REST)


def cached(ttl=300, **route_options):
    gateway = Gateway()
    api = gateway.rest_api("c")
    handler, calls = counting_handler()
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
    handler, calls = counting_handler()
    api.route("GET /items/{id}", handler)
    stage = api.deploy("prod", cache_ttl=300, require_authorization_for_cache_control=False)
    client = stage.client()
    client.get("/items/1")
    assert client.get("/items/1", headers={"Cache-Control": "max-age=0"}).text == "2"
    assert client.get("/items/1").text == "2"


def test_only_get_is_cached_by_default_and_errors_are_not_cached():
    gateway = Gateway()
    api = gateway.rest_api("c")
    handler, calls = counting_handler()
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
    handler, calls = counting_handler()
    api.route("GET /a", handler)
    stage = api.deploy("prod", cache_ttl=30)
    client = stage.client()
    client.get("/a")
    stage.flush_cache()
    assert client.get("/a").text == "2"
    clock.advance(31)
    assert client.get("/a").text == "3"


# section: Cache key parameters.


# cache key parameters


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("method.request.header.X-Tenant", ("header", "x-tenant")),
        ("multivaluequerystring.tag", ("multivaluequerystring", "tag")),
        ("multivalueheader.Accept", ("multivalueheader", "accept")),
        ("id", ("path", "id")),
        ("q", ("querystring", "q")),
    ],
)
def test_cache_key_parameter_forms(name, expected):
    assert normalize_cache_key_parameter(name, ("id",), "route 'GET /x/{id}'") == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "route 'R': cache_key_parameters entries must be non-empty strings, got ''"),
        ("header.", "route 'R': cache key parameter 'header.' has no parameter name"),
        (
            "method.request.body.x",
            "route 'R': cache key parameter 'method.request.body.x': the source must be one of path, "
            "querystring, multivaluequerystring, header, multivalueheader",
        ),
    ],
)
def test_cache_key_parameter_errors(name, message):
    with pytest.raises(UsageError) as info:
        normalize_cache_key_parameter(name, (), "route 'R'")
    assert str(info.value) == message


def test_multi_value_cache_keys_split_the_cache():
    calls = []
    gateway = Gateway()
    api = gateway.rest_api("c")
    api.route(
        "GET /a",
        lambda e, c: calls.append(1) or {"statusCode": 200, "body": str(len(calls))},
        cache_key_parameters=["multivaluequerystring.t", "header.X-T", "multivalueheader.X-M"],
    )
    client = api.deploy("prod", cache_ttl=60).client()
    assert client.get("/a", params={"t": ["1", "2"]}).text == "1"
    assert client.get("/a", params={"t": ["1", "2"]}).text == "1"
    assert client.get("/a", params={"t": ["1"]}).text == "2"
    assert client.get("/a", headers={"X-T": "x"}).text == "3"
    assert client.get("/a", headers=[("X-M", "1"), ("X-M", "2")]).text == "4"
