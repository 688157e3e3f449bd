"""Command: `portal records purge` (remove records past retention)."""

from __future__ import annotations

import argparse

from portal.authz import OPERATOR
from portal.db import session_factory, transaction
from portal.records.purge import records_purge
from portal.runtime import runtime_start
from portal.settings import settings_load


def _records_purge(args: argparse.Namespace) -> int:
    settings = settings_load()
    factory = session_factory(runtime_start(settings))
    dry_run = not args.apply
    with transaction(factory) as session:
        report = records_purge(
            session=session, actor_id=OPERATOR, content_dir=settings.content_dir, dry_run=dry_run
        )
    verb = "Would delete" if dry_run else "Deleted"
    if not report.offerings:
        print("No offering is past its retention period.")
    for offering_id, label, counts in report.offerings:
        detail = ", ".join(f"{table} {n}" for table, n in counts.items() if n) or "no rows"
        print(f"{verb} records of offering {offering_id} ({label}): {detail}")
    for offering_id, label, why in report.kept:
        print(f"Kept offering {offering_id} ({label}): {why}")
    if dry_run and report.offerings:
        print("Dry run: nothing was deleted. Run `portal records purge --apply` to delete.")
    return 0


def add_records(commands: argparse._SubParsersAction) -> None:
    """Add `records purge`."""
    records = commands.add_parser("records", help="CE records: retention")
    actions = records.add_subparsers(required=True, metavar="ACTION")
    purge = actions.add_parser("purge", help="remove records past retention (dry run by default)")
    mode = purge.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="only count (the default)")
    mode.add_argument("--apply", action="store_true", help="really delete")
    purge.set_defaults(run=_records_purge)
