"""Generation tests run against a real loopback OpenAI-wire upstream (`upstream`, tests/conftest.py)."""
from __future__ import annotations

import pytest


@pytest.fixture
def app_overrides(upstream):
    return {"OPENAI_API_BASE": upstream.base_url, "OPENAI_API_KEY": "sk-test", "LLM_READ_TIMEOUT": 3.0,
            "STREAM_RESUME_GRACE_SECONDS": 0.0}
