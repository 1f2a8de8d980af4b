"""``amazon-music-emulator serve`` as a separate process: a second serve cannot harm a running one (port first,
--reset refused on a served database), no ``server`` header, and request bodies that cannot blow up its memory.

The port check runs on both store backends. The --reset refusal runs on SQLite (the lock file beside it,
serving.claim_database); its PostgreSQL form is the reset lock of the shared-sandbox serve operations, which brings
its own test. The memory bound runs on SQLite only: bodies are refused in the HTTP layer, before any store is read."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from emulator_support import BACKENDS
from live_server import COMMAND, running_serve

ARTIST = "B01372OH53"
FIFTY_MB = 50 * 1024 * 1024
CHUNK = 1024 * 1024
# Peak memory may grow by this much while 50 MB bodies arrive; reading one whole takes more than twice the body.
PEAK_GROWTH_BOUND_KB = 24 * 1024
STORE_BACKENDS = BACKENDS
KEPT = {"name": "Kept", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}


def _headers(banner: dict[str, str]) -> dict[str, str]:
    return {"x-api-key": banner["x-api-key"], "Authorization": f"Bearer {banner['Authorization']}"}


def _serve_once(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, "serve", "--quiet", *arguments], capture_output=True, text=True, timeout=60)


def test_a_second_serve_on_a_taken_port_touches_nothing(serve_db: Path | str) -> None:
    with running_serve(serve_db) as banner:
        base_url = banner["base URL"]
        assert httpx.put(f"{base_url}/v1/me", headers=_headers(banner), json=KEPT, timeout=10).status_code == 200
        port = str(urlsplit(base_url).port)
        # The port is taken: the second serve stops before it opens the database, so the reset never happens.
        taken = _serve_once("--port", port, "--db", str(serve_db), "--reset")
        assert taken.returncode == 1 and "cannot listen" in taken.stderr and "Traceback" not in taken.stderr
        me = httpx.get(f"{base_url}/v1/me", headers=_headers(banner), timeout=10)
        assert me.status_code == 200 and me.json()["data"]["user"]["name"] == "Kept"
        assert "server" not in me.headers  # no `server: uvicorn`


def test_a_reset_under_a_live_emulator_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    with running_serve(db) as banner:
        base_url = banner["base URL"]
        assert httpx.put(f"{base_url}/v1/me", headers=_headers(banner), json=KEPT, timeout=10).status_code == 200
        # Another port, the same database: a reset under a live emulator is refused.
        refused = _serve_once("--port", "0", "--db", str(db), "--reset")
        assert refused.returncode == 1 and "--reset refused" in refused.stderr and str(db) in refused.stderr
        me = httpx.get(f"{base_url}/v1/me", headers=_headers(banner), timeout=10)
        assert me.status_code == 200 and me.json()["data"]["user"]["name"] == "Kept"
    with running_serve(db, "--reset") as banner:  # once nobody serves it, the reset goes ahead
        me = httpx.get(f"{banner['base URL']}/v1/me", headers=_headers(banner), timeout=10)
        assert me.json()["data"]["user"]["name"] == "Tony Starked"


def test_serve_refuses_a_bad_cors_origin(tmp_path: Path) -> None:
    done = _serve_once("--db", str(tmp_path / "e.db"), "--cors-origin", "http://localhost:3000/app")
    assert done.returncode == 2 and "--cors-origin" in done.stderr and "Traceback" not in done.stderr


def _peak_kb(pid: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc status")


def _send(base_url: str, head: str, body_chunks: int, *, chunked: bool) -> tuple[str, int]:
    """Send a request head and up to ``body_chunks`` MiB of body over a raw socket; (the status line, bytes sent)."""
    parts = urlsplit(base_url)
    sent = 0
    status = ""
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(head.encode())
        try:
            for _ in range(body_chunks):
                data = b"[" * CHUNK
                connection.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data)
                sent += len(data)
            if chunked:
                connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed the connection: the rest of the body was never read
        try:
            status = connection.recv(4096).decode("latin-1").split("\r\n", 1)[0]
        except OSError:
            status = ""
    return status, sent


def test_peak_memory_stays_bounded_under_50_mb_bodies(tmp_path: Path) -> None:
    with running_serve(tmp_path / "emulator.db") as banner:
        base_url = banner["base URL"]
        host = urlsplit(base_url).netloc
        auth = "".join(f"{name}: {value}\r\n" for name, value in _headers(banner).items())
        put = f"PUT /v1/me/followed/artists/{ARTIST} HTTP/1.1\r\nHost: {host}\r\n{auth}"
        token = f"POST /auth/o2/token HTTP/1.1\r\nHost: {host}\r\ncontent-type: application/x-www-form-urlencoded\r\n"
        with httpx.Client(base_url=base_url, headers=_headers(banner), timeout=10) as http:
            for _ in range(3):  # warm up: every path the big bodies take has run once
                assert http.get("/v1/me").status_code == 200
                assert http.put(f"/v1/me/followed/artists/{ARTIST}").status_code == 200
                assert http.post("/auth/o2/token", data={"grant_type": "x"}).status_code == 400
        before = _peak_kb(banner["pid"])

        # A declared 50 MB body: refused from its head alone.
        declared, _ = _send(base_url, f"{put}content-length: {FIFTY_MB}\r\n\r\n", 0, chunked=False)
        assert declared.startswith("HTTP/1.1 413"), declared
        declared_token, _ = _send(base_url, f"{token}content-length: {FIFTY_MB}\r\n\r\n", 0, chunked=False)
        assert declared_token.startswith("HTTP/1.1 413"), declared_token
        # 50 MB sent chunked (no length declared), to the operation without a body and to the token endpoint.
        for head in (put, token):
            status, sent = _send(base_url, f"{head}transfer-encoding: chunked\r\n\r\n", 50, chunked=True)
            assert status == "" or status.startswith(("HTTP/1.1 413", "HTTP/1.1 400")), status
            assert sent > CHUNK  # the body went on past the bound

        growth = _peak_kb(banner["pid"]) - before
        assert growth < PEAK_GROWTH_BOUND_KB, f"peak memory grew by {growth} kB under 50 MB bodies"
        with httpx.Client(base_url=base_url, headers=_headers(banner), timeout=10) as http:
            assert http.get("/v1/me").status_code == 200  # and it still serves
