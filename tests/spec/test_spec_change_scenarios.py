"""The job this package is for, done as a maintainer would on a copy of the repository: the documentation changes,
the spec is edited, `make generate` runs, and everything follows with no other hand edit (README, "When the
documentation changes"). Each scenario edits a fresh copy (spec_change_support.RepoCopy) and runs focused checks on it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from spec_change_support import SPEC, RepoCopy, generated_only

pytestmark = pytest.mark.long_running  # each test copies the repository and runs make generate

FOLLOWERS_PARAMETERS = """      parameters:
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Cursor'
      responses:
        '200':
          description: One page of followers.
"""
FOLLOWED_USERS_LIMIT = """        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Cursor'
      responses:
        '200':
          description: One page of followed users.
"""
ERROR_RESPONSES = "".join(
    f"        '{status}': {{$ref: '#/components/responses/{name}'}}\n"
    for status, name in (
        ("400", "BadRequest"),
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
        ("404", "NotFound"),
        ("429", "TooManyRequests"),
        ("500", "InternalServerError"),
        ("503", "ServiceUnavailable"),
    )
)
FOLLOW_PATH = "  /v1/me/followed/artists/{id}:\n"
NEW_LISTING = """  /v1/me/followed/artists:
    get:
      operationId: getCurrentUserFollowedArtists
      x-python-method: followed_artists
      x-cli-command: followed artists
      x-page-items: 'data.user.followedArtists.edges[].node'
      tags: [me]
      summary: List the artists the current user follows
      description: Pages through the artists the current user follows.
      security:
        - apiKey: []
          lwa: [music::favorites:read]
      parameters:
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Cursor'
      responses:
        '200':
          description: One page of followed artists.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/FollowedArtistsResponse'
              examples:
                docs:
                  summary: The documentation's example
                  value:
                    data:
                      user:
                        id: zqll6htnhyb2welrqsrtrhdvaa
                        name: Tony Starked
                        url: https://music.amazon.com/profiles/zqll6htnhyb2welrqsrtrhdvaa
                        followedArtists:
                          pageInfo:
                            hasNextPage: false
                          edgeCount: 1
                          edges:
                            - node:
                                id: B000QKGN8W
                                name: Coldplay
                                url: https://music.amazon.com/artists/B000QKGN8W
"""

# Run on the copy: what a user of the new keyword sees, and what the emulator says about a bad value.
NEW_PARAMETER_CHECKS = """
import inspect, json
import httpx
from amazon_music import AmazonMusic, AsyncAmazonMusic, ValidationError
from amazon_music.testing import emulate
from amazon_music.testing._emulator import IN_PROCESS_BASE_URL

report = {}
for client in (AmazonMusic, AsyncAmazonMusic):
    parameters = inspect.signature(client.followers).parameters
    report[client.__name__] = {name: str(parameters[name].annotation) for name in ("sort", "offset")}
    report[client.__name__ + " help"] = client.followers.__doc__

def no_request(request):
    raise AssertionError(f"a request was sent: {request.url}")

sync = AmazonMusic("key", token="t", transport=httpx.MockTransport(no_request), max_retries=0)
aio = AsyncAmazonMusic("key", token="t", transport=httpx.MockTransport(no_request), max_retries=0)
refused = []
for call in (
    lambda: sync.followers(sort="SIDEWAYS"),
    lambda: sync.followers(offset=1001),
    lambda: aio.followers(sort="upwards"),
    lambda: aio.followers(offset=-1),
):
    try:
        call()
    except ValidationError as exc:
        refused.append(exc.argument)
report["refused"] = refused

class Recording(httpx.BaseTransport):
    def __init__(self, inner):
        self.inner, self.queries = inner, []
    def handle_request(self, request):
        self.queries.append(dict(request.url.params))
        return self.inner.handle_request(request)

with emulate() as emulator:
    recording = Recording(emulator.transport)
    token = emulator.token()
    with AmazonMusic(emulator.api_key, token=token, base_url=IN_PROCESS_BASE_URL, transport=recording) as music:
        report["walked"] = len(list(music.followers(sort="NEWEST", offset=3, max_items=5)))
        report["plain"] = len(list(music.followers(max_items=2)))
    report["queries"] = recording.queries
    with httpx.Client(transport=emulator.transport, base_url=IN_PROCESS_BASE_URL) as raw:
        answer = raw.get("/v1/me/followers", params={"offset": 5000}, headers=emulator.headers())
        report["emulator"] = [answer.status_code, answer.json()["error"]["message"]]
print(json.dumps(report))
"""

LOWER_MAXIMUM_CHECKS = """
import json
import re
import httpx
from amazon_music import AmazonMusic, ValidationError
from amazon_music.testing import emulate
from amazon_music.testing._emulator import IN_PROCESS_BASE_URL

class Recording(httpx.BaseTransport):
    def __init__(self, inner):
        self.inner, self.limits = inner, []
    def handle_request(self, request):
        self.limits.append(request.url.params.get("limit"))
        return self.inner.handle_request(request)

report = {}
with emulate() as emulator:
    recording = Recording(emulator.transport)
    token = emulator.token()
    with AmazonMusic(emulator.api_key, token=token, base_url=IN_PROCESS_BASE_URL, transport=recording) as music:
        try:
            music.followed_users(limit=51)
        except ValidationError as exc:
            report["refused"] = [exc.argument, str(exc)]
        report["walked"] = len(list(music.followed_users(max_items=120)))
        report["limits"] = list(recording.limits)
        report["followers_page"] = len(next(iter(music.followers(limit=100).pages())).edges)
print(json.dumps(report))
"""


@pytest.fixture
def repo(tmp_path: Path) -> RepoCopy:
    return RepoCopy(tmp_path)


def test_a_new_query_parameter_is_a_keyword_an_option_and_a_check_after_make_generate(repo: RepoCopy) -> None:
    repo.edit(
        SPEC,
        FOLLOWERS_PARAMETERS,
        FOLLOWERS_PARAMETERS.replace(
            "        - $ref: '#/components/parameters/Cursor'\n",
            "        - $ref: '#/components/parameters/Cursor'\n"
            "        - name: sort\n          in: query\n          required: false\n"
            "          description: The order of the followers.\n"
            "          schema:\n            type: string\n            enum: [NEWEST, OLDEST]\n"
            "            default: OLDEST\n"
            "        - name: offset\n          in: query\n          required: false\n"
            "          description: How many followers to skip.\n"
            "          schema:\n            type: integer\n            minimum: 0\n            maximum: 1000\n"
            "            default: 0\n",
        ),
    )
    repo.generate()
    assert generated_only(repo.changed()) == {str(SPEC)}  # no other file changed

    report = json.loads(repo.python(NEW_PARAMETER_CHECKS))
    for client in ("AmazonMusic", "AsyncAmazonMusic"):
        assert report[client] == {"sort": "Literal['NEWEST', 'OLDEST'] | None", "offset": "int | None"}
        assert (
            "sort: The order of the followers (NEWEST or OLDEST; the API's default OLDEST)." in report[client + " help"]
        )
    assert report["refused"] == ["sort", "offset", "sort", "offset"]  # before any request, sync and async
    assert report["walked"] == 5
    assert report["queries"][0] == {"sort": "NEWEST", "offset": "3", "limit": "5"}
    assert report["queries"][-1] == {"limit": "2"}  # not given: left out, not the generated code's default sent
    status, message = report["emulator"]
    assert status == 400 and "offset" in message

    help_text = repo.cli("followers", "--help")
    assert help_text.returncode == 0 and "--sort [newest|oldest]" in help_text.stdout.lower()
    assert "--offset" in help_text.stdout and "How many followers to skip" in help_text.stdout
    assert repo.cli("followers", "--offset", "1001").returncode == 2  # the spec's bound, before any request


def test_a_lower_limit_maximum_moves_the_check_and_the_page_size(repo: RepoCopy) -> None:
    repo.edit(
        SPEC,
        FOLLOWED_USERS_LIMIT,
        FOLLOWED_USERS_LIMIT.replace(
            "        - $ref: '#/components/parameters/Limit'\n",
            "        - name: limit\n          in: query\n          required: false\n"
            "          description: The maximum number of users on this page.\n"
            "          schema:\n            type: integer\n            minimum: 1\n            maximum: 50\n"
            "            default: 50\n",
        ),
    )
    repo.generate()
    assert generated_only(repo.changed()) == {str(SPEC)}

    report = json.loads(repo.python(LOWER_MAXIMUM_CHECKS))
    assert report["refused"] == ["limit", "limit: 51 is outside 1..50"]
    assert report["walked"] == 120
    assert report["limits"] == ["50", "50", "20"]  # pages that fit the new maximum; the last asks for what is left
    assert report["followers_page"] == 100  # the other listings keep theirs

    help_text = repo.cli("followed", "users", "--help")
    assert "Page size, 1 to 50." in help_text.stdout
    assert repo.cli("followed", "users", "--limit", "51").returncode == 2


def test_a_new_listing_is_a_spec_edit_a_changelog_entry_and_one_emulator_declaration(repo: RepoCopy) -> None:
    repo.edit(SPEC, FOLLOW_PATH, NEW_LISTING + ERROR_RESPONSES + FOLLOW_PATH)
    repo.edit(SPEC, "  version: 1.2.0\n", "  version: 1.3.0\n")
    repo.edit(
        "spec/CHANGELOG.md",
        "## [1.2.0]",
        "## [1.3.0] - 2026-12-02\n\n### Added\n"
        "- `GET /v1/me/followed/artists`: the artists the current user follows.\n\n"
        "## [1.2.0]",
    )
    listings = "emulator/amazon_music_emulator/handlers/listings.py"
    repo.edit(
        listings,
        '    "getCurrentUserFollowedUsers": ListingRoute("followed_users"),\n',
        '    "getCurrentUserFollowedUsers": ListingRoute("followed_users"),\n'
        '    "getCurrentUserFollowedArtists": ListingRoute("followed_artists"),\n',
    )
    repo.generate()
    assert generated_only(repo.changed()) == {str(SPEC), "spec/CHANGELOG.md", listings}

    # The focused part of `make test` for a new listing: the table and the clients' methods (sync and async, with
    # paging) against the spec, a walk of it against the emulator's store, its command, its scope, the contract suite
    # on it, the spec's own checks, and the count nowhere typed.
    output = repo.pytest(
        "tests/unit/test_operations_table.py",
        "tests/spec/test_spec.py",
        "tests/client/test_scenarios.py::test_full_walk_matches_the_store",
        "tests/client/test_scenarios.py::test_pages_add_up",
        "tests/cli/test_cli_operations.py::test_every_operation_of_the_spec_has_its_command",
        "tests/cli/test_cli_operations.py::test_every_operation_has_a_command",
        "tests/contract/test_schemathesis.py",
        "-k",
        "not test_full_walk and not test_pages_add_up and not test_operation_conforms and not TestStateful"
        " and not check_generated_fails"  # (that one runs the generator on a summary edit: not about the change)
        " or test_full_walk and followed_artists or test_pages_add_up and followed_artists"
        " or test_operation_conforms and GET and artists and not users",
        "-rA",  # a PASSED line for each test
    )
    new_listing = [line for line in output.splitlines() if "followed_artists" in line and "user_followed" not in line]
    # the full walk (two page sizes) and the pages, sync and async
    assert len([line for line in new_listing if "PASSED" in line]) >= 6, output[-3000:]
    # the contract suite's summary (tests/conftest.py): cases run on the new operation, every one passed
    assert re.search(r"GET /v1/me/followed/artists +[1-9][0-9]* +\(", output), output[-3000:]
    assert "PASSED tests/contract/test_schemathesis.py::test_operation_conforms" in output

    help_text = repo.cli("followed", "artists", "--help")
    assert help_text.returncode == 0 and "List the artists the current user follows" in help_text.stdout
