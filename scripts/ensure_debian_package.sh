#!/usr/bin/env bash
# Makes sure a Debian package that checks of `make test` need is present; `make browser`, `make java` and `make
# postgres` (prerequisites of `make test`) call it.   Usage: ensure_debian_package.sh PACKAGE CHECK-COMMAND [HINT]
# CHECK-COMMAND (bash, evaluated here) succeeds: exit 0. It fails, as root with apt-get: install PACKAGE with apt-get
# and check again. Otherwise: one line, "error: HINT; install it with: sudo apt-get install -y PACKAGE", and exit 1
# (the checks that need it are never skipped).
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 PACKAGE CHECK-COMMAND [HINT]" >&2
	exit 2
fi
package=$1
check=$2
hint=${3:-"the tests need Debian's $package"}
install_command="apt-get install -y $package"

works() { (eval "$check") >/dev/null 2>&1; }

if works; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
	echo "error: $hint; install it with: sudo $install_command" >&2
	exit 1
fi
echo "installing Debian's $package with apt-get: $hint"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$package" >/dev/null
if ! works; then
	echo "error: apt-get installed $package but the check still fails: $check" >&2
	exit 1
fi
echo "$package installed"
