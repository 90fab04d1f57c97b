"""Reserve one order line (one Map iteration of the order workflow)."""


class OutOfStock(Exception):
    pass


def reserve(event, context):
    if event["sku"] == "SOLD-OUT":
        raise OutOfStock(f"{event['sku']} is sold out")
    return {"sku": event["sku"], "quantity": event.get("quantity", 1), "reservation": f"R-{event['sku']}"}
