"""The re-login cookie: decode it defensively and tell when it was issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt


@dataclass(frozen=True)
class CookieClaim:
    """Who a valid re-login cookie names and when it was issued."""

    username: str
    issued_at: datetime


def cookie_claim(token: str, *, key: str, expiry_days: float, now: datetime) -> CookieClaim | None:
    """The cookie's claim, or None for a forged, malformed, expired or foreign token.

    The cookie carries only its expiry; its issue time is that minus the configured lifetime.
    """
    try:
        payload = jwt.decode(token, key, algorithms=["HS256"])
        username, expires = payload["username"], float(payload["exp_date"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None
    if not isinstance(username, str) or not username:
        return None
    expires_at = datetime.fromtimestamp(expires, UTC)
    if expires_at <= now:
        return None
    return CookieClaim(username.lower(), expires_at - timedelta(days=expiry_days))


def cookie_token(
    username: str, *, key: str, expiry_days: float, now: datetime
) -> tuple[str, datetime]:
    """A re-login token in the library's format ({username, exp_date}) and when it expires."""
    expires_at = now + timedelta(days=expiry_days)
    payload = {"username": username, "exp_date": expires_at.timestamp()}
    return jwt.encode(payload, key, algorithm="HS256"), expires_at
