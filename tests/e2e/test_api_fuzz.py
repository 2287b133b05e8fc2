"""Schemathesis against the live server (gunicorn, PostgreSQL, Redis, an RQ worker, a loopback upstream).

For a chat, a chatflow, a completion and a workflow app in turn, every operation of /api/openapi.json is called with
generated data (fixed seed) under a real passport: no answer may be a 5xx, and every status, content
type, header and body (each SSE frame's JSON too) must match the document. The WebSocket is left out.

Bounded for `make test` (FUZZ_MAX_EXAMPLES, default 4, positive data); `make fuzz` raises the examples
and adds negative data and every schemathesis check (FUZZ_FULL=1).
"""
from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import GenerationMode, checks

from api.app import VERSION
from api.extensions import db, get_redis
from controllers import register_blueprints
from controllers.openapi.document import build_document
from services import app_service
from tests.conftest import DSL_SAMPLES, _empty_tables, build_app
from tests.factories import make_app
from tests.support.live_server import LiveServer, server_env
from tests.support.rq_worker import RQWorker, worker_env

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "4"))
FULL = os.environ.get("FUZZ_FULL") == "1"
REQUEST_TIMEOUT = 20  # a stream of the loopback upstream ends in well under a second
# Apps without required inputs, so generated bodies can run: code, iteration and template nodes; an LLM chatflow
DSL = {"workflow": "dify-fx-array-iteration-formatting.yml", "advanced-chat": "awesome-artifact.yml"}
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance]
# A schema-valid request may still break a business rule the schema cannot state (the app's mode, its input
# form, a blank query): those answer 400, which this check would report as a rejected valid request.
EXCLUDED = [checks.positive_data_acceptance]
MODES = ("chat", "advanced-chat", "completion", "workflow")
MAX_STREAM_EVENTS = 10_000


@pytest.fixture(scope="module")
def fuzz_target(backend_settings, _schema, upstream):
    """(base URL, {mode: site code}) of a live server with one app per mode and a worker beside it."""
    flask_app = build_app(backend_settings)
    with flask_app.app_context():
        codes = {mode: app_service.import_dsl((DSL_SAMPLES / name).read_text(encoding="utf-8"))[1].code
                 for mode, name in DSL.items()}
    codes.update(chat=make_app(flask_app, "chat")["code"], completion=make_app(flask_app, "completion")["code"])
    worker = RQWorker(worker_env(backend_settings, OPENAI_API_BASE=upstream.base_url, OPENAI_API_KEY="sk-test"))
    live = LiveServer(server_env(backend_settings, upstream.base_url, LLM_READ_TIMEOUT=5,
                                 STREAM_RESUME_GRACE_SECONDS=0))
    try:
        with worker, live:
            yield live.url, codes
    finally:
        with flask_app.app_context():
            _empty_tables()
            get_redis().flushdb()
            db.engine.dispose()


FIRST_RUN = {"chat": "/api/chat-messages", "advanced-chat": "/api/chat-messages",
             "completion": "/api/completion-messages", "workflow": "/api/workflows/run"}


@pytest.fixture(scope="module", params=MODES)
def fuzz_mode(request, fuzz_target):
    """(mode, passport headers) of a new end user of that mode's app, who has run it once (history to list)."""
    url, codes = fuzz_target
    code = codes[request.param]
    response = requests.get(f"{url}/api/passport", headers={"X-App-Code": code}, timeout=5)
    assert response.status_code == 200, response.text
    headers = {"X-App-Passport": response.json()["access_token"]}
    first = requests.post(url + FIRST_RUN[request.param], headers=headers, timeout=REQUEST_TIMEOUT,
                          json={"inputs": {}, "query": "Hello", "response_mode": "blocking"})
    assert first.status_code == 200, first.text
    return request.param, headers


def _document() -> dict:
    """The document the server serves, built in-process so pytest can list one test per operation."""
    app = Flask("openapi")
    app.config.update(WEB_API_CORS_ALLOW_ORIGINS="*", VERSION=VERSION)
    register_blueprints(app)
    return build_document(app.url_map, app.view_functions, VERSION)


def _described_schema():
    loaded = schemathesis.openapi.from_dict(_document())  # a copy: stateful link inference edits it
    loaded.config.update(request_timeout=REQUEST_TIMEOUT)
    loaded.config.max_stream_events = MAX_STREAM_EVENTS  # read every stream to its end, not its first 20 events
    modes = list(GenerationMode) if FULL else [GenerationMode.POSITIVE]
    loaded.config.generation.update(modes=modes, max_examples=MAX_EXAMPLES, deterministic=True)
    return loaded.exclude(path="/api/ws")


schema = _described_schema()


def test_the_live_server_serves_the_fuzzed_document(fuzz_target):
    url, _ = fuzz_target
    assert requests.get(f"{url}/api/openapi.json", timeout=5).json() == _document()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate] if not FULL else list(Phase), database=None)
def test_api_answers_match_the_document(case, fuzz_target, fuzz_mode):
    url, _ = fuzz_target
    _, headers = fuzz_mode
    case.call_and_validate(base_url=url, headers=headers, checks=None if FULL else CHECKS,
                           excluded_checks=EXCLUDED if FULL else None, timeout=REQUEST_TIMEOUT)


if FULL:  # sequences of calls that reuse what earlier answers returned (ids), with every check
    def test_call_sequences_answer_as_documented(fuzz_target, fuzz_mode):
        url, _ = fuzz_target
        _, headers = fuzz_mode

        class Sequences(schema.as_state_machine()):
            def get_call_kwargs(self, case):
                return {"base_url": url, "headers": headers, "timeout": REQUEST_TIMEOUT}

            def validate_response(self, response, case, additional_checks=None, **kwargs):
                case.validate_response(response, excluded_checks=EXCLUDED, transport_kwargs=kwargs,
                                       recorder=self.recorder)

        run_state_machine_as_test(Sequences, settings=settings(
            max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, stateful_step_count=8,
            suppress_health_check=list(HealthCheck), database=None))
