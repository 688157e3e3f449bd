"""Tell the participant their certificate is ready, in the transaction that issued it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.certificates.facts import Issuer
from portal.mail.outbox import mail_certificate_ready
from portal.models import Certificate, Enrollment, Offering, OutboxMessage


def certificate_ready_mail(
    *, session: Session, certificate: Certificate, issuer: Issuer
) -> OutboxMessage:
    """Queue 'your certificate is ready' to the certificate's participant (issue or reissue);
    it is sent only if the issuing transaction commits."""
    enrollment = session.get(Enrollment, certificate.enrollment_id)
    assert enrollment is not None  # guaranteed by the foreign key
    offering = session.get(Offering, enrollment.offering_id)
    assert offering is not None  # guaranteed by the foreign key
    return mail_certificate_ready(
        session=session,
        user_id=enrollment.user_id,
        course_title=offering.course.title,
        link=issuer.download_url(),
    )
