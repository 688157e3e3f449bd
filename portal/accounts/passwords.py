"""Password rules and argon2id hashing (bcrypt hashes still verify), one hash at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import bcrypt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
# Longer passwords are refused at registration and never match, never truncated: the bcrypt
# hashes stored before argon2id can only check 72 bytes, and one rule serves every account.
MAX_BYTES = 72
# OWASP's Password Storage Cheat Sheet lists argon2id at m=47104/t=1, m=19456/t=2,
# m=12288/t=3, m=9216/t=4 or m=7168/t=5 (KiB, p=1) as minimums of equal defense. The
# least memory with the most passes costs ~21 ms of CPU a check here (bcrypt at cost 10
# took ~72 ms); a hash made with other parameters is replaced at the next sign-in.
ARGON2_MEMORY_KIB = 7168
ARGON2_TIME_COST = 5
ARGON2_PARALLELISM = 1
_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    type=Type.ID,
)
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
# argon2 (and bcrypt) run outside the interpreter lock on their own core. One hash at a time
# per process leaves the other core to page runs (the console, check-ins) while sign-ins queue.
# Always the same thread: argon2's 7 MiB working memory then stays in one malloc arena; from
# each script run's own thread it settled in one arena per thread (+120 MiB with 300 sign-ins).
_HASHING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password-hashing")


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
    """An argon2id hash of the password at the configured parameters."""
    return _HASHING.submit(_HASHER.hash, password).result()


def _verified(password: str, hashed: str) -> bool:
    """Whether the password matches an argon2 or (older) bcrypt hash; False for anything else."""
    try:
        if hashed.startswith("$argon2"):
            return _HASHER.verify(hashed, password)
        if hashed.startswith(_BCRYPT_PREFIXES):
            return bcrypt.checkpw(password.encode("utf-8"), hashed.encode())
    except (VerificationError, ValueError):  # a mismatch; a malformed hash (InvalidHashError)
        return False
    return False  # an unusable placeholder such as "!"


def password_matches(password: str, hashed: str) -> bool:
    """Whether the password matches the hash; over-long input never matches."""
    too_long = len(password.encode("utf-8")) > MAX_BYTES
    if too_long:
        password, hashed = "x", dummy_hash()  # same cost as a real check
    matched = _HASHING.submit(_verified, password, hashed).result()
    return matched and not too_long


def password_needs_rehash(hashed: str) -> bool:
    """Whether a stored hash was made otherwise than today's argon2id parameters (bcrypt,
    another argon2 variant or cost, or not a hash at all)."""
    if not hashed.startswith("$argon2"):
        return True
    try:
        return _HASHER.check_needs_rehash(hashed)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash no password matches in practice, checked so unknown users cost the same time."""
    return password_hash("unknown-user-placeholder-password")
