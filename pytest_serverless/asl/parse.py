"""A validated definition dict -> the compiled model (``model.py``), once per StateMachine.

Validation (``validation/``) has already reported structural problems; anything that still cannot be
compiled here (a path or intrinsic that does not parse) becomes an ``InvalidDefinition`` naming its JSON
pointer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_serverless.errors import InternalError, InvalidDefinition

from . import model as m
from .paths import PathSyntaxError, compile_path, compile_payload, compile_reference_path
from .states_errors import StatesError
from .validation.problems import Problems

__all__ = ["parse_definition"]


def _intrinsics() -> Any:
    from . import intrinsics

    return intrinsics


def _jsonata() -> Any:
    from . import jsonata

    return jsonata


def _choice() -> Any:
    from . import choice

    return choice


class _Parser:
    def __init__(self) -> None:
        self.problems = Problems()

    # ------------------------------------------------------------ helpers

    def fail(self, pointer: str, message: str) -> None:
        self.problems.add(pointer, message)

    def intrinsic(self, text: str, pointer: str) -> Any:
        module = _intrinsics()
        try:
            return module.compile_intrinsic(text)
        except ValueError as error:
            self.fail(pointer, str(error))
            return None

    def path(self, value: Any, pointer: str, *, reference: bool = False, nullable: bool = True) -> Any:
        if value is None:
            return m.NULL_PATH if nullable else None
        if not isinstance(value, str):
            self.fail(pointer, f"expected a path string, got {type(value).__name__}")
            return None
        try:
            return compile_reference_path(value) if reference else compile_path(value)
        except PathSyntaxError as error:
            self.fail(pointer, str(error))
            return None

    def payload(self, value: Any, pointer: str) -> Any:
        try:
            return compile_payload(value, lambda text: self.intrinsic(text, pointer))
        except PathSyntaxError as error:
            self.fail(pointer, str(error))
            return None

    def jsonata(self, value: Any, pointer: str) -> Any:
        try:
            return _jsonata().compile_template(value, pointer.rsplit("/", 1)[-1])
        except (ValueError, TypeError, StatesError) as error:  # the expression is at fault
            self.fail(pointer, str(error))
            return None
        except Exception as error:  # our compiler (or its import) failed: not the user's field
            raise InternalError(f"compiling the JSONata expression at {pointer}", error) from error

    def maybe_jsonata(self, value: Any, pointer: str) -> Any:
        """A number/string field that may hold a ``{% %}`` expression."""
        if isinstance(value, str) and value.startswith("{%"):
            return self.jsonata(value, pointer)
        return value

    # ------------------------------------------------------------ structure

    def program(
        self, node: Mapping[str, Any], pointer: str, query_language: str, mode: str = "INLINE"
    ) -> m.Program:
        query_language = node.get("QueryLanguage", query_language) or query_language
        states_node = node.get("States") or {}
        states: dict[str, m.State] = {}
        if isinstance(states_node, Mapping):
            for name, state in states_node.items():
                if isinstance(state, Mapping):
                    states[name] = self.state(
                        name, state, f"{pointer}/States/{_escape(name)}", query_language
                    )
        return m.Program(
            start_at=str(node.get("StartAt", "")),
            states=states,
            query_language=query_language,
            processor_mode=mode,
        )

    def common(self, name: str, node: Mapping[str, Any], pointer: str, query_language: str) -> dict[str, Any]:
        ql = node.get("QueryLanguage", query_language)
        fields: dict[str, Any] = {
            "name": name,
            "type": node.get("Type"),
            "query_language": ql,
            "pointer": pointer,
            "next": node.get("Next"),
            "end": bool(node.get("End", False)),
        }
        if ql == m.JSONATA:
            if "Output" in node:
                fields["output"] = self.jsonata(node["Output"], f"{pointer}/Output")
        else:
            if "InputPath" in node:
                fields["input_path"] = self.path(node["InputPath"], f"{pointer}/InputPath")
            if "OutputPath" in node:
                fields["output_path"] = self.path(node["OutputPath"], f"{pointer}/OutputPath")
        if "Assign" in node:
            fields["assign"] = self.assign(node["Assign"], f"{pointer}/Assign", ql)
            if isinstance(node["Assign"], Mapping):
                fields["assign_keys"] = tuple(str(key).removesuffix(".$") for key in node["Assign"])
        return fields

    def assign(self, value: Any, pointer: str, ql: str) -> Any:
        if ql == m.JSONATA:
            return self.jsonata(value, pointer)
        return self.payload(value, pointer)

    def result_path(self, node: Mapping[str, Any], pointer: str) -> Any:
        if "ResultPath" not in node:
            return None
        return self.path(node["ResultPath"], f"{pointer}/ResultPath", reference=True)

    def retriers(self, node: Any, pointer: str) -> tuple[m.Retrier, ...]:
        out = []
        for _index, item in enumerate(node or ()):
            if not isinstance(item, Mapping):
                continue
            max_delay = item.get("MaxDelaySeconds")
            out.append(
                m.Retrier(
                    error_equals=tuple(item.get("ErrorEquals") or ()),
                    interval_seconds=float(item.get("IntervalSeconds", 1)),
                    max_attempts=int(item.get("MaxAttempts", 3)),
                    backoff_rate=float(item.get("BackoffRate", 2.0)),
                    max_delay_seconds=float(max_delay) if max_delay is not None else None,
                    jitter_full=item.get("JitterStrategy") == "FULL",
                )
            )
        return tuple(out)

    def catchers(self, node: Any, pointer: str, ql: str) -> tuple[m.Catcher, ...]:
        out = []
        for index, item in enumerate(node or ()):
            if not isinstance(item, Mapping):
                continue
            here = f"{pointer}/{index}"
            out.append(
                m.Catcher(
                    error_equals=tuple(item.get("ErrorEquals") or ()),
                    next=str(item.get("Next")),
                    result_path=(
                        self.path(item["ResultPath"], f"{here}/ResultPath", reference=True)
                        if "ResultPath" in item and ql != m.JSONATA
                        else None
                    ),
                    output=self.jsonata(item["Output"], f"{here}/Output") if "Output" in item else None,
                    assign=self.assign(item["Assign"], f"{here}/Assign", ql) if "Assign" in item else None,
                )
            )
        return tuple(out)

    def state(self, name: str, node: Mapping[str, Any], pointer: str, query_language: str) -> m.State:
        fields = self.common(name, node, pointer, query_language)
        ql = fields["query_language"]
        kind = node.get("Type")
        if kind == "Pass":
            params = None
            if ql == m.JSONATA:
                pass
            elif "Parameters" in node:
                params = self.payload(node["Parameters"], f"{pointer}/Parameters")
            return m.PassState(
                **fields,
                parameters=params,
                result=node.get("Result"),
                has_result="Result" in node,
                result_path=self.result_path(node, pointer),
            )
        if kind == "Task":
            return m.TaskState(**fields, **self.task_fields(node, pointer, ql))
        if kind == "Choice":
            return m.ChoiceState(
                **fields, choices=self.choices(node, pointer, ql), default=node.get("Default")
            )
        if kind == "Wait":
            return m.WaitState(
                **fields,
                seconds=self.maybe_jsonata(node.get("Seconds"), f"{pointer}/Seconds"),
                seconds_path=self.path(node["SecondsPath"], f"{pointer}/SecondsPath", reference=True)
                if "SecondsPath" in node
                else None,
                timestamp=self.maybe_jsonata(node.get("Timestamp"), f"{pointer}/Timestamp"),
                timestamp_path=self.path(node["TimestampPath"], f"{pointer}/TimestampPath", reference=True)
                if "TimestampPath" in node
                else None,
            )
        if kind == "Succeed":
            return m.SucceedState(**fields)
        if kind == "Fail":
            return m.FailState(
                **fields,
                error=self.maybe_jsonata(node.get("Error"), f"{pointer}/Error"),
                cause=self.maybe_jsonata(node.get("Cause"), f"{pointer}/Cause"),
                error_path=self.path_or_intrinsic(node.get("ErrorPath"), f"{pointer}/ErrorPath"),
                cause_path=self.path_or_intrinsic(node.get("CausePath"), f"{pointer}/CausePath"),
            )
        if kind == "Parallel":
            branches = tuple(
                self.program(branch, f"{pointer}/Branches/{index}", ql)
                for index, branch in enumerate(node.get("Branches") or ())
                if isinstance(branch, Mapping)
            )
            return m.ParallelState(
                **fields,
                branches=branches,
                parameters=self.parameters_or_arguments(node, pointer, ql),
                result_selector=self.payload(node["ResultSelector"], f"{pointer}/ResultSelector")
                if "ResultSelector" in node
                else None,
                result_path=self.result_path(node, pointer),
                retry=self.retriers(node.get("Retry"), f"{pointer}/Retry"),
                catch=self.catchers(node.get("Catch"), f"{pointer}/Catch", ql),
            )
        if kind == "Map":
            return self.map_state(node, pointer, ql, fields)
        self.fail(f"{pointer}/Type", f"unknown state type {kind!r}")
        return m.SucceedState(**fields)

    def path_or_intrinsic(self, value: Any, pointer: str) -> Any:
        if value is None:
            return None
        if isinstance(value, str) and value.startswith("$"):
            return self.path(value, pointer)
        if isinstance(value, str):
            return self.intrinsic(value, pointer)
        return None

    def parameters_or_arguments(self, node: Mapping[str, Any], pointer: str, ql: str) -> Any:
        if ql == m.JSONATA:
            if "Arguments" in node:
                return self.jsonata(node["Arguments"], f"{pointer}/Arguments")
            return None
        if "Parameters" in node:
            return self.payload(node["Parameters"], f"{pointer}/Parameters")
        return None

    def task_fields(self, node: Mapping[str, Any], pointer: str, ql: str) -> dict[str, Any]:
        resource = node.get("Resource", "")
        out: dict[str, Any] = {
            "resource": resource if isinstance(resource, str) else "",
            "parameters": self.parameters_or_arguments(node, pointer, ql),
            "result_selector": self.payload(node["ResultSelector"], f"{pointer}/ResultSelector")
            if "ResultSelector" in node and ql != m.JSONATA
            else None,
            "result_path": self.result_path(node, pointer) if ql != m.JSONATA else None,
            "retry": self.retriers(node.get("Retry"), f"{pointer}/Retry"),
            "catch": self.catchers(node.get("Catch"), f"{pointer}/Catch", ql),
            "timeout_seconds": self.maybe_jsonata(node.get("TimeoutSeconds"), f"{pointer}/TimeoutSeconds"),
            "heartbeat_seconds": self.maybe_jsonata(
                node.get("HeartbeatSeconds"), f"{pointer}/HeartbeatSeconds"
            ),
        }
        if "TimeoutSecondsPath" in node:
            out["timeout_seconds_path"] = self.path(
                node["TimeoutSecondsPath"], f"{pointer}/TimeoutSecondsPath"
            )
        if "HeartbeatSecondsPath" in node:
            out["heartbeat_seconds_path"] = self.path(
                node["HeartbeatSecondsPath"], f"{pointer}/HeartbeatSecondsPath"
            )
        return out

    def choices(self, node: Mapping[str, Any], pointer: str, ql: str) -> tuple[m.ChoiceBranch, ...]:
        out = []
        for index, rule in enumerate(node.get("Choices") or ()):
            if not isinstance(rule, Mapping):
                continue
            here = f"{pointer}/Choices/{index}"
            rule_ql = ql
            compiled = condition = None
            if "Condition" in rule:
                condition = self.jsonata(rule["Condition"], f"{here}/Condition")
            else:
                body = {key: value for key, value in rule.items() if key not in ("Next", "Assign", "Output")}
                try:
                    compiled = _choice().compile_choice_rule(body)
                except (ValueError, TypeError, KeyError) as error:
                    self.fail(here, str(error))
            out.append(
                m.ChoiceBranch(
                    next=str(rule.get("Next")),
                    rule=compiled,
                    condition=condition,
                    assign=self.assign(rule["Assign"], f"{here}/Assign", rule_ql)
                    if "Assign" in rule
                    else None,
                    output=self.jsonata(rule["Output"], f"{here}/Output") if "Output" in rule else None,
                    pointer=here,
                )
            )
        return tuple(out)

    def map_state(self, node: Mapping[str, Any], pointer: str, ql: str, fields: dict[str, Any]) -> m.MapState:
        processor_node = node.get("ItemProcessor") or node.get("Iterator") or {}
        key = "ItemProcessor" if "ItemProcessor" in node else "Iterator"
        config = processor_node.get("ProcessorConfig") or {} if isinstance(processor_node, Mapping) else {}
        mode = config.get("Mode", "INLINE") if isinstance(config, Mapping) else "INLINE"
        processor = (
            self.program(processor_node, f"{pointer}/{key}", ql, mode)
            if isinstance(processor_node, Mapping)
            else None
        )
        out: dict[str, Any] = {
            "processor": processor,
            "distributed": mode == "DISTRIBUTED",
            "express_children": mode == "DISTRIBUTED"
            and isinstance(config, Mapping)
            and config.get("ExecutionType") == "EXPRESS",
            "result_path": self.result_path(node, pointer) if ql != m.JSONATA else None,
            "retry": self.retriers(node.get("Retry"), f"{pointer}/Retry"),
            "catch": self.catchers(node.get("Catch"), f"{pointer}/Catch", ql),
            "item_reader": node.get("ItemReader"),
            "item_batcher": node.get("ItemBatcher"),
            "result_writer": node.get("ResultWriter"),
            "label": node.get("Label"),
        }
        if ql == m.JSONATA:
            out.update(self.map_jsonata_fields(node, pointer))
        else:
            out.update(self.map_jsonpath_fields(node, pointer))
        out.update(self.map_limits(node, pointer))
        if out.get("max_concurrency") is None:
            out["max_concurrency"] = 0
        return m.MapState(**fields, **out)

    def map_jsonata_fields(self, node: Mapping[str, Any], pointer: str) -> dict[str, Any]:
        """A JSONata Map's item fields: Items, ItemSelector, and the ItemReader / ItemBatcher templates."""
        out: dict[str, Any] = {}
        if "Items" in node:
            out["items"] = self.jsonata(node["Items"], f"{pointer}/Items")
        if "ItemSelector" in node:
            out["item_selector"] = self.jsonata(node["ItemSelector"], f"{pointer}/ItemSelector")
        if isinstance(node.get("ItemReader"), Mapping):
            out["item_reader_template"] = self.jsonata(node["ItemReader"], f"{pointer}/ItemReader")
        if isinstance(node.get("ItemBatcher"), Mapping):
            out["item_batcher_template"] = self.jsonata(node["ItemBatcher"], f"{pointer}/ItemBatcher")
        return out

    def map_jsonpath_fields(self, node: Mapping[str, Any], pointer: str) -> dict[str, Any]:
        """A JSONPath Map's item fields: ItemsPath, ItemSelector (or Parameters), ResultSelector, and the
        ItemReader's Parameters template."""
        out: dict[str, Any] = {}
        if "ItemsPath" in node:
            out["items_path"] = self.path(node["ItemsPath"], f"{pointer}/ItemsPath", reference=True)
        selector = node.get("ItemSelector", node.get("Parameters"))
        if selector is not None:
            out["item_selector"] = self.payload(selector, f"{pointer}/ItemSelector")
        if "ResultSelector" in node:
            out["result_selector"] = self.payload(node["ResultSelector"], f"{pointer}/ResultSelector")
        if isinstance(node.get("ItemReader"), Mapping) and "Parameters" in node["ItemReader"]:
            out["item_reader_template"] = self.payload(
                node["ItemReader"]["Parameters"], f"{pointer}/ItemReader"
            )
        return out

    def map_limits(self, node: Mapping[str, Any], pointer: str) -> dict[str, Any]:
        """MaxConcurrency, ToleratedFailureCount and ToleratedFailurePercentage, each a value (or JSONata)
        and/or a ``...Path``."""
        out: dict[str, Any] = {}
        for name, field in (
            ("MaxConcurrency", "max_concurrency"),
            ("ToleratedFailureCount", "tolerated_failure_count"),
            ("ToleratedFailurePercentage", "tolerated_failure_percentage"),
        ):
            if name in node:
                out[field] = self.maybe_jsonata(node[name], f"{pointer}/{name}")
            if f"{name}Path" in node:
                out[f"{field}_path"] = self.path(node[f"{name}Path"], f"{pointer}/{name}Path")
        return out


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def parse_definition(definition: Mapping[str, Any]) -> m.Program:
    """Compile a validated definition; raise InvalidDefinition for anything that does not compile."""
    parser = _Parser()
    query_language = definition.get("QueryLanguage", m.JSONPATH)
    program = parser.program(
        definition, "", query_language if isinstance(query_language, str) else m.JSONPATH
    )
    if parser.problems:
        raise InvalidDefinition(parser.problems)
    return program
