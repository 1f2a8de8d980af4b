"""Helpers of the consumer matrix (issue 16): the published bundle as other languages' tools read it, each tool run
from the project-local installs against the emulator served by its command line (tests/contract/contract_support)."""

from __future__ import annotations

import copy
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from publish_support import NPM_BIN, ROOT, SPEC_NAME, operations

CONTRACT_TESTS = ROOT / "tests" / "contract"
if str(CONTRACT_TESTS) not in sys.path:
    sys.path.insert(0, str(CONTRACT_TESTS))

from contract_support import TRAFFIC, RunningEmulator  # noqa: E402  (needs tests/contract on sys.path)

__all__ = [
    "NPM_BIN",
    "TRAFFIC",
    "RunningEmulator",
    "Tool",
    "compile_typescript",
    "credentials",
    "free_port",
    "listings",
    "node",
    "operation_of",
    "pages",
    "run",
    "spec_before_1_2",
    "wait_until_listening",
    "walk",
]

STARTUP_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def credentials(emulator: RunningEmulator) -> dict[str, str]:
    return {"x-api-key": emulator.api_key, "Authorization": f"Bearer {emulator.access_token}"}


@dataclass(frozen=True)
class Tool:
    """A finished tool run: exit status and what it printed (stdout and stderr together)."""

    returncode: int
    output: str


def run(*command: str | Path, cwd: Path = ROOT, timeout: float = 300.0) -> Tool:
    done = subprocess.run(
        [str(part) for part in command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        cwd=cwd,
        timeout=timeout,
    )
    return Tool(done.returncode, done.stdout)


def compile_typescript(sources: list[Path], out: Path, *, types_of: Path | None = None) -> Path:
    """`tsc --strict` of sources into out/js as CommonJS (returned); with types_of, openapi-typescript's types of that
    bundle first, importable as the spec's name."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    if types_of is not None:
        types = out / f"{SPEC_NAME}.d.ts"
        generated = run(NPM_BIN / "openapi-typescript", types_of, "-o", types)
        assert generated.returncode == 0, generated.output
        paths[SPEC_NAME] = [str(types)]
    config = out / "tsconfig.json"
    options = {
        "target": "ES2022",
        "module": "CommonJS",
        "moduleResolution": "Node10",
        "lib": ["ES2022", "DOM"],
        "types": [],
        "strict": True,
        "esModuleInterop": True,
        "skipLibCheck": True,
        "outDir": str(out / "js"),
        # Bare imports (openapi-fetch) resolve from the project-local npm install.
        "baseUrl": str(ROOT / "tools" / "npm" / "node_modules"),
        "paths": paths,
    }
    config.write_text(json.dumps({"compilerOptions": options, "files": [*map(str, sources)]}), encoding="utf-8")
    compiled = run(NPM_BIN / "tsc", "-p", config)
    assert compiled.returncode == 0, compiled.output
    return out / "js"


def node(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """node runs script with the project-local npm packages resolvable (NODE_PATH)."""
    env = {**os.environ, "NODE_PATH": str(ROOT / "tools" / "npm" / "node_modules")}
    return subprocess.run(
        ["node", str(script), *args], capture_output=True, text=True, check=False, env=env, timeout=300
    )


def wait_until_listening(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until something answers HTTP on url (any status), or the process exits, or STARTUP_SECONDS pass."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        assert process.poll() is None, f"exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}"
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"{url} not listening after {STARTUP_SECONDS:.0f} s"
            time.sleep(0.2)


def spec_before_1_2(document: dict[str, Any]) -> dict[str, Any]:
    """The document with PlaybackVisibility's null spelled as in spec 1.1.0: a NullValue schema with `type: string`,
    `nullable: true` and `enum: [null]`."""
    old = copy.deepcopy(document)
    schemas = old["components"]["schemas"]
    schemas["PlaybackVisibility"]["anyOf"][1] = {"$ref": "#/components/schemas/NullValue"}
    schemas["NullValue"] = {
        "description": "JSON null, spelled for OpenAPI 3.0 validators that check `enum` before `nullable`.",
        "type": "string",
        "nullable": True,
        "enum": [None],
    }
    return old


def operation_of(document: dict[str, Any], method: str, target: str) -> str:
    """The operationId that serves method and target (a path with its query string)."""
    path = target.split("?", 1)[0]
    for operation_id, (template, template_method, _) in operations(document).items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if template_method == method.lower() and re.match(pattern, path):
            return operation_id
    raise AssertionError(f"no operation serves {method} {target}")


def listings(document: dict[str, Any]) -> dict[str, str]:
    """operationId -> path of every operation whose answer is paged (its 200 schema reaches `pageInfo`)."""
    found = {}
    for operation_id, (path, method, operation) in operations(document).items():
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        if method == "get" and "pageInfo" in json.dumps(_resolved(document, schema, depth=40)):
            found[operation_id] = path
    return found


def _resolved(document: dict[str, Any], node: Any, depth: int) -> Any:
    if depth == 0:
        return None
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolved(document, target, depth - 1)
        return {key: _resolved(document, value, depth - 1) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolved(document, value, depth - 1) for value in node]
    return node


def pages(body: Any) -> Iterator[dict[str, Any]]:
    """Every connection (`{pageInfo, edges}`) inside a success body."""
    if isinstance(body, dict):
        if "pageInfo" in body and "edges" in body:
            yield body
        for value in body.values():
            yield from pages(value)


def walk(client: httpx.Client, document: dict[str, Any], headers: dict[str, str]) -> list[httpx.Response]:
    """TRAFFIC (every operation, successes and documented errors), then every page of every listing it reaches."""
    answers = []
    paged: dict[str, str] = {}
    paged_operations = listings(document)
    for method, target, body, authenticated in TRAFFIC:
        response = client.request(method, target, json=body, headers=headers if authenticated else {})
        answers.append(response)
        operation_id = operation_of(document, method, target)
        if response.status_code == 200 and operation_id in paged_operations and "Ids=" not in target:
            paged.setdefault(operation_id, target)
    for target in paged.values():
        answer = client.get(target, headers=headers)
        answers.append(answer)
        token = _next_token(answer)
        while token:
            answer = client.get(target, params={"cursor": token}, headers=headers)
            answers.append(answer)
            token = _next_token(answer)
    return answers


def _next_token(response: httpx.Response) -> str | None:
    assert response.status_code == 200, (response.request.url, response.status_code, response.text)
    for connection in pages(response.json()):
        info = connection["pageInfo"]
        return str(info["token"]) if info.get("hasNextPage") else None
    return None
