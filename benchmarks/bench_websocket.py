"""Messages per second through a WebSocket API's ``$default`` route, against calling the handler directly.

    .venv/bin/python benchmarks/bench_websocket.py [--seconds 2.0] [--quick]

Same method as ``bench_gateway.py`` (one run, interleaved rounds, the median of per-round ratios against the
direct call of the same round). The handler does a little realistic work: it parses the message, builds and
serialises a JSON answer.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from bench_gateway import Result, measure, table_lines

from pytest_serverless import Gateway
from pytest_serverless.lambdas import LambdaContext

MESSAGE = {"action": "order", "items": [{"sku": f"SKU-{i}", "qty": i % 3 + 1} for i in range(8)]}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    message = json.loads(event["body"])
    items = [{**item, "price": 9.99 + i} for i, item in enumerate(message.get("items", []))]
    total = round(sum(item["qty"] * item["price"] for item in items), 2)
    answer = {"connection": event["requestContext"]["connectionId"], "items": items, "total": total}
    return {"statusCode": 200, "body": json.dumps(answer)}


def build_rows() -> list[tuple[str, Callable[[], Any]]]:
    """The rows: (title, a call that sends one message), the direct handler call first."""
    gateway = Gateway()
    gateway.set_account_throttle(1e9, 10**9)  # the clock stands still: lift AWS's account bucket
    one_way = gateway.websocket_api("bench-one-way")
    one_way.route("$default", handler)
    two_way = gateway.websocket_api("bench-two-way")
    two_way.route("$default", handler, route_response_selection_expression="$default")
    text = json.dumps(MESSAGE)
    quiet = one_way.deploy("prod").connect()
    chatty = two_way.deploy("prod").connect()

    captured: list[dict[str, Any]] = []
    probe = gateway.websocket_api("probe")
    probe.route("$default", lambda event, context: captured.append(event))
    probe.deploy("prod").connect().send(text=text)
    event = captured[0]
    context = LambdaContext(
        function_name="handler", aws_request_id="id", clock=gateway.clock, timeout_seconds=29
    )

    def send_and_read() -> Any:
        chatty.send(text=text)
        return chatty.receive()

    return [
        ("direct handler call", lambda: handler(event, context)),
        ("WebSocket $default, one-way", lambda: quiet.send(text=text)),
        ("WebSocket $default, two-way", send_and_read),
    ]


def run(seconds: float = 2.0) -> list[Result]:
    return measure(build_rows(), seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0, help="measuring time per row")
    parser.add_argument("--quick", action="store_true", help="0.2 s per row: smoke-test the script")
    args = parser.parse_args(argv)
    for line in table_lines(run(0.2 if args.quick else args.seconds)):
        print(line.replace("req/s", "msg/s").replace("us/req", "us/msg"))


if __name__ == "__main__":
    main()
