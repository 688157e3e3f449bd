"""Every write on an offering's data, a person's record or money refuses the wrong actor
in the service itself: a participant, and an instructor who does not teach the offering."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal import authz
from portal.accounts import people
from portal.attendance.corrections import attendance_mark
from portal.certificates.services import certificate_reissue, certificate_revoke
from portal.courses.offerings import offering_form_get, offering_save
from portal.enrollment.cancellations import cancellation_decide, offering_cancel
from portal.enrollment.payments import payment_record, refund_record
from portal.enrollment.roster_import import roster_import
from portal.enrollment.services import enrollment_create
from portal.errors import NotAllowed
from portal.mail.outbox import outbox_retry
from portal.materials.services import material_link_add
from portal.models import utc_now
from portal.records import bundle
from portal.records.purge import purge_preview, records_purge
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_materials import config_for


@pytest.fixture
def world(session, tmp_path):
    """An offering taught by one instructor, a second instructor who does not teach it,
    a participant enrolled in it, and an admin."""
    teacher = user_make(session, role="instructor")
    offering = offering_make(session, instructors=[teacher])
    participant = user_make(session)
    enrollment = enrollment_make(session, participant, offering)
    session.commit()
    return {
        "offering": offering,
        "enrollment": enrollment,
        "participant": participant,
        "outsider": user_make(session, role="instructor"),
        "admin": user_make(session, role="admin"),
        "teacher": teacher,
        "config": config_for(tmp_path),
    }


def _writes(session, w):
    """Each write, as a function of the acting person's id."""
    o, e, p = w["offering"], w["enrollment"], w["participant"]
    live = o.sessions[0]
    money = {"amount": "10.00", "reference": "r-1"}
    return {
        "payment": lambda a: payment_record(
            session=session, actor_id=a, enrollment_id=e.id, paid_on=date.today(), **money
        ),
        "refund": lambda a: refund_record(
            session=session, actor_id=a, enrollment_id=e.id, refunded_on=date.today(), **money
        ),
        "role change": lambda a: people.person_role_change(
            session=session, actor_id=a, user_id=p.id, role="admin", reason="r"
        ),
        "deactivate": lambda a: people.person_set_active(
            session=session, actor_id=a, user_id=p.id, active=False, reason="r"
        ),
        "password reset": lambda a: people.password_reset_send(
            session=session,
            actor_id=a,
            user_id=p.id,
            base_url="https://ce.example.org",
            valid_for=timedelta(hours=1),
        ),
        "offering edit": lambda a: offering_save(
            session=session,
            actor_id=a,
            offering_id=o.id,
            form=offering_form_get(session, o.id),
        ),
        "offering cancel": lambda a: offering_cancel(
            session=session, actor_id=a, offering_id=o.id, reason="r"
        ),
        "cancellation decision": lambda a: cancellation_decide(
            session=session, actor_id=a, request_id=1, approve=True
        ),
        "records bundle": lambda a: bundle.records_bundle(
            session=session, actor_id=a, offering_id=o.id
        ),
        "person record": lambda a: bundle.person_record(session, a, p.id),
        "purge": lambda a: records_purge(
            session=session, actor_id=a, content_dir=w["config"].content_dir, dry_run=False
        ),
        "purge preview": lambda a: purge_preview(session, a, w["config"].content_dir),
        "roster import": lambda a: roster_import(
            session=session,
            actor_id=a,
            data=b"",
            base_url="https://ce.example.org",
            invite_valid_for=timedelta(days=1),
        ),
        "enroll someone": lambda a: enrollment_create(
            session=session, user_id=w["outsider"].id, offering_id=o.id, actor_id=a, by_admin=True
        ),
        "outbox retry": lambda a: outbox_retry(session=session, actor_id=a, message_id=1),
        "certificate reissue": lambda a: certificate_reissue(
            session=session, certificate_id=1, actor_id=a, reason="r", issuer=None
        ),
        "certificate revoke": lambda a: certificate_revoke(
            session=session, certificate_id=1, actor_id=a, reason="r"
        ),
        "attendance mark": lambda a: attendance_mark(
            session=session,
            actor_id=a,
            enrollment_id=e.id,
            live_session_id=live.id,
            checked_in_at=live.starts_at,
            checked_out_at=None,
            reason="r",
            now=utc_now(),
        ),
        "material link": lambda a: material_link_add(
            session=session,
            actor_id=a,
            course_slug=o.course.slug,
            offering_id=o.id,
            placement="general",
            title="Meeting link",
            description="",
            url="https://meet.example.org/x",
            published=True,
            config=w["config"],
        ),
    }


STAFF_MAY = {"attendance mark", "material link"}


@pytest.mark.parametrize("actor", ["participant", "outsider"])
def test_every_write_refuses_a_participant_and_an_unassigned_instructor(session, world, actor):
    writes = _writes(session, world)
    for name, write in writes.items():
        with pytest.raises(NotAllowed):
            write(world[actor].id)
            pytest.fail(f"{name} let a {actor} through")


def test_the_offering_s_own_instructor_may_run_attendance_and_materials_only(session, world):
    writes = _writes(session, world)
    teacher = world["teacher"].id
    for name in writes.keys() - STAFF_MAY:
        with pytest.raises(NotAllowed):
            writes[name](teacher)
            pytest.fail(f"{name} let the offering's instructor through")
    for name in STAFF_MAY:
        writes[name](teacher)


def test_a_deactivated_admin_is_refused(session, world):
    admin = world["admin"]
    admin.is_active = False
    session.flush()
    with pytest.raises(NotAllowed, match="sign in again"):
        authz.admin_check(session, admin.id)


def test_the_command_line_operator_may_purge_but_nobody_else_without_an_id(session, world):
    assert authz.admin_or_operator_check(session, authz.OPERATOR) is None
    with pytest.raises(NotAllowed):
        authz.admin_check(session, None)
