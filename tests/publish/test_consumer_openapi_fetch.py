"""Consumer matrix, row 4: openapi-typescript's types of the published bundle and openapi-fetch (project-local in
tools/npm). typescript/walk_listings.ts compiles under `tsc --strict`, walks every page of every listing the spec
has against the emulator, and counts the same items as the Python client (amazon_music.AmazonMusic)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from consumer_support import RunningEmulator, compile_typescript, listings, node
from publish_support import SPEC_NAME

from amazon_music import AmazonMusic, Paginator
from amazon_music_generated.operations import OPERATIONS

PROGRAM = Path(__file__).parent / "typescript" / "walk_listings.ts"
DEMO_USER = "zqll6htnhyb2welrqsrtrhdvaa"
PAGE_SIZE = 10


def _python_method(operation_id: str) -> str:
    """The AmazonMusic method that calls this operation: the spec's x-python-method, through the operations table."""
    return next(op.method for op in OPERATIONS if op.operation_id == operation_id)


def test_openapi_fetch_walks_every_listing_like_the_python_client(
    published: Path, bundle_json: dict[str, Any], consumer_emulator: RunningEmulator, tmp_path: Path
) -> None:
    paged = listings(bundle_json)
    walk = {
        "baseUrl": consumer_emulator.base_url,
        "apiKey": consumer_emulator.api_key,
        "accessToken": consumer_emulator.access_token,
        "limit": PAGE_SIZE,
        "listings": [
            {"operationId": operation_id, "path": path, "pathParams": {"id": DEMO_USER} if "{id}" in path else {}}
            for operation_id, path in paged.items()
        ],
    }
    js = compile_typescript([PROGRAM], tmp_path, types_of=published / "spec" / f"{SPEC_NAME}.yaml")
    walked = node(js / f"{PROGRAM.stem}.js", json.dumps(walk))
    assert walked.returncode == 0, walked.stderr
    typescript_counts = json.loads(walked.stdout)

    python_counts = {}
    with AmazonMusic(
        consumer_emulator.api_key, token=consumer_emulator.access_token, base_url=consumer_emulator.base_url
    ) as music:
        for operation_id, path in paged.items():
            method = getattr(music, _python_method(operation_id))
            result = method(DEMO_USER, limit=PAGE_SIZE) if "{id}" in path else method(limit=PAGE_SIZE)
            assert isinstance(result, Paginator)
            python_counts[operation_id] = sum(1 for _ in result)

    assert typescript_counts == python_counts
    assert set(typescript_counts) == set(paged)
    assert sum(typescript_counts.values()) > PAGE_SIZE * len(paged), "several pages walked"
