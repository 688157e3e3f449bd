"""Who may run and correct attendance of an offering: its instructors and admins."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.authz import staff_check
from portal.errors import NotFound
from portal.models import LiveSession


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
