"""Who may run and correct attendance of an offering: its instructors and admins."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.errors import NotAllowed, NotFound
from portal.models import LiveSession, OfferingInstructor, User


def staff_check(session: Session, user_id: int, offering_id: int) -> User:
    """The person, if an admin or an instructor assigned to the offering; else NotAllowed."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotAllowed("Please sign in again.")
    if user.role == "admin":
        return user
    if user.role == "instructor" and session.get(OfferingInstructor, (offering_id, user_id)):
        return user
    raise NotAllowed("Only the offering's instructors and admins may do this.")


def live_session_get(session: Session, live_session_id: int) -> LiveSession:
    """A live session, or NotFound."""
    live = session.get(LiveSession, live_session_id)
    if live is None:
        raise NotFound("No such session.")
    return live


def live_session_for_staff(session: Session, user_id: int, live_session_id: int) -> LiveSession:
    """A live session the person may run, or NotFound / NotAllowed."""
    live = live_session_get(session, live_session_id)
    staff_check(session, user_id, live.offering_id)
    return live
