"""Field rules of each state type and of the Map state's parts: the per-state half of validation.

``machines.py`` walks machines and the transition graph; ``StateChecker.check_state`` checks one state
object and reports the state names it transitions to. Choice, Retry and Catch live in ``flow.py``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any

from pytest_serverless.asl.validation.fields import (
    JSONATA,
    JSONPATH,
    MAX_SECONDS,
    NEEDS_JSONATA,
    QUERY_LANGUAGES,
    Transitions,
    is_number,
    unknown_field_message,
)
from pytest_serverless.asl.validation.flow import FlowChecker
from pytest_serverless.asl.validation.syntax import (
    intrinsic_problem,
    is_jsonata,
    pointer_join,
    type_name,
)

__all__ = ["FIELDS", "JSONATA", "JSONPATH", "QUERY_LANGUAGES", "STATE_TYPES", "StateChecker", "Transitions"]

_COMMON = frozenset({"Type", "Comment", "QueryLanguage"})
_FLOW = frozenset({"Next", "End"})
# data flow and error handling: what Task, Parallel and Map have alike
_WORKER = frozenset(
    {
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "InputPath",
        "OutputPath",
        "Output",
        "Assign",
        "Retry",
        "Catch",
    }
)
FIELDS: dict[str, frozenset[str]] = {
    "Pass": _COMMON
    | _FLOW
    | {"Result", "Parameters", "ResultPath", "InputPath", "OutputPath", "Assign", "Output"},
    "Task": _COMMON
    | _FLOW
    | _WORKER
    | {
        "Resource",
        "Arguments",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
    },
    "Choice": _COMMON | {"Choices", "Default", "InputPath", "OutputPath", "Output", "Assign"},
    "Wait": _COMMON
    | _FLOW
    | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "InputPath", "OutputPath", "Output", "Assign"},
    "Succeed": _COMMON | {"InputPath", "OutputPath", "Output"},
    "Fail": _COMMON | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON | _FLOW | _WORKER | {"Branches", "Arguments"},
    "Map": _COMMON
    | _FLOW
    | _WORKER
    | {
        "ItemProcessor",
        "Iterator",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "Label",
    },
}
STATE_TYPES = tuple(FIELDS)
_ANY_STATE_FIELD = frozenset().union(*FIELDS.values())

# fields of one query language, with what to use instead in the other one
JSONPATH_ONLY: dict[str, str] = {
    "InputPath": "read $states.input in expressions",
    "Parameters": "use 'Arguments'",
    "ResultSelector": "use 'Output'",
    "ResultPath": "use 'Output' or 'Assign'",
    "OutputPath": "use 'Output'",
    "ItemsPath": "use 'Items'",
    "Result": "use 'Output'",
    "TimeoutSecondsPath": "use a '{% %}' expression in 'TimeoutSeconds'",
    "HeartbeatSecondsPath": "use a '{% %}' expression in 'HeartbeatSeconds'",
    "SecondsPath": "use a '{% %}' expression in 'Seconds'",
    "TimestampPath": "use a '{% %}' expression in 'Timestamp'",
    "ErrorPath": "use a '{% %}' expression in 'Error'",
    "CausePath": "use a '{% %}' expression in 'Cause'",
    "MaxConcurrencyPath": "use a '{% %}' expression in 'MaxConcurrency'",
    "ToleratedFailurePercentagePath": "use a '{% %}' expression in 'ToleratedFailurePercentage'",
    "ToleratedFailureCountPath": "use a '{% %}' expression in 'ToleratedFailureCount'",
}
JSONATA_ONLY: dict[str, str] = {
    "Arguments": "'Parameters'",
    "Output": "'ResultSelector', 'ResultPath' or 'OutputPath'",
    "Items": "'ItemsPath'",
}
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_PROCESSOR_CONFIG_FIELDS = frozenset({"Mode", "ExecutionType"})
_ITEM_READER_FIELDS = frozenset({"Resource", "ReaderConfig", "Parameters", "Arguments"})
_READER_CONFIG_FIELDS = frozenset(
    {
        "InputType",
        "CSVHeaderLocation",
        "CSVHeaders",
        "CSVDelimiter",
        "MaxItems",
        "MaxItemsPath",
        "ManifestType",
        "Transformation",
    }
)
_RESULT_WRITER_FIELDS = frozenset({"Resource", "Parameters", "Arguments", "WriterConfig"})
_ITEM_BATCHER_FIELDS = frozenset(
    {
        "MaxItemsPerBatch",
        "MaxItemsPerBatchPath",
        "MaxInputBytesPerBatch",
        "MaxInputBytesPerBatchPath",
        "BatchInput",
    }
)


class StateChecker(FlowChecker):
    """Checks single states; collects problems into ``problems``; ``nested`` validates a nested machine."""

    def check_state(
        self, state: Mapping[str, Any], pointer: str, machine_language: str
    ) -> tuple[Transitions, bool]:
        """Check one state object; return its transitions and whether it may end the machine."""
        kind = state.get("Type")
        if kind is None:
            self.add(pointer, f"missing required field 'Type' (one of {', '.join(STATE_TYPES)})")
            return [], True
        if not isinstance(kind, str) or kind not in FIELDS:
            close = difflib.get_close_matches(str(kind), STATE_TYPES, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.add(
                pointer_join(pointer, "Type"),
                f"unknown state type {kind!r}{hint}; expected one of {', '.join(STATE_TYPES)}",
            )
            return [], True
        language = self._language(state, pointer, machine_language)
        known = FIELDS[kind]
        for field in state:
            if field in known:
                continue
            if field in _ANY_STATE_FIELD:
                self.add(pointer, f"'{field}' is not allowed in a {kind} state")
            else:
                self.add(
                    pointer,
                    unknown_field_message(str(field), known, f"a {kind} state"),
                )
        self._language_fields(state, pointer, language, known)
        if "Comment" in state and not isinstance(state["Comment"], str):
            self.add(
                pointer_join(pointer, "Comment"),
                f"'Comment' must be a string, got {type_name(state['Comment'])}",
            )
        transitions: Transitions = []
        terminal = False
        if known >= _FLOW:
            terminal = self._next_or_end(state, pointer, transitions)
        elif kind in ("Succeed", "Fail"):
            terminal = True
        self._io(state, pointer, language)
        _CHECKS[kind](self, state, pointer, language, transitions)
        return transitions, terminal

    def _language(self, state: Mapping[str, Any], pointer: str, machine_language: str) -> str:
        if "QueryLanguage" not in state:
            return machine_language
        value = state["QueryLanguage"]
        if value not in QUERY_LANGUAGES:
            self.add(
                pointer_join(pointer, "QueryLanguage"),
                f"'QueryLanguage' must be 'JSONPath' or 'JSONata', got {value!r}",
            )
            return machine_language
        if self.jsonata_locked and value == JSONPATH:
            self.add(
                pointer_join(pointer, "QueryLanguage"),
                "a state cannot use 'QueryLanguage' 'JSONPath' in a machine whose 'QueryLanguage' "
                "is 'JSONata'",
            )
        return str(value)

    def _language_fields(
        self, state: Mapping[str, Any], pointer: str, language: str, known: frozenset[str]
    ) -> None:
        if language == JSONATA:
            for field in state:
                if field in JSONPATH_ONLY and field in known:
                    instead = JSONPATH_ONLY[field]
                    self.add(
                        pointer_join(pointer, field),
                        f"'{field}' is a JSONPath field and this state uses JSONata; {instead}",
                    )
        else:
            for field in state:
                if field in JSONATA_ONLY and field in known:
                    instead = JSONATA_ONLY[field]
                    self.add(
                        pointer_join(pointer, field),
                        f'\'{field}\' is a JSONata field; set "QueryLanguage": "JSONata" on the state '
                        f"or the machine, or use {instead}",
                    )

    def _next_or_end(self, state: Mapping[str, Any], pointer: str, transitions: Transitions) -> bool:
        has_next = "Next" in state
        end = state.get("End")
        if "End" in state and not isinstance(end, bool):
            self.add(pointer_join(pointer, "End"), f"'End' must be true, got {type_name(end)}")
        if has_next and end is True:
            self.add(pointer, "has both 'Next' and 'End'; a state either moves on or ends the machine")
        elif not has_next and end is not True:
            self.add(pointer, "needs 'Next' (the state to run next) or \"End\": true")
        if has_next:
            self._target(state["Next"], pointer_join(pointer, "Next"), "Next", transitions)
        return end is True

    def _io(self, state: Mapping[str, Any], pointer: str, language: str) -> None:
        for field in ("InputPath", "OutputPath"):
            if field in state:
                self._path_field(
                    state[field], pointer_join(pointer, field), field, reference=False, nullable=True
                )
        if "ResultPath" in state:
            self._path_field(
                state["ResultPath"],
                pointer_join(pointer, "ResultPath"),
                "ResultPath",
                reference=True,
                nullable=True,
            )
        for field in ("Parameters", "ResultSelector", "ItemSelector"):
            if field in state:
                value = state[field]
                where = pointer_join(pointer, field)
                if language == JSONATA:
                    self.jsonata_value(value, where)
                elif not isinstance(value, Mapping):
                    self.add(where, f"'{field}' must be an object, got {type_name(value)}")
                else:
                    self.template(value, where)
        if "Arguments" in state:
            value = state["Arguments"]
            where = pointer_join(pointer, "Arguments")
            if not (isinstance(value, Mapping) or is_jsonata(value)):
                self.add(
                    where, f"'Arguments' must be an object or a '{{% %}}' expression, got {type_name(value)}"
                )
            self.jsonata_value(value, where)
        if "Output" in state:
            self.jsonata_value(state["Output"], pointer_join(pointer, "Output"))
        if "Assign" in state:
            self.assign(state["Assign"], pointer_join(pointer, "Assign"), language)

    def _check_pass(
        self, state: Mapping[str, Any], pointer: str, language: str, transitions: Transitions
    ) -> None:
        pass

    def _check_succeed(
        self, state: Mapping[str, Any], pointer: str, language: str, transitions: Transitions
    ) -> None:
        pass

    def _check_task(
        self, state: Mapping[str, Any], pointer: str, language: str, transitions: Transitions
    ) -> None:
        resource = state.get("Resource")
        if "Resource" not in state:
            self.add(
                pointer, "missing required field 'Resource' (the ARN of the Lambda function or service API)"
            )
        elif not isinstance(resource, str):
            self.add(
                pointer_join(pointer, "Resource"),
                f"'Resource' must be an ARN string, got {type_name(resource)}",
            )
        elif not resource.startswith("arn:"):
            self.add(
                pointer_join(pointer, "Resource"), f"'Resource' must be an ARN ('arn:...'), got {resource!r}"
            )
        self.exclusive(state, pointer, "TimeoutSeconds", "TimeoutSecondsPath")
        self.exclusive(state, pointer, "HeartbeatSeconds", "HeartbeatSecondsPath")
        timeout = self.integer(state, pointer, "TimeoutSeconds", language, minimum=1, maximum=MAX_SECONDS)
        heartbeat = self.integer(state, pointer, "HeartbeatSeconds", language, minimum=1, maximum=MAX_SECONDS)
        if heartbeat is not None and timeout is not None and heartbeat >= timeout:
            self.add(
                pointer_join(pointer, "HeartbeatSeconds"),
                f"'HeartbeatSeconds' ({heartbeat}) must be smaller than 'TimeoutSeconds' ({timeout})",
            )
        for field in ("TimeoutSecondsPath", "HeartbeatSecondsPath"):
            if field in state:
                self._path_field(state[field], pointer_join(pointer, field), field, reference=True)
        if "Credentials" in state and not isinstance(state["Credentials"], Mapping):
            self.add(
                pointer_join(pointer, "Credentials"),
                f"'Credentials' must be an object, got {type_name(state['Credentials'])}",
            )
        self.retry_catch(state, pointer, language, transitions)

    def _check_wait(
        self, state: Mapping[str, Any], pointer: str, language: str, transitions: Transitions
    ) -> None:
        self.exclusive(state, pointer, "Seconds", "SecondsPath", "Timestamp", "TimestampPath", required=True)
        self.integer(state, pointer, "Seconds", language, minimum=0, maximum=MAX_SECONDS)
        if "Timestamp" in state:
            value = state["Timestamp"]
            where = pointer_join(pointer, "Timestamp")
            if language == JSONATA and is_jsonata(value):
                self.jsonata_value(value, where)
            elif is_jsonata(value):
                self.add(
                    where,
                    f"'Timestamp' must be a timestamp string, got a JSONata expression; {NEEDS_JSONATA}",
                )
            elif not isinstance(value, str) or not _TIMESTAMP.match(value):
                self.add(
                    where,
                    "'Timestamp' must be an RFC 3339 timestamp such as '2024-01-01T00:00:00Z', "
                    f"got {value!r}",
                )
        for field in ("SecondsPath", "TimestampPath"):
            if field in state:
                self._path_field(state[field], pointer_join(pointer, field), field, reference=True)

    def _check_fail(
        self, state: Mapping[str, Any], pointer: str, language: str, transitions: Transitions
    ) -> None:
        for literal, path in (("Error", "ErrorPath"), ("Cause", "CausePath")):
            self.exclusive(state, pointer, literal, path)
            if literal in state:
                value = state[literal]
                where = pointer_join(pointer, literal)
                if not isinstance(value, str):
                    self.add(where, f"'{literal}' must be a string, got {type_name(value)}")
                elif language == JSONATA:
                    self.jsonata_value(value, where)
            if path in state:
                from pytest_serverless.asl._intrinsic_parse import INTRINSIC_PREFIX  # rare: a Fail's paths

                value = state[path]
                where = pointer_join(pointer, path)
                if isinstance(value, str) and value.startswith(INTRINSIC_PREFIX):
                    problem = intrinsic_problem(value)
                    if problem:
                        self.add(where, f"'{path}': {problem}")
                else:
                    self._path_field(value, where, path, reference=False)

    def _check_parallel(
        self, state: Mapping[str, Any], pointer: str, language: str, transitions: Transitions
    ) -> None:
        for branch, branch_pointer in self.array_items(state, pointer, "Branches", "state machines"):
            self.nested(branch, branch_pointer, language, "branch")
        self.retry_catch(state, pointer, language, transitions)

    def _check_map(
        self, state: Mapping[str, Any], pointer: str, language: str, transitions: Transitions
    ) -> None:
        self.exclusive(state, pointer, "ItemProcessor", "Iterator", required=True)
        for field in ("ItemProcessor", "Iterator"):
            if field in state:
                self.nested(state[field], pointer_join(pointer, field), language, field)
        self.exclusive(state, pointer, "ItemSelector", "Parameters")
        if "ItemsPath" in state:
            self._path_field(
                state["ItemsPath"], pointer_join(pointer, "ItemsPath"), "ItemsPath", reference=True
            )
        if "Items" in state:
            items = state["Items"]
            where = pointer_join(pointer, "Items")
            if not (isinstance(items, list) or is_jsonata(items)):
                self.add(where, f"'Items' must be an array or a '{{% %}}' expression, got {type_name(items)}")
            self.jsonata_value(items, where)
        self.exclusive(state, pointer, "MaxConcurrency", "MaxConcurrencyPath")
        self.integer(state, pointer, "MaxConcurrency", language, minimum=0)
        self.exclusive(state, pointer, "ToleratedFailureCount", "ToleratedFailureCountPath")
        self.integer(state, pointer, "ToleratedFailureCount", language, minimum=0)
        self.exclusive(state, pointer, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath")
        self._percentage(state, pointer, language)
        for field in ("MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"):
            if field in state:
                self._path_field(state[field], pointer_join(pointer, field), field, reference=True)
        if "Label" in state:
            label = state["Label"]
            if not isinstance(label, str) or len(label) > 40:
                self.add(pointer_join(pointer, "Label"), "'Label' must be a string of at most 40 characters")
        self._map_part(state, pointer, "ItemReader", _ITEM_READER_FIELDS, language, resource=True)
        self._map_part(state, pointer, "ResultWriter", _RESULT_WRITER_FIELDS, language, resource=True)
        self._map_part(state, pointer, "ItemBatcher", _ITEM_BATCHER_FIELDS, language, resource=False)
        reader = state.get("ItemReader")
        if isinstance(reader, Mapping) and isinstance(reader.get("ReaderConfig"), Mapping):
            self._fields(
                reader["ReaderConfig"],
                pointer_join(pointer_join(pointer, "ItemReader"), "ReaderConfig"),
                _READER_CONFIG_FIELDS,
                "'ReaderConfig'",
            )
        self.retry_catch(state, pointer, language, transitions)

    def _percentage(self, state: Mapping[str, Any], pointer: str, language: str) -> None:
        field = "ToleratedFailurePercentage"
        if field not in state:
            return
        value = state[field]
        where = pointer_join(pointer, field)
        if language == JSONATA and is_jsonata(value):
            self.jsonata_value(value, where)
        elif not is_number(value) or not 0 <= value <= 100:
            self.add(where, f"'{field}' must be a number between 0 and 100, got {value!r}")

    def _map_part(
        self,
        state: Mapping[str, Any],
        pointer: str,
        field: str,
        known: frozenset[str],
        language: str,
        *,
        resource: bool,
    ) -> None:
        if field not in state:
            return
        value = state[field]
        where = pointer_join(pointer, field)
        if not isinstance(value, Mapping):
            self.add(where, f"'{field}' must be an object, got {type_name(value)}")
            return
        self._fields(value, where, known, f"'{field}'")
        if resource and not isinstance(value.get("Resource"), str):
            self.add(where, f"'{field}' needs 'Resource' (an ARN string)")
        if "Parameters" in value and language == JSONATA:
            self.add(
                pointer_join(where, "Parameters"),
                "'Parameters' is a JSONPath field and this state uses JSONata; use 'Arguments'",
            )
        elif isinstance(value.get("Parameters"), Mapping):
            self.template(value["Parameters"], pointer_join(where, "Parameters"))
        if "Arguments" in value:
            if language == JSONPATH:
                self.add(
                    pointer_join(where, "Arguments"),
                    '\'Arguments\' is a JSONata field; set "QueryLanguage": "JSONata" on the state '
                    "or the machine, or use 'Parameters'",
                )
            self.jsonata_value(value["Arguments"], pointer_join(where, "Arguments"))

    def processor_config(self, config: object, pointer: str) -> None:
        if not isinstance(config, Mapping):
            self.add(pointer, f"'ProcessorConfig' must be an object, got {type_name(config)}")
            return
        self._fields(config, pointer, _PROCESSOR_CONFIG_FIELDS, "'ProcessorConfig'")
        mode = config.get("Mode", "INLINE")
        if mode not in ("INLINE", "DISTRIBUTED"):
            self.add(pointer_join(pointer, "Mode"), f"'Mode' must be 'INLINE' or 'DISTRIBUTED', got {mode!r}")
        if "ExecutionType" in config and config["ExecutionType"] not in ("STANDARD", "EXPRESS"):
            self.add(
                pointer_join(pointer, "ExecutionType"),
                f"'ExecutionType' must be 'STANDARD' or 'EXPRESS', got {config['ExecutionType']!r}",
            )
        if mode == "DISTRIBUTED" and "ExecutionType" not in config:
            self.add(
                pointer, "a DISTRIBUTED 'ProcessorConfig' needs 'ExecutionType' ('STANDARD' or 'EXPRESS')"
            )


_CHECKS: dict[str, Callable[[StateChecker, Mapping[str, Any], str, str, Transitions], None]] = {
    kind: getattr(StateChecker, f"_check_{kind.lower()}") for kind in FIELDS
}
