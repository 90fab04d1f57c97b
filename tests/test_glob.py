"""The one wildcard matcher: IAM policy patterns and ASL StringMatches, in linear time."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless import StateMachine
from pytest_serverless._glob import Glob, compile_glob
from pytest_serverless.gateway.authorizers import PolicyError
from pytest_serverless.gateway.authorizers.policy import evaluate_policy, wildcard_match


def reference(pattern: str, value: str, ignore_case: bool = False) -> bool:
    parts = [".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern]
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch("".join(parts), value, flags) is not None


# ---------------------------------------------------------------- agrees with the regular expression


@settings(max_examples=300, deadline=None)
@given(st.text("ab*?\n", max_size=8), st.text("ab\n", max_size=10), st.booleans())
def test_glob_agrees_with_the_backtracking_reference(pattern, value, ignore_case):
    assert compile_glob(pattern, any_char="?", ignore_case=ignore_case).match(value) == reference(
        pattern, value, ignore_case
    )


def test_glob_cases():
    assert wildcard_match("arn:*/GET/*", "arn:x/prod/GET/orders/1")
    assert not wildcard_match("arn:*/GET/*", "arn:x/prod/POST/orders/1")
    assert wildcard_match("a?c", "abc")
    assert not wildcard_match("a?c", "abbc")
    assert wildcard_match("EXECUTE-API:*", "execute-api:Invoke", ignore_case=True)
    assert not wildcard_match("EXECUTE-API:*", "execute-api:Invoke")
    assert wildcard_match("", "")
    assert not wildcard_match("", "a")
    assert wildcard_match("*", "")
    assert wildcard_match("**", "x")
    assert not wildcard_match("ab*ba", "aba")  # the first and last segments may not overlap
    assert compile_glob(r"a\*b", escapes=True).match("a*b")
    assert not compile_glob(r"a\*b", escapes=True).match("axb")
    assert compile_glob("a\\\\*", escapes=True).match("a\\anything")
    assert compile_glob("a?b", escapes=True).match("a?b")  # no "?" wildcard in StringMatches
    assert not compile_glob("a?b", escapes=True).match("axb")
    assert repr(compile_glob("a*")) == "Glob('a*')"


# ---------------------------------------------------------------- hostile patterns stay linear

# A backtracking engine needs minutes for each of these (runs of "*" between repeated words on 60 kB).
HOSTILE_VALUE = "foo" * 20_000


def test_policy_wildcards_are_linear_on_hostile_patterns():
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*" + "*foo" * 30 + "*bar", "Resource": "*"},
            {"Effect": "Allow", "Action": "*", "Resource": "*foo*foo*foo*foo*foo*foo*foo*bar"},
        ],
    }
    assert (
        evaluate_policy(policy, "arn:aws:execute-api:us-east-1:1:a/p/GET/" + HOSTILE_VALUE) == "IMPLICIT_DENY"
    )


def test_string_matches_is_linear_on_hostile_patterns():
    machine = StateMachine(
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {"Variable": "$.v", "StringMatches": "*foo*foo*foo*foo*foo*foo*foo*bar", "Next": "Y"}
                    ],
                    "Default": "N",
                },
                "Y": {"Type": "Succeed"},
                "N": {"Type": "Succeed"},
            },
        }
    )
    assert machine.execute({"v": HOSTILE_VALUE}).path == ["C", "N"]
    assert machine.execute({"v": HOSTILE_VALUE + "bar"}).path == ["C", "Y"]


# ---------------------------------------------------------------- policies are read whole


def test_policy_after_a_matching_deny_is_still_validated():

    deny = {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*"}
    arn = "arn:aws:execute-api:us-east-1:1:a/p/GET/x"
    assert (
        evaluate_policy({"Statement": [deny, {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, arn)
        == "DENY"
    )
    with pytest.raises(PolicyError) as info:
        evaluate_policy({"Statement": [deny, {"Effect": "Maybe", "Action": "*", "Resource": "*"}]}, arn)
    assert str(info.value) == 'policyDocument.Statement[1].Effect must be "Allow" or "Deny", got \'Maybe\''


def test_policy_not_action_compares_case_insensitively():
    arn = "arn:aws:execute-api:us-east-1:1:a/p/GET/x"
    statement = {"Effect": "Allow", "NotAction": "EXECUTE-API:INVOKE", "Resource": "*"}
    assert evaluate_policy({"Statement": [statement]}, arn) == "IMPLICIT_DENY"
    statement = {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}
    assert evaluate_policy({"Statement": [statement]}, arn) == "ALLOW"
    statement = {"Effect": "Allow", "Action": "Execute-Api:invoke", "Resource": "*"}
    assert evaluate_policy({"Statement": [statement]}, arn) == "ALLOW"
    statement = {"Effect": "Allow", "Action": "*", "NotResource": "ARN:*"}
    assert evaluate_policy({"Statement": [statement]}, arn) == "ALLOW"  # resources are case-sensitive


# section: Mutation-found edges of the wildcard matcher.


# -- the wildcard matcher ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("*ab*b", "xab", False),  # a middle piece may not run into the last one
        ("*ab*b", "xabb", True),
        ("*ab*ab*", "xab", False),  # pieces follow one another, never overlap
        ("*ab*ab*", "xabxb", False),
        ("*ab*ab*", "abab", True),
        ("a*b*c", "abc", True),
        ("a*b*c", "acb", False),
    ],
)
def test_glob_pieces_follow_one_another(pattern, value, matches):
    assert Glob(pattern, _segments(pattern), 0).match(value) is matches
    assert compile_glob(pattern).match(value) is matches


def _segments(pattern):
    return [(piece, len(piece)) for piece in pattern.split("*")]


def test_glob_keeps_its_pattern():
    assert Glob("a*b", _segments("a*b"), 0).pattern == "a*b"


# -- the wildcard matcher's flags ---------------------------------------------------------------------


def test_glob_flags_reach_every_piece():
    assert compile_glob("*EXEC*API*", ignore_case=True).match("x-execute-api-y")
    assert not compile_glob("*EXEC*API*").match("x-execute-api-y")
    assert compile_glob("a*?*b", any_char="?").match("a\nb")  # "?" and "*" match newlines too
    assert compile_glob("*a?b*", any_char="?").match("xa\nby")
