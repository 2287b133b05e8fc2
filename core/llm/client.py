"""OpenAI-compatible chat-completions client (streaming and blocking) on ``requests``."""
import json
import socket
import time
from typing import Iterator

import requests

from core.llm import demo, transport
from core.llm.errors import LLMConnectionError, LLMError, LLMServerError
from core.llm.settings import DEMO, ProviderSettings
from core.llm.sse_reader import iter_sse_data
from core.llm.stream import ChatStream
from core.llm.types import ChatResult, Delta, Usage, count_message_tokens, count_tokens

_READ_SIZE = 65536


def stream_chat(settings: ProviderSettings, messages: list[dict], tools: list | None = None) -> ChatStream:
    """Start a streamed completion; nothing is sent until the first ``next()``.

    Errors (LLMError subclasses) are raised from iteration. Failures before the
    first token (connection errors, 429, 5xx) are retried ``settings.max_retries``
    times with a short backoff; a failure after a token never is.
    """
    if settings.provider == DEMO:
        return demo.DemoChatStream(settings, messages)
    return HTTPChatStream(settings, messages, tools)


def chat(settings: ProviderSettings, messages: list[dict], tools: list | None = None) -> ChatResult:
    """Run a blocking completion (``stream: false``) with the same retries and errors as :func:`stream_chat`."""
    if settings.provider == DEMO:
        return demo.DemoChatStream(settings, messages).result()
    body = transport.request_body(settings, messages, tools, stream=False)
    started = time.monotonic()
    attempt = 0
    while True:
        try:
            payload = _post_json(settings, body)
            return _parse_result(payload, messages, time.monotonic() - started)
        except LLMError as error:
            if not transport.may_retry(error, attempt, settings):
                raise
        transport.backoff(attempt)
        attempt += 1


def _post_json(settings: ProviderSettings, body: dict) -> dict:
    with requests.Session() as session:
        response = transport.post(session, settings, body)
        try:
            return response.json()
        except ValueError as exc:
            raise LLMServerError(f"[openai] Server Unavailable Error, invalid JSON response: {exc}") from exc
        except transport.TRANSPORT_ERRORS as exc:
            raise transport.transport_error(exc) from exc


def _parse_result(payload: dict, messages: list[dict], latency: float) -> ChatResult:
    choice = (payload.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    text = message.get("content") or ""
    reported = payload.get("usage") or {}
    prompt = reported.get("prompt_tokens") or count_message_tokens(messages)
    completion = reported.get("completion_tokens")
    if completion is None:
        completion = max(1, count_tokens(text))
    usage = Usage(prompt, completion, prompt + completion, latency, None, None)
    return ChatResult(text, message.get("tool_calls") or [], choice.get("finish_reason"), usage)


class HTTPChatStream(ChatStream):
    """A streamed completion from an OpenAI-compatible endpoint."""

    def __init__(self, settings: ProviderSettings, messages: list[dict], tools: list | None):
        self.settings = settings
        self._body = transport.request_body(settings, messages, tools, stream=True)
        self._session: requests.Session | None = None
        self._response: requests.Response | None = None
        super().__init__(count_message_tokens(messages))

    def _deltas(self) -> Iterator[Delta]:
        attempt = 0
        try:
            while True:
                try:
                    yield from self._attempt()
                    return
                except LLMError as error:
                    if self.has_output or self.closed or not transport.may_retry(error, attempt, self.settings):
                        raise
                self._release()
                transport.backoff(attempt)
                attempt += 1
        finally:
            self._release()

    def _attempt(self) -> Iterator[Delta]:
        self._session = requests.Session()
        self._response = transport.post(self._session, self.settings, self._body)
        for payload in iter_sse_data(_raw_chunks(self._response, self)):
            if payload == "[DONE]":
                return
            delta = self._parse_chunk(payload)
            if not delta.is_empty():
                yield delta
        if self.finish_reason is None:
            raise LLMConnectionError("[openai] Connection Error, the stream ended before the completion finished")

    def _parse_chunk(self, payload: str) -> Delta:
        try:
            chunk = json.loads(payload)
        except ValueError as exc:
            raise LLMServerError(f"[openai] Server Unavailable Error, invalid stream chunk: {payload[:200]}") from exc
        if chunk.get("error"):
            message, _ = transport.upstream_error(payload)
            raise LLMServerError(f"[openai] Server Unavailable Error, {message}")
        if chunk.get("usage"):
            self._upstream_usage = chunk["usage"]
        choice = (chunk.get("choices") or [{}])[0]
        delta = choice.get("delta") or {}
        return Delta(delta.get("content") or "", delta.get("tool_calls") or [], choice.get("finish_reason"))

    def _release(self) -> None:
        response, session = self._response, self._session
        self._response = self._session = None
        if response is not None:
            _shutdown_socket(response)
            response.close()
        if session is not None:
            session.close()

    def _interrupt(self) -> None:
        response = self._response
        if response is not None:
            _shutdown_socket(response)


def _shutdown_socket(response: requests.Response) -> None:
    # close() alone does not wake a thread blocked in recv() on this socket; shutdown() does.
    sock = getattr(getattr(response.raw, "_connection", None), "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _raw_chunks(response: requests.Response, stream: ChatStream) -> Iterator[bytes]:
    """Bytes as they arrive (``read1`` never waits for a full buffer); transport errors become LLMConnectionError.

    An identity-encoded body is read from http.client's response directly: urllib3's wrapper costs more
    per read than parsing the event it holds.
    """
    raw = response.raw
    encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    source = getattr(raw, "_fp", None)
    read = source.read1 if hasattr(source, "read1") and not encoded else raw.read1
    try:
        while True:
            data = read(_READ_SIZE)
            if not data:
                return
            yield data
    except Exception as exc:
        if stream.closed:
            return
        if isinstance(exc, transport.TRANSPORT_ERRORS):
            raise transport.transport_error(exc) from exc
        raise
