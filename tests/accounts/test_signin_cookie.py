import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from portal.accounts.signin_cookie import cookie_claim, cookie_token
from portal.models import utc_now

KEY = "k" * 64
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _token(payload, key=KEY, algorithm="HS256"):
    return jwt.encode(payload, key, algorithm=algorithm)


def test_a_valid_cookie_names_the_user_and_its_issue_time():
    expires = NOW + timedelta(days=7)
    claim = cookie_claim(
        _token({"username": "Pat", "exp_date": expires.timestamp()}),
        key=KEY,
        expiry_days=7,
        now=NOW,
    )
    assert claim is not None
    assert claim.username == "pat"
    assert abs((claim.issued_at - NOW).total_seconds()) < 1


def _unsigned(payload):
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


GOOD = {"username": "pat", "exp_date": (NOW + timedelta(days=1)).timestamp()}


@pytest.mark.parametrize(
    "token",
    [
        _token(GOOD, key="a-key-an-attacker-chose-long-enough-for-hs256"),
        _token(GOOD, key=KEY, algorithm="HS512"),  # another algorithm raised inside the library
        _unsigned(GOOD),
        "not a token",
        "",
        "a.b.c",
        _token({"username": "pat"}),
        _token({"exp_date": GOOD["exp_date"]}),
        _token({"username": ["pat"], "exp_date": GOOD["exp_date"]}),
        _token({"username": "pat", "exp_date": "soon"}),
        _token({"username": "pat", "exp_date": (NOW - timedelta(seconds=1)).timestamp()}),
    ],
)
def test_forged_malformed_or_expired_cookies_are_refused_without_an_exception(token):
    assert cookie_claim(token, key=KEY, expiry_days=7, now=NOW) is None


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
