"""Each app of a template builds its APIs from what the first app worked out (``build_api.PreparedApi``, kept
in the template's blueprint): parsed routes and checked settings are shared, every live object is the app's
own (integrations bound to its functions, state machines and AWS service answers, the last in
test_aws_integrations.py; stages with their own buckets and cache; usage plans with their own counters;
authorizers with their own result caches; token issuers on its own clock)."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from pytest_serverless.errors import TemplateError
from pytest_serverless.loaders import load_template
from tests.helpers import write_template

SAM_ORDERS = "sam_orders/template.yaml"

TEMPLATE = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Gate:
        Type: AWS::Serverless::Function
        Properties: {Runtime: python3.12, Handler: gate.handler, InlineCode: "x"}
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: orders.handler
          InlineCode: "x"
          Events:
            Get:
              Type: Api
              Properties:
                RestApiId: !Ref Guarded
                Path: /orders/{id}
                Method: get
      Guarded:
        Type: AWS::Serverless::Api
        Properties:
          StageName: live
          Auth:
            DefaultAuthorizer: Gate
            Authorizers:
              Gate:
                FunctionArn: !GetAtt Gate.Arn
                Identity: {Header: X-Token, ReauthorizeEvery: 300}
    """
)


@pytest.fixture
def template(tmp_path):
    return write_template(tmp_path, TEMPLATE)


def _app(template: Path, calls: list[str], tag: str):
    def orders(event, context):
        calls.append(f"{tag} orders {event['pathParameters']['id']}")
        return {"statusCode": 200, "body": json.dumps({"app": tag})}

    def gate(event, context):
        calls.append(f"{tag} gate")
        effect = "Allow" if event["authorizationToken"] == "open" else "Deny"
        statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": "*"}
        return {"principalId": tag, "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}}

    return load_template(template, handlers={"Orders": orders, "Gate": gate})


# section: integrations and authorizers are each app's own


def test_each_app_calls_its_own_functions_and_caches_its_own_authorizer_results(template):
    calls: list[str] = []
    first, second = _app(template, calls, "first"), _app(template, calls, "second")
    one = first.api("Guarded").stage("live").client()
    two = second.api("Guarded").stage("live").client()
    assert one.get("/orders/1", headers={"X-Token": "open"}).json() == {"app": "first"}
    assert one.get("/orders/2", headers={"X-Token": "open"}).json() == {"app": "first"}
    assert two.get("/orders/3", headers={"X-Token": "open"}).json() == {"app": "second"}
    # the first app's cached authorizer result (ReauthorizeEvery: 300) is not the second app's
    assert calls == ["first gate", "first orders 1", "first orders 2", "second gate", "second orders 3"]
    first.close()
    second.close()


def test_a_route_changed_in_one_app_is_unchanged_in_the_next(template):
    calls: list[str] = []
    first = _app(template, calls, "first")
    route = first.api("Guarded").routes["GET /orders/{id}"]
    named = route.integration.function_name
    route.timeout = 1.0
    route.integration.function_name = "changed"
    second = _app(template, calls, "second")
    again = second.api("Guarded").routes["GET /orders/{id}"]
    assert again is not route
    assert again.timeout == 29.0
    assert again.integration is not route.integration
    assert again.integration.function_name == named != "changed"
    client = second.api("Guarded").stage("live").client()
    assert client.get("/orders/1", headers={"X-Token": "open"}).json() == {"app": "second"}


# section: stages, usage plans and token issuers are each app's own


def test_throttle_cache_and_quota_used_in_one_app_are_fresh_in_the_next(load):
    first = load(SAM_ORDERS)
    stage = first.api("OrdersApi").stage("Prod")
    client = stage.client()
    key = first.api_keys["OrdersApiApiKey"]
    assert [client.get("/catalog").status_code for _ in range(3)] == [200, 200, 429]  # burst 2
    first.clock.advance(1)
    assert [client.get("/orders", headers={"x-api-key": key}).status_code for _ in range(2)] == [200, 200]
    second = load(SAM_ORDERS)
    fresh = second.api("OrdersApi").stage("Prod")
    assert fresh is not stage
    assert fresh.cache is not stage.cache
    other = fresh.client()
    assert [other.get("/catalog").status_code for _ in range(2)] == [200, 200]
    assert [log["cacheHit"] for log in fresh.logs] == [False, True]  # its own cache, empty at first
    assert fresh.logs is not stage.logs
    second.clock.advance(1)
    # quota 3 a day: the first app used 2 of its own
    statuses = []
    for _ in range(4):
        statuses.append(other.get("/orders", headers={"x-api-key": key}).status_code)
        second.clock.advance(1)
    assert statuses == [200, 200, 200, 429]


def test_each_app_has_its_own_token_issuer_on_its_own_clock(load):
    first = load(SAM_ORDERS)
    first.clock.advance(3600)
    second = load(SAM_ORDERS)
    one, two = first.token_issuer("PartnerJwt"), second.token_issuer("PartnerJwt")
    assert one is not two
    assert one.clock is first.clock
    assert two.clock is second.clock
    assert (
        first.api("OrdersHttpApi").authorizers["PartnerJwt"]
        is not (second.api("OrdersHttpApi").authorizers["PartnerJwt"])
    )
    client = second.api("OrdersHttpApi").stage("$default").client()
    token = two.token(scopes=["orders/read"], token_use="access")
    assert client.get("/partner/orders/3", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    # a token the first app issued an hour later (on its clock) is not yet valid on the second app's clock
    early = one.token(scopes=["orders/read"], token_use="access")
    assert client.get("/partner/orders/3", headers={"Authorization": f"Bearer {early}"}).status_code == 401


def test_every_app_lists_the_same_unsupported_routes_and_apis(load):
    first, second = load(SAM_ORDERS), load(SAM_ORDERS)
    assert second.unsupported == first.unsupported
    assert second.unsupported is not first.unsupported
    assert sorted(second.apis) == sorted(first.apis)
    for logical_id, api in first.apis.items():
        other = second.apis[logical_id]
        assert other is not api
        assert list(other.routes) == list(api.routes)
        assert list(other.stages) == list(api.stages)
        assert other.id == api.id


# section: a broken API fails every load


def test_a_broken_api_fails_every_load_with_the_same_message(tmp_path):
    path = write_template(
        tmp_path, re.sub(r"( +)Method: get\n", r"\1Method: get\n\1Auth: {Authorizer: Missing}\n", TEMPLATE)
    )
    messages = []
    for _ in range(2):
        with pytest.raises(TemplateError) as info:
            load_template(path)
        messages.append(str(info.value))
    expected = (
        f"{path}:/Resources/Orders/Properties/Events/Get: route GET /orders/{{id}} uses authorizer "
        "'Missing', which the API does not declare (authorizers: ['Gate'])"
    )
    assert messages == [expected, expected]


def test_each_app_has_its_own_websocket_routes_connections_and_throttles(load):
    def echo(tag):
        return lambda event, context: {"statusCode": 200, "body": f"{tag}: {event['body']}"}

    first = load("websocket/template.yaml", handlers={"EchoFunction": echo("first")})
    second = load("websocket/template.yaml", handlers={"EchoFunction": echo("second")})
    one, two = first.api("ChatApi").stage("prod"), second.api("ChatApi").stage("prod")
    assert one is not two
    ws = one.connect(params={"token": "secret"})
    for _ in range(3):
        ws.send(json={"action": "echo"})
    assert ws.messages[0] == 'first: {"action": "echo"}'
    assert json.loads(ws.messages[-1])["message"] == "Too Many Requests"  # the route's burst of 2
    other = two.connect(params={"token": "secret"})
    other.send(json={"action": "echo"})
    assert other.receive() == 'second: {"action": "echo"}'  # its own function and its own bucket
    assert len(one.connections) == len(two.connections) == 1
    assert one.routes["echo"] is not two.routes["echo"]
