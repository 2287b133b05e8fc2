import pytest

from core.llm import ProviderSettings
from tests.support.fake_openai import FakeOpenAI


@pytest.fixture
def fake_openai():
    with FakeOpenAI() as upstream:
        yield upstream


@pytest.fixture
def settings(fake_openai):
    """Settings pointing at the fake upstream, with short timeouts."""
    return ProviderSettings(
        provider="openai",
        base_url=fake_openai.base_url,
        api_key="sk-test",
        model="gpt-fake",
        connect_timeout=1.0,
        read_timeout=2.0,
    )
