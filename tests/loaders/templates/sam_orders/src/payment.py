import os


class PaymentDeclined(Exception):
    pass


def handler(event, context):
    if event.get("total", 0) > 1000:
        raise PaymentDeclined("too expensive")
    return {"charged": event["total"], "currency": event["currency"], "stage": os.environ.get("STAGE")}
