"""The server lets through the largest kind the portal accepts, no more, and each uploader
states the real limit of what it takes."""

from __future__ import annotations

import tomllib

from portal import PROJECT_ROOT
from portal.materials.access import MaterialsConfig
from portal.materials.uploads import MB, UploadLimits, megabytes
from portal.settings import Settings, settings_load
from tests.apptest import app_as
from tests.factories import offering_make, user_make
from tests.factories_materials import file_make


def test_the_servers_upload_limit_is_the_largest_accepted_kind():
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    limits = UploadLimits.from_settings(Settings())
    assert config["server"]["maxUploadSize"] == megabytes(limits.largest) == 500


def test_limits_per_kind():
    limits = UploadLimits(document=25 * MB, media=500 * MB, image=10 * MB)
    assert limits.for_kind("pdf") == limits.for_kind("markdown") == 25 * MB
    assert limits.for_kind("video") == limits.for_kind("audio") == 500 * MB
    assert limits.for_kind("image") == 10 * MB
    assert "up to 25 MB" in limits.text() and "images up to 10 MB" in limits.text()


def _uploaders(at):
    return {u.proto.label: u.proto for u in at.get("file_uploader")}


def test_each_uploader_shows_its_real_limit(app_env, session):
    instructor = user_make(session, role="instructor")
    offering_make(session, instructors=[instructor])
    settings = settings_load()
    config = MaterialsConfig(settings.storage_dir, settings.content_dir, UploadLimits())
    file_make(session, config, instructor.id, "slides.pdf", title="Slides")
    session.commit()
    at = app_as(instructor, "materials_manage.py")
    assert not at.exception, at.exception
    uploaders = _uploaders(at)
    new = uploaders["File"]
    assert new.max_upload_size_mb == 500 and "Documents (PDF, Markdown) up to 25 MB" in new.help
    replace = uploaders["Replace with a new file (the old version is kept)"]
    assert replace.max_upload_size_mb == 25 and "at most 25 MB" in replace.help
