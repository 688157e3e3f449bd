"""The materials, course, practice and journal pages under every role."""

import pytest

from portal.materials.access import MaterialsConfig
from portal.materials.uploads import UploadLimits
from portal.settings import settings_load
from tests.apptest import app_as, page_alone, texts
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_materials import GOOD, HOSTILE, MODULE, file_make, link_make

REFUSED = "This page is not available to your role."
PAGES = {
    "course.py": {"participant"},
    "practice.py": {"participant"},
    "journal.py": {"participant"},
    "materials_manage.py": {"instructor", "admin"},
    "materials_deleted.py": {"admin"},
}
SECRET = "my partner's secret kindness"


@pytest.fixture
def world(app_env, session):
    people = {
        role: user_make(session, role=role) for role in ("participant", "instructor", "admin")
    }
    offering = offering_make(session, instructors=[people["instructor"]])
    enrollment_make(session, people["participant"], offering)
    session.commit()
    settings = settings_load()
    config = MaterialsConfig(settings.storage_dir, settings.content_dir, UploadLimits())
    return {**people, "offering": offering, "config": config}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("role", ["participant", "instructor", "admin"])
def test_every_page_under_every_role(world, page, role):
    if role in PAGES[page]:
        at = app_as(world[role], page)
        assert not at.exception, at.exception
        assert REFUSED not in texts(at)
    else:
        at = page_alone(world[role], page)
        assert not at.exception, at.exception
        assert REFUSED in texts(at)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_signed_out_sees_sign_in(world, page):
    at = page_alone(None, page)
    # Run bare (a direct URL), the sign-in link to the entry page cannot resolve; what
    # matters is that the page stops at the sign-in notice and shows nothing of its own.
    assert "Please sign in to see this page." in texts(at)
    assert len(at.title) == 0 and len(at.button) == 0


def test_participant_reads_modules_materials_and_marks_progress(world, session):
    actor = world["instructor"].id
    file_make(session, world["config"], actor, title="Session slides")
    file_make(session, world["config"], actor, "meditation.mp3", title="Recorded meditation")
    file_make(session, world["config"], actor, "notes.md", title="Handout notes")
    file_make(session, world["config"], actor, "talk.mp4", title="Talk video")
    link_make(session, world["config"], actor, placement=MODULE, title="Join the live session")
    file_make(session, world["config"], actor, title="Not yet", published=False)
    session.commit()
    at = app_as(world["participant"], "course.py")
    assert not at.exception, at.exception
    page = texts(at)
    for title in (
        "Session slides",
        "Recorded meditation",
        "Handout notes",
        "Join the live session",
    ):
        assert title in page
    assert "Not yet" not in page
    assert "Breathe" in page  # the Markdown note is shown inline
    assert len(at.get("audio")) == 1 and len(at.get("video")) == 1
    assert at.progress[0].value == 0
    boxes = [c for c in at.checkbox if c.key.endswith(MODULE)]
    boxes[0].check().run()
    assert not at.exception, at.exception
    assert at.progress[0].value > 0
    home = app_as(world["participant"], "participant_home.py")
    assert "items complete" in texts(home)


def test_course_page_after_access_ends(world, session):
    from datetime import date

    world["offering"].access_until = date(2020, 1, 1)
    session.commit()
    at = app_as(world["participant"], "course.py")
    assert "ended on January 1, 2020" in texts(at)
    at = app_as(world["participant"], "practice.py")
    assert "has ended" in texts(at)


def test_guided_practice_timer(world, session):
    file_make(session, world["config"], world["instructor"].id, "meditation.m4a",
              placement="practice:soothing-touch", title="Soothing touch recording")  # fmt: skip
    session.commit()
    at = app_as(world["participant"], "practice.py")
    assert not at.exception, at.exception
    at.selectbox(key="practice_pick").set_value("practice:soothing-touch").run()
    assert "Soothing touch recording" in texts(at)
    assert "Step 1 of" in texts(at)
    assert "Time elapsed 0:00" in at.progress[0].proto.text
    at.button(key="start_practice:soothing-touch").click().run()
    assert at.button(key="pause_practice:soothing-touch").disabled is False
    at.button(key="pause_practice:soothing-touch").click().run()
    assert at.button(key="start_practice:soothing-touch").label == "Resume"
    assert not at.exception


def test_journal_saves_and_stays_private(world):
    at = app_as(world["participant"], "journal.py")
    assert "Only you can read your entries" in texts(at)
    at.text_area(key="journal_partner").set_value(SECRET)
    at.text_area(key="journal_self").set_value("I listened")
    at.button[0].click().run()
    assert not at.exception, at.exception
    at.run()
    assert SECRET in texts(at)
    assert at.metric[0].value == "1"
    for role in ("instructor", "admin"):
        for page in PAGES:
            other = (
                app_as(world[role], page) if role in PAGES[page] else page_alone(world[role], page)
            )
            assert SECRET not in texts(other)
    other_participant = app_as(user_make_committed(world), "journal.py")
    assert SECRET not in texts(other_participant)


def user_make_committed(world):
    from portal.db import engine_create, session_factory

    engine = engine_create(settings_load().resolved_database_url())
    with session_factory(engine)() as s:
        user = user_make(s)
        s.commit()
    engine.dispose()
    return user


def test_journal_requires_both_appreciations(world):
    at = app_as(world["participant"], "journal.py")
    at.button[0].click().run()
    assert "Write one thing you appreciated in your partner" in texts(at)


def _upload(at, name, data):
    at.file_uploader(key="upload_file").set_value((name, data, "application/octet-stream"))
    at.text_input(key="upload_title").set_value("")
    at.checkbox(key="upload_published").check()
    at.button(key="FormSubmitter:upload_form-Upload").click().run()


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_instructor_uploads_orders_publishes_and_deletes(world, role):
    at = app_as(world[role], "materials_manage.py")
    assert not at.exception, at.exception
    _upload(at, "Week 1 slides.pdf", GOOD["slides.pdf"])
    assert not at.exception, at.exception
    assert "Uploaded." in texts(at)
    assert "Week 1 slides" in texts(at)
    _upload(at, "evil.pdf", HOSTILE["renamed-elf.pdf"][0])
    assert "not accepted" in texts(at)
    material_id = int(next(b.key for b in at.button if b.key.startswith("up_")).split("_")[1])
    at.button(key=f"publish_{material_id}").click().run()
    assert "Unpublished" in texts(at)
    at.button(key=f"delete_{material_id}").click().run()
    assert "Deleted" in texts(at)
    assert "No materials here yet." in texts(at)
    if role == "admin":
        deleted = app_as(world["admin"], "materials_deleted.py")
        assert "Week 1 slides" in texts(deleted)
        deleted.button(key=f"restore_{material_id}").click().run()
        assert "Restored" in texts(deleted)


def test_instructor_adds_meeting_link(world):
    at = app_as(world["instructor"], "materials_manage.py")
    at.text_input(key="link_title").set_value("Live session")
    at.text_input(key="link_url").set_value("javascript:alert(1)")
    at.button(key="FormSubmitter:link_form-Add link").click().run()
    assert "Enter a full web address" in texts(at)
    at.text_input(key="link_url").set_value("https://meet.example.org/abc")
    at.button(key="FormSubmitter:link_form-Add link").click().run()
    assert "Link added." in texts(at)


def test_unassigned_instructor_sees_no_materials(world, session):
    lonely = user_make(session, role="instructor")
    session.commit()
    at = app_as(lonely, "materials_manage.py")
    assert "not assigned to an offering" in texts(at)


def test_course_page_opens_a_practice(world):
    at = app_as(world["participant"], "course.py")
    at.button(key="open_practice:compassionate-listening").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="practice_pick").value == "practice:compassionate-listening"
