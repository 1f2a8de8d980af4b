"""The TypeScript proof: openapi-typescript generates types from the published bundle, and under `tsc --noEmit
--strict` the example that calls every operation compiles while every call in typescript/wrong_calls.ts is rejected
(each carries @ts-expect-error, which fails the build when its line compiles)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from publish_support import NPM_BIN, ROOT, SPEC_NAME, operations

EXAMPLE = ROOT / "examples" / "typescript"
WRONG_CALLS = Path(__file__).parent / "typescript" / "wrong_calls.ts"
CALL = re.compile(r'call\(\s*credentials,\s*"(?P<path>[^"]+)",\s*"(?P<method>[a-z]+)",')


def _parameters(document: dict[str, Any], path: str, operation: dict[str, Any]) -> list[str]:
    listed = [*document["paths"][path].get("parameters", []), *operation.get("parameters", [])]
    resolved = []
    for parameter in listed:
        if "$ref" in parameter:
            parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        resolved.append(parameter["name"])
    return resolved


def test_example_compiles_strict_and_the_types_reject_wrong_calls(published: Path, tmp_path: Path) -> None:
    types = tmp_path / f"{SPEC_NAME}.d.ts"
    generated = subprocess.run(
        [str(NPM_BIN / "openapi-typescript"), str(published / "spec" / f"{SPEC_NAME}.yaml"), "-o", str(types)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stderr
    declarations = types.read_text(encoding="utf-8")
    assert "me-put-envelope" in declarations, "errata reach the generated doc comments"
    config = tmp_path / "tsconfig.json"
    config.write_text(
        json.dumps(
            {
                "extends": str(EXAMPLE / "tsconfig.json"),
                "compilerOptions": {"paths": {SPEC_NAME: [str(types)]}},
                "include": [],
                "files": [*map(str, sorted(EXAMPLE.glob("*.ts"))), str(WRONG_CALLS)],
            }
        ),
        encoding="utf-8",
    )

    compiled = subprocess.run(
        [str(NPM_BIN / "tsc"), "--noEmit", "--strict", "-p", str(config)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )

    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    assert WRONG_CALLS.read_text(encoding="utf-8").count("@ts-expect-error") >= 10


def test_example_calls_operations_of_the_spec_with_all_their_parameters(bundle_json: dict[str, Any]) -> None:
    """Each typed call of the example is an operation of the spec, passed every parameter it takes. (An operation the
    spec gains needs no call here: the example shows typed use, the contract suite covers every operation.)"""
    source = (EXAMPLE / "call_every_operation.ts").read_text(encoding="utf-8")
    calls = list(CALL.finditer(source))
    expected = {(path, method): operation for path, method, operation in operations(bundle_json).values()}
    called = [(match["path"], match["method"]) for match in calls]
    assert called and set(called) <= set(expected), "no call the spec lacks"
    ends = [match.start() for match in calls[1:]] + [len(source)]
    for match, end in zip(calls, ends, strict=True):
        key = (match["path"], match["method"])
        arguments = source[match.end() : end]
        for name in _parameters(bundle_json, key[0], expected[key]):
            assert re.search(rf"\b{name}:", arguments), f"{key}: parameter {name} is not passed"
        if "requestBody" in expected[key]:
            assert "body:" in arguments, f"{key}: no request body"
