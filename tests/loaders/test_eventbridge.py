"""EventBridge event patterns, target input (InputPath, InputTransformer) and schedule expressions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_serverless.loaders.eventbridge import event_envelope, matches, pattern_problems, target_input
from pytest_serverless.loaders.schedules import parse_schedule

EVENT = {
    "version": "0",
    "id": "1",
    "detail-type": "OrderPlaced",
    "source": "shop.orders",
    "account": "123456789012",
    "time": "2024-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:s3:::bucket/a.png", "arn:aws:s3:::bucket/b.txt"],
    "detail": {
        "total": 120.5,
        "status": "NEW",
        "customer": {"tier": "gold", "email": "Ann@Example.com"},
        "items": ["book", "pen"],
        "ip": "10.0.0.7",
        "note": None,
    },
}

# matching


@pytest.mark.parametrize(
    "pattern",
    [
        {"source": ["shop.orders"]},
        {"source": ["other", "shop.orders"], "detail-type": ["OrderPlaced"]},
        {"source": [{"prefix": "shop."}]},
        {"resources": [{"suffix": ".png"}]},
        {"detail": {"status": [{"anything-but": "CANCELLED"}]}},
        {"detail": {"status": [{"anything-but": ["CANCELLED", "DONE"]}]}},
        {"detail": {"status": [{"anything-but": {"prefix": "CAN"}}]}},
        {"detail": {"total": [{"numeric": [">", 100, "<=", 200]}]}},
        {"detail": {"total": [{"numeric": ["=", 120.5]}]}},
        {"detail": {"customer": {"tier": [{"exists": True}]}}},
        {"detail": {"coupon": [{"exists": False}]}},
        {"detail": {"customer": {"email": [{"equals-ignore-case": "ann@example.com"}]}}},
        {"detail": {"customer": {"email": [{"prefix": {"equals-ignore-case": "ANN@"}}]}}},
        {"detail": {"customer": {"email": [{"wildcard": "*@Example.com"}]}}},
        {"detail": {"items": ["pen"]}},
        {"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}},
        {"detail": {"note": [None]}},
        {"$or": [{"source": ["nope"]}, {"detail": {"status": ["NEW"]}}]},
        {"detail": {"$or": [{"status": ["X"]}, {"total": [{"numeric": [">=", 100]}]}]}},
    ],
)
def test_pattern_matches(pattern):
    assert pattern_problems(pattern) == []
    assert matches(pattern, EVENT)


@pytest.mark.parametrize(
    "pattern",
    [
        {"source": ["shop"]},
        {"source": [{"prefix": "Shop."}]},
        {"detail": {"status": [{"anything-but": "NEW"}]}},
        {"detail": {"total": [{"numeric": ["<", 100]}]}},
        {"detail": {"total": ["120.5"]}},
        {"detail": {"customer": {"tier": [{"exists": False}]}}},
        {"detail": {"coupon": [{"exists": True}]}},
        {"detail": {"coupon": ["x"]}},
        {"detail": {"customer": {"email": ["ann@example.com"]}}},
        {"detail": {"status": {"nested": ["x"]}}},
        {"detail": {"ip": [{"cidr": "192.168.0.0/16"}]}},
        {"detail": {"status": [{"numeric": [">", 0]}]}},
        {"$or": [{"source": ["nope"]}, {"detail-type": ["Other"]}]},
    ],
)
def test_pattern_does_not_match(pattern):
    assert pattern_problems(pattern) == []
    assert not matches(pattern, EVENT)


def test_invalid_patterns_are_explained():
    assert pattern_problems({"source": "shop"}) == [
        ("/source", 'a match value must be inside a list: use ["shop"]')
    ]
    assert pattern_problems({"source": []}) == [("/source", "an empty list matches nothing; AWS refuses it")]
    assert pattern_problems({"detail": {"n": [{"numeric": ["~", 1]}]}}) == [
        ("/detail/n/0", "'numeric' operators are <, <=, =, >, >= followed by a number")
    ]
    assert pattern_problems({"a": [{"contains": "x"}]}) == [
        (
            "/a/0",
            'unknown matcher {"contains": "x"}; use one of prefix, suffix, anything-but, numeric, exists, '
            "equals-ignore-case, wildcard, cidr",
        )
    ]
    assert pattern_problems({"$or": [{"a": ["x"]}]}) == [
        ("/$or", "'$or' takes a list of at least two patterns")
    ]
    assert pattern_problems(["x"]) == [("", "an event pattern must be a JSON object")]


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=12), st.text(max_size=4))
def test_prefix_agrees_with_startswith(value, prefix):
    event = {"detail": {"v": value}}
    assert matches({"detail": {"v": [{"prefix": prefix}]}}, event) == value.startswith(prefix)
    assert matches({"detail": {"v": [{"anything-but": {"prefix": prefix}}]}}, event) == (
        not value.startswith(prefix)
    )


@settings(max_examples=50, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=32), st.integers(-100, 100))
def test_numeric_range_agrees_with_python(value, bound):
    event = {"v": value}
    assert matches({"v": [{"numeric": [">=", bound]}]}, event) == (value >= bound)
    assert matches({"v": [{"numeric": [">", bound, "<", bound + 10]}]}, event) == (bound < value < bound + 10)


# the event and what the target receives


def test_put_events_entry_becomes_an_event():
    now = datetime(2024, 1, 1, 12, tzinfo=UTC)
    event = event_envelope(
        {"Source": "shop", "DetailType": "OrderPlaced", "Detail": '{"id": 1}', "Resources": ["r"]},
        event_id="e-1",
        now=now,
    )
    assert event == {
        "version": "0",
        "id": "e-1",
        "detail-type": "OrderPlaced",
        "source": "shop",
        "account": "123456789012",
        "time": "2024-01-01T12:00:00Z",
        "region": "us-east-1",
        "resources": ["r"],
        "detail": {"id": 1},
    }


def test_target_input_whole_event_constant_and_path():
    kwargs = {"rule_name": "r", "rule_arn": "arn:aws:events:us-east-1:123456789012:rule/r"}
    assert target_input(EVENT, **kwargs) is EVENT
    assert target_input(EVENT, constant='{"a": 1}', **kwargs) == {"a": 1}
    assert target_input(EVENT, input_path="$.detail.customer", **kwargs) == {
        "tier": "gold",
        "email": "Ann@Example.com",
    }
    assert target_input(EVENT, input_path="$.detail.items[1]", **kwargs) == "pen"


def test_input_transformer_quotes_values_as_aws_does():
    transformer = {
        "InputPathsMap": {
            "tier": "$.detail.customer.tier",
            "total": "$.detail.total",
            "items": "$.detail.items",
        },
        "InputTemplate": (
            '{"who": "<tier> customer", "total": <total>, "items": <items>, "rule": "<aws.events.rule-name>"}'
        ),
    }
    assert target_input(EVENT, rule_name="orders", rule_arn="arn", transformer=transformer) == {
        "who": "gold customer",
        "total": 120.5,
        "items": ["book", "pen"],
        "rule": "orders",
    }


def test_input_transformer_plain_text_template():
    transformer = {"InputPathsMap": {"s": "$.detail.status"}, "InputTemplate": "Order is <s>"}
    assert target_input(EVENT, rule_name="r", rule_arn="a", transformer=transformer) == "Order is NEW"


# schedules

START = datetime(2024, 1, 1, tzinfo=UTC).timestamp()


def fire_times(expression, count, origin=START):
    schedule = parse_schedule(expression, origin=origin)
    times, t = [], origin
    for _ in range(count):
        t = schedule.next_after(t)
        times.append(datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%d %H:%M %a"))
    return times


def test_rate_fires_every_period_from_load():
    assert fire_times("rate(1 hour)", 3) == [
        "2024-01-01 01:00 Mon",
        "2024-01-01 02:00 Mon",
        "2024-01-01 03:00 Mon",
    ]
    assert fire_times("rate(15 minutes)", 2) == ["2024-01-01 00:15 Mon", "2024-01-01 00:30 Mon"]
    assert fire_times("rate(2 days)", 1) == ["2024-01-03 00:00 Wed"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 12 * * ? *)", ["2024-01-01 12:00 Mon", "2024-01-02 12:00 Tue"]),
        ("cron(15 10 ? * MON-FRI *)", ["2024-01-01 10:15 Mon", "2024-01-02 10:15 Tue"]),
        ("cron(0/30 * * * ? *)", ["2024-01-01 00:30 Mon", "2024-01-01 01:00 Mon"]),
        ("cron(0 8 1 * ? *)", ["2024-01-01 08:00 Mon", "2024-02-01 08:00 Thu"]),
        ("cron(0 0 L * ? *)", ["2024-01-31 00:00 Wed", "2024-02-29 00:00 Thu"]),
        ("cron(0 9 ? * 6#3 *)", ["2024-01-19 09:00 Fri", "2024-02-16 09:00 Fri"]),
        ("cron(0 18 ? * SAT,SUN *)", ["2024-01-06 18:00 Sat", "2024-01-07 18:00 Sun"]),
        ("cron(0 0 1 JAN ? 2025)", ["2025-01-01 00:00 Wed"]),
        ("cron(0 6 15W * ? *)", ["2024-01-15 06:00 Mon", "2024-02-15 06:00 Thu"]),
    ],
)
def test_cron_fires_on_matching_minutes(expression, expected):
    assert fire_times(expression, len(expected)) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("rate(1 hours)", "'rate(1 hours)': AWS requires rate(1 hour)"),
        ("rate(5 minute)", "'rate(5 minute)': AWS requires rate(5 minutes)"),
        ("rate(0 minutes)", "'rate(0 minutes)': use rate(N minutes|hours|days) with N > 0"),
        ("every day", "'every day': a schedule expression is rate(...) or cron(...)"),
        (
            "cron(0 12 * * *)",
            "'cron(0 12 * * *)': cron takes 6 fields (minutes hours day-of-month month day-of-week year)",
        ),
        (
            "cron(0 12 * * * *)",
            "'cron(0 12 * * * *)': exactly one of day-of-month and day-of-week must be '?'",
        ),
        ("cron(61 12 * * ? *)", "'cron(61 12 * * ? *)': '61' is outside 0-59"),
    ],
)
def test_invalid_schedules_are_explained(expression, message):
    with pytest.raises(ValueError) as info:
        parse_schedule(expression, origin=START)
    assert str(info.value) == message
