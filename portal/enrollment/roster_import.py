"""Roster import from a registration system's CSV: preview, then all-or-nothing import.

Columns: name, email, profession, license, offering (and optionally state). The offering
is named by its slug or label. Existing accounts (matched by email) are kept and get the
license; new accounts are invited with a one-time set-password link.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.passwords import password_hash
from portal.accounts.people import link_send
from portal.accounts.professions import PROFESSIONS
from portal.accounts.services import LicenseInput, email_normalise, license_problems, license_save
from portal.authz import admin_check
from portal.enrollment.services import enrollment_create
from portal.errors import FieldErrors
from portal.models import Enrollment, Offering, User, utc_now
from portal.records.audit import audit_record

REQUIRED = ("name", "email", "profession", "license", "offering")
MAX_ROWS = 5000


@dataclass(frozen=True)
class ImportRow:
    """One valid line of the file and what importing it will do."""

    line: int
    name: str
    email: str
    profession: str
    license: str
    state: str
    offering_id: int
    offering_label: str
    account: str  # 'new' or 'existing'
    enrollment: str  # 'new' or 'existing'


@dataclass(frozen=True)
class ImportProblem:
    """A bad or duplicate line, by its line number in the file (the header is line 1)."""

    line: int
    message: str


@dataclass(frozen=True)
class ImportPreview:
    """The whole file checked: rows to import and problems that block the import."""

    rows: tuple[ImportRow, ...]
    problems: tuple[ImportProblem, ...]


def _profession(text: str) -> str | None:
    wanted = text.strip().lower()
    for code, label in PROFESSIONS.items():
        if wanted in (code, label.lower()):
            return code
    return None


def _offering_index(session: Session) -> dict[str, list[Offering]]:
    index: dict[str, list[Offering]] = {}
    for offering in session.scalars(select(Offering)):
        for key in {offering.slug.lower(), offering.label.strip().lower()}:
            index.setdefault(key, []).append(offering)
    return index


def _records(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[ImportProblem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [ImportProblem(1, "The file is not UTF-8 text (save it as CSV UTF-8).")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if missing := [c for c in REQUIRED if c not in header]:
        return [], [ImportProblem(1, f"Missing column(s): {', '.join(missing)}.")]
    reader.fieldnames = header
    records = []
    for record in reader:
        if len(records) >= MAX_ROWS:
            return [], [ImportProblem(reader.line_num, f"At most {MAX_ROWS} rows per import.")]
        values = {k: (v or "").strip() for k, v in record.items() if isinstance(k, str)}
        if any(values.values()):
            records.append((reader.line_num, values))
    return records, []


def _check(values: dict[str, str], default_state: str, index: dict[str, list[Offering]]):  # type: ignore[no-untyped-def]
    """(problem, normalised fields, offering) for one record."""
    name, email = " ".join(values["name"].split()), email_normalise(values["email"]) or ""
    if not name:
        return "name is empty.", None, None
    if not email:
        return f"email {values['email']!r} is not an email address.", None, None
    profession = _profession(values["profession"])
    if profession is None:
        return f"unknown profession {values['profession']!r}.", None, None
    state = (values.get("state") or default_state).upper()
    lic = LicenseInput(profession, values["license"], state)
    if errors := license_problems(lic):
        return f"license: {' '.join(errors.values())}", None, None
    matches = index.get(values["offering"].lower(), [])
    if len(matches) != 1:
        reason = "is ambiguous" if matches else "is not an offering"
        return f"offering {values['offering']!r} {reason}.", None, None
    if matches[0].status == "cancelled":
        return f"offering {values['offering']!r} is cancelled.", None, None
    return None, (name, email, lic), matches[0]


def roster_preview(session: Session, data: bytes, default_state: str = "CA") -> ImportPreview:
    """Check every line; nothing is written."""
    records, problems = _records(data)
    index, seen = _offering_index(session), {}
    rows: list[ImportRow] = []
    for line, values in records:
        problem, fields, offering = _check(values, default_state, index)
        if problem is None:
            assert fields is not None and offering is not None
            name, email, lic = fields
            if (email, offering.id) in seen:
                problem = f"duplicate of line {seen[email, offering.id]} ({email}, same offering)."
            else:
                seen[email, offering.id] = line
                problem, row = _row(session, line, name, email, lic, offering)
                rows += [row] if row else []
        if problem:
            problems.append(ImportProblem(line, problem))
    if not records and not problems:
        problems.append(ImportProblem(1, "The file has no rows."))
    return ImportPreview(tuple(rows), tuple(problems))


def _row(session: Session, line: int, name: str, email: str, lic: LicenseInput, offering: Offering):  # type: ignore[no-untyped-def]
    user = session.scalar(select(User).where(User.email == email))
    enrollment = None
    if user is not None:
        if not user.is_active:
            return f"the account of {email} is deactivated.", None
        enrollment = session.scalar(
            select(Enrollment).where(
                Enrollment.user_id == user.id, Enrollment.offering_id == offering.id
            )
        )
        if enrollment is not None and enrollment.status == "cancelled":
            return f"the enrollment of {email} in this offering was cancelled.", None
    row = ImportRow(
        line,
        name,
        email,
        lic.profession,
        lic.number.strip(),
        lic.state,
        offering.id,
        offering.label,
        "existing" if user else "new",
        "existing" if enrollment else "new",
    )
    return None, row


_NOT_USERNAME = re.compile(r"[^a-z0-9._-]+")


def _free_username(session: Session, email: str) -> str:
    base = _NOT_USERNAME.sub("-", email.split("@")[0].lower()).strip(".-_")[:56]
    base = base if len(base) >= 3 else f"{base}user"
    candidate, n = base, 1
    while session.scalar(select(User.id).where(User.username == candidate)):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def roster_import(
    *,
    session: Session,
    actor_id: int,
    data: bytes,
    base_url: str,
    invite_valid_for: timedelta,
    default_state: str = "CA",
    now: datetime | None = None,
) -> ImportPreview:
    """Import the whole file or nothing: accounts, licenses, enrollments and invitations."""
    admin_check(session, actor_id)
    now = now or utc_now()
    preview = roster_preview(session, data, default_state)
    if preview.problems:
        raise FieldErrors(
            {"file": f"{len(preview.problems)} line(s) have problems; nothing was imported."}
        )
    # Nobody knows this random password: new accounts sign in only after the invitation.
    unusable = password_hash(secrets.token_urlsafe(32))
    created = 0
    for row in preview.rows:
        user = session.scalar(select(User).where(User.email == row.email))
        if user is None:
            user = User(
                username=_free_username(session, row.email),
                email=row.email,
                full_name=row.name,
                password_hash=unusable,
                role="participant",
            )
            session.add(user)
            session.flush()
            created += 1
            link_send(
                session=session,
                user_id=user.id,
                purpose="invite",
                base_url=base_url,
                valid_for=invite_valid_for,
                now=now,
            )
        license_save(
            session=session,
            user_id=user.id,
            license=LicenseInput(row.profession, row.license, row.state),
        )
        enrollment_create(
            session=session,
            user_id=user.id,
            offering_id=row.offering_id,
            now=now,
            actor_id=actor_id,
            by_admin=True,
        )
    audit_record(
        session=session,
        actor_id=actor_id,
        action="roster.import",
        subject_type="import",
        subject_id=None,
        details={
            "rows": len(preview.rows),
            "accounts_created": created,
            "enrollments_created": sum(r.enrollment == "new" for r in preview.rows),
            "offering_ids": sorted({r.offering_id for r in preview.rows}),
            "file_sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return preview
