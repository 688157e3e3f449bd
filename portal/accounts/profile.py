"""Read model for the profile page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.accounts.professions import profession_label
from portal.accounts.services import user_get


@dataclass(frozen=True)
class LicenseView:
    """One license as shown to its holder."""

    id: int
    profession: str
    profession_label: str
    number: str
    state: str


@dataclass(frozen=True)
class ProfileView:
    """What a person sees and edits about themselves."""

    user_id: int
    username: str
    full_name: str
    email: str
    role: str
    licenses: tuple[LicenseView, ...]


def profile_get(session: Session, user_id: int) -> ProfileView:
    """The signed-in person's own profile."""
    user = user_get(session, user_id)
    licenses = tuple(
        LicenseView(
            lic.id,
            lic.profession,
            profession_label(lic.profession),
            lic.number or "",
            lic.state or "",
        )
        for lic in user.licenses
    )
    return ProfileView(user.id, user.username, user.full_name, user.email, user.role, licenses)
