"""The spec as the routing table: connexion routes, authenticates and validates; the dispatcher calls the handler.

connexion's ``ConnexionMiddleware`` (routing, security, request validation, optional response validation) is compiled
from the spec once per process and wraps ``Dispatcher``, a small ASGI app that finds the operationId connexion
attached to the request and calls that operation's handler. The resolver maps operationIds to the handlers in
``handlers/``; a spec operation without a handler (or a handler without an operation) stops the emulator at start.
No route is declared anywhere but in the spec.

The API's stack holds only the middlewares a request needs (profiled for issue 7: connexion's default chain cost more
than the handler and its SQL)::

    errors (ServerError, Exception) -> MemoRoutingMiddleware -> security -> PrecompiledRequestValidationMiddleware
      [-> response validation, in tests] -> Dispatcher

Swagger UI sits in a second ConnexionMiddleware in front of that one, reached only by paths under /docs; connexion's
context middleware (contextvars for ``connexion.request``) is left out, as no handler reads them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import orjson
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.abstract import ROUTING_CONTEXT
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from amazon_music_emulator import specfile
from amazon_music_emulator.auth import Principal
from amazon_music_emulator.bodies import PARSED_BODY_KEY, declared_length
from amazon_music_emulator.errors import ApiError, install_error_handlers
from amazon_music_emulator.handlers import HANDLERS, Handler, HandlerRequest
from amazon_music_emulator.security import PRINCIPAL_KEY, SECURITY_MAP
from amazon_music_emulator.security_headers import SecureDocs
from amazon_music_emulator.state import state_of
from amazon_music_emulator.validation import VALIDATOR_MAP, PrecompiledRequestValidationMiddleware

__all__ = ["DOCS_PATH", "Dispatcher", "MemoRoutingMiddleware", "SpecStack", "connexion_stack"]

DOCS_PATH = "/docs"
_MAX_MEMO_QUERIES = 1024  # parsed query strings kept; then the memo starts over
_JSON_HEADERS = [(b"content-type", b"application/json")]


def _method_table(spec: Mapping[str, Any]) -> list[tuple[re.Pattern[str], list[str]]]:
    table = []
    for template, path_item in spec["paths"].items():
        parts = re.split(r"(\{[^}/]+\})", template)
        pattern = re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")
        methods = [m.upper() for m in ("get", "put", "post", "delete", "patch") if m in path_item]
        if "GET" in methods:
            methods.insert(methods.index("GET") + 1, "HEAD")
        table.append((pattern, methods))
    return table


def _resolve_handler(operation_id: str) -> Handler:
    try:
        return HANDLERS[operation_id]
    except KeyError:
        # connexion turns a ValueError into a ResolverError naming the operation.
        raise ValueError(f"no handler for operationId {operation_id!r} in amazon_music_emulator.handlers") from None


def _query_defaults(spec: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Per operationId, the query parameters' defaults from the spec, as strings like a query string carries."""
    components = spec.get("components", {}).get("parameters", {})

    def resolve(parameter: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = parameter.get("$ref")
        return components[ref.rsplit("/", 1)[1]] if ref else parameter

    defaults: dict[str, dict[str, str]] = {}
    for path_item in spec["paths"].values():
        shared = [resolve(p) for p in path_item.get("parameters", [])]
        for method, operation in path_item.items():
            if method == "parameters":
                continue
            found: dict[str, str] = {}
            for parameter in [*shared, *(resolve(p) for p in operation.get("parameters", []))]:
                default = parameter.get("schema", {}).get("default")
                if parameter["in"] == "query" and default is not None:
                    found[parameter["name"]] = str(default)
            defaults[operation["operationId"]] = found
    return defaults


def _body_operations(spec: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(
        operation["operationId"]
        for path_item in spec["paths"].values()
        for method, operation in path_item.items()
        if method != "parameters" and "requestBody" in operation
    )


class Dispatcher:
    """The innermost ASGI app: the handler of the operation connexion routed to, its result as JSON."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        query_defaults: Mapping[str, Mapping[str, str]],
        body_operations: frozenset[str] = frozenset(),
    ) -> None:
        self.handlers = dict(handlers)
        self.body_operations = body_operations  # the operationIds whose spec declares a request body
        self.query_defaults = {key: dict(value) for key, value in query_defaults.items()}
        self._queries: dict[tuple[str, bytes], dict[str, str]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        extensions = scope.get("extensions", {})
        operation_id = extensions.get("connexion_routing", {}).get("operation_id")
        token_info = (extensions.get("connexion_context") or {}).get("token_info") or {}
        if operation_id is None or "lwa" not in token_info:
            # No operation, or connexion routed the path but its security and validation stages did not see it: a path
            # parameter ending in a newline (/v1/users/abc%0A) is routed under another base path than theirs. Either
            # way the path names no operation, and no handler runs unauthenticated.
            raise HTTPException(status_code=404)  # rendered in the error shape by errors.install_error_handlers
        principal: Principal = token_info["lwa"][PRINCIPAL_KEY]
        query = self._query(operation_id, scope.get("query_string", b""))
        if operation_id in self.body_operations:
            body = scope.get(PARSED_BODY_KEY)  # decoded and validated by the body validator (validation.py)
        else:
            _refuse_body(scope)
            body = None
        request = HandlerRequest(state_of(scope), principal, scope.get("path_params", {}), query, body)
        payload = orjson.dumps(await self.handlers[operation_id](request))
        headers = [*_JSON_HEADERS, (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _query(self, operation_id: str, query_string: bytes) -> dict[str, str]:
        """The query parameters with the spec's defaults filled in: a pure function of its arguments, memoised."""
        key = (operation_id, query_string)
        query = self._queries.get(key)
        if query is None:
            query = dict(self.query_defaults[operation_id])
            if query_string:
                query.update(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
            if len(self._queries) >= _MAX_MEMO_QUERIES:
                self._queries.clear()
            self._queries[key] = query
        return dict(query)  # the handler's own copy


def _refuse_body(scope: Scope) -> None:
    """ApiError 400 when a request carries a body its operation does not take (nothing of it is read)."""
    has_body = (declared_length(scope) or 0) > 0 or any(name == b"transfer-encoding" for name, _ in scope["headers"])
    if has_body:
        raise ApiError.bad_request("body", f"{scope['method']} {scope['path']} takes no request body")


# A route is a pure function of (method, path, root_path); memoised up to this many, then the memo starts over.
_MAX_MEMO_ROUTES = 4096
_RouteKey = tuple[str, str, str]


class _RouteRecorder:
    """What connexion's router calls once it has routed: notes the route for the memo, then passes the request on."""

    def __init__(self, app: ASGIApp, memo: dict[_RouteKey, tuple[dict[str, Any], dict[str, Any]]]) -> None:
        self.app = app
        self.memo = memo

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
        if scope["type"] == "http" and routing.get("operation_id") is not None:
            if len(self.memo) >= _MAX_MEMO_ROUTES:
                self.memo.clear()
            key = (scope["method"], scope["path"], scope.get("root_path", ""))
            self.memo[key] = (dict(routing), dict(scope.get("path_params", {})))
        await self.app(scope, receive, send)


class MemoRoutingMiddleware(RoutingMiddleware):  # type: ignore[misc]
    """connexion's routing (Starlette's router over the spec's paths), memoised per method and path.

    The first request to a path goes through connexion's router; later ones get the same operationId and path
    parameters from the memo without walking the routes. Unmatched paths (404, 405) always take the router.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._memo: dict[_RouteKey, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._next = app
        super().__init__(_RouteRecorder(app, self._memo))
        self.router.redirect_slashes = False

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        # The spec has no path ending in a slash: `/v1/me/` is an unknown path (404), not a redirect the spec lacks.
        for route in self.router.routes:
            inner = getattr(route, "app", None)
            if inner is not None and hasattr(inner, "redirect_slashes"):
                inner.redirect_slashes = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self._memo.get((scope["method"], scope["path"], scope.get("root_path", "")))
            if found is not None:
                routing, path_params = found
                extensions = scope.get("extensions") or {}
                routed = {
                    **scope,
                    "path_params": {**scope.get("path_params", {}), **path_params},
                    "extensions": {**extensions, ROUTING_CONTEXT: {**extensions.get(ROUTING_CONTEXT, {}), **routing}},
                }
                await self._next(routed, receive, send)
                return
        await super().__call__(scope, receive, send)


class SpecStack:
    """The API stack, with the Swagger UI stack in front of it for paths under /docs only."""

    def __init__(self, api: ConnexionMiddleware, docs: ConnexionMiddleware) -> None:
        self.api = api
        self.docs = SecureDocs(docs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if path == DOCS_PATH or path.startswith(DOCS_PATH + "/"):
            await self.docs(scope, receive, send)
        else:
            await self.api(scope, receive, send)


@functools.cache
def connexion_stack(validate_responses: bool) -> SpecStack:
    """The compiled spec: built once per process (per ``validate_responses``), shared by every emulator instance."""
    spec = specfile.spec_dict()
    operations = set(specfile.operation_ids())
    if operations != set(HANDLERS):
        raise RuntimeError(
            f"handlers and spec disagree: no handler for {sorted(operations - set(HANDLERS))}, "
            f"no operation for {sorted(set(HANDLERS) - operations)}"
        )
    middlewares: list[Any] = [
        ServerErrorMiddleware,
        ExceptionMiddleware,
        MemoRoutingMiddleware,
        SecurityMiddleware,
        PrecompiledRequestValidationMiddleware,
    ]
    if validate_responses:
        middlewares.append(ResponseValidationMiddleware)
    api = ConnexionMiddleware(
        Dispatcher(HANDLERS, _query_defaults(spec), _body_operations(spec)),
        import_name=__name__,
        middlewares=middlewares,
        resolver=Resolver(function_resolver=_resolve_handler),
        strict_validation=True,
        validate_responses=validate_responses,
        security_map=SECURITY_MAP,
        validator_map=VALIDATOR_MAP,
    )
    api.add_api(spec)
    # Swagger UI at /docs; anything else under /docs falls through to the API stack (a 404 in the error shape).
    # /openapi.json and /openapi.yaml are served by the app itself (see app.py), with the emulator as server.
    docs = ConnexionMiddleware(
        api,
        import_name=__name__,
        middlewares=[ServerErrorMiddleware, ExceptionMiddleware, SwaggerUIMiddleware],
        swagger_ui_options=SwaggerUIOptions(serve_spec=False, swagger_ui_path=DOCS_PATH),
    )
    docs.add_api(spec)
    table = _method_table(spec)

    def allowed_methods(path: str) -> list[str]:
        return next((methods for pattern, methods in table if pattern.match(path)), [])

    install_error_handlers(api, allowed_methods)
    install_error_handlers(docs, allowed_methods)
    return SpecStack(api, docs)
