"""Audit tamper evidence: a hash chain over the events, checked by `portal audit verify`."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from portal import PROJECT_ROOT
from portal.cli.main import main
from portal.db import engine_create, session_factory, transaction
from portal.models import AuditEvent
from portal.records import bundle as records
from portal.records.audit import GENESIS, audit_record
from portal.records.audit_verify import audit_chain_verify
from tests.factories import offering_make, user_make


def _events(factory, n: int, actor_id: int | None = None) -> None:
    for i in range(n):
        with transaction(factory) as s:
            audit_record(
                session=s, actor_id=actor_id, action="test.event", subject_type="user",
                subject_id=i, reason=f"number {i}", details={"n": i, "name": "Zoë"},
            )  # fmt: skip


def _ids(session) -> list[int]:
    ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    session.rollback()  # SQLite: release the write lock for the tampering connection
    return ids


def test_each_event_links_to_the_one_before(session, factory):
    _events(factory, 3)
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert rows[0].prev_hash == GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    report = audit_chain_verify(session)
    assert report.intact and report.head.events == 3 and report.head.hash == rows[-1].hash


def test_two_events_in_one_transaction_chain_in_order(session, factory):
    with transaction(factory) as s:
        for i in range(2):
            audit_record(session=s, actor_id=None, action="a", subject_type="x", subject_id=i)
    assert audit_chain_verify(session).intact


def _superuser(engine):
    """Statements as the tables' owner, around the app's append-only triggers."""
    return engine.begin()


def test_a_rewritten_event_is_named(session, factory, engine):
    _events(factory, 4)
    second = _ids(session)[1]
    with _superuser(engine) as conn:
        if engine.dialect.name == "sqlite":
            # INSERT OR REPLACE deletes and re-inserts without firing the delete trigger.
            conn.execute(
                text(
                    "INSERT OR REPLACE INTO audit_events (id, at, actor_id, action, subject_type,"
                    " subject_id, reason, details, prev_hash, hash) SELECT id, at, actor_id,"
                    " action, subject_type, subject_id, 'nothing happened', details, prev_hash,"
                    " hash FROM audit_events WHERE id = :id"
                ),
                {"id": second},
            )
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
            conn.execute(
                text("UPDATE audit_events SET reason = 'nothing happened' WHERE id = :id"),
                {"id": second},
            )
    session.expire_all()
    report = audit_chain_verify(session)
    assert report.broken_at == second and "content" in report.problem
    assert report.head.events == 1


def test_a_removed_event_breaks_the_next_link(session, factory, engine):
    _events(factory, 4)
    ids = _ids(session)
    with _superuser(engine) as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[1]})
    session.expire_all()
    report = audit_chain_verify(session)
    assert report.broken_at == ids[2] and "link" in report.problem


def test_a_kept_head_detects_events_cut_from_the_end(session, factory, engine):
    _events(factory, 3)
    kept = audit_chain_verify(session).head.hash
    session.rollback()
    _events(factory, 1)
    assert audit_chain_verify(session, kept).kept_head_found
    session.rollback()
    third = _ids(session)[2]
    with _superuser(engine) as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        conn.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": third})
    session.expire_all()
    report = audit_chain_verify(session, kept)
    assert report.intact and not report.kept_head_found


def test_concurrent_writers_do_not_fork_the_chain(session, factory, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("thread concurrency is meaningful on PostgreSQL")
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        _events(factory, 3)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = audit_chain_verify(session)
    assert report.intact and report.head.events == 24


def test_the_records_zip_carries_the_chain_head(session, app_env, course):
    admin = user_make(session, role="admin")
    offering = offering_make(session)
    _events_in(session, 2)
    head = audit_chain_verify(session).head.hash
    data = records.records_bundle(session=session, actor_id=admin.id, offering_id=offering.id)
    manifest = zipfile.ZipFile(io.BytesIO(data)).read("MANIFEST.txt").decode()
    assert "Audit chain head: event" in manifest and head in manifest


def _events_in(session, n: int) -> None:
    for i in range(n):
        audit_record(session=session, actor_id=None, action="a", subject_type="x", subject_id=i)
    session.flush()


def test_portal_audit_verify_names_the_broken_event(app_env, factory, engine, capsys):
    _events(factory, 2)
    assert main(["audit", "verify"]) == 0
    assert "Intact: 2 audit events" in capsys.readouterr().out
    with _superuser(engine) as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        conn.execute(text("UPDATE audit_events SET details = '{\"n\": 99}'"))
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN at audit event 1" in out


def test_the_readme_documents_audit_verify():
    assert "portal audit verify" in (PROJECT_ROOT / "README.md").read_text()


def _as_app_role(database_url: str):
    """An engine whose connections act as portal_app (SET ROLE), as the production app does."""
    engine = engine_create(database_url)

    @event.listens_for(engine, "connect")
    def _role(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET ROLE portal_app")
        dbapi_connection.commit()  # SET is undone by a rollback otherwise

    return engine


def test_the_app_role_may_not_truncate_update_or_delete_audit_events(
    session, factory, engine, database_url
):
    if engine.dialect.name != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    _events(factory, 2)
    grants = (PROJECT_ROOT / "deploy" / "postgres-roles.sql").read_text()
    with engine.begin() as conn, conn.connection.dbapi_connection.cursor() as cursor:
        cursor.execute(grants)  # as psql -f would: no parameters, several statements
    app = _as_app_role(database_url)
    refused = [
        "TRUNCATE audit_events",
        "UPDATE audit_events SET reason = 'x'",
        "DELETE FROM audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
        "DROP TABLE audit_events",
        "CREATE TABLE scratch (id integer)",
    ]
    try:
        for statement in refused:
            refusal = pytest.raises(DBAPIError, match=r"permission denied|must be owner")
            with app.connect() as conn, refusal:
                conn.execute(text(statement))
        # What the app does still works as the app role: reading rows, adding events.
        with transaction(session_factory(app)) as s:
            assert s.scalar(select(func.count()).select_from(AuditEvent)) == 2
            audit_record(session=s, actor_id=None, action="as.app", subject_type="x", subject_id=1)
    finally:
        app.dispose()
    report = audit_chain_verify(session)
    assert report.intact and report.head.events == 3


def test_an_event_undone_with_its_savepoint_leaves_no_gap(session, factory):
    with transaction(factory) as s:
        audit_record(session=s, actor_id=None, action="kept", subject_type="x", subject_id=1)
        with pytest.raises(RuntimeError), s.begin_nested():
            audit_record(session=s, actor_id=None, action="undone", subject_type="x", subject_id=2)
            s.flush()
            raise RuntimeError("refused")
        audit_record(session=s, actor_id=None, action="after", subject_type="x", subject_id=3)
    report = audit_chain_verify(session)
    assert report.intact and report.head.events == 2
