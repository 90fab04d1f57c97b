"""JSONata templates: compile once, evaluate with $states and variables, AWS's functions, errors, numbers.
The input/output facts of AWS's functions, runtime errors and JavaScript's number notation are JSON cases:
``cases/jsonata/functions.json``."""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless.asl.jsonata import (
    JsonataSyntaxError,
    JsonataTemplate,
    compile_template,
    is_jsonata_expression,
)
from pytest_serverless.asl.states_errors import StatesError
from tests.helpers import recordings

CORPUS = recordings("ASL_CONFORMANCE_CORPUS")
UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def evaluate(value, state_input=None, variables=None, field="Output", seed=0, **states):
    template = compile_template(value, field)
    return template.evaluate({"input": state_input, **states}, variables or {}, random.Random(seed))


def failure(value, state_input=None, variables=None, field="Output"):
    with pytest.raises(StatesError) as caught:
        evaluate(value, state_input, variables, field)
    assert caught.value.error == "States.QueryEvaluationError"
    return caught.value.cause


# ----------------------------------------------------------------------------- recognising expressions


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("{% $states.input %}", True),
        ("{%$x%}", True),
        ("{% %}", True),
        (" {% states.input %} ", False),  # AWS keeps this one as a literal string (corpus BASE_LITERALS)
        ("{% $x %} ", False),
        ("$states.input", False),
        ("{%", False),
        ("{%}", False),
        (1, False),
        (None, False),
        (["{% $x %}"], False),
    ],
)
def test_is_jsonata_expression_follows_aws_rule(value, expected):
    assert is_jsonata_expression(value) is expected


# ----------------------------------------------------------------------------- templates and constants


def test_compile_template_constant_is_returned_unchanged_and_fresh():
    value = {"a": [1, {"b": None}], "c": " {% $x %} ", "d": "$states.input"}
    template = compile_template(value, "Output")
    assert template.is_constant
    first = template.evaluate({"input": {}}, {}, random.Random(0))
    assert first == value
    first["a"].append(2)
    assert template.evaluate({"input": {}}, {}, random.Random(0)) == value


def test_template_expressions_at_depth_are_evaluated():
    template = compile_template(
        {
            "plain": 1,
            "top": "{% $states.input.x %}",
            "list": [0, "{% $states.input.x * 2 %}", {"deep": ["{% $v & '!' %}"]}],
        },
        "Arguments",
    )
    assert not template.is_constant
    result = template.evaluate({"input": {"x": 21}}, {"v": "hi"}, random.Random(0))
    assert result == {"plain": 1, "top": 21, "list": [0, 42, {"deep": ["hi!"]}]}


def test_template_single_expression_exposes_text_and_field():
    template = compile_template("{%   $states.input.items   %}", "Items")
    assert template.text == "$states.input.items"
    assert template.field == "Items"
    assert compile_template({"a": "{% 1 %}"}).text is None


def test_states_binding_gives_input_result_error_output_and_context():
    states = {
        "input": {"i": 1},
        "result": {"r": 2},
        "errorOutput": {"Error": "E", "Cause": "C"},
        "context": {"State": {"Name": "S"}},
    }
    template = compile_template(
        "{% [$states.input.i, $states.result.r, $states.errorOutput.Error, $states.context.State.Name] %}"
    )
    assert template.evaluate(states, {}, random.Random(0)) == [1, 2, "E", "S"]


def test_variables_are_bound_by_name_including_null_values():
    result = evaluate(
        {"n": "{% $n %}", "null": "{% $nothing %}", "obj": "{% $obj.k %}", "type": "{% $type($nothing) %}"},
        variables={"n": 5, "nothing": None, "obj": {"k": [1, 2]}},
    )
    assert result == {"n": 5, "null": None, "obj": [1, 2], "type": "null"}


def test_json_null_in_input_is_a_value_not_undefined():
    assert evaluate({"v": "{% $states.input.bar %}"}, {"bar": None}) == {"v": None}
    assert evaluate("{% $exists($states.input.bar) %}", {"bar": None}) is True
    assert evaluate("{% $count($states.input.bar) %}", {"bar": None}) == 1


def test_output_does_not_alias_the_input():
    state_input = {"a": {"b": [1]}}
    result = evaluate("{% $states.input.a %}", state_input)
    result["b"].append(2)
    assert state_input == {"a": {"b": [1]}}


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{% 4 / 2 %}", 2),
        ("{% 1 / 2 %}", 0.5),
        ("{% $states.input.f %}", 2),
        ("{% $states.input.f * 1.5 %}", 3),
        ("{% $sum([1.5, 1.5]) %}", 3),
        ("{% -7 % 3 %}", -1),
        ("{% 0.1 + 0.2 %}", 0.30000000000000004),
        ("{% $parse('-0') %}", 0),
        ("{% $string(1.0) %}", "1"),
    ],
)
def test_numbers_integral_results_are_ints(expression, expected):
    result = evaluate(expression, {"f": 2.0})
    assert result == expected
    assert type(result) is type(expected)


@settings(max_examples=60, deadline=None)
@given(
    a=st.integers(-(2**40), 2**40),
    b=st.integers(-(2**40), 2**40),
    op=st.sampled_from(["+", "-", "*", "<", "<=", ">", ">=", "=", "!="]),
)
def test_arithmetic_on_ints_agrees_with_python_on_fast_and_library_paths(a, b, op):
    python = {
        "+": a + b,
        "-": a - b,
        "*": a * b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
        "=": a == b,
        "!=": a != b,
    }[op]
    if isinstance(python, int) and not isinstance(python, bool) and abs(python) >= 2**53:
        return  # beyond a double's exact range JSONata's numbers are floats
    fast = evaluate(f"{{% $states.input.a {op} $states.input.b %}}", {"a": a, "b": b})
    library = evaluate(f"{{% ($states.input.a {op} $states.input.b) %}}", {"a": a, "b": b})
    assert fast == python
    assert library == python
    assert type(fast) is type(python)
    assert type(library) is type(python)


@settings(max_examples=40, deadline=None)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(alphabet="abc {}%$"),
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_compile_template_without_expressions_returns_value_unchanged(value):
    def has_expression(item):
        if isinstance(item, dict):
            return any(has_expression(v) for v in item.values())
        if isinstance(item, list):
            return any(has_expression(v) for v in item)
        return is_jsonata_expression(item)

    if has_expression(value):
        return
    template = compile_template(value)
    assert template.is_constant
    assert template.evaluate({"input": None}, {}, random.Random(0)) == value


# ----------------------------------------------------------------------------- undefined and errors


def test_undefined_top_level_result_fails_with_aws_cause():
    assert failure("{% $doesNotExist %}", {}, field="Arguments") == (
        "The JSONata expression '$doesNotExist' specified for the field 'Arguments' "
        "returned nothing (undefined)."
    )


def test_undefined_inside_object_names_the_key_path():
    assert failure({"result": "{% $doesNotExist %}"}, {}, field="Output") == (
        "The JSONata expression '$doesNotExist' specified for the field 'Output/result' "
        "returned nothing (undefined)."
    )


def test_undefined_inside_array_names_the_index():
    assert failure({"a": {"b": [1, "{% $states.input.absent %}"]}}, {}, field="Output") == (
        "The JSONata expression '$states.input.absent' specified for the field 'Output/a/b[1]' "
        "returned nothing (undefined)."
    )


def test_undefined_inside_one_expression_object_drops_the_key():
    assert evaluate("{% {'a': $states.input.absent, 'b': 1} %}", {}) == {"b": 1}


def test_function_result_is_unsupported():
    assert failure("{% $fn := function($x){$x} %}", field="Items") == (
        "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' "
        "returned an unsupported result type."
    )


def test_calling_undefined_function_is_t1006_as_on_aws():
    cause = failure(
        {"FunctionResult": "{% $randomSeeded($states.input.FunctionInput.fst) %}"}, {"FunctionInput": "fst"}
    )
    assert cause == (
        "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field "
        "'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function"
    )


def test_eval_is_disabled():
    assert failure("{% $eval('1 + 1') %}").endswith(
        "threw an error during evaluation. T1006: Attempted to invoke a non-function"
    )


def test_type_error_for_items_matches_aws_cause():
    template = compile_template("{% $ItemsVar %}", "Items")
    error = template.type_error("array", {"foo": "bar"})
    assert error.error == "States.QueryEvaluationError"
    assert error.cause == (
        "The JSONata expression '$ItemsVar' specified for the field 'Items' "
        "returned an unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
    )
    assert (
        compile_template("{% 'string' %}", "Items")
        .type_error("array", "string")
        .cause.endswith("Expected 'array', but was 'string' for value: \"string\"")
    )


# ----------------------------------------------------------------------------- syntax and validation


def test_syntax_error_names_expression_code_and_pointer():
    with pytest.raises(JsonataSyntaxError) as caught:
        compile_template({"ok": "{% 1 %}", "list": [0, "{% a[1,2) %}"]}, "Output")
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.code == "INVALID_JSONATA_EXPRESSION"
    assert error.pointer == "/list/1"
    assert error.expression == "a[1,2)"
    assert str(error) == (
        "INVALID_JSONATA_EXPRESSION: The JSONata expression 'a[1,2)' is invalid: "
        'S0202: Expected "]", got ","'
    )


def test_empty_expression_is_invalid():
    with pytest.raises(JsonataSyntaxError, match="S0207: Unexpected end of expression"):
        compile_template("{% %}")


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        ("{% phone %}", "Reference to 'phone' at the top level is not supported."),
        ("{% {'a': b.c} %}", "Reference to 'b' at the top level is not supported."),
        ("{% $count(items) %}", "Reference to 'items' at the top level is not supported."),
        ("{% $$.Execution.Id %}", "Reference to '$$' is not supported."),
    ],
)
def test_top_level_references_are_refused(expression, detail):
    with pytest.raises(JsonataSyntaxError) as caught:
        compile_template({"v": expression})
    assert caught.value.code == "UNSUPPORTED_JSONATA_EXPRESSION"
    assert caught.value.detail == detail
    assert caught.value.pointer == "/v"


@pytest.mark.parametrize(
    "expression",
    [
        "{% $states.input.items[value > 3] %}",
        "{% $states.input.items{name: value} %}",
        "{% $states.input.items^(price) %}",
        "{% $states.input.(a + b) %}",
        "{% $states.input ~> |items|{'a': 1}| %}",
    ],
)
def test_names_relative_to_a_path_step_are_accepted(expression):
    assert not compile_template(expression).is_constant


# ----------------------------------------------------------------------------- AWS's functions


def test_parse_invalid_json_fails():
    assert 'threw an error during evaluation. D3154: Unable to parse JSON string "{"' in failure(
        "{% $parse('{') %}"
    )


def test_random_and_uuid_follow_the_rng():
    template = compile_template({"r": "{% $random() %}", "u": "{% $uuid() %}", "s": "{% $random(7) %}"})
    first = template.evaluate({"input": {}}, {}, random.Random(42))
    second = template.evaluate({"input": {}}, {}, random.Random(42))
    other = template.evaluate({"input": {}}, {}, random.Random(43))
    assert first == second
    assert first["r"] != other["r"]
    assert first["s"] == other["s"]  # a seed makes $random reproducible whatever the rng
    assert 0 <= first["r"] < 1
    assert UUID_V4.match(first["u"])


def test_now_and_millis_use_the_given_clock():
    template = compile_template({"now": "{% $now() %}", "millis": "{% $millis() %}"})
    result = template.evaluate({"input": {}}, {}, random.Random(0), now_millis=1_700_000_000_123)
    assert result == {"now": "2023-11-14T22:13:20.123Z", "millis": 1_700_000_000_123}


def test_now_falls_back_to_state_entered_time():
    states = {"input": {}, "context": {"State": {"EnteredTime": "2024-01-02T03:04:05.678Z"}}}
    assert (
        compile_template("{% $now() %}").evaluate(states, {}, random.Random(0)) == "2024-01-02T03:04:05.678Z"
    )


def test_shuffle_follows_the_rng():
    template = compile_template("{% $shuffle([1, 2, 3, 4, 5, 6, 7, 8]) %}")
    first = template.evaluate({"input": {}}, {}, random.Random(5))
    assert first == template.evaluate({"input": {}}, {}, random.Random(5))
    assert sorted(first) == [1, 2, 3, 4, 5, 6, 7, 8]


def test_runaway_expression_is_stopped(monkeypatch):
    monkeypatch.setattr("pytest_serverless.asl.jsonata._MAX_STEPS", 2000)
    assert failure("{% ($f := function($n){$f($n + 1)}; $f(0)) %}").endswith(
        "threw an error during evaluation. D1012: Evaluation timeout after 5000 milliseconds. "
        "Check for infinite loop"
    )


def test_deep_recursion_is_a_stack_overflow():
    assert failure("{% ($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(5000)) %}").endswith(
        "threw an error during evaluation. D1011: Stack overflow. Check for non-terminating recursive "
        "function.  Consider rewriting as tail-recursive"
    )


def test_regular_expressions_from_corpus():
    assert evaluate('{% $contains("hello$world", /^hello\\$/) %}') is True
    assert evaluate("{% $contains('hello$world', /^hello\\ /) %}") is False


def test_builtin_functions_still_work():
    state_input = {"part1": {"hello": "world"}, "part2": {"foo": "bar"}, "xs": [3, 1, 2]}
    assert evaluate("{% $merge([$states.input.part1, $states.input.part2]) %}", state_input) == {
        "hello": "world",
        "foo": "bar",
    }
    assert evaluate("{% $sort($states.input.xs) %}", state_input) == [1, 2, 3]
    assert evaluate("{% $map($states.input.xs, function($v){ $v * 10 }) %}", state_input) == [30, 10, 20]
    assert evaluate("{% $states.input.xs[$ > 1] %}", state_input) == [3, 2]
    assert evaluate("{% ($x := 2; $x * 3) %}", state_input) == 6


# ----------------------------------------------------------------------------- corpus


def _corpus_expressions():
    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            if is_jsonata_expression(value):
                found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(CORPUS.glob("*/*.json")):
        case = json.loads(path.read_text())
        if isinstance(case, dict) and "definition" in case:
            walk(case["definition"])
    return sorted(found)


@pytest.mark.skipif(
    not CORPUS.is_dir(), reason="ASL_CONFORMANCE_CORPUS does not name the AWS-recorded corpus"
)
def test_every_corpus_expression_compiles():
    expressions = _corpus_expressions()
    assert len(expressions) > 40
    for expression in expressions:
        assert isinstance(compile_template(expression), JsonataTemplate), expression


@pytest.mark.skipif(
    not CORPUS.is_dir(), reason="ASL_CONFORMANCE_CORPUS does not name the AWS-recorded corpus"
)
def test_single_pass_state_corpus_outputs_match_aws():
    checked = 0
    for path in sorted((CORPUS / "aws").glob("*.json")):
        case = json.loads(path.read_text())
        if not isinstance(case, dict) or "definition" not in case:
            continue
        definition = case["definition"]
        if len(definition["States"]) != 1:
            continue
        state = next(iter(definition["States"].values()))
        language = state.get("QueryLanguage", definition.get("QueryLanguage"))
        if language != "JSONata" or state["Type"] != "Pass" or "Assign" in state or "Output" not in state:
            continue
        expected = case["expected"]
        template = compile_template(state["Output"], "Output")
        if expected["status"] == "SUCCEEDED":
            assert template.evaluate({"input": case["input"]}, {}, random.Random(0)) == expected["output"], (
                path
            )
        else:
            with pytest.raises(StatesError) as caught:
                template.evaluate({"input": case["input"]}, {}, random.Random(0))
            assert expected["cause"].endswith(caught.value.cause), path
        checked += 1
    assert checked >= 40


# ----------------------------------------------------------------------------- fast path vs library

_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.floats(-1e6, 1e6)
    | st.sampled_from(["a", "b", ""])
)
_VALUES = st.recursive(
    _LEAVES,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), children)
    ),
    max_leaves=8,
)
_FAST_SHAPES = [
    "$states.input.a",
    "$states.input.a.b",
    "$states.input.a.b.c",
    "$v",
    "$v.a",
    "$missing",
    "$states.input.a + $states.input.b",
    "$states.input.a - 1",
    "$states.input.a * $v",
    "$states.input.a / $states.input.b",
    "$states.input.a % $states.input.b",
    "$states.input.a = $states.input.b",
    "$states.input.a != 'a'",
    "$states.input.a < $states.input.b",
    "$states.input.a >= 0",
    "$v = true",
    "null",
    "'text'",
    "1.5",
]


def _outcome(template_text, state_input, variables):
    try:
        return ("value", evaluate(template_text, state_input, variables))
    except StatesError as error:
        return ("error", error.cause.split("' specified for the field 'Output' ", 1)[1])


@settings(max_examples=150, deadline=None)
@given(
    shape=st.sampled_from(_FAST_SHAPES),
    state_input=st.dictionaries(st.sampled_from(["a", "b", "c"]), _VALUES, max_size=3),
    v=_VALUES,
)
def test_fast_path_agrees_with_library(shape, state_input, v):
    fast = _outcome(f"{{% {shape} %}}", state_input, {"v": v})
    library = _outcome(f"{{% ({shape}) %}}", state_input, {"v": v})
    assert fast == library


def test_arithmetic_on_infinity_is_out_of_range():
    assert failure("{% (1 / 0) + 1 %}").endswith("D1001: Number out of range: null")
    assert failure("{% $string(1 / 0) %}").endswith(
        "D3001: Attempting to invoke string function on Infinity or NaN"
    )


@settings(max_examples=100, deadline=None)
@given(
    a=st.floats(-1e6, 1e6) | st.integers(-1000, 1000),
    b=st.floats(-1e6, 1e6) | st.integers(-1000, 1000),
    op=st.sampled_from(["+", "-", "*", "/", "%"]),
)
def test_float_arithmetic_fast_and_library_paths_agree(a, b, op):
    state_input = {"a": a, "b": b}
    fast = evaluate(f"{{% $states.input.a {op} $states.input.b %}}", state_input)
    library = evaluate(f"{{% ($states.input.a {op} $states.input.b) %}}", state_input)
    assert fast == library or (fast != fast and library != library)
