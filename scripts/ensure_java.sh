#!/usr/bin/env bash
# Makes sure a Java runtime is present for openapi-generator (the consumer matrix, tests/publish/
# test_consumer_openapi_generator.py), as `make java` (a prerequisite of `make test`). Present: exit 0. Absent and
# root with apt-get: install Debian's default-jre-headless. Otherwise: one line with the install command and exit 1
# (the generator row is never skipped). $JAVA overrides the executable.
set -euo pipefail

java=${JAVA:-java}
install_command="apt-get install -y default-jre-headless"

works() { "$java" -version >/dev/null 2>&1; }

if works; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
	echo "error: openapi-generator needs a Java runtime ($java not found); install it with: sudo $install_command" >&2
	exit 1
fi
echo "java is absent: installing Debian's default-jre-headless with apt-get (needed by openapi-generator)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq default-jre-headless >/dev/null
if ! works; then
	echo "error: apt-get installed default-jre-headless but $java -version fails; check the package" >&2
	exit 1
fi
"$java" -version 2>&1 | head -1
