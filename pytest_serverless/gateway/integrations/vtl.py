"""Mapping templates in Velocity (VTL) via ``airspeed``: ``$input``, ``$util``, ``$context``, stage variables.

Also the integration-response selection of non-proxy integrations (``selectionPattern`` -> status, template).
"""

from __future__ import annotations

import base64
import inspect
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote_plus

import airspeed

from pytest_serverless._cache import memoize
from pytest_serverless._ids import ACCOUNT_ID
from pytest_serverless._user_code import UserCodeFailed, call_user
from pytest_serverless.errors import UsageError
from pytest_serverless.gateway.proxy_events import format_request_time

from ._vtl_java import JavaMap, JavaString, java_str, to_java
from .base import IntegrationCall, IntegrationResult

__all__ = [
    "IntegrationResponses",
    "MappingTemplate",
    "TemplateFailure",
    "compile_template",
    "escape_javascript",
    "json_path",
    "render_request",
]

_TOKEN = re.compile(
    r"\.([A-Za-z_$][\w$-]*)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(-?\d+)\s*\]|\[\s*\*\s*\]|\.\*"
)
_MISSING = object()


class TemplateFailure(Exception):
    """A mapping template failed to render (AWS answers 500 Internal server error)."""


# Velocity keeps backslashes in string literals ('\d+', "\\'" in CDK's template) where airspeed unescapes
# them or refuses them; they are hidden from airspeed's parser behind this character and restored on output.
_BACKSLASH = "\ufdd0"


class MappingTemplate:
    """A compiled mapping template; a syntax error is kept and answered at request time, as AWS does (500)."""

    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where
        self.error: str | None = None
        self._template = airspeed.Template(text.replace("\\", _BACKSLASH))
        try:
            self._template.ensure_compiled()
        except airspeed.TemplateSyntaxError as exc:
            self.error = f"{where}: invalid mapping template: {str(exc).replace(_BACKSLASH, chr(92))}"
        else:
            _javanize(self._template.root_element, set())

    def merge(self, namespace: dict[str, Any]) -> str:
        if self.error is not None:
            raise TemplateFailure(self.error)
        try:
            text = str(call_user(self._template.merge, namespace, lets_through=TemplateFailure))
        except UserCodeFailed as failed:  # airspeed's execution errors, and Java-style failures of the calls
            exc = failed.error
            cause = exc.__cause__ or exc
            raise TemplateFailure(f"{self.where}: mapping template failed: {cause}") from exc
        return text.replace(_BACKSLASH, "\\")


def _literal(original: Any) -> Any:
    def calculate(namespace: Any, loader: Any) -> Any:
        value = original(namespace, loader)
        if isinstance(value, str):
            return JavaString(value.replace(_BACKSLASH, "\\"))
        return to_java(value)

    return calculate


def _rendered(original: Any) -> Any:
    """A reference written to the output renders Python's scalars as Java would (``$foreach.hasNext``)."""

    def calculate(namespace: Any, loader: Any, global_namespace: Any = None) -> Any:
        value = original(namespace, loader, global_namespace)
        return to_java(value) if isinstance(value, (bool, float)) else value

    return calculate


def _property(original: Any) -> Any:
    """``$map.items`` with no ``items`` key is null in Velocity, not the Python method of that name."""

    def calculate(current: Any, loader: Any, top_namespace: Any) -> Any:
        value = original(current, loader, top_namespace)
        return None if inspect.ismethod(value) or inspect.isbuiltin(value) else value

    return calculate


def _javanize(node: Any, seen: set[int]) -> None:
    """Make the literals and ``#set`` values of a compiled template Java values (airspeed's own idiom:
    elements hold ``calculate`` as an instance attribute), so ``'abc'.substring(1)`` works as in AWS."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, _LITERALS):
        node.calculate = _literal(node.calculate)
    elif isinstance(node, airspeed.SetDirective):
        node.value.calculate = _literal(node.value.calculate)
    elif isinstance(node, airspeed.NameOrCall) and node.parameters is None and node.index is None:
        node.calculate = _property(node.calculate)
    elif isinstance(node, airspeed.FormalReference) and node.expression is not None:
        node.expression.calculate = _rendered(node.expression.calculate)
    for value in vars(node).values():
        for child in value if isinstance(value, list) else (value,):
            # some elements keep only a child's bound method (``Condition``, ``ParenthesizedExpression``)
            child = getattr(child, "__self__", child)
            if isinstance(child, airspeed._Element):  # noqa: SLF001 (airspeed's element base class)
                _javanize(child, seen)


_LITERALS = (
    airspeed.StringLiteral,
    airspeed.BooleanLiteral,
    airspeed.ArrayLiteral,
    airspeed.DictionaryLiteral,
)


def compile_template(text: str, where: str) -> MappingTemplate:
    """Compile a mapping template; syntax errors surface as a 500 when a request uses it (AWS's behaviour)."""
    return _compiled(str(text), where)


@memoize(512)
def _compiled(text: str, where: str) -> MappingTemplate:
    return MappingTemplate(text, where)


def json_path(document: Any, path: str) -> Any:
    """The JSONPath subset mapping templates use: ``$``, ``.name``, ``['name']``, ``[0]``, ``[*]``."""
    text = path.strip()
    if not text.startswith("$"):
        raise TemplateFailure(f"JSONPath {path!r} must start with '$'")
    current: list[Any] = [document]
    many = False
    position = 1
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:
            raise TemplateFailure(f"unsupported JSONPath {path!r} at {text[position:]!r}")
        position = found.end()
        name = found.group(1) if found.group(1) is not None else found.group(2)
        if name is None:
            name = found.group(3)
        selected: list[Any] = []
        for item in current:
            if name is not None:
                if isinstance(item, dict) and name in item:
                    selected.append(item[name])
            elif found.group(4) is not None:
                index = int(found.group(4))
                if isinstance(item, list) and -len(item) <= index < len(item):
                    selected.append(item[index])
            else:
                many = True
                if isinstance(item, list):
                    selected.extend(item)
                elif isinstance(item, dict):
                    selected.extend(item.values())
        current = selected
    if many:
        return current
    return current[0] if current else _MISSING


class _Input:
    """``$input``: the request (or integration response) payload and the method request's parameters."""

    def __init__(self, body: str, params: JavaMap) -> None:
        self._text = body
        self._body = JavaString(body)
        self._params = params
        self._parsed: Any = _MISSING
        self._java: Any = _MISSING

    def _document(self) -> Any:
        if self._parsed is _MISSING:
            try:
                self._parsed = json.loads(self._text) if self._text.strip() else {}
            except ValueError:
                self._parsed = self._text
        return self._parsed

    @property
    def body(self) -> JavaString:
        return self._body

    def json(self, path: Any = "$") -> JavaString:
        """The JSON text at ``path`` (compact, as AWS writes it); empty when nothing is there."""
        value = json_path(self._document(), java_str(path))
        if value is _MISSING:
            return JavaString("")
        return JavaString(json.dumps(value, separators=(",", ":"), ensure_ascii=False))

    def path(self, path: Any = "$") -> Any:
        """The value at ``path`` as Java objects (maps, lists, strings) for ``#foreach``, ``.size()``."""
        if self._java is _MISSING:
            self._java = to_java(self._document())
        value = json_path(self._java, java_str(path))
        return None if value is _MISSING else to_java(value)

    def params(self, name: Any = None) -> Any:
        """``params()``: the ``path``, ``querystring`` and ``header`` maps; ``params(x)``: x from those."""
        if name is None:
            return self._params
        wanted = java_str(name)
        for source in ("path", "querystring", "header"):
            values = self._params.get(source) or {}
            if wanted in values:
                return values[wanted]
        lowered = wanted.lower()
        for header, value in (self._params.get("header") or {}).items():
            if str(header).lower() == lowered:
                return value
        return JavaString("")


_UNRESERVED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def escape_javascript(text: str) -> str:
    """Apache Commons ``StringEscapeUtils.escapeJavaScript``, which AWS's ``$util.escapeJavaScript`` is:
    ``'`` becomes ``\\'`` (not valid JSON, a known pitfall), ``/`` is ``\\/``, non-ASCII is ``\\uXXXX``."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        if code > 0xFFFF:  # Java strings are UTF-16: each half of the surrogate pair is escaped
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}")
        elif code > 0x7F:
            out.append(f"\\u{code:04X}")
        elif code < 32:
            out.append(_CONTROL.get(char, f"\\u{code:04X}"))
        elif char in _ESCAPED:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


_CONTROL = {"\b": "\\b", "\n": "\\n", "\t": "\\t", "\f": "\\f", "\r": "\\r"}
_ESCAPED = frozenset("'\"\\/")


class _Util:
    """``$util``: the six functions API Gateway has (an unknown one renders as written, as in AWS)."""

    def escapeJavaScript(self, value: Any) -> JavaString | None:  # noqa: N802 (AWS's name)
        return None if value is None else JavaString(escape_javascript(java_str(value)))

    def parseJson(self, value: Any) -> Any:  # noqa: N802
        try:
            return to_java(json.loads(java_str(value)))
        except ValueError as exc:
            raise TemplateFailure(f"$util.parseJson: not JSON: {java_str(value)!r}") from exc

    def urlEncode(self, value: Any) -> JavaString:  # noqa: N802
        """Java's ``URLEncoder.encode(s, "UTF-8")``: space is ``+``, only ``a-zA-Z0-9.-*_`` kept."""
        out: list[str] = []
        for char in java_str(value):
            if char in _UNRESERVED:
                out.append(char)
            elif char == " ":
                out.append("+")
            else:
                out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
        return JavaString("".join(out))

    def urlDecode(self, value: Any) -> JavaString:  # noqa: N802
        text = java_str(value)
        if _BAD_PERCENT.search(text):
            raise TemplateFailure(f"$util.urlDecode: incomplete escape in {text!r}")
        return JavaString(unquote_plus(text, errors="replace"))

    def base64Encode(self, value: Any) -> JavaString:  # noqa: N802
        return JavaString(base64.b64encode(java_str(value).encode()).decode("ascii"))

    def base64Decode(self, value: Any) -> JavaString:  # noqa: N802
        text = java_str(value)
        try:
            return JavaString(base64.b64decode(text, validate=True).decode("utf-8", "replace"))
        except ValueError as exc:
            raise TemplateFailure(f"$util.base64Decode: not base64: {text!r}") from exc


def _params(call: IntegrationCall) -> JavaMap:
    request = call.request
    return JavaMap(
        {
            "path": dict(call.path_parameters),
            "querystring": dict(request.query),
            "header": {name: request.headers[name] for name in request.headers},
        }
    )


class _Blank(JavaMap):
    """Context maps whose unset variables render empty, as ``$context.identity.caller`` does in AWS."""

    __slots__ = ()

    def __missing__(self, key: Any) -> JavaString:
        if isinstance(key, str) and hasattr(JavaMap, key):
            raise KeyError(key)  # a method name (``keySet``): airspeed then looks the method up
        return JavaString("")


_IDENTITY_BLANKS = (
    "accountId",
    "apiKey",
    "apiKeyId",
    "caller",
    "cognitoAuthenticationProvider",
    "cognitoAuthenticationType",
    "cognitoIdentityId",
    "cognitoIdentityPoolId",
    "principalOrgId",
    "user",
    "userAgent",
    "userArn",
)


def _context(call: IntegrationCall) -> JavaMap:
    request = call.request
    auth = call.auth
    authorizer = _Blank()
    if auth is not None:
        if auth.principal_id is not None:
            authorizer["principalId"] = JavaString(auth.principal_id)
        for key, value in auth.context.items():  # AWS hands Lambda authorizer context values over as strings
            authorizer[JavaString(key)] = JavaString(java_str(value))
        if auth.claims is not None:
            authorizer["claims"] = _Blank(
                {
                    key: value if isinstance(value, str) else java_str(value)
                    for key, value in auth.claims.items()
                }
            )
    identity = _Blank(dict.fromkeys(_IDENTITY_BLANKS, ""))
    identity.update(
        JavaMap(
            {
                "sourceIp": request.source_ip,
                "userAgent": request.headers.get("User-Agent") or "",
                "apiKey": call.api_key or "",
                "apiKeyId": call.api_key_id or "",
            }
        )
    )
    context = JavaMap(
        {
            "requestId": call.request_id,
            "extendedRequestId": call.extended_request_id,
            "apiId": call.api_id,
            "stage": call.stage,
            "deploymentId": call.deployment_id,
            "httpMethod": request.method,
            "resourcePath": call.resource_path,
            "path": f"/{call.stage}{request.path}",
            "domainName": call.domain_name,
            "domainPrefix": call.domain_name.partition(".")[0],
            "requestTime": format_request_time(call.request_time),
            "requestTimeEpoch": int(call.request_time * 1000),
            "protocol": request.protocol,
            "accountId": ACCOUNT_ID,
            "responseOverride": {"status": None, "header": {}},
            "requestOverride": {"header": {}, "querystring": {}, "path": {}},
        }
    )
    context["identity"] = identity
    context["authorizer"] = authorizer
    return context


def render(template: MappingTemplate, call: IntegrationCall, body: str, context: dict[str, Any]) -> str:
    namespace = {
        "input": _Input(body, _params(call)),
        "util": _Util(),
        "context": context,
        "stageVariables": JavaMap(dict(call.stage_variables)),
    }
    return template.merge(namespace)


def _select_template(templates: Mapping[str, Any], content_type: str | None) -> Any:
    media = (content_type or "application/json").partition(";")[0].strip().lower()
    if media in templates:
        return templates[media]
    return templates.get("application/json")


def render_request(templates: Mapping[str, Any], call: IntegrationCall) -> tuple[str, dict[str, Any]]:
    """Render the request template for the request's content type (passthrough when there is none)."""
    context = _context(call)
    body = call.request.body.decode("utf-8", "replace")
    if not templates:
        return body, context
    source = _select_template(templates, call.request.headers.get("Content-Type"))
    if source is None:
        return body, context
    if not isinstance(source, MappingTemplate):
        media = (call.request.headers.get("Content-Type") or "application/json").partition(";")[0].strip()
        source = compile_template(str(source), f"request template for {media!r}")
    return render(source, call, body, context), context


class IntegrationResponses:
    """Selects the integration response by ``selectionPattern`` (errors) or the default one."""

    def __init__(self, entries: Sequence[Mapping[str, Any]] | None) -> None:
        self.entries: list[tuple[re.Pattern[str] | None, int, dict[str, Any], dict[str, str]]] = []
        for index, entry in enumerate(entries or ()):
            where = f"integration_responses[{index}]"
            pattern = entry.get("selectionPattern")
            status = entry.get("statusCode", 200)
            try:
                status = int(status)
            except (TypeError, ValueError) as exc:
                raise UsageError(f"{where}: statusCode must be a number, got {status!r}") from exc
            templates = dict(entry.get("responseTemplates") or {})
            if "responseTemplate" in entry:
                templates["application/json"] = entry["responseTemplate"]
            compiled = {k: compile_template(v, where) for k, v in templates.items()}
            headers: dict[str, str] = {}
            for key, value in (entry.get("responseParameters") or {}).items():
                name = key.rpartition(".")[2]
                text = str(value)
                headers[name] = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text
            regex = re.compile(pattern) if pattern else None
            self.entries.append((regex, status, compiled, headers))

    def respond(
        self,
        call: IntegrationCall,
        output: str,
        error_message: str | None,
        context: dict[str, Any],
        *,
        error: BaseException | None = None,
    ) -> IntegrationResult:
        chosen = None
        for regex, status, templates, headers in self.entries:
            if regex is not None and error_message is not None and regex.fullmatch(error_message):
                chosen = (status, templates, headers)
                break
        if chosen is None:
            for regex, status, templates, headers in self.entries:
                if regex is None:
                    chosen = (status, templates, headers)
                    break
        status, templates, headers = chosen if chosen is not None else (200, {}, {})
        body = output
        template = templates.get("application/json") if templates else None
        if template is not None:
            try:
                body = render(template, call, output, context)
            except TemplateFailure as exc:
                return IntegrationResult(failure="API_CONFIGURATION_ERROR", error=exc)
        override = context.get("responseOverride", {})
        override_status = override.get("status")
        if override_status is not None:
            try:
                status = int(override_status)
            except (TypeError, ValueError):
                return IntegrationResult(failure="API_CONFIGURATION_ERROR")
        pairs = [("Content-Type", "application/json"), *headers.items()]
        pairs.extend((str(k), str(v)) for k, v in (override.get("header") or {}).items())
        return IntegrationResult(status, pairs, body.encode("utf-8"), error=error)
