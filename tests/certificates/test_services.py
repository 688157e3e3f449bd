import hashlib

import pytest
from sqlalchemy import select

from portal.certificates.queries import (
    participant_certificate_file,
    participant_certificates,
    unprintable_names,
)
from portal.certificates.reissue_requests import (
    certificate_reissue_request,
    reissue_request_decide,
)
from portal.certificates.services import (
    certificate_claim,
    certificate_reissue,
    certificate_revoke,
)
from portal.db import transaction
from portal.errors import FieldErrors, NotAllowed, NotFound, PortalError
from portal.models import AuditEvent, Certificate, CertificateReissueRequest, Offering
from tests.factories import user_make
from tests.factories_certificates import (
    evaluation_set,
    issuer_make,
    participant_ready,
    pdf_text,
)

ISSUER = issuer_make()


@pytest.fixture
def submitted(monkeypatch):
    evaluation_set(monkeypatch, True)


def _claim(session, user, enrollment, credit_type="BRN"):
    return certificate_claim(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        credit_type_id=credit_type,
        issuer=ISSUER,
    )


def _nurse(session):
    return participant_ready(session, licenses=[("rn", "654321", "CA")])


def _audits(session, action):
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_claim_issues_a_frozen_certificate_with_hash_data_and_audit(session, submitted):
    user, enrollment = _nurse(session)
    number = _claim(session, user, enrollment)
    row = session.scalar(select(Certificate).where(Certificate.number == number))
    assert row.status == "current"
    assert row.sha256 == hashlib.sha256(row.pdf).hexdigest()
    assert row.data["participant_name"] == "Zoë Nguyễn-Ångström"
    assert row.data["license"] == "RN 654321 (CA)"
    assert row.data["hours"] == "7.0"
    assert "Zoë Nguyễn-Ångström" in pdf_text(row.pdf)
    [event] = _audits(session, "certificate.issue")
    assert event.actor_id == user.id and event.subject_id == row.id


def test_later_downloads_return_the_same_bytes_even_after_a_name_change(session, submitted):
    user, enrollment = _nurse(session)
    number = _claim(session, user, enrollment)
    first = participant_certificate_file(session, user.id, number).pdf
    user.full_name = "Someone Else"
    session.flush()
    assert _claim(session, user, enrollment) == number  # a second claim: same certificate
    again = participant_certificate_file(session, user.id, number)
    assert again.pdf == first
    assert "Someone Else" not in pdf_text(again.pdf)
    assert len(_audits(session, "certificate.issue")) == 1


def test_download_is_scoped_to_the_participant(session, submitted):
    user, enrollment = _nurse(session)
    number = _claim(session, user, enrollment)
    other = user_make(session)
    with pytest.raises(NotFound):
        participant_certificate_file(session, other.id, number)


def test_claim_of_another_participants_enrollment_is_refused(session, submitted):
    _, enrollment = _nurse(session)
    other = user_make(session)
    with pytest.raises(NotFound):
        _claim(session, other, enrollment)


def test_claim_of_a_credit_type_the_licenses_do_not_qualify_for(session, submitted):
    user, enrollment = _nurse(session)
    with pytest.raises(NotAllowed):
        _claim(session, user, enrollment, "APA")
    with pytest.raises(NotAllowed):
        _claim(session, user, enrollment, "ATTENDANCE")


def test_claim_before_conditions_hold_names_what_is_missing(session, monkeypatch):
    evaluation_set(monkeypatch, False)
    user, enrollment = _nurse(session)
    with pytest.raises(PortalError, match="submit the evaluation"):
        _claim(session, user, enrollment)
    assert session.scalars(select(Certificate)).all() == []


def test_two_licenses_give_one_certificate_per_credit_type(session, submitted):
    user, enrollment = participant_ready(
        session, licenses=[("lcsw", "LCSW 12345", "CA"), ("rn", "RN 654321", "CA")]
    )
    bbs = _claim(session, user, enrollment, "bbs")
    brn = _claim(session, user, enrollment, "BRN")
    assert bbs != brn
    rows = session.scalars(select(Certificate).order_by(Certificate.credit_type_id)).all()
    assert [(r.credit_type_id, r.data["hours"]) for r in rows] == [("BBS", "6.0"), ("BRN", "7.0")]
    assert "LCSW 12345 (CA)" in pdf_text(rows[0].pdf)
    assert "RN 654321 (CA)" in pdf_text(rows[1].pdf)


def test_admin_reissue_supersedes_with_a_new_number_and_reason(session, submitted):
    user, enrollment = _nurse(session)
    old_number = _claim(session, user, enrollment)
    old_pdf = participant_certificate_file(session, user.id, old_number).pdf
    admin = user_make(session, role="admin")
    user.full_name = "Zoë Nguyễn-Ångström Smith"
    session.flush()
    new_number = certificate_reissue(
        session=session,
        certificate_id=_id(session, old_number),
        actor_id=admin.id,
        reason="Name corrected",
        issuer=ISSUER,
    )
    old, new = _row(session, old_number), _row(session, new_number)
    assert new_number != old_number
    assert (old.status, old.superseded_by_id) == ("superseded", new.id)
    assert (new.status, new.supersedes_id, new.issue_reason) == (
        "current",
        old.id,
        "Name corrected",
    )
    text = pdf_text(new.pdf)
    assert "Zoë Nguyễn-Ångström Smith" in text and f"Replaces certificate {old_number}" in text
    assert old.pdf == old_pdf  # the superseded certificate is kept as it was
    [event] = _audits(session, "certificate.reissue")
    assert event.reason == "Name corrected" and event.details["old_number"] == old_number


def _id(session, number):
    return _row(session, number).id


def _row(session, number):
    return session.scalar(select(Certificate).where(Certificate.number == number))


def test_reissue_needs_an_admin_a_reason_and_a_current_certificate(session, submitted):
    user, enrollment = _nurse(session)
    number = _claim(session, user, enrollment)
    admin = user_make(session, role="admin")
    kwargs = {"session": session, "certificate_id": _id(session, number), "issuer": ISSUER}
    with pytest.raises(NotAllowed):
        certificate_reissue(actor_id=user.id, reason="mine", **kwargs)
    with pytest.raises(FieldErrors) as error:
        certificate_reissue(actor_id=admin.id, reason="  ", **kwargs)
    assert "reason" in error.value.errors
    certificate_reissue(actor_id=admin.id, reason="License corrected", **kwargs)
    with pytest.raises(PortalError, match="no longer current"):
        certificate_reissue(actor_id=admin.id, reason="again", **kwargs)


def test_revoke_needs_a_reason_and_then_blocks_claiming_again(session, submitted):
    user, enrollment = _nurse(session)
    number = _claim(session, user, enrollment)
    admin = user_make(session, role="admin")
    with pytest.raises(FieldErrors):
        certificate_revoke(
            session=session, certificate_id=_id(session, number), actor_id=admin.id, reason=""
        )
    with pytest.raises(NotAllowed):
        certificate_revoke(
            session=session, certificate_id=_id(session, number), actor_id=user.id, reason="no"
        )
    certificate_revoke(
        session=session,
        certificate_id=_id(session, number),
        actor_id=admin.id,
        reason="Attendance evidence was forged",
    )
    row = _row(session, number)
    assert (row.status, row.revoke_reason) == ("revoked", "Attendance evidence was forged")
    with pytest.raises(PortalError, match="revoked"):
        _claim(session, user, enrollment)
    [event] = _audits(session, "certificate.revoke")
    assert event.reason == "Attendance evidence was forged"


def test_participant_request_approved_by_admin_reissues(session, submitted):
    user, enrollment = _nurse(session)
    number = _claim(session, user, enrollment)
    request_id = certificate_reissue_request(
        session=session,
        user_id=user.id,
        certificate_id=_id(session, number),
        reason="My license number is 654322",
    )
    with pytest.raises(FieldErrors, match="already waiting"):
        certificate_reissue_request(
            session=session, user_id=user.id, certificate_id=_id(session, number), reason="again"
        )
    user.licenses[0].number = "654322"
    session.flush()
    admin = user_make(session, role="admin")
    new_number = reissue_request_decide(
        session=session, request_id=request_id, actor_id=admin.id, approve=True, issuer=ISSUER
    )
    assert "RN 654322 (CA)" in pdf_text(_row(session, new_number).pdf)
    assert _row(session, number).status == "superseded"
    assert session.get(CertificateReissueRequest, request_id).status == "approved"
    assert _audits(session, "certificate.reissue_request")
    assert _audits(session, "certificate.reissue_request_approved")
    with pytest.raises(PortalError, match="already decided"):
        reissue_request_decide(
            session=session, request_id=request_id, actor_id=admin.id, approve=True, issuer=ISSUER
        )


def test_request_decline_needs_a_note_and_requests_are_scoped(session, submitted):
    user, enrollment = _nurse(session)
    number = _claim(session, user, enrollment)
    other = user_make(session)
    with pytest.raises(NotFound):
        certificate_reissue_request(
            session=session, user_id=other.id, certificate_id=_id(session, number), reason="x"
        )
    request_id = certificate_reissue_request(
        session=session, user_id=user.id, certificate_id=_id(session, number), reason="typo"
    )
    admin = user_make(session, role="admin")
    with pytest.raises(NotAllowed):
        reissue_request_decide(
            session=session, request_id=request_id, actor_id=user.id, approve=True, issuer=ISSUER
        )
    with pytest.raises(FieldErrors):
        reissue_request_decide(
            session=session,
            request_id=request_id,
            actor_id=admin.id,
            approve=False,
            note="",
            issuer=ISSUER,
        )
    reissue_request_decide(
        session=session,
        request_id=request_id,
        actor_id=admin.id,
        approve=False,
        note="The name matches your license.",
        issuer=ISSUER,
    )
    assert _row(session, number).status == "current"


def test_participant_view_lists_claims_and_certificates(session, submitted):
    user, enrollment = _nurse(session)
    _claim(session, user, enrollment)
    [view] = participant_certificates(session, user.id, content_dir=ISSUER.content_dir)
    [claim] = view.claims
    assert claim.credit_type_id == "BRN" and claim.current_number
    assert [c.number for c in view.certificates] == [claim.current_number]


def test_concurrent_claims_make_one_current_certificate(factory, database_url, submitted):
    import threading

    if not database_url.startswith("postgresql"):
        pytest.skip("concurrency is tested on PostgreSQL")
    with transaction(factory) as session:
        user, enrollment = _nurse(session)
        ids = (user.id, enrollment.id)
    barrier = threading.Barrier(4)
    numbers, errors = [], []

    def claim():
        try:
            barrier.wait()
            with transaction(factory) as session:
                numbers.append(
                    certificate_claim(
                        session=session,
                        user_id=ids[0],
                        enrollment_id=ids[1],
                        credit_type_id="BRN",
                        issuer=ISSUER,
                    )
                )
        except Exception as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(numbers)) == 1 and len(numbers) == 4
    with factory() as session:
        assert len(session.scalars(select(Certificate)).all()) == 1
        assert len(_audits(session, "certificate.issue")) == 1


def test_concurrent_reissue_and_revoke_leave_one_outcome(factory, database_url, submitted):
    import threading

    if not database_url.startswith("postgresql"):
        pytest.skip("concurrency is tested on PostgreSQL")
    with transaction(factory) as session:
        user, enrollment = _nurse(session)
        number = _claim(session, user, enrollment)
        admin = user_make(session, role="admin")
        ids = (_id(session, number), admin.id)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(service, **kwargs):
        barrier.wait()
        try:
            with transaction(factory) as session:
                service(session=session, certificate_id=ids[0], actor_id=ids[1], **kwargs)
            outcomes.append("done")
        except PortalError as error:
            outcomes.append(str(error))

    threads = [
        threading.Thread(
            target=act, args=(certificate_reissue,), kwargs={"reason": "Name", "issuer": ISSUER}
        ),
        threading.Thread(target=act, args=(certificate_revoke,), kwargs={"reason": "Forged"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("done") == 1
    assert any("no longer current" in outcome for outcome in outcomes)
    with factory() as session:
        statuses = sorted(r.status for r in session.scalars(select(Certificate)))
        assert statuses in (["current", "superseded"], ["revoked"])


# Javanese script: no certificate font has it.
UNPRINTABLE = "Sukarno ꦱꦸꦏꦂꦤ"


@pytest.mark.parametrize(
    "name", ["王小明", "山田 花子", "김민준", "مريم العلي", "נועה כהן", "प्रिया शर्मा"]
)
def test_claim_prints_names_in_other_scripts(session, submitted, name):
    user, enrollment = participant_ready(session, licenses=[("rn", "654321", "CA")], full_name=name)
    number = _claim(session, user, enrollment)
    row = session.scalar(select(Certificate).where(Certificate.number == number))
    assert row.data["participant_name"] == name
    assert name.split()[0] in "".join(c for c in pdf_text(row.pdf) if c >= " ")


def test_a_name_no_font_prints_is_refused_not_issued_blank(session, submitted):
    user, enrollment = participant_ready(
        session, licenses=[("rn", "654321", "CA")], full_name=UNPRINTABLE
    )
    with pytest.raises(PortalError, match=r"cannot print your name.*U\+A9B1.*Profile.*CE office"):
        _claim(session, user, enrollment)
    assert session.scalars(select(Certificate)).all() == []
    assert _audits(session, "certificate.issue") == []


def test_the_ce_office_sees_names_no_font_prints(session, submitted):
    user, enrollment = participant_ready(
        session, licenses=[("rn", "654321", "CA")], full_name=UNPRINTABLE
    )
    offering = session.get(Offering, enrollment.offering_id)
    fine, _ = participant_ready(session, offering, full_name="Zoë Łucja 王")
    [listed] = unprintable_names(session, enrollment.offering_id)
    assert (listed.user_id, listed.name, listed.characters) == (
        user.id,
        UNPRINTABLE,
        "ꦱ ꦸ ꦏ ꦂ ꦤ",
    )
    assert fine.id != listed.user_id


def test_reissue_with_a_profile_name_no_font_prints_is_refused(session, submitted):
    user, enrollment = _nurse(session)
    number = _claim(session, user, enrollment)
    admin = user_make(session, role="admin")
    user.full_name = UNPRINTABLE
    session.flush()
    with pytest.raises(PortalError, match="Correct the profile first"), session.begin_nested():
        certificate_reissue(
            session=session,
            certificate_id=_id(session, number),
            actor_id=admin.id,
            reason="Name",
            issuer=ISSUER,
        )
    assert (
        session.scalar(select(Certificate.status).where(Certificate.number == number)) == "current"
    )
