"""Checking the audit chain: every event's hash, and every link to the event before it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent
from portal.records.audit import GENESIS, event_digest


@dataclass(frozen=True)
class ChainHead:
    """The newest event of the chain: anyone holding this can later tell if history changed."""

    events: int
    last_id: int | None
    hash: str


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain: its head, and the first broken link if any."""

    head: ChainHead
    broken_at: int | None = None
    problem: str = ""
    # Whether the chain head someone kept (e.g. from a Records ZIP) is still in the chain.
    kept_head_found: bool | None = None

    @property
    def intact(self) -> bool:
        """Whether every event is unchanged and linked to the one before it."""
        return self.broken_at is None


def audit_chain_head(session: Session) -> ChainHead:
    """The chain's head now: how many events, the newest id and its hash."""
    count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return ChainHead(count, last.id if last else None, last.hash if last else GENESIS)


def _problem(event: AuditEvent, expected_prev: str) -> str:
    if event.prev_hash != expected_prev:
        return "its link to the event before it does not match (an event was removed, added or rewritten before it)"
    digest = event_digest(
        prev_hash=event.prev_hash, at=event.at, actor_id=event.actor_id, action=event.action,
        subject_type=event.subject_type, subject_id=event.subject_id, reason=event.reason,
        details=event.details,
    )  # fmt: skip
    if digest != event.hash:
        return "its content does not match its hash (the event was rewritten)"
    return ""


def audit_chain_verify(session: Session, kept_head: str = "") -> ChainReport:
    """Walk every event in order; the first broken link is named. A kept head (a hash from
    an earlier export) must still be in the chain, or history before it was rewritten or
    cut short."""
    expected_prev, count, last_id = GENESIS, 0, None
    found = kept_head in ("", GENESIS)
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    events = session.scalars(query)
    try:
        for event in events:
            if problem := _problem(event, expected_prev):
                return ChainReport(ChainHead(count, last_id, expected_prev), event.id, problem)
            expected_prev, count, last_id = event.hash, count + 1, event.id
            found = found or event.hash == kept_head
    finally:
        events.close()  # a walk that stops early still releases its server-side cursor
    return ChainReport(ChainHead(count, last_id, expected_prev), kept_head_found=found)
