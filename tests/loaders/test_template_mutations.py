"""Real-looking templates, mutated (a key dropped, a value of another type, a reference broken), either load
or fail with a ServerlessError that names the template: never an internal exception, never the catch-all
"unexpected shape" message that stands in for one."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless.errors import ServerlessError
from pytest_serverless.loaders import UnsupportedResourceWarning, load_template
from pytest_serverless.loaders.yaml_cfn import DuplicateKeyWarning, parse_text

TEMPLATES = Path(__file__).parent / "templates"
FILES = [
    *sorted((TEMPLATES / "real_world").glob("*.yaml")),
    *sorted((TEMPLATES / "gaps").glob("*.yaml")),
    *(TEMPLATES / name / "template.yaml" for name in ("sam_orders", "cfn_orders", "openapi_orders")),
]
SAMPLES = [parse_text(file.read_text(), source=str(file)) for file in FILES]
_CATCH_ALL = ("an unexpected shape?", "cannot read the template:", "cannot build the app:")
REPLACEMENTS: list[Any] = [
    None,
    0,
    -1,
    "x",
    "",
    True,
    [],
    {},
    ["a", 1],
    {"Ref": "Nowhere"},
    {"Fn::GetAtt": ["Nowhere", "Arn"]},
    {"Fn::Sub": "${Nowhere}"},
    {"Fn::If": ["NoCondition", 1, 2]},
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _mutate(document: Any, path: tuple[Any, ...], kind: str, replacement: Any) -> None:
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if kind == "drop":
        del parent[last]
    else:
        parent[last] = json.loads(json.dumps(replacement))


mutation = st.tuples(
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["drop", "replace"]),
    st.sampled_from(REPLACEMENTS),
)


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sample=st.sampled_from(range(len(SAMPLES))), mutations=st.lists(mutation, min_size=1, max_size=3))
def test_mutated_templates_load_or_fail_with_a_template_error(tmp_path, sample, mutations):
    document = json.loads(json.dumps(SAMPLES[sample]))
    for index, kind, replacement in mutations:
        paths = _paths(document)
        if not paths:
            break
        _mutate(document, paths[index % len(paths)], kind, replacement)
    file = tmp_path / "template.json"
    file.write_text(json.dumps(document))
    failure = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnsupportedResourceWarning)
            warnings.simplefilter("ignore", DuplicateKeyWarning)
            app = load_template(file)
    except ServerlessError as error:
        failure = str(error)
    else:
        app.close()
    assert not any(text in failure for text in _CATCH_ALL), failure
