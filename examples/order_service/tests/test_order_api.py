"""Contract tests of the order service's APIs, driven through the template the team deploys.

`serverless_app` is template.yaml loaded on the test's virtual clock: its REST API (Cognito authorizer,
API key + usage plan, throttling, a cached route), its HTTP API (JWT authorizer) and its order workflow.
"""

import json

import pytest

from pytest_serverless import TokenIssuer, assert_path, assert_status


@pytest.fixture
def shop(serverless_app):
    """A client of the REST API's Prod stage."""
    return serverless_app.api("OrdersApi").stage("Prod").client()


@pytest.fixture
def shopper_token(serverless_app):
    """A Cognito ID token for user-1, signed by the template's user pool."""
    return serverless_app.token_issuer("ShopperAuthorizer").token(sub="user-1", groups=[])


# --- auth failures ------------------------------------------------------------------------------------------


@pytest.mark.expect_status(401)
def test_order_without_token_is_unauthorized(shop):
    response = shop.get("/orders/o-1001")
    assert response.json() == {"message": "Unauthorized"}


@pytest.mark.expect_status(401)
def test_token_from_another_user_pool_is_unauthorized(shop):
    stranger = TokenIssuer(issuer="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Stranger")
    shop.get("/orders/o-1001", headers={"Authorization": stranger.token(sub="user-1")})


def test_expired_token_is_unauthorized(shop, shopper_token, serverless_clock):
    assert_status(shop.get("/orders/o-1001", headers={"Authorization": shopper_token}), 200)
    serverless_clock.advance(3601)  # tokens live one hour
    assert_status(shop.get("/orders/o-1001", headers={"Authorization": shopper_token}), 401)


def test_someone_elses_order_is_forbidden_by_the_function(shop, shopper_token):
    response = shop.get("/orders/o-1002", headers={"Authorization": shopper_token})
    assert_status(response, 403)
    assert response.json() == {"message": "not your order"}


def test_own_order(shop, shopper_token):
    response = shop.get("/orders/o-1001", headers={"Authorization": shopper_token})
    assert_status(response, 200)
    assert response.json()["status"] == "SHIPPED"


# --- API key and usage plan ---------------------------------------------------------------------------------


@pytest.mark.expect_status(403)
def test_report_without_api_key_is_forbidden(shop):
    assert shop.get("/reports/daily").json() == {"message": "Forbidden"}


@pytest.mark.expect_status(429)
def test_partner_quota_is_five_reports_a_day(serverless_app, serverless_clock, shop):
    key = serverless_app.api_keys["OrdersApiApiKey"]
    for _ in range(5):
        assert_status(shop.get("/reports/daily", headers={"x-api-key": key}), 200)
        serverless_clock.advance(60)
    over = shop.get("/reports/daily", headers={"x-api-key": key})
    assert over.json() == {"message": "Limit Exceeded"}


@pytest.mark.serverless_template(parameters={"Stage": "prod"})
def test_prod_partners_get_ten_thousand_reports_a_day(serverless_app, shop):
    key = serverless_app.api_keys["OrdersApiApiKey"]
    for _ in range(6):  # one more than the test stage's quota
        assert_status(shop.get("/reports/daily", headers={"x-api-key": key}), 200)


def test_quota_resets_the_next_day(serverless_app, serverless_clock, shop):
    key = serverless_app.api_keys["OrdersApiApiKey"]
    for _ in range(6):
        shop.get("/reports/daily", headers={"x-api-key": key})
    serverless_clock.advance(24 * 3600)
    response = shop.get("/reports/daily", headers={"x-api-key": key})
    assert_status(response, 200)
    assert response.json() == {"orders": 2, "revenue": 52.5}


# --- throttling, caching, timeouts --------------------------------------------------------------------------


@pytest.mark.expect_status(429)
def test_burst_over_the_stage_limit_is_throttled(shop, shopper_token):
    # test stage: 10 requests/s with a burst of 5
    statuses = [
        shop.get("/orders/o-1001", headers={"Authorization": shopper_token}).status_code for _ in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 200, 429]


def test_throttle_refills_with_virtual_time(shop, shopper_token, serverless_clock):
    for _ in range(6):
        shop.get("/orders/o-1001", headers={"Authorization": shopper_token})
    serverless_clock.advance(1)
    assert_status(shop.get("/orders/o-1001", headers={"Authorization": shopper_token}), 200)


def test_catalog_is_public_and_cached_for_five_minutes(serverless_app, serverless_clock):
    stage = serverless_app.api("OrdersApi").stage("Prod")
    client = stage.client()
    first = client.get("/catalog")
    serverless_clock.advance(60)
    second = client.get("/catalog")
    serverless_clock.advance(300)
    third = client.get("/catalog")
    assert first.json() == second.json() == third.json()
    assert [log["cacheHit"] for log in stage.logs] == [False, True, False]


@pytest.mark.expect_status(504)
def test_slow_carrier_makes_tracking_time_out(gateway, serverless_app, serverless_clock, shopper_token, shop):
    carrier = gateway.rest_api("carrier")

    def track(event, context):
        serverless_clock.advance(35)  # the carrier takes 35 s; API Gateway gives up after 29 s
        return {"statusCode": 200, "body": json.dumps({"status": "IN_TRANSIT"})}

    carrier.route("GET /track/{id}", track)
    with carrier.deploy("live").serve("https://carrier.example.com"):
        response = shop.get("/orders/o-1001/tracking", headers={"Authorization": shopper_token})
    assert response.json() == {"message": "Endpoint request timed out"}


def test_tracking_through_the_carrier(gateway, shopper_token, shop):
    carrier = gateway.rest_api("carrier")
    carrier.route("GET /track/{id}", mock={"statusCode": 200, "body": {"status": "DELIVERED"}})
    with carrier.deploy("live").serve("https://carrier.example.com"):
        response = shop.get("/orders/o-1001/tracking", headers={"Authorization": shopper_token})
    assert_status(response, 200)
    assert response.json() == {"status": "DELIVERED"}


def test_cors_preflight_from_the_shop(shop):
    response = shop.options(
        "/orders", headers={"Origin": "https://shop.example.com", "Access-Control-Request-Method": "POST"}
    )
    assert_status(response, 200)
    assert response.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"


# --- HTTP API with a JWT authorizer -------------------------------------------------------------------------


@pytest.fixture
def partner(serverless_app):
    return serverless_app.api("PartnerApi").stage("$default").client()


def test_partner_needs_the_orders_read_scope(serverless_app, partner):
    issuer = serverless_app.token_issuer("PartnerJwt")
    assert_status(partner.get("/partner/orders/o-1002"), 401)
    write_only = issuer.token(sub="partner-9", scopes=["orders/write"], token_use="access")
    forbidden = partner.get("/partner/orders/o-1002", headers={"Authorization": f"Bearer {write_only}"})
    assert_status(forbidden, 403)
    reader = issuer.token(sub="partner-9", scopes=["orders/read"], token_use="access")
    response = partner.get("/partner/orders/o-1002", headers={"Authorization": f"Bearer {reader}"})
    assert_status(response, 200)
    assert response.json()["id"] == "o-1002"


# --- the workflow behind POST /orders -----------------------------------------------------------------------


@pytest.mark.expect_path(["ValidateOrder", "ReserveItems", "Charge", "Fulfil", "Done"], mode="subsequence")
def test_placing_an_order_starts_the_workflow(serverless_app, shop, shopper_token):
    order = {
        "orderId": "o-2001",
        "total": 51.5,
        "items": [{"sku": "BOOK-1"}, {"sku": "MUG-7", "quantity": 1}],
    }
    response = shop.post("/orders", json=order, headers={"Authorization": shopper_token})
    assert_status(response, 200)  # StartExecution answers at once; the workflow runs on the virtual clock
    execution = serverless_app.stepfunctions.describe_execution(response.json()["executionArn"])
    assert execution.status == "RUNNING"  # waiting for the courier's pickup
    serverless_app.clock.advance(3600)
    assert serverless_app.executions == [execution]
    assert execution.output == {
        "orderId": "o-2001",
        "status": "SHIPPED",
        "chargeId": "ch_o-2001",
        "trackingId": "TRK-o-2001",
        "reserved": ["BOOK-1", "MUG-7"],
    }
    assert execution.duration == 3600  # the pickup wait, in virtual time


@pytest.mark.expect_path(["ValidateOrder", "Rejected"])
def test_checkout_event_starts_the_workflow(serverless_app):
    started = serverless_app.put_events(
        [
            {
                "Source": "shop.checkout",
                "DetailType": "CheckoutCompleted",
                "Detail": {"orderId": "o-3", "total": 9, "items": [], "channel": "web"},
            },
            {
                "Source": "shop.checkout",
                "DetailType": "CheckoutCompleted",
                "Detail": {"orderId": "o-4", "total": 9, "items": [], "channel": "test"},
            },
        ]
    )
    [execution] = started  # the test channel is filtered out by the rule's anything-but
    assert execution.input == {"orderId": "o-3", "total": 9, "items": [], "channel": "web"}
    assert_path(execution, ["ValidateOrder", "Rejected"])
    assert execution.error == "InvalidOrder"


def test_nightly_report_runs_at_two(serverless_app, serverless_clock):
    serverless_clock.advance(2 * 3600 - 1)
    assert serverless_app.executions == []
    serverless_clock.advance(1)
    [report] = serverless_app.executions
    assert report.output == {"sent": True, "kind": "daily-report"}
