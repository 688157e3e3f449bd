"""Commands: `portal email send` (flush the outbox) and `portal records purge`."""

from __future__ import annotations

import argparse
import time

from portal.db import session_factory, transaction
from portal.email_sender import outbox_send_due
from portal.purge import records_purge
from portal.runtime import runtime_start
from portal.settings import settings_load


def _email_send(args: argparse.Namespace) -> int:
    settings = settings_load()
    factory = session_factory(runtime_start(settings))
    while True:
        report = outbox_send_due(factory=factory, settings=settings)
        if report.skipped_reason:
            print(report.skipped_reason)
            return 0
        print(f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}.")
        if not args.loop:
            return 0
        time.sleep(args.interval)


def _records_purge(args: argparse.Namespace) -> int:
    settings = settings_load()
    factory = session_factory(runtime_start(settings))
    dry_run = not args.apply
    with transaction(factory) as session:
        report = records_purge(session=session, content_dir=settings.content_dir, dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    if not report.offerings:
        print("No offering is past its retention period.")
    for offering_id, label, counts in report.offerings:
        detail = ", ".join(f"{table} {n}" for table, n in counts.items())
        print(f"{verb} records of offering {offering_id} ({label}): {detail}")
    if dry_run and report.offerings:
        print("Dry run: nothing was deleted. Run `portal records purge --apply` to delete.")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add the email and records commands."""
    email = commands.add_parser("email", help="the email outbox").add_subparsers(required=True)
    send = email.add_parser("send", help="send pending emails (retries failed ones later)")
    send.add_argument("--loop", action="store_true", help="keep sending every --interval seconds")
    send.add_argument("--interval", type=float, default=60.0)
    send.set_defaults(run=_email_send)
    records = commands.add_parser("records", help="CE records").add_subparsers(required=True)
    purge = records.add_parser("purge", help="remove records past retention (dry run by default)")
    purge.add_argument("--dry-run", action="store_true", help="only count (the default)")
    purge.add_argument("--apply", action="store_true", help="really delete")
    purge.set_defaults(run=_records_purge)
