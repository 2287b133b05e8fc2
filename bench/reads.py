"""Benchmark: the read endpoints (passport, site, parameters, conversation and message lists) versus ref_json.

    .venv/bin/python bench/reads.py                       # ~4 min: req/s, ratios, list latencies
    .venv/bin/python bench/reads.py --server-root /tmp/old-checkout   # serve another checkout's code ("before")

Builds its own world: a PostgreSQL database `llm_web_api_bench_reads` (BENCH_PG_URL) migrated with the served
checkout's `flask db upgrade`, Redis db 9 (BENCH_READS_REDIS_URL, flushed before and after), one chat app made
with `flask apps create`, and for the lists one end user with 10,000 conversations and 1,000,000 messages
(100 per conversation) inserted with `INSERT ... SELECT generate_series`. Both servers run
`gunicorn -c deploy/gunicorn.conf.py` (one gevent worker); ref_json is `bench/reads_ref.py`. The load
generator is wrk (Debian) in its own process. Ratios are printed, never asserted.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Iterator

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # a script, not a package: reuse the test support code

import psycopg2  # noqa: E402
import redis  # noqa: E402
import requests  # noqa: E402

from tests.support.live_server import free_port  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
BENCH_DB = "llm_web_api_bench_reads"
REDIS_URL = os.environ.get("BENCH_READS_REDIS_URL", "redis://127.0.0.1:6379/9")
VENV_BIN = REPO_ROOT / ".venv" / "bin"
USER_ID = "bench-reader"
CONVERSATIONS = 10_000
MESSAGES_PER_CONVERSATION = 100


def _admin(sql: str) -> None:
    """Run `sql` outside a transaction (CREATE/DROP DATABASE) on the server's `postgres` database."""
    with closing(psycopg2.connect(f"{PG_SERVER}/postgres")) as conn:
        conn.autocommit = True
        conn.cursor().execute(sql)


@contextmanager
def bench_world(root: Path) -> Iterator[dict[str, str]]:
    """Settings of a fresh, migrated database and a flushed Redis db; both removed afterwards."""
    _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{BENCH_DB}"')
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    with tempfile.TemporaryDirectory() as instance:
        settings = {"DATABASE_URL": f"{PG_SERVER}/{BENCH_DB}", "REDIS_URL": REDIS_URL, "INSTANCE_PATH": instance,
                    "SECRET_KEY": "bench-reads-secret", "PASSPORT_RATE_LIMIT_PER_MINUTE": "0"}
        try:
            flask(root, settings, "db", "upgrade")
            yield settings
        finally:
            client.flushdb()
            _admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def flask(root: Path, settings: dict[str, str], *args: str) -> str:
    env = {**os.environ, **settings, "FLASK_APP": "api.app:create_app", "LOG_LEVEL": "WARNING"}
    done = subprocess.run([str(VENV_BIN / "flask"), *args], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


@contextmanager
def gunicorn(root: Path, app_spec: str, settings: dict[str, str]) -> Iterator[str]:
    """`gunicorn -c deploy/gunicorn.conf.py <app_spec>` from `root` on a free port; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "FLASK_"))}
    env.update(settings, BIND=f"127.0.0.1:{port}", GUNICORN_ACCESS_LOG="", LOG_LEVEL="WARNING")
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", app_spec],
                                   cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(url, process, log)
            yield url
        finally:
            os.killpg(process.pid, 15)
            process.wait(10)


def _wait_ready(url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited:\n{log.read().decode(errors='replace')}")
        try:
            if requests.get(url + "/console/api/setup", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer in 20 s")


def wrk(url: str, headers: dict[str, str], connections: int, seconds: int) -> dict[str, float]:
    """req/s and latency percentiles (ms) of `wrk --latency`; non-2xx answers are an error."""
    args = ["wrk", "-t", "2" if connections > 1 else "1", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors on {url}:\n{out}")
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct, value, unit in re.findall(r"^\s*(50|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M):
        result[f"p{pct}"] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]
    if "p99" not in result:
        raise RuntimeError(f"no latency distribution in wrk's output:\n{out}")
    return result


def passport(url: str, code: str, user_id: str | None = None) -> dict[str, str]:
    """Headers of a used passport (its end user row exists)."""
    params = {"user_id": user_id} if user_id else {}
    token = requests.get(url + "/api/passport", headers={"X-App-Code": code}, params=params,
                         timeout=10).json()["access_token"]
    headers = {"X-App-Code": code, "X-App-Passport": token}
    requests.get(url + "/api/site", headers=headers, timeout=10).raise_for_status()
    return headers


SEED_SQL = """
INSERT INTO conversations (id, created_at, updated_at, app_id, from_end_user_id, mode, name, inputs, status,
                           from_source, invoke_from, dialogue_count, is_deleted)
SELECT (lpad(to_hex(i), 12, '0') || '70008000' || lpad(to_hex(i), 12, '0'))::uuid,
       now() - make_interval(secs => 200000 - i * 10), now() - make_interval(secs => 200000 - i * 10),
       %(app)s, %(user)s, 'chat', 'Chat ' || i, '{}', 'normal', 'api', 'web-app', 100, i %% 50 = 0
FROM generate_series(1, %(conversations)s) AS i;
INSERT INTO messages (id, created_at, updated_at, app_id, conversation_id, from_end_user_id, mode, inputs, query,
                      answer, status, message_metadata, message_tokens, answer_tokens, provider_response_latency,
                      from_source)
SELECT (lpad(to_hex(c * 1000 + m), 12, '0') || '70008000' || lpad(to_hex(c), 12, '0'))::uuid,
       now() - make_interval(secs => 200000 - c * 10 - m * 0.01), now(), %(app)s,
       (lpad(to_hex(c), 12, '0') || '70008000' || lpad(to_hex(c), 12, '0'))::uuid, %(user)s, 'chat', '{}',
       'question ' || m, 'answer ' || m || ' of conversation ' || c, 'normal', '{}', 10, 20, 0.5, 'api'
FROM generate_series(1, %(conversations)s) AS c, generate_series(1, %(messages)s) AS m;
ANALYZE conversations;
ANALYZE messages;
"""


def seed_lists(settings: dict[str, str], app_id: str, end_user_id: str) -> tuple[str, str]:
    """Conversations and messages for `end_user_id`; returns (a conversation id, a cursor deep in the list)."""
    conn = psycopg2.connect(settings["DATABASE_URL"])
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute(SEED_SQL, {"app": app_id, "user": end_user_id, "conversations": CONVERSATIONS,
                                      "messages": MESSAGES_PER_CONVERSATION})
            cursor.execute("SELECT id FROM conversations WHERE from_end_user_id = %s AND NOT is_deleted "
                           "ORDER BY updated_at DESC, id DESC OFFSET 5000 LIMIT 1", (end_user_id,))
            deep = str(cursor.fetchone()[0])
    finally:
        conn.close()
    return deep, deep


def measure_reads(url: str, ref_url: str, code: str, args: argparse.Namespace) -> None:
    """req/s of each endpoint and of ref_json, interleaved over `args.rounds` rounds; medians and their ratios."""
    headers = passport(url, code)
    targets = {"ref_json GET /api/site": (ref_url + "/api/site", {}),
               "GET /api/passport": (url + "/api/passport", {"X-App-Code": code}),
               "GET /api/site": (url + "/api/site", headers), "GET /api/parameters": (url + "/api/parameters", headers)}
    rps: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(args.rounds):  # interleaved, so a busy moment of the machine hits every target alike
        for name, (target, target_headers) in targets.items():
            rps[name].append(wrk(target, target_headers, args.connections, args.seconds)["rps"])
    ref = statistics.median(rps["ref_json GET /api/site"])
    for name, values in rps.items():
        rounds = " ".join(f"{v:.0f}" for v in values)
        print(f"{name}: median {statistics.median(values):.0f} req/s ({rounds}) "
              f"-> {statistics.median(values) / ref:.2f}x ref_json")


def measure_lists(url: str, code: str, settings: dict[str, str], args: argparse.Namespace) -> None:
    headers = passport(url, code, USER_ID)
    site = requests.get(url + "/api/site", headers=headers, timeout=10).json()
    started = time.monotonic()
    conversation_id, deep = seed_lists(settings, site["app_id"], site["end_user_id"])
    print(f"seeded {CONVERSATIONS} conversations, {CONVERSATIONS * MESSAGES_PER_CONVERSATION} messages "
          f"in {time.monotonic() - started:.0f} s")
    first_message = requests.get(url + "/api/messages", headers=headers, timeout=30,
                                 params={"conversation_id": conversation_id, "limit": 50}).json()["data"][0]["id"]
    cases = (("site (the fixed cost of a request)", "/api/site"),
             ("conversations, first page", "/api/conversations?limit=20"),
             ("conversations, after a cursor 5,000 deep", f"/api/conversations?limit=20&last_id={deep}"),
             ("conversations, pinned=false", "/api/conversations?limit=20&pinned=false"),
             ("messages, newest page", f"/api/messages?conversation_id={conversation_id}&limit=20"),
             ("messages, older page", f"/api/messages?conversation_id={conversation_id}&limit=20"
                                      f"&first_id={first_message}"))
    for name, path in cases:
        one = wrk(url + path, headers, 1, args.seconds)
        many = wrk(url + path, headers, args.connections, args.seconds)
        print(f"GET {name}: 1 connection p50 {one['p50']:.1f} ms p99 {one['p99']:.1f} ms; "
              f"{args.connections} connections {many['rps']:.0f} req/s p99 {many['p99']:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-root", type=Path, default=REPO_ROOT, help="checkout whose code is served")
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the req/s runs")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--skip-lists", action="store_true", help="only passport/site/parameters")
    args = parser.parse_args()
    root = args.server_root.resolve()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, text=True, capture_output=True)
    print(f"serving {root} at {commit.stdout.strip()}")
    with bench_world(root) as settings:
        code = flask(root, settings, "apps", "create", "--name", "Bench", "--mode", "chat").split("code=")[1].split()[0]
        with gunicorn(REPO_ROOT, "bench.reads_ref:app", {}) as ref_url:
            with gunicorn(root, "api.wsgi:app", settings) as url:
                measure_reads(url, ref_url, code, args)
        if not args.skip_lists:
            with gunicorn(root, "api.wsgi:app", settings) as url:
                measure_lists(url, code, settings, args)


if __name__ == "__main__":
    main()
