"""Text the database and JSON encoders accept: no NUL characters, no unpaired UTF-16 surrogates.

PostgreSQL refuses U+0000 in `text` and `jsonb`, and a lone surrogate cannot be encoded as UTF-8, so
values produced by users, upstreams or workflow nodes pass through `clean_tree` before they are stored
or streamed.
"""
from __future__ import annotations

import re
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without NUL characters, unpaired surrogates replaced by U+FFFD."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if text.isascii():
        return text
    # a str holds a surrogate only when it is unpaired (json.loads joins valid pairs into one character)
    return _LONE_SURROGATE.sub("\ufffd", text)


def has_unpaired_surrogate(text: str) -> bool:
    """Whether `text` cannot be encoded as UTF-8 (it holds a lone surrogate)."""
    return not text.isascii() and _LONE_SURROGATE.search(text) is not None


def clean_tree(value: Any) -> Any:
    """`value` with every string (dict keys included) cleaned by `clean_text`; other values unchanged."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_tree(key): clean_tree(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_tree(item) for item in value]
    return value
