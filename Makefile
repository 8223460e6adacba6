# The two commands of the README's quick start:
#   make run    the whole system locally (Kafka, four services' web + worker, SQLite stores)
#   make test   the whole test suite (lint, architecture, unit, contract, integration, end-to-end)
# Each installs what it needs first (deploy/local/install.sh).

VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install lint clean docs docs-check manifests bench audit

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt deploy/local/install.sh deploy/tools/asyncapi/package-lock.json
	bash deploy/local/install.sh
	touch $@

run: install
	$(PY) -m deploy.local.run

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install lint
	$(VENV)/bin/pytest

# The event catalog for agencies (docs/events), generated from shared/contracts; commit the result.
docs: install
	$(PY) -m deploy.catalog write

docs-check: install
	$(PY) -m deploy.catalog check

# The generated kustomize base (deploy/k8s/base); overlays are hand-written.
manifests: install
	$(PY) -m deploy.k8s_manifests write

# The year-end benchmark (bench/year_end.py; not a test): BENCH_ARGS="--employees 2000 --workers 1,4"
bench: install
	$(PY) -m bench.year_end $(BENCH_ARGS)

# Dependency audit (docs/dependency-audit.md): pip-audit over everything installed in the venv,
# against PyPI's advisory data (AUDIT_ARGS="-s osv" for OSV). When it cannot get advisories for
# every package (no network to the service), it says so and fails: then nothing was audited.
audit: install
	@log=$$(mktemp); status=0; \
	$(VENV)/bin/pip-audit --strict --progress-spinner off $(AUDIT_ARGS) 2>$$log || status=$$?; \
	if [ $$status -ne 0 ] && grep -qE 'could not be audited|ConnectionError|NameResolution|Max retries|timed out' $$log; then \
	  tail -n 1 $$log >&2; rm -f $$log; \
	  echo "make audit: pip-audit could not get advisories from its service, so NOTHING was audited." >&2; \
	  echo "Run it where the service is reachable, or offline: $(PY) scripts/audit_dependencies.py --advisory-db DIR" >&2; \
	  exit 2; \
	fi; cat $$log >&2; rm -f $$log; exit $$status

clean:
	rm -rf var .pytest_cache
