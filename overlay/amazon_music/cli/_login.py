"""login, logout, whoami: Login with Amazon's authorization code flow with PKCE, and what the saved login holds.

login: a PKCE pair and an unguessable state; a loopback receiver on 127.0.0.1 at a random port; the browser sent to
the authorize URL (or the URL printed with --no-browser); the redirect's state checked before anything else; the code
exchanged for tokens; the tokens saved 0600. With a client secret (environment or config file) LWA adds a refresh
token, and every later command renews the access token by itself. Nothing here prints a token.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import replace
from datetime import UTC, datetime

import click

from ._exit import CliError, ExitCode
from ._output import note, print_json, print_record
from ._state import CliState, pass_state

__all__ = ["register"]


def _format_expiry(expires_at: float | None) -> str:
    if expires_at is None:
        return "unknown"
    moment = datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    left = expires_at - time.time()
    if left <= 0:
        return f"{moment} (expired)"
    minutes, seconds = divmod(int(left), 60)
    return f"{moment} (in {minutes} min {seconds} s)" if minutes < 60 else f"{moment} (in {minutes // 60} h)"


@click.command()
@click.option("--client-id", help="The security profile's client ID [env AMAZON_MUSIC_CLIENT_ID, config client_id].")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    metavar="SCOPE",
    help="A scope to ask for (repeatable) [default: music::profile music::favorites music::catalog].",
)
@click.option("--region", type=click.Choice(["NA", "EU", "FE"], case_sensitive=False), help="LWA region [NA].")
@click.option("--lwa-url", metavar="URL", help="An emulator's Login with Amazon (its /ap/oa and /auth/o2/token).")
@click.option("--no-browser", is_flag=True, help="Print the URL to open instead of opening a browser.")
@click.option("--timeout", default=300.0, show_default=True, type=click.FloatRange(min=1), help="Seconds to wait.")
@pass_state
def login(
    state: CliState,
    client_id: str | None,
    scopes: tuple[str, ...],
    region: str | None,
    lwa_url: str | None,
    no_browser: bool,
    timeout: float,
) -> None:
    """Log in with Amazon (authorization code + PKCE, loopback redirect on 127.0.0.1).

    The tokens go to a file only you can read (0600; see --token-file). The client secret, when you have one, comes
    from AMAZON_MUSIC_CLIENT_SECRET or the config file, never a flag: with it LWA adds a refresh token, and commands
    renew the access token by themselves; without it the login lasts an hour.
    """
    import secrets

    from amazon_music import build_authorize_url, exchange_code, generate_pkce
    from amazon_music._config import LoginRecord, save_login

    from ._loopback import LoopbackReceiver

    settings = state.settings(
        client_id=client_id, scopes=" ".join(scopes) or None, region=region and region.upper(), lwa_url=lwa_url
    )
    if not settings.client_id:
        raise CliError(
            "login: no client ID: pass --client-id, set AMAZON_MUSIC_CLIENT_ID, or put client_id in "
            f"{settings.config_path}",
            ExitCode.USAGE,
        )
    authorize_url, token_url = settings.lwa_endpoints()
    pkce = generate_pkce()
    expected_state = secrets.token_urlsafe(32)

    def verdict(query: dict[str, str]) -> str | None:
        if not hmac.compare_digest(query.get("state", ""), expected_state):
            return "the redirect's state does not match this login (a stale or forged redirect)"
        if "error" in query:
            description = query.get("error_description")
            return f"Login with Amazon refused: {query['error']}" + (f" ({description})" if description else "")
        if not query.get("code"):
            return "the redirect carries no authorization code"
        return None

    with LoopbackReceiver(verdict) as receiver:
        url = build_authorize_url(
            settings.client_id, receiver.redirect_uri, settings.scopes, state=expected_state, pkce=pkce,
            authorize_url=authorize_url,
        )  # fmt: skip
        if no_browser:
            note(f"Open this URL in a browser to log in (waiting up to {timeout:g} s):\n{url}")
        else:
            import webbrowser

            note(f"Opening the browser to log in; if it does not open, visit:\n{url}")
            webbrowser.open(url)
        outcome = receiver.wait(timeout)
    if outcome is None:
        raise CliError(f"login: no redirect came back within {timeout:g} s; nothing was saved", ExitCode.AUTH)
    query, problem = outcome
    if problem is not None:
        raise CliError(f"login: {problem}; nothing was saved", ExitCode.AUTH)
    tokens = exchange_code(
        query["code"],
        client_id=settings.client_id,
        redirect_uri=receiver.redirect_uri,
        code_verifier=pkce.verifier,
        client_secret=settings.client_secret,
        token_url=token_url,
    )
    if tokens.scope is None:  # LWA's token response leaves the scope out; the redirect says what was granted
        tokens = replace(tokens, scope=query.get("scope") or " ".join(settings.scopes))
    save_login(settings.token_file, tokens, LoginRecord(settings.client_id, token_url, time.time()))
    renewal = "renewed automatically" if tokens.refresh_token else "no refresh token: log in again when it expires"
    note(f"Logged in. Tokens saved to {settings.token_file} (0600); access token {renewal}.")
    note(f"  scopes   {tokens.scope}")
    note(f"  expires  {_format_expiry(tokens.expires_at)}")


@click.command()
@pass_state
def logout(state: CliState) -> None:
    """Forget the saved login (delete the token file)."""
    from amazon_music._config import forget_login

    settings = state.settings()
    removed = forget_login(settings.token_file)
    if removed:
        note(f"Logged out: removed {', '.join(str(path) for path in removed)}")
    else:
        note(f"Not logged in ({settings.token_file} does not exist)")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def whoami(state: CliState, as_json: bool) -> None:
    """Who the commands act as: the user, the token's scopes and expiry (never the token)."""
    from amazon_music import LWAAuth, PermissionDeniedError

    settings = state.settings()
    credentials = state.credentials()
    user_id = name = None
    problem = None
    with state.client(credentials) as music:
        try:
            me = music.me()
        except PermissionDeniedError as exc:  # a token without music::profile still has a scope list to show
            problem = str(exc)
        else:
            user_id, name = me.id, me.name if isinstance(me.name, str) else None
    tokens = credentials.auth.tokens if isinstance(credentials.auth, LWAAuth) else credentials.tokens
    scope = tokens.scope if tokens is not None else None
    expires_at = tokens.expires_at if tokens is not None else None
    refreshes = isinstance(credentials.auth, LWAAuth) and bool(credentials.auth.tokens.refresh_token)
    if as_json:
        print_json(
            {
                "user": {"id": user_id, "name": name} if user_id else None,
                "scopes": scope.split() if scope else None,
                "expiresAt": datetime.fromtimestamp(expires_at, UTC).isoformat() if expires_at else None,
                "refreshable": refreshes,
                "source": credentials.source,
                "baseUrl": settings.base_url,
            }
        )
    else:
        who = f"{name} ({user_id})" if name else (user_id or f"unknown: {problem}")
        print_record(
            [
                ("User", who),
                ("Scopes", scope or "unknown (not recorded with the token)"),
                ("Expires", _format_expiry(expires_at)),
                ("Renewal", "automatic (refresh token saved)" if refreshes else "none: log in again when it expires"),
                ("Credentials", credentials.source),
                ("API", settings.base_url),
            ]
        )


def register(group: click.Group) -> None:
    for command in (login, logout, whoami):
        group.add_command(command)
