"""Command: `portal email send` (deliver the outbox)."""

from __future__ import annotations

import argparse
import time

from portal.db import session_factory
from portal.mail.sender import outbox_send_due
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


def add_mail(commands: argparse._SubParsersAction) -> None:
    """Add `email send`."""
    email = commands.add_parser("email", help="the email outbox").add_subparsers(required=True)
    send = email.add_parser("send", help="send pending emails (retries failed ones later)")
    send.add_argument("--loop", action="store_true", help="keep sending every --interval seconds")
    send.add_argument("--interval", type=float, default=60.0)
    send.set_defaults(run=_email_send)
