"""A fresh PostgreSQL database with the participants of one live session, seeded in bulk."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from portal import PROJECT_ROOT
from portal.accounts.passwords import password_hash
from portal.attendance.console import window_open
from portal.courses.catalog import content_sync
from portal.courses.content import courses_load
from portal.db import database_upgrade, engine_create, session_factory, transaction
from portal.models import (
    Attendance,
    AttendanceChange,
    Course,
    Enrollment,
    LiveSession,
    Offering,
    OfferingInstructor,
    User,
)

PASSWORD = "load-test-password"
COURSE = "fostering-compassion-in-couples"
INSTRUCTOR = "load-instructor"


@dataclass(frozen=True)
class Seeded:
    """What the scenario needs to know about the seeded data."""

    database_url: str
    live_session_id: int
    usernames: tuple[str, ...]


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """Create a database for one run, yield its URL, and drop it afterwards."""
    name = f"portal_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str, participants: int, now: datetime) -> Seeded:
    """Migrate, then add an instructor, the participants (one precomputed hash) and an open
    check-in window, as the console's "Open check-in" would."""
    engine = engine_create(url)
    try:
        database_upgrade(engine)
        return _seed(engine, url, participants, now)
    finally:
        engine.dispose()


def _seed(engine: Engine, url: str, participants: int, now: datetime) -> Seeded:
    hashed = password_hash(PASSWORD)  # one hash for everyone: seeding stays fast
    usernames = tuple(f"load{i:05d}" for i in range(participants))
    factory = session_factory(engine)
    with transaction(factory) as session:
        # The workshop in content/, as the app's start syncs it: pages read its course file.
        content_sync(session=session, courses=courses_load(PROJECT_ROOT / "content"))
        course = session.scalars(select(Course).where(Course.slug == COURSE)).one()
        offering = Offering(
            course=course, slug="load", label="Load test", time_zone="America/Los_Angeles",
            fee_cents=0, early_fee_cents=0,
        )  # fmt: skip
        live = LiveSession(
            position=1, title="Session 1", starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=3), instructional_minutes=180,
        )  # fmt: skip
        offering.sessions = [live]
        instructor = User(
            username=INSTRUCTOR, email=f"{INSTRUCTOR}@example.org", full_name="Ira Instructor",
            password_hash=hashed, role="instructor",
        )  # fmt: skip
        session.add_all([offering, instructor])
        session.flush()
        session.add(OfferingInstructor(offering_id=offering.id, user_id=instructor.id))
        created = datetime.now(UTC) - timedelta(days=1)
        session.execute(
            insert(User),
            [
                {
                    "username": name, "email": f"{name}@example.org",
                    "full_name": f"Participant {name[4:]}", "password_hash": hashed,
                    "role": "participant", "is_active": True, "failed_sign_ins": 0,
                    "sessions_valid_after": created, "created_at": created,
                }
                for name in usernames
            ],
        )  # fmt: skip
        ids = session.scalars(select(User.id).where(User.username.in_(usernames))).all()
        session.execute(
            insert(Enrollment),
            [
                {"user_id": i, "offering_id": offering.id, "status": "active", "enrolled_at": now}
                for i in ids
            ],
        )
        window_open(
            session=session, user_id=instructor.id, live_session_id=live.id, kind="in", now=now,
            interval_minutes=5, open_minutes=30,
        )  # fmt: skip
        live_id = live.id
    return Seeded(url, live_id, usernames)


def attendance_counts(url: str, live_session_id: int) -> tuple[int, int, int]:
    """(attendance rows, distinct enrollments among them, change rows) for the session."""
    engine = engine_create(url)
    try:
        with session_factory(engine)() as session:
            where = Attendance.live_session_id == live_session_id
            rows = session.scalar(select(func.count()).select_from(Attendance).where(where))
            distinct = session.scalar(
                select(func.count(func.distinct(Attendance.enrollment_id))).where(where)
            )
            changes = session.scalar(select(func.count()).select_from(AttendanceChange))
        return rows or 0, distinct or 0, changes or 0
    finally:
        engine.dispose()
