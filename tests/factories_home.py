"""A participant with a row of everything Home reads, and a counter of queries sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from portal.models import Certificate, Evaluation, FeeWaiver, ProgressMark, User, utc_now
from tests.factories import enrollment_make, fee_paid, offering_make, user_make
from tests.factories_attendance import attendance_make, window_make


@contextmanager
def queries_counted() -> Iterator[list[str]]:
    """The queries sent to any database inside the block (SQLite's BEGIN left out)."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def participant_busy(session: Session, enrollments: int, sessions: int) -> User:
    """A person with this many enrollments of this many weekly sessions each, the first
    live now, and a row of every kind Home reads for each (so no query is skipped as empty)."""
    user = user_make(session)
    start = utc_now() - timedelta(minutes=10)
    for _ in range(enrollments):
        spans = [
            (start + timedelta(days=7 * k), start + timedelta(days=7 * k, hours=3))
            for k in range(sessions)
        ]
        offering = offering_make(session, sessions=spans)
        window_make(session, offering.sessions[0])
        enrollment = enrollment_make(session, user, offering)
        fee_paid(session, enrollment)
        attendance_make(session, enrollment, offering.sessions[0], checked_out_at=None)
        waiver = FeeWaiver(
            enrollment_id=enrollment.id, waived_by_id=user.id, waived_at=start, reason="test"
        )
        certificate = Certificate(
            number=f"CE-T-{enrollment.id}", enrollment_id=enrollment.id, credit_type_id="BBS",
            data={}, pdf=b"%PDF", sha256="0" * 64, status="revoked", revoke_reason="test",
        )  # fmt: skip
        session.add_all(
            [
                ProgressMark(enrollment_id=enrollment.id, item_key="module:1"),
                Evaluation(enrollment_id=enrollment.id, offering_id=offering.id),
                waiver,
                certificate,
            ]
        )
        session.flush()
    session.commit()
    return user
