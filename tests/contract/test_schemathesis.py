"""schemathesis against the emulator in-process (ASGI): every operation, every check, every phase, on both backends.

- ``test_operation_conforms`` runs once per operation of the spec, through the examples, coverage and fuzzing
  phases, each case sent with a token minted in-process for the demo user and validated by every check schemathesis
  has (the exceptions, each with its reason, are in the project's schemathesis.toml), plus one of ours that narrows
  those exceptions back down.
- ``TestStateful`` follows the spec's OpenAPI links (getCurrentUser -> getUser, followArtist -> unfollowArtist, ...)
  through sequences of calls on one emulator, with the stateful checks (use_after_free, ensure_resource_availability).

Every request goes to two emulators with the seed's state (``TwinEmulators``): one on SQLite, one on PostgreSQL (a
copy of the worker's seeded template database, tests/store_backends.py). The checks judge the SQLite answer, and the
PostgreSQL answer must be the same, byte for byte: so each case is generated once and proves both backends.

The seed is fixed, so a run is reproducible; the counts are bounded to keep `make test` short. `make fuzz-long` runs
the same suite with more cases (CONTRACT_MAX_EXAMPLES, CONTRACT_STATEFUL_EXAMPLES, CONTRACT_SEED).
The conftest prints how many cases ran per operation and phase.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from contract_support import schemathesis_project_config
from hypothesis import HealthCheck
from postgres_cluster import PostgresCluster
from schemathesis import Case
from schemathesis.generation.stateful.state_machine import APIStateMachine
from store_backends import SeededDatabases

from amazon_music_emulator import EmulatorApp, TokenGrant, create_app
from amazon_music_emulator.store import DEFAULT_TENANT
from amazon_music_generated.operations import OPERATIONS

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "spec" / "amazon-music-user-v1.yaml"

SEED = int(os.environ.get("CONTRACT_SEED", "20260601"))
# Fuzzing-phase cases per operation, each sent to both backends; `make fuzz-long` runs 1,000.
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "50"))
STATEFUL_EXAMPLES = int(os.environ.get("CONTRACT_STATEFUL_EXAMPLES", "50"))  # stateful scenarios, each on both backends
STATEFUL_STEPS = int(os.environ.get("CONTRACT_STATEFUL_STEPS", "10"))  # calls per scenario, at most

# Generation-speed health checks only: on a loaded CI machine they fail runs that found nothing wrong with the API.
HEALTH_CHECKS_OFF = [HealthCheck.too_slow, HealthCheck.filter_too_much]

config = schemathesis.Config.from_dict(schemathesis_project_config())
config.update(seed=SEED, max_failures=None)
config.projects.override.generation.update(max_examples=MAX_EXAMPLES, database="none")


Message = dict[str, Any]


class TwinEmulators:
    """The ASGI app the cases are sent to: each request is answered by two new emulators with the seed's state, one on
    SQLite (in memory) and one on PostgreSQL (a seeded database of its own), made anew for every test and stateful
    scenario, so that what a test sees does not depend on which tests ran before it on the same xdist worker.

    schemathesis gets the SQLite answer; the PostgreSQL answer must equal it (status, headers, body), or the request
    fails naming both. The two share the demo API key and their cursor key; each has its own access token, so the
    SQLite token a case carries is swapped for the PostgreSQL one on the way there."""

    BACKENDS = "sqlite+postgresql"

    def __init__(self) -> None:
        self._databases: SeededDatabases | None = None
        self._postgres: EmulatorApp | None = None
        self._postgres_authorization = b""
        self._postgres_written = False  # whether the PostgreSQL twin may hold more than the seed
        self._database: str | None = None
        self.app, self.grant = self._new_sqlite()

    @staticmethod
    def _new_sqlite() -> tuple[EmulatorApp, TokenGrant]:
        app = create_app(":memory:")
        return app, app.mint_token()  # the demo user, every scope

    def use(self, databases: SeededDatabases) -> None:
        """From the next reset on, the PostgreSQL twins are databases from ``databases``."""
        self._databases = databases

    def reset(self) -> None:
        """Both emulators back to the seed's state. A PostgreSQL twin that was sent reads only is kept: a new database
        per stateful scenario would cost more than the scenario itself."""
        self.app.close()
        self.app, self.grant = self._new_sqlite()
        if self._postgres_written or self._postgres is None:
            self._close_postgres()
            assert self._databases is not None, "the seeded_databases fixture supplies the PostgreSQL twins"
            self._database = self._databases.take()
            self._postgres = create_app(self._database)
            self._postgres_authorization = f"Bearer {self._postgres.mint_token().access_token}".encode()
            self._postgres_written = False
        secret = self.app.store.cursor_secret()
        assert secret is not None
        self._postgres.store.set_cursor_secret(DEFAULT_TENANT, secret)

    def _close_postgres(self) -> None:
        if self._postgres is not None:
            self._postgres.close()
            self._postgres = None
        if self._databases is not None and self._database is not None:
            self._databases.give_back(self._database)
            self._database = None

    def close(self) -> None:
        """Close both emulators, and give the PostgreSQL database back to be dropped."""
        self.app.close()
        self._close_postgres()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        assert self._postgres is not None, "every request is answered by both backends"
        request = [message := await receive()]
        while message.get("more_body", False):
            request.append(message := await receive())
        sqlite_answer = await _answer(self.app, scope, request)
        sqlite_authorization = f"Bearer {self.grant.access_token}".encode()
        headers = [
            (name, self._postgres_authorization if value == sqlite_authorization else value)
            for name, value in scope["headers"]
        ]
        self._postgres_written |= scope["method"] not in ("GET", "HEAD", "OPTIONS")
        postgres_answer = await _answer(self._postgres, {**scope, "headers": headers}, request)
        if postgres_answer != sqlite_answer:
            raise AssertionError(
                f"{scope['method']} {scope['path']}?{scope['query_string'].decode()}: PostgreSQL answered "
                f"{_shown(postgres_answer)}, SQLite {_shown(sqlite_answer)}"
            )
        for message in sqlite_answer:
            await send(message)


async def _answer(app: EmulatorApp, scope: Any, request: list[Message]) -> list[Message]:
    """What ``app`` sends for the request whose messages are ``request`` (then a disconnect, as a client gone)."""
    pending = iter(request)
    answer: list[Message] = []

    async def receive() -> Message:
        return next(pending, {"type": "http.disconnect"})

    async def send(message: Message) -> None:
        answer.append(message)

    await app(scope, receive, send)
    return answer


def _shown(answer: list[Message]) -> str:
    start = next((message for message in answer if message["type"] == "http.response.start"), {})
    body = b"".join(message.get("body", b"") for message in answer)
    return f"{start.get('status')} {start.get('headers')} {body[:500]!r}"


EMULATOR = TwinEmulators()

schema = schemathesis.openapi.from_path(SPEC_PATH, config=config)
schema.app = EMULATOR

# Cases per operation and phase, and answers per status class, in this process; the autouse fixture hands them to
# conftest.py's summary under these user_properties keys.
CASES: defaultdict[str, Counter[str]] = defaultdict(Counter)
STATUSES: defaultdict[str, Counter[str]] = defaultdict(Counter)
CASES_PROPERTY = "schemathesis_cases"
STATUSES_PROPERTY = "schemathesis_statuses"


@schema.auth(refresh_interval=None)  # not cached: every test and stateful scenario gets a new emulator and token
class MintedToken:
    """Every case carries the demo API key and a minted access token; the checks send variants without them."""

    def get(self, case: Case, context: Any) -> str:
        return EMULATOR.grant.access_token

    def set(self, case: Case, data: str, context: Any) -> None:
        api_key = EMULATOR.grant.api_key
        case.headers = {**(case.headers or {}), "x-api-key": api_key, "Authorization": f"Bearer {data}"}


@schemathesis.check
def positive_data_accepted_outside_recorded_exceptions(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """positive_data_acceptance without the two exceptions in schemathesis.toml: they widen the check to 400 for
    whole operations, this puts it back for every request they are not about (no cursor; not following yourself)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return None
    if "cursor" in (case.query or {}):
        return None
    following_yourself = case.path_parameters == {"id": EMULATOR.grant.user_id}
    if case.operation.label == "PUT /v1/me/followed/users/{id}" and following_yourself:
        return None
    raise AssertionError(f"Schema-valid request without a cursor refused with 400: {response.text}")


@pytest.fixture(scope="module")
def seeded_databases(postgres_cluster: PostgresCluster) -> Iterator[SeededDatabases]:
    databases = SeededDatabases(postgres_cluster)
    EMULATOR.use(databases)
    yield databases
    EMULATOR.close()  # the last PostgreSQL twin closed, and its database given back before the supply closes
    databases.close()


@pytest.fixture(autouse=True)
def _fresh_emulators_and_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    request.getfixturevalue("seeded_databases")
    EMULATOR.reset()
    CASES.clear()
    STATUSES.clear()
    yield
    for operation, counts in CASES.items():
        request.node.user_properties.append((CASES_PROPERTY, (operation, dict(counts))))
    for operation, counts in STATUSES.items():
        request.node.user_properties.append((STATUSES_PROPERTY, (operation, dict(counts))))


def _count(case: Case, phase: str | None = None) -> None:
    name = phase or (case.meta.phase.name.value if case.meta is not None else "explicit")
    CASES[case.operation.label][name] += 1


def _count_status(case: Case, response: schemathesis.Response) -> None:
    STATUSES[case.operation.label][f"{response.status_code // 100}xx"] += 1


async def test_the_twins_must_answer_alike() -> None:
    """The backend comparison can fail: a name changed on the SQLite twin alone fails the next GET /v1/me."""
    headers = {"x-api-key": EMULATOR.grant.api_key, "Authorization": f"Bearer {EMULATOR.grant.access_token}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=EMULATOR), base_url="http://emulator") as client:
        assert (await client.get("/v1/me", headers=headers)).status_code == 200
        EMULATOR.app.store.update_user(
            EMULATOR.grant.user_id, name="renamed", visibility="PUBLIC", playback_visibility="PUBLIC"
        )
        with pytest.raises(AssertionError, match=r"^GET /v1/me\?: PostgreSQL answered 200 .*SQLite 200 .*renamed"):
            await client.get("/v1/me", headers=headers)


def test_every_operation_of_the_spec_is_generated() -> None:
    operations = [result.ok() for result in schema.get_all_operations()]
    generated = {operation.definition.raw.get("operationId") for operation in operations}
    assert generated == {operation.operation_id for operation in OPERATIONS}


@schema.parametrize()
# The parameter names who answers; it also gives each operation's test an id of its own, which pytest 9 takes from the
# parameters only (tests/conftest.py refuses repeated ids: xdist would run one of them).
@pytest.mark.parametrize("answered_by", [TwinEmulators.BACKENDS])
@hypothesis.settings(deadline=None, suppress_health_check=[*HEALTH_CHECKS_OFF, HealthCheck.function_scoped_fixture])
def test_operation_conforms(case: Case, answered_by: str) -> None:
    _count(case)
    response = case.call()
    _count_status(case, response)
    case.validate_response(response)


@hypothesis.seed(SEED)
class ContractStateMachine(schema.as_state_machine()):  # type: ignore[misc]
    """Sequences of linked calls; each step counted under the operation it calls, phase "stateful"."""

    def setup(self) -> None:
        # Each scenario starts from the seed's state: Hypothesis replays scenarios while it explores and shrinks, and
        # a replay must meet the same answers, or it stops with FlakyStrategyDefinition.
        EMULATOR.reset()

    def before_call(self, case: Case) -> None:
        _count(case, "stateful")

    def after_call(self, response: schemathesis.Response, case: Case) -> None:
        super().after_call(response, case)
        _count_status(case, response)


TestStateful = ContractStateMachine.TestCase
TestStateful.pytestmark = [pytest.mark.long_running]
TestStateful.settings = hypothesis.settings(
    max_examples=STATEFUL_EXAMPLES,
    stateful_step_count=STATEFUL_STEPS,
    deadline=None,
    database=None,
    suppress_health_check=HEALTH_CHECKS_OFF,
)


def test_stateful_phase_follows_every_link_of_the_spec() -> None:
    links = [
        name
        for path_item in schema.raw_schema["paths"].values()
        for operation in path_item.values()
        if isinstance(operation, dict)
        for response in operation.get("responses", {}).values()
        for name in response.get("links", {})
    ]
    assert issubclass(ContractStateMachine, APIStateMachine)
    assert schema.statistic.transitions.total == schema.statistic.transitions.selected == len(links) > 0
