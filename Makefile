# The two commands a newcomer needs: `make serve` and `make test`. Both set up everything themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
PORT   ?= 8000
SAMPLE_SIZE ?= 2000
SCHEDULER ?= 1
export PORT

.PHONY: serve test test-unit venv web-assets browser fonts init-db neo4j-start neo4j-stop neo4j-status neo4j-wipe test-neo4j-stop lint format bench \
	bench-neo4j-stop bench-integrity

# The virtualenv, rebuilt when the pinned requirements change; a lock keeps parallel makes from racing.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@mkdir -p var
	@flock var/venv.lock sh -c 'test -x $(PY) || $(PYTHON) -m venv $(VENV); \
		$(PY) -m pip install -q -r requirements-dev.txt && touch $@'

venv: $(VENV)/.installed

## web-assets: Apache ECharts (pinned, digest-checked) from the npm registry into web/static/vendor
web-assets:
	@scripts/vendor-echarts.sh

## browser: Debian's chromium and a Chinese font for the browser tests (installed when missing; Playwright
## never downloads a browser)
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
		echo "Installing Debian's chromium and fonts-noto-cjk for the browser tests ..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null; }

## fonts: the TrueType CJK font the certificate PDFs embed (Debian's fonts-wqy-zenhei, installed when missing;
## REGISTRY_PDF_FONT names another .ttf/.ttc). fonts-noto-cjk will not do: its CFF outlines cannot be embedded.
PDF_FONT ?= $(or $(REGISTRY_PDF_FONT),/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc)
fonts:
	@test -f "$(PDF_FONT)" || { \
		echo "Installing Debian's fonts-wqy-zenhei for the certificate PDFs ..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei) >/dev/null; }

## serve: install, start Neo4j (instance "serve"), create the schema, load reference data, run gunicorn and the
## job scheduler beside it (it expires certificates, lapses invitations, … on their schedules; SCHEDULER=0: none)
serve: neo4j-start web-assets fonts
	NEO4J_LOCAL_INSTANCE=serve $(FLASK) registry init-db
	NEO4J_LOCAL_INSTANCE=serve $(FLASK) registry generate --size $(SAMPLE_SIZE) --if-empty
	$(PY) -m adapters.pdf_signing
	NEO4J_LOCAL_INSTANCE=serve SCHEDULER=$(SCHEDULER) scripts/serve.sh

## test: install, start the separate Neo4j test instance, run the whole suite against it
test: venv web-assets browser fonts
	$(PY) -m graph.local_server start --instance test
	@mkdir -p var
	flock var/test.lock env NEO4J_LOCAL_INSTANCE=test $(PY) -m pytest $(PYTEST_ARGS)

## test-unit: the pure rules (tests/unit: no Neo4j, no browser) for the inner loop; `make test` stays the whole suite
test-unit: venv
	$(PY) -m pytest tests/unit -q $(PYTEST_ARGS)

init-db: neo4j-start
	NEO4J_LOCAL_INSTANCE=serve $(FLASK) registry init-db

neo4j-start: venv
	$(PY) -m graph.local_server start --instance serve
neo4j-stop:
	$(PYTHON) -m graph.local_server stop --instance serve
neo4j-status:
	$(PYTHON) -m graph.local_server status --instance serve
neo4j-wipe:
	$(PYTHON) -m graph.local_server wipe --instance serve
test-neo4j-stop:
	$(PYTHON) -m graph.local_server stop --instance test

## bench: load, search, index build, memory and throughput benchmarks at 100k and 1M practitioners → bench/RESULTS.md,
## then every other job (draws, statistics, applications, audit, portal) at both sizes on a registry with its volumes
## (bench/jobs_bench.py → the "Jobs" section; BENCH_JOBS=0 skips it, BENCH_JOBS_ARGS passes options).
## Stops its Neo4j (10 GB) at the end; `make bench BENCH_ARGS=--keep-neo4j` keeps it running.
bench: venv
	$(PY) -m bench.run $(BENCH_ARGS)
	@[ "$(BENCH_JOBS)" = "0" ] || $(PY) -m bench.jobs_bench $(BENCH_JOBS_ARGS)
bench-neo4j-stop:
	$(PYTHON) -m graph.local_server stop --instance bench

## bench-integrity: the anomaly scan's time, recall and precision per kind against anomalies planted at known rates,
## conflict paths for 200 candidates, GET /engagements/{id}/risk → bench/INTEGRITY_RESULTS.md (issue 23 §5).
## Default 100 000 practitioners; `make bench-integrity INTEGRITY_ARGS="--sizes 100000,1000000"` (1M needs ~10 GB).
bench-integrity: venv
	$(PY) -m bench.integrity_bench $(INTEGRITY_ARGS)

## lint: ruff, then basedpyright over graph/ and services/ (pyproject.toml): a Cypher statement holding text made
## at run time, not written in the code, is refused (LiteralString, PEP 675)
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/basedpyright
format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
