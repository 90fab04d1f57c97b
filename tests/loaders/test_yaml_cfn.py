"""Reading template text: short-form intrinsics in long form, dates as strings, duplicate keys (last wins)."""

from __future__ import annotations

import pytest

from pytest_serverless.errors import TemplateError
from pytest_serverless.loaders.yaml_cfn import DuplicateKeyWarning, load_document, parse_text

# short forms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!Ref Stage", {"Ref": "Stage"}),
        ("!GetAtt Fn.Arn", {"Fn::GetAtt": ["Fn", "Arn"]}),
        ("!GetAtt [Fn, Arn]", {"Fn::GetAtt": ["Fn", "Arn"]}),
        ("!Sub '${AWS::StackName}-x'", {"Fn::Sub": "${AWS::StackName}-x"}),
        ("!Sub ['${A}-x', {A: !Ref B}]", {"Fn::Sub": ["${A}-x", {"A": {"Ref": "B"}}]}),
        ("!Join ['-', [a, !Ref B]]", {"Fn::Join": ["-", ["a", {"Ref": "B"}]]}),
        ("!If [IsProd, 1, 2]", {"Fn::If": ["IsProd", 1, 2]}),
        ("!Select [0, !Split [',', 'a,b']]", {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}),
        ("!FindInMap [M, !Ref R, K]", {"Fn::FindInMap": ["M", {"Ref": "R"}, "K"]}),
        (
            "!And [!Equals [a, a], !Or [!Not [!Condition C], !Condition D]]",
            {
                "Fn::And": [
                    {"Fn::Equals": ["a", "a"]},
                    {"Fn::Or": [{"Fn::Not": [{"Condition": "C"}]}, {"Condition": "D"}]},
                ]
            },
        ),
        ("!Base64 hello", {"Fn::Base64": "hello"}),
        ("!GetAZs ''", {"Fn::GetAZs": ""}),
        ("!ImportValue shared-vpc", {"Fn::ImportValue": "shared-vpc"}),
    ],
)
def test_short_form_becomes_long_form(text, expected):
    assert parse_text(f"Value: {text}\n") == {"Value": expected}


def test_dates_and_versions_stay_strings():
    document = parse_text(
        "AWSTemplateFormatVersion: 2010-09-09\nWhen: 2024-01-01T00:00:00Z\nN: 10\nB: true\n"
    )
    assert document == {
        "AWSTemplateFormatVersion": "2010-09-09",
        "When": "2024-01-01T00:00:00Z",
        "N": 10,
        "B": True,
    }


def test_json_text_is_read_as_json():
    assert parse_text('{"Resources": {"A": {"Type": "AWS::SQS::Queue"}}}') == {
        "Resources": {"A": {"Type": "AWS::SQS::Queue"}}
    }


# errors


def test_duplicate_key_keeps_the_last_value_with_a_warning_naming_its_line():
    with pytest.warns(DuplicateKeyWarning) as caught:
        document = parse_text("Resources:\n  A: 1\n  B: 3\n  A: 2\n", source="t.yaml")
    assert document == {"Resources": {"B": 3, "A": 2}}
    assert [str(w.message) for w in caught] == [
        "t.yaml: duplicate key 'A' (line 4, column 3): the last value is used, as CloudFormation does"
    ]


def test_duplicate_resource_in_a_template_loads_the_last_one(tmp_path):
    from pytest_serverless import load_template

    file = tmp_path / "template.yaml"
    file.write_text(
        "Resources:\n"
        "  Flow:\n    Type: AWS::StepFunctions::StateMachine\n"
        "    Properties:\n      Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}\n"
        "  Flow:\n    Type: AWS::StepFunctions::StateMachine\n"
        "    Properties:\n      Definition: {StartAt: B, States: {B: {Type: Succeed}}}\n"
    )
    with pytest.warns(DuplicateKeyWarning, match="duplicate key 'Flow' \\(line 6, column 3\\)"):
        app = load_template(file)
    assert app.state_machine("Flow").execute({}).path == ["B"]


def test_get_att_without_attribute_is_refused():
    with pytest.raises(TemplateError) as info:
        parse_text("Value: !GetAtt Function\n", source="t.yaml")
    assert str(info.value) == (
        "t.yaml: not valid YAML: !GetAtt needs 'LogicalId.Attribute', got 'Function' (line 1, column 8)"
    )


def test_broken_yaml_names_the_line(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  A: [1, 2\n")
    with pytest.raises(TemplateError) as info:
        load_document(path)
    assert info.value.source == str(path)
    assert str(info.value).startswith(f"{path}: not valid YAML: ")
    assert "(line 3, column 1)" in str(info.value)


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "stack.template.json"
    path.write_text('{"Resources": {\n  "A": }\n}')
    with pytest.raises(TemplateError) as info:
        load_document(path)
    assert str(info.value) == f"{path}: not valid JSON: Expecting value (line 2, column 8)"


def test_missing_file_is_named(tmp_path):
    with pytest.raises(TemplateError) as info:
        load_document(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: file not found"
