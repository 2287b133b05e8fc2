"""Reference reads: trivial Flask JSON routes, and a route that issues a JWT, under our gunicorn settings.

    BIND=127.0.0.1:5003 gunicorn -c deploy/gunicorn.conf.py bench.refs.ref_json:app

`GET /api/site` and `GET /api/parameters` return a constant document; `GET /api/passport` signs a fresh HS256
JWT for a new anonymous end user (no database), the floor for our passport issuance.
"""
from __future__ import annotations

import time
import uuid

import jwt
from flask import Flask, request

app = Flask(__name__)
SECRET = "ref-json-secret-" + "0123456789abcdef" * 4
SITE = {
    "app_id": str(uuid.uuid4()), "end_user_id": None, "enable_site": True, "plan": "basic", "can_replace_logo": False,
    "model_config": None,
    "site": {"title": "Bench", "icon_type": "emoji", "icon": "🤖", "description": "", "default_language": "en-US",
             "show_workflow_steps": True, "use_icon_as_answer_icon": False},
}
PARAMETERS = {
    "opening_statement": "", "suggested_questions": [], "suggested_questions_after_answer": {"enabled": False},
    "speech_to_text": {"enabled": False}, "text_to_speech": {"enabled": False},
    "retriever_resource": {"enabled": False}, "annotation_reply": {"enabled": False},
    "more_like_this": {"enabled": False}, "user_input_form": [], "sensitive_word_avoidance": {"enabled": False},
    "file_upload": {"image": {"enabled": False}}, "system_parameters": {"file_size_limit": 15},
}


@app.get("/api/site")
def site() -> dict:
    return SITE


@app.get("/api/parameters")
def parameters() -> dict:
    return PARAMETERS


@app.get("/api/passport")
def passport() -> dict:
    code = request.headers.get("X-App-Code", "")
    claims = {"iss": SITE["app_id"], "sub": "Web API Passport", "app_id": SITE["app_id"], "app_code": code,
              "end_user_id": str(uuid.uuid4()), "iat": int(time.time())}
    return {"access_token": jwt.encode(claims, SECRET, algorithm="HS256")}
