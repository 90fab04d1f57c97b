"""Templates: SAM, CloudFormation (YAML or JSON, CDK output included) and OpenAPI, loaded into a live app.

``load_template(path, handlers=None, parameters=None, *, clock=None, mocks=None, tasks=None)`` returns a
``ServerlessApp`` with the template's state machines, APIs (on one ``Gateway``), functions and event rules.
"""

from __future__ import annotations

from pytest_serverless.loaders.app import ServerlessApp, UnsupportedResourceWarning, load_template

__all__ = ["ServerlessApp", "UnsupportedResourceWarning", "load_template"]
