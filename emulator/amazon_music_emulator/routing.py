"""The spec as the routing table: connexion routes, authenticates and validates; the dispatcher calls the handler.

connexion's ``ConnexionMiddleware`` (routing, security, request validation, optional response validation, Swagger UI
at /docs) is compiled from the spec once per process and wraps ``Dispatcher``, a small ASGI app that finds the
operationId connexion attached to the request and calls that operation's handler. The resolver maps operationIds to
the handlers in ``handlers/``; a spec operation without a handler (or a handler without an operation) stops the
emulator at start. No route is declared anywhere but in the spec.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import orjson
from connexion.middleware import ConnexionMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from amazon_music_emulator import specfile
from amazon_music_emulator.auth import Principal
from amazon_music_emulator.errors import install_error_handlers
from amazon_music_emulator.handlers import HANDLERS, Handler, HandlerRequest
from amazon_music_emulator.security import PRINCIPAL_KEY, SECURITY_MAP
from amazon_music_emulator.state import state_of
from amazon_music_emulator.validation import VALIDATOR_MAP

__all__ = ["DOCS_PATH", "Dispatcher", "connexion_stack"]

DOCS_PATH = "/docs"
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


class Dispatcher:
    """The innermost ASGI app: the handler of the operation connexion routed to, its result as JSON."""

    def __init__(self, handlers: Mapping[str, Handler], query_defaults: Mapping[str, Mapping[str, str]]) -> None:
        self.handlers = dict(handlers)
        self.query_defaults = {key: dict(value) for key, value in query_defaults.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        extensions = scope.get("extensions", {})
        operation_id = extensions.get("connexion_routing", {}).get("operation_id")
        if operation_id is None:
            raise HTTPException(status_code=404)  # rendered in the error shape by errors.install_error_handlers
        principal: Principal = extensions["connexion_context"]["token_info"]["lwa"][PRINCIPAL_KEY]
        query = dict(self.query_defaults[operation_id])
        if scope.get("query_string"):
            query.update(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        body = None
        if scope["method"] in ("PUT", "POST", "PATCH"):
            body = await _read_json(receive)
        request = HandlerRequest(state_of(scope), principal, scope.get("path_params", {}), query, body)
        payload = orjson.dumps(self.handlers[operation_id](request))
        headers = [*_JSON_HEADERS, (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


async def _read_json(receive: Receive) -> Any:
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    raw = b"".join(chunks)
    return orjson.loads(raw) if raw else None  # already validated by connexion


@functools.cache
def connexion_stack(validate_responses: bool) -> ConnexionMiddleware:
    """The compiled spec: built once per process (per ``validate_responses``), shared by every emulator instance."""
    spec = specfile.spec_dict()
    operations = set(specfile.operation_ids())
    if operations != set(HANDLERS):
        raise RuntimeError(
            f"handlers and spec disagree: no handler for {sorted(operations - set(HANDLERS))}, "
            f"no operation for {sorted(set(HANDLERS) - operations)}"
        )
    middleware = ConnexionMiddleware(
        Dispatcher(HANDLERS, _query_defaults(spec)),
        import_name=__name__,
        resolver=Resolver(function_resolver=_resolve_handler),
        strict_validation=True,
        validate_responses=validate_responses,
        security_map=SECURITY_MAP,
        validator_map=VALIDATOR_MAP,
        # /openapi.json and /openapi.yaml are served by the app itself (see app.py), with the emulator as server.
        swagger_ui_options=SwaggerUIOptions(serve_spec=False, swagger_ui_path=DOCS_PATH),
    )
    middleware.add_api(spec)
    table = _method_table(spec)

    def allowed_methods(path: str) -> list[str]:
        return next((methods for pattern, methods in table if pattern.match(path)), [])

    install_error_handlers(middleware, allowed_methods)
    return middleware
