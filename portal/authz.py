"""Who may act: the one place that decides by role and offering assignment.

Every service that reads or writes an offering's data, a person's record or money calls
one of these with the acting user's id; pages guard by role too, but this is the wall
that holds when a page forgets. Refusals raise NotAllowed, which pages show as a message.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.errors import NotAllowed
from portal.models import Offering, OfferingInstructor, User

STAFF_ROLES = ("instructor", "admin")


def actor_get(session: Session, actor_id: int | None) -> User:
    """The acting person, if their account exists and is active; else NotAllowed."""
    actor = session.get(User, actor_id) if actor_id is not None else None
    if actor is None or not actor.is_active:
        raise NotAllowed("Please sign in again.")
    return actor


def admin_check(session: Session, actor_id: int | None) -> User:
    """The acting admin; anyone else is refused."""
    actor = actor_get(session, actor_id)
    if actor.role != "admin":
        raise NotAllowed("Only the CE office (admins) can do this.")
    return actor


def staff_check(session: Session, actor_id: int | None, offering_id: int) -> User:
    """An admin, or an instructor assigned to the offering; anyone else is refused."""
    actor = actor_get(session, actor_id)
    if actor.role == "admin":
        return actor
    if actor.role == "instructor" and session.get(OfferingInstructor, (offering_id, actor.id)):
        return actor
    raise NotAllowed("Only the offering's instructors and the CE office may do this.")


def staff_role_check(session: Session, actor_id: int | None) -> User:
    """An instructor or an admin, before any offering is chosen."""
    actor = actor_get(session, actor_id)
    if actor.role not in STAFF_ROLES:
        raise NotAllowed("Only instructors and the CE office may do this.")
    return actor


def staff_offering_ids(actor: User) -> Select[tuple[int]]:
    """The ids of the offerings the staff member may act on: every one for admins."""
    if actor.role == "admin":
        return select(Offering.id)
    if actor.role == "instructor":
        return select(OfferingInstructor.offering_id).where(OfferingInstructor.user_id == actor.id)
    return select(Offering.id).where(Offering.id.is_(None))


def is_staff_of(session: Session, actor_id: int, offering_id: int) -> bool:
    """Whether staff_check would let the person act on the offering."""
    try:
        staff_check(session, actor_id, offering_id)
    except NotAllowed:
        return False
    return True


# The command line runs on the server with the database's credentials: its operator is
# trusted as an admin and is recorded in the audit log without a person.
OPERATOR: None = None


def admin_or_operator_check(session: Session, actor_id: int | None) -> None:
    """Pass for the server's operator (actor None) and admins; refuse anyone else."""
    if actor_id is not OPERATOR:
        admin_check(session, actor_id)
