"""The certificate section of the participant's Home checklist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from portal.certificates.eligibility import Claim, certificate_claims, claims_for
from portal.learning.checklist_item import ChecklistItem
from portal.settings import settings_load

if TYPE_CHECKING:
    from portal.learning.facts import EnrollmentFacts

PAGE = "pages/certificates.py"


def _item(claim: Claim) -> ChecklistItem:
    label = f"Certificate: {claim.credit_type_name}"
    if claim.current_number:
        return ChecklistItem(label, "done", f"Issued ({claim.current_number}); download it.", PAGE)
    if claim.revoked_reason is not None:
        return ChecklistItem(label, "blocked", "Revoked by the CE office; please contact them.")
    if claim.eligible:
        return ChecklistItem(label, "todo", "Ready: claim and download it.", PAGE)
    missing = ", ".join(step.label.lower() for step in claim.missing)
    return ChecklistItem(label, "waiting", f"Still missing: {missing}.", PAGE)


def certificate_checklist(session: Session, enrollment_id: int) -> list[ChecklistItem]:
    """One item per certificate the participant may claim for the enrollment."""
    claims = claims_for(session, enrollment_id, content_dir=settings_load().content_dir)
    return [_item(claim) for claim in claims]


def certificate_section(facts: EnrollmentFacts) -> list[ChecklistItem]:
    """The Home checklist's certificates, from the facts the page read once."""
    return [_item(claim) for claim in certificate_claims(facts)]
