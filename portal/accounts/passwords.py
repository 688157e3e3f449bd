"""Password rules and bcrypt hashing."""

from __future__ import annotations

from functools import lru_cache

import bcrypt

MIN_LENGTH = 10
MAX_BYTES = 72  # bcrypt's own limit; longer passwords are refused, never truncated


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password.encode("utf-8")) > MAX_BYTES:
        return f"Use at most {MAX_BYTES} bytes (about {MAX_BYTES} plain letters)."
    if not password.strip():
        return "A password cannot be only spaces."
    return None


def password_hash(password: str) -> str:
    """A bcrypt hash of the password (cost 12)."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12)).decode()


def password_matches(password: str, hashed: str) -> bool:
    """Whether the password matches the hash; over-long input never matches."""
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_BYTES:
        bcrypt.checkpw(b"x", dummy_hash().encode())  # same cost as a real check
        return False
    return bcrypt.checkpw(encoded, hashed.encode())


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash no password matches in practice, checked so unknown users cost the same time."""
    return password_hash("unknown-user-placeholder-password")
