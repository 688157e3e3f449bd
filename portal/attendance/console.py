"""The instructor's live console: open and close code windows, see the codes to show."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.attendance.access import live_session_for_staff
from portal.attendance.codes import current_code, is_open
from portal.errors import FieldErrors, PortalError
from portal.learning.home import OfferingView, SessionView
from portal.models import CodeWindow, LiveSession
from portal.records.audit import audit_record
from portal.timefmt import format_span, local_date

CHECK_IN_PATH = "check_in"
DEFAULT_INTERVAL_MINUTES = 5
DEFAULT_GRACE_SECONDS = 60
DEFAULT_OPEN_MINUTES = 30
# Opening a window further than this from a session's time needs a confirmation.
NEAR = timedelta(hours=1)
KIND_WORDS = {"in": "check-in", "out": "check-out"}


@dataclass(frozen=True)
class WindowView:
    """An open window and the code to show now."""

    id: int
    kind: str
    code: str
    rotates_at: datetime
    opens_at: datetime
    closes_at: datetime
    interval_seconds: int
    check_in_url: str


def check_in_url(base_url: str, code: str) -> str:
    """The participant's check-in page with the code filled in (what the QR code opens)."""
    return f"{base_url.rstrip('/')}/{CHECK_IN_PATH}?{urlencode({'code': code})}"


def session_is_near(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """Whether now is within an hour of the session's time (from an hour before to an hour after)."""
    return starts_at - NEAR <= now <= ends_at + NEAR


def session_to_run(offerings: Sequence[OfferingView], now: datetime) -> tuple[int, int]:
    """Indexes of the offering and session the console opens on: the session live now, else
    the next one today (in its offering's zone), else the next to come, else the first."""
    candidates: list[tuple[int, datetime, int, int]] = []
    for o_index, offering in enumerate(offerings):
        today = local_date(now, offering.time_zone)
        for s_index, live in enumerate(offering.sessions):
            if session_is_near(live.starts_at, live.ends_at, now):
                rank = 0
            elif live.starts_at > now:
                rank = 1 if local_date(live.starts_at, offering.time_zone) == today else 2
            else:
                continue
            candidates.append((rank, live.starts_at, o_index, s_index))
    if not candidates:
        return 0, 0
    _, _, o_index, s_index = min(candidates)
    return o_index, s_index


def confirmation_question(live: SessionView, time_zone: str, kind: str) -> str:
    """What the instructor confirms before opening a window far from the session's time."""
    span = format_span(live.starts_at, live.ends_at, time_zone)
    return f"{live.title} is on {span}, not within an hour of now. Open {KIND_WORDS[kind]} anyway?"


def window_open(
    *,
    session: Session,
    user_id: int,
    live_session_id: int,
    kind: str,
    now: datetime,
    interval_minutes: float = DEFAULT_INTERVAL_MINUTES,
    open_minutes: int = DEFAULT_OPEN_MINUTES,
    grace_seconds: int = DEFAULT_GRACE_SECONDS,
    confirmed: bool = False,
) -> CodeWindow:
    """Open check-in or check-out; an open window of the same kind is closed first.

    A session more than an hour away from now is opened only when `confirmed`: a code for
    the wrong session turns the right session's participants away."""
    live = live_session_for_staff(session, user_id, live_session_id)
    if kind not in ("in", "out"):
        raise FieldErrors({"kind": "Choose check-in or check-out."})
    if not confirmed and not session_is_near(live.starts_at, live.ends_at, now):
        span = format_span(live.starts_at, live.ends_at, live.offering.time_zone)
        raise PortalError(
            f"{live.title} is on {span}, not within an hour of now; confirm to open "
            f"{KIND_WORDS[kind]} for it."
        )
    if not 0.5 <= interval_minutes <= 60:
        raise FieldErrors({"interval": "Rotate codes every 0.5 to 60 minutes."})
    if not 1 <= open_minutes <= 240:
        raise FieldErrors({"open_minutes": "Keep the window open 1 to 240 minutes."})
    # Lock the session row so two instructors opening at once leave one open window.
    session.scalar(select(LiveSession.id).where(LiveSession.id == live.id).with_for_update())
    _close_open(session, live.id, kind, now)
    window = CodeWindow(
        live_session_id=live.id,
        kind=kind,
        secret=secrets.token_hex(32),
        interval_seconds=int(interval_minutes * 60),
        grace_seconds=grace_seconds,
        opens_at=now,
        closes_at=now + timedelta(minutes=open_minutes),
        opened_by_id=user_id,
    )
    session.add(window)
    session.flush()
    audit_record(
        session=session, actor_id=user_id, action=f"attendance.window_open_{kind}",
        subject_type="live_session", subject_id=live.id,
        details={"window_id": window.id, "closes_at": window.closes_at.isoformat()},
    )  # fmt: skip
    return window


def _close_open(session: Session, live_session_id: int, kind: str, now: datetime) -> int:
    result = session.execute(
        update(CodeWindow)
        .where(
            CodeWindow.live_session_id == live_session_id,
            CodeWindow.kind == kind,
            CodeWindow.opens_at <= now,
            CodeWindow.closes_at > now,
        )
        .values(closes_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def window_close(
    *, session: Session, user_id: int, live_session_id: int, kind: str, now: datetime
) -> int:
    """Close the session's open check-in or check-out window now; returns how many closed."""
    live = live_session_for_staff(session, user_id, live_session_id)
    closed = _close_open(session, live.id, kind, now)
    if closed:
        audit_record(
            session=session, actor_id=user_id, action=f"attendance.window_close_{kind}",
            subject_type="live_session", subject_id=live.id,
        )  # fmt: skip
    return closed


def windows_open(
    session: Session, user_id: int, live_session_id: int, now: datetime, base_url: str
) -> list[WindowView]:
    """The session's open windows with the code to show now (staff only)."""
    live = live_session_for_staff(session, user_id, live_session_id)
    query = select(CodeWindow).where(
        CodeWindow.live_session_id == live.id,
        CodeWindow.opens_at <= now,
        CodeWindow.closes_at > now,
    )
    views = []
    for w in session.scalars(query.order_by(CodeWindow.kind)):
        if not is_open(w, now):
            continue
        shown = current_code(w, now)
        url = check_in_url(base_url, shown.code)
        views.append(
            WindowView(
                w.id, w.kind, shown.code, shown.rotates_at, w.opens_at, w.closes_at,
                w.interval_seconds, url,
            )
        )  # fmt: skip
    return views
