"""CloudFormation semantics: parameters, conditions, mappings, pseudo parameters, intrinsic functions."""

from __future__ import annotations

import pytest

from pytest_serverless.errors import TemplateError
from pytest_serverless.loaders.cloudformation import Template, merge_globals
from pytest_serverless.loaders.yaml_cfn import parse_text

BASE = """
Parameters:
  Stage: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Size: {Type: Number, Default: 3}
  Zones: {Type: CommaDelimitedList, Default: "a,b,c"}
Mappings:
  Config:
    dev: {Rate: 5, Name: small}
    prod: {Rate: 100, Name: big}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals [!Ref Size, 3]]
  Either: !Or [!Condition IsProd, !Equals ["x", "y"]]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: !Sub "${AWS::StackName}-fn-${Stage}"}
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties: {StateMachineName: flow}
  ProdQueue:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Pool:
    Type: AWS::Cognito::UserPool
  Thing:
    Type: AWS::SQS::Queue
    Properties:
      Value: null
"""


def make(parameters=None, extra=""):
    return Template(parse_text(BASE + extra), source="t.yaml", parameters=parameters, stack_name="shop")


def resolve(value, parameters=None):
    return make(parameters).resolve(parse_text(f"V: {value}\n")["V"], "/V")


# parameters and pseudo parameters


def test_parameter_defaults_and_overrides():
    assert resolve("!Ref Stage") == "dev"
    assert resolve("!Ref Stage", {"Stage": "prod"}) == "prod"
    assert resolve("!Ref Size") == "3"
    assert resolve("!Ref Zones") == ["a", "b", "c"]
    assert resolve("!Ref Zones", {"Zones": ["x"]}) == ["x"]


def test_pseudo_parameters():
    assert resolve("!Sub '${AWS::Region}/${AWS::AccountId}/${AWS::StackName}/${AWS::Partition}'") == (
        "us-east-1/123456789012/shop/aws"
    )
    assert resolve("!Sub '${AWS::URLSuffix}'") == "amazonaws.com"


def test_unknown_parameter_override_is_refused():
    with pytest.raises(TemplateError) as info:
        make({"Stag": "prod"})
    assert str(info.value) == (
        "t.yaml:/Parameters: parameters ['Stag'] do not exist in the template "
        "(declared: ['Size', 'Stage', 'Zones'])"
    )


def test_parameter_outside_allowed_values_is_refused():
    with pytest.raises(TemplateError) as info:
        make({"Stage": "qa"})
    assert (
        str(info.value)
        == "t.yaml:/Parameters/Stage: parameter 'Stage' must be one of ['dev', 'prod'], got 'qa'"
    )


def test_parameter_without_default_gets_a_stand_in_value_reported():
    text = (
        "Parameters:\n  Key: {Type: String}\n  Env: {Type: String, AllowedValues: [dev, prod]}\n"
        "  Size: {Type: Number, MinValue: 2}\n  Subnets: {Type: 'List<AWS::EC2::Subnet::Id>'}\n"
        "Resources:\n  Q: {Type: AWS::SQS::Queue}\n"
    )
    template = Template(parse_text(text), source="t.yaml")
    assert template.parameter_values == {"Key": "Key", "Env": "dev", "Size": "2", "Subnets": ["Subnets"]}
    assert template.stand_ins[0] == (
        'parameter Key has no Default and no value was given: it is "Key" here; '
        "pass load_template(..., parameters={'Key': ...})"
    )
    assert len(template.stand_ins) == 4
    assert (
        Template(parse_text(text), source="t.yaml", parameters={"Key": "k"}).resolve({"Ref": "Key"}, "")
        == "k"
    )


def test_number_parameter_must_be_a_number():
    with pytest.raises(TemplateError, match="parameter 'Size' is a Number, got 'big'"):
        make({"Size": "big"})


# conditions


def test_conditions_and_resources_left_out():
    template = make()
    assert template.condition("IsProd", "") is False
    assert template.condition("Both", "") is True
    assert template.condition("Either", "") is False
    assert "ProdQueue" not in template.resources
    assert "ProdQueue" in make({"Stage": "prod"}).resources


def test_if_and_no_value():
    assert resolve("!If [IsProd, big, small]") == "small"
    assert resolve("{A: !If [IsProd, 1, !Ref AWS::NoValue], B: 2}") == {"B": 2}
    assert resolve("[1, !If [IsDev, !Ref AWS::NoValue, 2], 3]") == [1, 3]


def test_reference_to_resource_left_out_by_condition():
    with pytest.raises(TemplateError) as info:
        resolve("!GetAtt ProdQueue.Arn")
    assert str(info.value) == (
        "t.yaml:/V/Fn::GetAtt: resource 'ProdQueue' is left out by its Condition, so it cannot be referenced"
    )


def test_unknown_condition_is_named():
    with pytest.raises(TemplateError) as info:
        resolve("!If [IsStaging, 1, 2]")
    assert str(info.value) == (
        "t.yaml:/V/Fn::If/0: unknown condition 'IsStaging' (declared: ['Both', 'Either', 'IsDev', 'IsProd'])"
    )


# functions


def test_find_in_map_select_split_join():
    assert resolve("!FindInMap [Config, !Ref Stage, Rate]") == 5
    assert resolve("!FindInMap [Config, !Ref Stage, Name]", {"Stage": "prod"}) == "big"
    assert resolve("!FindInMap [Config, qa, Rate, {DefaultValue: 1}]") == 1
    assert resolve("!Select [1, !Split [',', 'a,b,c']]") == "b"
    assert resolve("!Join ['', ['arn:', !Ref AWS::Partition, ':x']]") == "arn:aws:x"
    assert resolve("!Select [2, !GetAZs '']") == "us-east-1c"
    assert resolve("!Base64 hi") == "aGk="


def test_find_in_map_missing_key_is_named():
    with pytest.raises(TemplateError) as info:
        resolve("!FindInMap [Config, qa, Rate]")
    assert str(info.value) == "t.yaml:/V/Fn::FindInMap: Fn::FindInMap: key 'qa' not found in Config"


def test_sub_with_variables_attributes_and_literals():
    assert resolve("!Sub ['${Name}-${Stage}', {Name: !Ref Size}]") == "3-dev"
    assert resolve("!Sub '${!Literal}-${Stage}'") == "${Literal}-dev"
    assert resolve("!Sub '${Fn.Arn}'") == "arn:aws:lambda:us-east-1:123456789012:function:shop-fn-dev"


def test_ref_and_get_att_of_resources_are_deterministic():
    assert resolve("!Ref Fn") == "shop-fn-dev"
    assert resolve("!Ref Machine") == "arn:aws:states:us-east-1:123456789012:stateMachine:flow"
    assert resolve("!GetAtt Machine.Name") == "flow"
    pool_id = resolve("!Ref Pool")
    assert pool_id.startswith("us-east-1_")
    assert len(pool_id) == len("us-east-1_") + 9
    assert resolve("!GetAtt Pool.Arn") == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}"
    assert resolve("!GetAtt Pool.ProviderURL") == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert resolve("!Ref Thing") == resolve("!Ref Thing")
    assert resolve("!Ref Thing").startswith("https://sqs.us-east-1.amazonaws.com/123456789012/shop-Thing-")


def test_unresolved_reference_lists_what_exists():
    with pytest.raises(TemplateError) as info:
        resolve("!Ref Missing")
    assert str(info.value) == (
        "t.yaml:/V/Ref: unresolved reference 'Missing': no parameter or resource of that name "
        "(known: ['Fn', 'Machine', 'Pool', 'Size', 'Stage', 'Thing', 'Zones'])"
    )


def test_wrong_intrinsic_arguments_are_named():
    with pytest.raises(TemplateError) as info:
        resolve("!Join [',']")
    assert str(info.value) == "t.yaml:/V/Fn::Join: Fn::Join takes [delimiter, [values...]]"
    with pytest.raises(TemplateError) as info:
        resolve("!Select [5, [a]]")
    assert str(info.value) == "t.yaml:/V/Fn::Select: Fn::Select index 5 is out of range for ['a']"


def test_template_without_resources_is_refused():
    with pytest.raises(TemplateError) as info:
        Template({"Parameters": {}}, source="t.yaml")
    assert str(info.value) == "t.yaml:/Resources: the template has no 'Resources' section"


def test_resource_without_type_is_refused():
    with pytest.raises(TemplateError) as info:
        Template({"Resources": {"A": {"Properties": {}}}}, source="t.yaml")
    assert str(info.value) == "t.yaml:/Resources/A/Type: the resource has no 'Type'"


# SAM globals


def test_globals_merge_maps_add_lists_and_replace_scalars():
    merged = merge_globals(
        {"Timeout": 10, "Environment": {"Variables": {"A": "1", "B": "2"}}, "Layers": ["l1"]},
        {"Timeout": 3, "Environment": {"Variables": {"B": "x"}}, "Layers": ["l2"]},
    )
    assert merged == {
        "Timeout": 3,
        "Environment": {"Variables": {"A": "1", "B": "x"}},
        "Layers": ["l1", "l2"],
    }
