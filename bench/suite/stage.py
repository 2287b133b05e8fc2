"""Stage the servers: the reference upstream, our server and the reference programs, each one gevent worker."""
from __future__ import annotations

import os
import subprocess
from dataclasses import replace

from bench.suite import scenarios as sc
from bench.suite.procs import BIN, REPO, Procs, gunicorn, worker_pid
from bench.suite.world import World, passport
from bench.workflow_queue import DSL


def start_upstream(procs: Procs) -> tuple[str, int]:
    process = procs.spawn([str(BIN / "python"), "-m", "bench.refs.ref_upstream"], os.environ | {
        "PYTHONPATH": str(REPO)}, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    return url, int(url.rsplit(":", 1)[1].split("/")[0])


def start_servers(procs: Procs, world: World, upstream: str) -> dict[str, sc.Side]:
    """Our server and the two references, each one gevent worker under deploy/gunicorn.conf.py."""
    from tests.support.live_server import free_port

    chat_code, wf_code = world.create_chat_app(), world.import_app(DSL)
    sides = {}
    for name, app, env, ready in (
            ("ours", "api.wsgi:app", world.env(OPENAI_API_BASE=upstream, OPENAI_API_KEY="sk-bench"),
             "/console/api/setup"),
            ("ref", "bench.refs.ref_proxy:app", world.env(REF_UPSTREAM=upstream), "/"),
            ("ref_json", "bench.refs.ref_json:app", world.env(), "/api/site")):
        port = free_port()
        label = app.split(":")[0].rsplit(".", 1)[-1] if name != "ours" else name
        sides[name] = sc.Side(label, port, worker_pid(gunicorn(procs, app, env, port, ready).pid))
        sides[name].log = procs.children[-1]
    base = f"http://127.0.0.1:{sides['ours'].port}"
    chat_headers = [passport(base, chat_code) for _ in range(4)]
    sides["ours"].headers = sides["ref"].headers = chat_headers
    sides["ref_json"].headers = chat_headers[:1]
    sides["ours_json"] = replace(sides["ours"], headers=chat_headers[:1])
    sides["ours_wf"] = replace(sides["ours"], headers=[passport(base, wf_code)])
    sides["ours_lists"] = replace(sides["ours"], headers=[passport(base, chat_code)])
    return sides
