"""Who may review an offering's evaluations, and which respondents form a group."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from portal.authz import staff_check, staff_offering_ids, staff_role_check
from portal.courses import content
from portal.evaluation.eligibility import offering_course
from portal.models import Course, Enrollment, Evaluation, License, Offering
from portal.settings import settings_load


@dataclass(frozen=True)
class Filters:
    """Narrow the respondents to one profession and/or the people of one credit type."""

    profession: str | None = None
    credit_type: str | None = None

    @property
    def active(self) -> bool:
        """Whether any filter narrows the group."""
        return bool(self.profession or self.credit_type)

    @property
    def combined(self) -> bool:
        """Whether two filters are set at once (refused: their difference isolates people)."""
        return bool(self.profession and self.credit_type)


@dataclass(frozen=True)
class Reviewer:
    """The person reviewing an offering, and what the course lets them see."""

    user_id: int
    is_admin: bool
    names_visible: bool
    course: content.Course


def reviewer_for(session: Session, offering_id: int, viewer_id: int) -> Reviewer:
    """Admins review every offering; instructors only those they are assigned to."""
    user = staff_check(session, viewer_id, offering_id)
    course = offering_course(session, offering_id)
    is_admin = user.role == "admin"
    return Reviewer(viewer_id, is_admin, is_admin and names_visible(session, offering_id), course)


def names_visible(session: Session, offering_id: int) -> bool:
    """The offering's setting: the CE office sees who wrote which evaluation."""
    return bool(
        session.scalar(select(Offering.evaluation_names_visible).where(Offering.id == offering_id))
    )


def records_reviewer(session: Session, offering_id: int) -> Reviewer:
    """The CE office's records (accrediting bodies): the disclosed responses, never a name."""
    return Reviewer(0, True, False, offering_course(session, offering_id))


def _has_license(pairs: list[tuple[str, str | None]]) -> ColumnElement[bool]:
    if not pairs:
        return false()
    matches = [
        and_(License.profession == p, License.state.is_(None) if s is None else License.state == s)
        for p, s in pairs
    ]
    return exists().where(License.user_id == Enrollment.user_id, or_(*matches))


def credit_type_clause(
    session: Session, offering_id: int, course: content.Course, credit_type_id: str
) -> ColumnElement[bool]:
    """Respondents who count under a credit type, decided by CreditType.qualifies.

    Each distinct (profession, state) among the offering's licenses is judged in Python;
    the certificate of attendance takes those whom no CE credit type fits.
    """
    pairs_query = (
        select(License.profession, License.state)
        .join(Enrollment, Enrollment.user_id == License.user_id)
        .where(Enrollment.offering_id == offering_id)
        .distinct()
    )
    pairs = [(p, s) for p, s in session.execute(pairs_query)]
    target = course.credit_type(credit_type_id)
    if target.makes_ce_claim:
        return _has_license([(p, s) for p, s in pairs if target.qualifies(p, s)])
    ce_types = [ct for ct in course.credit_types if ct.makes_ce_claim]
    return ~_has_license([(p, s) for p, s in pairs if any(ct.qualifies(p, s) for ct in ce_types)])


def group_query(
    session: Session,
    offering_id: int,
    base: Select[tuple[int]],
    course: content.Course,
    filters: Filters,
) -> Select[tuple[int]]:
    """The ids of the responses in `base` (those staff may see) within the filtered group."""
    if not filters.active:
        return base
    query = select(Evaluation.id).where(Evaluation.id.in_(base))
    query = query.join(Enrollment, Enrollment.id == Evaluation.enrollment_id)
    if filters.profession:
        query = query.where(
            exists().where(
                License.user_id == Enrollment.user_id, License.profession == filters.profession
            )
        )
    if filters.credit_type:
        query = query.where(credit_type_clause(session, offering_id, course, filters.credit_type))
    return query


@dataclass(frozen=True)
class ReviewOffering:
    """An offering a reviewer may open, with the course's credit types for the filter."""

    id: int
    label: str
    course_title: str
    credit_types: tuple[tuple[str, str], ...]


def review_offerings(session: Session, user_id: int) -> list[ReviewOffering]:
    """Every offering for admins; the assigned ones for instructors; none for others."""
    actor = staff_role_check(session, user_id)
    query = (
        select(Offering.id, Offering.label, Course.slug)
        .join(Course, Course.id == Offering.course_id)
        .where(Offering.id.in_(staff_offering_ids(actor)))
        .order_by(Offering.id.desc())
    )
    content_dir, result = settings_load().content_dir, []
    for offering_id, label, slug in session.execute(query):
        course = content.course_get(content_dir, slug)  # parsed once per process
        types = tuple((ct.id, ct.name) for ct in course.credit_types)
        result.append(ReviewOffering(offering_id, label, course.title, types))
    return result
