"""One typed settings object, read from the environment and .streamlit/secrets.toml."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from portal import PROJECT_ROOT

DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'db' / 'portal.sqlite3'}"
DEMO_COOKIE_KEY = "demo-only-cookie-key-not-for-production-use"
_PLACEHOLDER_MARKERS = ("change", "placeholder", "some_key", "example", "demo-only", "xxx")


class SettingsError(RuntimeError):
    """The settings cannot run the portal; the message says what to set, one line each."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


# Values never repeated back in a message.
SECRET_FIELDS = frozenset({"cookie_key", "smtp_password", "database_url"})


def secrets_file() -> Path:
    """Where the secrets file is: PORTAL_SECRETS_FILE or .streamlit/secrets.toml."""
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

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        secrets = TomlConfigSettingsSource(settings_cls, toml_file=secrets_file())
        return (init_settings, env_settings, secrets)

    @property
    def is_demo(self) -> bool:
        """True when the portal runs with demo data and demo accounts."""
        return self.env == "demo"

    def resolved_database_url(self) -> str:
        """The database URL, with SQLite as the default outside production."""
        return self.database_url or DEFAULT_DATABASE_URL

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
            "PORTAL_COOKIE_KEY: set it (or cookie_key in .streamlit/secrets.toml) to a random "
            "secret of at least 32 characters: run `portal secrets init` once."
        )
    if not settings.database_url or "placeholder" in settings.database_url.lower():
        raise SettingsError(
            "PORTAL_DATABASE_URL: set it (or database_url in .streamlit/secrets.toml) to the "
            "production database, e.g. postgresql://user@host:5432/portal."
        )


def _validation_problems(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "settings"
        shown = "" if field in SECRET_FIELDS else f" is {item.get('input')!r}:"
        problems.append(f"PORTAL_{field.upper()}{shown} {item['msg']}.")
    return problems


def settings_read() -> Settings:
    """Settings from the environment and the secrets file; SettingsError names each bad one."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(*_validation_problems(error)) from None
    except (tomllib.TOMLDecodeError, OSError) as error:
        raise SettingsError(
            f"PORTAL_SECRETS_FILE: {secrets_file()} cannot be read ({error}); fix or remove it."
        ) from None


@lru_cache(maxsize=1)
def settings_load() -> Settings:
    """The process's settings, checked once."""
    settings = settings_read()
    settings_check(settings)
    return settings
