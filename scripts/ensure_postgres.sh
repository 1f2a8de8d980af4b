#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, pg_ctl) are present for the tests that run the emulator on
# PostgreSQL (tests/postgres_cluster.py starts a throwaway cluster), as `make postgres` (a prerequisite of `make
# test`). Present: exit 0. Absent and root with apt-get: install Debian's postgresql. Otherwise: one line with the
# install command and exit 1 (those tests are never skipped). $PG_BIN overrides the folder of the binaries.
set -euo pipefail

install_command="apt-get install -y postgresql"

find_bin() {
	if [ -n "${PG_BIN:-}" ]; then
		echo "$PG_BIN"
		return
	fi
	local initdb
	if initdb=$(command -v initdb 2>/dev/null); then
		dirname "$(readlink -f "$initdb")"
		return
	fi
	# Debian keeps the server binaries off PATH, one folder per major version: the newest.
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

works() {
	local bin
	bin=$(find_bin)
	[ -n "$bin" ] && "$bin/initdb" --version >/dev/null 2>&1 && "$bin/pg_ctl" --version >/dev/null 2>&1
}

if works; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
	echo "error: the PostgreSQL tests need initdb and pg_ctl (not found; PG_BIN names their folder); install them with: sudo $install_command" >&2
	exit 1
fi
echo "PostgreSQL is absent: installing Debian's postgresql with apt-get (needed by the PostgreSQL store tests)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq postgresql >/dev/null
if ! works; then
	echo "error: apt-get installed postgresql but initdb/pg_ctl are not found under /usr/lib/postgresql/*/bin" >&2
	exit 1
fi
"$(find_bin)/initdb" --version
