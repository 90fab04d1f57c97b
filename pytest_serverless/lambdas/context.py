"""The Lambda ``context`` object handed to Python handlers, on the virtual clock."""

from __future__ import annotations

from pytest_serverless.clock import VirtualClock

__all__ = ["LambdaContext"]


class LambdaContext:
    """What AWS's Python runtime passes as ``context``; the remaining time follows the virtual clock.

    The names derived from the function name and request id (ARN, log group and stream) are made when read:
    most handlers never look at them, and a context is made for every invocation.
    """

    function_version = "$LATEST"
    identity = None
    client_context = None

    def __init__(
        self,
        function_name: str,
        aws_request_id: str,
        clock: VirtualClock,
        timeout_seconds: float = 3.0,
        *,
        memory_limit_in_mb: int = 128,
        region: str = "us-east-1",
        account_id: str = "123456789012",
    ) -> None:
        self.function_name = function_name
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = aws_request_id
        self.clock = clock
        self.timeout_seconds = timeout_seconds
        self._deadline = clock.time() + timeout_seconds
        self._where = (region, account_id)

    @property
    def invoked_function_arn(self) -> str:
        region, account_id = self._where
        return f"arn:aws:lambda:{region}:{account_id}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"2024/01/01/[$LATEST]{self.aws_request_id.replace('-', '')}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self.clock.time()) * 1000))

    def __repr__(self) -> str:
        return f"LambdaContext(function_name={self.function_name!r}, aws_request_id={self.aws_request_id!r})"
