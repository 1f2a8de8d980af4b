"""Parse a plain-text snapshot of the Amazon Music Web API User page into typed records.

The parser reports what the docs say, raw: a wrong example URL stays wrong, an invalid JSON example is recorded as
invalid (and read leniently where a trailing comma is all that is wrong). Reconciling the docs with the spec is the
job of scripts/docs_diff.py, which applies the spec's recorded errata.

The snapshot format (see tests/fixtures/docs_user_v1.txt):

    <title>                                   an operation starts at its title ...
    GET                                       ... optionally followed by its method and path
    /me/followed/playlists
    Authorization Scope: [music::favorites:read]
    <description lines>
    Query Parameters                          "Path Parameters", "Query Parameters" or "Body Parameters"
    Name |                                    a table: four header lines, then rows of
    Data Type |                                 name / "|" / type / "|" / "Yes |" or "No |" / description ending "|"
    Required |
    Description |
    Example                                   before "Response(s)": a curl command or a bare URL
    Responses                                 "Response" or "Responses", then
    Amazon Music response object containing:  the response table
    Example                                   and a JSON example
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "API_PREFIX",
    "DocsOperation",
    "DocsParseError",
    "DocsSnapshot",
    "Field",
    "JsonExample",
    "RequestExample",
    "load_docs",
    "parse_docs",
    "parse_json_leniently",
]

API_PREFIX = "/v1"
HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH"})
TABLE_HEADER = ("Name |", "Data Type |", "Required |", "Description |")
TABLE_LOCATIONS = {"Path Parameters": "path", "Query Parameters": "query", "Body Parameters": "body"}
RESPONSE_HEADINGS = frozenset({"Response", "Responses"})
RESPONSE_TABLE_INTRO = "Amazon Music response object containing:"
PAGINATION_NOTE = "Learn more about pagination."
EXAMPLE_HEADING = "Example"
# The docs write "<base url>" for the host; a placeholder host lets urllib split such URLs.
BASE_URL_TOKEN = "<base url>"
PLACEHOLDER_HOST = "https://base-url.invalid"

PAGE_TITLE = re.compile(r"^Web API User V1(?:\.\d+)*$")
PAGE_TITLE_WITHIN = 5  # non-blank lines
_SCOPE_LINE = re.compile(r"^Authorization Scope:\s*\[(?P<scopes>[^\]]*)\]\s*$")
_NUMBER = r"-?\d+(?:\.\d+)?"
_IDS = r"(?P<ids>\s+IDs\b)?"
_DEFAULT = re.compile(
    r"\(default:\s*(?P<value>[^)]+?)\s*\)"
    r"|\bdefaults?(?:\s+to|\s+is|:)\s*(?P<bare>-?\d+(?:\.\d+)?|[A-Za-z_]\w*|'[^']*'|\"[^\"]*\")",
    re.IGNORECASE,
)
# The wordings of a bound the docs use or may use; each match is (minimum, maximum), either possibly absent.
_BOUNDS = (
    re.compile(rf"\b(?:between|from)\s+(?P<min>{_NUMBER})\s+(?:and|to)\s+(?P<max>{_NUMBER}){_IDS}", re.IGNORECASE),
    re.compile(rf"\b(?:minimum|min\.?)(?:\s+of|\s+is|:)?\s*(?P<min>{_NUMBER})\b", re.IGNORECASE),
    re.compile(rf"\b(?:at\s+least|no\s+(?:fewer|less)\s+than)\s+(?P<min>{_NUMBER})\b", re.IGNORECASE),
    re.compile(rf"\b(?:maximum|max\.?)(?:\s+of|\s+is|:)?\s*(?P<max>{_NUMBER}){_IDS}", re.IGNORECASE),
    re.compile(rf"\b(?:at\s+most|up\s+to|no\s+more\s+than)\s+(?P<max>{_NUMBER}){_IDS}", re.IGNORECASE),
)
# A bound word left over once the wordings above have been read: the docs state a bound the parser cannot read.
# "The maximum number of tracks to return" names the parameter, it states no bound.
_BOUND_WORD = re.compile(
    r"\b(?P<word>minimum|maximum|between|at\s+least|at\s+most|up\s+to|no\s+more\s+than|no\s+(?:fewer|less)\s+than"
    r"|defaults?)\b(?!\s+number\b)",
    re.IGNORECASE,
)
_MINIMUM_WORDS = ("minimum", "at least", "no fewer", "no less")
_ALLOWED_VALUES = re.compile(r"allowed values are\s+(?P<values>.+?)(?:\.\s|\.?\s*$)", re.IGNORECASE)
_QUOTED = re.compile(r"[‘'\"“](?P<value>[^’'\"”]+)[’'\"”]")

Number = int | float


class DocsParseError(ValueError):
    """The snapshot does not follow the docs format; the message names the line."""

    def __init__(self, source: str, line: int, problem: str) -> None:
        super().__init__(f"{source}:{line}: {problem}")
        self.source = source
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class Field:
    """A parameter, body field or response field, as a docs table row (or the spec) states it."""

    name: str
    type: str
    required: bool
    description: str = ""
    default: Number | str | None = None
    minimum: Number | None = None
    maximum: Number | None = None
    max_items: int | None = None  # for comma-separated ID lists: "Maximum: 100 IDs"
    enum: tuple[str, ...] = ()
    # Bounds or a default the description states in words the parser cannot read: (attribute, the docs' phrase).
    unparsed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class JsonExample:
    """A JSON example as written; `value` is read leniently, `valid` says whether strict JSON accepts it."""

    text: str
    value: object
    valid: bool
    problem: str | None
    line: int


@dataclass(frozen=True)
class RequestExample:
    """A request example: a curl command or a bare URL, with what it asks for."""

    kind: str  # "curl" or "url"
    text: str
    method: str | None  # None for a bare URL
    url: str
    path: str  # the URL's path, concrete IDs replaced by the documented path parameters: /v1/users/{id}
    query: tuple[str, ...]  # the names in the URL's query string
    body: JsonExample | None
    continued: bool  # every line break of a multi-line command outside quotes ends with a backslash
    line: int


@dataclass(frozen=True)
class DocsOperation:
    """One documented operation."""

    title: str
    method: str
    path: str  # /v1/..., with {param} placeholders
    path_source: str  # "heading" (the METHOD and path lines under the title) or "example" (the request example)
    declared_path: str | None  # the path line under the title, as written (without /v1), if there is one
    scopes: tuple[str, ...]
    description: str
    mentions_pagination: bool
    path_params: tuple[Field, ...]
    query_params: tuple[Field, ...]
    body_fields: tuple[Field, ...]
    response_fields: tuple[Field, ...]
    request_example: RequestExample | None
    response_examples: tuple[JsonExample, ...]
    unrecognised: tuple[str, ...]  # lines after the description that fit no block (the page's group headings)
    line: int

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class DocsSnapshot:
    title: str  # the page's title line, e.g. "Web API User V1.0"
    source: str
    operations: tuple[DocsOperation, ...]

    def operation(self, title: str) -> DocsOperation:
        for operation in self.operations:
            if operation.title == title:
                return operation
        raise KeyError(title)


def load_docs(path: Path | str) -> DocsSnapshot:
    """The snapshot in a file; DocsParseError (naming the file and line) for binary data or text that is not UTF-8."""
    file = Path(path)
    data = file.read_bytes()
    if b"\0" in data:
        offset = data.index(b"\0")
        line = data.count(b"\n", 0, offset) + 1
        raise DocsParseError(str(file), line, f"binary data (a NUL byte at offset {offset}), not a text snapshot")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problem = f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the page as UTF-8 text"
        raise DocsParseError(str(file), line, problem) from exc
    return parse_docs(text, source=str(file))


def parse_docs(text: str, source: str = "<docs>") -> DocsSnapshot:
    """The snapshot's operations; DocsParseError where the text stops reading as the User v1 page."""
    lines = [line.rstrip() for line in text.splitlines()]
    title = _page_title(lines, source)
    starts = [_operation_start(lines, index) for index, line in enumerate(lines) if _SCOPE_LINE.match(line.strip())]
    if not starts:
        raise DocsParseError(source, 1, "no operation found (no 'Authorization Scope: [...]' line)")
    operations = []
    for position, (title_index, scope_index) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        operations.append(_OperationReader(lines, source, title_index, scope_index, end).read())
    return DocsSnapshot(title=title, source=source, operations=tuple(operations))


def _page_title(lines: list[str], source: str) -> str:
    """The page's title line ("Web API User V1.0"), which must stand among the first lines."""
    content = [(index, line.strip()) for index, line in enumerate(lines) if line.strip()]
    if not content:
        raise DocsParseError(source, 1, "the file is empty")
    first_index, first = content[0]
    if first.startswith("<"):
        raise DocsParseError(
            source,
            first_index + 1,
            f"an HTML page ({first[:40]!r}), not the text snapshot: save the page as plain text",
        )
    for _, line in content[:PAGE_TITLE_WITHIN]:
        if PAGE_TITLE.match(line):
            return line
    raise DocsParseError(
        source,
        first_index + 1,
        f"not the User v1 page: no 'Web API User V1.0' title in its first {PAGE_TITLE_WITHIN} lines",
    )


def _operation_start(lines: list[str], scope_index: int) -> tuple[int, int]:
    """The index of the operation's title line, and of its scope line."""
    if scope_index >= 3 and lines[scope_index - 2].strip() in HTTP_METHODS and lines[scope_index - 1].startswith("/"):
        return scope_index - 3, scope_index
    return scope_index - 1, scope_index


class _OperationReader:
    """Reads one operation's lines [title_index, end)."""

    def __init__(self, lines: list[str], source: str, title_index: int, scope_index: int, end: int) -> None:
        self.lines = lines
        self.source = source
        self.title_index = title_index
        self.scope_index = scope_index
        self.end = end

    def error(self, index: int, problem: str) -> DocsParseError:
        return DocsParseError(self.source, index + 1, problem)

    def read(self) -> DocsOperation:
        title = self.lines[self.title_index].strip()
        if not title:
            raise self.error(self.title_index, "an operation's title line is empty")
        method: str | None = None
        declared_path: str | None = None
        if self.scope_index - self.title_index == 3:
            method = self.lines[self.title_index + 1].strip()
            declared_path = self.lines[self.title_index + 2].strip()
        scope_match = _SCOPE_LINE.match(self.lines[self.scope_index].strip())
        assert scope_match is not None  # the scope line was found by this pattern
        scopes = tuple(scope for scope in re.split(r"[\s,]+", scope_match["scopes"]) if scope)

        description: list[str] = []
        tables: dict[str, tuple[Field, ...]] = {}
        request_example: RequestExample | None = None
        response_examples: list[JsonExample] = []
        unrecognised: list[str] = []
        mentions_pagination = False
        in_responses = False
        structure_seen = False
        index = self.scope_index + 1
        while index < self.end:
            line = self.lines[index].strip()
            if not line:
                index += 1
            elif self._is_table_title(index):
                location = "response" if line == RESPONSE_TABLE_INTRO else TABLE_LOCATIONS.get(line)
                if location is None:
                    raise self.error(index, f"unknown table {line!r} in {title!r}")
                if location in tables:
                    raise self.error(index, f"a second {line!r} table in {title!r}")
                tables[location], index = self._read_table(index + 1 + len(TABLE_HEADER))
                structure_seen = True
            elif line in TABLE_LOCATIONS or line == RESPONSE_TABLE_INTRO:
                header = " ".join(TABLE_HEADER)
                raise self.error(index, f"{line!r} in {title!r} is not followed by its table header ({header})")
            elif line in RESPONSE_HEADINGS:
                in_responses = structure_seen = True
                index += 1
            elif line == PAGINATION_NOTE:
                mentions_pagination = True
                index += 1
            elif line == EXAMPLE_HEADING:
                structure_seen = True
                index = self._next_content(index + 1)
                if in_responses:
                    example, index = self._read_json(index)
                    response_examples.append(example)
                else:
                    if request_example is not None:
                        raise self.error(index, f"a second request example in {title!r}")
                    request_example, index = self._read_request(index, tables.get("path", ()))
            elif not structure_seen:
                description.append(line)
                index += 1
            else:
                # Kept, not interpreted: after an operation's last block come the page's group headings.
                unrecognised.append(line)
                index += 1

        if "response" not in tables or not response_examples:
            missing = "table" if "response" not in tables else "example"
            stop = "the end of the file" if self.end == len(self.lines) else f"the next operation (line {self.end + 1})"
            raise self.error(
                self.end - 1,
                f"{title!r} (line {self.title_index + 1}) has no response {missing} before {stop}:"
                " the snapshot is cut short or is not the User v1 page",
            )
        path_params = tables.get("path", ())
        path_source = "heading"
        if declared_path is not None:
            path = declared_path if declared_path.startswith(API_PREFIX + "/") else API_PREFIX + declared_path
        elif request_example is not None:
            path, path_source = request_example.path, "example"
        else:
            raise self.error(self.title_index, f"{title!r} has neither a METHOD/path line nor a request example")
        if method is None:
            method = (request_example.method if request_example is not None else None) or "GET"
        return DocsOperation(
            title=title,
            method=method,
            path=path,
            path_source=path_source,
            declared_path=declared_path,
            scopes=scopes,
            description=" ".join(description),
            mentions_pagination=mentions_pagination,
            path_params=path_params,
            query_params=tables.get("query", ()),
            body_fields=tables.get("body", ()),
            response_fields=tables.get("response", ()),
            request_example=request_example,
            response_examples=tuple(response_examples),
            unrecognised=tuple(unrecognised),
            line=self.title_index + 1,
        )

    def _next_content(self, index: int) -> int:
        while index < self.end and not self.lines[index].strip():
            index += 1
        if index >= self.end:
            raise self.error(index - 1, "an 'Example' heading with nothing after it")
        return index

    def _is_table_title(self, index: int) -> bool:
        header = tuple(line.strip() for line in self.lines[index + 1 : index + 1 + len(TABLE_HEADER)])
        return header == TABLE_HEADER

    def _read_table(self, index: int) -> tuple[tuple[Field, ...], int]:
        rows: list[Field] = []
        while index + 1 < self.end and self.lines[index + 1].strip() == "|":
            name = self.lines[index].strip()
            if index + 4 >= self.end:
                raise self.error(self.end - 1, f"table row {name!r} is cut short (its cells stop here)")
            data_type = self.lines[index + 2].strip()
            if self.lines[index + 3].strip() != "|":
                raise self.error(index + 3, f"table row {name!r}: expected '|' after its data type")
            required_cell = self.lines[index + 4].strip()
            if required_cell not in ("Yes |", "No |"):
                raise self.error(index + 4, f"table row {name!r}: Required is {required_cell!r}, not 'Yes |' or 'No |'")
            index += 5
            description: list[str] = []
            while index < self.end:
                cell = self.lines[index].strip()
                index += 1
                if cell.endswith("|"):
                    description.append(cell[:-1].strip())
                    break
                description.append(cell)
            else:
                raise self.error(index - 1, f"table row {name!r}: its description has no closing '|'")
            rows.append(_field(name, data_type, required_cell == "Yes |", " ".join(d for d in description if d)))
        if not rows:
            raise self.error(index, "a table with no rows")
        return tuple(rows), index

    def _read_json(self, index: int) -> tuple[JsonExample, int]:
        first = self.lines[index].strip()
        if not first.startswith(("{", "[")):
            raise self.error(index, f"a response example that is not JSON: {first!r}")
        end = _json_block_end(self.lines, index, self.end)
        if end is None:
            stop = "the end of the file" if self.end == len(self.lines) else f"the next operation (line {self.end + 1})"
            raise self.error(self.end - 1, f"the JSON example opened at line {index + 1} is not closed before {stop}")
        text = "\n".join(self.lines[index:end])
        return parse_json_leniently(text, line=index + 1), end

    def _read_request(self, index: int, path_params: tuple[Field, ...]) -> tuple[RequestExample, int]:
        first = self.lines[index].strip()
        if first.startswith("curl"):
            return self._read_curl(index, path_params)
        if first.startswith(("http://", "https://", BASE_URL_TOKEN)):
            url = first
            path, query = _split_url(url, path_params)
            example = RequestExample("url", first, None, url, path, query, None, True, index + 1)
            return example, index + 1
        raise self.error(index, f"a request example that is neither a curl command nor a URL: {first!r}")

    def _read_curl(self, index: int, path_params: tuple[Field, ...]) -> tuple[RequestExample, int]:
        start = index
        block: list[str] = []
        continued = True
        in_quote = False
        while index < self.end:
            line = self.lines[index].rstrip()
            belongs = (
                index == start
                or in_quote
                or line.lstrip().startswith("-")
                or (bool(block) and block[-1].endswith("\\"))
            )
            if not belongs:
                break
            if block and not in_quote and not block[-1].endswith("\\"):
                continued = False
            block.append(line)
            in_quote ^= line.count("'") % 2 == 1
            index += 1
        text = "\n".join(block)
        try:
            tokens = shlex.split(text.replace("\\\n", " ").replace(BASE_URL_TOKEN, PLACEHOLDER_HOST))
        except ValueError as exc:
            raise self.error(start, f"a curl example shell-quoting cannot read: {exc}") from exc
        method: str | None = None
        url: str | None = None
        data: str | None = None
        position = 1
        while position < len(tokens):
            token = tokens[position]
            value = tokens[position + 1] if position + 1 < len(tokens) else None
            if token in ("--request", "-X"):
                method, position = value, position + 2
            elif token in ("--data", "--data-raw", "-d"):
                data, position = value, position + 2
            elif token in ("--header", "-H"):
                position += 2
            elif token.startswith("-"):
                position += 1
            else:
                url = url or token.replace(PLACEHOLDER_HOST, BASE_URL_TOKEN)
                position += 1
        if url is None:
            raise self.error(start, "a curl example without a URL")
        body = parse_json_leniently(data, line=start + 1) if data is not None else None
        path, query = _split_url(url, path_params)
        method = (method or ("POST" if data is not None else "GET")).upper()
        return RequestExample("curl", text, method, url, path, query, body, continued, start + 1), index


def _field(name: str, data_type: str, required: bool, description: str) -> Field:
    unread = description
    default: Number | str | None = None
    default_match = _DEFAULT.search(description)
    if default_match:
        default = _scalar(default_match["value"] or default_match["bare"])
        unread = _blank(unread, default_match)
    minimum: Number | None = None
    maximum: Number | None = None
    max_items: int | None = None
    for pattern in _BOUNDS:
        for match in pattern.finditer(description):
            groups = match.groupdict()
            if groups.get("min") is not None:
                minimum = _number(groups["min"])
            if groups.get("max") is not None:
                if groups.get("ids"):
                    max_items = int(_number(groups["max"]))
                else:
                    maximum = _number(groups["max"])
            unread = _blank(unread, match)
    enum: tuple[str, ...] = ()
    allowed = _ALLOWED_VALUES.search(description)
    if allowed:
        enum = tuple(match["value"] for match in _QUOTED.finditer(allowed["values"]))
    return Field(
        name=name,
        type=data_type,
        required=required,
        description=description,
        default=default,
        minimum=minimum,
        maximum=maximum,
        max_items=max_items,
        enum=enum,
        unparsed=_unparsed_bounds(unread),
    )


def _blank(text: str, match: re.Match[str]) -> str:
    """The text with the match's span blanked out, so that its words count as read."""
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _unparsed_bounds(unread: str) -> tuple[tuple[str, str], ...]:
    unparsed: list[tuple[str, str]] = []
    for match in _BOUND_WORD.finditer(unread):
        word = " ".join(match["word"].lower().split())
        phrase = re.split(r"[.;|]\s|\)", unread[match.start() :] + " ", maxsplit=1)[0].strip()
        if word.startswith("default"):
            attributes: tuple[str, ...] = ("default",)
        elif word == "between":
            attributes = ("minimum", "maximum")
        elif word.startswith(_MINIMUM_WORDS):
            attributes = ("minimum",)
        else:
            attributes = ("max_items",) if re.search(r"\bIDs\b", phrase) else ("maximum",)
        unparsed += [(attribute, phrase) for attribute in attributes]
    return tuple(unparsed)


def _number(text: str) -> Number:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def _scalar(text: str) -> Number | str:
    try:
        return _number(text)
    except ValueError:
        return text.strip("'\"‘’“”")


def _split_url(url: str, path_params: tuple[Field, ...]) -> tuple[str, tuple[str, ...]]:
    """The URL's path with concrete IDs replaced by {param}, and its query names."""
    parts = urlsplit(url.replace(BASE_URL_TOKEN, PLACEHOLDER_HOST))
    segments = parts.path.split("/")
    # A concrete ID contains a digit or a capital letter; the API's literal segments are lowercase words (and "v1").
    value_positions = [
        i
        for i, segment in enumerate(segments)
        if re.search(r"[0-9A-Z]", segment) and not re.fullmatch(r"v\d+", segment)
    ]
    if path_params and len(value_positions) == len(path_params):
        for position, param in zip(value_positions, path_params, strict=True):
            segments[position] = "{" + param.name + "}"
    query = tuple(name for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    return "/".join(segments), query


def _json_block_end(lines: list[str], start: int, end: int) -> int | None:
    """The index after the line that closes the JSON value opened at `start`; None if it never closes."""
    depth = 0
    in_string = escaped = False
    for index in range(start, end):
        for char in lines[index]:
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
        if depth <= 0:
            return index + 1
    return None


def parse_json_leniently(text: str, line: int = 1) -> JsonExample:
    """Strict JSON first; failing that, the same text with trailing commas removed (the docs' usual slip)."""
    try:
        return JsonExample(text, json.loads(text), True, None, line)
    except json.JSONDecodeError as strict_error:
        repaired, comma_lines = _without_trailing_commas(text)
        problem = f"not valid JSON: {strict_error.msg} (line {line + strict_error.lineno - 1})"
        if comma_lines:
            try:
                value = json.loads(repaired)
            except json.JSONDecodeError:
                pass
            else:
                where = ", ".join(str(line + offset) for offset in comma_lines)
                return JsonExample(text, value, False, f"{problem}; trailing comma on line {where} removed", line)
        return JsonExample(text, None, False, problem, line)


def _without_trailing_commas(text: str) -> tuple[str, list[int]]:
    """The text without commas that are followed (past whitespace) by a closing bracket; their 0-based lines."""
    out: list[str] = []
    removed_lines: list[int] = []
    in_string = escaped = False
    for position, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == ",":
            rest = text[position + 1 :].lstrip()
            if rest[:1] in ("}", "]"):
                removed_lines.append(text.count("\n", 0, position))
                continue
        out.append(char)
    return "".join(out), removed_lines
