"""Upload checks against good, hostile and broken files; refused files leave nothing behind."""

import io

import pytest
from sqlalchemy import func, select

from portal.errors import FieldErrors
from portal.materials.uploads import (
    MB,
    UploadLimits,
    image_check,
    name_clean,
    pdf_active,
    pdf_parse_check,
    size_text,
    type_from_head,
)
from portal.models import Material, MaterialBlob, MaterialVersion
from tests.factories import offering_make, user_make
from tests.factories_materials import GOOD, GOOD_KINDS, HOSTILE, config_for, file_make, stored_files


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_files_are_recognised_by_content(name):
    assert type_from_head(GOOD[name][:8192], name).kind == GOOD_KINDS[name]


def test_type_comes_from_content_not_name():
    assert type_from_head(GOOD["slides.pdf"], "song.mp3").kind == "pdf"
    assert type_from_head(GOOD["meditation.mp3"], "slides.pdf").kind == "audio"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\me\\slides.pdf", "slides.pdf"),
        ("evil\x00name\x1b[31m.pdf", "evilname_31m.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.pdf"),
        ("", "file.pdf"),
        ("...", "file.pdf"),
        ("Résumé notes.PDF", "Résumé notes.PDF"),
        ("photo.jpeg", "photo.jpeg"),
    ],
)
def test_name_clean(name, expected):
    expected_ext = "jpg" if expected.endswith("jpeg") else "pdf"
    assert name_clean(name, expected_ext) == expected


def test_name_clean_keeps_text_extensions_for_markdown():
    assert name_clean("notes.txt", "md") == "notes.txt"
    assert name_clean("notes.docx", "md") == "notes.md"


def test_size_text():
    assert size_text(25 * MB) == "25 MB"
    assert size_text(1536 * 1024) == "1.5 MB"
    assert size_text(2048) == "2 KB"


def _counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Material, MaterialVersion, MaterialBlob)
    )


@pytest.fixture
def instructor(session):
    user = user_make(session, role="instructor")
    offering_make(session, instructors=[user])
    session.commit()
    return user


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_and_nothing_is_stored(name, session, instructor, tmp_path):
    data, word = HOSTILE[name]
    config = config_for(tmp_path)
    with pytest.raises(FieldErrors) as refused:
        file_make(session, config, instructor.id, name, data)
    assert word.lower() in refused.value.errors["file"].lower()
    session.rollback()
    assert _counts(session) == (0, 0, 0)
    assert stored_files(config) == []


def test_a_web_page_named_pdf_is_refused_as_not_a_pdf(session, instructor, tmp_path):
    page = b"<!DOCTYPE html><html><body>Invoice</body></html>"
    with pytest.raises(FieldErrors) as refused:
        file_make(session, config_for(tmp_path), instructor.id, "invoice.pdf", page)
    message = refused.value.errors["file"]
    assert "“invoice.pdf” is named .pdf but is not a PDF file" in message
    assert "Markdown" not in message.split("Accepted:")[0]


@pytest.mark.parametrize(
    ("name", "limits", "message"),
    [
        ("meditation.mp3", {"media": 100}, "Audio and video files may be at most 1 KB"),
        ("talk.mp4", {"media": 2 * MB}, None),
        ("slides.pdf", {"document": 500}, "Documents may be at most 1 KB"),
        ("notes.md", {"document": 10}, "Documents may be at most 1 KB"),
        ("diagram.png", {"image": 20}, "Images may be at most 1 KB"),
    ],
)
def test_size_limits_name_the_limit(name, limits, message, session, instructor, tmp_path):
    config = config_for(tmp_path, **limits)
    if message is None:
        file_make(session, config, instructor.id, name)
        return
    with pytest.raises(FieldErrors, match=message):
        file_make(session, config, instructor.id, name)
    assert stored_files(config) == []


def test_limits_come_from_settings(monkeypatch):
    from portal.settings import Settings

    monkeypatch.setenv("PORTAL_UPLOAD_LIMIT_MEDIA_MB", "7")
    limits = UploadLimits.from_settings(Settings())
    assert limits.media == 7 * MB
    assert limits.document == 25 * MB
    assert limits.image == 10 * MB


def test_large_upload_is_streamed_and_refused_past_the_limit(session, instructor, tmp_path):
    config = config_for(tmp_path, media=3 * MB)
    big = GOOD["meditation.mp3"] + b"\xff\xfb\x90\x00" * MB  # about 4 MB
    with pytest.raises(FieldErrors, match="at most 3 MB"):
        file_make(session, config, instructor.id, "meditation.mp3", big)
    assert stored_files(config) == []


def test_accepted_file_is_stored_under_its_hash(session, instructor, tmp_path):
    import hashlib

    config = config_for(tmp_path)
    material = file_make(session, config, instructor.id, "notes.md", title="")
    version = material.current
    digest = hashlib.sha256(GOOD["notes.md"]).hexdigest()
    assert version.blob_sha256 == digest
    assert material.title == "notes"
    assert [p.name for p in stored_files(config)] == [digest]


def test_no_file_chosen(session, instructor, tmp_path):
    from portal.materials.services import material_upload

    with pytest.raises(FieldErrors, match="Choose a file"):
        material_upload(
            session=session, actor_id=instructor.id, course_slug="fostering-compassion-in-couples",
            offering_id=None, placement="general", title="x", description="", file_name="",
            stream=None, published=False, config=config_for(tmp_path),
        )  # fmt: skip


def test_stream_is_read_in_chunks(session, instructor, tmp_path):
    class Counting(io.BytesIO):
        def __init__(self, data):
            super().__init__(data)
            self.reads = []

        def read(self, size=-1):
            self.reads.append(size)
            return super().read(size)

    from portal.materials.services import material_upload

    stream = Counting(GOOD["meditation.mp3"] + b"\0" * (3 * MB))
    material_upload(
        session=session, actor_id=instructor.id, course_slug="fostering-compassion-in-couples",
        offering_id=None, placement="general", title="x", description="", file_name="a.mp3",
        stream=stream, published=False, config=config_for(tmp_path),
    )  # fmt: skip
    assert all(0 < size <= MB for size in stream.reads)


@pytest.mark.parametrize(
    "name",
    ["escaped-script.pdf", "escaped-js-key.pdf", "launch.pdf", "auto-open.pdf", "attachment.pdf"],
)
def test_the_pdf_parser_alone_refuses_active_content(name, tmp_path):
    # Each file also trips the byte scan; the parser must stand on its own (object streams
    # are compressed, where no byte scan sees names).
    path = tmp_path / name
    path.write_bytes(HOSTILE[name][0])
    with pytest.raises(FieldErrors, match="not accepted"):
        pdf_parse_check(path)
    path.write_bytes(GOOD["slides.pdf"])
    pdf_parse_check(path)


def test_a_pdf_with_escaped_names_is_seen_by_the_byte_scan():
    assert pdf_active(b"<< /S /J#61vaScript >>")
    assert pdf_active(b"<< /S /#4C#61unch >>")
    assert not pdf_active(b"<< /S /GoTo /D [3 0 R /Fit] >>")


@pytest.mark.parametrize("name", ["diagram.png", "photo.jpg", "animation.gif"])
def test_real_images_decode_at_upload(name, tmp_path):
    path = tmp_path / name
    path.write_bytes(GOOD[name])
    image_check(path, type_from_head(GOOD[name], name).mime)
