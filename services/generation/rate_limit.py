"""Per-app limit of concurrently active requests, shared by every process through Redis (spec §5.3)."""
from __future__ import annotations

import time

import redis

from services.errors import TooManyRequests

STALE_AFTER = 1800  # entries older than this belong to crashed processes
RETRY_AFTER_SECONDS = 5  # told to a refused client (Retry-After): a slot frees when a run ends


def _key(app_id: str) -> str:
    return f"rate_limit:{app_id}:active_requests"


def effective_limit(app_limit: int | None, server_limit: int) -> int:
    """The smallest non-zero of the app's and the server's limits; 0 means unlimited."""
    limits = [n for n in (app_limit or 0, server_limit or 0) if n > 0]
    return min(limits) if limits else 0


_ENTER = """
local now = tonumber(ARGV[2])
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  if now - tonumber(entries[i + 1]) > tonumber(ARGV[4]) then redis.call('HDEL', KEYS[1], entries[i]) end
end
if tonumber(ARGV[3]) > 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


def enter(client: redis.Redis, app_id: str, request_id: str, limit: int) -> None:
    """Take a slot for `request_id`. Raises TooManyRequests when all `limit` slots are taken."""
    if limit <= 0:
        return
    if not client.eval(_ENTER, 1, _key(app_id), request_id, time.time(), limit, STALE_AFTER):
        raise TooManyRequests("Too many requests. Please try again later. The current maximum concurrent "
                              f"requests allowed for {app_id} is {limit}.", retry_after=RETRY_AFTER_SECONDS)


def leave(client: redis.Redis, app_id: str, request_id: str) -> None:
    """Free the slot of `request_id` (idempotent)."""
    client.hdel(_key(app_id), request_id)
