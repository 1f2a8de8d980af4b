"""The validation proxy: forwards your traffic to an upstream unchanged and checks every answer against the spec.

    your client -> proxy (127.0.0.1:8081) -> upstream (https://api.music.amazon.dev, or an emulator)
                     |
                     +-> ResponseChecker: status documented, content type, body schema (envelope and error shape
                     |   included), error.status equal to the HTTP status, paging invariants (edgeCount, token)
                     +-> one log line per mismatch; counts and details in a JSON report (ProxyReport)

Requests go out as they came in: method, path, query, body and every header (Host and hop-by-hop headers are the
connection's own and are set for the upstream connection). Answers come back byte for byte, headers included. Header
values are never logged or written to the report. Requests outside the spec are forwarded and counted as unmatched,
not validated.

Run it with ``amazon-music-emulator proxy --upstream URL [--port N] [--report FILE]``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import click
import httpx
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from amazon_music_emulator import specfile

__all__ = [
    "Mismatch",
    "ProxyReport",
    "ResponseChecker",
    "ValidationProxy",
    "proxy_command",
    "run_proxy",
]

logger = logging.getLogger("amazon_music_emulator.proxy")

DEFAULT_PORT = 8081
MAX_REPORTED_DETAILS = 1000  # the counts stay exact; the list of details is capped to keep the report readable
_SPEC_URI = "urn:amazon-music-webapi:spec"
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Headers that belong to one connection (RFC 9110 section 7.6.1), plus those the proxy recomputes.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


# -- what a mismatch is ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One way a response differs from the spec. `pointer` is a JSON pointer into the body ("" for the response)."""

    operation: str
    method: str
    path: str
    status: int
    kind: str  # status, content-type, body, schema, envelope, error-status, paging
    pointer: str
    expected: str
    found: str

    def log_line(self) -> str:
        return (
            f"mismatch operation={self.operation} status={self.status} pointer={self.pointer or '/'} "
            f"expected={json.dumps(self.expected)} found={json.dumps(self.found)}"
        )


# -- the spec, read once --------------------------------------------------------------------------------------------


_NAME_MAPS = ("properties", "patternProperties", "schemas", "responses", "paths", "parameters", "headers", "content")
_OPENAPI_ONLY = ("nullable", "example", "examples", "discriminator", "xml", "externalDocs", "links")


def _openapi_to_json_schema(node: Any, *, names: bool = False) -> Any:
    """OpenAPI 3.0 schemas as JSON Schema 2020-12: `nullable` becomes a null type, local refs become absolute.

    With ``names``, ``node`` maps names (property names, status codes, paths) to nodes: its keys are kept as they are.
    """
    if isinstance(node, list):
        return [_openapi_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {key: _openapi_to_json_schema(value) for key, value in node.items()}
    converted = {
        key: _openapi_to_json_schema(value, names=key in _NAME_MAPS)
        for key, value in node.items()
        if key not in _OPENAPI_ONLY and not key.startswith("x-")
    }
    if isinstance(converted.get("$ref"), str) and converted["$ref"].startswith("#"):
        converted["$ref"] = _SPEC_URI + converted["$ref"]
    if node.get("nullable") is True:
        if "enum" in converted and None not in converted["enum"]:
            converted["enum"] = [*converted["enum"], None]
        if isinstance(converted.get("type"), str):
            converted["type"] = [converted["type"], "null"]
        elif "type" not in converted:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


@dataclass(frozen=True, slots=True)
class _Response:
    """What the spec documents for one status of one operation."""

    media_types: tuple[str, ...]
    validator: Draft202012Validator | None


@dataclass(frozen=True, slots=True)
class _Operation:
    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    responses: Mapping[str, _Response]

    def response_for(self, status: int) -> _Response | None:
        code = str(status)
        return self.responses.get(code) or self.responses.get(f"{code[0]}XX") or self.responses.get("default")


def _path_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


class ResponseChecker:
    """Finds the operation a request addresses and lists every way its response differs from the spec."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.title = str(spec.get("info", {}).get("title", "spec"))
        self.version = str(spec.get("info", {}).get("version", "?"))
        self._spec = spec
        converted = _openapi_to_json_schema(spec)
        resource = Resource.from_contents(converted, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self._operations: list[_Operation] = []
        for template, item in spec.get("paths", {}).items():
            for method in _METHODS:
                if method in item:
                    self._operations.append(self._operation(template, method, item[method]))
        # Literal segments win over templated ones, as in any router.
        self._operations.sort(key=lambda op: (op.template.count("{"), -len(op.template)))

    @classmethod
    def from_file(cls, path: Path) -> ResponseChecker:
        with path.open(encoding="utf-8") as file:
            return cls(yaml.safe_load(file))

    @property
    def operation_ids(self) -> list[str]:
        return sorted(op.operation_id for op in self._operations)

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            target: Any = self._spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _operation(self, template: str, method: str, operation: Mapping[str, Any]) -> _Operation:
        responses: dict[str, _Response] = {}
        for status, raw in operation.get("responses", {}).items():
            response = self._resolve(raw)
            content = response.get("content") or {}
            media_types = tuple(content)
            validator = None
            json_media = next((m for m in media_types if _is_json(m)), None)
            if json_media is not None and "schema" in content[json_media]:
                schema = _openapi_to_json_schema(content[json_media]["schema"])
                validator = Draft202012Validator(schema, registry=self._registry)
            responses[str(status).upper()] = _Response(media_types=media_types, validator=validator)
        return _Operation(
            operation_id=str(operation.get("operationId", f"{method.upper()} {template}")),
            method=method.upper(),
            template=template,
            pattern=_path_pattern(template),
            responses=responses,
        )

    def match(self, method: str, path: str) -> _Operation | None:
        for operation in self._operations:
            if operation.method == method.upper() and operation.pattern.fullmatch(path):
                return operation
        return None

    def check(
        self, operation: _Operation, path: str, status: int, content_type: str | None, body: bytes
    ) -> list[Mismatch]:
        """Every mismatch of one response; an empty list when it conforms."""

        def mismatch(kind: str, pointer: str, expected: str, found: str) -> Mismatch:
            return Mismatch(operation.operation_id, operation.method, path, status, kind, pointer, expected, found)

        documented = operation.response_for(status)
        if documented is None:
            statuses = ", ".join(operation.responses)
            return [mismatch("status", "", f"a documented status ({statuses})", str(status))]
        if not documented.media_types:
            return [] if not body else [mismatch("body", "", "no body", f"{len(body)} bytes")]
        media_type = (content_type or "").split(";")[0].strip().lower()
        if not any(_media_type_matches(media_type, documented_type) for documented_type in documented.media_types):
            return [
                mismatch(
                    "content-type", "", f"Content-Type {' or '.join(documented.media_types)}", media_type or "none"
                )
            ]
        if documented.validator is None:
            return []
        try:
            document = json.loads(body)
        except ValueError:
            return [mismatch("body", "", "a JSON body", _short(body.decode("utf-8", "replace")) or "empty body")]
        found = [
            mismatch("schema", pointer, expected, actual)
            for pointer, expected, actual in _schema_errors(documented.validator, document)
        ]
        found += [
            mismatch(kind, pointer, expected, actual) for kind, pointer, expected, actual in _shape(status, document)
        ]
        return found


def _is_json(media_type: str) -> bool:
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def _media_type_matches(actual: str, documented: str) -> bool:
    documented = documented.split(";")[0].strip().lower()
    if documented in ("*/*", actual):
        return True
    return documented.endswith("/*") and actual.startswith(documented[:-1])


def _pointer(parts: Iterable[Any]) -> str:
    """A JSON pointer (RFC 6901) from its reference tokens."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _expected(error: ValidationError) -> str:
    """What the schema wanted, in words: `type integer`, `one of PUBLIC, PRIVATE`, `required property`."""
    keyword, value = error.validator, error.validator_value
    if keyword in ("anyOf", "oneOf") and error.context:
        branches: dict[Any, ValidationError] = {}
        for sub in error.context:
            branch = sub.relative_schema_path[0]
            if branch not in branches or len(sub.path) > len(branches[branch].path):
                branches[branch] = sub
        return " or ".join(_expected(sub) for sub in branches.values())
    if keyword == "type":
        types = value if isinstance(value, list) else [value]
        return "type " + " or ".join(str(t) for t in types)
    if keyword == "enum" and value == [None]:
        return "null"
    if keyword == "enum":
        return "one of " + ", ".join("null" if v is None else str(v) for v in value)
    if keyword == "const":
        return f"the value {_short(value)}"
    if keyword == "required":
        return "a required property"
    if keyword == "additionalProperties":
        return "no property outside the schema"
    if keyword == "pattern":
        return f"a string matching {value}"
    if keyword in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "exclusiveMinimum"):
        return f"{keyword} {value}"
    return f"{keyword} {_short(value)}"


def _schema_errors(validator: Draft202012Validator, document: Any) -> Iterator[tuple[str, str, str]]:
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        pointer = _pointer(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    yield pointer + _pointer([name]), "a required property", "missing"
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for name in error.instance:
                if name not in allowed:
                    yield pointer + _pointer([name]), "no property outside the schema", _short(error.instance[name])
            continue
        yield pointer, _expected(error), _short(error.instance)


def _shape(status: int, document: Any) -> Iterator[tuple[str, str, str, str]]:
    """What the spec says in words rather than schema: the envelope, error.status, pageInfo and edgeCount."""
    if not isinstance(document, dict):
        return
    envelope = "data" if 200 <= status < 300 else "error"
    for key in document:
        if key != envelope:
            yield "envelope", _pointer([key]), f"only `{envelope}` at the top level", _short(document[key])
    error = document.get("error")
    if envelope == "error" and isinstance(error, dict) and "status" in error and error["status"] != str(status):
        yield "error-status", "/error/status", f'"{status}" (the HTTP status as a string)', _short(error["status"])
    yield from _paging(document, "")


def _paging(node: Any, pointer: str) -> Iterator[tuple[str, str, str, str]]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _paging(item, f"{pointer}/{index}")
        return
    if not isinstance(node, dict):
        return
    info = node.get("pageInfo")
    if isinstance(info, dict) and isinstance(info.get("hasNextPage"), bool):
        has_next, has_token = info["hasNextPage"], "token" in info
        if has_next and not has_token:
            yield "paging", f"{pointer}/pageInfo/token", "a token, since hasNextPage is true", "missing"
        if has_token and not has_next:
            yield "paging", f"{pointer}/pageInfo/token", "no token, since hasNextPage is false", _short(info["token"])
    edges = node.get("edges")
    if isinstance(edges, list) and isinstance(node.get("edgeCount"), int) and node["edgeCount"] != len(edges):
        yield (
            "paging",
            f"{pointer}/edgeCount",
            f"{len(edges)} (the number of edges on this page)",
            str(node["edgeCount"]),
        )
    for key, value in node.items():
        if isinstance(value, dict | list):
            yield from _paging(value, pointer + _pointer([key]))


# -- the report -----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ProxyReport:
    """Counts of what passed through, written as JSON after every response (atomically) when a path is given."""

    upstream: str
    spec: str
    path: Path | None = None
    requests: int = 0
    validated: int = 0
    unmatched: int = 0
    undecodable: int = 0
    upstream_errors: int = 0
    mismatches: int = 0
    by_operation: dict[str, dict[str, int]] = field(default_factory=dict)
    by_kind: Counter[str] = field(default_factory=Counter)
    details: list[Mismatch] = field(default_factory=list)

    def record(self, operation: str | None, mismatches: list[Mismatch]) -> None:
        self.requests += 1
        if operation is None:
            self.unmatched += 1
            return
        self.validated += 1
        counts = self.by_operation.setdefault(operation, {"requests": 0, "mismatches": 0})
        counts["requests"] += 1
        counts["mismatches"] += len(mismatches)
        self.mismatches += len(mismatches)
        self.by_kind.update(m.kind for m in mismatches)
        self.details.extend(mismatches[: max(0, MAX_REPORTED_DETAILS - len(self.details))])

    def as_dict(self) -> dict[str, Any]:
        return {
            "upstream": self.upstream,
            "spec": self.spec,
            "requests": self.requests,
            "validated": self.validated,
            "unmatched": self.unmatched,
            "undecodable": self.undecodable,
            "upstream_errors": self.upstream_errors,
            "mismatches": self.mismatches,
            "by_operation": dict(sorted(self.by_operation.items())),
            "by_kind": dict(sorted(self.by_kind.items())),
            "details": [asdict(m) for m in self.details],
            "details_truncated": self.mismatches > len(self.details),
        }

    def write(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".proxy-report-", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(self.as_dict(), file, indent=2)
            file.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.path)


# -- the ASGI app ---------------------------------------------------------------------------------------------------


def _decoded(body: bytes, encoding: str) -> bytes | None:
    """The body without its Content-Encoding, or None for an encoding the proxy cannot read (it still forwards it)."""
    encodings = [e.strip().lower() for e in encoding.split(",") if e.strip() and e.strip().lower() != "identity"]
    for name in reversed(encodings):
        if name in ("gzip", "x-gzip"):
            body = zlib.decompress(body, wbits=zlib.MAX_WBITS | 16)
        elif name == "deflate":
            try:
                body = zlib.decompress(body)
            except zlib.error:
                body = zlib.decompress(body, wbits=-zlib.MAX_WBITS)
        else:
            return None
    return body


class ValidationProxy:
    """An ASGI app that forwards each request to `upstream` and reports how the answer differs from the spec."""

    def __init__(
        self,
        upstream: str,
        checker: ResponseChecker,
        report: ProxyReport,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.checker = checker
        self.report = report
        self._timeout = timeout
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, transport=self._transport, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._forward(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                self.report.write()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        method = str(scope["method"])
        path = str(scope["path"])
        # The path as the client spelled it (percent-encoded) goes upstream; the decoded one finds the operation.
        raw_path = scope.get("raw_path") or path.encode()
        query = scope.get("query_string", b"").decode("latin-1")
        url = self.upstream + raw_path.decode("latin-1") + (f"?{query}" if query else "")
        headers = [(k, v) for k, v in scope["headers"] if k.decode("latin-1").lower() not in _HOP_BY_HOP]
        request = httpx.Request(method, url, headers=headers, content=body)
        try:
            response = await self._http().send(request, stream=True)
            try:
                raw = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            self.report.upstream_errors += 1
            self.report.requests += 1
            self.report.write()
            logger.warning("upstream error for %s %s: %s", method, path, type(exc).__name__)
            error = {"error": {"status": "502", "code": "UPSTREAM_UNAVAILABLE", "message": f"upstream: {exc}"}}
            payload = json.dumps(error).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 502,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(payload)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return
        # Checked before answering, so the log line and the report are written by the time the client has its answer.
        try:
            self._validate(method, path, response, raw)
        except Exception:  # a bug in the checks must not cost the client its answer
            logger.exception("could not check the answer to %s %s", method, path)
        answer_headers = [(k, v) for k, v in response.headers.raw if k.decode("latin-1").lower() not in _HOP_BY_HOP]
        answer_headers.append((b"content-length", str(len(raw)).encode()))
        await send({"type": "http.response.start", "status": response.status_code, "headers": answer_headers})
        await send({"type": "http.response.body", "body": raw})

    def _validate(self, method: str, path: str, response: httpx.Response, raw: bytes) -> None:
        operation = self.checker.match(method, path)
        if operation is None:
            logger.info("unmatched %s %s: not an operation of the spec, forwarded without checks", method, path)
            self.report.record(None, [])
            self.report.write()
            return
        try:
            decoded = _decoded(raw, response.headers.get("content-encoding", ""))
        except zlib.error:
            decoded = None
        if decoded is None:
            self.report.undecodable += 1
            logger.info("undecodable %s %s: content-encoding %s", method, path, response.headers["content-encoding"])
            decoded = b""
            found: list[Mismatch] = []
        else:
            found = self.checker.check(
                operation, path, response.status_code, response.headers.get("content-type"), decoded
            )
        for mismatch in found:
            logger.warning("%s", mismatch.log_line())
        self.report.record(operation.operation_id, found)
        self.report.write()


def build_proxy(
    upstream: str,
    *,
    report_path: Path | None = None,
    spec_path: Path | None = None,
    timeout: float = 30.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ValidationProxy:
    """The proxy app, checking against `spec_path` (by default the spec the emulator serves)."""
    checker = ResponseChecker.from_file(spec_path if spec_path is not None else specfile.spec_path())
    report = ProxyReport(upstream=upstream, spec=f"{checker.title} {checker.version}", path=report_path)
    return ValidationProxy(upstream, checker, report, timeout=timeout, transport=transport)


def run_proxy(
    upstream: str,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    report_path: Path | None = None,
    spec_path: Path | None = None,
    timeout: float = 30.0,
) -> None:
    """Serve the proxy until interrupted; port 0 picks a free port, and the banner names the one bound."""
    import uvicorn

    app = build_proxy(upstream, report_path=report_path, spec_path=spec_path, timeout=timeout)
    app.report.write()
    from amazon_music_emulator.serving import listen

    sock, base_url = listen(host, port, backlog=1024)
    click.echo(f"Validation proxy on {base_url} -> {upstream}")
    click.echo(f"Checking answers against {app.report.spec}; report: {report_path or 'none (use --report FILE)'}")
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn.Config(cast(Any, app), access_log=False, log_level="warning", lifespan="on"))
    server.run(sockets=[sock])


def _check_upstream(ctx: click.Context, param: click.Parameter, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"must be an http(s) URL with a host, got {value!r}", ctx=ctx, param=param)
    if parts.query or parts.fragment:
        raise click.BadParameter("must not carry a query or fragment", ctx=ctx, param=param)
    return value.rstrip("/")


@click.command("proxy", short_help="Forward to an upstream; report where its answers break the spec.")
@click.option(
    "--upstream",
    required=True,
    callback=_check_upstream,
    help="Base URL to forward to, for instance https://api.music.amazon.dev or a running emulator.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="Port (0: a free one)."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JSON file to keep the counts of requests and mismatches in (rewritten after each response).",
)
@click.option(
    "--spec",
    "spec_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="OpenAPI file to check answers against (default: the spec the emulator serves).",
)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Upstream timeout, s.")
def proxy_command(
    upstream: str, host: str, port: int, report_path: Path | None, spec_path: Path | None, timeout: float
) -> None:
    """Forward requests to --upstream unchanged and log every way its answers differ from the spec: one line per
    mismatch (operation, status, JSON pointer, what was expected), counted in the --report JSON file."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per upstream call would drown the mismatches
    run_proxy(upstream, host=host, port=port, report_path=report_path, spec_path=spec_path, timeout=timeout)
