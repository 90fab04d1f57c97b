def ship(event, context):
    return {"trackingId": f"TRK-{event['orderId']}"}
