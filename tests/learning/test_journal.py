"""The gratitude journal: saving, counting, exporting, and privacy against everyone else."""

import csv
import io
from datetime import date, timedelta

import pytest

from portal.errors import FieldErrors, NotFound
from portal.learning.journal import (
    journal_csv,
    journal_days,
    journal_entries,
    journal_entry,
    journal_entry_delete,
    journal_entry_save,
    journal_markdown,
)
from portal.models import AuditEvent
from tests.factories import user_make

TODAY = date(2026, 3, 10)
SECRET = "the secret kindness of my partner"


def _save(session, user, day=TODAY, partner=SECRET, myself="I kept calm", note=""):
    return journal_entry_save(
        session=session, user_id=user.id, entry_date=day, partner_text=partner,
        self_text=myself, note=note, today=TODAY,
    )  # fmt: skip


@pytest.fixture
def people(session):
    people = {
        role: user_make(session, role=role) for role in ("participant", "instructor", "admin")
    }
    people["other"] = user_make(session)
    session.commit()
    return people


def test_save_updates_the_same_day_and_counts_days(session, people):
    author = people["participant"]
    _save(session, author)
    _save(session, author, partner="updated")  # same day again: one entry
    _save(session, author, day=TODAY - timedelta(days=2), note="short one")
    entries = journal_entries(session, author.id)
    assert [e.entry_date for e in entries] == [TODAY, TODAY - timedelta(days=2)]
    assert entries[0].partner_text == "updated"
    assert journal_days(session, author.id) == 2


def test_required_fields_and_future_dates(session, people):
    with pytest.raises(FieldErrors) as refused:
        _save(session, people["participant"], partner=" ", myself="")
    assert set(refused.value.errors) == {"partner_text", "self_text"}
    with pytest.raises(FieldErrors, match="future"):
        _save(session, people["participant"], day=TODAY + timedelta(days=5))
    with pytest.raises(FieldErrors, match="4,000"):
        _save(session, people["participant"], note="x" * 4001)


@pytest.mark.parametrize("reader", ["other", "instructor", "admin"])
def test_nobody_else_can_read_or_delete_an_entry(session, people, reader):
    entry = _save(session, people["participant"])
    session.commit()
    someone = people[reader]
    assert journal_entries(session, someone.id) == []
    assert journal_days(session, someone.id) == 0
    with pytest.raises(NotFound):
        journal_entry(session, someone.id, entry.id)
    with pytest.raises(NotFound):
        journal_entry_delete(session=session, user_id=someone.id, entry_id=entry.id)
    assert journal_entry(session, people["participant"].id, entry.id).partner_text == SECRET


def test_entries_never_reach_the_audit_trail(session, people):
    _save(session, people["participant"])
    session.commit()
    for event in session.query(AuditEvent):
        assert SECRET not in f"{event.reason} {event.details}"


def test_author_deletes_own_entry(session, people):
    entry = _save(session, people["participant"])
    journal_entry_delete(session=session, user_id=people["participant"].id, entry_id=entry.id)
    assert journal_entries(session, people["participant"].id) == []


def test_exports(session, people):
    author = people["participant"]
    _save(session, author, note='=HYPERLINK("http://x")')
    _save(session, author, day=TODAY - timedelta(days=1), partner="Zoë, merci")
    entries = journal_entries(session, author.id)
    rows = list(csv.reader(io.StringIO(journal_csv(entries).decode("utf-8-sig"))))
    assert rows[0] == ["date", "appreciated_in_partner", "appreciated_in_myself", "note"]
    assert [r[0] for r in rows[1:]] == ["2026-03-09", "2026-03-10"]
    assert rows[1][1] == "Zoë, merci"
    assert rows[2][3].startswith("'=")  # no spreadsheet formula
    text = journal_markdown(entries).decode()
    assert text.index("March 9, 2026") < text.index("March 10, 2026")
    assert SECRET in text and "Zoë, merci" in text
