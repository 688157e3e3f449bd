"""Writes: save the evaluation as a draft while the participant goes, then submit it once."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.authz import admin_check
from portal.courses.content_evaluation import EvaluationSettings
from portal.errors import FieldErrors, NotFound, PortalError
from portal.evaluation.disclosure import release_due, submission_day
from portal.evaluation.eligibility import evaluation_state, offering_course
from portal.evaluation.form import Answer, answer_rows, answers_problems, is_empty
from portal.models import Enrollment, Evaluation, EvaluationAnswer, Offering, utc_now
from portal.records.audit import audit_record

ALREADY_SUBMITTED = "Your evaluation was already submitted; it can no longer be changed."


def _own_enrollment(session: Session, user_id: int, enrollment_id: int) -> Enrollment:
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.user_id != user_id:
        raise NotFound("No such enrollment.")
    return enrollment


def _open_draft(session: Session, enrollment: Enrollment, now: datetime) -> int:
    """The draft's id, created if missing and row-locked; refused once submitted.

    The conditional UPDATE is the guard: of two concurrent submits the second waits for
    the first's lock, then finds the row no longer a draft.
    """
    if (
        session.scalar(select(Evaluation.id).where(Evaluation.enrollment_id == enrollment.id))
        is None
    ):
        try:
            with session.begin_nested():
                session.execute(
                    insert(Evaluation).values(
                        enrollment_id=enrollment.id,
                        offering_id=enrollment.offering_id,
                        status="draft",
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            pass  # another tab or click created it first; lock that one below
    locked = session.execute(
        update(Evaluation)
        .where(Evaluation.enrollment_id == enrollment.id, Evaluation.status == "draft")
        .values(updated_at=now)
        .returning(Evaluation.id)
    ).scalar()
    if locked is None:
        raise PortalError(ALREADY_SUBMITTED)
    return locked


def _answers_replace(
    session: Session,
    evaluation_id: int,
    settings: EvaluationSettings,
    answers: Mapping[str, Answer],
    keep_blank: bool,
    cleared: Collection[str] = (),
) -> None:
    """Store the answers; with keep_blank an empty answer leaves the stored one in place
    unless the question is listed as cleared by the person."""
    replaced = [
        q.id
        for q in settings.questions
        if not keep_blank or not is_empty(answers.get(q.id)) or q.id in cleared
    ]
    session.execute(
        delete(EvaluationAnswer).where(
            EvaluationAnswer.evaluation_id == evaluation_id,
            EvaluationAnswer.question_id.in_(replaced),
        )
    )
    rows = [
        {
            "evaluation_id": evaluation_id,
            "question_id": q.id,
            "item": item,
            "value_num": num,
            "value_text": text,
        }
        for q in settings.questions
        if not is_empty(answers.get(q.id))
        for item, num, text in answer_rows(q, answers[q.id])
    ]
    if rows:
        session.execute(insert(EvaluationAnswer), rows)


def _offering_zone(session: Session, offering_id: int) -> str:
    zone = session.scalar(select(Offering.time_zone).where(Offering.id == offering_id))
    assert zone is not None  # the enrollment's offering exists
    return zone


def _prepare(
    session: Session,
    user_id: int,
    enrollment_id: int,
    answers: Mapping[str, Answer],
    now: datetime,
    *,
    complete: bool,
) -> tuple[Enrollment, EvaluationSettings]:
    enrollment = _own_enrollment(session, user_id, enrollment_id)
    state = evaluation_state(session, enrollment_id, now)
    if state.state == "submitted":
        raise PortalError(ALREADY_SUBMITTED)
    if not state.can_answer:
        raise PortalError(state.message)
    settings = offering_course(session, enrollment.offering_id).evaluation
    if problems := answers_problems(settings, answers, complete=complete):
        raise FieldErrors(problems)
    return enrollment, settings


def evaluation_draft_save(
    *,
    session: Session,
    user_id: int,
    enrollment_id: int,
    answers: Mapping[str, Answer],
    cleared: Collection[str] = (),
    now: datetime | None = None,
) -> datetime:
    """Keep the participant's answers so far; returns when it was saved.

    An empty answer never overwrites a stored one (a form that loaded late would otherwise
    blank the draft); only a question in `cleared`, emptied by the person, loses its answer.
    """
    now = now or utc_now()
    enrollment, settings = _prepare(session, user_id, enrollment_id, answers, now, complete=False)
    evaluation_id = _open_draft(session, enrollment, now)
    _answers_replace(session, evaluation_id, settings, answers, keep_blank=True, cleared=cleared)
    return now


def evaluation_submit(
    *,
    session: Session,
    user_id: int,
    enrollment_id: int,
    answers: Mapping[str, Answer],
    now: datetime | None = None,
) -> datetime:
    """Submit the evaluation once: every required answer present; afterwards read-only.

    The response keeps the day only, and is released to staff with the batch it completes.
    """
    now = now or utc_now()
    enrollment, settings = _prepare(session, user_id, enrollment_id, answers, now, complete=True)
    evaluation_id = _open_draft(session, enrollment, now)
    _answers_replace(session, evaluation_id, settings, answers, keep_blank=False)
    # The response keeps only the day: its times cannot be matched with who submitted when.
    day = submission_day(now, _offering_zone(session, enrollment.offering_id))
    session.execute(
        update(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .values(status="submitted", submitted_at=day, created_at=day, updated_at=day)
    )
    release_due(session, enrollment.offering_id, settings.min_group_size)
    audit_record(
        session=session,
        actor_id=user_id,
        action="evaluation.submit",
        subject_type="enrollment",
        subject_id=enrollment_id,
    )
    return now


def offering_evaluation_names_set(
    *, session: Session, actor_id: int, offering_id: int, visible: bool
) -> None:
    """Whether the CE office sees names with an offering's evaluations (admins only).

    Changed only before anyone has saved an evaluation, so that every participant answered
    under the setting the form showed them.
    """
    admin_check(session, actor_id)
    offering = session.get(Offering, offering_id, with_for_update=True)
    if offering is None:
        raise NotFound("No such offering.")
    if offering.evaluation_names_visible == visible:
        return
    started = session.scalar(select(Evaluation.id).where(Evaluation.offering_id == offering_id))
    if started is not None:
        raise PortalError(
            "Participants have already answered under the current setting, so it can no "
            "longer be changed for this offering."
        )
    offering.evaluation_names_visible = visible
    audit_record(
        session=session,
        actor_id=actor_id,
        action="offering.evaluation_names",
        subject_type="offering",
        subject_id=offering_id,
        details={"names_visible": visible},
    )
