"""Fuzz any deployment of the API against the spec with the schemathesis CLI; JUnit and HTML reports in reports/.

    python scripts/fuzz.py --base-url URL [--allow-writes | --safe-only] [--report-dir reports] [--max-examples N]
                           [--seed N] [--phases examples,coverage,fuzzing,stateful] [--max-time S] [--workers N]

What `make fuzz BASE_URL=... [API_KEY=... TOKEN=...] [ALLOW_WRITES=1]` runs. Credentials come from the environment
only (AMAZON_MUSIC_API_KEY, AMAZON_MUSIC_ACCESS_TOKEN; the Makefile maps API_KEY and TOKEN onto them), so they never
sit on a command line. They reach schemathesis as `${...}` placeholders in a temporary config file that it resolves
itself, and schemathesis masks `Authorization` and `x-api-key` in its output and reports.

Against a host that is not loopback only safe requests go out, unless --allow-writes (or ALLOW_WRITES=1): GET
operations only, and the coverage phase's "unexpected method" probes limited to OPTIONS and TRACE (--safe-only applies
the same limits to any host). Every check runs, with the exceptions recorded in the project's schemathesis.toml,
which this script builds on. The reports: reports/fuzz-junit.xml and reports/fuzz-html/index.html.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "spec" / "amazon-music-user-v1.yaml"
PROJECT_CONFIG = ROOT / "schemathesis.toml"
API_KEY_ENV = "AMAZON_MUSIC_API_KEY"
TOKEN_ENV = "AMAZON_MUSIC_ACCESS_TOKEN"
PHASES = ("examples", "coverage", "fuzzing", "stateful")
SAFE_UNEXPECTED_METHODS = ["options", "trace"]  # RFC 9110 safe methods the coverage phase may probe with


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def toml_value(value: Any) -> str:
    """A TOML value written inline (tables as inline tables): enough for schemathesis.toml, no extra dependency."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string literal is a valid TOML basic string (same escapes)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def toml_document(config: dict[str, Any]) -> str:
    return "".join(f"{toml_key(key)} = {toml_value(value)}\n" for key, value in config.items())


def build_config(*, with_api_key: bool, with_token: bool, safe_only: bool, cache_dir: Path) -> dict[str, Any]:
    """The project's schemathesis.toml plus credentials as placeholders and, for live hosts, the safe-only limits."""
    config: dict[str, Any] = {}
    if PROJECT_CONFIG.exists():
        config = tomllib.loads(PROJECT_CONFIG.read_text(encoding="utf-8"))
    if "hooks" in config:  # schemathesis reads a relative path from its working directory, not the file's
        config["hooks"] = str(PROJECT_CONFIG.parent / config["hooks"])
    headers: dict[str, str] = dict(config.get("headers", {}))
    if with_api_key:
        headers["x-api-key"] = "${" + API_KEY_ENV + "}"
    if with_token:
        headers["Authorization"] = "Bearer ${" + TOKEN_ENV + "}"
    if headers:
        config["headers"] = headers
    # `st replay` reads its cases from here (credentials masked); kept with the reports, out of the source tree.
    config.setdefault("cache", {}).setdefault("directory", str(cache_dir))
    if safe_only:
        coverage = config.setdefault("phases", {}).setdefault("coverage", {})
        coverage["unexpected-methods"] = SAFE_UNEXPECTED_METHODS
    return config


def schemathesis_command(
    args: argparse.Namespace, config_path: Path, junit: Path, html: Path, *, safe_only: bool
) -> list[str]:
    """The `st run` command line; it carries no credential (they come through the config's placeholders)."""
    cmd = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config_path),
        "run",
        str(args.spec),
        "--url",
        args.base_url,
        "--checks",
        "all",
        "--phases",
        args.phases,
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        str(args.workers),
        "--report",
        "junit,html",
        "--report-junit-path",
        str(junit),
        "--report-html-path",
        str(html),
        "--output-sanitize",
        "true",
        "--no-color",
    ]
    if args.max_time is not None:
        cmd += ["--max-time", str(args.max_time)]
    if safe_only:
        cmd += ["--include-method", "GET", "--rate-limit", "auto"]
    return cmd


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the deployment to fuzz, e.g. http://127.0.0.1:8080")
    parser.add_argument(
        "--allow-writes",
        action="store_true",
        default=os.environ.get("ALLOW_WRITES", "") not in ("", "0"),
        help="also send PUT/DELETE to a host that is not loopback (default: GET only); env ALLOW_WRITES=1",
    )
    parser.add_argument(
        "--safe-only",
        action="store_true",
        help="GET only even on loopback (what a live host gets without --allow-writes), to try it on an emulator",
    )
    parser.add_argument("--report-dir", type=Path, default=ROOT / "reports", help="where JUnit and HTML reports go")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--max-examples", type=int, default=25, help="fuzzing cases per operation (default 25)")
    parser.add_argument("--seed", type=int, default=20260601, help="fixed by default so runs are reproducible")
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated subset of " + ",".join(PHASES))
    parser.add_argument("--max-time", type=int, default=None, help="overall time budget in seconds")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    parts = urlsplit(args.base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        parser.error(f"--base-url: expected an http(s) URL with a host, got {args.base_url!r}")
    unknown = [p for p in args.phases.split(",") if p not in PHASES]
    if unknown:
        parser.error(f"--phases: unknown phase(s) {', '.join(unknown)}; choose from {', '.join(PHASES)}")
    if args.max_examples < 1:
        parser.error("--max-examples: must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    host = urlsplit(args.base_url).hostname or ""
    safe_only = args.safe_only or (not is_loopback(host) and not args.allow_writes)
    with_api_key, with_token = bool(os.environ.get(API_KEY_ENV)), bool(os.environ.get(TOKEN_ENV))
    if not (with_api_key and with_token):
        missing = [name for name, present in ((API_KEY_ENV, with_api_key), (TOKEN_ENV, with_token)) if not present]
        print(f"fuzz: warning: {' and '.join(missing)} not set; requests go out without them", file=sys.stderr)
    config = build_config(
        with_api_key=with_api_key, with_token=with_token, safe_only=safe_only, cache_dir=args.report_dir / "cache"
    )
    args.report_dir.mkdir(parents=True, exist_ok=True)
    junit, html = args.report_dir / "fuzz-junit.xml", args.report_dir / "fuzz-html"
    junit.unlink(missing_ok=True)  # a report left by an earlier run must not pass for this one's
    shutil.rmtree(html, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        config_path = Path(tmp) / "schemathesis.toml"
        # Only placeholders are written here; schemathesis reads the values from its environment.
        config_path.write_text(toml_document(config), encoding="utf-8")
        config_path.chmod(0o600)
        cmd = schemathesis_command(args, config_path, junit, html, safe_only=safe_only)
        mode = "safe requests only (GET)" if safe_only else "all operations"
        shown = urlsplit(args.base_url)._replace(netloc=urlsplit(args.base_url).netloc.rpartition("@")[2]).geturl()
        print(f"fuzz: {shown}: {mode}; seed {args.seed}; reports in {args.report_dir}", flush=True)
        code = subprocess.call(cmd, cwd=ROOT)
    written = [str(p) for p in (junit, html / "index.html") if p.exists()]
    print(f"fuzz: exit {code}; reports: {', '.join(written) or 'none'}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
