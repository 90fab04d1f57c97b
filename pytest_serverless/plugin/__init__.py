"""The pytest plugin (``pytest11`` entry point ``serverless``): fixtures, markers, assertion helpers, hooks.

This package is the only part of pytest_serverless that imports pytest, and only in ``hooks`` and
``fixtures``, which pytest loads through ``pytest_plugins`` below: ``pytest_serverless.plugin.assertions``
can be imported from a plain script.

* ``hooks``: options (``--serverless-template``), marker registration and validation, the per-test record,
  the checks after the test (``expect_path``, ``expect_status``), ``pytest_assertrepr_compare``.
* ``fixtures``: ``serverless_clock``, ``sfn``, ``gateway``, ``serverless_app``.
* ``markers``: the markers' signatures; ``assertions``: ``assert_path``, ``assert_status``.

``UnusedMockWarning`` (a ``mock_task`` on a test that no execution used) can be filtered as
``pytest_serverless.plugin.UnusedMockWarning``, e.g. ``-W error::pytest_serverless.plugin.UnusedMockWarning``.
"""

from __future__ import annotations

from pytest_serverless.plugin.markers import UnusedMockWarning

__all__ = ["UnusedMockWarning"]

pytest_plugins = [
    "pytest_serverless.plugin.hooks",
    "pytest_serverless.plugin.fixtures",
    "pytest_serverless.plugin.coverage",
    "pytest_serverless.plugin.contracts",
]
