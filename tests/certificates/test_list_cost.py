"""The CE office's certificate list reads metadata only, a page at a time."""

import hashlib

import pytest
from sqlalchemy import Engine, event, inspect, select

from portal.certificates import queries
from portal.models import Certificate
from tests.apptest import app_as, texts
from tests.factories import enrollment_make, offering_make, user_make

COUNT = 60
PDF = b"%PDF-1.4 " + bytes(range(256)) * 40


@pytest.fixture
def issued(session):
    offering = offering_make(session)
    for n in range(COUNT):
        user = user_make(session, full_name=f"Person {n:03d}")
        enrollment = enrollment_make(session, user, offering)
        session.add(
            Certificate(
                number=f"CE-2026-{n:05d}",
                enrollment_id=enrollment.id,
                credit_type_id="BBS",
                data={"participant_name": user.full_name, "hours": "6", "unit": "hours"},
                pdf=PDF,
                sha256=hashlib.sha256(PDF).hexdigest(),
            )
        )
    session.commit()
    session.expunge_all()
    return offering


@pytest.fixture
def statements():
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    yield seen
    event.remove(Engine, "before_cursor_execute", note)


def test_listing_never_reads_the_pdf_bytes(session, issued, statements):
    rows = queries.offering_certificates(session, issued.id, limit=50)
    assert queries.offering_certificates_count(session, issued.id) == COUNT
    assert len(rows) == 50
    assert statements and not any("certificates.pdf" in s for s in statements)


def test_a_certificate_row_leaves_its_pdf_unloaded_until_asked(session, issued):
    row = session.scalars(select(Certificate)).first()
    assert "pdf" in inspect(row).unloaded
    assert row.pdf == PDF  # still there when a download asks for it


def test_download_and_zip_read_the_bytes(session, issued):
    files = queries.offering_certificate_files(session, issued.id)
    assert len(files) == COUNT and all(f.pdf == PDF for f in files)


def test_pages_and_search(session, issued):
    second = queries.offering_certificates(session, issued.id, limit=50, offset=50)
    assert [r.number for r in second] == [f"CE-2026-{n:05d}" for n in range(50, COUNT)]
    found = queries.offering_certificates(session, issued.id, search="person 01")
    assert {r.participant_name for r in found} == {f"Person {n:03d}" for n in range(10, 20)}
    assert queries.offering_certificates_count(session, issued.id, search="CE-2026-0005") == 10
    assert queries.offering_certificates_count(session, issued.id, search="nobody") == 0


def test_admin_page_shows_one_page_and_finds_by_name(app_env, session, issued):
    admin = user_make(session, role="admin")
    session.commit()
    at = app_as(admin, "certificates_admin.py")
    picker = at.selectbox(key="certificates_offering")
    picker.select_index(next(i for i, o in enumerate(picker.options) if "(60 current)" in o)).run()
    assert not at.exception
    assert "Certificates: 1–50 of 60" in texts(at)
    assert len(at.dataframe[0].value) == 50
    at.text_input(key="certificates_search").input("Person 059").run()
    assert "Certificates: 1–1 of 1" in texts(at)
    assert list(at.dataframe[0].value["Participant"]) == ["Person 059"]
