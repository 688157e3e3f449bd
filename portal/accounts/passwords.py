"""Password rules and bcrypt hashing, with the number of hashes running at once bounded."""

from __future__ import annotations

import threading
from functools import lru_cache

import bcrypt

MIN_LENGTH = 10
MAX_BYTES = 72  # bcrypt's own limit; longer passwords are refused, never truncated
# OWASP's Password Storage Cheat Sheet: bcrypt with a work factor of 10 or more. A check
# costs ~60 ms of CPU here; stored hashes of another cost are replaced at the next sign-in.
BCRYPT_ROUNDS = 10
# bcrypt runs outside the interpreter lock on its own core. One hash at a time per process
# leaves the other core to page runs (the console, check-ins) while sign-ins queue.
_HASHING = threading.BoundedSemaphore(1)


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password.encode("utf-8")) > MAX_BYTES:
        return f"Use at most {MAX_BYTES} bytes (about {MAX_BYTES} plain letters)."
    if not password.strip():
        return "A password cannot be only spaces."
    return None


def password_hash(password: str, *, rounds: int = BCRYPT_ROUNDS) -> str:
    """A bcrypt hash of the password at the configured cost."""
    with _HASHING:
        return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode()


def password_matches(password: str, hashed: str) -> bool:
    """Whether the password matches the hash; over-long input never matches."""
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_BYTES:
        encoded, hashed = b"x", dummy_hash()  # same cost as a real check
    try:
        with _HASHING:
            matched = bcrypt.checkpw(encoded, hashed.encode())
    except ValueError:  # not a bcrypt hash (an unusable "!" placeholder)
        return False
    return matched and len(password.encode("utf-8")) <= MAX_BYTES


def password_needs_rehash(hashed: str) -> bool:
    """Whether a stored hash was made with other parameters than today's (``$2b$10$...``)."""
    parts = hashed.split("$")
    return len(parts) < 4 or parts[1] != "2b" or parts[2] != f"{BCRYPT_ROUNDS:02d}"


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash no password matches in practice, checked so unknown users cost the same time."""
    return password_hash("unknown-user-placeholder-password")
