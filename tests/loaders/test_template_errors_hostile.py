"""Hostile templates and definitions: a clear TemplateError / InvalidDefinition, never a hang or a crash."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_serverless import StateMachine
from pytest_serverless._yaml_limits import LimitedSafeLoader
from pytest_serverless.errors import InvalidDefinition, TemplateError
from pytest_serverless.loaders import load_template

pytestmark = pytest.mark.filterwarnings("ignore::pytest_serverless.loaders.UnsupportedResourceWarning")

HEAD = "Transform: AWS::Serverless-2016-10-31\nResources:\n"
FUNCTION = """
Fn:
  Type: AWS::Serverless::Function
  Properties:
    Handler: app.handler
    Runtime: python3.12
    InlineCode: "def handler(event, context):\\n    return {'statusCode': 200, 'body': 'ok'}\\n"
"""
BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def write(tmp_path, text, name="template.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def template_error(path, **kwargs):
    with pytest.raises(TemplateError) as info:
        load_template(path, **kwargs)
    return info.value


# -- YAML aliases, size and depth --------------------------------------------------------------------


def test_alias_bomb_template_is_refused_at_the_first_alias(tmp_path):
    path = write(
        tmp_path, "Metadata:\n" + textwrap.indent(BOMB, "  ") + HEAD + textwrap.indent(FUNCTION, "  ")
    )
    error = template_error(path)
    assert error.source == str(path)
    assert str(error) == (
        f"{path}: not valid YAML: YAML aliases are not allowed in CloudFormation templates (*a); "
        "`sam build` and `aws cloudformation package` expand them: load the template they write "
        "(line 3, column 10)"
    )


def test_alias_bomb_definition_is_refused(tmp_path):
    path = write(tmp_path, "StartAt: P\nStates:\n  P: {Type: Pass, End: true}\n" + BOMB, "machine.asl.yaml")
    with pytest.raises(InvalidDefinition) as info:
        StateMachine(path)
    assert "YAML aliases are not allowed" in str(info.value)


def test_node_budget_bounds_any_document(tmp_path, monkeypatch):
    monkeypatch.setattr(LimitedSafeLoader, "max_nodes", 50)
    path = write(tmp_path, HEAD + "".join(f"  R{n}: {{Type: AWS::SNS::Topic}}\n" for n in range(30)))
    error = template_error(path)
    assert "not valid YAML: the document has more than 50 nodes" in str(error)


@pytest.mark.parametrize("form", ["yaml-block", "yaml-flow", "json"])
def test_template_nested_3000_deep_is_a_template_error(tmp_path, form):
    if form == "json":
        deep = "[" * 3000 + "]" * 3000
        text = json.dumps({"Metadata": "@@", "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}).replace(
            '"@@"', deep
        )
        path = write(tmp_path, text, "template.json")
        expected = "the document nests more than 200 levels deep"
    else:
        deep = (
            "[" * 3000 + "]" * 3000 if form == "yaml-flow" else "".join(f"{' ' * n}k:\n" for n in range(1000))
        )
        path = write(
            tmp_path,
            "Metadata:\n" + textwrap.indent(deep, "  ") + "\nResources:\n  T: {Type: AWS::SNS::Topic}\n",
        )
        expected = "not valid YAML: the document nests more than 200 levels deep"
    assert expected in str(template_error(path))


def test_deep_definition_is_invalid(tmp_path):
    path = write(tmp_path, "[" * 5000 + "]" * 5000, "machine.asl.json")
    with pytest.raises(InvalidDefinition, match="the definition is nested too deeply"):
        StateMachine(path)


# -- files that never end ----------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_a_template_is_refused():
    error = template_error(Path("/dev/zero"))
    assert str(error) == "/dev/zero: not a regular file (a directory, device or pipe)"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_a_definition_is_refused():
    with pytest.raises(InvalidDefinition, match="not a regular file"):
        StateMachine(Path("/dev/zero"))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_an_include_is_refused(tmp_path):
    error = template_error(write(tmp_path, _including("/dev/zero")))
    assert "AWS::Include: file '/dev/zero' does not exist" in str(error)


def test_template_over_1_mb_is_refused(tmp_path):
    path = write(tmp_path, HEAD + textwrap.indent(FUNCTION, "  ") + "#" * (1024 * 1024))
    assert str(template_error(path)).endswith(
        "the file is larger than 1,048,576 bytes, CloudFormation's largest template"
    )


# -- AWS::Include cycles ---------------------------------------------------------------------------


def _including(location, *, twice=False):
    include = f"Fn::Transform: {{Name: AWS::Include, Parameters: {{Location: {location}}}}}"
    text = HEAD + textwrap.indent(FUNCTION, "  ") + f"      Description: {{{include}}}\n"
    if twice:
        text += "      Environment: {Variables: {NAME: {" + include + "}}}\n"
    return text


def test_include_of_itself_is_a_template_error(tmp_path):
    path = write(tmp_path, _including("template.yaml"))
    error = template_error(path)
    assert f"AWS::Include: the file includes itself ({path} -> {path})" in str(error)
    assert error.pointer == "/Resources/Fn/Properties/Description/Fn::Transform/Parameters/Location"


def test_includes_in_a_cycle_are_a_template_error(tmp_path):
    write(tmp_path, "Fn::Transform: {Name: AWS::Include, Parameters: {Location: b.yaml}}\n", "a.yaml")
    write(tmp_path, "Fn::Transform: {Name: AWS::Include, Parameters: {Location: a.yaml}}\n", "b.yaml")
    path = write(tmp_path, _including("a.yaml"))
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert f"the file includes itself ({a} -> {b} -> {a})" in str(template_error(path))


def test_the_same_file_included_twice_is_fine(tmp_path):
    write(tmp_path, "included text\n", "name.yaml")
    load_template(write(tmp_path, _including("name.yaml", twice=True))).close()


# -- DependsOn ---------------------------------------------------------------------------------------


def test_dangling_depends_on_is_refused(tmp_path):
    path = write(
        tmp_path,
        "Resources:\n  A: {Type: AWS::SNS::Topic, DependsOn: [Missing, B]}\n  B: {Type: AWS::SNS::Topic}\n",
    )
    error = template_error(path)
    assert str(error) == (
        f"{path}:/Resources/A/DependsOn: Unresolved resource dependencies [Missing] in the Resources block "
        "of the template (DependsOn names a resource the template does not declare)"
    )


def test_depends_on_cycle_is_refused(tmp_path):
    path = write(
        tmp_path,
        "Resources:\n  A: {Type: AWS::SNS::Topic, DependsOn: B}\n"
        "  B: {Type: AWS::SNS::Topic, DependsOn: [C]}\n"
        "  C: {Type: AWS::SNS::Topic, DependsOn: A}\n"
        "  D: {Type: AWS::SNS::Topic, DependsOn: A}\n",
    )
    error = template_error(path)
    assert str(error) == (
        f"{path}:/Resources/A/DependsOn: Circular dependency between resources: [A, B, C] "
        "(DependsOn: A -> B -> C -> A)"
    )


def test_depends_on_itself_is_a_cycle(tmp_path):
    path = write(tmp_path, "Resources:\n  A: {Type: AWS::SNS::Topic, DependsOn: A}\n")
    assert "Circular dependency between resources: [A] (DependsOn: A -> A)" in str(template_error(path))


def test_depends_on_must_name_resources(tmp_path):
    path = write(
        tmp_path,
        "Resources:\n  A: {Type: AWS::SNS::Topic, DependsOn: {B: 1}}\n  B: {Type: AWS::SNS::Topic}\n",
    )
    assert "DependsOn must be a resource name or a list of resource names, got {'B': 1}" in str(
        template_error(path)
    )


def test_long_depends_on_chain_and_sam_generated_names_are_fine(tmp_path):
    chain = "".join(f"  R{n}: {{Type: AWS::SNS::Topic, DependsOn: R{n + 1}}}\n" for n in range(500))
    text = (
        HEAD
        + textwrap.indent(FUNCTION, "  ")
        + chain
        + "  R500: {Type: AWS::SNS::Topic, DependsOn: [FnRole, ServerlessRestApiProdStage]}\n"
    )
    load_template(write(tmp_path, text)).close()


# -- generated hostile definitions -----------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=6)
_fragments = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["Type", "Next", "End", "States", "StartAt", "x"]), inner, max_size=3
        )
    ),
    max_leaves=10,
)
_texts = st.one_of(
    _fragments.map(json.dumps),
    st.integers(150, 5000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(150, 2000).map(lambda depth: "a: " + "[" * depth + "]" * depth),
    st.integers(1, 30).map(lambda width: "x: &x [1]\n" + "".join(f"y{n}: *x\n" for n in range(width))),
    st.text(max_size=40),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_texts)
def test_generated_hostile_definitions_are_refused_clearly(tmp_path, text):
    path = tmp_path / "machine.asl.yaml"
    path.write_text(text)
    problems = [("", "loaded")]
    try:
        StateMachine(path)
    except InvalidDefinition as error:
        problems = error.problems
    assert problems
    # anything else propagates and fails the test: no RecursionError, no yaml error, no KeyError
