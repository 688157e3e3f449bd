"""Command: `portal email send` (deliver the outbox)."""

from __future__ import annotations

import argparse
import time

from portal.db import session_factory
from portal.logs import logger
from portal.mail.sender import outbox_send_due
from portal.runtime import runtime_start
from portal.settings import settings_load

log = logger(__name__)


def _email_send(args: argparse.Namespace) -> int:
    settings = settings_load()
    factory = session_factory(runtime_start(settings))
    while True:
        report = outbox_send_due(factory=factory, settings=settings)
        if report.skipped_reason:
            # A service manager must see the sender running, waiting for an SMTP server.
            summary = report.skipped_reason
            log.warning("mail waits in the outbox: %s", summary)
        else:
            summary = (
                f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}."
            )
            if report.sent or report.retrying or report.failed:
                log.info("outbox pass: %s", summary)
        if not args.loop:
            print(summary)
            return 0
        time.sleep(args.interval)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("give a number of seconds above 0")
    return value


def add_mail(commands: argparse._SubParsersAction) -> None:
    """Add `email send`."""
    email = commands.add_parser("email", help="the email outbox")
    actions = email.add_subparsers(required=True, metavar="ACTION")
    send = actions.add_parser("send", help="send pending emails (retries failed ones later)")
    send.add_argument(
        "--loop",
        action="store_true",
        help="keep running (as a service): send every --interval seconds; without an SMTP "
        "server, wait and log instead of exiting",
    )
    send.add_argument(
        "--interval",
        type=_positive_seconds,
        default=60.0,
        help="seconds between passes with --loop (default 60)",
    )
    send.set_defaults(run=_email_send)
