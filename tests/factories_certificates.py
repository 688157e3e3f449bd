"""Factories for certificates: an issuer, a participant ready to claim, evaluation stubs."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal import PROJECT_ROOT
from portal.certificates import eligibility
from portal.certificates.facts import DEFAULT_SIGNATURE, Issuer
from portal.models import Enrollment, License, Offering, User
from tests.factories import enrollment_make, fee_paid, offering_make, user_make
from tests.factories_attendance import attendance_full

START = datetime(2023, 5, 18, 16, 0, tzinfo=UTC)  # 9:00 AM PDT
WORKSHOP_SESSIONS = [
    (START, START + timedelta(hours=3)),
    (START + timedelta(weeks=1), START + timedelta(weeks=1, hours=3)),
]


def issuer_make() -> Issuer:
    """The issuer of the shipped workshop content, with the demo signature."""
    return Issuer(
        content_dir=PROJECT_ROOT / "content",
        public_base_url="https://ce.example.org",
        administrator_name="Dana Admin",
        administrator_title="Continuing Education Administrator",
        signature=DEFAULT_SIGNATURE.read_bytes(),
    )


def evaluation_set(monkeypatch: pytest.MonkeyPatch, submitted: bool = True) -> None:
    """Simulate the evaluation capability: every evaluation submitted (or none)."""
    monkeypatch.setattr(eligibility, "_evaluation_submitted", lambda _session, _id: submitted)


def workshop_offering(session: Session) -> Offering:
    """An offering with the workshop's two May 2023 sessions."""
    return offering_make(session, sessions=WORKSHOP_SESSIONS)


def participant_ready(
    session: Session,
    offering: Offering | None = None,
    *,
    licenses: list[tuple[str, str | None, str | None]] | None = None,
    full_name: str = "Zoë Nguyễn-Ångström",
    attended: bool = True,
    paid: bool = True,
) -> tuple[User, Enrollment]:
    """An enrolled participant who paid and attended in full; licenses as
    (profession, number, state)."""
    offering = offering or workshop_offering(session)
    user = user_make(session, full_name=full_name)
    if licenses is not None:
        user.licenses.clear()
        session.flush()  # the default license goes before the new ones arrive
        user.licenses = [License(profession=p, number=n, state=s) for p, n, s in licenses]
        session.flush()
    enrollment = enrollment_make(session, user, offering)
    if paid:
        fee_paid(session, enrollment)
    if attended:
        attendance_full(session, enrollment, offering)
    return user, enrollment


def pdf_text(pdf: bytes) -> str:
    """The text of a one-page PDF, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())
