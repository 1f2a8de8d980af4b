"""schemathesis against the emulator in-process (ASGI): every operation, every check, every phase.

- ``test_operation_conforms`` runs once per operation of the spec, through the examples, coverage and fuzzing
  phases, each case sent with a token minted in-process for the demo user and validated by every check schemathesis
  has (the exceptions, each with its reason, are in the project's schemathesis.toml), plus one of ours that narrows
  those exceptions back down.
- ``TestStateful`` follows the spec's OpenAPI links (getCurrentUser -> getUser, followArtist -> unfollowArtist, ...)
  through sequences of calls on one emulator, with the stateful checks (use_after_free, ensure_resource_availability).

Both run on each store backend: the operation tests are parametrised by ``store_backend`` (STORE_BACKENDS), and the
stateful machine has a PostgreSQL twin, ``TestStatefulPostgres``, with the same settings and seed. On PostgreSQL each
fresh emulator is a copy of the worker's seeded template database (tests/store_backends.py).

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

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from postgres_cluster import PostgresCluster
from schemathesis import Case
from schemathesis.generation.stateful.state_machine import APIStateMachine
from store_backends import BACKENDS, SeededDatabases

from amazon_music_emulator import EmulatorApp, TokenGrant, create_app
from amazon_music_generated.operations import OPERATIONS

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "spec" / "amazon-music-user-v1.yaml"
CONFIG_PATH = ROOT / "schemathesis.toml"

SEED = int(os.environ.get("CONTRACT_SEED", "20260601"))
# Fuzzing-phase cases per operation and backend: 70 keeps `make test` within its 10 minutes now that both backends run
# every operation; `make fuzz-long` runs 1,000.
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "70"))
STATEFUL_EXAMPLES = int(os.environ.get("CONTRACT_STATEFUL_EXAMPLES", "100"))  # stateful scenarios
STATEFUL_STEPS = int(os.environ.get("CONTRACT_STATEFUL_STEPS", "10"))  # calls per scenario, at most

# Generation-speed health checks only: on a loaded CI machine they fail runs that found nothing wrong with the API.
HEALTH_CHECKS_OFF = [HealthCheck.too_slow, HealthCheck.filter_too_much]

STORE_BACKENDS = BACKENDS

config = schemathesis.Config.from_path(CONFIG_PATH)
config.update(seed=SEED, max_failures=None)
config.projects.override.generation.update(max_examples=MAX_EXAMPLES, database="none")


class FreshEmulator:
    """The ASGI app the cases are sent to: a new emulator (the seed's state, a new token) for every test, so that what
    a test sees does not depend on which tests ran before it on the same xdist worker; on the backend the current test
    named (``use``): SQLite in memory, or a seeded PostgreSQL database of its own."""

    def __init__(self) -> None:
        self._databases: SeededDatabases | None = None
        self._database: str | None = None
        self.app, self.grant = self._new()

    def use(self, databases: SeededDatabases | None) -> None:
        """From here on, emulators on PostgreSQL databases from ``databases``; None: on SQLite."""
        self._databases = databases

    def _new(self) -> tuple[EmulatorApp, TokenGrant]:
        self._database = None if self._databases is None else self._databases.take()
        app = create_app(self._database or ":memory:")
        return app, app.mint_token()  # the demo user, every scope

    def reset(self) -> None:
        self.close()
        self.app, self.grant = self._new()

    def close(self) -> None:
        """Close the emulator, and give its PostgreSQL database (if it has one) back to be dropped."""
        self.app.close()
        if self._databases is not None and self._database is not None:
            self._databases.give_back(self._database)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


EMULATOR = FreshEmulator()

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
    yield databases
    EMULATOR.use(None)
    EMULATOR.reset()  # the last PostgreSQL emulator closed, and its database given back before the supply closes
    databases.close()


@pytest.fixture(autouse=True)
def _fresh_emulator_and_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params["store_backend"] if callspec else getattr(request.cls, "STORE_BACKEND", "sqlite")
    EMULATOR.use(request.getfixturevalue("seeded_databases") if backend == "postgresql" else None)
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


def test_every_operation_of_the_spec_is_generated() -> None:
    operations = [result.ok() for result in schema.get_all_operations()]
    generated = {operation.definition.raw.get("operationId") for operation in operations}
    assert generated == {operation.operation_id for operation in OPERATIONS}


@schema.parametrize()
# store_backend is only the backend's name; the emulator is the autouse fixture's, one per test, as it always was.
@hypothesis.settings(deadline=None, suppress_health_check=[*HEALTH_CHECKS_OFF, HealthCheck.function_scoped_fixture])
def test_operation_conforms(case: Case, store_backend: str) -> None:
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


@hypothesis.seed(SEED)
class PostgresContractStateMachine(ContractStateMachine):
    """The same sequences, with each scenario's emulator on PostgreSQL."""


TestStateful = ContractStateMachine.TestCase
TestStatefulPostgres = PostgresContractStateMachine.TestCase
TestStatefulPostgres.STORE_BACKEND = "postgresql"
TestStateful.pytestmark = TestStatefulPostgres.pytestmark = [pytest.mark.long_running]
TestStateful.settings = TestStatefulPostgres.settings = hypothesis.settings(
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
