"""Charge the customer. Errors are named by their exception class, as Lambda reports them to Step
Functions."""


class PaymentBusy(Exception):
    """The payment provider asked us to come back later (the workflow retries it)."""


class PaymentDeclined(Exception):
    """The card was refused (not retried)."""


def charge(event, context):
    if event["total"] > 10_000:
        raise PaymentDeclined(f"order {event['orderId']}: amount over the card limit")
    return {"chargeId": f"ch_{event['orderId']}", "amount": event["total"]}
