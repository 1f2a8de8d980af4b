"""Fault injection: reproducible random 429/503, added latency, a per-key rate limit, knobs changed while serving."""

from __future__ import annotations

import time

import httpx
from emulator_support import assert_error

from amazon_music_emulator import OTHER_API_KEY, EmulatorApp, create_app
from amazon_music_generated.operations import OPERATIONS


async def statuses(app: EmulatorApp, count: int) -> list[tuple[int, str | None]]:
    grant = app.mint_token()
    headers = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}
    seen = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator.test") as client:
        for _ in range(count):
            response = await client.get("/v1/me", headers=headers)
            if response.status_code == 429:
                assert_error(response, 429, "THROTTLED")
                assert int(response.headers["retry-after"]) >= 0
            elif response.status_code == 503:
                assert_error(response, 503, "SERVICE_UNAVAILABLE")
            else:
                assert response.status_code == 200
            seen.append((response.status_code, response.headers.get("retry-after")))
    return seen


async def test_random_faults_are_reproducible_from_the_seed() -> None:
    runs = []
    for seed in (7, 7, 8):
        app = create_app(fault_rate=0.5, fault_seed=seed, validate_responses=True)
        runs.append(await statuses(app, 120))
        app.close()
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
    codes = [status for status, _ in runs[0]]
    assert 30 <= codes.count(200) <= 90  # about half
    assert codes.count(429) > 5 and codes.count(503) > 5  # both kinds


async def test_fault_knobs_change_while_serving(
    app: EmulatorApp, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    app.faults.fault_rate = 1.0
    assert {(await client.get("/v1/me", headers=headers)).status_code for _ in range(20)} <= {429, 503}
    app.faults.fault_rate = 0.0
    assert {(await client.get("/v1/me", headers=headers)).status_code for _ in range(20)} == {200}


async def test_reseeding_restarts_the_fault_sequence(app: EmulatorApp) -> None:
    app.faults.fault_rate = 0.3
    app.faults.reseed(42)
    first = await statuses(app, 40)
    app.faults.reseed(42)
    assert await statuses(app, 40) == first


async def test_faults_spare_docs_spec_and_login(app: EmulatorApp, client: httpx.AsyncClient) -> None:
    app.faults.fault_rate = 1.0
    for path in ("/openapi.json", "/openapi.yaml", "/docs/"):
        assert (await client.get(path)).status_code == 200
    assert (await client.post("/auth/o2/token", data={})).status_code == 400  # an OAuth error, not a fault


async def test_latency_is_added_to_api_requests(
    app: EmulatorApp, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    app.faults.latency_ms = 120
    started = time.monotonic()
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    assert time.monotonic() - started >= 0.12


async def test_rate_limit_per_api_key_with_retry_after(app: EmulatorApp, client: httpx.AsyncClient) -> None:
    now = [1000.0]
    app.faults.clock = lambda: now[0]
    app.faults.rate_limit = 5
    demo, other = app.mint_token(), app.mint_token(api_key=OTHER_API_KEY)
    demo_headers = {"x-api-key": demo.api_key, "Authorization": f"Bearer {demo.access_token}"}
    other_headers = {"x-api-key": other.api_key, "Authorization": f"Bearer {other.access_token}"}
    for _ in range(5):
        assert (await client.get("/v1/me", headers=demo_headers)).status_code == 200
    throttled = await client.get("/v1/me", headers=demo_headers)
    assert_error(throttled, 429, "THROTTLED")
    assert int(throttled.headers["retry-after"]) == 1
    assert (await client.get("/v1/me", headers=other_headers)).status_code == 200  # another key, its own budget
    now[0] += 1.01
    assert (await client.get("/v1/me", headers=demo_headers)).status_code == 200
    app.faults.rate_limit = 0
    assert {(await client.get("/v1/me", headers=demo_headers)).status_code for _ in range(20)} == {200}


def test_fault_knobs_refuse_bad_values(app: EmulatorApp) -> None:
    import pytest

    for name, value in (("fault_rate", 1.5), ("fault_rate", -0.1), ("latency_ms", -1), ("rate_limit", -1)):
        with pytest.raises(ValueError, match=f"^{name}: "):
            setattr(app.faults, name, value)


async def test_default_fault_answers_are_documented_on_every_operation(
    app: EmulatorApp, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    # Faults test clients against the contract, so what they answer must be in it, body schema included.
    from openapi_schema_validator import OAS30Validator

    from amazon_music_emulator.faults import DEFAULT_FAULT_STATUSES
    from amazon_music_emulator.specfile import spec_dict

    spec = spec_dict()
    operations = [op for item in spec["paths"].values() for op in item.values() if "operationId" in op]
    assert len(operations) == len(OPERATIONS)
    app.faults.fault_rate = 1.0
    answers = {}
    for _ in range(40):
        response = await client.get("/v1/me", headers=headers)
        answers[response.status_code] = response
    assert set(answers) == set(DEFAULT_FAULT_STATUSES)
    for op in operations:
        for status, response in answers.items():
            documented = op["responses"].get(str(status))
            assert documented is not None, f"{op['operationId']}: {status} is not documented"
            target = documented["$ref"].removeprefix("#/components/responses/")
            schema = spec["components"]["responses"][target]["content"]["application/json"]["schema"]
            errors = list(OAS30Validator({"components": spec["components"], **schema}).iter_errors(response.json()))
            assert errors == [], f"{op['operationId']} {status}: {errors}"
