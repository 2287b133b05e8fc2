"""Passports: JWTs (HS256, pinned) bound to an app and an end user (spec §1, STYLE G14)."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from api.extensions import db
from models import App, EndUser, Site
from services.errors import BadRequest, NotFound, Unauthorized

ALGORITHM = "HS256"
SUBJECT = "Web API Passport"


@dataclass(frozen=True)
class WebCaller:
    """Who is calling: the app, its site and the end user a passport names."""

    app: App
    site: Site
    end_user: EndUser


def encode(secret: str, claims: dict, ttl_seconds: int = 0) -> str:
    """Sign `claims`; with a positive `ttl_seconds` the token carries an `exp`."""
    payload = dict(claims)
    if ttl_seconds > 0:
        payload["exp"] = int(time.time()) + ttl_seconds
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode(secret: str, token: str) -> dict:
    """Verify `token` with the pinned algorithm. Raises Unauthorized with the spec's messages."""
    try:
        return jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["app_id", "end_user_id"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("Token has expired.") from None
    except jwt.InvalidSignatureError:
        raise Unauthorized("Invalid token signature.") from None
    except jwt.PyJWTError:
        raise Unauthorized("Invalid token.") from None


def issue_passport(secret: str, app_code: str | None, user_id: str | None, ttl_seconds: int = 0) -> str:
    """Issue a passport for the public site `app_code`, creating the end user as needed.

    Raises Unauthorized (no code) or NotFound (unknown/disabled site or app).
    """
    if not app_code:
        raise Unauthorized("X-App-Code header is missing.")
    site = db.session.execute(db.select(Site).filter_by(code=app_code, status="normal")).scalar_one_or_none()
    app = db.session.get(App, site.app_id) if site else None
    if app is None or not app.is_available:
        raise NotFound()
    end_user = _find_or_create_end_user(app.id, user_id)
    claims = {"iss": app.id, "sub": SUBJECT, "app_id": app.id, "app_code": app_code, "end_user_id": end_user.id}
    return encode(secret, claims, ttl_seconds)


def _find_or_create_end_user(app_id: str, session_id: str | None) -> EndUser:
    if session_id:
        found = db.session.execute(
            db.select(EndUser).filter_by(app_id=app_id, session_id=session_id).limit(1)
        ).scalar_one_or_none()
        if found:
            return found
    end_user = EndUser(app_id=app_id, session_id=session_id or str(uuid.uuid4()), type="browser", is_anonymous=True)
    db.session.add(end_user)
    db.session.commit()
    return end_user


def resolve_passport(secret: str, token: str | None, header_app_code: str | None) -> WebCaller:
    """Validate a passport and load its app, site and end user (spec §1.3).

    A passport presented with the X-App-Code of another app is refused (401), so the
    client fetches a passport for the app it means.
    """
    if not token:
        raise Unauthorized("App token is missing.")
    claims = decode(secret, token)
    if header_app_code and claims.get("app_code") and header_app_code != claims["app_code"]:
        raise Unauthorized("The passport was issued for another app.")
    app = db.session.get(App, claims["app_id"])
    if app is None:
        raise NotFound()
    site = _site_for(claims.get("app_code"))
    if not app.enable_site:
        raise BadRequest("Site is disabled.")
    end_user = db.session.get(EndUser, claims["end_user_id"])
    if end_user is None or end_user.app_id != app.id:
        raise NotFound()
    return WebCaller(app=app, site=site, end_user=end_user)


def _site_for(app_code: str | None) -> Site:
    site = db.session.execute(db.select(Site).filter_by(code=app_code)).scalar_one_or_none() if app_code else None
    if site is None:
        raise BadRequest("Site URL is no longer valid.")
    return site


def passport_matches_user(secret: str, token: str | None, app_code: str | None, user_id: str | None) -> bool:
    """Whether `token` is a valid passport for `app_code` (and, if given, for session `user_id`)."""
    try:
        caller = resolve_passport(secret, token, app_code)
    except (Unauthorized, NotFound, BadRequest):
        return False
    return not user_id or caller.end_user.session_id == user_id
