from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from portal.db import alembic_config, database_downgrade, database_upgrade
from portal.models import Certificate
from tests.factories import enrollment_make, offering_make, user_make

REVISION = "0007"


def _down_revision(engine):
    return ScriptDirectory.from_config(alembic_config(engine)).get_revision(REVISION).down_revision


def test_upgrade_keeps_existing_rows_and_downgrade_removes_the_tables(engine):
    previous = _down_revision(engine)
    database_downgrade(engine, previous)
    assert "certificates" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO courses (slug, title) VALUES ('c', 'Course')"))
    database_upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM courses WHERE slug = 'c'")).scalar() == "Course"
    tables = set(inspect(engine).get_table_names())
    assert {"certificates", "certificate_reissue_requests", "verification_throttle"} <= tables
    indexes = {i["name"] for i in inspect(engine).get_indexes("certificates")}
    assert "uq_certificates_current_enrollment_credit_type" in indexes


def test_partial_index_allows_history_but_one_current(session):
    enrollment = enrollment_make(session, user_make(session), offering_make(session))

    def row(number, status):
        return Certificate(
            number=number,
            enrollment_id=enrollment.id,
            credit_type_id="APA",
            status=status,
            data={},
            pdf=b"%PDF",
            sha256="0" * 64,
            issued_at=datetime.now(UTC),
        )

    session.add_all([row("CE-A", "superseded"), row("CE-B", "revoked"), row("CE-C", "current")])
    session.flush()
    session.add(row("CE-D", "current"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
