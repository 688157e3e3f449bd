"""Command: `portal email send` (deliver the outbox)."""

from __future__ import annotations

import argparse
import signal
import threading

from portal.db import session_factory
from portal.logs import logger, logging_configure
from portal.mail.sender import SendReport, outbox_send_due, outbox_send_loop
from portal.operations.checks import CheckScope
from portal.runtime import runtime_start
from portal.settings import settings_load

log = logger(__name__)


def _print_report(report: SendReport) -> None:
    print(
        f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}.",
        flush=True,
    )


def _loop_report(report: SendReport) -> None:
    if report.skipped_reason:
        # Without an SMTP server the sender keeps running and says so on every pass.
        log.warning("mail waits in the outbox: %s", report.skipped_reason)
        return
    _print_report(report)
    if report.sent or report.retrying or report.failed:
        log.info(
            "outbox pass: sent %d, retrying later %d, failed %d",
            report.sent,
            report.retrying,
            report.failed,
        )


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _email_send(args: argparse.Namespace) -> int:
    settings = settings_load()
    if not args.loop:
        report = outbox_send_due(
            factory=session_factory(runtime_start(settings)), settings=settings
        )
        if report.skipped_reason:
            print(report.skipped_reason)
            return 0
        _print_report(report)
        return 0
    logging_configure()
    # Outages of the database or the SMTP server are logged and waited out; a signal ends it.
    outbox_send_loop(
        factory=lambda: session_factory(runtime_start(settings)),
        settings=settings,
        interval=args.interval,
        stop=_stop_on_signals(),
        report=_loop_report,
    )
    return 0


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
    # The loop waits out a database that is not reachable yet: no database check first.
    send.set_defaults(run=_email_send, checks=CheckScope(database=False))
