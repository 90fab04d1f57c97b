"""Property-based tests that Schemathesis generates from the order service's published contract
(`openapi.yaml`), run against the template's REST API stage in process through `stage.wsgi_app()`: every
request goes through the Cognito authorizer, the request model, the usage plan, the throttle and the cache,
as it would in AWS.
"""

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis", reason="pip install -e '.[test]' brings Schemathesis")

HERE = Path(__file__).resolve().parents[1]
CONTRACT = yaml.safe_load((HERE / "openapi.yaml").read_text())


class CurrentStage:
    """A WSGI app forwarding to the stage of the running test (Schemathesis binds its operations to the app
    it is given when the module is collected; each test loads the template afresh)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


current = CurrentStage()
schema = schemathesis.openapi.from_dict(CONTRACT)
schema.app = current


@pytest.fixture(autouse=True)
def stage_and_carrier(serverless_app, gateway):
    """The Prod stage for Schemathesis, and the parcel carrier that the tracking route calls (in process)."""
    current.app = serverless_app.api("OrdersApi").stage("Prod").wsgi_app()
    carrier = gateway.rest_api("carrier")
    carrier.route("GET /track/{id}", mock={"statusCode": 200, "body": {"status": "IN_TRANSIT"}})
    with carrier.deploy("live").serve("https://carrier.example.com"):
        yield
    current.app = None


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_stage_keeps_its_contract(case, serverless_app, serverless_clock):
    serverless_clock.advance(1)  # a request a second: the stage's throttle (10/s, burst 5) lets each through
    token = serverless_app.token_issuer("ShopperAuthorizer").token(sub="user-1", groups=[])  # POST waits 1 h
    key = serverless_app.api_keys["OrdersApiApiKey"]
    case.call_and_validate(
        headers={"Authorization": token, "x-api-key": key},
        # REST APIs answer an undeclared method 403 "Missing Authentication Token", not 405: AWS, not a bug
        excluded_checks=[schemathesis.checks.unsupported_method],
    )


def test_the_contract_describes_every_deployed_route(serverless_app):
    stage = serverless_app.api("OrdersApi").stage("Prod")
    deployed = {route.route_key for route in stage.current_deployment().routes}
    published = {f"{method.upper()} {path}" for path, item in CONTRACT["paths"].items() for method in item}
    assert published - {f"PARAMETERS {path}" for path in CONTRACT["paths"]} == deployed


class TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref, !Sub...), read as nothing: only the models matter."""


TemplateLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def test_the_contracts_new_order_is_the_model_api_gateway_validates():
    template = yaml.load((HERE / "template.yaml").read_text(), Loader=TemplateLoader)  # noqa: S506
    models = template["Resources"]["OrdersApi"]["Properties"]["Models"]
    assert CONTRACT["components"]["schemas"]["NewOrder"] == models["NewOrder"]


def test_an_apostrophe_in_an_order_starts_the_workflow(serverless_app):
    """Schemathesis found it: SAM's StartExecution request template escapes ' as \\' (not JSON: a 400
    SerializationException for any order with an apostrophe) unless the event sets UnescapeMappingTemplate."""
    token = serverless_app.token_issuer("ShopperAuthorizer").token(sub="user-1", groups=[])
    shop = serverless_app.api("OrdersApi").stage("Prod").client()
    order = {"orderId": "o-7", "items": [{"sku": "O'Reilly book"}], "total": 30}
    started = shop.post("/orders", json=order, headers={"Authorization": token})
    assert started.status_code == 200, started.text
    assert started.json()["executionArn"].startswith("arn:aws:states:")
