#!/usr/bin/env bash
# Installs what `make run` and `make test` need on a fresh Debian machine of this kind:
# a Python 3.11+ virtualenv with the pinned packages, Java 17+ and Maven (for the Kafka broker's
# jars), and PostgreSQL's server binaries (for the tests). System packages are installed with
# apt-get only when missing and only when we are root.
set -euo pipefail
cd "$(dirname "$0")/../.."

apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing: $* — install it (e.g. apt-get install $*) and run again" >&2
    exit 1
  fi
  if [ -z "${KINERJA_APT_UPDATED:-}" ]; then
    apt-get update -qq
    export KINERJA_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 or newer is required (found: $("$python_bin" --version 2>&1))" >&2
  exit 1
fi
"$python_bin" -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv

command -v java >/dev/null || apt_install openjdk-17-jre-headless
command -v mvn >/dev/null || apt_install maven
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  apt_install postgresql
fi

if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt
echo "installed: $(.venv/bin/python --version), $(java -version 2>&1 | head -1), $(mvn -v 2>/dev/null | head -1)"
