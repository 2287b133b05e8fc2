"""Reference relay: the least a Flask app can do to relay a streamed chat as SSE.

    BIND=127.0.0.1:5002 REF_UPSTREAM=http://127.0.0.1:8000/v1 \
        gunicorn -c deploy/gunicorn.conf.py bench.refs.ref_proxy:app

`POST /api/chat-messages` ({"query": ...}) reads the upstream with `requests` (`stream=True`), decodes every
`data:` line and re-emits each content delta as a Dify-shaped `message` frame, then `message_end`. No auth, no
database, no Redis: the floor for what our relay costs per event and per request.
"""
from __future__ import annotations

import json
import os
import time
import uuid

import requests
from flask import Flask, Response, request
from requests.adapters import HTTPAdapter

app = Flask(__name__)
session = requests.Session()
session.mount("http://", HTTPAdapter(pool_connections=4, pool_maxsize=2000))


def frame(data: dict) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}\n\n"


@app.post("/api/chat-messages")
def chat_messages() -> Response:
    body = {"model": "gpt-ref", "stream": True, "messages": [{"role": "user", "content": request.json["query"]}]}
    upstream = session.post(f"{os.environ['REF_UPSTREAM']}/chat/completions", json=body, stream=True, timeout=(5, 60))
    ids = {"task_id": str(uuid.uuid4()), "id": str(uuid.uuid4()), "conversation_id": str(uuid.uuid4())}

    def frames():
        with upstream:
            for line in upstream.iter_lines(chunk_size=None):
                if not line.startswith(b"data: ") or line == b"data: [DONE]":
                    continue
                for choice in json.loads(line[6:]).get("choices") or []:
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        yield frame({"event": "message", **ids, "message_id": ids["id"], "answer": text,
                                     "created_at": int(time.time())})
        yield frame({"event": "message_end", **ids, "message_id": ids["id"], "metadata": {}})

    return Response(frames(), mimetype="text/event-stream", headers={"Cache-Control": "no-cache"})
