from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless import VirtualClock

# section: construction


def test_clock_default_start_is_2024_utc():
    clock = VirtualClock()
    assert clock.now() == datetime(2024, 1, 1, tzinfo=UTC)
    assert clock.time() == datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    assert clock.now().tzinfo is not None


def test_clock_custom_start_is_normalised_to_utc():
    start = datetime(2025, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    clock = VirtualClock(start)
    assert clock.now() == start
    assert clock.now().utcoffset() == timedelta(0)


def test_clock_naive_start_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="timezone-aware"):
        VirtualClock(datetime(2025, 1, 1))


def test_clock_start_of_wrong_type_is_refused():
    with pytest.raises(TypeError, match="aware datetime"):
        VirtualClock("2025-01-01")  # type: ignore[arg-type]


# section: advancing


def test_clock_advance_moves_time_without_sleeping():
    clock = VirtualClock()
    clock.advance(31_536_000)
    assert clock.now() == datetime(2024, 12, 31, tzinfo=UTC)


def test_clock_refuses_negative_and_nan_advances():
    clock = VirtualClock()
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="NaN"):
        clock.advance(float("nan"))
    with pytest.raises(TypeError):
        clock.advance(True)


def test_clock_listeners_are_told_of_each_advance_until_unsubscribed():
    clock = VirtualClock()
    seen: list[float] = []
    unsubscribe = clock.subscribe(seen.append)
    clock.advance(5)
    clock.advance(0)
    unsubscribe()
    clock.advance(5)
    assert seen == [clock.time() - 5]


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), max_size=20))
def test_clock_time_is_the_sum_of_advances(steps):
    clock = VirtualClock()
    start = clock.time()
    for step in steps:
        clock.advance(step)
    assert clock.time() == pytest.approx(start + sum(steps))
    assert clock.now().timestamp() == pytest.approx(clock.time())


def test_clock_refuses_to_pass_the_last_representable_moment():
    clock = VirtualClock(datetime(9999, 12, 31, tzinfo=UTC))
    clock.advance(86_399)
    with pytest.raises(OverflowError, match="cannot pass 9999-12-31T23:59:59Z"):
        clock.advance(1)
    assert clock.now() == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
