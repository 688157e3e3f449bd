"""Command: `portal audit verify` (walk the audit chain, name the first broken link)."""

from __future__ import annotations

import argparse

from portal.db import session_factory
from portal.records.audit_verify import audit_chain_verify
from portal.runtime import runtime_start
from portal.settings import settings_load


def _audit_verify(args: argparse.Namespace) -> int:
    engine = runtime_start(settings_load())
    try:
        with session_factory(engine)() as session:
            report = audit_chain_verify(session, args.expect.strip())
    finally:
        engine.dispose()
    head = report.head
    if not report.intact:
        print(
            f"BROKEN at audit event {report.broken_at}: {report.problem}. "
            f"The {head.events} events before it are intact (last good hash {head.hash})."
        )
        return 1
    print(f"Intact: {head.events} audit events; chain head event {head.last_id}, hash {head.hash}")
    if not report.kept_head_found:
        print(
            f"The chain head you kept ({args.expect.strip()}) is no longer in the chain: "
            "events were removed at the end, or the chain was rewritten."
        )
        return 1
    return 0


def add_audit(commands: argparse._SubParsersAction) -> None:
    """Add `audit verify`."""
    audit = commands.add_parser("audit", help="audit log: tamper evidence")
    actions = audit.add_subparsers(required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="check every audit event's hash and link; name the first broken one"
    )
    verify.add_argument(
        "--expect",
        metavar="HASH",
        default="",
        help="a chain head you kept (e.g. from a Records ZIP): it must still be in the chain",
    )
    verify.set_defaults(run=_audit_verify)
