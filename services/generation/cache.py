"""Completion cache: identical requests within a TTL are answered from Redis (spec Decisions)."""
from __future__ import annotations

import hashlib
import json
from typing import Any

import redis


def cache_key(app_id: str, config_version: int, inputs: dict[str, Any], query: str, files: list) -> str:
    """A key that changes with the app's config version, the inputs, the query and the files."""
    material = json.dumps([app_id, config_version, inputs, query, files], sort_keys=True, ensure_ascii=False)
    return "completion_cache:" + hashlib.sha256(material.encode()).hexdigest()


def lookup(client: redis.Redis, key: str) -> dict[str, Any] | None:
    """The cached {"chunks", "usage"} for `key`, if any."""
    raw = client.get(key)
    return json.loads(raw) if raw else None


def store(client: redis.Redis, key: str, chunks: list[str], usage: dict[str, Any], ttl: int) -> None:
    client.set(key, json.dumps({"chunks": chunks, "usage": usage}, ensure_ascii=False), ex=ttl)
