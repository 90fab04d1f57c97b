"""AWS SDK calls from the code under test, answered in process (API.md section 7).

The only package that imports botocore. ``Scope`` holds in-process answerers (one per botocore service
name) that ``asl``, ``gateway`` and ``loaders`` register into; while a scope is active, boto3/botocore calls
are answered by them through botocore's own event hooks, serialised as AWS would send them and parsed by
botocore's own parsers. Every other call raises ``UnemulatedCall`` (unless moto's ``mock_aws`` answers it).
"""

from __future__ import annotations

from ._bridge import FAKE_CREDENTIALS, Answerer, Scope, active_scopes, answering
from ._moto import moto_call

__all__ = ["FAKE_CREDENTIALS", "Answerer", "Scope", "active_scopes", "answering", "moto_call"]
