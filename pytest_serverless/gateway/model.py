"""The gateway's objects: ``Gateway`` -> ``Api`` (REST or HTTP) -> ``Route``, ``Stage`` (+ canary)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import random
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from pytest_serverless._cache import BoundedCache
from pytest_serverless._ids import deterministic_uuid
from pytest_serverless.clock import VirtualClock
from pytest_serverless.errors import UsageError

from .authorizers.base import Authorizer
from .caching import normalize_cache_key_parameter
from .cors import CorsConfig, cors_config
from .integrations.base import Integration, IntegrationFactory
from .integrations.builders import IntegrationObject
from .request import GatewayRequest, Response
from .routing import ParsedRouteKey, parse_route_key
from .stages import (
    Canary,
    Deployment,
    Stage,
    check_authorizer,
    check_route_authorizer,
    check_variables,
    stage_named,
)
from .throttling import ACCOUNT_DEFAULT, TokenBucket, check_throttle
from .usage_plans import UsagePlan, UsagePlans

if TYPE_CHECKING:
    from .authorizers.cognito_jwt import TokenIssuer
    from .gateway_responses import GatewayResponse
    from .websocket.model import WebSocketApi

__all__ = ["Api", "Canary", "Deployment", "Gateway", "Route", "Stage"]

ApiKind = Literal["REST", "HTTP"]
MAX_TIMEOUT = {"REST": 29.0, "HTTP": 30.0}
_PARAM_SOURCES = {"header": 0, "path": 1, "querystring": 2}
ResponseListener = Callable[[GatewayRequest, Response], None]


class Route:
    """One route (REST method on a resource, or HTTP API route); built by ``api.route(...)``."""

    __slots__ = (
        "api_key_required",
        "_guarded",
        "authorizer",
        "cache_key_parameters",
        "caching",
        "integration",
        "integration_kind",
        "key",
        "required_parameters",
        "scopes",
        "throttle",
        "timeout",
        "validator",
    )

    def __init__(
        self,
        key: ParsedRouteKey,
        integration: Integration,
        integration_kind: str,
        *,
        authorizer: str | Authorizer | None,
        scopes: tuple[str, ...],
        api_key_required: bool,
        timeout: float,
        validator: Any,
        required_parameters: tuple[tuple[str, str], ...],
        cache_key_parameters: tuple[tuple[str, str], ...],
        caching: bool,
        throttle: tuple[float, int] | None,
    ) -> None:
        self.key = key
        self.integration = integration
        self.integration_kind = integration_kind
        self.authorizer = authorizer
        self.scopes = scopes
        self.api_key_required = api_key_required
        self.timeout = timeout
        self.validator = validator
        self.required_parameters = required_parameters
        self.cache_key_parameters = cache_key_parameters
        self.caching = caching
        self.throttle = throttle
        # whether a request must pass an API key, authorizer or validation check before it is throttled
        self._guarded = bool(api_key_required or authorizer is not None or required_parameters or validator)

    @property
    def route_key(self) -> str:
        """``"GET /orders/{id}"`` (or ``"$default"``), as AWS writes it."""
        return self.key.route_key

    def __repr__(self) -> str:
        return f"Route({self.route_key!r}, {self.integration_kind})"


class Api(UsagePlans):
    """A REST API (payload 1.0, REST error bodies) or an HTTP API (payload 2.0); see ``Gateway.rest_api``."""

    def __init__(
        self,
        gateway: Gateway,
        kind: ApiKind,
        name: str,
        api_id: str,
        *,
        binary_media_types: Iterable[str] | None = None,
        cors: Any = None,
        api_key_source: str = "HEADER",
        endpoint_type: str | None = None,
    ) -> None:
        if endpoint_type is not None and endpoint_type not in ("EDGE", "REGIONAL", "PRIVATE"):
            raise UsageError(
                f"API {name!r}: endpoint_type must be 'EDGE', 'REGIONAL' or 'PRIVATE', got {endpoint_type!r}"
            )
        if endpoint_type is not None and kind == "HTTP" and endpoint_type != "REGIONAL":
            raise UsageError(
                f"API {name!r}: HTTP APIs are REGIONAL only, got endpoint_type={endpoint_type!r}"
            )
        #: EDGE answers carry CloudFront's headers; PRIVATE answers only requests through a VPC endpoint
        #: (the ``x-amzn-vpce-id`` header); None (not declared) behaves as REGIONAL
        self.endpoint_type = endpoint_type
        self.edge = endpoint_type == "EDGE"
        self.resource_policy: Any = None  # a resource_policy.ResourcePolicy, set by ``api.policy``
        self.restricted = endpoint_type == "PRIVATE"  # a policy or a PRIVATE endpoint to check per request
        if api_key_source not in ("HEADER", "AUTHORIZER"):
            raise UsageError(
                f"API {name!r}: api_key_source must be 'HEADER' or 'AUTHORIZER', got {api_key_source!r}"
            )
        self.api_key_source = api_key_source
        self.gateway = gateway
        self.kind: ApiKind = kind
        self.name = name
        self.id = api_id
        if isinstance(binary_media_types, str):
            binary_media_types = [binary_media_types]
        self.binary_media_types = tuple(binary_media_types or ())
        self.cors: CorsConfig | None = cors_config(cors, f"API {name!r}")
        self.routes: dict[str, Route] = {}
        self.authorizers: dict[str, Authorizer] = {}
        self.stages: dict[str, Stage] = {}
        self.usage_plans: list[UsagePlan] = []
        self.gateway_responses: dict[str, GatewayResponse] = {}
        self._key_plans: dict[str, UsagePlan] = {}
        self._live: Deployment | None = None
        self._deployments = 0
        # authorizer results cached for this API: id(authorizer) -> (authorizer, its cache); the API owns
        # them, so an authorizer object shared across gateways (and tests) starts empty on each
        self._authorizer_caches: dict[int, tuple[object, dict[Any, Any]]] = {}

    def authorizer_cache(self, authorizer: object) -> dict[Any, Any]:
        """The result cache of ``authorizer`` on this API (created on first use)."""
        entry = self._authorizer_caches.get(id(authorizer))
        if entry is None:  # holding the authorizer keeps its id from being reused while the API lives
            entry = self._authorizer_caches[id(authorizer)] = (authorizer, {})
        return entry[1]

    # building --------------------------------------------------------------------------------------------
    def route(
        self,
        route_key: str,
        handler: Callable[[Any, Any], Any] | None = None,
        *,
        state_machine: Any = None,
        sync: bool = True,
        http: str | None = None,
        mock: Mapping[str, Any] | None = None,
        integration: str | Integration | IntegrationObject | None = None,
        integration_options: Mapping[str, Any] | None = None,
        authorizer: str | Authorizer | None = None,
        scopes: Iterable[str] | None = None,
        api_key_required: bool = False,
        timeout: float | None = None,
        request_schema: Mapping[str, Any] | None = None,
        required_parameters: Iterable[str] | None = None,
        cache_key_parameters: Iterable[str] | None = None,
        caching: bool | None = None,
        throttle: tuple[float, int] | None = None,
    ) -> Route:
        """Add a route; exactly one of ``handler``, ``state_machine=`` (with ``sync=``), ``http=``, ``mock=``
        and ``integration=``.

        ``integration=`` takes an integration object with its kind's options (``LambdaProxy(handler,
        payload_format="2.0")``, ``LambdaCustom``, ``StepFunctionsExecution``, ``HttpProxy``, ``HttpCustom``,
        ``MockResponse``, ``AwsService(arn, request_templates=...)``), an object with ``invoke(call)``, or
        the name of a kind registered with ``gateway.register_integration`` (``integration_options`` are
        its factory's keywords). The other keywords are the route's own settings: ``authorizer``,
        ``scopes``, ``api_key_required``, ``timeout``, ``request_schema``, ``required_parameters``,
        ``cache_key_parameters``, ``caching``, ``throttle``.
        """
        from .integrations.builders import build_integration

        key = parse_route_key(route_key, api_kind=self.kind)
        where = f"route {key.route_key!r}"
        if key.route_key in self.routes:
            raise UsageError(f"{where} is defined twice on API {self.name!r}")
        built, kind = build_integration(
            self,
            where,
            handler=handler,
            state_machine=state_machine,
            sync=sync,
            http=http,
            mock=mock,
            integration=integration,
            integration_options=integration_options,
        )
        rest_only = {
            "api_key_required": api_key_required,
            "request_schema": request_schema is not None,
            "required_parameters": required_parameters is not None,
            "cache_key_parameters": cache_key_parameters is not None,
            "caching": caching is not None,
        }
        if self.kind == "HTTP":
            used = [name for name, value in rest_only.items() if value]
            if used:
                raise UsageError(f"{where}: {', '.join(used)}: REST API features; HTTP APIs do not have them")
        limit = MAX_TIMEOUT[self.kind]
        if timeout is None:
            timeout = limit
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0.05 <= timeout <= limit:
            raise UsageError(
                f"{where}: timeout must be between 0.05 and {limit:g} seconds on a {self.kind} API, "
                f"got {timeout!r}"
            )
        check_route_authorizer(authorizer, where)
        scope_list = tuple(scopes or ())
        if isinstance(scopes, str):
            scope_list = (scopes,)
        route = Route(
            key,
            built,
            kind,
            authorizer=None if authorizer in ("NONE", "") else authorizer,
            scopes=scope_list,
            api_key_required=bool(api_key_required),
            timeout=float(timeout),
            validator=_validator(request_schema, where),
            required_parameters=_required(required_parameters, key, where),
            cache_key_parameters=tuple(
                normalize_cache_key_parameter(p, key.params, where) for p in (cache_key_parameters or ())
            ),
            caching=key.method == "GET" if caching is None else bool(caching),
            throttle=check_throttle(throttle, where) if throttle is not None else None,
        )
        self.routes[key.route_key] = route
        self._live = None
        return route

    def authorizer(self, name: str, authorizer: Authorizer) -> Authorizer:
        """Register ``authorizer`` (``JwtAuthorizer``, ``LambdaAuthorizer``, ``IamAuthorizer``...) by name."""
        use = "JwtAuthorizer, LambdaAuthorizer, IamAuthorizer or an object implementing the Authorizer"
        check_authorizer(name, authorizer, f"{use} protocol")
        self.authorizers[name] = authorizer
        self._live = None
        return authorizer

    def policy(self, document: Mapping[str, Any] | str | None) -> None:
        """Set the REST API's resource policy (an IAM policy document; ``None`` removes it).

        Conditions on ``aws:SourceIp`` (the client's ``source_ip``), ``aws:SourceVpce`` (the request's
        ``x-amzn-vpce-id`` header) and ``aws:SourceVpc`` (``x-amzn-vpc-id``) are evaluated per request; a
        document AWS would refuse raises ``UsageError``.
        """
        from .resource_policy import ResourcePolicy

        if self.kind != "REST":
            raise UsageError(f"API {self.name!r}: HTTP APIs have no resource policies; use a REST API")
        self.resource_policy = (
            None
            if document is None
            else ResourcePolicy(document, self.id, f"API {self.name!r} resource policy")
        )
        self.restricted = self.resource_policy is not None or self.endpoint_type == "PRIVATE"

    def gateway_response(
        self,
        response_type: str,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        templates: Mapping[str, str] | None = None,
        *,
        parameters: Mapping[str, str] | None = None,
    ) -> GatewayResponse:
        """Customise the REST API's error answer ``response_type`` (``"DEFAULT_4XX"``, ``"UNAUTHORIZED"``...).

        ``status`` replaces the status code (on ``DEFAULT_4XX``/``DEFAULT_5XX``: of every type without its
        own), ``headers`` are literal header values, ``templates`` map a content type to a body template
        (``$context.error.messageString``, ``$context.requestId``...), and ``parameters`` take AWS's form
        (``{"gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin"}``).
        """
        from .gateway_responses import build

        where = f"API {self.name!r} gateway response {response_type!r}"
        if self.kind != "REST":
            raise UsageError(f"{where}: HTTP APIs have no gateway responses; use a REST API")
        built = build(
            response_type,
            status=status,
            headers=headers,
            templates=templates,
            parameters=parameters,
            where=where,
        )
        self.gateway_responses[response_type] = built
        return built

    def _check_usage_plan(self, name: str) -> None:
        if self.kind == "HTTP":
            raise UsageError(
                f"usage plan {name!r}: HTTP APIs have no API keys or usage plans; use a REST API"
            )

    # deploying -------------------------------------------------------------------------------------------
    def _snapshot(self) -> Deployment:
        self._deployments += 1
        deployment_id = deterministic_uuid("deployment", self.id, self._deployments).replace("-", "")[:6]
        return Deployment(deployment_id, list(self.routes.values()), self.authorizers, self.kind)

    def _live_deployment(self) -> Deployment:
        """A snapshot of the current routes, taken again after a route or authorizer changes."""
        if self._live is None:
            self._live = self._snapshot()
        return self._live

    def deploy(
        self,
        stage: str,
        *,
        throttle: tuple[float, int] | None = None,
        cache_ttl: float = 0,
        variables: Mapping[str, str] | None = None,
        canary: Mapping[str, Any] | None = None,
        route_throttles: Mapping[str, tuple[float, int]] | None = None,
        auto_deploy: bool | None = None,
        route_caching: Mapping[str, tuple[bool, float]] | None = None,
        require_authorization_for_cache_control: bool = True,
        unauthorized_cache_control_header_strategy: str = "SUCCEED_WITH_RESPONSE_HEADER",
    ) -> Stage:
        """Publish the current routes to ``stage`` and return it.

        ``canary={"percent": 10, "variables": {...}, "seed": 1}`` keeps the stage's current deployment and
        sends ``percent`` of requests to the new one. HTTP API stages follow later route changes
        (``auto_deploy``, default True for HTTP APIs, as SAM's ``$default`` stage); REST stages keep their
        snapshot until the next ``deploy``. ``route_caching={"GET /x": (True, 60)}`` overrides a route's
        caching and TTL on this stage (MethodSettings ``CachingEnabled`` / ``CacheTtlInSeconds``).
        ``require_authorization_for_cache_control`` (default True, as AWS) lets a ``Cache-Control: max-age=0``
        refresh a cached answer only for a caller allowed ``execute-api:InvalidateCache`` (an IAM-signed
        request whose ``IamAuthorizer(policies=...)`` allows it); others get
        ``unauthorized_cache_control_header_strategy``: ``SUCCEED_WITH_RESPONSE_HEADER`` (default: the
        header is ignored and a ``Warning`` header added), ``SUCCEED_WITHOUT_RESPONSE_HEADER`` or
        ``FAIL_WITH_403``.
        """
        if not isinstance(stage, str) or not stage or "/" in stage:
            raise UsageError(
                f"deploy(stage): the stage name must be a non-empty string without '/', got {stage!r}"
            )
        if stage == "$default" and self.kind == "REST":
            raise UsageError("deploy('$default'): only HTTP APIs have a $default stage")
        settings: dict[str, Any] = {
            "throttle": throttle,
            "cache_ttl": cache_ttl,
            "variables": variables,
            "route_throttles": route_throttles,
            "route_caching": route_caching,
            "cache_control": (
                require_authorization_for_cache_control,
                unauthorized_cache_control_header_strategy,
            ),
        }
        follow = self.kind == "HTTP" if auto_deploy is None else bool(auto_deploy)
        deployment = None if follow and canary is None else self._snapshot()
        existing = self.stages.get(stage)
        if canary is not None:
            if not isinstance(canary, Mapping):
                raise UsageError(
                    f"stage {stage!r}: canary= takes a dict like {{'percent': 10, 'variables': {{}}}}"
                )
            unknown = set(canary) - {"percent", "variables", "seed"}
            if unknown:
                raise UsageError(
                    f"stage {stage!r}: unknown canary key(s) {sorted(unknown)}; use percent, variables, seed"
                )
            percent = canary.get("percent", 0)
            if isinstance(percent, bool) or not isinstance(percent, (int, float)) or not 0 <= percent <= 100:
                raise UsageError(
                    f"stage {stage!r}: canary percent must be between 0 and 100, got {percent!r}"
                )
            assert deployment is not None
            new_canary = Canary(
                deployment,
                float(percent),
                check_variables(canary.get("variables"), f"stage {stage!r} canary"),
                canary.get("seed"),
            )
            if existing is None:
                existing = self.stages[stage] = Stage(self, stage, deployment, settings)
            elif variables is not None:
                existing.variables = check_variables(variables, f"stage {stage!r}")
            existing.canary = new_canary
            return existing
        if existing is None:
            existing = self.stages[stage] = Stage(self, stage, deployment, settings)
        else:
            existing.deployment = deployment
            existing.canary = None
            existing.configure(**settings)
        return existing

    def stage(self, name: str) -> Stage:
        """The stage ``name`` deployed with ``api.deploy`` (``UsageError`` naming the stages there are)."""
        return stage_named(self.stages, name, f"API {self.name!r}")

    def __repr__(self) -> str:
        return f"{'RestApi' if self.kind == 'REST' else 'HttpApi'}({self.name!r}, id={self.id!r})"


# a schema's JSON text -> its validator class, for schemas already checked (a template's request models are
# checked once per process, not once per app)
_CHECKED_SCHEMAS: BoundedCache[str, Any] = BoundedCache(256)


def _validator(schema: Mapping[str, Any] | None, where: str) -> Any:
    if schema is None:
        return None
    import jsonschema

    if not isinstance(schema, Mapping):
        raise UsageError(f"{where}: request_schema must be a JSON Schema dict, got {schema!r}")
    try:
        key: str | None = json.dumps(schema, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError, RecursionError):  # not JSON: checked each time
        key = None
    cls = _CHECKED_SCHEMAS.get(key) if key is not None else None
    if cls is None:
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
        try:
            cls.check_schema(dict(schema))
        except jsonschema.SchemaError as exc:
            pointer = "/" + "/".join(str(p) for p in exc.path)
            raise UsageError(
                f"{where}: request_schema is not a valid JSON Schema at {pointer}: {exc.message}"
            ) from exc
        if key is not None:
            _CHECKED_SCHEMAS.put(key, cls)
    return cls(schema)


def _required(names: Iterable[str] | None, key: ParsedRouteKey, where: str) -> tuple[tuple[str, str], ...]:
    """``["header.x-a", "querystring.q", "method.request.path.id"]`` -> sorted as AWS lists them."""
    result: list[tuple[str, str]] = []
    for name in names or ():
        if not isinstance(name, str):
            raise UsageError(f"{where}: required_parameters entries must be strings, got {name!r}")
        text = name[len("method.request.") :] if name.startswith("method.request.") else name
        source, dot, rest = text.partition(".")
        if not dot or source not in _PARAM_SOURCES or not rest:
            raise UsageError(
                f"{where}: required parameter {name!r} must look like 'header.NAME', 'path.NAME' "
                "or 'querystring.NAME'"
            )
        result.append((source, rest))
    result.sort(key=lambda item: _PARAM_SOURCES[item[0]])
    return tuple(result)


def _uuid_head(rng: random.Random) -> str:
    """The first four groups of a version 4 UUID (``xxxxxxxx-xxxx-4xxx-axxx-``); a counter ends it."""
    h = f"{rng.getrandbits(80):020x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-"


def _id_heads() -> tuple[str, str, str]:
    """The heads of every gateway's request ids (requestId, Lambda invocation id, extendedRequestId): from
    a seeded random generator, so the same in every run and every gateway; a counter ends each id."""
    rng = random.Random("pytest-serverless-gateway-requests")
    return _uuid_head(rng), _uuid_head(rng), base64.b64encode(rng.randbytes(6)).decode()[:7]


_ID_HEADS = _id_heads()


class Gateway:
    """The fake API Gateway: ``Gateway(clock=None, on_response=None)``.

    ``on_response(request, response)`` is called after every answer (the plugin's
    ``pytest_serverless_gateway_response`` hook uses it).
    """

    def __init__(
        self, clock: VirtualClock | None = None, *, on_response: ResponseListener | None = None
    ) -> None:
        self.clock = clock if clock is not None else VirtualClock()
        self.on_response = on_response
        # Request ids: a seeded random head and a tail from a counter (unique, the same in every run).
        self._id_heads = _ID_HEADS
        self._id_count = itertools.count(1)
        self.apis: dict[str, Any] = {}  # Api (REST, HTTP) or WebSocketApi, by name
        self.integrations: dict[str, IntegrationFactory] = {}
        #: (service, action) -> handler(AwsServiceRequest) for AWS service integrations (``aws_service``)
        self.aws_handlers: dict[tuple[str, str], Callable[[Any], Any]] = {}
        self.account_throttle = ACCOUNT_DEFAULT
        self._account_tokens: TokenBucket | None = None

    def _api_id(self, kind: str, name: str) -> str:
        if not isinstance(name, str) or not name:
            raise UsageError(f"an API needs a non-empty string name, got {name!r}")
        if name in self.apis:
            raise UsageError(f"an API named {name!r} already exists on this gateway")
        return hashlib.sha256(f"{kind}:{name}:{len(self.apis)}".encode()).hexdigest()[:10]

    def _new_api(self, kind: ApiKind, name: str, **options: Any) -> Api:
        api = Api(self, kind, name, self._api_id(kind, name), **options)
        self.apis[name] = api
        return api

    def websocket_api(
        self,
        name: str,
        route_selection_expression: str = "$request.body.action",
        *,
        api_key_selection_expression: str = "$request.header.x-api-key",
    ) -> WebSocketApi:
        """A WebSocket API: routes ``$connect``, ``$disconnect``, ``$default`` and keys chosen by
        ``route_selection_expression`` over each message's JSON body."""
        from .websocket.model import WebSocketApi

        api = WebSocketApi(
            self,
            name,
            self._api_id("WEBSOCKET", name),
            route_selection_expression=route_selection_expression,
            api_key_selection_expression=api_key_selection_expression,
        )
        self.apis[name] = api
        return api

    def rest_api(
        self,
        name: str,
        binary_media_types: Iterable[str] | None = None,
        *,
        cors: Any = None,
        api_key_source: str = "HEADER",
        endpoint_type: str | None = None,
    ) -> Api:
        """A REST API: payload format 1.0, REST error bodies, API keys, usage plans, caching.

        ``api_key_source="AUTHORIZER"`` takes the API key from a Lambda authorizer's ``usageIdentifierKey``.
        ``endpoint_type``: ``"EDGE"`` (answers carry CloudFront's ``Via``/``X-Amz-Cf-Id`` headers),
        ``"REGIONAL"`` or ``"PRIVATE"`` (only requests with an ``x-amzn-vpce-id`` header get through).
        """
        return self._new_api(
            "REST",
            name,
            binary_media_types=binary_media_types,
            cors=cors,
            api_key_source=api_key_source,
            endpoint_type=endpoint_type,
        )

    def http_api(self, name: str, *, cors: Any = None) -> Api:
        """An HTTP API: payload format 2.0, HTTP API error bodies, ``$default`` route and stage."""
        return self._new_api("HTTP", name, cors=cors)

    def api(self, name: str) -> Any:
        """The API created under ``name`` (``UsageError`` naming the APIs there are if none)."""
        try:
            return self.apis[name]
        except KeyError:
            raise UsageError(f"no API named {name!r} (APIs: {', '.join(self.apis) or 'none'})") from None

    def token_issuer(
        self, *, issuer: str | None = None, audience: str = "client-id", **options: Any
    ) -> TokenIssuer:
        """A ``TokenIssuer`` (fake user pool) on this gateway's clock, with TokenIssuer's defaults."""
        from .authorizers.cognito_jwt import DEFAULT_ISSUER, TokenIssuer

        return TokenIssuer(issuer=issuer or DEFAULT_ISSUER, audience=audience, clock=self.clock, **options)

    def register_integration(self, name: str, factory: IntegrationFactory) -> None:
        """``api.route(..., integration=name, integration_options={...})`` calls ``factory(**options)``."""
        if not isinstance(name, str) or not name:
            raise UsageError(f"register_integration: name must be a non-empty string, got {name!r}")
        if not callable(factory):
            raise UsageError(f"register_integration({name!r}, ...): the factory must be callable")
        self.integrations[name] = factory

    def aws_service(self, service: str, action: str, handler: Callable[[Any], Any]) -> None:
        """Answer AWS service integrations calling ``service`` ``action`` (``"sqs"``, ``"SendMessage"``;
        ``"*"`` for every action) with ``handler(request)``: it receives an ``AwsServiceRequest`` (service,
        action, params, path, body) and returns the action's result (a dict, as boto3 returns it) or raises
        ``AwsError(code, message, status)`` for the service's error answer."""
        if not isinstance(service, str) or not service or not isinstance(action, str) or not action:
            raise UsageError(
                f"aws_service(service, action, handler): service and action must be non-empty strings, "
                f"got {service!r}, {action!r}"
            )
        if not callable(handler):
            raise UsageError(f"aws_service({service!r}, {action!r}, ...): the handler must be callable")
        self.aws_handlers[(service, action)] = handler

    def _account_bucket(self) -> TokenBucket:
        """The account-level throttling bucket shared by every stage of this gateway."""
        if self._account_tokens is None:
            self._account_tokens = TokenBucket(*self.account_throttle, self.clock.time())
        return self._account_tokens

    def set_account_throttle(self, rate: float, burst: int) -> None:
        """Change the account-level limit (AWS default: 10,000 requests/s, burst 5,000)."""
        self.account_throttle = check_throttle((rate, burst), "account throttle")
        self._account_tokens = None

    def _next_request_ids(self, kind: ApiKind) -> tuple[str, str, str]:
        """(requestId, extendedRequestId, Lambda invocation id); HTTP APIs use the short form for both."""
        # an odd multiplier permutes the counter's values: unique ids that do not look like a sequence
        number = next(self._id_count) * 0x9E3779B97F4A7C15
        request_head, invocation_head, extended_head = self._id_heads
        extended = f"{extended_head}{number & 0xFFFFFFFF:08X}="  # 15 base64 characters and "=", as AWS's
        tail = number & 0xFFFFFFFFFFFF
        invocation = f"{invocation_head}{tail ^ 0x5DEECE66DA3B:012x}"
        if kind == "HTTP":
            return extended, extended, invocation
        return f"{request_head}{tail:012x}", extended, invocation

    def __repr__(self) -> str:
        return f"Gateway(apis={list(self.apis)})"
