"""Passports: JWTs (HS256, pinned) bound to an app and an end user (spec §1, STYLE G14)."""
from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass

import jwt
import redis
from sqlalchemy.dialects import postgresql, sqlite

from api.extensions import db
from models import App, EndUser, Site
from models.base import new_id
from services.app_cache import AppCache, detach
from services.errors import BadRequest, InvalidParam, NotFound, TooManyRequests, Unauthorized

ALGORITHM = "HS256"
SUBJECT = "Web API Passport"
# end users named by `user_id` get a stable id derived from the app and that name
END_USER_NAMESPACE = uuid.UUID("6f1f2d4e-4c0b-4f39-9d0e-2f7f8a1b5c3d")
RATE_WINDOW_SECONDS = 60
USER_ID_MAX_LENGTH = 255  # end_users.session_id
VERIFIED_TOKENS_KEPT = 4096


@dataclass(frozen=True)
class SiteRow:
    """A site and its app, as one query loads them."""

    app: App
    site: Site


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
    """Verify `token` with the pinned algorithm. Raises Unauthorized with the spec's messages.

    A token that verified once is not verified again (the same string carries the same signature):
    its claims come from a small per-process memo, and only its expiry is checked at every use.
    """
    try:
        claims = _verified_claims(secret, token)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("Token has expired.") from None
    except jwt.InvalidSignatureError:
        raise Unauthorized("Invalid token signature.") from None
    except jwt.PyJWTError:
        raise Unauthorized("Invalid token.") from None
    if "exp" in claims and claims["exp"] <= time.time():
        raise Unauthorized("Token has expired.")
    return dict(claims)


@functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)
def _verified_claims(secret: str, token: str) -> dict:
    """The claims of a token whose signature (and, at that moment, expiry) checked out; failures are not kept."""
    return jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["app_id", "end_user_id"]})


def limit_issue_rate(client: redis.Redis, client_ip: str, per_minute: int) -> None:
    """Count one passport request from `client_ip`. Raises TooManyRequests (with retry_after) past `per_minute`.

    A fixed one-minute window per address in Redis; `per_minute` 0 turns the limit off.
    """
    if per_minute <= 0:
        return
    now = time.time()
    key = f"passport_rate:{client_ip}:{int(now // RATE_WINDOW_SECONDS)}"
    pipe = client.pipeline()
    pipe.incr(key)
    pipe.expire(key, RATE_WINDOW_SECONDS * 2)
    count, _ = pipe.execute()
    if count > per_minute:
        retry_after = RATE_WINDOW_SECONDS - int(now % RATE_WINDOW_SECONDS)
        raise TooManyRequests(f"Too many passport requests from this address; at most {per_minute} per minute.",
                              retry_after=retry_after)


def issuing_site(cache: AppCache, app_code: str | None) -> SiteRow:
    """The published site a passport is asked for. Raises Unauthorized (no code) or NotFound (unknown/disabled)."""
    if not app_code:
        raise Unauthorized("X-App-Code header is missing.")
    found = published_site(cache, app_code)
    if found is None or found.site.status != "normal" or not found.app.is_available:
        raise NotFound()
    return found


def issue_passport(secret: str, found: SiteRow, user_id: str | None, ttl_seconds: int = 0) -> str:
    """Issue a passport for the site `found` (see `issuing_site`). Writes nothing: the end user row comes at first use.

    Raises InvalidParam (bad `user_id`).
    """
    app = found.app
    end_user_id, session_id = _end_user_identity(app.id, user_id)
    claims = {"iss": app.id, "sub": SUBJECT, "app_id": app.id, "app_code": found.site.code,
              "end_user_id": end_user_id, "session_id": session_id}
    return encode(secret, claims, ttl_seconds)


def published_site(cache: AppCache, app_code: str | None) -> SiteRow | None:
    """The site with code `app_code` and its app, whatever their status (one query, or none when cached)."""
    if not app_code:
        return None
    return cache.fetch(("site", app_code), lambda: _load_site(app_code))


def _load_site(app_code: str) -> SiteRow | None:
    row = db.session.execute(db.select(App, Site).join(Site, Site.app_id == App.id)
                             .where(Site.code == app_code)).first()
    if row is None:
        return None
    detach(row.App, row.Site)
    return SiteRow(app=row.App, site=row.Site)


def _end_user_identity(app_id: str, user_id: str | None) -> tuple[str, str]:
    """(end user id, session id): a fresh anonymous one, or the stable one `user_id` names. Raises InvalidParam."""
    if not user_id:
        fresh = new_id()
        return fresh, fresh
    if len(user_id) > USER_ID_MAX_LENGTH or "\x00" in user_id:
        raise InvalidParam(f"user_id: must be at most {USER_ID_MAX_LENGTH} characters, without NUL.",
                           params="user_id")
    found = db.session.execute(db.select(EndUser.id).filter_by(app_id=app_id, session_id=user_id)
                               .order_by(EndUser.created_at).limit(1)).scalar_one_or_none()
    return found or str(uuid.uuid5(END_USER_NAMESPACE, f"{app_id}:{user_id}")), user_id


def _end_user_for(cache: AppCache, app_id: str, claims: dict) -> EndUser | None:
    """The passport's end user, inserted on first use (idempotent: parallel first uses leave one row)."""
    return cache.fetch(("end_user", claims["end_user_id"]), lambda: _load_end_user(app_id, claims))


def _load_end_user(app_id: str, claims: dict) -> EndUser | None:
    end_user = db.session.get(EndUser, claims["end_user_id"])
    if end_user is None and claims.get("session_id"):
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        db.session.execute(dialect.insert(EndUser).values(
            id=claims["end_user_id"], app_id=app_id, session_id=str(claims["session_id"]), type="browser",
            is_anonymous=True).on_conflict_do_nothing(index_elements=["id"]))
        db.session.commit()
        end_user = db.session.get(EndUser, claims["end_user_id"])
    detach(end_user)
    return end_user


def resolve_passport(secret: str, token: str | None, header_app_code: str | None, cache: AppCache) -> WebCaller:
    """Validate a passport and load its app, site and end user (spec §1.3), through `cache`.

    A passport presented with the X-App-Code of another app is refused (401), so the
    client fetches a passport for the app it means. The returned rows are detached from the session.
    """
    if not token:
        raise Unauthorized("App token is missing.")
    claims = decode(secret, token)
    if header_app_code and claims.get("app_code") and header_app_code != claims["app_code"]:
        raise Unauthorized("The passport was issued for another app.")
    found = published_site(cache, claims.get("app_code"))
    if found is None or found.app.id != claims["app_id"]:
        _raise_missing_app_or_site(claims["app_id"])
    if not found.app.enable_site:
        raise BadRequest("Site is disabled.")
    end_user = _end_user_for(cache, found.app.id, claims)
    if end_user is None or end_user.app_id != found.app.id:
        raise NotFound()
    return WebCaller(app=found.app, site=found.site, end_user=end_user)


def _raise_missing_app_or_site(app_id: str) -> None:
    """NotFound when the app is gone, else BadRequest: its site (code) no longer exists."""
    if db.session.get(App, app_id) is None:
        raise NotFound()
    raise BadRequest("Site URL is no longer valid.")


def passport_matches_user(secret: str, token: str | None, app_code: str | None, user_id: str | None,
                          cache: AppCache) -> bool:
    """Whether `token` is a valid passport for `app_code` (and, if given, for session `user_id`)."""
    try:
        caller = resolve_passport(secret, token, app_code, cache)
    except (Unauthorized, NotFound, BadRequest):
        return False
    return not user_id or caller.end_user.session_id == user_id
