"""Lambda authorizers (TOKEN, REQUEST, HTTP API 1.0/2.0) and IAM policy evaluation, through the contract."""

from __future__ import annotations

import json
from pathlib import Path

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
from tests.helpers import ARN_PREFIX
from tests.helpers import authorization_call as make_call


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


# section: Mutation-found edges of Lambda authorizers.


ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders/1"


# -- Lambda authorizer identity sources from $context ----------------------------------------------------


def test_every_context_identity_source_reads_its_value():
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    names = [
        "routeKey",
        "httpMethod",
        "stage",
        "apiId",
        "requestId",
        "resourcePath",
        "path",
        "accountId",
        "domainName",
        "identity.sourceIp",
        "sourceIp",
        "identity.userAgent",
        "protocol",
    ]
    seen = []

    def authorizer(event, context):
        seen.append(event["identitySource"])
        return {"isAuthorized": True}

    lambda_authorizer = LambdaAuthorizer(
        authorizer,
        type="REQUEST",
        identity_source=", ".join(f"$context.{name}" for name in names),
        ttl=0,
        payload_format="2.0",
        simple_responses=True,
    )
    request = GatewayRequest(
        "POST",
        "/orders/1",
        headers=Headers({"User-Agent": "agent/1"}),
        source_ip="203.0.113.9",
        protocol="HTTP/2",
        domain_name="api.example.com",
    )
    decision = lambda_authorizer.authorize(
        AuthorizationCall(
            request=request,
            api_kind="HTTP",
            api_id="abc123",
            api_name="orders",
            stage="prod",
            stage_variables={},
            route_key="POST /orders/{id}",
            resource_path="/orders/{id}",
            path_parameters={"id": "1"},
            method_arn=ARN,
            request_id="req-7",
            clock=VirtualClock(),
            account_id="111122223333",
        )
    )
    assert decision.allowed
    assert seen == [
        [
            "POST /orders/{id}",
            "POST",
            "prod",
            "abc123",
            "req-7",
            "/orders/{id}",
            "/orders/1",
            "111122223333",
            "api.example.com",
            "203.0.113.9",
            "203.0.113.9",
            "agent/1",
            "HTTP/2",
        ]
    ]


# -- Lambda authorizer decisions: reasons, latency, timeouts, caching ---------------------------------


def lambda_call(clock, kind="REST", headers=None):
    return make_call(clock, headers or {"Authorization": "tok"}, kind=kind)


def _allow(event, context):
    return {
        "principalId": "u",
        "policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    }


def _taking(clock, seconds, outcome):
    def fn(event, context):
        clock.advance(seconds)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return fn


def test_lambda_refusal_reasons_and_latency():
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    clock = VirtualClock()
    regex = LambdaAuthorizer(_allow, validation_regex="Bearer .+", ttl=0)
    decision = regex.authorize(lambda_call(clock))
    assert (decision.response_type, decision.reason) == (
        "UNAUTHORIZED",
        "the token does not match validation_regex",
    )
    refused = LambdaAuthorizer(_taking(clock, 2, Exception("Unauthorized")), ttl=0).authorize(
        lambda_call(clock)
    )
    assert (refused.response_type, refused.latency, refused.reason) == (
        "UNAUTHORIZED",
        2.0,
        "the authorizer raised Unauthorized",
    )
    crashed = LambdaAuthorizer(_taking(clock, 3, KeyError("x")), ttl=0).authorize(lambda_call(clock))
    assert (crashed.response_type, crashed.latency, crashed.reason) == (
        "AUTHORIZER_CONFIGURATION_ERROR",
        3.0,
        "the authorizer raised KeyError: 'x'",
    )
    malformed = LambdaAuthorizer(_taking(clock, 4, {"nope": 1}), ttl=0).authorize(lambda_call(clock))
    assert (malformed.response_type, malformed.latency, malformed.reason) == (
        "AUTHORIZER_CONFIGURATION_ERROR",
        4.0,
        "the authorizer's answer has no principalId",
    )
    slow = LambdaAuthorizer(_taking(clock, 6, {}), ttl=0, timeout=5).authorize(lambda_call(clock))
    assert (slow.response_type, slow.latency, slow.reason) == (
        "AUTHORIZER_CONFIGURATION_ERROR",
        6.0,
        "the authorizer ran 6 s, past its 5 s timeout",
    )


@pytest.mark.parametrize(
    ("kind", "timeout", "seconds", "allowed"),
    [
        ("HTTP", 5, 5, True),  # exactly the limit: still in time
        ("HTTP", 5, 6, False),  # the authorizer's own timeout, below the HTTP API's 10 s
        ("HTTP", 30, 10, True),
        ("HTTP", 30, 11, False),  # capped at 10 s on HTTP APIs
        ("REST", 30, 11, True),
        ("REST", None, 600, True),
    ],
)
def test_lambda_timeouts(kind, timeout, seconds, allowed):
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    clock = VirtualClock()
    authorizer = LambdaAuthorizer(
        _taking(clock, seconds, {"isAuthorized": True} if kind == "HTTP" else _allow({}, None)),
        type="REQUEST",
        identity_source="Authorization",
        ttl=0,
        timeout=timeout,
        **({"payload_format": "2.0", "simple_responses": True} if kind == "HTTP" else {}),
    )
    assert authorizer.authorize(lambda_call(clock, kind)).allowed is allowed


def test_lambda_context_request_id_is_derived_from_the_request():
    from pytest_serverless._ids import deterministic_uuid
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    seen = []

    def fn(event, context):
        seen.append((context.aws_request_id, context.function_name))
        return _allow(event, context)

    LambdaAuthorizer(fn, ttl=0, name="gate").authorize(lambda_call(VirtualClock()))
    assert seen == [(deterministic_uuid("req-1", "authorizer", "gate"), "gate")]


@pytest.mark.parametrize(("ttl", "calls"), [(0, 3), (1, 2), (300, 1)])
def test_lambda_cache_ttl_edges(ttl, calls):
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    clock = VirtualClock()
    authorizer = LambdaAuthorizer(_allow, ttl=ttl)
    first = authorizer.authorize(lambda_call(clock))
    clock.advance(0.5)
    second = authorizer.authorize(lambda_call(clock))
    clock.advance(0.5)  # 1 s after the first call: a 1 s entry has expired
    authorizer.authorize(lambda_call(clock))
    assert authorizer.invocations == calls
    assert first.cached is False
    assert second.cached is (ttl >= 1)


# -- Lambda authorizer answers AWS refuses, with their reasons ---------------------------------------------

_POLICY = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            {"principalId": "u", "policyDocument": _POLICY, "x": {1, 2}},
            "the authorizer's answer is not JSON: ",
        ),
        (["u"], "the authorizer answered list, not a JSON object"),
        (
            {"principalId": "u", "policyDocument": _POLICY, "context": [1]},
            "the authorizer's context must be a JSON object",
        ),
        (
            {"principalId": "u", "policyDocument": _POLICY, "context": {"k": [1]}},
            "the authorizer's context value 'k' is a list: only strings, numbers and booleans are allowed",
        ),
        ({"policyDocument": _POLICY}, "the authorizer's answer has no principalId"),
        ({"principalId": "u", "policyDocument": "x"}, "policyDocument must be a JSON object"),
        (
            {"principalId": "u", "policyDocument": _POLICY, "usageIdentifierKey": 3},
            "usageIdentifierKey must be a string",
        ),
    ],
)
def test_lambda_malformed_answers_name_the_problem(answer, reason):
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    decision = LambdaAuthorizer(lambda event, context: answer, ttl=0).authorize(lambda_call(VirtualClock()))
    assert decision.response_type == "AUTHORIZER_CONFIGURATION_ERROR"
    assert decision.reason.startswith(reason)
    if not reason.endswith(": "):
        assert decision.reason == reason


def test_lambda_simple_response_needs_a_boolean():
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    authorizer = LambdaAuthorizer(
        lambda event, context: {"isAuthorized": "yes"},
        type="REQUEST",
        identity_source="Authorization",
        ttl=0,
        payload_format="2.0",
        simple_responses=True,
    )
    decision = authorizer.authorize(lambda_call(VirtualClock(), "HTTP"))
    assert decision.reason == 'a simple response needs "isAuthorized": true or false'


# -- Lambda authorizer events, whole ------------------------------------------------------------------

EVENTS = (
    Path(__file__).parent / "authorizer_events.json"
)  # the three events below, as this version sends them


def _event_call(kind, stage):
    raw_path = "/orders/1?q=1" if stage == "$default" else f"/{stage}/orders/1?q=1&q=2&r=x"
    request = GatewayRequest(
        "GET",
        "/orders/1",
        headers=Headers(
            [
                ("Authorization", "tok"),
                ("x-api-key", "K1"),
                ("User-Agent", "agent/1"),
                ("Cookie", "a=1; b=2"),
                ("X-Multi", "1"),
                ("X-Multi", "2"),
            ]
        ),
        query=[("q", "1"), ("q", "2"), ("r", "x")],
        raw_path=raw_path,
        raw_query_string="q=1&q=2&r=x",
        source_ip="203.0.113.9",
    )
    return AuthorizationCall(
        request=request,
        api_kind=kind,
        api_id="abc123",
        api_name="orders",
        stage=stage,
        stage_variables={"v": "1"},
        route_key="GET /orders/{id}",
        resource_path="/orders/{id}",
        path_parameters={"id": "1"},
        method_arn=ARN,
        request_id="req-1",
        clock=VirtualClock(),
        account_id="111122223333",
    )


@pytest.mark.parametrize(
    ("kind", "payload_format", "stage"),
    [("REST", "1.0", "prod"), ("HTTP", "1.0", "prod"), ("HTTP", "2.0", "$default")],
)
def test_lambda_authorizer_events_whole(kind, payload_format, stage):
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    seen = []

    def fn(event, context):
        seen.append(event)
        if payload_format == "2.0":
            return {"isAuthorized": True}
        return {"principalId": "u", "policyDocument": _POLICY}

    source = "$request.header.Authorization" if kind == "HTTP" else "method.request.header.Authorization"
    authorizer = LambdaAuthorizer(
        fn,
        type="REQUEST",
        identity_source=source,
        ttl=0,
        payload_format=payload_format,
        simple_responses=payload_format == "2.0",
    )
    assert authorizer.authorize(_event_call(kind, stage)).allowed
    expected = json.loads(EVENTS.read_text())[f"{kind} {payload_format}"]
    assert seen == [expected]


# -- constructor checks and defaults -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ttl": "5"}, "LambdaAuthorizer(ttl=...) takes 0 to 3600 seconds, got '5'"),
        ({"ttl": True}, "LambdaAuthorizer(ttl=...) takes 0 to 3600 seconds, got True"),
        ({"ttl": 3601}, "LambdaAuthorizer(ttl=...) takes 0 to 3600 seconds, got 3601"),
        (
            {"simple_responses": True},
            'LambdaAuthorizer(simple_responses=True) needs payload_format="2.0" (HTTP APIs only)',
        ),
        (
            {"type": "REQUEST", "validation_regex": ".+"},
            "LambdaAuthorizer(validation_regex=...) applies to TOKEN authorizers only",
        ),
        (
            {"type": "REQUEST", "identity_source": "", "ttl": 1},
            "LambdaAuthorizer: caching (ttl > 0) needs at least one identity source; pass ttl=0 to call the "
            "function on every request",
        ),
    ],
)
def test_lambda_authorizer_usage_errors(kwargs, message):
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    with pytest.raises(UsageError) as info:
        LambdaAuthorizer(_allow, **kwargs)
    assert str(info.value) == message


def test_lambda_authorizer_defaults_and_bounds():
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    assert LambdaAuthorizer(_allow, ttl=3600).ttl == 3600
    assert LambdaAuthorizer(_allow).name == "_allow"
    assert LambdaAuthorizer(_allow, name="gate").name == "gate"


# -- Lambda authorizer denials keep their reason and the function's answer ---------------------------------


def test_lambda_denials_keep_reason_principal_and_context():
    from pytest_serverless.gateway.authorizers import LambdaAuthorizer

    clock = VirtualClock()
    simple = LambdaAuthorizer(
        lambda event, context: {"isAuthorized": False, "context": {"who": "u"}},
        type="REQUEST",
        identity_source="Authorization",
        ttl=0,
        payload_format="2.0",
        simple_responses=True,
    ).authorize(lambda_call(clock, "HTTP"))
    assert (simple.response_type, simple.reason, dict(simple.context)) == (
        "FORBIDDEN",
        "isAuthorized is false",
        {"who": "u"},
    )
    deny = {
        "principalId": "p-1",
        "context": {"who": "u"},
        "policyDocument": {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]},
    }
    for kind, response_type in (("HTTP", "FORBIDDEN"), ("REST", "ACCESS_DENIED")):
        decision = LambdaAuthorizer(
            lambda event, context: deny, type="REQUEST", identity_source="Authorization", ttl=0
        ).authorize(lambda_call(clock, kind))
        assert (decision.response_type, decision.principal_id, dict(decision.context)) == (
            response_type,
            "p-1",
            {"who": "u"},
        )
        assert decision.reason == (
            f"User is not authorized to access this resource with an explicit deny ({ARN})"
        )
