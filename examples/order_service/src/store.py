"""The orders table. In AWS this is the DynamoDB table named by ORDERS_TABLE; when the tests load the template
the functions run in process, so the table is an in-memory dict (fresh for every loaded app)."""

import os

TABLE_NAME = os.environ.get("ORDERS_TABLE", "orders")

_ORDERS = {
    "o-1001": {
        "id": "o-1001",
        "customer": "user-1",
        "status": "SHIPPED",
        "total": 42.5,
        "trackingId": "TRK-o-1001",
    },
    "o-1002": {"id": "o-1002", "customer": "user-2", "status": "NEW", "total": 10.0, "trackingId": None},
}


def get_order(order_id):
    return _ORDERS.get(order_id)


def all_orders():
    return list(_ORDERS.values())
