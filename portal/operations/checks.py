"""`portal check`: is this installation ready to serve? One line per problem, naming the fix.

The server start and every CLI command run the same checks, so a mistake in the
configuration reads the same everywhere and never as a traceback.
"""

from __future__ import annotations

import io
import os
import smtplib
import uuid
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from portal import PROJECT_ROOT
from portal.courses.content import CourseFileError, courses_load
from portal.db import alembic_config, engine_create
from portal.logs import log_settings_problem
from portal.settings import Settings, SettingsError, settings_load

CONNECT_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class CheckScope:
    """Which checks a caller needs: the server and most commands skip SMTP.

    The revision is checked in production only: demo and test runs migrate at start.
    """

    database: bool = True
    revision: bool = True
    smtp: bool = False


SERVER = CheckScope()
EVERYTHING = CheckScope(smtp=True)
BEFORE_UPGRADE = CheckScope(revision=False)


def database_label(url: str) -> str:
    """The database URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported by the check itself
        return "(unparsable URL)"


def _first_line(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    text = lines[0] if lines else type(cause).__name__
    return text.removeprefix("connection failed: ")


def database_problem(error: BaseException, url: str) -> str:
    """One line for a database error: which setting, what went wrong, what to do."""
    return (
        f"PORTAL_DATABASE_URL: cannot use the database {database_label(url)} "
        f"({_first_line(error)}); check the host, port, database name, user and password, "
        "and that the database server runs."
    )


def _production_problems(settings: Settings) -> list[str]:
    """What production needs beyond settings_check (which names the secrets and signer)."""
    problems = []
    if settings.storage_dir.resolve().is_relative_to(PROJECT_ROOT):
        problems.append(
            f"PORTAL_STORAGE_DIR is inside the checkout ({settings.storage_dir}): set it to a "
            "folder outside it, e.g. /var/lib/ce-portal/storage, so upgrades and backups keep it."
        )
    if settings.smtp_host and "localhost" in settings.mail_from:
        problems.append(
            f"PORTAL_MAIL_FROM is {settings.mail_from!r}: set the sender people see and may "
            'answer, e.g. "CE Office <ce-office@example.org>".'
        )
    return problems


def _content_problems(settings: Settings) -> list[str]:
    try:
        courses_load(settings.content_dir)
    except CourseFileError as error:
        return [f"PORTAL_CONTENT_DIR: {error}"]
    except OSError as error:
        return [f"PORTAL_CONTENT_DIR: cannot read {settings.content_dir} ({error.strerror})."]
    return []


def _revision_problem(connection_heads: set[str], code_heads: set[str]) -> str | None:
    if connection_heads == code_heads:
        return None
    if not connection_heads:
        return "PORTAL_DATABASE_URL: the database is empty: run `portal db upgrade`."
    script = ScriptDirectory(str(PROJECT_ROOT / "db"))
    known = {rev.revision for rev in script.walk_revisions()}
    if connection_heads - known:
        return (
            "PORTAL_DATABASE_URL: the database is at revision "
            f"{', '.join(sorted(connection_heads))}, newer than this version of the portal: "
            "install the version that upgraded it."
        )
    return (
        f"PORTAL_DATABASE_URL: the database is at revision {', '.join(sorted(connection_heads))}, "
        f"this version needs {', '.join(sorted(code_heads))}: run `portal db upgrade`."
    )


def _database_problems(settings: Settings, *, revision: bool) -> list[str]:
    url = settings.resolved_database_url()
    try:
        engine = engine_create(url, **_connect_args(url))
    except (SQLAlchemyError, ValueError, ImportError) as error:
        return [database_problem(error, url)]
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except (SQLAlchemyError, OSError) as error:
        return [database_problem(error, url)]
    finally:
        engine.dispose()
    if not revision:
        return []
    code_heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    problem = _revision_problem(current, code_heads)
    return [problem] if problem else []


def _connect_args(url: str) -> dict[str, object]:
    if url.startswith("postgres"):
        return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}}
    return {}


def _storage_problems(settings: Settings) -> list[str]:
    folder = settings.storage_dir
    probe = folder / f".write-check-{uuid.uuid4().hex}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        return [
            f"PORTAL_STORAGE_DIR: cannot write in {folder} ({error.strerror}); create it and "
            "give the portal's user write access."
        ]
    return []


def signature_problem(path: Path | None) -> str | None:
    """Why the signature image cannot be printed on a certificate, or None."""
    if path is None:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return (
            f"PORTAL_CE_ADMINISTRATOR_SIGNATURE: cannot read {path} ({error.strerror}); "
            "set it to a PNG or JPEG file the portal's user can read."
        )
    # fpdf (with numpy and Pillow, ~0.5 s to import) loads only when a signature is set and
    # decoded here, so `portal --help`, test and demo runs and importers of this module skip it.
    from fpdf.image_parsing import get_img_info

    try:
        get_img_info("signature-check", io.BytesIO(data), "AUTO", None)
    except Exception:  # fpdf raises several types for undecodable images
        return (
            f"PORTAL_CE_ADMINISTRATOR_SIGNATURE: {path} is not an image a certificate can "
            "print; set it to a PNG or JPEG file."
        )
    return None


def _smtp_problems(settings: Settings) -> list[str]:
    if not settings.smtp_host:
        return []
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=CONNECT_TIMEOUT_SECONDS
        ) as smtp:
            smtp.noop()
    except (TimeoutError, OSError, smtplib.SMTPException) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        return [
            f"PORTAL_SMTP_HOST: cannot reach the mail server {where} ({reason}); check "
            "PORTAL_SMTP_HOST, PORTAL_SMTP_PORT and the firewall."
        ]
    return []


def checks_run(scope: CheckScope = SERVER) -> list[str]:
    """Every problem of this installation, one line each, empty when it is ready."""
    problems = []
    if log_problem := log_settings_problem(os.environ):
        problems.append(log_problem)
    try:
        settings = settings_load()
    except SettingsError as error:
        return [*problems, *error.problems]
    if settings.env == "production":
        problems += _production_problems(settings)
    problems += _content_problems(settings)
    if scope.database:
        revision = scope.revision and settings.env == "production"
        problems += _database_problems(settings, revision=revision)
    problems += _storage_problems(settings)
    if signature := signature_problem(settings.ce_administrator_signature):
        problems.append(signature)
    if scope.smtp:
        problems += _smtp_problems(settings)
    return problems
