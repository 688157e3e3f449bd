"""Commands: `portal check`, `portal secrets init`, `portal backup`, `portal restore`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from portal.operations.backup import backup_restore, backup_write
from portal.operations.checks import BEFORE_UPGRADE, EVERYTHING, SERVER, checks_run
from portal.operations.secrets import secrets_init
from portal.settings import secrets_file, settings_load


def _check(args: argparse.Namespace) -> int:
    problems = checks_run(SERVER if args.ready else EVERYTHING)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print("ready" if args.ready else "The portal is configured and ready.")
    return 0


def _secrets_init(args: argparse.Namespace) -> int:
    print(secrets_init(secrets_file(), rotate=args.rotate))
    return 0


def _backup(args: argparse.Namespace) -> int:
    settings = settings_load()
    report = backup_write(
        database_url=settings.resolved_database_url(),
        storage_dir=settings.storage_dir,
        out=Path(args.out),
    )
    print(f"Wrote {report.path}: the database and {report.storage_files} stored files.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    settings = settings_load()
    report = backup_restore(
        archive=Path(args.archive),
        database_url=settings.resolved_database_url(),
        storage_dir=settings.storage_dir,
    )
    print(
        f"Restored the database and {report.storage_files} stored files from {report.path}; "
        "run `portal db upgrade` if this version is newer, then `portal check`."
    )
    return 0


def add_operations(commands: argparse._SubParsersAction) -> None:
    """Add `check`, `secrets init`, `backup` and `restore`."""
    check = commands.add_parser(
        "check",
        help="is the portal configured and ready? one line per problem, exit 1 if any",
    )
    check.add_argument(
        "--ready",
        action="store_true",
        help="the server's readiness only (skips SMTP): for service managers and monitors",
    )
    check.set_defaults(run=_check, checks=None)
    secrets = commands.add_parser("secrets", help="the cookie signing key")
    actions = secrets.add_subparsers(required=True, metavar="ACTION")
    init = actions.add_parser(
        "init",
        help="write a random cookie key into the secrets file (once; refuses to overwrite)",
    )
    init.add_argument(
        "--rotate",
        action="store_true",
        help="replace an existing key: signs everyone out; restart every app process",
    )
    init.set_defaults(run=_secrets_init, checks=None)
    backup = commands.add_parser(
        "backup", help="write the database, the storage folder and their SHA-256 sums to one file"
    )
    backup.add_argument(
        "--out", required=True, help="archive to write, e.g. portal-2026-05-18.tar.gz"
    )
    backup.set_defaults(run=_backup)
    restore = commands.add_parser(
        "restore", help="load a backup into an empty database and an empty storage folder"
    )
    restore.add_argument("archive", help="a file written by `portal backup`")
    restore.set_defaults(run=_restore, checks=BEFORE_UPGRADE)
