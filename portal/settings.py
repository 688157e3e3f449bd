"""One typed settings object, read from the environment and .streamlit/secrets.toml."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from portal import PROJECT_ROOT
from portal.clients import Network, proxy_networks

DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'db' / 'portal.sqlite3'}"
DEMO_COOKIE_KEY = "demo-only-cookie-key-not-for-production-use"
_PLACEHOLDER_MARKERS = ("change", "placeholder", "some_key", "example", "demo-only", "xxx")


class SettingsError(RuntimeError):
    """The settings cannot run the portal; the message says what to set."""


def _secrets_file() -> Path:
    return Path(os.environ.get("PORTAL_SECRETS_FILE", PROJECT_ROOT / ".streamlit/secrets.toml"))


class Settings(BaseSettings):
    """Everything the portal reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    env: Literal["demo", "production", "test"] = "demo"
    database_url: str = ""
    cookie_key: str = ""
    cookie_name: str = "ce_portal_auth"
    cookie_expiry_days: float = 7.0
    public_base_url: str = "http://localhost:8501"
    content_dir: Path = PROJECT_ROOT / "content"
    # Uploaded material bytes (portal.storage); shared by every app process.
    storage_dir: Path = PROJECT_ROOT / "storage"
    upload_limit_document_mb: int = Field(default=25, ge=1)
    upload_limit_media_mb: int = Field(default=500, ge=1)
    upload_limit_image_mb: int = Field(default=10, ge=1)
    lockout_attempts: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    # Failed sign-ins from one address (any accounts) before its attempts are delayed.
    sign_in_address_attempts: int = Field(default=20, ge=1)
    # Failed sign-ins on an account (from anywhere) before a CAPTCHA is asked as well.
    sign_in_captcha_after: int = Field(default=3, ge=1)
    # New accounts one address may create per hour.
    registrations_per_hour: int = Field(default=10, ge=1)
    # Reverse proxies whose X-Forwarded-For is believed: addresses or networks, comma separated
    # (e.g. "127.0.0.1" for nginx on the same machine). Empty: the header is ignored.
    trusted_proxies: str = ""
    ce_administrator_name: str = "CE Administrator"
    ce_administrator_title: str = "Continuing Education Administrator"
    ce_administrator_signature: Path | None = None
    # Email: with no smtp_host (demo mode) mails stay in the outbox page.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: bool = True
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(default=20.0, gt=0)
    mail_from: str = "CE Office <ce-office@localhost>"
    mail_max_attempts: int = Field(default=8, ge=1)
    # One-time set-password links.
    reset_link_minutes: int = Field(default=120, ge=5)
    invite_link_days: int = Field(default=14, ge=1)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        proxy_networks(value)  # ValueError names the entry that is not an address
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets = TomlConfigSettingsSource(settings_cls, toml_file=_secrets_file())
        return (init_settings, env_settings, secrets)

    @property
    def is_demo(self) -> bool:
        """True when the portal runs with demo data and demo accounts."""
        return self.env == "demo"

    def resolved_database_url(self) -> str:
        """The database URL, with SQLite as the default outside production."""
        return self.database_url or DEFAULT_DATABASE_URL

    def trusted_proxy_networks(self) -> list[Network]:
        """The reverse proxies whose X-Forwarded-For header is believed."""
        return proxy_networks(self.trusted_proxies)

    def resolved_cookie_key(self) -> str:
        """The cookie signing key; demo mode may fall back to a fixed demo key."""
        return self.cookie_key or DEMO_COOKIE_KEY


def settings_check(settings: Settings) -> None:
    """Refuse to run production with a missing or placeholder secret or database."""
    if settings.env != "production":
        return
    key = settings.cookie_key
    if not key or len(key) < 32 or any(m in key.lower() for m in _PLACEHOLDER_MARKERS):
        raise SettingsError(
            "Set PORTAL_COOKIE_KEY (or cookie_key in .streamlit/secrets.toml) to a random "
            "secret of at least 32 characters, e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'`."
        )
    if not settings.database_url or "placeholder" in settings.database_url.lower():
        raise SettingsError(
            "Set PORTAL_DATABASE_URL (or database_url in .streamlit/secrets.toml) to the "
            "production database, e.g. postgresql://user@host:5432/portal."
        )


@lru_cache(maxsize=1)
def settings_load() -> Settings:
    """The process's settings, checked once."""
    settings = Settings()
    settings_check(settings)
    return settings
