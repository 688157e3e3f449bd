"""The participant's progress checklist: each capability contributes its own section.

The facts every section decides from are read once for all of a person's enrollments
(`enrollment_facts`, a fixed number of queries however many enrollments and sessions), so
that Home costs the same for one enrollment as for three; sections do no queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.attendance.checklist_section import attendance_items
from portal.attendance.status import attendance_records, strictest_policy, summary_of
from portal.certificates.progress import certificate_section
from portal.courses.content import Course, course_get
from portal.enrollment.payments import enrollment_accounts_of, fee_section, fees_waived
from portal.errors import NotFound
from portal.evaluation.eligibility import evaluation_section
from portal.learning.checklist_item import ChecklistItem
from portal.learning.facts import EnrollmentFacts
from portal.learning.progress import progress_section
from portal.materials.access import access_open
from portal.materials.queries import MaterialView, materials_published_to
from portal.models import (
    Certificate,
    Enrollment,
    Evaluation,
    Offering,
    ProgressMark,
    User,
    utc_now,
)
from portal.settings import settings_load

ChecklistSection = Callable[[EnrollmentFacts], list[ChecklistItem]]

# In the order a participant meets them.
SECTIONS: tuple[ChecklistSection, ...] = (
    fee_section,
    progress_section,
    attendance_items,
    evaluation_section,
    certificate_section,
)


def checklist_of(facts: EnrollmentFacts) -> tuple[ChecklistItem, ...]:
    """The whole checklist of one enrollment, section by section."""
    return tuple(item for section in SECTIONS for item in section(facts))


def checklist_for(session: Session, enrollment_id: int) -> tuple[ChecklistItem, ...]:
    """The whole checklist of one enrollment, read on its own."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrollment.")
    user = session.get_one(User, enrollment.user_id)
    offering = session.get_one(Offering, enrollment.offering_id)
    settings = settings_load()
    [facts] = enrollment_facts(
        session,
        user,
        [(enrollment, offering)],
        now=utc_now(),
        content_dir=settings.content_dir,
        storage_dir=settings.storage_dir,
    )
    return checklist_of(facts)


def enrollment_facts(
    session: Session,
    user: User,
    enrollments: Sequence[tuple[Enrollment, Offering]],
    *,
    now: datetime,
    content_dir: Path,
    storage_dir: Path,
) -> list[EnrollmentFacts]:
    """What the checklists of the person's enrollments decide from, in the given order,
    each kind read in one query for all of them (offerings with sessions and course)."""
    ids = [e.id for e, _ in enrollments]
    if not ids:
        return []
    accounts = enrollment_accounts_of(session, [(e, user, o) for e, o in enrollments])
    waived = fees_waived(session, ids)
    records = attendance_records(session, ids)
    marks = _marks(session, ids)
    evaluations = _evaluations(session, ids)
    certificates = _certificates(session, ids)
    materials = _materials(session, enrollments, now, storage_dir)
    courses = _courses(enrollments, content_dir)
    return [
        EnrollmentFacts(
            enrollment=e,
            offering=o,
            course=courses[o.course_id],
            licenses=tuple(user.licenses),
            account=account,
            fee_waived=e.id in waived,
            records=records[e.id],
            summary=summary_of(
                e, o.sessions, records[e.id], strictest_policy(courses[o.course_id])
            ),
            marks=frozenset(marks[e.id]),
            materials=tuple(materials.get(o.id, ())),
            evaluation=evaluations.get(e.id),
            certificates=tuple(certificates[e.id]),
            now=now,
        )
        for (e, o), account in zip(enrollments, accounts, strict=True)
    ]


def _evaluations(session: Session, ids: list[int]) -> dict[int, Evaluation]:
    """Each enrollment's evaluation, draft or submitted (one at most)."""
    query = select(Evaluation).where(Evaluation.enrollment_id.in_(ids))
    return {row.enrollment_id: row for row in session.scalars(query)}


def _certificates(session: Session, ids: list[int]) -> defaultdict[int, list[Certificate]]:
    """Each enrollment's certificates in issue order (their PDF bytes are not read)."""
    query = select(Certificate).where(Certificate.enrollment_id.in_(ids)).order_by(Certificate.id)
    found: defaultdict[int, list[Certificate]] = defaultdict(list)
    for row in session.scalars(query):
        found[row.enrollment_id].append(row)
    return found


def _marks(session: Session, ids: list[int]) -> defaultdict[int, set[str]]:
    """The course items each enrollment has marked complete."""
    query = select(ProgressMark.enrollment_id, ProgressMark.item_key).where(
        ProgressMark.enrollment_id.in_(ids)
    )
    found: defaultdict[int, set[str]] = defaultdict(set)
    for enrollment_id, key in session.execute(query):
        found[enrollment_id].add(key)
    return found


def _materials(
    session: Session,
    enrollments: Sequence[tuple[Enrollment, Offering]],
    now: datetime,
    storage_dir: Path,
) -> dict[int, list[MaterialView]]:
    """Published materials of the offerings whose progress counts (active, still open)."""
    offerings = {o.id: o for e, o in enrollments if e.status == "active" and access_open(o, now)}
    if not offerings:
        return {}
    return materials_published_to(session, list(offerings.values()), storage_dir)


def _courses(
    enrollments: Sequence[tuple[Enrollment, Offering]], content_dir: Path
) -> dict[int, Course]:
    """Each offering's course content (parsed once per version of its files)."""
    return {o.course_id: course_get(content_dir, o.course.slug) for _, o in enrollments}
