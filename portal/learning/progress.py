"""The course as a participant reads it: modules with their materials, and progress marks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.courses import content
from portal.errors import NotFound, PortalError
from portal.learning.checklist_item import ChecklistItem
from portal.materials.access import access_open
from portal.materials.queries import MaterialView, materials_published
from portal.models import Course, Enrollment, Offering, ProgressMark, utc_now
from portal.settings import settings_load

if TYPE_CHECKING:
    from portal.learning.facts import EnrollmentFacts


@dataclass(frozen=True)
class ItemView:
    """One thing to mark complete: a module's text, a material or a practice."""

    key: str
    label: str
    done: bool
    material: MaterialView | None = None


@dataclass(frozen=True)
class SectionView:
    """A module (or the general materials, or a practice) with its items and progress."""

    key: str
    title: str
    body: str
    objective: str
    items: tuple[ItemView, ...]
    materials: tuple[MaterialView, ...]
    steps: tuple[content.PracticeStep, ...] = ()
    kind: str = "module"
    minutes: int = 0

    @property
    def done(self) -> int:
        """How many items are marked complete."""
        return sum(item.done for item in self.items)


@dataclass(frozen=True)
class CourseOutline:
    """The participant's course in one offering, or only the access notice when closed."""

    enrollment_id: int
    course_slug: str
    course_title: str
    offering_label: str
    access_open: bool
    access_until: date | None
    modules: tuple[SectionView, ...]
    practices: tuple[SectionView, ...]

    @property
    def items(self) -> tuple[ItemView, ...]:
        """Every item of the course."""
        return tuple(i for s in (*self.modules, *self.practices) for i in s.items)


@dataclass(frozen=True)
class EnrollmentChoice:
    """An active enrollment to pick the course by."""

    enrollment_id: int
    label: str


def participant_courses(session: Session, user_id: int) -> list[EnrollmentChoice]:
    """The person's active enrollments, newest first."""
    query = (
        select(Enrollment.id, Course.title, Offering.label)
        .join(Offering, Offering.id == Enrollment.offering_id)
        .join(Course, Course.id == Offering.course_id)
        .where(Enrollment.user_id == user_id, Enrollment.status == "active")
        .order_by(Enrollment.id.desc())
    )
    return [EnrollmentChoice(i, f"{t} · {label}") for i, t, label in session.execute(query)]


def _enrollment(session: Session, user_id: int, enrollment_id: int) -> tuple[Enrollment, Offering]:
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.user_id != user_id or enrollment.status != "active":
        raise NotFound("No such enrollment.")
    return enrollment, session.get_one(Offering, enrollment.offering_id)


def _marks(session: Session, enrollment_id: int) -> set[str]:
    query = select(ProgressMark.item_key).where(ProgressMark.enrollment_id == enrollment_id)
    return set(session.scalars(query))


def _section(key, title, body, objective, materials, marks, **extra) -> SectionView:  # type: ignore[no-untyped-def]
    own = tuple(m for m in materials if m.placement == key)
    verb = "Practise" if key.startswith("practice:") else "Read"
    items = [ItemView(key, f"{verb}: {title}", key in marks)] if body else []
    items += [ItemView(f"material:{m.id}", m.title, f"material:{m.id}" in marks, m) for m in own]
    return SectionView(key, title, body, objective, tuple(items), own, **extra)


def _sections(course: content.Course, materials: list[MaterialView], marks: set[str]):  # type: ignore[no-untyped-def]
    modules = [_section("general", "General materials", "", "", materials, marks)]
    modules = [m for m in modules if m.items]
    for number, module in enumerate(course.modules, 1):
        objective = course.objectives[module.objective - 1]
        title = f"Module {number}: {module.title}"
        modules.append(
            _section(f"module:{module.id}", title, module.body, objective, materials, marks)
        )
    practices = [
        _section(
            f"practice:{p.id}",
            p.title,
            p.body,
            "",
            materials,
            marks,
            steps=p.steps,
            kind=p.kind,
            minutes=p.minutes,
        )
        for p in course.practices
    ]
    return tuple(modules), tuple(practices)


def course_outline(
    session: Session,
    user_id: int,
    enrollment_id: int,
    content_dir: Path,
    storage_dir: Path,
    now: datetime | None = None,
) -> CourseOutline:
    """The course of one of the person's enrollments, with their own progress."""
    enrollment, offering = _enrollment(session, user_id, enrollment_id)
    course_row = session.get_one(Course, offering.course_id)
    course = content.course_get(content_dir, course_row.slug)
    is_open = access_open(offering, now or utc_now())
    modules, practices = ((), ())
    if is_open:
        materials = materials_published(session, offering, storage_dir)
        modules, practices = _sections(course, materials, _marks(session, enrollment.id))
    return CourseOutline(
        enrollment.id, course.id, course.title, offering.label, is_open,
        offering.access_until, modules, practices,
    )  # fmt: skip


def progress_mark(
    *,
    session: Session,
    user_id: int,
    enrollment_id: int,
    item_key: str,
    done: bool,
    content_dir: Path,
    storage_dir: Path,
    now: datetime | None = None,
) -> bool:
    """Mark one of the person's course items complete (or not); repeating changes nothing."""
    outline = course_outline(session, user_id, enrollment_id, content_dir, storage_dir, now)
    if not outline.access_open:
        raise PortalError("Access to this offering's materials has ended.")
    if item_key not in {item.key for item in outline.items}:
        raise NotFound("No such item in this course.")
    if not done:
        session.execute(
            delete(ProgressMark).where(
                ProgressMark.enrollment_id == enrollment_id, ProgressMark.item_key == item_key
            )
        )
        return False
    try:
        with session.begin_nested():
            session.add(ProgressMark(enrollment_id=enrollment_id, item_key=item_key))
    except IntegrityError:
        pass  # already marked: a double click or a second tab
    return True


def progress_checklist(session: Session, enrollment_id: int) -> list[ChecklistItem]:
    """Home checklist: how much of the course the participant has worked through."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.status != "active":
        return []
    settings = settings_load()
    outline = course_outline(
        session, enrollment.user_id, enrollment_id, settings.content_dir, settings.storage_dir
    )
    return _progress_items(outline.access_open, outline.items)


def progress_section(facts: EnrollmentFacts) -> list[ChecklistItem]:
    """The Home checklist's course progress, from the facts the page read once."""
    if facts.enrollment.status != "active":
        return []
    if not access_open(facts.offering, facts.now):
        return _progress_items(False, ())
    modules, practices = _sections(facts.course, list(facts.materials), set(facts.marks))
    return _progress_items(True, tuple(i for s in (*modules, *practices) for i in s.items))


def _progress_items(is_open: bool, items: tuple[ItemView, ...]) -> list[ChecklistItem]:
    """How much of the course is done, or that access has ended."""
    if not is_open:
        return [ChecklistItem("Course materials", "blocked", "Access to the materials has ended.")]
    done = sum(item.done for item in items)
    status = "done" if items and done == len(items) else "todo"
    percent = round(100 * done / len(items)) if items else 0
    detail = f"{done} of {len(items)} items complete ({percent}%)"
    return [ChecklistItem("Work through the course", status, detail, "pages/course.py")]
