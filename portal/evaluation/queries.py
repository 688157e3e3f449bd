"""Everything the Evaluation results page shows, read with one reviewer check."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.evaluation.access import Filters, reviewer_for
from portal.evaluation.responses import Comments, PendingParticipant, comments_for, pending_for
from portal.evaluation.review import EvaluationReview, review_for


@dataclass(frozen=True)
class EvaluationResults:
    """The review of one group, its comments and (admins) who has not submitted."""

    review: EvaluationReview
    comments: Comments
    pending: tuple[PendingParticipant, ...] | None


def evaluation_results(
    session: Session, offering_id: int, viewer_id: int, filters: Filters, search: str = ""
) -> EvaluationResults:
    """The results page's data; the course and the viewer's rights are looked up once."""
    reviewer = reviewer_for(session, offering_id, viewer_id)
    review = review_for(session, offering_id, reviewer, filters)
    comments = comments_for(session, offering_id, reviewer, filters, search)
    pending = pending_for(session, offering_id, reviewer) if reviewer.is_admin else None
    return EvaluationResults(review, comments, pending)
