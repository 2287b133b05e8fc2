"""Passport tokens verified once per process are remembered, but never past their secret or expiry."""
from __future__ import annotations

import time

import pytest

from services import passport_service
from services.errors import Unauthorized

pytestmark = pytest.mark.embedded
FIRST, SECOND = "first-secret-" + "0" * 32, "second-secret-" + "1" * 32


def test_a_remembered_token_is_refused_under_another_secret_and_once_expired():
    token = passport_service.encode(FIRST, {"app_id": "a", "end_user_id": "u"}, ttl_seconds=1)
    assert passport_service.decode(FIRST, token)["end_user_id"] == "u"
    assert passport_service.decode(FIRST, token)["end_user_id"] == "u"
    with pytest.raises(Unauthorized, match="Invalid token signature."):
        passport_service.decode(SECOND, token)
    time.sleep(2.05)
    with pytest.raises(Unauthorized, match="Token has expired."):
        passport_service.decode(FIRST, token)


def test_the_returned_claims_are_the_callers_own_copy():
    token = passport_service.encode(FIRST, {"app_id": "a", "end_user_id": "u"})
    passport_service.decode(FIRST, token)["end_user_id"] = "changed"
    assert passport_service.decode(FIRST, token)["end_user_id"] == "u"
