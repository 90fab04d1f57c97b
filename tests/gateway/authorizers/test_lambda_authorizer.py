"""Lambda authorizers (TOKEN, REQUEST, HTTP API 1.0/2.0) and IAM policy evaluation, through the contract."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.authorizers import (
    AuthorizationCall,
    LambdaAuthorizer,
    PolicyError,
    evaluate_policy,
)
from pytest_serverless.gateway.request import GatewayRequest, Headers

ARN_PREFIX = "arn:aws:execute-api:us-east-1:123456789012:abc123"


def make_call(
    clock,
    headers=None,
    *,
    kind="REST",
    method="GET",
    path="/orders/1",
    resource="/orders/{id}",
    path_parameters=None,
    query=(),
    stage_variables=None,
    route_key=None,
    request_id="req-1",
):
    request = GatewayRequest(
        method,
        path,
        headers=Headers(headers or {}),
        query=list(query),
        raw_path=f"/prod{path}",
        raw_query_string="&".join(f"{k}={v}" for k, v in query),
    )
    return AuthorizationCall(
        request=request,
        api_kind=kind,
        api_id="abc123",
        api_name="orders",
        stage="prod",
        stage_variables=stage_variables or {},
        route_key=route_key or f"{method} {resource}",
        resource_path=resource,
        path_parameters={"id": "1"} if path_parameters is None else path_parameters,
        method_arn=f"{ARN_PREFIX}/prod/{method}{path}",
        request_id=request_id,
        clock=clock,
    )


def policy(effect="Allow", resource="*", action="execute-api:Invoke", principal="user-1", **extra):
    return {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": action, "Effect": effect, "Resource": resource}],
        },
        **extra,
    }


class Recorder:
    """An authorizer function that records its events and answers ``answer`` (or raises it)."""

    def __init__(self, answer):
        self.answer = answer
        self.events = []
        self.contexts = []

    def __call__(self, event, context):
        self.events.append(event)
        self.contexts.append(context)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer(event) if callable(self.answer) else self.answer


@pytest.fixture
def clock():
    return VirtualClock()


# -- TOKEN authorizers ----------------------------------------------------------------------------------


def test_lambda_token_event_is_aws_shaped(clock):
    fn = Recorder(policy())
    LambdaAuthorizer(fn).authorize(make_call(clock, {"Authorization": "allow-me"}))
    assert fn.events == [
        {"type": "TOKEN", "authorizationToken": "allow-me", "methodArn": f"{ARN_PREFIX}/prod/GET/orders/1"}
    ]


def test_lambda_token_allow_passes_principal_context_and_usage_key(clock):
    answer = policy(context={"tenant": "t-1", "level": 3, "admin": True}, usageIdentifierKey="key-1")
    decision = LambdaAuthorizer(Recorder(answer)).authorize(make_call(clock, {"Authorization": "t"}))
    assert decision.allowed
    assert decision.principal_id == "user-1"
    assert decision.context == {"tenant": "t-1", "level": 3, "admin": True}
    assert decision.usage_identifier_key == "key-1"
    assert decision.cached is False


def test_lambda_function_gets_a_lambda_context_on_the_virtual_clock(clock):
    fn = Recorder(policy())
    LambdaAuthorizer(fn, name="AuthFunction", timeout=10).authorize(make_call(clock, {"Authorization": "t"}))
    (context,) = fn.contexts
    assert context.function_name == "AuthFunction"
    assert context.get_remaining_time_in_millis() == 10_000


def test_lambda_latency_is_the_virtual_time_spent(clock):
    def slow(event, context):
        clock.advance(0.25)
        return policy()

    decision = LambdaAuthorizer(slow).authorize(make_call(clock, {"Authorization": "t"}))
    assert decision.latency == 0.25


def test_lambda_explicit_deny_rest_is_access_denied_with_aws_message(clock):
    decision = LambdaAuthorizer(Recorder(policy("Deny"))).authorize(make_call(clock, {"Authorization": "t"}))
    assert decision.response_type == "ACCESS_DENIED"
    assert decision.message == "User is not authorized to access this resource with an explicit deny"


def test_lambda_no_matching_allow_is_implicit_deny(clock):
    answer = policy(resource=f"{ARN_PREFIX}/prod/POST/orders")
    decision = LambdaAuthorizer(Recorder(answer)).authorize(make_call(clock, {"Authorization": "t"}))
    assert decision.response_type == "ACCESS_DENIED"
    assert decision.message == "User is not authorized to access this resource"


def test_lambda_deny_on_http_api_is_forbidden(clock):
    call = make_call(clock, {"Authorization": "t"}, kind="HTTP")
    decision = LambdaAuthorizer(Recorder(policy("Deny")), type="REQUEST").authorize(call)
    assert decision.response_type == "FORBIDDEN"


def test_lambda_raising_unauthorized_is_401(clock):
    decision = LambdaAuthorizer(Recorder(Exception("Unauthorized"))).authorize(
        make_call(clock, {"Authorization": "t"})
    )
    assert decision.response_type == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "answer",
    [
        ValueError("boom"),
        Exception("unauthorized"),
        None,
        "allow",
        [policy()],
        {"policyDocument": policy()["policyDocument"]},
        {"principalId": "u", "policyDocument": "allow"},
        {
            "principalId": "u",
            "policyDocument": {"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]},
        },
        {"principalId": "u", "policyDocument": {"Statement": [{"Effect": "Allow", "Resource": "*"}]}},
        {"principalId": "u", "policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*"}]}},
        {
            "principalId": "u",
            "policyDocument": {"Statement": [{"Effect": "Allow", "Action": 3, "Resource": "*"}]},
        },
        policy(context={"nested": {"a": 1}}),
        policy(context={"list": [1, 2]}),
        policy(context="not-an-object"),
        policy(usageIdentifierKey=42),
        policy(extra=object()),
    ],
    ids=[
        "raises-other-error",
        "raises-lowercase-unauthorized",
        "returns-none",
        "returns-string",
        "returns-list",
        "no-principal",
        "policy-not-object",
        "bad-effect",
        "no-action",
        "no-resource",
        "action-not-string",
        "context-object-value",
        "context-array-value",
        "context-not-object",
        "usage-key-not-string",
        "not-json",
    ],
)
def test_lambda_bad_answers_are_authorizer_configuration_errors(clock, answer):
    decision = LambdaAuthorizer(Recorder(answer)).authorize(make_call(clock, {"Authorization": "t"}))
    assert decision.response_type == "AUTHORIZER_CONFIGURATION_ERROR"
    assert decision.reason


def test_lambda_running_past_its_timeout_is_a_configuration_error(clock):
    def slow(event, context):
        clock.advance(5)
        return policy()

    decision = LambdaAuthorizer(slow, timeout=3).authorize(make_call(clock, {"Authorization": "t"}))
    assert decision.response_type == "AUTHORIZER_CONFIGURATION_ERROR"
    assert decision.reason == "the authorizer ran 5 s, past its 3 s timeout"


def test_lambda_missing_identity_source_is_401_without_calling(clock):
    fn = Recorder(policy())
    decision = LambdaAuthorizer(fn).authorize(make_call(clock, {}))
    assert decision.response_type == "UNAUTHORIZED"
    assert decision.reason == "missing identity source Authorization"
    assert fn.events == []


def test_lambda_empty_identity_source_is_401_without_calling(clock):
    fn = Recorder(policy())
    assert (
        LambdaAuthorizer(fn).authorize(make_call(clock, {"Authorization": ""})).response_type
        == "UNAUTHORIZED"
    )
    assert fn.events == []


def test_lambda_validation_regex_refuses_without_calling(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(fn, validation_regex=r"Bearer \w+")
    assert (
        authorizer.authorize(make_call(clock, {"Authorization": "Basic abc"})).response_type == "UNAUTHORIZED"
    )
    assert fn.events == []
    assert authorizer.authorize(make_call(clock, {"Authorization": "Bearer abc"})).allowed


# -- caching ---------------------------------------------------------------------------------------------


def test_lambda_result_cached_by_token_until_ttl(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(fn, ttl=300)
    first = authorizer.authorize(make_call(clock, {"Authorization": "t"}))
    clock.advance(299)
    second = authorizer.authorize(make_call(clock, {"Authorization": "t"}))
    assert (first.cached, second.cached) == (False, True)
    assert second.latency == 0.0
    assert len(fn.events) == 1
    clock.advance(1)
    third = authorizer.authorize(make_call(clock, {"Authorization": "t"}))
    assert third.cached is False
    assert len(fn.events) == 2


def test_lambda_cache_is_per_identity_value(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(fn)
    authorizer.authorize(make_call(clock, {"Authorization": "a"}))
    authorizer.authorize(make_call(clock, {"Authorization": "b"}))
    assert [event["authorizationToken"] for event in fn.events] == ["a", "b"]


def test_lambda_ttl_zero_calls_every_time(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(fn, ttl=0)
    for _ in range(3):
        assert authorizer.authorize(make_call(clock, {"Authorization": "t"})).cached is False
    assert len(fn.events) == 3


def test_lambda_unauthorized_and_errors_are_not_cached(clock):
    fn = Recorder(Exception("Unauthorized"))
    authorizer = LambdaAuthorizer(fn)
    authorizer.authorize(make_call(clock, {"Authorization": "t"}))
    authorizer.authorize(make_call(clock, {"Authorization": "t"}))
    assert len(fn.events) == 2


def test_lambda_cached_deny_stays_denied(clock):
    fn = Recorder(policy("Deny"))
    authorizer = LambdaAuthorizer(fn)
    authorizer.authorize(make_call(clock, {"Authorization": "t"}))
    decision = authorizer.authorize(make_call(clock, {"Authorization": "t"}))
    assert decision.cached
    assert decision.response_type == "ACCESS_DENIED"
    assert decision.message == "User is not authorized to access this resource with an explicit deny"


def test_lambda_cached_policy_for_one_proxy_path_denies_the_next_path(clock):
    """The AWS knowledge-center pitfall: the policy names event["methodArn"]; the cache reuses it."""
    fn = Recorder(lambda event: policy(resource=event["methodArn"]))
    authorizer = LambdaAuthorizer(fn)
    first = make_call(clock, {"Authorization": "t"}, path="/files/a.txt", resource="/{proxy+}")
    other = make_call(clock, {"Authorization": "t"}, path="/files/b.txt", resource="/{proxy+}")
    assert authorizer.authorize(first).allowed
    decision = authorizer.authorize(other)
    assert decision.cached
    assert decision.response_type == "ACCESS_DENIED"
    assert decision.message == "User is not authorized to access this resource"
    assert len(fn.events) == 1


def test_lambda_wildcard_policy_survives_the_cache_across_paths(clock):
    authorizer = LambdaAuthorizer(Recorder(policy(resource=f"{ARN_PREFIX}/prod/GET/files/*")))
    assert authorizer.authorize(make_call(clock, {"Authorization": "t"}, path="/files/a")).allowed
    assert authorizer.authorize(make_call(clock, {"Authorization": "t"}, path="/files/b/c")).allowed
    assert not authorizer.authorize(
        make_call(clock, {"Authorization": "t"}, method="DELETE", path="/files/a")
    ).allowed


def test_lambda_clear_cache_forgets_results(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(fn)
    authorizer.authorize(make_call(clock, {"Authorization": "t"}))
    authorizer.clear_cache()
    authorizer.authorize(make_call(clock, {"Authorization": "t"}))
    assert len(fn.events) == 2


# -- REQUEST authorizers (REST, payload 1.0) ------------------------------------------------------------


def test_lambda_request_event_v1_is_aws_shaped(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(fn, type="REQUEST", identity_source="method.request.header.Auth")
    call = make_call(
        clock,
        [("Auth", "secret"), ("X-Multi", "a"), ("X-Multi", "b"), ("User-Agent", "tests")],
        query=[("tag", "x"), ("tag", "y")],
        stage_variables={"env": "prod"},
    )
    authorizer.authorize(call)
    (event,) = fn.events
    context = event.pop("requestContext")
    assert event == {
        "type": "REQUEST",
        "methodArn": f"{ARN_PREFIX}/prod/GET/orders/1",
        "resource": "/orders/{id}",
        "path": "/orders/1",
        "httpMethod": "GET",
        "headers": {"Auth": "secret", "X-Multi": "b", "User-Agent": "tests"},
        "multiValueHeaders": {"Auth": ["secret"], "X-Multi": ["a", "b"], "User-Agent": ["tests"]},
        "queryStringParameters": {"tag": "y"},
        "multiValueQueryStringParameters": {"tag": ["x", "y"]},
        "pathParameters": {"id": "1"},
        "stageVariables": {"env": "prod"},
    }
    assert context["path"] == "/prod/orders/1"
    assert context["stage"] == "prod"
    assert context["resourcePath"] == "/orders/{id}"
    assert context["httpMethod"] == "GET"
    assert context["apiId"] == "abc123"
    assert context["accountId"] == "123456789012"
    assert context["requestId"] == "req-1"
    assert context["identity"]["sourceIp"] == "198.51.100.1"
    assert context["identity"]["userAgent"] == "tests"
    assert context["requestTimeEpoch"] == 1704067200000
    assert context["requestTime"] == "01/Jan/2024:00:00:00 +0000"


def test_lambda_request_empty_collections_are_null_as_on_aws(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(fn, type="REQUEST", identity_source=None, ttl=0)
    authorizer.authorize(make_call(clock, path="/health", resource="/health", path_parameters={}))
    (event,) = fn.events
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["stageVariables"] is None


def test_lambda_request_multiple_identity_sources_all_required(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(
        fn, type="REQUEST", identity_source="method.request.header.Auth, method.request.querystring.q"
    )
    missing = authorizer.authorize(make_call(clock, {"Auth": "a"}))
    assert missing.response_type == "UNAUTHORIZED"
    assert missing.reason == "missing identity source method.request.querystring.q"
    assert fn.events == []
    assert authorizer.authorize(make_call(clock, {"Auth": "a"}, query=[("q", "1")])).allowed
    assert authorizer.authorize(make_call(clock, {"Auth": "a"}, query=[("q", "1")])).cached
    assert not authorizer.authorize(make_call(clock, {"Auth": "a"}, query=[("q", "2")])).cached


def test_lambda_request_stage_variable_and_context_sources(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(
        fn, type="REQUEST", identity_source="stageVariables.env, context.identity.sourceIp"
    )
    assert authorizer.authorize(make_call(clock, stage_variables={"env": "prod"})).allowed
    assert authorizer.authorize(make_call(clock)).response_type == "UNAUTHORIZED"


# -- HTTP API authorizers ----------------------------------------------------------------------------------


def test_lambda_http_v2_event_is_aws_shaped(clock):
    fn = Recorder({"isAuthorized": True})
    authorizer = LambdaAuthorizer(
        fn,
        type="REQUEST",
        identity_source="$request.header.Authorization, $request.querystring.tag",
        payload_format="2.0",
        simple_responses=True,
    )
    call = make_call(
        clock,
        [("Authorization", "tok"), ("X-Multi", "a"), ("x-multi", "b"), ("Cookie", "c1=1; c2=2")],
        kind="HTTP",
        query=[("tag", "x"), ("tag", "y")],
        stage_variables={"env": "prod"},
    )
    authorizer.authorize(call)
    (event,) = fn.events
    context = event.pop("requestContext")
    assert event == {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": f"{ARN_PREFIX}/prod/GET/orders/1",
        "identitySource": ["tok", "x,y"],
        "routeKey": "GET /orders/{id}",
        "rawPath": "/prod/orders/1",
        "rawQueryString": "tag=x&tag=y",
        "cookies": ["c1=1", "c2=2"],
        "headers": {"authorization": "tok", "x-multi": "a,b"},
        "queryStringParameters": {"tag": "x,y"},
        "pathParameters": {"id": "1"},
        "stageVariables": {"env": "prod"},
    }
    assert context["http"] == {
        "method": "GET",
        "path": "/prod/orders/1",
        "protocol": "HTTP/1.1",
        "sourceIp": "198.51.100.1",
        "userAgent": "",
    }
    assert context["routeKey"] == "GET /orders/{id}"
    assert context["stage"] == "prod"
    assert context["timeEpoch"] == 1704067200000


def test_lambda_http_v1_event_has_version_and_identity_source_string(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(fn, type="REQUEST", identity_source="$request.header.Authorization")
    authorizer.authorize(make_call(clock, {"Authorization": "tok"}, kind="HTTP"))
    (event,) = fn.events
    assert event["version"] == "1.0"
    assert event["identitySource"] == "tok"
    assert event["authorizationToken"] == "tok"
    assert event["methodArn"] == f"{ARN_PREFIX}/prod/GET/orders/1"


def test_lambda_http_simple_response_allows_and_passes_any_json_context(clock):
    answer = {"isAuthorized": True, "context": {"list": [1, 2], "map": {"a": "b"}}}
    authorizer = LambdaAuthorizer(
        Recorder(answer), type="REQUEST", payload_format="2.0", simple_responses=True
    )
    decision = authorizer.authorize(make_call(clock, {"Authorization": "t"}, kind="HTTP"))
    assert decision.allowed
    assert decision.context == {"list": [1, 2], "map": {"a": "b"}}


def test_lambda_http_simple_response_false_is_forbidden(clock):
    authorizer = LambdaAuthorizer(
        Recorder({"isAuthorized": False}), type="REQUEST", payload_format="2.0", simple_responses=True
    )
    assert (
        authorizer.authorize(make_call(clock, {"Authorization": "t"}, kind="HTTP")).response_type
        == "FORBIDDEN"
    )


@pytest.mark.parametrize("answer", [{}, {"isAuthorized": "yes"}, policy()])
def test_lambda_http_simple_response_malformed_is_configuration_error(clock, answer):
    authorizer = LambdaAuthorizer(
        Recorder(answer), type="REQUEST", payload_format="2.0", simple_responses=True
    )
    decision = authorizer.authorize(make_call(clock, {"Authorization": "t"}, kind="HTTP"))
    assert decision.response_type == "AUTHORIZER_CONFIGURATION_ERROR"


def test_lambda_http_cache_is_shared_across_routes_by_default(clock):
    fn = Recorder({"isAuthorized": True})
    authorizer = LambdaAuthorizer(fn, type="REQUEST", payload_format="2.0", simple_responses=True)
    authorizer.authorize(make_call(clock, {"Authorization": "t"}, kind="HTTP"))
    other_route = make_call(
        clock, {"Authorization": "t"}, kind="HTTP", method="POST", path="/orders", resource="/orders"
    )
    assert authorizer.authorize(other_route).cached
    assert len(fn.events) == 1


def test_lambda_http_cache_per_route_with_context_route_key(clock):
    fn = Recorder({"isAuthorized": True})
    authorizer = LambdaAuthorizer(
        fn,
        type="REQUEST",
        identity_source="$request.header.Authorization, $context.routeKey",
        payload_format="2.0",
        simple_responses=True,
    )
    authorizer.authorize(make_call(clock, {"Authorization": "t"}, kind="HTTP"))
    other_route = make_call(
        clock, {"Authorization": "t"}, kind="HTTP", method="POST", path="/orders", resource="/orders"
    )
    assert not authorizer.authorize(other_route).cached
    assert [event["identitySource"] for event in fn.events] == [
        ["t", "GET /orders/{id}"],
        ["t", "POST /orders"],
    ]


# -- constructor checks ------------------------------------------------------------------------------------


def test_lambda_ttl_above_3600_is_a_usage_error():
    with pytest.raises(UsageError, match=r"LambdaAuthorizer\(ttl=...\) takes 0 to 3600 seconds, got 3601"):
        LambdaAuthorizer(Recorder(policy()), ttl=3601)


def test_lambda_caching_without_identity_source_is_a_usage_error():
    with pytest.raises(UsageError, match="caching \\(ttl > 0\\) needs at least one identity source"):
        LambdaAuthorizer(Recorder(policy()), type="REQUEST", identity_source="")


def test_lambda_token_authorizer_reads_exactly_one_header():
    with pytest.raises(UsageError, match="a TOKEN authorizer reads exactly one header"):
        LambdaAuthorizer(Recorder(policy()), identity_source="method.request.querystring.q")


def test_lambda_unknown_identity_source_spelling_is_a_usage_error():
    with pytest.raises(UsageError, match="cannot read '\\$request.body.x'"):
        LambdaAuthorizer(Recorder(policy()), type="REQUEST", identity_source="$request.body.x")


def test_lambda_simple_responses_need_payload_2():
    with pytest.raises(UsageError, match='needs payload_format="2.0"'):
        LambdaAuthorizer(Recorder(policy()), type="REQUEST", simple_responses=True)


# -- IAM policy evaluation ----------------------------------------------------------------------------------

METHOD_ARN = f"{ARN_PREFIX}/prod/GET/orders/1"


def statement(effect, resource, action="execute-api:Invoke"):
    return {"Effect": effect, "Action": action, "Resource": resource}


@pytest.mark.parametrize(
    "resource",
    [
        METHOD_ARN,
        f"{ARN_PREFIX}/prod/GET/orders/*",
        f"{ARN_PREFIX}/*/GET/orders/?",
        f"{ARN_PREFIX}/*",
        "arn:aws:execute-api:*:*:*",
        "*",
        [f"{ARN_PREFIX}/prod/POST/orders", METHOD_ARN],
    ],
)
def test_policy_resource_wildcards_match(resource):
    assert evaluate_policy({"Statement": [statement("Allow", resource)]}, METHOD_ARN) == "ALLOW"


@pytest.mark.parametrize(
    "resource",
    [
        f"{ARN_PREFIX}/prod/POST/orders/1",
        f"{ARN_PREFIX}/prod/GET/orders/??",
        f"{ARN_PREFIX}/dev/*",
        f"{ARN_PREFIX.upper()}/prod/GET/orders/1",
    ],
)
def test_policy_resource_mismatch_is_implicit_deny(resource):
    assert evaluate_policy({"Statement": [statement("Allow", resource)]}, METHOD_ARN) == "IMPLICIT_DENY"


@pytest.mark.parametrize(
    "action", ["execute-api:Invoke", "execute-api:*", "*", "EXECUTE-API:invoke", ["s3:*", "execute-api:Inv*"]]
)
def test_policy_action_wildcards_match(action):
    assert evaluate_policy({"Statement": [statement("Allow", "*", action)]}, METHOD_ARN) == "ALLOW"


def test_policy_other_action_does_not_allow():
    assert evaluate_policy(
        {"Statement": [statement("Allow", "*", "execute-api:ManageConnections")]}, METHOD_ARN
    ) == ("IMPLICIT_DENY")


def test_policy_explicit_deny_wins_in_any_order():
    allow, deny = statement("Allow", "*"), statement("Deny", METHOD_ARN)
    assert evaluate_policy({"Statement": [allow, deny]}, METHOD_ARN) == "DENY"
    assert evaluate_policy({"Statement": [deny, allow]}, METHOD_ARN) == "DENY"


def test_policy_single_statement_object_and_not_resource():
    document = {"Statement": {"Effect": "Allow", "Action": "*", "NotResource": f"{ARN_PREFIX}/prod/DELETE/*"}}
    assert evaluate_policy(document, METHOD_ARN) == "ALLOW"
    assert evaluate_policy(document, f"{ARN_PREFIX}/prod/DELETE/orders/1") == "IMPLICIT_DENY"


def test_policy_empty_statement_list_is_implicit_deny():
    assert evaluate_policy({"Version": "2012-10-17", "Statement": []}, METHOD_ARN) == "IMPLICIT_DENY"


def test_policy_malformed_document_names_the_statement():
    with pytest.raises(
        PolicyError, match=r'policyDocument.Statement\[1\].Effect must be "Allow" or "Deny", got None'
    ):
        evaluate_policy(
            {"Statement": [statement("Allow", "x"), {"Action": "*", "Resource": "*"}]}, METHOD_ARN
        )


@settings(max_examples=100, deadline=None)
@given(arn=st.text(min_size=1, max_size=60))
def test_policy_star_matches_every_arn_and_exact_pattern_matches_itself(arn):
    assert evaluate_policy({"Statement": [statement("Allow", "*")]}, arn) == "ALLOW"
    escaped = arn.replace("*", "?")  # a literal pattern (wildcards only widen it)
    assert evaluate_policy({"Statement": [statement("Allow", escaped)]}, arn) == "ALLOW"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("not callable",), {}, "LambdaAuthorizer(fn) takes a handler function fn(event, context)"),
        ((Recorder(None),), {"type": "COGNITO"}, 'must be "TOKEN" or "REQUEST", got \'COGNITO\''),
        ((Recorder(None),), {"payload_format": "3.0"}, 'must be "1.0" or "2.0", got \'3.0\''),
        (
            (Recorder(None),),
            {"type": "REQUEST", "validation_regex": "x"},
            "applies to TOKEN authorizers only",
        ),
    ],
)
def test_lambda_bad_arguments_are_usage_errors(args, kwargs, message):
    with pytest.raises(UsageError) as info:
        LambdaAuthorizer(*args, **kwargs)
    assert message in str(info.value)


def test_lambda_path_parameter_source_and_repr(clock):
    fn = Recorder(policy())
    authorizer = LambdaAuthorizer(fn, type="REQUEST", identity_source="method.request.path.id,  ,")
    assert authorizer.authorize(make_call(clock)).allowed
    assert authorizer.authorize(make_call(clock, path_parameters={})).response_type == "UNAUTHORIZED"
    assert repr(authorizer) == (
        "LambdaAuthorizer('authorizer', type='REQUEST', identity_source='method.request.path.id,  ,')"
    )


def test_lambda_http_v2_event_without_raw_path_on_default_stage(clock):
    fn = Recorder({"isAuthorized": True})
    authorizer = LambdaAuthorizer(fn, type="REQUEST", payload_format="2.0", simple_responses=True, ttl=0)
    call = make_call(clock, {"Authorization": "t"}, kind="HTTP", path_parameters={})
    call.request.raw_path = ""
    object.__setattr__(call, "stage", "$default")
    authorizer.authorize(call)
    (event,) = fn.events
    assert event["rawPath"] == "/orders/1"
    assert "pathParameters" not in event
    assert "stageVariables" not in event
    assert "queryStringParameters" not in event
    assert "cookies" not in event


def test_policy_not_action_and_malformed_statements():
    document = {"Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}
    assert evaluate_policy(document, METHOD_ARN) == "ALLOW"
    with pytest.raises(PolicyError, match="policyDocument.Statement must be an object or a list of objects"):
        evaluate_policy({"Statement": "all"}, METHOD_ARN)
    with pytest.raises(PolicyError, match=r"policyDocument.Statement\[0\] must be an object"):
        evaluate_policy({"Statement": ["x"]}, METHOD_ARN)
