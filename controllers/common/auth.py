"""The passport decorator: resolves the caller and puts it on `g`."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import current_app, g, request

from api.extensions import get_redis
from services.app_cache import AppCache, app_cache
from services.passport_service import resolve_passport


def read_passport() -> str | None:
    """The passport from the `passport-<code>` cookie, X-App-Passport, or Authorization: Bearer."""
    app_code = request.headers.get("X-App-Code")
    token = request.cookies.get(f"passport-{app_code}") if app_code else None
    token = token or request.headers.get("X-App-Passport")
    if not token:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
    return token or None


def synced_cache() -> AppCache:
    """The app cache, checked once against the shared version for this request."""
    cache = app_cache()
    cache.sync(get_redis())
    return cache


def passport_required(view: Callable) -> Callable:
    """Authenticate the request; the view finds `g.app_model`, `g.site` and `g.end_user`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        caller = resolve_passport(current_app.config["SECRET_KEY"], read_passport(),
                                  request.headers.get("X-App-Code"), synced_cache())
        g.app_model, g.site, g.end_user = caller.app, caller.site, caller.end_user
        return view(*args, **kwargs)

    return wrapper
