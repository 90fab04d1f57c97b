"""The Map state: inline and distributed, ItemReader/ItemBatcher/ResultWriter, tolerated failures.

Iterations are threads on the scheduler (see ``_fanout.Fanout``), interleaved in virtual time; each starts
when its MaxConcurrency slot frees up, so the Map's duration is that of concurrent execution.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from pytest_serverless.asl import model as m
from pytest_serverless.asl.history import History, HistoryLimitExceeded
from pytest_serverless.asl.interpreter import Terminal, finish_state
from pytest_serverless.asl.paths import dumps
from pytest_serverless.asl.recovery import run_with_retry
from pytest_serverless.asl.service import MapRun
from pytest_serverless.asl.states._fanout import Fanout
from pytest_serverless.asl.states_errors import StatesError, StatesErrorName

if TYPE_CHECKING:
    from pytest_serverless.asl.interpreter import Frame, Interpreter, StateRun

__all__ = ["run_map"]

_Make = Callable[[int], "tuple[Frame, m.Program, Any]"]
_Finished = Callable[[int, Any, "BaseException | None"], None]


def run_map(
    interp: Interpreter, state: m.MapState, value: Any, frame: Frame, run: StateRun
) -> Generator[Any, Any, tuple[str | None, Any]]:
    phase = [""]

    def attempt() -> Generator[Any, Any, tuple[str | None, Any]]:
        phase[0] = "running"
        return (yield from _map_attempt(interp, state, value, frame, run, phase))

    def failed(error: StatesError) -> None:
        if phase[0] == "running":
            interp.event(frame, "MapStateFailed")

    return (yield from run_with_retry(interp, state, value, run, frame, attempt, failed))


def _map_items(
    interp: Interpreter, state: m.MapState, value: Any, effective: Any, run: StateRun, frame: Frame
) -> list[Any]:
    jsonata = state.query_language == m.JSONATA
    if state.item_reader is not None:
        return _read_items(interp, state, effective, run, frame)
    if jsonata:
        if state.items is not None:
            items = interp.jsonata(state.items, run, frame, input=value)
            if not isinstance(items, list):
                raise interp.prefixed(run, state.items.type_error("array", items))
            return items
        if not isinstance(value, list):
            raise StatesError(
                StatesErrorName.QUERY_EVALUATION_ERROR,
                run.prefix() + f"Map state input must be an array but was: {dumps(value)}",
            )
        return value
    items = effective
    if state.items_path is not None and state.items_path is not m.NULL_PATH:
        items = interp.lookup_or_fail(state.items_path, effective, run, frame)
    if not isinstance(items, list):
        raise interp.runtime(
            run,
            "Map state input must be an array but was: " + dumps(items)
            if state.items_path is None
            else f"Invalid path '{state.items_path.text}': The ItemsPath must reference a JSON array, "
            f"but was: {dumps(items)}",
        )
    return items


def _read_items(
    interp: Interpreter, state: m.MapState, effective: Any, run: StateRun, frame: Frame
) -> list[Any]:
    """ItemReader: the data comes from a mock or handler of the reader's resource (or the Map state name)."""
    reader = state.item_reader or {}
    resource = str(reader.get("Resource", ""))
    arguments: Any = reader.get("Parameters", reader.get("Arguments", {}))
    if state.item_reader_template is not None:
        if state.query_language == m.JSONATA:
            rendered = interp.jsonata(state.item_reader_template, run, frame, input=effective)
            arguments = rendered.get("Arguments", {}) if isinstance(rendered, dict) else {}
        else:
            arguments = interp.payload(state.item_reader_template, effective, run, frame)
    keys = [f"{state.name}.ItemReader", state.name, resource]
    outcome = None
    for key in keys:
        cursor = interp.mocks.get(key)
        if cursor is not None:
            outcome = cursor.next(arguments)
            break
    if outcome is None:
        from pytest_serverless.asl.tasks import find_handler

        handler = find_handler(interp.handlers, keys)
        if handler is None:
            from pytest_serverless.errors import UnmockedTask

            raise UnmockedTask(
                state.name,
                resource,
                available=sorted(set(interp.mocks) | set(interp.handlers)),
                detail=f"The ItemReader data comes from a mock keyed {keys[0]!r}, {keys[1]!r} "
                f"or {resource!r}.",
            )
        interp.task_calls.append((state.name, resource, arguments))
        data = _call_reader(interp, handler, resource, arguments)
    else:
        interp.task_calls.append((state.name, resource, arguments))
        if outcome.failed:
            raise StatesError(outcome.error or StatesErrorName.ITEM_READER_FAILED, outcome.cause)
        data = outcome.value
    config = reader.get("ReaderConfig") or {}
    if not isinstance(config, dict):
        config = {}
    if isinstance(data, str):
        data = _parse_reader_text(data, config)
    if isinstance(data, dict):
        for key in ("Items", "Contents", "items"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        raise StatesError(
            StatesErrorName.ITEM_READER_FAILED, f"The ItemReader data must be a JSON array, got {dumps(data)}"
        )
    limit = config.get("MaxItems")
    if isinstance(config.get("MaxItemsPath"), str):
        from pytest_serverless.asl.paths import compile_path

        limit = interp.lookup_or_fail(compile_path(config["MaxItemsPath"]), effective, run, frame)
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        data = data[:limit]
    return data


def _call_reader(interp: Interpreter, handler: Any, resource: str, arguments: Any) -> Any:
    """A ``tasks`` handler answering the ItemReader, called as Lambda calls it."""
    from pytest_serverless._user_code import UserCodeFailed
    from pytest_serverless.asl.paths import copy_json
    from pytest_serverless.asl.tasks import TASK_ANSWERS, json_problem, task_failure
    from pytest_serverless.errors import TaskFailure
    from pytest_serverless.lambdas import invoke_handler

    try:
        data, _elapsed = invoke_handler(
            handler,
            copy_json(arguments),
            function_name=resource.rsplit(":", 1)[-1],
            request_id=interp.ids.next("request"),
            clock=interp.clock,
            timeout_seconds=60.0,
            lets_through=TASK_ANSWERS,
        )
    except TaskFailure as failure:
        error, cause = task_failure(failure, f"the ItemReader handler for {resource!r}")
        raise StatesError(error or StatesErrorName.ITEM_READER_FAILED, cause) from None
    except UserCodeFailed as failed:  # a failing reader (misuse, a ServerlessError, stays loud)
        raise StatesError(StatesErrorName.ITEM_READER_FAILED, str(failed.error)) from None
    problem = json_problem(data)
    if problem is not None:
        raise StatesError(StatesErrorName.ITEM_READER_FAILED, f"The ItemReader data is not JSON: {problem}")
    return copy_json(data)


_CSV_DELIMITERS = {"COMMA": ",", "SEMICOLON": ";", "PIPE": "|", "SPACE": " ", "TAB": "\t"}


def _parse_reader_text(text: str, config: dict[str, Any]) -> Any:
    """An S3 object's body as the reader sees it: JSON, JSONL or CSV (``ReaderConfig.InputType``)."""
    import csv
    import io
    import json

    kind = str(config.get("InputType", "JSON")).upper()
    try:
        if kind == "CSV":
            delimiter = _CSV_DELIMITERS.get(str(config.get("CSVDelimiter", "COMMA")), ",")
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
            headers = config.get("CSVHeaders")
            if config.get("CSVHeaderLocation", "FIRST_ROW") != "GIVEN" or not isinstance(headers, list):
                headers, rows = (rows[0], rows[1:]) if rows else ([], [])
            return [dict(zip(headers, row, strict=False)) for row in rows]
        if kind == "JSONL":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return json.loads(text)
    except (ValueError, csv.Error) as error:
        raise StatesError(
            StatesErrorName.ITEM_READER_FAILED, f"The ItemReader could not parse the {kind} data: {error}"
        ) from None


def _number(
    interp: Interpreter,
    state: m.MapState,
    field: str,
    literal: Any,
    path: Any,
    value: Any,
    effective: Any,
    run: StateRun,
    frame: Frame,
    integer: bool,
) -> float | None:
    if path is not None:
        raw = interp.lookup_or_fail(path, effective, run, frame)
        kind = "integer" if integer else "float"
        if isinstance(raw, str):
            try:
                raw_number: Any = int(raw.strip()) if integer else float(raw.strip())
            except ValueError:
                raw_number = raw
            if not isinstance(raw_number, str):
                return float(raw_number)
        ok = not isinstance(raw, bool) and isinstance(raw, (int, float))
        if ok and integer and raw != int(raw):
            ok = False
        if not ok:
            shown = raw if isinstance(raw, str) else dumps(raw)
            raise interp.runtime(
                run,
                f'The {field}Path field refers to value "{shown}" which is not a valid {kind}: {path.text}',
            )
        return float(raw)
    if literal is None:
        return None
    if isinstance(literal, (int, float)) and not isinstance(literal, bool):
        return float(literal)
    result = interp.jsonata(literal, run, frame, input=value)
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        raise interp.prefixed(run, literal.type_error("number", result))
    return float(result)


def _map_attempt(
    interp: Interpreter, state: m.MapState, value: Any, frame: Frame, run: StateRun, phase: list[str]
) -> Generator[Any, Any, tuple[str | None, Any]]:
    """One attempt of the Map: read the items and limits, run the iterations through a Fanout, then
    fail (tolerance exceeded, an iteration's error) or finish the state with the results."""
    inputs, started, concurrency, tolerated_count, tolerated_percent = _prepare(
        interp, state, value, frame, run
    )
    processor = state.processor
    assert processor is not None
    slots = int(concurrency or 0)
    count = len(inputs)
    results: list[Any] = [None] * count
    allowed = _allowed_failures(tolerated_count, tolerated_percent, count)
    distributed = state.distributed
    # a redrive runs only the iterations that did not succeed (AWS's RedriveExecution)
    kept = interp.kept_outputs(state, frame)
    succeeded: set[int] = {index for index in kept if index < count}
    record: MapRun | None = None
    if distributed:
        record = _start_map_run(
            interp, state, frame, count, slots, tolerated_count, tolerated_percent, succeeded
        )
    make, finished = _iterations(interp, state, processor, inputs, frame, started, results, succeeded, record)
    todo = count
    if succeeded:
        make, finished, todo = _only_unfinished(make, finished, count, succeeded, kept, results)
    thread = frame.thread
    assert thread is not None
    fanout = Fanout(interp, thread, todo, make, finished, slots, allowed)
    if distributed:
        fanout.translate = _child_failure
    if not fanout.start():
        try:
            yield from fanout.wait()
        except GeneratorExit:  # stopped or timed out while iterations ran: a redrive keeps the finished
            interp.keep_outputs(state, frame, {index: results[index] for index in succeeded})
            if record is not None:
                record.close("ABORTED", interp.scheduler.now())
            raise
    frame.prev = len(frame.history)
    failure = fanout.failure
    if record is not None:
        record.close("FAILED" if failure is not None else "SUCCEEDED", interp.now)
    if failure is not None:
        interp.keep_outputs(state, frame, {index: results[index] for index in succeeded})
        raise _map_failure(interp, state, frame, failure)
    result: Any = results
    if distributed:
        interp.event(frame, "MapRunSucceeded")
    interp.event(frame, "MapStateSucceeded")
    phase[0] = "succeeded"
    if state.result_writer is not None:
        result = _write_results(interp, state, results, run)
    return finish_state(interp, state, value, result, run, frame)


def _prepare(
    interp: Interpreter, state: m.MapState, value: Any, frame: Frame, run: StateRun
) -> tuple[list[tuple[Any, Any]], int, float | None, float | None, float | None]:
    """Before the iterations: the items and MaxConcurrency, the MapStateStarted event, the tolerated
    failures and each iteration's ``(item, input)``; a StatesError on the way is the state's evaluation
    failure. Returns the inputs, the started event's id, MaxConcurrency and the two tolerances."""
    jsonata = state.query_language == m.JSONATA
    try:
        effective = value if jsonata else interp.select_path(state.input_path, value, run, frame)
        items = _map_items(interp, state, value, effective, run, frame)
        concurrency = _number(
            interp,
            state,
            "MaxConcurrency",
            state.max_concurrency,
            state.max_concurrency_path,
            value,
            effective,
            run,
            frame,
            True,
        )
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    started = interp.event(frame, "MapStateStarted", {"length": len(items)})
    try:
        tolerated_count, tolerated_percent = _tolerance(interp, state, value, effective, run, frame)
        if concurrency is not None and concurrency < 0:
            raise interp.runtime(run, "MaxConcurrency cannot be negative.")
        inputs = _iteration_inputs(interp, state, value, effective, items, run, frame)
    except StatesError as error:
        interp.evaluation_failed(frame, run, error)
        raise
    return inputs, started, concurrency, tolerated_count, tolerated_percent


def _tolerance(
    interp: Interpreter, state: m.MapState, value: Any, effective: Any, run: StateRun, frame: Frame
) -> tuple[float | None, float | None]:
    """ToleratedFailureCount and ToleratedFailurePercentage (literal, path or JSONata), checked."""
    tolerated_count = _number(
        interp,
        state,
        "ToleratedFailureCount",
        state.tolerated_failure_count,
        state.tolerated_failure_count_path,
        value,
        effective,
        run,
        frame,
        True,
    )
    tolerated_percent = _number(
        interp,
        state,
        "ToleratedFailurePercentage",
        state.tolerated_failure_percentage,
        state.tolerated_failure_percentage_path,
        value,
        effective,
        run,
        frame,
        False,
    )
    if tolerated_count is not None and tolerated_count < 0:
        raise interp.runtime(run, "ToleratedFailureCount cannot be negative.")
    if tolerated_percent is not None and not 0 <= tolerated_percent <= 100:
        raise interp.runtime(run, "ToleratedFailurePercentage must be between 0 and 100.")
    return tolerated_count, tolerated_percent


def _start_map_run(
    interp: Interpreter,
    state: m.MapState,
    frame: Frame,
    count: int,
    slots: int,
    tolerated_count: float | None,
    tolerated_percent: float | None,
    succeeded: set[int],
) -> MapRun | None:
    """A distributed Map's MapRunStarted event, and the service's record of the Map Run (None when the
    machine has no service)."""
    map_run = f"{interp.execution_arn.replace(':execution:', ':mapRun:')}/{state.label or state.name}"
    interp.event(frame, "MapRunStarted", {"mapRunArn": map_run})
    # DescribeMapRun and ListExecutions(mapRunArn): kept from the moment the machine has a service (as
    # its executions are): a machine used only through execute() pays nothing for them
    service = interp.machine._service if interp.machine is not None else None
    if service is None or interp.execution is None:
        return None
    record: MapRun | None = service._map_runs.get(map_run) if succeeded else None
    if record is not None:  # a redriven Map Run: its succeeded children stay, the others run again
        record.redriven(succeeded, interp.now)
        return record
    record = MapRun(
        map_run,
        interp.execution_arn,
        count,
        slots,
        int(tolerated_count or 0),
        float(tolerated_percent or 0),
        interp.now,
    )
    service._map_run_started(record)
    return record


def _only_unfinished(
    make: Callable[[int], tuple[Frame, m.Program, Any]],
    finished: Callable[[int, Any, BaseException | None], None],
    count: int,
    succeeded: set[int],
    kept: dict[int, Any],
    results: list[Any],
) -> tuple[
    Callable[[int], tuple[Frame, m.Program, Any]], Callable[[int, Any, BaseException | None], None], int
]:
    """A redrive: the kept outputs of the iterations that succeeded, and ``make``/``finished`` over the
    others only (with how many there are)."""
    for index in succeeded:
        results[index] = kept[index]
    again = [index for index in range(count) if index not in succeeded]

    def make_again(position: int) -> tuple[Frame, m.Program, Any]:
        return make(again[position])

    def finished_again(position: int, output: Any, failure: BaseException | None) -> None:
        finished(again[position], output, failure)

    return make_again, finished_again, len(again)


def _map_failure(
    interp: Interpreter, state: m.MapState, frame: Frame, failure: BaseException
) -> BaseException:
    """What the Map raises when its iterations failed (MapRunFailed for a distributed one):
    States.ExceedToleratedFailureThreshold when a tolerance was set, else the iteration's error."""
    if not isinstance(failure, StatesError):
        return failure
    if state.distributed:
        interp.event(frame, "MapRunFailed", {"error": failure.error, "cause": failure.cause})
    if not isinstance(failure, Terminal) and _has_tolerance(state):
        error = StatesError(
            StatesErrorName.EXCEED_TOLERATED_FAILURE_THRESHOLD,
            "The specified tolerance threshold was exceeded",
        )
        error.__suppress_context__ = True  # as ``raise ... from None``: not chained to the iteration's error
        return error
    return failure


def _iterations(
    interp: Interpreter,
    state: m.MapState,
    processor: m.Program,
    inputs: list[tuple[Any, Any]],
    frame: Frame,
    started: int,
    results: list[Any],
    succeeded: set[int],
    record: MapRun | None,
) -> tuple[Callable[[int], tuple[Frame, m.Program, Any]], Callable[[int, Any, BaseException | None], None]]:
    """``make(index)`` and ``finished(index, output, failure)`` for the Map's Fanout (``succeeded``
    collects the indexes of the iterations that succeeded: what a redrive keeps).

    Inline iterations read a copy of the outer variables and log MapIteration* events; distributed
    children (child executions) see no variables and keep their events out of the parent history; an
    EXPRESS child fails with States.Timeout after 5 minutes.
    """
    from pytest_serverless.asl.interpreter import Frame

    distributed = state.distributed
    express = state.express_children
    service: Any = interp.machine.service if record is not None else None
    name = state.name
    frames: dict[int, Frame] = {}
    timers: dict[int, list[Any]] = {}
    scheduler = interp.scheduler

    def make(index: int) -> tuple[Frame, m.Program, Any]:
        item, iteration_input = inputs[index]
        if distributed:  # a child execution: its own history, event limit and $$.Execution
            child = Frame({}, 0, (index, item), History())
            child.context = _child_context(interp, state, index, iteration_input)
            if record is not None:  # a child execution of the service, listed under its Map Run
                service._map_child(record, index, interp.execution, child.context[0], child.history)
            if express:
                timers[index] = scheduler.at(interp.now + _EXPRESS_LIMIT, lambda: _express_timeout(child), 1)
            return child, processor, iteration_input
        child = Frame(dict(frame.variables), started, (index, item), frame.history)
        frames[index] = child
        interp.event(child, "MapIterationStarted", {"name": name, "index": index})
        return child, processor, iteration_input

    def _express_timeout(child: Frame) -> None:
        thread = child.thread
        if thread is not None and not thread.done:
            interp.now = scheduler.now()
            thread.kill()
            thread.on_done(thread, None, StatesError(StatesErrorName.TIMEOUT, None))

    def finished(index: int, output: Any, failure: BaseException | None) -> None:
        if distributed:
            scheduler.cancel(timers.pop(index, None))
            if record is not None:
                service._map_child_done(record, index, output, failure)
        else:
            child = frames.pop(index)
            details = {"name": name, "index": index}
            if failure is None:
                interp.event(child, "MapIterationSucceeded", details)
            elif isinstance(failure, StatesError):
                interp.event(child, "MapIterationFailed", details)
        if failure is None:
            results[index] = output
            succeeded.add(index)
        elif isinstance(failure, StatesError):
            error_output: dict[str, Any] = {"Error": failure.error}
            if failure.cause is not None:
                error_output["Cause"] = failure.cause
            results[index] = error_output

    return make, finished


_EXPRESS_LIMIT = 300.0


def _child_context(
    interp: Interpreter, state: m.MapState, index: int, child_input: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """$$.Execution and $$.StateMachine of a Distributed Map child: the machine is
    ``<machine>/<label>`` and the execution ``execution:<machine>/<label>:<id>``, as AWS names them."""
    from pytest_serverless._ids import deterministic_uuid
    from pytest_serverless.asl.interpreter import iso_millis

    label = state.label or state.name
    machine = interp.machine_context
    parent = interp.execution_context
    name = deterministic_uuid(str(parent["Id"]), "map-child", label, index)
    machine_name = f"{machine['Name']}/{label}"
    arn_prefix = str(machine["Id"]).rsplit(":stateMachine:", 1)[0]
    execution = {
        "Id": f"{arn_prefix}:execution:{machine_name}:{name}",
        "Input": child_input,
        "StartTime": iso_millis(interp.now),
        "Name": name,
        "RoleArn": parent["RoleArn"],
        "RedriveCount": 0,
    }
    return execution, {"Id": f"{arn_prefix}:stateMachine:{machine_name}", "Name": machine_name}


def _child_failure(failure: BaseException) -> BaseException:
    """A child execution over its own 25,000 events fails that child only (States.Runtime)."""
    if isinstance(failure, HistoryLimitExceeded):
        return StatesError(
            StatesErrorName.RUNTIME,
            "The execution reached the maximum number of history events (25000). Start a new execution "
            "(for example with a child workflow) to continue the work.",
        )
    return failure


def _has_tolerance(state: m.MapState) -> bool:
    return any(
        field is not None
        for field in (
            state.tolerated_failure_count,
            state.tolerated_failure_count_path,
            state.tolerated_failure_percentage,
            state.tolerated_failure_percentage_path,
        )
    )


def _allowed_failures(count: float | None, percent: float | None, total: int) -> float:
    """How many failed iterations the Map tolerates; with both settings, exceeding either fails it."""
    limits = []
    if count is not None:
        limits.append(count)
    if percent is not None:
        limits.append(math.floor(total * percent / 100.0) if percent < 100 else float(total))
    return min(limits) if limits else 0.0


def _iteration_inputs(
    interp: Interpreter,
    state: m.MapState,
    value: Any,
    effective: Any,
    items: list[Any],
    run: StateRun,
    frame: Frame,
) -> list[tuple[Any, Any]]:
    from pytest_serverless.asl.interpreter import Frame

    selector = state.item_selector
    jsonata = state.query_language == m.JSONATA
    out: list[tuple[Any, Any]] = []
    for index, item in enumerate(items):
        if selector is None:
            out.append((item, item))
            continue
        scratch = Frame(frame.variables, frame.prev, (index, item), frame.history)
        if jsonata:
            selected = interp.jsonata(selector, run, scratch, input=value)
        else:
            selected = interp.payload(selector, effective, run, scratch)
        out.append((item, selected))
    batcher = state.item_batcher
    if state.item_batcher_template is not None and not state.item_batcher_template.is_constant:
        batcher = interp.jsonata(state.item_batcher_template, run, frame, input=value)
        if not isinstance(batcher, dict):
            batcher = state.item_batcher
    if batcher is None:
        return out
    return _batches(interp, state, effective, out, batcher, run, frame)


def _batches(
    interp: Interpreter,
    state: m.MapState,
    effective: Any,
    inputs: list[tuple[Any, Any]],
    batcher: dict[str, Any],
    run: StateRun,
    frame: Frame,
) -> list[tuple[Any, Any]]:
    from pytest_serverless.asl.paths import compile_path

    def setting(name: str) -> Any:
        if f"{name}Path" in batcher:
            return interp.lookup_or_fail(compile_path(batcher[f"{name}Path"]), effective, run, frame)
        return batcher.get(name)

    max_items = setting("MaxItemsPerBatch")
    max_bytes = setting("MaxInputBytesPerBatch")
    batch_input = batcher.get("BatchInput")
    if isinstance(batch_input, dict) and state.query_language != m.JSONATA:
        from pytest_serverless.asl.paths import compile_payload

        template = compile_payload(batch_input, lambda text: None)
        if not template.constant:
            batch_input = interp.payload(template, effective, run, frame)
    out: list[tuple[Any, Any]] = []
    current: list[Any] = []
    size = 0
    for _item, selected in inputs:
        item_size = len(dumps(selected).encode()) if max_bytes else 0
        full = (isinstance(max_items, int) and max_items > 0 and len(current) >= max_items) or (
            isinstance(max_bytes, int) and max_bytes > 0 and current and size + item_size > max_bytes
        )
        if full:
            out.append(_batch(current, batch_input))
            current, size = [], 0
        current.append(selected)
        size += item_size
    if current:
        out.append(_batch(current, batch_input))
    return out


def _batch(items: list[Any], batch_input: Any) -> tuple[Any, Any]:
    value: dict[str, Any] = {}
    if batch_input is not None:
        value["BatchInput"] = batch_input
    value["Items"] = items
    return value, value


def _write_results(interp: Interpreter, state: m.MapState, results: list[Any], run: StateRun) -> Any:
    """ResultWriter: record what would be written, return what AWS returns to the Map state."""
    writer = state.result_writer or {}
    arguments = writer.get("Parameters", writer.get("Arguments", {})) or {}
    bucket = arguments.get("Bucket", "") if isinstance(arguments, dict) else ""
    prefix = arguments.get("Prefix", "") if isinstance(arguments, dict) else ""
    map_run = f"{interp.execution_arn.replace(':execution:', ':mapRun:')}/{state.label or state.name}"
    interp.result_writes.append({"state": state.name, "writer": writer, "results": results})
    return {
        "MapRunArn": map_run,
        "ResultWriterDetails": {
            "Bucket": bucket,
            "Key": f"{prefix}/{map_run.rsplit(':', 1)[-1]}/manifest.json",
        },
    }
