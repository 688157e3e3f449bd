from datetime import timedelta

from portal.models import utc_now
from portal.signin_cookie import cookie_claim, cookie_token


def test_token_round_trip_tells_issue_time():
    now = utc_now()
    token, expires_at = cookie_token("Zoe", key="k" * 40, expiry_days=7, now=now)
    claim = cookie_claim(token, key="k" * 40, expiry_days=7, now=now)
    assert expires_at == now + timedelta(days=7)
    assert claim is not None and claim.username == "zoe"
    assert abs(claim.issued_at - now) < timedelta(milliseconds=1)


def test_token_refused_with_another_key_or_after_expiry():
    now = utc_now()
    token, _ = cookie_token("zoe", key="k" * 40, expiry_days=7, now=now)
    assert cookie_claim(token, key="x" * 40, expiry_days=7, now=now) is None
    assert cookie_claim(token, key="k" * 40, expiry_days=7, now=now + timedelta(days=8)) is None
