"""Refunds (issue 13): a shopper asks for one (the function starts RefundFlow with boto3), a manager decides
(the function completes the waiting approval task with send_task_success / send_task_failure).

On AWS these calls reach Step Functions; when the tests load the template, the same boto3 calls are answered
in process by the app's Step Functions service."""

import json
import os

import boto3
import store

SFN = boto3.client("stepfunctions")  # made at import, as real functions do


def _response(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def _claims(event):
    return ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}


def handler(event, context):
    route = f"{event['httpMethod']} {event['resource']}"
    key = (event.get("pathParameters") or {}).get("id")
    if route == "POST /orders/{id}/refund":
        return _request(key, _claims(event))
    if route == "GET /refunds/{id}":
        return _status(key)
    return _decide(key, event.get("body"), _claims(event))


def _request(order_id, claims):
    order = store.get_order(order_id)
    if order is None or order["customer"] != claims.get("sub"):
        return _response(404, {"message": "order not found"})
    started = SFN.start_execution(
        stateMachineArn=os.environ["REFUND_FLOW"],
        name=f"refund-{order_id}",
        input=json.dumps({"orderId": order_id, "amount": order["total"]}),
    )
    return _response(202, {"refundId": started["executionArn"].rsplit(":", 1)[-1]})


def _execution_arn(refund_id):
    machine = os.environ["REFUND_FLOW"]
    return machine.replace(":stateMachine:", ":execution:") + f":{refund_id}"


def _status(refund_id):
    try:
        described = SFN.describe_execution(executionArn=_execution_arn(refund_id))
    except SFN.exceptions.ExecutionDoesNotExist:
        return _response(404, {"message": "no such refund"})
    body = {"status": described["status"]}
    if described["status"] == "SUCCEEDED":
        body["refund"] = json.loads(described["output"])
    return _response(200, body)


def _decide(refund_id, body, claims):
    if "managers" not in claims.get("cognito:groups", ""):
        return _response(403, {"message": "managers decide refunds"})
    try:
        decision = json.loads(body or "{}")
    except ValueError:
        decision = None
    if not isinstance(decision, dict) or not isinstance(decision.get("taskToken"), str):
        return _response(400, {"message": "send {taskToken, approve, reason}"})
    token = decision["taskToken"]
    try:
        if decision.get("approve"):
            SFN.send_task_success(taskToken=token, output=json.dumps({"approvedBy": claims["sub"]}))
        else:
            SFN.send_task_failure(taskToken=token, error="Refund.Rejected", cause=decision.get("reason", ""))
    except (SFN.exceptions.TaskTimedOut, SFN.exceptions.InvalidToken):
        return _response(409, {"message": f"refund {refund_id} is not waiting for a decision"})
    return _response(200, {"refundId": refund_id, "approved": bool(decision.get("approve"))})
