"""The review of an offering with 10,000 submitted evaluations (aggregates in SQL)."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert

from benchmarks.common import PG_URL, bench, fresh_database
from portal.courses.content import course_get
from portal.db import session_factory
from portal.evaluation.access import Filters
from portal.evaluation.groups import cache_clear
from portal.evaluation.review import evaluation_review
from portal.models import (
    Attendance,
    Course,
    Enrollment,
    Evaluation,
    EvaluationAnswer,
    EvaluationRelease,
    License,
    LiveSession,
    Offering,
    User,
)
from portal.settings import settings_load

RESPONSES = 10_000
START = datetime(2023, 5, 18, 16, 0, tzinfo=UTC)
PROFESSIONS = (
    ("lmft", "CA"),
    ("psychologist", "CA"),
    ("rn", "CA"),
    ("lcsw", "NY"),
    ("other", None),
)


def _row(
    evaluation_id: int, question_id: str, item: int, num: float | None, text: str | None = None
) -> dict:
    return {
        "evaluation_id": evaluation_id,
        "question_id": question_id,
        "item": item,
        "value_num": num,
        "value_text": text,
    }


def _answers(n: int, questions) -> list[dict]:  # type: ignore[no-untyped-def]
    """Varied, valid answers of respondent n (stored values, as the service would)."""
    rows = []
    for q in questions:
        if q.type in ("agreement", "rating"):
            rows.append(_row(n, q.id, 0, float(1 + (n * 7 + len(q.id)) % 5)))
        elif q.type == "yes_no":
            rows.append(_row(n, q.id, 0, float(n % 10 != 0)))
        elif q.type == "single_choice":
            rows.append(_row(n, q.id, 0, float(n % len(q.options))))
        elif q.type == "multiple_choice":
            rows += [_row(n, q.id, i, float(i)) for i in range(len(q.options)) if (n >> i) & 1]
        elif n % 3 == 0 or q.required:
            rows.append(_row(n, q.id, 0, None, f"Response {n} to {q.id}: kind words and ideas ✓"))
    return rows


def _seed(engine: Engine) -> int:
    course = course_get(settings_load().content_dir, "fostering-compassion-in-couples")
    with engine.begin() as conn:
        course_id = conn.execute(
            insert(Course).values(slug=course.id, title=course.title).returning(Course.id)
        ).scalar_one()
        offering_id = conn.execute(
            insert(Offering)
            .values(
                course_id=course_id,
                slug="bench",
                label="Bench offering",
                time_zone="America/Los_Angeles",
                fee_cents=0,
                early_fee_cents=0,
                evaluation_deadline=date(2023, 6, 30),  # closed: groups may be shown
            )
            .returning(Offering.id)
        ).scalar_one()
        lives = [
            conn.execute(
                insert(LiveSession)
                .values(
                    offering_id=offering_id,
                    position=i,
                    title=f"Session {i}",
                    starts_at=START + timedelta(weeks=i),
                    ends_at=START + timedelta(weeks=i, hours=3),
                    instructional_minutes=180,
                )
                .returning(LiveSession.id, LiveSession.starts_at, LiveSession.ends_at)
            ).one()
            for i in (1, 2)
        ]
        now = datetime.now(UTC)
        conn.execute(
            insert(User),
            [
                {
                    "id": n,
                    "username": f"u{n}",
                    "email": f"u{n}@example.org",
                    "full_name": f"Person {n}",
                    "password_hash": "x",
                    "role": "participant",
                    "is_active": True,
                    "failed_sign_ins": 0,
                    "sessions_valid_after": now,
                    "created_at": now,
                }
                for n in range(1, RESPONSES + 2)
            ],
        )
        conn.execute(
            insert(License),
            [
                {
                    "user_id": n,
                    "profession": PROFESSIONS[n % 5][0],
                    "state": PROFESSIONS[n % 5][1],
                    "number": None,
                }
                for n in range(1, RESPONSES + 2)
            ],
        )
        conn.execute(
            insert(Enrollment),
            [
                {
                    "id": n,
                    "user_id": n,
                    "offering_id": offering_id,
                    "status": "active",
                    "fee_cents": 0,
                    "enrolled_at": now,
                }
                for n in range(1, RESPONSES + 2)
            ],
        )
        conn.execute(
            insert(Attendance),
            [
                {
                    "enrollment_id": n,
                    "live_session_id": lid,
                    "checked_in_at": s,
                    "checked_out_at": e,
                    "source": "code",
                    "reason": "",
                    "updated_at": now,
                }
                for n in range(1, RESPONSES + 2)
                for lid, s, e in lives
            ],
        )
        conn.execute(
            insert(Evaluation),
            [
                {
                    "id": n,
                    "enrollment_id": n,
                    "offering_id": offering_id,
                    "status": "submitted",
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                    "release_batch": 1,
                }
                for n in range(1, RESPONSES + 1)
            ],
        )
        conn.execute(  # released to staff, as the submits' batches would have
            insert(EvaluationRelease).values(
                offering_id=offering_id, order_seed="bench", released=RESPONSES, batches=1
            )
        )
        for first in range(1, RESPONSES + 1, 1000):
            conn.execute(
                insert(EvaluationAnswer),
                [
                    r
                    for n in range(first, min(first + 1000, RESPONSES + 1))
                    for r in _answers(n, course.evaluation.questions)
                ],
            )
        admin_id = conn.execute(
            insert(User)
            .values(
                id=RESPONSES + 10,
                username="admin",
                email="admin@example.org",
                full_name="Admin",
                password_hash="x",
                role="admin",
                is_active=True,
                failed_sign_ins=0,
                sessions_valid_after=now,
                created_at=now,
            )
            .returning(User.id)
        ).scalar_one()
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")  # fresh statistics, as autovacuum would have by now
    return offering_id, admin_id  # type: ignore[return-value]


def _best_ms(
    engine: Engine, offering_id: int, admin_id: int, *, cold: bool = True, **kwargs: object
) -> float:
    """Best of 5; cold: each time computed afresh (as once per released batch), else from the
    remembered summary (every other view)."""
    factory, best = session_factory(engine), float("inf")
    for _ in range(5):
        if cold:
            cache_clear()
        with factory() as session:
            started = time.perf_counter()
            review = evaluation_review(session, offering_id, admin_id, **kwargs)  # type: ignore[arg-type]
            best = min(best, time.perf_counter() - started)
    assert review.submitted == RESPONSES and not review.hidden_reason
    return best * 1000


def _measure(engine: Engine, suffix: str) -> None:
    offering_id, admin_id = _seed(engine)
    ids = (engine, offering_id, admin_id)
    bench(f"evaluation_summary_10k_ms{suffix}", _best_ms(*ids, with_eligible=False), "ms")
    cached = _best_ms(*ids, cold=False, with_eligible=False)
    bench(f"evaluation_summary_10k_cached_ms{suffix}", cached, "ms")
    filtered = _best_ms(*ids, filters=Filters(credit_type="BBS"), with_eligible=False)
    bench(f"evaluation_summary_filtered_10k_ms{suffix}", filtered, "ms")
    # The whole review adds the response rate, whose eligible count portal.attendance.status
    # decides in SQL (enrollments_meeting), with the same rule as its Python summaries.
    bench(f"evaluation_review_with_response_rate_10k_ms{suffix}", _best_ms(*ids), "ms")


def run() -> None:
    """Seed 10,000 submitted evaluations and time the offering's review (best of 5)."""
    with fresh_database(PG_URL) as engine:
        _measure(engine, "")
    with fresh_database("sqlite://") as engine:
        _measure(engine, "_sqlite")
