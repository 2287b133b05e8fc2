"""ref_json for bench/reads.py: the least a Flask app under the same gunicorn settings can answer.

One route, `GET /api/site`, returning a fixed JSON body of the size of our `/api/site` through
`flask.jsonify`; no database, no Redis, no auth. Served as `bench.reads_ref:app`.
"""
from gevent import monkey

monkey.patch_all()

from flask import Flask, jsonify  # noqa: E402

BODY = {
    "app_id": "0192f0c4-1111-7000-8000-000000000001",
    "end_user_id": "0192f0c4-2222-7000-8000-000000000002",
    "enable_site": True,
    "site": {"title": "Bench", "chat_color_theme": None, "chat_color_theme_inverted": False, "icon_type": "emoji",
             "icon": "🤖", "icon_background": "#FFEAD5", "icon_url": None, "description": "", "copyright": None,
             "privacy_policy": None, "custom_disclaimer": "", "default_language": "en-US", "prompt_public": False,
             "show_workflow_steps": True, "use_icon_as_answer_icon": False},
    "model_config": None, "plan": "basic", "can_replace_logo": False, "custom_config": None,
}

app = Flask("reads_ref")


@app.get("/api/site")
def site():
    return jsonify(BODY)


@app.get("/console/api/setup")
def ready():
    return jsonify({"step": "finished"})
