"""Material reads: the instructor's lists, version history and the admin's deleted items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.authz import admin_check, staff_offering_ids, staff_role_check
from portal.errors import NotFound
from portal.materials.access import course_by_slug, manage_check
from portal.models import Course, Material, MaterialBlob, Offering, User
from portal.storage import ObjectStore, blob_path, blob_stored


@dataclass(frozen=True)
class MaterialView:
    """A material as a page shows it; path is the current file on disk (None for links)."""

    id: int
    kind: str
    title: str
    description: str
    placement: str
    position: int
    published: bool
    offering_id: int | None
    url: str | None
    version: int
    file_name: str | None
    mime: str | None
    size: int | None
    path: str | None


@dataclass(frozen=True)
class VersionView:
    """One uploaded file of a material."""

    number: int
    file_name: str
    size: int
    uploaded_at: datetime
    path: str


@dataclass(frozen=True)
class ScopeView:
    """A course, or one offering of it, whose materials a person may arrange."""

    course_slug: str
    course_title: str
    offering_id: int | None
    label: str


@dataclass(frozen=True)
class DeletedView:
    """A deleted material, for the admin who may restore it."""

    id: int
    course_title: str
    offering_label: str
    title: str
    kind: str
    deleted_at: datetime
    deleted_by: str


def material_view(material: Material, storage_dir: Path) -> MaterialView:
    """Plain data for a material with its current file."""
    current = material.current
    return MaterialView(
        id=material.id, kind=material.kind, title=material.title,
        description=material.description, placement=material.placement,
        position=material.position, published=material.published,
        offering_id=material.offering_id, url=material.url,
        version=current.number if current else 0,
        file_name=current.file_name if current else None,
        mime=current.mime if current else None,
        size=current.size if current else None,
        path=str(blob_path(storage_dir, current.blob_sha256)) if current else None,
    )  # fmt: skip


def _ordered(query):  # type: ignore[no-untyped-def]
    return query.options(selectinload(Material.versions)).order_by(
        Material.placement, Material.offering_id.is_not(None), Material.position, Material.id
    )


def manage_scopes(session: Session, user_id: int) -> list[ScopeView]:
    """The courses and offerings whose materials this instructor (or any admin) arranges."""
    actor = staff_role_check(session, user_id)
    query = (
        select(Offering)
        .options(selectinload(Offering.course))
        .where(Offering.id.in_(staff_offering_ids(actor)))
        .order_by(Offering.id)
    )
    scopes: list[ScopeView] = []
    for offering in session.scalars(query):
        course = offering.course
        if not any(s.course_slug == course.slug for s in scopes):
            scopes.append(
                ScopeView(course.slug, course.title, None, f"{course.title} — every offering")
            )
        scopes.append(
            ScopeView(
                course.slug, course.title, offering.id, f"{course.title} — {offering.label} only"
            )
        )
    return scopes


def materials_for_scope(
    session: Session, user_id: int, course_slug: str, offering_id: int | None, storage_dir: Path
) -> list[MaterialView]:
    """The materials (published or not) an instructor arranges in one scope."""
    course = course_by_slug(session, course_slug)
    manage_check(session, user_id, course.id, offering_id)
    scope = (
        Material.offering_id.is_(None)
        if offering_id is None
        else Material.offering_id == offering_id
    )
    query = select(Material).where(
        Material.course_id == course.id, scope, Material.deleted_at.is_(None)
    )
    return [material_view(m, storage_dir) for m in session.scalars(_ordered(query))]


def material_versions(
    session: Session, user_id: int, material_id: int, storage_dir: Path
) -> list[VersionView]:
    """Every file a material has had, newest first."""
    material = session.get(Material, material_id)
    if material is None or material.deleted_at is not None:
        raise NotFound("No such material.")
    manage_check(session, user_id, material.course_id, material.offering_id)
    return [
        VersionView(
            v.number, v.file_name, v.size, v.uploaded_at, str(blob_path(storage_dir, v.blob_sha256))
        )
        for v in reversed(material.versions)
    ]


def materials_deleted(session: Session, user_id: int) -> list[DeletedView]:
    """Deleted materials, most recent first (admins)."""
    admin_check(session, user_id)
    query = (
        select(Material, Course.title, Offering.label, User.full_name)
        .join(Course, Course.id == Material.course_id)
        .outerjoin(Offering, Offering.id == Material.offering_id)
        .outerjoin(User, User.id == Material.deleted_by)
        .where(Material.deleted_at.is_not(None))
        .order_by(Material.deleted_at.desc())
    )
    return [
        DeletedView(
            m.id, course, label or "every offering", m.title, m.kind, m.deleted_at, who or ""
        )
        for m, course, label, who in session.execute(query)
    ]


def materials_published(
    session: Session, offering: Offering, storage_dir: Path
) -> list[MaterialView]:
    """What participants of an offering see: published, not deleted, course-wide or theirs."""
    return materials_published_to(session, [offering], storage_dir)[offering.id]


def materials_published_to(
    session: Session, offerings: list[Offering], storage_dir: Path
) -> dict[int, list[MaterialView]]:
    """materials_published for several offerings at once, by offering id."""
    found: dict[int, list[MaterialView]] = {o.id: [] for o in offerings}
    if not offerings:
        return found
    query = select(Material).where(
        Material.course_id.in_(sorted({o.course_id for o in offerings})),
        or_(Material.offering_id.is_(None), Material.offering_id.in_(list(found))),
        Material.published,
        Material.deleted_at.is_(None),
    )
    for m in session.scalars(_ordered(query)):
        view = material_view(m, storage_dir)
        for o in offerings:
            if m.course_id == o.course_id and m.offering_id in (None, o.id):
                found[o.id].append(view)
    return found


STORAGE_SAMPLE = 50


def storage_missing_problem(
    session: Session, storage_dir: Path, remote: ObjectStore | None = None
) -> str | None:
    """One line when the storage folder lacks files the database names, else None.

    A random sample is looked up, never every file, so that a large store starts quickly;
    an empty or unmounted volume misses every one of them.
    """
    total = session.scalar(select(func.count()).select_from(MaterialBlob)) or 0
    sample = list(
        session.scalars(select(MaterialBlob.sha256).order_by(func.random()).limit(STORAGE_SAMPLE))
    )
    missing = sum(not blob_stored(storage_dir, sha, remote) for sha in sample)
    if not missing:
        return None
    where = f"PORTAL_S3_BUCKET: {remote.bucket}" if remote else f"PORTAL_STORAGE_DIR: {storage_dir}"
    return (
        f"{where} lacks {missing} of {len(sample)} sampled files "
        f"of the {total} the database names (is the storage volume mounted, or restored?); "
        "those materials show as unavailable."
    )
