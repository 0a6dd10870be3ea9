# Every target sets up the virtual environment it needs, so a fresh machine with only Python 3.11+
# and make can run `make refresh` and `make test` directly.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.synced-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
# Dagster reads dagster.yaml from DAGSTER_HOME; its SQLite storage lives in the git-ignored .dagster/.
export DAGSTER_HOME := $(CURDIR)/.dagster
MIRROR ?=
ifneq ($(MIRROR),)
export PIPELINE_MIRROR := $(abspath $(MIRROR))
endif

.PHONY: venv refresh test test-postgres test-browser chromium lint format ui bench lock clean-venv verify-archive

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==0.13.9
	# uv installs exactly the hashed lock; the project itself goes in editable, without deps.
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.synced-*
	touch $@

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

refresh: venv $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m pipeline.refresh

# Both cores (pytest-xdist; a test module stays on one worker so its shared build is made once):
# measured 2m31s against about 4m serial. The last line says how long the whole target took.
test: venv
	@start=$$(date +%s); $(BIN)/python -m pytest -q -m "not postgres and not browser" -n 2 --dist loadfile; rc=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s (exit $$rc)"; exit $$rc

# PostgreSQL storage + run queue + dagster-daemon + dagster-webserver, end to end (a few minutes). Needs
# the PostgreSQL server binaries (Debian: apt-get install postgresql; .ci/run installs them).
test-postgres: venv
	$(BIN)/python -m pytest -q -m postgres tests/test_postgres.py

# The Dagster UI in Debian's chromium through Playwright (tests/test_ui_browser.py, about a minute):
# refresh against the mirror into a temporary instance, dagster-webserver on a free 127.0.0.1 port,
# then the catalog, a table, its checks, a failed download, the runs list and the timeline.
# Screenshots and logs land in $(PIPELINE_TEST_ARTIFACTS). `playwright install` is never used (it
# downloads browsers from elsewhere): the test drives /usr/bin/chromium.
PIPELINE_TEST_ARTIFACTS ?= $(DAGSTER_HOME)/test-artifacts/browser
test-browser: venv chromium
	@start=$$(date +%s); PIPELINE_TEST_ARTIFACTS=$(PIPELINE_TEST_ARTIFACTS) \
	$(BIN)/python -m pytest -q -m browser tests/test_ui_browser.py; rc=$$?; \
	echo "make test-browser: $$(( $$(date +%s) - start )) s (exit $$rc); screenshots in $(PIPELINE_TEST_ARTIFACTS)"; exit $$rc

# Debian's chromium for test-browser: installed when missing and this runs as root (as CI does);
# otherwise the test skips with the reason (it fails instead under CI=true).
chromium:
	@if ! test -x /usr/bin/chromium; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing Debian's chromium (/usr/bin/chromium not found)"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
		else \
			echo "chromium not installed and not root: apt-get install chromium (test-browser will skip)"; \
		fi; \
	fi

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

ui: venv $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -m pipeline.definitions

# Every archived version (raw/manifest.csv) against its file's sha256; exit 1 if one is missing or altered.
verify-archive: venv
	$(BIN)/python -m pipeline.archive verify

bench: venv
	$(BIN)/python -m pipeline.bench

lock: venv
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11 --generate-hashes

clean-venv:
	rm -rf $(VENV)
