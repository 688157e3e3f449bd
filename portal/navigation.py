"""Which pages each role sees, in menu order. Every page still checks the role itself."""

from __future__ import annotations

from dataclasses import dataclass

from portal import PROJECT_ROOT

PAGES_DIR = PROJECT_ROOT / "pages"


@dataclass(frozen=True)
class PageSpec:
    """A page script, its menu title and the roles whose menu shows it."""

    script: str
    title: str
    icon: str
    roles: frozenset[str]
    section: str = "Portal"

    @property
    def path(self) -> str:
        """The script's path, for st.Page."""
        return str(PAGES_DIR / self.script)


PARTICIPANT = frozenset({"participant"})
INSTRUCTOR = frozenset({"instructor", "admin"})
ADMIN = frozenset({"admin"})
EVERYONE = frozenset({"participant", "instructor", "admin"})
PUBLIC = frozenset({"anonymous"})

PAGES: tuple[PageSpec, ...] = (
    PageSpec("sign_in.py", "Sign in", ":material/login:", PUBLIC),
    PageSpec("register.py", "Create account", ":material/person_add:", PUBLIC),
    PageSpec("participant_home.py", "Home", ":material/home:", PARTICIPANT),
    PageSpec("course.py", "Course", ":material/menu_book:", PARTICIPANT),
    PageSpec("certificates.py", "Certificates", ":material/workspace_premium:", PARTICIPANT),
    PageSpec(
        "instructor_home.py", "Instructor home", ":material/co_present:", frozenset({"instructor"})
    ),
    PageSpec("admin_home.py", "Admin home", ":material/admin_panel_settings:", ADMIN),
    PageSpec(
        "certificates_admin.py", "Certificates (CE office)", ":material/workspace_premium:", ADMIN
    ),
    PageSpec("profile.py", "Profile", ":material/account_circle:", EVERYONE, "Account"),
    PageSpec("verify.py", "Verify a certificate", ":material/verified:", PUBLIC | EVERYONE),
)


def pages_for(role: str | None) -> list[PageSpec]:
    """The menu of a role; None means signed out."""
    return [page for page in PAGES if (role or "anonymous") in page.roles]
