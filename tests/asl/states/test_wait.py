"""The Wait state on the virtual clock: Timestamp and TimestampPath, a year's wait that never sleeps. The
SecondsPath facts are JSON cases: ``cases/wait/seconds_path.json``."""

from __future__ import annotations

from pytest_serverless import StateMachine, VirtualClock


def test_wait_timestamp_and_timestamp_path():
    clock = VirtualClock()
    definition = {
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Timestamp": "2024-01-01T01:00:00Z", "End": True}},
    }
    assert StateMachine(definition, clock=clock).execute().duration == 3600
    by_path = {"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.t", "End": True}}}
    machine = StateMachine(by_path, clock=VirtualClock())
    assert machine.execute({"t": "2024-01-01T00:00:30+00:00"}).duration == 30
    assert machine.execute({"t": "2020-01-01T00:00:00Z"}).duration == 0
    bad = machine.execute({"t": "2016-13-05T21:29:29Z"})
    assert bad.cause.endswith(
        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format "
        "string: $.t == 2016-13-05T21:29:29Z"
    )


def test_one_year_wait_moves_the_virtual_clock_and_never_sleeps(monkeypatch):
    import time

    def refuse_sleep(seconds):
        raise AssertionError(f"time.sleep({seconds}) called")

    monkeypatch.setattr(time, "sleep", refuse_sleep)
    clock = VirtualClock()
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 31_535_999, "End": True}}}
    machine = StateMachine(definition, clock=clock)
    started = clock.time()
    execution = machine.execute()
    assert execution.duration == 31_535_999
    assert clock.time() - started == 31_535_999
