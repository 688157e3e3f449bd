"""Who may arrange which materials, where a material may be placed, and course lookups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.authz import staff_role_check
from portal.courses import content
from portal.errors import NotAllowed, NotFound
from portal.materials.uploads import UploadLimits
from portal.models import Course, Offering, OfferingInstructor, User
from portal.settings import Settings
from portal.storage import ObjectStore, object_store
from portal.timefmt import local_date


@dataclass(frozen=True)
class MaterialsConfig:
    """Where bytes and course files live, and the upload limits."""

    storage_dir: Path
    content_dir: Path
    limits: UploadLimits
    remote: ObjectStore | None = None


def materials_config(settings: Settings) -> MaterialsConfig:
    """The materials configuration from settings."""
    return MaterialsConfig(
        settings.storage_dir,
        settings.content_dir,
        UploadLimits.from_settings(settings),
        object_store(settings),
    )


def placements(course: content.Course) -> dict[str, str]:
    """Every place a material may go in a course, with its label, in reading order."""
    options = {"general": "General materials"}
    for number, module in enumerate(course.modules, 1):
        options[f"module:{module.id}"] = f"Module {number}: {module.title}"
    for practice in course.practices:
        options[f"practice:{practice.id}"] = f"Practice: {practice.title}"
    return options


def course_by_slug(session: Session, slug: str) -> Course:
    """The course row for a slug."""
    row = session.scalar(select(Course).where(Course.slug == slug))
    if row is None:
        raise NotFound("No such course.")
    return row


def _taught_offerings(session: Session, user_id: int, course_id: int) -> set[int]:
    query = (
        select(OfferingInstructor.offering_id)
        .join(Offering, Offering.id == OfferingInstructor.offering_id)
        .where(OfferingInstructor.user_id == user_id, Offering.course_id == course_id)
    )
    return set(session.scalars(query))


def manage_check(session: Session, actor_id: int, course_id: int, offering_id: int | None) -> User:
    """The actor if they may arrange this course's (or offering's) materials; else refuse."""
    actor = staff_role_check(session, actor_id)
    if actor.role == "admin":
        return actor
    taught = _taught_offerings(session, actor_id, course_id)
    if (offering_id is None and taught) or offering_id in taught:
        return actor
    raise NotAllowed("You can arrange materials only for the offerings you teach.")


def access_open(offering: Offering, now: datetime) -> bool:
    """Whether the offering's materials are still open (access_until is in its time zone)."""
    if offering.access_until is None:
        return True
    return local_date(now, offering.time_zone) <= offering.access_until
