"""Requests per second through the fake API Gateway, against calling the handler directly (one run).

    .venv/bin/python benchmarks/bench_gateway.py [--seconds 2.0] [--quick]

Each row: requests/s and microseconds per request (the best round), and the slowdown against calling the
same handler directly with a ready-made event (the direct call is the baseline: 1.00x): the median of the
rounds' ratios, each taken against the direct call of the same round, with their range. The handler does
a small amount of realistic work (reads the path parameter and query, builds and serialises a JSON answer).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_serverless import Gateway
from pytest_serverless.lambdas import LambdaContext


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    order_id = (event.get("pathParameters") or {}).get("id", "0")
    query = event.get("queryStringParameters") or {}
    items = [
        {"sku": f"SKU-{i}", "qty": i % 3 + 1, "price": 9.99 + i} for i in range(int(query.get("n", "8")))
    ]
    total = round(sum((i % 3 + 1) * (9.99 + i) for i in range(len(items))), 2)
    body = {"id": order_id, "items": items, "total": total, "currency": "EUR"}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def rate(
    fn: Callable[[], Any], seconds: float, clock: Callable[[], float] = time.process_time, batch: int = 50
) -> float:
    """Calls of ``fn`` per second of ``clock``, in batches of ``batch`` until ``seconds`` have passed."""
    count = 0
    started = clock()
    deadline = started + seconds
    while True:
        for _ in range(batch):
            fn()
        count += batch
        now = clock()
        if now >= deadline:
            return count / (now - started)


@dataclass
class Result:
    title: str
    rate: float  # requests per second, the best round
    ratios: list[float]  # per round: this row's time per request over the direct call's, same round

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def measure(
    rows: list[tuple[str, Callable[[], Any]]],
    seconds: float,
    rounds: int = 7,
    *,
    clock: Callable[[], float] = time.process_time,
    batch: int = 50,
    warmup: int = 200,
) -> list[Result]:
    """``rounds`` interleaved rounds (by default CPU time of this process: machines are shared).

    A row's slowdown is taken round by round against the first row measured in the same round, and the
    median of those is reported: a machine that slows down for a while slows both sides of a ratio alike.
    """
    for _, fn in rows:
        for _ in range(warmup):
            fn()
    results = [Result(title, 0.0, []) for title, _ in rows]
    for _ in range(rounds):
        rates = [rate(fn, seconds / rounds, clock, batch) for _, fn in rows]
        for result, value in zip(results, rates, strict=True):
            result.rate = max(result.rate, value)
            result.ratios.append(rates[0] / value)
    return results


def build_rows() -> list[tuple[str, Callable[[], Any]]]:
    """The rows: (title, a call that makes one request), the direct handler call first."""
    gateway = Gateway()
    # The virtual clock stands still here, so AWS's account bucket (burst 5,000) would run dry: lift it.
    gateway.set_account_throttle(1e9, 10**9)
    rest = gateway.rest_api("bench-rest")
    rest.route("GET /orders/{id}", handler)
    http = gateway.http_api("bench-http")
    http.route("GET /orders/{id}", handler)
    rest_client = rest.deploy("prod").client()
    http_client = http.deploy("$default").client()
    params = {"n": "8"}

    captured: list[Any] = []
    probe = gateway.rest_api("probe")

    def capture(event: dict[str, Any], context: Any) -> dict[str, Any]:
        captured.append(event)
        return handler(event, context)

    probe.route("GET /orders/{id}", capture)
    probe.deploy("prod").client().get("/orders/42", params=params)
    event = captured[0]
    context = LambdaContext(
        function_name="handler", aws_request_id="id", clock=gateway.clock, timeout_seconds=29
    )

    # a new order id per request: nothing remembered about the path helps (ids repeat after 100,000)
    new_paths = itertools.cycle([f"/orders/{n}" for n in range(100_000)])
    rows: list[tuple[str, Callable[[], Any]]] = [
        ("direct handler call", lambda: handler(event, context)),
        ("REST API, no auth", lambda: rest_client.get("/orders/42", params=params)),
        ("HTTP API, no auth", lambda: http_client.get("/orders/42", params=params)),
        ("REST API, no auth, a new path each", lambda: rest_client.get(next(new_paths), params=params)),
    ]

    try:
        from pytest_serverless import JwtAuthorizer, LambdaAuthorizer
    except ImportError as exc:  # the authorizers are optional for this benchmark
        print(f"(authorizer rows skipped: {exc})")
    else:
        issuer = gateway.token_issuer(
            issuer="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench", audience="bench-client"
        )
        jwt_api = gateway.http_api("bench-jwt")
        jwt_api.authorizer("users", JwtAuthorizer(issuer))
        jwt_api.route("GET /orders/{id}", handler, authorizer="users")
        jwt_client = jwt_api.deploy("$default").client()
        token = issuer.token(sub="user-1")
        jwt_headers = {"Authorization": f"Bearer {token}"}
        assert jwt_client.get("/orders/42", headers=jwt_headers).status_code == 200
        rows.append(
            (
                "HTTP API, JWT authorizer",
                lambda: jwt_client.get("/orders/42", params=params, headers=jwt_headers),
            )
        )

        def allow(event: dict[str, Any], context: Any) -> dict[str, Any]:
            return {
                "principalId": "user-1",
                "policyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
                    ],
                },
                "context": {"tier": "gold"},
            }

        lam_api = gateway.rest_api("bench-lambda-auth")
        lam_api.authorizer(
            "custom", LambdaAuthorizer(allow, type="TOKEN", identity_source="Authorization", ttl=300)
        )
        lam_api.route("GET /orders/{id}", handler, authorizer="custom")
        lam_client = lam_api.deploy("prod").client()
        lam_headers = {"Authorization": "token-1"}
        assert lam_client.get("/orders/42", headers=lam_headers).status_code == 200
        rows.append(
            (
                "REST API, Lambda authorizer (cached)",
                lambda: lam_client.get("/orders/42", params=params, headers=lam_headers),
            )
        )

    return rows


def run(seconds: float = 2.0) -> list[Result]:
    """One ``Result`` per row, measured in one run."""
    return measure(build_rows(), seconds)


def table_lines(results: list[Result], versus: str = "direct") -> list[str]:
    """The table: per row requests/s, us per request, the median slowdown against ``versus`` (the first row)
    and the spread of the rounds."""
    lines = [f"{'path':40} {'req/s':>10} {'us/req':>9} {'vs ' + versus:>10} {'rounds':>13}"]
    for result in results:
        spread = f"{min(result.ratios):.2f}-{max(result.ratios):.2f}"
        figures = f"{result.rate:10.0f} {1e6 / result.rate:9.1f} {result.ratio:9.2f}x {spread:>13}"
        lines.append(f"{result.title:40} {figures}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0, help="measuring time per row")
    parser.add_argument("--quick", action="store_true", help="0.2 s per row: smoke-test the script")
    args = parser.parse_args(argv)
    for line in table_lines(run(0.2 if args.quick else args.seconds)):
        print(line)


if __name__ == "__main__":
    main()
