"""The private gratitude journal.

Only the author reads an entry: every service and query here takes the signed-in person's
id and filters by it, there is no listing across people (not for instructors, not for
admins), and entries are never copied into audit events or checklists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import FieldErrors, NotFound
from portal.models import JournalEntry, utc_now
from portal.tabular import csv_bytes

MAX_TEXT = 4000


@dataclass(frozen=True)
class JournalEntryView:
    """One day's appreciations."""

    id: int
    entry_date: date
    partner_text: str
    self_text: str
    note: str


def _view(entry: JournalEntry) -> JournalEntryView:
    return JournalEntryView(
        entry.id, entry.entry_date, entry.partner_text, entry.self_text, entry.note
    )


def _texts(partner_text: str, self_text: str, note: str) -> tuple[str, str, str]:
    values = (partner_text.strip(), self_text.strip(), note.strip())
    errors = {}
    if not values[0]:
        errors["partner_text"] = "Write one thing you appreciated in your partner."
    if not values[1]:
        errors["self_text"] = "Write one thing you appreciated in yourself."
    for field, value in zip(("partner_text", "self_text", "note"), values, strict=True):
        if len(value) > MAX_TEXT:
            errors[field] = f"Keep this under {MAX_TEXT:,} characters."
    if errors:
        raise FieldErrors(errors)
    return values


def journal_entry_save(
    *,
    session: Session,
    user_id: int,
    entry_date: date,
    partner_text: str,
    self_text: str,
    note: str = "",
    today: date,
) -> JournalEntryView:
    """Write the person's entry for a day; saving the same day again updates it."""
    if entry_date > today + timedelta(days=1):  # one day of slack for time zones
        raise FieldErrors({"entry_date": "The date cannot be in the future."})
    partner_text, self_text, note = _texts(partner_text, self_text, note)
    query = select(JournalEntry).where(
        JournalEntry.user_id == user_id, JournalEntry.entry_date == entry_date
    )
    entry = session.scalar(query)
    if entry is None:
        try:
            with session.begin_nested():
                entry = JournalEntry(user_id=user_id, entry_date=entry_date,
                                     partner_text=partner_text, self_text=self_text, note=note)  # fmt: skip
                session.add(entry)
        except IntegrityError:
            entry = session.scalars(query).one()  # a double click saved it first
    entry.partner_text, entry.self_text, entry.note = partner_text, self_text, note
    entry.updated_at = utc_now()
    session.flush()
    return _view(entry)


def journal_entry_delete(*, session: Session, user_id: int, entry_id: int) -> None:
    """Delete one of the person's own entries."""
    entry = session.get(JournalEntry, entry_id)
    if entry is None or entry.user_id != user_id:
        raise NotFound("No such journal entry.")
    session.delete(entry)
    session.flush()


def journal_entries(session: Session, user_id: int) -> list[JournalEntryView]:
    """The person's own entries, newest first."""
    query = (
        select(JournalEntry)
        .where(JournalEntry.user_id == user_id)
        .order_by(JournalEntry.entry_date.desc())
    )
    return [_view(e) for e in session.scalars(query)]


def journal_entry(session: Session, user_id: int, entry_id: int) -> JournalEntryView:
    """One of the person's own entries; another person's entry is not found."""
    query = select(JournalEntry).where(JournalEntry.id == entry_id, JournalEntry.user_id == user_id)
    entry = session.scalar(query)
    if entry is None:
        raise NotFound("No such journal entry.")
    return _view(entry)


def journal_days(session: Session, user_id: int) -> int:
    """On how many days the person practised (wrote an entry)."""
    query = select(func.count(func.distinct(JournalEntry.entry_date))).where(
        JournalEntry.user_id == user_id
    )
    return session.scalar(query) or 0


EXPORT_HEADER = ("date", "appreciated_in_partner", "appreciated_in_myself", "note")


def journal_csv(entries: Sequence[JournalEntryView]) -> bytes:
    """The entries as CSV, oldest first."""
    rows = [
        (e.entry_date.isoformat(), e.partner_text, e.self_text, e.note)
        for e in sorted(entries, key=lambda e: e.entry_date)
    ]
    return csv_bytes(EXPORT_HEADER, rows)


def journal_markdown(entries: Sequence[JournalEntryView]) -> bytes:
    """The entries as a Markdown document, oldest first."""
    lines = ["# My gratitude and appreciation journal", ""]
    for e in sorted(entries, key=lambda e: e.entry_date):
        lines += [f"## {e.entry_date:%A, %B} {e.entry_date.day}, {e.entry_date.year}", ""]
        lines += ["**What I appreciated in my partner:**", "", e.partner_text, ""]
        lines += ["**What I appreciated in myself:**", "", e.self_text, ""]
        if e.note:
            lines += ["**Note:**", "", e.note, ""]
    return "\n".join(lines).encode("utf-8")
