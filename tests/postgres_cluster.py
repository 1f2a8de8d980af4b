"""A throwaway PostgreSQL cluster for the tests: initdb and pg_ctl in a temporary folder, reached on a unix socket
there (no TCP port), removed when the test session ends.

Root may not run a PostgreSQL server, so as root the cluster runs as the ``postgres`` account Debian's package
creates. Without the binaries the fixture fails with the line saying how to get them: `make postgres`
(scripts/ensure_debian_package.sh, a prerequisite of `make test`).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

HOW_TO_GET_IT: Final = (
    "PostgreSQL's initdb and pg_ctl are needed: run `make postgres` (apt-get install -y postgresql as root), "
    "or set PG_BIN to the folder that holds them"
)
SUPERUSER: Final = "postgres"


def postgres_bin() -> Path:
    """The folder of initdb and pg_ctl: $PG_BIN, else the one on PATH, else Debian's newest (lib/postgresql/N/bin)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
    if not versions:
        raise RuntimeError(HOW_TO_GET_IT)
    return versions[-1]


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


class PostgresCluster:
    """One running cluster; ``new_database`` hands each test a database of its own."""

    def __init__(self) -> None:
        self._bin = postgres_bin()
        if not (self._bin / "initdb").exists():
            raise RuntimeError(HOW_TO_GET_IT)
        try:
            self._run_as = pwd.getpwnam(SUPERUSER) if os.geteuid() == 0 else None
        except KeyError:
            raise RuntimeError(
                f"as root the cluster runs as the {SUPERUSER!r} account, absent: {HOW_TO_GET_IT}"
            ) from None
        self.folder = Path(tempfile.mkdtemp(prefix="amazon-music-pg-"))
        self._data = self.folder / "data"
        self._names = itertools.count()
        self._templates: set[str] = set()
        if self._run_as is not None:
            os.chown(self.folder, self._run_as.pw_uid, self._run_as.pw_gid)
        try:
            self._server("initdb", "-D", str(self._data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync")
            # Durability is not what these tests measure: no fsync keeps a database per test cheap.
            options = f"-k {self.folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
            self._server("pg_ctl", "-D", str(self._data), "-l", str(self.folder / "log"), "-w", "-o", options, "start")
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def _server(self, program: str, *arguments: str) -> None:
        user = None if self._run_as is None else self._run_as.pw_uid
        group = None if self._run_as is None else self._run_as.pw_gid
        completed = subprocess.run(
            [str(self._bin / program), *arguments], capture_output=True, text=True, user=user, group=group, check=False
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{program} failed ({completed.returncode}): {completed.stderr.strip()}")

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.folder}"

    def new_database(self, template: str | None = None) -> str:
        """A new, empty database (or a copy of ``template``, a database made by ``template_database``); its URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            # FILE_COPY (PostgreSQL 15+): a small database copied as files, not block by block through the WAL (WAL_LOG,
            # the default): a copy per stateful scenario costs a fraction of the time.
            statement = sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(statement)
        return self.url(name)

    def has_template(self, name: str) -> bool:
        return name in self._templates

    def add_template(self, name: str) -> str:
        """Create the database ``name`` to be filled and then copied by ``new_database(template=name)``; its URL."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._templates.add(name)
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = database_name(url)
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def stop(self) -> None:
        try:
            self._server("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
