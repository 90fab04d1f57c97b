from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from pytest_serverless.loaders import UnsupportedResourceWarning, load_template

TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture
def load():
    """load_template for a file under tests/loaders/templates, ignoring the unsupported-resource warning."""
    apps = []

    def _load(relative, *args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnsupportedResourceWarning)
            app = load_template(TEMPLATES / relative, *args, **kwargs)
        apps.append(app)
        return app

    yield _load
    for app in apps:
        app.close()
