"""The `portal` command line: database, demo data and accounts."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from portal.accounts.services import user_create
from portal.cli.certificates import add_certificates
from portal.cli.mail import add_mail
from portal.cli.records import add_records
from portal.courses.content import CourseFileError
from portal.db import session_factory, transaction
from portal.errors import FieldErrors
from portal.models import ROLES, utc_now
from portal.runtime import runtime_demo_seed, runtime_start
from portal.settings import SettingsError, settings_load


def _db_upgrade(args: argparse.Namespace) -> int:
    runtime_start(settings_load()).dispose()
    print("Database is at the latest revision.")
    return 0


def _demo_seed(args: argparse.Namespace) -> int:
    settings = settings_load()
    engine = runtime_start(settings)
    try:
        runtime_demo_seed(settings, engine, utc_now())
    finally:
        engine.dispose()
    print(
        "Demo data ready: demo-admin, demo-instructor, demo-participant "
        "(each password is the username)."
    )
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise FieldErrors({"password": "The two passwords differ."})
    return first


def _users_create(args: argparse.Namespace) -> int:
    engine = runtime_start(settings_load())
    try:
        with transaction(session_factory(engine)) as session:
            user = user_create(
                session=session,
                username=args.username,
                email=args.email,
                full_name=args.name,
                password=_read_password(args),
                role=args.role,
            )
            print(f"Created {user.role} {user.username} ({user.email}).")
    finally:
        engine.dispose()
    return 0


def _add_db(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="database schema").add_subparsers(required=True)
    db.add_parser("upgrade", help="migrate to the latest revision").set_defaults(run=_db_upgrade)


def _add_demo(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="demo data").add_subparsers(required=True)
    seed = demo.add_parser("seed", help="create demo accounts and a demo offering live today")
    seed.set_defaults(run=_demo_seed)


def _add_users(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="accounts").add_subparsers(required=True)
    create = users.add_parser("create", help="create an account, e.g. the first admin")
    create.add_argument("--role", choices=ROLES, required=True)
    create.add_argument("--username", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="full name as printed on certificates")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )
    create.set_defaults(run=_users_create)


# Each capability adds its commands with one function here.
REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_db,
    _add_demo,
    _add_users,
    add_mail,
    add_records,
    add_certificates,
]


def parser_build() -> argparse.ArgumentParser:
    """The argument parser with every command."""
    parser = argparse.ArgumentParser(prog="portal", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    for register in REGISTRARS:
        register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors print one line and exit non-zero."""
    args = parser_build().parse_args(argv)
    try:
        return args.run(args)
    except (SettingsError, FieldErrors, CourseFileError, RuntimeError) as error:
        print(f"portal: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
