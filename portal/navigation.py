"""Which pages each role sees, in menu order. Every page still checks the role itself.

Plain data, free of Streamlit, so the command line and the services can name pages;
portal/ui.py builds the st.Page menu from it."""

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
    hidden: bool = False

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
    # Participants, in the order they meet the steps toward credit.
    PageSpec("participant_home.py", "Home", ":material/home:", PARTICIPANT, "Workshop"),
    PageSpec("course.py", "Course", ":material/menu_book:", PARTICIPANT, "Workshop"),
    PageSpec(
        "practice.py", "Guided practices", ":material/self_improvement:", PARTICIPANT, "Workshop"
    ),
    PageSpec("journal.py", "Appreciation journal", ":material/edit_note:", PARTICIPANT, "Workshop"),
    PageSpec("check_in.py", "Check in", ":material/how_to_reg:", PARTICIPANT, "Workshop"),
    PageSpec(
        "attendance_correction.py",
        "Attendance correction",
        ":material/edit_calendar:",
        PARTICIPANT,
        "Workshop",
        hidden=True,  # opened from Check in, for one offering
    ),
    PageSpec("evaluation.py", "Evaluation", ":material/rate_review:", PARTICIPANT, "Workshop"),
    PageSpec(
        "certificates.py", "Certificates", ":material/workspace_premium:", PARTICIPANT, "Workshop"
    ),
    PageSpec("enroll.py", "Enrollment and fees", ":material/payments:", PARTICIPANT, "Workshop"),
    # The CE office.
    PageSpec("admin_home.py", "Admin home", ":material/admin_panel_settings:", ADMIN, "CE office"),
    PageSpec("admin_people.py", "People", ":material/group:", ADMIN, "CE office"),
    PageSpec("admin_person.py", "Person record", ":material/badge:", ADMIN, "CE office"),
    PageSpec("admin_offerings.py", "Offerings", ":material/event:", ADMIN, "CE office"),
    PageSpec("admin_import.py", "Roster import", ":material/upload_file:", ADMIN, "CE office"),
    PageSpec("admin_payments.py", "Payments and refunds", ":material/paid:", ADMIN, "CE office"),
    PageSpec(
        "certificates_admin.py",
        "Issued certificates",
        ":material/workspace_premium:",
        ADMIN,
        "CE office",
    ),
    PageSpec("admin_audit.py", "Audit log", ":material/history:", ADMIN, "CE office"),
    PageSpec("admin_records.py", "Records", ":material/inventory_2:", ADMIN, "CE office"),
    PageSpec("admin_outbox.py", "Outbox", ":material/outbox:", ADMIN, "CE office"),
    PageSpec("materials_deleted.py", "Deleted materials", ":material/delete:", ADMIN, "CE office"),
    # Teaching: instructors, and admins who run or correct sessions.
    PageSpec(
        "instructor_home.py",
        "Instructor home",
        ":material/co_present:",
        frozenset({"instructor"}),
        "Teaching",
    ),
    PageSpec("live_console.py", "Live console", ":material/qr_code_2:", INSTRUCTOR, "Teaching"),
    PageSpec("attendance_manage.py", "Attendance", ":material/fact_check:", INSTRUCTOR, "Teaching"),
    PageSpec(
        "materials_manage.py", "Course materials", ":material/folder_open:", INSTRUCTOR, "Teaching"
    ),
    PageSpec(
        "evaluation_review.py", "Evaluation results", ":material/analytics:", INSTRUCTOR, "Teaching"
    ),
    # Everyone.
    PageSpec("profile.py", "Profile", ":material/account_circle:", EVERYONE, "Account"),
    PageSpec(
        "verify.py", "Verify a certificate", ":material/verified:", PUBLIC | EVERYONE, "Account"
    ),
    PageSpec("sign_out.py", "Sign out", ":material/logout:", EVERYONE, "Account"),
    # Reached from emailed links only, never from the menu.
    PageSpec(
        "set_password.py",
        "Set password",
        ":material/key:",
        PUBLIC | EVERYONE,
        "Account",
        hidden=True,
    ),
)


def pages_for(role: str | None) -> list[PageSpec]:
    """The menu of a role; None means signed out."""
    return [page for page in PAGES if (role or "anonymous") in page.roles]


def link_label(page: str) -> str:
    """Words for a link to a page ("pages/check_in.py" -> "Open Check in"), its menu title."""
    script = page.removeprefix("pages/")
    return f"Open {next((p.title for p in PAGES if p.script == script), 'the page')}"
