#!/usr/bin/env bash
# Makes sure Debian's chromium is present for the browser checks (tests/browser.py), as `make browser` (a prerequisite
# of `make test`). Present: exit 0. Absent and root with apt-get: install it. Otherwise: one line with the install
# command and exit 1 (a browser check is never skipped). $CHROMIUM overrides the executable, as in tests/browser.py.
set -euo pipefail

chromium=${CHROMIUM:-/usr/bin/chromium}
install_command="apt-get install -y chromium"

works() { "$chromium" --version >/dev/null 2>&1; }

if works; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
	echo "error: the browser checks need chromium ($chromium not found); install it with: sudo $install_command" >&2
	exit 1
fi
echo "chromium is absent: installing Debian's chromium with apt-get (needed by the browser checks)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
if ! works; then
	echo "error: apt-get installed chromium but $chromium --version fails; check the package" >&2
	exit 1
fi
"$chromium" --version 2>/dev/null
