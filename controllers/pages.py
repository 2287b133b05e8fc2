"""The web pages of published apps: /chat, /chatbot, /completion and /workflow/<code>.

Templates and static files live under web/ (the JS client is built there by `npm run build` and committed,
so serving needs no Node). The app is created with `static_folder=None`, so this blueprint owns `/static`.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, make_response, render_template

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
PAGES = {"chat": "chat", "chatbot": "chat", "completion": "completion", "workflow": "workflow"}
TITLES = {"chat": "Chat", "completion": "Text generator", "workflow": "Workflow"}
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'")
REFERRER_POLICY = "strict-origin-when-cross-origin"


def create_blueprint() -> Blueprint:
    """Pages at /<kind>/<code> and the files under web/static at /static/<path>."""
    bp = Blueprint("pages", __name__, static_folder=str(WEB_ROOT / "static"), static_url_path="/static",
                   template_folder=str(WEB_ROOT / "templates"))
    for kind in PAGES:
        bp.add_url_rule(f"/{kind}/<string:code>", endpoint=kind, view_func=show_page, defaults={"kind": kind})
    bp.after_request(_add_security_headers)
    return bp


def frame_ancestors(setting: str) -> str:
    """CSP `frame-ancestors` for WEB_EMBED_ALLOW_ORIGINS: this site, plus the listed origins ("*": anyone)."""
    origins = [o.strip() for o in setting.replace(",", " ").split() if o.strip()]
    return "frame-ancestors *" if "*" in origins else " ".join(["frame-ancestors 'self'", *origins])


def _add_security_headers(response: Response) -> Response:
    """Who may frame the pages, what referrer they leak, no MIME sniffing (pages and static files)."""
    setting = current_app.config.get("WEB_EMBED_ALLOW_ORIGINS", "")
    policy = response.headers.get("Content-Security-Policy")
    ancestors = frame_ancestors(setting)
    response.headers["Content-Security-Policy"] = f"{policy}; {ancestors}" if policy else ancestors
    if not setting.strip():  # browsers that predate frame-ancestors; it cannot name other origins
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Referrer-Policy"] = REFERRER_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def show_page(kind: str, code: str) -> Response:
    """The page shell; its script loads everything else through the Web API with this app code."""
    page = PAGES[kind]
    html = render_template(f"{page}.html", page=page, script=page, embedded=kind == "chatbot", code=code,
                           title=TITLES[page], api_base="/api")
    response = make_response(html)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-cache"
    return response
