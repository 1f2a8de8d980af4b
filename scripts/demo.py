"""`make demo`: a narrated tour of every operation through the `amazon-music` command, against a fresh emulator.

Starts `amazon-music-emulator serve` on a free port with a new database in a temporary folder (and a rate limit of
5 requests a second, so that one step is throttled and retried), writes a config file for its demo app there, logs in
with Login with Amazon (this script plays the browser), walks every operation, then stops the emulator and removes
the folder. Nothing outside that folder is read or written: AMAZON_MUSIC_CONFIG and AMAZON_MUSIC_TOKEN_FILE point
into it, and the caller's other AMAZON_MUSIC_* variables are left out.

Each step checks its exit code (and the follow round trips check the change); the tour exits 1 if any check fails.

    python scripts/demo.py [--rate-limit N] [--keep]
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from amazon_music_generated.operations import OPERATIONS as TABLE
from amazon_music_generated.operations import Operation

BIN = Path(sys.executable).parent
CLI = str(BIN / "amazon-music")
EMULATOR = str(BIN / "amazon-music-emulator")

ME = "zqll6htnhyb2welrqsrtrhdvaa"  # the demo user, the docs' "Tony Starked"
JANE = "uj7wxenmftr26zlg7eo4maa744"  # follows the demo user; the demo user does not follow her
DOCS_LISTS_USER = "zqll6htnhybrewrqsrtrhdvaa"  # the docs' example of another user's lists
PRIVATE_USER = "k35wo4lm34masdsadevrs7a"
NEW_ARTIST = "B01372OH53"  # a seeded artist ("Amber Signals") the demo user does not follow

# Every operation of the spec, as "METHOD /path" (from the operations table generated from it)
OPERATIONS = {f"{operation.http_method} {operation.path}" for operation in TABLE}

_TTY = sys.stdout.isatty()
# the banner lines read, by their labels (the first word after the label is the value)
_BANNER_LABELS = ("base URL", "x-api-key", "client_id", "client_secret", "faults")


def _style(text: str, code: str) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if _TTY else text


class Tour:
    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.shown: set[str] = set()
        self.failures: list[str] = []
        self.steps = 0

    def chapter(self, title: str, *operations: str) -> None:
        unknown = set(operations) - OPERATIONS
        assert not unknown, unknown
        self.shown.update(operations)
        self.steps += 1
        print()
        print(_style(f"── {self.steps}. {title}", "1;36"))
        for operation in operations:
            print(_style(f"   {operation}", "36"))

    def say(self, text: str) -> None:
        print(_style(f"   {text}", "2"))

    def run(self, args: Sequence[str], *, expect: int = 0, stdout_file: str | None = None) -> str:
        """Run `amazon-music ARGS`, show its output, check its exit code; stdout is returned (and shown)."""
        shown = " ".join(_quote(arg) for arg in args) + (f" > {stdout_file}" if stdout_file else "")
        print(_style(f"$ amazon-music {shown}", "1"))
        sys.stdout.flush()
        # With stdout going to a file, stderr stays the terminal's, so the progress bar and the retries show as a
        # user sees them; otherwise both are captured, to be shown in order: the data, then the notes.
        stderr = None if stdout_file else subprocess.PIPE
        result = subprocess.run([CLI, *args], env=self.env, stdout=subprocess.PIPE, stderr=stderr, text=True)
        if stdout_file:
            (self.workdir / stdout_file).write_text(result.stdout)
        else:
            sys.stdout.write(result.stdout)
            sys.stdout.flush()
            sys.stderr.write(result.stderr)
            sys.stderr.flush()
        if result.returncode != 0:
            print(_style(f"(exit {result.returncode})", "33"))
        if result.returncode != expect:
            self.fail(f"`amazon-music {shown}` exited {result.returncode}, expected {expect}")
        return result.stdout

    def check(self, condition: bool, what: str) -> None:
        if not condition:
            self.fail(what)

    def fail(self, what: str) -> None:
        self.failures.append(what)
        print(_style(f"!! {what}", "1;31"), file=sys.stderr)


def _quote(arg: str) -> str:
    return arg if arg and all(c.isalnum() or c in "-_.,:/=@" for c in arg) else f"'{arg}'"


# -- the emulator ---------------------------------------------------------------------------------------------------


class Emulator:
    """`amazon-music-emulator serve` in a child process; its banner read for the URL and demo credentials."""

    def __init__(self, workdir: Path, rate_limit: int) -> None:
        self.log = open(workdir / "emulator.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                EMULATOR,
                "serve",
                "--port",
                "0",
                "--db",
                str(workdir / "emulator.db"),
                "--reset",
                "--quiet",
                "--rate-limit",
                str(rate_limit),
            ],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.banner = self._read_banner(timeout=60)
        self.base_url = self.banner["base URL"]
        self._wait_ready(timeout=30)

    def _read_banner(self, timeout: float) -> dict[str, str]:
        lines: queue.Queue[str | None] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None

        def pump() -> None:  # keeps reading, so the emulator never blocks on a full pipe
            for line in stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, name="emulator-stdout", daemon=True).start()
        fields: dict[str, str] = {}
        deadline = time.monotonic() + timeout
        while "faults" not in fields:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise SystemExit("demo: the emulator printed no banner in time (see emulator.log)") from None
            if line is None:
                raise SystemExit(f"demo: the emulator exited ({self.process.wait()}); see emulator.log")
            text = line.strip()
            for label in _BANNER_LABELS:
                if text.startswith(label + " "):
                    fields[label] = text[len(label) :].split()[0]
        return fields

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.base_url}/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit("demo: the emulator did not start (see emulator.log)")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _write_config(path: Path, emulator: Emulator) -> None:
    lines = [
        f'base_url = "{emulator.base_url}"',
        f'api_key = "{emulator.banner["x-api-key"]}"',
        f'client_id = "{emulator.banner["client_id"]}"',
        f'client_secret = "{emulator.banner["client_secret"]}"',
        f'lwa_url = "{emulator.base_url}"',
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")


# -- the tour -------------------------------------------------------------------------------------------------------


def _login(tour: Tour) -> None:
    tour.chapter("Log in with Amazon: authorization code + PKCE, loopback redirect on 127.0.0.1")
    tour.say("`login` opens the browser; with --no-browser it prints the URL. Here the demo plays the browser,")
    tour.say("and the emulator's consent page grants at once.")
    print(_style("$ amazon-music login --no-browser", "1"))
    sys.stdout.flush()
    process = subprocess.Popen(
        [CLI, "login", "--no-browser", "--timeout", "30"], env=tour.env, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    url = None
    for line in process.stderr:
        sys.stderr.write(line)
        if line.startswith("http"):
            url = line.strip()
            break
    if url is None:
        tour.fail("login printed no URL")
        process.kill()
        return
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        page = browser.get(url)
    tour.say(f"(the browser landed on {page.url.copy_with(query=None)}: HTTP {page.status_code})")
    rest = process.stderr.read()
    sys.stderr.write(rest)
    tour.check(process.wait(timeout=30) == 0, "login did not succeed")


def _sample_call(operation: Operation) -> list[str]:
    """The operation's command with a sample ID for each path parameter (a user's or an artist's, by its pattern)."""
    words = list(operation.command)
    for parameter in operation.parameters:
        if parameter.location == "path" or (parameter.required and parameter.location == "query"):
            words.append(JANE if re.search(parameter.pattern or "", JANE) else NEW_ARTIST)
    return [*words, "--limit", "3"] if operation.paged else words


def _the_rest(tour: Tour) -> None:
    """Operations the chapters above do not tell (one the spec gained since): each by its command, once."""
    for operation in TABLE:
        shown = f"{operation.http_method} {operation.path}"
        if shown not in tour.shown:
            tour.chapter(operation.summary, shown)
            tour.run(_sample_call(operation))


def tour_all(tour: Tour) -> None:
    _login(tour)

    tour.chapter("Who am I? The token's scopes and expiry, never the token")
    tour.run(["whoami"])

    tour.chapter("Your profile", "GET /v1/me")
    tour.run(["me"])

    tour.chapter("Change it: options left out keep their values", "PUT /v1/me")
    out = tour.run(["me", "update", "--name", "Tony Stark", "--playback-visibility", "PRIVATE"])
    tour.check("Tony Stark" in out and "PRIVATE" in out, "me update did not show the new name and visibility")

    tour.chapter("Your library, one page of 5", "GET /v1/me/library/tracks")
    tour.run(["library", "tracks", "--limit", "5"])

    tour.chapter(
        "All your followers, 25 a page: the progress bar is on stderr, the data on stdout", "GET /v1/me/followers"
    )
    out = tour.run(["followers", "--all", "--limit", "25", "--json"], stdout_file="followers.jsonl")
    lines = out.splitlines()
    tour.say(f"followers.jsonl: {len(lines)} lines of JSON, the first: {lines[0] if lines else '(none)'}")
    tour.check(len(lines) >= 250, f"expected 250+ followers, got {len(lines)}")

    tour.chapter("What you follow", "GET /v1/me/followed/users", "GET /v1/me/followed/playlists")
    tour.run(["followed", "users", "--limit", "3"])
    tour.run(["followed", "playlists", "--limit", "3"])
    tour.chapter("... and podcast shows, as JSON Lines", "GET /v1/me/followed/podcasts/shows")
    tour.run(["followed", "podcasts", "--limit", "2", "--json"])

    tour.chapter(
        "Follow an artist and unfollow it again; the filtered list shows the change",
        "PUT /v1/me/followed/artists/{id}",
        "DELETE /v1/me/followed/artists/{id}",
        "GET /v1/users/{id}/followed/artists",
    )
    listing = ["user", "followed", "artists", ME, "--artist-ids", NEW_ARTIST]
    tour.check(NEW_ARTIST not in tour.run(listing), "the artist was followed before the demo followed it")
    tour.run(["follow", "artist", NEW_ARTIST])
    tour.check(NEW_ARTIST in tour.run(listing), "after `follow artist` the artist is not in the list")
    tour.run(["unfollow", "artist", NEW_ARTIST])
    tour.check(NEW_ARTIST not in tour.run(listing), "after `unfollow artist` the artist is still in the list")

    tour.chapter(
        "Follow a user and unfollow them again; their followers show the change",
        "PUT /v1/me/followed/users/{id}",
        "DELETE /v1/me/followed/users/{id}",
        "GET /v1/users/{id}/followers",
    )
    followers_of_jane = ["user", "followers", JANE]
    tour.check(ME not in tour.run(followers_of_jane), "the demo user followed Jane before the demo did")
    tour.run(["follow", "user", JANE])
    tour.check(ME in tour.run(followers_of_jane), "after `follow user` the demo user is not among Jane's followers")
    tour.run(["unfollow", "user", JANE])
    tour.check(ME not in tour.run(followers_of_jane), "after `unfollow user` the demo user is still a follower")

    tour.chapter(
        "Another user's public profile and lists",
        "GET /v1/users/{id}",
        "GET /v1/users/{id}/followed/users",
        "GET /v1/users/{id}/followed/podcasts/shows",
    )
    tour.run(["user", DOCS_LISTS_USER])
    tour.run(["user", "followed", "users", DOCS_LISTS_USER])
    tour.run(["user", "followed", "artists", DOCS_LISTS_USER, "--limit", "3"])
    tour.run(["user", "followed", "podcasts", DOCS_LISTS_USER])

    tour.chapter("Many profiles at once (100 IDs a request; unknown IDs are reported)", "GET /v1/users")
    tour.run(["users", ME, JANE, PRIVATE_USER, "nosuchuser"])

    _the_rest(tour)

    tour.chapter("A PRIVATE user's lists are refused: one line on stderr, exit code 4")
    tour.run(["user", "followers", PRIVATE_USER], expect=4)

    tour.chapter("Throttled: the emulator allows 5 requests a second; -v shows the retries (honouring Retry-After)")
    out = tour.run(["-v", "followed", "users", "--all", "--limit", "10", "--json"], stdout_file="followed-users.jsonl")
    tour.say(f"followed-users.jsonl: {len(out.splitlines())} lines, complete despite the 429s")

    tour.chapter("Log out: the token file is deleted")
    tour.run(["logout"])
    tour.run(["me"], expect=3)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate-limit", type=int, default=5, help="the emulator's requests per second (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, outputs)")
    options = parser.parse_args(argv)

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="amazon-music-demo-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("AMAZON_MUSIC_")}
    env |= {
        "AMAZON_MUSIC_CONFIG": str(workdir / "config.toml"),
        "AMAZON_MUSIC_TOKEN_FILE": str(workdir / "tokens.json"),
    }
    emulator = None
    try:
        print(_style("Amazon Music Web API: the CLI against a fresh emulator", "1"))
        emulator = Emulator(workdir, options.rate_limit)
        _write_config(workdir / "config.toml", emulator)
        print(f"   emulator  {emulator.base_url} (database {workdir / 'emulator.db'}, {options.rate_limit} requests/s)")
        print(f"   config    {workdir / 'config.toml'}: base_url, api_key, client_id, client_secret, lwa_url")
        tour = Tour(env, workdir)
        tour_all(tour)
        missing = OPERATIONS - tour.shown
        tour.check(not missing, f"operations not shown: {', '.join(sorted(missing))}")
    finally:
        if emulator is not None:
            emulator.stop()
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.monotonic() - started
    print()
    if tour.failures:
        print(_style(f"The tour failed {len(tour.failures)} check(s) in {elapsed:.1f} s:", "1;31"))
        for failure in tour.failures:
            print(f"  - {failure}")
        return 1
    print(
        _style(f"Done: {len(tour.shown)} of {len(OPERATIONS)} operations in {elapsed:.1f} s; emulator stopped.", "1;32")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
