"""/healthz and /readyz: outside auth, faults and the spec; /readyz answers 503 when the database does not."""

from __future__ import annotations

import httpx
import pytest
from emulator_support import BACKENDS

from amazon_music_emulator import EmulatorApp
from amazon_music_emulator.__main__ import exposure_warning
from amazon_music_emulator.specfile import spec_dict

STORE_BACKENDS = BACKENDS


@pytest.mark.parametrize(("path", "status"), [("/healthz", "ok"), ("/readyz", "ready")])
async def test_probes_answer_without_credentials_even_when_every_api_call_faults(
    app: EmulatorApp, client: httpx.AsyncClient, path: str, status: str
) -> None:
    app.faults.fault_rate = 1.0
    assert (await client.get("/v1/me")).status_code in (429, 503)  # the control: the API faults
    response = await client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": status}


async def test_readyz_is_503_when_the_database_does_not_answer(app: EmulatorApp, client: httpx.AsyncClient) -> None:
    app.store.close()
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert (await client.get("/healthz")).status_code == 200  # the process still answers


def test_the_probes_are_not_in_the_api_spec() -> None:
    assert not {"/healthz", "/readyz"} & set(spec_dict()["paths"])


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_serving_on_loopback_warns_of_nothing(host: str) -> None:
    assert exposure_warning(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "sandbox.example"])
def test_serving_beyond_loopback_warns_that_others_can_reach_the_sandbox(host: str) -> None:
    warning = exposure_warning(host)
    assert warning is not None and f"--host {host}" in warning and "reachable by others" in warning
