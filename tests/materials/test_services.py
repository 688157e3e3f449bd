"""Arranging materials: permissions, order, publishing, replacing, deleting and restoring."""

import io
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.db import transaction
from portal.errors import FieldErrors, NotAllowed, NotFound, PortalError
from portal.materials.queries import (
    manage_scopes,
    material_versions,
    materials_deleted,
    materials_for_scope,
    materials_published,
)
from portal.materials.services import (
    material_delete,
    material_edit,
    material_move,
    material_publish,
    material_replace,
    material_restore,
)
from portal.models import AuditEvent, MaterialBlob
from tests.factories import offering_make, user_make
from tests.factories_materials import GOOD, MODULE, config_for, file_make, link_make


@pytest.fixture
def world(session, tmp_path):
    instructor = user_make(session, role="instructor")
    other_instructor = user_make(session, role="instructor")
    admin = user_make(session, role="admin")
    participant = user_make(session)
    offering = offering_make(session, instructors=[instructor])
    other_offering = offering_make(session, instructors=[other_instructor])
    session.commit()
    return {
        "instructor": instructor, "other_instructor": other_instructor, "admin": admin,
        "participant": participant, "offering": offering, "other_offering": other_offering,
        "config": config_for(tmp_path),
    }  # fmt: skip


def _titles(session, world, offering_id=None):
    views = materials_for_scope(
        session, world["admin"].id, "fostering-compassion-in-couples", offering_id,
        world["config"].storage_dir,
    )  # fmt: skip
    return [v.title for v in views]


def test_permissions(session, world):
    config, offering = world["config"], world["offering"]
    file_make(session, config, world["instructor"].id, offering_id=offering.id)
    file_make(session, config, world["instructor"].id)  # course-wide: teaches an offering of it
    file_make(session, config, world["admin"].id, offering_id=world["other_offering"].id)
    with pytest.raises(NotAllowed):
        file_make(session, config, world["other_instructor"].id, offering_id=offering.id)
    with pytest.raises(NotAllowed):
        file_make(session, config, world["participant"].id)
    with pytest.raises(NotAllowed):
        materials_for_scope(
            session, world["participant"].id, "fostering-compassion-in-couples", None,
            config.storage_dir,
        )  # fmt: skip


def test_manage_scopes(session, world):
    labels = [s.offering_id for s in manage_scopes(session, world["instructor"].id)]
    assert labels == [None, world["offering"].id]
    assert len(manage_scopes(session, world["admin"].id)) == 3
    with pytest.raises(NotAllowed):
        manage_scopes(session, world["participant"].id)


def test_order_and_moves(session, world):
    config, actor = world["config"], world["instructor"].id
    a = file_make(session, config, actor, title="A")
    b = link_make(session, config, actor, placement=MODULE, title="B")
    c = file_make(session, config, actor, "notes.md", title="C")
    assert _titles(session, world) == ["A", "B", "C"]
    material_move(session=session, actor_id=actor, material_id=c.id, step=-1)
    assert _titles(session, world) == ["A", "C", "B"]
    material_move(session=session, actor_id=actor, material_id=a.id, step=-1)  # already first
    material_move(session=session, actor_id=actor, material_id=a.id, step=1)
    assert _titles(session, world) == ["C", "A", "B"]
    material_move(session=session, actor_id=actor, material_id=b.id, step=1)  # already last
    assert _titles(session, world) == ["C", "A", "B"]


def test_edit_moves_to_other_module_and_validates(session, world):
    config, actor = world["config"], world["instructor"].id
    a = file_make(session, config, actor, title="A")
    material_edit(
        session=session, actor_id=actor, material_id=a.id, title="A2", description="d",
        placement="practice:soothing-touch", config=config,
    )  # fmt: skip
    assert a.placement == "practice:soothing-touch" and a.title == "A2"
    with pytest.raises(FieldErrors) as refused:
        material_edit(
            session=session, actor_id=actor, material_id=a.id, title=" ", description="",
            placement="module:nope", config=config,
        )  # fmt: skip
    assert "title" in refused.value.errors


def test_links_must_be_web_addresses(session, world):
    from portal.materials.services import material_link_add

    for url in ("javascript:alert(1)", "ftp://x.org/a", "https://", "https://a b.org"):
        with pytest.raises(FieldErrors, match="https://"):
            material_link_add(
                session=session, actor_id=world["instructor"].id,
                course_slug="fostering-compassion-in-couples", offering_id=None,
                placement="general", title="Meet", description="", url=url, published=True,
                config=world["config"],
            )  # fmt: skip


def test_publishing_decides_what_participants_see(session, world):
    config, actor, offering = world["config"], world["instructor"].id, world["offering"]
    shown = file_make(session, config, actor, title="Shown")
    hidden = file_make(session, config, actor, title="Hidden", published=False)
    file_make(session, config, world["admin"].id, title="Other offering",
              offering_id=world["other_offering"].id)  # fmt: skip
    file_make(session, config, actor, title="Mine", offering_id=offering.id)
    visible = [m.title for m in materials_published(session, offering, config.storage_dir)]
    assert visible == ["Shown", "Mine"]
    material_publish(session=session, actor_id=actor, material_id=hidden.id, published=True)
    material_publish(session=session, actor_id=actor, material_id=shown.id, published=False)
    visible = [m.title for m in materials_published(session, offering, config.storage_dir)]
    assert visible == ["Hidden", "Mine"]
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "material_publish" in actions and "material_unpublish" in actions


def test_replace_keeps_old_versions(session, world):
    config, actor = world["config"], world["instructor"].id
    material = file_make(session, config, actor, "slides.pdf")
    material_replace(
        session=session, actor_id=actor, material_id=material.id, file_name="v2.pdf",
        stream=io.BytesIO(GOOD["slides.pdf"] + b"\n%%EOF\n"), config=config,
    )  # fmt: skip
    versions = material_versions(session, actor, material.id, config.storage_dir)
    assert [v.number for v in versions] == [2, 1]
    assert [v.file_name for v in versions] == ["v2.pdf", "slides.pdf"]
    assert all(Path(v.path).read_bytes().startswith(b"%PDF") for v in versions)
    view = materials_published(session, world["offering"], config.storage_dir)[0]
    assert view.version == 2 and view.file_name == "v2.pdf"


def test_replace_must_keep_the_kind(session, world, tmp_path):
    config, actor = world["config"], world["instructor"].id
    material = file_make(session, config, actor, "slides.pdf")
    before = sorted(config.storage_dir.rglob("*"))
    with pytest.raises(FieldErrors, match="must be pdf"):
        material_replace(
            session=session, actor_id=actor, material_id=material.id, file_name="x.mp3",
            stream=io.BytesIO(GOOD["meditation.mp3"]), config=config,
        )  # fmt: skip
    assert sorted(p for p in config.storage_dir.rglob("*") if p.is_file()) == sorted(
        p for p in before if p.is_file()
    )
    link = link_make(session, config, actor)
    with pytest.raises(PortalError, match="no file"):
        material_replace(
            session=session, actor_id=actor, material_id=link.id, file_name="x.pdf",
            stream=io.BytesIO(GOOD["slides.pdf"]), config=config,
        )  # fmt: skip


def test_delete_keeps_shared_bytes_and_admin_restores(session, world):
    config, actor, admin = world["config"], world["instructor"].id, world["admin"].id
    first = file_make(session, config, actor, title="First")
    second = file_make(session, config, actor, title="Second", offering_id=world["offering"].id)
    assert first.current.blob_sha256 == second.current.blob_sha256
    assert session.scalar(select(func.count()).select_from(MaterialBlob)) == 1
    material_delete(session=session, actor_id=actor, material_id=first.id)
    visible = materials_published(session, world["offering"], config.storage_dir)
    assert [v.title for v in visible] == ["Second"]
    assert Path(visible[0].path).read_bytes() == GOOD["slides.pdf"]
    with pytest.raises(NotFound):
        material_publish(session=session, actor_id=actor, material_id=first.id, published=True)
    with pytest.raises(NotAllowed):
        materials_deleted(session, actor)
    with pytest.raises(NotAllowed):
        material_restore(session=session, actor_id=actor, material_id=first.id)
    assert [d.title for d in materials_deleted(session, admin)] == ["First"]
    material_restore(session=session, actor_id=admin, material_id=first.id)
    assert first.deleted_at is None and not first.published
    assert materials_deleted(session, admin) == []
    with pytest.raises(NotFound):
        material_restore(session=session, actor_id=admin, material_id=first.id)


def test_concurrent_uploads_of_the_same_bytes_share_one_blob(factory, world):
    errors = []

    def upload(title):
        try:
            with transaction(factory) as s:
                file_make(s, world["config"], world["instructor"].id, title=title)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(f"T{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(MaterialBlob)) == 1
        assert len(_titles(s, world)) == 4
