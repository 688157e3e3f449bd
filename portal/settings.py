"""One typed settings object, read from the environment and .streamlit/secrets.toml."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
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
DEMO_ADMINISTRATOR_NAME = "CE Administrator"
DEMO_ADMINISTRATOR_TITLE = "Continuing Education Administrator"
DEMO_SIGNATURE = PROJECT_ROOT / "portal" / "certificates" / "assets" / "signature-demo.png"
_LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1", "0.0.0.0")


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

    # Without PORTAL_ENV the portal is production: demo mode is asked for explicitly.
    env: Literal["demo", "production", "test"] = "production"
    database_url: str = ""
    cookie_key: str = ""
    cookie_name: str = "ce_portal_auth"
    cookie_expiry_days: float = 7.0
    public_base_url: str = "http://localhost:8501"
    content_dir: Path = PROJECT_ROOT / "content"
    # Uploaded material bytes (portal.storage); shared by every app process.
    storage_dir: Path = PROJECT_ROOT / "storage"
    # "s3": every blob also lives in an S3-compatible bucket, storage_dir is a local cache
    # (several app machines). Credentials come from the usual AWS_* variables.
    storage_backend: Literal["local", "s3"] = "local"
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    upload_limit_document_mb: int = Field(default=25, ge=1)
    upload_limit_media_mb: int = Field(default=500, ge=1)
    upload_limit_image_mb: int = Field(default=10, ge=1)
    lockout_attempts: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    # Failed sign-ins from one address (any accounts) before its attempts are delayed.
    sign_in_address_attempts: int = Field(default=20, ge=1)
    # Failed sign-ins on an account (from anywhere) before a CAPTCHA is asked as well.
    sign_in_captcha_after: int = Field(default=3, ge=1)
    # Script runs of one app process executing at once (portal.run_lanes): signed-out ones
    # (the sign-in form; password checks run one at a time anyway) and signed-in ones. With
    # 300 people arriving together, 1 and 2 kept check-ins under a second (make load).
    signed_out_runs: int = Field(default=1, ge=1)
    signed_in_runs: int = Field(default=2, ge=1)
    # New accounts one address may create per hour.
    registrations_per_hour: int = Field(default=10, ge=1)
    # Reverse proxies whose X-Forwarded-For is believed: addresses or networks, comma separated
    # (e.g. "127.0.0.1" for nginx on the same machine). Empty: the header is ignored.
    trusted_proxies: str = ""
    ce_administrator_name: str = DEMO_ADMINISTRATOR_NAME
    ce_administrator_title: str = DEMO_ADMINISTRATOR_TITLE
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
        secrets = TomlConfigSettingsSource(settings_cls, toml_file=secrets_file())
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


def _secret_problem(settings: Settings) -> str | None:
    key = settings.cookie_key
    if not key or len(key) < 32 or any(m in key.lower() for m in _PLACEHOLDER_MARKERS):
        return (
            "Set PORTAL_COOKIE_KEY (or cookie_key in the secrets file) to a random secret of "
            "at least 32 characters: run `portal secrets init` once."
        )
    return None


def _base_url_problem(settings: Settings) -> str | None:
    url = settings.public_base_url.strip()
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    if host in _LOCAL_HOSTS or host.startswith("127."):
        return (
            "Set PORTAL_PUBLIC_BASE_URL to the address participants open, e.g. "
            "https://ce.example.org (certificates' verification links and QR codes use it)."
        )
    return None


def _administrator_problems(settings: Settings) -> list[str]:
    problems = []
    if settings.ce_administrator_name.strip() in ("", DEMO_ADMINISTRATOR_NAME):
        problems.append(
            "Set PORTAL_CE_ADMINISTRATOR_NAME to the name that signs certificates, "
            "e.g. Dana Reyes, PhD."
        )
    if settings.ce_administrator_title.strip() in ("", DEMO_ADMINISTRATOR_TITLE):
        problems.append(
            "Set PORTAL_CE_ADMINISTRATOR_TITLE to the signer's title, "
            "e.g. Director of Continuing Education."
        )
    signature = settings.ce_administrator_signature
    if signature is None or signature.resolve() == DEMO_SIGNATURE.resolve():
        problems.append(
            "Set PORTAL_CE_ADMINISTRATOR_SIGNATURE to the path of the signer's signature "
            "image (PNG); the demo signature is not used in production."
        )
    elif not signature.is_file():
        problems.append(
            f"Set PORTAL_CE_ADMINISTRATOR_SIGNATURE to an existing image file "
            f"({signature} does not exist)."
        )
    return problems


def settings_problems(settings: Settings) -> list[str]:
    """What production lacks, one line each saying what to set (empty outside production)."""
    if settings.env != "production":
        return []
    problems = [_secret_problem(settings)]
    if not settings.database_url or "placeholder" in settings.database_url.lower():
        problems.append(
            "Set PORTAL_DATABASE_URL (or database_url in .streamlit/secrets.toml) to the "
            "production database, e.g. postgresql://user@host:5432/portal."
        )
    problems.append(_base_url_problem(settings))
    return [p for p in problems if p] + _administrator_problems(settings)


def settings_check(settings: Settings) -> None:
    """Refuse to run production on missing, placeholder or demo settings."""
    problems = settings_problems(settings)
    if problems:
        raise SettingsError(*problems)


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
