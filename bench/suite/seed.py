"""Seed many conversations and messages with set-based SQL, copying one real row of each table.

Copying a row the server itself wrote (every column, whatever the schema holds today) keeps the seed valid while
the models change; only ids, timestamps and the conversation link are generated. Ids are UUIDv7-shaped and
ordered like their timestamps, as the server's own ids are.
"""
from __future__ import annotations

from bench.suite.world import World

# a UUIDv7-shaped id: 48 bits of milliseconds of `ts`, then hex from md5(salt)
UUID7 = ("(lpad(to_hex((extract(epoch FROM {ts}) * 1000)::bigint), 12, '0') || '7' || substr(md5({salt}), 1, 3)"
         " || '8' || substr(md5({salt}), 4, 15))::uuid")


def _columns(world: World, table: str) -> list[str]:
    return [r[0] for r in world.sql("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                                    "AND table_schema = 'public' ORDER BY ordinal_position", (table,))]


def _copy(world: World, table: str, overrides: dict[str, str], source: str) -> None:
    columns = _columns(world, table)
    picks = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    world.sql(f"SET session_replication_role = replica; "  # no FK triggers for a million rows
              f"INSERT INTO {table} ({', '.join(columns)}) SELECT {picks} FROM {source}")


def seed_lists(world: World, conversations: int, per_conversation: int) -> list[str]:
    """`conversations` copies of the newest conversation (same end user) with `per_conversation` messages
    each; returns the new conversation ids."""
    template = world.sql("SELECT id FROM conversations ORDER BY created_at DESC LIMIT 1")[0][0]
    message = world.sql("SELECT id FROM messages WHERE conversation_id = %s LIMIT 1", (template,))[0][0]
    ts = "(now() at time zone 'utc' - make_interval(secs => {n} - g))"
    conv_ts = ts.format(n=conversations)
    _copy(world, "conversations",
          {"id": UUID7.format(ts=conv_ts, salt="'c' || g"), "created_at": conv_ts, "updated_at": conv_ts},
          f"conversations t CROSS JOIN generate_series(1, {conversations}) g WHERE t.id = '{template}'")
    msg_ts = "(c.created_at + make_interval(secs => m.g / 1000.0))"
    _copy(world, "messages",
          {"id": UUID7.format(ts=msg_ts, salt="c.id::text || m.g"), "created_at": msg_ts, "updated_at": msg_ts,
           "conversation_id": "c.id"},
          f"messages t CROSS JOIN conversations c CROSS JOIN generate_series(1, {per_conversation}) AS m(g) "
          f"WHERE t.id = '{message}' AND c.id <> '{template}' AND c.from_end_user_id = "
          f"(SELECT from_end_user_id FROM conversations WHERE id = '{template}')")
    world.sql("ANALYZE conversations; ANALYZE messages")
    return [r[0] for r in world.sql("SELECT id::text FROM conversations WHERE id <> %s AND from_end_user_id = "
                                    "(SELECT from_end_user_id FROM conversations WHERE id = %s)", (template, template))]
