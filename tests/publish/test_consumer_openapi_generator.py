"""Consumer matrix, row 3: openapi-generator (the jar of the PyPI package openapi-generator-cli, pinned in the dev
dependencies; it needs a Java runtime, which `make java` installs from Debian's packages) makes `typescript-fetch`
and `python` clients from the published bundle with no error and no warning beyond those accepted below. The Python
client compiles; the TypeScript one compiles under `tsc --strict` and calls GET /v1/me and a listing on the emulator."""

from __future__ import annotations

import compileall
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from consumer_support import RunningEmulator, compile_typescript, credentials, node
from publish_support import SPEC_NAME

GENERATORS = ("typescript-fetch", "python")
PROGRAM = Path(__file__).parent / "typescript" / "generator_calls.ts"
# The generator's warnings we accept, each with its reason; any other WARN or ERROR line fails the row.
ACCEPTED_WARNINGS = {
    r"Error \(model name matches existing language type\) cannot be used as a model name\. Renamed to ModelError": (
        "typescript-fetch: our `Error` schema shares its name with TypeScript's built-in Error; the model is ModelError"
    ),
    r"o\.o\.codegen\.utils\.ModelUtils - Failed to get the schema name: null": (
        "logged without naming a schema, and also for copies of the bundle without links, headers, Error.payload or"
        " PlaybackVisibility's anyOf; the generated clients compile and read the emulator's answers"
    ),
}


@pytest.fixture(scope="module")
def generated(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, str]]]:
    """generator -> (output folder, its log), both generators run at once (each is a JVM start)."""
    assert shutil.which("java"), "no Java runtime: run `make java` (installs Debian's default-jre-headless as root)"
    generator = shutil.which("openapi-generator-cli", path=str(Path(sys.executable).parent))
    assert generator, "openapi-generator-cli is missing: run `make install` (the dev dependencies)"
    tmp = tmp_path_factory.mktemp("openapi-generator")
    bundle = published / "spec" / f"{SPEC_NAME}.yaml"
    running = {}
    for name in GENERATORS:
        command = [generator, "generate", "-i", str(bundle), "-g", name, "-o", str(tmp / name)]
        if name == "python":
            command += ["--additional-properties", "packageName=amazon_music_openapi_generator"]
        running[name] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    results = {}
    for name, process in running.items():
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name}: exit {process.returncode}\n{output[-3000:]}"
        results[name] = (tmp / name, output)
    yield results


def _unexpected(log: str) -> list[str]:
    lines = [line for line in log.splitlines() if re.search(r"\b(WARN|ERROR)\b", line)]
    return [line for line in lines if not any(re.search(pattern, line) for pattern in ACCEPTED_WARNINGS)]


@pytest.mark.parametrize("name", GENERATORS)
def test_openapi_generator_makes_the_client_without_unexpected_warnings(
    generated: dict[str, tuple[Path, str]], name: str
) -> None:
    out, log = generated[name]
    assert _unexpected(log) == []
    assert any(out.rglob("*.ts" if name == "typescript-fetch" else "*.py"))


def test_openapi_generator_python_client_compiles(generated: dict[str, tuple[Path, str]]) -> None:
    out, _ = generated["python"]
    assert compileall.compile_dir(out / "amazon_music_openapi_generator", quiet=1, force=True)


def test_openapi_generator_typescript_client_calls_the_emulator(
    generated: dict[str, tuple[Path, str]], consumer_emulator: RunningEmulator, tmp_path: Path
) -> None:
    out, _ = generated["typescript-fetch"]
    project = tmp_path / "project"
    shutil.copytree(out, project / "generated")
    shutil.copy(PROGRAM, project / PROGRAM.name)
    js = compile_typescript([project / PROGRAM.name], tmp_path / "build")
    program = next(js.rglob(f"{PROGRAM.stem}.js"))
    done = node(program, consumer_emulator.base_url, consumer_emulator.api_key, consumer_emulator.access_token)
    assert done.returncode == 0, done.stderr
    read: dict[str, Any] = json.loads(done.stdout)

    headers = credentials(consumer_emulator)
    me = httpx.get(consumer_emulator.base_url + "/v1/me", headers=headers).json()["data"]["user"]
    page = httpx.get(consumer_emulator.base_url + "/v1/me/followers?limit=5", headers=headers).json()
    followers = page["data"]["user"]["followers"]
    assert read == {
        "id": me["id"],
        "playbackVisibility": me.get("playbackVisibility"),
        "followers": [edge["node"]["id"] for edge in followers["edges"]],
        "hasNextPage": followers["pageInfo"]["hasNextPage"],
    }
    assert len(read["followers"]) == 5
