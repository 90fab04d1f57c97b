"""Template parameters: how a given value or a Default becomes the value ``!Ref`` reads, per parameter
Type, and the TemplateError naming the parameter whose value or declaration is wrong."""

from __future__ import annotations

import warnings

import pytest

from pytest_serverless import TemplateError, load_template
from pytest_serverless.loaders import UnsupportedResourceWarning

TEMPLATE = """Parameters:
{parameters}
Resources:
  Queue: {{Type: AWS::SQS::Queue}}
"""


def _values(tmp_path, parameters, given=None):
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE.format(parameters=parameters))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedResourceWarning)
        app = load_template(path, parameters=given)
    try:
        return app.template.parameter_values
    finally:
        app.close()


def _error(tmp_path, parameters, given=None):
    with pytest.raises(TemplateError) as raised:
        _values(tmp_path, parameters, given)
    return raised.value


def test_given_values_become_strings_as_cloudformation_passes_them(tmp_path):
    parameters = """  Flag: {Type: String, Default: x}
  Count: {Type: Number, Default: 1}
  Size: {Type: String, Default: x}
  Names: {Type: CommaDelimitedList, Default: "a, b"}
  Ids: {Type: 'List<AWS::EC2::Subnet::Id>', Default: "s-1,s-2"}
  Empty: {Type: CommaDelimitedList, Default: ""}"""
    given = {"Flag": False, "Count": 7, "Size": 2.5, "Names": ("x", 1)}
    assert _values(tmp_path, parameters, given) == {
        "Flag": "false",
        "Count": "7",
        "Size": "2.5",
        "Names": ["x", "1"],
        "Ids": ["s-1", "s-2"],
        "Empty": [],
    }
    assert _values(tmp_path, parameters, {"Flag": True})["Flag"] == "true"


def test_a_parameter_that_is_not_a_mapping_names_the_parameter(tmp_path):
    error = _error(tmp_path, "  Stage: dev")
    assert error.reason == "a parameter must be a mapping with a 'Type'"
    assert error.pointer == "/Parameters/Stage"


def test_a_value_outside_allowed_pattern_names_the_parameter(tmp_path):
    error = _error(
        tmp_path, "  Stage: {Type: String, Default: dev, AllowedPattern: '[a-z]+'}", {"Stage": "Dev1"}
    )
    assert error.reason == "parameter 'Stage' value 'Dev1' does not match '[a-z]+'"
    assert error.pointer == "/Parameters/Stage"


def test_allowed_values_and_pattern_check_the_default_and_skip_lists(tmp_path):
    error = _error(tmp_path, "  Stage: {Type: String, Default: qa, AllowedValues: [dev, prod]}")
    assert error.reason == "parameter 'Stage' must be one of ['dev', 'prod'], got 'qa'"
    listed = "  Zones: {Type: CommaDelimitedList, Default: 'a,z', AllowedValues: [a, b], AllowedPattern: x}"
    assert _values(tmp_path, listed) == {"Zones": ["a", "z"]}
