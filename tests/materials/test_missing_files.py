"""Storage started empty (an unmounted volume) over a database with materials: each missing
file shows as unavailable, and everything after it on the page still renders."""

from __future__ import annotations

import logging
import shutil

import pytest

from portal.materials.access import MaterialsConfig
from portal.materials.queries import storage_missing_problem
from portal.materials.ui import UNAVAILABLE
from portal.materials.uploads import UploadLimits
from portal.settings import settings_load
from tests.apptest import app_as, texts
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_materials import MODULE, file_make, link_make


@pytest.fixture
def course_with_materials(app_env, session):
    instructor = user_make(session, role="instructor")
    participant = user_make(session)
    offering = offering_make(session, instructors=[instructor])
    enrollment_make(session, participant, offering)
    settings = settings_load()
    config = MaterialsConfig(settings.storage_dir, settings.content_dir, UploadLimits())
    file_make(session, config, instructor.id, title="Session slides")
    file_make(session, config, instructor.id, "notes.md", title="Handout notes")
    link_make(session, config, instructor.id, placement=MODULE, title="Join the live session")
    session.commit()
    return participant, settings.storage_dir


def test_missing_files_show_as_unavailable_and_the_page_goes_on(course_with_materials):
    participant, storage_dir = course_with_materials
    shutil.rmtree(storage_dir)  # the volume is not mounted
    at = app_as(participant, "course.py")
    assert not at.exception, at.exception
    for preview in [t for t in at.toggle if t.label == "Preview"]:  # a PDF offers one
        preview.set_value(True).run()
        assert not at.exception, at.exception
    page = texts(at)
    assert page.count(UNAVAILABLE) == 2  # the slides and the note
    for after in ("Handout notes", "Join the live session"):
        assert after in page
    assert str(storage_dir) not in page and "blobs" not in page


def test_a_present_file_still_shows(course_with_materials):
    participant, _ = course_with_materials
    at = app_as(participant, "course.py")
    assert not at.exception, at.exception
    assert UNAVAILABLE not in texts(at)


def test_the_start_check_names_missing_files_in_one_line(course_with_materials, session):
    _, storage_dir = course_with_materials
    assert storage_missing_problem(session, storage_dir) is None
    shutil.rmtree(storage_dir)
    problem = storage_missing_problem(session, storage_dir)
    assert problem is not None and "\n" not in problem
    assert problem.startswith("PORTAL_STORAGE_DIR:") and "lacks 2 of 2 sampled files" in problem


def test_the_server_logs_the_start_check(course_with_materials, caplog, monkeypatch):
    participant, storage_dir = course_with_materials
    shutil.rmtree(storage_dir)
    monkeypatch.setattr(logging.getLogger("portal"), "propagate", True)
    with caplog.at_level(logging.ERROR, logger="portal"):
        app_as(participant, "course.py")
    assert [r for r in caplog.records if "storage check: PORTAL_STORAGE_DIR" in r.getMessage()]
