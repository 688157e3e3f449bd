import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.certificates.facts import issuer_from
from portal.certificates.services import (
    certificate_claim,
    certificate_reissue,
    certificate_revoke,
)
from portal.certificates.verify import (
    LOOKUPS_PER_WINDOW,
    Throttled,
    certificate_verify,
)
from portal.db import transaction
from portal.errors import FieldErrors
from portal.models import Certificate, VerificationThrottle
from portal.settings import Settings
from portal.timefmt import format_day, format_instant
from tests.factories import user_make
from tests.factories_certificates import evaluation_set, issuer_make, participant_ready, pdf_text

ISSUER = issuer_make()
NOW = datetime(2023, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def issued(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    user, enrollment = participant_ready(session, licenses=[("rn", "654321", "CA")])
    number = certificate_claim(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        credit_type_id="BRN",
        issuer=ISSUER,
    )
    return number, session.scalar(select(Certificate).where(Certificate.number == number))


def _verify(session, number, keys=("ip:1.2.3.4",), now=NOW):
    return certificate_verify(session=session, number=number, client_keys=list(keys), now=now)


def test_valid_shows_name_program_dates_and_credits(session, issued):
    number, _ = issued
    result = _verify(session, number.lower().replace("-", " "))
    assert result.outcome == "valid" and result.number == number
    assert result.participant_name == "Zoë Nguyễn-Ångström"
    assert result.program_title.startswith("Fostering Compassion in Couples")
    assert result.dates == "May 18 and May 25, 2023"
    assert result.credits == "7.0 contact hours (BRN)"


def test_superseded_names_the_replacement_and_nothing_else(session, issued):
    number, row = issued
    admin = user_make(session, role="admin")
    new = certificate_reissue(
        session=session, certificate_id=row.id, actor_id=admin.id, reason="Name", issuer=ISSUER
    )
    result = _verify(session, number)
    assert (result.outcome, result.replacement_number) == ("superseded", new)
    assert result.participant_name == "" and result.credits == ""
    assert _verify(session, new).outcome == "valid"


def test_revoked(session, issued):
    number, row = issued
    admin = user_make(session, role="admin")
    certificate_revoke(session=session, certificate_id=row.id, actor_id=admin.id, reason="x")
    result = _verify(session, number)
    assert result.outcome == "revoked" and result.participant_name == ""


@pytest.mark.parametrize("typed", ["CE-AAAAAAAAAAAA", "CE-123", "hello", "' OR 1=1 --"])
def test_not_found(session, typed):
    assert _verify(session, typed).outcome == "not_found"


def test_empty_number_is_a_field_error(session):
    with pytest.raises(FieldErrors):
        _verify(session, "  ")


def test_lookups_are_throttled_per_client_key(session):
    for _ in range(LOOKUPS_PER_WINDOW):
        _verify(session, "CE-AAAAAAAAAAAA", keys=["ip:9.9.9.9", "session:a"])
    with pytest.raises(Throttled):
        _verify(session, "CE-AAAAAAAAAAAA", keys=["ip:9.9.9.9", "session:b"])
    with pytest.raises(Throttled):
        _verify(session, "CE-AAAAAAAAAAAA", keys=["ip:8.8.8.8", "session:a"])
    # another client, and the same client in the next window, may look up again
    assert _verify(session, "CE-AAAAAAAAAAAA", keys=["ip:8.8.8.8", "session:c"])
    later = NOW + timedelta(minutes=10)
    assert _verify(session, "CE-AAAAAAAAAAAA", keys=["ip:9.9.9.9", "session:a"], now=later)
    stored = session.scalars(select(VerificationThrottle.client_key)).all()
    assert "9.9.9.9" not in "".join(stored)  # client keys are stored hashed


def test_refused_lookups_stay_refused_across_transactions(factory):
    for _ in range(LOOKUPS_PER_WINDOW + 3):
        try:
            with transaction(factory) as session:
                _verify(session, "CE-AAAAAAAAAAAA", keys=["ip:7.7.7.7"])
            refused = False
        except Throttled:
            refused = True
    assert refused


def test_valid_shows_the_issue_instant_in_the_offering_zone_like_the_pdf(session, issued):
    number, row = issued
    found = _verify(session, number)
    assert found.issued_at == row.issued_at and found.time_zone == "America/Los_Angeles"
    shown = format_instant(found.issued_at, found.time_zone)
    assert shown.startswith(format_day(datetime.fromisoformat(found.issued_on).date()))


def test_a_demo_certificate_never_verifies_as_valid(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    user, enrollment = participant_ready(session, licenses=[("rn", "654321", "CA")])
    demo_issuer = dataclasses.replace(ISSUER, demo=True)
    number = certificate_claim(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        credit_type_id="BRN",
        issuer=demo_issuer,
    )
    row = session.scalar(select(Certificate).where(Certificate.number == number))
    assert "DEMO — NOT A VALID CE CERTIFICATE" in pdf_text(row.pdf)
    result = _verify(session, number)
    assert result.outcome == "demo"
    # Reissued later by a portal in production: still the demo record it always was.
    admin = user_make(session, role="admin")
    new = certificate_reissue(
        session=session, certificate_id=row.id, actor_id=admin.id, reason="Name", issuer=ISSUER
    )
    assert _verify(session, new).outcome == "demo"
    assert "DEMO" in pdf_text(
        session.scalar(select(Certificate.pdf).where(Certificate.number == new))
    )


def test_issuer_is_demo_exactly_when_the_portal_runs_on_demo_data(monkeypatch):
    for env, demo in (("demo", True), ("production", False), ("test", False)):
        assert issuer_from(Settings.model_construct(env=env)).demo is demo
