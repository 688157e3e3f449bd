"""Reissue requests: a participant asks for a corrected certificate, an admin decides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.authz import admin_check
from portal.certificates.facts import Issuer
from portal.certificates.services import (
    certificate_get,
    certificate_supersede,
    reason_required,
)
from portal.errors import FieldErrors, NotFound, PortalError
from portal.models import Certificate, CertificateReissueRequest, Enrollment, utc_now
from portal.records.audit import audit_record


def certificate_reissue_request(
    *,
    session: Session,
    user_id: int,
    certificate_id: int,
    reason: str,
    now: datetime | None = None,
) -> int:
    """Participant: ask the CE office to reissue one's own certificate (name or license)."""
    row = session.get(Certificate, certificate_id)
    enrollment = session.get(Enrollment, row.enrollment_id) if row else None
    if row is None or enrollment is None or enrollment.user_id != user_id:
        raise NotFound("No such certificate.")
    if row.status != "current":
        raise PortalError("Only a current certificate can be reissued.")
    reason = reason_required(reason)
    request = CertificateReissueRequest(
        certificate_id=row.id, requested_by_id=user_id, reason=reason, requested_at=now or utc_now()
    )
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:
        raise FieldErrors(
            {"reason": "A request for this certificate is already waiting for the CE office."}
        ) from None
    audit_record(
        session=session,
        actor_id=user_id,
        action="certificate.reissue_request",
        subject_type="certificate",
        subject_id=row.id,
        reason=reason,
        details={"number": row.number, "request_id": request.id},
    )
    return request.id


def reissue_request_decide(
    *,
    session: Session,
    request_id: int,
    actor_id: int,
    approve: bool,
    note: str = "",
    issuer: Issuer,
    now: datetime | None = None,
) -> str | None:
    """Admin: approve (reissue now; the new number) or decline (with a note) a request."""
    admin_check(session, actor_id)
    request = session.get(CertificateReissueRequest, request_id)
    if request is None:
        raise NotFound("No such request.")
    note = (note or "").strip() if approve else reason_required(note, "note")
    now = now or utc_now()
    result = session.execute(
        update(CertificateReissueRequest)
        .where(
            CertificateReissueRequest.id == request_id,
            CertificateReissueRequest.status == "pending",
        )
        .values(
            status="approved" if approve else "declined",
            decided_at=now,
            decided_by_id=actor_id,
            decision_note=note,
        )
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise PortalError("This request was already decided; reload the page.")
    action = "approved" if approve else "declined"
    audit_record(
        session=session,
        actor_id=actor_id,
        action=f"certificate.reissue_request_{action}",
        subject_type="certificate",
        subject_id=request.certificate_id,
        reason=note or request.reason,
        details={"request_id": request_id},
    )
    if not approve:
        return None
    old = certificate_get(session, request.certificate_id)
    reason = f"Participant's request: {request.reason}" + (f" ({note})" if note else "")
    return certificate_supersede(
        session, old, actor_id=actor_id, reason=reason, issuer=issuer, now=now
    ).number
