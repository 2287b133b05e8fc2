import threading
import time

from core.llm import ProviderSettings, chat, demo_answer, resolve_settings, stream_chat

MESSAGES = [{"role": "user", "content": "first"}, {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "What is 2 + 2?"}]


def demo(delay: float = 0.0) -> ProviderSettings:
    return ProviderSettings(provider="demo", parameters={"demo_delay": delay})


def test_demo_answer_is_deterministic_and_quotes_the_last_user_message():
    first = "".join(delta.text for delta in stream_chat(demo(), MESSAGES))
    second = "".join(delta.text for delta in stream_chat(demo(), MESSAGES))

    assert first == second == demo_answer(MESSAGES)
    assert '"What is 2 + 2?"' in first and "OPENAI_API_KEY" in first


def test_demo_streams_word_by_word_at_the_configured_pace():
    stream = stream_chat(demo(0.01), MESSAGES)
    started = time.monotonic()
    words = [delta.text for delta in stream if delta.text]
    elapsed = time.monotonic() - started

    assert len(words) > 10 and all(word.strip() and " " not in word.strip() for word in words)
    assert elapsed >= (len(words) - 1) * 0.01
    assert stream.finish_reason == "stop"
    assert stream.usage.completion_tokens == len(words)
    assert stream.usage.time_to_first_token is not None


def test_closing_the_demo_stream_stops_it_at_the_next_word():
    stream = stream_chat(demo(0.01), MESSAGES)
    received = []
    for delta in stream:
        received.append(delta.text)
        if len(received) == 3:
            stream.close()

    assert len(received) == 3
    assert stream.text == "".join(received)


def test_demo_stream_closed_from_another_thread_stops_promptly():
    stream = stream_chat(demo(0.05), MESSAGES)
    threading.Timer(0.12, stream.close).start()

    words = [delta.text for delta in stream]

    assert 1 <= len(words) <= 5
    assert stream.closed


def test_demo_ignores_tools_and_answers_blocking_calls():
    tools = [{"type": "function", "function": {"name": "calculator"}}]

    result = chat(demo(), MESSAGES, tools=tools)

    assert result.text == demo_answer(MESSAGES)
    assert result.tool_calls == [] and result.finish_reason == "stop"
    assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens


def test_resolve_settings_falls_back_to_demo_without_credentials():
    assert resolve_settings(None, {}).provider == "demo"
    assert resolve_settings({"model": "x"}, {"base_url": "http://up/v1"}).provider == "demo"
    assert resolve_settings({"provider": "openai"}, {}).provider == "openai"


def test_resolve_settings_merges_app_settings_over_server_defaults():
    defaults = {"base_url": "http://up/v1/", "api_key": "sk-server", "model": "m0", "parameters": {"temperature": 1}}

    merged = resolve_settings({"model": "m1", "parameters": {"max_tokens": 9}}, defaults)

    assert (merged.provider, merged.base_url, merged.api_key) == ("openai", "http://up/v1", "sk-server")
    assert merged.model == "m1"
    assert merged.parameters == {"temperature": 1, "max_tokens": 9}
    assert resolve_settings({"provider": "demo"}, defaults).provider == "demo"


def test_server_key_is_not_sent_to_an_app_chosen_base_url():
    defaults = {"base_url": "http://up/v1", "api_key": "sk-server"}

    elsewhere = resolve_settings({"base_url": "http://other/v1"}, defaults)
    own_key = resolve_settings({"base_url": "http://other/v1", "api_key": "sk-app"}, defaults)
    key_only = resolve_settings(None, {"api_key": "sk-server"})

    assert (elsewhere.api_key, elsewhere.provider) == ("", "demo")
    assert (own_key.api_key, own_key.provider) == ("sk-app", "openai")
    assert key_only.base_url == "https://api.openai.com/v1"
