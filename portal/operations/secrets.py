"""`portal secrets init`: the cookie signing key, written once into the secrets file."""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from pathlib import Path

from portal.errors import PortalError

_KEY_LINE = re.compile(r"^cookie_key\s*=.*$", re.MULTILINE)


class SecretsExist(PortalError):
    """The secrets file already holds a cookie key; replacing it would sign everyone out."""


def cookie_key_new() -> str:
    """A random cookie signing key (64 URL-safe characters)."""
    return secrets.token_urlsafe(48)


def _write_private(path: Path, text: str) -> None:
    """Write the file readable by its owner only, replacing it in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.replace(temporary, path)
    path.chmod(0o600)


def secrets_init(path: Path, *, rotate: bool = False) -> str:
    """Put a new random cookie key into the secrets file; refuse to replace one unless rotating."""
    text = path.read_text() if path.exists() else ""
    try:
        has_key = "cookie_key" in tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PortalError(f"{path} is not valid TOML ({error}); fix it first.") from None
    line = f'cookie_key = "{cookie_key_new()}"'
    if has_key and not rotate:
        raise SecretsExist(
            f"{path} already has a cookie key: keep it. To replace it (everyone is signed out) "
            "run `portal secrets init --rotate` and restart every app process."
        )
    # A new key goes first: after a [table] header it would belong to that table.
    text = _KEY_LINE.sub(line, text, count=1) if has_key else f"{line}\n{text}"
    _write_private(path, text)
    if rotate and has_key:
        return f"Replaced the cookie key in {path}; restart every app process now."
    return f"Wrote a new cookie key to {path} (readable by its owner only)."
