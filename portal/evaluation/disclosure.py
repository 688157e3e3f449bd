"""The one disclosure rule for evaluation results, used by every page, export and bundle.

1. Which responses staff see. While the evaluation is open, responses become visible in
   batches of at least the minimum group size (released in the submit transaction that
   completes a batch), so comparing two views or exports over time reveals a batch, never
   one person. Once the evaluation has closed, every submitted response is visible.
2. Which groups are shown. The whole offering when it holds at least the minimum. Groups
   by profession or credit type only after the evaluation has closed (no comparison over
   time), one filter at a time, and only groups that keep every cell of the partition the
   shown groups make at zero or at least the minimum: a group and its complement, and any
   sum or difference of shown groups (LMFT minus LMFT-with-BBS, or LMFT plus BBS minus
   everyone), then always cover at least the minimum people. Groups are admitted in a fixed
   order (professions, then credit types), so the set shown does not depend on who looks
   first.
3. No timing link. A submitted response keeps only the day it was submitted, and exports
   list responses in a random order that is stable per offering (seeded per offering), not
   in the order of names, ids or times.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.evaluation.eligibility import closing_instant
from portal.models import Evaluation, EvaluationRelease, Offering, utc_now
from portal.timefmt import local_date, local_instant


@dataclass(frozen=True)
class Disclosure:
    """What staff may see of an offering's responses right now."""

    offering_id: int
    minimum: int
    closed: bool
    submitted: int
    visible: int
    order_seed: str

    @property
    def version(self) -> tuple[int, bool, int]:
        """Identifies the visible set: it changes only when a batch is released or at close."""
        return (self.offering_id, self.closed, self.visible)


def submission_day(now: datetime, time_zone: str) -> datetime:
    """The start of the local day of an instant: all a response keeps of when it came."""
    return local_instant(local_date(now, time_zone), time(0), time_zone)


def is_closed(offering: Offering, now: datetime | None = None) -> bool:
    """Whether the offering's evaluation has closed: deadline passed, or offering closed."""
    if offering.status in ("closed", "cancelled"):
        return True
    closes_at = closing_instant(offering)
    return closes_at is not None and (now or utc_now()) >= closes_at


def _release_row(session: Session, offering_id: int) -> EvaluationRelease:
    """The offering's release row, created if missing, locked until the transaction ends."""
    query = select(EvaluationRelease).where(EvaluationRelease.offering_id == offering_id)
    row = session.scalar(query.with_for_update())
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = EvaluationRelease(
                offering_id=offering_id, order_seed=secrets.token_hex(16), released=0, batches=0
            )
            session.add(row)
    except IntegrityError:
        pass  # a concurrent first submit created it; lock that one
    row = session.scalar(query.with_for_update().execution_options(populate_existing=True))
    assert row is not None
    return row


def release_due(session: Session, offering_id: int, minimum: int) -> None:
    """In the submit transaction: release the waiting responses once they make a batch.

    The release row's lock makes concurrent submits count one after another.
    """
    row = _release_row(session, offering_id)
    waiting = session.scalar(
        select(func.count()).where(
            Evaluation.offering_id == offering_id,
            Evaluation.status == "submitted",
            Evaluation.release_batch.is_(None),
        )
    )
    if not waiting or waiting < minimum:
        return
    row.batches += 1
    row.released += waiting
    session.execute(
        update(Evaluation)
        .where(
            Evaluation.offering_id == offering_id,
            Evaluation.status == "submitted",
            Evaluation.release_batch.is_(None),
        )
        .values(release_batch=row.batches)
    )
    session.flush()


def disclosure_for(
    session: Session, offering: Offering, minimum: int, now: datetime | None = None
) -> Disclosure:
    """The visible set's size and state, from the release row and one indexed count."""
    closed = is_closed(offering, now)
    release = session.get(EvaluationRelease, offering.id)
    submitted = (
        session.scalar(
            select(func.count()).where(
                Evaluation.offering_id == offering.id, Evaluation.status == "submitted"
            )
        )
        or 0
    )
    released = release.released if release is not None else 0
    seed = release.order_seed if release is not None else f"offering-{offering.id}"
    visible = submitted if closed else min(released, submitted)
    return Disclosure(offering.id, minimum, closed, submitted, visible, seed)


def visible_query(disclosure: Disclosure) -> Select[tuple[int]]:
    """The ids of the responses staff may see."""
    query = select(Evaluation.id).where(
        Evaluation.offering_id == disclosure.offering_id, Evaluation.status == "submitted"
    )
    if not disclosure.closed:
        query = query.where(Evaluation.release_batch.is_not(None))
    return query


def waiting_note(disclosure: Disclosure) -> str:
    """Why some submitted responses are not shown yet ('' when all are)."""
    waiting = disclosure.submitted - disclosure.visible
    if not waiting:
        return ""
    return (
        f"{waiting} more response(s) will be shown when {disclosure.minimum} have come in "
        "together, or when the evaluation closes, so that no view can be compared with an "
        "earlier one to single anyone out."
    )


def whole_reason(disclosure: Disclosure) -> str:
    """Why the offering's results are withheld altogether ('' when shown)."""
    if disclosure.visible >= disclosure.minimum:
        return ""
    return (
        f"Results are hidden for groups of fewer than {disclosure.minimum} responses "
        f"(this group has {disclosure.visible}), to keep answers anonymous."
    )


def cells_ok(groups: Iterable[frozenset[int]], minimum: int) -> bool:
    """Whether every cell of the partition these groups make holds 0 or >= minimum people."""
    cells: dict[tuple[bool, ...], int] = {}
    groups = list(groups)
    everyone = frozenset().union(*groups) if groups else frozenset()
    for person in everyone:
        signature = tuple(person in group for group in groups)
        cells[signature] = cells.get(signature, 0) + 1
    return all(size >= minimum for size in cells.values())


def admitted_groups(
    everyone: frozenset[int], candidates: Iterable[tuple[object, frozenset[int]]], minimum: int
) -> set[object]:
    """The candidate groups (name, members) that may be shown beside everyone, in order."""
    kept: list[frozenset[int]] = [everyone]
    names: set[object] = set()
    for name, members in candidates:
        members = members & everyone
        if not members or members == everyone:
            if len(members) >= minimum:
                names.add(name)  # the same people as a cell already shown
            continue
        if cells_ok([*kept, members], minimum):
            kept.append(members)
            names.add(name)
    return names


def order_key(seed: str, evaluation_id: int) -> str:
    """A response's place in exports: random-looking, stable per offering."""
    return hashlib.sha256(f"{seed}:{evaluation_id}".encode()).hexdigest()
