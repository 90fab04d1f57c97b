"""REST resource policies (source IP, VPC endpoint, VPC, principals, explicit deny) and endpoint types
(EDGE's CloudFront headers, PRIVATE reachable only through a VPC endpoint), through the Python API and
templates."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import Gateway, UsageError
from pytest_serverless.loaders import load_template
from tests.helpers import ok


def statement(effect, condition=None, resource="execute-api:/*", principal="*"):
    found = {"Effect": effect, "Principal": principal, "Action": "execute-api:Invoke", "Resource": resource}
    if condition:
        found["Condition"] = condition
    return found


def api_with_policy(*statements, endpoint_type=None):
    api = Gateway().rest_api("shop", endpoint_type=endpoint_type)
    api.route("GET /orders", ok)
    api.route("GET /admin", ok)
    api.policy({"Version": "2012-10-17", "Statement": list(statements)})
    return api


def test_ip_allowlist_and_the_403_aws_sends():
    api = api_with_policy(
        statement("Allow"), statement("Deny", {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}})
    )
    stage = api.deploy("prod")
    assert stage.client(source_ip="203.0.113.9").get("/orders").status_code == 200
    denied = stage.client(source_ip="198.51.100.7").get("/orders")
    assert denied.status_code == 403
    assert denied.json() == {
        "Message": "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
        f"arn:aws:execute-api:us-east-1:123456789012:{api.id}/prod/GET/orders with an explicit deny"
    }
    assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_no_matching_allow_is_an_implicit_deny():
    api = api_with_policy(statement("Allow", resource="execute-api:/*/GET/orders"))
    client = api.deploy("prod").client()
    assert client.get("/orders").status_code == 200
    denied = client.get("/admin")
    assert denied.status_code == 403
    assert not denied.json()["Message"].endswith("explicit deny")


def test_explicit_deny_wins_over_allow_and_vpc_endpoints_come_from_a_header():
    api = api_with_policy(
        statement("Allow"),
        statement("Deny", {"StringNotEquals": {"aws:SourceVpce": "vpce-0abc"}}),
        endpoint_type="PRIVATE",
    )
    client = api.deploy("prod").client()
    outside = client.get("/orders")  # a PRIVATE API is reached only through a VPC endpoint
    assert (outside.status_code, outside.json()) == (403, {"message": "Forbidden"})
    wrong = client.get("/orders", headers={"x-amzn-vpce-id": "vpce-other"})
    assert wrong.status_code == 403
    assert wrong.json()["Message"].endswith("with an explicit deny")
    assert client.get("/orders", headers={"x-amzn-vpce-id": "vpce-0abc"}).status_code == 200


def test_statements_naming_principals_do_not_apply_to_anonymous_callers():
    api = api_with_policy(statement("Allow", principal={"AWS": "arn:aws:iam::123456789012:role/ops"}))
    assert api.deploy("prod").client().get("/orders").status_code == 403


def test_edge_answers_carry_cloudfront_headers():
    api = Gateway().rest_api("edge", endpoint_type="EDGE")
    api.route("GET /a", ok)
    response = api.deploy("prod").client().get("/a")
    assert response.headers["Via"].endswith(".cloudfront.net (CloudFront)")
    assert response.headers["X-Amz-Cf-Id"]
    assert response.headers["X-Cache"] == "Miss from cloudfront"


def test_bad_policies_and_endpoint_types_are_refused():
    api = Gateway().rest_api("a")
    with pytest.raises(UsageError, match="invalid policy document"):
        api.policy({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]})
    with pytest.raises(UsageError, match="not JSON"):
        api.policy("{nope")
    with pytest.raises(UsageError, match="is no IP range"):
        api.policy({"Statement": [statement("Deny", {"IpAddress": {"aws:SourceIp": "300.1.1.1/8"}})]})
    with pytest.raises(UsageError, match="endpoint_type"):
        Gateway().rest_api("b", endpoint_type="GLOBAL")
    with pytest.raises(UsageError, match="HTTP APIs have no resource policies"):
        Gateway().http_api("h").policy({"Statement": []})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=st.recursive(
        st.none() | st.booleans() | st.text(max_size=8) | st.integers(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=8,
    ),
    ip=st.ip_addresses(v=4).map(str),
)
def test_any_document_is_refused_clearly_or_evaluated_to_200_or_403(document, ip):
    api = Gateway().rest_api("h")
    api.route("GET /a", ok)
    try:
        api.policy({"Statement": document})
    except UsageError:
        return
    assert api.deploy("prod").client(source_ip=ip).get("/a").status_code in (200, 403)


SAM = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(event, context):\\n    return {'statusCode': 200, 'body': 'ok'}\\n"
          Events:
            List:
              Type: Api
              Properties: {RestApiId: !Ref ShopApi, Path: /orders, Method: get}
      ShopApi:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          EndpointConfiguration: {Type: PRIVATE}
          Auth:
            ResourcePolicy:
              SourceVpcWhitelist: [vpce-0abc]
              IpRangeBlacklist: [10.0.0.0/8]
      Plain:
        Type: AWS::ApiGateway::RestApi
        Properties:
          Name: plain
          EndpointConfiguration: {Types: [EDGE]}
          Policy:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Principal: "*", Action: execute-api:Invoke, Resource: execute-api:/*}
              - Effect: Deny
                Principal: "*"
                Action: execute-api:Invoke
                Resource: execute-api:/*/GET/secret
          Body:
            openapi: "3.0.1"
            info: {title: plain, version: "1"}
            paths:
              /secret:
                get:
                  x-amazon-apigateway-integration:
                    type: mock
                    requestTemplates: {application/json: '{"statusCode": 200}'}
                    responses: {default: {statusCode: "200"}}
              /open:
                get:
                  x-amazon-apigateway-integration:
                    type: mock
                    requestTemplates: {application/json: '{"statusCode": 200}'}
                    responses: {default: {statusCode: "200"}}
      Deployment:
        Type: AWS::ApiGateway::Deployment
        Properties: {RestApiId: !Ref Plain, StageName: live}
    """
)


def test_template_policies_and_endpoint_types(tmp_path):
    (tmp_path / "template.yaml").write_text(SAM)
    app = load_template(tmp_path / "template.yaml")
    try:
        assert app.unsupported == []
        shop = app.api("ShopApi").stage("prod")
        through = {"x-amzn-vpce-id": "vpce-0abc"}
        assert shop.client().get("/orders", headers=through).status_code == 200
        assert shop.client().get("/orders").status_code == 403  # PRIVATE: no VPC endpoint
        assert shop.client().get("/orders", headers={"x-amzn-vpce-id": "vpce-1"}).status_code == 403
        assert shop.client(source_ip="10.9.9.9").get("/orders", headers=through).status_code == 403
        plain = app.api("Plain").stage("live").client()
        assert plain.get("/open").status_code == 200
        assert "cloudfront" in plain.get("/open").headers["Via"]
        assert plain.get("/secret").status_code == 403
    finally:
        app.close()
