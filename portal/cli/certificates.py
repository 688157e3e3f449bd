"""`portal certificates preview`: a sample certificate of one credit type, as a PDF file."""

from __future__ import annotations

import argparse
from pathlib import Path

from portal.certificates.facts import issuer_from
from portal.certificates.preview import (
    DEFAULT_COURSE,
    DEFAULT_OFFERING,
    SAMPLE_NAME,
    preview_from_content,
)
from portal.operations.checks import CheckScope
from portal.settings import settings_load


def _preview(args: argparse.Namespace) -> int:
    settings = settings_load()
    pdf = preview_from_content(
        content_dir=settings.content_dir,
        course_id=args.course,
        credit_type_id=args.credit_type,
        issuer=issuer_from(settings),
        name=args.name,
        license=args.license,
        offering_id=args.offering,
    )
    Path(args.out).write_bytes(pdf)
    print(f"Wrote a sample {args.credit_type.upper()} certificate to {args.out}.")
    return 0


def add_certificates(commands: argparse._SubParsersAction) -> None:
    """Register `portal certificates preview`."""
    certificates = commands.add_parser("certificates", help="certificates: sample previews")
    actions = certificates.add_subparsers(required=True, metavar="ACTION")
    preview = actions.add_parser(
        "preview", help="write a sample certificate of a credit type to check its wording"
    )
    preview.add_argument("--credit-type", required=True, help="APA, BBS, BRN, ATTENDANCE, ...")
    preview.add_argument("--name", default=SAMPLE_NAME, help="participant name to print")
    preview.add_argument("--license", default=None, help='license to print, e.g. "RN 654321"')
    preview.add_argument(
        "--offering", default=DEFAULT_OFFERING, help="offering id in the course file"
    )
    preview.add_argument("--course", default=DEFAULT_COURSE, help="course id (folder in content/)")
    preview.add_argument("--out", required=True, help="PDF file to write")
    # A preview reads content/ only: no database is needed.
    preview.set_defaults(run=_preview, checks=CheckScope(database=False))
