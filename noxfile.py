"""The pytest version matrix: the oldest pytest the package declares and the newest.

    nox                      # every session
    nox -s "tests(pytest='oldest')"

Each session installs the project with its test extras into a fresh virtualenv, pins pytest, and runs the
suite and the examples. ``.ci/run`` can run the oldest one without nox:

    python -m venv .venv-pytest-oldest
    .venv-pytest-oldest/bin/pip install -e ".[test-core]" "pytest==7.4.*"
    .venv-pytest-oldest/bin/python -m pytest -q -p no:randomly tests examples
"""

from __future__ import annotations

import nox

PYTEST = {"oldest": "pytest==7.4.*", "newest": "pytest"}


@nox.session
@nox.parametrize("pytest", list(PYTEST))
def tests(session: nox.Session, pytest: str) -> None:
    # Schemathesis 4 (the contract example's tool, in the `test` extra) needs pytest 8: the oldest session
    # installs `test-core`, and the contract example skips with a hint
    session.install("-e", ".[test]" if pytest == "newest" else ".[test-core]", PYTEST[pytest])
    session.run("python", "-m", "pytest", "--version")
    session.run("python", "-m", "pytest", "-q", "-p", "no:randomly", "-n", "2", "tests")
    session.run("python", "-m", "pytest", "-q", "examples")
