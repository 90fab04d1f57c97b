"""Requests per second over a real socket (``stage.serve_http()``, keep-alive) against ``stage.client()``.

    .venv/bin/python benchmarks/bench_serving.py [--seconds 2.0] [--quick]

The same REST route and handler as ``bench_gateway.py``. Each row: requests/s (the best round) and the
slowdown against ``stage.client()`` in process (1.00x): the median of the rounds' ratios, each against the
client row of the same round, with their range. Wall-clock time: the server's threads run in this process,
so the figures include both ends of the socket (HTTP parsing and writing on each side, the loopback, the
thread hand-off).
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from bench_gateway import handler

from pytest_serverless import Gateway


@dataclass
class Result:
    title: str
    rate: float  # requests per second, the best round
    ratios: list[float]  # per round: this row's time per request over the client's, same round

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def rate(fn: Callable[[], Any], seconds: float) -> float:
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(20):
            fn()
        count += 20
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - started)


@contextmanager
def rows() -> Iterator[list[tuple[str, Callable[[], Any]]]]:
    """(title, one request) pairs, ``stage.client()`` first; the server runs while the block does."""
    api = Gateway().rest_api("orders")
    api.route("GET /orders/{id}", handler)
    stage = api.deploy("prod")
    client = stage.client()
    with ExitStack() as stack:
        base_url = stack.enter_context(stage.serve_http())
        port = int(base_url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        stack.callback(connection.close)

        def over_socket() -> int:
            connection.request("GET", "/orders/42?n=8")
            answer = connection.getresponse()
            answer.read()
            return answer.status

        found: list[tuple[str, Callable[[], Any]]] = [
            ("stage.client()", lambda: client.get("/orders/42", params={"n": "8"}).status_code),
            ("serve_http, http.client keep-alive", over_socket),
        ]
        try:
            import requests
        except ImportError:  # pragma: no cover - requests is a test dependency
            pass
        else:
            session = stack.enter_context(requests.Session())
            url = f"{base_url}/orders/42"
            found.append(
                ("serve_http, requests.Session", lambda: session.get(url, params={"n": "8"}).status_code)
            )
        yield found


def run(seconds: float = 2.0, rounds: int = 5) -> list[Result]:
    """One ``Result`` per row, measured in one run (rounds interleaved)."""
    with rows() as found:
        for _, fn in found:
            for _ in range(100):  # warm-up
                fn()
        results = [Result(title, 0.0, []) for title, _ in found]
        for _ in range(rounds):
            rates = [rate(fn, seconds / rounds) for _, fn in found]
            for result, value in zip(results, rates, strict=True):
                result.rate = max(result.rate, value)
                result.ratios.append(rates[0] / value)
    return results


def table_lines(results: list[Result]) -> list[str]:
    lines = [f"{'path':40} {'req/s':>10} {'us/req':>9} {'vs client':>10} {'rounds':>13}"]
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
