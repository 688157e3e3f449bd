"""The participant's course outline, progress marks, access period and Home checklist."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import PROJECT_ROOT
from portal.errors import NotFound, PortalError
from portal.learning.checklist import checklist_for
from portal.learning.progress import (
    course_outline,
    participant_courses,
    progress_checklist,
    progress_mark,
)
from portal.models import ProgressMark, utc_now
from portal.timefmt import local_date
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_materials import MODULE, config_for, file_make

CONTENT = PROJECT_ROOT / "content"


@pytest.fixture
def world(session, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_STORAGE_DIR", str(tmp_path / "storage"))
    from portal.settings import settings_load

    settings_load.cache_clear()
    instructor = user_make(session, role="instructor")
    participant = user_make(session)
    other = user_make(session)
    offering = offering_make(session, instructors=[instructor])
    enrollment = enrollment_make(session, participant, offering)
    other_enrollment = enrollment_make(session, other, offering)
    config = config_for(tmp_path)
    material = file_make(session, config, instructor.id, title="Slides")
    hidden = file_make(session, config, instructor.id, "notes.md", title="Draft", published=False)
    session.commit()
    yield locals()
    settings_load.cache_clear()


def _outline(session, w, user=None, enrollment=None, now=None):
    return course_outline(
        session, (user or w["participant"]).id, (enrollment or w["enrollment"]).id,
        CONTENT, w["config"].storage_dir, now,
    )  # fmt: skip


def _mark(session, w, key, done=True, user=None, enrollment=None):
    return progress_mark(
        session=session, user_id=(user or w["participant"]).id,
        enrollment_id=(enrollment or w["enrollment"]).id, item_key=key, done=done,
        content_dir=CONTENT, storage_dir=w["config"].storage_dir,
    )  # fmt: skip


def test_outline_reads_like_the_course(session, world):
    outline = _outline(session, world)
    assert [s.key for s in outline.modules][:2] == [
        "module:emotion-regulation-systems",
        "module:self-compassion-components",
    ]
    first = outline.modules[0]
    assert first.title.startswith("Module 1:") and first.body and first.objective
    assert [i.label for i in first.items] == [f"Read: {first.title}", "Slides"]
    assert "Draft" not in [i.label for i in outline.items]
    assert {p.kind for p in outline.practices} == {"meditation", "gratitude"}
    assert all(p.steps for p in outline.practices)
    assert not any(i.done for i in outline.items)


def test_marks_are_saved_per_participant(session, world):
    _mark(session, world, MODULE)
    _mark(session, world, MODULE)  # double click
    _mark(session, world, f"material:{world['material'].id}")
    session.commit()
    outline = _outline(session, world)
    assert outline.modules[0].done == 2
    assert sum(i.done for i in outline.items) == 2
    other = _outline(session, world, world["other"], world["other_enrollment"])
    assert sum(i.done for i in other.items) == 0
    _mark(session, world, MODULE, done=False)
    assert _outline(session, world).modules[0].done == 1
    assert session.scalar(select(func.count()).select_from(ProgressMark)) == 1


def test_refusals(session, world):
    with pytest.raises(NotFound):
        _mark(session, world, MODULE, user=world["other"])  # someone else's enrollment
    with pytest.raises(NotFound):
        _outline(session, world, user=world["other"])
    with pytest.raises(NotFound):
        _mark(session, world, f"material:{world['hidden'].id}")  # unpublished
    with pytest.raises(NotFound):
        _mark(session, world, "module:not-in-course")


def test_access_until_is_a_date_in_the_offering_zone(session, world):
    offering = world["offering"]
    today = local_date(utc_now(), offering.time_zone)
    offering.access_until = today
    session.commit()
    assert _outline(session, world).access_open
    tomorrow = utc_now() + timedelta(days=1)
    closed = _outline(session, world, now=tomorrow + timedelta(hours=12))
    assert not closed.access_open and closed.modules == () and closed.practices == ()
    offering.access_until = today - timedelta(days=1)
    session.commit()
    with pytest.raises(PortalError, match="ended"):
        _mark(session, world, MODULE)
    items = checklist_for(session, world["enrollment"].id)
    assert [i.status for i in items if i.label == "Course materials"] == ["blocked"]


def test_checklist_shows_progress(session, world):
    total = len(_outline(session, world).items)
    _mark(session, world, MODULE)
    session.commit()
    item = next(i for i in checklist_for(session, world["enrollment"].id) if "course" in i.label)
    assert item.status == "todo"
    assert item.detail.startswith(f"1 of {total} items complete")
    assert item.page == "pages/course.py"


def test_cancelled_enrollment_has_no_course(session, world):
    world["enrollment"].status = "cancelled"
    session.commit()
    assert participant_courses(session, world["participant"].id) == []
    with pytest.raises(NotFound):
        _outline(session, world)
    assert progress_checklist(session, world["enrollment"].id) == []
