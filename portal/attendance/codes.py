"""Rotating attendance codes: derived from a window's secret and the interval index.

Every app process computes the same code from the database alone (no process memory), so
several processes behind a load balancer agree. Only the secret is stored, never a code.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.models import CodeWindow

# No look-alikes: without 0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V.
ALPHABET = "ACEFHJKMNPRTWXY3479"
CODE_LENGTH = 6


@dataclass(frozen=True)
class CurrentCode:
    """The code on screen now and when it is replaced."""

    code: str
    index: int
    rotates_at: datetime


def code_for(secret: str, index: int) -> str:
    """The code of one interval of a window: HMAC(secret, index) spelled in ALPHABET."""
    digest = hmac.new(bytes.fromhex(secret), index.to_bytes(8, "big"), hashlib.sha256).digest()
    number = int.from_bytes(digest[:16], "big")
    letters = []
    for _ in range(CODE_LENGTH):
        number, rest = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[rest])
    return "".join(letters)


def code_normalise(text: str) -> str:
    """What a person typed, as a code: upper case, without spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """The SHA-256 of a normalised code, the only form in which a typed code is kept."""
    return hashlib.sha256(code_normalise(code).encode()).hexdigest()


def interval_index(window: CodeWindow, now: datetime) -> int:
    """Which interval of the window an instant falls in."""
    return int((now - window.opens_at).total_seconds() // window.interval_seconds)


def is_open(window: CodeWindow, now: datetime) -> bool:
    """Whether the window accepts codes at this instant."""
    return window.opens_at <= now < window.closes_at


def current_code(window: CodeWindow, now: datetime) -> CurrentCode:
    """The code to show now and the instant it rotates (never after the window closes)."""
    index = max(0, interval_index(window, now))
    rotates = window.opens_at + timedelta(seconds=(index + 1) * window.interval_seconds)
    return CurrentCode(code_for(window.secret, index), index, min(rotates, window.closes_at))


def accepted_indexes(window: CodeWindow, now: datetime) -> list[int]:
    """The intervals whose codes count now: the current one, and the previous within grace."""
    index = interval_index(window, now)
    since_rotation = (now - window.opens_at).total_seconds() - index * window.interval_seconds
    grace = index > 0 and since_rotation < window.grace_seconds
    return [index, index - 1] if grace else [index]


def code_matches(window: CodeWindow, code: str, now: datetime) -> bool:
    """Whether a typed code is the window's code now (or the previous one, within grace)."""
    typed = code_normalise(code)
    return any(
        hmac.compare_digest(code_for(window.secret, i), typed)
        for i in accepted_indexes(window, now)
    )


def code_was_issued(window: CodeWindow, code: str, now: datetime) -> bool:
    """Whether a typed code was shown earlier by this window (an expired code)."""
    typed = code_normalise(code)
    last = min(interval_index(window, min(now, window.closes_at)), 10_000)
    return any(hmac.compare_digest(code_for(window.secret, i), typed) for i in range(last + 1))
