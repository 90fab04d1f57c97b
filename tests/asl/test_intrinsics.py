"""Intrinsic functions: parsing, AWS's argument checks, properties. The functions' input/output facts (values
in, result or failure out) are JSON cases: ``cases/intrinsics/functions.json``."""

from __future__ import annotations

import base64
import json
import random
import re
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless import InvalidDefinition, StateMachine
from pytest_serverless.asl.intrinsics import (
    FUNCTIONS,
    IntrinsicSyntaxError,
    compile_intrinsic,
    is_intrinsic_call,
    java_string,
)
from pytest_serverless.asl.states_errors import StatesError
from tests.helpers import outcome

_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def resolver(data, context=None, variables=None):
    """A small resolver for `$.a.b[0]`, `$$.x` and `$var.x` paths (the interpreter supplies the real one)."""

    def resolve(path):
        if path.startswith("$$"):
            current, rest = context, path[2:]
        elif path.startswith("$") and len(path) > 1 and path[1] not in ".[":
            name = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)", path).group(1)
            current, rest = variables[name], path[1 + len(name) :]
        else:
            current, rest = data, path[1:]
        for key, index in _SEGMENT.findall(rest):
            if key:
                if not isinstance(current, dict) or key not in current:
                    raise StatesError("States.Runtime", f"missing {path}")
                current = current[key]
            else:
                current = current[int(index)]
        return current

    return resolve


def run(text, data=None, *, context=None, variables=None, seed=0):
    return compile_intrinsic(text).evaluate(resolver(data, context, variables), random.Random(seed))


def failure(text, data=None):
    with pytest.raises(StatesError) as info:
        run(text, data)
    assert info.value.error == "States.IntrinsicFailure"
    return info.value.cause


# section: recognising and parsing calls


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Format('x', $.a)", True),
        ("States.UUID()", True),
        ("States.Array ()", True),
        ("States.Format('x'", True),
        ("$.a", False),
        ("States.ALL", False),
        ("Format('x')", False),
        (" States.UUID()", False),
        ("", False),
    ],
)
def test_is_intrinsic_call_recognises_calls(text, expected):
    assert is_intrinsic_call(text) is expected


def test_compile_lists_paths_of_nested_calls():
    compiled = compile_intrinsic(
        "States.Format('{} {} {}', $.a.b[0], States.ArrayLength($$.Execution.Input.items), $myVar.x)"
    )
    assert compiled.paths == ("$.a.b[0]", "$$.Execution.Input.items", "$myVar.x")


def test_compile_reads_literals_of_every_kind():
    assert run("States.Array('s', 1, -2, 1.5, 2e3, true, false, null)") == [
        "s",
        1,
        -2,
        1.5,
        2000.0,
        True,
        False,
        None,
    ]


def test_compile_allows_spaces_around_arguments():
    assert run("States.Array( 1 ,  $.a , 'x' )", {"a": 2}) == [1, 2, "x"]


def test_compile_takes_paths_with_brackets_commas_and_quotes():
    compiled = compile_intrinsic("States.Array($['a,b']['c)'], $.list[?(@.x == 'y, z')] , $)")
    assert compiled.paths == ("$['a,b']['c)']", "$.list[?(@.x == 'y, z')]", "$")
    values = {"$['a,b']['c)']": 5, "$.list[?(@.x == 'y, z')]": [], "$": {}}
    assert compiled.evaluate(values.__getitem__, random.Random(0)) == [5, [], {}]


def test_compile_takes_escaped_quotes_inside_path_brackets():
    assert compile_intrinsic("States.Array($['it\\'s'], $[\"x\"])").paths == ("$['it\\'s']", '$["x"]')


def test_compile_reads_root_and_context_paths():
    assert run("States.Array($, $$)", {"x": 1}, context={"Execution": {}}) == [{"x": 1}, {"Execution": {}}]


def test_compile_reads_variables():
    assert (
        run("States.Format('{}-{}', $count, $order.id)", variables={"count": 3, "order": {"id": "o1"}})
        == "3-o1"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "States.Foo(1)",
            "invalid intrinsic function 'States.Foo(1)': unknown intrinsic function 'States.Foo' at "
            "position 0",
        ),
        (
            "States.Formatt('x')",
            "invalid intrinsic function \"States.Formatt('x')\": unknown intrinsic function 'States.Formatt' "
            "(did you mean 'States.Format'?) at position 0",
        ),
        (
            "States.ArrayLength($.a, $.b)",
            "invalid intrinsic function 'States.ArrayLength($.a, $.b)': 'States.ArrayLength' takes 1 "
            "argument, "
            "got 2 at position 0",
        ),
        (
            "States.MathRandom(1)",
            "invalid intrinsic function 'States.MathRandom(1)': 'States.MathRandom' takes 2 or 3 arguments, "
            "got 1 at position 0",
        ),
        (
            "States.Format()",
            "invalid intrinsic function 'States.Format()': 'States.Format' takes at least 1 arguments, got 0 "
            "at position 0",
        ),
        (
            "States.Array(States.UUID(1))",
            "invalid intrinsic function 'States.Array(States.UUID(1))': 'States.UUID' takes 0 "
            "arguments, got 1 "
            "at position 13",
        ),
        (
            "States.Format('x'",
            "invalid intrinsic function \"States.Format('x'\": missing ')' to close 'States.Format(' "
            "at position 17",
        ),
        (
            "States.Format('x)",
            'invalid intrinsic function "States.Format(\'x)": '
            'unterminated string literal (missing closing "\'") at position 14',
        ),
        (
            "States.Array(1 2)",
            "invalid intrinsic function 'States.Array(1 2)': expected ',' or ')' after argument 1, found '2' "
            "at position 15",
        ),
        (
            "States.Array(1,)",
            "invalid intrinsic function 'States.Array(1,)': missing argument 2 at position 15",
        ),
        (
            "States.Array(abc)",
            "invalid intrinsic function 'States.Array(abc)': unknown argument 'abc' (strings need "
            "single quotes) "
            "at position 13",
        ),
        (
            'States.Array("x")',
            "invalid intrinsic function 'States.Array(\"x\")': unexpected '\"' in argument 1 at position 13",
        ),
        (
            "States.Array(1) extra",
            "invalid intrinsic function 'States.Array(1) extra': unexpected 'extra' after the closing ')' "
            "at position 16",
        ),
        (
            "States.Array($.a b)",
            "invalid intrinsic function 'States.Array($.a b)': invalid path '$.a b' at position 13",
        ),
        (
            "States.Array(12abc)",
            "invalid intrinsic function 'States.Array(12abc)': invalid number '12a' at position 13",
        ),
        ("States.Array(-)", "invalid intrinsic function 'States.Array(-)': invalid number at position 13"),
        (
            "States.Array($$x)",
            "invalid intrinsic function 'States.Array($$x)': invalid path '$$x' at position 13",
        ),
        (
            "States.Array($.a.)",
            "invalid intrinsic function 'States.Array($.a.)': invalid path '$.a.' at position 13",
        ),
        (
            "States.Array($['a)",
            'invalid intrinsic function "States.Array($[\'a)": '
            "unterminated bracket or quote in path at position 13",
        ),
        (
            "States.Array($.a[0)",
            "invalid intrinsic function 'States.Array($.a[0)': unterminated bracket or quote in path "
            "at position 13",
        ),
        (
            "States.Array",
            "invalid intrinsic function 'States.Array': expected '(' after 'States.Array' at position 12",
        ),
        (
            "Array(1)",
            "invalid intrinsic function 'Array(1)': expected a function name like 'States.Format' at "
            "position 0",
        ),
    ],
)
def test_compile_rejects_bad_calls_with_position(text, message):
    with pytest.raises(IntrinsicSyntaxError) as info:
        compile_intrinsic(text)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_compile_allows_ten_nested_calls_but_not_eleven():
    ten = "States.Array(" * 10 + ")" * 10
    assert run(ten) == [[[[[[[[[[]]]]]]]]]]
    with pytest.raises(IntrinsicSyntaxError, match="more than 10 nested intrinsic functions"):
        compile_intrinsic("States.Array(" * 11 + ")" * 11)


FUNCTION_NAMES = (
    "Format StringToJson JsonToString Array ArrayPartition ArrayContains ArrayRange ArrayGetItem ArrayLength "
    "ArrayUnique Base64Encode Base64Decode Hash JsonMerge MathRandom MathAdd StringSplit UUID"
)


def test_function_table_has_all_eighteen_functions():
    assert sorted(FUNCTIONS) == sorted(f"States.{name}" for name in FUNCTION_NAMES.split(" "))


# section: States.Format and string literal escapes


def test_format_placeholder_count_must_match_arguments():
    assert failure("States.Format('{} {}', 'a')") == (
        "Invalid arguments in States.Format: the format string has 2 placeholders '{}' but 1 "
        "argument was given"
    )
    assert failure("States.Format('none', 'a', 'b')") == (
        "Invalid arguments in States.Format: the format string has 0 placeholders '{}' but 2 "
        "arguments were given"
    )


def test_format_template_must_be_a_string():
    assert failure("States.Format($.t)", {"t": 5}) == (
        "Invalid arguments in States.Format: argument 1 must be a string, got number 5"
    )


def test_string_literal_keeps_unknown_backslash_sequences():
    assert run(r"States.Array('a\nb')") == ["a\\nb"]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
@settings(max_examples=60, deadline=None)
def test_string_literal_round_trips_through_escaping(text):
    escaped = "".join("\\" + char if char in "'{}\\" else char for char in text)
    assert run(f"States.Array('{escaped}')") == [text]


# section: JSON conversion


def test_string_to_json_rejects_invalid_json():
    assert failure("States.StringToJson($.s)", {"s": "{nope"}) == (
        'Invalid arguments in States.StringToJson: the string "{nope" is not valid JSON'
    )


def test_json_to_string_is_compact():
    assert (
        run("States.JsonToString($.v)", {"v": {"Arg1": 1, "Arg2": [], "s": "é"}})
        == '{"Arg1":1,"Arg2":[],"s":"é"}'
    )


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
@settings(max_examples=80, deadline=None)
def test_json_to_string_then_string_to_json_round_trips(value):
    assert run("States.StringToJson(States.JsonToString($.v))", {"v": value}) == value


def test_json_merge_is_shallow_and_right_wins():
    data = {"a": {"a": {"x": 1}, "b": 2, "d": 3}, "b": {"a": {"y": 1}, "c": 3, "d": 4}}
    assert run("States.JsonMerge($.a, $.b, false)", data) == {"a": {"y": 1}, "b": 2, "d": 4, "c": 3}


def test_json_merge_with_a_parsed_literal():
    # As recorded on AWS: braces need no escape outside States.Format placeholders.
    text = """States.JsonMerge(States.StringToJson('{"lit": "false"}'), $$.Execution.Input.field, false)"""
    result = run(text, context={"Execution": {"Input": {"field": {"k": "v"}}}})
    assert result == {"lit": "false", "k": "v"}


def test_json_merge_refuses_deep_merge_and_non_objects():
    assert failure("States.JsonMerge($.a, $.a, true)", {"a": {}}) == (
        "Invalid arguments in States.JsonMerge: deep merge is not supported; the third argument must be false"
    )
    assert failure("States.JsonMerge($.a, $.b, false)", {"a": {}, "b": []}) == (
        "Invalid arguments in States.JsonMerge: argument 2 must be a JSON object, got array []"
    )


# section: arrays


@pytest.mark.parametrize("size", [0, -1, 1.5])
def test_array_partition_needs_a_positive_integer(size):
    cause = failure("States.ArrayPartition($.a, $.n)", {"a": [1], "n": size})
    assert cause.startswith("Invalid arguments in States.ArrayPartition: ")


@given(st.lists(st.integers(), max_size=30), st.integers(1, 12))
@settings(max_examples=60, deadline=None)
def test_array_partition_then_flatten_is_the_input(items, size):
    chunks = run("States.ArrayPartition($.a, $.n)", {"a": items, "n": size})
    assert [item for chunk in chunks for item in chunk] == items
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert all(0 < len(chunk) <= size for chunk in chunks)


def test_array_range_limits():
    assert failure("States.ArrayRange(0, 1000, 1)") == (
        "Invalid arguments in States.ArrayRange: the range would have 1001 elements, more than the "
        "limit of 1000"
    )
    assert (
        failure("States.ArrayRange(0, 10, 0)")
        == "Invalid arguments in States.ArrayRange: the step must not be 0"
    )
    assert failure("States.ArrayRange(0, 1.5, 1)") == (
        "Invalid arguments in States.ArrayRange: argument 2 must be an integer, got number 1.5"
    )


def test_array_get_item_and_bounds():
    data = {"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]}
    assert run("States.ArrayGetItem($.a, 5)", data) == 6
    assert failure("States.ArrayGetItem($.a, 9)", data) == (
        "Invalid arguments in States.ArrayGetItem: index 9 is out of bounds for an array of length 9"
    )
    assert failure("States.ArrayGetItem($.a, -1)", data).endswith(
        "index -1 is out of bounds for an array of length 9"
    )


def test_array_length_and_type_check():
    assert run("States.ArrayLength($.a)", {"a": [1, [2, 3], None]}) == 3
    assert failure("States.ArrayLength($.a)", {"a": "abc"}) == (
        'Invalid arguments in States.ArrayLength: argument 1 must be an array, got string "abc"'
    )


def test_array_unique_keeps_first_occurrences():
    data = {"a": [None, None, True, 1, 1, 1.0, 1.1, "x", "x", [], [], {"a": 1}, {"a": 1}, {"a": 2}, True]}
    assert run("States.ArrayUnique($.a)", data) == [None, True, 1, 1.1, "x", [], {"a": 1}, {"a": 2}]


@given(st.lists(st.integers(-3, 3) | st.booleans() | st.sampled_from(["a", "b"]), max_size=20))
@settings(max_examples=50, deadline=None)
def test_array_unique_is_idempotent_and_preserves_membership(items):
    unique = run("States.ArrayUnique($.a)", {"a": items})
    assert run("States.ArrayUnique($.a)", {"a": unique}) == unique
    for item in items:
        assert run("States.ArrayContains($.u, $.i)", {"u": unique, "i": item})


# section: encoding and hashing


def test_base64_encode_and_decode():
    assert run("States.Base64Encode('Data to encode')") == "RGF0YSB0byBlbmNvZGU="
    assert run("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')") == "Data to encode"


def test_base64_decode_rejects_invalid_input():
    assert (
        failure("States.Base64Decode('%%%')")
        == 'Invalid arguments in States.Base64Decode: "%%%" is not valid Base64'
    )


def test_base64_limits_input_to_ten_thousand_characters():
    assert failure("States.Base64Encode($.s)", {"s": "a" * 10_001}) == (
        "Invalid arguments in States.Base64Encode: the input string has 10001 characters, more than "
        "the limit of 10000"
    )
    assert run("States.Base64Encode($.s)", {"s": "a" * 10_000}) == base64.b64encode(b"a" * 10_000).decode()


@given(st.text(max_size=40))
@settings(max_examples=60, deadline=None)
def test_base64_round_trips(text):
    text = text.encode("utf-8", "replace").decode("utf-8")
    assert run("States.Base64Decode(States.Base64Encode($.s))", {"s": text}) == text


def test_hash_rejects_unknown_algorithms():
    assert failure("States.Hash('x', 'SHA-3')") == (
        'Invalid arguments in States.Hash: unsupported hash algorithm "SHA-3"; use one of MD5, '
        "SHA-1, SHA-256, "
        "SHA-384, SHA-512"
    )


# section: math, strings, uuid


def test_math_add_checks_types_and_range():
    assert failure("States.MathAdd($.a, 1)", {"a": True}) == (
        "Invalid arguments in States.MathAdd: argument 1 must be a number, got boolean true"
    )
    assert failure("States.MathAdd(2147483647, 1)") == (
        "Invalid arguments in States.MathAdd: 2147483648 is outside the 32-bit integer range"
    )


def test_math_random_is_deterministic_under_a_seed():
    values = [run("States.MathRandom(1, 10)", seed=7) for _ in range(3)]
    assert len(set(values)) == 1
    assert run("States.MathRandom(1, 10, 42)", seed=1) == run("States.MathRandom(1, 10, 42)", seed=2)


@given(st.integers(-1000, 1000), st.integers(1, 50), st.integers(0, 2**31))
@settings(max_examples=60, deadline=None)
def test_math_random_stays_in_start_inclusive_end_exclusive(start, width, seed):
    assert start <= run(f"States.MathRandom({start}, {start + width})", seed=seed) < start + width


def test_math_random_needs_start_below_end():
    assert failure("States.MathRandom(5, 5)") == (
        "Invalid arguments in States.MathRandom: the start 5 must be less than the end 5"
    )


def test_uuid_is_a_deterministic_version_4_uuid():
    first = run("States.UUID()", seed=3)
    assert first == run("States.UUID()", seed=3)
    assert first != run("States.UUID()", seed=4)
    assert uuid.UUID(first).version == 4


def test_nested_calls_compose():
    data = {"arn": "arn:aws:imagebuilder:us-east-1:123:image-recipe/my-recipe.v1/1.0.0"}
    text = (
        "States.Format('{}.{}', "
        "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.arn, '/'), "
        "1), '.'), 0), "
        "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.arn, '/'), "
        "1), '.'), 1))"
    )
    assert run(text, data) == "my-recipe.v1"


def test_missing_path_error_comes_from_the_resolver():
    with pytest.raises(StatesError) as info:
        run("States.Array($.nope)", {})
    assert (info.value.error, info.value.cause) == ("States.Runtime", "missing $.nope")


def test_java_string_of_special_doubles():
    assert [java_string(v) for v in (float("nan"), float("inf"), float("-inf"), -0.0, 0.0)] == [
        "NaN",
        "Infinity",
        "-Infinity",
        "-0.0",
        "0.0",
    ]


def test_java_string_of_nested_values():
    assert java_string({"a": [1.0, None], "b": {"c": False}}) == "{a=[1.0, null], b={c=false}}"
    assert json.loads(run("States.JsonToString($.v)", {"v": [1, 2, "HelloWorld"]})) == [1, 2, "HelloWorld"]


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "[1, NaN]"])
def test_string_to_json_rejects_non_json_constants(text):
    assert failure("States.StringToJson($.s)", {"s": text}).endswith("is not valid JSON")


# section: robustness (no input may crash the engine with an internal error)

_call_text = st.builds(
    lambda name, body: f"States.{name}({body}",
    st.sampled_from([name[7:] for name in FUNCTIONS] + ["Nope"]),
    st.text(alphabet="$.a[]0'\\{}(),- 1States.ArrayFormt\"", max_size=30),
)


@given(_call_text)
@settings(max_examples=300, deadline=None)
def test_compile_fails_only_with_intrinsic_syntax_error(text):
    compiled = outcome(lambda: compile_intrinsic(text))
    if isinstance(compiled, Exception):
        assert isinstance(compiled, IntrinsicSyntaxError)
        assert compiled.text == text
        assert 0 <= compiled.position <= len(text)
        return
    result = outcome(lambda: compiled.evaluate(lambda path: {"a": [0, "x"]}, random.Random(0)))
    if isinstance(result, Exception):
        assert isinstance(result, StatesError)
        assert result.error == "States.IntrinsicFailure"


@given(st.sampled_from(sorted(FUNCTIONS)), st.lists(json_values, max_size=3))
@settings(max_examples=150, deadline=None)
def test_any_argument_values_fail_only_with_intrinsic_failure(name, values):
    signature = FUNCTIONS[name]
    upper = len(values) if signature.max_args is None else signature.max_args
    count = max(signature.min_args, min(len(values), upper))
    values = (values + [None] * count)[:count]
    compiled = compile_intrinsic(f"{name}({', '.join(f'$.v[{index}]' for index in range(count))})")
    result = outcome(lambda: compiled.evaluate(lambda path: values[int(path[4:-1])], random.Random(0)))
    if isinstance(result, Exception):
        assert isinstance(result, StatesError)
        assert result.error == "States.IntrinsicFailure"
        assert result.cause.startswith(f"Invalid arguments in {name}: ")


# section: through the public API


def test_state_machine_catches_intrinsic_failure():
    sm = StateMachine(
        {
            "StartAt": "Build",
            "States": {
                "Build": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:build",
                    "Parameters": {"range.$": "States.ArrayRange(0, $.n, 1)"},
                    "Catch": [{"ErrorEquals": ["States.IntrinsicFailure"], "Next": "Handled"}],
                    "End": True,
                },
                "Handled": {"Type": "Pass", "End": True},
            },
        }
    )
    execution = sm.execute({"n": 5000})
    assert execution.status == "SUCCEEDED"
    assert execution.path == ["Build", "Handled"]
    assert execution.output == {
        "Error": "States.IntrinsicFailure",
        "Cause": "Invalid arguments in States.ArrayRange: the range would have 5001 elements, "
        "more than the limit of 1000",
    }


def test_state_machine_runs_nested_intrinsics_in_parameters():
    sm = StateMachine(
        {
            "StartAt": "Shape",
            "States": {
                "Shape": {
                    "Type": "Pass",
                    "Parameters": {
                        "id.$": "States.Format('order-{}', States.MathAdd($.n, 1))",
                        "chunks.$": "States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)",
                        "digest.$": "States.Hash('input data', 'MD5')",
                    },
                    "End": True,
                }
            },
        }
    )
    assert sm.execute({"n": 41}).output == {
        "id": "order-42",
        "chunks": [[1, 2], [3, 4], [5]],
        "digest": "812f45842bc6d66ee14572ce20db8e86",
    }


def test_state_machine_reports_intrinsic_syntax_errors_with_pointers():
    with pytest.raises(InvalidDefinition) as info:
        StateMachine(
            {
                "StartAt": "P",
                "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "States.Formatt('x')"}, "End": True}},
            }
        )
    assert info.value.problems == [
        (
            "/States/P/Parameters/v.$",
            "'v.$': invalid intrinsic function \"States.Formatt('x')\": unknown intrinsic function "
            "'States.Formatt' (did you mean 'States.Format'?) at position 0",
        )
    ]
