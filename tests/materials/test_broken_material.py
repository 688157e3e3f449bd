"""A stored file that no longer renders (uploaded before today's checks, or damaged since)
shows a placeholder for that one item; the rest of the page renders and it can be deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.materials import files
from portal.materials.access import MaterialsConfig
from portal.materials.ui import UNAVAILABLE
from portal.materials.uploads import UploadLimits
from portal.models import Material
from portal.settings import settings_load
from tests.apptest import app_as, texts
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_materials import HOSTILE, file_make, link_make

CORRUPT_GIF = HOSTILE["corrupt.gif"][0]


@pytest.fixture
def broken_course(app_env, session, monkeypatch):
    instructor = user_make(session, role="instructor")
    participant = user_make(session)
    offering = offering_make(session, instructors=[instructor])
    enrollment_make(session, participant, offering)
    settings = settings_load()
    config = MaterialsConfig(settings.storage_dir, settings.content_dir, UploadLimits())
    with monkeypatch.context() as before_the_check:
        before_the_check.setattr(files, "image_check", lambda path, mime: None)
        broken = file_make(session, config, instructor.id, "chart.gif", CORRUPT_GIF, title="Chart")
    link_make(session, config, instructor.id, title="Join the live session")
    session.commit()
    return instructor, participant, broken


def test_the_corrupt_gif_is_refused_at_upload(broken_course, session, tmp_path):
    instructor, _, _ = broken_course
    config = MaterialsConfig(tmp_path / "s", settings_load().content_dir, UploadLimits())
    with pytest.raises(Exception, match="damaged"):
        file_make(session, config, instructor.id, "chart.gif", CORRUPT_GIF)


def test_the_course_page_shows_a_placeholder_and_goes_on(broken_course):
    _, participant, _ = broken_course
    at = app_as(participant, "course.py")
    assert not at.exception, at.exception
    page = texts(at)
    assert UNAVAILABLE in page and "Join the live session" in page
    assert "Traceback" not in page and "UnidentifiedImageError" not in page
    assert "/storage" not in page and "blobs" not in page


def test_the_materials_page_can_still_delete_it(broken_course, factory):
    instructor, _, broken = broken_course
    at = app_as(instructor, "materials_manage.py")
    assert not at.exception, at.exception
    at.button(key=f"delete_{broken.id}").click().run()
    assert not at.exception, at.exception
    with factory() as check:
        assert check.scalar(select(Material.deleted_at).where(Material.id == broken.id))
