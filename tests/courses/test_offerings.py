"""Offering editor: sessions in the offering's zone, fees, validation, instructors, audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from portal.attendance.corrections import attendance_mark
from portal.courses.offerings import (
    OfferingForm,
    SessionInput,
    offering_form_get,
    offering_save,
)
from portal.errors import FieldErrors
from portal.models import (
    Attendance,
    AttendanceChange,
    AuditEvent,
    Enrollment,
    LiveSession,
    OfferingInstructor,
)
from tests.apptest import app_as, texts
from tests.factories import course_row, enrollment_make, offering_make, user_make
from tests.factories_certificates import WORKSHOP_SESSIONS


def _form(session, **changes) -> OfferingForm:
    values = dict(
        course_id=course_row(session).id,
        slug="2024-10",
        label="October 2024",
        time_zone="America/New_York",
        fee="250",
        early_fee="225.50",
        deposit="30",
        capacity=40,
        cancellation_deadline=date(2024, 10, 1),
        sessions=(
            SessionInput("Day 1", date(2024, 10, 15), time(9), time(12), 180),
            SessionInput("Day 2", date(2024, 11, 5), time(9), time(12), 170),
        ),
    )
    values.update(changes)
    return OfferingForm(**values)


def test_create_and_edit_an_offering(session):
    admin, teacher = user_make(session, role="admin"), user_make(session, role="instructor")
    offering = offering_save(
        session=session,
        actor_id=admin.id,
        offering_id=None,
        form=_form(session, instructor_ids=(teacher.id,)),
    )
    assert (offering.fee_cents, offering.early_fee_cents, offering.deposit_cents) == (
        25000,
        22550,
        3000,
    )
    first, second = offering.sessions
    assert first.starts_at == datetime(2024, 10, 15, 13, tzinfo=UTC)  # EDT
    assert second.starts_at == datetime(2024, 11, 5, 14, tzinfo=UTC)  # EST after DST ends
    form = offering_form_get(session, offering.id)
    assert (form.fee, form.early_fee, form.sessions[1].start) == ("250.00", "225.50", time(9))
    assert form.instructor_ids == (teacher.id,)
    edited = offering_save(
        session=session,
        actor_id=admin.id,
        offering_id=offering.id,
        form=_form(session, capacity=None, sessions=form.sessions[:1], reason="Day 2 dropped"),
    )
    assert edited.capacity is None and len(edited.sessions) == 1
    assert session.scalars(select(OfferingInstructor)).all() == []
    actions = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [a.action for a in actions] == ["offering.create", "offering.update"]
    assert actions[1].details["instructors"] == {"added": [], "removed": [teacher.id]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Bad Slug"}, "slug"),
        ({"label": " "}, "label"),
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"fee": "abc"}, "fee"),
        ({"early_fee": "300"}, "early_fee"),
        ({"deposit": "400"}, "deposit"),
        ({"capacity": 0}, "capacity"),
        ({"status": "cancelled"}, "status"),
        ({"sessions": ()}, "sessions"),
        ({"sessions": (SessionInput("x", date(2024, 1, 1), time(12), time(9), 60),)}, "sessions"),
        ({"sessions": (SessionInput("x", date(2024, 1, 1), time(9), time(10), 90),)}, "sessions"),
    ],
)
def test_offering_form_refusals(session, changes, field):
    admin = user_make(session, role="admin")
    with pytest.raises(FieldErrors) as error:
        offering_save(
            session=session, actor_id=admin.id, offering_id=None, form=_form(session, **changes)
        )
    assert field in error.value.errors


def test_participants_cannot_be_assigned_and_slugs_are_unique(session):
    admin, participant = user_make(session, role="admin"), user_make(session)
    with pytest.raises(FieldErrors, match="instructors"):
        offering_save(
            session=session,
            actor_id=admin.id,
            offering_id=None,
            form=_form(session, instructor_ids=(participant.id,)),
        )
    offering_save(
        session=session, actor_id=admin.id, offering_id=None, form=_form(session, slug="a-1")
    )
    with pytest.raises(FieldErrors) as error:
        offering_save(
            session=session, actor_id=admin.id, offering_id=None, form=_form(session, slug="a-1")
        )
    assert "slug" in error.value.errors


def _saved(session, **changes):
    admin = user_make(session, role="admin")
    form = _form(session, **changes)
    offering = offering_save(session=session, actor_id=admin.id, offering_id=None, form=form)
    return admin, offering, form


def _edit(session, admin, offering, form, **changes):
    return offering_save(
        session=session,
        actor_id=admin.id,
        offering_id=offering.id,
        form=replace(form, **changes),
    )


def _records(session, offering, admin):
    user = user_make(session)
    enrollment = enrollment_make(session, user, offering)
    for live in offering.sessions:
        attendance_mark(
            session=session,
            actor_id=admin.id,
            enrollment_id=enrollment.id,
            live_session_id=live.id,
            checked_in_at=live.starts_at,
            checked_out_at=live.ends_at,
            reason="joined by phone",
            now=live.ends_at + timedelta(hours=1),
        )
    return enrollment


def _counts(session, offering):
    return (
        session.scalar(select(func.count(Attendance.id))),
        session.scalar(select(func.count(AttendanceChange.id))),
        session.scalar(select(func.count(LiveSession.id)).filter_by(offering_id=offering.id)),
    )


def test_removing_a_session_with_attendance_is_refused_and_deletes_nothing(session):
    admin, offering, form = _saved(session)
    _records(session, offering, admin)
    before = _counts(session, offering)
    with pytest.raises(FieldErrors) as error:
        _edit(session, admin, offering, form, sessions=form.sessions[:1], reason="shorter")
    message = error.value.errors["sessions"]
    assert "1 enrollment, 2 attendance records" in message
    assert "cancel the offering" in message and "correct their record" in message
    session.expire_all()
    assert _counts(session, offering) == before == (2, 2, 2)


@pytest.mark.parametrize(
    "change",
    [
        {"time_zone": "America/Chicago"},
        {"sessions": (SessionInput("Day 1", date(2017, 10, 15), time(9), time(12), 180),
                      SessionInput("Day 2", date(2017, 11, 5), time(9), time(12), 170))},
        {"sessions": (SessionInput("Day 1", date(2024, 10, 15), time(9), time(12), 180),
                      SessionInput("Day 2", date(2024, 11, 5), time(9), time(12), 170),
                      SessionInput("Day 3", date(2024, 11, 6), time(9), time(12), 170))},
    ],
)  # fmt: skip
def test_moving_the_dates_of_an_offering_with_enrollments_is_refused(session, change):
    admin, offering, form = _saved(session)
    enrollment_make(session, user_make(session), offering)
    starts = [s.starts_at for s in offering.sessions]
    with pytest.raises(FieldErrors, match="1 enrollment, so its sessions cannot"):
        _edit(session, admin, offering, form, reason="moved", **change)
    session.expire_all()
    assert [s.starts_at for s in offering.sessions] == starts


def test_titles_fees_and_capacity_still_change_with_records(session):
    admin, offering, form = _saved(session)
    _records(session, offering, admin)
    retitled = tuple(replace(s, title=f"Part {n}") for n, s in enumerate(form.sessions, 1))
    edited = _edit(session, admin, offering, form, sessions=retitled, capacity=12, fee="260")
    assert [s.title for s in edited.sessions] == ["Part 1", "Part 2"] and edited.capacity == 12


def test_a_date_change_needs_a_reason_and_is_audited_with_before_and_after(session):
    admin, offering, form = _saved(session)
    moved = (replace(form.sessions[0], day=date(2024, 10, 16)), form.sessions[1])
    with pytest.raises(FieldErrors) as error:
        _edit(session, admin, offering, form, sessions=moved, reason=" ")
    assert "reason" in error.value.errors
    _edit(session, admin, offering, form, sessions=moved, reason="Instructor ill on the 15th")
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "offering.update" and event.reason == "Instructor ill on the 15th"
    sessions = event.details["date_changes"]["sessions"]
    assert sessions["before"][0]["starts_at"] == "2024-10-15T13:00:00+00:00"
    assert sessions["after"][0]["starts_at"] == "2024-10-16T13:00:00+00:00"
    assert [s["position"] for s in event.details["sessions"]] == [1, 2]
    with pytest.raises(FieldErrors, match="reason"):
        _edit(session, admin, offering, form, sessions=moved, cancellation_deadline=None)


def test_the_database_refuses_to_delete_a_session_that_has_records(session):
    admin, offering, _unused = _saved(session)
    _records(session, offering, admin)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(delete(LiveSession).where(LiveSession.id == offering.sessions[1].id))
    session.rollback()
    with pytest.raises(IntegrityError):
        session.execute(delete(Enrollment))
    session.rollback()
    assert _counts(session, offering) == (2, 2, 2)


def _page(session, admin, offering):
    session.commit()
    at = app_as(admin, "admin_offerings.py")
    choice = next(o for o in at.selectbox(key="offering_choice").options if "Offering" in o)
    at.selectbox(key="offering_choice").select(choice).run()
    return at, f"off_{offering.id}"


def test_offerings_page_refuses_removing_a_session_that_has_attendance(app_env, session):
    admin = user_make(session, role="admin")
    offering = offering_make(session, sessions=WORKSHOP_SESSIONS)
    _records(session, offering, admin)
    at, k = _page(session, admin, offering)
    at.number_input(key=f"{k}_n").set_value(1).run()
    at.text_input(key=f"{k}_reason").input("Only one day").run()
    at.button(key=f"{k}_save").click().run()
    assert not at.exception
    shown = texts(at)
    assert "1 enrollment, 2 attendance records, so its sessions cannot be removed" in shown
    assert "Offering saved." not in shown
    session.expire_all()
    assert _counts(session, offering) == (2, 2, 2)


def test_offerings_page_asks_why_dates_change_and_audits_them(app_env, session):
    admin = user_make(session, role="admin")
    offering = offering_make(session, sessions=WORKSHOP_SESSIONS)
    at, k = _page(session, admin, offering)
    at.date_input(key=f"{k}_s0_day").set_value(date(2023, 5, 19)).run()
    at.button(key=f"{k}_save").click().run()
    assert "Say why the dates change" in texts(at)
    at.text_input(key=f"{k}_reason").input("Venue closed on the 18th").run()
    at.button(key=f"{k}_save").click().run()
    assert "Offering saved." in texts(at)
    session.expire_all()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "offering.update")).one()
    assert event.reason == "Venue closed on the 18th"
    assert event.details["date_changes"]["sessions"]["after"][0]["starts_at"].startswith(
        "2023-05-19"
    )


def test_each_session_row_of_the_editor_names_its_session(app_env, session):
    admin = user_make(session, role="admin")
    offering = offering_make(session, sessions=WORKSHOP_SESSIONS)
    at, k = _page(session, admin, offering)
    labels = [at.text_input(key=f"{k}_s{i}_title").label for i in range(2)]
    labels += [at.time_input(key=f"{k}_s{i}_start").label for i in range(2)]
    assert labels == ["Session 1 title", "Session 2 title", "Session 1 start", "Session 2 start"]
