"""Choice rules: StringMatches, missing paths, variables, And/Or/Not, validation, properties. The operators'
input/output facts (every comparison and type test, AWS's type rules, timestamps) are JSON cases:
``cases/choice/operators.json``."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless.asl.choice import (
    OPERATORS,
    choice_rule_problems,
    compile_choice_rule,
    parse_timestamp,
    timestamp_nanos,
)
from pytest_serverless.asl.states_errors import StatesError
from tests.helpers import outcome, recordings

_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")


def resolver(data, variables=None):
    """`$.a.b` over ``data``, `$name.a` over ``variables``; a missing key raises LookupError."""

    def resolve(path):
        if path.startswith("$") and len(path) > 1 and path[1] != ".":
            name = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)", path).group(1)
            current, rest = (variables or {})[name], path[1 + len(name) :]
        else:
            current, rest = data, path[1:]
        for key in _SEGMENT.findall(rest):
            if not isinstance(current, dict):
                raise KeyError(path)
            current = current[key]
        return current

    return resolve


def check(rule, data, variables=None):
    return compile_choice_rule(rule).matches(resolver(data, variables))


def compare(operator, value, operand):
    """One comparison of ``$.v`` against a literal operand and, through ``...Path``, the same operand."""
    literal = check({"Variable": "$.v", operator: operand}, {"v": value})
    if operator.startswith("Is") or operator == "StringMatches":
        return literal
    through_path = check({"Variable": "$.v", f"{operator}Path": "$.o"}, {"v": value, "o": operand})
    assert literal is through_path
    return literal


# section: string operators


def test_string_path_operand_of_wrong_type_is_false():
    assert check({"Variable": "$.v", "StringEqualsPath": "$.o"}, {"v": "1", "o": 1}) is False


# section: StringMatches


def test_string_matches_is_false_for_non_strings():
    assert compare("StringMatches", 5, "*") is False


def _reference_matches(pattern, text):
    """Wildcard match by dynamic programming (no regular expressions)."""
    width = len(text)
    row = [True] + [False] * width
    for char in pattern:
        if char == "*":
            for index in range(1, width + 1):
                row[index] = row[index] or row[index - 1]
        else:
            row = [False] + [row[index] and text[index] == char for index in range(width)]
    return row[width]


@given(st.text(alphabet="ab*.?", max_size=8), st.text(alphabet="ab.?*", max_size=10))
@settings(max_examples=200, deadline=None)
def test_string_matches_agrees_with_a_reference(pattern, text):
    assert compare("StringMatches", text, pattern) is _reference_matches(pattern, text)


# section: numeric operators


def test_numeric_path_operand_must_be_a_number():
    assert check({"Variable": "$.v", "NumericEqualsPath": "$.o"}, {"v": 1, "o": True}) is False


numbers = st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6, allow_nan=False)


@given(numbers, numbers)
@settings(max_examples=100, deadline=None)
def test_numeric_less_than_is_antisymmetric_and_consistent(a, b):
    less = compare("NumericLessThan", a, b)
    greater = compare("NumericLessThan", b, a)
    equal = compare("NumericEquals", a, b)
    assert not (less and greater)
    assert [less, greater, equal].count(True) == 1
    assert compare("NumericLessThanEquals", a, b) is (less or equal)
    assert compare("NumericGreaterThanEquals", a, b) is (greater or equal)
    assert compare("NumericGreaterThan", a, b) is greater


# section: timestamps


def test_parse_timestamp_returns_aware_utc_datetimes():
    assert parse_timestamp("2016-08-18T17:33:00.5+02:00") == datetime(2016, 8, 18, 15, 33, 0, 500000, UTC)
    assert parse_timestamp("2016-08-18T17:33:00") is None
    assert timestamp_nanos("1970-01-01T00:00:00.000000123Z") == 123
    assert timestamp_nanos("1969-12-31T23:59:59+00:30") == -1_801 * 10**9
    assert timestamp_nanos("0001-01-01T00:00:00+01:00") is not None
    assert parse_timestamp("0001-01-01T00:00:00+01:00") is None
    assert parse_timestamp("9999-12-31T23:59:59.999999999Z") == datetime(
        9999, 12, 31, 23, 59, 59, 999999, UTC
    )


# section: type tests and IsPresent


def test_is_present_is_false_for_a_missing_path():
    assert check({"Variable": "$.missing", "IsPresent": True}, {}) is False
    assert check({"Variable": "$.missing", "IsPresent": False}, {}) is True
    assert check({"Variable": "$.a.b", "IsPresent": True}, {"a": 5}) is False


def test_missing_variable_fails_with_states_runtime():
    with pytest.raises(StatesError) as info:
        check({"Variable": "$.x", "IsNull": True}, {})
    assert info.value.error == "States.Runtime"
    assert (
        info.value.cause
        == "Invalid path '$.x': The choice state's condition path references an invalid value."
    )


def test_missing_path_operand_fails_with_states_runtime():
    with pytest.raises(StatesError) as info:
        check({"Variable": "$.a", "NumericEqualsPath": "$.limit"}, {"a": 1})
    assert info.value.cause == (
        "Invalid path '$.limit': The choice state's condition path references an invalid value."
    )


def test_variables_can_be_compared():
    rule = {"Variable": "$order.total", "NumericGreaterThanPath": "$limit"}
    assert check(rule, {}, variables={"order": {"total": 12}, "limit": 10}) is True


# section: And, Or, Not


def test_and_or_not_nest():
    rule = {
        "And": [
            {"Variable": "$.kind", "StringEquals": "order"},
            {
                "Or": [
                    {"Variable": "$.total", "NumericGreaterThan": 100},
                    {"Variable": "$.vip", "BooleanEquals": True},
                ]
            },
            {"Not": {"Variable": "$.blocked", "IsPresent": True}},
        ]
    }
    assert check(rule, {"kind": "order", "total": 5, "vip": True}) is True
    assert check(rule, {"kind": "order", "total": 500, "vip": False}) is True
    assert check(rule, {"kind": "order", "total": 5, "vip": False}) is False
    assert check(rule, {"kind": "order", "total": 500, "vip": False, "blocked": None}) is False
    assert check(rule, {"kind": "refund", "total": 500, "vip": True}) is False


def test_and_or_stop_at_the_first_decisive_rule():
    missing = {"Variable": "$.missing", "IsNull": True}
    assert check({"Or": [{"Variable": "$.a", "IsPresent": True}, missing]}, {"a": 1}) is True
    assert check({"And": [{"Variable": "$.a", "IsPresent": False}, missing]}, {"a": 1}) is False
    with pytest.raises(StatesError):
        check({"And": [{"Variable": "$.a", "IsPresent": True}, missing]}, {"a": 1})


def test_compile_ignores_next_assign_comment():
    rule = {"Variable": "$.a", "IsNull": True, "Next": "X", "Assign": {"v": 1}, "Comment": "c"}
    assert check(rule, {"a": None}) is True


def test_compile_rejects_invalid_rules():
    with pytest.raises(ValueError, match=r"^/StringEqual: unknown comparison operator 'StringEqual'"):
        compile_choice_rule({"Variable": "$.a", "StringEqual": "x"})
    with pytest.raises(ValueError, match="JSONata 'Condition'"):
        compile_choice_rule({"Condition": "{% true %}", "Next": "X"})


def test_operators_lists_every_operator():
    kinds = ["String", "Numeric", "Timestamp"]
    orders = ["Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"]
    comparisons = {f"{kind}{order}" for kind in kinds for order in orders} | {"BooleanEquals"}
    expected = (
        comparisons
        | {f"{name}Path" for name in comparisons}
        | {"StringMatches", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}
        | {"And", "Or", "Not"}
    )
    assert expected == OPERATORS


# section: static validation


def problems(rule, *, top_level=True):
    return choice_rule_problems(rule, "/States/Check/Choices/0", top_level=top_level)


def test_valid_rules_have_no_problems():
    assert problems({"Variable": "$.a", "StringEquals": "x", "Next": "A"}) == []
    assert problems({"And": [{"Variable": "$.a", "IsNull": True}], "Next": "A"}) == []
    assert problems({"Condition": "{% true %}", "Next": "A"}) == []
    assert problems({"Variable": "$.a", "NumericEquals": 1}, top_level=False) == []


def test_unknown_operator_suggests_the_close_match():
    assert problems({"Variable": "$.a", "StringEqual": "x", "Next": "A"}) == [
        (
            "/States/Check/Choices/0/StringEqual",
            "unknown comparison operator 'StringEqual' (did you mean 'StringEquals'?)",
        )
    ]


def test_unknown_operator_without_a_close_match():
    assert problems({"Variable": "$.a", "StringContains": "x", "Next": "A"}) == [
        ("/States/Check/Choices/0/StringContains", "unknown comparison operator 'StringContains'")
    ]


def test_unknown_field_is_named():
    assert problems({"Variable": "$.a", "IsNull": True, "Next": "A", "Colour": 1}) == [
        ("/States/Check/Choices/0/Colour", "unknown field 'Colour' in a Choice rule")
    ]


def test_rule_without_operator():
    assert problems({"Variable": "$.a", "Next": "A"}) == [
        ("/States/Check/Choices/0", "a Choice rule needs a comparison operator or And/Or/Not")
    ]


def test_more_than_one_operator():
    assert problems({"Variable": "$.a", "IsNull": True, "StringEquals": "x", "Next": "A"}) == [
        ("/States/Check/Choices/0", "a Choice rule takes exactly one operator, got 'IsNull', 'StringEquals'")
    ]


def test_missing_and_bad_variable():
    assert problems({"StringEquals": "x", "Next": "A"}) == [
        ("/States/Check/Choices/0", "'StringEquals' needs a 'Variable'")
    ]
    assert problems({"Variable": "a", "StringEquals": "x", "Next": "A"}) == [
        ("/States/Check/Choices/0/Variable", "'Variable' must be a path starting with '$'")
    ]
    assert problems({"Variable": "$.a", "And": [{"Variable": "$.b", "IsNull": True}], "Next": "A"}) == [
        ("/States/Check/Choices/0/Variable", "'Variable' is not allowed with 'And'")
    ]


@pytest.mark.parametrize(
    ("operator", "operand", "message"),
    [
        ("StringEquals", 1, "'StringEquals' must be a string, got a number"),
        ("StringMatches", None, "'StringMatches' must be a string, got null"),
        ("NumericEquals", "1", "'NumericEquals' must be a number, got a string"),
        ("NumericLessThan", True, "'NumericLessThan' must be a number, got a boolean"),
        ("BooleanEquals", "true", "'BooleanEquals' must be true or false, got a string"),
        ("IsNull", 1, "'IsNull' must be true or false, got a number"),
        (
            "TimestampEquals",
            "2020-01-01",
            "'TimestampEquals' '2020-01-01' is not a valid timestamp (RFC 3339, e.g. "
            "'2016-08-18T17:33:00Z'), "
            "got a string",
        ),
        (
            "TimestampEquals",
            5,
            "'TimestampEquals' must be a timestamp string like '2016-08-18T17:33:00Z', got a number",
        ),
        ("StringEqualsPath", "a", "'StringEqualsPath' must be a path starting with '$', got a string"),
        ("NumericEqualsPath", 5, "'NumericEqualsPath' must be a path starting with '$', got a number"),
    ],
)
def test_wrong_operand_types(operator, operand, message):
    assert problems({"Variable": "$.a", operator: operand, "Next": "A"}) == [
        (f"/States/Check/Choices/0/{operator}", message)
    ]


def test_next_rules_for_top_level_and_nested():
    assert problems({"Variable": "$.a", "IsNull": True}) == [
        ("/States/Check/Choices/0", "a top-level Choice rule needs 'Next'")
    ]
    assert problems({"Not": {"Variable": "$.a", "IsNull": True, "Next": "B", "Assign": {}}, "Next": "A"}) == [
        ("/States/Check/Choices/0/Not/Next", "'Next' is only allowed on a top-level Choice rule"),
        ("/States/Check/Choices/0/Not/Assign", "'Assign' is only allowed on a top-level Choice rule"),
    ]
    assert problems({"Variable": "$.a", "IsNull": True, "Next": 3}) == [
        ("/States/Check/Choices/0/Next", "'Next' must be a state name, got a number")
    ]


def test_boolean_operator_operands():
    assert problems({"And": [], "Next": "A"}) == [
        ("/States/Check/Choices/0/And", "'And' must be a non-empty array of Choice rules, got an empty array")
    ]
    assert problems({"Or": {"Variable": "$.a", "IsNull": True}, "Next": "A"}) == [
        ("/States/Check/Choices/0/Or", "'Or' must be a non-empty array of Choice rules, got an object")
    ]
    assert problems({"Or": [{"Variable": "$.a", "IsNull": True}, "x"], "Next": "A"}) == [
        ("/States/Check/Choices/0/Or/1", "a Choice rule must be an object, got a string")
    ]
    assert problems({"Not": {"Variable": "$.a", "NumericEquals": "1"}, "Next": "A"}) == [
        ("/States/Check/Choices/0/Not/NumericEquals", "'NumericEquals' must be a number, got a string")
    ]


# section: agreement with AWS-recorded Choice executions

_OUTPUTS_ONLY = recordings("ASL_CONFORMANCE_CORPUS", "aws-outputs-only")


def _predict_branch(definition, data):
    state = definition["States"][definition["StartAt"]]
    for rule in state["Choices"]:
        if compile_choice_rule(rule).matches(resolver(data)):
            return rule["Next"]
    return state.get("Default")


@pytest.mark.skipif(
    not _OUTPUTS_ONLY.is_dir(), reason="ASL_CONFORMANCE_CORPUS does not name the AWS-recorded corpus"
)
def test_choice_rules_agree_with_aws_recorded_outputs():
    disagreements = []
    cases = sorted(path for path in _OUTPUTS_ONLY.glob("*.json") if path.name != "INDEX.json")
    for path in cases:
        case = json.loads(path.read_text())
        definition = case["definition"]
        branch = _predict_branch(definition, case["input"])
        if definition["States"][branch]["Result"] != case["expected"]["output"]:
            disagreements.append(case["id"])
    assert len(cases) == 475
    assert disagreements == []


# section: robustness and algebra

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-5, 5)
    | st.sampled_from(["", "a", "$.v", "$.w"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from("vwx"), children, max_size=3)
    ),
    max_leaves=6,
)
_operand = _json | st.sampled_from(["2012-10-09T19:00:55Z", "a*", "$.v", "$.missing", "$"])


def _rules(depth):
    comparison = st.builds(
        lambda operator, operand, variable: {"Variable": variable, operator: operand},
        st.sampled_from(sorted(OPERATORS - {"And", "Or", "Not"}) + ["StringEqual"]),
        _operand,
        st.sampled_from(["$.v", "$.w", "$.missing", "v", 1]),
    )
    if depth == 0:
        return comparison
    inner = _rules(depth - 1)
    return (
        comparison
        | st.builds(lambda rules: {"And": rules}, st.lists(inner, max_size=3))
        | st.builds(lambda rules: {"Or": rules}, st.lists(inner, max_size=3))
        | st.builds(lambda rule: {"Not": rule}, inner)
    )


@given(_rules(2), st.dictionaries(st.sampled_from("vw"), _json, max_size=2))
@settings(max_examples=150, deadline=None)
def test_any_rule_is_validated_compiled_or_rejected_without_crashing(rule, data):
    found = choice_rule_problems(rule, "", top_level=False)
    compiled = outcome(lambda: compile_choice_rule(rule))
    if found:
        assert isinstance(compiled, ValueError)
        return
    assert not isinstance(compiled, Exception)
    result = outcome(lambda: compiled.matches(resolver(data)))
    if isinstance(result, Exception):
        assert isinstance(result, StatesError)
        assert result.error == "States.Runtime"
    else:
        assert isinstance(result, bool)
        assert compile_choice_rule({"Not": {"Not": rule}}).matches(resolver(data)) is result
        assert compile_choice_rule({"And": [rule]}).matches(resolver(data)) is result
        assert compile_choice_rule({"Or": [rule, rule]}).matches(resolver(data)) is result


@given(
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9000, 1, 1)),
    st.integers(-23 * 60 - 59, 23 * 60 + 59),
    st.integers(0, 999_999_999),
    st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_timestamp_nanos_agrees_with_datetime_arithmetic(moment, offset_minutes, nanos, use_z):
    moment = moment.replace(microsecond=0)
    offset = "Z" if use_z else f"{'+' if offset_minutes >= 0 else '-'}{abs(offset_minutes) // 60:02d}:"
    offset += "" if use_z else f"{abs(offset_minutes) % 60:02d}"
    shift = 0 if use_z else offset_minutes * 60
    text = f"{moment.isoformat()}.{nanos:09d}{offset}"
    epoch_seconds = (moment - datetime(1970, 1, 1)).total_seconds() - shift
    assert timestamp_nanos(text) == int(epoch_seconds) * 10**9 + nanos
    assert parse_timestamp(text) is not None


@given(st.text(alphabet="0123456789-:TZ+.", max_size=30))
@settings(max_examples=200, deadline=None)
def test_timestamp_parsing_never_crashes(text):
    nanos = timestamp_nanos(text)
    parsed = parse_timestamp(text)
    if nanos is None:
        assert parsed is None
    elif parsed is not None:
        assert int(parsed.timestamp()) * 10**9 <= nanos < (int(parsed.timestamp()) + 1) * 10**9
