def handler(event, context):
    if event.get("fail"):
        raise ValueError("cannot notify")
    return {"notified": event["order"], "by": context.function_name}
