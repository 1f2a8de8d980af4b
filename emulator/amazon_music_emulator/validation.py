"""Request validation from the spec, with messages that name the field.

connexion's own validators report "500 is greater than the maximum of 100" without saying which parameter, and
build a JSON Schema validator per parameter per request. These subclasses compile each schema once and raise
``ApiError`` 400 BAD_REQUEST with ``<field>: <problem>`` messages. Unknown query parameters are refused, and so is
a single-valued one given twice (strict; both recorded in the spec's info description and x-doc-errata).

connexion's request validation middleware also builds a URI parser and a parameter validator for every request;
``PrecompiledRequestValidationMiddleware`` builds them once per operation. A parameter check is a pure function of
the query string and the path parameters, so its outcome (pass, or the 400 it raises) is memoised per operation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from connexion.datastructures import MediaTypeDict
from connexion.json_schema import Draft4RequestValidator
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP as CONNEXION_VALIDATORS
from connexion.validators import JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from amazon_music_emulator.bodies import PARSED_BODY_KEY, declared_length, decode_json
from amazon_music_emulator.errors import ApiError

__all__ = [
    "VALIDATOR_MAP",
    "FieldNamingBodyValidator",
    "FieldNamingParameterValidator",
    "PrecompiledRequestValidationMiddleware",
    "describe_error",
]

_compiled: dict[int, tuple[dict[str, Any], Draft4Validator]] = {}
# When several rules fail, report the one that says most about the input.
_PREFERENCE = ("type", "required", "additionalProperties", "enum", "pattern", "minimum", "maximum")
# Parameter checks memoised per operation, up to this many distinct requests; then the memo starts over.
_MAX_MEMO_CHECKS = 1024
_PASSED = None


def _validator(schema: dict[str, Any]) -> Draft4Validator:
    # Keyed by identity: the spec's schemas live as long as the process; the schema is kept to pin its id.
    cached = _compiled.get(id(schema))
    if cached is None or cached[0] is not schema:
        validator = Draft4RequestValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
        cached = (schema, validator)
        _compiled[id(schema)] = cached
    return cached[1]


def _first(errors: Iterable[ValidationError]) -> ValidationError | None:
    found = list(errors)
    if not found:
        return None

    def rank(error: ValidationError) -> int:
        kind = str(error.validator)
        return _PREFERENCE.index(kind) if kind in _PREFERENCE else len(_PREFERENCE)

    return min(found, key=rank)


def _shorten(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_error(error: ValidationError, field: str, schema: dict[str, Any]) -> str:
    """``<field>: <problem>`` for one JSON Schema error; ``field`` is where the validated value sits."""
    path = ".".join(str(part) for part in error.absolute_path)
    where = f"{field}.{path}" if path and field != "body" else (path or field)
    kind = error.validator
    if kind == "pattern" and error.instance == "":
        return f"{where}: must not be empty"
    if kind == "required":
        missing = [name for name in error.validator_value if name not in (error.instance or {})]
        return f"{where + '.' if path else ''}{missing[0] if missing else where}: is required"
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        name = extra[0] if extra else where
        return f"{where + '.' if path else ''}{name}: is not a known field"
    if kind == "pattern":
        description = error.schema.get("description") or schema.get("description")
        items = str(error.instance).count(",") + 1
        count = f" ({items} given)" if items > 1 else ""
        if description:
            first_sentence = description.split(". ", 1)[0].rstrip(".")
            hint = f": expected {first_sentence[:1].lower()}{first_sentence[1:]}"
        else:
            hint = f" does not match {error.validator_value}"
        return f"{where}: {_shorten(error.instance)} is not valid{hint}{count}"
    if kind in ("maxLength", "minLength"):
        return f"{where}: {_shorten(error.instance)} is too {'long' if kind == 'maxLength' else 'short'}" + (
            f" (at most {error.validator_value} characters)"
            if kind == "maxLength"
            else f" (at least {error.validator_value})"
        )
    return f"{where}: {error.message}"


class FieldNamingParameterValidator(ParameterValidator):  # type: ignore[misc]
    """Path and query parameters, checked against the spec; unknown or repeated query parameters refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Header and cookie parameters would make the outcome depend on more than the URL: no memo then.
        self._memoise = not (self.parameters.get("header") or self.parameters.get("cookie"))
        self._outcomes: dict[tuple[bytes, tuple[tuple[str, Any], ...]], tuple[int, str, str] | None] = {}

    def validate(self, scope: Scope) -> None:
        if not self._memoise:
            super().validate(scope)
            return
        key = (scope.get("query_string", b""), tuple(sorted(scope.get("path_params", {}).items())))
        try:
            outcome = self._outcomes[key]
        except KeyError:
            outcome = self._check_request(scope)
            if len(self._outcomes) >= _MAX_MEMO_CHECKS:
                self._outcomes.clear()
            self._outcomes[key] = outcome
        if outcome is not _PASSED:
            raise ApiError(*outcome)

    def _check_request(self, scope: Scope) -> tuple[int, str, str] | None:
        try:
            super().validate(scope)
        except ApiError as error:
            return error.status, error.code, error.message
        return _PASSED

    def validate_request(self, request: Any) -> None:
        if self.strict_validation:
            extra = sorted(self.validate_query_parameter_list(request, security_params=self.security_query_params))
            if extra:
                known = ", ".join(p["name"] for p in self.parameters.get("query", [])) or "none"
                raise ApiError.bad_request(extra[0], f"is not a query parameter of this operation (it takes: {known})")
        # connexion's parsed query keeps the last of repeated values; the raw query string still has them all.
        names = Counter(name for name, _ in parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), True))
        for param in self.parameters.get("query", []):
            given = names[param["name"]]
            if given > 1 and param.get("schema", {}).get("type") != "array":
                raise ApiError.bad_request(
                    param["name"], f"is given {given} times; it takes one value (a list goes comma-separated in one)"
                )
        for location, source in (("path", request.path_params), ("query", request.query_params)):
            for param in self.parameters.get(location, []):
                key = param["name"].replace("-", "_") if location == "path" else param["name"]
                message = self._check(location, source.get(key), param)
                if message:
                    raise ApiError.bad_request(param["name"], message)
        for param in self.parameters.get("header", []):
            message = self._check("header", request.headers.get(param["name"]), param)
            if message:
                raise ApiError.bad_request(param["name"], message)

    @staticmethod
    def _check(location: str, value: Any, param: dict[str, Any]) -> str | None:
        """The problem (without the field name), or None."""
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            return f"is required (a {location} parameter)" if param.get("required") else None
        schema = param.get("schema", param)
        error = _first(_validator(schema).iter_errors(value))
        if error is None:
            return None
        return describe_error(error, param["name"], param).split(": ", 1)[1]


class FieldNamingBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    """JSON bodies: malformed JSON, a missing body and schema failures each name the field."""

    @property
    def _validator(self) -> Draft4Validator:
        return _validator(self._schema)

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        if self._required and not declared_length(scope):
            raise ApiError.bad_request("body", "is required (a JSON object)")
        result: tuple[Receive, Scope] = await super().wrap_receive(receive, scope=scope)
        return result

    async def _parse(self, stream: Any, scope: Scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        if not raw:
            return None
        body = decode_json(raw)
        scope[PARSED_BODY_KEY] = body  # the dispatcher hands this to the handler instead of decoding the body again
        return body

    def _validate(self, body: Any) -> None:
        if body is None and not self._nullable:
            raise ApiError.bad_request("body", "is required (a JSON object)")
        error = _first(self._validator.iter_errors(body))
        if error is not None:
            raise ApiError.bad_request(*describe_error(error, "body", self._schema).split(": ", 1))


VALIDATOR_MAP: dict[str, Any] = {
    "parameter": FieldNamingParameterValidator,
    "body": MediaTypeDict({**CONNEXION_VALIDATORS["body"], "*/*json": FieldNamingBodyValidator}),
}


class _PrecompiledOperation(RequestValidationOperation):  # type: ignore[misc]
    """connexion's request validation for one operation, with its parameter validator built once.

    Operations with a request body keep connexion's own path (content type, body validator per request).
    """

    def __init__(self, next_app: ASGIApp, **kwargs: Any) -> None:
        super().__init__(next_app, **kwargs)
        operation = self._operation
        self._has_body = bool(operation.request_body)
        self._parameters = self._validator_map["parameter"](
            operation.parameters,
            uri_parser=operation._uri_parser_class(operation.parameters, operation.body_definition()),
            strict_validation=self.strict_validation,
            security_query_params=self.security_query_params,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._has_body:
            await super().__call__(scope, receive, send)
            return
        # Without a request body, connexion's content-type and body checks have nothing to check.
        self._parameters.validate(scope)
        await self.next_app(scope, receive, send)


class _PrecompiledAPI(RequestValidationAPI):  # type: ignore[misc]
    def make_operation(self, operation: Any) -> _PrecompiledOperation:
        return _PrecompiledOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class PrecompiledRequestValidationMiddleware(RequestValidationMiddleware):  # type: ignore[misc]
    """connexion's request validation middleware, its validators built per operation rather than per request."""

    api_cls = _PrecompiledAPI
