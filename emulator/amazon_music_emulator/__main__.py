"""The ``amazon-music-emulator`` command (also ``python -m amazon_music_emulator``).

    amazon-music-emulator serve [--host 127.0.0.1] [--port 8080] [--db PATH|URL] [--reset] [--fault-rate F]
                                [--latency-ms N] [--rate-limit N] [--fault-seed N] [--seed-size KIND=N] [--quiet]
                                [--workers N] [--max-body-bytes N] [--cors-origin ORIGIN ...]
                                [--access-log text|json|off] [--access-log-file PATH] [--client-timeout SECONDS]
                                [--graceful-timeout SECONDS]
    amazon-music-emulator token [--db PATH|URL] [--tenant NAME] [--user ID] [--scopes "music::profile ..."]
                                [--ttl SECONDS] [--json] [--create]
    amazon-music-emulator tenant create NAME [--seed demo|empty] [--json] [--db PATH|URL]
    amazon-music-emulator tenant list [--json] [--db PATH|URL]
    amazon-music-emulator tenant delete NAME [--db PATH|URL]
    amazon-music-emulator tenant reset NAME [--db PATH|URL]
    amazon-music-emulator db upgrade [--db PATH|URL]
    amazon-music-emulator proxy --upstream URL [--port 8081] [--report FILE]   (see proxy.py)

``--db`` names the store: a SQLite file (a path, or ``sqlite:///path``) or a PostgreSQL database
(``postgresql://user:password@host/dbname``; see store.py for what each backend promises). ``db upgrade`` applies
the schema migrations the database lacks (opening a store does too).

The store defaults to a file in the user's data directory, so state persists across restarts; ``serve`` prints the
base URL and ready-to-use demo credentials when it starts. ``token`` mints into the same store, so a running
emulator on that file accepts the token at once; it refuses a database that does not exist (another --db, another
data folder) unless given --create. ``serve`` binds its port before it opens the store, and ``--reset`` refuses a
store another live emulator serves (a SQLite file: serving.claim_database; PostgreSQL: Store.hold_serving_lock).
Without the ``emulator`` extra the command says which extra to install.

``serve`` writes an access log (``--access-log``: uvicorn's text lines, or JSON lines, see access_log.py), cuts off
clients that send a request too slowly (``--client-timeout``), and on SIGTERM finishes the requests in flight within
``--graceful-timeout`` seconds and exits 0 (see serving.py).

Tenants are isolated worlds in one database (see tenants.py); the default tenant is the world ``serve`` prints the demo
credentials of. ``tenant create`` prints a new tenant's API key, LWA client ID and secret (shown once: only its hash is
kept) and its demo user; a running emulator on that database serves the tenant at once, as it does a reset or a delete.

``serve --workers N`` runs N uvicorn processes on one listening socket and one database file. The state stays one:
every write is a transaction on the shared file, and what a worker remembers (see auth.py) is checked against the
file's generation on each request. What lives in a process is per worker: on a SQLite file the rate limit counts per
API key in each worker (up to N times the limit in all; on PostgreSQL the database counts for every process, see
faults.py), and each worker draws its own random fault sequence from ``--fault-seed``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import ipaddress
import json
import os
import socket
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import platformdirs

# The server side is an extra: without it, say which one to install rather than fail on an import (even for --help).
_EXTRA_MODULES = ("yaml", "connexion", "uvicorn", "orjson", "itsdangerous", "jsonschema")


def _missing_extra() -> str | None:
    from importlib.util import find_spec

    return next((name for name in _EXTRA_MODULES if find_spec(name) is None), None)


if (_missing := _missing_extra()) is not None:
    sys.exit(
        f"amazon-music-emulator needs the emulator's server dependencies (no module {_missing!r}): "
        "pip install 'amazon-music-webapi[emulator]'"
    )

# connexion imports starlette.testclient, which warns about httpx on every start; the command has no use for it.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from amazon_music_emulator import specfile  # noqa: E402
from amazon_music_emulator.access_log import STDOUT, AccessLogMiddleware, open_access_log  # noqa: E402
from amazon_music_emulator.app import EmulatorApp, create_app  # noqa: E402
from amazon_music_emulator.auth import DEFAULT_TOKEN_TTL, AuthService  # noqa: E402
from amazon_music_emulator.bodies import DEFAULT_MAX_BODY_BYTES  # noqa: E402
from amazon_music_emulator.proxy import proxy_command  # noqa: E402
from amazon_music_emulator.routing import DOCS_PATH  # noqa: E402
from amazon_music_emulator.seed import (  # noqa: E402
    DEMO_API_KEY,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_USER_ID,
    SEEDS,
    SeedConfig,
    open_store,
)
from amazon_music_emulator.serving import (  # noqa: E402
    ACCESS_LOG_FORMATS,
    DEFAULT_CLIENT_TIMEOUT,
    DEFAULT_GRACEFUL_TIMEOUT,
    HTTP_PROTOCOL,
    ServeConfig,
    ServeSupervisor,
    claim_database,
    listen,
    logged_app,
    reset_refused,
    serve_until_stopped,
    share_database,
)
from amazon_music_emulator.store import (  # noqa: E402
    DEFAULT_TENANT,
    SQLITE_SCHEME,
    TENANT_NAME,
    Store,
    StoreInUse,
    StoreUnavailable,
    is_postgres,
    redacted,
)
from amazon_music_emulator.tenants import UnknownTenant, create_tenant, delete_tenant, reset_tenant  # noqa: E402

__all__ = ["default_db_path", "exposure_warning", "main"]


_OPTION_OF_FIELD = {"user": "--user", "scope": "--scopes", "ttl": "--ttl", "api_key": "--api-key", "tenant": "--tenant"}


def default_db_path() -> Path:
    return platformdirs.user_data_path("amazon-music-emulator", appauthor=False) / "emulator.db"


# One --db option for every command that opens the store.
_db_option = click.option(
    "--db",
    metavar="PATH|URL",
    help="SQLite file (a path or sqlite:///path) or postgresql://user:password@host/dbname [default: user data dir].",
)


def _database(db: str | None) -> Path | str:
    """The store --db names: a SQLite file's Path (or ``:memory:``), or a PostgreSQL URL as given."""
    if db is None:
        return default_db_path()
    if is_postgres(db):
        return db
    path = db.removeprefix(SQLITE_SCHEME) if db.startswith(SQLITE_SCHEME) else db
    if not path:
        raise click.BadParameter("expected a file path, sqlite:///path or postgresql://...", param_hint="--db")
    return path if path == ":memory:" else Path(path)


def exposure_warning(host: str) -> str | None:
    """The warning ``serve --host`` deserves when others can reach it (any interface but loopback), else None."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        loopback = False
    if loopback:
        return None
    return (
        f"warning: --host {host}: the sandbox is reachable by others on the network, and anyone who reaches it can "
        "use the demo credentials printed below"
    )


def _seed_config(sizes: tuple[str, ...]) -> SeedConfig | None:
    if not sizes:
        return None
    fields = {f.name for f in dataclasses.fields(SeedConfig)} - {"random_seed"}
    values: dict[str, int] = {}
    for item in sizes:
        kind, _, number = item.partition("=")
        if kind not in fields or not number.isdigit():
            raise click.BadParameter(
                f"expected KIND=N with KIND one of {', '.join(sorted(fields))}", param_hint="--seed-size"
            )
        values[kind] = int(number)
    try:
        return SeedConfig(**values)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--seed-size") from None


def _cors_origins(values: tuple[str, ...]) -> tuple[str, ...]:
    """The --cors-origin values, each ``*`` or a bare origin (scheme://host[:port], no path)."""
    for value in values:
        parts = urlsplit(value)
        is_origin = parts.scheme in ("http", "https") and parts.netloc and not (parts.path or parts.query)
        if value != "*" and not is_origin:
            raise click.BadParameter(
                f"{value!r} is not an origin: expected scheme://host[:port] (e.g. http://localhost:3000) or *",
                param_hint="--cors-origin",
            )
    return values


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """A local, stateful emulator of the Amazon Music Web API (User v1)."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port (0: a free one).")
@_db_option
@click.option(
    "--reset",
    is_flag=True,
    help="Empty the whole store and seed it again: every tenant but the default one is deleted.",
)
@click.option("--fault-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of API requests answered 429/503.")
@click.option("--latency-ms", default=0.0, type=click.FloatRange(0), help="Milliseconds added to every API request.")
@click.option("--rate-limit", default=0, type=click.IntRange(0), help="Requests per second per API key (0: no limit).")
@click.option("--fault-seed", default=0, type=int, help="Seed of the random fault sequence.")
@click.option("--token-ttl", default=DEFAULT_TOKEN_TTL, type=click.IntRange(1), help="Access token lifetime, seconds.")
@click.option(
    "--seed-size", multiple=True, metavar="KIND=N", help="Seed size, e.g. followers=10000 (with a new store)."
)
@click.option(
    "--max-body-bytes",
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body accepted; a larger one is answered 413.",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Let browser pages from ORIGIN (e.g. http://localhost:3000; repeatable; * for any) call the emulator.",
)
@click.option(
    "--access-log",
    type=click.Choice(ACCESS_LOG_FORMATS),
    default=None,
    help="Access log: text (uvicorn's lines), json (one JSON object per request), off [default: text, or json with "
    "--access-log-file].",
)
@click.option(
    "--access-log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append the JSON access log to this file (created readable by you only) instead of stdout.",
)
@click.option("--quiet", is_flag=True, help="No access log (--access-log off).")
@click.option(
    "--client-timeout",
    default=DEFAULT_CLIENT_TIMEOUT,
    show_default=True,
    type=click.FloatRange(0, min_open=True),
    help="Seconds a client has to send a whole request (head and body); then 408 and the connection closes.",
)
@click.option(
    "--graceful-timeout",
    default=DEFAULT_GRACEFUL_TIMEOUT,
    show_default=True,
    type=click.IntRange(0),
    help="On SIGTERM, seconds to finish the requests in flight before they are cut off.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the database file (rate limit and fault sequence are then per worker).",
)
def serve(
    host: str,
    port: int,
    db: str | None,
    reset: bool,
    fault_rate: float,
    latency_ms: float,
    rate_limit: int,
    fault_seed: int,
    token_ttl: int,
    seed_size: tuple[str, ...],
    max_body_bytes: int,
    cors_origins: tuple[str, ...],
    access_log: str | None,
    access_log_file: Path | None,
    quiet: bool,
    client_timeout: float,
    graceful_timeout: int,
    workers: int,
) -> None:
    """Serve the emulator; print its base URL and demo credentials."""
    db_path = _database(db)
    if workers > 1 and str(db_path) == ":memory:":
        raise click.BadParameter("several workers share one database file; give --db a file", param_hint="--workers")
    origins = _cors_origins(cors_origins)
    seed = _seed_config(seed_size)
    log_format = _access_log_format(access_log, access_log_file, quiet=quiet)
    log_descriptor = _open_access_log(access_log_file) if log_format == "json" else None
    if (warning := exposure_warning(host)) is not None:
        click.echo(warning, err=True)
    # Nothing is touched before the port is this process's, and a reset needs the database to itself.
    sock, base_url = listen(host, port, backlog=2048)
    sock.set_inheritable(True)
    with contextlib.ExitStack() as claims:
        # A SQLite file is claimed with a lock file; a PostgreSQL database with a session's advisory lock (store.py).
        share = _claim(claims, db_path, reset=reset)
        settings = _ServeSettings(
            workers=workers,
            log_format=log_format,
            log_descriptor=log_descriptor,
            log_file=access_log_file,
            client_timeout=client_timeout,
            graceful_timeout=graceful_timeout,
        )
        _serve(
            sock,
            base_url,
            db_path,
            share,
            settings,
            functools.partial(
                create_app,
                db_path,
                fault_rate=fault_rate,
                latency_ms=latency_ms,
                rate_limit=rate_limit,
                fault_seed=fault_seed,
                token_ttl=token_ttl,
                max_body_bytes=max_body_bytes,
                cors_origins=origins,
            ),
            seed=seed,
            reset=reset,
        )


def _access_log_format(access_log: str | None, log_file: Path | None, *, quiet: bool) -> str:
    """The access log's format from --access-log, --access-log-file and --quiet (an alias of --access-log off)."""
    if quiet and access_log not in (None, "off"):
        raise click.BadParameter(
            f"turns the access log off; it contradicts --access-log {access_log}", param_hint="--quiet"
        )
    chosen = "off" if quiet else access_log or ("json" if log_file is not None else "text")
    if log_file is not None and chosen != "json":
        raise click.BadParameter(
            "writes the JSON access log: use it with --access-log json", param_hint="--access-log-file"
        )
    return chosen


def _open_access_log(log_file: Path | None) -> int:
    try:
        return open_access_log(log_file)
    except OSError as exc:
        raise click.BadParameter(f"cannot open {log_file}: {exc.strerror}", param_hint="--access-log-file") from None


def _claim(claims: contextlib.ExitStack, db_path: Path | str, *, reset: bool) -> Callable[[], None]:
    """Claim the database for this process's lifetime (``claims`` lets go of it); the function that makes a reset's
    exclusive claim a shared one again."""
    if isinstance(db_path, Path):
        descriptor = claim_database(db_path, reset=reset)
        claims.callback(os.close, descriptor)
        return functools.partial(share_database, descriptor)
    if db_path == ":memory:":
        return lambda: None
    try:
        store = claims.enter_context(Store(db_path, upgrade=False))
        return claims.enter_context(store.hold_serving_lock(exclusive=reset))
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    except StoreInUse:
        raise reset_refused(redacted(db_path)) from None


@dataclasses.dataclass(frozen=True)
class _ServeSettings:
    """How ``serve`` runs the server, beyond the app: processes, access log and timeouts."""

    workers: int
    log_format: str
    log_descriptor: int | None
    log_file: Path | None
    client_timeout: float
    graceful_timeout: int

    def config(self, app: Any, **settings: Any) -> ServeConfig:
        return ServeConfig(
            app,
            client_timeout=self.client_timeout,
            timeout_graceful_shutdown=self.graceful_timeout,
            http=HTTP_PROTOCOL,
            log_level="info",
            access_log=self.log_format == "text",
            lifespan="on",
            server_header=False,
            **settings,
        )


def _serve(
    sock: socket.socket,
    base_url: str,
    db_path: Path | str,
    share: Callable[[], None],
    settings: _ServeSettings,
    factory: Callable[..., EmulatorApp],
    *,
    seed: SeedConfig | None,
    reset: bool,
) -> None:
    """Open (seed, reset) the store, print the banner, and serve until stopped."""
    import uvicorn

    try:
        app = factory(seed=seed, reset=reset)
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    share()
    grant = app.mint_token()
    click.echo(
        "\n".join(
            [
                "Amazon Music Web API emulator (User v1)",
                f"  base URL       {base_url}",
                f"  API reference  {base_url}{DOCS_PATH}/   spec: {base_url}/openapi.yaml",
                f"  database       {redacted(db_path)}",
                f"  demo user      {DEMO_USER_ID} (Tony Starked), every scope, token valid {grant.expires_in} s",
                f"  x-api-key      {DEMO_API_KEY}",
                f"  Authorization  Bearer {grant.access_token}",
                f"  Login with Amazon: {base_url}/ap/oa and {base_url}/auth/o2/token",
                f"    client_id     {DEMO_CLIENT_ID}",
                f"    client_secret {DEMO_CLIENT_SECRET}",
                f"  faults         fault_rate={app.faults.fault_rate} latency_ms={app.faults.latency_ms} "
                f"rate_limit={app.faults.rate_limit}",
                "Try:",
                f"  curl -H 'x-api-key: {DEMO_API_KEY}' \\\n       -H 'Authorization: Bearer {grant.access_token}' \\\n"
                f"       {base_url}/v1/me",
            ]
        )
    )
    sys.stdout.flush()
    if settings.workers == 1:
        served: Any = app
        if settings.log_descriptor is not None:
            served = AccessLogMiddleware(app, settings.log_descriptor)
        try:
            serve_until_stopped(uvicorn.Server(settings.config(served)), sock)
        finally:
            app.close()
        return
    app.close()
    # Each worker opens the (by then seeded) database, and the access log, itself: the app is built in the worker.
    worker_app: Callable[[], Any] = factory
    if settings.log_descriptor is not None:
        if settings.log_descriptor != STDOUT:
            os.close(settings.log_descriptor)
        worker_app = functools.partial(logged_app, factory, settings.log_file)
    ServeSupervisor(settings.config(worker_app, factory=True, workers=settings.workers), sockets=[sock]).run()


def _tenant_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A tenant name as the store accepts it, else a click error naming the parameter."""
    if not TENANT_NAME.fullmatch(value):
        raise click.BadParameter(f"{value!r} is not a tenant name: 1 to 63 of a-z, 0-9 and '-'")
    return value


def _open_existing(db: str | None, *, create: bool = False, can_create: bool = False) -> Store:
    """The store --db names, refused when it is a SQLite file that does not exist yet (unless ``create``): a new
    database would hold what no running emulator serves."""
    db_path = _database(db)
    if not create and isinstance(db_path, Path) and not db_path.exists():
        hint = ", or --create to make and seed it" if can_create else ""
        raise click.BadParameter(
            f"{db_path} does not exist: give the --db of the running emulator{hint}", param_hint="--db"
        )
    try:
        return open_store(db_path)
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@_db_option
@click.option(
    "--tenant",
    default=DEFAULT_TENANT,
    show_default=True,
    callback=_tenant_name,
    help="The tenant whose user and API key the token is for.",
)
@click.option("--user", "user_id", default=DEMO_USER_ID, show_default=True, help="The seeded user to mint for.")
@click.option("--scopes", default=None, help="Space-separated scopes [default: every scope].")
@click.option("--ttl", default=DEFAULT_TOKEN_TTL, show_default=True, type=click.IntRange(1), help="Lifetime, seconds.")
@click.option("--api-key", default=None, help="The API key the token is bound to [default: the tenant's first].")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of the bare access token.")
@click.option("--create", is_flag=True, help="Create and seed the database when it does not exist yet.")
def token(
    db: str | None,
    tenant: str,
    user_id: str,
    scopes: str | None,
    ttl: int,
    api_key: str | None,
    as_json: bool,
    create: bool,
) -> None:
    """Mint an access token for a seeded user of a tenant, in the database a running emulator serves (the same
    --db)."""
    store = _open_existing(db, create=create, can_create=True)
    try:
        with _click_errors():
            key = api_key or _tenant_api_key(store, tenant)
            profile = store.get_security_profile(api_key=key)
            if profile is not None and profile.tenant != tenant:
                raise ValueError(f"api_key: belongs to another tenant than {tenant!r}")
            auth = AuthService(store, specfile.oauth_scopes())
            grant = auth.mint(user_id, None if scopes is None else scopes.split(), ttl=ttl, api_key=key)
    finally:
        store.close()
    click.echo(json.dumps(grant.as_json()) if as_json else grant.access_token)


def _tenant_api_key(store: Store, tenant: str) -> str:
    if tenant == DEFAULT_TENANT:
        return DEMO_API_KEY
    profiles = store.tenant(tenant).security_profiles()
    if not profiles:
        raise UnknownTenant(f"tenant: no tenant {tenant!r}")
    return profiles[0].api_key


@contextlib.contextmanager
def _click_errors() -> Iterator[None]:
    """A ValueError or LookupError whose message starts with "field: " as a click error naming that option."""
    try:
        yield
    except (ValueError, LookupError) as exc:
        field, _, problem = str(exc).partition(": ")
        raise click.BadParameter(problem, param_hint=_OPTION_OF_FIELD.get(field, field)) from None


@main.group()
def tenant() -> None:
    """Tenants: isolated worlds (users, follows, library, API keys, LWA clients, tokens) in one database."""


_tenant_argument = click.argument("name", callback=_tenant_name)


@tenant.command("create")
@_tenant_argument
@click.option("--seed", type=click.Choice(SEEDS), default="demo", show_default=True, help="The world it starts with.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@_db_option
def tenant_create(name: str, seed: str, as_json: bool, db: str | None) -> None:
    """Create tenant NAME; print its API key, LWA client ID and secret (shown once), and its demo user."""
    store = _open_existing(db, create=True)
    try:
        credentials = create_tenant(store, name, seed)
    except ValueError as exc:
        raise click.BadParameter(str(exc).partition(": ")[2], param_hint="NAME") from None
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(credentials.as_json()))
        return
    click.echo(
        "\n".join(
            [
                f"tenant         {credentials.tenant} (seed: {seed})",
                f"  x-api-key      {credentials.api_key}",
                f"  client_id      {credentials.client_id}",
                f"  client_secret  {credentials.client_secret}   (shown once: only its hash is kept)",
                f"  demo user      {credentials.user_id}",
            ]
        )
    )


@tenant.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@_db_option
def tenant_list(as_json: bool, db: str | None) -> None:
    """List the tenants: name, seed, when made, and how many users, follows, library tracks and tokens each holds."""
    store = _open_existing(db)
    try:
        tenants = store.tenants()
    finally:
        store.close()
    listed = [
        {
            "tenant": record.name,
            "seed": record.seed,
            "created": datetime.datetime.fromtimestamp(record.created_at, datetime.UTC).isoformat(timespec="seconds"),
            "counts": record.counts,
        }
        for record in tenants
    ]
    if as_json:
        click.echo(json.dumps(listed))
        return
    kinds = list(tenants[0].counts) if tenants else []
    header = ["tenant", "seed", "created", *kinds]
    rows = [
        [str(item["tenant"]), _short(str(item["seed"])), str(item["created"]), *map(str, record.counts.values())]
        for item, record in zip(listed, tenants, strict=True)
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _short(seed: str) -> str:
    """A seed as a table cell: a sized demo seed's JSON is "sized"."""
    return seed if seed in SEEDS else "sized"


@tenant.command("delete")
@_tenant_argument
@_db_option
def tenant_delete(name: str, db: str | None) -> None:
    """Delete tenant NAME and everything in it (the default tenant cannot be deleted)."""
    store = _open_existing(db)
    try:
        delete_tenant(store, name)
    except (ValueError, UnknownTenant) as exc:
        raise click.BadParameter(str(exc).partition(": ")[2], param_hint="NAME") from None
    finally:
        store.close()
    click.echo(f"deleted tenant {name}")


@tenant.command("reset")
@_tenant_argument
@_db_option
def tenant_reset(name: str, db: str | None) -> None:
    """Put tenant NAME back to its seed: its data, tokens and cursors go, its API key and LWA client stay."""
    store = _open_existing(db)
    try:
        reset_tenant(store, name)
    except UnknownTenant as exc:
        raise click.BadParameter(str(exc).partition(": ")[2], param_hint="NAME") from None
    finally:
        store.close()
    click.echo(f"reset tenant {name} to its seed")


@main.group()
def db() -> None:
    """The emulator's database: its schema migrations."""


@db.command()
@_db_option
def upgrade(db: str | None) -> None:
    """Apply the schema migrations the database lacks (each in one transaction); print its schema version."""
    location = _database(db)
    try:
        store = Store(location, upgrade=False)
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    try:
        applied = store.upgrade()
        version = store.schema_version()
    finally:
        store.close()
    done = f"applied migration {', '.join(map(str, applied))}" if applied else "nothing to apply"
    click.echo(f"{redacted(location)}: schema version {version} ({done})")


main.add_command(proxy_command)


if __name__ == "__main__":
    main()
