"""Process start: the engine for the configured database, migrated, with content in sync."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from portal.certificates.font_files import fonts_check
from portal.courses import content
from portal.courses.catalog import content_sync
from portal.db import (
    database_upgrade,
    engine_create,
    migration_lock,
    session_factory,
    transaction,
)
from portal.demo import demo_seed
from portal.models import utc_now
from portal.records.retention import offerings_ended_record
from portal.settings import Settings


def runtime_start(settings: Settings) -> Engine:
    """Migrate the database to the latest revision and sync courses from content/.

    Refuses to start without the fonts certificates are printed with.
    """
    fonts_check()
    engine = engine_create(settings.resolved_database_url())
    courses = content.courses_load(settings.content_dir)
    # Processes starting together take turns: the schema and the course rows are made once.
    with migration_lock(engine):
        database_upgrade(engine, lock=False)
        with transaction(session_factory(engine)) as session:
            content_sync(session=session, courses=courses)
            offerings_ended_record(session=session, now=utc_now())
    return engine


def runtime_demo_seed(settings: Settings, engine: Engine, now: datetime) -> None:
    """Seed demo data (refused outside demo mode)."""
    if not settings.is_demo:
        raise RuntimeError("Demo data is only seeded when PORTAL_ENV=demo.")
    courses = content.courses_load(settings.content_dir)
    with transaction(session_factory(engine)) as session:
        demo_seed(session=session, courses=courses, now=now)
