"""An offering of N participants for the staff-page benchmark: attendance at a live session,
submitted evaluations and issued certificates, seeded in bulk."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select

from portal.attendance.console import window_open
from portal.courses.catalog import content_sync
from portal.courses.content import Course as CourseContent
from portal.courses.content import courses_load
from portal.db import session_factory, transaction
from portal.evaluation.disclosure import submission_day
from portal.models import (
    Attendance,
    Certificate,
    Course,
    Enrollment,
    Evaluation,
    EvaluationAnswer,
    EvaluationRelease,
    License,
    LiveSession,
    Offering,
    OfferingInstructor,
    User,
)
from portal.settings import settings_load

COURSE = "fostering-compassion-in-couples"
PDF_BYTES = 8 * 1024  # random, so the database cannot compress them away
BATCH = 2000


@dataclass(frozen=True)
class StaffWorld:
    """Who views the pages and what they look at."""

    admin: str
    instructor: str
    offering_id: int


def _person(n: int, role: str, now: datetime) -> dict[str, object]:
    return {
        "username": f"{role}{n}", "email": f"{role}{n}@example.org",
        "full_name": f"{role.capitalize()} {n:05d}", "password_hash": "x", "role": role,
        "is_active": True, "failed_sign_ins": 0, "sessions_valid_after": now - timedelta(days=1),
        "created_at": now,
    }  # fmt: skip


def _answer_rows(evaluation_id: int, n: int, course: CourseContent) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for q in course.evaluation.questions:
        value: float | None = None
        text = None
        if q.type in ("agreement", "rating"):
            value = float(1 + n % 5)
        elif q.type == "yes_no":
            value = float(n % 4 != 0)
        elif q.type in ("single_choice", "multiple_choice"):
            value = float(n % len(q.options))
        elif q.required or n % 3 == 0:
            text = f"Comment {n} on {q.id}"
        else:
            continue
        rows.append({"evaluation_id": evaluation_id, "question_id": q.id, "item": 0,
                     "value_num": value, "value_text": text})  # fmt: skip
    return rows


def _in_batches(engine: Engine, table: type, rows: list[dict[str, object]]) -> None:
    for first in range(0, len(rows), BATCH):
        with engine.begin() as conn:
            conn.execute(insert(table), rows[first : first + BATCH])


def staff_world_seed(engine: Engine, participants: int, now: datetime) -> StaffWorld:
    """Content synced first (as the app's start does), then the offering and its people."""
    course = courses_load(settings_load().content_dir)[COURSE]
    factory = session_factory(engine)
    with transaction(factory) as session:
        content_sync(session=session, courses={COURSE: course})
    with engine.begin() as conn:
        course_id = conn.execute(select(Course.id).where(Course.slug == COURSE)).scalar_one()
        offering_id = conn.execute(
            insert(Offering).values(
                course_id=course_id, slug="bench", label="Bench offering",
                time_zone="America/Los_Angeles", fee_cents=0, early_fee_cents=0,
            ).returning(Offering.id)
        ).scalar_one()  # fmt: skip
        live_id = conn.execute(
            insert(LiveSession).values(
                offering_id=offering_id, position=1, title="Session 1",
                starts_at=now - timedelta(minutes=20), ends_at=now + timedelta(hours=2, minutes=40),
                instructional_minutes=180,
            ).returning(LiveSession.id)
        ).scalar_one()  # fmt: skip
        _admin_id, instructor_id = (
            conn.execute(insert(User).values(_person(1, role, now)).returning(User.id)).scalar_one()
            for role in ("admin", "instructor")
        )
        conn.execute(
            insert(OfferingInstructor).values(offering_id=offering_id, user_id=instructor_id)
        )
        first_user = conn.execute(
            insert(User).values(_person(0, "participant", now)).returning(User.id)
        ).scalar_one()
    people = [_person(n, "participant", now) for n in range(1, participants)]
    _in_batches(engine, User, people)
    user_ids = range(first_user, first_user + participants)
    _in_batches(engine, License, [
        {"user_id": u, "profession": "lmft", "number": f"LMFT {u}", "state": "CA"} for u in user_ids
    ])  # fmt: skip
    _in_batches(engine, Enrollment, [
        {"id": u, "user_id": u, "offering_id": offering_id, "status": "active", "fee_cents": 0,
         "enrolled_at": now} for u in user_ids
    ])  # fmt: skip
    _in_batches(engine, Attendance, [
        {"enrollment_id": u, "live_session_id": live_id, "checked_in_at": now - timedelta(minutes=10),
         "source": "code", "reason": "", "updated_at": now - timedelta(minutes=10)}
        for u in user_ids if u % 2 == 0
    ])  # fmt: skip
    day = submission_day(now, "America/Los_Angeles")
    _in_batches(engine, Evaluation, [
        {"id": u, "enrollment_id": u, "offering_id": offering_id, "status": "submitted",
         "created_at": day, "updated_at": day, "submitted_at": day, "release_batch": 1}
        for u in user_ids
    ])  # fmt: skip
    with engine.begin() as conn:  # released to staff, as the submits' batches would have
        conn.execute(insert(EvaluationRelease).values(
            offering_id=offering_id, order_seed="bench", released=participants, batches=1,
        ))  # fmt: skip
    _in_batches(engine, EvaluationAnswer, [r for u in user_ids for r in _answer_rows(u, u, course)])
    _certificates_seed(engine, user_ids, now)
    with transaction(factory) as session:
        window_open(session=session, user_id=instructor_id, live_session_id=live_id, kind="in",
                    now=now)  # fmt: skip
    return StaffWorld("admin1", "instructor1", offering_id)


def _certificates_seed(engine: Engine, enrollment_ids: range, now: datetime) -> None:
    rows = []
    for n in enrollment_ids:
        pdf = b"%PDF-1.4\n" + os.urandom(PDF_BYTES)
        rows.append({
            "number": f"CE-2026-{n:06d}", "enrollment_id": n, "credit_type_id": "BBS",
            "status": "current", "issued_at": now, "issue_reason": "",
            "data": {"participant_name": f"Participant {n:05d}", "license": f"LMFT {n}",
                     "hours": "6", "unit": "hours"},
            "pdf": pdf, "sha256": hashlib.sha256(pdf).hexdigest(), "revoke_reason": "",
        })  # fmt: skip
    _in_batches(engine, Certificate, rows)
    del rows
