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
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import bench_gateway
from bench_gateway import Result, handler, measure

from pytest_serverless import Gateway


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
    """One ``Result`` per row, measured in one run (rounds interleaved; wall time: the server's threads and
    the sockets' waits are part of a request)."""
    with rows() as found:
        return measure(found, seconds, rounds, clock=time.perf_counter, batch=20, warmup=100)


def table_lines(results: list[Result]) -> list[str]:
    return bench_gateway.table_lines(results, versus="client")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0, help="measuring time per row")
    parser.add_argument("--quick", action="store_true", help="0.2 s per row: smoke-test the script")
    args = parser.parse_args(argv)
    for line in table_lines(run(0.2 if args.quick else args.seconds)):
        print(line)


if __name__ == "__main__":
    main()
