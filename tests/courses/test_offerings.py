"""Offering editor: sessions in the offering's zone, fees, validation, instructors, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from portal.courses.offerings import (
    OfferingForm,
    SessionInput,
    offering_form_get,
    offering_save,
)
from portal.errors import FieldErrors
from portal.models import AuditEvent, OfferingInstructor
from tests.factories import course_row, user_make


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
        form=_form(session, capacity=None, sessions=form.sessions[:1]),
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
