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

# Deploy tooling for the tests of deploy/ (tests/deploy): the AsyncAPI parser (npm, pinned by its
# lock file) validates the event catalog; kustomize (Go module proxy) renders the Kubernetes
# manifests, which kubernetes-validate (PyPI, ships the schemas) checks offline.
command -v npm >/dev/null || apt_install nodejs npm
if [ ! -d deploy/tools/asyncapi/node_modules/@asyncapi/parser ] \
  || [ deploy/tools/asyncapi/package-lock.json -nt deploy/tools/asyncapi/node_modules/.package-lock.json ]; then
  (cd deploy/tools/asyncapi && SCARF_ANALYTICS=false npm ci --no-audit --no-fund --loglevel=error)
fi
KUSTOMIZE_VERSION=v5.7.1  # v5.8 needs Go 1.27
gobin="$(command -v go >/dev/null && go env GOPATH)/bin"
if ! "$gobin/kustomize" version 2>/dev/null | grep -q "$KUSTOMIZE_VERSION"; then
  if command -v go >/dev/null; then
    go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  elif ! command -v kubectl >/dev/null; then
    echo "missing: Go (to install kustomize) or kubectl (kubectl kustomize) — install one and run again" >&2
    exit 1
  fi
fi
# composecheck: loads deploy/compose.yaml with compose-go, as `docker compose config` does, where
# the compose plugin is absent (it needs no Docker engine either way).
if command -v go >/dev/null && { [ ! -x deploy/tools/bin/composecheck ] \
  || [ deploy/tools/composecheck/go.sum -nt deploy/tools/bin/composecheck ] \
  || [ deploy/tools/composecheck/main.go -nt deploy/tools/bin/composecheck ]; }; then
  (cd deploy/tools/composecheck && go build -o ../bin/composecheck .)
fi
echo "installed: $(.venv/bin/python --version), $(java -version 2>&1 | head -1), $(mvn -v 2>/dev/null | head -1)"
