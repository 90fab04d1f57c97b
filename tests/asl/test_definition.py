"""Loading definitions: dicts, JSON and YAML text, files, and CloudFormation ``${Name}`` substitutions."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless.asl.definition import load_definition
from pytest_serverless.errors import InvalidDefinition

PASS_MACHINE = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
YAML_MACHINE = """\
StartAt: A
States:
  A:
    Type: Wait
    Timestamp: 2024-01-01T00:00:00Z
    End: true
"""


def problems(excinfo: pytest.ExceptionInfo[InvalidDefinition]) -> list[tuple[str, str]]:
    return excinfo.value.problems


# section: sources


def test_load_definition_dict_is_copied_not_mutated():
    original = copy.deepcopy(PASS_MACHINE)
    loaded = load_definition(original)
    assert loaded == PASS_MACHINE
    loaded["States"]["A"]["Type"] = "Succeed"
    assert original == PASS_MACHINE


def test_load_definition_json_text():
    assert load_definition(json.dumps(PASS_MACHINE)) == PASS_MACHINE


def test_load_definition_yaml_text_keeps_timestamps_as_strings():
    loaded = load_definition(YAML_MACHINE)
    assert loaded["States"]["A"]["Timestamp"] == "2024-01-01T00:00:00Z"
    assert loaded["States"]["A"]["End"] is True


@pytest.mark.parametrize("suffix", [".json", ".asl.json"])
def test_load_definition_json_file_from_path_and_str(tmp_path, suffix):
    path = tmp_path / f"machine{suffix}"
    path.write_text(json.dumps(PASS_MACHINE), encoding="utf-8")
    assert load_definition(path) == PASS_MACHINE
    assert load_definition(str(path)) == PASS_MACHINE


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".asl.yaml"])
def test_load_definition_yaml_file(tmp_path, suffix):
    path = tmp_path / f"machine{suffix}"
    path.write_text(YAML_MACHINE, encoding="utf-8")
    assert load_definition(path)["StartAt"] == "A"


def test_load_definition_existing_file_without_known_suffix(tmp_path):
    path = tmp_path / "definition.txt"
    path.write_text(json.dumps(PASS_MACHINE), encoding="utf-8")
    assert load_definition(str(path)) == PASS_MACHINE


def test_load_definition_missing_file_names_the_path(tmp_path):
    path = tmp_path / "missing.asl.json"
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition(str(path))
    assert problems(excinfo) == [("", f"definition file not found: {path}")]
    assert excinfo.value.source == str(path)
    assert str(excinfo.value) == (
        f"invalid state machine definition in {path} (1 problem):\n  /: definition file not found: {path}"
    )


def test_load_definition_directory_path(tmp_path):
    directory = tmp_path / "dir.json"
    directory.mkdir()
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition(directory)
    assert problems(excinfo) == [("", f"definition path is a directory, not a file: {directory}")]


def test_load_definition_invalid_json_gives_line_and_column():
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition('{\n  "StartAt": "A",\n  "States": {,}\n}')
    assert problems(excinfo) == [
        ("", "invalid JSON at line 3, column 14: Expecting property name enclosed in double quotes")
    ]
    assert excinfo.value.source is None


def test_load_definition_invalid_json_file_names_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("StartAt: [", encoding="utf-8")
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition(path)
    assert problems(excinfo) == [("", "invalid JSON at line 1, column 1: Expecting value")]
    assert excinfo.value.source == str(path)


def test_load_definition_invalid_yaml_gives_line_and_column():
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition("StartAt: A\nStates:\n  A: [unclosed\n")
    [(pointer, message)] = problems(excinfo)
    assert pointer == ""
    # libyaml's wording (PyYAML's wheels) or PyYAML's own (built without libyaml)
    assert message in (
        "invalid YAML at line 4, column 1: did not find expected ',' or ']'",
        "invalid YAML at line 4, column 1: expected ',' or ']', but got '<stream end>'",
    )


def test_load_definition_not_an_object():
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition("[1, 2]")
    assert problems(excinfo) == [("", "a state machine definition must be a JSON object, got an array")]


def test_load_definition_plain_word_is_not_a_definition():
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition("hello")
    assert problems(excinfo) == [("", "a state machine definition must be a JSON object, got a string")]


def test_load_definition_wrong_python_type():
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition(42)  # type: ignore[arg-type]
    assert problems(excinfo) == [
        (
            "",
            "a definition must be a dict, JSON or YAML text, or a path to a "
            ".json/.asl.json/.yaml file; got int",
        )
    ]


def test_load_definition_bytes():
    assert load_definition(json.dumps(PASS_MACHINE).encode()) == PASS_MACHINE


# section: substitutions


def test_substitution_in_dict_keeps_type_of_whole_placeholder():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "${FunctionArn}",
                "TimeoutSeconds": "${Timeout}",
                "Parameters": {"flag": "${Flag}", "label": "run-${Stage}-${Timeout}"},
                "End": True,
            }
        },
    }
    values = {
        "FunctionArn": "arn:aws:lambda:us-east-1:1:function:f",
        "Timeout": 30,
        "Flag": True,
        "Stage": "prod",
    }
    loaded = load_definition(definition, values)
    task = loaded["States"]["T"]
    assert task["Resource"] == "arn:aws:lambda:us-east-1:1:function:f"
    assert task["TimeoutSeconds"] == 30
    assert task["Parameters"] == {"flag": True, "label": "run-prod-30"}
    assert definition["States"]["T"]["Resource"] == "${FunctionArn}"


def test_substitution_in_keys():
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"${Key}": 1}, "End": True}}}
    assert load_definition(definition, {"Key": "name"})["States"]["A"]["Result"] == {"name": 1}


def test_substitution_in_json_text_replaces_text_like_cloudformation():
    text = (
        '{"StartAt": "W", "States": {"W": '
        '{"Type": "Wait", "Seconds": ${Delay}, "Comment": "${Delay}", "End": true}}}'
    )
    loaded = load_definition(text, {"Delay": 5})
    assert loaded["States"]["W"]["Seconds"] == 5
    assert loaded["States"]["W"]["Comment"] == "5"


def test_substitution_in_yaml_file(tmp_path):
    path = tmp_path / "machine.asl.yaml"
    path.write_text(
        "StartAt: W\nStates:\n  W:\n    Type: Wait\n    Seconds: ${Delay}\n    End: ${Done}\n",
        encoding="utf-8",
    )
    loaded = load_definition(path, {"Delay": 7, "Done": True})
    assert loaded["States"]["W"] == {"Type": "Wait", "Seconds": 7, "End": True}


def test_substitution_missing_value_is_reported_with_pointer():
    definition = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "${FunctionArn}", "Comment": "${A} and ${B}", "End": True}
        },
    }
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition(definition, {"A": "x"})
    assert problems(excinfo) == [
        ("/States/T/Resource", "no value for placeholder '${FunctionArn}'; substitutions given: 'A'"),
        ("/States/T/Comment", "no value for placeholder '${B}'; substitutions given: 'A'"),
    ]


def test_substitution_missing_in_key_is_reported():
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"${K}": 1}, "End": True}}}
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition(definition, {})
    assert problems(excinfo) == [
        ("/States/A/Result/${K}", "no value for placeholder '${K}'; substitutions given: none")
    ]


def test_substitution_missing_unquoted_in_json_text_names_the_placeholder():
    with pytest.raises(InvalidDefinition) as excinfo:
        load_definition(
            '{"StartAt": "W",\n "States": {"W": {"Type": "Wait", "Seconds": ${Delay}, "End": true}}}', {}
        )
    assert problems(excinfo) == [
        (
            "",
            "invalid JSON at line 2, column 46: Expecting value "
            "(placeholder '${Delay}' at line 2 has no substitution value)",
        )
    ]


def test_no_substitutions_leaves_placeholders_alone():
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Result": "${NotAPlaceholder}", "End": True}},
    }
    assert load_definition(definition)["States"]["A"]["Result"] == "${NotAPlaceholder}"


def test_substitution_value_object_is_copied():
    value = {"nested": [1, 2]}
    loaded = load_definition(
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "${V}", "End": True}}}, {"V": value}
    )
    loaded["States"]["A"]["Result"]["nested"].append(3)
    assert value == {"nested": [1, 2]}


# section: bad input never escapes as another exception


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}[]:,\"' \n-abc$%!&*|>1.")), max_size=40))
def test_load_definition_text_raises_only_invalid_definition(text):
    result: object
    try:
        result = load_definition(text, {"a": 1})
    except InvalidDefinition as error:
        result = error.problems
    assert isinstance(result, dict) or (isinstance(result, list) and result)


def test_same_definition_dict_mutated_deep_inside_between_machines_is_compiled_again():
    from pytest_serverless import StateMachine

    definition = copy.deepcopy(PASS_MACHINE)
    definition["States"]["A"]["Result"] = {"n": 1}
    assert StateMachine(definition).execute({}).output == {"n": 1}
    assert StateMachine(definition).execute({}).output == {"n": 1}
    definition["States"]["A"]["Result"]["n"] = 2  # the same dict object, changed deep inside
    assert StateMachine(definition).execute({}).output == {"n": 2}
    definition["States"]["A"]["Type"] = "Bogus"
    with pytest.raises(InvalidDefinition):
        StateMachine(definition)
    definition["States"]["A"]["Type"] = "Pass"
    assert StateMachine(definition, substitutions={"X": "y"}).execute({}).output == {"n": 2}
