"""The demo accounts: seeded in demo mode only, and refused at sign-in outside it."""

from __future__ import annotations

# (username, role, full name); each password is the username.
DEMO_ACCOUNTS = (
    ("demo-admin", "admin", "Dana Admin"),
    ("demo-instructor", "instructor", "Ira Instructor"),
    ("demo-participant", "participant", "Alex Rivera"),
)
DEMO_USERNAMES = frozenset(username for username, _role, _name in DEMO_ACCOUNTS)


def is_demo_account(username: str) -> bool:
    """Whether the username is one of the demo accounts (whatever the database holds)."""
    return username.strip().lower() in DEMO_USERNAMES
