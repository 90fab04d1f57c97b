"""``AWS::Serverless::Api`` and ``AWS::Serverless::HttpApi`` properties: authorizer declarations, resource
policies, and the properties listed as not emulated; each wrong declaration is a TemplateError naming it."""

from __future__ import annotations

import warnings

import pytest

from pytest_serverless import TemplateError, load_template
from pytest_serverless.loaders import UnsupportedResourceWarning

TEMPLATE = """Transform: AWS::Serverless-2016-10-31
Resources:
  Shop:
    Type: AWS::Serverless::{kind}
    Properties:
{properties}
"""


def _load(tmp_path, properties, kind="Api"):
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE.format(kind=kind, properties=properties))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedResourceWarning)
        return load_template(path)


def _error(tmp_path, properties, kind="Api"):
    with pytest.raises(TemplateError) as raised:
        _load(tmp_path, properties, kind)
    return raised.value


AUTHORIZER = """      StageName: live
      Auth:
        Authorizers:
          Gate: {gate}"""


@pytest.mark.parametrize(
    ("gate", "reason", "pointer"),
    [
        ("[not, a, mapping]", "an authorizer must be a mapping", ""),
        ("{JwtConfiguration: {audience: [x]}}", "JwtConfiguration needs an issuer", "/JwtConfiguration"),
        ("{Identity: {Header: X}}", "an authorizer needs UserPoolArn, JwtConfiguration or FunctionArn", ""),
    ],
)
def test_a_wrong_authorizer_names_it(tmp_path, gate, reason, pointer):
    error = _error(tmp_path, AUTHORIZER.format(gate=gate))
    assert error.reason == reason
    assert error.pointer == "/Resources/Shop/Properties/Auth/Authorizers/Gate" + pointer


POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}],
}


def test_a_rest_api_policy_wins_over_the_auth_resource_policy(tmp_path):
    properties = """      StageName: live
      Auth: {ResourcePolicy: {IpRangeAllowlist: [10.0.0.0/8]}}
      Policy:
        Version: "2012-10-17"
        Statement: [{Effect: Deny, Principal: "*", Action: "*", Resource: "*"}]"""
    app = _load(tmp_path, properties)
    assert app.model.apis["Shop"].policy == POLICY


def test_an_http_api_policy_and_a_canary_are_listed_as_not_emulated(tmp_path):
    properties = """      Policy: {Version: "2012-10-17", Statement: []}
      DisableExecuteApiEndpoint: true"""
    app = _load(tmp_path, properties, kind="HttpApi")
    assert app.unsupported == ["Shop: DisableExecuteApiEndpoint, Policy (not emulated)"]


def test_stage_description_canary_and_logging_are_listed_as_not_emulated(tmp_path):
    app = _load(tmp_path, "      StageName: live\n      Auth: {InvokeRole: CALLER_CREDENTIALS}")
    assert app.unsupported == ["Shop: Auth.InvokeRole (not emulated)"]
    properties = """      Name: shop
      StageName: live
      StageDescription: {CanarySetting: {PercentTraffic: 10}, LoggingLevel: INFO, MetricsEnabled: true}
      MethodSettings:
        - {ResourcePath: /orders, HttpMethod: GET, RequireAuthorizationForCacheControl: true}
        - {ResourcePath: /*, HttpMethod: "*", DataTraceEnabled: false}"""
    assert _load(tmp_path, properties).unsupported == [
        "Shop: CanarySetting, MethodSettings (LoggingLevel), "
        "MethodSettings (RequireAuthorizationForCacheControl per method: "
        "only the /*/* entry's is) (not emulated)"
    ]


def test_method_settings_entries_that_are_not_mappings_are_skipped(tmp_path):
    properties = """      StageName: live
      MethodSettings:
        - junk
        - {ResourcePath: /*, HttpMethod: "*", ThrottlingBurstLimit: 5}
        - {ResourcePath: "/orders~1{id}", HttpMethod: get, ThrottlingRateLimit: 2, CachingEnabled: "true"}"""
    (stage,) = _load(tmp_path, properties).model.apis["Shop"].stages
    assert stage.throttle == (10_000.0, 5.0)  # only the burst: the account's rate
    assert [(s.path, s.method, s.throttle, s.caching) for s in stage.method_settings] == [
        ("/*", "*", None, None),
        ("/orders/{id}", "GET", (2.0, 2.0), True),
    ]
