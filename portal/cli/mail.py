"""Command: `portal email send` (deliver the outbox)."""

from __future__ import annotations

import argparse
import signal
import threading

from portal.db import session_factory
from portal.logs import logging_configure
from portal.mail.sender import SendReport, outbox_send_due, outbox_send_loop
from portal.runtime import runtime_start
from portal.settings import settings_load


def _print_report(report: SendReport) -> None:
    print(
        f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}.",
        flush=True,
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
        report=lambda report: (
            print(report.skipped_reason, flush=True)
            if report.skipped_reason
            else _print_report(report)
        ),
    )
    return 0


def add_mail(commands: argparse._SubParsersAction) -> None:
    """Add `email send`."""
    email = commands.add_parser("email", help="the email outbox").add_subparsers(required=True)
    send = email.add_parser("send", help="send pending emails (retries failed ones later)")
    send.add_argument(
        "--loop",
        action="store_true",
        help="keep sending every --interval seconds; outages are waited out, a signal stops it",
    )
    send.add_argument("--interval", type=float, default=60.0)
    send.set_defaults(run=_email_send)
