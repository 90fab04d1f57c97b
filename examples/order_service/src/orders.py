"""Order lookups for shoppers (REST API, Cognito), partners (HTTP API, JWT) and the daily report (API key)."""

import json
import os

import requests
import store

CARRIER_URL = os.environ.get("CARRIER_URL", "https://carrier.example.com")


def _response(status, body):
    headers = {"Content-Type": "application/json"}
    if os.environ.get("SHOP_ORIGIN"):  # API Gateway adds no CORS header to a Lambda proxy answer: we do
        headers["Access-Control-Allow-Origin"] = os.environ["SHOP_ORIGIN"]
    return {"statusCode": status, "headers": headers, "body": json.dumps(body)}


def _claims(event):
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    return authorizer.get("claims") or (authorizer.get("jwt") or {}).get("claims") or {}


def handler(event, context):
    route = event.get("routeKey") or f"{event['httpMethod']} {event['resource']}"
    if route == "GET /reports/daily":
        orders = store.all_orders()
        return _response(200, {"orders": len(orders), "revenue": sum(order["total"] for order in orders)})
    order = store.get_order((event.get("pathParameters") or {}).get("id"))
    if order is None:
        return _response(404, {"message": "order not found"})
    claims = _claims(event)
    is_partner = route.startswith("GET /partner/")
    if (
        not is_partner
        and claims.get("sub") != order["customer"]
        and "admin" not in claims.get("cognito:groups", "")
    ):
        return _response(403, {"message": "not your order"})
    if route.endswith("/tracking"):
        # the carrier's API: the tests answer it with a fake gateway served at CARRIER_URL
        carrier = requests.get(f"{CARRIER_URL}/track/{order['trackingId']}", timeout=10)
        return _response(carrier.status_code, carrier.json())
    return _response(200, order)
