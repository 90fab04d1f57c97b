"""What a template declares, as plain data: functions, APIs with their routes and authorizers, state machines
and event rules. The readers (``sam.py``, ``apigateway.py``, ``openapi.py``, ``eventbridge.py``) fill these
in; ``app.py`` turns them into live gateway APIs and state machines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ApiSpec",
    "AuthorizerSpec",
    "FunctionSpec",
    "Integration",
    "MethodSetting",
    "RouteSpec",
    "RuleSpec",
    "StageSpec",
    "StateMachineSpec",
    "TargetSpec",
    "TemplateModel",
    "UsagePlanSpec",
]

ApiKind = Literal["REST", "HTTP"]


@dataclass
class FunctionSpec:
    """A template's Lambda function."""

    logical_id: str
    name: str
    arn: str
    pointer: str
    handler: str | None = None  # "app.handler"
    code_dir: str | None = None  # absolute folder holding the code
    inline_code: str | None = None  # Code.ZipFile / InlineCode
    runtime: str | None = None
    timeout: float = 3.0  # seconds (Timeout); the handler's context counts down from it
    memory_size: int = 128  # MB (MemorySize)
    environment: dict[str, str] = field(default_factory=dict)
    # the folders (or .zip files) of the template's layers of the function, in the template's order: their
    # ``python/`` and themselves are on the import path while the handler is imported (as under /opt)
    layer_dirs: tuple[str, ...] = ()


@dataclass
class Integration:
    """Where a route goes: a Lambda function, a state machine, an HTTP URL or a mock response; or, for a
    backend the library does not emulate (``kind`` "unsupported"), the ``feature`` a request to it names."""

    kind: Literal["lambda", "sfn", "http", "mock", "aws", "unsupported"]
    function: str | None = None  # FunctionSpec logical id
    state_machine: str | None = None  # StateMachineSpec logical id
    sync: bool = False
    url: str | None = None
    mock: dict[str, Any] | None = None
    timeout: float | None = None  # seconds
    proxy: bool = True  # False: a REST non-proxy (AWS / HTTP) integration with mapping templates
    request_templates: dict[str, str] | None = None
    responses: list[dict[str, Any]] | None = None  # [{statusCode, selectionPattern, responseTemplates, ...}]
    payload_format: str | None = None  # HTTP API Lambda proxy: "1.0" or "2.0" (PayloadFormatVersion)
    feature: str | None = None  # kind "unsupported": what is not emulated ("... SQS-SendMessage")
    request_parameters: dict[str, str] | None = None  # kind "aws": integration.request.* -> expression
    http_method: str | None = None  # kind "aws": the service request's method (IntegrationHttpMethod)


@dataclass
class RouteSpec:
    """A route of a template's API and where it goes."""

    method: str  # "GET", "ANY"
    path: str  # "/orders/{id}"; "$default" for an HTTP API default route
    integration: Integration
    pointer: str
    authorizer: str | None = None  # None: the API's default; "NONE": no authorizer
    scopes: list[str] | None = None
    api_key_required: bool | None = None
    request_schema: dict[str, Any] | None = None
    cache_key_parameters: list[str] = field(default_factory=list)
    required_parameters: list[str] = field(default_factory=list)  # "querystring.q", "header.X-Id"

    @property
    def key(self) -> str:
        return self.path if self.path == "$default" else f"{self.method} {self.path}"


@dataclass
class AuthorizerSpec:
    """A template's API authorizer (JWT, Cognito, Lambda or IAM)."""

    name: str
    kind: Literal["jwt", "cognito", "lambda", "iam"]
    pointer: str
    issuer: str | None = None
    audiences: list[str] = field(default_factory=list)
    function: str | None = None  # Lambda authorizer function logical id (or ARN when not in the template)
    lambda_type: Literal["TOKEN", "REQUEST"] = "TOKEN"
    identity_source: list[str] = field(default_factory=list)
    ttl: float = 300.0
    payload_version: str = "1.0"
    simple_responses: bool = False
    scopes: list[str] = field(default_factory=list)


@dataclass
class MethodSetting:
    """One ``MethodSettings`` entry: ``path`` ``"/*"`` and ``method`` ``"*"`` are wildcards."""

    path: str
    method: str
    caching: bool | None = None
    cache_ttl: float | None = None
    throttle: tuple[float, float] | None = None

    def specificity(self, method: str, path: str) -> int | None:
        """How closely this entry names ``method path`` (higher wins); None when it does not apply."""
        if self.path not in ("/*", path) or self.method not in ("*", method):
            return None
        return (2 if self.path != "/*" else 0) + (1 if self.method != "*" else 0)


@dataclass
class StageSpec:
    """A stage of a template's API."""

    name: str
    variables: dict[str, str] = field(default_factory=dict)
    throttle: tuple[float, float] | None = None
    cache_cluster: bool = False  # CacheClusterEnabled: without it nothing is cached
    method_settings: list[MethodSetting] = field(default_factory=list)  # per-method caching / throttling
    route_throttles: dict[str, tuple[float, float]] = field(default_factory=dict)  # HTTP API RouteSettings
    access_log_format: str | None = None  # AccessLogSetting(s).Format
    # the /*/* entry's RequireAuthorizationForCacheControl and UnauthorizedCacheControlHeaderStrategy
    cache_control: tuple[bool | None, str | None] = (None, None)


@dataclass
class UsagePlanSpec:
    """A template's usage plan (its API keys, throttle and quota)."""

    name: str
    api_keys: list[str] = field(default_factory=list)
    throttle: tuple[float, float] | None = None
    quota: tuple[int, str] | None = None
    stages: list[str] = field(default_factory=list)


@dataclass
class ApiSpec:
    """A template's REST or HTTP API."""

    logical_id: str
    kind: ApiKind
    name: str
    pointer: str
    routes: list[RouteSpec] = field(default_factory=list)
    authorizers: dict[str, AuthorizerSpec] = field(default_factory=dict)
    default_authorizer: str | None = None
    api_key_required: bool = False
    stages: list[StageSpec] = field(default_factory=list)
    usage_plans: list[UsagePlanSpec] = field(default_factory=list)
    cors: dict[str, Any] | None = None
    preflight_authorized: bool = False  # SAM's AddDefaultAuthorizerToCorsPreflight (default true)
    binary_media_types: list[str] = field(default_factory=list)
    api_key_source: str = "HEADER"
    user_body: bool = False  # SAM API with a DefinitionBody / DefinitionUri the user wrote
    merge_definitions: bool = False  # SAM's MergeDefinitions: events merge into that body
    # REST gateway responses: type -> {"status", "parameters" (gatewayresponse.header.X -> expr), "templates"}
    gateway_responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    policy: Any = (
        None  # REST resource policy document (Policy, x-amazon-apigateway-policy, Auth.ResourcePolicy)
    )
    endpoint_type: str | None = None  # EDGE, REGIONAL, PRIVATE when the template says so


@dataclass
class StateMachineSpec:
    """A template's state machine."""

    logical_id: str
    name: str
    arn: str
    pointer: str
    definition: Any  # dict, or JSON text
    type: str = "STANDARD"
    substitutions: dict[str, Any] = field(default_factory=dict)
    definition_file: str | None = None


@dataclass
class TargetSpec:
    """A target of an EventBridge rule or schedule."""

    pointer: str
    state_machine: str | None = None  # logical id
    function: str | None = None  # logical id (or ARN when outside the template)
    input: str | None = None  # constant JSON text
    input_path: str | None = None
    input_transformer: dict[str, Any] | None = None


@dataclass
class RuleSpec:
    """A template's EventBridge rule or schedule."""

    logical_id: str
    pointer: str
    pattern: dict[str, Any] | None = None
    schedule: str | None = None
    enabled: bool = True
    event_bus: str = "default"
    name: str = ""
    arn: str = ""
    targets: list[TargetSpec] = field(default_factory=list)


@dataclass
class TemplateModel:
    """Everything read from one template."""

    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    state_machines: dict[str, StateMachineSpec] = field(default_factory=dict)
    apis: dict[str, ApiSpec] = field(default_factory=dict)
    rules: list[RuleSpec] = field(default_factory=list)
    api_keys: dict[str, str] = field(default_factory=dict)  # ApiKey logical id -> key value
    user_pool_clients: dict[str, str] = field(default_factory=dict)  # user pool id -> an app client id
    websocket_apis: dict[str, Any] = field(default_factory=dict)  # loaders.websocket.WebSocketApiSpec by id
    unsupported: list[str] = field(default_factory=list)

    def function_for_arn(self, arn: str) -> str | None:
        """The logical id of the function an ARN (or name, or ARN with a qualifier) points at."""
        for logical_id, function in self.functions.items():
            if arn in (function.arn, function.name) or arn.startswith(function.arn + ":"):
                return logical_id
        return None

    def state_machine_for_arn(self, arn: str) -> str | None:
        for logical_id, machine in self.state_machines.items():
            if arn in (machine.arn, machine.name):
                return logical_id
        return None
