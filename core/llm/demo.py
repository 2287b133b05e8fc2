"""The offline demo provider: a deterministic, word-by-word streamed answer."""
import re
import time
from typing import Iterator

from core.llm.settings import ProviderSettings
from core.llm.stream import ChatStream
from core.llm.types import Delta, count_message_tokens, message_text

DEFAULT_DELAY = 0.03
_TOKEN = re.compile(r"\s*\S+\s*|\s+")


def demo_answer(messages: list[dict]) -> str:
    """The demo reply to a conversation, derived only from the last user message."""
    query = next((message_text(m) for m in reversed(messages) if m.get("role") == "user"), "").strip()
    return (
        f'This is the demo provider of llm-web-api. You said: "{query}". '
        "Configure OPENAI_API_BASE and OPENAI_API_KEY to talk to a real model."
    )


def split_tokens(text: str) -> list[str]:
    """Split text into word tokens that keep their surrounding whitespace ("".join gives text back)."""
    return _TOKEN.findall(text)


class DemoChatStream(ChatStream):
    """Streams :func:`demo_answer` one word per ``demo_delay`` seconds; tools are ignored.

    Needs no network. Closing it stops the stream at the next word.
    """

    def __init__(self, settings: ProviderSettings, messages: list[dict]):
        self._tokens = split_tokens(demo_answer(messages))
        self._delay = float(settings.parameters.get("demo_delay", DEFAULT_DELAY))
        super().__init__(count_message_tokens(messages))

    def _deltas(self) -> Iterator[Delta]:
        for index, token in enumerate(self._tokens):
            if index and self._delay > 0:
                time.sleep(self._delay)
            if self.closed:
                return
            yield Delta(text=token)
        self._upstream_usage = {"completion_tokens": len(self._tokens)}
        yield Delta(finish_reason="stop")
