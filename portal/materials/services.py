"""Material services: upload, link, edit, order, publish, replace, delete and restore."""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.authz import admin_check
from portal.courses import content
from portal.errors import FieldErrors, NotFound, PortalError
from portal.materials.access import (
    MaterialsConfig,
    course_by_slug,
    manage_check,
    placements,
)
from portal.materials.files import ingest, version_add
from portal.materials.uploads import name_clean
from portal.models import Course, Material, MaterialVersion, utc_now
from portal.records.audit import audit_record


def _texts_check(title: str, description: str) -> tuple[str, str]:
    title, description = title.strip(), description.strip()
    errors = {}
    if not title:
        errors["title"] = "Give the material a title."
    elif len(title) > 200:
        errors["title"] = "Keep the title under 200 characters."
    if len(description) > 5000:
        errors["description"] = "Keep the description under 5,000 characters."
    if errors:
        raise FieldErrors(errors)
    return title, description


def _placement_check(config: MaterialsConfig, course_slug: str, placement: str) -> str:
    course = content.course_get(config.content_dir, course_slug)
    if placement not in placements(course):
        raise FieldErrors({"placement": "Choose a module, a practice or general materials."})
    return placement


def _next_position(session: Session, material: Material) -> int:
    query = select(func.max(Material.position)).where(
        Material.course_id == material.course_id,
        Material.offering_id.is_(None)
        if material.offering_id is None
        else Material.offering_id == material.offering_id,
        Material.placement == material.placement,
    )
    return (session.scalar(query) or 0) + 1


def material_upload(
    *,
    session: Session,
    actor_id: int,
    course_slug: str,
    offering_id: int | None,
    placement: str,
    title: str,
    description: str,
    file_name: str,
    stream: BinaryIO | None,
    published: bool,
    config: MaterialsConfig,
) -> Material:
    """Add a file material; the type comes from its content and nothing is kept when refused."""
    if stream is None:
        raise FieldErrors({"file": "Choose a file to upload."})
    course = course_by_slug(session, course_slug)
    manage_check(session, actor_id, course.id, offering_id)
    placement = _placement_check(config, course_slug, placement)
    if not title.strip():
        title = name_clean(file_name).rsplit(".", 1)[0]
    title, description = _texts_check(title, description)
    blob, file_type, name = ingest(session, stream, file_name, config)
    material = Material(
        course_id=course.id, offering_id=offering_id, placement=placement, kind=file_type.kind,
        title=title, description=description, published=published, created_by=actor_id,
    )  # fmt: skip
    material.position = _next_position(session, material)
    version_add(session, material, blob, file_type, name, actor_id)
    session.add(material)
    session.flush()
    _audit(session, actor_id, "material_upload", material, file=blob.sha256)
    return material


def url_check(url: str) -> str:
    """An http(s) link with a host and no spaces."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise FieldErrors({"url": "Enter a full web address starting with https://."})
    if len(url) > 1000:
        raise FieldErrors({"url": "Keep the address under 1,000 characters."})
    return url


def material_link_add(
    *,
    session: Session,
    actor_id: int,
    course_slug: str,
    offering_id: int | None,
    placement: str,
    title: str,
    description: str,
    url: str,
    published: bool,
    config: MaterialsConfig,
) -> Material:
    """Add a link, such as the live session's meeting link."""
    course = course_by_slug(session, course_slug)
    manage_check(session, actor_id, course.id, offering_id)
    placement = _placement_check(config, course_slug, placement)
    title, description = _texts_check(title, description)
    material = Material(
        course_id=course.id, offering_id=offering_id, placement=placement, kind="link",
        title=title, description=description, url=url_check(url), published=published,
        created_by=actor_id,
    )  # fmt: skip
    material.position = _next_position(session, material)
    session.add(material)
    session.flush()
    _audit(session, actor_id, "material_link_add", material)
    return material


def _material_for(session: Session, actor_id: int, material_id: int) -> Material:
    material = session.get(Material, material_id)
    if material is None or material.deleted_at is not None:
        raise NotFound("No such material.")
    manage_check(session, actor_id, material.course_id, material.offering_id)
    return material


def _audit(
    session: Session, actor_id: int, action: str, material: Material, **details: object
) -> None:
    audit_record(
        session=session, actor_id=actor_id, action=action, subject_type="material",
        subject_id=material.id, details={"title": material.title, **details},
    )  # fmt: skip


def material_edit(
    *,
    session: Session,
    actor_id: int,
    material_id: int,
    title: str,
    description: str,
    placement: str,
    url: str | None = None,
    config: MaterialsConfig,
) -> Material:
    """Change title, description, placement (moved to the end there) or a link's address."""
    material = _material_for(session, actor_id, material_id)
    material.title, material.description = _texts_check(title, description)
    if material.kind == "link" and url is not None:
        material.url = url_check(url)
    course_slug = material_course_slug(session, material)
    if placement != material.placement:
        material.placement = _placement_check(config, course_slug, placement)
        material.position = _next_position(session, material)
    session.flush()
    return material


def material_course_slug(session: Session, material: Material) -> str:
    """The slug of the material's course."""
    return session.get_one(Course, material.course_id).slug


def material_publish(
    *, session: Session, actor_id: int, material_id: int, published: bool
) -> Material:
    """Show the material to participants, or hide it again."""
    material = _material_for(session, actor_id, material_id)
    material.published = published
    _audit(session, actor_id, "material_publish" if published else "material_unpublish", material)
    return material


def _siblings(session: Session, material: Material) -> list[Material]:
    query = select(Material).where(
        Material.course_id == material.course_id,
        Material.placement == material.placement,
        Material.deleted_at.is_(None),
        Material.offering_id.is_(None)
        if material.offering_id is None
        else Material.offering_id == material.offering_id,
    )
    return list(session.scalars(query.order_by(Material.position, Material.id).with_for_update()))


def material_move(*, session: Session, actor_id: int, material_id: int, step: int) -> Material:
    """Move a material one place up (step -1) or down (step +1) within its module."""
    material = _material_for(session, actor_id, material_id)
    siblings = _siblings(session, material)
    index = siblings.index(material)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings, 1):
        sibling.position = position
    session.flush()
    return material


def material_replace(
    *,
    session: Session,
    actor_id: int,
    material_id: int,
    file_name: str,
    stream: BinaryIO | None,
    config: MaterialsConfig,
) -> MaterialVersion:
    """Upload a new file for a material; earlier versions are kept."""
    if stream is None:
        raise FieldErrors({"file": "Choose the new file."})
    material = _material_for(session, actor_id, material_id)
    if material.kind == "link":
        raise PortalError("A link has no file to replace; edit its address instead.")
    blob, file_type, name = ingest(session, stream, file_name, config, material.kind)
    version = version_add(session, material, blob, file_type, name, actor_id)
    session.flush()
    _audit(
        session, actor_id, "material_replace", material, file=blob.sha256, version=version.number
    )
    return version


def material_delete(
    *, session: Session, actor_id: int, material_id: int, now: datetime | None = None
) -> Material:
    """Delete a material for everyone; its rows and bytes are kept so an admin can restore it."""
    material = _material_for(session, actor_id, material_id)
    material.deleted_at, material.deleted_by = now or utc_now(), actor_id
    _audit(session, actor_id, "material_delete", material)
    return material


def material_restore(*, session: Session, actor_id: int, material_id: int) -> Material:
    """Bring a deleted material back, unpublished, at the end of its module (admins)."""
    admin_check(session, actor_id)
    material = session.get(Material, material_id)
    if material is None or material.deleted_at is None:
        raise NotFound("No such deleted material.")
    material.deleted_at = material.deleted_by = None
    material.published = False
    material.position = _next_position(session, material)
    _audit(session, actor_id, "material_restore", material)
    return material
