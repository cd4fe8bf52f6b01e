# Two entry points (see README.md): `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
DATA   := data/mesh.duckdb

.PHONY: run test lint build validate bench browser oracle java

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(DATA): $(VENV)/.runtime $(shell find domains catalog -type f -not -name '*.pyc' 2>/dev/null)
	$(PY) -m catalog build

build: $(DATA)

# Local mode (MESH_AUTH unset): one administrator, so the server listens on this computer only.
# MESH_DEMO_POSTGRES_URL=postgresql://… serves the operations domain from PostgreSQL.
# portal/server.py serves the pages (portal/streamlit_app.py) and the HTTP API (/api/v1).
run: $(DATA)
	$(PY) -m catalog.engines.demo $(PY) -m streamlit run portal/server.py --server.port $(PORT) --server.headless true \
		--server.address 127.0.0.1

validate: $(VENV)/.runtime
	$(PY) -m catalog validate

browser:
	@bash .ci/install-browser

# Java 17 for Spark-served products and their tests (Debian's package, when java is missing).
java:
	@command -v java >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; }

# Style gate: ruff and mypy (configured in pyproject.toml) on catalog/ and portal/.
lint: $(VENV)/.dev
	$(PY) -m ruff check catalog portal
	$(PY) -m mypy

test: $(VENV)/.dev browser java lint
	$(PY) -m pytest

bench: $(VENV)/.dev $(DATA)
	$(PY) bench/run_all.py

# Our quality verdicts vs datacontract-cli 1.2.8 (own venv in bench/.work/, not part of `test`).
oracle: $(VENV)/.dev $(DATA)
	$(PY) bench/quality_oracle.py
