import socket
import threading
import time
from dataclasses import replace

import pytest

from core.llm import (
    LLMAuthError,
    LLMBadRequestError,
    LLMConnectionError,
    LLMNotConfigured,
    LLMRateLimitError,
    LLMServerError,
    ProviderSettings,
    chat,
    count_tokens,
    merge_tool_calls,
    stream_chat,
)
from core.llm.sse_reader import iter_sse_data
from tests.support.fake_openai import Reply

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello?"}]


def collect(stream) -> str:
    return "".join(delta.text for delta in stream)


def test_streamed_text_equals_scripted_text(fake_openai, settings):
    fake_openai.script(Reply(text="The quick brown fox jumps over the lazy dog.", chunk_size=5))
    settings.parameters = {"temperature": 0.2, "max_tokens": 64, "demo_delay": 0}

    stream = stream_chat(settings, MESSAGES)

    assert collect(stream) == "The quick brown fox jumps over the lazy dog."
    assert stream.finish_reason == "stop"
    sent = fake_openai.requests[0]
    assert sent.body["stream"] is True and sent.body["stream_options"] == {"include_usage": True}
    assert sent.body["temperature"] == 0.2 and sent.body["max_tokens"] == 64 and "demo_delay" not in sent.body
    assert sent.body["messages"] == MESSAGES and sent.body["model"] == "gpt-fake"
    assert sent.headers["Authorization"] == "Bearer sk-test"
    assert sent.headers["Accept"] == "text/event-stream"


def test_multibyte_characters_split_across_writes_arrive_intact(fake_openai, settings):
    text = "Grüße, 世界! Ça va? 🙂 ok"
    fake_openai.script(Reply(text=text, chunk_size=3, split_utf8=True))

    assert collect(stream_chat(settings, MESSAGES)) == text


def test_usage_comes_from_the_usage_chunk_and_ttft_is_recorded(fake_openai, settings):
    fake_openai.script(Reply(text="abcdefgh", first_byte_delay=0.2, pace=0.05, prompt_tokens=11, completion_tokens=7))

    stream = stream_chat(settings, MESSAGES)
    collect(stream)
    usage = stream.usage

    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (11, 7, 18)
    assert 0.2 <= usage.time_to_first_token < usage.latency
    assert usage.time_to_generate >= 0.05
    wire = usage.to_dict()
    assert wire["total_price"] == "0" and wire["currency"] == "USD" and wire["prompt_tokens"] == 11


def test_usage_is_estimated_when_upstream_sends_none(fake_openai, settings):
    fake_openai.script(Reply(text="x" * 40, usage=False))

    stream = stream_chat(settings, MESSAGES)
    collect(stream)

    assert stream.usage.completion_tokens == 10
    assert stream.usage.prompt_tokens >= 1


def test_rejected_key_raises_auth_error_without_retry(fake_openai, settings):
    fake_openai.script(Reply(status=401))

    with pytest.raises(LLMAuthError) as caught:
        collect(stream_chat(settings, MESSAGES))

    assert caught.value.message == "Incorrect API key provided"
    assert caught.value.to_dict() == {
        "code": "completion_request_error", "message": "Incorrect API key provided", "status": 400}
    assert len(fake_openai.requests) == 1


def test_rate_limit_is_retried_then_reported(fake_openai, settings):
    fake_openai.script(*[Reply(status=429, error_message="Slow down")] * 3)

    with pytest.raises(LLMRateLimitError) as caught:
        collect(stream_chat(settings, MESSAGES))

    assert caught.value.message == "[openai] Rate limit exceeded: Slow down"
    assert len(fake_openai.requests) == settings.max_retries + 1


def test_server_error_is_retried_and_the_next_answer_streams(fake_openai, settings):
    fake_openai.script(Reply(status=500), Reply(text="recovered"))

    assert collect(stream_chat(settings, MESSAGES)) == "recovered"
    assert len(fake_openai.requests) == 2


def test_persistent_server_error_is_reported(fake_openai, settings):
    fake_openai.script(Reply(status=503, error_message="overloaded"))

    with pytest.raises(LLMServerError, match=r"^\[openai\] Server Unavailable Error, overloaded$"):
        collect(stream_chat(replace(settings, max_retries=0), MESSAGES))


def test_bad_request_and_unknown_model_carry_the_upstream_message(fake_openai, settings):
    fake_openai.script(Reply(status=400, error_message="bad temperature"),
                       Reply(status=404, error_message="no such model", error_code="model_not_found"))

    with pytest.raises(LLMBadRequestError, match="^bad temperature$"):
        collect(stream_chat(settings, MESSAGES))
    with pytest.raises(LLMBadRequestError) as caught:
        collect(stream_chat(settings, MESSAGES))
    assert (caught.value.code, caught.value.message) == ("model_currently_not_support", "no such model")


def test_drop_after_first_token_is_not_retried(fake_openai, settings):
    fake_openai.script(Reply(text="abcdefghij", chunk_size=2, drop_after=2))
    received = []

    with pytest.raises(LLMConnectionError):
        for delta in stream_chat(settings, MESSAGES):
            received.append(delta.text)

    assert received == ["ab", "cd"]
    assert len(fake_openai.requests) == 1


def test_drop_before_first_token_is_retried(fake_openai, settings):
    fake_openai.script(Reply(text="lost", drop_after=0), Reply(text="second try"))

    assert collect(stream_chat(settings, MESSAGES)) == "second try"
    assert len(fake_openai.requests) == 2


def test_slow_first_byte_beyond_read_timeout_is_a_connection_error(fake_openai, settings):
    fake_openai.script(Reply(text="late", first_byte_delay=1.0))
    started = time.monotonic()

    with pytest.raises(LLMConnectionError, match=r"^\[openai\] Connection Error, "):
        collect(stream_chat(replace(settings, read_timeout=0.3), MESSAGES))

    assert time.monotonic() - started < 0.9
    assert len(fake_openai.requests) == 1


def test_unreachable_upstream_is_a_connection_error(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = replace(settings, base_url=f"http://127.0.0.1:{port}/v1", max_retries=1)

    with pytest.raises(LLMConnectionError, match=r"^\[openai\] Connection Error, "):
        collect(stream_chat(unreachable, MESSAGES))
    with pytest.raises(LLMConnectionError):
        chat(unreachable, MESSAGES)


def test_missing_credentials_raise_not_configured():
    bare = ProviderSettings(provider="openai")

    with pytest.raises(LLMNotConfigured) as caught:
        collect(stream_chat(bare, MESSAGES))
    assert caught.value.code == "provider_not_initialize"


def test_close_mid_stream_closes_the_upstream_connection(fake_openai, settings):
    fake_openai.script(Reply(text="x" * 200, chunk_size=1, pace=0.02))
    stream = stream_chat(settings, MESSAGES)

    for index, _ in enumerate(stream):
        if index == 3:
            stream.close()

    assert stream.text == "xxxx"
    assert fake_openai.wait_for_disconnect(timeout=2)
    assert fake_openai.completed == 0


def test_close_from_another_thread_unblocks_a_waiting_reader(fake_openai, settings):
    fake_openai.script(Reply(chunks=["first", "second"], pace=1.5))
    stream = stream_chat(settings, MESSAGES)
    assert next(stream).text == "first"
    threading.Timer(0.1, stream.close).start()
    started = time.monotonic()

    assert list(stream) == []
    assert time.monotonic() - started < 1.0
    assert fake_openai.wait_for_disconnect(timeout=2)


def test_tool_call_fragments_are_merged_into_complete_calls(fake_openai, settings):
    calls = [{"name": "get_weather", "arguments": {"city": "Zürich"}}, {"name": "now", "arguments": "{}"}]
    fake_openai.script(Reply(tool_calls=calls, chunk_size=3))
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]

    stream = stream_chat(settings, MESSAGES, tools=tools)
    deltas = list(stream)

    assert len([d for d in deltas if d.tool_calls]) > 2
    assert stream.finish_reason == "tool_calls"
    assert [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in stream.tool_calls] == [
        ("call_0", "get_weather", '{"city": "Zürich"}'), ("call_1", "now", "{}")]
    assert fake_openai.requests[0].body["tools"] == tools


def test_blocking_chat_returns_the_whole_answer(fake_openai, settings):
    fake_openai.script(Reply(text="All at once.", prompt_tokens=3, completion_tokens=4),
                       Reply(tool_calls=[{"name": "now", "arguments": "{}"}]))

    result = chat(settings, MESSAGES)
    with_tools = chat(settings, MESSAGES, tools=[{"type": "function", "function": {"name": "now"}}])

    assert (result.text, result.finish_reason, result.usage.total_tokens) == ("All at once.", "stop", 7)
    assert fake_openai.requests[0].body["stream"] is False
    assert with_tools.tool_calls[0]["function"]["name"] == "now" and with_tools.finish_reason == "tool_calls"
    assert with_tools.as_message()["tool_calls"] == with_tools.tool_calls


def test_blocking_chat_retries_then_maps_errors(fake_openai, settings):
    fake_openai.script(Reply(status=502), Reply(text="fine"), Reply(status=401))

    assert chat(settings, MESSAGES).text == "fine"
    with pytest.raises(LLMAuthError):
        chat(settings, MESSAGES)
    assert len(fake_openai.requests) == 3


def test_sse_reader_handles_comments_crlf_and_split_lines():
    wire = [b": keep-alive\r\n\r\nda", b"ta: {\"a\":1}\r", b"\n\r\nevent: x\ndata:[DONE]\n"]

    assert list(iter_sse_data(wire)) == ['{"a":1}', "[DONE]"]


def test_merge_tool_calls_and_count_tokens():
    fragments = [{"index": 0, "id": "c", "function": {"name": "f", "arguments": '{"a"'}},
                 {"index": 0, "function": {"arguments": ": 1}"}}]

    assert merge_tool_calls(fragments) == [{"id": "c", "type": "function",
                                            "function": {"name": "f", "arguments": '{"a": 1}'}}]
    assert (count_tokens(""), count_tokens("abcde"), count_tokens("你好ab")) == (0, 2, 3)
